//! The audit workflow: `audit start`, `sample`, `record`, `status`, `escalate`, and
//! `cvrs` (records for a simulated audit). Every step is an `audit` entry of the election's
//! log (`docs/log-format.md`), and the state is recomputed from the log each time, so that
//! an observer holding the log can redraw every round from the seed and recompute every risk.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use audit::logged as log_audit;
use audit::steps;
use audit::workflow::{parse_method, Method};
use model::{Election, Protocol};
use store::{SqliteStore, Staffing, Store};

use super::election_name;

/// The store, the election and the audit every step names.
#[derive(Debug, clap::Args)]
pub struct AuditTarget {
    #[command(flatten)]
    pub store: super::official::Target,
    /// The audit's name
    #[arg(long)]
    pub audit: String,
}

#[derive(Debug, clap::Args)]
pub struct StartArgs {
    #[command(flatten)]
    pub target: AuditTarget,
    /// The law preset whose allocation is audited: kg2010, kg2015, kg2020, kg2021
    #[arg(long)]
    pub law: String,
    /// The risk limit, in percent (above 0, at most 50)
    #[arg(long)]
    pub risk_limit: f64,
    /// comparison (paper against cast-vote records), polling (paper alone) or batch (whole stations counted by hand)
    #[arg(long, default_value = "comparison")]
    pub method: String,
    /// The public seed, for example from dice rolled in public
    #[arg(long)]
    pub seed: String,
    /// The ballot manifest (Arlo's CSV; batches named 'Region / Station'); default: each
    /// station's reported ballots
    #[arg(long)]
    pub manifest: Option<PathBuf>,
    /// The cast-vote records (CSV: Batch Name, Position, Choice), for a comparison audit
    #[arg(long)]
    pub cvrs: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub store: super::official::Target,
    /// The law preset whose allocation would be audited: kg2010, kg2015, kg2020, kg2021
    #[arg(long)]
    pub law: String,
    /// The risk limit, in percent (above 0, at most 50)
    #[arg(long, default_value_t = 5.0)]
    pub risk_limit: f64,
    /// The ballot manifest (Arlo's CSV; batches named 'Region / Station'); default: each
    /// station's reported ballots
    #[arg(long)]
    pub manifest: Option<PathBuf>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct SampleArgs {
    #[command(flatten)]
    pub target: AuditTarget,
    /// Ballots to draw in this round (default: the estimate for the hardest open assertion)
    #[arg(long)]
    pub ballots: Option<u64>,
    /// Write the retrieval list here instead of standard output
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct TargetArgs {
    #[command(flatten)]
    pub target: AuditTarget,
    /// Target every station whose forensic flags score at least this (`tallyproof forensics
    /// flags` lists the scores)
    #[arg(long, conflicts_with = "complaint")]
    pub flagged_above: Option<f64>,
    /// Target the stations of an upheld complaint (its entry index in the log): the
    /// complaint's own station, or those given with --station
    #[arg(long)]
    pub complaint: Option<u64>,
    /// A station (its path, 'Region / ... / Station') under the complaint's unit
    #[arg(long, requires = "complaint")]
    pub station: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct BoardsArgs {
    #[command(flatten)]
    pub target: AuditTarget,
    /// A board: its two members' login names, comma-separated (repeat for each board; two
    /// different board members each, nobody on two boards)
    #[arg(long = "board", required = true)]
    pub boards: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct RecordArgs {
    #[command(flatten)]
    pub target: AuditTarget,
    /// What the audit boards read: the retrieval list with its Choice column filled
    #[arg(
        long,
        required_unless_present = "targeted",
        conflicts_with = "targeted"
    )]
    pub readings: Option<PathBuf>,
    /// Hand counts of targeted stations (CSV: Batch Name, a column per choice, Ballots),
    /// reported apart from the risk
    #[arg(long)]
    pub targeted: Option<PathBuf>,
    /// The cast-vote records the audit started with (a comparison audit)
    #[arg(long)]
    pub cvrs: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub target: AuditTarget,
    /// Recompute from a published log directory instead of the store (checked first against
    /// the log key)
    #[arg(long, requires = "key")]
    pub log: Option<PathBuf>,
    /// The log's verifier key (text or file), with --log
    #[arg(long)]
    pub key: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct CvrsArgs {
    #[command(flatten)]
    pub store: super::official::Target,
    /// Write here
    #[arg(long)]
    pub out: PathBuf,
}

/// A store (or a published log), the election and its latest protocols.
struct Opened {
    /// The store, for the steps that append; none for a published log.
    store: Option<SqliteStore>,
    /// A published log's entries, read once.
    published: Vec<Vec<u8>>,
    name: String,
    election: Election,
    protocols: Vec<Protocol>,
    /// The log's size when its entries were last read: a step computed from them is
    /// appended only if the log has not grown since (as the service checks it).
    read_at: std::cell::Cell<Option<u64>>,
}

impl Opened {
    /// The election's log entries.
    fn entries(&self) -> anyhow::Result<Vec<Vec<u8>>> {
        let entries = match &self.store {
            Some(s) => s.log(&self.name)?,
            None => self.published.clone(),
        };
        self.read_at.set(Some(entries.len() as u64));
        Ok(entries)
    }

    /// Logs an audit step computed from the entries last read (a store only): the console's
    /// act, with its staff entry, refused if the log has grown since.
    fn append(&mut self, entries: &[Vec<u8>]) -> anyhow::Result<u64> {
        let at = self.read_at.get();
        let Some(store) = self.store.as_mut() else {
            bail!("a published log is read-only: audit steps are appended to the store");
        };
        let act = store::Act {
            at,
            ..store::Act::of(record::StaffAct::Audit, entries, super::clock()?)
        };
        Ok(store.act(&self.name, store::Actor::Console, act)?)
    }
}

fn open(db: &std::path::Path, election: Option<&str>) -> anyhow::Result<Opened> {
    let store = crate::cmd::open_store(db)?;
    let name = election_name(&store, election)?;
    let loaded = store.load(&name)?;
    Ok(Opened {
        store: Some(store),
        published: Vec::new(),
        name,
        election: loaded.election,
        protocols: loaded.protocols,
        read_at: Default::default(),
    })
}

/// A published log directory, verified against `key`, replayed into the election and its
/// latest protocols: what an observer recomputes an audit from.
fn open_published(dir: &std::path::Path, key: &str) -> anyhow::Result<Opened> {
    let key = translog::note::NoteVerifier::parse(&super::verify::key_text(key)?)?;
    if let super::verify::Verdict::Rejected(why) =
        super::verify::verify_dir(dir, &key, None, &[], 0)?
    {
        bail!(
            "{}: the published log does not verify: {why}",
            dir.display()
        );
    }
    let fetch = |p: &str| std::fs::read(dir.join(p)).ok();
    let text = fetch("checkpoint")
        .and_then(|b| String::from_utf8(b).ok())
        .context("cannot read the checkpoint")?;
    let (c, _) = translog::checkpoint::Checkpoint::open(&text, &key)?;
    let (entries, _) = translog::tiles::read_tiles(&fetch, c.size)?;
    let r = record::replay(
        entries
            .iter()
            .enumerate()
            .map(|(i, e)| (i as u64, e.as_slice())),
    )?;
    Ok(Opened {
        store: None,
        name: r.election.name.clone(),
        election: r.election,
        protocols: r.protocols,
        read_at: Default::default(),
        published: entries,
    })
}

/// The contest's choices, by name.
fn choice_names(e: &Election) -> Vec<String> {
    e.contests
        .first()
        .map(|c| c.choices.iter().map(|x| x.name.clone()).collect())
        .unwrap_or_default()
}

/// Reads a file an audit step takes.
fn read(path: &std::path::Path) -> anyhow::Result<(String, Vec<u8>)> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {name}"))?;
    Ok((name, bytes))
}

fn ballot_file(path: &std::path::Path) -> anyhow::Result<steps::BallotFile> {
    let (name, bytes) = read(path)?;
    Ok(formats::audit_files::ballots(&name, &bytes)?)
}

/// A ballot manifest file, read.
fn manifest_file(
    path: Option<&std::path::Path>,
) -> anyhow::Result<Option<(String, Vec<steps::ManifestRow>)>> {
    let Some(path) = path else { return Ok(None) };
    let (name, bytes) = read(path)?;
    Ok(Some(formats::audit_files::manifest(&name, &bytes)?))
}

pub fn plan(a: PlanArgs) -> anyhow::Result<ExitCode> {
    let o = open(&a.store.db, a.store.election.as_deref())?;
    let manifest = manifest_file(a.manifest.as_deref())?;
    let m = audit::methods::compare(
        &o.election,
        &o.protocols,
        &a.law,
        a.risk_limit,
        manifest.as_ref(),
    )?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&m)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "'{}' under {} at a risk limit of {}%: {} ballots in {} stations ({}), {} assertions.",
        o.name,
        m.law,
        m.risk_limit_percent,
        m.ballots,
        m.stations,
        if m.from_manifest {
            "the manifest"
        } else {
            "as the protocols report them"
        },
        m.assertions
    );
    if let Some(c) = &m.closest {
        println!(
            "closest: {} (margin {} ballot(s))",
            c.label, c.margin_ballots
        );
    }
    println!(
        "{:<11} {:>10} {:>10} {:>9}  verdict",
        "method", "sample", "ballots", "stations"
    );
    for w in &m.methods {
        let unit = if w.method == Method::Batch {
            "stations"
        } else {
            "ballots"
        };
        let verdict = if !w.full_count {
            match w.method {
                Method::Comparison => format!(
                    "possible: needs the cast-vote records of all {} ballots",
                    m.ballots
                ),
                _ => "possible".to_string(),
            }
        } else {
            let why = w.hardest.as_ref().map_or(String::new(), |h| {
                format!(": {} by {} ballot(s)", h.label, h.margin_ballots)
            });
            let larger = w
                .feasible_at
                .map_or("at no risk limit up to 50%".to_string(), |r| {
                    format!("possible at a risk limit of {r}%")
                });
            format!("a full count{why}; {larger}")
        };
        println!(
            "{:<11} {:>10} {:>10} {:>9}  {verdict} ({} of {} {unit})",
            w.method.key(),
            w.sample,
            w.ballots,
            w.stations,
            w.sample,
            w.of
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn start(a: StartArgs) -> anyhow::Result<ExitCode> {
    let mut o = open(&a.target.store.db, a.target.store.election.as_deref())?;
    let manifest = manifest_file(a.manifest.as_deref())?;
    let request = steps::StartRequest {
        audit: a.target.audit.clone(),
        law: a.law.clone(),
        risk_limit: a.risk_limit,
        method: parse_method(&a.method)?,
        seed: a.seed.clone(),
        manifest,
        cvrs: a.cvrs.as_deref().map(ballot_file).transpose()?,
    };
    let b = steps::start(&o.election, &o.protocols, &o.entries()?, &request)?;
    let size = o.append(&b.entries)?;
    println!(
        "audit '{}' started: {} assertions, {} ballots in {} stations, risk limit {}%, seed '{}' (log entries {}..{})",
        a.target.audit,
        b.assertions,
        b.ballots,
        b.stations,
        a.risk_limit,
        a.seed,
        size - b.entries.len() as u64,
        size - 1
    );
    println!(
        "about {} {} should confirm every assertion if the reported results are right; next: tallyproof audit sample",
        b.work, b.unit
    );
    Ok(ExitCode::SUCCESS)
}

pub fn sample(a: SampleArgs) -> anyhow::Result<ExitCode> {
    let mut o = open(&a.target.store.db, a.target.store.election.as_deref())?;
    let r = steps::sample(
        &o.election,
        &o.protocols,
        &o.entries()?,
        &a.target.audit,
        a.ballots,
    )?;
    o.append(&r.entries)?;
    let sink: Box<dyn std::io::Write> = match &a.out {
        Some(p) => Box::new(
            std::fs::File::create(p).with_context(|| format!("cannot write {}", p.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = csv::Writer::from_writer(sink);
    for row in r.drawn.table(&o.election, r.round) {
        w.write_record(&row)?;
    }
    w.flush()?;
    match r.drawn {
        steps::Drawn::Ballots(_) => eprintln!(
            "round {}: {} ballots drawn and logged; fill the Choice column and run tallyproof audit record",
            r.round, r.size
        ),
        steps::Drawn::Stations(s) => eprintln!(
            "round {}: {} draws ({} stations) logged; count those stations by hand and run tallyproof audit record",
            r.round,
            r.size,
            s.len()
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// Adds targeted stations to the latest round: flagged ones, or an upheld complaint's.
pub fn target(a: TargetArgs) -> anyhow::Result<ExitCode> {
    let mut o = open(&a.target.store.db, a.target.store.election.as_deref())?;
    let entries = o.entries()?;
    let scores;
    let stations = a
        .station
        .iter()
        .map(|p| o.election.units.resolve(p))
        .collect::<Result<Vec<_>, _>>()?;
    let choose = match (a.flagged_above, a.complaint) {
        (Some(above), _) => {
            scores = forensics::flags::scores(&o.election, &o.protocols)?;
            steps::Choose::Flagged {
                scores: &scores,
                above,
            }
        }
        (None, Some(complaint)) => steps::Choose::Complaint {
            complaint,
            stations: &stations,
        },
        (None, None) => bail!("give --flagged-above SCORE or --complaint ENTRY"),
    };
    let targets = steps::chosen(&o.election, &entries, &a.target.audit, choose)?;
    let logged = steps::target(
        &o.election,
        &o.protocols,
        &entries,
        &a.target.audit,
        &targets,
    )?;
    o.append(&logged.entries)?;
    for (s, flag, complaint) in &logged.targets {
        let reason = match (flag, complaint) {
            (Some(score), _) => format!("forensic flags score {score}"),
            (None, c) => format!("upheld complaint {}", c.unwrap_or_default()),
        };
        println!(
            "targeted: {} ({reason})",
            o.election.units.path(model::UnitId(*s))
        );
    }
    for s in &logged.in_sample {
        println!(
            "left out: {} (in the random sample already: its hand count there counts toward the risk)",
            o.election.units.path(*s)
        );
    }
    println!(
        "{} station(s) to count by hand beside the random sample; their counts never enter the risk. Record them with tallyproof audit record --targeted COUNTS.csv",
        logged.targets.len()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn record_readings(a: RecordArgs) -> anyhow::Result<ExitCode> {
    let mut o = open(&a.target.store.db, a.target.store.election.as_deref())?;
    let entries = o.entries()?;
    if let Some(path) = &a.targeted {
        let (name, bytes) = read(path)?;
        let rows = formats::audit_files::counts(&name, &bytes, &choice_names(&o.election))?;
        let r = steps::record_targeted(
            &o.election,
            &o.protocols,
            &entries,
            &a.target.audit,
            &name,
            &rows,
        )?;
        o.append(&r.entries)?;
        println!(
            "the hand counts of {} targeted station(s) logged, apart from the risk",
            r.read
        );
        return print_report(&r.report, false);
    }
    let Some(readings) = &a.readings else {
        bail!("give --readings or --targeted");
    };
    let started = log_audit::started(
        &log_audit::logged(log_audit::indexed(&entries), &a.target.audit)?,
        &a.target.audit,
    )?;
    let readings = if started.method == Method::Batch {
        let (name, bytes) = read(readings)?;
        let rows = formats::audit_files::counts(&name, &bytes, &choice_names(&o.election))?;
        steps::Readings::Counts { name, rows }
    } else {
        // Only the ballots read are read from the records (checked whole at the start),
        // as a stream.
        let paper = ballot_file(readings)?;
        let mut wanted = steps::wanted(&o.election, &paper)?;
        let cvrs = match a.cvrs.as_deref() {
            Some(path) => {
                let name = path.display().to_string();
                let file =
                    std::fs::File::open(path).with_context(|| format!("cannot read {name}"))?;
                Some(formats::audit_files::ballots_keeping(
                    &name,
                    std::io::BufReader::with_capacity(1 << 20, file),
                    |s, p| wanted.wants(s, p),
                )?)
            }
            None => None,
        };
        steps::Readings::Ballots { paper, cvrs }
    };
    let r = steps::record(
        &o.election,
        &o.protocols,
        &entries,
        &a.target.audit,
        &readings,
    )?;
    o.append(&r.entries)?;
    match readings {
        steps::Readings::Counts { .. } => println!(
            "round {}: the hand counts of {} stations logged",
            r.round, r.read
        ),
        steps::Readings::Ballots { .. } => {
            println!("round {}: {} readings logged", r.round, r.read)
        }
    }
    // The status after these entries, computed with the round's draws.
    print_report(&r.report, false)
}

pub fn status(a: StatusArgs) -> anyhow::Result<ExitCode> {
    let o = match (&a.log, &a.key) {
        (Some(dir), Some(key)) => open_published(dir, key)?,
        _ => open(&a.target.store.db, a.target.store.election.as_deref())?,
    };
    print_status(&o, &a.target.audit, a.json)
}

/// Forms the audit boards of the latest round: their members read and sign off its ballots
/// through the results service, each with their own login (`tallyproof serve`).
pub fn boards(a: BoardsArgs) -> anyhow::Result<ExitCode> {
    let mut o = open(&a.target.store.db, a.target.store.election.as_deref())?;
    let store = o.store.as_ref().context("the store")?;
    let mut pairs = Vec::with_capacity(a.boards.len());
    for (k, b) in a.boards.iter().enumerate() {
        let Some((x, y)) = b.split_once(',') else {
            bail!("--board {b}: a board is two members' login names, comma-separated");
        };
        let member = |login: &str| {
            store::BoardMarks::board_member(store, &o.name, login.trim())
                .with_context(|| format!("boards[{k}]"))
        };
        pairs.push((member(x)?, member(y)?));
    }
    let entries = o.entries()?;
    let (entry, shares) =
        audit::boards::form(&o.election, &o.protocols, &entries, &a.target.audit, &pairs)?;
    o.append(&[entry])?;
    for (share, b) in shares.iter().zip(&a.boards) {
        println!(
            "board {} ({}): {} to read",
            share.board,
            b.replace(',', ", "),
            share.items().len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn escalate(a: AuditTarget) -> anyhow::Result<ExitCode> {
    let mut o = open(&a.store.db, a.store.election.as_deref())?;
    let entry = steps::escalate(&o.entries()?, &a.audit)?;
    o.append(&[entry])?;
    println!("audit '{}' escalated: a full hand count decides", a.audit);
    Ok(ExitCode::SUCCESS)
}

/// Writes cast-vote records that agree with every station's protocol (its votes in ballot
/// order, then its ballots with no valid vote): the records of a simulated audit.
pub fn cvrs(a: CvrsArgs) -> anyhow::Result<ExitCode> {
    let o = open(&a.store.db, a.store.election.as_deref())?;
    let contest = o
        .election
        .contests
        .first()
        .context("the election has no contest")?;
    let file = std::fs::File::create(&a.out)
        .with_context(|| format!("cannot write {}", a.out.display()))?;
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(file));
    w.write_record(["Batch Name", "Position", "Choice"])?;
    let mut n = 0u64;
    let mut stations: Vec<&Protocol> = o.protocols.iter().filter(|p| p.contest == 0).collect();
    stations.sort_by_key(|p| p.station);
    for p in stations {
        let path = o.election.units.path(p.station);
        let mut pos = 0u64;
        for (c, &v) in p.votes.iter().enumerate() {
            for _ in 0..v {
                pos += 1;
                w.write_record([
                    path.as_str(),
                    &pos.to_string(),
                    contest.choices[c].name.as_str(),
                ])?;
            }
        }
        let voted = pos;
        for k in voted..steps::reported_ballots(p) {
            w.write_record([path.as_str(), &(k + 1).to_string(), ""])?;
        }
        pos = pos.max(steps::reported_ballots(p));
        n += pos;
    }
    w.flush()?;
    println!(
        "{n} simulated cast-vote records written to {}",
        a.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Prints where the audit stands, recomputed from the log (`audit::logged::report`).
fn print_status(o: &Opened, audit: &str, json: bool) -> anyhow::Result<ExitCode> {
    let r = log_audit::report(
        &o.election,
        &o.protocols,
        log_audit::indexed(&o.entries()?),
        audit,
    )?;
    print_report(&r, json)
}

/// Prints a report.
fn print_report(r: &log_audit::Report, json: bool) -> anyhow::Result<ExitCode> {
    let batch = r.method == "batch";
    let p = r.assertions.first().map_or(1.0, |x| x.p_value);
    if json {
        let mut v = serde_json::to_value(r)?;
        if batch {
            v["stations_counted"] = serde_json::json!(r.audited);
            v["p_value"] = serde_json::json!(p);
        }
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    if batch {
        // A superseded audit (its results changed since it began) has no risk.
        let risk = r
            .assertions
            .first()
            .map_or(String::new(), |x| format!("; {}: p = {p:.6}", x.claim));
        println!(
            "batch audit, risk limit {}%, seed '{}': {} of {} stations counted in {} round(s){risk}",
            r.risk_limit_percent,
            r.seed,
            r.audited,
            r.stations,
            r.rounds.len(),
        );
    } else {
        println!(
            "{} audit, risk limit {}%, seed '{}': {} of {} ballots read in {} round(s), {} discrepancies",
            r.method,
            r.risk_limit_percent,
            r.seed,
            r.audited,
            r.ballots,
            r.rounds.len(),
            r.discrepancies
        );
        let mut risks = r.assertions.clone();
        risks.sort_by(|x, y| y.p_value.total_cmp(&x.p_value));
        let open = risks.iter().filter(|x| !x.confirmed).count();
        if !risks.is_empty() {
            println!(
                "{open} of {} assertions open; the highest risks:",
                risks.len()
            );
        }
        for x in risks.iter().take(8) {
            println!(
                "  {:>10.6}  {}  {}",
                x.p_value,
                if x.confirmed {
                    "confirmed"
                } else {
                    "open     "
                },
                x.claim
            );
        }
    }
    println!("{}", r.verdict);
    if let (false, false, Some(n)) = (r.confirmed, r.escalated, r.next_round) {
        println!(
            "suggested next round: {n} {}",
            if batch { "draws" } else { "ballots" }
        );
    }
    if !r.targeted.is_empty() {
        println!(
            "targeted hand counts, apart from the random sample (never counted toward the risk limit):"
        );
        for t in &r.targeted {
            let why = match (&t.flag, t.complaint) {
                (Some(score), _) => format!("forensic flags score {score}"),
                (None, Some(c)) => format!("upheld complaint {c}"),
                (None, None) => String::new(),
            };
            let counted = match t.difference {
                None => "not counted yet".to_string(),
                Some(0) => "counted: as the protocol".to_string(),
                Some(d) => format!("counted: {d} vote(s) differ from the protocol"),
            };
            println!("  {}  (round {}, {why})  {counted}", t.path, t.round);
        }
    }
    Ok(ExitCode::SUCCESS)
}

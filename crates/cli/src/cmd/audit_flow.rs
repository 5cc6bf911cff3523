//! The audit workflow: `audit start`, `sample`, `record`, `status`, `escalate`, and
//! `cvrs` (records for a simulated audit). Every step is an `audit` entry of the election's
//! log (`docs/log-format.md`), and the state is recomputed from the log each time, so that
//! an observer holding the log can redraw every round from the seed and recompute every risk.

use std::collections::HashSet;

use foldhash::fast::FixedState;

/// A hash map with a fast, fixed hasher (no untrusted keys reach it).
type HashMap<K, V> = std::collections::HashMap<K, V, FixedState>;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use audit::logged::{self as log_audit, Logged, Started};
use audit::workflow::{self, Method};
use audit::AuditError;
use model::{Election, Protocol, UnitId};
use record::{encode, AuditStep, Entry};
use store::{SqliteStore, Store};

use super::election_name;
use super::results::resolve;

/// Batches and readings per log entry (as units: entries stay well under 64 KiB).
const PER_ENTRY: usize = 400;

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
pub struct RecordArgs {
    #[command(flatten)]
    pub target: AuditTarget,
    /// What the audit boards read: the retrieval list with its Choice column filled
    #[arg(long)]
    pub readings: PathBuf,
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
}

impl Opened {
    /// The election's log entries.
    fn entries(&self) -> anyhow::Result<Vec<Vec<u8>>> {
        match &self.store {
            Some(s) => Ok(s.log(&self.name)?),
            None => Ok(self.published.clone()),
        }
    }

    /// Appends entries to the election's log (a store only).
    fn append(&mut self, entries: &[Vec<u8>]) -> anyhow::Result<u64> {
        let Some(store) = self.store.as_mut() else {
            bail!("a published log is read-only: audit steps are appended to the store");
        };
        Ok(store.append_log(&self.name, entries)?)
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
        published: entries,
    })
}

/// A station's paper ballots as its protocol reports them: ballots found, else valid plus
/// invalid, else the votes.
fn reported_ballots(p: &Protocol) -> u64 {
    p.found()
        .or_else(|| Some(p.line(model::Line::Valid)? + p.line(model::Line::Invalid)?))
        .unwrap_or_else(|| p.choice_sum())
}

/// The contest's protocols by station.
fn by_station(o: &Opened) -> HashMap<UnitId, &Protocol> {
    o.protocols
        .iter()
        .filter(|p| p.contest == 0)
        .map(|p| (p.station, p))
        .collect()
}

/// A choice's index by its name on the ballot.
fn choice_index(e: &Election, name: &str) -> Option<u32> {
    e.contests
        .first()?
        .choices
        .iter()
        .position(|c| c.name == name)
        .map(|i| i as u32)
}

/// A choices file read: its bytes, each ballot's choice, and each ballot with its line.
struct Choices {
    bytes: Vec<u8>,
    of: HashMap<(UnitId, u64), Option<u32>>,
    lines: Vec<((UnitId, u64), u64)>,
}

/// Reads a choices file into `(station, position) -> choice index`, refusing unknown
/// stations and choices with the file's line.
fn read_choices(e: &Election, path: &std::path::Path) -> anyhow::Result<Choices> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {name}"))?;
    let rows = formats::cvr::parse_choices(&name, &bytes)?;
    let mut out = HashMap::with_capacity_and_hasher(rows.len(), FixedState::default());
    let mut order = Vec::with_capacity(rows.len());
    let mut stations: HashMap<String, UnitId> = HashMap::default();
    for r in rows {
        let station = match stations.get(&r.batch) {
            Some(&s) => s,
            None => {
                let s = resolve(e, &r.batch)
                    .map_err(|x| AuditError::field(format!("{name}:{}", r.line), x.to_string()))?;
                stations.insert(r.batch.clone(), s);
                s
            }
        };
        let choice = match &r.choice {
            None => None,
            Some(c) => Some(choice_index(e, c).ok_or_else(|| {
                AuditError::field(
                    format!("{name}:{} (Choice)", r.line),
                    format!("'{c}' is not a choice of the contest"),
                )
            })?),
        };
        out.insert((station, r.position), choice);
        order.push(((station, r.position), r.line));
    }
    Ok(Choices {
        bytes,
        of: out,
        lines: order,
    })
}

pub fn start(a: StartArgs) -> anyhow::Result<ExitCode> {
    let mut o = open(&a.target.store.db, a.target.store.election.as_deref())?;
    let alpha = audit::alpha_from_percent(a.risk_limit)?;
    let method = Method::parse(&a.method)?;
    if logged(&o, &a.target.audit)?.start.is_some() {
        bail!(AuditError::field(
            "audit",
            format!("an audit named '{}' is already in the log", a.target.audit)
        ));
    }
    let stations = by_station(&o);
    // The manifest, checked against the reported ballots station by station.
    let mut batches: Vec<(u32, u64)> = Vec::new();
    match &a.manifest {
        Some(path) => {
            let name = path.display().to_string();
            let bytes = std::fs::read(path).with_context(|| format!("cannot read {name}"))?;
            for (k, b) in formats::manifest::parse_manifest(&name, &bytes)?
                .iter()
                .enumerate()
            {
                let at = format!("{name}:{}", k + 2);
                let station = resolve(&o.election, &b.key())
                    .map_err(|x| AuditError::field(&at, x.to_string()))?;
                let Some(p) = stations.get(&station) else {
                    bail!(AuditError::field(
                        at,
                        format!("'{}' has no protocol", b.key())
                    ));
                };
                let reported = reported_ballots(p);
                if reported != b.ballots {
                    bail!(AuditError::field(
                        at,
                        format!("the manifest lists {} ballots for '{}', its protocol reports {reported}", b.ballots, b.key())
                    ));
                }
                batches.push((station.0, b.ballots));
            }
            let listed: HashSet<u32> = batches.iter().map(|b| b.0).collect();
            if let Some(missing) = stations
                .keys()
                .find(|s| !listed.contains(&s.0) && reported_ballots(stations[s]) > 0)
            {
                bail!(AuditError::field(
                    &name,
                    format!(
                        "the manifest leaves out '{}'",
                        o.election.units.path(*missing)
                    )
                ));
            }
        }
        None => {
            let mut ids: Vec<&UnitId> = stations.keys().collect();
            ids.sort();
            batches = ids
                .into_iter()
                .map(|s| (s.0, reported_ballots(stations[s])))
                .filter(|b| b.1 > 0)
                .collect();
        }
    }
    let ballots: u64 = batches.iter().map(|b| b.1).sum();
    let (problem, set) = assertions_of(&o, &a.law, ballots)?;
    // Say up front when the method would amount to a full count.
    let (work, of, unit) = match method {
        Method::Batch => {
            let tallies = log_audit::station_tallies(&o.election, &o.protocols, &problem, &batches);
            let b = audit::stations::bounds(&set.assertions, ballots, &tallies);
            let n = audit::stations::sample_size(&b, 1.0, alpha);
            (n, batches.len() as u64, "stations")
        }
        Method::Comparison | Method::Polling => {
            let most = set
                .assertions
                .iter()
                .map(|x| {
                    let e = audit::plan::estimate(x, ballots, batches.len() as u64, alpha);
                    if method == Method::Comparison {
                        e.comparison_ballots
                    } else {
                        e.polling_ballots
                    }
                })
                .max()
                .unwrap_or(0);
            (most, ballots, "ballots")
        }
    };
    if audit::plan::is_full_count(work, of) {
        let work = if work == u64::MAX {
            "all".to_string()
        } else {
            format!("about {work}")
        };
        bail!(AuditError::FullCount(format!(
            "a {} audit of this allocation would need {work} of {of} {unit}: count them all instead",
            method.key()
        )));
    }
    // The records of a comparison audit: every ballot once, agreeing with the protocols.
    let cvrs = match (method, &a.cvrs) {
        (Method::Polling | Method::Batch, _) => None,
        (Method::Comparison, None) => bail!(AuditError::field(
            "cvrs",
            "a comparison audit needs the cast-vote records (--cvrs)"
        )),
        (Method::Comparison, Some(path)) => {
            let Choices {
                bytes,
                of: records,
                lines: order,
            } = read_choices(&o.election, path)?;
            let name = path.display().to_string();
            let size: HashMap<u32, u64> = batches.iter().copied().collect();
            let n_choices = o.election.contests.first().map_or(0, |c| c.choices.len());
            let mut counted: HashMap<u32, Vec<u64>> = HashMap::default();
            for &((station, pos), line) in &order {
                let Some(&n) = size.get(&station.0) else {
                    bail!(AuditError::field(
                        format!("{name}:{line}"),
                        format!(
                            "'{}' is not in the manifest",
                            o.election.units.path(station)
                        )
                    ));
                };
                if pos > n {
                    bail!(AuditError::field(
                        format!("{name}:{line}"),
                        format!(
                            "'{}' has {n} ballots: there is no ballot {pos}",
                            o.election.units.path(station)
                        )
                    ));
                }
                if let Some(c) = records[&(station, pos)] {
                    counted
                        .entry(station.0)
                        .or_insert_with(|| vec![0; n_choices])[c as usize] += 1;
                }
            }
            if records.len() as u64 != ballots {
                bail!(AuditError::field(
                    &name,
                    format!(
                        "{} records for {ballots} ballots in the manifest",
                        records.len()
                    )
                ));
            }
            for &(s, _) in &batches {
                let reported = &stations[&UnitId(s)].votes;
                let got = counted
                    .get(&s)
                    .cloned()
                    .unwrap_or_else(|| vec![0; n_choices]);
                if &got != reported {
                    bail!(AuditError::field(
                        &name,
                        format!(
                            "the records of '{}' do not add up to its protocol's votes",
                            o.election.units.path(UnitId(s))
                        )
                    ));
                }
            }
            Some(record::digest(&bytes))
        }
    };
    let mut entries = vec![encode(&Entry::Audit(AuditStep::Start {
        audit: a.target.audit.clone(),
        contest: 0,
        law: a.law.clone(),
        base: None,
        method: method.key().into(),
        risk_limit: a.risk_limit.to_string(),
        seed: a.seed.clone(),
        ballots,
        cvrs,
    }))];
    for chunk in batches.chunks(PER_ENTRY) {
        entries.push(encode(&Entry::Audit(AuditStep::Manifest {
            audit: a.target.audit.clone(),
            batches: chunk.to_vec(),
        })));
    }
    let size = o.append(&entries)?;
    println!(
        "audit '{}' started: {} assertions, {ballots} ballots in {} stations, risk limit {}%, seed '{}' (log entries {}..{})",
        a.target.audit,
        set.assertions.len(),
        batches.len(),
        a.risk_limit,
        a.seed,
        size - entries.len() as u64,
        size - 1
    );
    println!("about {work} {unit} should confirm every assertion if the reported results are right; next: tallyproof audit sample");
    Ok(ExitCode::SUCCESS)
}

pub fn sample(a: SampleArgs) -> anyhow::Result<ExitCode> {
    let mut o = open(&a.target.store.db, a.target.store.election.as_deref())?;
    let l = logged(&o, &a.target.audit)?;
    let s = started(&l, &a.target.audit)?;
    if l.escalated {
        bail!(AuditError::field(
            "audit",
            "the audit was escalated to a full hand count"
        ));
    }
    if l.waiting() {
        bail!(AuditError::field(
            "audit",
            format!(
                "round {} has not been recorded yet (tallyproof audit record)",
                l.rounds.len()
            )
        ));
    }
    let (problem, set) = assertions_of(&o, &s.law, s.ballots)?;
    let Some(method) = s.method.ballots() else {
        return batch_sample(&mut o, &l, &s, &problem, &set, &a);
    };
    let readings = log_audit::readings_of(&o.election, &l, &s.seed, &problem)?;
    let st = workflow::status(
        &set.assertions,
        method,
        s.ballots,
        l.batches.len() as u64,
        &readings,
        s.alpha,
    );
    if st.confirmed {
        bail!(AuditError::AuditOver);
    }
    let size = match a.ballots {
        Some(n) => n,
        None if st.full_count_advised => bail!(AuditError::FullCount(format!(
            "another round would bring the sample past a quarter of the {} ballots: escalate (tallyproof audit escalate) and count them all",
            s.ballots
        ))),
        None => st.next_round.unwrap_or(1),
    };
    let audited: u64 = l.rounds.iter().sum();
    if size == 0 || audited + size > s.ballots {
        bail!(AuditError::field(
            "ballots",
            format!(
                "{size} more ballots: the manifest has {} and {audited} are drawn",
                s.ballots
            )
        ));
    }
    let round = l.rounds.len() as u64 + 1;
    let mut sizes = l.rounds.clone();
    sizes.push(size);
    let drawn = workflow::draws(&log_audit::draw_batches(&l), &s.seed, &sizes)?;
    o.append(&[encode(&Entry::Audit(AuditStep::Round {
        audit: a.target.audit.clone(),
        round,
        size,
    }))])?;
    let sink: Box<dyn std::io::Write> = match &a.out {
        Some(p) => Box::new(
            std::fs::File::create(p).with_context(|| format!("cannot write {}", p.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = csv::Writer::from_writer(sink);
    w.write_record([
        "Round",
        "Draw",
        "Ticket",
        "Batch Name",
        "Position",
        "Choice",
    ])?;
    for (k, d) in drawn.iter().enumerate().skip(audited as usize) {
        let station = UnitId(l.batches[d.batch].0);
        w.write_record([
            round.to_string(),
            (k + 1).to_string(),
            d.ticket.clone(),
            o.election.units.path(station),
            d.position.to_string(),
            String::new(),
        ])?;
    }
    w.flush()?;
    eprintln!("round {round}: {size} ballots drawn and logged; fill the Choice column and run tallyproof audit record");
    Ok(ExitCode::SUCCESS)
}

pub fn record_readings(a: RecordArgs) -> anyhow::Result<ExitCode> {
    let mut o = open(&a.target.store.db, a.target.store.election.as_deref())?;
    let l = logged(&o, &a.target.audit)?;
    let s = started(&l, &a.target.audit)?;
    let round = l.rounds.len();
    if round == 0 || !l.waiting() {
        bail!(AuditError::field(
            "audit",
            "no round is waiting for its readings (tallyproof audit sample draws one)"
        ));
    }
    if s.method == Method::Batch {
        return batch_record(&mut o, &l, &s, &a);
    }
    let drawn = workflow::draws(&log_audit::draw_batches(&l), &s.seed, &l.rounds)?;
    let before: u64 = l.rounds[..round - 1].iter().sum();
    let this: HashMap<(UnitId, u64), u64> = drawn
        .iter()
        .enumerate()
        .skip(before as usize)
        .map(|(k, d)| ((UnitId(l.batches[d.batch].0), d.position), k as u64 + 1))
        .collect();
    let name = a.readings.display().to_string();
    let Choices {
        of: paper,
        lines: order,
        ..
    } = read_choices(&o.election, &a.readings)?;
    for &(key, line) in &order {
        if !this.contains_key(&key) {
            bail!(AuditError::field(
                format!("{name}:{line}"),
                format!(
                    "ballot {} of '{}' is not in round {round}'s sample",
                    key.1,
                    o.election.units.path(key.0)
                )
            ));
        }
    }
    if let Some((key, _)) = this.iter().find(|(k, _)| !paper.contains_key(k)) {
        bail!(AuditError::field(
            &name,
            format!(
                "ballot {} of '{}' was drawn in round {round} but not read",
                key.1,
                o.election.units.path(key.0)
            )
        ));
    }
    let records = match (s.method, &a.cvrs) {
        (Method::Polling | Method::Batch, _) => None,
        (Method::Comparison, None) => bail!(AuditError::field(
            "cvrs",
            "a comparison audit needs the cast-vote records (--cvrs)"
        )),
        (Method::Comparison, Some(path)) => {
            let Choices {
                bytes, of: records, ..
            } = read_choices(&o.election, path)?;
            if Some(record::digest(&bytes)) != s.cvrs {
                bail!(AuditError::field(
                    path.display().to_string(),
                    "not the cast-vote records the audit started with (SHA-256 differs)"
                ));
            }
            Some(records)
        }
    };
    let mut readings: Vec<(u64, Option<u32>, Option<u32>)> = this
        .iter()
        .map(|(key, &draw)| {
            (
                draw,
                records.as_ref().and_then(|r| r.get(key).copied().flatten()),
                paper[key],
            )
        })
        .collect();
    readings.sort_unstable();
    let entries: Vec<Vec<u8>> = readings
        .chunks(PER_ENTRY)
        .map(|c| {
            encode(&Entry::Audit(AuditStep::Readings {
                audit: a.target.audit.clone(),
                round: round as u64,
                readings: c.to_vec(),
            }))
        })
        .collect();
    o.append(&entries)?;
    println!("round {round}: {} readings logged", readings.len());
    print_status(&o, &a.target.audit, false)
}

pub fn status(a: StatusArgs) -> anyhow::Result<ExitCode> {
    let o = match (&a.log, &a.key) {
        (Some(dir), Some(key)) => open_published(dir, key)?,
        _ => open(&a.target.store.db, a.target.store.election.as_deref())?,
    };
    print_status(&o, &a.target.audit, a.json)
}

pub fn escalate(a: AuditTarget) -> anyhow::Result<ExitCode> {
    let mut o = open(&a.store.db, a.store.election.as_deref())?;
    let l = logged(&o, &a.audit)?;
    started(&l, &a.audit)?;
    if l.escalated {
        bail!(AuditError::field("audit", "already escalated"));
    }
    o.append(&[encode(&Entry::Audit(AuditStep::Escalate {
        audit: a.audit.clone(),
    }))])?;
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
        for k in voted..reported_ballots(p) {
            w.write_record([path.as_str(), &(k + 1).to_string(), ""])?;
        }
        pos = pos.max(reported_ballots(p));
        n += pos;
    }
    w.flush()?;
    println!(
        "{n} simulated cast-vote records written to {}",
        a.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// A batch audit's state: the stations' bounds, the draws of the logged rounds (station
/// indices, in draw order) and the status after the hand counts.
fn batch_sample(
    o: &mut Opened,
    l: &Logged,
    s: &Started,
    problem: &seats::Problem,
    set: &audit::assertions::SeatAssertions,
    a: &SampleArgs,
) -> anyhow::Result<ExitCode> {
    let state = log_audit::batch_state(&o.election, &o.protocols, l, s, problem, set);
    let st = &state.status;
    if st.confirmed {
        bail!(AuditError::AuditOver);
    }
    let size = match a.ballots {
        Some(n) => n,
        None if st.full_count_advised => bail!(AuditError::FullCount(
            "another round would reach a quarter of the stations: escalate (tallyproof audit escalate) and count them all".into()
        )),
        None => st.next_round.unwrap_or(1),
    };
    if size == 0 {
        bail!(AuditError::field(
            "ballots",
            "a round needs at least one draw"
        ));
    }
    let before: u64 = l.rounds.iter().sum();
    let new = audit::stations::ppeb_draws(&s.seed, &state.bounds, before, size);
    let round = l.rounds.len() as u64 + 1;
    o.append(&[encode(&Entry::Audit(AuditStep::Round {
        audit: a.target.audit.clone(),
        round,
        size,
    }))])?;
    // Each station drawn in this round once, with its draw numbers, and a column per choice
    // for the hand count.
    let mut stations: Vec<(usize, Vec<u64>)> = Vec::new();
    for (k, &i) in (before + 1..).zip(&new) {
        match stations.iter_mut().find(|x| x.0 == i) {
            Some(x) => x.1.push(k),
            None => stations.push((i, vec![k])),
        }
    }
    let choices: Vec<String> = o
        .election
        .contests
        .first()
        .map(|c| c.choices.iter().map(|x| x.name.clone()).collect())
        .unwrap_or_default();
    let sink: Box<dyn std::io::Write> = match &a.out {
        Some(p) => Box::new(
            std::fs::File::create(p).with_context(|| format!("cannot write {}", p.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = csv::Writer::from_writer(sink);
    let mut header = vec![
        "Round".to_string(),
        "Draws".to_string(),
        "Batch Name".to_string(),
    ];
    header.extend(choices.iter().cloned());
    header.push("Ballots".into());
    w.write_record(&header)?;
    for (i, ks) in &stations {
        let mut row = vec![
            round.to_string(),
            ks.iter().map(u64::to_string).collect::<Vec<_>>().join(" "),
            o.election.units.path(UnitId(l.batches[*i].0)),
        ];
        row.extend(std::iter::repeat_n(String::new(), choices.len() + 1));
        w.write_record(&row)?;
    }
    w.flush()?;
    eprintln!("round {round}: {size} draws ({} stations) logged; count those stations by hand and run tallyproof audit record", stations.len());
    Ok(ExitCode::SUCCESS)
}

fn batch_record(
    o: &mut Opened,
    l: &Logged,
    s: &Started,
    a: &RecordArgs,
) -> anyhow::Result<ExitCode> {
    let round = l.rounds.len();
    let name = a.readings.display().to_string();
    let bytes = std::fs::read(&a.readings).with_context(|| format!("cannot read {name}"))?;
    let choices: Vec<String> = o
        .election
        .contests
        .first()
        .map(|c| c.choices.iter().map(|x| x.name.clone()).collect())
        .unwrap_or_default();
    let rows = formats::cvr::parse_tallies(&name, &bytes, &choices)?;
    let (problem, set) = assertions_of(o, &s.law, s.ballots)?;
    let draws = log_audit::batch_state(&o.election, &o.protocols, l, s, &problem, &set).draws;
    let before: u64 = l.rounds[..round - 1].iter().sum();
    let this: HashSet<u32> = draws[before as usize..]
        .iter()
        .map(|&i| l.batches[i].0)
        .collect();
    let mut counts = Vec::with_capacity(rows.len());
    let mut seen = HashSet::new();
    for r in &rows {
        let at = format!("{name}:{}", r.line);
        let station =
            resolve(&o.election, &r.batch).map_err(|x| AuditError::field(&at, x.to_string()))?;
        if !this.contains(&station.0) {
            bail!(AuditError::field(
                at,
                format!("'{}' was not drawn in round {round}", r.batch)
            ));
        }
        let ballots = r.ballots.unwrap_or_else(|| r.votes.iter().sum());
        seen.insert(station.0);
        counts.push((station.0, r.votes.clone(), ballots));
    }
    if let Some(missing) = this.iter().find(|s| !seen.contains(s)) {
        bail!(AuditError::field(
            &name,
            format!(
                "'{}' was drawn in round {round} but not counted",
                o.election.units.path(UnitId(*missing))
            )
        ));
    }
    counts.sort_unstable_by_key(|c| c.0);
    let entries: Vec<Vec<u8>> = counts
        .chunks(PER_ENTRY)
        .map(|c| {
            encode(&Entry::Audit(AuditStep::Counts {
                audit: a.target.audit.clone(),
                round: round as u64,
                counts: c.to_vec(),
            }))
        })
        .collect();
    o.append(&entries)?;
    println!(
        "round {round}: the hand counts of {} stations logged",
        counts.len()
    );
    print_status(o, &a.target.audit, false)
}

fn logged(o: &Opened, audit: &str) -> anyhow::Result<Logged> {
    Ok(log_audit::logged(&o.entries()?, audit)?)
}

fn started(l: &Logged, audit: &str) -> anyhow::Result<Started> {
    Ok(log_audit::started(l, audit)?)
}

fn assertions_of(
    o: &Opened,
    law: &str,
    ballots: u64,
) -> anyhow::Result<(seats::Problem, audit::assertions::SeatAssertions)> {
    Ok(log_audit::assertions_of(
        &o.election,
        &o.protocols,
        law,
        ballots,
    )?)
}

/// Prints where the audit stands, recomputed from the log (`audit::logged::report`).
fn print_status(o: &Opened, audit: &str, json: bool) -> anyhow::Result<ExitCode> {
    let r = log_audit::report(&o.election, &o.protocols, &o.entries()?, audit)?;
    let batch = r.method == "batch";
    let p = r.assertions.first().map_or(1.0, |x| x.p_value);
    if json {
        let mut v = serde_json::to_value(&r)?;
        if batch {
            v["stations_counted"] = serde_json::json!(r.audited);
            v["p_value"] = serde_json::json!(p);
        }
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    if batch {
        println!(
            "batch audit, risk limit {}%, seed '{}': {} of {} stations counted in {} round(s); {}: p = {p:.6}",
            r.risk_limit_percent,
            r.seed,
            r.audited,
            r.stations,
            r.rounds.len(),
            r.assertions.first().map_or("", |x| x.label.as_str())
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
        println!(
            "{open} of {} assertions open; the highest risks:",
            risks.len()
        );
        for x in risks.iter().take(8) {
            println!(
                "  {:>10.6}  {}  {}",
                x.p_value,
                if x.confirmed {
                    "confirmed"
                } else {
                    "open     "
                },
                x.label
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
    Ok(ExitCode::SUCCESS)
}

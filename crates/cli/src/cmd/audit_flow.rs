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
use audit::workflow::{self, Method, Reading};
use audit::AuditError;
use model::{Election, Protocol, UnitId, UnitLevel};
use record::{encode, AuditStep, Entry};
use sha2::{Digest, Sha256};
use store::{SqliteStore, Store};

use super::results::resolve;
use super::{election_name, DEFAULT_DB};

/// Batches and readings per log entry (as units: entries stay well under 64 KiB).
const PER_ENTRY: usize = 400;

#[derive(Debug, clap::Args)]
pub struct Target {
    /// The store file
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// The stored election (may be omitted when the store holds one)
    #[arg(long)]
    pub election: Option<String>,
    /// The audit's name
    #[arg(long)]
    pub audit: String,
}

#[derive(Debug, clap::Args)]
pub struct StartArgs {
    #[command(flatten)]
    pub target: Target,
    /// The law preset whose allocation is audited: kg2010, kg2015, kg2020, kg2021
    #[arg(long)]
    pub law: String,
    /// The risk limit, in percent (above 0, at most 50)
    #[arg(long)]
    pub risk_limit: f64,
    /// comparison (paper against cast-vote records) or polling (paper alone)
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
    pub target: Target,
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
    pub target: Target,
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
    pub target: Target,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct CvrsArgs {
    /// The store file
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// The stored election (may be omitted when the store holds one)
    #[arg(long)]
    pub election: Option<String>,
    /// Write here
    #[arg(long)]
    pub out: PathBuf,
}

/// A store, the election and its latest protocols.
struct Opened {
    store: SqliteStore,
    name: String,
    election: Election,
    protocols: Vec<Protocol>,
}

fn open(db: &std::path::Path, election: Option<&str>) -> anyhow::Result<Opened> {
    let store = SqliteStore::open(db)?;
    let name = election_name(&store, election)?;
    let loaded = store.load(&name)?;
    Ok(Opened {
        store,
        name,
        election: loaded.election,
        protocols: loaded.protocols,
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

/// A logged reading: draw number, the record's choice, the paper's choice.
type LoggedReading = (u64, Option<u32>, Option<u32>);

/// An audit's logged steps.
#[derive(Default)]
struct Logged {
    start: Option<AuditStep>,
    batches: Vec<(u32, u64)>,
    rounds: Vec<u64>,
    readings: Vec<Vec<LoggedReading>>,
    escalated: bool,
}

fn logged(o: &Opened, audit: &str) -> anyhow::Result<Logged> {
    let mut out = Logged::default();
    for (i, bytes) in o.store.log(&o.name)?.iter().enumerate() {
        let Entry::Audit(step) = record::decode(i as u64, bytes)? else {
            continue;
        };
        let name = match &step {
            AuditStep::Start { audit, .. }
            | AuditStep::Manifest { audit, .. }
            | AuditStep::Round { audit, .. }
            | AuditStep::Readings { audit, .. }
            | AuditStep::Escalate { audit } => audit.clone(),
        };
        if name != audit {
            continue;
        }
        match step {
            s @ AuditStep::Start { .. } => out.start = Some(s),
            AuditStep::Manifest { batches, .. } => out.batches.extend(batches),
            AuditStep::Round { size, .. } => {
                out.rounds.push(size);
                out.readings.push(Vec::new());
            }
            AuditStep::Readings {
                round, readings, ..
            } => {
                if let Some(r) = out.readings.get_mut(round as usize - 1) {
                    r.extend(readings);
                }
            }
            AuditStep::Escalate { .. } => out.escalated = true,
        }
    }
    Ok(out)
}

/// The audit's parameters, and its assertions.
struct Started {
    law: String,
    method: Method,
    alpha: f64,
    risk_limit: String,
    seed: String,
    ballots: u64,
    cvrs: Option<String>,
}

fn started(l: &Logged, audit: &str) -> anyhow::Result<Started> {
    let Some(AuditStep::Start {
        law,
        method,
        risk_limit,
        seed,
        ballots,
        cvrs,
        ..
    }) = &l.start
    else {
        bail!("no audit named '{audit}' in the log; start one with `tallyproof audit start`");
    };
    let pct: f64 = risk_limit
        .parse()
        .with_context(|| format!("the logged risk limit '{risk_limit}'"))?;
    Ok(Started {
        law: law.clone(),
        method: Method::parse(method)?,
        alpha: audit::alpha_from_percent(pct)?,
        risk_limit: risk_limit.clone(),
        seed: seed.clone(),
        ballots: *ballots,
        cvrs: cvrs.clone(),
    })
}

fn assertions_of(
    o: &Opened,
    law: &str,
    ballots: u64,
) -> anyhow::Result<(seats::Problem, audit::assertions::SeatAssertions)> {
    let built = super::seats::problem_from_election(
        &o.election,
        &o.protocols,
        &seats::preset::law(law)?,
        None,
    )?;
    let outcome = seats::allocate(&built.problem)?;
    let set = audit::assertions::seat_assertions(&built.problem, &outcome, ballots)?;
    Ok((built.problem, set))
}

/// The manifest's batches keyed for drawing (`station id`), in manifest order.
fn draw_batches(l: &Logged) -> Vec<(String, u64)> {
    l.batches.iter().map(|&(s, n)| (s.to_string(), n)).collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
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
    let mut o = open(&a.target.db, a.target.election.as_deref())?;
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
    let (_, set) = assertions_of(&o, &a.law, ballots)?;
    // Say up front when the method would amount to a full count.
    let work = set
        .assertions
        .iter()
        .map(|x| {
            let e = audit::plan::estimate(x, ballots, batches.len() as u64, alpha);
            match method {
                Method::Comparison => e.comparison_ballots,
                Method::Polling => e.polling_ballots,
            }
        })
        .max()
        .unwrap_or(0);
    if audit::plan::is_full_count(work, ballots) {
        bail!(AuditError::FullCount(format!(
            "a {} audit of this allocation would need about {work} of {ballots} ballots: count them all instead",
            method.key()
        )));
    }
    // The records of a comparison audit: every ballot once, agreeing with the protocols.
    let cvrs = match (method, &a.cvrs) {
        (Method::Polling, _) => None,
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
            Some(sha256_hex(&bytes))
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
    let size = o.store.append_log(&o.name, &entries)?;
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
    println!("about {work} ballots should confirm every assertion if the records are right; next: tallyproof audit sample");
    Ok(ExitCode::SUCCESS)
}

/// The readings so far, in party terms, for the status.
fn readings_of(o: &Opened, l: &Logged, problem: &seats::Problem) -> anyhow::Result<Vec<Reading>> {
    let drawn = workflow::draws(&draw_batches(l), &started_seed(l), &l.rounds)?;
    let contest = o
        .election
        .contests
        .first()
        .context("the election has no contest")?;
    let party = |c: Option<u32>| -> Option<usize> {
        let name = &contest.choices.get(c? as usize)?.name;
        problem.parties.iter().position(|p| p == name)
    };
    let region = |station: u32| -> Option<usize> {
        let r = o
            .election
            .units
            .ancestor_at(UnitId(station), UnitLevel::Region)?;
        let name = o.election.units.get(r).name;
        problem.regions.iter().position(|x| x.name == name)
    };
    let mut out = Vec::new();
    for r in l.readings.iter().flatten() {
        let d = drawn
            .get(r.0 as usize - 1)
            .context("a logged reading is beyond the drawn ballots")?;
        let station = l.batches[d.batch].0;
        out.push(Reading {
            record: party(r.1),
            paper: party(r.2),
            region: region(station),
        });
    }
    Ok(out)
}

fn started_seed(l: &Logged) -> String {
    match &l.start {
        Some(AuditStep::Start { seed, .. }) => seed.clone(),
        _ => String::new(),
    }
}

pub fn sample(a: SampleArgs) -> anyhow::Result<ExitCode> {
    let mut o = open(&a.target.db, a.target.election.as_deref())?;
    let l = logged(&o, &a.target.audit)?;
    let s = started(&l, &a.target.audit)?;
    if l.escalated {
        bail!(AuditError::field(
            "audit",
            "the audit was escalated to a full hand count"
        ));
    }
    if l.readings.last().is_some_and(Vec::is_empty) {
        bail!(AuditError::field(
            "audit",
            format!(
                "round {} has not been recorded yet (tallyproof audit record)",
                l.rounds.len()
            )
        ));
    }
    let (problem, set) = assertions_of(&o, &s.law, s.ballots)?;
    let readings = readings_of(&o, &l, &problem)?;
    let st = workflow::status(
        &set.assertions,
        s.method,
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
    let drawn = workflow::draws(&draw_batches(&l), &s.seed, &sizes)?;
    o.store.append_log(
        &o.name,
        &[encode(&Entry::Audit(AuditStep::Round {
            audit: a.target.audit.clone(),
            round,
            size,
        }))],
    )?;
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
    let mut o = open(&a.target.db, a.target.election.as_deref())?;
    let l = logged(&o, &a.target.audit)?;
    let s = started(&l, &a.target.audit)?;
    let round = l.rounds.len();
    if round == 0 || !l.readings[round - 1].is_empty() {
        bail!(AuditError::field(
            "audit",
            "no round is waiting for its readings (tallyproof audit sample draws one)"
        ));
    }
    let drawn = workflow::draws(&draw_batches(&l), &s.seed, &l.rounds)?;
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
        (Method::Polling, _) => None,
        (Method::Comparison, None) => bail!(AuditError::field(
            "cvrs",
            "a comparison audit needs the cast-vote records (--cvrs)"
        )),
        (Method::Comparison, Some(path)) => {
            let Choices {
                bytes, of: records, ..
            } = read_choices(&o.election, path)?;
            if Some(sha256_hex(&bytes)) != s.cvrs {
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
    o.store.append_log(&o.name, &entries)?;
    println!("round {round}: {} readings logged", readings.len());
    let l = logged(&o, &a.target.audit)?;
    print_status(&o, &l, &s, false)
}

pub fn status(a: StatusArgs) -> anyhow::Result<ExitCode> {
    let o = open(&a.target.db, a.target.election.as_deref())?;
    let l = logged(&o, &a.target.audit)?;
    let s = started(&l, &a.target.audit)?;
    print_status(&o, &l, &s, a.json)
}

fn print_status(o: &Opened, l: &Logged, s: &Started, json: bool) -> anyhow::Result<ExitCode> {
    let (problem, set) = assertions_of(o, &s.law, s.ballots)?;
    let readings = readings_of(o, l, &problem)?;
    let st = workflow::status(
        &set.assertions,
        s.method,
        s.ballots,
        l.batches.len() as u64,
        &readings,
        s.alpha,
    );
    let discrepancies = readings
        .iter()
        .filter(|r| s.method == Method::Comparison && r.record != r.paper)
        .count();
    let verdict = if st.confirmed {
        "confirmed: the paper ballots confirm the seat allocation at the risk limit"
    } else if l.escalated {
        "escalated: a full hand count decides"
    } else if st.full_count_advised {
        "not confirmed: another round would reach a quarter of the ballots; escalate to a full hand count"
    } else {
        "not confirmed yet: draw another round"
    };
    if json {
        let v = serde_json::json!({
            "method": s.method.key(),
            "risk_limit_percent": s.risk_limit,
            "seed": s.seed,
            "ballots": s.ballots,
            "rounds": l.rounds,
            "audited": st.audited,
            "discrepancies": discrepancies,
            "confirmed": st.confirmed,
            "escalated": l.escalated,
            "next_round": st.next_round,
            "full_count_advised": st.full_count_advised,
            "verdict": verdict,
            "assertions": st.risks,
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} audit, risk limit {}%, seed '{}': {} of {} ballots read in {} round(s), {discrepancies} discrepancies",
        s.method.key(),
        s.risk_limit,
        s.seed,
        st.audited,
        s.ballots,
        l.rounds.len()
    );
    let mut risks = st.risks.clone();
    risks.sort_by(|x, y| y.p_value.total_cmp(&x.p_value));
    let open = risks.iter().filter(|r| !r.confirmed).count();
    println!(
        "{open} of {} assertions open; the highest risks:",
        risks.len()
    );
    for r in risks.iter().take(8) {
        println!(
            "  {:>10.6}  {}  {}",
            r.p_value,
            if r.confirmed {
                "confirmed"
            } else {
                "open     "
            },
            r.label
        );
    }
    println!("{verdict}");
    if let (false, false, Some(n)) = (st.confirmed, l.escalated, st.next_round) {
        println!("suggested next round: {n} ballots");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn escalate(a: Target) -> anyhow::Result<ExitCode> {
    let mut o = open(&a.db, a.election.as_deref())?;
    let l = logged(&o, &a.audit)?;
    started(&l, &a.audit)?;
    if l.escalated {
        bail!(AuditError::field("audit", "already escalated"));
    }
    o.store.append_log(
        &o.name,
        &[encode(&Entry::Audit(AuditStep::Escalate {
            audit: a.audit.clone(),
        }))],
    )?;
    println!("audit '{}' escalated: a full hand count decides", a.audit);
    Ok(ExitCode::SUCCESS)
}

/// Writes cast-vote records that agree with every station's protocol (its votes in ballot
/// order, then its ballots with no valid vote): the records of a simulated audit.
pub fn cvrs(a: CvrsArgs) -> anyhow::Result<ExitCode> {
    let o = open(&a.db, a.election.as_deref())?;
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

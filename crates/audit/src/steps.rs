//! The steps of an audit as the auditor takes them (`rla.md`, "The workflow"): start, draw a
//! round, record what the audit boards read, escalate. Each step takes the election, its
//! latest protocols, the election's log so far and what the auditor supplies (already parsed:
//! the edges read the files), checks it, and answers the `audit` entries to append
//! (`docs/log-format.md`, "Audits"). The command line (`tallyproof audit ...`) and the
//! results service both take their steps here, so an audit started with one can be continued
//! with the other.

use std::collections::{HashMap, HashSet};

use model::{Election, Protocol, UnitId};
use record::{encode, AuditStep, Entry};

use crate::assertions::SeatAssertions;
use crate::logged::{self, Logged, Started};
use crate::workflow::{self, Method};
use crate::AuditError;

/// Batches and readings per log entry (as units: entries stay well under 64 KiB).
const PER_ENTRY: usize = 400;

/// A manifest's batch as read from its file: `station` is its path (`Region / ... /
/// Station`), `at` where it was read (`file:line`).
#[derive(Debug, Clone)]
pub struct ManifestRow {
    /// The station's path.
    pub station: String,
    /// Its paper ballots.
    pub ballots: u64,
    /// Where it was read.
    pub at: String,
}

/// One ballot of a choices file (cast-vote records, or what the audit boards read).
#[derive(Debug, Clone)]
pub struct BallotRow {
    /// The station's path.
    pub station: String,
    /// The ballot's position in its station, from 1.
    pub position: u64,
    /// The choice's name on the ballot, none for a ballot with no valid vote.
    pub choice: Option<String>,
    /// Where it was read.
    pub at: String,
}

/// A station's hand count as read from its file.
#[derive(Debug, Clone)]
pub struct CountRow {
    /// The station's path.
    pub station: String,
    /// Votes per choice, in the contest's order.
    pub votes: Vec<u64>,
    /// Paper ballots counted, if the file says.
    pub ballots: Option<u64>,
    /// Where it was read.
    pub at: String,
}

/// A file of ballots: its name (for errors), its SHA-256 (hex) and its rows.
#[derive(Debug, Clone)]
pub struct BallotFile {
    /// The file's name.
    pub name: String,
    /// The hex SHA-256 of its bytes.
    pub sha256: String,
    /// Its ballots.
    pub rows: Vec<BallotRow>,
}

/// What starting an audit needs.
#[derive(Debug, Clone)]
pub struct StartRequest {
    /// The audit's name, unique in the log.
    pub audit: String,
    /// The law preset whose allocation is audited.
    pub law: String,
    /// The risk limit in percent.
    pub risk_limit: f64,
    /// The method.
    pub method: Method,
    /// The public seed.
    pub seed: String,
    /// The ballot manifest (file name, rows); none: each station's reported ballots.
    pub manifest: Option<(String, Vec<ManifestRow>)>,
    /// The cast-vote records, for a comparison audit.
    pub cvrs: Option<BallotFile>,
}

/// A started audit: the entries to append and what the auditor is told.
#[derive(Debug, Clone)]
pub struct Begun {
    /// The `start` and `manifest` entries.
    pub entries: Vec<Vec<u8>>,
    /// The allocation's assertions.
    pub assertions: usize,
    /// Ballots in the manifest.
    pub ballots: u64,
    /// Stations in the manifest.
    pub stations: usize,
    /// About how many ballots (or stations, for a batch audit) confirm every assertion if
    /// the reported results are right.
    pub work: u64,
    /// `ballots` or `stations`.
    pub unit: &'static str,
}

/// A ballot drawn: its draw number, ticket, station and position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BallotDraw {
    /// The draw number, from 1 over the whole audit.
    pub draw: u64,
    /// The consistent sampler's ticket.
    pub ticket: String,
    /// The station.
    pub station: UnitId,
    /// The ballot's position in its station.
    pub position: u64,
}

/// A station drawn in a batch audit round, once, with every draw that picked it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationDraw {
    /// The draw numbers, from 1 over the whole audit.
    pub draws: Vec<u64>,
    /// The station.
    pub station: UnitId,
}

/// What a round drew: the retrieval list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drawn {
    /// Ballots (comparison and polling audits).
    Ballots(Vec<BallotDraw>),
    /// Stations to count by hand (batch audits).
    Stations(Vec<StationDraw>),
}

/// A round drawn: its `round` entry and its retrieval list.
#[derive(Debug, Clone)]
pub struct Round {
    /// The `round` entry.
    pub entries: Vec<Vec<u8>>,
    /// The round's number, from 1.
    pub round: u64,
    /// Draws in the round.
    pub size: u64,
    /// The retrieval list.
    pub drawn: Drawn,
}

/// What the audit boards read in a round.
#[derive(Debug, Clone)]
pub enum Readings {
    /// The drawn ballots' choices (comparison and polling); a comparison audit also needs the
    /// cast-vote records it started with.
    Ballots {
        /// The filled retrieval list.
        paper: BallotFile,
        /// The cast-vote records.
        cvrs: Option<BallotFile>,
    },
    /// The drawn stations' hand counts (batch).
    Counts {
        /// The file's name.
        name: String,
        /// Its rows.
        rows: Vec<CountRow>,
    },
}

/// A round recorded: the entries to append.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The `readings` or `counts` entries.
    pub entries: Vec<Vec<u8>>,
    /// The round.
    pub round: u64,
    /// Ballots read, or stations counted.
    pub read: usize,
    /// Where the audit stands once these entries are logged.
    pub report: logged::Report,
}

/// A station's paper ballots as its protocol reports them: ballots found, else valid plus
/// invalid, else the votes.
pub fn reported_ballots(p: &Protocol) -> u64 {
    p.found()
        .or_else(|| Some(p.line(model::Line::Valid)? + p.line(model::Line::Invalid)?))
        .unwrap_or_else(|| p.choice_sum())
}

/// The ballots the protocols report in the audited contest (the first), added up: the
/// most cast-vote records an audit of them can take.
pub fn reported_total(protocols: &[Protocol]) -> u64 {
    protocols
        .iter()
        .filter(|p| p.contest == 0)
        .map(reported_ballots)
        .fold(0, u64::saturating_add)
}

/// The first contest's latest protocols by station.
fn by_station(protocols: &[Protocol]) -> HashMap<UnitId, &Protocol> {
    protocols
        .iter()
        .filter(|p| p.contest == 0)
        .map(|p| (p.station, p))
        .collect()
}

fn station_at(e: &Election, path: &str, at: &str) -> Result<UnitId, AuditError> {
    e.units
        .resolve(path)
        .map_err(|x| AuditError::field(at, x.to_string()))
}

/// A ballot: its station and position.
type BallotKey = (UnitId, u64);

/// A choices file's ballots by (station, position), each with where it was read, in file
/// order; unknown stations and choices are refused with their line.
pub(crate) fn ballots_of(
    e: &Election,
    file: &BallotFile,
) -> Result<Vec<(BallotKey, Option<u32>, String)>, AuditError> {
    let choices = e.contests.first().map_or(&[][..], |c| c.choices.as_slice());
    let names: Vec<&str> = choices.iter().map(|c| c.name.as_str()).collect();
    // Typed names: NFKC, case, quotes and look-alikes folded; one that matches two is refused.
    let index = model::names::NameIndex::new(&names, "choice of the contest");
    let mut found: HashMap<&str, u32> = HashMap::new();
    let mut stations: HashMap<&str, UnitId> = HashMap::new();
    let mut out = Vec::with_capacity(file.rows.len());
    for r in &file.rows {
        let station = match stations.get(r.station.as_str()) {
            Some(&s) => s,
            None => {
                let s = station_at(e, &r.station, &r.at)?;
                stations.insert(&r.station, s);
                s
            }
        };
        let choice = match &r.choice {
            None => None,
            Some(c) => Some(match found.get(c.as_str()) {
                Some(&i) => i,
                None => {
                    let i = index.find(c).map_err(|e| {
                        AuditError::field(format!("{} (Choice)", r.at), e.to_string())
                    })? as u32;
                    found.insert(c, i);
                    i
                }
            }),
        };
        out.push(((station, r.position), choice, r.at.clone()));
    }
    Ok(out)
}

/// The audit named `audit` as the log has it, with its parameters.
/// An audit whose results changed since it began is refused: it takes no further step.
pub(crate) fn opened(log: &[Vec<u8>], audit: &str) -> Result<(Logged, Started), AuditError> {
    let l = logged::logged(logged::indexed(log), audit)?;
    let s = logged::started(&l, audit)?;
    logged::unchanged(&l, audit)?;
    Ok((l, s))
}

/// Starts an audit: checks the manifest against the reported ballots station by station and
/// the records against the protocols, refuses an audit that would amount to a full count,
/// and answers the `start` and `manifest` entries.
pub fn start(
    e: &Election,
    protocols: &[Protocol],
    log: &[Vec<u8>],
    r: &StartRequest,
) -> Result<Begun, AuditError> {
    let alpha = crate::alpha_from_percent(r.risk_limit)?;
    if r.audit.trim().is_empty() {
        return Err(AuditError::field("audit", "an audit needs a name"));
    }
    // The name is shown on pages and in paths: it must be fit to show, as an election's is.
    if let Some(fault) = model::names::name_fault(&r.audit) {
        return Err(AuditError::field(
            "audit",
            format!("the audit's name {fault}"),
        ));
    }
    if logged::logged(logged::indexed(log), &r.audit)?
        .start
        .is_some()
    {
        return Err(AuditError::field(
            "audit",
            format!("an audit named '{}' is already in the log", r.audit),
        ));
    }
    let stations = by_station(protocols);
    let batches = manifest(e, &stations, r.manifest.as_ref())?;
    let ballots: u64 = batches.iter().map(|b| b.1).sum();
    let (problem, set) = logged::assertions_of(e, protocols, &r.law, ballots)?;
    let allocation = crate::methods::Allocation {
        election: e,
        protocols,
        problem: &problem,
        set: &set,
        batches: &batches,
    };
    let all = crate::methods::works(&allocation, alpha);
    let Some(w) = all.iter().find(|w| w.method == r.method) else {
        return Err(AuditError::field("method", "no such method"));
    };
    if w.full_count {
        return Err(AuditError::FullCount(refusal(w, &all)));
    }
    let (work, unit) = match r.method {
        Method::Batch => (w.sample, "stations"),
        Method::Comparison | Method::Polling => (w.sample, "ballots"),
    };
    let cvrs = match (r.method, &r.cvrs) {
        (Method::Polling | Method::Batch, _) => None,
        (Method::Comparison, None) => {
            return Err(AuditError::field(
                "cvrs",
                "a comparison audit needs the cast-vote records",
            ))
        }
        (Method::Comparison, Some(file)) => {
            check_records(e, &stations, &batches, file)?;
            Some(file.sha256.clone())
        }
    };
    let mut entries = vec![encode(&Entry::Audit(AuditStep::Start {
        audit: r.audit.clone(),
        contest: 0,
        law: r.law.clone(),
        base: None,
        method: r.method,
        risk_limit: r.risk_limit.to_string(),
        seed: r.seed.clone(),
        ballots,
        cvrs,
    }))];
    for chunk in batches.chunks(PER_ENTRY) {
        entries.push(encode(&Entry::Audit(AuditStep::Manifest {
            audit: r.audit.clone(),
            batches: chunk.to_vec(),
        })));
    }
    Ok(Begun {
        entries,
        assertions: set.assertions.len(),
        ballots,
        stations: batches.len(),
        work,
        unit,
    })
}

/// The manifest's batches `(station, ballots)`: the file's, each checked against its
/// station's protocol and none left out; or each station's reported ballots.
fn manifest(
    e: &Election,
    stations: &HashMap<UnitId, &Protocol>,
    file: Option<&(String, Vec<ManifestRow>)>,
) -> Result<Vec<(u32, u64)>, AuditError> {
    let Some((name, rows)) = file else {
        return reported_manifest_of(stations);
    };
    let mut batches = Vec::with_capacity(rows.len());
    for b in rows {
        let station = station_at(e, &b.station, &b.at)?;
        let Some(p) = stations.get(&station) else {
            return Err(AuditError::field(
                &b.at,
                format!("'{}' has no protocol", b.station),
            ));
        };
        let reported = reported_ballots(p);
        if reported != b.ballots {
            return Err(AuditError::field(
                &b.at,
                format!(
                    "the manifest lists {} ballots for '{}', its protocol reports {reported}",
                    b.ballots, b.station
                ),
            ));
        }
        batches.push((station.0, b.ballots));
    }
    // Every use adds the manifest's ballots up: they must fit.
    crate::error::total(batches.iter().map(|b| b.1), name, "the manifest's ballots")?;
    let listed: HashSet<u32> = batches.iter().map(|b| b.0).collect();
    let mut missing: Vec<&UnitId> = stations
        .iter()
        .filter(|(s, p)| !listed.contains(&s.0) && reported_ballots(p) > 0)
        .map(|(s, _)| s)
        .collect();
    missing.sort();
    if let Some(s) = missing.first() {
        return Err(AuditError::field(
            name,
            format!("the manifest leaves out '{}'", e.units.path(**s)),
        ));
    }
    Ok(batches)
}

/// The manifest's batches `(station, ballots)` as an audit of these protocols takes them:
/// the file's, each checked against its station's protocol and none left out; or each
/// station's reported ballots.
pub(crate) fn manifest_of(
    e: &Election,
    protocols: &[Protocol],
    file: Option<&(String, Vec<ManifestRow>)>,
) -> Result<Vec<(u32, u64)>, AuditError> {
    manifest(e, &by_station(protocols), file)
}

fn reported_manifest_of(
    stations: &HashMap<UnitId, &Protocol>,
) -> Result<Vec<(u32, u64)>, AuditError> {
    let mut ids: Vec<&UnitId> = stations.keys().collect();
    ids.sort();
    let batches: Vec<(u32, u64)> = ids
        .into_iter()
        .map(|s| (s.0, reported_ballots(stations[s])))
        .filter(|b| b.1 > 0)
        .collect();
    crate::error::total(
        batches.iter().map(|b| b.1),
        "manifest",
        "the ballots the protocols report",
    )?;
    Ok(batches)
}

/// Why a method amounts to a full count, and what is possible instead: the hardest
/// assertion with its margin in ballots, the methods that would not be a full count.
fn refusal(w: &crate::methods::Work, all: &[crate::methods::Work]) -> String {
    let unit = if w.method == Method::Batch {
        "stations"
    } else {
        "ballots"
    };
    let need = if w.sample >= w.of {
        "all".to_string()
    } else {
        format!("about {}", w.sample)
    };
    let mut out = format!(
        "a {} audit of this allocation would need {need} of {} {unit}",
        w.method.key(),
        w.of
    );
    if let Some(h) = &w.hardest {
        out += &format!(" ({}: a margin of {} ballot(s))", h.claim, h.margin_ballots);
    }
    let instead: Vec<String> = all
        .iter()
        .filter(|o| o.method != w.method)
        .filter(|o| !o.full_count)
        .map(|o| match o.method {
            Method::Batch => format!("a batch audit of about {} stations", o.sample),
            Method::Comparison => format!(
                "a comparison audit of about {} ballots, with cast-vote records",
                o.sample
            ),
            Method::Polling => format!("a polling audit of about {} ballots", o.sample),
        })
        .collect();
    if instead.is_empty() {
        out + ": count them all instead, or choose a larger risk limit"
    } else {
        format!("{out}; possible instead: {}", instead.join("; "))
    }
}

/// The cast-vote records of a comparison audit: every ballot of the manifest once, and each
/// station's records adding up to its protocol's votes.
fn check_records(
    e: &Election,
    stations: &HashMap<UnitId, &Protocol>,
    batches: &[(u32, u64)],
    file: &BallotFile,
) -> Result<(), AuditError> {
    let rows = ballots_of(e, file)?;
    let size: HashMap<u32, u64> = batches.iter().copied().collect();
    let n_choices = e.contests.first().map_or(0, |c| c.choices.len());
    let mut counted: HashMap<u32, Vec<u64>> = HashMap::new();
    let mut seen: HashSet<(UnitId, u64)> = HashSet::with_capacity(rows.len());
    for ((station, pos), choice, at) in &rows {
        let Some(&n) = size.get(&station.0) else {
            return Err(AuditError::field(
                at,
                format!("'{}' is not in the manifest", e.units.path(*station)),
            ));
        };
        if *pos == 0 || *pos > n {
            return Err(AuditError::field(
                at,
                format!(
                    "'{}' has {n} ballots: there is no ballot {pos}",
                    e.units.path(*station)
                ),
            ));
        }
        if !seen.insert((*station, *pos)) {
            return Err(AuditError::field(
                at,
                format!("ballot {pos} of '{}' appears twice", e.units.path(*station)),
            ));
        }
        if let Some(c) = choice {
            counted
                .entry(station.0)
                .or_insert_with(|| vec![0; n_choices])[*c as usize] += 1;
        }
    }
    let ballots: u64 = batches.iter().map(|b| b.1).sum();
    if seen.len() as u64 != ballots {
        return Err(AuditError::field(
            &file.name,
            format!(
                "{} records for {ballots} ballots in the manifest",
                seen.len()
            ),
        ));
    }
    for &(s, _) in batches {
        let reported = &stations[&UnitId(s)].votes;
        let got = counted
            .get(&s)
            .cloned()
            .unwrap_or_else(|| vec![0; n_choices]);
        if &got != reported {
            return Err(AuditError::field(
                &file.name,
                format!(
                    "the records of '{}' do not add up to its protocol's votes",
                    e.units.path(UnitId(s))
                ),
            ));
        }
    }
    Ok(())
}

/// Draws the next round: `size` draws, or the estimate for the hardest open assertion.
/// Refused while a round waits for its readings, once the audit is over or escalated, and
/// (without a size) when another round would amount to a full count.
pub fn sample(
    e: &Election,
    protocols: &[Protocol],
    log: &[Vec<u8>],
    audit: &str,
    size: Option<u64>,
) -> Result<Round, AuditError> {
    let (l, s) = opened(log, audit)?;
    if l.escalated {
        return Err(AuditError::field(
            "audit",
            "the audit was escalated to a full hand count",
        ));
    }
    if l.waiting() {
        return Err(AuditError::field(
            "audit",
            format!(
                "round {} has not been recorded yet: record its readings first",
                l.rounds.len()
            ),
        ));
    }
    let allocation = logged::assertions_of(e, protocols, &s.law, s.ballots)?;
    let (problem, set) = (&allocation.0, &allocation.1);
    let st = match crate::workflow::ballot_method(s.method) {
        Some(method) => {
            let readings = logged::readings_of(e, &l, &s.seed, problem)?;
            workflow::status(
                &set.assertions,
                method,
                s.ballots,
                l.batches.len() as u64,
                &readings,
                s.alpha,
            )
        }
        None => logged::batch_state(e, protocols, &l, &s, problem, set).status,
    };
    if st.confirmed {
        return Err(AuditError::AuditOver);
    }
    let of = if s.method == Method::Batch {
        "stations"
    } else {
        "ballots"
    };
    let size = match size {
        Some(n) => n,
        None if st.full_count_advised => {
            return Err(AuditError::FullCount(format!(
                "another round would bring the sample past a quarter of the {of}: escalate and count them all"
            )))
        }
        None => st.next_round.unwrap_or(1),
    };
    let audited: u64 = l.rounds.iter().sum();
    if size == 0 {
        return Err(AuditError::field(
            "ballots",
            "a round needs at least one draw",
        ));
    }
    if s.method != Method::Batch && audited + size > s.ballots {
        return Err(AuditError::field(
            "ballots",
            format!(
                "{size} more ballots: the manifest has {} and {audited} are drawn",
                s.ballots
            ),
        ));
    }
    let round = l.rounds.len() as u64 + 1;
    let entries = vec![encode(&Entry::Audit(AuditStep::Round {
        audit: audit.to_string(),
        round,
        size,
    }))];
    let mut next = l.clone();
    next.rounds.push(size);
    next.readings.push(Vec::new());
    next.counts.push(Vec::new());
    let drawn = drawn_in(e, protocols, &next, &s, round, Some(&allocation))?;
    Ok(Round {
        entries,
        round,
        size,
        drawn,
    })
}

/// The retrieval list of round `round` (from 1) already in the log: anyone can redraw it
/// from the seed.
pub fn retrieval(
    e: &Election,
    protocols: &[Protocol],
    log: &[Vec<u8>],
    audit: &str,
    round: u64,
) -> Result<Drawn, AuditError> {
    Ok(retrieval_in(e, protocols, logged::indexed(log), audit, round)?.drawn)
}

/// A logged round's retrieval list with the audit's parameters, as a printed list shows it.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The audit as started: its method and seed.
    pub started: Started,
    /// What the round drew.
    pub drawn: Drawn,
}

/// [`retrieval`] from the log's entries with their indices (the entries other than audits',
/// protocols and decisions may be left out), with the audit's parameters.
pub fn retrieval_in<'a>(
    e: &Election,
    protocols: &[Protocol],
    entries: impl IntoIterator<Item = (u64, &'a [u8])>,
    audit: &str,
    round: u64,
) -> Result<Listed, AuditError> {
    let l = logged::logged(entries, audit)?;
    let s = logged::started(&l, audit)?;
    logged::unchanged(&l, audit)?;
    if round == 0 || round as usize > l.rounds.len() {
        return Err(AuditError::field(
            "round",
            format!(
                "the audit has {} round(s); no round {round}",
                l.rounds.len()
            ),
        ));
    }
    let drawn = drawn_in(e, protocols, &l, &s, round, None)?;
    Ok(Listed { started: s, drawn })
}

/// What round `round` of a logged audit drew. A batch audit draws by the stations' error
/// bounds, from the allocation's assertions: `known` if the caller has them already.
fn drawn_in(
    e: &Election,
    protocols: &[Protocol],
    l: &Logged,
    s: &Started,
    round: u64,
    known: Option<&(seats::Problem, SeatAssertions)>,
) -> Result<Drawn, AuditError> {
    let k = round as usize;
    let before: u64 = l.rounds[..k - 1].iter().sum();
    if s.method != Method::Batch {
        let drawn = workflow::draws(&logged::draw_batches(l), &s.seed, &l.rounds[..k])?;
        return Ok(Drawn::Ballots(ballot_draws(l, &drawn, round)));
    }
    let computed;
    let (problem, set) = match known {
        Some(k) => (&k.0, &k.1),
        None => {
            computed = logged::assertions_of(e, protocols, &s.law, s.ballots)?;
            (&computed.0, &computed.1)
        }
    };
    let tallies = logged::station_tallies(e, protocols, problem, &l.batches);
    let bounds = crate::stations::bounds(&set.assertions, s.ballots, &tallies);
    let draws = crate::stations::ppeb_draws(&s.seed, &bounds, before, l.rounds[k - 1]);
    let mut stations: Vec<StationDraw> = Vec::new();
    for (n, &i) in (before + 1..).zip(&draws) {
        let station = UnitId(l.batches[i].0);
        match stations.iter_mut().find(|x| x.station == station) {
            Some(x) => x.draws.push(n),
            None => stations.push(StationDraw {
                draws: vec![n],
                station,
            }),
        }
    }
    Ok(Drawn::Stations(stations))
}

/// The ballots a filled retrieval list names, to pick from a file of cast-vote records in
/// one pass ([`Wanted::wants`]) instead of holding all of them. [`record`] refuses a list
/// that names other ballots than the round drew, so the records of exactly the drawn
/// ballots are read, without drawing them again.
pub struct Wanted<'a> {
    e: &'a Election,
    /// Asked for once per row of a national file: a fast hasher (the keys are the list's).
    ballots: HashSet<BallotKey, foldhash::fast::FixedState>,
    /// Each batch name met, resolved once.
    resolved: HashMap<String, Option<UnitId>>,
    /// The batch of the row before: a records file lists a batch's ballots together.
    last: Option<(String, Option<UnitId>)>,
}

impl Wanted<'_> {
    /// Whether the ballot at `position` of the batch named `station` (a path) is on the
    /// list. A name that names no station is on no list (`start` refused such records).
    pub fn wants(&mut self, station: &str, position: u64) -> bool {
        let id = match &self.last {
            Some((name, id)) if name == station => *id,
            _ => {
                let id = match self.resolved.get(station) {
                    Some(&id) => id,
                    None => {
                        let id = self.e.units.resolve(station).ok();
                        self.resolved.insert(station.to_string(), id);
                        id
                    }
                };
                self.last = Some((station.to_string(), id));
                id
            }
        };
        id.is_some_and(|id| self.ballots.contains(&(id, position)))
    }
}

/// The ballots that the filled retrieval list `paper` names (a station it does not name is
/// refused with its line, as [`record`] refuses it).
pub fn wanted<'a>(e: &'a Election, paper: &BallotFile) -> Result<Wanted<'a>, AuditError> {
    let mut stations: HashMap<&str, UnitId> = HashMap::new();
    let mut ballots =
        HashSet::with_capacity_and_hasher(paper.rows.len(), foldhash::fast::FixedState::default());
    for r in &paper.rows {
        let station = match stations.get(r.station.as_str()) {
            Some(&s) => s,
            None => {
                let s = station_at(e, &r.station, &r.at)?;
                stations.insert(&r.station, s);
                s
            }
        };
        ballots.insert((station, r.position));
    }
    Ok(Wanted {
        e,
        ballots,
        resolved: HashMap::new(),
        last: None,
    })
}

/// The ballots of round `round` (from 1) among the audit's draws `all` (at least up to its
/// end).
fn ballot_draws(l: &Logged, all: &[crate::draw::Drawn], round: u64) -> Vec<BallotDraw> {
    let k = round as usize;
    let before: u64 = l.rounds[..k - 1].iter().sum();
    let end: u64 = l.rounds[..k].iter().sum();
    all.iter()
        .enumerate()
        .take(end as usize)
        .skip(before as usize)
        .map(|(i, d)| BallotDraw {
            draw: i as u64 + 1,
            ticket: d.ticket.clone(),
            station: UnitId(l.batches[d.batch].0),
            position: d.position,
        })
        .collect()
}

/// Records the latest round's readings (or hand counts): every drawn ballot (station) once,
/// nothing else; a comparison audit's records must be the ones it started with.
pub fn record(
    e: &Election,
    protocols: &[Protocol],
    log: &[Vec<u8>],
    audit: &str,
    readings: &Readings,
) -> Result<Recorded, AuditError> {
    let (l, s) = opened(log, audit)?;
    let round = l.rounds.len() as u64;
    if round == 0 || !l.waiting() {
        return Err(AuditError::field(
            "audit",
            "no round is waiting for its readings: draw one first",
        ));
    }
    if !l.boards[round as usize - 1].is_empty() {
        return Err(AuditError::field(
            "audit",
            format!(
                "round {round} has audit boards: its readings come from their members' sign-offs"
            ),
        ));
    }
    // A ballot audit's draws are made once, for the list and for the report after.
    let all = match s.method {
        Method::Batch => None,
        Method::Comparison | Method::Polling => Some(workflow::draws(
            &logged::draw_batches(&l),
            &s.seed,
            &l.rounds,
        )?),
    };
    let drawn = match &all {
        Some(all) => Drawn::Ballots(ballot_draws(&l, all, round)),
        None => drawn_in(e, protocols, &l, &s, round, None)?,
    };
    let mut after = l.clone();
    let k = round as usize - 1;
    let entries: Vec<Vec<u8>> = match (drawn, readings) {
        (Drawn::Ballots(drawn), Readings::Ballots { paper, cvrs }) => {
            let readings = ballot_readings(e, &s, round, &drawn, paper, cvrs.as_ref())?;
            after.readings[k] = readings.clone();
            readings
                .chunks(PER_ENTRY)
                .map(|c| {
                    encode(&Entry::Audit(AuditStep::Readings {
                        audit: audit.to_string(),
                        round,
                        readings: c.to_vec(),
                    }))
                })
                .collect()
        }
        (Drawn::Stations(drawn), Readings::Counts { name, rows }) => {
            let counts = station_counts(e, round, &drawn, name, rows)?;
            after.counts[k] = counts.clone();
            counts
                .chunks(PER_ENTRY)
                .map(|c| {
                    encode(&Entry::Audit(AuditStep::Counts {
                        audit: audit.to_string(),
                        round,
                        counts: c.to_vec(),
                    }))
                })
                .collect()
        }
        (Drawn::Ballots(_), Readings::Counts { .. }) => {
            return Err(AuditError::field(
                "readings",
                format!(
                    "a {} audit records ballots read (Batch Name, Position, Choice), not hand counts",
                    s.method.key()
                ),
            ))
        }
        (Drawn::Stations(_), Readings::Ballots { .. }) => {
            return Err(AuditError::field(
                "readings",
                "a batch audit records the stations' hand counts (Batch Name, a column per choice, Ballots)",
            ))
        }
    };
    let read = match readings {
        Readings::Ballots { paper, .. } => paper.rows.len(),
        Readings::Counts { rows, .. } => rows.len(),
    };
    let report = logged::report_of(e, protocols, &after, audit, all.as_deref())?;
    Ok(Recorded {
        entries,
        round,
        read,
        report,
    })
}

/// The readings of a ballot-level round: (draw, record's choice, paper's choice), by draw.
fn ballot_readings(
    e: &Election,
    s: &Started,
    round: u64,
    drawn: &[BallotDraw],
    paper: &BallotFile,
    cvrs: Option<&BallotFile>,
) -> Result<Vec<logged::LoggedReading>, AuditError> {
    let this: HashMap<(UnitId, u64), u64> = drawn
        .iter()
        .map(|d| ((d.station, d.position), d.draw))
        .collect();
    let mut read: HashMap<(UnitId, u64), Option<u32>> = HashMap::with_capacity(drawn.len());
    for (key, choice, at) in ballots_of(e, paper)? {
        if !this.contains_key(&key) {
            return Err(AuditError::field(
                at,
                format!(
                    "ballot {} of '{}' is not in round {round}'s sample",
                    key.1,
                    e.units.path(key.0)
                ),
            ));
        }
        read.insert(key, choice);
    }
    if let Some(d) = drawn
        .iter()
        .find(|d| !read.contains_key(&(d.station, d.position)))
    {
        return Err(AuditError::field(
            &paper.name,
            format!(
                "ballot {} of '{}' was drawn in round {round} but not read",
                d.position,
                e.units.path(d.station)
            ),
        ));
    }
    let records: Option<HashMap<(UnitId, u64), Option<u32>>> = match (s.method, cvrs) {
        (Method::Polling | Method::Batch, _) => None,
        (Method::Comparison, None) => {
            return Err(AuditError::field(
                "cvrs",
                "a comparison audit needs the cast-vote records it started with",
            ))
        }
        (Method::Comparison, Some(file)) => {
            if Some(&file.sha256) != s.cvrs.as_ref() {
                return Err(AuditError::field(
                    &file.name,
                    "not the cast-vote records the audit started with (SHA-256 differs)",
                ));
            }
            Some(
                ballots_of(e, file)?
                    .into_iter()
                    .filter(|(k, _, _)| this.contains_key(k))
                    .map(|(k, c, _)| (k, c))
                    .collect(),
            )
        }
    };
    let mut out: Vec<logged::LoggedReading> = drawn
        .iter()
        .map(|d| {
            let key = (d.station, d.position);
            let record = records
                .as_ref()
                .and_then(|r| r.get(&key).copied().flatten());
            (d.draw, record, read[&key])
        })
        .collect();
    out.sort_unstable();
    Ok(out)
}

/// The hand counts of a batch round: (station, votes, ballots), by station.
fn station_counts(
    e: &Election,
    round: u64,
    drawn: &[StationDraw],
    name: &str,
    rows: &[CountRow],
) -> Result<Vec<(u32, Vec<u64>, u64)>, AuditError> {
    let this: HashSet<UnitId> = drawn.iter().map(|d| d.station).collect();
    let mut seen = HashSet::new();
    let mut counts = Vec::with_capacity(rows.len());
    for r in rows {
        let station = station_at(e, &r.station, &r.at)?;
        if !this.contains(&station) {
            return Err(AuditError::field(
                &r.at,
                format!("'{}' was not drawn in round {round}", r.station),
            ));
        }
        if !seen.insert(station) {
            return Err(AuditError::field(
                &r.at,
                format!("'{}' is counted twice", r.station),
            ));
        }
        let ballots = match r.ballots {
            Some(n) => n,
            None => crate::error::total(r.votes.iter().copied(), &r.at, "the votes")?,
        };
        counts.push((station.0, r.votes.clone(), ballots));
    }
    if let Some(d) = drawn.iter().find(|d| !seen.contains(&d.station)) {
        return Err(AuditError::field(
            name,
            format!(
                "'{}' was drawn in round {round} but not counted",
                e.units.path(d.station)
            ),
        ));
    }
    counts.sort_unstable_by_key(|c| c.0);
    Ok(counts)
}

/// Why a station is counted by hand beside the random sample.
#[derive(Debug, Clone, PartialEq)]
pub enum Why {
    /// Its forensic flags' score (`forensics::flags`), as `tallyproof forensics flags` gives it.
    Flag(f64),
    /// An upheld complaint about it or a unit above it: the complaint's entry index.
    Complaint(u64),
}

/// Which stations to target.
#[derive(Debug, Clone, Copy)]
pub enum Choose<'a> {
    /// Every station whose forensic flags score at least `above` (`scores` from
    /// `forensics::flags::scores`), but those targeted already.
    Flagged {
        /// Each station's score.
        scores: &'a [(UnitId, f64)],
        /// The lowest score targeted.
        above: f64,
    },
    /// The stations of an upheld complaint: `stations` (under its unit), or its own station.
    Complaint {
        /// The complaint's entry index.
        complaint: u64,
        /// Stations under the complaint's unit; none: the complaint's unit, a station.
        stations: &'a [UnitId],
    },
}

/// The targets `choose` names in the audit's log: each station with its reason.
pub fn chosen(
    e: &Election,
    log: &[Vec<u8>],
    audit: &str,
    choose: Choose<'_>,
) -> Result<Vec<(UnitId, Why)>, AuditError> {
    let out: Vec<(UnitId, Why)> = match choose {
        Choose::Flagged { scores, above } => {
            let (l, _) = opened(log, audit)?;
            let done: HashSet<u32> = l.targets.iter().map(|t| t.1).collect();
            scores
                .iter()
                .filter(|&&(s, score)| score >= above && !done.contains(&s.0))
                .map(|&(s, score)| (s, Why::Flag(score)))
                .collect()
        }
        Choose::Complaint {
            complaint,
            stations: [],
        } => {
            let register = record::Register::of_log(e, logged::indexed(log))
                .map_err(|x| AuditError::Log(x.to_string()))?;
            let unit = register.unit(complaint).ok_or_else(|| {
                AuditError::field(
                    "complaint",
                    format!("entry {complaint} is not a complaint of this log"),
                )
            })?;
            vec![(unit, Why::Complaint(complaint))]
        }
        Choose::Complaint {
            complaint,
            stations,
        } => stations
            .iter()
            .map(|&s| (s, Why::Complaint(complaint)))
            .collect(),
    };
    if out.is_empty() {
        return Err(AuditError::field(
            "flagged_above",
            "no station not targeted yet scores at least that (tallyproof forensics flags lists the scores)",
        ));
    }
    Ok(out)
}

/// The `target` entries that add `targets` (station, reason) to the audit's latest round as a
/// targeted sample: counted by hand and reported apart, never in the risk. Refused before a
/// round is drawn, for a station that is not one, has no protocol or is targeted already, and
/// for a complaint that is not upheld or not about the station (the replay's rule,
/// `record::check_target`).
pub fn target(
    e: &Election,
    protocols: &[Protocol],
    log: &[Vec<u8>],
    audit: &str,
    targets: &[(UnitId, Why)],
) -> Result<Targeted, AuditError> {
    let (l, s) = opened(log, audit)?;
    let round = l.rounds.len() as u64;
    if round == 0 {
        return Err(AuditError::field(
            "audit",
            "targeted stations are added to a drawn round: draw the first round first",
        ));
    }
    if targets.is_empty() {
        return Err(AuditError::field("stations", "no station to target"));
    }
    // A batch audit's stations drawn at random are counted in full there already (and that
    // count is in the risk): a targeted count of them would count them twice.
    let sampled = sampled_stations(e, protocols, &l, &s)?;
    let (in_sample, targets): (Vec<_>, Vec<_>) =
        targets.iter().partition(|(st, _)| sampled.contains(st));
    let in_sample: Vec<UnitId> = in_sample.into_iter().map(|t| t.0).collect();
    if targets.is_empty() {
        let paths: Vec<String> = in_sample.iter().map(|&u| e.units.path(u)).collect();
        return Err(AuditError::field(
            "stations",
            format!(
                "every station named is in the audit's random sample already, its hand count there: {}",
                paths.join(", ")
            ),
        ));
    }
    let reported = by_station(protocols);
    let register = record::Register::of_log(e, logged::indexed(log))
        .map_err(|x| AuditError::Log(x.to_string()))?;
    let mut done: HashSet<u32> = l.targets.iter().map(|t| t.1).collect();
    let mut out = Vec::with_capacity(targets.len());
    for (station, why) in targets {
        let path = || {
            if station.index() < e.units.len() {
                e.units.path(*station)
            } else {
                station.0.to_string()
            }
        };
        if station.index() >= e.units.len()
            || e.units.get(*station).level != model::UnitLevel::Station
        {
            return Err(AuditError::field(
                "stations",
                format!("'{}' is not a station", path()),
            ));
        }
        if !reported.contains_key(station) {
            return Err(AuditError::field(
                "stations",
                format!("'{}' has no protocol to compare a hand count with", path()),
            ));
        }
        if !done.insert(station.0) {
            return Err(AuditError::field(
                "stations",
                format!("'{}' is targeted already in audit '{audit}'", path()),
            ));
        }
        let (flag, complaint) = match why {
            // (-0.0 is written as 0.00.)
            Why::Flag(score) if score.is_finite() && *score >= 0.0 => {
                (Some(format!("{:.2}", score.abs())), None)
            }
            Why::Flag(score) => {
                return Err(AuditError::field("flag", format!("{score} is not a score")))
            }
            Why::Complaint(c) => (None, Some(*c)),
        };
        record::check_target(e, &register, *station, flag.as_deref(), complaint)
            .map_err(|m| AuditError::field("complaint", format!("'{}': {m}", path())))?;
        out.push((station.0, flag, complaint));
    }
    let entries = out
        .chunks(PER_ENTRY)
        .map(|c| {
            encode(&Entry::Audit(AuditStep::Target {
                audit: audit.to_string(),
                round,
                targets: c.to_vec(),
            }))
        })
        .collect();
    Ok(Targeted {
        entries,
        targets: out,
        in_sample,
    })
}

/// The stations a batch audit's rounds drew at random so far (none for a ballot-level
/// audit, whose sample is single ballots).
fn sampled_stations(
    e: &Election,
    protocols: &[Protocol],
    l: &Logged,
    s: &logged::Started,
) -> Result<HashSet<UnitId>, AuditError> {
    if s.method != Method::Batch {
        return Ok(HashSet::new());
    }
    let (problem, set) = logged::assertions_of(e, protocols, &s.law, s.ballots)?;
    let state = logged::batch_state(e, protocols, l, s, &problem, &set);
    Ok(state
        .draws
        .iter()
        .filter_map(|&i| l.batches.get(i).map(|b| UnitId(b.0)))
        .collect())
}

/// Targets logged: the `target` entries, and each target as they write it (station id, the
/// flag's score as logged, the complaint), for the edges to show.
#[derive(Debug, Clone)]
pub struct Targeted {
    /// The entries to append.
    pub entries: Vec<Vec<u8>>,
    /// The targets.
    pub targets: Vec<(u32, Option<String>, Option<u64>)>,
    /// Stations named but left out: a batch audit drew them at random (counted there).
    pub in_sample: Vec<UnitId>,
}

/// The `targeted-counts` entries of targeted stations' hand counts (as a batch audit's: a
/// column per choice, optionally `Ballots`): each a station targeted and not counted yet,
/// each once. They enter no risk computation.
pub fn record_targeted(
    e: &Election,
    protocols: &[Protocol],
    log: &[Vec<u8>],
    audit: &str,
    name: &str,
    rows: &[CountRow],
) -> Result<Recorded, AuditError> {
    let (l, _) = opened(log, audit)?;
    let round = l.rounds.len() as u64;
    let targeted: HashSet<u32> = l.targets.iter().map(|t| t.1).collect();
    let mut counted: HashSet<u32> = l.targeted_counts.iter().map(|c| c.0).collect();
    let choices = e.contests.first().map_or(0, |c| c.choices.len());
    let mut counts = Vec::with_capacity(rows.len());
    for r in rows {
        let station = station_at(e, &r.station, &r.at)?;
        if !targeted.contains(&station.0) {
            return Err(AuditError::field(
                &r.at,
                format!("'{}' is not targeted in audit '{audit}'", r.station),
            ));
        }
        if !counted.insert(station.0) {
            return Err(AuditError::field(
                &r.at,
                format!("'{}' is counted already", r.station),
            ));
        }
        if r.votes.len() != choices {
            return Err(AuditError::field(
                &r.at,
                format!("{} counts for {choices} choice(s)", r.votes.len()),
            ));
        }
        // The votes must add up within 64 bits (the replay refuses them otherwise).
        let sum = crate::error::total(r.votes.iter().copied(), &r.at, "the votes")?;
        counts.push((station.0, r.votes.clone(), r.ballots.unwrap_or(sum)));
    }
    if counts.is_empty() {
        return Err(AuditError::field(name, "no targeted station's count"));
    }
    let entries: Vec<Vec<u8>> = counts
        .chunks(PER_ENTRY)
        .map(|c| {
            encode(&Entry::Audit(AuditStep::TargetedCounts {
                audit: audit.to_string(),
                round,
                counts: c.to_vec(),
            }))
        })
        .collect();
    let mut after = l;
    after.targeted_counts.extend(counts.iter().cloned());
    Ok(Recorded {
        entries,
        round,
        read: counts.len(),
        report: logged::report_of(e, protocols, &after, audit, None)?,
    })
}

/// Escalates an audit to a full hand count: its `escalate` entry.
pub fn escalate(log: &[Vec<u8>], audit: &str) -> Result<Vec<u8>, AuditError> {
    let (l, _) = opened(log, audit)?;
    if l.escalated {
        return Err(AuditError::field("audit", "already escalated"));
    }
    Ok(encode(&Entry::Audit(AuditStep::Escalate {
        audit: audit.to_string(),
    })))
}

/// The ballots drawn in the order a warehouse pulls them: station by station in the tree's
/// order (region, district, station, as imported), each station's by position.
pub fn pull_order(ds: &[BallotDraw]) -> Vec<(UnitId, Vec<&BallotDraw>)> {
    let mut sorted: Vec<&BallotDraw> = ds.iter().collect();
    sorted.sort_by_key(|d| (d.station, d.position));
    let mut out: Vec<(UnitId, Vec<&BallotDraw>)> = Vec::new();
    for d in sorted {
        match out.last_mut() {
            Some((s, list)) if *s == d.station => list.push(d),
            _ => out.push((d.station, vec![d])),
        }
    }
    out
}

/// The stations drawn, in the tree's order.
pub fn stations_in_order(ds: &[StationDraw]) -> Vec<&StationDraw> {
    let mut sorted: Vec<&StationDraw> = ds.iter().collect();
    sorted.sort_by_key(|d| d.station);
    sorted
}

impl Drawn {
    /// The retrieval list as a table, header first, in the order a warehouse pulls it:
    /// station by station in the tree's order (region, district, station, as imported), and
    /// within a station by position. For ballots `Round, Draw, Ticket, Batch Name, Position,
    /// Choice`; for stations `Round, Draws, Batch Name`, a column per choice and `Ballots`.
    /// The empty columns are for the audit boards to fill; the filled table is what
    /// [`record`] reads back (in any order).
    pub fn table(&self, e: &Election, round: u64) -> Vec<Vec<String>> {
        let strings = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        match self {
            Drawn::Ballots(ds) => {
                let ds = pull_order(ds).into_iter().flat_map(|(_, ds)| ds);
                let mut out = vec![strings(&[
                    "Round",
                    "Draw",
                    "Ticket",
                    "Batch Name",
                    "Position",
                    "Choice",
                ])];
                out.extend(ds.map(|d| {
                    vec![
                        round.to_string(),
                        d.draw.to_string(),
                        d.ticket.clone(),
                        e.units.path(d.station),
                        d.position.to_string(),
                        String::new(),
                    ]
                }));
                out
            }
            Drawn::Stations(ds) => {
                let choices: Vec<String> = e
                    .contests
                    .first()
                    .map(|c| c.choices.iter().map(|x| x.name.clone()).collect())
                    .unwrap_or_default();
                let mut header = strings(&["Round", "Draws", "Batch Name"]);
                header.extend(choices.iter().cloned());
                header.push("Ballots".into());
                let mut out = vec![header];
                out.extend(stations_in_order(ds).iter().map(|d| {
                    let mut row = vec![
                        round.to_string(),
                        d.draws
                            .iter()
                            .map(u64::to_string)
                            .collect::<Vec<_>>()
                            .join(" "),
                        e.units.path(d.station),
                    ];
                    row.extend(std::iter::repeat_n(String::new(), choices.len() + 1));
                    row
                }));
                out
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::{Choice, ChoiceKind, Contest, ContestKind, UnitLevel};

    /// Issue 18, item 2: the retrieval list is in the order a warehouse pulls it, station by
    /// station and by position, whatever order the tickets drew it in; the draw numbers
    /// stay with their ballots.
    #[test]
    fn the_retrieval_list_is_in_warehouse_order() {
        let mut e = Election::new("e");
        let root = e.units.root();
        let r = e.units.insert(root, UnitLevel::Region, "R").unwrap();
        let a = e.units.insert(r, UnitLevel::Station, "1").unwrap();
        let b = e.units.insert(r, UnitLevel::Station, "2").unwrap();
        let draw = |draw, station, position| BallotDraw {
            draw,
            ticket: format!("0.{draw}"),
            station,
            position,
        };
        let drawn = Drawn::Ballots(vec![
            draw(1, b, 7),
            draw(2, a, 30),
            draw(3, b, 2),
            draw(4, a, 4),
        ]);
        let rows: Vec<(String, String, String)> = drawn
            .table(&e, 1)
            .into_iter()
            .skip(1)
            .map(|r| (r[1].clone(), r[3].clone(), r[4].clone()))
            .collect();
        let want = [
            ("4", "R / 1", "4"),
            ("2", "R / 1", "30"),
            ("3", "R / 2", "2"),
            ("1", "R / 2", "7"),
        ];
        let want: Vec<(String, String, String)> = want
            .iter()
            .map(|(d, s, p)| (d.to_string(), s.to_string(), p.to_string()))
            .collect();
        assert_eq!(rows, want);
    }

    /// Issue 13, finding 7: a typed party name is matched once, folded (NFKC, case, quotes,
    /// look-alikes); one that matches two parties is refused, never guessed.
    #[test]
    fn typed_choice_names_are_folded_and_an_ambiguous_one_refused() {
        let mut e = Election::new("e");
        let parties = ["БИРИМДИК", "Ата-Журт", "Party A", "Раrtу А"];
        e.contests.push(Contest::new(
            "list",
            ContestKind::PartyList,
            parties
                .iter()
                .map(|p| Choice::new(p, ChoiceKind::Party))
                .collect(),
        ));
        let root = e.units.root();
        e.units.insert(root, UnitLevel::Station, "1").unwrap();
        let file = |choices: &[&str]| BallotFile {
            name: "readings.csv".into(),
            sha256: String::new(),
            rows: choices
                .iter()
                .enumerate()
                .map(|(i, c)| BallotRow {
                    station: "1".into(),
                    position: i as u64 + 1,
                    choice: Some(c.to_string()),
                    at: format!("readings.csv line {}", i + 2),
                })
                .collect(),
        };
        let got: Vec<Option<u32>> = ballots_of(&e, &file(&["«БИРИМДИК»", "биримдик", " ата-журт"]))
            .unwrap()
            .into_iter()
            .map(|b| b.1)
            .collect();
        assert_eq!(got, [Some(0), Some(0), Some(1)]);
        let two = ballots_of(&e, &file(&["party a"])).unwrap_err().to_string();
        assert!(
            two.contains("line 2") && two.contains("'Party A' and 'Раrtу А'"),
            "{two}"
        );
        let none = ballots_of(&e, &file(&["Бирим"])).unwrap_err().to_string();
        assert!(none.contains("matches no choice of the contest"), "{none}");
    }
}

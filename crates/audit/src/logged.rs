//! An audit as the election's log records it (`docs/log-format.md`, "Audits"): its steps
//! gathered from the log's `audit` entries, and its state recomputed from them and the
//! election alone: the assertions of the seat allocation, the ballots or stations drawn from
//! the seed, and each assertion's risk. The command line's `tallyproof audit status` and the
//! results service's audit page both show this, so an observer holding the log gets the same
//! answer as the commission.

use std::collections::{HashMap, HashSet};

use model::{Election, Protocol, UnitId, UnitLevel};
use record::{AuditStep, Entry};
use serde::Serialize;

use crate::assertions::SeatAssertions;
use crate::stations::{Bounds, StationTally};
use crate::workflow::{self, Method, Reading, Status};
use crate::AuditError;

/// A logged reading: draw number, the record's choice, the paper's choice.
pub type LoggedReading = (u64, Option<u32>, Option<u32>);

/// An audit's logged steps.
#[derive(Debug, Default, Clone)]
pub struct Logged {
    /// The start entry.
    pub start: Option<AuditStep>,
    /// The manifest: (station, ballots).
    pub batches: Vec<(u32, u64)>,
    /// Each round's size.
    pub rounds: Vec<u64>,
    /// Each round's readings.
    pub readings: Vec<Vec<LoggedReading>>,
    /// A batch audit's hand counts per round: (station, votes per choice, ballots).
    pub counts: Vec<Vec<(u32, Vec<u64>, u64)>>,
    /// Whether the audit was escalated to a full hand count.
    pub escalated: bool,
    /// Stations targeted beside the random sample: (round, station, flag score, complaint).
    /// Never in any risk computation.
    pub targets: Vec<(u64, u32, Option<String>, Option<u64>)>,
    /// Targeted stations' hand counts: (station, votes per choice, ballots).
    pub targeted_counts: Vec<(u32, Vec<u64>, u64)>,
    /// Each round's audit boards: their members' commitments (none: the round has no
    /// boards, its readings come from the auditor).
    pub boards: Vec<Vec<(String, String)>>,
    /// Each round's boards that signed off (numbers from 1), in the order they did.
    pub signed: Vec<Vec<u64>>,
    /// The index of each round's `boards` entry (0: none yet).
    pub formed_at: Vec<u64>,
    /// Draws that a board did not find: the worst case for every assertion.
    pub not_found: HashSet<u64>,
    /// The start entry's index.
    pub began: u64,
    /// The first entry after the start that changed the results the audit checks
    /// (`record::changes_audited_results`): the audit has no step after it, and its risk is
    /// no longer computed (the results it checked are not the results any more).
    pub changed: Option<u64>,
}

impl Logged {
    /// Whether the latest round still waits for its readings or counts: with boards, until
    /// every board signed off.
    pub fn waiting(&self) -> bool {
        let k = self.rounds.len();
        if k == 0 {
            return false;
        }
        match self.boards[k - 1].len() {
            0 => self.readings[k - 1].is_empty() && self.counts[k - 1].is_empty(),
            n => self.signed[k - 1].len() < n,
        }
    }
}

fn log_error(e: impl std::fmt::Display) -> AuditError {
    AuditError::Log(e.to_string())
}

/// A whole log's entries, each with its index, as [`names`], [`logged`] and [`report`] read
/// them (they also read the audits' entries with the entries that may change results
/// after an audit began, protocols and decisions, as the results service keeps them).
pub fn indexed(log: &[Vec<u8>]) -> impl Iterator<Item = (u64, &[u8])> + Clone {
    log.iter()
        .enumerate()
        .map(|(i, b)| (i as u64, b.as_slice()))
}

/// The audits started in a log, in order, from its entries with their indices (the entries
/// other than audits' may be left out).
pub fn names<'a>(
    entries: impl IntoIterator<Item = (u64, &'a [u8])>,
) -> Result<Vec<String>, AuditError> {
    let mut out = Vec::new();
    for (i, bytes) in entries {
        if !bytes.starts_with(b"\x01{\"type\":\"audit\"") {
            continue;
        }
        if let Entry::Audit(AuditStep::Start { audit, .. }) =
            record::decode(i, bytes).map_err(log_error)?
        {
            out.push(audit);
        }
    }
    Ok(out)
}

/// The steps of the audit `audit` in a log's entries with their indices (the entries other
/// than audits', protocols and decisions may be left out), and the first entry after its
/// start that changed the results it checks.
pub fn logged<'a>(
    entries: impl IntoIterator<Item = (u64, &'a [u8])>,
    audit: &str,
) -> Result<Logged, AuditError> {
    let mut out = Logged::default();
    for (i, bytes) in entries {
        if !bytes.starts_with(b"\x01{\"type\":\"audit\"") {
            if let (Some(AuditStep::Start { law, contest, .. }), None) = (&out.start, out.changed) {
                if record::may_change_results(bytes)
                    && record::changes_audited_results(
                        &record::decode(i, bytes).map_err(log_error)?,
                        law,
                        *contest,
                    )
                {
                    out.changed = Some(i);
                }
            }
            continue;
        }
        let Entry::Audit(step) = record::decode(i, bytes).map_err(log_error)? else {
            continue;
        };
        if step.audit() != audit {
            continue;
        }
        match step {
            s @ AuditStep::Start { .. } => {
                out.start = Some(s);
                out.began = i;
            }
            AuditStep::Manifest { batches, .. } => out.batches.extend(batches),
            AuditStep::Round { size, .. } => {
                out.rounds.push(size);
                out.readings.push(Vec::new());
                out.counts.push(Vec::new());
                out.boards.push(Vec::new());
                out.signed.push(Vec::new());
                out.formed_at.push(0);
            }
            AuditStep::Boards { round, boards, .. } => {
                let k = (round as usize).wrapping_sub(1);
                if let (Some(b), Some(at)) = (out.boards.get_mut(k), out.formed_at.get_mut(k)) {
                    *b = boards;
                    *at = i;
                }
            }
            AuditStep::BoardReadings {
                round,
                board,
                readings,
                ..
            } => {
                let k = (round as usize).wrapping_sub(1);
                if let (Some(r), Some(s)) = (out.readings.get_mut(k), out.signed.get_mut(k)) {
                    s.push(board);
                    for x in readings {
                        if !x.found {
                            out.not_found.insert(x.draw);
                        }
                        r.push((x.draw, x.record, x.paper));
                    }
                }
            }
            AuditStep::BoardCounts {
                round,
                board,
                counts,
                ..
            } => {
                let k = (round as usize).wrapping_sub(1);
                if let (Some(c), Some(s)) = (out.counts.get_mut(k), out.signed.get_mut(k)) {
                    s.push(board);
                    c.extend(counts);
                }
            }
            AuditStep::Counts { round, counts, .. } => {
                if let Some(c) = out.counts.get_mut((round as usize).wrapping_sub(1)) {
                    c.extend(counts);
                }
            }
            AuditStep::Readings {
                round, readings, ..
            } => {
                if let Some(r) = out.readings.get_mut((round as usize).wrapping_sub(1)) {
                    r.extend(readings);
                }
            }
            AuditStep::Escalate { .. } => out.escalated = true,
            // Targeted stations are kept apart from the readings and counts the risk is
            // computed from.
            AuditStep::Target { round, targets, .. } => out.targets.extend(
                targets
                    .into_iter()
                    .map(|(station, flag, complaint)| (round, station, flag, complaint)),
            ),
            AuditStep::TargetedCounts { counts, .. } => out.targeted_counts.extend(counts),
        }
    }
    in_draw_order(&mut out);
    Ok(out)
}

/// Puts each round's readings in draw order, the order the sequential test must see them in.
/// A round whose boards have not all signed off yields only its draws read from the first
/// on, up to the first not read yet: never a board's share out of the sample's order (the
/// boards that finish first could otherwise confirm the audit alone); its hand counts (a
/// batch audit's) count once every board signed off.
fn in_draw_order(l: &mut Logged) {
    let mut first = 1u64;
    for k in 0..l.rounds.len() {
        let readings = &mut l.readings[k];
        readings.sort_unstable_by_key(|r| r.0);
        if !l.boards[k].is_empty() && l.signed[k].len() < l.boards[k].len() {
            let read = readings
                .iter()
                .zip(first..)
                .take_while(|(r, draw)| r.0 == *draw)
                .count();
            readings.truncate(read);
            l.counts[k].clear();
        }
        first = first.saturating_add(l.rounds[k]);
    }
}

/// Refuses a step of an audit whose results changed since it began.
pub fn unchanged(l: &Logged, audit: &str) -> Result<(), AuditError> {
    match l.changed {
        Some(changed) => Err(AuditError::Superseded(record::superseded(
            audit, l.began, changed,
        ))),
        None => Ok(()),
    }
}

/// The audit's parameters, as started.
#[derive(Debug, Clone)]
pub struct Started {
    /// The law preset whose allocation is audited.
    pub law: String,
    /// The method.
    pub method: Method,
    /// The risk limit as a fraction.
    pub alpha: f64,
    /// The risk limit in percent, as logged.
    pub risk_limit: String,
    /// The seed.
    pub seed: String,
    /// Ballots cast in the contest.
    pub ballots: u64,
    /// The records' SHA-256 (comparison audits).
    pub cvrs: Option<String>,
}

/// The audit's parameters.
pub fn started(l: &Logged, audit: &str) -> Result<Started, AuditError> {
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
        return Err(AuditError::Log(format!(
            "no audit named '{audit}' in the log; start one with `tallyproof audit start`"
        )));
    };
    let pct: f64 = risk_limit
        .parse()
        .map_err(|_| AuditError::Log(format!("the logged risk limit '{risk_limit}'")))?;
    Ok(Started {
        law: law.clone(),
        method: *method,
        alpha: crate::alpha_from_percent(pct)?,
        risk_limit: risk_limit.clone(),
        seed: seed.clone(),
        ballots: *ballots,
        cvrs: cvrs.clone(),
    })
}

/// The allocation's problem and its assertions, under `law`.
pub fn assertions_of(
    e: &Election,
    protocols: &[Protocol],
    law: &str,
    ballots: u64,
) -> Result<(seats::Problem, SeatAssertions), AuditError> {
    let law = seats::preset::law(law).map_err(|x| AuditError::Seats(x.to_string()))?;
    let built =
        record::problem_from_election(e, protocols, &law, None, tabulate::Filter::default())
            .map_err(|x| AuditError::Seats(x.to_string()))?;
    let outcome = seats::allocate(&built.problem).map_err(|x| AuditError::Seats(x.to_string()))?;
    let set = crate::assertions::seat_assertions(&built.problem, &outcome, ballots)?;
    Ok((built.problem, set))
}

/// The party index of each of the contest's choices (none for "against all" and the like).
pub fn party_of_choice(e: &Election, problem: &seats::Problem) -> Vec<Option<usize>> {
    e.contests
        .first()
        .map(|c| {
            c.choices
                .iter()
                .map(|ch| problem.parties.iter().position(|p| *p == ch.name))
                .collect()
        })
        .unwrap_or_default()
}

/// The index of a station's region among the law's regions.
pub fn region_of(e: &Election, problem: &seats::Problem, station: UnitId) -> Option<usize> {
    // A station the tree lacks is in no region (a replayed log has none; looking it up
    // panicked).
    if station.index() >= e.units.len() {
        return None;
    }
    let r = e.units.ancestor_at(station, UnitLevel::Region)?;
    let name = e.units.get(r).name;
    problem.regions.iter().position(|x| x.name == name)
}

/// Votes per choice and paper ballots as a tally in party terms.
pub fn tally_in_party_terms(
    e: &Election,
    problem: &seats::Problem,
    parties: &[Option<usize>],
    station: UnitId,
    votes: &[u64],
    ballots: u64,
) -> StationTally {
    let mut party_votes = vec![0u64; problem.parties.len()];
    // Saturating: a replay refuses hand counts whose votes do not fit in 64 bits, and a
    // tabulation protocols whose votes do not, so these sums are exact for any log that
    // replays; for one that does not, they must not panic either.
    for (c, &v) in votes.iter().enumerate() {
        if let Some(slot) = parties
            .get(c)
            .copied()
            .flatten()
            .and_then(|p| party_votes.get_mut(p))
        {
            *slot = slot.saturating_add(v);
        }
    }
    let listed = party_votes.iter().fold(0u64, |a, &v| a.saturating_add(v));
    StationTally {
        votes: party_votes,
        other: ballots.saturating_sub(listed),
        region: region_of(e, problem, station),
    }
}

/// Each manifest station's reported tally in the allocation's party terms.
pub fn station_tallies(
    e: &Election,
    protocols: &[Protocol],
    problem: &seats::Problem,
    batches: &[(u32, u64)],
) -> Vec<StationTally> {
    let stations: HashMap<UnitId, &Protocol> = protocols
        .iter()
        .filter(|p| p.contest == 0)
        .map(|p| (p.station, p))
        .collect();
    let parties = party_of_choice(e, problem);
    batches
        .iter()
        .map(|&(s, ballots)| {
            let votes = stations
                .get(&UnitId(s))
                .map_or(&[][..], |p| p.votes.as_slice());
            tally_in_party_terms(e, problem, &parties, UnitId(s), votes, ballots)
        })
        .collect()
}

/// The manifest's batches keyed for drawing (`station id`), in manifest order.
pub fn draw_batches(l: &Logged) -> Vec<(String, u64)> {
    l.batches.iter().map(|&(s, n)| (s.to_string(), n)).collect()
}

/// The readings so far, in party terms.
pub fn readings_of(
    e: &Election,
    l: &Logged,
    seed: &str,
    problem: &seats::Problem,
) -> Result<Vec<Reading>, AuditError> {
    let drawn = workflow::draws(&draw_batches(l), seed, &l.rounds)?;
    readings_drawn(e, l, problem, &drawn)
}

/// [`readings_of`] with the rounds' draws already made (at least as many as the rounds).
pub fn readings_drawn(
    e: &Election,
    l: &Logged,
    problem: &seats::Problem,
    drawn: &[crate::draw::Drawn],
) -> Result<Vec<Reading>, AuditError> {
    let parties = party_of_choice(e, problem);
    let party = |c: Option<u32>| parties.get(c? as usize).copied().flatten();
    let mut out = Vec::new();
    for r in l.readings.iter().flatten() {
        let d = drawn.get((r.0 as usize).wrapping_sub(1)).ok_or_else(|| {
            AuditError::Log("a logged reading is beyond the drawn ballots".into())
        })?;
        out.push(Reading {
            record: party(r.1),
            paper: party(r.2),
            found: !l.not_found.contains(&r.0),
            region: region_of(e, problem, UnitId(l.batches[d.batch].0)),
        });
    }
    Ok(out)
}

/// A station-batch audit's state: the bounds, the stations drawn, the status.
pub struct BatchState {
    /// The per-station error bounds.
    pub bounds: Bounds,
    /// The stations drawn so far (manifest indices, with repeats).
    pub draws: Vec<usize>,
    /// The status.
    pub status: Status,
}

/// The state of a station-batch audit.
pub fn batch_state(
    e: &Election,
    protocols: &[Protocol],
    l: &Logged,
    s: &Started,
    problem: &seats::Problem,
    set: &SeatAssertions,
) -> BatchState {
    let tallies = station_tallies(e, protocols, problem, &l.batches);
    let bounds = crate::stations::bounds(&set.assertions, s.ballots, &tallies);
    let total: u64 = l.rounds.iter().sum();
    let draws = crate::stations::ppeb_draws(&s.seed, &bounds, 0, total);
    let index: HashMap<u32, usize> = l
        .batches
        .iter()
        .enumerate()
        .map(|(k, b)| (b.0, k))
        .collect();
    let parties = party_of_choice(e, problem);
    let mut audited: std::collections::HashMap<usize, StationTally> =
        std::collections::HashMap::new();
    // A station's first hand count stands: drawn again in a later round, it is not counted
    // over (a clean recount never erases what the first count found).
    for (station, votes, ballots) in l.counts.iter().flatten() {
        if let Some(&k) = index.get(station) {
            audited.entry(k).or_insert_with(|| {
                tally_in_party_terms(e, problem, &parties, UnitId(*station), votes, *ballots)
            });
        }
    }
    let status = workflow::batch_status(
        &set.assertions,
        s.ballots,
        &bounds,
        &tallies,
        &draws,
        &audited,
        s.alpha,
    );
    BatchState {
        bounds,
        draws,
        status,
    }
}

/// Where an audit stands, recomputed from the log.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The audit's name.
    pub audit: String,
    /// `comparison`, `polling` or `batch`.
    pub method: &'static str,
    /// The risk limit in percent.
    pub risk_limit_percent: String,
    /// The seed.
    pub seed: String,
    /// Ballots cast.
    pub ballots: u64,
    /// Stations in the manifest.
    pub stations: u64,
    /// Each round's size.
    pub rounds: Vec<u64>,
    /// Ballots read (ballot-level) or stations counted (batch).
    pub audited: u64,
    /// Readings where the paper differs from the record (comparison audits).
    pub discrepancies: u64,
    /// Every assertion confirmed.
    pub confirmed: bool,
    /// Escalated to a full hand count.
    pub escalated: bool,
    /// The latest round waits for its readings (or hand counts).
    pub waiting: bool,
    /// The suggested next round.
    pub next_round: Option<u64>,
    /// A next round would reach a quarter of the ballots.
    pub full_count_advised: bool,
    /// In words.
    pub verdict: String,
    /// Each assertion's risk.
    pub assertions: Vec<workflow::Risk>,
    /// Stations counted by hand beside the random sample, for a reason: reported apart,
    /// never counted toward the risk limit.
    pub targeted: Vec<Targeted>,
    /// The start entry's index.
    pub began: u64,
    /// The first entry after the start that changed the results the audit checks: it takes
    /// no further step, and its risk is not computed (it is not confirmed, whatever it
    /// found before).
    pub changed: Option<u64>,
}

/// A station targeted for a hand count beside the random sample.
#[derive(Debug, Clone, Serialize)]
pub struct Targeted {
    /// The station's unit id.
    pub station: u32,
    /// Its path.
    pub path: String,
    /// The round it was added to.
    pub round: u64,
    /// Its forensic flags' score, if that is the reason.
    pub flag: Option<String>,
    /// The upheld complaint's entry index, if that is the reason.
    pub complaint: Option<u64>,
    /// The protocol's votes per choice.
    pub reported: Vec<u64>,
    /// The hand count's votes per choice, once counted.
    pub counted: Option<Vec<u64>>,
    /// The hand count's paper ballots.
    pub ballots: Option<u64>,
    /// Votes the hand count differs from the protocol by: the sum over choices of the
    /// absolute differences.
    pub difference: Option<u64>,
}

/// The targeted stations of an audit, with their counts and differences.
fn targeted(e: &Election, protocols: &[Protocol], l: &Logged) -> Vec<Targeted> {
    let reported: HashMap<u32, &Protocol> = protocols
        .iter()
        .filter(|p| p.contest == 0)
        .map(|p| (p.station.0, p))
        .collect();
    let counts: HashMap<u32, (&Vec<u64>, u64)> = l
        .targeted_counts
        .iter()
        .map(|(s, v, b)| (*s, (v, *b)))
        .collect();
    l.targets
        .iter()
        .map(|(round, station, flag, complaint)| {
            let votes = reported
                .get(station)
                .map(|p| p.votes.clone())
                .unwrap_or_default();
            let counted = counts.get(station);
            let difference = counted.map(|(c, _)| {
                c.iter()
                    .zip(votes.iter().chain(std::iter::repeat(&0)))
                    .fold(0u64, |a, (&x, &y)| a.saturating_add(x.abs_diff(y)))
            });
            Targeted {
                station: *station,
                path: if (*station as usize) < e.units.len() {
                    e.units.path(UnitId(*station))
                } else {
                    station.to_string()
                },
                round: *round,
                flag: flag.clone(),
                complaint: *complaint,
                reported: votes,
                counted: counted.map(|(c, _)| (*c).clone()),
                ballots: counted.map(|(_, b)| *b),
                difference,
            }
        })
        .collect()
}

/// The report of audit `audit` from the log's `entries` (with their indices; the entries
/// other than audits', protocols and decisions may be left out), over the election and its
/// latest protocols.
pub fn report<'a>(
    e: &Election,
    protocols: &[Protocol],
    entries: impl IntoIterator<Item = (u64, &'a [u8])>,
    audit: &str,
) -> Result<Report, AuditError> {
    report_of(e, protocols, &logged(entries, audit)?, audit, None)
}

/// The report of an audit's logged steps `l`, with its ballots' draws if the caller made
/// them already (at least as many as the rounds drew), as `steps::record` has.
pub fn report_of(
    e: &Election,
    protocols: &[Protocol],
    l: &Logged,
    audit: &str,
    drawn: Option<&[crate::draw::Drawn]>,
) -> Result<Report, AuditError> {
    let s = started(l, audit)?;
    if let Some(changed) = l.changed {
        return Ok(superseded_report(e, protocols, l, &s, audit, changed));
    }
    let (problem, set) = assertions_of(e, protocols, &s.law, s.ballots)?;
    let (st, discrepancies, unit) = match crate::workflow::ballot_method(s.method) {
        Some(method) => {
            let readings = match drawn {
                Some(d) => readings_drawn(e, l, &problem, d)?,
                None => readings_of(e, l, &s.seed, &problem)?,
            };
            let st = workflow::status(
                &set.assertions,
                method,
                s.ballots,
                l.batches.len() as u64,
                &readings,
                s.alpha,
            );
            let discrepancies = readings
                .iter()
                .filter(|r| s.method == Method::Comparison && r.record != r.paper)
                .count() as u64;
            (
                st,
                discrepancies,
                ("the paper ballots", "a quarter of the ballots"),
            )
        }
        None => (
            batch_state(e, protocols, l, &s, &problem, &set).status,
            0,
            ("the hand-counted stations", "a quarter of the stations"),
        ),
    };
    let verdict = if st.confirmed {
        format!(
            "confirmed: {} confirm the seat allocation at the risk limit",
            unit.0
        )
    } else if l.escalated {
        "escalated: a full hand count decides".to_string()
    } else if l.waiting() {
        format!(
            "round {} drawn: waiting for its {}",
            l.rounds.len(),
            if s.method == Method::Batch {
                "hand counts"
            } else {
                "readings"
            }
        )
    } else if st.full_count_advised {
        format!(
            "not confirmed: another round would reach {}; escalate to a full hand count",
            unit.1
        )
    } else {
        "not confirmed yet: draw another round".to_string()
    };
    Ok(Report {
        audited: st.audited,
        discrepancies,
        confirmed: st.confirmed,
        next_round: st.next_round,
        full_count_advised: st.full_count_advised,
        verdict,
        assertions: st.risks,
        ..unmeasured(e, protocols, l, &s, audit)
    })
}

/// What a report says of an audit before any risk is measured: its parameters, rounds and
/// targeted stations.
fn unmeasured(
    e: &Election,
    protocols: &[Protocol],
    l: &Logged,
    s: &Started,
    audit: &str,
) -> Report {
    Report {
        audit: audit.to_string(),
        method: s.method.key(),
        risk_limit_percent: s.risk_limit.clone(),
        seed: s.seed.clone(),
        ballots: s.ballots,
        stations: l.batches.len() as u64,
        rounds: l.rounds.clone(),
        audited: 0,
        discrepancies: 0,
        confirmed: false,
        escalated: l.escalated,
        waiting: l.waiting(),
        next_round: None,
        full_count_advised: false,
        verdict: String::new(),
        assertions: Vec::new(),
        targeted: targeted(e, protocols, l),
        began: l.began,
        changed: None,
    }
}

/// The report of an audit whose results changed after it began: what it read or counted,
/// and no risk (the results it checked are not the results any more).
fn superseded_report(
    e: &Election,
    protocols: &[Protocol],
    l: &Logged,
    s: &Started,
    audit: &str,
    changed: u64,
) -> Report {
    let read = l.readings.iter().map(Vec::len).sum::<usize>()
        + l.counts.iter().map(Vec::len).sum::<usize>();
    Report {
        audited: read as u64,
        discrepancies: l
            .readings
            .iter()
            .flatten()
            .filter(|r| s.method == Method::Comparison && r.1 != r.2)
            .count() as u64,
        waiting: false,
        verdict: format!(
            "superseded: {}",
            record::superseded(audit, l.began, changed)
        ),
        changed: Some(changed),
        ..unmeasured(e, protocols, l, s, audit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::{Choice, ChoiceKind, Contest, ContestKind};

    /// Hostile review of issue 18: the boards that sign off first cannot confirm an audit
    /// alone. A round whose boards have not all signed off yields its draws in draw order up
    /// to the first not read; a batch round's counts wait for every board.
    #[test]
    fn a_round_still_signing_yields_only_its_first_draws_in_order() {
        let mut l = Logged {
            rounds: vec![2, 4],
            readings: vec![
                vec![(2, None, None), (1, None, None)],
                vec![(6, None, None), (3, None, None), (4, None, None)],
            ],
            counts: vec![Vec::new(), vec![(7, vec![1], 1)]],
            boards: vec![
                Vec::new(),
                vec![("a".into(), "b".into()), ("c".into(), "d".into())],
            ],
            signed: vec![Vec::new(), vec![2]],
            ..Logged::default()
        };
        let draws = |l: &Logged, k: usize| l.readings[k].iter().map(|r| r.0).collect::<Vec<_>>();
        in_draw_order(&mut l);
        assert_eq!(
            draws(&l, 0),
            [1, 2],
            "a round without boards, in draw order"
        );
        assert_eq!(draws(&l, 1), [3, 4], "draw 5 is not read yet: 6 waits");
        assert!(l.counts[1].is_empty());
        // Once both boards signed off, every reading counts.
        l.signed[1].push(1);
        l.readings[1].extend([(6, None, None), (5, None, None)]);
        in_draw_order(&mut l);
        assert_eq!(draws(&l, 1), [3, 4, 5, 6]);
    }

    /// Issue "One rulebook", item 4: a hand count of a station the tree lacks, or with votes
    /// that do not fit in 64 bits, as only a log that does not replay can hold: no panic.
    #[test]
    fn a_station_or_counts_out_of_range_do_not_panic() {
        let mut e = Election::new("t");
        e.contests.push(Contest::new(
            "c",
            ContestKind::PartyList,
            vec![
                Choice::new("A", ChoiceKind::Party),
                Choice::new("B", ChoiceKind::Party),
            ],
        ));
        let r = e
            .units
            .insert(e.units.root(), UnitLevel::Region, "R")
            .unwrap();
        let problem = seats::Problem::new(
            1,
            seats::Method::DHondt,
            vec!["A".into(), "B".into()],
            vec![1, 1],
        );
        let parties = party_of_choice(&e, &problem);
        assert_eq!(region_of(&e, &problem, UnitId(99)), None);
        let t = tally_in_party_terms(&e, &problem, &parties, UnitId(99), &[u64::MAX, u64::MAX], 3);
        assert_eq!(
            (t.votes, t.other, t.region),
            (vec![u64::MAX, u64::MAX], 0, None)
        );
        let mut same = problem.clone();
        same.parties = vec!["A".into(), "A".into()];
        let t = tally_in_party_terms(&e, &same, &[Some(0), Some(0)], r, &[u64::MAX, 1], 3);
        assert_eq!(t.votes, vec![u64::MAX, 0]);
    }
}

//! The rules a replay checks on `audit` entries (`docs/log-format.md`, "audit"): every step
//! names an audit started earlier in the log, and every index a step carries names something
//! that exists: its contest, its manifest's and hand counts' stations, its rounds, each
//! reading's draw and choices, and each hand count's votes, one per choice. So whoever
//! recomputes an audit from a log that replays (`tallyproof audit status`) never meets a
//! reading of a choice the contest does not have, or a station the election does not have.

use std::collections::HashMap;

use model::{Election, UnitId, UnitLevel};

use crate::entry::AuditStep;
use crate::RecordError;

/// The audits of a log so far, by name.
#[derive(Debug, Clone, Default)]
pub(crate) struct AuditRules {
    audits: HashMap<String, Audit>,
}

/// What a later step of one audit is checked against.
#[derive(Debug, Clone)]
struct Audit {
    /// The contest's index (checked when the audit started).
    contest: usize,
    /// The draws up to the end of each round: round `k` holds draws `ends[k-2]+1 ..= ends[k-1]`.
    ends: Vec<u64>,
}

impl AuditRules {
    /// Checks step `step` of entry `index` against the election and the steps before it.
    pub(crate) fn check(
        &mut self,
        index: u64,
        e: &Election,
        step: &AuditStep,
    ) -> Result<(), RecordError> {
        let field = |f: String, m: String| RecordError::Field {
            index,
            field: f,
            message: m,
        };
        if let AuditStep::Start {
            audit,
            contest,
            law,
            base,
            ..
        } = step
        {
            if self.audits.contains_key(audit) {
                return Err(field(
                    "audit".into(),
                    format!("an audit named '{audit}' was started earlier in the log"),
                ));
            }
            if *contest >= e.contests.len() {
                return Err(field("contest".into(), no_contest(e, *contest)));
            }
            seats::preset::law(law).map_err(|x| field("law".into(), x.to_string()))?;
            if let Some(b) = base {
                seats::Base::parse(b).map_err(|x| field("base".into(), x.to_string()))?;
            }
            self.audits.insert(
                audit.clone(),
                Audit {
                    contest: *contest,
                    ends: Vec::new(),
                },
            );
            return Ok(());
        }
        let name = match step {
            AuditStep::Start { audit, .. }
            | AuditStep::Manifest { audit, .. }
            | AuditStep::Round { audit, .. }
            | AuditStep::Readings { audit, .. }
            | AuditStep::Counts { audit, .. }
            | AuditStep::Escalate { audit } => audit,
        };
        let a = self.audits.get_mut(name).ok_or_else(|| {
            field(
                "audit".into(),
                format!("no audit named '{name}' was started before this step"),
            )
        })?;
        let choices = e.contests.get(a.contest).map_or(0, |c| c.choices.len());
        match step {
            AuditStep::Start { .. } | AuditStep::Escalate { .. } => {}
            AuditStep::Manifest { batches, .. } => {
                if !a.ends.is_empty() {
                    return Err(field(
                        "batches".into(),
                        "a manifest after the audit's first round would change what it drew".into(),
                    ));
                }
                for (k, &(station, _)) in batches.iter().enumerate() {
                    if let Some(why) = not_a_station(e, station) {
                        return Err(field(format!("batches[{k}].station"), why));
                    }
                }
            }
            AuditStep::Round { round, size, .. } => {
                let next = a.ends.len() as u64 + 1;
                if *round != next {
                    return Err(field(
                        "round".into(),
                        format!("{round}, expected {next}: rounds follow one another"),
                    ));
                }
                let end = a
                    .ends
                    .last()
                    .copied()
                    .unwrap_or(0)
                    .checked_add(*size)
                    .ok_or_else(|| {
                        field(
                            "size".into(),
                            format!("{size}: the rounds' draws add up beyond 18446744073709551615"),
                        )
                    })?;
                a.ends.push(end);
            }
            AuditStep::Readings {
                round, readings, ..
            } => {
                let (first, last) = draws_of(&a.ends, *round)
                    .ok_or_else(|| field("round".into(), no_round(&a.ends, *round)))?;
                for (k, &(draw, record, paper)) in readings.iter().enumerate() {
                    if draw < first || draw > last {
                        return Err(field(
                            format!("readings[{k}].draw"),
                            format!(
                                "{draw} is not one of round {round}'s draws ({first} to {last})"
                            ),
                        ));
                    }
                    for (what, choice) in [("record", record), ("paper", paper)] {
                        if let Some(c) = choice.filter(|&c| c as usize >= choices) {
                            return Err(field(
                                format!("readings[{k}].{what}"),
                                format!(
                                    "choice {c} does not exist (the contest has {choices} choice(s))"
                                ),
                            ));
                        }
                    }
                }
            }
            AuditStep::Counts { round, counts, .. } => {
                draws_of(&a.ends, *round)
                    .ok_or_else(|| field("round".into(), no_round(&a.ends, *round)))?;
                for (k, (station, votes, _)) in counts.iter().enumerate() {
                    if let Some(why) = not_a_station(e, *station) {
                        return Err(field(format!("counts[{k}].station"), why));
                    }
                    if votes.len() != choices {
                        return Err(field(
                            format!("counts[{k}].votes"),
                            format!("{} counts for {choices} choice(s)", votes.len()),
                        ));
                    }
                    // The audit adds them up (in party terms): exactly, or not at all.
                    if votes
                        .iter()
                        .try_fold(0u64, |a, &v| a.checked_add(v))
                        .is_none()
                    {
                        return Err(field(
                            format!("counts[{k}].votes"),
                            "the votes add up to more than 18446744073709551615".into(),
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// The first and last draw of round `round` (from 1), if the audit has drawn it.
fn draws_of(ends: &[u64], round: u64) -> Option<(u64, u64)> {
    let k = usize::try_from(round).ok()?.checked_sub(1)?;
    let last = *ends.get(k)?;
    let before = k.checked_sub(1).map_or(0, |j| ends[j]);
    Some((before + 1, last))
}

fn no_round(ends: &[u64], round: u64) -> String {
    format!(
        "round {round} was not drawn (the audit has {} round(s))",
        ends.len()
    )
}

/// Why contest `c` is not one of `e`'s.
pub(crate) fn no_contest(e: &Election, c: usize) -> String {
    format!(
        "contest {c} does not exist (the election has {} contest(s))",
        e.contests.len()
    )
}

/// Why `unit` is not a unit of `e`, if it is not.
pub(crate) fn unknown_unit(e: &Election, unit: u32) -> Option<String> {
    (UnitId(unit).index() >= e.units.len()).then(|| {
        format!(
            "unit {unit} does not exist (the election has units 0 to {})",
            e.units.len() - 1
        )
    })
}

/// Why `unit` is not a station of `e`, if it is not.
pub(crate) fn not_a_station(e: &Election, unit: u32) -> Option<String> {
    if let Some(why) = unknown_unit(e, unit) {
        return Some(why);
    }
    let u = e.units.get(UnitId(unit));
    (u.level != UnitLevel::Station).then(|| {
        format!(
            "unit {unit} ('{}') is a {}, not a station",
            e.units.path(UnitId(unit)),
            u.level.key()
        )
    })
}

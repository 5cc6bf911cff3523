//! The rules a replay checks on `audit` entries (`docs/log-format.md`, "audit"): every step
//! names an audit started earlier in the log, and every index a step carries names something
//! that exists: its contest, its manifest's and hand counts' stations, its rounds, each
//! reading's draw and choices, and each hand count's votes, one per choice. So whoever
//! recomputes an audit from a log that replays (`tallyproof audit status`) never meets a
//! reading of a choice the contest does not have, or a station the election does not have.

use std::collections::{HashMap, HashSet};

use model::{Election, UnitId, UnitLevel};

use crate::entry::{AuditStep, Decision, Entry};
use crate::kinds::ComplaintStatus;
use crate::register::Register;
use crate::staff::{Role, Signing, StaffRules, CONSOLE};
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
    /// The law preset it audits.
    law: String,
    /// Its start entry's index.
    began: u64,
    /// The first entry after its start that changed the results it checks: its steps end
    /// there.
    changed: Option<u64>,
    /// The draws up to the end of each round: round `k` holds draws `ends[k-2]+1 ..= ends[k-1]`.
    ends: Vec<u64>,
    /// Targeted stations and the round each was added to.
    targeted: HashMap<u32, u64>,
    /// Targeted stations counted.
    counted: HashSet<u32>,
    /// Each round's audit boards, by round: their members.
    boards: HashMap<u64, Vec<(String, String)>>,
    /// Rounds whose readings or counts came without boards.
    read: HashSet<u64>,
    /// The boards that signed off, as (round, board).
    signed: HashSet<(u64, u64)>,
    /// What boards read in each round: draws (or stations, in a batch audit).
    by_boards: HashMap<u64, HashSet<u64>>,
}

impl AuditRules {
    /// Checks step `step` of entry `index` against the election, the steps before it, the
    /// complaint register (a target's complaint), who signed the step off (a board's entry:
    /// [`StaffRules::signing`]), who took it ([`StaffRules::acting`]: the auditor sits on no
    /// board) and the roles the log granted (a board member granted another role sits on
    /// none).
    pub(crate) fn check(
        &mut self,
        index: u64,
        e: &Election,
        step: &AuditStep,
        staff: &StaffRules,
    ) -> Result<(), RecordError> {
        let (register, signing) = (staff.register(), staff.signing());
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
                    law: law.clone(),
                    began: index,
                    changed: None,
                    ends: Vec::new(),
                    targeted: HashMap::new(),
                    counted: HashSet::new(),
                    boards: HashMap::new(),
                    read: HashSet::new(),
                    signed: HashSet::new(),
                    by_boards: HashMap::new(),
                },
            );
            return Ok(());
        }
        let name = step.audit();
        let a = self.audits.get_mut(name).ok_or_else(|| {
            field(
                "audit".into(),
                format!("no audit named '{name}' was started before this step"),
            )
        })?;
        if let Some(changed) = a.changed {
            return Err(field("audit".into(), superseded(name, a.began, changed)));
        }
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
                a.unboarded(*round).map_err(|m| field("round".into(), m))?;
                let (first, last) = draws_of(&a.ends, *round)
                    .ok_or_else(|| field("round".into(), no_round(&a.ends, *round)))?;
                for (k, &(draw, record, paper)) in readings.iter().enumerate() {
                    check_reading(first, last, *round, choices, draw, [record, paper])
                        .map_err(|(f, m)| field(format!("readings[{k}].{f}"), m))?;
                }
            }
            AuditStep::Counts { round, counts, .. } => {
                a.unboarded(*round).map_err(|m| field("round".into(), m))?;
                draws_of(&a.ends, *round)
                    .ok_or_else(|| field("round".into(), no_round(&a.ends, *round)))?;
                for (k, (station, votes, _)) in counts.iter().enumerate() {
                    if let Some(why) = not_a_station(e, *station) {
                        return Err(field(format!("counts[{k}].station"), why));
                    }
                    check_votes(votes, choices)
                        .map_err(|m| field(format!("counts[{k}].votes"), m))?;
                }
            }
            AuditStep::Boards { round, boards, .. } => {
                draws_of(&a.ends, *round)
                    .ok_or_else(|| field("round".into(), no_round(&a.ends, *round)))?;
                check_boards(a, *round, boards, staff).map_err(|(f, m)| field(f, m))?;
                a.boards.insert(*round, boards.clone());
            }
            AuditStep::BoardReadings {
                round,
                board,
                readings,
                ..
            } => {
                let (first, last) = draws_of(&a.ends, *round)
                    .ok_or_else(|| field("round".into(), no_round(&a.ends, *round)))?;
                a.signed_off(*round, *board, signing)
                    .map_err(|(f, m)| field(f.into(), m))?;
                for (k, r) in readings.iter().enumerate() {
                    let at = format!("readings[{k}]");
                    check_reading(first, last, *round, choices, r.draw, [r.record, r.paper])
                        .map_err(|(f, m)| field(format!("{at}.{f}"), m))?;
                    if !r.found && r.paper.is_some() {
                        return Err(field(
                            format!("{at}.paper"),
                            "a ballot not found has no paper choice".into(),
                        ));
                    }
                    a.read_by_board(*round, r.draw)
                        .map_err(|m| field(format!("{at}.draw"), m))?;
                }
            }
            AuditStep::BoardCounts {
                round,
                board,
                counts,
                ..
            } => {
                draws_of(&a.ends, *round)
                    .ok_or_else(|| field("round".into(), no_round(&a.ends, *round)))?;
                a.signed_off(*round, *board, signing)
                    .map_err(|(f, m)| field(f.into(), m))?;
                for (k, (station, votes, _)) in counts.iter().enumerate() {
                    if let Some(why) = not_a_station(e, *station) {
                        return Err(field(format!("counts[{k}].station"), why));
                    }
                    check_votes(votes, choices)
                        .map_err(|m| field(format!("counts[{k}].votes"), m))?;
                    a.read_by_board(*round, u64::from(*station))
                        .map_err(|m| field(format!("counts[{k}].station"), m))?;
                }
            }
            AuditStep::Target { round, targets, .. } => {
                draws_of(&a.ends, *round)
                    .ok_or_else(|| field("round".into(), no_round(&a.ends, *round)))?;
                for (k, (station, flag, complaint)) in targets.iter().enumerate() {
                    let at = format!("targets[{k}]");
                    if let Some(why) = not_a_station(e, *station) {
                        return Err(field(format!("{at}.station"), why));
                    }
                    if a.targeted.contains_key(station) {
                        return Err(field(
                            format!("{at}.station"),
                            format!("station {station} was targeted earlier in audit '{name}'"),
                        ));
                    }
                    target_reason(e, register, *station, flag.as_deref(), *complaint)
                        .map_err(|(f, m)| field(format!("{at}{f}"), m))?;
                    a.targeted.insert(*station, *round);
                }
            }
            AuditStep::TargetedCounts { round, counts, .. } => {
                draws_of(&a.ends, *round)
                    .ok_or_else(|| field("round".into(), no_round(&a.ends, *round)))?;
                for (k, (station, votes, _)) in counts.iter().enumerate() {
                    if a.targeted.get(station).is_none_or(|r| r > round) {
                        return Err(field(
                            format!("counts[{k}].station"),
                            format!(
                                "station {station} was not targeted in round {round} or before"
                            ),
                        ));
                    }
                    if !a.counted.insert(*station) {
                        return Err(field(
                            format!("counts[{k}].station"),
                            format!("station {station} is counted twice"),
                        ));
                    }
                    check_votes(votes, choices)
                        .map_err(|m| field(format!("counts[{k}].votes"), m))?;
                }
            }
        }
        Ok(())
    }
}

impl AuditRules {
    /// Notes entry `index`: the audits whose results it changes ([`changes_audited_results`])
    /// take no step after it.
    pub(crate) fn note(&mut self, index: u64, entry: &Entry) {
        if !matches!(entry, Entry::Protocol(_) | Entry::Decision(_)) {
            return;
        }
        for a in self.audits.values_mut() {
            if a.changed.is_none() && changes_audited_results(entry, &a.law, a.contest) {
                a.changed = Some(index);
            }
        }
    }
}

/// Whether `entry` changes the results that an audit of contest `contest` under the law
/// preset `law` checks: a protocol of that contest in the count the law makes legal
/// ([`crate::legal_count`]), or a decision that takes stations out of the totals or brings
/// them back. An audit checks the results as they stood when it began: its steps end at the
/// first such entry after its start (`docs/log-format.md`, "audit", revision 6), and a new
/// audit checks the new results.
pub fn changes_audited_results(entry: &Entry, law: &str, contest: usize) -> bool {
    match entry {
        Entry::Protocol(p) => p.contest == contest && p.source == crate::legal_count(Some(law)),
        Entry::Decision(d) => matches!(
            d,
            Decision::AnnulUnit { .. }
                | Decision::Revote { .. }
                | Decision::AnnulElection { .. }
                | Decision::Reopen { .. }
        ),
        _ => false,
    }
}

/// Whether the entry `bytes` (in canonical form) is one that may change the results an audit
/// checks ([`changes_audited_results`]): a protocol or a decision. What reads an audit from
/// part of a log keeps these beside the audits' own entries.
pub fn may_change_results(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x01{\"type\":\"protocol\"")
        || bytes.starts_with(b"\x01{\"type\":\"decision\"")
}

/// Why a step of audit `audit`, begun at entry `began`, is refused once the results it checks
/// changed at entry `changed`.
pub fn superseded(audit: &str, began: u64, changed: u64) -> String {
    format!(
        "the results changed at entry {changed}, after audit '{audit}' began at entry {began}: \
         it no longer checks them; start a new audit"
    )
}

impl Audit {
    /// Readings or counts of `round` without boards: refused once it has boards (its
    /// readings come from their sign-offs).
    fn unboarded(&mut self, round: u64) -> Result<(), String> {
        if self.boards.contains_key(&round) {
            return Err(format!(
                "round {round} has audit boards: its readings come only from their sign-offs"
            ));
        }
        self.read.insert(round);
        Ok(())
    }

    /// Board `board` of `round` signing off its entry, which follows the second of two
    /// sign-offs (`signing`): they must be the board's two members, and a board signs off
    /// once.
    fn signed_off(
        &mut self,
        round: u64,
        board: u64,
        signing: Option<&Signing>,
    ) -> Result<(), (&'static str, String)> {
        let Some(signing) = signing else {
            return Err((
                "step",
                "a board's readings or counts follow the second of its two members' staff \
                 'sign-off' entries"
                    .into(),
            ));
        };
        let boards = self.boards.get(&round).map_or(&[][..], Vec::as_slice);
        let members = usize::try_from(board)
            .ok()
            .and_then(|b| boards.get(b.checked_sub(1)?))
            .ok_or_else(|| {
                (
                    "board",
                    format!(
                        "board {board} was not formed for round {round} (it has {} board(s))",
                        boards.len()
                    ),
                )
            })?;
        let (a, b) = (&members.0, &members.1);
        let other = if signing.last == *a {
            Some(b)
        } else if signing.last == *b {
            Some(a)
        } else {
            None
        };
        if !other.is_some_and(|o| signing.earlier.contains(o)) {
            return Err((
                "board",
                format!(
                    "board {board} of round {round} is signed off by its two members, \
                     not by {} and {}",
                    signing.last,
                    signing.earlier.join(", ")
                ),
            ));
        }
        if !self.signed.insert((round, board)) {
            return Err((
                "board",
                format!("board {board} of round {round} signed off earlier"),
            ));
        }
        Ok(())
    }

    /// A draw (or a batch audit's station) read by a board in `round`: once a round.
    fn read_by_board(&mut self, round: u64, what: u64) -> Result<(), String> {
        if !self.by_boards.entry(round).or_default().insert(what) {
            return Err(format!(
                "{what} was read by a board of round {round} earlier"
            ));
        }
        Ok(())
    }
}

/// A round's boards: none formed for it before, none of its readings logged without them,
/// each board two different people (never the console), nobody on two boards.
fn check_boards(
    a: &Audit,
    round: u64,
    boards: &[(String, String)],
    staff: &StaffRules,
) -> Result<(), (String, String)> {
    if a.boards.contains_key(&round) {
        return Err((
            "round".into(),
            format!("round {round} has its boards already"),
        ));
    }
    if a.read.contains(&round) {
        return Err((
            "round".into(),
            format!("round {round}'s readings were logged without boards"),
        ));
    }
    if boards.is_empty() {
        return Err(("boards".into(), "no board".into()));
    }
    let mut seen = HashSet::new();
    for (k, (x, y)) in boards.iter().enumerate() {
        if x == y {
            return Err((
                format!("boards[{k}]"),
                "a board is two different members".into(),
            ));
        }
        for m in [x, y] {
            if m == CONSOLE {
                return Err((
                    format!("boards[{k}]"),
                    "a board member is a person with their own login, never the console".into(),
                ));
            }
            if !seen.insert(m) {
                return Err((
                    format!("boards[{k}]"),
                    format!("{m} is on two boards of round {round}"),
                ));
            }
            // The auditor who forms the boards oversees them: they sit on none.
            if staff.acting() == Some(m.as_str()) {
                return Err((
                    format!("boards[{k}]"),
                    format!("{m} forms the boards: the auditor sits on none"),
                ));
            }
            // Granted here, a member is granted the board member's role (a re-vote's staff
            // are granted in the election that ordered it, outside this log).
            let roles = staff.roles_of(m);
            if !roles.is_empty() && !roles.contains(&Role::BoardMember) {
                let granted: Vec<&str> = roles.iter().map(|r| r.key()).collect();
                return Err((
                    format!("boards[{k}]"),
                    format!(
                        "{m} was granted '{}' in this log, not 'board-member'",
                        granted.join("', '")
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// A reading's draw (within its round's, `first` to `last`) and choices (of the contest's):
/// the field (after `readings[k].`) and why, if one is out of range.
fn check_reading(
    first: u64,
    last: u64,
    round: u64,
    choices: usize,
    draw: u64,
    [record, paper]: [Option<u32>; 2],
) -> Result<(), (&'static str, String)> {
    if draw < first || draw > last {
        return Err((
            "draw",
            format!("{draw} is not one of round {round}'s draws ({first} to {last})"),
        ));
    }
    for (what, choice) in [("record", record), ("paper", paper)] {
        if let Some(c) = choice.filter(|&c| c as usize >= choices) {
            return Err((
                what,
                format!("choice {c} does not exist (the contest has {choices} choice(s))"),
            ));
        }
    }
    Ok(())
}

/// A hand count's votes: one per choice, adding up exactly (the audit adds them up in party
/// terms).
fn check_votes(votes: &[u64], choices: usize) -> Result<(), String> {
    if votes.len() != choices {
        return Err(format!("{} counts for {choices} choice(s)", votes.len()));
    }
    if votes
        .iter()
        .try_fold(0u64, |a, &v| a.checked_add(v))
        .is_none()
    {
        return Err("the votes add up to more than 18446744073709551615".into());
    }
    Ok(())
}

/// Whether a forensic flag's score is decimal text (`7.41`): digits, and at most one point
/// followed by digits.
pub fn is_score(text: &str) -> bool {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && digits(fraction)
}

/// Why a station may not be targeted for this reason, if it may not (the rule the replay
/// holds a `target` step to): exactly one reason, a flag's score as decimal text or an upheld
/// complaint about the station or a unit above it.
pub fn check_target(
    e: &Election,
    register: &Register,
    station: UnitId,
    flag: Option<&str>,
    complaint: Option<u64>,
) -> Result<(), String> {
    target_reason(e, register, station.0, flag, complaint).map_err(|(_, m)| m)
}

/// Why a target's reason does not hold, if it does not: the field (after `targets[k]`) and
/// the message. Exactly one reason: a flag's score as decimal text, or an upheld complaint
/// about the station or a unit above it.
fn target_reason(
    e: &Election,
    register: &Register,
    station: u32,
    flag: Option<&str>,
    complaint: Option<u64>,
) -> Result<(), (&'static str, String)> {
    match (flag, complaint) {
        (Some(score), None) => {
            if !is_score(score) {
                return Err((
                    ".flag",
                    format!("\"{score}\" is not a score (decimal text such as \"7.41\")"),
                ));
            }
            Ok(())
        }
        (None, Some(c)) => {
            let status = register.status(c).ok_or((
                ".complaint",
                format!("entry {c} is not a complaint of this log"),
            ))?;
            if status != ComplaintStatus::Upheld {
                return Err((
                    ".complaint",
                    format!("complaint {c} is {}, not upheld", status.key()),
                ));
            }
            let about = register.unit(c);
            let mut unit = Some(UnitId(station));
            while let Some(u) = unit {
                if Some(u) == about {
                    return Ok(());
                }
                unit = e.units.get(u).parent;
            }
            Err((
                ".complaint",
                format!("complaint {c} is about a unit that does not contain station {station}"),
            ))
        }
        _ => Err((
            "",
            "a target gives exactly one reason: a forensic flag's score or an upheld complaint"
                .into(),
        )),
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

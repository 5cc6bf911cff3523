//! A whole law around a method: thresholds, exemptions, alliances, the cap and single-member
//! districts (the project's `electoral-law.md`, §§1-3).

use std::collections::HashSet;

use crate::apportion::{apportion, Apportionment};
use crate::percent;
use crate::ties::{break_tie, Tie, Ties};
use crate::{Fraction, Method, Note, SeatsError};

/// What a threshold is a share of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// Valid votes.
    Valid,
    /// Voters who took part, including invalid ballots and "against all" (Kyrgyzstan
    /// 2015-2021).
    Participated,
    /// Registered voters (Kyrgyzstan 2010).
    Registered,
    /// The sum of the listed parties' votes.
    Listed,
}

impl Base {
    /// Parses `valid`, `participated`, `registered` or `listed`.
    pub fn parse(s: &str) -> Result<Base, SeatsError> {
        match s.trim().to_lowercase().replace('_', "-").as_str() {
            "valid" => Ok(Base::Valid),
            "participated" | "voters-participated" => Ok(Base::Participated),
            "registered" => Ok(Base::Registered),
            "listed" | "sum-of-listed-votes" => Ok(Base::Listed),
            _ => Err(SeatsError::invalid(format!(
                "unknown threshold base '{s}', expected one of: valid, participated, registered, listed"
            ))),
        }
    }

    /// The base's name.
    pub fn key(self) -> &'static str {
        match self {
            Base::Valid => "valid",
            Base::Participated => "participated",
            Base::Registered => "registered",
            Base::Listed => "listed",
        }
    }
}

/// Which count the regional threshold is a share of (an open question of Kyrgyz law, kept
/// as a parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RegionalBase {
    /// The region's own base (its `base_votes`, or the sum of its listed votes).
    #[default]
    Region,
    /// The national base.
    National,
}

/// The thresholds of a law.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Threshold {
    /// The national threshold, a share of the base.
    pub national: Option<Fraction>,
    /// What the national threshold is a share of.
    pub base: Base,
    /// The base's value; required unless the base is `listed`.
    pub base_votes: Option<u64>,
    /// A threshold to be met in every region.
    pub regional: Option<Fraction>,
    /// What the regional threshold is a share of.
    pub regional_base: RegionalBase,
    /// `true`: a party must exceed the threshold; `false`: reaching it is enough.
    pub strict: bool,
}

/// One region's counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// The region's name.
    pub name: String,
    /// Votes per party, aligned with [`Problem::parties`].
    pub votes: Vec<u64>,
    /// The region's base (its participants, say); the sum of its listed votes if absent.
    pub base_votes: Option<u64>,
}

/// A list alliance (surplus agreement): its members share seats as one list first, then
/// divide them by the same method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alliance {
    /// The alliance's name.
    pub name: String,
    /// Its member parties.
    pub members: Vec<usize>,
}

/// A candidate in a single-member district.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The candidate's name.
    pub name: String,
    /// The nominating party, if any.
    pub party: Option<usize>,
    /// Votes.
    pub votes: u64,
    /// True for the "against all" line of the ballot.
    pub against_all: bool,
}

/// A single-member district, won by plurality.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct District {
    /// The district's name.
    pub name: String,
    /// Its candidates (and "against all").
    pub candidates: Vec<Candidate>,
}

/// One allocation problem: the votes and the law.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Seats allocated from the party lists.
    pub seats: u64,
    /// The list method.
    pub method: Method,
    /// The tie rule.
    pub ties: Ties,
    /// Party names, unique.
    pub parties: Vec<String>,
    /// National votes per party.
    pub votes: Vec<u64>,
    /// Thresholds, if the law has any.
    pub threshold: Option<Threshold>,
    /// Regional counts, for a regional threshold.
    pub regions: Vec<Region>,
    /// Parties exempt from the thresholds (national minorities such as Germany's SSW).
    pub exempt: Vec<usize>,
    /// The most seats one party may hold; the excess goes to the others.
    pub cap: Option<u64>,
    /// List alliances.
    pub alliances: Vec<Alliance>,
    /// Single-member districts of a mixed system (parallel: their seats add to the lists').
    pub districts: Vec<District>,
}

impl Problem {
    /// A problem with no thresholds, cap, alliances or districts.
    pub fn new(seats: u64, method: Method, parties: Vec<String>, votes: Vec<u64>) -> Problem {
        Problem {
            seats,
            method,
            ties: Ties::Error,
            parties,
            votes,
            threshold: None,
            regions: Vec::new(),
            exempt: Vec::new(),
            cap: None,
            alliances: Vec::new(),
            districts: Vec::new(),
        }
    }

    /// The party index of a name.
    pub fn party(&self, name: &str) -> Option<usize> {
        self.parties.iter().position(|p| p == name)
    }
}

/// The result of one threshold test for one party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// The law has no such threshold.
    NotRequired,
    /// Exempt from thresholds.
    Exempt,
    /// Passed, with the numbers.
    Passed(String),
    /// Failed, with the numbers.
    Failed(String),
    /// The data to apply it are missing; the party is not excluded on this ground.
    NotCheckable(String),
}

impl Check {
    fn blocks(&self) -> bool {
        matches!(self, Check::Failed(_))
    }

    /// `not-required`, `exempt`, `passed`, `failed` or `not-checkable`.
    pub fn key(&self) -> &'static str {
        match self {
            Check::NotRequired => "not-required",
            Check::Exempt => "exempt",
            Check::Passed(_) => "passed",
            Check::Failed(_) => "failed",
            Check::NotCheckable(_) => "not-checkable",
        }
    }

    /// The explanation, empty where there is none.
    pub fn detail(&self) -> &str {
        match self {
            Check::Passed(d) | Check::Failed(d) | Check::NotCheckable(d) => d,
            Check::NotRequired | Check::Exempt => "",
        }
    }
}

/// One party's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyOutcome {
    /// The party.
    pub name: String,
    /// Its national votes.
    pub votes: u64,
    /// The national threshold test.
    pub national: Check,
    /// The regional threshold test.
    pub regional: Check,
    /// Whether it takes part in the list allocation.
    pub eligible: bool,
    /// List seats before the cap.
    pub uncapped_seats: u64,
    /// List seats.
    pub list_seats: u64,
    /// District seats won.
    pub district_seats: u64,
    /// Total seats.
    pub seats: u64,
}

/// One district's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistrictOutcome {
    /// The district.
    pub name: String,
    /// The winning line (candidate index), if any votes were cast.
    pub winner: Option<usize>,
    /// The winner's party.
    pub party: Option<usize>,
    /// "Against all" won: the seat stays vacant for a re-run.
    pub vacant: bool,
    /// A tie for the top place, broken by the tie rule (candidate indices).
    pub tie: Option<Tie>,
}

/// The result of [`allocate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Per party, in input order.
    pub parties: Vec<PartyOutcome>,
    /// Per district, in input order.
    pub districts: Vec<DistrictOutcome>,
    /// Ties broken by the tie rule.
    pub ties: Vec<Tie>,
    /// The national base and its value, when a national threshold applies.
    pub base: Option<(Base, u64)>,
    /// What a reader must know: bases assumed, tests not checkable, caps applied.
    pub notes: Vec<Note>,
}

/// Allocates the seats of `p` under its law.
pub fn allocate(p: &Problem) -> Result<Outcome, SeatsError> {
    validate(p)?;
    let n = p.parties.len();
    let mut notes = Vec::new();
    let listed: u64 = p.votes.iter().sum();
    let exempt: HashSet<usize> = p.exempt.iter().copied().collect();
    let mut national = vec![Check::NotRequired; n];
    let mut regional = vec![Check::NotRequired; n];
    let mut base = None;
    if let Some(t) = &p.threshold {
        let b = base_value(t, listed)?;
        if let Some(share) = t.national {
            base = Some((t.base, b));
            for (slot, &v) in national.iter_mut().zip(&p.votes) {
                *slot = national_check(share, v, b, t);
            }
        }
        if let Some(share) = t.regional {
            if p.regions.is_empty() {
                let why =
                    "no regional counts were given, so the regional threshold cannot be applied";
                notes.push(Note::RegionalNotApplied {
                    percent: share.percent(2),
                });
                regional = vec![Check::NotCheckable(why.to_string()); n];
            } else {
                if t.regional_base == RegionalBase::Region
                    && p.regions.iter().any(|r| r.base_votes.is_none())
                {
                    notes.push(Note::RegionalBaseListed);
                }
                for (i, slot) in regional.iter_mut().enumerate() {
                    *slot = regional_check(share, p, i, t, b);
                }
            }
        }
    }
    for &i in &exempt {
        national[i] = Check::Exempt;
        regional[i] = Check::Exempt;
    }
    let eligible: Vec<bool> = (0..n)
        .map(|i| !national[i].blocks() && !regional[i].blocks())
        .collect();
    let mut ties = Vec::new();
    let uncapped = list_seats(p, &eligible, &mut ties, &mut notes)?;
    let list = apply_cap(p, &eligible, &uncapped, &mut ties, &mut notes)?;
    let (districts, won) = districts(p)?;
    let parties = (0..n)
        .map(|i| PartyOutcome {
            name: p.parties[i].clone(),
            votes: p.votes[i],
            national: national[i].clone(),
            regional: regional[i].clone(),
            eligible: eligible[i],
            uncapped_seats: uncapped[i],
            list_seats: list[i],
            district_seats: won[i],
            seats: list[i] + won[i],
        })
        .collect();
    Ok(Outcome {
        parties,
        districts,
        ties,
        base,
        notes,
    })
}

/// The most list seats a problem may have. The largest legislatures have a few thousand
/// seats; the bound keeps an allocation quick (highest averages give seat after seat) and
/// every product of the exact arithmetic, margins included, well within 128 bits (a divisor
/// of the 100,000th seat is below 2^35). A larger number is refused, not computed for hours.
pub const MAX_SEATS: u64 = 100_000;

pub(crate) fn validate(p: &Problem) -> Result<(), SeatsError> {
    let bad = |m: String| Err(SeatsError::Invalid(m));
    if p.seats == 0 && p.districts.is_empty() {
        return bad("seats must be at least 1".into());
    }
    if p.seats > MAX_SEATS {
        return bad(format!(
            "{} seats: at most {MAX_SEATS} list seats are allocated",
            p.seats
        ));
    }
    if p.parties.is_empty() {
        return bad("no parties".into());
    }
    if p.votes.len() != p.parties.len() {
        return bad("votes and parties differ in number".into());
    }
    let mut seen = HashSet::new();
    for name in &p.parties {
        if !seen.insert(name.as_str()) {
            return bad(format!("party '{name}' is listed twice"));
        }
    }
    if let Some(t) = &p.threshold {
        for (what, f) in [("national", t.national), ("regional", t.regional)] {
            if let Some(f) = f {
                if f.num > f.den {
                    return bad(format!("the {what} threshold {f} is outside [0, 1]"));
                }
            }
        }
    }
    for r in &p.regions {
        if r.votes.len() != p.parties.len() {
            return bad(format!(
                "region '{}' has {} vote counts for {} parties",
                r.name,
                r.votes.len(),
                p.parties.len()
            ));
        }
    }
    // Votes are added (the listed base, alliances): their sums must be exact.
    let fits = |v: &[u64]| v.iter().try_fold(0u64, |a, &x| a.checked_add(x)).is_some();
    if !fits(&p.votes) {
        return bad("the parties' votes add up to more than 18446744073709551615".into());
    }
    if let Some(r) = p.regions.iter().find(|r| !fits(&r.votes)) {
        return bad(format!(
            "region '{}': the parties' votes add up to more than 18446744073709551615",
            r.name
        ));
    }
    // Every reference to a party is checked: exemptions, alliances and candidates.
    for d in &p.districts {
        for c in &d.candidates {
            if let Some(i) = c.party.filter(|&i| i >= p.parties.len()) {
                return bad(format!(
                    "district '{}': candidate '{}' is nominated by party {i}, which does not exist ({} parties)",
                    d.name,
                    c.name,
                    p.parties.len()
                ));
            }
        }
    }
    if let Some(&i) = p.exempt.iter().find(|&&i| i >= p.parties.len()) {
        return bad(format!("exempt party {i} does not exist"));
    }
    let mut member = HashSet::new();
    for a in &p.alliances {
        for &m in &a.members {
            if m >= p.parties.len() || !member.insert(m) {
                return bad(format!(
                    "alliance '{}' names a party that does not exist or is in another alliance",
                    a.name
                ));
            }
        }
    }
    if p.cap == Some(0) {
        return bad("cap must be at least 1".into());
    }
    Ok(())
}

fn base_value(t: &Threshold, listed: u64) -> Result<u64, SeatsError> {
    match (t.base, t.base_votes) {
        (Base::Listed, None) => Ok(listed),
        (Base::Listed, Some(b)) if b != listed => Err(SeatsError::invalid(format!(
            "base 'listed' is the sum of the listed votes, {listed}, but base_votes says {b}"
        ))),
        (_, Some(b)) if b < listed => Err(SeatsError::invalid(format!(
            "base_votes {b} is smaller than the listed votes {listed}"
        ))),
        (_, Some(b)) => Ok(b),
        (base, None) => Err(SeatsError::invalid(format!(
            "the threshold base '{}' needs base_votes (the number of {} ballots)",
            base.key(),
            base.key()
        ))),
    }
}

fn national_check(share: Fraction, votes: u64, base: u64, t: &Threshold) -> Check {
    let op = if t.strict { ">" } else { ">=" };
    let detail = format!(
        "{votes} of {base} ({}) = {}%, threshold {op} {}%",
        t.base.key(),
        percent(votes, base),
        share.percent(2)
    );
    if share.reached_by(votes, base, t.strict) {
        Check::Passed(detail)
    } else {
        Check::Failed(detail)
    }
}

/// The regional base of region `r`.
pub fn region_base(r: &Region, t: &Threshold, national: u64) -> u64 {
    match t.regional_base {
        RegionalBase::National => national,
        RegionalBase::Region => r.base_votes.unwrap_or_else(|| r.votes.iter().sum()),
    }
}

fn regional_check(share: Fraction, p: &Problem, i: usize, t: &Threshold, national: u64) -> Check {
    let op = if t.strict { ">" } else { ">=" };
    let mut weakest: Option<(&Region, u64)> = None;
    let mut failed = Vec::new();
    for r in &p.regions {
        let b = region_base(r, t, national);
        if !share.reached_by(r.votes[i], b, t.strict) {
            failed.push(format!("{} {}%", r.name, percent(r.votes[i], b)));
        }
        let lower = weakest.is_none_or(|(w, wb)| {
            u128::from(r.votes[i]) * u128::from(wb) < u128::from(w.votes[i]) * u128::from(b)
        });
        if lower {
            weakest = Some((r, b));
        }
    }
    let Some((w, b)) = weakest else {
        return Check::NotRequired;
    };
    if failed.is_empty() {
        Check::Passed(format!(
            "{op} {}% in all {} regions; lowest {} {}%",
            share.percent(2),
            p.regions.len(),
            w.name,
            percent(w.votes[i], b)
        ))
    } else {
        Check::Failed(format!(
            "below {}% in {}",
            share.percent(2),
            failed.join(", ")
        ))
    }
}

/// List seats among the eligible parties, through alliances when there are any.
fn list_seats(
    p: &Problem,
    eligible: &[bool],
    ties: &mut Vec<Tie>,
    notes: &mut Vec<Note>,
) -> Result<Vec<u64>, SeatsError> {
    let mut seats = vec![0u64; p.parties.len()];
    if p.seats == 0 {
        return Ok(seats);
    }
    let idx: Vec<usize> = (0..p.parties.len()).filter(|&i| eligible[i]).collect();
    if idx.is_empty() {
        return Err(SeatsError::invalid("no party passed the thresholds"));
    }
    // Entities: each alliance (its eligible members) and each eligible party outside one.
    let mut entities: Vec<(String, Vec<usize>)> = Vec::new();
    let mut allied = HashSet::new();
    for a in &p.alliances {
        let members: Vec<usize> = a.members.iter().copied().filter(|&m| eligible[m]).collect();
        allied.extend(members.iter().copied());
        if !members.is_empty() {
            entities.push((a.name.clone(), members));
        }
    }
    for &i in &idx {
        if !allied.contains(&i) {
            entities.push((p.parties[i].clone(), vec![i]));
        }
    }
    // Keep list order: an entity stands where its first member stands.
    entities.sort_by_key(|(_, m)| m[0]);
    let names: Vec<String> = entities.iter().map(|(n, _)| n.clone()).collect();
    let votes: Vec<u64> = entities
        .iter()
        .map(|(_, m)| m.iter().map(|&i| p.votes[i]).sum())
        .collect();
    let top = apportion(p.method, p.seats, &votes, &names, &p.ties)?;
    notes.extend(top.note.clone());
    ties.extend(remap(
        top.ties,
        &entities.iter().map(|(_, m)| m[0]).collect::<Vec<_>>(),
    ));
    for ((_, members), &s) in entities.iter().zip(&top.seats) {
        if members.len() == 1 {
            seats[members[0]] = s;
        } else if s > 0 {
            let inner = sub_apportion(p, members, s)?;
            ties.extend(inner.ties.iter().cloned());
            notes.extend(inner.note.clone());
            for (&m, &x) in members.iter().zip(&inner.seats) {
                seats[m] = x;
            }
        }
    }
    Ok(seats)
}

/// Apportions `seats` among `members`, with tie reports in problem indices.
fn sub_apportion(p: &Problem, members: &[usize], seats: u64) -> Result<Apportionment, SeatsError> {
    let names: Vec<String> = members.iter().map(|&i| p.parties[i].clone()).collect();
    let votes: Vec<u64> = members.iter().map(|&i| p.votes[i]).collect();
    let mut a = apportion(p.method, seats, &votes, &names, &p.ties)?;
    a.ties = remap(a.ties, members);
    Ok(a)
}

fn remap(ties: Vec<Tie>, to: &[usize]) -> Vec<Tie> {
    ties.into_iter()
        .map(|t| Tie {
            parties: t.parties.iter().map(|&i| to[i]).collect(),
            winners: t.winners.iter().map(|&i| to[i]).collect(),
            ..t
        })
        .collect()
}

/// The cap: a party above it keeps the cap, and the remaining seats are apportioned again
/// among the parties not capped, until no party exceeds it. (Kyrgyz law does not document
/// the redistribution procedure; this iterative reallocation is the parameterised choice,
/// see `electoral-law.md` §1.5 question 3.)
fn apply_cap(
    p: &Problem,
    eligible: &[bool],
    seats: &[u64],
    ties: &mut Vec<Tie>,
    notes: &mut Vec<Note>,
) -> Result<Vec<u64>, SeatsError> {
    let Some(cap) = p.cap else {
        return Ok(seats.to_vec());
    };
    let count = eligible.iter().filter(|e| **e).count() as u64;
    if cap.saturating_mul(count) < p.seats {
        return Err(SeatsError::invalid(format!(
            "cap {cap} is below the seats needed: {count} eligible parties can hold at most {} of {} seats",
            cap * count,
            p.seats
        )));
    }
    let mut out = seats.to_vec();
    let mut capped: Vec<usize> = Vec::new();
    while out.iter().any(|&s| s > cap) {
        for (i, s) in out.iter_mut().enumerate() {
            if *s > cap {
                notes.push(Note::Capped {
                    party: p.parties[i].clone(),
                    seats: *s,
                    cap,
                });
                *s = cap;
                capped.push(i);
            }
        }
        let rest: Vec<usize> = (0..out.len())
            .filter(|&i| eligible[i] && !capped.contains(&i))
            .collect();
        let left = p.seats - cap * capped.len() as u64;
        let a = sub_apportion(p, &rest, left)?;
        ties.extend(a.ties.iter().cloned());
        notes.extend(a.note.clone());
        for (&i, &s) in rest.iter().zip(&a.seats) {
            out[i] = s;
        }
    }
    Ok(out)
}

/// Plurality in each district; "against all" on top leaves the seat vacant.
fn districts(p: &Problem) -> Result<(Vec<DistrictOutcome>, Vec<u64>), SeatsError> {
    let mut won = vec![0u64; p.parties.len()];
    let mut out = Vec::new();
    for d in &p.districts {
        let top = d.candidates.iter().map(|c| c.votes).max().unwrap_or(0);
        let mut tie_won = None;
        let leaders: Vec<usize> = (0..d.candidates.len())
            .filter(|&i| d.candidates[i].votes == top)
            .collect();
        let winner = match leaders.as_slice() {
            _ if top == 0 => None,
            [one] => Some(*one),
            many => {
                let names: Vec<String> = d.candidates.iter().map(|c| c.name.clone()).collect();
                let tie = break_tie(many, 1, &names, &p.ties).map_err(|e| match e {
                    SeatsError::Tie { parties, seats } => SeatsError::Tie {
                        parties: parties
                            .into_iter()
                            .map(|c| format!("{c} (district {})", d.name))
                            .collect(),
                        seats,
                    },
                    other => other,
                })?;
                let w = tie.winners[0];
                tie_won = Some(tie);
                Some(w)
            }
        };
        let vacant = winner.is_some_and(|w| d.candidates[w].against_all);
        let party = winner
            .filter(|_| !vacant)
            .and_then(|w| d.candidates[w].party);
        if let Some(party) = party {
            won[party] += 1;
        }
        out.push(DistrictOutcome {
            name: d.name.clone(),
            winner,
            party,
            vacant,
            tie: tie_won,
        });
    }
    Ok((out, won))
}

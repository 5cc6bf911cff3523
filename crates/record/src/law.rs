//! A law preset applied to an election's totals: the seat-allocation problem that the
//! publisher states and the verifier recomputes.

use model::{ChoiceKind, Election, Line, Protocol, UnitLevel};
use seats::{preset, Base, Problem, Region};
use tabulate::{tabulate, Filter, Totals};

use crate::RecordError;

/// A problem and what a reader must know about how it was built.
#[derive(Debug, Clone)]
pub struct Built {
    /// The allocation problem.
    pub problem: Problem,
    /// How bases were approximated, which regions were left out, the law's sources.
    pub notes: Vec<String>,
}

/// Checks that `key` names a law preset (`seats::preset`); the error lists the presets.
pub fn check_law(key: &str) -> Result<(), RecordError> {
    preset::law(key)
        .map(|_| ())
        .map_err(|x| RecordError::Law(x.to_string()))
}

/// The base value a unit's totals give, and a note when it had to be approximated.
fn base_of(t: &Totals, base: Base, listed: u64) -> Result<(u64, Option<String>), RecordError> {
    Ok(match base {
        Base::Listed => (listed, None),
        Base::Registered => match t.line(Line::Registered) {
            Some(r) => (r, None),
            None => return Err(RecordError::Law("the data have no registered-voter line: the base 'registered' cannot be computed".into())),
        },
        Base::Valid => match t.line(Line::Valid) {
            Some(v) => (v, None),
            None => (t.choice_sum(), Some("no valid-ballot line: the base is the sum of every ballot line's votes".into())),
        },
        Base::Participated => match (t.line(Line::Valid), t.line(Line::Invalid)) {
            // Exact: a tabulation refuses totals whose valid + invalid does not fit.
            (Some(v), Some(i)) => (v.checked_add(i).ok_or_else(|| RecordError::Law("valid + invalid ballots exceed 18446744073709551615".into()))?, None),
            (Some(v), None) => (
                v,
                Some("the data have no invalid-ballot line: the 'participated' base is taken as the valid ballots (every listed vote plus \"against all\"), which understates the legal base".into()),
            ),
            _ => (t.choice_sum(), Some("the data have neither valid nor invalid lines: the base is the sum of every ballot line".into())),
        },
    })
}

/// The law's allocation problem for the first contest of `e` over `protocols` (one per
/// station), leaving out stations under `filter`'s units: national totals, the chosen base,
/// and regional counts (stations abroad are not a region). Totals that do not fit in 64 bits
/// are [`RecordError::Overflow`].
pub fn problem_from_election(
    e: &Election,
    protocols: &[Protocol],
    law: &preset::Law,
    base: Option<Base>,
    filter: Filter,
) -> Result<Built, RecordError> {
    let contest = e
        .contests
        .first()
        .ok_or_else(|| RecordError::Law("the election has no contest".into()))?;
    let parties: Vec<usize> = (0..contest.choices.len())
        .filter(|&i| contest.choices[i].kind == ChoiceKind::Party)
        .collect();
    let tally = tabulate(e, 0, protocols, filter)?;
    let country = tally.totals(e.units.root());
    let mut notes = Vec::new();
    let votes: Vec<u64> = parties.iter().map(|&i| country.votes[i]).collect();
    let mut threshold = law.threshold.clone();
    if let Some(b) = base {
        threshold.base = b;
    }
    let (b, note) = base_of(&country, threshold.base, votes.iter().sum())?;
    notes.extend(note);
    threshold.base_votes = (threshold.base != Base::Listed).then_some(b);
    let mut regions = Vec::new();
    for (id, t) in tally.at_level(&e.units, UnitLevel::Region) {
        let name = e.units.get(id).name;
        if law.abroad.contains(&name) {
            notes.push(format!("'{name}' (stations abroad) is not one of the law's regions: left out of the regional test"));
            continue;
        }
        let rv: Vec<u64> = parties.iter().map(|&i| t.votes[i]).collect();
        let (rb, _) = base_of(t, threshold.base, rv.iter().sum())?;
        regions.push(Region {
            name: name.to_string(),
            votes: rv,
            base_votes: Some(rb),
        });
    }
    notes.push(format!(
        "law {}: {}; sources: {}",
        law.key, law.title, law.sources
    ));
    let mut p = Problem::new(
        law.seats,
        law.method,
        parties
            .iter()
            .map(|&i| contest.choices[i].name.clone())
            .collect(),
        votes,
    );
    p.threshold = Some(threshold);
    p.regions = regions;
    p.cap = Some(law.cap);
    p.ties = law.ties.clone();
    Ok(Built { problem: p, notes })
}

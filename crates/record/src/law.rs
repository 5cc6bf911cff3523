//! A law preset applied to an election's totals: the seat-allocation problem that the
//! publisher states and the verifier recomputes.

use model::{ChoiceKind, Election, Fraction, Line, Protocol, UnitLevel};
use seats::{preset, Base, Problem, Region};
use tabulate::{tabulate, Filter, Tally, Totals};

use crate::RecordError;

/// A problem and what a reader must know about how it was built.
#[derive(Debug, Clone)]
pub struct Built {
    /// The allocation problem.
    pub problem: Problem,
    /// How bases were approximated, which regions were left out, the law's sources.
    pub notes: Vec<LawNote>,
}

impl Built {
    /// The notes in English, as the command line prints them and the JSON carries them.
    pub fn notes_text(&self) -> Vec<String> {
        self.notes.iter().map(ToString::to_string).collect()
    }
}

/// One thing a reader must know about how a law was applied to the totals. Typed, so that a
/// page says each in its reader's language; `Display` is the English of the command line and
/// the JSON answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LawNote {
    /// A region of stations abroad, which the law's regional test leaves out.
    Abroad {
        /// Its name, from the data.
        region: String,
    },
    /// The law applied, with its title and sources (citations, in English).
    Law {
        /// The preset's key (`kg2020`).
        key: String,
        /// Its title.
        title: String,
        /// Where it comes from.
        sources: String,
    },
    /// No valid-ballot line: the base is the sum of every ballot line's votes.
    ValidFromChoices,
    /// No invalid-ballot line: those who took part are taken as the valid ballots, which
    /// understates the legal base.
    ParticipatedFromValid,
    /// Neither valid nor invalid lines: the base is the sum of every ballot line.
    ParticipatedFromChoices,
}

impl std::fmt::Display for LawNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LawNote::Abroad { region } => write!(f, "'{region}' (stations abroad) is not one of the law's regions: left out of the regional test"),
            LawNote::Law { key, title, sources } => write!(f, "law {key}: {title}; sources: {sources}"),
            LawNote::ValidFromChoices => f.write_str("no valid-ballot line: the base is the sum of every ballot line's votes"),
            LawNote::ParticipatedFromValid => f.write_str("the data have no invalid-ballot line: the 'participated' base is taken as the valid ballots (every listed vote plus \"against all\"), which understates the legal base"),
            LawNote::ParticipatedFromChoices => f.write_str("the data have neither valid nor invalid lines: the base is the sum of every ballot line"),
        }
    }
}

/// Checks that `key` names a law preset (`seats::preset`); the error lists the presets.
pub fn check_law(key: &str) -> Result<(), RecordError> {
    preset::law(key)
        .map(|_| ())
        .map_err(|x| RecordError::Law(x.to_string()))
}

/// The base value a unit's totals give, and a note when it had to be approximated.
fn base_of(t: &Totals, base: Base, listed: u64) -> Result<(u64, Option<LawNote>), RecordError> {
    Ok(match base {
        Base::Listed => (listed, None),
        Base::Registered => match t.line(Line::Registered) {
            Some(r) => (r, None),
            None => return Err(RecordError::Law(
                "the data have no registered-voter line: the base 'registered' cannot be computed"
                    .into(),
            )),
        },
        Base::Valid => match t.line(Line::Valid) {
            Some(v) => (v, None),
            None => (t.choice_sum(), Some(LawNote::ValidFromChoices)),
        },
        Base::Participated => match (t.line(Line::Valid), t.line(Line::Invalid)) {
            // Exact: a tabulation refuses totals whose valid + invalid does not fit.
            (Some(v), Some(i)) => (
                v.checked_add(i).ok_or_else(|| {
                    RecordError::Law("valid + invalid ballots exceed 18446744073709551615".into())
                })?,
                None,
            ),
            (Some(v), None) => (v, Some(LawNote::ParticipatedFromValid)),
            _ => (t.choice_sum(), Some(LawNote::ParticipatedFromChoices)),
        },
    })
}

/// A law's national threshold over an election's country totals: the share, its base and the
/// base's value, and the least votes that reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NationalThreshold {
    /// The threshold, a share of the base.
    pub share: Fraction,
    /// What it is a share of.
    pub base: Base,
    /// The base's value.
    pub base_votes: u64,
    /// The least votes that reach it (`strict`: exceed it).
    pub least: u64,
    /// Why the base's value is an approximation (the totals lack one of its lines), if it is.
    pub approximated: Option<LawNote>,
}

/// The national threshold of `law` over the first contest's `country` totals (the tally the
/// caller already has, annulled stations left out), on the law's own base: `None` when the
/// law has none, or its base cannot be computed from the totals.
pub fn national_threshold(
    e: &Election,
    country: &Totals,
    law: &preset::Law,
) -> Option<NationalThreshold> {
    let contest = e.contests.first()?;
    let listed: u64 = (0..contest.choices.len())
        .filter(|&i| contest.choices[i].kind == ChoiceKind::Party)
        .filter_map(|i| country.votes.get(i))
        .sum();
    let t = &law.threshold;
    let share = t.national?;
    let (base_votes, approximated) = base_of(country, t.base, listed).ok()?;
    Some(NationalThreshold {
        share,
        base: t.base,
        base_votes,
        least: share.least_reaching(base_votes, t.strict)?,
        approximated,
    })
}

/// The law's allocation problem for the first contest of `e` over `protocols` (one per
/// station), leaving out stations under `filter`'s units: national totals, the chosen base,
/// and regional counts (stations abroad are not a region). Totals that do not fit in 64 bits
/// are [`RecordError::Overflow`].
pub fn problem_from_election<'p>(
    e: &Election,
    protocols: impl IntoIterator<Item = &'p Protocol>,
    law: &preset::Law,
    base: Option<Base>,
    filter: Filter,
) -> Result<Built, RecordError> {
    if e.contests.is_empty() {
        return Err(RecordError::Law("the election has no contest".into()));
    }
    let tally = tabulate(e, 0, protocols, filter)?;
    problem_from_tally(e, &tally, law, base)
}

/// [`problem_from_election`] from the first contest's tally (as it left stations out).
pub fn problem_from_tally(
    e: &Election,
    tally: &Tally,
    law: &preset::Law,
    base: Option<Base>,
) -> Result<Built, RecordError> {
    let contest = e
        .contests
        .first()
        .ok_or_else(|| RecordError::Law("the election has no contest".into()))?;
    let parties: Vec<usize> = (0..contest.choices.len())
        .filter(|&i| contest.choices[i].kind == ChoiceKind::Party)
        .collect();
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
            notes.push(LawNote::Abroad {
                region: name.to_string(),
            });
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
    notes.push(LawNote::Law {
        key: law.key.to_string(),
        title: law.title.to_string(),
        sources: law.sources.to_string(),
    });
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

#[cfg(test)]
mod threshold_tests {
    use super::*;
    use model::{Choice, Contest, ContestKind};

    /// Kyrgyz 2020: 7% of the voters who took part (valid + invalid ballots), reached (not
    /// exceeded). Valid 1,000 + invalid 50 = 1,050 took part; 7% of 1,050 is 73.5, so 74 votes.
    /// Without an invalid line the base falls back to the valid ballots: 7% of 1,000 = 70.
    #[test]
    fn the_national_threshold_is_counted_on_the_laws_base() {
        let mut e = Election::new("x");
        e.contests.push(Contest::new(
            "list",
            ContestKind::PartyList,
            vec![
                Choice::new("A", ChoiceKind::Party),
                Choice::new("B", ChoiceKind::Party),
                Choice::new("against all", ChoiceKind::AgainstAll),
            ],
        ));
        let mut t = Totals::new(3);
        t.votes = vec![600, 300, 100];
        t.reporting = 1;
        for (line, value) in [(Line::Valid, 1_000), (Line::Invalid, 50)] {
            t.lines[line.index()] = value;
            t.line_stations[line.index()] = 1;
        }
        let law = preset::law("kg2020").unwrap();
        let got = national_threshold(&e, &t, &law).unwrap();
        assert_eq!(
            (got.base, got.base_votes, got.least),
            (Base::Participated, 1_050, 74)
        );
        assert_eq!(got.approximated, None);
        t.line_stations[Line::Invalid.index()] = 0;
        let approximate = national_threshold(&e, &t, &law).unwrap();
        assert_eq!(approximate.least, 70);
        assert!(approximate.approximated.is_some());
    }
}

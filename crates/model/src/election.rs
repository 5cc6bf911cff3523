//! Elections, contests and choices.

use strum::{EnumString, IntoStaticStr, VariantArray};

use crate::{ControlRules, ModelError, UnitTree};

/// One election: its contests, its unit tree and the control relations its law declares.
#[derive(Debug, Clone)]
pub struct Election {
    /// A name unique within a store, e.g. `kg2020-2413`.
    pub name: String,
    /// The date of the vote, `YYYY-MM-DD` ([`check_date`]), when known.
    pub date: Option<String>,
    /// The law preset it is held under (a key of `seats::preset`: `kg2020`...), when known:
    /// its seats and which count is its legal result (`record::legal_count`) follow from it.
    pub law: Option<String>,
    /// The contests on the ballot.
    pub contests: Vec<Contest>,
    /// The administrative units, from the country to the stations.
    pub units: UnitTree,
    /// The arithmetic checks that this election's law puts on each protocol.
    pub rules: ControlRules,
}

impl Election {
    /// The names of contest `contest`'s choices, in ballot order (none for a contest the
    /// election does not have).
    pub fn choice_names(&self, contest: usize) -> Vec<String> {
        self.contests
            .get(contest)
            .map(|c| c.choices.iter().map(|x| x.name.clone()).collect())
            .unwrap_or_default()
    }

    /// An election with no contests, a tree holding only the country, and the
    /// [`ControlRules::standard`] relations.
    pub fn new(name: &str) -> Election {
        Election {
            name: name.to_string(),
            date: None,
            law: None,
            contests: Vec::new(),
            units: UnitTree::new("country"),
            rules: ControlRules::standard(),
        }
    }

    /// A new election over one unit of this one (a re-vote): the same contests, rules, date
    /// and law, and a unit tree holding the unit's ancestors and everything under it, with the
    /// same names (ids are renumbered).
    pub fn part(&self, name: &str, unit: crate::UnitId) -> Result<Election, ModelError> {
        let tree = &self.units;
        let mut units = UnitTree::new(tree.get(tree.root()).name);
        let mut new_id = vec![None; tree.len()];
        new_id[tree.root().index()] = Some(units.root());
        // The unit's ancestors and the units under it: parents come before children in a
        // tree's ids, so one pass in id order suffices.
        let chain: Vec<_> = tree.ancestry(unit).collect();
        let mut inside = vec![false; tree.len()];
        inside[unit.index()] = true;
        for (id, u) in tree.iter() {
            let Some(parent) = u.parent else { continue };
            if inside[parent.index()] {
                inside[id.index()] = true;
            }
            if !(inside[id.index()] || chain.contains(&id)) {
                continue;
            }
            if let Some(p) = new_id[parent.index()] {
                new_id[id.index()] = Some(units.insert(p, u.level, u.name)?);
            }
        }
        Ok(Election {
            name: name.to_string(),
            date: self.date.clone(),
            law: self.law.clone(),
            contests: self.contests.clone(),
            units,
            rules: self.rules.clone(),
        })
    }
}

/// How a contest's seats are contested.
#[derive(EnumString, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "kebab-case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContestKind {
    /// Votes for party lists (proportional representation).
    PartyList,
    /// Votes for candidates in a single-member contest (a district or a presidency).
    SingleMember,
    /// A referendum or plebiscite question with answers.
    Referendum,
}

impl ContestKind {
    /// Every kind.
    pub const ALL: &'static [ContestKind] = ContestKind::VARIANTS;

    /// The kind's stable name.
    pub fn key(self) -> &'static str {
        self.into()
    }

    /// Parses [`ContestKind::key`].
    pub fn from_key(s: &str) -> Result<ContestKind, ModelError> {
        s.parse()
            .map_err(|_| crate::unknown_name::<ContestKind>("contest kind", s))
    }
}

/// One contest: a ballot paper with its choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contest {
    /// The contest's name, unique in its election.
    pub name: String,
    /// How it is contested.
    pub kind: ContestKind,
    /// The choices in ballot order. A protocol's votes are indexed the same way.
    pub choices: Vec<Choice>,
}

impl Contest {
    /// A contest with these choices.
    pub fn new(name: &str, kind: ContestKind, choices: Vec<Choice>) -> Contest {
        Contest {
            name: name.to_string(),
            kind,
            choices,
        }
    }
}

/// What a line on the ballot is.
#[derive(EnumString, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChoiceKind {
    /// A party list.
    Party,
    /// A candidate.
    Candidate,
    /// "Against all" (Kyrgyz "баарына каршы", Russian "против всех"). Under Kyrgyz law it
    /// can win a single-member district, which is then left vacant for a re-run.
    AgainstAll,
    /// An answer to a referendum question ("yes", "no").
    Answer,
}

impl ChoiceKind {
    /// Every kind.
    pub const ALL: &'static [ChoiceKind] = ChoiceKind::VARIANTS;

    /// The kind's stable name.
    pub fn key(self) -> &'static str {
        self.into()
    }

    /// Parses [`ChoiceKind::key`].
    pub fn from_key(s: &str) -> Result<ChoiceKind, ModelError> {
        s.parse()
            .map_err(|_| crate::unknown_name::<ChoiceKind>("choice kind", s))
    }
}

/// One choice on a ballot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The name as printed on the ballot.
    pub name: String,
    /// What the choice is.
    pub kind: ChoiceKind,
    /// The number on the ballot, when the ballot numbers its choices.
    pub ballot_number: Option<u32>,
}

impl Choice {
    /// A choice without a ballot number.
    pub fn new(name: &str, kind: ChoiceKind) -> Choice {
        Choice {
            name: name.to_string(),
            kind,
            ballot_number: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UnitLevel;

    #[test]
    fn a_part_keeps_the_unit_its_ancestors_and_everything_under_it() {
        let mut e = Election::new("e");
        let t = &mut e.units;
        let r1 = t.insert(t.root(), UnitLevel::Region, "R1").unwrap();
        let r2 = t.insert(t.root(), UnitLevel::Region, "R2").unwrap();
        let d1 = t.insert(r1, UnitLevel::District, "D1").unwrap();
        let d2 = t.insert(r1, UnitLevel::District, "D2").unwrap();
        t.insert(d1, UnitLevel::Station, "1").unwrap();
        t.insert(d2, UnitLevel::Station, "2").unwrap();
        t.insert(r2, UnitLevel::Station, "3").unwrap();
        t.insert(d1, UnitLevel::Station, "4").unwrap();
        (e.date, e.law) = (Some("2020-10-04".into()), Some("kg2020".into()));
        let p = e.part("revote", d1).unwrap();
        assert_eq!((p.date, p.law), (e.date.clone(), e.law.clone()));
        let paths: Vec<String> = p.units.iter().map(|(id, _)| p.units.path(id)).collect();
        assert_eq!(
            paths,
            ["country", "R1", "R1 / D1", "R1 / D1 / 1", "R1 / D1 / 4"]
        );
        let whole = e.part("all", e.units.root()).unwrap();
        assert_eq!(whole.units.len(), e.units.len());
    }
}

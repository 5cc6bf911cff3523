//! Elections, contests and choices.

use crate::{ControlRules, ModelError, UnitTree};

/// One election: its contests, its unit tree and the control relations its law declares.
#[derive(Debug, Clone)]
pub struct Election {
    /// A name unique within a store, e.g. `kg2020-2413`.
    pub name: String,
    /// The date of the vote, `YYYY-MM-DD`, when known.
    pub date: Option<String>,
    /// The contests on the ballot.
    pub contests: Vec<Contest>,
    /// The administrative units, from the country to the stations.
    pub units: UnitTree,
    /// The arithmetic checks that this election's law puts on each protocol.
    pub rules: ControlRules,
}

impl Election {
    /// An election with no contests, a tree holding only the country, and the
    /// [`ControlRules::standard`] relations.
    pub fn new(name: &str) -> Election {
        Election {
            name: name.to_string(),
            date: None,
            contests: Vec::new(),
            units: UnitTree::new("country"),
            rules: ControlRules::standard(),
        }
    }
}

/// How a contest's seats are contested.
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
    pub const ALL: [ContestKind; 3] = [
        ContestKind::PartyList,
        ContestKind::SingleMember,
        ContestKind::Referendum,
    ];

    /// The kind's stable name.
    pub fn key(self) -> &'static str {
        match self {
            ContestKind::PartyList => "party-list",
            ContestKind::SingleMember => "single-member",
            ContestKind::Referendum => "referendum",
        }
    }

    /// Parses [`ContestKind::key`].
    pub fn from_key(s: &str) -> Result<ContestKind, ModelError> {
        ContestKind::ALL
            .into_iter()
            .find(|k| k.key() == s)
            .ok_or_else(|| ModelError::UnknownName {
                what: "contest kind",
                name: s.to_string(),
                expected: ContestKind::ALL.map(|k| k.key()).join(", "),
            })
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
    pub const ALL: [ChoiceKind; 4] = [
        ChoiceKind::Party,
        ChoiceKind::Candidate,
        ChoiceKind::AgainstAll,
        ChoiceKind::Answer,
    ];

    /// The kind's stable name.
    pub fn key(self) -> &'static str {
        match self {
            ChoiceKind::Party => "party",
            ChoiceKind::Candidate => "candidate",
            ChoiceKind::AgainstAll => "against_all",
            ChoiceKind::Answer => "answer",
        }
    }

    /// Parses [`ChoiceKind::key`].
    pub fn from_key(s: &str) -> Result<ChoiceKind, ModelError> {
        ChoiceKind::ALL
            .into_iter()
            .find(|k| k.key() == s)
            .ok_or_else(|| ModelError::UnknownName {
                what: "choice kind",
                name: s.to_string(),
                expected: ChoiceKind::ALL.map(|k| k.key()).join(", "),
            })
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

//! The errors of the forensic tests.

use thiserror::Error;

/// What can stop a forensic test.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ForensicsError {
    /// The contest index is not in the election.
    #[error("the election has {count} contest(s); contest {index} does not exist")]
    NoContest {
        /// The index asked for.
        index: usize,
        /// How many contests there are.
        count: usize,
    },
    /// `--leader` matched no choice.
    #[error("no choice matches the leader '{name}'; the choices are: {choices}")]
    NoLeader {
        /// The name asked for.
        name: String,
        /// The contest's choices, comma-separated.
        choices: String,
    },
    /// `--leader` matched several choices.
    #[error("the leader '{name}' matches several choices ({matches}); give more of the name")]
    AmbiguousLeader {
        /// The name asked for.
        name: String,
        /// The matching choices.
        matches: String,
    },
    /// The contest has no choice at all, so there is no leader.
    #[error("the contest '{0}' has no choices, so it has no leader")]
    NoChoices(String),
    /// A test needs a protocol line that no station reports.
    #[error("no station reports {0}; the integer-percentage test needs registered voters, ballots issued and ballots found")]
    MissingLine(&'static str),
    /// After the filters no station is left.
    #[error("no station passes the filters (R > 0, V >= 100, G/V <= 0.99, L/R <= 0.99)")]
    NothingLeft,
    /// A Monte Carlo needs at least one replicate.
    #[error("the Monte Carlo needs at least one replicate")]
    NoReplicates,
    /// A plot's image could not be encoded.
    #[error("cannot encode the plot's image: {0}")]
    Plot(String),
}

//! The model's one error type.

/// What can go wrong when building an election model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// A unit of this name already exists under the same parent.
    #[error("{level} '{name}' appears twice under '{parent}'")]
    DuplicateUnit {
        /// The level of the unit.
        level: &'static str,
        /// The unit's name.
        name: String,
        /// The full path of the parent unit.
        parent: String,
    },
    /// A unit can only be placed under a unit of a higher level.
    #[error("a {child} cannot be placed under a {parent}")]
    LevelOrder {
        /// The level of the parent.
        parent: &'static str,
        /// The level of the child.
        child: &'static str,
    },
    /// A path names a unit that does not exist.
    #[error("no unit '{name}' under '{parent}' (paths look like 'Region / District / Station')")]
    NoUnit {
        /// The name not found.
        name: String,
        /// The full path of the unit it was looked for under.
        parent: String,
    },
    /// A unit id that is not a whole number within the ids' range (0 to 4,294,967,295).
    #[error("'{0}' is not a unit id (a whole number from 0 to 4294967295)")]
    BadUnitId(String),
    /// Decimal text that is not an exact non-negative fraction ([`crate::Fraction::parse`]).
    #[error("'{text}' {why}")]
    BadDecimal {
        /// The text given.
        text: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// Text that is not a calendar date `YYYY-MM-DD` ([`crate::check_date`]).
    #[error("'{text}' is not a date: {why}")]
    BadDate {
        /// The text given.
        text: String,
        /// What is wrong with it.
        why: String,
    },
    /// A name that cannot be parsed as a level, line, source or kind.
    #[error("unknown {what} '{name}', expected one of: {expected}")]
    UnknownName {
        /// What kind of name was expected.
        what: &'static str,
        /// The name given.
        name: String,
        /// The accepted names.
        expected: String,
    },
    /// A count typed in by staff above the plausibility bound ([`crate::check_plausible`]).
    #[error("{field} {value} is above {bound}, {why}")]
    Implausible {
        /// The line's key, or `votes[i]`.
        field: String,
        /// The count given.
        value: u64,
        /// The largest count allowed.
        bound: u64,
        /// Where the bound comes from.
        why: String,
    },
    /// An observer's copy whose votes and invalid ballots are more than the ballots issued
    /// ([`crate::check_copy`]).
    #[error(
        "votes {votes} and invalid ballots {invalid} are more than the {issued} ballots issued"
    )]
    Exceeds {
        /// The choices' votes.
        votes: u64,
        /// Invalid ballots.
        invalid: u64,
        /// Ballots issued.
        issued: u64,
    },
    /// A user name outside the safe set (`names::normalise_user_name`).
    #[error("user name {name:?}: {why}")]
    BadUserName {
        /// The name given, as given.
        name: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// A typed name that matches none of the names it may stand for (`names::match_name`).
    #[error("'{input}' matches no {what}")]
    NoMatch {
        /// The name typed.
        input: String,
        /// What it was matched against (a party, a user).
        what: &'static str,
    },
    /// A typed name that matches two names: refused, never guessed (`names::match_name`).
    #[error("'{input}' matches more than one {what}: '{first}' and '{second}'; write it exactly")]
    Ambiguous {
        /// The name typed.
        input: String,
        /// What it was matched against.
        what: &'static str,
        /// The first name it matches.
        first: String,
        /// The second name it matches.
        second: String,
    },
    /// A unit search longer than [`crate::search::QUERY_MAX_BYTES`].
    #[error("a search is at most 1000 bytes long; this one is {0}")]
    QueryTooLong(usize),
}

//! The record crate's one error type.

/// What is wrong with an entry or a replay.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// An entry that does not decode.
    #[error("entry {index}: {message}")]
    Decode {
        /// The entry's index in the log.
        index: u64,
        /// What is wrong.
        message: String,
    },
    /// A replay that does not reproduce a logged value.
    #[error("entry {index} ({what}): {field}: logged {logged}, recomputed {recomputed}")]
    Divergence {
        /// The entry's index.
        index: u64,
        /// The kind of entry and its subject.
        what: String,
        /// The field that differs.
        field: String,
        /// What the log says.
        logged: String,
        /// What the replay computes.
        recomputed: String,
    },
    /// An entry that breaks the log's rules (an unknown station, a skipped version, ...).
    #[error("entry {index}: {message}")]
    Invalid {
        /// The entry's index.
        index: u64,
        /// What is wrong.
        message: String,
    },
    /// A field of an entry that is out of its range or names nothing: a unit, contest,
    /// choice, audit, round or draw that does not exist, a list of the wrong length, or a
    /// number too large for what it counts (a unit id above 4294967295). Never truncated,
    /// wrapped or indexed blindly.
    #[error("entry {index}: {field}: {message}")]
    Field {
        /// The entry's index.
        index: u64,
        /// The field, as the entry writes it (`contest`, `units[3].parent`, `readings[0].paper`).
        field: String,
        /// What is wrong with its value.
        message: String,
    },
    /// The law cannot be applied to the data.
    #[error("{0}")]
    Law(String),
    /// An act asked for with a field it cannot take (a blank reason, a unit it needs).
    #[error("{field}: {message}")]
    Act {
        /// The field.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// Totals that do not fit in 64 bits (`tabulate::TabulateError`, naming the unit and the
    /// station): never published wrapped or clamped. In a replay, `index` is the publication's.
    #[error("{}{error}", index.map(|i| format!("entry {i}: ")).unwrap_or_default())]
    Overflow {
        /// The publication entry whose totals overflow, in a replay.
        index: Option<u64>,
        /// What overflows where (in the message, not as a source, so that it is said once).
        error: tabulate::TabulateError,
    },
}

impl From<tabulate::TabulateError> for RecordError {
    fn from(error: tabulate::TabulateError) -> RecordError {
        RecordError::Overflow { index: None, error }
    }
}

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
    /// The law cannot be applied to the data.
    #[error("{0}")]
    Law(String),
}

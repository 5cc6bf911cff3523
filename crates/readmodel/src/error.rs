//! What reading an election's state can run into.

use thiserror::Error;

/// The read model's errors. The caller maps them to its own (the service: an unknown
/// election is not found, totals beyond 64 bits a conflict, the rest an internal error).
#[derive(Debug, Error)]
pub enum ReadError {
    /// No election of that name is stored.
    #[error("no election named '{0}'")]
    NoElection(String),
    /// The store holds no entry for the election, not even its definition.
    #[error("the log of '{0}' is empty")]
    EmptyLog(String),
    /// An entry of the log breaks the log's rules (`record::replay` refuses it too).
    #[error("replaying the log of '{election}': {source}")]
    Replay {
        /// The election.
        election: String,
        /// What the replay refused (boxed: it is large, and rare).
        #[source]
        source: Box<record::RecordError>,
    },
    /// The totals do not fit in 64 bits (the error names the unit and the station); they
    /// come back when a correction brings them within range.
    #[error(transparent)]
    Totals(#[from] tabulate::TabulateError),
    /// An entry about a unit is not in the log's Merkle tree.
    #[error("entry {index} is not in the log's tree of {size} entries")]
    NoEntry {
        /// The entry's index.
        index: u64,
        /// The log's size.
        size: u64,
    },
    /// An entry's inclusion proof could not be made.
    #[error("the inclusion proof of entry {index} in a log of {size} entries: {source}")]
    Proof {
        /// The entry's index.
        index: u64,
        /// The log's size.
        size: u64,
        /// Why.
        #[source]
        source: translog::LogError,
    },
    /// A checkpoint could not be signed.
    #[error("signing the log's checkpoint: {0}")]
    Sign(#[source] translog::LogError),
    /// A witness's cosignature was refused (the message says why).
    #[error("cosignature refused: {0}")]
    Cosignature(String),
    /// A request panicked while holding one of the read model's locks.
    #[error("{0} was poisoned by a request that panicked while holding it")]
    Poisoned(&'static str),
}

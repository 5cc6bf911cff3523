//! The store's one error type.

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed.
    #[error("database {path}: {message}")]
    Db {
        /// The database file or URL (without its password).
        path: String,
        /// The database's error.
        message: String,
    },
    /// No election of that name.
    #[error("no election named '{0}' in the store (see `tallyproof elections`)")]
    NoElection(String),
    /// An election of that name exists already.
    #[error("an election named '{0}' is already in the store: choose another name with --name")]
    ElectionExists(String),
    /// Stored data that cannot be read back.
    #[error("the store is damaged: {0}")]
    Corrupt(String),
    /// A correction that does not fit the stored election.
    #[error("cannot store the correction: {0}")]
    BadCorrection(String),
    /// A staff act the rules refuse (the two-person rule, a stale entry, a taken name).
    #[error("refused: {0}")]
    Refused(String),
    /// An operator's entry for a station outside the units assigned to them.
    #[error("{0}")]
    NotAssigned(String),
    /// An act computed at an earlier log size: the log has grown since (compute it again).
    #[error("refused: the log has grown from {at} to {size} entries since this was computed: compute it again")]
    Stale {
        /// The log's size the act was computed at.
        at: u64,
        /// The log's size now.
        size: u64,
    },
    /// An uploaded file of a kind the store does not take (decided by its bytes).
    #[error("refused file: {0}")]
    BadFile(String),
    /// An argument that is not what it should be (a file's name that is not a SHA-256).
    #[error("{0}")]
    BadInput(String),
    /// No such user, entered protocol or scan.
    #[error("not found: {0}")]
    NotFound(String),
    /// The file was written by a newer tallyproof.
    #[error("the store's schema version {found} is newer than this program's {supported}: upgrade tallyproof")]
    TooNew {
        /// The file's schema version.
        found: i64,
        /// The newest version this program knows.
        supported: i64,
    },
}

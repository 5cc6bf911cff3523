//! How the read model reaches the store: a small trait its caller implements (the service
//! over its pool of connections; the tests over a `store::SqlStore`).

use std::sync::Arc;

use crate::ReadError;

/// Log entries, in order, each its bytes (`docs/log-format.md`).
pub type Entries = Vec<Vec<u8>>;

/// The logs of the stored elections, read through whatever connections the caller keeps.
/// The receiver is an `Arc`, so that a pool can lend a connection that goes back when done.
pub trait Logs {
    /// The caller's error: what a failed read is, and what the read model's own errors
    /// ([`ReadError`]) become in the answers of [`crate::Live`].
    type Error: From<ReadError>;

    /// The entries of election `name`'s log from index `from` on, in order (`from` at
    /// the log's size: none); `None` when no election of that name is stored.
    fn log_since(self: &Arc<Self>, name: &str, from: u64) -> Result<Option<Entries>, Self::Error>;
}

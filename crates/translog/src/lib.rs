//! An append-only Merkle log in the Certificate Transparency style. It knows nothing about
//! elections: entries are opaque bytes.
//!
//! * [`Tree`]: RFC 6962 / RFC 9162 tree hashing with every perfect subtree stored, inclusion
//!   and consistency proofs for any size; [`verify_inclusion`] and [`verify_consistency`]
//!   check proofs (lengths first, then hashes).
//! * [`note`]: C2SP signed notes with Ed25519 keys (Go's `sumdb/note` semantics).
//! * [`checkpoint`]: C2SP tlog-checkpoint and `cosignature/v1` witness cosignatures.
//! * [`tiles`]: C2SP tlog-tiles, the log as static files, written and read back.
//! * [`stream`]: the same tiles written and checked as the entries come, in memory that does
//!   not grow with the log.
//! * [`witness`]: C2SP tlog-witness: cosign only what is consistent with what was cosigned.
//!
//! This crate does no input or output and has no async.

pub mod checkpoint;
mod error;
mod hash;
pub mod note;
mod proof;
pub mod stream;
pub mod tiles;
mod tree;
pub mod witness;

pub use error::LogError;
pub use hash::{bare_sha256_work, leaf_hash, node_hash, Hash};
pub use proof::{root_from_inclusion, verify_consistency, verify_inclusion};
pub use tree::Tree;

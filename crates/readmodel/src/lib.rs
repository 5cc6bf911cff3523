//! What the results service shows is what the log says: each election's state is a replay of
//! its log (`record::Replayer`, with every rule checked), fed the entries appended since. The
//! totals of the first contest are kept up to date entry by entry (`tabulate::Tally::replace`),
//! so a new protocol costs the same at a thousand stations as at a million, and each response
//! is computed once per log size and then served from memory ([`Live::compute`],
//! [`Live::fresh`]). Beside the replay the state keeps the machine and manual counts' totals,
//! the log's Merkle tree (`translog::Tree`, for the inclusion proofs of [`View::logged`]) and
//! the forensic flags ([`Live::flags`]).
//!
//! Exactness: totals are exact both ways. A protocol whose counts would take a total beyond
//! 64 bits (an imported one: the service refuses such entries) leaves the totals unknown, and
//! every read of them ([`View::tally`], [`View::source_tally`]) answers the error naming the
//! unit, until a correction brings them back within range.
//!
//! Freshness: a write made through the service marks its election ([`Live::written`]), and
//! the next read catches up at once; writes made by other processes (the command line, a
//! second server) are seen within [`REFRESH`]. A response that took at least [`HEAVY`] to
//! compute and may rest (a bulk export or page) is recomputed at most every [`COST_FACTOR`]
//! times its cost; every kept response says the log size it covers.
//!
//! This crate knows no HTTP and is not async: it reads the logs through [`Logs`], which the
//! caller implements over its store, and answers bytes. It does no file or network I/O
//! itself. It reads the monotonic clock (`std::time::Instant`) only to decide when to ask
//! the store again, when a kept response may be recomputed and when the flags are scored
//! again, never in what it computes; and it scores a large election's forensic flags on a
//! thread of its own ([`FLAGS_IN_BACKGROUND`]), so that no request waits for them.

mod error;
mod flags;
mod kept;
mod live;
mod logs;
mod register;
mod search;
mod signed;
mod state;
mod view;

pub use error::ReadError;
pub use flags::{Flags, FLAGS_EVERY, FLAGS_IN_BACKGROUND};
pub use kept::{COST_FACTOR, HEAVY, RECOMPUTE, REFRESH};
pub use live::Live;
pub use logs::{Entries, Logs};
pub use register::{CertifiedOver, Decided, Filed, Reviewed};
pub use search::{Counts, FoundUnit, Searched};
pub use signed::{CosignatureTaken, Signed, Signing};
pub use view::{tile_in, About, Logged, View};

#[cfg(test)]
mod testing;

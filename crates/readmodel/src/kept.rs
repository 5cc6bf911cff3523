//! The responses kept beside each election's state, computed once per log size, and what a
//! read needs to serve them without waiting for the state's lock.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bytes::Bytes;

/// How long a read may serve the state without asking the store for new entries.
pub const REFRESH: Duration = Duration::from_millis(100);

/// How long the previous response is served while a newer one is computed, at most.
pub const RECOMPUTE: Duration = Duration::from_secs(1);

/// A heavy response (a bulk export or page that took at least [`HEAVY`] to compute) is
/// recomputed at most every this many times its cost; the others whenever the log grows.
pub const COST_FACTOR: u32 = 20;

/// What makes a bulk response heavy to compute.
pub const HEAVY: Duration = Duration::from_millis(200);

/// What reads of kept responses need, apart from the state, so that they never wait for
/// it (a catch-up, a heavy page, the flags' sampling hold the state's lock).
pub(crate) struct Cache {
    /// The log size of the state.
    pub(crate) size: u64,
    /// When the store was last asked for new entries.
    pub(crate) checked: Instant,
    /// Whether the service wrote since.
    pub(crate) written: bool,
    /// Since when a request is catching the state up, if one is: meanwhile the others get
    /// the kept responses (for at most [`RECOMPUTE`]).
    pub(crate) refreshing: Option<Instant>,
    /// Responses by key, with the log size they were computed at.
    pub(crate) responses: HashMap<String, Kept>,
    /// Responses being recomputed for a newer size, since when: meanwhile the previous one
    /// is served (for at most [`RECOMPUTE`]).
    pub(crate) recomputing: HashMap<String, Instant>,
}

impl Cache {
    /// The cache of a state just loaded at log size `size`.
    pub(crate) fn new(size: u64) -> Cache {
        Cache {
            size,
            checked: Instant::now(),
            written: false,
            refreshing: None,
            responses: HashMap::new(),
            recomputing: HashMap::new(),
        }
    }

    /// Whether the state may have fallen behind the log: the service wrote, or the store
    /// was last asked [`REFRESH`] ago or more.
    pub(crate) fn stale(&self) -> bool {
        self.written || self.checked.elapsed() >= REFRESH
    }
}

/// A kept response: its bytes, the log size they cover, and what computing them cost.
pub(crate) struct Kept {
    pub(crate) size: u64,
    pub(crate) bytes: Bytes,
    /// When its computation ended, and how long it took: a response is recomputed at most
    /// every [`COST_FACTOR`] times its cost, so that heavy pages and exports (the NIST CDF
    /// export of 100,000 stations takes seconds) use at most a small share of the machine
    /// and of the election's lock, whatever the readers ask.
    pub(crate) done: Instant,
    pub(crate) took: Duration,
    /// Whether it may rest: a bulk export or page computed apart from the lock
    /// ([`crate::Live::compute`]); the others follow the log at once, so that a writer reads
    /// what it wrote.
    pub(crate) may_rest: bool,
}

impl Kept {
    /// Whether it is too soon to compute it again.
    pub(crate) fn resting(&self) -> bool {
        self.may_rest && self.took >= HEAVY && self.done.elapsed() < self.took * COST_FACTOR
    }
}

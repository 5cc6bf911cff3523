//! The read model against a real store (`store::SqlStore` on a temporary SQLite file), without
//! HTTP: its incremental state equals a full replay of the log, totals beyond 64 bits are an
//! error naming the unit until corrected, kept responses are computed once per log size, and
//! another connection's writes are seen within `REFRESH`.

#![allow(clippy::unwrap_used)] // Test helpers panic on failure by design.

mod common;
mod exact;
mod fresh;
mod overflow;
mod search;

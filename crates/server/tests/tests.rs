//! The server crate's tests, in process (the router answers requests directly); the
//! end-to-end tests of the `tallyproof serve` binary are in `crates/cli/tests/serve.rs`.

#![allow(clippy::unwrap_used)] // Test helpers panic on failure by design.

mod audits;
mod boards;
mod check;
mod common;
mod context;
mod desk;
mod grants;
mod hardening;
mod incidents;
mod livelog;
mod markup;
mod matrix;
mod openapi;
mod overflow;
mod property;
mod quick;
mod reports;
mod search;
mod security;
mod sweep;
mod workflow;

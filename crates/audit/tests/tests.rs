//! The audit crate's integration tests.

#![allow(clippy::unwrap_used)] // Test helpers panic on failure by design.

mod assertions;
mod extremes;
mod vectors;

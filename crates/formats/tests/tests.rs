//! The formats crate's integration tests: one binary, data-driven where the data allows.

#![allow(clippy::unwrap_used)] // Test helpers panic on failure by design.

mod broken;
mod real;
mod roundtrip;
mod small;

use std::path::PathBuf;

/// A path under the workspace root.
pub fn workspace(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// A path under this crate's `test_data`.
pub fn test_data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("test_data")
        .join(rel)
}
mod contest;

//! The log crate's tests: the published vectors of `test_data/merkle.json` (each with its
//! source), exhaustive small trees, tampering, and a differential test against `ct-merkle`.

#![allow(clippy::unwrap_used)] // Test helpers panic on failure by design.

mod differential;
mod stream;
mod tamper;
mod vectors;

use translog::Hash;

/// A hash from hex.
pub fn h(s: &str) -> Hash {
    Hash::from_hex(s).unwrap()
}

/// A vector file.
pub fn vectors() -> serde_json::Value {
    serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/test_data/merkle.json"
        ))
        .unwrap(),
    )
    .unwrap()
}

/// Bytes from hex.
pub fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

//! The seats crate's integration tests: the 66 reference vectors, hand-computed vectors for
//! what they do not cover, property tests against brute force, and bad input.

#![allow(clippy::unwrap_used)] // Test helpers panic on failure by design.

mod hand;
mod properties;
mod references;
mod vectors;

use seats::{allocate, Outcome, Problem};

/// Allocates and returns seats per party.
pub fn seats_of(p: &Problem) -> Vec<u64> {
    allocate(p)
        .unwrap()
        .parties
        .iter()
        .map(|o| o.seats)
        .collect()
}

/// Allocates, panicking with the error.
pub fn outcome(p: &Problem) -> Outcome {
    allocate(p).unwrap()
}

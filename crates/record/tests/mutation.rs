//! Random mutations of a log that holds every kind of entry ([`crate::full_log`]): decoding
//! and replaying never panic, whatever the bytes. Deterministic: a fixed seed drives a
//! SplitMix64 generator, so a failure names a case that reruns the same way.
//!
//! Half of the mutations replace a number of an entry by a value at an edge (0, a unit id
//! past the tree, 2^32, 2^64 - 1, 2^64, a negative, a fraction, text), some after setting
//! every other number to 0 or 1 (a publication that claims nothing for a contest that does
//! not exist got past every comparison to the index that panicked): the entry stays
//! canonical JSON and reaches the replay's checks. The rest flip, insert, delete, copy or cut
//! bytes, which the decoder must refuse. Every case, the lean replay (`Replayer::lean`) must
//! say what the full one says.

use std::panic::{catch_unwind, AssertUnwindSafe};

use record::{decode, RecordError};

use crate::{assert_lean_agrees, full_log, run};

/// The number of mutated logs.
const CASES: u64 = 4000;

/// SplitMix64 (Steele, Lea and Flood 2014): small, fast and good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Values at the edges of every field's range, as JSON text.
const EDGES: [&str; 24] = [
    "0",
    "1",
    "2",
    "3",
    "4",
    "5",
    "7",
    "99",
    "255",
    "65535",
    "4294967295",
    "4294967296",
    "4294967298",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "-1",
    "1.5",
    "1e3",
    "null",
    "\"x\"",
    "[]",
    "{}",
];

/// Bytes that JSON gives meaning to, and a few it does not.
const BYTES: &[u8] = b"0123456789,:[]{}\"\\-.enul \x00\xff\xc3";

/// The runs of digits in `b`: (start, end).
fn numbers(b: &[u8]) -> Vec<(usize, usize)> {
    let mut v = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let s = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            v.push((s, i));
        } else {
            i += 1;
        }
    }
    v
}

/// One mutation of `b`.
fn mutate(rng: &mut Rng, b: &mut Vec<u8>) {
    if b.is_empty() {
        b.push(BYTES[rng.below(BYTES.len())]);
        return;
    }
    match rng.below(9) {
        // A number (a run of digits) replaced by an edge value.
        0..=2 => {
            let runs = numbers(b);
            if runs.is_empty() {
                return;
            }
            let (s, e) = runs[rng.below(runs.len())];
            let edge = EDGES[rng.below(EDGES.len())].as_bytes();
            b.splice(s..e, edge.iter().copied());
        }
        // Every number set to 0 or 1, then one to an edge value: an entry that claims
        // nothing (no station counted, no vote) around the one index out of range.
        3 | 4 => {
            let small = if rng.below(2) == 0 { b"0" } else { b"1" };
            for (s, e) in numbers(b).into_iter().rev() {
                b.splice(s..e, small.iter().copied());
            }
            let runs = numbers(b);
            if runs.is_empty() {
                return;
            }
            let (s, e) = runs[rng.below(runs.len())];
            let edge = EDGES[rng.below(EDGES.len())].as_bytes();
            b.splice(s..e, edge.iter().copied());
        }
        5 => {
            let i = rng.below(b.len());
            b[i] = BYTES[rng.below(BYTES.len())];
        }
        6 => {
            let i = rng.below(b.len() + 1);
            b.insert(i, BYTES[rng.below(BYTES.len())]);
        }
        7 => {
            let i = rng.below(b.len());
            let n = 1 + rng.below(8);
            b.drain(i..(i + n).min(b.len()));
        }
        _ => {
            // A slice of the entry copied over another place, or the entry cut short.
            let i = rng.below(b.len());
            let j = rng.below(b.len());
            let n = 1 + rng.below(16);
            let chunk: Vec<u8> = b[i..(i + n).min(b.len())].to_vec();
            if rng.below(4) == 0 {
                b.truncate(j);
            } else {
                b.splice(j..j, chunk);
            }
        }
    }
}

#[test]
fn random_mutations_of_a_log_never_panic() {
    let log = full_log();
    let mut rng = Rng(0x0007_a119_f00f_2024);
    let (mut decoded, mut replayed, mut refused) = (0u64, 0u64, 0u64);
    for case in 0..CASES {
        let mut entries = log.clone();
        // Every entry in turn, so that each kind gets its share of the cases.
        let at = (case % entries.len() as u64) as usize;
        let mut b = entries[at].clone();
        for _ in 0..1 + rng.below(3) {
            mutate(&mut rng, &mut b);
        }
        // The mutated entry in place of the original, or added after it.
        if rng.below(5) == 0 {
            entries.insert(at + 1, b.clone());
        } else {
            entries[at] = b.clone();
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            (decode(at as u64, &b).is_ok(), run(&entries))
        }));
        let Ok((ok, result)) = outcome else {
            panic!(
                "case {case}: entry {at} mutated to {:?} panics",
                String::from_utf8_lossy(&b)
            );
        };
        decoded += u64::from(ok);
        // A lean replay (no protocol kept, corrections read again) says the same.
        assert_lean_agrees(&entries, &format!("case {case}: entry {at} mutated"));
        match result {
            Ok(_) => replayed += 1,
            Err(RecordError::Field { .. }) => refused += 1,
            Err(_) => {}
        }
    }
    // The mutations reach the replay, not only the decoder: many decode, some are refused
    // for a field out of range, some leave a log that still replays (a count changed in a
    // protocol before any publication, say).
    assert!(decoded >= CASES / 5, "{decoded} of {CASES} decoded");
    assert!(
        refused >= CASES / 20,
        "{refused} of {CASES} refused for a field"
    );
    assert!(replayed > 0, "none replayed");
    println!(
        "{CASES} cases: {decoded} decoded, {refused} refused for a field, {replayed} replayed"
    );
}

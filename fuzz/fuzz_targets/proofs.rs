//! Proof verification never panics: sizes, indices and hashes from arbitrary bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use translog::{verify_consistency, verify_inclusion, Hash};

fuzz_target!(|data: &[u8]| {
    if data.len() < 24 {
        return;
    }
    let n = |i: usize| u64::from_le_bytes(data[i..i + 8].try_into().unwrap_or([0; 8]));
    let (a, b, c) = (n(0), n(8), n(16));
    let hashes: Vec<Hash> = data[24..].chunks_exact(32).map(|x| Hash(x.try_into().unwrap_or([0; 32]))).collect();
    if let Some((first, rest)) = hashes.split_first() {
        let root = rest.first().copied().unwrap_or_default();
        let _ = verify_inclusion(a, b, first, rest, &root);
        let _ = verify_consistency(a % (c | 1), b, first, &root, rest);
    }
});

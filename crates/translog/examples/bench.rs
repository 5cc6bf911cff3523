//! The log benchmark behind `bench/run-log`: one run, medians of several repetitions.
//!
//! Times, over N entries (default 1,000,000): (a) the same SHA-256 work in a tight loop
//! (N leaf hashes of `0x00 || entry` and N - 1 hashes of 65-byte node inputs); (b) building
//! the tree; (c) verifying the whole log (rehash every entry, rebuild, compare the root);
//! (d) ct-merkle's in-memory tree over the same entries; (e) generating and verifying
//! inclusion and consistency proofs. Prints medians and ratios.

#![allow(clippy::unwrap_used)] // A benchmark driver.

use std::time::{Duration, Instant};

use ct_merkle::mem_backed_tree::MemoryBackedTree;
use sha2::Sha256;
use translog::{leaf_hash, verify_consistency, verify_inclusion, Tree};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(1_000_000, |s| s.parse().unwrap());
    let reps: usize = std::env::args().nth(2).map_or(5, |s| s.parse().unwrap());
    let entries: Vec<Vec<u8>> = (0..n)
        .map(|i| {
            format!(
                "{{\"station\":{i},\"votes\":[{},{},{}]}}",
                i % 997,
                i % 991,
                i % 983
            )
            .into_bytes()
        })
        .collect();
    let (mut raw, mut build, mut verify, mut ct) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..reps {
        // (a) the same number of SHA-256 calls on inputs of the same sizes.
        let t = Instant::now();
        std::hint::black_box(translog::bare_sha256_work(&entries));
        raw.push(t.elapsed());
        // (b) building the tree.
        let t = Instant::now();
        let tree = Tree::from_entries(&entries);
        let root = tree.root();
        build.push(t.elapsed());
        // (c) verifying the whole log against a known root.
        let t = Instant::now();
        let mut check = Tree::with_capacity(n as u64);
        for e in &entries {
            check.append_hash(leaf_hash(e));
        }
        assert_eq!(check.root(), root);
        verify.push(t.elapsed());
        // (d) ct-merkle over the same entries.
        let t = Instant::now();
        let mut theirs = MemoryBackedTree::<Sha256, &[u8]>::new();
        for e in &entries {
            theirs.push(e.as_slice());
        }
        let r = theirs.root();
        std::hint::black_box(&r);
        ct.push(t.elapsed());
        assert_eq!(r.as_bytes().as_slice(), root.0.as_slice());
    }
    // (e) proofs, on the full tree.
    let tree = Tree::from_entries(&entries);
    let size = tree.size();
    let root = tree.root();
    let (mut gen_incl, mut ver_incl, mut gen_cons, mut ver_cons) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for k in 0..2000u64 {
        let i = (k * 7919 + 13) % size;
        let t = Instant::now();
        let p = tree.inclusion_proof(i, size).unwrap();
        gen_incl.push(t.elapsed());
        let t = Instant::now();
        verify_inclusion(i, size, &tree.leaf(i).unwrap(), &p, &root).unwrap();
        ver_incl.push(t.elapsed());
        let m = 1 + (k * 104_729) % (size - 1);
        let t = Instant::now();
        let c = tree.consistency_proof(m, size).unwrap();
        gen_cons.push(t.elapsed());
        let old = tree.root_at(m).unwrap();
        let t = Instant::now();
        verify_consistency(m, size, &old, &root, &c).unwrap();
        ver_cons.push(t.elapsed());
    }
    let (raw, build, verify, ct) = (median(raw), median(build), median(verify), median(ct));
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "{{\"entries\": {n}, \"repetitions\": {reps}, \"median_ms\": {{\"raw_sha256\": {:.1}, \"build\": {:.1}, \"verify\": {:.1}, \"ct_merkle\": {:.1}}}, \
         \"ratio_build_over_raw\": {:.3}, \"ratio_verify_over_raw\": {:.3}, \"ratio_ct_merkle_over_raw\": {:.3}, \"ratio_ours_over_ct_merkle\": {:.3}, \
         \"median_us\": {{\"inclusion_proof\": {:.2}, \"verify_inclusion\": {:.2}, \"consistency_proof\": {:.2}, \"verify_consistency\": {:.2}}}}}",
        raw.as_secs_f64() * 1e3,
        build.as_secs_f64() * 1e3,
        verify.as_secs_f64() * 1e3,
        ct.as_secs_f64() * 1e3,
        build.as_secs_f64() / raw.as_secs_f64(),
        verify.as_secs_f64() / raw.as_secs_f64(),
        ct.as_secs_f64() / raw.as_secs_f64(),
        build.as_secs_f64() / ct.as_secs_f64(),
        us(median(gen_incl)),
        us(median(ver_incl)),
        us(median(gen_cons)),
        us(median(ver_cons)),
    );
}

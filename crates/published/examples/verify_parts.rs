//! The parts of `tallyproof verify` on a published directory, timed apart (issue 21: "tiles
//! and leaves <= 1.3x the bare SHA-256 work; the replay of totals and seats budgeted and
//! reported separately"). Every file is read into memory first, so that no part pays for
//! the disk. Prints JSON: seconds for
//!
//! * `tiles`: `translog::stream::read_streaming`, every entry bundle and hash tile parsed and
//!   every leaf and node hashed and compared (what `verify` does before it replays);
//! * `sha256`: the same SHA-256 calls on inputs of the same sizes in a tight loop (one
//!   `0x00 || entry` per entry, one 65-byte node per entry but the last), nothing else;
//! * `replay`: the lean `record::Replayer` over the same entries, as `verify` runs it
//!   (decoding, the log's rules, every publication's totals and seats recomputed);
//! * `verify`: `published::verify` whole (tiles, contents, replay in one pass).
//!
//! Run: `cargo run --release -p published --example verify_parts -- DIR [REPETITIONS (3)]`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A benchmark stops on any failure.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use translog::note::NoteVerifier;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .expect("usage: verify_parts DIR [REPETITIONS]");
    // The hashing parts are short and noisy: the median of `reps` (3) runs; the replay and
    // the whole once each.
    let reps: usize = std::env::args().nth(2).map_or(3, |s| s.parse().unwrap());
    let dir = Path::new(&dir);
    let mut files = HashMap::new();
    read_all(dir, dir, &mut files);
    let text = String::from_utf8(files["checkpoint"].clone()).unwrap();
    let size: u64 = text.lines().nth(1).unwrap().parse().unwrap();
    let key =
        NoteVerifier::parse(String::from_utf8(files["log.pub"].clone()).unwrap().trim()).unwrap();
    let fetch = |p: &str| files.get(p).cloned();
    let mut entries: Vec<Vec<u8>> = Vec::with_capacity(size as usize);
    translog::stream::read_streaming(&fetch, size, &mut |r| entries.push(r.bytes.to_vec()))
        .unwrap();
    let bytes: u64 = entries.iter().map(|e| e.len() as u64).sum();
    let (mut tiles, mut sha, mut replay, mut whole) = (vec![], vec![], vec![], vec![]);
    for rep in 0..reps {
        let t = Instant::now();
        translog::stream::read_streaming(&fetch, size, &mut |_| {}).unwrap();
        tiles.push(t.elapsed());
        // The reference work of issue 21, as translog's examples/bench.rs measures it.
        let t = Instant::now();
        std::hint::black_box(translog::bare_sha256_work(&entries));
        sha.push(t.elapsed());
        if rep > 0 {
            continue;
        }
        let t = Instant::now();
        let mut reread = |i: u64| entries.get(i as usize).cloned();
        let mut r = record::Replayer::lean(0, &entries[0]).unwrap();
        for (i, e) in entries.iter().enumerate().skip(1) {
            r.push_reading(i as u64, e, &mut reread).unwrap();
        }
        let r = r.finish().unwrap();
        std::hint::black_box(&r.publications);
        replay.push(t.elapsed());
        let t = Instant::now();
        let v = published::verify(&fetch, "bench", &key, None, &[], 0, &|_| {}).unwrap();
        assert!(matches!(v, published::Verdict::Valid(_)), "{v:?}");
        whole.push(t.elapsed());
    }
    let med = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2].as_secs_f64()
    };
    let (tiles, sha, replay, whole) = (
        med(&mut tiles),
        med(&mut sha),
        med(&mut replay),
        med(&mut whole),
    );
    println!(
        "{{\"entries\": {size}, \"entry_bytes\": {bytes}, \"tiles_seconds\": {tiles:.3}, \"sha256_seconds\": {sha:.3}, \"tiles_over_sha256\": {:.2}, \"replay_seconds\": {replay:.3}, \"verify_seconds\": {whole:.3}}}",
        tiles / sha
    );
}

fn read_all(root: &Path, dir: &Path, out: &mut HashMap<String, Vec<u8>>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            read_all(root, &p, out);
        } else {
            let rel = p
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, std::fs::read(&p).unwrap());
        }
    }
}

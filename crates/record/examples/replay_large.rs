//! Times decoding and replaying a large synthetic log: the work of the results service's start
//! (it replays every election's log). Run it with
//! `cargo run --release -p record --example replay_large -- 500000 3`
//! (stations, repetitions); it prints the best time of each.

use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let stations = args.next().and_then(|a| a.parse().ok()).unwrap_or(500_000);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let params = synth::Params {
        stations,
        ..synth::Params::default()
    };
    let mut protocols = Vec::new();
    let (election, _) = synth::generate(&params, |_, p| protocols.push(p)).expect("parameters");
    let mut log: Vec<Vec<u8>> = record::definition(&election)
        .iter()
        .map(record::encode)
        .collect();
    log.extend(
        protocols
            .into_iter()
            .map(|p| record::encode(&record::Entry::Protocol(p))),
    );
    let bytes: usize = log.iter().map(Vec::len).sum();
    println!("{stations} stations: {} entries, {bytes} bytes", log.len());
    let entries = || {
        log.iter()
            .enumerate()
            .map(|(i, b)| (i as u64, b.as_slice()))
    };
    let best = |f: &dyn Fn()| {
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .min()
            .unwrap_or(Duration::ZERO)
    };
    let decode = best(&|| {
        for (i, b) in entries() {
            record::decode(i, b).expect("decodes");
        }
    });
    let replay = best(&|| {
        let r = record::replay(entries()).expect("replays");
        assert_eq!(r.protocols.len() as u64, stations);
    });
    println!("decode: {:.3} s", decode.as_secs_f64());
    println!("replay: {:.3} s", replay.as_secs_f64());
}

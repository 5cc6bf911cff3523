//! Times the unit search's index (`model::search`) on a large synthetic election, as
//! `tallyproof gen` makes it: the index's build, its memory, and 100 varied queries (names,
//! numbers, paths, no match, one letter), each the best of three runs, median and max. Run it with
//! `cargo run --release -p readmodel --example search_large -- 1000000`; `bench/run-search`
//! times the same queries over HTTP against `tallyproof serve`.

use std::time::{Duration, Instant};

use model::search::{UnitIndex, UnitQuery};

/// The 100 queries of `bench/search-queries.tsv`, with the level each is for.
fn queries() -> Vec<(String, Option<model::UnitLevel>)> {
    let q: Vec<(String, Option<model::UnitLevel>)> =
        include_str!("../../../bench/search-queries.tsv")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| {
                let (text, level) = l.split_once('\t').expect("a query and a level");
                let level =
                    (level != "-").then(|| model::UnitLevel::from_key(level).expect("a level"));
                (text.to_string(), level)
            })
            .collect();
    assert_eq!(q.len(), 100);
    q
}

fn main() {
    let stations = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let params = synth::Params {
        stations,
        ..synth::Params::default()
    };
    let (election, _) = synth::generate(&params, |_, _| {}).expect("parameters");
    let units = &election.units;
    let start = Instant::now();
    let index = UnitIndex::new(units);
    let built = start.elapsed();
    println!(
        "{stations} stations, {} units: index built in {} ms, {:.1} MB",
        units.len(),
        built.as_millis(),
        index.heap_bytes() as f64 / 1e6
    );
    let mut times: Vec<(Duration, String, usize)> = queries()
        .into_iter()
        .map(|(text, level)| {
            let q = UnitQuery::new(&text, level).expect("a short query");
            let mut best = Duration::MAX;
            let mut total = 0;
            for _ in 0..3 {
                let t = Instant::now();
                total = index.search(&q, &[], 0, 100).total;
                best = best.min(t.elapsed());
            }
            (best, text, total)
        })
        .collect();
    times.sort();
    if std::env::var_os("SEARCH_SLOWEST").is_some() {
        for (t, text, total) in times.iter().rev().take(12) {
            println!(
                "  {:>8.2} ms  {total:>8} found  '{text}'",
                t.as_secs_f64() * 1e3
            );
        }
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let (slowest, text, total) = &times[times.len() - 1];
    println!(
        "100 queries: median {:.2} ms, max {:.2} ms ('{text}', {total} found)",
        ms(times[times.len() / 2].0),
        ms(*slowest),
    );
}

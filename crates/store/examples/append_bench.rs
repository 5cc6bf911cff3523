//! Durable log appends for `bench/run-log`: batches of 1,000 entries, each batch one
//! transaction with one fsync (SQLite's default synchronous=FULL in rollback-journal mode).
//! Prints entries per second, median of the batches.

#![allow(clippy::unwrap_used)] // A benchmark driver.

use std::time::Instant;

use model::{Choice, ChoiceKind, Contest, ContestKind, Election, Protocol, UnitLevel};
use store::{Act, Actor, SqliteStore, Staffing, Store};

fn main() {
    let batches: usize = std::env::args().nth(1).map_or(100, |s| s.parse().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let mut s = SqliteStore::open(&dir.path().join("bench.db")).unwrap();
    let mut e = Election::new("bench");
    e.contests.push(Contest::new(
        "c",
        ContestKind::PartyList,
        vec![Choice::new("A", ChoiceKind::Party)],
    ));
    let st = e
        .units
        .insert(e.units.root(), UnitLevel::Station, "1")
        .unwrap();
    let mut tx = s.import().unwrap();
    tx.begin(&e, "bench").unwrap();
    let mut p = Protocol::new(st, 0, 1);
    p.votes = vec![1];
    tx.protocol(&e, &p).unwrap();
    tx.units(&e).unwrap();
    tx.commit(&e).unwrap();
    let entry = |i: usize| {
        format!(
            "\u{1}{{\"type\":\"protocol\",\"station\":{i},\"votes\":[{},{}]}}",
            i % 97,
            i % 89
        )
        .into_bytes()
    };
    // The console's clock, read once, as `tallyproof` reads it for an act.
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let now = record::Time::from_unix(unix).unwrap();
    let mut rates = Vec::new();
    let start = Instant::now();
    for b in 0..batches {
        let batch: Vec<Vec<u8>> = (0..1000).map(|i| entry(b * 1000 + i)).collect();
        let t = Instant::now();
        // Through the store's one write path, as the console's act (a staff entry first).
        let act = Act::of(record::StaffAct::Audit, &batch, now);
        s.act("bench", Actor::Console, act).unwrap();
        rates.push(1000.0 / t.elapsed().as_secs_f64());
    }
    let total = start.elapsed().as_secs_f64();
    rates.sort_by(f64::total_cmp);
    println!(
        "{{\"durable_appends\": {{\"batches\": {batches}, \"batch_size\": 1000, \"median_entries_per_s\": {:.0}, \"overall_entries_per_s\": {:.0}}}}}",
        rates[rates.len() / 2],
        (batches * 1000) as f64 / total
    );
}

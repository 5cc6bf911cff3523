//! Times seat allocations and margins for `bench/seats.py`; run it through that script.
//!
//! `cargo run --release -p seats --example bench -- IN.json OUT.json`: IN holds
//! `{"seats": S, "method": "sainte-lague", "repeat": R, "sets": [[votes...], ...]}`; OUT gets
//! the seats of every set and the median nanoseconds per allocation and per margins call.

#![allow(clippy::unwrap_used)] // A benchmark driver: it panics on bad input by design.

use std::time::Instant;

use seats::{allocate, apportion, margins, Method, Problem, Ties};
use serde_json::{json, Value};

fn median(mut v: Vec<u128>) -> u128 {
    v.sort_unstable();
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let input: Value = serde_json::from_str(&std::fs::read_to_string(&args[1]).unwrap()).unwrap();
    let seats = input["seats"].as_u64().unwrap();
    let method = Method::parse(input["method"].as_str().unwrap(), None).unwrap();
    let repeat = input["repeat"].as_u64().unwrap_or(5) as usize;
    let sets: Vec<Vec<u64>> = input["sets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s.as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap())
                .collect()
        })
        .collect();
    let names: Vec<String> = (0..sets[0].len()).map(|i| format!("P{i:02}")).collect();
    let mut results = Vec::new();
    let mut alloc_ns = Vec::new();
    let mut margin_ns = Vec::new();
    for votes in &sets {
        let mut out = None;
        for _ in 0..repeat {
            let t = Instant::now();
            let a = apportion(method, seats, votes, &names, &Ties::FirstListed).unwrap();
            alloc_ns.push(t.elapsed().as_nanos());
            out = Some(a.seats);
        }
        results.push(out.unwrap());
        let mut p = Problem::new(seats, method, names.clone(), votes.clone());
        p.ties = Ties::FirstListed;
        let o = allocate(&p).unwrap();
        for _ in 0..repeat {
            let t = Instant::now();
            let m = margins(&p, &o).unwrap();
            margin_ns.push(t.elapsed().as_nanos());
            std::hint::black_box(m);
        }
    }
    let out = json!({
        "seats": results,
        "median_ns_per_allocation": median(alloc_ns),
        "median_ns_per_margins": median(margin_ns),
    });
    std::fs::write(&args[2], serde_json::to_string(&out).unwrap()).unwrap();
}

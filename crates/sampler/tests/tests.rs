//! The consistent-sampler vectors of `test_data/sampler.json` (copied from the project's
//! reference vectors, each with its source: Rivest's doctests and usage examples, Arlo).

#![allow(clippy::unwrap_used)] // Test helpers panic on failure by design.

use sampler::{
    arlo_ballot_id, first_fraction, next_fraction, sample, sha256_hex, trim, uniform, Options,
};
use serde_json::Value;

fn vector(id: &str) -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/test_data/sampler.json"
    ))
    .unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    all["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == id)
        .unwrap()
        .clone()
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap()
}

#[test]
fn hashes_and_fractions() {
    let v = vector("cs.sha256_hex");
    assert_eq!(sha256_hex(s(&v["inputs"]["input"])), s(&v["expected"]));
    let v = vector("cs.sha256_uniform");
    assert_eq!(uniform(s(&v["inputs"]["input"])), s(&v["expected"]));
    let v = vector("cs.first_fraction");
    assert_eq!(
        first_fraction(s(&v["inputs"]["id"]), s(&v["inputs"]["seed"])),
        s(&v["expected"])
    );
    let v = vector("cs.next_fraction");
    assert_eq!(next_fraction(s(&v["inputs"]["x"])), s(&v["expected"]));
    let v = vector("cs.trim");
    assert_eq!(
        trim(
            s(&v["inputs"]["x"]),
            v["inputs"]["digits"].as_u64().unwrap() as usize
        ),
        s(&v["expected"])
    );
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| s(x).to_string())
        .collect()
}

#[test]
fn sampling_with_replacement() {
    let v = vector("cs.sampler.with_replacement");
    let i = &v["inputs"];
    let opts = Options {
        with_replacement: true,
        take: i["take"].as_u64().unwrap() as usize,
        ..Options::default()
    };
    let got: Vec<String> = sample(&ids(&i["ids"]), s(&i["seed"]), &opts)
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(got, ids(&v["expected"]));
}

#[test]
fn sampling_without_replacement_with_tickets() {
    let v = vector("cs.sampler.without_replacement");
    let i = &v["inputs"];
    let opts = Options {
        digits: i["digits"].as_u64().unwrap() as usize,
        ..Options::default()
    };
    let got = sample(&ids(&i["ids"]), s(&i["seed"]), &opts).unwrap();
    let want = v["expected"].as_array().unwrap();
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert_eq!(
            (g.ticket.as_str(), g.id.as_str(), u64::from(g.generation)),
            (s(&w[0]), s(&w[1]), w[2].as_u64().unwrap())
        );
    }
}

#[test]
fn usage_examples() {
    for id in ["cs.usage.shuffle31", "cs.usage.shuffle77"] {
        let v = vector(id);
        let got: Vec<String> = sample(
            &ids(&v["inputs"]["ids"]),
            s(&v["inputs"]["seed"]),
            &Options::default(),
        )
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
        assert_eq!(got, ids(&v["expected"]), "{id}");
    }
    let v = vector("cs.usage.range100_seed41");
    let all: Vec<String> = (0..100).map(|i| i.to_string()).collect();
    let got = sample(
        &all,
        "41",
        &Options {
            take: 10,
            ..Options::default()
        },
    )
    .unwrap();
    for (g, w) in got.iter().zip(v["expected"].as_array().unwrap()) {
        assert_eq!(
            (g.ticket.as_str(), g.id.as_str()),
            (s(&w[0]), w[1].to_string().as_str())
        );
    }
    assert_eq!(got.len(), 10);
}

#[test]
fn arlo_draw_sample_with_tuple_ids_and_18_digits() {
    let v = vector("arlo.sampler.draw_sample");
    let mut manifest = Vec::new();
    for pct in 1..=4 {
        for pos in 1..=25 {
            manifest.push(arlo_ballot_id(&format!("pct {pct}"), pos));
        }
    }
    let opts = Options {
        with_replacement: true,
        take: 20,
        digits: 18,
        ..Options::default()
    };
    let got = sample(&manifest, s(&v["inputs"]["seed"]), &opts).unwrap();
    let want = v["expected"].as_array().unwrap();
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        let id = arlo_ballot_id(s(&w[1][0]), w[1][1].as_u64().unwrap());
        assert_eq!(
            (g.ticket.as_str(), g.id.as_str(), u64::from(g.generation)),
            (s(&w[0]), id.as_str(), w[2].as_u64().unwrap())
        );
    }
    // Arlo's second round: the next 10 after the first 10 are the last 10 above.
    let more = sample(
        &manifest,
        s(&v["inputs"]["seed"]),
        &Options {
            drop: 10,
            take: 10,
            ..opts
        },
    )
    .unwrap();
    assert_eq!(more, got[10..].to_vec());
}

#[test]
fn duplicate_ids_and_unbounded_draws_are_refused() {
    assert_eq!(
        sample(&["a", "a"], "1", &Options::default())
            .unwrap_err()
            .to_string(),
        "the id 'a' appears twice"
    );
    let opts = Options {
        with_replacement: true,
        ..Options::default()
    };
    assert!(sample(&["a"], "1", &opts).is_err());
}

#[test]
fn python_repr_of_awkward_strings() {
    assert_eq!(sampler::python_str_repr("it's"), "\"it's\"");
    assert_eq!(sampler::python_str_repr("a'\"b"), "'a\\'\"b'");
    assert_eq!(sampler::python_str_repr("x\ty\\"), "'x\\ty\\\\'");
}

/// The fast order (19 leading digits, full tickets only where needed, hashing on several
/// threads) is the order of the full tickets, as Rivest's sampler sorts them.
#[test]
fn fast_order_is_the_full_ticket_order() {
    let ids: Vec<String> = (0..20_000)
        .map(|i| format!("box {}#{}", i / 500, i % 500 + 1))
        .collect();
    let mut want: Vec<(String, String)> = ids
        .iter()
        .map(|id| (first_fraction(id, "2026"), id.clone()))
        .collect();
    want.sort();
    for threads in [1, 2, 3] {
        let opts = Options {
            threads,
            ..Options::default()
        };
        let got = sample(&ids, "2026", &opts).unwrap();
        assert_eq!(got.len(), want.len());
        for (g, (t, id)) in got.iter().zip(&want) {
            assert_eq!((&g.ticket, &g.id), (&trim(t, 9), id), "threads {threads}");
            assert_eq!(ids[g.index], g.id);
        }
    }
    // A duplicate anywhere is found, drawn or not.
    let mut dup = ids.clone();
    dup.push(ids[12_345].clone());
    let opts = Options {
        take: 3,
        threads: 2,
        ..Options::default()
    };
    assert_eq!(
        sample(&dup, "2026", &opts).unwrap_err(),
        sampler::SamplerError::DuplicateId(ids[12_345].clone())
    );
}

//! Every vector of `test_data/seats.json` (peer test suites and real elections with official
//! outcomes; each carries its source), loaded by one data-driven test.

use seats::{allocate, margins, Base, Fraction, Method, Problem, SeatsError, Threshold, Ties};
use serde_json::Value;

fn file() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/test_data/seats.json"))
            .unwrap(),
    )
    .unwrap()
}

fn method_of(v: &Value) -> Method {
    let first = v["method_params"]["first_divisor"]
        .as_str()
        .map(|s| Fraction::parse(s).unwrap());
    Method::parse(v["method"].as_str().unwrap(), first).unwrap()
}

/// Party names; a name listed twice (AT-NR-2008 has two lists called LINKE) gets a `#2`,
/// since an allocation problem needs unique names.
fn strings(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for x in v.as_array().unwrap() {
        let name = x.as_str().unwrap().to_string();
        let n = out
            .iter()
            .filter(|o| o.split(" #").next() == Some(name.as_str()))
            .count();
        out.push(if n == 0 {
            name
        } else {
            format!("{name} #{}", n + 1)
        });
    }
    out
}

fn numbers(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect()
}

/// The vector as a problem among its eligible parties (ineligible ones get 0 seats).
fn problem(v: &Value) -> (Problem, Vec<usize>) {
    let parties = strings(&v["parties"]);
    let votes = numbers(&v["votes"]);
    let keep: Vec<usize> = match v["eligible"].as_array() {
        Some(e) => (0..parties.len())
            .filter(|&i| e[i].as_bool().unwrap())
            .collect(),
        None => (0..parties.len()).collect(),
    };
    let mut p = Problem::new(
        v["seats"].as_u64().unwrap(),
        method_of(v),
        keep.iter().map(|&i| parties[i].clone()).collect(),
        keep.iter().map(|&i| votes[i]).collect(),
    );
    // The vector whose notes say the peer breaks ties by list order.
    if v["id"] == "LK-tie-first-listed" {
        p.ties = Ties::FirstListed;
    }
    (p, keep)
}

#[test]
fn every_reference_vector() {
    let f = file();
    let vectors = f["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 66);
    let mut checked = 0;
    for v in vectors {
        let id = v["id"].as_str().unwrap();
        let (p, keep) = problem(v);
        if v["expected_seats"].is_null() {
            // JS-ambiguous-tie: the 8th seat is tied between linke and gruene.
            let err = allocate(&p).unwrap_err();
            assert_eq!(
                err,
                SeatsError::Tie {
                    parties: vec!["linke".into(), "gruene".into()],
                    seats: 1
                },
                "{id}"
            );
            let mut lot = p.clone();
            lot.ties = Ties::Lot {
                seed: "published seed".into(),
            };
            let s = crate::seats_of(&lot);
            assert_eq!((s.iter().sum::<u64>(), s[2]), (8, 1), "{id}");
            checked += 1;
            continue;
        }
        let want = numbers(&v["expected_seats"]);
        let got = crate::seats_of(&p);
        let mut full = vec![0u64; want.len()];
        for (j, &i) in keep.iter().enumerate() {
            full[i] = got[j];
        }
        assert_eq!(full, want, "{id}");
        checked += 1;
    }
    assert_eq!(checked, 66);
}

/// Vectors whose `eligible` flags come from a stated threshold are run through the threshold
/// logic too: all parties enter, and the law must exclude exactly the ineligible ones.
#[test]
fn threshold_vectors_through_the_threshold_logic() {
    let f = file();
    let mut run = 0;
    for v in f["vectors"].as_array().unwrap() {
        let t = &v["method_params"]["threshold"];
        if t.is_null() {
            continue;
        }
        let id = v["id"].as_str().unwrap();
        let mut p = Problem::new(
            v["seats"].as_u64().unwrap(),
            method_of(v),
            strings(&v["parties"]),
            numbers(&v["votes"]),
        );
        let national = Fraction::parse(&t["national"].to_string()).unwrap();
        let (base, base_votes) = match t["base"].as_str().unwrap() {
            "sum_of_listed_votes" => (Base::Listed, None),
            "voters_participated" => (Base::Participated, t["base_value"].as_u64()),
            other => panic!("{id}: base {other}"),
        };
        let regional = t["regional"]
            .as_f64()
            .map(|r| Fraction::parse(&r.to_string()).unwrap());
        p.threshold = Some(Threshold {
            national: Some(national),
            base,
            base_votes,
            regional,
            regional_base: Default::default(),
            strict: false,
        });
        let o = allocate(&p).unwrap();
        let eligible: Vec<bool> = o.parties.iter().map(|x| x.eligible).collect();
        if let Some(e) = v["eligible"].as_array() {
            assert_eq!(
                eligible,
                e.iter().map(|x| x.as_bool().unwrap()).collect::<Vec<_>>(),
                "{id}"
            );
        }
        assert_eq!(
            o.parties.iter().map(|x| x.seats).collect::<Vec<_>>(),
            numbers(&v["expected_seats"]),
            "{id}"
        );
        if regional.is_some() {
            // KG-2020-prelim-ASU: no regional counts, so the regional test is not checkable.
            assert!(
                o.parties
                    .iter()
                    .all(|x| x.regional.key() == "not-checkable"),
                "{id}"
            );
            assert!(
                o.notes
                    .iter()
                    .any(|n| n.to_string().contains("cannot be applied")),
                "{id}"
            );
        }
        run += 1;
    }
    assert_eq!(run, 10);
}

#[test]
fn new_zealand_2020_margin_is_reproduced_and_brute_force_agrees() {
    let f = file();
    let mv = &f["margins"][0];
    let v = f["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == mv["vector"])
        .unwrap();
    let (p, keep) = problem(v);
    let o = allocate(&p).unwrap();
    let m = margins(&p, &o).unwrap();
    let e = m.election.unwrap();
    let name = |i: usize| p.parties[i].as_str();
    assert_eq!(
        (name(e.winner), name(e.loser)),
        (
            mv["min_pair"]["winner"].as_str().unwrap(),
            mv["min_pair"]["loser"].as_str().unwrap()
        )
    );
    assert_eq!(e.ballots, mv["min_ballots_to_change"].as_u64().unwrap());
    // 548.357142857... = 38385 / 70 = 7677 / 14.
    assert_eq!(e.exact, Some((7677, 14)));
    assert!(mv["pair_margin_ballots_exact"]
        .as_str()
        .unwrap()
        .starts_with("548.357142857"));
    // Moving 548 ballots changes nothing; 549 gives the published result after.
    let moved = |x: u64| {
        let mut q = p.clone();
        q.votes[e.winner] -= x;
        q.votes[e.loser] += x;
        crate::seats_of(&q)
    };
    assert_eq!(moved(548), crate::seats_of(&p));
    let after = moved(549);
    let mut full = vec![0u64; numbers(&v["expected_seats"]).len()];
    for (j, &i) in keep.iter().enumerate() {
        full[i] = after[j];
    }
    assert_eq!(full[..5], numbers(&mv["result_after"])[..]);
}

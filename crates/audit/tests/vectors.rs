//! Every vector of `test_data/rla.json` (copied from the project's reference vectors; each
//! names its source: Rivest's consistent sampler, Arlo's audit mathematics, SHANGRLA),
//! checked by one data-driven test. Sample sizes and counts are compared exactly; p-values
//! to a relative 1e-9, because Arlo computes them in 28-digit decimals built from binary
//! floats (the project's `rla.md`, §11) and we compute in binary64.

use audit::assorter::Assorter;
use audit::batch::{BatchTally, Macro};
use audit::calc;
use audit::nonneg::{self, Estimator, Setting};
use audit::Contest;
use serde_json::{json, Value};

fn vectors() -> Vec<Value> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/test_data/rla.json"))
        .unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    all["vectors"].as_array().unwrap().clone()
}

/// `a` and `b` agree to a relative `tol` (or both are zero).
fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!(
        (a - b).abs() <= tol * b.abs().max(f64::MIN_POSITIVE) || a == b,
        "{what}: got {a}, expected {b}"
    );
}

fn f(v: &Value) -> f64 {
    match v {
        Value::String(s) => s.parse().unwrap(),
        _ => v.as_f64().unwrap(),
    }
}

#[test]
fn every_vector_of_rla_json() {
    let mut checked = Vec::new();
    for v in vectors() {
        let id = v["id"].as_str().unwrap().to_string();
        assert!(
            v["source"].as_str().is_some_and(|s| !s.is_empty()),
            "{id} has no source"
        );
        let done = if id.starts_with("cs.") || id.starts_with("arlo.sampler") {
            sampler_vector(&id, &v)
        } else if id.starts_with("arlo.bravo") {
            bravo_vector(&id, &v)
        } else if id.starts_with("arlo.macro") {
            macro_vector(&id, &v)
        } else if id.starts_with("arlo.supersimple") {
            supersimple_vector(&id, &v)
        } else if id.starts_with("shangrla.alpha") {
            alpha_vector(&id, &v)
        } else if id.starts_with("shangrla.assorter") {
            assorter_vector(&id, &v)
        } else {
            false
        };
        assert!(done, "vector {id} is not checked by any test");
        checked.push(id);
    }
    assert_eq!(checked.len(), 31, "rla.json holds 31 vectors");
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

/// A sample answer's draws as `[ticket, id, generation]`, the vectors' shape.
fn draws(got: &Value) -> Vec<Value> {
    got["sample"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| json!([t["ticket"], t["id"], t["generation"]]))
        .collect()
}

fn sampler_vector(id: &str, v: &Value) -> bool {
    let i = &v["inputs"];
    let want = &v["expected"];
    match id {
        "cs.sha256_hex" => assert_eq!(
            sampler::sha256_hex(i["input"].as_str().unwrap()),
            want.as_str().unwrap()
        ),
        "cs.sha256_uniform" => assert_eq!(
            sampler::uniform(i["input"].as_str().unwrap()),
            want.as_str().unwrap()
        ),
        "cs.first_fraction" => assert_eq!(
            sampler::first_fraction(i["id"].as_str().unwrap(), i["seed"].as_str().unwrap()),
            want.as_str().unwrap()
        ),
        "cs.next_fraction" => assert_eq!(
            sampler::next_fraction(i["x"].as_str().unwrap()),
            want.as_str().unwrap()
        ),
        "cs.trim" => assert_eq!(
            sampler::trim(
                i["x"].as_str().unwrap(),
                i["digits"].as_u64().unwrap() as usize
            ),
            want.as_str().unwrap()
        ),
        // The draws go through the calculator, as an observer would run them.
        "cs.sampler.with_replacement" | "cs.usage.shuffle31" | "cs.usage.shuffle77" => {
            let mut req = json!({"seed": i["seed"], "ids": i["ids"]});
            if i["with_replacement"].as_bool() == Some(true) {
                req["with_replacement"] = json!(true);
                req["take"] = i["take"].clone();
            }
            let got = calc::run("sample", &req).unwrap();
            let ids: Vec<String> = got["sample"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(ids, strings(want), "{id}");
        }
        "cs.sampler.without_replacement" => {
            let req = json!({"seed": i["seed"], "ids": i["ids"], "digits": i["digits"]});
            let got = calc::run("sample", &req).unwrap();
            let rows = draws(&got);
            assert_eq!(&Value::Array(rows), want, "{id}");
        }
        "cs.usage.range100_seed41" => {
            let ids: Vec<String> = (0..100).map(|k| k.to_string()).collect();
            let req = json!({"seed": i["seed"], "ids": ids, "take": i["take"]});
            let got = calc::run("sample", &req).unwrap();
            let rows: Vec<Value> = got["sample"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| {
                    json!([
                        t["ticket"],
                        t["id"].as_str().unwrap().parse::<u64>().unwrap(),
                        t["generation"]
                    ])
                })
                .collect();
            assert_eq!(&Value::Array(rows), want, "{id}");
        }
        "arlo.sampler.draw_sample" => {
            let mut ids = Vec::new();
            for pct in 1..=4 {
                for pos in 1..=25 {
                    ids.push(sampler::arlo_ballot_id(&format!("pct {pct}"), pos));
                }
            }
            let req = json!({"seed": i["seed"], "ids": ids, "take": i["sample_size"], "with_replacement": true, "digits": i["digits"]});
            let got = calc::run("sample", &req).unwrap();
            let rows = draws(&got);
            let want: Vec<Value> = want
                .as_array()
                .unwrap()
                .iter()
                .map(|w| {
                    json!([
                        w[0],
                        sampler::arlo_ballot_id(
                            w[1][0].as_str().unwrap(),
                            w[1][1].as_u64().unwrap()
                        ),
                        w[2]
                    ])
                })
                .collect();
            assert_eq!(rows, want, "{id}");
        }
        _ => return false,
    }
    true
}

/// The same winner-loser pairs with the same p-values (to a relative 1e-9).
fn same_pvalues(got: &Value, want: &Value, id: &str) {
    let want = want.as_object().unwrap();
    assert_eq!(got.as_object().unwrap().len(), want.len(), "{id}");
    for (pair, p) in want {
        close(f(&got[pair]), f(p), 1e-9, &format!("{id} {pair}"));
    }
}

fn bravo_vector(id: &str, v: &Value) -> bool {
    let i = &v["inputs"];
    let mut req = json!({"risk_limit": i["risk_limit_pct"], "contest": i["contest"]});
    if !i["sample"].is_null() {
        req["sample"] = i["sample"].clone();
    }
    if !i["not_found"].is_null() {
        req["not_found"] = i["not_found"].clone();
    }
    let got = calc::run("bravo", &req).unwrap();
    let want = &v["expected"];
    if id.starts_with("arlo.bravo.get_sample_size") {
        for key in ["asn", "0.7", "0.8", "0.9"] {
            let (g, w) = (&got["sample_sizes"][key], &want[key]);
            assert_eq!(g["size"], w["size"], "{id} {key} size");
            assert_eq!(g["type"], w["type"], "{id} {key} type");
            close(
                f(&g["prob"]),
                f(&w["prob"]),
                1e-12,
                &format!("{id} {key} prob"),
            );
        }
    } else if id.starts_with("arlo.bravo.compute_risk") {
        same_pvalues(&got["risk"]["pvalues"], &want["pvalues"], id);
        assert_eq!(got["risk"]["confirmed"], want["confirmed"], "{id}");
    } else if id == "arlo.bravo.not_found_ballots" {
        same_pvalues(&got["risk"]["pvalues"], want, id);
    } else {
        return false;
    }
    true
}

/// The 400 batches of Arlo's `test_macro.py`, as the vector describes them: "Batch i" (400
/// ballots) and "Batch i AV" (200) for i < 200; contest A in all, B in i < 100, C in
/// i < 30 and 100 <= i < 130.
fn macro_batches(contest: &str) -> Value {
    let mut batches = serde_json::Map::new();
    for i in 0..200 {
        let (w, l) = match contest {
            "Contest A" => (200, 180),
            "Contest B" if i < 100 => (200, 160),
            "Contest C" if i < 30 || (100..130).contains(&i) => (200, 140),
            _ => (0, 0),
        };
        for (suffix, scale, ballots) in [("", 1, 400), (" AV", 2, 200)] {
            let mut b = json!({"ballots": ballots});
            if w > 0 {
                b["winner"] = json!(w / scale);
                b["loser"] = json!(l / scale);
            }
            batches.insert(format!("Batch {i}{suffix}"), b);
        }
    }
    Value::Object(batches)
}

fn macro_vector(id: &str, v: &Value) -> bool {
    let all = vectors();
    let contests = all
        .iter()
        .find(|x| x["id"] == "arlo.macro.U_and_u_p")
        .unwrap()["inputs"]["contests"]
        .clone();
    let want = &v["expected"];
    for (name, contest) in contests.as_object().unwrap() {
        let batches = macro_batches(name);
        let req = json!({"risk_limit": 25, "contest": contest, "batches": batches});
        match id {
            "arlo.macro.U_and_u_p" => {
                let got = calc::run("macro", &req).unwrap();
                close(
                    f(&got["U"]),
                    f(&want["U"][name]),
                    1e-12,
                    &format!("{id} {name} U"),
                );
                // u_p of single batches, through the library.
                let c = Contest::from_arlo(name, contest, "contest").unwrap();
                let names: Vec<&String> = batches.as_object().unwrap().keys().collect();
                let tallies: Vec<BatchTally> = batches
                    .as_object()
                    .unwrap()
                    .values()
                    .map(|b| BatchTally {
                        votes: if b["winner"].is_null() {
                            vec![]
                        } else {
                            vec![b["winner"].as_u64().unwrap(), b["loser"].as_u64().unwrap()]
                        },
                        ballots: b["ballots"].as_u64().unwrap(),
                    })
                    .collect();
                let m = Macro::new(&c, &tallies);
                for (batch, up) in want["u_p_examples"][name].as_object().unwrap() {
                    let k = names.iter().position(|n| n == &batch).unwrap();
                    close(
                        m.max_errors[k],
                        f(up),
                        1e-12,
                        &format!("{id} {name} {batch}"),
                    );
                }
            }
            "arlo.macro.first_round_sizes" => {
                let got = calc::run("macro", &req).unwrap();
                assert_eq!(got["sample_size"], want[name], "{id} {name}");
            }
            "arlo.macro.compute_risk" => {
                let mut audited = serde_json::Map::new();
                let mut order = Vec::new();
                for i in (0..30).chain(100..106) {
                    let key = format!("Batch {i}");
                    let reported = &batches[&key];
                    let mut a = json!({});
                    if !reported["winner"].is_null() {
                        a = json!({"winner": reported["winner"], "loser": reported["loser"]});
                        if name == "Contest A" && i >= 100 {
                            a = json!({"winner": 190, "loser": 190});
                        }
                    }
                    audited.insert(key.clone(), a);
                    order.push(key);
                }
                let mut req = req.clone();
                req["audited"] = Value::Object(audited);
                req["ticket_order"] = json!(order);
                let got = calc::run("macro", &req).unwrap();
                let w = &want["pvalues"][name];
                close(
                    f(&got["risk"]["p_value"]),
                    f(&w[0]),
                    1e-9,
                    &format!("{id} {name}"),
                );
                close(
                    f(&got["risk"]["p_value"]),
                    f(&want["expected_closed_form"][name]),
                    1e-9,
                    &format!("{id} {name} closed form"),
                );
                assert_eq!(got["risk"]["confirmed"], w[1], "{id} {name}");
            }
            _ => return false,
        }
    }
    true
}

fn supersimple_vector(id: &str, v: &Value) -> bool {
    let i = &v["inputs"];
    let want = &v["expected"];
    let req = json!({"risk_limit": i["risk_limit_pct"], "contest": i["contest"]});
    let got = calc::run("supersimple", &req).unwrap();
    close(
        f(&got["diluted_margin"]),
        f(&want["diluted_margin"]),
        1e-12,
        id,
    );
    assert_eq!(got["sample_size"], want["sample_size"], "{id} size");
    let n = want["sample_size"].as_u64().unwrap();
    let mut clean = req.clone();
    clean["discrepancies"] = json!({"sample_size": n});
    let got = calc::run("supersimple", &clean).unwrap();
    close(
        f(&got["risk"]["p_value"]),
        f(&want["p_after_sample_size_clean_ballots"]),
        1e-9,
        &format!("{id} p"),
    );
    let mut one = req.clone();
    one["discrepancies"] = json!({"sample_size": n, "1-over": 1});
    let got = calc::run("supersimple", &one).unwrap();
    assert_eq!(
        got["sample_size"], want["next_round_size_if_one_1vote_overstatement"],
        "{id} next round"
    );
    true
}

fn alpha_vector(id: &str, v: &Value) -> bool {
    let want = &v["expected"];
    let req = match id {
        "shangrla.alpha_withrepl_eta0.75_u1_t0.5_x_ones8" => {
            json!({"x": vec![1.0; 8], "eta": 0.75})
        }
        "shangrla.alpha_withrepl_eta0.75_u1_t0.5_x_mixed" => json!({"x": want["x"], "eta": 0.75}),
        "shangrla.alpha_norepl_N7_t3over7_default_eta_x_1011001" => {
            json!({"x": [1, 0, 1, 1, 0, 0, 1], "N": 7, "t": 3.0 / 7.0})
        }
        "shangrla.alpha_norepl_N7_t3over7_default_eta_x_1011000" => {
            json!({"x": [1, 0, 1, 1, 0, 0, 0], "N": 7, "t": 3.0 / 7.0})
        }
        _ => return false,
    };
    let got = calc::run("alpha", &req).unwrap();
    close(f(&got["p"]), f(&want["p"]), 1e-12, &format!("{id} p"));
    let (g, w) = (
        got["p_history"].as_array().unwrap(),
        want["p_history"].as_array().unwrap(),
    );
    assert_eq!(g.len(), w.len(), "{id}");
    for (k, (a, b)) in g.iter().zip(w).enumerate() {
        close(f(a), f(b), 1e-12, &format!("{id} p_history[{k}]"));
    }
    if let Some(cf) = want.get("closed_form") {
        close(f(&got["p"]), f(cf), 1e-12, &format!("{id} closed form"));
    }
    if let Some(eta) = want.get("eta_default") {
        let s = Setting {
            u: 1.0,
            n: Some(7),
            t: 3.0 / 7.0,
        };
        assert_eq!(Estimator::default_for(&s), Estimator::Fixed { eta: f(eta) });
    }
    true
}

fn assorter_vector(id: &str, v: &Value) -> bool {
    let want = &v["expected"];
    // The contest of the SHANGRLA cases: 10,000 cards, Alice 3,000, Bob 2,000, Carol 1,000.
    let cards = 10_000u64;
    match id {
        "shangrla.assorter.contest" => {
            assert_eq!(
                want.as_str(),
                Some("plurality, cards=10000, tally Alice 3000 Bob 2000 Carol 1000, winner Alice")
            );
            let c = Contest::new(
                "c",
                vec![
                    ("Alice".into(), 3000),
                    ("Bob".into(), 2000),
                    ("Carol".into(), 1000),
                ],
                cards,
            );
            assert_eq!(c.winners(), [0]);
        }
        "shangrla.assorter.supermajority_2_3" => {
            let a = Assorter::supermajority(2.0 / 3.0);
            close(a.for_value, f(&want["winner_vote"]), 1e-15, id);
            assert_eq!(a.against_value, f(&want["loser_vote"]));
            assert_eq!(a.neutral, f(&want["invalid_overvote"]));
            close(a.upper_bound, f(&want["upper_bound"]), 1e-15, id);
        }
        "shangrla.assorter.Alice v Bob" | "shangrla.assorter.Alice v Carol" => {
            let loser = if id.ends_with("Bob") { 2000 } else { 1000 };
            let a = Assorter::plurality();
            let margin = 2.0 * a.mean(3000, loser, 0, cards - 3000 - loser) - 1.0;
            close(margin, f(&want["assorter_margin"]), 1e-12, id);
            assert_eq!(a.upper_bound, f(&want["upper_bound"]));
            close(
                a.overstatement(margin, 0.0, 0.0),
                f(&want["overstatement_assorter_clean_value"]),
                1e-12,
                id,
            );
            close(
                a.overstatement(margin, 1.0, 0.5),
                f(&want["overstatement_assorter_one_vote_over"]),
                1e-12,
                id,
            );
            close(
                a.overstatement(margin, 1.0, 0.0),
                f(&want["overstatement_assorter_two_vote_over"]),
                1e-12,
                id,
            );
            let mean = a.overstatement_mean(margin, 0.0, 0.0);
            close(
                mean,
                f(&want["overstatement_assorter_mean_noerrors"]),
                1e-12,
                id,
            );
            close(
                2.0 * mean - 1.0,
                f(&want["overstatement_assorter_margin_noerrors"]),
                1e-12,
                id,
            );
            // ALPHA with the optimal comparison bet on 200 clean cards of 10,000.
            let w = &want["alpha_optimal_comparison_N10000_200clean"];
            let u = a.overstatement_bound(margin);
            close(u, f(&w["u_over"]), 1e-12, id);
            let s = Setting {
                u,
                n: Some(cards),
                t: 0.5,
            };
            let x = vec![a.overstatement(margin, 0.0, 0.0); 200];
            let p = nonneg::alpha(&s, &Estimator::OptimalComparison { p2: 1e-5 }, &x);
            close(p.p, f(&w["p_final"]), 1e-9, id);
            close(p.history[9], f(&w["p_after_10"]), 1e-9, id);
            close(p.history[49], f(&w["p_after_50"]), 1e-9, id);
            let first = p
                .history
                .iter()
                .position(|&h| h < 0.05)
                .map(|k| k as u64 + 1);
            assert_eq!(first, w["first_n_below_0.05"].as_u64(), "{id}");
        }
        _ => return false,
    }
    true
}

/// The sequential form of ALPHA gives the batch form's p-value history draw by draw
/// (where the batch form's last-entry rule does not apply).
#[test]
fn sequential_alpha_matches_the_batch_form() {
    let x: Vec<f64> = (0..300)
        .map(|i| [0.52, 0.52, 0.52, 0.26, 0.52, 0.0, 0.52][i % 7])
        .collect();
    for (s, est) in [
        (
            Setting {
                u: 1.05,
                n: Some(10_000),
                t: 0.5,
            },
            Estimator::OptimalComparison { p2: 1e-5 },
        ),
        (
            Setting {
                u: 1.0,
                n: Some(5_000),
                t: 0.5,
            },
            Estimator::Fixed { eta: 0.6 },
        ),
        (
            Setting {
                u: 1.0,
                n: None,
                t: 0.5,
            },
            Estimator::Fixed { eta: 0.55 },
        ),
    ] {
        let batch = nonneg::alpha(&s, &est, &x);
        let mut seq = nonneg::Sequential::new(s, &est);
        let mut best = 1.0f64;
        for (k, &v) in x.iter().enumerate() {
            let p = seq.push(v);
            best = best.min(batch.history[k]);
            close(p, best, 1e-12, &format!("draw {k}"));
        }
    }
}

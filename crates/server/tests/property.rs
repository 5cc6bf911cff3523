//! Property (issue 15): random sequences of manual corrections, machine counts, rejected
//! entries and annulments through the API leave the official totals equal to a model kept
//! here by plain summation (each station's latest manual count, annulled stations left out),
//! anchored on the synthetic generator's own totals (`synth::Truth`), never a second call of
//! the tabulation code; the page says the same, and the log verifies. One fixed sequence also
//! leaves its log, with a publication of those totals, for the Python verifier
//! (`target/tmp/property-live-log`, checked by `scripts/test`).

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use proptest::prelude::*;
use record::Role;
use serde_json::{json, Value};

use crate::common::{App, LOG_SEED, PARAMS};

/// One act of the sequence, on station number `station` (an index into the protocols).
#[derive(Debug, Clone, Copy)]
enum Op {
    /// A manual recount: the first choice's votes go up by `delta + 1`.
    Correct { station: usize, delta: u64 },
    /// A machine count differing by `delta` in every choice: the totals do not move.
    Machine { station: usize, delta: u64 },
    /// An entry a verifier rejects: nothing moves.
    Rejected { station: usize },
    /// The station annulled: it leaves the totals.
    Annul { station: usize },
}

fn op() -> impl Strategy<Value = Op> {
    let station = 0..PARAMS.stations as usize;
    prop_oneof![
        (station.clone(), 0u64..5).prop_map(|(station, delta)| Op::Correct { station, delta }),
        (station.clone(), 0u64..5).prop_map(|(station, delta)| Op::Machine { station, delta }),
        station.clone().prop_map(|station| Op::Rejected { station }),
        station.prop_map(|station| Op::Annul { station }),
    ]
}

/// The tokens of the roles that act.
struct Clerks {
    op: String,
    ver: String,
    com: String,
}

async fn clerks(app: &App) -> Clerks {
    app.assign_operator_everywhere().await;
    Clerks {
        op: app.token(Role::Operator).await,
        ver: app.token(Role::Verifier).await,
        com: app.token(Role::Commissioner).await,
    }
}

/// Enters a protocol and has it verified (or rejected).
async fn enter(app: &App, c: &Clerks, station: u32, source: &str, votes: &[u64], verify: bool) {
    let e = app
        .api(
            "POST",
            "/api/elections/s/protocols",
            &c.op,
            json!({"station": station, "source": source, "votes": votes,
                   "lines": crate::common::lines_for(votes)}),
        )
        .await;
    assert_eq!(e.status, StatusCode::CREATED, "{}", e.text());
    let id = e.json()["id"].as_i64().unwrap();
    let act = if verify { "verify" } else { "reject" };
    let v = app
        .api(
            "POST",
            &format!("/api/elections/s/pending/{id}/{act}"),
            &c.ver,
            json!({"reason": "the copy differs from the signed protocol"}),
        )
        .await;
    assert_eq!(v.status, StatusCode::OK, "{}", v.text());
}

/// Runs `ops`, keeping the model; checks the API and the page against it; answers the model's
/// national votes and the number of stations counted.
async fn run(app: &App, ops: &[Op]) -> (Vec<u64>, u64) {
    let c = clerks(app).await;
    let ids: Vec<u32> = app.protocols.iter().map(|p| p.station.0).collect();
    let mut legal: BTreeMap<u32, Vec<u64>> = app
        .protocols
        .iter()
        .map(|p| (p.station.0, p.votes.clone()))
        .collect();
    let mut annulled = BTreeSet::new();
    for &op in ops {
        match op {
            Op::Correct { station, delta } if !annulled.contains(&ids[station]) => {
                let mut votes = legal[&ids[station]].clone();
                votes[0] += delta + 1;
                enter(app, &c, ids[station], "manual", &votes, true).await;
                legal.insert(ids[station], votes);
            }
            Op::Machine { station, delta } if !annulled.contains(&ids[station]) => {
                let votes: Vec<u64> = legal[&ids[station]].iter().map(|v| v + delta).collect();
                enter(app, &c, ids[station], "machine", &votes, true).await;
            }
            Op::Rejected { station } if !annulled.contains(&ids[station]) => {
                let votes: Vec<u64> = legal[&ids[station]].iter().map(|v| v + 1).collect();
                enter(app, &c, ids[station], "manual", &votes, false).await;
            }
            Op::Annul { station } if !annulled.contains(&ids[station]) => {
                let d = app
                    .api("POST", "/api/elections/s/decisions", &c.com,
                         json!({"kind": "annul-unit", "unit": ids[station], "reason": "property test"}))
                    .await;
                assert_eq!(d.status, StatusCode::CREATED, "{}", d.text());
                annulled.insert(ids[station]);
            }
            _ => {}
        }
    }
    let parties = app.protocols[0].votes.len();
    let mut want = vec![0u64; parties];
    for (station, votes) in &legal {
        if !annulled.contains(station) {
            for (w, v) in want.iter_mut().zip(votes) {
                *w += v;
            }
        }
    }
    let counted = (ids.len() - annulled.len()) as u64;
    let r = app.get("/api/elections/s/results?by=country").await.json();
    let country = &r["units"][0];
    assert_eq!(country["votes"], json!(want), "{ops:?}");
    assert_eq!(country["stations"], counted, "{ops:?}");
    assert_eq!(country["annulled"], annulled.len(), "{ops:?}");
    let page = app.get("/elections/s").await.visible();
    for (choice, votes) in app.election.contests[0].choices.iter().zip(&want) {
        let row = format!("{} {}", choice.name, ui::Lang::En.count(*votes));
        assert!(page.contains(&row), "{row}: {page}");
    }
    (want, counted)
}

/// The model starts where the generator's own totals are.
fn anchored(app: &App) {
    let (_, truth) = synth::generate(&PARAMS, |_, _| {}).unwrap();
    let root = truth.0[0].as_ref().unwrap();
    let mut sum = vec![0u64; root.votes.len()];
    for p in &app.protocols {
        for (s, v) in sum.iter_mut().zip(&p.votes) {
            *s += v;
        }
    }
    assert_eq!(sum, root.votes);
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn official_totals_follow_the_legal_count_of_the_stations_counted(ops in prop::collection::vec(op(), 1..14)) {
        let rt = runtime();
        rt.block_on(async {
            let app = App::blocking(|| Some(App::sqlite())).await.unwrap();
            anchored(&app);
            run(&app, &ops).await;
            App::drop_blocking(Some(app)).await;
        });
    }
}

/// A fixed sequence of every kind of act, published: the publication states the model's
/// totals, the log verifies (the Rust verifier here, the Python one in `scripts/test`).
#[test]
fn a_published_sequence_leaves_a_log_both_verifiers_check() {
    let ops = [
        Op::Machine {
            station: 3,
            delta: 4,
        },
        Op::Correct {
            station: 3,
            delta: 2,
        },
        Op::Rejected { station: 5 },
        Op::Annul { station: 7 },
        Op::Correct {
            station: 11,
            delta: 0,
        },
        Op::Machine {
            station: 11,
            delta: 1,
        },
        Op::Annul { station: 11 },
    ];
    runtime().block_on(async {
        let app = App::blocking(|| Some(App::sqlite())).await.unwrap();
        anchored(&app);
        let (want, counted) = run(&app, &ops).await;
        let com = app.token(Role::Commissioner).await;
        let p = app
            .api("POST", "/api/elections/s/publish", &com, json!({}))
            .await;
        assert_eq!(p.status, StatusCode::CREATED, "{}", p.text());
        let body: Value = p.json();
        assert_eq!(
            (body["votes"].clone(), body["stations_counted"].clone()),
            (json!(want), json!(counted))
        );
        let log = app.with_store(|s| store::Store::log(s, "s").unwrap()).await;
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("property-live-log");
        crate::common::write_log(&dir, "s", &log);
        let key = translog::note::NoteSigner::from_seed("tests.local", LOG_SEED).unwrap();
        let fetch = |p: &str| std::fs::read(dir.join(p)).ok();
        let verdict =
            published::verify(&fetch, "property", &key.verifier(), None, &[], 0, &|_| ()).unwrap();
        assert!(
            matches!(verdict, published::Verdict::Valid(_)),
            "{verdict:?}"
        );
        App::drop_blocking(Some(app)).await;
    });
}

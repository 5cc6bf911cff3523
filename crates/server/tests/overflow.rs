//! Issue 13, finding 2, through the service: totals beyond 64 bits in an imported store are
//! an error naming the unit (never a wrapped number), cannot be certified, and come back
//! exact when corrections arrive; typed counts above the plausibility bound are refused.

use axum::http::StatusCode;
use model::{Line, Protocol, UnitLevel};
use record::Role;
use serde_json::{json, Value};
use store::Store;

use crate::common::{on_every_backend, App};

/// The country's votes per choice in a results answer.
fn national(results: &Value) -> Vec<u64> {
    results["units"][0]["votes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect()
}

/// Imports election `w` (synthetic, one region) into the app's store, with its first three
/// stations replaced by internally consistent protocols whose votes for the first choice
/// (and valid ballots), each below `i64::MAX`, add up to 2^64 + 1,000: wrapped, the national
/// total would read 1,000 more than the other stations give. Answers the original protocols
/// and the ones imported.
async fn import_wrapping(app: &App) -> (model::Election, Vec<Protocol>, Vec<Protocol>) {
    app.with_store(|s| {
        let p = synth::Params {
            stations: 12,
            parties: 3,
            regions: 1,
            stations_per_district: 4,
            seed: 5,
        };
        let mut original = Vec::new();
        let (mut e, _) = synth::generate(&p, |_, x| original.push(x)).unwrap();
        e.name = "w".into();
        let total = (1u128 << 64) + 1000;
        let mut imported = original.clone();
        for (k, p) in imported.iter_mut().take(3).enumerate() {
            let a = (total / 3 + if k == 2 { total % 3 } else { 0 }) as u64;
            assert!(a <= i64::MAX as u64);
            p.lines = [None; Line::COUNT];
            p.set_line(Line::Valid, a);
            p.votes.iter_mut().for_each(|v| *v = 0);
            p.votes[0] = a;
            assert!(e.rules.check(&e, p).is_empty());
        }
        let mut tx = s.import().unwrap();
        tx.begin(&e, "wrapping").unwrap();
        for p in &imported {
            tx.protocol(&e, p).unwrap();
        }
        tx.units(&e).unwrap();
        tx.commit(&e).unwrap();
        // Stored after the users were added: their roles apply in it once granted.
        for &role in record::Role::ALL {
            store::Staffing::grant(s, role.key(), "w", None, crate::common::clock()).unwrap();
        }
        (e, original, imported)
    })
    .await
}

async fn log_size(app: &App, name: &'static str) -> usize {
    app.with_store(move |s| s.log(name).unwrap().len()).await
}

async fn wrapped_totals_are_refused_until_corrected_exactly(app: &App) {
    let (e, original, imported) = import_wrapping(app).await;
    let region = e
        .units
        .iter()
        .find(|(_, u)| u.level == UnitLevel::Region)
        .unwrap()
        .0;
    // The lowest unit above the third station is the first whose total overflows.
    let third = imported[2].station;
    let unit = e.units.path(e.units.get(third).parent.unwrap());
    let com = app.token(Role::Commissioner).await;
    // The results are an error naming the unit, not a wrapped number.
    let results = app.get("/api/elections/w/results?by=country").await;
    assert_eq!(results.status, StatusCode::CONFLICT, "{}", results.text());
    assert_eq!(
        results.json()["error"],
        format!(
            "the totals of '{unit}' overflow: with station '{}', the valid ballots exceed 18446744073709551615",
            e.units.path(third)
        )
    );
    let page = app.get("/elections/w").await;
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.text());
    // Certifying them is refused, and logs nothing.
    let size = log_size(app, "w").await;
    let cert = app
        .api("POST", "/api/elections/w/certify", &com, json!({}))
        .await;
    assert!(cert.status.is_client_error(), "{}", cert.text());
    assert!(cert.text().contains("overflow"), "{}", cert.text());
    assert_eq!(log_size(app, "w").await, size);
    // Two of the stations corrected back to their counts (entered and verified).
    let admin = app.token(Role::Admin).await;
    let op = app.token(Role::Operator).await;
    let ver = app.token(Role::Verifier).await;
    let a = app
        .api(
            "POST",
            "/api/elections/w/assignments",
            &admin,
            json!({"user": "operator", "unit": region.0}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let mut counted = imported.clone();
    for k in 0..2 {
        let p = &original[k];
        let lines: serde_json::Map<String, Value> = Line::ALL
            .iter()
            .filter_map(|l| Some((l.key().to_string(), json!(p.line(*l)?))))
            .collect();
        let entered = app
            .api(
                "POST",
                "/api/elections/w/protocols",
                &op,
                json!({"station": p.station.0, "lines": lines, "votes": p.votes}),
            )
            .await;
        assert_eq!(entered.status, StatusCode::CREATED, "{}", entered.text());
        let id = entered.json()["id"].as_i64().unwrap();
        let ok = app
            .api(
                "POST",
                &format!("/api/elections/w/pending/{id}/verify"),
                &ver,
                json!({}),
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
        counted[k] = p.clone();
    }
    // Exactly the sums of the protocols now counted: nothing clamped on the way back.
    let want: Vec<u64> = (0..counted[0].votes.len())
        .map(|i| {
            let s: u128 = counted.iter().map(|p| u128::from(p.votes[i])).sum();
            u64::try_from(s).unwrap()
        })
        .collect();
    let live = app.get("/api/elections/w/results?by=country").await;
    assert_eq!(live.status, StatusCode::OK, "{}", live.text());
    assert_eq!(national(&live.json()), want);
    // As a restarted service computes them from the log.
    let db = app.db.clone();
    let fresh =
        tokio::task::spawn_blocking(move || server::router(&db, crate::common::signing()).unwrap())
            .await
            .unwrap();
    let restarted = crate::common::App::answer(&fresh, "/api/elections/w/results?by=country").await;
    assert_eq!(national(&restarted), want);
    let cert = app
        .api("POST", "/api/elections/w/certify", &com, json!({}))
        .await;
    assert_eq!(cert.status, StatusCode::CREATED, "{}", cert.text());
    assert_eq!(cert.json()["votes"], json!(want));
}

async fn typed_counts_above_the_plausibility_bound_are_refused(app: &App) {
    let admin = app.token(Role::Admin).await;
    let op = app.token(Role::Operator).await;
    let ver = app.token(Role::Verifier).await;
    let region = app.first_region();
    let a = app
        .api(
            "POST",
            "/api/elections/s/assignments",
            &admin,
            json!({"user": "operator", "unit": region.0}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let p = app
        .protocols
        .iter()
        .find(|p| app.election.units.is_within(p.station, region))
        .unwrap();
    let registered = p.line(Line::Registered).unwrap();
    let pending = || async {
        app.api("GET", "/api/elections/s/pending", &ver, Value::Null)
            .await
            .json()
    };
    let (size, listed) = (log_size(app, "s").await, pending().await);
    let enter = |votes: Vec<u64>, lines: Value| {
        app.api(
            "POST",
            "/api/elections/s/protocols",
            &op,
            json!({"station": p.station.0, "lines": lines, "votes": votes}),
        )
    };
    let path = app.election.units.path(p.station);
    // Nineteen digits, with no registered line in the entry.
    let mut votes = p.votes.clone();
    votes[0] = i64::MAX as u64;
    let refused = enter(votes, json!({})).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text()
    );
    assert_eq!(
        refused.json()["error"],
        format!("station '{path}': votes[0] 9223372036854775807 is above {}, the station's {registered} registered voters plus 10% (at least 100)", model::count_bound(Some(registered)))
    );
    // Above the station's registered voters plus the margin.
    let bound = model::count_bound(Some(registered));
    let mut votes = p.votes.clone();
    votes[0] = bound + 1;
    let refused = enter(votes, json!({"valid": bound + 1})).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text()
    );
    assert!(
        refused
            .text()
            .contains(&format!("valid {} is above {bound}", bound + 1)),
        "{}",
        refused.text()
    );
    // The desk's form goes the same way.
    let (cookie, csrf) = app.login(Role::Operator).await;
    let mut fields = format!("csrf={csrf}&station={}&source=manual", p.station.0);
    for (i, v) in p.votes.iter().enumerate() {
        let v = if i == 0 {
            10_000_000_000_000_000_000
        } else {
            *v
        };
        fields.push_str(&format!("&vote_{i}={v}"));
    }
    let refused = app
        .form("/elections/s/staff/protocols", &cookie, fields.into_bytes())
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text()
    );
    assert!(
        refused
            .text()
            .contains("votes[0] 10000000000000000000 is above"),
        "{}",
        refused.text()
    );
    // Nothing was stored or logged.
    assert_eq!((log_size(app, "s").await, pending().await), (size, listed));
    // At the bound, the entry is taken.
    let mut votes = p.votes.clone();
    votes[0] = bound;
    let taken = enter(votes, json!({})).await;
    assert_eq!(taken.status, StatusCode::CREATED, "{}", taken.text());
}

on_every_backend!(
    wrapped_totals_are_refused_until_corrected_exactly,
    typed_counts_above_the_plausibility_bound_are_refused,
);

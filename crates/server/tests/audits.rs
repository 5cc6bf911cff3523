//! The auditor's rounds over HTTP, on a second stored election `b` (4,000 synthetic
//! stations: enough ballots that an audit is not a full count): a batch audit started, a
//! round drawn and its retrieval list redrawn by the public, the hand counts recorded (wrong
//! files refused, naming their line, and logging nothing), the audit API and the log
//! agreeing; a comparison audit's records read from an uploaded file; a polling audit
//! escalated. Both on SQLite and PostgreSQL.

use std::collections::HashMap;

use axum::http::StatusCode;
use base64::Engine;
use model::{Election, Protocol};
use record::Role;
use serde_json::{json, Value};
use store::Store;

use crate::common::{on_every_backend, Answer, App};

/// Imports the synthetic election `b` (as `tallyproof gen --stations 4000 --parties 5
/// --regions 4 --seed 8`, the command line's batch audit test) into the app's store.
pub(crate) async fn import_b(app: &App) -> (Election, Vec<Protocol>) {
    let p = synth::Params {
        stations: 4000,
        parties: 5,
        regions: 4,
        stations_per_district: 100,
        seed: 8,
    };
    // Stored after the users were added: their roles apply in it once granted (on the console).
    app.with_store(move |s| {
        let imported = crate::common::import(s, &p, "b");
        for &role in Role::ALL {
            store::Staffing::grant(s, role.key(), "b", None, crate::common::clock()).unwrap();
        }
        imported
    })
    .await
}

async fn log_of(app: &App) -> Vec<Vec<u8>> {
    app.with_store(|s| s.log("b").unwrap()).await
}

async fn log_len(app: &App) -> usize {
    log_of(app).await.len()
}

/// Posts CSV text with a bearer token.
async fn post_csv(app: &App, path: &str, token: &str, csv: &str) -> Answer {
    let auth = format!("Bearer {token}");
    app.call(
        "POST",
        path,
        &[("authorization", &auth), ("content-type", "text/csv")],
        csv.as_bytes().to_vec(),
    )
    .await
}

/// The records sent in parts: 30 ballots of one station.
fn parted_body(first: &str, choices: &[String]) -> Vec<u8> {
    let mut body = "Batch Name,Position,Choice\n".to_string();
    for k in 1..=30 {
        body += &format!("{first},{k},{}\n", choices[k % choices.len()]);
    }
    body.into_bytes()
}

fn parted(first: &str, choices: &[String]) -> String {
    store::FileRef::of(&parted_body(first, choices)).to_string()
}

/// Issue 18, item 1: records sent in three parts, one sent twice (refused with where the
/// upload stands), taken whole with their hash; a whole that is no records file refused and
/// deleted; the public cannot send a part.
async fn records_arrive_in_parts(app: &App, first: &str, choices: &[String], auth: &str) {
    let body = parted_body(first, choices);
    let file = store::FileRef::of(&body);
    let call = |method: &'static str, path: String, bytes: Vec<u8>, signed: bool| {
        let headers: Vec<(&str, &str)> = if signed {
            vec![("authorization", auth)]
        } else {
            Vec::new()
        };
        async move { app.call(method, &path, &headers, bytes).await }
    };
    let token = auth.strip_prefix("Bearer ").unwrap();
    let begin = |file: &store::FileRef, size: usize| {
        let b = json!({"sha256": file.to_string(), "size": size});
        app.api("POST", "/api/audit-files", token, b)
    };
    let part = |file: &store::FileRef, offset: usize, bytes: &[u8]| {
        let path = format!("/api/audit-files/{}/parts/{offset}", file.hex());
        call("PUT", path, bytes.to_vec(), true)
    };
    let a = begin(&file, body.len()).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    assert_eq!(
        a.json()["next"],
        format!("/api/audit-files/{}/parts/0", file.hex())
    );
    let a = part(&file, 0, &body[..100]).await;
    assert_eq!(a.json()["received"], 100, "{}", a.text());
    let a = part(&file, 0, &body[..100]).await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.text());
    assert!(
        a.text().contains("send the part at offset 100"),
        "{}",
        a.text()
    );
    let public = call(
        "PUT",
        format!("/api/audit-files/{}/parts/100", file.hex()),
        body[100..].to_vec(),
        false,
    )
    .await;
    assert_eq!(public.status, StatusCode::UNAUTHORIZED);
    let a = call(
        "GET",
        format!("/api/audit-files/{}", file.hex()),
        Vec::new(),
        true,
    )
    .await;
    assert_eq!(
        (
            a.json()["received"].as_u64(),
            a.json()["complete"].as_bool()
        ),
        (Some(100), Some(false))
    );
    // A part sent with its SHA-256 (RFC 9530's Content-Digest): one its bytes do not have is
    // refused, nothing written; the right one is taken; a digest that is no SHA-256 is refused.
    let digested = |offset: usize, bytes: &[u8], of: &[u8]| {
        let path = format!("/api/audit-files/{}/parts/{offset}", file.hex());
        let digest = format!(
            "sha-256=:{}:",
            base64::engine::general_purpose::STANDARD
                .encode(hex::decode(store::FileRef::of(of).hex()).unwrap())
        );
        let bytes = bytes.to_vec();
        async move {
            let headers = [("authorization", auth), ("content-digest", digest.as_str())];
            app.call("PUT", &path, &headers, bytes).await
        }
    };
    let a = digested(100, &body[100..200], b"something else").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text());
    assert!(a.text().contains("nothing was written"), "{}", a.text());
    let a = digested(100, &body[100..200], &body[100..200]).await;
    assert_eq!(a.json()["received"], 200, "{}", a.text());
    let a = app
        .call(
            "PUT",
            &format!("/api/audit-files/{}/parts/200", file.hex()),
            &[("authorization", auth), ("content-digest", "md5=:AAAA:")],
            body[200..].to_vec(),
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text());
    assert!(a.text().contains("Content-Digest"), "{}", a.text());
    let a = part(&file, 200, &body[200..]).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.json()["complete"], true, "{}", a.text());
    assert_eq!(a.json()["file"], file.to_string());

    // A page passed off as records: whole with its hash, refused by its contents, deleted.
    let page = b"<html><script>alert(1)</script></html>\n".to_vec();
    let bad = store::FileRef::of(&page);
    assert_eq!(begin(&bad, page.len()).await.status, StatusCode::CREATED);
    let a = part(&bad, 0, &page).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text());
    assert!(a.text().contains("it was deleted"), "{}", a.text());
    let a = call(
        "GET",
        format!("/api/audit-files/{}", bad.hex()),
        Vec::new(),
        true,
    )
    .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.text());

    // An upload given up: its parts are deleted; a finished one stays.
    let other = b"Batch Name,Position,Choice\n".to_vec();
    let given_up = store::FileRef::of(&other);
    assert_eq!(
        begin(&given_up, other.len()).await.status,
        StatusCode::CREATED
    );
    let path = format!("/api/audit-files/{}", given_up.hex());
    let a = call("DELETE", path.clone(), Vec::new(), true).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.text());
    let a = call("GET", path.clone(), Vec::new(), true).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.text());
    let a = call("DELETE", path, Vec::new(), true).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.text());
    let a = call(
        "DELETE",
        format!("/api/audit-files/{}", file.hex()),
        Vec::new(),
        true,
    )
    .await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.text());
    assert!(a.text().contains("it stays"), "{}", a.text());
}

async fn an_auditor_runs_the_rounds_over_http(app: &App) {
    let (e, ps) = import_b(app).await;
    let aud = app.token(Role::Auditor).await;
    let auth = format!("Bearer {aud}");
    let start = |body: Value| {
        let aud = aud.clone();
        async move { app.api("POST", "/api/elections/b/audits", &aud, body).await }
    };
    let audit = |method: &str, extra: Value| {
        let mut b = json!({"audit": "b1", "law": "kg2020", "risk_limit": 5, "method": method, "seed": "8 8 8"});
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let before = log_len(app).await;
    // Refused, and nothing logged: no records for a comparison audit, records never
    // uploaded, a bad risk limit.
    let a = start(audit("comparison", json!({}))).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text());
    assert!(
        a.text()
            .contains("cvrs: a comparison audit needs the cast-vote records"),
        "{}",
        a.text()
    );
    let never = format!("sha256:{}", "0".repeat(64));
    let a = start(audit("comparison", json!({ "cvrs": never }))).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.text());
    assert!(a.text().contains("upload it first"), "{}", a.text());
    let a = start(audit("batch", json!({"risk_limit": 60}))).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text());
    assert_eq!(log_len(app).await, before);

    // A batch audit, started as the command line's test starts it.
    let a = start(audit("batch", json!({}))).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let started = a.json();
    assert_eq!(started["stations"].as_u64(), Some(4000));
    assert_eq!(started["unit"], "stations");
    // Issue 18, item 1: the method comparison the auditor saw before starting names the work
    // the start answers (one computation); the public cannot ask for it; a bad risk limit or
    // an unknown parameter is refused.
    let methods = |query: &'static str, auth: Option<String>| async move {
        let headers: Vec<(&str, &str)> = auth
            .as_deref()
            .map(|a| vec![("authorization", a)])
            .unwrap_or_default();
        let path = format!("/api/elections/b/audits/methods{query}");
        app.call("GET", &path, &headers, Vec::new()).await
    };
    let m = methods("?law=kg2020&risk_limit=5", Some(auth.clone())).await;
    assert_eq!(m.status, StatusCode::OK, "{}", m.text());
    let m = m.json();
    let batch = m["methods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["method"] == "batch")
        .unwrap();
    assert_eq!(batch["full_count"], false, "{m}");
    assert_eq!(batch["sample"], started["expected_work"], "{m}");
    assert_eq!(m["ballots"], started["ballots"]);
    assert!(m["closest"]["margin_ballots"].as_u64().unwrap() > 0, "{m}");
    for (query, who, status) in [
        ("", None, StatusCode::UNAUTHORIZED),
        (
            "?risk_limit=60",
            Some(auth.clone()),
            StatusCode::BAD_REQUEST,
        ),
        ("?ballots=5", Some(auth.clone()), StatusCode::BAD_REQUEST),
    ] {
        let a = methods(query, who).await;
        assert_eq!(a.status, status, "{query}: {}", a.text());
    }
    let again = start(audit("batch", json!({}))).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.text());

    // Round 1: drawn and logged; the public redraws the same list as CSV.
    let round = app
        .api("POST", "/api/elections/b/audits/b1/rounds", &aud, json!({}))
        .await;
    assert_eq!(round.status, StatusCode::CREATED, "{}", round.text());
    let r = round.json();
    assert_eq!(r["round"].as_u64(), Some(1));
    let rows = r["rows"].as_array().unwrap().clone();
    assert!(!rows.is_empty());
    let draws: usize = rows
        .iter()
        .map(|x| x["Draws"].as_str().unwrap().split(' ').count())
        .sum();
    assert_eq!(draws as u64, r["size"].as_u64().unwrap());
    let list = app.get("/api/elections/b/audits/b1/rounds/1").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text());
    let csv = list.text();
    let choices: Vec<String> = e.contests[0]
        .choices
        .iter()
        .map(|c| c.name.clone())
        .collect();
    assert_eq!(
        csv.lines().next().unwrap(),
        format!("Round,Draws,Batch Name,{},Ballots", choices.join(","))
    );
    assert_eq!(csv.lines().count(), rows.len() + 1);
    for (line, row) in csv.lines().skip(1).zip(&rows) {
        let want = format!(
            "1,{},{},",
            row["Draws"].as_str().unwrap(),
            row["Batch Name"].as_str().unwrap()
        );
        assert!(line.starts_with(&want), "{line} vs {want}");
    }
    // The printable list: the same stations, in the same order, a blank hand-count cell each.
    let page = app
        .get("/elections/b/audits/b1/rounds/1?lang=en")
        .await
        .text();
    assert_eq!(page.matches("<td class=\"blank\">").count(), rows.len());
    let mut at = 0;
    for row in &rows {
        let cell = format!(
            "<td class=\"name\">{}</td>",
            maud::html! { (row["Batch Name"].as_str().unwrap()) }.into_string()
        );
        at += page[at..]
            .find(&cell)
            .expect("the CSV's stations in its order")
            + cell.len();
    }
    let missing = app.get("/api/elections/b/audits/b1/rounds/2").await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    let early = app
        .api("POST", "/api/elections/b/audits/b1/rounds", &aud, json!({}))
        .await;
    assert_eq!(early.status, StatusCode::BAD_REQUEST, "{}", early.text());
    assert!(
        early.text().contains("has not been recorded yet"),
        "{}",
        early.text()
    );

    // The hand counts agree with the protocols.
    let by_path: HashMap<String, &Protocol> = ps
        .iter()
        .filter(|p| p.contest == 0)
        .map(|p| (e.units.path(p.station), p))
        .collect();
    let count_line = |path: &str| {
        let p = by_path[path];
        let votes: Vec<String> = p.votes.iter().map(u64::to_string).collect();
        format!(
            "{path},{},{}\n",
            votes.join(","),
            audit::steps::reported_ballots(p)
        )
    };
    let mut filled = format!("Batch Name,{},Ballots\n", choices.join(","));
    for row in &rows {
        filled.push_str(&count_line(row["Batch Name"].as_str().unwrap()));
    }
    let size = log_len(app).await;
    // A station left out, and one not drawn, are refused by line.
    if rows.len() > 1 {
        let short: String = filled
            .lines()
            .take(rows.len())
            .map(|l| format!("{l}\n"))
            .collect();
        let a = post_csv(app, "/api/elections/b/audits/b1/readings", &aud, &short).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text());
        assert!(
            a.text().contains("was drawn in round 1 but not counted"),
            "{}",
            a.text()
        );
    }
    let drawn: Vec<&str> = rows
        .iter()
        .map(|x| x["Batch Name"].as_str().unwrap())
        .collect();
    let other = by_path
        .keys()
        .find(|k| !drawn.contains(&k.as_str()))
        .unwrap();
    let extra = format!("{filled}{}", count_line(other));
    let a = post_csv(app, "/api/elections/b/audits/b1/readings", &aud, &extra).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text());
    let line = format!("readings:{}", rows.len() + 2);
    assert!(a.text().contains(&line), "{line}: {}", a.text());
    assert!(
        a.text().contains("was not drawn in round 1"),
        "{}",
        a.text()
    );
    assert_eq!(log_len(app).await, size, "a refused file logged something");
    // Recorded: the status recomputed, as the public audit API has it.
    let a = post_csv(app, "/api/elections/b/audits/b1/readings", &aud, &filled).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let status = a.json()["status"].clone();
    assert_eq!(status["audited"].as_u64(), Some(rows.len() as u64));
    let public = app.get("/api/elections/b/audits").await.json();
    assert_eq!(public[0], status);
    // The batch audit's one risk: its claim in English as before (`label`), and typed
    // (`claim`); the audits page words it in the reader's language.
    let risk = &status["assertions"][0];
    let (count, bound) = (
        risk["claim"]["count"].as_u64().unwrap(),
        risk["claim"]["bound"].as_f64().unwrap(),
    );
    assert_eq!(risk["claim"]["kind"], "all");
    assert!(count > 1, "{risk}");
    assert_eq!(
        risk["label"],
        format!("all {count} assertions (MACRO, U = {bound:.3})")
    );
    let page = app.get("/elections/b/audits?lang=ru").await.visible();
    let bound_ru = format!("{bound:.3}").replace('.', ",");
    assert!(
        page.contains(&format!(
            "все утверждения сразу (их {count}; MACRO, U = {bound_ru})"
        )),
        "{page}"
    );
    let page = app.get("/elections/b/audits?lang=en").await.visible();
    assert!(
        page.contains(&format!(
            "all {count} assertions at once (MACRO, U = {})",
            format_args!("{bound:.3}")
        )),
        "{page}"
    );
    // Only an auditor takes steps.
    let com = app.token(Role::Commissioner).await;
    let refused = app
        .api("POST", "/api/elections/b/audits/b1/rounds", &com, json!({}))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // Issue 18, item 4: the three stations not drawn at random that the forensic flags score
    // highest, added to the round as a targeted sample, counted, and reported apart: the risk
    // does not move; the flagged stations the round drew at random are left out (counted
    // there already, in the risk).
    let scores = forensics::flags::scores(&e, &ps).unwrap();
    let not_drawn: Vec<&(model::UnitId, f64)> = scores
        .iter()
        .filter(|(s, _)| !drawn.contains(&e.units.path(*s).as_str()))
        .collect();
    let third = not_drawn[2].1;
    let sampled = scores.iter().filter(|x| x.1 >= third).count() - 3;
    let risk_before = app.get("/api/elections/b/audits").await.json()[0]["assertions"].clone();
    let targets = |body: Value| {
        let aud = aud.clone();
        async move {
            app.api("POST", "/api/elections/b/audits/b1/targets", &aud, body)
                .await
        }
    };
    let a = targets(json!({"flagged_above": third})).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let listed = a.json()["targets"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert_eq!(
        a.json()["in_random_sample"].as_array().unwrap().len(),
        sampled
    );
    assert_eq!(
        listed[0]["station"].as_u64(),
        Some(u64::from(not_drawn[0].0 .0))
    );
    let size = log_len(app).await;
    for (body, why) in [
        // Those left are in the random sample (or none are left).
        (
            json!({"flagged_above": third}),
            if sampled > 0 {
                "in the audit's random sample already"
            } else {
                "scores at least that"
            },
        ),
        (json!({}), "give flagged_above"),
        (
            json!({"complaint": 1}),
            "entry 1 is not a complaint of this log",
        ),
        (json!({"flagged_above": 1, "stations": "x"}), "stations"),
    ] {
        let a = targets(body.clone()).await;
        assert!(a.status.is_client_error(), "{body}: {}", a.text());
        assert!(a.text().contains(why), "{body}: {}", a.text());
    }
    assert_eq!(
        log_len(app).await,
        size,
        "a refused target logged something"
    );
    let path0 = listed[0]["path"].as_str().unwrap();
    let counted = format!(
        "Batch Name,{},Ballots\n{}",
        choices.join(","),
        count_line(path0)
    );
    let a = post_csv(
        app,
        "/api/elections/b/audits/b1/targeted-counts",
        &aud,
        &counted,
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let public = app.get("/api/elections/b/audits").await.json();
    assert_eq!(
        public[0]["assertions"], risk_before,
        "targeted counts moved the risk"
    );
    let rows_t = public[0]["targeted"].as_array().unwrap();
    assert_eq!(rows_t.len(), listed.len());
    assert_eq!(rows_t[0]["difference"].as_u64(), Some(0), "{}", rows_t[0]);
    assert_eq!(rows_t[1]["counted"], Value::Null);
    let page = app.get("/elections/b/audits?lang=en").await.visible();
    assert!(
        page.contains("never counted toward the risk limit"),
        "{page}"
    );
    assert!(
        page.contains("as the protocol") && page.contains("not counted yet"),
        "{page}"
    );

    // A comparison audit reads its records from an uploaded file: records that do not
    // cover the manifest are refused, naming the file by its hash.
    let first = e.units.path(ps[0].station);
    let bad = format!("Batch Name,Position,Choice\n{first},1,{}\n", choices[0]);
    let up = app
        .call(
            "PUT",
            "/api/scans",
            &[("authorization", &auth), ("content-type", "text/csv")],
            bad.into_bytes(),
        )
        .await;
    assert_eq!(up.status, StatusCode::CREATED, "{}", up.text());
    let sha = up.json()["scan"].as_str().unwrap().to_string();
    let a = start(audit("comparison", json!({"audit": "c1", "cvrs": sha}))).await;
    assert!(
        a.text().contains(&format!("{sha}: 1 records for")),
        "{}",
        a.text()
    );

    records_arrive_in_parts(app, &first, &choices, &auth).await;
    let a = start(audit(
        "comparison",
        json!({"audit": "c2", "cvrs": parted(&first, &choices)}),
    ))
    .await;
    assert!(
        a.text()
            .contains(&format!("{}: 30 records for", parted(&first, &choices))),
        "the records sent in parts were not found by their hash: {}",
        a.text()
    );

    // A polling audit, escalated to a full hand count; then no more rounds.
    let p = start(audit("polling", json!({"audit": "p1", "risk_limit": 10}))).await;
    match p.status {
        StatusCode::CREATED => {
            let x = app
                .api(
                    "POST",
                    "/api/elections/b/audits/p1/escalate",
                    &aud,
                    json!({}),
                )
                .await;
            assert_eq!(x.status, StatusCode::CREATED, "{}", x.text());
            let after = app
                .api("POST", "/api/elections/b/audits/p1/rounds", &aud, json!({}))
                .await;
            assert!(after.text().contains("escalated"), "{}", after.text());
        }
        // The synthetic margins may be too close for polling: then it says so.
        StatusCode::CONFLICT => assert!(p.text().contains("full count"), "{}", p.text()),
        other => panic!("{other}: {}", p.text()),
    }

    // Every other station targeted: those the round drew at random are left out (counted
    // there, in the risk: a targeted count would count them twice), and named.
    let a = targets(json!({"flagged_above": 0.0})).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let mut left_out: Vec<&str> = a.json()["in_random_sample"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect::<Vec<_>>()
        .into_iter()
        .map(|p| {
            drawn
                .iter()
                .copied()
                .find(|d| *d == p)
                .expect("a drawn station")
        })
        .collect();
    left_out.sort_unstable();
    let mut want = drawn.clone();
    want.sort_unstable();
    want.dedup();
    assert_eq!(left_out, want);

    // Issue 18: an audit checks the results as they stood when it began. An annulment ends
    // its steps (refused, naming the entry); it is reported superseded, with no risk; a new
    // audit checks the new results.
    let station = ps[1].station.0;
    let d = app
        .api(
            "POST",
            "/api/elections/b/decisions",
            &com,
            json!({"kind": "annul-unit", "unit": station, "reason": "ballot stuffing on video"}),
        )
        .await;
    assert_eq!(d.status, StatusCode::CREATED, "{}", d.text());
    let changed = log_len(app).await as u64 - 1;
    let public = app.get("/api/elections/b/audits").await.json();
    let b1 = &public[0];
    assert_eq!(b1["audit"], "b1");
    assert_eq!(b1["changed"].as_u64(), Some(changed), "{b1}");
    assert_eq!(
        (
            b1["confirmed"].as_bool(),
            b1["assertions"].as_array().map(Vec::len)
        ),
        (Some(false), Some(0))
    );
    let why = format!(
        "the results changed at entry {changed}, after audit 'b1' began at entry {}",
        b1["began"]
    );
    assert!(b1["verdict"].as_str().unwrap().contains(&why), "{b1}");
    let size = log_len(app).await;
    let refused = app
        .api("POST", "/api/elections/b/audits/b1/rounds", &aud, json!({}))
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text());
    assert!(
        refused.text().contains(&why) && refused.text().contains("start a new audit"),
        "{}",
        refused.text()
    );
    let list = app.get("/api/elections/b/audits/b1/rounds/1").await;
    assert_eq!(list.status, StatusCode::CONFLICT, "{}", list.text());
    assert_eq!(
        log_len(app).await,
        size,
        "a superseded audit's step logged something"
    );
    let page = app.get("/elections/b/audits?lang=en").await.visible();
    assert!(
        page.contains(&format!("The results changed at log entry {changed}")),
        "{page}"
    );
    let a = start(audit("batch", json!({"audit": "b2"}))).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let public = app.get("/api/elections/b/audits").await.json();
    let b2 = public
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["audit"] == "b2")
        .unwrap();
    assert_eq!(b2["changed"], Value::Null, "{b2}");
    assert!(!b2["assertions"].as_array().unwrap().is_empty(), "{b2}");

    // The log replays, each step attributed to the auditor.
    let log = log_of(app).await;
    let attributed = log
        .iter()
        .enumerate()
        .filter(|(i, b)| {
            matches!(record::decode(*i as u64, b).unwrap(),
                record::Entry::Staff(ref x) if x.act == record::StaffAct::Audit && x.role() == Role::Auditor)
        })
        .count();
    assert!(attributed >= 3, "start, round and counts: {attributed}");
    record::replay(
        log.iter()
            .enumerate()
            .map(|(i, b)| (i as u64, b.as_slice())),
    )
    .unwrap();
}

/// The staff desk's forms with files (multipart): an operator's protocol with its scan, and
/// an auditor's audit from start to recorded round, each form refused without its CSRF
/// token.
async fn the_desk_forms_carry_files(app: &App) {
    // An operator enters a protocol with its scan from the desk.
    app.assign_operator_everywhere().await;
    let (cookie, csrf) = app.login(Role::Operator).await;
    let p = &app.protocols[2];
    let station = p.station.0.to_string();
    // The station chosen from the search, the desk shows its form.
    let desk = app
        .page(&format!("/elections/s/staff?unit={station}"), &cookie)
        .await;
    assert!(desk.contains("enctype=\"multipart/form-data\""), "{desk}");
    assert!(desk.contains("name=\"scan\""), "{desk}");
    let votes: Vec<String> = p.votes.iter().map(|v| (v + 2).to_string()).collect();
    let names: Vec<String> = (0..votes.len()).map(|i| format!("vote_{i}")).collect();
    let mut fields: Vec<(&str, &str)> =
        vec![("csrf", &csrf), ("station", &station), ("source", "manual")];
    fields.extend(
        names
            .iter()
            .map(String::as_str)
            .zip(votes.iter().map(String::as_str)),
    );
    let scan: &[u8] = &crate::common::scan_file("scan.png");
    let files = [("scan", "protocol.png", "image/png", scan)];
    let forged = app
        .multipart(
            "/elections/s/staff/protocols",
            &cookie,
            &fields[1..],
            &files,
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.text());
    let a = app
        .multipart("/elections/s/staff/protocols", &cookie, &fields, &files)
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let pending = app
        .with_store(|s| store::Staffing::pending(s, "s").unwrap())
        .await;
    assert_eq!(pending.len(), 1);
    let sha = pending[0].scan.clone().expect("the scan is cited");
    assert_eq!(sha, format!("sha256:{}", record::digest(scan)));
    let aud = app.token(Role::Auditor).await;
    let got = app
        .call(
            "GET",
            &format!("/api/scans/{}", sha.trim_start_matches("sha256:")),
            &[("authorization", &format!("Bearer {aud}"))],
            Vec::new(),
        )
        .await;
    assert_eq!((got.status, got.body.as_slice()), (StatusCode::OK, scan));

    // An auditor runs a batch audit of `b` from the desk.
    let (e, ps) = import_b(app).await;
    let (cookie, csrf) = app.login(Role::Auditor).await;
    let desk = app.page("/elections/b/staff", &cookie).await;
    assert!(desk.contains("Start an audit"), "{desk}");
    let start = [
        ("csrf", csrf.as_str()),
        ("audit", "d1"),
        ("law", "kg2020"),
        ("method", "batch"),
        ("risk_limit", "5"),
        ("seed", "8 8 8"),
    ];
    // Records too large for the form are named (sent in parts, or in the audit files'
    // directory) and looked up by that name; a file and a name together are refused.
    let never = format!("sha256:{}", "0".repeat(64));
    let named: Vec<(&str, &str)> = start
        .iter()
        .map(|&(k, v)| match k {
            "method" => (k, "comparison"),
            _ => (k, v),
        })
        .chain([("cvrs_name", never.as_str())])
        .collect();
    let a = app
        .multipart("/elections/b/staff/audits", &cookie, &named, &[])
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.text());
    assert!(
        a.text().contains(&format!("no stored file {never}")),
        "{}",
        a.text()
    );
    let records: &[u8] = b"Batch Name,Position,Choice\n";
    let a = app
        .multipart(
            "/elections/b/staff/audits",
            &cookie,
            &named,
            &[("cvrs", "cvrs.csv", "text/csv", records)],
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text());
    assert!(a.text().contains("not both"), "{}", a.text());
    let a = app
        .multipart("/elections/b/staff/audits", &cookie, &start[1..], &[])
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text());
    let a = app
        .multipart("/elections/b/staff/audits", &cookie, &start, &[])
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let step = |action: &'static str| [("csrf", csrf.clone()), ("action", action.to_string())];
    let round = step("round");
    let fields: Vec<(&str, &str)> = round.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let a = app
        .multipart("/elections/b/staff/audits/d1", &cookie, &fields, &[])
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    assert!(a.headers["location"]
        .to_str()
        .unwrap()
        .contains("done=round&id=1"));
    let desk = app.page("/elections/b/staff", &cookie).await;
    assert!(
        desk.contains("/api/elections/b/audits/d1/rounds/1"),
        "{desk}"
    );
    assert!(desk.contains("value=\"readings\""), "{desk}");
    assert!(desk.contains("waiting for its hand counts"), "{desk}");
    // The hand counts, filled into the retrieval list the public can fetch.
    let list = app.get("/api/elections/b/audits/d1/rounds/1").await.text();
    let by_path: HashMap<String, &Protocol> =
        ps.iter().map(|p| (e.units.path(p.station), p)).collect();
    let mut r = csv::Reader::from_reader(list.as_bytes());
    let header = r.headers().unwrap().clone();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).unwrap();
    let mut counted = 0;
    for row in r.records() {
        counted += 1;
        let row = row.unwrap();
        let p = by_path[&row[2]];
        let mut out: Vec<String> = row.iter().take(3).map(str::to_string).collect();
        out.extend(p.votes.iter().map(u64::to_string));
        out.push(audit::steps::reported_ballots(p).to_string());
        w.write_record(&out).unwrap();
    }
    let filled = w.into_inner().unwrap();
    let readings = step("readings");
    let fields: Vec<(&str, &str)> = readings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let a = app
        .multipart(
            "/elections/b/staff/audits/d1",
            &cookie,
            &fields,
            &[("readings", "round1.csv", "text/csv", &filled)],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    assert!(a.headers["location"]
        .to_str()
        .unwrap()
        .contains("done=recorded&id=1"));
    let status = app.get("/api/elections/b/audits").await.json();
    assert_eq!(status[0]["waiting"], false);
    assert_eq!(status[0]["audited"].as_u64(), Some(counted));
    let escalate = step("escalate");
    let fields: Vec<(&str, &str)> = escalate.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let a = app
        .multipart("/elections/b/staff/audits/d1", &cookie, &fields, &[])
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let status = app.get("/api/elections/b/audits").await.json();
    assert_eq!(status[0]["escalated"], true);
}

/// Records that agree with every protocol (each station's votes in ballot order, then its
/// ballots with no valid vote), as `tallyproof audit cvrs` writes them.
fn records_of(e: &Election, protocols: &[Protocol]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["Batch Name", "Position", "Choice"])
        .unwrap();
    for p in protocols.iter().filter(|p| p.contest == 0) {
        let path = e.units.path(p.station);
        let choices = p.votes.iter().enumerate().flat_map(|(c, &v)| {
            std::iter::repeat_n(e.contests[0].choices[c].name.as_str(), v as usize)
        });
        let blank = std::iter::repeat("");
        let ballots = audit::steps::reported_ballots(p) as usize;
        for (k, choice) in choices.chain(blank).take(ballots).enumerate() {
            w.write_record([path.as_str(), &(k + 1).to_string(), choice])
                .unwrap();
        }
    }
    w.into_inner().unwrap()
}

/// Issue 18, item 1: a comparison audit starts from records sent in parts, named by their
/// hash; the log's start entry names the same hash.
async fn an_audit_starts_from_records_sent_in_parts(app: &App) {
    // Ten parties, so that no seat cap binds (the election `s` has four).
    let p = synth::Params {
        stations: 60,
        parties: 10,
        regions: 2,
        stations_per_district: 10,
        seed: 5,
    };
    let (e, ps) = app
        .with_store(move |s| {
            let imported = crate::common::import(s, &p, "c");
            store::Staffing::grant(s, "auditor", "c", None, crate::common::clock()).unwrap();
            imported
        })
        .await;
    let aud = app.token(Role::Auditor).await;
    let body = records_of(&e, &ps);
    let file = store::FileRef::of(&body);
    let begin = json!({"sha256": file.hex(), "size": body.len()});
    let a = app.api("POST", "/api/audit-files", &aud, begin).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let auth = format!("Bearer {aud}");
    let half = body.len() / 2;
    for (offset, part) in [(0, &body[..half]), (half, &body[half..])] {
        let path = format!("/api/audit-files/{}/parts/{offset}", file.hex());
        let a = app
            .call("PUT", &path, &[("authorization", &auth)], part.to_vec())
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    }
    // A file with more records than the protocols report ballots is refused as it is read
    // (never held whole).
    let mut more = body.clone();
    more.extend_from_slice(format!("{},999999,\n", e.units.path(ps[0].station)).as_bytes());
    let put = app
        .call(
            "PUT",
            "/api/scans",
            &[("authorization", &auth), ("content-type", "text/csv")],
            more,
        )
        .await;
    let more_sha = put.json()["scan"].as_str().unwrap().to_string();
    let start = json!({"audit": "r1", "law": "kg2020", "risk_limit": 10, "method": "comparison", "seed": "4 4 4", "cvrs": more_sha});
    let a = app
        .api("POST", "/api/elections/c/audits", &aud, start)
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text());
    let rows = body.iter().filter(|&&b| b == b'\n').count();
    assert!(
        a.text().contains(&format!(
            "{rows} records for the {} ballots the protocols report",
            rows - 1
        )),
        "{}",
        a.text()
    );
    let start = json!({"audit": "r1", "law": "kg2020", "risk_limit": 10, "method": "comparison", "seed": "4 4 4", "cvrs": file.to_string()});
    let a = app
        .api("POST", "/api/elections/c/audits", &aud, start)
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let log = app.with_store(|s| s.log("c").unwrap()).await;
    let started = log
        .iter()
        .rev()
        .find_map(|b| match record::decode(0, b) {
            Ok(record::Entry::Audit(record::AuditStep::Start { cvrs, .. })) => Some(cvrs),
            _ => None,
        })
        .expect("a start entry");
    assert_eq!(started.as_deref(), Some(file.hex()));
}

on_every_backend!(
    an_auditor_runs_the_rounds_over_http,
    the_desk_forms_carry_files,
    an_audit_starts_from_records_sent_in_parts
);

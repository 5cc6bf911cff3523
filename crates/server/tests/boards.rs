//! Audit boards over HTTP (issue 18, item 3), on the synthetic election `b`: the auditor
//! forms two boards of a polling round from four board members; each member sees only their
//! own board's share, marks its ballots (typed names folded, a wrong name refused, blank, not
//! found) and signs off with their own login; the second member's sign-off of the same marks
//! logs the board's readings, a sign-off of marks changed since does not; the round's
//! readings then come only from the boards, and the log replays. Both on SQLite and
//! PostgreSQL.

use axum::http::StatusCode;
use record::{AuditStep, Entry, Role};
use serde_json::{json, Value};
use store::Store;

use crate::audits::import_b;
use crate::common::{clock, on_every_backend, App};

/// Adds a board member (granted in every stored election, `b` among them, as a user added
/// on the console is) and answers their token.
async fn member(app: &App, name: &str) -> String {
    let (db, n) = (app.db.clone(), name.to_string());
    tokio::task::spawn_blocking(move || {
        server::add_user(&db, &n, Role::BoardMember, "a password", clock()).unwrap();
    })
    .await
    .unwrap();
    app.token_as(name, "a password").await
}

async fn board_entries(app: &App) -> Vec<AuditStep> {
    app.with_store(|s| s.log("b").unwrap())
        .await
        .iter()
        .enumerate()
        .filter_map(|(i, b)| match record::decode(i as u64, b).unwrap() {
            Entry::Audit(step @ (AuditStep::BoardReadings { .. } | AuditStep::Boards { .. })) => {
                Some(step)
            }
            _ => None,
        })
        .collect()
}

/// The round's printable list holds the CSV's 12 ballots, station by station in the CSV's
/// order, each station's heading once; a round not drawn is no page.
async fn printed_list_matches_the_csv(app: &App) {
    let csv = app.get("/api/elections/b/audits/p1/rounds/1").await.text();
    let page = app.get("/elections/b/audits/p1/rounds/1?lang=en").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let html = page.text();
    assert_eq!(html.matches("<td class=\"blank\">").count(), 12, "{html}");
    let mut stations: Vec<String> = Vec::new();
    for line in csv.lines().skip(1) {
        let station = line.split(',').nth(3).unwrap().to_string();
        if stations.last() != Some(&station) {
            assert!(!stations.contains(&station), "{station} twice in {csv}");
            stations.push(station);
        }
    }
    let mut at = 0;
    for station in &stations {
        let heading = format!("{} (", maud::html! { (station) }.into_string());
        let found = html[at..]
            .find(&heading)
            .unwrap_or_else(|| panic!("{heading} out of order"));
        at += found + heading.len();
        assert_eq!(html.matches(&heading).count(), 1, "{heading}");
    }
    assert!(html.contains("12 ballots to pull from"), "{html}");
    let missing = app.get("/elections/b/audits/p1/rounds/2").await;
    assert_eq!(
        missing.status,
        StatusCode::BAD_REQUEST,
        "{}",
        missing.text()
    );
}

async fn boards_mark_and_sign_off(app: &App) {
    let (e, _) = import_b(app).await;
    let aud = app.token(Role::Auditor).await;
    let [m1, m2, m3, m4] = [
        member(app, "aibek").await,
        member(app, "nurgul").await,
        member(app, "timur").await,
        member(app, "zarina").await,
    ];
    let a = app
        .api(
            "POST",
            "/api/elections/b/audits",
            &aud,
            json!({"audit": "p1", "law": "kg2020", "risk_limit": 10, "method": "polling", "seed": "board seed"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let a = app
        .api(
            "POST",
            "/api/elections/b/audits/p1/rounds",
            &aud,
            json!({"ballots": 12}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    printed_list_matches_the_csv(app).await;

    // Forming: a board is two different people, board members all, nobody on two boards.
    let form = |boards: Value| {
        let aud = aud.clone();
        async move {
            app.api(
                "POST",
                "/api/elections/b/audits/p1/boards",
                &aud,
                json!({ "boards": boards }),
            )
            .await
        }
    };
    for (boards, why) in [
        (json!([["aibek", "aibek"]]), "two different members"),
        (
            json!([["aibek", "nurgul"], ["nurgul", "timur"]]),
            "one board of a round",
        ),
        (json!([["aibek", "auditor"]]), "not a board member"),
        (json!([["aibek", "nobody"]]), "'nobody' is not a user"),
        (json!([]), "at least one board"),
    ] {
        let a = form(boards.clone()).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{boards}: {}", a.text());
        assert!(a.text().contains(why), "{boards}: {}", a.text());
    }
    assert!(board_entries(app).await.is_empty(), "a refused form logged");
    let a = form(json!([["aibek", "nurgul"], ["timur", "zarina"]])).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let sizes: Vec<u64> = a.json()["boards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["items"].as_u64().unwrap())
        .collect();
    assert_eq!(sizes.iter().sum::<u64>(), 12, "every ballot on one board");
    assert!(sizes.iter().all(|&n| n > 0));
    // The auditor's own readings are refused once the round has boards.
    let a = app
        .call(
            "POST",
            "/api/elections/b/audits/p1/readings",
            &[
                ("authorization", &format!("Bearer {aud}")),
                ("content-type", "text/csv"),
            ],
            b"Batch Name,Position,Choice\n".to_vec(),
        )
        .await;
    assert!(a.status.is_client_error(), "{}", a.text());

    // A member sees their own board's share, in warehouse order; another board's is
    // forbidden, and so is the public.
    let get = |token: String, board: u64| async move {
        app.call(
            "GET",
            &format!("/api/elections/b/audits/p1/boards/{board}"),
            &[("authorization", &format!("Bearer {token}"))],
            Vec::new(),
        )
        .await
    };
    let b1 = get(m1.clone(), 1).await;
    assert_eq!(b1.status, StatusCode::OK, "{}", b1.text());
    let b1 = b1.json();
    assert_eq!(b1["members"], json!(["aibek", "nurgul"]));
    let items = b1["items"].as_array().unwrap().clone();
    assert_eq!(items.len() as u64, sizes[0]);
    let keys: Vec<(u64, u64)> = items
        .iter()
        .map(|i| {
            (
                i["station"].as_u64().unwrap(),
                i["position"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "warehouse order: station, then position");
    assert_eq!(get(m3.clone(), 1).await.status, StatusCode::FORBIDDEN);
    let public = app
        .call(
            "GET",
            "/api/elections/b/audits/p1/boards/1",
            &[],
            Vec::new(),
        )
        .await;
    assert_eq!(public.status, StatusCode::UNAUTHORIZED);

    // Marking: a typed name is folded, a wrong one refused naming it; blank; not found.
    let mark = |token: String, board: u64, item: u64, body: Value| async move {
        app.api(
            "PUT",
            &format!("/api/elections/b/audits/p1/boards/{board}/marks/{item}"),
            &token,
            body,
        )
        .await
    };
    let choices: Vec<String> = e.contests[0]
        .choices
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let first = items[0]["item"].as_u64().unwrap();
    let a = mark(m1.clone(), 1, first, json!({"choice": "no such party"})).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text());
    assert!(a.text().contains("choice"), "{}", a.text());
    let a = mark(m3.clone(), 1, first, json!({"mark": "blank"})).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "another board's ballot");
    let a = mark(m1.clone(), 1, 999_999, json!({"mark": "blank"})).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text());
    for (k, it) in items.iter().enumerate() {
        let body = match k {
            0 => json!({"choice": format!("  {}  ", choices[1].to_lowercase())}),
            1 => json!({"mark": "blank"}),
            2 => json!({"mark": "not-found"}),
            _ => json!({"choice": choices[k % choices.len()]}),
        };
        let a = mark(m1.clone(), 1, it["item"].as_u64().unwrap(), body).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    }
    let b1 = get(m2.clone(), 1).await.json();
    assert_eq!(b1["items"][0]["mark"], json!({"ballot": {"choice": 1}}));
    assert_eq!(b1["items"][2]["mark"], json!({"ballot": "not-found"}));
    assert_eq!(b1["marked"].as_u64(), Some(sizes[0]));

    // Signing off names the marks reviewed (the share's `entry`, once all are marked): the
    // first member's logs no readings; twice by the same member is refused; the second
    // member's logs them.
    let signs = |token: String, board: u64, entry: Value| async move {
        app.api(
            "POST",
            &format!("/api/elections/b/audits/p1/boards/{board}/sign-off"),
            &token,
            json!({ "entry": entry }),
        )
        .await
    };
    let sign = |token: String, board: u64| async move {
        let entry = get(token.clone(), board).await.json()["entry"].clone();
        assert!(entry.is_string(), "every item is marked: {entry}");
        signs(token, board, entry).await
    };
    let a = signs(m3.clone(), 1, json!("0".repeat(64))).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text());
    let a = sign(m1.clone(), 1).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    assert_eq!(a.json()["complete"], false);
    let a = sign(m1.clone(), 1).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text());
    assert!(
        a.text().contains("signed off these marks already"),
        "{}",
        a.text()
    );
    let a = sign(m2.clone(), 1).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    assert_eq!(a.json()["complete"], true, "{}", a.text());
    let a = mark(m2.clone(), 1, first, json!({"mark": "blank"})).await;
    assert_eq!(a.status, StatusCode::CONFLICT, "signed off: {}", a.text());
    let logged = board_entries(app).await;
    let Some(AuditStep::BoardReadings {
        board, readings, ..
    }) = logged.last()
    else {
        panic!("{logged:?}")
    };
    assert_eq!((*board, readings.len() as u64), (1, sizes[0]));
    assert_eq!((readings.iter().filter(|r| !r.found).count()), 1);

    // Board 2: marks changed after one member's sign-off need both sign-offs again.
    let b2 = get(m3.clone(), 2).await.json();
    let items2 = b2["items"].as_array().unwrap().clone();
    for it in &items2 {
        let a = mark(
            m3.clone(),
            2,
            it["item"].as_u64().unwrap(),
            json!({"choice": choices[0]}),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    }
    let reviewed = get(m3.clone(), 2).await.json()["entry"].clone();
    assert_eq!(
        signs(m3.clone(), 2, reviewed.clone()).await.json()["complete"],
        false
    );
    let changed = items2[0]["item"].as_u64().unwrap();
    let a = mark(m4.clone(), 2, changed, json!({"mark": "blank"})).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    // A sign-off of the marks as they were before the change is refused: it would sign
    // what the other member has not seen.
    let a = signs(m4.clone(), 2, reviewed).await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.text());
    assert!(
        a.text().contains("changed since you reviewed them"),
        "{}",
        a.text()
    );
    // Only a member's latest sign-off counts: timur signs off the changed marks, which
    // withdraws his sign-off of the old ones; zarina changes them back and signs off, which
    // does not complete the board until timur signs off the old marks again.
    let a = sign(m3.clone(), 2).await;
    assert_eq!(a.json()["complete"], false, "{}", a.text());
    let a = mark(m4.clone(), 2, changed, json!({"choice": choices[0]})).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let a = sign(m4.clone(), 2).await;
    assert_eq!(
        a.json()["complete"],
        false,
        "timur withdrew his sign-off of these marks: {}",
        a.text()
    );
    let signed_by = get(m4.clone(), 2).await.json()["signed_by"].clone();
    assert_eq!(signed_by.as_array().map(Vec::len), Some(1), "{signed_by}");
    let a = sign(m3.clone(), 2).await;
    assert_eq!(a.json()["complete"], true, "{}", a.text());

    // The round is read: the audit no longer waits, its risk is measured from the boards'
    // readings, and the auditor sees both boards signed off.
    let status = app
        .call("GET", "/api/elections/b/audits", &[], Vec::new())
        .await
        .json();
    let p1 = status
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["audit"] == "p1")
        .unwrap()
        .clone();
    assert_eq!(p1["waiting"], false, "{p1}");
    assert_eq!(p1["audited"].as_u64(), Some(12), "{p1}");
    let progress = app
        .call(
            "GET",
            "/api/elections/b/audits/p1/boards",
            &[("authorization", &format!("Bearer {aud}"))],
            Vec::new(),
        )
        .await
        .json();
    let done: Vec<bool> = progress["boards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["done"].as_bool().unwrap())
        .collect();
    assert_eq!(done, vec![true, true], "{progress}");
    let log = app.with_store(|s| s.log("b").unwrap()).await;
    record::replay(
        log.iter()
            .enumerate()
            .map(|(i, b)| (i as u64, b.as_slice())),
    )
    .expect("the log with the boards' sign-offs replays");
    // Published, the log verifies; the Python verifier checks it too (scripts/test:
    // target/tmp/boards-audit-log, written by the SQLite run).
    let dir =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(if app.db.starts_with("postgres") {
            "boards-audit-log-postgres"
        } else {
            "boards-audit-log"
        });
    crate::common::write_log(&dir, "b", &log);
    let key =
        translog::note::NoteSigner::from_seed("tests.local", crate::common::LOG_SEED).unwrap();
    let fetch = |p: &str| std::fs::read(dir.join(p)).ok();
    let verdict =
        published::verify(&fetch, "boards", &key.verifier(), None, &[], 0, &|_| ()).unwrap();
    assert!(
        matches!(verdict, published::Verdict::Valid(_)),
        "{verdict:?}"
    );
}

on_every_backend!(boards_mark_and_sign_off);

//! The staff workflow through the API: entry, the two-person rule, live results,
//! annulment, complaints, redaction and certification; the log replays after each.

use axum::http::StatusCode;
use record::Role;
use serde_json::{json, Value};
use store::Store;

use crate::common::{clock, on_every_backend, App};

fn national(results: &Value) -> (u64, Vec<u64>) {
    let row = &results["units"][0];
    let votes = row["votes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    (row["reporting"].as_u64().unwrap(), votes)
}

fn under(e: &model::Election, station: model::UnitId, unit: model::UnitId) -> bool {
    e.units.is_within(station, unit)
}

async fn replay(app: &App) -> record::Replayed {
    let log = app.with_store(|s| s.log("s").unwrap()).await;
    record::replay(
        log.iter()
            .enumerate()
            .map(|(i, b)| (i as u64, b.as_slice())),
    )
    .unwrap()
}

async fn a_protocol_counts_once_a_second_person_verifies_it_and_an_annulment_removes_it(app: &App) {
    let admin = app.token(Role::Admin).await;
    let op = app.token(Role::Operator).await;
    let ver = app.token(Role::Verifier).await;
    let com = app.token(Role::Commissioner).await;
    let e = &app.election;
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
    let before = national(&app.get("/api/elections/s/results?by=country").await.json());
    // The results page states the turnout, as the JSON computes it.
    let results = app.get("/api/elections/s/results?by=country").await.json();
    let pct = format!(
        "{:.2}",
        results["units"][0]["turnout"]["pct"].as_f64().unwrap()
    );
    let page = app.get("/elections/s").await.visible();
    assert!(
        page.contains(&format!("Turnout: {pct}% (ballots issued")),
        "{page}"
    );
    // A station in the region and one outside it.
    let inside = app
        .protocols
        .iter()
        .find(|p| under(e, p.station, region))
        .unwrap()
        .clone();
    let outside = app
        .protocols
        .iter()
        .find(|p| !under(e, p.station, region))
        .unwrap();
    let refused = app
        .api(
            "POST",
            "/api/elections/s/protocols",
            &op,
            json!({"station": outside.station.0, "votes": outside.votes}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text());
    // Enter the inside station's protocol with 25 more votes for the first party and the
    // other lines as they were: valid ballots no longer add up, and the differences show.
    let mut votes = inside.votes.clone();
    votes[0] += 25;
    let lines: serde_json::Map<String, Value> = model::Line::ALL
        .iter()
        .filter_map(|l| Some((l.key().to_string(), json!(inside.line(*l)?))))
        .collect();
    let entered = app
        .api(
            "POST",
            "/api/elections/s/protocols",
            &op,
            json!({"station": inside.station.0, "source": "manual", "lines": lines, "votes": votes}),
        )
        .await;
    assert_eq!(entered.status, StatusCode::CREATED, "{}", entered.text());
    let v = entered.json();
    assert_eq!(v["version"], 2);
    assert!(!v["diagnostics"].as_array().unwrap().is_empty(), "{v}");
    let changes = v["differences"]["changes"].as_array().unwrap();
    assert!(
        changes
            .iter()
            .any(|c| c["was"] == inside.votes[0] && c["now"] == votes[0]),
        "{v}"
    );
    let id = v["id"].as_i64().unwrap();
    // Not counted yet.
    assert_eq!(
        national(&app.get("/api/elections/s/results?by=country").await.json()),
        before
    );
    let listed = app
        .api("GET", "/api/elections/s/pending", &ver, Value::Null)
        .await
        .json();
    assert_eq!(listed[0]["id"], id);
    // The operator may not verify their own entry; the verifier may.
    let own = app
        .api(
            "POST",
            &format!("/api/elections/s/pending/{id}/verify"),
            &op,
            json!({}),
        )
        .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN);
    // The votes no longer add up to the valid ballots: quarantined until a commissioner
    // lifts it with a reason (issue 17); the verifier may not, nor may an operator.
    let verify_path = format!("/api/elections/s/pending/{id}/verify");
    let verify = || app.api("POST", &verify_path, &ver, json!({}));
    let quarantined = verify().await;
    assert_eq!(quarantined.status, StatusCode::CONFLICT);
    assert!(
        quarantined.text().contains("quarantined"),
        "{}",
        quarantined.text()
    );
    let override_path = format!("/api/elections/s/pending/{id}/override");
    let why =
        json!({"reason": "the protocol's copy shows 25 more votes; the recount confirmed it"});
    let lift = |who| app.api("POST", &override_path, who, why.clone());
    assert_eq!(lift(&ver).await.status, StatusCode::FORBIDDEN);
    let lifted = lift(&com).await;
    assert_eq!(lifted.status, StatusCode::CREATED, "{}", lifted.text());
    let ok = verify().await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    assert_eq!(ok.json()["version"], 2);
    let again = verify().await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let after = national(&app.get("/api/elections/s/results?by=country").await.json());
    assert_eq!(after.0, before.0);
    assert_eq!(after.1[0], before.1[0] + 25);
    assert_eq!(&after.1[1..], &before.1[1..]);
    // The unit page shows both versions.
    let unit = app
        .get(&format!("/api/elections/s/units/{}", inside.station.0))
        .await
        .json();
    assert_eq!(unit["versions"].as_array().unwrap().len(), 2);
    // The commissioner annuls the station: it leaves the totals.
    let d = app
        .api("POST", "/api/elections/s/decisions", &com, json!({"kind": "annul-unit", "unit": inside.station.0, "reason": "ballot stuffing on video"}))
        .await;
    assert_eq!(d.status, StatusCode::CREATED, "{}", d.text());
    let annulled = national(&app.get("/api/elections/s/results?by=country").await.json());
    assert_eq!(annulled.0, before.0 - 1);
    assert_eq!(annulled.1[0], after.1[0] - votes[0]);
    let unit = app
        .get(&format!("/api/elections/s/units/{}", inside.station.0))
        .await
        .json();
    assert_eq!(unit["annulled"], true);
    // The station's page lists its log entries (version 1, version 2, the annulment), each
    // with an inclusion proof that leads to the log's root.
    let logged = unit["logged"].as_array().unwrap();
    let what: Vec<&str> = logged
        .iter()
        .map(|l| l["entry"].as_str().unwrap())
        .collect();
    assert_eq!(
        what,
        [
            "protocol, contest 0, version 1 (manual)",
            "protocol, contest 0, version 2 (manual)",
            "decision: annul-unit"
        ]
    );
    let log = app.with_store(|s| s.log("s").unwrap()).await;
    let size = unit["log"]["size"].as_u64().unwrap();
    assert_eq!(size, log.len() as u64);
    let root = translog::Hash::from_hex(unit["log"]["root"].as_str().unwrap()).unwrap();
    assert_eq!(root, translog::Tree::from_entries(&log).root());
    for l in logged {
        let index = l["index"].as_u64().unwrap();
        let leaf = translog::leaf_hash(&log[index as usize]);
        assert_eq!(l["leaf_hash"], leaf.hex());
        let proof: Vec<translog::Hash> = l["inclusion_proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| translog::Hash::from_hex(h.as_str().unwrap()).unwrap())
            .collect();
        translog::verify_inclusion(index, size, &leaf, &proof, &root).unwrap();
    }
    // The station's page says that this version counts after a commissioner lifted its
    // quarantine, and why (issue 17).
    let page = app
        .get(&format!("/elections/s/units/{}", inside.station.0))
        .await
        .visible();
    assert!(
        page.contains("a commissioner lifted its quarantine: the protocol's copy shows 25 more votes; the recount confirmed it"),
        "{page}"
    );
    // The log says the same, with who did what.
    let r = replay(app).await;
    // A grant per user (one per role, made at the console), the admin's assignment, then
    // entry, the override of its quarantine, verification and annulment.
    assert_eq!(r.staff, Role::ALL.len() as u64 + 1 + 4);
    assert_eq!(r.annulled, vec![inside.station]);
}

/// Redacts the stored content whose text is `text`; answers its commitment.
async fn redact(app: &App, com: &str, text: &str) -> String {
    let contents = app.with_store(|s| s.contents("s").unwrap()).await;
    let commitment = contents
        .iter()
        .find(|c| c.text == text)
        .unwrap()
        .commitment
        .clone();
    let r = app
        .api(
            "POST",
            "/api/elections/s/redactions",
            com,
            json!({ "commitment": commitment }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    commitment
}

async fn complaints_redaction_and_certification_are_logged(app: &App) {
    let obs = app.token(Role::Observer).await;
    let com = app.token(Role::Commissioner).await;
    let scan = app
        .call(
            "PUT",
            "/api/scans",
            &[
                ("authorization", &format!("Bearer {obs}")),
                ("content-type", "image/jpeg"),
            ],
            crate::common::scan_file("scan.jpg"),
        )
        .await
        .json()["scan"]
        .as_str()
        .unwrap()
        .to_string();
    let c = app
        .api(
            "POST",
            "/api/elections/s/complaints",
            &obs,
            json!({"unit": 1, "category": "procedure", "text": "observers were kept out", "scan": scan}),
        )
        .await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.text());
    let complaint = c.json()["logged_as"].as_u64().unwrap();
    let commitment = redact(app, &com, "observers were kept out").await;
    let after = app.with_store(|s| s.contents("s").unwrap()).await;
    assert!(!after.iter().any(|c| c.commitment == commitment));
    // Redacting the scan's commitment deletes the scan itself.
    let stored = |sha: String| async move {
        let f = store::FileRef::parse(&sha).unwrap();
        app.with_store(move |s| store::Staffing::scan(s, &f).unwrap())
            .await
            .is_some()
    };
    let sha = scan.trim_start_matches("sha256:").to_string();
    assert!(stored(sha.clone()).await);
    redact(app, &com, &scan).await;
    assert!(!stored(sha).await);
    let missing = app
        .api(
            "POST",
            "/api/elections/s/redactions",
            &com,
            json!({"commitment": commitment}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    // A preliminary publication under a law: totals and seats, logged and recomputed by the
    // replay; an unknown law is refused with nothing logged.
    let before = replay(app).await;
    let pre = app
        .api(
            "POST",
            "/api/elections/s/publish",
            &com,
            json!({"law": "kg2020"}),
        )
        .await;
    assert_eq!(pre.status, StatusCode::CREATED, "{}", pre.text());
    assert_eq!(pre.json()["stage"], "preliminary");
    assert!(pre.json()["seats"].is_array(), "{}", pre.text());
    let unknown = app
        .api(
            "POST",
            "/api/elections/s/publish",
            &com,
            json!({"law": "kg1990"}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.text());
    let r = replay(app).await;
    assert_eq!(
        (r.publications, r.staff),
        (before.publications + 1, before.staff + 1)
    );
    // Before certification the results page says the figures are preliminary; after, final.
    let stage = |page: String, want: &str| assert!(page.contains(want), "{want}: {page}");
    stage(
        app.get("/elections/s").await.visible(),
        "Preliminary: not certified",
    );
    // The complaint is dismissed with a reason (a commissioner's review, issue 17): none is
    // open, and the certification needs no reason of its own.
    let status_path = format!("/api/elections/s/complaints/{complaint}/status");
    let status = |body: Value| app.api("POST", &status_path, &com, body);
    let r = status(json!({"status": "received", "reason": "x"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    let r =
        status(json!({"status": "dismissed", "reason": "the observers were admitted at 08:10"}))
            .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = status(json!({"status": "upheld", "reason": "second thoughts"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    assert!(r.text().contains("that status is final"), "{}", r.text());
    // Certification: the final publication enters the log and the replay recomputes it.
    let cert = app
        .api("POST", "/api/elections/s/certify", &com, json!({}))
        .await;
    assert_eq!(cert.status, StatusCode::CREATED, "{}", cert.text());
    let results = national(&app.get("/api/elections/s/results?by=country").await.json());
    assert_eq!(cert.json()["votes"], json!(results.1));
    let r = replay(app).await;
    // A grant per user (one per role), then six acts.
    let grants = Role::ALL.len() as u64;
    assert_eq!((r.complaints, r.publications, r.staff), (1, 2, grants + 6));
    stage(
        app.get("/elections/s").await.visible(),
        "Certified: the commission's final result",
    );
    // Annulling the election keeps it visible, marked.
    let d = app
        .api(
            "POST",
            "/api/elections/s/decisions",
            &com,
            json!({"kind": "annul-election", "reason": "protests"}),
        )
        .await;
    assert_eq!(d.status, StatusCode::CREATED);
    let page = app.get("/elections/s").await;
    assert_eq!(page.status, StatusCode::OK);
    // The banner, with a link to the decision's log entry.
    let text = page.visible();
    assert!(text.contains("Annulled"), "{text}");
    assert!(
        text.contains("The commission annulled this election"),
        "{text}"
    );
    assert!(page.text().contains("/units/0#entry-"), "{text}");
    for route in ["certify", "publish"] {
        let again = app
            .api(
                "POST",
                &format!("/api/elections/s/{route}"),
                &com,
                json!({}),
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{route}");
    }
}

async fn the_desk_forms_enter_and_verify_a_protocol(app: &App) {
    let admin = app.token(Role::Admin).await;
    app.api(
        "POST",
        "/api/elections/s/assignments",
        &admin,
        json!({"user": "operator", "unit": 0}),
    )
    .await;
    let (cookie, csrf) = app.login(Role::Operator).await;
    let desk = app.page("/elections/s/staff", &cookie).await;
    assert!(desk.contains("Enter a protocol"), "{desk}");
    let p = &app.protocols[1];
    let mut fields = format!("csrf={csrf}&station={}&source=manual", p.station.0);
    for (i, v) in p.votes.iter().enumerate() {
        fields.push_str(&format!("&vote_{i}={}", v + 1));
    }
    // Every line the control relations need, or the entry is quarantined.
    let valid: u64 = p.votes.iter().map(|v| v + 1).sum();
    fields.push_str(&format!("&valid={valid}&invalid=0&found_total={valid}"));
    let a = app
        .form("/elections/s/staff/protocols", &cookie, fields.into_bytes())
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let (vcookie, vcsrf) = app.login(Role::Verifier).await;
    let pending = app
        .with_store(|s| store::Staffing::pending(s, "s").unwrap())
        .await;
    // The desk lists it; its screen has the verifier's acts.
    let desk = app.page("/elections/s/staff", &vcookie).await;
    assert!(
        desk.contains(&format!("/elections/s/staff/pending/{}", pending[0].id)),
        "{desk}"
    );
    let screen = app
        .page(
            &format!("/elections/s/staff/pending/{}", pending[0].id),
            &vcookie,
        )
        .await;
    assert!(screen.contains("value=\"verify\""), "{screen}");
    let a = app
        .form(
            &format!("/elections/s/staff/pending/{}", pending[0].id),
            &vcookie,
            format!("csrf={vcsrf}&action=verify").into_bytes(),
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let station = p.station;
    let h = app
        .with_store(move |s| s.history("s", station, 0).unwrap())
        .await;
    assert_eq!(
        h.last().unwrap().votes,
        p.votes.iter().map(|v| v + 1).collect::<Vec<_>>()
    );
    // An observer files a complaint, a commissioner certifies, both with the desk's forms.
    let (ocookie, ocsrf) = app.login(Role::Observer).await;
    let a = app
        .form(
            "/elections/s/staff/complaints",
            &ocookie,
            format!("csrf={ocsrf}&unit=1&text=the+seal+was+broken").into_bytes(),
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let (ccookie, ccsrf) = app.login(Role::Commissioner).await;
    let desk = app.page("/elections/s/staff", &ccookie).await;
    assert!(desk.contains("Certify"), "{desk}");
    // A summary shown at an earlier size of the log certifies nothing (the log grew since).
    let stale = app
        .form(
            "/elections/s/staff/certify",
            &ccookie,
            format!("csrf={ccsrf}&law=&confirm=yes&at=1&reason=x").into_bytes(),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text());
    assert!(
        stale.text().contains("look at it again"),
        "{}",
        stale.text()
    );
    let a = app
        .form(
            "/elections/s/staff/certify",
            &ccookie,
            format!("csrf={ccsrf}&law=&confirm=yes&reason=the+seal+complaint+concerns+no+count")
                .into_bytes(),
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    assert!(a.headers["location"]
        .to_str()
        .unwrap()
        .contains("done=certified"));
    let r = replay(app).await;
    assert_eq!((r.complaints, r.publications), (1, 1));
    // The public register says the result was certified over the open complaint, and why.
    let register = app.get("/elections/s/complaints").await.visible();
    assert!(
        register.contains("while complaints were open: 1 (#")
            && register.contains("The commission's reason: the seal complaint concerns no count"),
        "{register}"
    );
    let json = app.get("/api/elections/s/complaints").await.json();
    let over = &json["certified_over_open_complaints"];
    assert_eq!(over.as_array().map(Vec::len), Some(1), "{json}");
    assert_eq!(over[0]["reason"], "the seal complaint concerns no count");
    assert_eq!(over[0]["open"], json!([json["complaints"][0]["entry"]]));
}

/// Under kg2021, whose law requires the scan of the paper protocol (CEC notice 4690), the
/// operator's form says so and the verifier's screen of an entry without its scan says it can
/// only be rejected (the store refuses to verify it); a rejection without a reason is refused,
/// through the desk and the API alike, and changes nothing.
async fn a_scan_the_law_requires_shows_at_the_desk_and_a_rejection_says_why(app: &App) {
    let (_, protocols) = app
        .with_store(|s| crate::common::import_under(s, &crate::common::PARAMS, "k", Some("kg2021")))
        .await;
    // The console grants the clerks their roles in the new election.
    app.with_store(|s| {
        for user in ["admin", "operator", "verifier"] {
            store::Staffing::grant(s, user, "k", None, clock()).unwrap();
        }
    })
    .await;
    let admin = app.token(Role::Admin).await;
    let a = app
        .api(
            "POST",
            "/api/elections/k/assignments",
            &admin,
            json!({"user": "operator", "unit": 0}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let (cookie, _) = app.login(Role::Operator).await;
    let station = protocols[0].station.0;
    let form = app
        .page(&format!("/elections/k/staff?unit={station}"), &cookie)
        .await;
    assert!(
        form.contains("the election&#39;s law requires the scan of the paper protocol")
            || form.contains("the election's law requires the scan of the paper protocol"),
        "{form}"
    );
    let op = app.token(Role::Operator).await;
    let votes: Vec<u64> = protocols[0].votes.iter().map(|v| v + 1).collect();
    let entered = app
        .api(
            "POST",
            "/api/elections/k/protocols",
            &op,
            json!({"station": station, "source": "manual", "votes": votes,
                   "lines": crate::common::lines_for(&votes)}),
        )
        .await;
    assert_eq!(entered.status, StatusCode::CREATED, "{}", entered.text());
    let id = entered.json()["id"].as_i64().unwrap();
    let (vcookie, vcsrf) = app.login(Role::Verifier).await;
    let screen = app
        .page(&format!("/elections/k/staff/pending/{id}"), &vcookie)
        .await;
    assert!(screen.contains("this entry has none"), "{screen}");
    let ver = app.token(Role::Verifier).await;
    let refused = app
        .api(
            "POST",
            &format!("/api/elections/k/pending/{id}/verify"),
            &ver,
            json!({}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text());
    assert!(
        refused.text().contains("requires the scan"),
        "{}",
        refused.text()
    );
    // No reason, no rejection: neither from the API nor from the desk's form.
    let before = app.with_store(|s| s.log("k").unwrap().len()).await;
    for body in [json!({}), json!({"reason": "  "})] {
        let a = app
            .api(
                "POST",
                &format!("/api/elections/k/pending/{id}/reject"),
                &ver,
                body,
            )
            .await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text());
        assert!(a.text().contains("a rejection says why"), "{}", a.text());
    }
    let a = app
        .form(
            &format!("/elections/k/staff/pending/{id}"),
            &vcookie,
            format!("csrf={vcsrf}&action=reject&reason=").into_bytes(),
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text());
    assert_eq!(app.with_store(|s| s.log("k").unwrap().len()).await, before);
    let a = app
        .api(
            "POST",
            &format!("/api/elections/k/pending/{id}/reject"),
            &ver,
            json!({"reason": "no scan of the paper protocol"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
}

/// Revision 11: an operator's entry given the posted protocol's QR code is checked against
/// it (one vote moved: refused, naming the votes, nothing logged) and records the code's
/// SHA-256 in its staff `enter` entry; the desk's form takes the code too.
async fn an_entry_typed_from_a_posted_code_is_checked_and_records_it(app: &App) {
    app.assign_operator_everywhere().await;
    let op = app.token(Role::Operator).await;
    let p = &app.protocols[2];
    let mut typed = p.clone();
    typed.version = 0;
    typed.votes = p.votes.iter().map(|v| v + 1).collect();
    let valid: u64 = typed.votes.iter().sum();
    typed.set_line(model::Line::Valid, valid);
    typed.set_line(model::Line::Invalid, 0);
    typed.set_line(model::Line::FoundTotal, valid);
    let code = postedqr::Posted::of(&typed, "s", "2030-10-06 20:15", [7; 16])
        .encode()
        .unwrap();
    let body = |votes: &[u64]| {
        let lines: serde_json::Map<String, Value> = model::Line::ALL
            .iter()
            .filter_map(|&l| typed.line(l).map(|n| (l.key().to_string(), json!(n))))
            .collect();
        json!({"station": p.station.0, "source": "manual", "votes": votes, "lines": lines, "code": code})
    };
    let before = app.with_store(|s| s.log("s").unwrap().len()).await;
    let mut moved = typed.votes.clone();
    moved[0] += 1;
    moved[1] -= 1;
    let refused = app
        .api("POST", "/api/elections/s/protocols", &op, body(&moved))
        .await;
    assert_eq!(
        refused.status,
        StatusCode::BAD_REQUEST,
        "{}",
        refused.text()
    );
    assert!(refused.text().contains("votes:"), "{}", refused.text());
    assert_eq!(app.with_store(|s| s.log("s").unwrap().len()).await, before);
    let entered = app
        .api(
            "POST",
            "/api/elections/s/protocols",
            &op,
            body(&typed.votes),
        )
        .await;
    assert_eq!(entered.status, StatusCode::CREATED, "{}", entered.text());
    let log = app.with_store(|s| s.log("s").unwrap()).await;
    let last = String::from_utf8_lossy(log.last().unwrap()).to_string();
    let digest = postedqr::Posted::digest(&code);
    assert!(
        last.contains("\"act\":\"enter\"") && last.contains(&format!("\"posted\":\"{digest}\"")),
        "{last}"
    );
    let r = record::replay(
        log.iter()
            .enumerate()
            .map(|(i, b)| (i as u64, b.as_slice())),
    );
    assert!(r.is_ok(), "{r:?}");
}

/// Verifies the protocol whose entry answered `entered`, as `ver`: it must be verified.
async fn verified(app: &App, ver: &str, entered: crate::common::Answer) {
    assert_eq!(entered.status, StatusCode::CREATED, "{}", entered.text());
    let id = entered.json()["id"].as_i64().unwrap();
    let v = app
        .api(
            "POST",
            &format!("/api/elections/s/pending/{id}/verify"),
            ver,
            json!({}),
        )
        .await;
    assert_eq!(v.status, StatusCode::OK, "{}", v.text());
}

/// The machine count and the manual count side by side, and the exports.
async fn machine_and_manual_counts_and_exports(app: &App) {
    let admin = app.token(Role::Admin).await;
    let op = app.token(Role::Operator).await;
    let ver = app.token(Role::Verifier).await;
    app.api(
        "POST",
        "/api/elections/s/assignments",
        &admin,
        json!({"user": "operator", "unit": 0}),
    )
    .await;
    let counts = |c: &Value, side: &str| -> Vec<u64> {
        c["units"][0][side]["votes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect()
    };
    let before = app.get("/api/elections/s/counts?by=region").await.json();
    assert!(counts(&before, "machine").iter().all(|v| *v == 0));
    assert_eq!(before["compared_at"]["both"], 0);
    assert!(before["seats"]["machine"]["unavailable"].is_string());
    let official = app.get("/api/elections/s/results?by=country").await.json();
    // A machine count for two stations, different from their manual counts, with registered
    // voters: issue 15's scenario (one station's turnout shown as the country's, the machine
    // count replacing the manual one in the official totals).
    let mut machine = vec![0u64; app.protocols[0].votes.len()];
    let mut manual = machine.clone();
    for p in &app.protocols[..2] {
        let votes: Vec<u64> = p.votes.iter().map(|v| v + 3).collect();
        for ((m, v), h) in machine
            .iter_mut()
            .zip(&votes)
            .zip(manual.iter_mut().zip(&p.votes))
        {
            *m += v;
            *h.0 += h.1;
        }
        let registered = p.line(model::Line::Registered).unwrap();
        let mut lines = crate::common::lines_for(&votes);
        lines["registered"] = json!(registered);
        let e = app
            .api(
                "POST",
                "/api/elections/s/protocols",
                &op,
                json!({"station": p.station.0, "source": "machine", "votes": votes,
                       "lines": lines}),
            )
            .await;
        verified(app, &ver, e).await;
    }
    // The official totals and turnout are the manual count's, unchanged.
    let results = app.get("/api/elections/s/results?by=country").await.json();
    assert_eq!(results["units"][0]["votes"], official["units"][0]["votes"]);
    assert_eq!(
        results["units"][0]["turnout"],
        official["units"][0]["turnout"]
    );
    // The comparison covers the two stations with both counts, and says so; no seats from
    // counts of different stations.
    let after = app.get("/api/elections/s/counts?by=region").await.json();
    assert_eq!(counts(&after, "machine"), machine);
    assert_eq!(counts(&after, "manual"), manual);
    let stations = app.protocols.len() as u64;
    assert_eq!(
        after["compared_at"],
        json!({"both": 2, "manual_only": stations - 2, "machine_only": 0, "stations": stations})
    );
    assert_eq!(after["legal_count"], "manual");
    assert!(after["seats"]["machine"]["unavailable"]
        .as_str()
        .unwrap()
        .contains("different stations"));
    let page = app.get("/elections/s/counts").await.text();
    assert!(
        page.contains(&format!("Compared at 2 of {stations} counted stations")),
        "{page}"
    );
    // A manual recount of the first station after its machine count: the official totals
    // and the comparison's manual side take it, the machine side keeps the machine count.
    let p0 = &app.protocols[0];
    let recount: Vec<u64> = p0.votes.iter().map(|v| v + 1).collect();
    let e = app
        .api(
            "POST",
            "/api/elections/s/protocols",
            &op,
            json!({"station": p0.station.0, "source": "manual", "votes": recount,
                   "lines": crate::common::lines_for(&recount)}),
        )
        .await;
    verified(app, &ver, e).await;
    let third = app.get("/api/elections/s/counts?by=region").await.json();
    assert_eq!(counts(&third, "machine"), machine);
    let want: Vec<u64> = manual.iter().map(|v| v + 1).collect();
    assert_eq!(counts(&third, "manual"), want);
    let results = app.get("/api/elections/s/results?by=country").await.json();
    let official_votes: Vec<u64> = official["units"][0]["votes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() + 1)
        .collect();
    assert_eq!(results["units"][0]["votes"], json!(official_votes));
    // Station pages carry the station's forensic flag: its rank among every scored station.
    let unit = app
        .get(&format!(
            "/api/elections/s/units/{}",
            app.protocols[5].station.0
        ))
        .await
        .json();
    let flag = &unit["forensic_flag"];
    // The first station's manual recount (votes only) lacks the lines the flags need; the
    // second station's legal count is still its imported manual protocol.
    let scored = app.protocols.len() - 1;
    assert_eq!(flag["of"], scored, "{unit}");
    let rank = flag["rank"].as_u64().unwrap();
    assert!((1..=scored as u64).contains(&rank));
    let page = app
        .get(&format!(
            "/elections/s/units/{}",
            app.protocols[5].station.0
        ))
        .await
        .visible();
    assert!(page.contains(&format!("rank {rank} of {scored}")), "{page}");
    let page = app.get("/elections/s/counts").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.visible().contains("Machine and manual counts"));
    // Exports: every counted station's latest protocol.
    let csv = app.get("/api/elections/s/export.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(csv.text().lines().count(), 1 + app.protocols.len());
    let doc = app.get("/api/elections/s/export.json").await.json();
    assert!(doc.is_object());
    let cdf = app.get("/api/elections/s/export.cdf.json").await.json();
    assert_eq!(cdf["@type"], "ElectionResults.ElectionReport");
    assert_eq!(cdf["Status"], "unofficial-complete");
}

/// A re-vote: decided in the parent, created as a linked election over the unit, counted
/// there under the same rules, and shown beside the annulled results.
async fn a_revote_is_a_linked_election(app: &App) {
    let admin = app.token(Role::Admin).await;
    let com = app.token(Role::Commissioner).await;
    let op = app.token(Role::Operator).await;
    let ver = app.token(Role::Verifier).await;
    let e = &app.election;
    let region = app.first_region();
    let stations = app
        .protocols
        .iter()
        .filter(|p| under(e, p.station, region))
        .count();
    let body = json!({"unit": region.0, "name": "s-revote"});
    let early = app
        .api("POST", "/api/elections/s/revotes", &com, body.clone())
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.text());
    let d = app
        .api(
            "POST",
            "/api/elections/s/decisions",
            &com,
            json!({"kind": "revote", "unit": region.0, "reason": "carousel voting"}),
        )
        .await;
    assert_eq!(d.status, StatusCode::CREATED);
    let made = app
        .api("POST", "/api/elections/s/revotes", &com, body.clone())
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
    let again = app
        .api("POST", "/api/elections/s/revotes", &com, body)
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let list = app.get("/api/elections").await.json();
    let child = list
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "s-revote")
        .unwrap();
    assert_eq!(child["stations"], stations);
    assert_eq!(child["protocol_versions"], 0);
    // The re-vote's log says who opened it and which of the parent's decisions ordered it.
    let (clog, plog) = app
        .with_store(|s| (s.log("s-revote").unwrap(), s.log("s").unwrap()))
        .await;
    let opened = clog
        .iter()
        .enumerate()
        .find_map(|(i, b)| match record::decode(i as u64, b).unwrap() {
            record::Entry::Staff(x) => Some(x),
            _ => None,
        })
        .unwrap();
    let decision = plog
        .iter()
        .rev()
        .find(|b| b.starts_with(b"\x01{\"type\":\"decision\",\"kind\":\"revote\""))
        .unwrap();
    assert_eq!(
        (opened.role(), opened.act),
        (
            Role::Commissioner,
            record::StaffAct::Open {
                decision: record::digest(decision),
                unit: region
            }
        )
    );
    record::replay(
        clog.iter()
            .enumerate()
            .map(|(i, b)| (i as u64, b.as_slice())),
    )
    .unwrap();
    // The parent's totals leave the region out; the re-vote counts with the usual workflow.
    let first = app
        .protocols
        .iter()
        .find(|p| under(e, p.station, region))
        .unwrap();
    let station = app
        .get("/api/elections/s-revote/results?by=station")
        .await
        .json()["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| {
            u["path"].as_array().unwrap().last() == Some(&json!(e.units.get(first.station).name))
        })
        .map(|u| u["path"].clone())
        .unwrap();
    assert_eq!(
        station.as_array().unwrap().len(),
        e.units.path_names(first.station).len()
    );
    let child_units = app
        .get("/api/elections/s-revote/results?by=station")
        .await
        .json();
    assert_eq!(child_units["units"].as_array().unwrap().len(), 1 + stations);
    app.api(
        "POST",
        "/api/elections/s-revote/assignments",
        &admin,
        json!({"user": "operator", "unit": 0}),
    )
    .await;
    let leaf = app
        .api("GET", "/api/elections/s-revote/units/0", &op, Value::Null)
        .await
        .json();
    assert_eq!(leaf["stations"], stations);
    // Station ids are renumbered in the re-vote: find the first station's new id.
    let mut id = None;
    for k in 0..(stations as u32 + 10) {
        let u = app.get(&format!("/api/elections/s-revote/units/{k}")).await;
        if u.status == StatusCode::OK && u.json()["level"] == "station" {
            id = Some(k);
            break;
        }
    }
    let id = id.unwrap();
    let votes: Vec<u64> = vec![7; first.votes.len()];
    let entered = app
        .api(
            "POST",
            "/api/elections/s-revote/protocols",
            &op,
            json!({"station": id, "votes": votes, "lines": crate::common::lines_for(&votes)}),
        )
        .await;
    assert_eq!(entered.status, StatusCode::CREATED, "{}", entered.text());
    let pid = entered.json()["id"].as_i64().unwrap();
    let v = app
        .api(
            "POST",
            &format!("/api/elections/s-revote/pending/{pid}/verify"),
            &ver,
            json!({}),
        )
        .await;
    assert_eq!(v.status, StatusCode::OK);
    let page = app.get("/elections/s/revotes").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.visible();
    assert!(text.contains("s-revote") && text.contains("1 of"), "{text}");
    let same = app.get("/elections/s-revote/revotes").await.visible();
    assert!(same.contains("Annulled vote"), "{same}");
}

/// Issue 15: the staff entries of an entry and its verification carry the service's clock
/// (within a few seconds of the test's), and the unit page says when the protocol was made
/// ("—" for the imported version); the results page says what its figures are as of.
async fn acts_carry_the_services_time_and_the_pages_show_it(app: &App) {
    let (op, ver) = (
        app.token(Role::Operator).await,
        app.token(Role::Verifier).await,
    );
    let admin = app.token(Role::Admin).await;
    let p = app.protocols[0].clone();
    let assigned = app
        .api(
            "POST",
            "/api/elections/s/assignments",
            &admin,
            json!({"user": "operator", "unit": p.station.0}),
        )
        .await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.text());
    let before = clock().unix();
    let mut votes = p.votes.clone();
    votes[0] += 1;
    let body =
        json!({"station": p.station.0, "votes": votes, "lines": crate::common::lines_for(&votes)});
    let entered = app
        .api("POST", "/api/elections/s/protocols", &op, body)
        .await;
    assert_eq!(entered.status, StatusCode::CREATED, "{}", entered.text());
    let id = entered.json()["id"].as_i64().unwrap();
    let path = format!("/api/elections/s/pending/{id}/verify");
    let verified = app.api("POST", &path, &ver, json!({})).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.text());
    let after = clock().unix();
    let log = app.with_store(|s| s.log("s").unwrap()).await;
    let n = log.len();
    // The last three entries: the staff `enter`, the staff `verify`, the protocol.
    let times: Vec<Option<u64>> = log[n - 3..]
        .iter()
        .map(|b| match record::decode(0, b).unwrap() {
            record::Entry::Staff(x) => x.time.map(record::Time::unix),
            _ => None,
        })
        .collect();
    let (t_enter, t_verify) = (times[0].unwrap(), times[1].unwrap());
    assert!(
        before <= t_enter && t_enter <= t_verify && t_verify <= after,
        "{times:?}"
    );
    assert_eq!((times[2], log[n - 1][0], log[n - 2][0]), (None, 1, 2));
    assert_eq!(
        replay(app).await.as_of.map(record::Time::unix),
        Some(t_verify)
    );
    // The station's page: the imported version made at no known time, the verified one at
    // the verification's time.
    let made = record::Time::from_unix(t_verify).unwrap().to_string();
    let page = app
        .get(&format!("/elections/s/units/{}", p.station.0))
        .await
        .visible();
    assert!(
        page.contains(&format!(" {} {made} Protocol", n - 1)),
        "{page}"
    );
    assert!(page.contains(" — Protocol"), "{page}");
    let unit = app
        .get(&format!("/api/elections/s/units/{}", p.station.0))
        .await
        .json();
    let logged = unit["logged"].as_array().unwrap();
    assert_eq!(logged.last().unwrap()["made_at"], t_verify);
    assert_eq!(logged[0]["made_at"], Value::Null);
    let results = app.get("/elections/s").await.visible();
    assert!(
        results.contains(&format!("as of {made} (log size {n})")),
        "{results}"
    );
}

on_every_backend!(
    acts_carry_the_services_time_and_the_pages_show_it,
    a_revote_is_a_linked_election,
    machine_and_manual_counts_and_exports,
    a_protocol_counts_once_a_second_person_verifies_it_and_an_annulment_removes_it,
    complaints_redaction_and_certification_are_logged,
    the_desk_forms_enter_and_verify_a_protocol,
    an_entry_typed_from_a_posted_code_is_checked_and_records_it,
    a_scan_the_law_requires_shows_at_the_desk_and_a_rejection_says_why
);

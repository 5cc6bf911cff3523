//! Regressions of the hostile review of the service (issue 13), on both backends: uploaded
//! files are taken only as what their bytes are and never served as pages; every answer
//! carries a policy that runs no script; an act cites only its actor's own uploads, and a
//! redaction removes a file only when nothing else cites it.

use axum::http::StatusCode;
use record::Role;
use serde_json::json;
use store::Store;

use crate::common::{on_every_backend, scan_file, App};

on_every_backend!(
    a_scan_is_taken_by_its_bytes_and_never_served_as_a_page,
    every_answer_carries_a_policy_that_runs_no_script,
    an_act_cites_only_its_actors_own_uploads,
    a_redaction_removes_a_file_only_when_nothing_else_cites_it,
    a_unit_id_past_its_range_is_refused_not_wrapped,
    a_certified_or_annulled_election_is_frozen_until_reopened,
    a_refused_form_stores_nothing_its_file_included,
);

/// A PNG file followed by a page whose script verifies every pending protocol.
fn polyglot() -> Vec<u8> {
    let mut b = scan_file("scan.png");
    b.extend(b"<html><script>fetch('/api/elections/s/pending')</script></html>");
    b
}

async fn a_scan_is_taken_by_its_bytes_and_never_served_as_a_page(app: &App) {
    let op = app.token(Role::Operator).await;
    let aud = app.token(Role::Auditor).await;
    let obs = app.token(Role::Observer).await;
    let page = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>";
    for (token, media, bytes) in [
        (&op, "text/html", page.to_vec()),
        (&obs, "image/png", page.to_vec()),
        (&op, "image/png", polyglot()),
        (&aud, "text/csv", page.to_vec()),
        (&op, "text/csv", b"station,choice\n1,2\n".to_vec()),
        (&op, "image/gif", b"GIF89a\x01\x00\x01\x00".to_vec()),
    ] {
        let a = app.upload(token, media, &bytes).await;
        assert_eq!(
            a.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{media}: {}",
            a.text()
        );
        assert!(a.json()["error"].is_string());
    }
    // Nothing refused was stored.
    for bytes in [page.to_vec(), polyglot()] {
        let sha = format!("/api/scans/{}", record::digest(&bytes));
        let got = app
            .call(
                "GET",
                &sha,
                &[("authorization", &format!("Bearer {op}"))],
                vec![],
            )
            .await;
        assert_eq!(got.status, StatusCode::NOT_FOUND);
    }
    // What is taken is served as what its bytes are, whatever was declared.
    let cases = [
        (&op, "scan.png", "image/png", "inline"),
        (&obs, "scan.jpg", "image/jpeg", "inline"),
        (&op, "scan.pdf", "application/pdf", "attachment"),
    ];
    for (token, file, mime, disposition) in cases {
        let bytes = scan_file(file);
        let sha = app.uploaded(token, &bytes).await;
        let got = app
            .call(
                "GET",
                &format!("/api/scans/{sha}"),
                &[("authorization", &format!("Bearer {op}"))],
                vec![],
            )
            .await;
        assert_eq!(got.status, StatusCode::OK);
        // An observer's photo is stored without its metadata blocks (`without_metadata`):
        // the same image, without the JFIF header this one carries.
        let stored = if token == &obs {
            store::without_metadata(&bytes).unwrap()
        } else {
            bytes
        };
        assert_eq!(got.body, stored);
        let h = |k: &str| got.headers[k].to_str().unwrap().to_string();
        assert_eq!(h("content-type"), mime);
        assert_eq!(h("x-content-type-options"), "nosniff");
        assert!(h("content-security-policy").starts_with("sandbox"));
        assert!(h("content-disposition").starts_with(disposition), "{file}");
    }
    let csv = b"station,choice\n1,2\n";
    let sha = app.uploaded(&aud, csv).await;
    let got = app
        .call(
            "GET",
            &format!("/api/scans/{sha}"),
            &[("authorization", &format!("Bearer {aud}"))],
            vec![],
        )
        .await;
    assert_eq!(got.headers["content-type"], "text/csv; charset=utf-8");
    assert!(got.headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    // A file's name is parsed once: anything but a SHA-256 is a bad request.
    for bad in ["..%2F..%2Fetc%2Fpasswd", "sha256:zz", "ABCD"] {
        let got = app
            .call(
                "GET",
                &format!("/api/scans/{bad}"),
                &[("authorization", &format!("Bearer {op}"))],
                vec![],
            )
            .await;
        assert_eq!(got.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

async fn every_answer_carries_a_policy_that_runs_no_script(app: &App) {
    for path in [
        "/",
        "/elections/s",
        "/elections/s/seats",
        "/login",
        "/api/elections/s/results",
        "/elections/s/forensics",
    ] {
        let a = app.get(path).await;
        let h = |k: &str| {
            a.headers
                .get(k)
                .unwrap_or_else(|| panic!("{path}: no {k}"))
                .to_str()
                .unwrap()
                .to_string()
        };
        let csp = h("content-security-policy");
        assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("script-src"), "{path}: {csp}");
        assert_eq!(h("x-content-type-options"), "nosniff");
        assert_eq!(h("referrer-policy"), "same-origin");
    }
    // The login cookie is Secure when the proxy in front says the request came over HTTPS.
    let body = serde_json::to_vec(
        &json!({"name": "operator", "password": crate::common::password(Role::Operator)}),
    )
    .unwrap();
    for (proto, secure) in [("https", true), ("http", false)] {
        let a = app
            .call(
                "POST",
                "/api/login",
                &[
                    ("content-type", "application/json"),
                    ("x-forwarded-proto", proto),
                ],
                body.clone(),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        let text = a.headers["set-cookie"].to_str().unwrap();
        let cookie = cookie::Cookie::parse(text).unwrap();
        assert_eq!(cookie.secure(), secure.then_some(true), "{text}");
        assert_eq!(cookie.http_only(), Some(true), "{text}");
        assert_eq!(cookie.same_site(), Some(cookie::SameSite::Strict), "{text}");
        assert_eq!(cookie.path(), Some("/"), "{text}");
    }
}

async fn an_act_cites_only_its_actors_own_uploads(app: &App) {
    let aud = app.token(Role::Auditor).await;
    let obs = app.token(Role::Observer).await;
    let op = app.token(Role::Operator).await;
    let records = app.uploaded(&aud, b"station,choice\n1,2\n").await;
    let photo = app.uploaded(&op, &scan_file("scan.jpg")).await;
    let size = app.with_store(|s| s.log("s").unwrap().len()).await;
    for cited in [&records, &photo, &format!("sha256:{}", "0".repeat(64))] {
        let c = app
            .api(
                "POST",
                "/api/elections/s/complaints",
                &obs,
                json!({"unit": 1, "text": "stuffing", "scan": cited}),
            )
            .await;
        assert!(
            matches!(c.status, StatusCode::CONFLICT | StatusCode::NOT_FOUND),
            "{cited}: {} {}",
            c.status,
            c.text()
        );
    }
    let c = app
        .api(
            "POST",
            "/api/elections/s/complaints",
            &obs,
            json!({"unit": 1, "text": "stuffing", "scan": "not a hash"}),
        )
        .await;
    assert_eq!(c.status, StatusCode::BAD_REQUEST, "{}", c.text());
    // A protocol's scan must be the operator's own too.
    app.assign_operator_everywhere().await;
    let theirs = app.uploaded(&obs, &scan_file("scan.png")).await;
    let p = &app.protocols[0];
    let e = app
        .api(
            "POST",
            "/api/elections/s/protocols",
            &op,
            json!({"station": p.station.0, "votes": p.votes, "scan": theirs}),
        )
        .await;
    assert_eq!(e.status, StatusCode::CONFLICT, "{}", e.text());
    // None of the refused acts left anything in the log but the assignment.
    let after = app.with_store(|s| s.log("s").unwrap().len()).await;
    assert_eq!(after, size + 1);
}

async fn a_redaction_removes_a_file_only_when_nothing_else_cites_it(app: &App) {
    let obs = app.token(Role::Observer).await;
    let com = app.token(Role::Commissioner).await;
    let photo = app.uploaded(&obs, &scan_file("scan.jpg")).await;
    for text in ["first complaint", "second complaint"] {
        let c = app
            .api(
                "POST",
                "/api/elections/s/complaints",
                &obs,
                json!({"unit": 1, "text": text, "scan": photo}),
            )
            .await;
        assert_eq!(c.status, StatusCode::CREATED, "{}", c.text());
    }
    let stored = |file: String| async move {
        let f = store::FileRef::parse(&file).unwrap();
        app.with_store(move |s| store::Staffing::scan(s, &f).unwrap().is_some())
            .await
    };
    let commitments: Vec<String> = app
        .with_store(|s| s.contents("s").unwrap())
        .await
        .into_iter()
        .filter(|c| c.text == photo)
        .map(|c| c.commitment)
        .collect();
    assert_eq!(commitments.len(), 2);
    for (i, c) in commitments.iter().enumerate() {
        let r = app
            .api(
                "POST",
                "/api/elections/s/redactions",
                &com,
                json!({ "commitment": c }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        // The file stays while the other complaint cites it, and goes with the last.
        assert_eq!(stored(photo.clone()).await, i == 0);
    }
}

async fn a_unit_id_past_its_range_is_refused_not_wrapped(app: &App) {
    let size = app.with_store(|s| s.log("s").unwrap().len()).await;
    // 2^32 + 2 once logged a recount of unit 2.
    let (cookie, csrf) = app.login(Role::Commissioner).await;
    let body = format!("csrf={csrf}&kind=recount&unit=4294967298&reason=stuffing");
    let a = app
        .form("/elections/s/staff/decisions", &cookie, body.into_bytes())
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text());
    assert!(a.text().contains("not a unit id"), "{}", a.text());
    let (cookie, csrf) = app.login(Role::Observer).await;
    for unit in ["4294967297", "-1", "Batken"] {
        let body = format!("csrf={csrf}&unit={unit}&text=stuffing");
        let a = app
            .form("/elections/s/staff/complaints", &cookie, body.into_bytes())
            .await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{unit}: {}", a.text());
    }
    let after = app.with_store(|s| s.log("s").unwrap().len()).await;
    assert_eq!(after, size, "a refused form logs nothing");
}

async fn a_certified_or_annulled_election_is_frozen_until_reopened(app: &App) {
    let admin = app.token(Role::Admin).await;
    let op = app.token(Role::Operator).await;
    let ver = app.token(Role::Verifier).await;
    let com = app.token(Role::Commissioner).await;
    let obs = app.token(Role::Observer).await;
    let a = app
        .api(
            "POST",
            "/api/elections/s/assignments",
            &admin,
            json!({"user": "operator", "unit": 0}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let enter = |k: u64| {
        let mut p = app.protocols[k as usize].clone();
        p.votes[0] += 500;
        let valid = p.line(model::Line::Valid);
        json!({"station": p.station.0, "votes": p.votes, "lines": {"valid": valid}})
    };
    let e = app
        .api("POST", "/api/elections/s/protocols", &op, enter(0))
        .await;
    assert_eq!(e.status, StatusCode::CREATED, "{}", e.text());
    let waiting = e.json()["id"].as_i64().unwrap();
    let decide = |kind: &str| json!({"kind": kind, "unit": 1, "reason": "protests"});
    let cert = app
        .api("POST", "/api/elections/s/certify", &com, json!({}))
        .await;
    assert_eq!(cert.status, StatusCode::CREATED, "{}", cert.text());
    for frozen in ["certified", "annulled"] {
        let size = app.with_store(|s| s.log("s").unwrap().len()).await;
        // Nothing changes the counts: no entry, no verification of an earlier entry, no
        // decision but an annulment or a reopening, no second certification.
        let refused = [
            app.api("POST", "/api/elections/s/protocols", &op, enter(1))
                .await,
            app.api(
                "POST",
                &format!("/api/elections/s/pending/{waiting}/verify"),
                &ver,
                json!({}),
            )
            .await,
            app.api(
                "POST",
                "/api/elections/s/decisions",
                &com,
                decide("recount"),
            )
            .await,
            app.api("POST", "/api/elections/s/certify", &com, json!({}))
                .await,
        ];
        for r in refused {
            assert_eq!(r.status, StatusCode::CONFLICT, "{frozen}: {}", r.text());
            assert!(r.text().contains(frozen), "{}", r.text());
        }
        assert_eq!(
            app.with_store(|s| s.log("s").unwrap().len()).await,
            size,
            "{frozen}: a refused act logs nothing"
        );
        // A complaint may still challenge it.
        let c = app
            .api(
                "POST",
                "/api/elections/s/complaints",
                &obs,
                json!({"unit": 1, "text": "the count was wrong"}),
            )
            .await;
        assert_eq!(c.status, StatusCode::CREATED, "{}", c.text());
        if frozen == "certified" {
            // A certified election may still be annulled, which freezes it too.
            let d = app
                .api(
                    "POST",
                    "/api/elections/s/decisions",
                    &com,
                    json!({"kind": "annul-election", "reason": "protests"}),
                )
                .await;
            assert_eq!(d.status, StatusCode::CREATED, "{}", d.text());
        }
    }
    // A logged decision reopens it: it may change, and be certified once more.
    let d = app
        .api(
            "POST",
            "/api/elections/s/decisions",
            &com,
            json!({"kind": "reopen", "reason": "the court ordered a recount"}),
        )
        .await;
    assert_eq!(d.status, StatusCode::CREATED, "{}", d.text());
    // The waiting protocol (500 votes more than its valid ballots) is quarantined until a
    // commissioner lifts it with a reason (issue 17).
    let verify_path = format!("/api/elections/s/pending/{waiting}/verify");
    let v = app.api("POST", &verify_path, &ver, json!({})).await;
    assert_eq!(v.status, StatusCode::CONFLICT, "{}", v.text());
    assert!(v.text().contains("quarantined"), "{}", v.text());
    let o = app
        .api(
            "POST",
            &format!("/api/elections/s/pending/{waiting}/override"),
            &com,
            json!({"reason": "the court ordered the protocol counted as written"}),
        )
        .await;
    assert_eq!(o.status, StatusCode::CREATED, "{}", o.text());
    let v = app.api("POST", &verify_path, &ver, json!({})).await;
    assert_eq!(v.status, StatusCode::OK, "{}", v.text());
    // Two complaints are open: certifying needs a reason.
    let cert = app
        .api("POST", "/api/elections/s/certify", &com, json!({}))
        .await;
    assert_eq!(cert.status, StatusCode::CONFLICT, "{}", cert.text());
    assert!(
        cert.text().contains("2 complaint(s) still open"),
        "{}",
        cert.text()
    );
    let cert = app
        .api(
            "POST",
            "/api/elections/s/certify",
            &com,
            json!({"reason": "the complaints concern the annulled count"}),
        )
        .await;
    assert_eq!(cert.status, StatusCode::CREATED, "{}", cert.text());
    // The log replays: the rule holds in it.
    let log = app.with_store(|s| s.log("s").unwrap()).await;
    let mut r = record::Replayer::start(0, &log[0]).unwrap();
    for (i, b) in log.iter().enumerate().skip(1) {
        r.push(i as u64, b).unwrap();
    }
    assert_eq!(r.standing(), record::Standing::Certified);
}

async fn a_refused_form_stores_nothing_its_file_included(app: &App) {
    // The operator has no units yet: the entry is refused, and its scan is not kept.
    let (cookie, csrf) = app.login(Role::Operator).await;
    let p = &app.protocols[0];
    let station = p.station.0.to_string();
    let votes: Vec<(String, String)> = p
        .votes
        .iter()
        .enumerate()
        .map(|(i, v)| (format!("vote_{i}"), v.to_string()))
        .collect();
    let mut fields = vec![("csrf", csrf.as_str()), ("station", station.as_str())];
    fields.extend(votes.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let png = scan_file("scan.png");
    let files = [("scan", "protocol.png", "image/png", png.as_slice())];
    let size = app.with_store(|s| s.log("s").unwrap().len()).await;
    let a = app
        .multipart("/elections/s/staff/protocols", &cookie, &fields, &files)
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text());
    let f = store::FileRef::parse(&record::digest(&png)).unwrap();
    let kept = app
        .with_store(move |s| store::Staffing::scan(s, &f).unwrap().is_some())
        .await;
    assert!(!kept, "the refused form's scan was kept");
    assert_eq!(app.with_store(|s| s.log("s").unwrap().len()).await, size);
}

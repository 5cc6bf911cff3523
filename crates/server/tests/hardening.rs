//! Issue 13, finding 10: body limits by form field, login CSRF, API errors as JSON, and
//! read timeouts against slow clients (through a real socket), API tokens' expiry, listing and
//! revocation.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use record::Role;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{on_every_backend, password, Answer, App};

fn is_json_error(a: &Answer) -> bool {
    a.headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
        && a.json()["error"].is_string()
}

async fn api_errors_answer_json_and_pages_keep_theirs(app: &App) {
    let op = app.token(Role::Operator).await;
    let auth = format!("Bearer {op}");
    let post = |body: &'static [u8]| {
        let auth = auth.clone();
        async move {
            app.call(
                "POST",
                "/api/elections/s/protocols",
                &[
                    ("authorization", &auth),
                    ("content-type", "application/json"),
                ],
                body.to_vec(),
            )
            .await
        }
    };
    // A body that is not JSON (400), JSON of the wrong shape (422).
    let a = post(b"{not json").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(is_json_error(&a), "{}", a.text());
    let a = post(br#"{"station":"one"}"#).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(is_json_error(&a), "{}", a.text());
    // A body over the limit (413).
    let big = vec![b' '; server::BODY_LIMIT + 1];
    let a = app
        .call(
            "POST",
            "/api/elections/s/protocols",
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            big,
        )
        .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(is_json_error(&a), "{}", a.text());
    // A missing content type (415), a path parameter of the wrong type ("Invalid URL", 400),
    // an unknown API path (404), a method the route does not take (405).
    let a = app
        .call(
            "POST",
            "/api/elections/s/protocols",
            &[("authorization", &auth)],
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(is_json_error(&a), "{}", a.text());
    let a = app.get("/api/elections/s/units/not-a-number").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(is_json_error(&a), "{}", a.text());
    assert!(a.json()["error"].as_str().unwrap().contains("Invalid URL"));
    let a = app.get("/api/no-such-thing").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(is_json_error(&a), "{}", a.text());
    let a = app.call("DELETE", "/api/elections", &[], Vec::new()).await;
    assert_eq!(a.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(is_json_error(&a), "{}", a.text());
    // A page keeps its own answer (issue 11 makes HTML error pages).
    let a = app.get("/elections/s/units/not-a-number").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(!is_json_error(&a));
    // A path a browser reads as another site's: the 404 page's links stay on this one (a
    // review found its language links led to //evil.example/x).
    for path in ["//evil.example/x", "//evil.example/x?lang=ky"] {
        let a = app.get(path).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{path}");
        let page = a.text();
        assert!(
            !page.contains("href=\"//") && !page.contains("href=\"/\\"),
            "{page}"
        );
        assert!(page.contains("href=\"/?lang=ru\""), "{page}");
    }
}

async fn a_cross_site_page_cannot_log_in(app: &App) {
    let json_login =
        serde_json::to_vec(&json!({"name": "verifier", "password": password(Role::Verifier)}))
            .unwrap();
    let form_login = format!("name=verifier&password={}", password(Role::Verifier)).into_bytes();
    let host = ("host", "tally.example");
    let json = ("content-type", "application/json");
    let form = ("content-type", "application/x-www-form-urlencoded");
    let cross: [&[(&str, &str)]; 5] = [
        &[("origin", "https://attacker.example")],
        &[("origin", "https://tally.example.attacker.example")],
        &[("origin", "null")],
        &[("referer", "https://attacker.example/login.html")],
        &[("sec-fetch-site", "cross-site")],
    ];
    for extra in cross {
        for (path, ctype, body) in [
            ("/api/login", json, &json_login),
            ("/login", form, &form_login),
        ] {
            let mut headers = vec![host, ctype];
            headers.extend_from_slice(extra);
            let a = app.call("POST", path, &headers, body.clone()).await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{path} {extra:?}");
            assert!(a.headers.get("set-cookie").is_none(), "{path} {extra:?}");
        }
    }
    // The site's own login page, and a client that is not a browser, log in.
    let same: [&[(&str, &str)]; 3] = [
        &[("origin", "https://tally.example")],
        &[
            ("referer", "https://tally.example/login"),
            ("sec-fetch-site", "same-origin"),
        ],
        &[],
    ];
    for extra in same {
        let mut headers = vec![host, json];
        headers.extend_from_slice(extra);
        let a = app
            .call("POST", "/api/login", &headers, json_login.clone())
            .await;
        assert_eq!(a.status, StatusCode::OK, "{extra:?}: {}", a.text());
        let mut headers = vec![host, form];
        headers.extend_from_slice(extra);
        let a = app
            .call("POST", "/login", &headers, form_login.clone())
            .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{extra:?}: {}", a.text());
        assert!(a.headers.get("set-cookie").is_some());
    }
}

async fn form_fields_have_their_own_limits_and_a_refused_form_stores_nothing(app: &App) {
    let (cookie, csrf) = app.login(Role::Commissioner).await;
    let decision = "/elections/s/staff/decisions";
    let fields = |reason: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("kind", "recount".to_string()),
            ("unit", "2".to_string()),
            ("reason", reason.to_string()),
        ]
    };
    let send = |fields: Vec<(&'static str, String)>, files: Vec<(&'static str, Vec<u8>)>| {
        let cookie = cookie.clone();
        async move {
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let files: Vec<(&str, &str, &str, &[u8])> = files
                .iter()
                .map(|(k, b)| (*k, "scan.png", "image/png", b.as_slice()))
                .collect();
            app.multipart(decision, &cookie, &f, &files).await
        }
    };
    // A form without a file: 64 KiB in all, even when each field is under it.
    let a = send(fields(&"x".repeat(5 << 20)), Vec::new()).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.text());
    let mut two = fields("r");
    two.push(("note", "y".repeat(40 << 10)));
    two.push(("more", "z".repeat(40 << 10)));
    let a = send(two, Vec::new()).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.text());
    // A field that is not a file: 64 KiB, even beside a file.
    let scan = |n: usize, seed: u8| {
        let mut b = vec![seed; n];
        b[..8].copy_from_slice(b"\x89PNG\r\n\x1a\n");
        b
    };
    let small = include_bytes!("data/scans/scan.png").to_vec();
    let a = send(
        fields(&"x".repeat(100 << 10)),
        vec![("scan", small.clone())],
    )
    .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.text());
    // A file: 8 MiB.
    let big = scan(server::SCAN_LIMIT + 1, 2);
    let a = send(fields("r"), vec![("scan", big.clone())]).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.text());
    // Nothing of a refused form was stored, its file included.
    let stored = app
        .with_store(move |st| {
            use store::Staffing;
            [&small, &big].map(|b| st.scan(&store::FileRef::of(b)).unwrap().is_some())
        })
        .await;
    assert_eq!(stored, [false, false]);
    // Within the limits the form is taken.
    let a = send(fields("a recount"), Vec::new()).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    // The same limits without a session (a bearer token: no CSRF check reads the form first).
    let token = app.token(Role::Commissioner).await;
    let body = format!(
        "--b\r\nContent-Disposition: form-data; name=\"reason\"\r\n\r\n{}\r\n--b--\r\n",
        "x".repeat(100 << 10)
    );
    let a = app
        .call(
            "POST",
            decision,
            &[
                ("authorization", &format!("Bearer {token}")),
                ("content-type", "multipart/form-data; boundary=b"),
            ],
            body.into_bytes(),
        )
        .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.text());
}

/// Reads from `s` until the server closes the connection; what it sent, and when it closed.
async fn until_closed(s: &mut tokio::net::TcpStream) -> (String, Duration) {
    let start = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(10), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => panic!("the server held the connection for 10 s"),
        }
    }
    (String::from_utf8_lossy(&got).to_string(), start.elapsed())
}

async fn slow_headers_and_slow_bodies_are_cut_off(app: &App) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let timeouts = server::Timeouts {
        header: Duration::from_secs(1),
        body: Duration::from_secs(1),
    };
    let db = app.db.clone();
    let server = tokio::spawn(async move {
        server::serve_with(
            listener,
            &db,
            crate::common::signing(),
            timeouts,
            None,
            server::Extras::default(),
        )
        .await
        .unwrap()
    });
    let connect = || async {
        for _ in 0..600 {
            if let Ok(s) = tokio::net::TcpStream::connect(addr).await {
                return s;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server does not listen");
    };
    // A prompt request is answered.
    let mut s = connect().await;
    s.write_all(b"GET /api/elections HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let (answer, _) = until_closed(&mut s).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // Headers begun and never finished: closed after the header timeout.
    let mut s = connect().await;
    s.write_all(b"GET /api/elections HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let (_, took) = until_closed(&mut s).await;
    assert!(took < Duration::from_secs(4), "held for {took:?}");
    // Headers sent a byte at a time (each byte within the timeout, the whole not): closed
    // after the header timeout too.
    let mut s = connect().await;
    let start = Instant::now();
    let mut closed = None;
    for b in b"GET /api/elections HTTP/1.1\r\nHost: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx".iter()
    {
        if s.write_all(&[*b]).await.is_err() {
            closed = Some(start.elapsed());
            break;
        }
        let mut buf = [0u8; 64];
        match tokio::time::timeout(Duration::from_millis(200), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => {
                closed = Some(start.elapsed());
                break;
            }
            _ => {}
        }
    }
    let closed = closed.expect("the connection stayed open while headers trickled in");
    assert!(closed < Duration::from_secs(4), "held for {closed:?}");
    // A body begun and never finished: answered with an error and closed after the body
    // timeout.
    let mut s = connect().await;
    s.write_all(
        b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"name\"",
    )
    .await
    .unwrap();
    let (answer, took) = until_closed(&mut s).await;
    assert!(took < Duration::from_secs(4), "held for {took:?}");
    assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");
    server.abort();
}

async fn api_tokens_expire_are_listed_and_revoked(app: &App) {
    let (cookie, csrf) = app.login(Role::Operator).await;
    let session = |path: &'static str, body: serde_json::Value| {
        let (cookie, csrf) = (cookie.clone(), csrf.clone());
        async move {
            app.call(
                "POST",
                path,
                &[
                    ("cookie", &cookie),
                    ("x-csrf-token", &csrf),
                    ("content-type", "application/json"),
                ],
                serde_json::to_vec(&body).unwrap(),
            )
            .await
        }
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    // A default lifetime of 30 days, or as asked within 1 to 365.
    let a = session("/api/tokens", json!({"label": "default"})).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let expires = a.json()["expires"].as_i64().unwrap();
    assert!((expires - now - 30 * 86_400).abs() < 60, "{expires}");
    let mine = a.json()["token"].as_str().unwrap().to_string();
    let mine_id = a.json()["id"].as_str().unwrap().to_string();
    for days in [0, 366] {
        let a = session("/api/tokens", json!({"label": "x", "days": days})).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{days}");
    }
    let a = session("/api/tokens", json!({"label": "one day", "days": 1})).await;
    assert_eq!(a.status, StatusCode::OK);
    let day = a.json()["token"].as_str().unwrap().to_string();
    // A token cannot make another: a leaked one would renew itself past its expiry.
    let a = app
        .api(
            "POST",
            "/api/tokens",
            &day,
            json!({"label": "renewed", "days": 365}),
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text());
    assert!(a.text().contains("logged-in session"), "{}", a.text());
    // The owner lists their own tokens, never the tokens themselves.
    let list = app.api("GET", "/api/tokens", &mine, json!(null)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text());
    let listed = list.json();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed
        .iter()
        .any(|t| t["id"] == mine_id.as_str() && t["label"] == "default"));
    assert!(!list.text().contains(&mine) && !list.text().contains(&day));
    // Nobody revokes another's token.
    let theirs = app.token(Role::Verifier).await;
    let theirs_id = app
        .api("GET", "/api/tokens", &theirs, json!(null))
        .await
        .json()[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let a = app
        .api(
            "POST",
            &format!("/api/tokens/{theirs_id}/revoke"),
            &mine,
            json!({}),
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.text());
    assert_eq!(
        app.api("GET", "/api/me", &theirs, json!(null)).await.status,
        StatusCode::OK
    );
    // One's own is revoked at once.
    let day_id = listed.iter().find(|t| t["label"] == "one day").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let a = app
        .api(
            "POST",
            &format!("/api/tokens/{day_id}/revoke"),
            &mine,
            json!({}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let a = app.api("GET", "/api/me", &day, json!(null)).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(is_json_error(&a));
    // An expired token is refused.
    let old = server::secret();
    let hash = server::token_hash(&old);
    app.with_store(move |st| {
        use store::Staffing;
        let (u, _) = st.user_by_name("operator").unwrap().unwrap();
        st.add_token(&hash, u.id, "old", now - 100, now - 1)
            .unwrap();
    })
    .await;
    let a = app.api("GET", "/api/me", &old, json!(null)).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    // Logging out ends the session only; asked, it revokes the caller's tokens too.
    let a = session("/api/logout", json!({})).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.json()["tokens_revoked"], 0);
    assert_eq!(
        app.api("GET", "/api/me", &mine, json!(null)).await.status,
        StatusCode::OK
    );
    let (cookie, csrf) = app.login(Role::Operator).await;
    let a = app
        .call(
            "POST",
            "/api/logout?tokens=revoke",
            &[("cookie", &cookie), ("x-csrf-token", &csrf)],
            Vec::new(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.json()["tokens_revoked"], 2);
    assert_eq!(
        app.api("GET", "/api/me", &mine, json!(null)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.api("GET", "/api/me", &theirs, json!(null)).await.status,
        StatusCode::OK
    );
}

on_every_backend!(
    api_tokens_expire_are_listed_and_revoked,
    api_errors_answer_json_and_pages_keep_theirs,
    a_cross_site_page_cannot_log_in,
    form_fields_have_their_own_limits_and_a_refused_form_stores_nothing,
    slow_headers_and_slow_bodies_are_cut_off,
);

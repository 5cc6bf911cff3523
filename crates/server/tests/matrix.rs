//! The authorization matrix: every route x every role (and the public), against the matrix
//! written in `data/authorization.csv`; CSRF on session writes; body limits; login limits.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use record::Role;
use serde_json::json;
use server::{Method, ROUTES};

use crate::common::{on_every_backend, password, App};

fn matrix() -> Vec<(String, String, Vec<String>)> {
    include_str!("data/authorization.csv")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .map(|l| {
            let mut f = l.split(',');
            let (m, p, a) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
            (
                m.to_string(),
                p.to_string(),
                a.split(' ').map(str::to_string).collect(),
            )
        })
        .collect()
}

/// A request to `path` with every parameter filled in.
fn fill(path: &str, pending: i64, scan: &str) -> String {
    let id = if path.contains("/pending/") {
        pending.to_string()
    } else {
        "1".to_string()
    };
    path.replace("{name}", "s")
        .replace("{id}", &id)
        .replace("{sha256}", scan)
        .replace("{audit}", "a1")
        .replace("{pvt}", "pvt")
        .replace("{gateway}", "tests-gw")
        .replace("{k}", "0")
        .replace("{round}", "1")
        .replace("{offset}", "0")
        // No one is disabled or reset here: the other roles' calls go on (404 is no refusal).
        .replace(
            "{user}",
            if path.ends_with("/disable") || path.ends_with("/reset") {
                "nobody"
            } else {
                "operator"
            },
        )
}

async fn every_route_answers_every_role_as_the_matrix_says(app: &App) {
    let m = matrix();
    let listed: BTreeSet<(String, String)> =
        m.iter().map(|(a, b, _)| (a.clone(), b.clone())).collect();
    let routes: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|r| (r.method.key().to_string(), r.path.to_string()))
        .collect();
    assert_eq!(listed, routes, "the matrix must list every route exactly");
    let mut tokens = Vec::new();
    for &role in Role::ALL {
        tokens.push((role, app.token(role).await));
    }
    let token = |r: Role| tokens.iter().find(|(x, _)| *x == r).unwrap().1.clone();
    // Something to verify and a scan to read.
    app.api(
        "POST",
        "/api/elections/s/assignments",
        &token(Role::Admin),
        json!({"user": "operator", "unit": 0}),
    )
    .await;
    let mut p = app.protocols[0].clone();
    p.votes[0] += 1;
    let entered = app
        .api(
            "POST",
            "/api/elections/s/protocols",
            &token(Role::Operator),
            json!({"station": p.station.0, "votes": p.votes}),
        )
        .await;
    assert_eq!(entered.status, StatusCode::CREATED, "{}", entered.text());
    let pending = entered.json()["id"].as_i64().unwrap();
    let scan = app
        .call(
            "PUT",
            "/api/scans",
            &[
                (
                    "authorization",
                    &format!("Bearer {}", token(Role::Operator)),
                ),
                ("content-type", "image/png"),
            ],
            crate::common::scan_file("scan.png"),
        )
        .await;
    assert_eq!(scan.status, StatusCode::CREATED, "{}", scan.text());
    let sha = scan.json()["scan"]
        .as_str()
        .unwrap()
        .trim_start_matches("sha256:")
        .to_string();

    let mut checked = 0;
    for (method, path, allowed) in &m {
        let route = ROUTES
            .iter()
            .find(|r| r.method.key() == method && r.path == path)
            .unwrap();
        let url = fill(path, pending, &sha);
        let form = !path.starts_with("/api/") && route.method != Method::Get;
        let (ctype, body) = if route.method == Method::Get {
            ("application/json", Vec::new())
        } else if form {
            ("application/x-www-form-urlencoded", Vec::new())
        } else {
            ("application/json", b"{}".to_vec())
        };
        let mut callers: Vec<(Option<Role>, Option<String>)> = vec![(None, None)];
        callers.extend(Role::ALL.iter().map(|r| (Some(*r), Some(token(*r)))));
        for (role, tok) in callers {
            let auth = tok.map(|t| format!("Bearer {t}"));
            let mut headers = vec![("content-type", ctype)];
            if let Some(a) = &auth {
                headers.push(("authorization", a.as_str()));
            }
            let a = app
                .call(&method.to_uppercase(), &url, &headers, body.clone())
                .await;
            let name = role.map_or("public", |r| r.key());
            let may = allowed.iter().any(|x| x == "public" || x == name);
            let refused = a.status == StatusCode::UNAUTHORIZED || a.status == StatusCode::FORBIDDEN;
            assert_eq!(
                !refused,
                may,
                "{method} {path} as {name}: {} {}",
                a.status,
                a.text()
            );
            if !may {
                // A gateway's route knows no login: unsigned, anyone is unauthenticated.
                let gateway = allowed.iter().any(|x| x == "gateway");
                let want = if role.is_none() || gateway {
                    StatusCode::UNAUTHORIZED
                } else {
                    StatusCode::FORBIDDEN
                };
                assert_eq!(a.status, want, "{method} {path} as {name}");
            }
            // A refused write answers the API's JSON error, or a page's error as a page.
            if route.method != Method::Get && role.is_none() && !may {
                if path.starts_with("/api/") {
                    assert!(a.json()["error"].is_string());
                } else {
                    assert!(a.text().contains("<h1>Please log in</h1>"), "{path}");
                }
            }
            checked += 1;
        }
    }
    // Every role, and the public.
    assert_eq!(checked, ROUTES.len() * (Role::ALL.len() + 1));
    // No write without a role: only the logins take a write from the public, and a witness's
    // cosignature, which proves itself (it is kept only if signed by a witness key the
    // service was started with, over a checkpoint the log signed).
    let public_writes: Vec<&str> = m
        .iter()
        .filter(|(meth, _, a)| meth != "get" && a.iter().any(|x| x == "public"))
        .map(|(_, p, _)| p.as_str())
        .collect();
    assert_eq!(
        public_writes,
        ["/api/elections/{name}/cosignatures", "/login", "/api/login"]
    );
}

async fn a_session_write_needs_its_csrf_token(app: &App) {
    let (cookie, csrf) = app.login(Role::Commissioner).await;
    let body = br#"{"kind":"annul-unit","unit":1,"reason":"test"}"#.to_vec();
    let json = ("content-type", "application/json");
    let path = "/api/elections/s/decisions";
    let none = app
        .call("POST", path, &[("cookie", &cookie), json], body.clone())
        .await;
    assert_eq!(none.status, StatusCode::FORBIDDEN, "{}", none.text());
    let wrong = app
        .call(
            "POST",
            path,
            &[("cookie", &cookie), ("x-csrf-token", "0000"), json],
            body.clone(),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let right = app
        .call(
            "POST",
            path,
            &[("cookie", &cookie), ("x-csrf-token", &csrf), json],
            body,
        )
        .await;
    assert_eq!(right.status, StatusCode::CREATED, "{}", right.text());
    // Forms carry it as a field.
    let fields = "kind=recount&unit=2&reason=r";
    let path = "/elections/s/staff/decisions";
    let missing = app.form(path, &cookie, fields.as_bytes().to_vec()).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    let with = format!("csrf={csrf}&{fields}");
    let ok = app.form(path, &cookie, with.into_bytes()).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
    // The desk page carries the token in its forms.
    let desk = app
        .call(
            "GET",
            "/elections/s/staff",
            &[("cookie", &cookie)],
            Vec::new(),
        )
        .await;
    assert!(desk
        .text()
        .contains(&format!("name=\"csrf\" value=\"{csrf}\"")));
    // After logout the cookie is the public's.
    let out = app
        .call(
            "POST",
            "/api/logout",
            &[("cookie", &cookie), ("x-csrf-token", &csrf)],
            Vec::new(),
        )
        .await;
    assert_eq!(out.status, StatusCode::OK);
    let after = app
        .call("GET", "/api/me", &[("cookie", &cookie)], Vec::new())
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
}

async fn oversized_bodies_are_refused(app: &App) {
    let op = app.token(Role::Operator).await;
    let auth = format!("Bearer {op}");
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
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.text());
    let scan = crate::common::padded_png;
    let headers = [
        ("authorization", auth.as_str()),
        ("content-type", "image/png"),
    ];
    let a = app
        .call("PUT", "/api/scans", &headers, scan(server::SCAN_LIMIT + 1))
        .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    let a = app.call("PUT", "/api/scans", &headers, scan(1 << 20)).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    // A form over the limit with a session is refused before its CSRF token is read.
    let (cookie, _) = app.login(Role::Operator).await;
    let a = app
        .call(
            "POST",
            "/elections/s/staff/protocols",
            &[
                ("cookie", &cookie),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            vec![b'a'; server::BODY_LIMIT + 1],
        )
        .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
}

async fn failed_logins_are_limited_and_bad_tokens_refused(app: &App) {
    let login =
        |pw: String| serde_json::to_vec(&json!({"name": "verifier", "password": pw})).unwrap();
    let json = [("content-type", "application/json")];
    for _ in 0..5 {
        let a = app
            .call("POST", "/api/login", &json, login("wrong password".into()))
            .await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    }
    let a = app
        .call("POST", "/api/login", &json, login(password(Role::Verifier)))
        .await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    // Another user is not locked out.
    app.login(Role::Operator).await;
    let a = app
        .call(
            "GET",
            "/api/me",
            &[("authorization", "Bearer 1234")],
            Vec::new(),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
}

on_every_backend!(
    every_route_answers_every_role_as_the_matrix_says,
    a_session_write_needs_its_csrf_token,
    oversized_bodies_are_refused,
    failed_logins_are_limited_and_bad_tokens_refused
);

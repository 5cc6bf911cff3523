//! Issue 13, finding 7: one admin created `mallory-op` and `mallory-ver` and entered and
//! verified a protocol alone, and look-alike user names were accepted. Through the service,
//! a role an admin grants holds only once a second admin approves it; unsafe and look-alike
//! names are refused.

use axum::http::StatusCode;
use record::Role;
use serde_json::json;

use crate::common::{clock, on_every_backend, App};

/// Logs `name` in: the session cookie and CSRF token, or the refusal's status.
async fn login(app: &App, name: &str, password: &str) -> Result<(String, String), StatusCode> {
    let body = json!({"name": name, "password": password});
    let a = app
        .call(
            "POST",
            "/api/login",
            &[("content-type", "application/json")],
            serde_json::to_vec(&body).unwrap(),
        )
        .await;
    if a.status != StatusCode::OK {
        return Err(a.status);
    }
    let cookie = a.headers["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    Ok((cookie, a.json()["csrf"].as_str().unwrap().to_string()))
}

async fn one_admin_cannot_make_an_operator_and_a_verifier_and_use_both(app: &App) {
    let admin = app.token(Role::Admin).await;
    for (name, role) in [("mallory-op", "operator"), ("mallory-ver", "verifier")] {
        let a = app
            .api(
                "POST",
                "/api/users",
                &admin,
                json!({"name": name, "role": role, "password": "password-mallory"}),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
        assert_eq!(a.json()["pending"], true);
        // Neither can log in, so neither can enter or verify.
        assert_eq!(
            login(app, name, "password-mallory").await.unwrap_err(),
            StatusCode::UNAUTHORIZED
        );
    }
    // The admin who granted the role cannot approve it.
    let own = app
        .api("POST", "/api/users/mallory-op/approve", &admin, json!({}))
        .await;
    assert_eq!(own.status, StatusCode::CONFLICT, "{}", own.text());
    assert!(own.text().contains("two-person rule"), "{}", own.text());
    assert!(login(app, "mallory-op", "password-mallory").await.is_err());
    let listed = app.api("GET", "/api/users", &admin, json!({})).await.json();
    let pending: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["pending"] == true)
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(pending, ["mallory-op", "mallory-ver"]);

    // A second admin (made on the console) approves one: that one may log in.
    let db = app.db.clone();
    tokio::task::spawn_blocking(move || {
        server::add_user(&db, "asel", Role::Admin, "password-asel", clock()).unwrap()
    })
    .await
    .unwrap();
    let (cookie, csrf) = login(app, "asel", "password-asel").await.unwrap();
    let ok = app
        .call(
            "POST",
            "/api/users/mallory-op/approve",
            &[
                ("cookie", &cookie),
                ("x-csrf-token", &csrf),
                ("content-type", "application/json"),
            ],
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    assert!(login(app, "mallory-op", "password-mallory").await.is_ok());
    assert!(login(app, "mallory-ver", "password-mallory").await.is_err());
}

async fn unsafe_and_look_alike_user_names_are_refused(app: &App) {
    let admin = app.token(Role::Admin).await;
    let before = app.api("GET", "/api/users", &admin, json!({})).await.json();
    for name in [
        "operator ",
        "\u{43e}perator",
        "Operator",
        "op\u{200B}erator",
        "\u{202E}rotarepo",
        "oper\nator",
        "oper\0ator",
        "«verifier»",
    ] {
        let a = app
            .api(
                "POST",
                "/api/users",
                &admin,
                json!({"name": name, "role": "verifier", "password": "password-x"}),
            )
            .await;
        assert_eq!(a.status, StatusCode::CONFLICT, "{name:?}: {}", a.text());
        assert!(a.json()["error"].is_string());
    }
    let after = app.api("GET", "/api/users", &admin, json!({})).await.json();
    assert_eq!(before, after);
}

/// A commissioner's role applied to every election: now only where it is granted, and an
/// admin's grant waits for a second admin.
async fn a_role_applies_only_in_the_elections_granted(app: &App) {
    let p = synth::Params {
        stations: 10,
        parties: 3,
        regions: 1,
        stations_per_district: 5,
        seed: 9,
    };
    app.with_store(move |s| crate::common::import(s, &p, "t"))
        .await;
    let (admin, com) = (
        app.token(Role::Admin).await,
        app.token(Role::Commissioner).await,
    );
    let decide = || async {
        app.api(
            "POST",
            "/api/elections/t/decisions",
            &com,
            json!({"kind": "recount", "unit": 1, "reason": "r"}),
        )
        .await
    };
    let refused = decide().await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text());
    assert!(
        refused.text().contains("holds no commissioner role"),
        "{}",
        refused.text()
    );
    let granted = app
        .api(
            "POST",
            "/api/elections/t/grants",
            &admin,
            json!({"user": "commissioner"}),
        )
        .await;
    assert_eq!(granted.status, StatusCode::CREATED, "{}", granted.text());
    assert_eq!(decide().await.status, StatusCode::CONFLICT);
    let users = app.api("GET", "/api/users", &admin, json!({})).await.json();
    let listed = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "commissioner")
        .unwrap();
    assert_eq!(
        listed["elections"],
        json!([{"election": "s", "pending": false}, {"election": "t", "pending": true}])
    );
    let own = app
        .api("POST", "/api/users/commissioner/approve", &admin, json!({}))
        .await;
    assert_eq!(own.status, StatusCode::CONFLICT, "{}", own.text());
    let db = app.db.clone();
    tokio::task::spawn_blocking(move || {
        server::add_user(&db, "asel", Role::Admin, "password-asel", clock()).unwrap()
    })
    .await
    .unwrap();
    let (cookie, csrf) = login(app, "asel", "password-asel").await.unwrap();
    let ok = app
        .call(
            "POST",
            "/api/users/commissioner/approve",
            &[
                ("cookie", &cookie),
                ("x-csrf-token", &csrf),
                ("content-type", "application/json"),
            ],
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    let done = decide().await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.text());
}

on_every_backend!(
    one_admin_cannot_make_an_operator_and_a_verifier_and_use_both,
    unsafe_and_look_alike_user_names_are_refused,
    a_role_applies_only_in_the_elections_granted
);

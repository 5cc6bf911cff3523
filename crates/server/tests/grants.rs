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
    login_with(app, json!({"name": name, "password": password})).await
}

/// Logs in with a one-time password, replacing it with `own`.
async fn login_choosing(
    app: &App,
    name: &str,
    one_time: &str,
    own: &str,
) -> Result<(String, String), StatusCode> {
    login_with(
        app,
        json!({"name": name, "password": one_time, "new_password": own}),
    )
    .await
}

async fn login_with(app: &App, body: serde_json::Value) -> Result<(String, String), StatusCode> {
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
    // An admin chooses no user's password.
    let chosen = app
        .api(
            "POST",
            "/api/users",
            &admin,
            json!({"name": "mallory-x", "role": "operator", "password": "password-mallory"}),
        )
        .await;
    assert!(chosen.status.is_client_error(), "{}", chosen.text());
    let mut first = Vec::new();
    for (name, role) in [("mallory-op", "operator"), ("mallory-ver", "verifier")] {
        let a = app
            .api(
                "POST",
                "/api/users",
                &admin,
                json!({"name": name, "role": role}),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
        assert_eq!(a.json()["pending"], true);
        let half = a.json()["first_half"].as_str().unwrap().to_string();
        // Neither can log in, so neither can enter or verify.
        assert_eq!(
            login(app, name, &half).await.unwrap_err(),
            StatusCode::UNAUTHORIZED
        );
        first.push(half);
    }
    // The admin who granted the role cannot approve it.
    let own = app
        .api("POST", "/api/users/mallory-op/approve", &admin, json!({}))
        .await;
    assert_eq!(own.status, StatusCode::CONFLICT, "{}", own.text());
    assert!(own.text().contains("two-person rule"), "{}", own.text());
    assert!(login(app, "mallory-op", &first[0]).await.is_err());
    let listed = app.api("GET", "/api/users", &admin, json!({})).await.json();
    let pending: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["pending"] == true)
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(pending, ["mallory-op", "mallory-ver"]);

    // A second admin (made on the console) approves one, getting the second half of its
    // one-time password: that one may log in, with both halves, choosing their own.
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
    let second = ok.json()["second_half"].as_str().unwrap().to_string();
    let both = format!("{}-{second}", first[0]);
    // Neither half alone opens it; both do, and only to choose a password of their own.
    for half in [&first[0], &second] {
        assert_eq!(
            login_choosing(app, "mallory-op", half, "mallory-op-own")
                .await
                .unwrap_err(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        login(app, "mallory-op", &both).await.unwrap_err(),
        StatusCode::FORBIDDEN
    );
    assert!(login_choosing(app, "mallory-op", &both, "mallory-op-own")
        .await
        .is_ok());
    assert!(login(app, "mallory-ver", &first[1]).await.is_err());
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
                json!({"name": name, "role": "verifier"}),
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
    // An admin grants roles only in an election where they are one: the console makes them
    // one in the new election first.
    let grant = || {
        app.api(
            "POST",
            "/api/elections/t/grants",
            &admin,
            json!({"user": "commissioner"}),
        )
    };
    let outside = grant().await;
    assert_eq!(outside.status, StatusCode::CONFLICT, "{}", outside.text());
    assert!(outside.text().contains("no admin in the election 't'"));
    app.with_store(|s| store::Staffing::grant(s, "admin", "t", None, clock()).unwrap())
        .await;
    let granted = grant().await;
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

/// A second admin's approval of `nurlan` through the desk's form.
async fn approve(app: &App, cookie: &str, csrf: &str) -> crate::common::Answer {
    app.form(
        "/elections/s/staff/users/nurlan/approve",
        cookie,
        format!("csrf={csrf}").into_bytes(),
    )
    .await
}

/// The admin's desk (issue 17): an admin adds a user (the one-time password shown once, on
/// the page the form answers), a second admin approves and assigns them a unit chosen by
/// the unit search; an admin resets the password (the account waits again) and disables the
/// user, who can then no longer log in.
async fn the_admin_desk_adds_approves_assigns_resets_and_disables(app: &App) {
    let db = app.db.clone();
    tokio::task::spawn_blocking(move || {
        server::add_user(&db, "asel", Role::Admin, "password-asel", clock()).unwrap()
    })
    .await
    .unwrap();
    let (adil, adil_csrf) = app.login(Role::Admin).await;
    let (asel, asel_csrf) = login(app, "asel", "password-asel").await.unwrap();
    let password_in = |page: &str| -> String {
        let start = page.find("<code class=\"password\">").unwrap() + 23;
        page[start..].split('<').next().unwrap().to_string()
    };
    // Added on the desk: its password shown once; it cannot log in yet.
    let a = app
        .form(
            "/elections/s/staff/users",
            &adil,
            format!("csrf={adil_csrf}&name=nurlan&role=operator").into_bytes(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(
        a.headers["cache-control"], "no-store",
        "a password is never cached"
    );
    let first = password_in(&a.text());
    assert_eq!(first.len(), 14, "{first}");
    assert!(login(app, "nurlan", &first).await.is_err());
    let desk = app.page("/elections/s/staff", &asel).await;
    assert!(desk.contains("nurlan") && !desk.contains(&first), "{desk}");
    assert!(desk.contains("Added by admin"), "{desk}");
    // Not approved by the admin who added it; by the second, then assigned by search.
    assert_eq!(
        approve(app, &adil, &adil_csrf).await.status,
        StatusCode::CONFLICT
    );
    // The second admin's approval shows the second half, once.
    let a = approve(app, &asel, &asel_csrf).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.headers["cache-control"], "no-store");
    assert!(a.text().contains("Second half"), "{}", a.text());
    let both = format!("{first} {}", password_in(&a.text()));
    // The one-time password opens no session: the user chooses their own, after which it no
    // longer works (neither admin knew it whole; one half alone opens nothing, as the API's
    // test shows).
    assert_eq!(
        login(app, "nurlan", &both).await.unwrap_err(),
        StatusCode::FORBIDDEN
    );
    for (own, refused) in [
        ("short", StatusCode::BAD_REQUEST),
        (both.as_str(), StatusCode::BAD_REQUEST),
        ("nurlan-own-password", StatusCode::OK),
    ] {
        let got = login_choosing(app, "nurlan", &both, own).await;
        assert_eq!(got.err().unwrap_or(StatusCode::OK), refused, "{own}");
    }
    assert_eq!(
        login(app, "nurlan", &both).await.unwrap_err(),
        StatusCode::UNAUTHORIZED
    );
    assert!(login(app, "nurlan", "nurlan-own-password").await.is_ok());
    let id = app.first_region();
    let path = app.election.units.path(id);
    let name = app.election.units.get(id).name.to_string();
    let q = ui::urlencode(&name);
    let found = app.page(&format!("/elections/s/staff?q={q}"), &adil).await;
    assert!(found.contains(&format!("unit={}", id.0)), "{found}");
    let a = app
        .form(
            "/elections/s/staff/assignments",
            &adil,
            format!("csrf={adil_csrf}&user=nurlan&unit={}", id.0).into_bytes(),
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let desk = app.page("/elections/s/staff", &adil).await;
    assert!(
        desk.contains(&format!("Enters protocols in: {path}")),
        "{desk}"
    );
    // A reset: a new password, shown once; the account waits for the second admin again.
    let a = app
        .form(
            "/elections/s/staff/users/nurlan/reset",
            &adil,
            format!("csrf={adil_csrf}").into_bytes(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let second = password_in(&a.text());
    assert_ne!(first, second);
    assert!(login(app, "nurlan", "nurlan-own-password").await.is_err());
    let desk = app.page("/elections/s/staff", &asel).await;
    assert!(desk.contains("Password reset by admin"), "{desk}");
    let a = approve(app, &asel, &asel_csrf).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let second = format!("{second}-{}", password_in(&a.text()));
    // On the desk's login form: the one-time password answers the page on which the user
    // chooses their own, never cached; it logs them in.
    let form = |body: String| {
        app.call(
            "POST",
            "/login",
            &[("content-type", "application/x-www-form-urlencoded")],
            body.into_bytes(),
        )
    };
    let page = form(format!("name=nurlan&password={second}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert_eq!(page.headers["cache-control"], "no-store");
    assert!(page.headers.get("set-cookie").is_none());
    assert!(
        page.text().contains("Choose your password"),
        "{}",
        page.text()
    );
    let differ = form(format!(
        "name=nurlan&password={second}&new_password=nurlan-second-own&new_password_again=nurlan-second-typo"
    ))
    .await;
    assert_eq!(differ.status, StatusCode::BAD_REQUEST, "{}", differ.text());
    let chosen = form(format!(
        "name=nurlan&password={second}&new_password=nurlan-second-own&new_password_again=nurlan-second-own"
    ))
    .await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER, "{}", chosen.text());
    assert!(chosen.headers.get("set-cookie").is_some());
    let (session, _) = login(app, "nurlan", "nurlan-second-own").await.unwrap();
    // Disabled: the session ends, and no login works.
    let a = app
        .form(
            "/elections/s/staff/users/nurlan/disable",
            &asel,
            format!("csrf={asel_csrf}").into_bytes(),
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    assert_eq!(
        login(app, "nurlan", "nurlan-second-own").await.unwrap_err(),
        StatusCode::UNAUTHORIZED
    );
    let me = app
        .call(
            "GET",
            "/api/me",
            &[("cookie", session.as_str())],
            Vec::new(),
        )
        .await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED, "{}", me.text());
    let listed = app.page("/elections/s/staff", &adil).await;
    assert!(listed.contains("disabled"), "{listed}");
}

on_every_backend!(
    the_admin_desk_adds_approves_assigns_resets_and_disables,
    one_admin_cannot_make_an_operator_and_a_verifier_and_use_both,
    unsafe_and_look_alike_user_names_are_refused,
    a_role_applies_only_in_the_elections_granted
);

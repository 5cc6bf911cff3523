//! What the service says of each election beside its figures (issue 16, item 4): its title,
//! date, law and status in the list of elections and in its context, and the seats under its
//! own law, or why there are none.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::common::{on_every_backend, App, PARAMS};
use record::Role;
use store::Store;

/// The index of the last log entry of election `name` that starts with `prefix`.
async fn last_entry(app: &App, name: &'static str, prefix: &'static str) -> usize {
    let log = app.with_store(move |s| s.log(name).unwrap()).await;
    log.iter()
        .rposition(|b| b[1..].starts_with(prefix.as_bytes()))
        .unwrap()
}

/// The log's size of election `name`.
async fn size(app: &App, name: &'static str) -> usize {
    app.with_store(move |s| s.log(name).unwrap().len()).await
}

/// The latest staff time of election `name`'s log, as its replay says (Unix seconds).
async fn staff_time(app: &App, name: &'static str) -> (u64, String) {
    let log = app.with_store(move |s| s.log(name).unwrap()).await;
    let r = record::replay(
        log.iter()
            .enumerate()
            .map(|(i, b)| (i as u64, b.as_slice())),
    )
    .unwrap();
    let t = r.as_of.unwrap();
    (t.unix(), t.to_string())
}

fn listed<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not listed: {list}"))
}

async fn the_list_and_the_context_follow_the_log(app: &App) {
    let com = app.token(Role::Commissioner).await;
    let title = app.election.contests[0].name.clone();
    let n = size(app, "s").await;
    // The users made when the service was set up are the console's acts, with its clock.
    let (unix, utc) = staff_time(app, "s").await;
    let want = json!({
        "name": "s", "title": title, "date": "2030-10-06", "law": null,
        "status": {"key": "open", "index": null, "decision_text": null},
        "revote_of": null,
        "as_of": {"log_size": n, "time": unix, "utc": utc},
        "stations": 40, "protocol_versions": 40, "source": "synthetic",
    });
    assert_eq!(app.get("/api/elections").await.json(), json!([want]));
    let context = app.get("/api/elections/s/context").await.json();
    let mut alone = want.clone();
    for k in ["stations", "protocol_versions", "source"] {
        alone.as_object_mut().unwrap().remove(k);
    }
    assert_eq!(context, alone);
    // Each status with the log index of the entry that made it so.
    let steps: [(&str, Value, &str, &str); 3] = [
        (
            "publish",
            json!({"law": "kg2020"}),
            "preliminary",
            "{\"type\":\"publication\"",
        ),
        (
            "certify",
            json!({}),
            "certified",
            "{\"type\":\"publication\",\"stage\":\"final\",\"contest\":0",
        ),
        (
            "decisions",
            json!({"kind": "annul-election", "reason": "protests"}),
            "annulled",
            "{\"type\":\"decision\"",
        ),
    ];
    for (route, body, key, entry) in steps {
        let a = app
            .api("POST", &format!("/api/elections/s/{route}"), &com, body)
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{route}: {}", a.text());
        let index = last_entry(app, "s", entry).await;
        let status = &app.get("/api/elections/s/context").await.json()["status"];
        let text = (key == "annulled").then_some("protests");
        assert_eq!(
            status,
            &json!({"key": key, "index": index, "decision_text": text}),
            "{route}"
        );
        let listed_status = &app.get("/api/elections").await.json()[0]["status"];
        assert_eq!(listed_status, status, "{route}");
    }
    let context = app.get("/api/elections/s/context").await.json();
    assert_eq!(context["as_of"]["log_size"], size(app, "s").await);
    assert_eq!(context["as_of"]["time"], staff_time(app, "s").await.0);
}

async fn the_seats_follow_the_election_s_own_law_or_say_there_is_none(app: &App) {
    // "s" was imported without a law: no seats, and why (not an error).
    let why = "election 's' names no law preset (it was imported without --law), so it has no \
               seats to compute; ?law= applies one of: kg2010, kg2015, kg2020, kg2021";
    let none = app.get("/api/elections/s/seats").await;
    assert_eq!(none.status, StatusCode::OK);
    assert_eq!(none.json(), json!({"law": null, "seats": null, "why": why}));
    let page = app.get("/elections/s/seats").await;
    assert_eq!(page.status, StatusCode::OK);
    // The page says it in the reader's language, with the presets to apply anyway.
    let text = page.visible();
    assert!(
        text.contains("No law is recorded for this election"),
        "{text}"
    );
    assert!(
        page.text().contains("/elections/s/seats?law=kg2021"),
        "{text}"
    );
    let ru = app.get("/elections/s/seats?lang=ru").await.visible();
    assert!(ru.contains("не указан закон"), "{ru}");
    let counts = app.get("/api/elections/s/counts").await.json();
    assert_eq!(counts["law"], Value::Null);
    // ?law= applies a preset, checked.
    let asked = app.get("/api/elections/s/seats?law=kg2020").await.json();
    assert_eq!(
        (&asked["law"], &asked["seats"]),
        (&json!("kg2020"), &json!(120))
    );
    let unknown = app.get("/api/elections/s/seats?law=kg1999").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        unknown.json()["error"],
        "unknown law preset 'kg1999', expected one of: kg2010, kg2015, kg2020, kg2021"
    );
    // The same data imported under kg2020: its seats are kg2020's without asking.
    app.with_store(|s| crate::common::import_under(s, &PARAMS, "k", Some("kg2020")))
        .await;
    let own = app.get("/api/elections/k/seats").await.json();
    assert_eq!(own["law"], "kg2020");
    assert_eq!(own["parties"], asked["parties"]);
    let counts = app.get("/api/elections/k/counts").await.json();
    assert_eq!(counts["law"], "kg2020");
    let page = app.get("/elections/k/seats").await.visible();
    assert!(page.contains("Seats under the law preset kg2020"), "{page}");
    // The results' bars draw the law's threshold, on its base; an election without a law none.
    let results = app.get("/elections/k").await;
    assert!(
        results
            .visible()
            .contains("the law's threshold: 7.00% of voters who took part"),
        "{}",
        results.visible()
    );
    assert!(results.text().contains("class=\"thr\""));
    assert!(!app
        .get("/elections/s")
        .await
        .text()
        .contains("class=\"thr\""));
    let list = app.get("/api/elections").await.json();
    assert_eq!(listed(&list, "k")["law"], "kg2020");
    assert_eq!(listed(&list, "k")["date"], "2030-10-06");
    assert_eq!(listed(&list, "s")["law"], Value::Null);
}

async fn a_revote_says_what_it_votes_again(app: &App) {
    let com = app.token(Role::Commissioner).await;
    let region = app.first_region();
    // The re-vote is decided, then created.
    for (route, body) in [
        (
            "decisions",
            json!({"kind": "revote", "unit": region.0, "reason": "fraud"}),
        ),
        ("revotes", json!({"unit": region.0, "name": "s-again"})),
    ] {
        let a = app
            .api("POST", &format!("/api/elections/s/{route}"), &com, body)
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{route}: {}", a.text());
    }
    let path = app.election.units.path(region);
    let list = app.get("/api/elections").await.json();
    let child = listed(&list, "s-again");
    assert_eq!(
        child["revote_of"],
        json!({"election": "s", "unit": region.0, "path": path})
    );
    assert_eq!(child["title"], app.election.contests[0].name);
    assert_eq!(child["status"]["key"], "open");
    assert_eq!(listed(&list, "s")["revote_of"], Value::Null);
    let context = app.get("/api/elections/s-again/context").await.json();
    assert_eq!(context["revote_of"], child["revote_of"]);
}

on_every_backend!(
    the_list_and_the_context_follow_the_log,
    the_seats_follow_the_election_s_own_law_or_say_there_is_none,
    a_revote_says_what_it_votes_again,
);

//! An observer group's quick count through the service (issue 20): observers' reports by
//! JSON and CSV, checked and answered; two observers' conflicting reports both kept, shown
//! and resolved by a supervisor with a logged reason; quarantine and release; the public
//! reading the estimates and never an observer; every refusal changing nothing; and the log
//! replaying to the same quick count.

use axum::http::StatusCode;
use model::{Line, Protocol, UnitId, UnitLevel};
use pvt::allocation::Allocation;
use pvt::design::{self, Request, SizeBy};
use pvt::frame::Frame;
use pvt::select::Method;
use record::{encode, Entry, PvtStep, Role, StaffAct};
use serde_json::{json, Value};
use store::{Staffing, Store};

use crate::common::{clock, on_every_backend, App};

const SEED: &str = "dice 6 2 5 1 4 4 3 6 2 1 5 3";

/// Logs the frame and design of quick count "pvt" over election "s" (by region, 12 of its 40
/// stations, 50% reserves) as the console would; with `reveal`, its seed too.
async fn open(app: &App, reveal: bool) {
    app.with_store(move |st| {
        let loaded = st.load("s").unwrap();
        let frame = Frame::of(
            &loaded.election,
            0,
            &loaded.protocols,
            Some(UnitLevel::Region),
        )
        .unwrap();
        let d = design::make(
            &frame,
            &Request {
                size: SizeBy::Stations(12),
                method: Method::Random,
                allocation: Allocation::Stations,
                reserve_pct: 50,
                seed: SEED.into(),
            },
        )
        .unwrap();
        let listed: Vec<(UnitId, u64)> = frame
            .stations
            .iter()
            .map(|s| (s.unit, s.counts.registered))
            .collect();
        let steps = [
            PvtStep::Frame {
                pvt: "pvt".into(),
                stations: listed,
            },
            PvtStep::Design {
                pvt: "pvt".into(),
                contest: 0,
                level: Some(UnitLevel::Region),
                params: d.params(),
                frame: frame.digest(),
            },
        ];
        let entries: Vec<Vec<u8>> = steps.into_iter().map(|s| encode(&Entry::Pvt(s))).collect();
        let a = store::Act::of(StaffAct::QuickCount, &entries, clock());
        st.act("s", store::Actor::Console, a).unwrap();
        if reveal {
            let seed = [encode(&Entry::Pvt(PvtStep::Seed {
                pvt: "pvt".into(),
                seed: SEED.into(),
            }))];
            let a = store::Act::of(StaffAct::QuickCount, &seed, clock());
            st.act("s", store::Actor::Console, a).unwrap();
        }
    })
    .await;
    seen(app).await;
}

/// Waits until the service has read what the console logged (it reads the store again
/// within `readmodel::REFRESH`).
async fn seen(_app: &App) {
    tokio::time::sleep(readmodel::REFRESH + std::time::Duration::from_millis(50)).await;
}

/// The public's reading of the quick counts.
async fn public(app: &App) -> Value {
    let a = app.get("/api/elections/s/pvt").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    a.json()
}

async fn log_size(app: &App) -> usize {
    app.with_store(|st| st.log("s").unwrap().len()).await
}

/// A report's JSON: the station's official protocol, as an observer would copy it.
fn copy_of(p: &Protocol) -> Value {
    json!({"station": p.station.0, "votes": p.votes, "lines": {
        "registered": p.line(Line::Registered),
        "issued_total": p.issued(),
        "invalid": p.line(Line::Invalid),
    }})
}

async fn report(app: &App, token: &str, body: Value) -> crate::common::Answer {
    app.api("POST", "/api/elections/s/pvt/pvt/reports", token, body)
        .await
}

/// The drawn stations: (unit, region) of each, sampled first.
fn drawn(q: &Value) -> Vec<(u32, String)> {
    q["drawn"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let path = d["path"].as_str().unwrap();
            let region = path.split(" / ").next().unwrap().to_string();
            (d["station"].as_u64().unwrap() as u32, region)
        })
        .collect()
}

/// A second observer, "observer2", and both observers assigned the whole country.
async fn two_observers(app: &App) {
    // A second observer, and both observers assigned to the whole country.
    let db = app.db.clone();
    tokio::task::spawn_blocking(move || {
        server::add_user(
            &db,
            "observer2",
            Role::Observer,
            "password-observer2",
            clock(),
        )
        .unwrap();
    })
    .await
    .unwrap();
    let admin = app.token(Role::Admin).await;
    for user in ["observer", "observer2"] {
        let a = app
            .api(
                "POST",
                "/api/elections/s/assignments",
                &admin,
                json!({"user": user, "unit": 0}),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    }
}

async fn observers_report_and_a_supervisor_resolves_their_conflict(app: &App) {
    two_observers(app).await;
    let (one, two) = (
        app.token(Role::Observer).await,
        app.token_as("observer2", "password-observer2").await,
    );
    let supervisor = app.token(Role::Supervisor).await;
    open(app, true).await;
    let q = public(app).await["quick_counts"][0].clone();
    let stations = drawn(&q);
    assert_eq!(q["sample"], 12);
    let official = |u: u32| app.protocols.iter().find(|p| p.station.0 == u).unwrap();
    let (a, b) = (stations[0].0, stations[1].0);

    // One observer's report is recorded; the other's agreeing copy confirms it. The answer
    // says what was logged, never how other observers' copies stand.
    let r = report(app, &one, copy_of(official(a))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert!(r.json()["reports"][0]["logged_as"].is_u64(), "{}", r.text());
    let r = report(app, &two, copy_of(official(a))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    for hidden in ["standing", "observers", "confirmed", "recorded"] {
        assert!(!r.text().contains(hidden), "{}", r.text());
    }
    let standing = |u: u32| {
        let sup = supervisor.clone();
        async move {
            app.api(
                "GET",
                &format!("/api/elections/s/pvt/pvt/stations/{u}"),
                &sup,
                Value::Null,
            )
            .await
            .json()["standing"]
                .clone()
        }
    };
    assert_eq!(standing(a).await, "confirmed");

    // At the next station they differ by 500 votes: both kept, none counts.
    let r = report(app, &one, copy_of(official(b))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let first = r.json()["reports"][0]["logged_as"].as_u64().unwrap();
    let mut other = official(b).clone();
    other.votes.swap(0, 1);
    let r = report(app, &two, copy_of(&other)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(standing(b).await, "conflict");
    let p = public(app).await;
    let path_b = p["quick_counts"][0]["drawn"][1]["path"].clone();
    assert_eq!(p["quick_counts"][0]["conflicts"], json!([path_b]));
    assert_eq!(p["quick_counts"][0]["stations_counted"], 1);

    // The supervisor sees both reports with their observers, and every version.
    let h = app
        .api(
            "GET",
            &format!("/api/elections/s/pvt/pvt/stations/{b}"),
            &supervisor,
            Value::Null,
        )
        .await;
    assert_eq!(h.status, StatusCode::OK, "{}", h.text());
    let h = h.json();
    assert_eq!(h["standing"], "conflict");
    let observers: Vec<&str> = h["latest"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["observer"].as_str().unwrap())
        .collect();
    assert_eq!(observers, ["observer", "observer2"]);
    assert!(h["history"].as_array().unwrap().len() >= 2);
    // An observer may not read it.
    let denied = app
        .api(
            "GET",
            &format!("/api/elections/s/pvt/pvt/stations/{b}"),
            &one,
            Value::Null,
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    // Nor may another group's supervisor (their role in another election only).
    let db = app.db.clone();
    tokio::task::spawn_blocking(move || {
        let mut st = store::open(&db).unwrap();
        crate::common::import(&mut st, &crate::common::PARAMS, "t");
        let t = ["t".to_string()];
        server::add_user_in(
            &db,
            "sup-t",
            Role::Supervisor,
            "password-sup-t",
            Some(&t),
            clock(),
        )
        .unwrap();
    })
    .await
    .unwrap();
    let elsewhere = app.token_as("sup-t", "password-sup-t").await;
    let denied = app
        .api(
            "GET",
            &format!("/api/elections/s/pvt/pvt/stations/{b}"),
            &elsewhere,
            Value::Null,
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN, "{}", denied.text());
    assert!(!denied.text().contains("observer2"), "{}", denied.text());

    // A review without a reason, of a report that is no one's latest, changes nothing.
    let before = log_size(app).await;
    for (body, field) in [
        (
            json!({"station": b, "action": "choose", "report": first, "reason": " "}),
            "reason",
        ),
        (
            json!({"station": b, "action": "choose", "report": 3, "reason": "copied wrong"}),
            "report",
        ),
        (
            json!({"station": b, "action": "release", "reason": "x"}),
            "action",
        ),
        (
            json!({"station": b, "action": "approve", "reason": "x"}),
            "action",
        ),
    ] {
        let r = app
            .api(
                "POST",
                "/api/elections/s/pvt/pvt/reviews",
                &supervisor,
                body,
            )
            .await;
        assert!(r.status.is_client_error(), "{}", r.text());
        assert!(r.text().contains(field), "{}", r.text());
    }
    assert_eq!(log_size(app).await, before);

    // The supervisor chooses the first observer's copy, with a reason: it counts again, and
    // the station is listed as revised.
    let r = app
        .api(
            "POST",
            "/api/elections/s/pvt/pvt/reviews",
            &supervisor,
            json!({"station": b, "action": "choose", "report": first,
                   "reason": "the photograph of the posted protocol matches the first copy"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let p = public(app).await;
    assert_eq!(p["quick_counts"][0]["conflicts"], json!([]));
    assert_eq!(p["quick_counts"][0]["stations_counted"], 2);
    assert_eq!(p["quick_counts"][0]["revised"], json!([]));

    // Quarantine takes it out; release puts it back.
    for (action, counted) in [("quarantine", 1), ("release", 2)] {
        let r = app
            .api(
                "POST",
                "/api/elections/s/pvt/pvt/reviews",
                &supervisor,
                json!({"station": b, "action": action, "reason": "checking with the observer"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(
            public(app).await["quick_counts"][0]["stations_counted"],
            counted
        );
    }

    // The public reading names no observer.
    let text = app.get("/api/elections/s/pvt").await.text();
    for name in ["observer2", "\"observer\""] {
        assert!(!text.contains(name), "{name} in {text}");
    }

    // The log replays to what the service shows.
    let log = app.with_store(|st| st.log("s").unwrap()).await;
    let mut r = record::Replayer::start(0, &log[0]).unwrap();
    for (i, b) in log.iter().enumerate().skip(1) {
        r.push(i as u64, b).unwrap();
    }
    let q = r.finish().unwrap().quick_counts.remove(0);
    assert_eq!(q.reports(), 2);
    assert_eq!(q.station(UnitId(b)).unwrap().history.len(), 5);
}

async fn bad_reports_are_answered_and_change_nothing(app: &App) {
    let admin = app.token(Role::Admin).await;
    let observer = app.token(Role::Observer).await;
    // Before the seed there is no sample to report.
    open(app, false).await;
    let any = &app.protocols[0];
    let r = report(app, &observer, copy_of(any)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(
        r.text().contains("once its seed is revealed"),
        "{}",
        r.text()
    );
    let seed = [encode(&Entry::Pvt(PvtStep::Seed {
        pvt: "pvt".into(),
        seed: SEED.into(),
    }))];
    app.with_store(move |st| {
        let a = store::Act::of(StaffAct::QuickCount, &seed, clock());
        st.act("s", store::Actor::Console, a).unwrap();
    })
    .await;
    seen(app).await;
    let q = public(app).await["quick_counts"][0].clone();
    let stations = drawn(&q);
    let official = |u: u32| app.protocols.iter().find(|p| p.station.0 == u).unwrap();
    let (a, region_a) = stations[0].clone();
    let (c, _) = stations
        .iter()
        .find(|(_, r)| *r != region_a)
        .cloned()
        .unwrap();
    // The observer is assigned the first drawn station's region only.
    let region = app
        .election
        .units
        .iter()
        .find(|(_, u)| u.level == UnitLevel::Region && u.name == region_a)
        .map(|(id, _)| id)
        .unwrap();
    let r = app
        .api(
            "POST",
            "/api/elections/s/assignments",
            &admin,
            json!({"user": "observer", "unit": region.0}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let not_drawn = app
        .protocols
        .iter()
        .find(|p| !stations.iter().any(|(u, _)| *u == p.station.0))
        .unwrap();
    let before = log_size(app).await;
    let mut above = official(a).clone();
    above.votes[0] = above.line(Line::Registered).unwrap() * 2;
    let mut overissued = official(a).clone();
    overissued.set_line(Line::Invalid, overissued.issued().unwrap());
    let cases: Vec<(Value, StatusCode, &str)> = vec![
        (
            json!({"station": 99999, "votes": [1]}),
            StatusCode::BAD_REQUEST,
            "not a station",
        ),
        (
            copy_of(not_drawn),
            StatusCode::UNPROCESSABLE_ENTITY,
            "is not a station drawn",
        ),
        (
            copy_of(official(c)),
            StatusCode::FORBIDDEN,
            "not in the units assigned to you",
        ),
        (
            copy_of(&above),
            StatusCode::UNPROCESSABLE_ENTITY,
            "registered voters",
        ),
        (
            copy_of(&overissued),
            StatusCode::UNPROCESSABLE_ENTITY,
            "ballots issued",
        ),
        (
            json!({"station": a, "votes": [1, 2]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "choices",
        ),
        (
            json!({"station": a, "votes": [1], "lines": {"turnout": 3}}),
            StatusCode::BAD_REQUEST,
            "unknown line",
        ),
        // Votes far beyond the station, with no ballots issued to hold them to.
        (
            json!({"station": a, "votes": official(a).votes.iter().map(|_| 1000).collect::<Vec<u64>>()}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "missing: registered, issued_total, invalid",
        ),
    ];
    for (body, status, says) in cases {
        let r = report(app, &observer, body.clone()).await;
        assert_eq!(r.status, status, "{body}: {}", r.text());
        assert!(r.text().contains(says), "{body}: {}", r.text());
    }
    // A CSV file with a bad row is refused whole, naming the row and column.
    let header = {
        let choices: Vec<String> = app.election.contests[0]
            .choices
            .iter()
            .map(|c| c.name.clone())
            .collect();
        format!(
            "station,registered,issued_total,invalid,{}\n",
            choices.join(",")
        )
    };
    let row = |p: &Protocol, first: &str| {
        let votes: Vec<String> = p.votes.iter().map(u64::to_string).collect();
        format!(
            "{first},{},{},{},{}\n",
            p.line(Line::Registered).unwrap(),
            p.issued().map_or(String::new(), |n| n.to_string()),
            p.line(Line::Invalid)
                .map_or(String::new(), |n| n.to_string()),
            votes.join(",")
        )
    };
    let same_region: Vec<u32> = stations
        .iter()
        .filter(|(_, r)| *r == region_a)
        .map(|(u, _)| *u)
        .collect();
    let path = app.election.units.path(UnitId(same_region[1]));
    let good = format!(
        "{header}{}{}",
        row(official(same_region[0]), &same_region[0].to_string()),
        row(official(same_region[1]), &format!("\"{path}\""))
    );
    let bad = good.clone() + &row(official(same_region[0]), "12x");
    let csv = |body: String| {
        let auth = format!("Bearer {observer}");
        async move {
            app.call(
                "POST",
                "/api/elections/s/pvt/pvt/reports",
                &[("authorization", &auth), ("content-type", "text/csv")],
                body.into_bytes(),
            )
            .await
        }
    };
    let r = csv(bad).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert!(
        r.text().contains("line 4, column 1 ('station')"),
        "{}",
        r.text()
    );
    assert_eq!(log_size(app).await, before, "a refused report logs nothing");
    let r = csv(good).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let answer = r.json();
    let logged: Vec<u64> = answer["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["logged_as"].as_u64().unwrap())
        .collect();
    assert_eq!(logged, [before as u64 + 1, before as u64 + 2]);
    assert_eq!(log_size(app).await, before + 3, "one act, two reports");
}

/// A gateway's signed request with message `m`, `age` seconds old; answers status and body.
async fn sms(app: &App, m: &Value, age: i64, secret: &[u8]) -> crate::common::Answer {
    sms_on(&app.router, m, age, secret).await
}

/// A gateway's message to `router`, signed `age` seconds ago with `secret`.
async fn sms_on(
    router: &axum::Router,
    m: &Value,
    age: i64,
    secret: &[u8],
) -> crate::common::Answer {
    let body = serde_json::to_vec(m).unwrap();
    let time = (crate::common::clock_now() as i64 - age) as u64;
    let path = "/api/elections/s/pvt/pvt/sms/tests-gw";
    let sig = observe::gateway::Gateway::new("tests-gw", secret)
        .unwrap()
        .sign(time, path, &body);
    let t = time.to_string();
    App::call_on(
        router,
        "POST",
        path,
        &[
            ("content-type", "application/json"),
            (server::TIME_HEADER, &t),
            (server::SIGNATURE_HEADER, &sig),
        ],
        body,
    )
    .await
}

/// The reply an SMS got (it must be answered 200).
fn reply(a: &crate::common::Answer) -> String {
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    a.json()["reply"].as_str().unwrap_or("").to_string()
}

/// An observer's phone registered as the console registers it (`users phone`).
async fn register_phone(app: &App, user: &str, phone: &str) {
    let (user, phone) = (user.to_string(), phone.to_string());
    app.with_store(move |st| {
        let key = observe::phone::PhoneKey::new(crate::common::PHONE_KEY).unwrap();
        let dialling = crate::common::sms().dialling;
        let pseudonym = key.pseudonym(&observe::phone::Phone::read(&phone, &dialling).unwrap());
        let (u, _) = st.user_by_name(&user).unwrap().unwrap();
        st.set_phone(u.id, &pseudonym, None).unwrap();
    })
    .await;
}

async fn observers_report_by_sms_through_a_signed_gateway(app: &App) {
    two_observers(app).await;
    register_phone(app, "observer", "0555 123 456").await;
    // An admin registers the second observer's phone through the API; an operator has none.
    let admin = app.token(Role::Admin).await;
    let r = app
        .api(
            "POST",
            "/api/users/observer2/phone",
            &admin,
            json!({"phone": "+996 (0) 700 987 654"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(!r.text().contains("700"), "{}", r.text());
    let r = app
        .api(
            "POST",
            "/api/users/operator/phone",
            &admin,
            json!({"phone": "+996 700 111 222"}),
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.text());
    assert!(r.text().contains("only observers"), "{}", r.text());
    // A number registered to one observer never moves silently to another.
    let r = app
        .api(
            "POST",
            "/api/users/observer2/phone",
            &admin,
            json!({"phone": "0555 123 456"}),
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.text());
    assert!(
        r.text().contains("registered to another observer"),
        "{}",
        r.text()
    );
    open(app, true).await;
    let q = public(app).await["quick_counts"][0].clone();
    let first = &q["drawn"][0];
    let (unit, number) = (
        first["station"].as_u64().unwrap() as u32,
        first["sms_number"].as_str().unwrap().to_string(),
    );
    let official = app.protocols.iter().find(|p| p.station.0 == unit).unwrap();
    let book = observe::codes::Codebook::default_for(official.votes.len());
    let text = |p: &Protocol| {
        let r = observe::sms::SmsReport {
            station: number.clone(),
            lines: vec![
                (Line::Registered, p.line(Line::Registered).unwrap()),
                (Line::IssuedTotal, p.issued().unwrap()),
                (Line::Invalid, p.line(Line::Invalid).unwrap()),
            ],
            votes: p.votes.clone(),
        };
        observe::sms::write(&r, &book)
    };
    let message = |id: &str, from: &str, text: &str| json!({"id": id, "from": from, "text": text});
    let before = log_size(app).await;

    // Unsigned, wrongly signed and stale requests are refused without a reply.
    let m = message("m1", "996555123456", &text(official));
    let unsigned = app
        .call(
            "POST",
            "/api/elections/s/pvt/pvt/sms/tests-gw",
            &[("content-type", "application/json")],
            serde_json::to_vec(&m).unwrap(),
        )
        .await;
    assert_eq!(unsigned.status, StatusCode::UNAUTHORIZED);
    let forged = sms(app, &m, 0, b"not the gateway's secret, 32 bytes").await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED, "{}", forged.text());
    // A request signed for this quick count, sent to another's address: refused.
    let body = serde_json::to_vec(&m).unwrap();
    let now = crate::common::clock_now();
    let gw = observe::gateway::Gateway::new("tests-gw", crate::common::GATEWAY_SECRET).unwrap();
    let sig = gw.sign(now, "/api/elections/s/pvt/pvt/sms/tests-gw", &body);
    let t = now.to_string();
    let moved = app
        .call(
            "POST",
            "/api/elections/s/pvt/other/sms/tests-gw",
            &[
                ("content-type", "application/json"),
                (server::TIME_HEADER, &t),
                (server::SIGNATURE_HEADER, &sig),
            ],
            body,
        )
        .await;
    assert_eq!(moved.status, StatusCode::UNAUTHORIZED, "{}", moved.text());
    let stale = sms(app, &m, 3600, crate::common::GATEWAY_SECRET).await;
    assert_eq!(stale.status, StatusCode::UNAUTHORIZED, "{}", stale.text());
    // A stranger's message, a malformed one, a station not drawn: a reply, nothing logged.
    let stranger = sms(
        app,
        &message("m0", "+996 555 000 000", &text(official)),
        0,
        crate::common::GATEWAY_SECRET,
    )
    .await;
    assert!(
        reply(&stranger).contains("not registered"),
        "{}",
        stranger.text()
    );
    let malformed = sms(
        app,
        &message("m2", "0555123456", "PVT"),
        0,
        crate::common::GATEWAY_SECRET,
    )
    .await;
    assert!(
        reply(&malformed).starts_with("Not recorded"),
        "{}",
        malformed.text()
    );
    let elsewhere = text(official).replacen(&format!("PVT {number} "), "PVT 99999 ", 1);
    let r = sms(
        app,
        &message("m3", "0555123456", &elsewhere),
        0,
        crate::common::GATEWAY_SECRET,
    )
    .await;
    assert!(
        reply(&r).contains("99999 is not in the sample"),
        "{}",
        r.text()
    );
    assert_eq!(
        log_size(app).await,
        before,
        "a refused message logs nothing"
    );

    // The observer's report is recorded, and its reply repeats it as read.
    let r = sms(app, &m, 0, crate::common::GATEWAY_SECRET).await;
    let said = reply(&r);
    assert!(
        said.starts_with(&format!("PVT {number} recorded: E")),
        "{said}"
    );
    assert_eq!(log_size(app).await, before + 2);
    // The same message id again is refused (409) and changes nothing.
    let again = sms(app, &m, 0, crate::common::GATEWAY_SECRET).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text());
    assert_eq!(log_size(app).await, before + 2);
    // A restarted service has forgotten the ids it took: a request signed before it started
    // is refused (401) and changes nothing, so a request caught on the way cannot be sent
    // again across a restart; its gateway signs it again.
    let restarted = app
        .router_with(server::Extras {
            sms: Some(crate::common::sms()),
            ..Default::default()
        })
        .await;
    let caught = sms_on(&restarted, &m, 5, crate::common::GATEWAY_SECRET).await;
    App::drop_router(restarted).await;
    assert_eq!(caught.status, StatusCode::UNAUTHORIZED, "{}", caught.text());
    assert!(
        caught.text().contains("before the service started"),
        "{}",
        caught.text()
    );
    assert_eq!(log_size(app).await, before + 2);

    // The second observer's Cyrillic copy, in two parts that arrive out of order, confirms
    // it, and is answered in Russian.
    let cyrillic = text(official)
        .replace("PVT", "ПВТ")
        .replace('A', "А")
        .replace('E', "Е")
        .replace('B', "В")
        .replace('X', "Х");
    let cut = cyrillic
        .char_indices()
        .nth(cyrillic.chars().count() / 2)
        .unwrap()
        .0;
    let (head, tail) = cyrillic.split_at(cut);
    let part = |id: &str, k: u32, t: &str| json!({"id": id, "from": "+996700987654", "text": t, "reference": 7, "part": k, "parts": 2});
    let r = sms(app, &part("c2", 2, tail), 0, crate::common::GATEWAY_SECRET).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.json()["reply"].is_null(), "{}", r.text());
    let r = sms(app, &part("c1", 1, head), 0, crate::common::GATEWAY_SECRET).await;
    let said = reply(&r);
    assert!(said.starts_with(&format!("ПВТ {number} принято")), "{said}");
    // Nothing about the other observer's copy.
    assert!(!said.contains("совпадают"), "{said}");
    let p = public(app).await;
    assert_eq!(p["quick_counts"][0]["stations_counted"], 1);

    // No phone number in the log, the public reading or (SQLite) the store's file.
    let log = app.with_store(|st| st.log("s").unwrap()).await;
    let everything = [
        log.concat(),
        app.get("/api/elections/s/pvt").await.body,
        std::fs::read(&app.db).unwrap_or_default(),
        std::fs::read(format!("{}-wal", app.db)).unwrap_or_default(),
    ]
    .concat();
    for digits in ["555123456", "700987654"] {
        let found = everything
            .windows(digits.len())
            .any(|w| w == digits.as_bytes());
        assert!(!found, "{digits} is stored or shown");
    }
}

/// A desk form's body: `fields` and the session's CSRF token.
fn fields(csrf: &str, fields: &[(String, String)]) -> Vec<u8> {
    let mut all: Vec<(String, String)> = fields.to_vec();
    all.push(("csrf".into(), csrf.to_string()));
    serde_urlencoded::to_string(all).unwrap().into_bytes()
}

/// The address a desk form's answer leads to (303).
fn led_to(a: &crate::common::Answer) -> String {
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    a.headers["location"].to_str().unwrap().to_string()
}

async fn observers_and_a_supervisor_work_at_the_desk(app: &App) {
    two_observers(app).await;
    // Before a quick count, the observer's desk is a commission's: the complaint form.
    let (one, one_csrf) = app.login(Role::Observer).await;
    let page = app.page("/elections/s/staff", &one).await;
    assert!(page.contains("File a complaint"), "{page}");
    open(app, true).await;
    let q = public(app).await["quick_counts"][0].clone();
    let b = q["drawn"][1]["station"].as_u64().unwrap() as u32;
    let official = app.protocols.iter().find(|p| p.station.0 == b).unwrap();

    // An observer's desk: their drawn stations, each with its SMS number, and the form.
    let page = app.page("/elections/s/staff", &one).await;
    assert!(page.contains("id=\"pvt-stations\""), "{page}");
    assert!(page.contains("id=\"report\""), "{page}");
    assert!(!page.contains("File a complaint"), "{page}");
    let form = |p: &Protocol| {
        let mut f = vec![
            ("station".to_string(), p.station.0.to_string()),
            (
                "registered".into(),
                p.line(Line::Registered).unwrap().to_string(),
            ),
            ("issued_total".into(), p.issued().unwrap().to_string()),
            ("invalid".into(), p.line(Line::Invalid).unwrap().to_string()),
        ];
        for (i, v) in p.votes.iter().enumerate() {
            f.push((format!("vote_{i}"), v.to_string()));
        }
        f
    };
    let a = app
        .form(
            "/elections/s/staff/pvt/pvt/reports",
            &one,
            fields(&one_csrf, &form(official)),
        )
        .await;
    let to = led_to(&a);
    assert!(to.contains("done=reported"), "{to}");
    let page = app.page(&to, &one).await;
    assert!(page.contains("The report is log entry"), "{page}");
    // A form over the station's registered voters is refused, and says why.
    let mut above = official.clone();
    above.votes[0] = above.line(Line::Registered).unwrap() * 3;
    let before = log_size(app).await;
    let a = app
        .form(
            "/elections/s/staff/pvt/pvt/reports",
            &one,
            fields(&one_csrf, &form(&above)),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text());
    assert!(a.text().contains("registered voters"), "{}", a.text());
    assert_eq!(log_size(app).await, before);

    // The second observer's copy differs: the supervisor's desk lists the station with
    // both copies, by observer.
    let (two, two_csrf) = app.login_as("observer2", "password-observer2").await;
    let mut other = official.clone();
    other.votes.swap(0, 1);
    let a = app
        .form(
            "/elections/s/staff/pvt/pvt/reports",
            &two,
            fields(&two_csrf, &form(&other)),
        )
        .await;
    led_to(&a);
    let (sup, sup_csrf) = app.login(Role::Supervisor).await;
    let page = app.page("/elections/s/staff", &sup).await;
    let path = app.election.units.path(UnitId(b));
    assert!(page.contains(&*html_escape::encode_text(&path)), "{page}");
    assert!(page.contains(">observer<br>"), "{page}");
    assert!(page.contains(">observer2<br>"), "{page}");
    let h = app
        .api(
            "GET",
            &format!("/api/elections/s/pvt/pvt/stations/{b}"),
            &app.token(Role::Supervisor).await,
            Value::Null,
        )
        .await
        .json();
    assert_eq!(h["latest"][0]["observer"], "observer");
    let chosen = h["latest"][0]["entry"].as_u64().unwrap();
    // A choice without a reason is refused; with one it is logged and the station counts.
    let choose = |reason: &str| {
        fields(
            &sup_csrf,
            &[
                ("station".into(), b.to_string()),
                ("action".into(), "choose".to_string()),
                ("report".into(), chosen.to_string()),
                ("reason".into(), reason.to_string()),
            ],
        )
    };
    let a = app
        .form("/elections/s/staff/pvt/pvt/reviews", &sup, choose(""))
        .await;
    assert!(a.status.is_client_error(), "{}", a.text());
    let a = app
        .form(
            "/elections/s/staff/pvt/pvt/reviews",
            &sup,
            choose("matches the photograph"),
        )
        .await;
    let to = led_to(&a);
    assert!(to.contains("done=supervised"), "{to}");
    let page = app.page(&to, &sup).await;
    assert!(page.contains("The review is log entry"), "{page}");
    assert!(page.contains("id=\"pvt-counted\""), "{page}");
    assert_eq!(public(app).await["quick_counts"][0]["conflicts"], json!([]));
    incidents_at_the_desk(app, (&one, &one_csrf), (&sup, &sup_csrf), b).await;
}

/// An observer reports an incident from the desk's form with two photos (one with a GPS
/// position); a refused form stores none of them; the supervisor's desk lists the report and
/// its status form confirms it.
async fn incidents_at_the_desk(app: &App, one: (&str, &str), sup: (&str, &str), station: u32) {
    let page = app
        .page(&format!("/elections/s/staff?unit={station}"), one.0)
        .await;
    assert!(page.contains("id=\"incident-category\""), "{page}");
    assert!(page.contains("type=\"datetime-local\""), "{page}");
    let when = crate::incidents::an_hour_ago().replacen(' ', "T", 1);
    let station = station.to_string();
    let gps = crate::incidents::photo_with_gps();
    let png = crate::common::scan_file("scan.png");
    let post = |text: &'static str, category: &'static str| {
        let (station, when) = (station.clone(), when.clone());
        let (gps, png) = (gps.clone(), png.clone());
        async move {
            app.multipart(
                "/elections/s/staff/incidents",
                one.0,
                &[
                    ("csrf", one.1),
                    ("unit", &station),
                    ("category", category),
                    ("time", &when),
                    ("coarsen", "yes"),
                    ("text", text),
                ],
                &[
                    ("photos", "a.jpg", "image/jpeg", &gps),
                    ("photos", "b.png", "image/png", &png),
                ],
            )
            .await
        }
    };
    // The photos as the store keeps them (without their metadata), by their addresses.
    let kept: Vec<store::FileRef> = [&gps, &png]
        .iter()
        .map(|b| store::FileRef::of(&store::without_metadata(b).unwrap()))
        .collect();
    let uploads = || {
        let kept = kept.clone();
        async move {
            app.with_store(move |st| {
                use store::Staffing;
                kept.iter()
                    .filter(|f| st.scan(f).unwrap().is_some())
                    .count()
            })
            .await
        }
    };
    let (before, stored) = (log_size(app).await, uploads().await);
    assert_eq!(stored, 0);
    for (text, category, says) in [
        ("", "vote-buying", "text"),
        ("money at the door", "rumour", "expected one of"),
    ] {
        let a = post(text, category).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text());
        assert!(a.text().contains(says), "{}", a.text());
        assert_eq!(log_size(app).await, before);
        assert_eq!(uploads().await, stored, "a refused form keeps no photo");
    }
    let a = post("money at the door", "vote-buying").await;
    let to = led_to(&a);
    assert!(to.contains("done=incident"), "{to}");
    assert!(app
        .page(&to, one.0)
        .await
        .contains("The incident report is log entry"));
    let listed = app.get("/api/elections/s/incidents").await.json();
    let x = &listed["incidents"][0];
    assert_eq!(x["coarsened"], true);
    assert_eq!(x["photos"].as_array().unwrap().len(), 2);
    let served = app.get(x["photos"][0].as_str().unwrap()).await;
    assert!(!served.body.windows(3).any(|w| w == b"GPS"));
    let entry = x["entry"].as_u64().unwrap();

    // The supervisor's desk lists it unchecked, and its form confirms it.
    let page = app.page("/elections/s/staff", sup.0).await;
    assert!(page.contains(&format!("id=\"incident-{entry}\"")), "{page}");
    assert!(page.contains("money at the door"), "{page}");
    let status = |reason: &str| {
        fields(
            sup.1,
            &[
                ("status".into(), "confirmed".into()),
                ("reason".into(), reason.into()),
            ],
        )
    };
    let path = format!("/elections/s/staff/incidents/{entry}/status");
    let a = app.form(&path, sup.0, status("")).await;
    assert!(a.status.is_client_error(), "{}", a.text());
    let a = app
        .form(&path, sup.0, status("seen by two observers"))
        .await;
    let to = led_to(&a);
    assert!(to.contains("done=incident-status"), "{to}");
    let page = app.page(&to, sup.0).await;
    assert!(
        !page.contains(&format!("id=\"incident-{entry}\"")),
        "{page}"
    );
    let listed = app.get("/api/elections/s/incidents").await.json();
    assert_eq!(listed["incidents"][0]["status"], "confirmed");
}

/// Revision 10: an observer sends what a posted protocol's QR code holds, by the API and from
/// the phone's scan page (the desk's form); the log keeps the code with the figures; a code
/// of a station not drawn, a code with broken check digits and a code beside typed figures
/// are refused and change nothing; only an observer's scan page offers the form.
async fn observers_report_what_a_posted_code_holds(app: &App) {
    two_observers(app).await;
    open(app, true).await;
    let q = public(app).await["quick_counts"][0].clone();
    let stations = drawn(&q);
    let drawn_ids: Vec<u32> = stations.iter().map(|(id, _)| *id).collect();
    let official = |id: u32| app.protocols.iter().find(|p| p.station.0 == id).unwrap();
    let code = |p: &Protocol| {
        postedqr::Posted::of(p, "s", "2030-10-06 20:15", [0xB3; 16])
            .encode()
            .unwrap()
    };
    let token = app.token(Role::Observer).await;
    let before = log_size(app).await;
    let undrawn = app
        .protocols
        .iter()
        .find(|p| !drawn_ids.contains(&p.station.0))
        .unwrap();
    let good = code(official(stations[0].0));
    let mut broken = good.clone();
    broken.replace_range(broken.len() - 8.., "00000000");
    for (body, status) in [
        (
            json!({"code": code(undrawn)}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (json!({"code": broken}), StatusCode::BAD_REQUEST),
        (
            json!({"code": good, "station": stations[0].0, "votes": [1, 2, 3, 4]}),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let a = report(app, &token, body).await;
        assert_eq!(a.status, status, "{}", a.text());
    }
    assert_eq!(log_size(app).await, before);
    // As a reader or a paste may give it, with blanks around it: logged without them.
    let a = report(app, &token, json!({"code": format!(" {good}\n")})).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let log = app.with_store(|st| st.log("s").unwrap()).await;
    let last = String::from_utf8_lossy(log.last().unwrap()).to_string();
    assert!(last.contains(&format!(",\"code\":\"{good}\"}}")), "{last}");
    // The scan page: the public's has no form; an observer's sends the code through the desk.
    let public_page = app.get("/scan").await.text();
    assert!(!public_page.contains("scan-report"), "{public_page}");
    let (cookie, csrf) = app.login(Role::Observer).await;
    let page = app.page("/scan", &cookie).await;
    assert!(
        page.contains("action=\"/elections/s/staff/pvt/pvt/reports\"")
            && page.contains(&format!("value=\"{csrf}\"")),
        "{page}"
    );
    let second = code(official(stations[1].0));
    let body = format!(
        "csrf={csrf}&code={}",
        second.replace('/', "%2F").replace(' ', "+")
    );
    let a = app
        .form(
            "/elections/s/staff/pvt/pvt/reports",
            &cookie,
            body.into_bytes(),
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let log = app.with_store(|st| st.log("s").unwrap()).await;
    let r = record::replay(
        log.iter()
            .enumerate()
            .map(|(i, b)| (i as u64, b.as_slice())),
    )
    .unwrap();
    assert_eq!(r.quick_counts[0].reports_logged, 2);
}

on_every_backend!(
    observers_report_what_a_posted_code_holds,
    observers_and_a_supervisor_work_at_the_desk,
    observers_report_and_a_supervisor_resolves_their_conflict,
    bad_reports_are_answered_and_change_nothing,
    observers_report_by_sms_through_a_signed_gateway
);

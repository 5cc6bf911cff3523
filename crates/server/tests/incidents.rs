//! Incident reports through the service (issue 20): an observer's report with a photo whose
//! camera wrote its GPS position, coarsened to the district and the hour; what the log, the
//! public JSON, the CSV export and the served photo then hold (never the reporter, the exact
//! place or the photo's metadata); a supervisor's status with its reason; filters; and bad
//! reports refused with nothing logged.

use axum::http::StatusCode;
use model::UnitLevel;
use record::Role;
use serde_json::{json, Value};

use store::Store;

use crate::common::{on_every_backend, App};

/// A real JPEG (CPython's test image, `crates/store/test_data/README.md`) with the Exif block
/// a phone's camera writes: a GPS position, the camera, the time.
pub fn photo_with_gps() -> Vec<u8> {
    let jpeg: &[u8] = include_bytes!("../../store/test_data/python.jpg");
    let mut exif = b"Exif\0\0II*\0\x08\0\0\0".to_vec();
    exif.extend([1, 0, 0x25, 0x88, 4, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0, 0, 0, 0]);
    exif.extend(b"GPS 42.8746N 74.5698E Canon EOS 2020:10:04 21:13:05");
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((exif.len() + 2) as u16).to_be_bytes());
    out.extend(&exif);
    out.extend(&jpeg[2..]);
    out
}

async fn log_size(app: &App) -> usize {
    app.with_store(|st| st.log("s").unwrap().len()).await
}

/// A minute an hour before now, UTC, as a report gives it.
pub fn an_hour_ago() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let t = record::Time::from_unix(now - 3600).unwrap().to_string();
    t[..16].to_string()
}

async fn an_incident_is_reported_coarsened_and_confirmed(app: &App) {
    let observer = app.token(Role::Observer).await;
    let operator = app.token(Role::Operator).await;
    let supervisor = app.token(Role::Supervisor).await;
    let e = &app.election;
    let (station, _) = e
        .units
        .iter()
        .find(|(_, u)| u.level == UnitLevel::Station)
        .unwrap();
    let district = e.units.get(station).parent.unwrap();

    // The photo loses its metadata when the observer uploads it.
    let photo = app.uploaded(&observer, &photo_with_gps()).await;
    let operators = app
        .uploaded(&operator, &crate::common::scan_file("scan.png"))
        .await;
    let pdf = app
        .uploaded(&observer, &crate::common::scan_file("scan.pdf"))
        .await;
    let when = an_hour_ago();
    let body = |extra: Value| {
        let mut b = json!({"category": "vote-buying", "unit": station.0, "time": when,
                           "coarsen": true, "text": "=HYPERLINK(\"x\") money for votes at the door",
                           "photos": [photo]});
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let before = log_size(app).await;
    for (extra, status, says) in [
        (
            json!({"category": "rumour"}),
            StatusCode::BAD_REQUEST,
            "expected one of",
        ),
        (
            json!({"unit": 0}),
            StatusCode::BAD_REQUEST,
            "below the country",
        ),
        (
            json!({"unit": 99999}),
            StatusCode::BAD_REQUEST,
            "no unit 99999",
        ),
        (
            json!({"time": "2099-01-01 10:00"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "later than now",
        ),
        (
            json!({"time": "2020-10-04 25:00"}),
            StatusCode::BAD_REQUEST,
            "to the minute",
        ),
        (json!({"text": " "}), StatusCode::BAD_REQUEST, "text"),
        (
            json!({"photos": [operators]}),
            StatusCode::CONFLICT,
            "its own uploads",
        ),
        (
            json!({"photos": [pdf]}),
            StatusCode::BAD_REQUEST,
            "is not a stored JPEG or PNG photo",
        ),
        (
            json!({"photos": ["sha256:0000000000000000000000000000000000000000000000000000000000000000"]}),
            StatusCode::BAD_REQUEST,
            "is not a stored JPEG or PNG photo",
        ),
    ] {
        let r = app
            .api(
                "POST",
                "/api/elections/s/incidents",
                &observer,
                body(extra.clone()),
            )
            .await;
        assert_eq!(r.status, status, "{extra}: {}", r.text());
        assert!(r.text().contains(says), "{extra}: {}", r.text());
    }
    assert_eq!(log_size(app).await, before, "a refused report logs nothing");
    let r = app
        .api(
            "POST",
            "/api/elections/s/incidents",
            &observer,
            body(json!({})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let said = r.json();
    assert_eq!(said["unit"], district.0);
    assert_eq!(said["time"], when[..13]);
    assert_eq!(said["coarsened"], true);
    let id = said["logged_as"].as_u64().unwrap();

    // The log holds the district, the hour and commitments: not the station, not the minute.
    let log = app.with_store(|st| st.log("s").unwrap()).await;
    let entry = String::from_utf8(log[id as usize][1..].to_vec()).unwrap();
    assert!(
        entry.contains(&format!("\"unit\":{}", district.0)),
        "{entry}"
    );
    assert!(!entry.contains(&when), "{entry}");
    assert!(!entry.contains("money"), "{entry}");

    // A supervisor confirms it; the same status again is refused.
    let path = format!("/api/elections/s/incidents/{id}/status");
    let status = |s: &'static str, reason: &'static str| {
        let (path, supervisor) = (path.clone(), supervisor.clone());
        async move {
            app.api(
                "POST",
                &path,
                &supervisor,
                json!({"status": s, "reason": reason}),
            )
            .await
        }
    };
    let r = status("confirmed", "two observers' photographs agree").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = status("confirmed", "again").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let r = status("approved", "x").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    let r = app
        .api(
            "POST",
            &format!("/api/elections/s/incidents/{id}/status"),
            &observer,
            json!({"status": "rejected", "reason": "mine"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The public reads it: the district and the hour, the text, the photo, the status and
    // its reason; never the reporter.
    let list = app.get("/api/elections/s/incidents").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text());
    let text = list.text();
    assert!(!text.contains("\"observer\""), "{text}");
    let l = list.json();
    assert_eq!(l["passing"], 1);
    let x = &l["incidents"][0];
    assert_eq!(x["path"], e.units.path(district));
    assert_eq!(x["status"], "confirmed");
    assert_eq!(
        x["statuses"][0]["reason"],
        "two observers' photographs agree"
    );
    assert_eq!(
        x["region"],
        e.units.path(e.units.get(district).parent.unwrap())
    );
    let url = x["photos"][0].as_str().unwrap().to_string();
    let served = app.get(&url).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.headers["content-type"], "image/jpeg");
    assert_eq!(served.headers["x-content-type-options"], "nosniff");
    assert!(
        !served.body.windows(4).any(|w| w == b"Exif"),
        "an Exif block is served"
    );
    assert!(
        !served.body.windows(3).any(|w| w == b"GPS"),
        "a GPS position is served"
    );
    // Filters, and the CSV export with the form's fields (the text safe for a spreadsheet).
    for (q, n) in [
        ("?status=confirmed", 1),
        ("?status=rejected", 0),
        ("?category=vote-buying", 1),
        ("?category=other", 0),
        ("?from=2099-01-01", 0),
    ] {
        let l = app
            .get(&format!("/api/elections/s/incidents{q}"))
            .await
            .json();
        assert_eq!(l["passing"], n, "{q}");
    }
    let bad = app.get("/api/elections/s/incidents?from=yesterday").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let csv = app.get("/api/elections/s/incidents.csv").await.text();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "entry,category,region,place,time,coarsened,status,text,photos"
    );
    let row = lines.next().unwrap();
    assert!(row.contains(",confirmed,\"'=HYPERLINK"), "{row}");
    assert!(!csv.contains("observer,"), "{csv}");
}

/// A deployment's own categories (`serve --incident-categories`): reports take those and no
/// other, and the page and form name them in the reader's language.
async fn a_deployment_offers_its_own_categories(app: &App) {
    let list =
        formats::categories::read("categories.toml", include_str!("data/categories.toml")).unwrap();
    let extras = server::Extras {
        categories: server::Categories::Own(list),
        ..Default::default()
    };
    let own = app.router_with(extras).await;
    let observer = app.token(Role::Observer).await;
    let station = app
        .election
        .units
        .iter()
        .find(|(_, u)| u.level == UnitLevel::Station)
        .unwrap()
        .0;
    let report = |category: &str| {
        let body = json!({"category": category, "unit": station.0, "time": an_hour_ago(),
                          "text": "a bus at the door"});
        let auth = format!("Bearer {observer}");
        let body = serde_json::to_vec(&body).unwrap();
        let own = own.clone();
        async move {
            App::call_on(
                &own,
                "POST",
                "/api/elections/s/incidents",
                &[
                    ("authorization", &auth),
                    ("content-type", "application/json"),
                ],
                body,
            )
            .await
        }
    };
    let a = report("vote-buying").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text());
    assert!(
        a.text()
            .contains("expected one of: queue-jumping, busing-of-voters"),
        "{}",
        a.text()
    );
    let a = report("busing-of-voters").await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    for (lang, says) in [
        ("en", "Voters brought in by bus"),
        ("ru", "Подвоз избирателей"),
        ("ky", "<span lang=\"ru\" class=\"fb\">Подвоз избирателей"),
    ] {
        let page = App::call_on(
            &own,
            "GET",
            &format!("/elections/s/incidents?lang={lang}"),
            &[],
            Vec::new(),
        )
        .await
        .text();
        assert!(page.contains(says), "{lang}: {page}");
        assert!(
            page.contains("Кезексиз киргизүү") == (lang == "ky"),
            "{lang}"
        );
    }
    App::drop_router(own).await;
}

on_every_backend!(
    an_incident_is_reported_coarsened_and_confirmed,
    a_deployment_offers_its_own_categories
);

/// Issue 20's budget: with 10,000 incidents in the log, a page of the map and timeline is at
/// most 100 KB, and (in an optimised build, as served) computed in at most 100 ms.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_incidents_make_a_small_fast_page() {
    let app = App::blocking(|| Some(App::sqlite())).await.unwrap();
    let e = app.election.clone();
    app.with_store(move |st| {
        let stations: Vec<model::UnitId> = e
            .units
            .iter()
            .filter(|(_, u)| u.level == UnitLevel::Station)
            .map(|(id, _)| id)
            .collect();
        let categories = record::DEFAULT_CATEGORIES;
        let mut salt = 0u64;
        let mut next = move || {
            salt += 1;
            let mut s = [0u8; 32];
            s[..8].copy_from_slice(&salt.to_le_bytes());
            s
        };
        st.batch(|st| {
            for k in 0..10_000usize {
                let text = format!("report {k}: a bus brought voters from another district");
                let time = format!("2020-10-0{} {:02}:{:02}", 4 + k % 2, k % 24, k % 60);
                let given = record::NewIncident {
                    category: categories[k % categories.len()],
                    unit: stations[k % stations.len()],
                    time: &time,
                    coarsen: k % 3 == 0,
                    text: &text,
                    photos: &[],
                };
                let (step, rows) = record::incident_report(&e, &given, &mut next).unwrap();
                let entries = [record::encode(&record::Entry::Incident(step))];
                let act = store::Act {
                    content: &rows,
                    ..store::Act::of(record::StaffAct::Incident, &entries, crate::common::clock())
                };
                store::Staffing::act(st, "s", store::Actor::Console, act).unwrap();
            }
            true
        })
        .unwrap();
    })
    .await;
    // The service reads what the store took outside it within `readmodel::REFRESH`: wait
    // until it has, then time the page's first computation at that size.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let seen = app.get("/api/elections/s/incidents").await.json()["incidents_in_log"].clone();
        if seen == 10_000 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the service shows {seen} incidents"
        );
        tokio::time::sleep(readmodel::REFRESH).await;
    }
    let start = std::time::Instant::now();
    let page = app.get("/elections/s/incidents?lang=ru").await;
    let took = start.elapsed();
    assert_eq!(page.status, StatusCode::OK);
    let size = page.body.len();
    assert!(size <= 100 * 1024, "{size} bytes");
    let text = page.text();
    let all = ui::Lang::Ru.count(10_000);
    assert!(text.contains(&all), "the coverage counts every report");
    eprintln!("incidents page: {size} bytes, computed in {took:?}");
    if !cfg!(debug_assertions) {
        assert!(took.as_millis() <= 100, "{took:?}");
    }
    App::drop_blocking(Some(app)).await;
}

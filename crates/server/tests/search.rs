//! The unit search over the API (`GET /api/elections/{name}/units`): the cases of
//! `data/search.tsv` on the Kyrgyz 2020 file, what each unit found says, annulled stations,
//! and the refusals of a bad page, level or query.

use axum::http::StatusCode;
use model::UnitLevel;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use record::Role;
use serde_json::{json, Value};
use store::Store;

use crate::common::{on_every_backend, App};

/// The Kyrgyz 2020 file by region, imported into the app's store as election `kg`: its
/// protocols, in file order.
async fn import_kyrgyz(app: &App) -> Vec<model::Protocol> {
    app.with_store(|store| {
        let file = "stations_by_region_2413.csv";
        let bytes = std::fs::read(format!(
            "{}/../../data/kg2020/{file}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let mut sink = formats::Collect(Vec::new());
        let options = formats::ImportOptions::named("kg");
        let imported =
            formats::import(formats::Format::Kg2020, file, &bytes, &options, &mut sink).unwrap();
        let mut tx = store.import().unwrap();
        tx.begin(&imported.election, file).unwrap();
        for p in &sink.0 {
            tx.protocol(&imported.election, p).unwrap();
        }
        tx.units(&imported.election).unwrap();
        tx.commit(&imported.election).unwrap();
        sink.0
    })
    .await
}

/// The search's answer to `q`, `level` and `page` (absent if empty).
async fn search(app: &App, name: &str, q: &str, level: &str, page: &str) -> (StatusCode, Value) {
    let mut url = format!(
        "/api/elections/{name}/units?q={}",
        utf8_percent_encode(q, NON_ALPHANUMERIC)
    );
    for (key, value) in [("level", level), ("page", page)] {
        if !value.is_empty() {
            url.push_str(&format!(
                "&{key}={}",
                utf8_percent_encode(value, NON_ALPHANUMERIC)
            ));
        }
    }
    let a = app.get(&url).await;
    (a.status, a.json())
}

/// The ids of a case's last column: numbers and ranges `a-b`.
fn ids(column: &str) -> Vec<u64> {
    column
        .split_whitespace()
        .flat_map(|x| match x.split_once('-') {
            Some((a, b)) => (a.parse().unwrap()..=b.parse().unwrap()).collect::<Vec<u64>>(),
            None => vec![x.parse().unwrap()],
        })
        .collect()
}

async fn the_cases_of_the_table_find_what_it_says(app: &App) {
    import_kyrgyz(app).await;
    let mut checked = 0;
    for (n, line) in include_str!("data/search.tsv").lines().enumerate() {
        if line.is_empty() || line == "#" || line.starts_with("# ") {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let at = format!("search.tsv line {}: {line:?}", n + 1);
        let level = if f[1] == "-" { "" } else { f[1] };
        let (status, got) = search(app, "kg", f[0], level, f[2]).await;
        assert_eq!(status, StatusCode::OK, "{at}: {got}");
        assert_eq!(got["total"], json!(f[3].parse::<u64>().unwrap()), "{at}");
        let found: Vec<u64> = got["units"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_u64().unwrap())
            .collect();
        assert_eq!(found, ids(f.get(4).unwrap_or(&"")), "{at}");
        assert_eq!(got["page"], json!(f[2].parse::<u64>().unwrap()), "{at}");
        assert_eq!(got["per_page"], json!(100), "{at}");
        assert_eq!(got["query"], json!(f[0].trim()), "{at}");
        checked += 1;
    }
    assert_eq!(checked, 31);
}

async fn each_unit_found_says_where_it_is_and_what_it_counts(app: &App) {
    let protocols = import_kyrgyz(app).await;
    let (_, got) = search(app, "kg", "1001", "", "").await;
    // Row 1001 of the file is station 1001 in Naryn.
    let votes: u64 = protocols[1000].votes.iter().sum();
    assert_eq!(
        got,
        json!({
            "query": "1001", "level": null, "total": 1, "page": 1, "per_page": 100,
            "log_size": got["log_size"],
            "units": [{
                "id": 1006, "name": "1001", "level": "station",
                "path": [{"id": 970, "name": "НАРЫНСКАЯ ОБЛАСТЬ"}, {"id": 1006, "name": "1001"}],
                "stations": 1, "reporting": 1, "annulled": 0, "votes": votes,
            }],
        })
    );
    let naryn: u64 = protocols[965..1130].iter().flat_map(|p| &p.votes).sum();
    let (_, got) = search(app, "kg", "нарын", "region", "").await;
    assert_eq!(got["level"], json!("region"));
    assert_eq!(
        got["units"][0],
        json!({
            "id": 970, "name": "НАРЫНСКАЯ ОБЛАСТЬ", "level": "region",
            "path": [{"id": 970, "name": "НАРЫНСКАЯ ОБЛАСТЬ"}],
            "stations": 165, "reporting": 165, "annulled": 0, "votes": naryn,
        })
    );
}

async fn an_annulled_station_is_found_and_counts_nothing(app: &App) {
    let station = app
        .election
        .units
        .iter()
        .find(|(_, u)| u.level == UnitLevel::Station)
        .unwrap();
    let (id, name) = (station.0, station.1.name.to_string());
    let region = app
        .election
        .units
        .ancestor_at(id, UnitLevel::Region)
        .unwrap();
    let com = app.token(Role::Commissioner).await;
    let decided = app
        .api(
            "POST",
            "/api/elections/s/decisions",
            &com,
            json!({"kind": "annul-unit", "unit": id.0, "reason": "ballot stuffing on video"}),
        )
        .await;
    assert_eq!(decided.status, StatusCode::CREATED, "{}", decided.text());
    let (_, got) = search(app, "s", &name, "station", "").await;
    let unit = &got["units"][0];
    assert_eq!(unit["id"], json!(id.0));
    assert_eq!(
        [
            &unit["stations"],
            &unit["reporting"],
            &unit["annulled"],
            &unit["votes"]
        ],
        [&json!(0), &json!(0), &json!(1), &json!(0)]
    );
    let region_name = app.election.units.get(region).name;
    let (_, got) = search(app, "s", region_name, "region", "").await;
    let in_region = app
        .election
        .units
        .iter()
        .filter(|&(s, u)| u.level == UnitLevel::Station && app.election.units.is_within(s, region))
        .count() as u64;
    assert_eq!(
        [&got["units"][0]["stations"], &got["units"][0]["annulled"]],
        [&json!(in_region - 1), &json!(1)]
    );
}

async fn a_bad_page_level_or_query_is_refused_naming_the_field(app: &App) {
    let long = "я".repeat(501);
    for (q, level, page, error) in [
        ("", "", "0", "field 'page': '0' is not a page number (1, 2, 3, ...)"),
        ("", "", "-1", "field 'page': '-1' is not a page number (1, 2, 3, ...)"),
        ("", "", "+2", "field 'page': '+2' is not a page number (1, 2, 3, ...)"),
        ("", "", "two", "field 'page': 'two' is not a page number (1, 2, 3, ...)"),
        (
            "",
            "",
            "18446744073709551616",
            "field 'page': '18446744073709551616' is not a page number (1, 2, 3, ...)",
        ),
        (
            "",
            "city",
            "",
            "field 'level': unknown unit level 'city', expected one of: country, region, constituency, district, station",
        ),
        (
            long.as_str(),
            "",
            "",
            "field 'q': a search is at most 1000 bytes long; this one is 1002",
        ),
    ] {
        let (status, got) = search(app, "s", q, level, page).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q} {level} {page}");
        assert_eq!(got, json!({"error": error}));
    }
    // The largest page is no error: past the end, empty, with the total.
    let (status, got) = search(app, "s", "", "", "18446744073709551615").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (&got["total"], &got["units"]),
        (&json!(app.election.units.len()), &json!([]))
    );
    let (status, got) = search(app, "nope", "", "", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(got, json!({"error": "no election named 'nope'"}));
}

on_every_backend!(
    the_cases_of_the_table_find_what_it_says,
    each_unit_found_says_where_it_is_and_what_it_counts,
    an_annulled_station_is_found_and_counts_nothing,
    a_bad_page_level_or_query_is_refused_naming_the_field,
);

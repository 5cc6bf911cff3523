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
    let file = format!(
        "{}/../../data/kg2020/stations_by_region_2413.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    import_file(app, formats::Format::Kg2020, file, "kg").await
}

/// A results file imported into the app's store as election `name`: its protocols.
async fn import_file(
    app: &App,
    format: formats::Format,
    file: String,
    name: &'static str,
) -> Vec<model::Protocol> {
    app.with_store(move |store| {
        let bytes = std::fs::read(&file).unwrap();
        let mut sink = formats::Collect(Vec::new());
        let options = formats::ImportOptions::named(name);
        let imported = formats::import(format, &file, &bytes, &options, &mut sink).unwrap();
        let mut tx = store.import().unwrap();
        tx.begin(&imported.election, &file).unwrap();
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
    assert_eq!(checked, 33);
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

/// The search's page at `query` (a query string), as text, with its status.
async fn page(app: &App, query: &str) -> (StatusCode, String) {
    let a = app.get(&format!("/elections/kg/units?{query}")).await;
    (a.status, a.text())
}

async fn the_page_finds_pages_and_keeps_the_search_in_its_links(app: &App) {
    import_kyrgyz(app).await;
    let (status, html) = page(app, "level=station&page=2&lang=en").await;
    assert_eq!(status, StatusCode::OK);
    for want in [
        r#"<form method="get" action="/elections/kg/units" role="search">"#,
        r#"<label for="q">Name, number or path</label>"#,
        r#"<input id="q" type="search" name="q" value="" aria-describedby="q-hint" autocomplete="off">"#,
        r#"<option value="station" selected>Polling station</option>"#,
        "<p>101–200 of 2,413 units</p>",
        // Rows 101 to 200 of the file: Bishkek's stations, ids 102 to 201.
        r#"<a href="/elections/kg/units/102">БИШКЕК Г. / 101</a>"#,
        r#"<a href="/elections/kg/units/201">БИШКЕК Г. / 200</a>"#,
        r#"<a href="/elections/kg/units?q=&amp;level=station" rel="prev">"#,
        r#"<a href="/elections/kg/units?q=&amp;level=station&amp;page=3" rel="next">"#,
        "Page 2 of 25",
        r#"href="/api/elections/kg/units?q=&amp;level=station&amp;page=2""#,
    ] {
        assert!(html.contains(want), "{want} not in the page:\n{html}");
    }
    assert_eq!(html.matches("<tr>").count(), 101);
    assert!(!html.contains(r#"href="/elections/kg/units/101""#));
    // The last page has no next link; a page past the end says the total and leads back.
    let (_, html) = page(app, "level=station&page=25&lang=en").await;
    assert!(html.contains("2,401–2,413 of 2,413 units") && !html.contains(r#"rel="next""#));
    let (status, html) = page(app, "level=station&page=26&lang=en").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Page 26 is past the end: 2,413 units found."));
    assert!(html.contains(r#"<a href="/elections/kg/units?q=&amp;level=station">First page</a>"#));
    let (status, html) = page(app, "page=18446744073709551615&lang=en").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Page 18,446,744,073,709,551,615 is past the end: 2,424 units found."));
    // In Russian, a number typed as the reader would.
    let (_, html) = page(app, "q=%E2%84%96%201001&lang=ru").await;
    assert!(html.contains(r#"<html lang="ru">"#));
    assert!(html.contains("<p>1–1 из 1</p>"));
    assert!(html.contains(r#"<a href="/elections/kg/units/1006">НАРЫНСКАЯ ОБЛАСТЬ / 1001</a>"#));
    assert!(html.contains(r#"value="№ 1001""#));
    // The country, the first unit of all, has no path below it: its link names its level.
    let (_, html) = page(app, "lang=en").await;
    assert!(html.contains(r#"<a href="/elections/kg/units/0">Country</a>"#));
    let (_, html) = page(app, "q=zzz&lang=en").await;
    assert!(html.contains("<p>No unit matches.</p>") && !html.contains("<table>"));
    // A bad page is an error page naming the field.
    let (status, html) = page(app, "page=0&lang=en").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        html.contains(
            r#"<span lang="en">field 'page': '0' is not a page number (1, 2, 3, ...)</span>"#
        ),
        "{html}"
    );
}

/// Every page of the search on the Russian Duma election of 2011 (95,225 stations) stays
/// under 100 KB (issue 16: "any page of the Russia 2011 election ≤ 100 KB"): the reference
/// data are beside the project (`scripts/test` sets `TALLYPROOF_RU_DATA`; CI must have them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_search_page_of_russia_2011_is_at_most_100_kb() {
    let Some(dir) = std::env::var_os("TALLYPROOF_RU_DATA") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "TALLYPROOF_RU_DATA is not set under CI=true (the reference data are beside the project)"
        );
        eprintln!(
            "TALLYPROOF_RU_DATA is not set: the search pages of Russia 2011 were not measured"
        );
        return;
    };
    let app = App::blocking(|| Some(App::sqlite())).await.unwrap();
    let file = std::path::Path::new(&dir).join("2011.csv.zip");
    let protocols = import_file(&app, formats::Format::Ru, file.display().to_string(), "ru").await;
    assert_eq!(protocols.len(), 95_225);
    let mut largest = (0, String::new());
    for query in [
        "level=station",
        "level=station&page=500",
        "level=station&page=953",
        "q=1",
        "q=1&page=20",
        "q=%D0%BC%D0%BE%D1%81%D0%BA%D0%B2%D0%B0%20%2F",
        "level=district",
        "",
    ] {
        for lang in ["en", "ru", "ky"] {
            let a = app
                .get(&format!("/elections/ru/units?{query}&lang={lang}"))
                .await;
            assert_eq!(a.status, StatusCode::OK, "{query}");
            assert!(a.text().contains("<tbody>"), "{query}: no units");
            if a.body.len() > largest.0 {
                largest = (a.body.len(), format!("{query}&lang={lang}"));
            }
        }
    }
    eprintln!("the largest search page of Russia 2011: {largest:?}");
    assert!(largest.0 <= 100 * 1024, "{largest:?}");
    App::drop_blocking(Some(app)).await;
}

on_every_backend!(
    the_cases_of_the_table_find_what_it_says,
    each_unit_found_says_where_it_is_and_what_it_counts,
    an_annulled_station_is_found_and_counts_nothing,
    a_bad_page_level_or_query_is_refused_naming_the_field,
    the_page_finds_pages_and_keeps_the_search_in_its_links,
);

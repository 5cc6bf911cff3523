//! "Check this station" (issue 15, item 5), the service's side: a station page states the
//! log key, the checkpoint and its current protocol entry's bytes, index and inclusion proof,
//! exactly as the log and the API say, and runs only the site's own static script; the
//! consistency route links two sizes of the log; the static files are the ones whose SHA-256
//! the repository lists. The browser's side is `crates/cli/tests/browser.rs`.

use axum::http::StatusCode;
use store::Store;
use translog::checkpoint::Checkpoint;
use translog::note::NoteSigner;
use translog::{leaf_hash, verify_consistency, verify_inclusion, Hash, Tree};

use crate::common::{on_every_backend, App, LOG_SEED};

on_every_backend!(
    a_station_page_gives_its_check_what_the_log_says,
    the_consistency_route_links_two_sizes_of_the_log,
);

/// The station page's policy with the check (`server::headers::CHECK_POLICY`).
const CHECK_POLICY: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; \
     img-src 'self' data:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'";
const SCRIPT: &str = "<script type=\"module\" src=\"/static/check.js\"></script>";

/// The value of the attribute `name` of the page's check section.
fn attribute<'a>(page: &'a str, name: &str) -> &'a str {
    let section = &page[page
        .find("<section id=\"check\"")
        .expect("no check section")..];
    let at = section.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
    &section[at..at + section[at..].find('"').unwrap()]
}

async fn a_station_page_gives_its_check_what_the_log_says(app: &App) {
    let station = app.protocols[0].station.0;
    let page = app.get(&format!("/elections/s/units/{station}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers["content-security-policy"], CHECK_POLICY);
    let html = page.text();
    assert_eq!(html.matches("<script").count(), 1, "one script only");
    assert_eq!(html.matches(SCRIPT).count(), 1);
    // The key as the service states it, and its fingerprint.
    let key = NoteSigner::from_seed("tests.local", LOG_SEED)
        .unwrap()
        .verifier();
    assert!(html.contains(&format!("<code id=\"check-key\">{}</code>", key.text())));
    assert!(html.contains(&format!(", fingerprint <code>{}</code>", key.fingerprint())));
    // The checkpoint as the log serves it.
    let note = app.get("/elections/s/log/checkpoint").await.text();
    assert!(html.contains(&format!(
        "<pre id=\"checkpoint-note\">{}</pre>",
        html_escape::encode_text(&note)
    )));
    let (checkpoint, _) = Checkpoint::open(&note, &key).unwrap();
    // The station's current protocol entry: as the API lists it, as the store holds it.
    let unit = app
        .get(&format!("/api/elections/s/units/{station}"))
        .await
        .json();
    let logged = unit["logged"].as_array().unwrap();
    let current = logged
        .iter()
        .rfind(|l| {
            l["entry"]
                .as_str()
                .unwrap()
                .starts_with("protocol, contest 0")
        })
        .unwrap();
    let index = current["index"].as_u64().unwrap();
    assert_eq!(attribute(&html, "data-index"), index.to_string());
    assert_eq!(attribute(&html, "data-station"), station.to_string());
    let entry = hex::decode(attribute(&html, "data-entry")).unwrap();
    let name = "s".to_string();
    let stored = app
        .with_store(move |s| s.log_range(&name, index, index + 1).unwrap())
        .await;
    assert_eq!(entry, stored[0]);
    let leaf = leaf_hash(&entry);
    assert_eq!(leaf.hex(), current["leaf_hash"].as_str().unwrap());
    let proof: Vec<Hash> = attribute(&html, "data-proof")
        .split(',')
        .map(|h| Hash::from_hex(h).unwrap())
        .collect();
    let api: Vec<&str> = current["inclusion_proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    assert_eq!(attribute(&html, "data-proof"), api.join(","));
    verify_inclusion(index, checkpoint.size, &leaf, &proof, &checkpoint.root).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&entry[1..]).unwrap();
    assert_eq!(
        (entry[0], &json["type"]),
        (1, &serde_json::json!("protocol"))
    );
    assert_eq!(json["station"], station);
    assert_eq!(
        attribute(&html, "data-consistency"),
        "/api/elections/s/consistency"
    );
    // A region's page has no check and runs no script.
    let region = app
        .get(&format!("/elections/s/units/{}", app.first_region().0))
        .await;
    let csp = region.headers["content-security-policy"].to_str().unwrap();
    assert!(!csp.contains("script-src"), "{csp}");
    assert!(!region.text().contains("<script"));
    // The script and what it imports are served as scripts, byte for byte.
    let sums = std::fs::read_to_string(static_dir().join("SHA256SUMS")).unwrap();
    let scripts: Vec<&str> = sums
        .lines()
        .filter_map(|l| l.split_once("  ").map(|(_, p)| p))
        .filter(|p| p.ends_with(".js"))
        .collect();
    assert_eq!(scripts.len(), 12);
    for path in scripts {
        let got = app.get(&format!("/static/{path}")).await;
        assert_eq!(got.status, StatusCode::OK, "{path}");
        assert_eq!(
            got.headers["content-type"],
            "text/javascript; charset=utf-8"
        );
        assert_eq!(got.headers["cache-control"], "public, max-age=86400");
        assert_eq!(got.body, std::fs::read(static_dir().join(path)).unwrap());
    }
    for missing in ["nope.js", "vendor/noble-hashes/LICENSE", "../Cargo.toml"] {
        let got = app.get(&format!("/static/{missing}")).await;
        assert_eq!(got.status, StatusCode::NOT_FOUND, "{missing}");
    }
}

async fn the_consistency_route_links_two_sizes_of_the_log(app: &App) {
    let name = "s".to_string();
    let entries = app
        .with_store(move |s| s.log_range(&name, 0, u64::MAX).unwrap())
        .await;
    let tree = Tree::from_entries(&entries);
    let n = tree.size();
    assert!(n > 10, "{n}");
    for m in [1, 2, 7, n / 2, n - 1, n] {
        let got = app
            .get(&format!("/api/elections/s/consistency?from={m}&to={n}"))
            .await;
        assert_eq!(got.status, StatusCode::OK, "{}", got.text());
        let v = got.json();
        assert_eq!((v["from"].as_u64(), v["to"].as_u64()), (Some(m), Some(n)));
        let proof: Vec<Hash> = v["proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| Hash::from_hex(h.as_str().unwrap()).unwrap())
            .collect();
        let (a, b) = (tree.root_at(m).unwrap(), tree.root_at(n).unwrap());
        verify_consistency(m, n, &a, &b, &proof).unwrap();
    }
    for (query, field) in [
        (format!("from=0&to={n}"), "from: "),
        ("from=3&to=2".to_string(), "from: "),
        (format!("from=1&to={}", n + 1), "to: "),
    ] {
        let got = app
            .get(&format!("/api/elections/s/consistency?{query}"))
            .await;
        assert_eq!(got.status, StatusCode::BAD_REQUEST, "{query}");
        let error = got.json()["error"].as_str().unwrap().to_string();
        assert!(error.starts_with(field), "{query}: {error}");
    }
    let got = app.get("/api/elections/s/consistency?from=1").await;
    assert_eq!(got.status, StatusCode::BAD_REQUEST);
}

fn static_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static")
}

/// Every file under `static/` (but the lists themselves) is in `SHA256SUMS` with its SHA-256,
/// every script the service serves among them, and the README states check.js's.
#[test]
fn the_static_files_are_the_ones_whose_hashes_are_listed() {
    let sums = std::fs::read_to_string(static_dir().join("SHA256SUMS")).unwrap();
    let mut listed = Vec::new();
    for line in sums.lines() {
        let (sha, path) = line.split_once("  ").unwrap();
        let bytes = std::fs::read(static_dir().join(path)).unwrap();
        assert_eq!(record::digest(&bytes), sha, "{path}");
        listed.push(path.to_string());
    }
    let mut found = Vec::new();
    let mut dirs = vec![static_dir()];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let rel = path.strip_prefix(static_dir()).unwrap();
                found.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    found.retain(|f| f != "SHA256SUMS" && !f.ends_with("README.md"));
    found.sort();
    listed.sort();
    assert_eq!(found, listed);
    assert_eq!(listed.len(), 16);
    let check = record::digest(&std::fs::read(static_dir().join("check.js")).unwrap());
    let readme = std::fs::read_to_string(static_dir().join("../../../README.md")).unwrap();
    assert!(
        readme.contains(&format!("\n{check}  check.js\n")),
        "the README must state check.js's SHA-256, {check}"
    );
}

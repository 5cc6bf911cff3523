//! `tallyproof serve`: every route of the OpenAPI document answers, the JSON equals the
//! command line's, errors are JSON with the right status, and pages render.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::{clock, run, stdout, store_with};

/// A running server, killed when dropped.
pub struct Server {
    pub child: Child,
    pub addr: String,
    /// The URL printed, `http://ADDR/` or `https://ADDR/`.
    pub url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn serve(dir: &std::path::Path, extra: &[&str]) -> Server {
    serve_db(dir, "s.db", extra)
}

/// `tallyproof serve` on the store `db` (a file in `dir`, or a PostgreSQL URL).
pub fn serve_db(dir: &std::path::Path, db: &str, extra: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tallyproof"))
        .args(["serve", "--db", db, "--addr", "127.0.0.1:0"])
        .args(extra)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://") || w.starts_with("https://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_string();
    let addr = url
        .split("://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    Server { child, addr, url }
}

/// A GET request: status and body.
pub fn get(addr: &str, path: &str) -> (u16, String) {
    request(addr, "GET", path, &[], b"").unwrap()
}

/// A staff user of `role` added to the store `s.db` in `dir` on the console, and an API
/// token of theirs, as an `Authorization` header's value.
pub fn staff_token(dir: &std::path::Path, name: &str, role: &str) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_tallyproof"))
        .args(["users", "add", name, "--role", role, "--db", "s.db"])
        .env("TALLYPROOF_PASSWORD", "password-1234")
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", crate::stderr(&o));
    let o = run(dir, &["users", "token", name, "--db", "s.db"]);
    assert!(o.status.success(), "{}", crate::stderr(&o));
    format!("Bearer {}", stdout(&o).trim())
}

/// A request: status and body; an error if the connection fails (a killed server).
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr)?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes())?;
    s.write_all(body)?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(raw.len());
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let body = raw.get(split + 4..).unwrap_or_default();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    // Chunked bodies: keep the chunks' data only (chunks may split a UTF-8 character).
    let body = if head.contains("transfer-encoding: chunked") {
        dechunk(body)
    } else {
        body.to_vec()
    };
    Ok((status, String::from_utf8_lossy(&body).to_string()))
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line) = rest.windows(2).position(|w| w == b"\r\n") {
        let size = String::from_utf8_lossy(&rest[..line]);
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        let after = &rest[line + 2..];
        if n == 0 || after.len() < n {
            break;
        }
        out.extend_from_slice(&after[..n]);
        rest = after.get(n + 2..).unwrap_or_default();
    }
    out
}

#[test]
fn the_public_api_and_pages() {
    let dir = store_with("data/kg2020/stations_by_region_2413.csv");
    let server = serve(dir.path(), &[]);
    let a = server.addr.as_str();
    // Every route of the document answers 200 with an example.
    let (status, doc) = get(a, "/openapi.json");
    assert_eq!(status, 200);
    let doc: Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    // Every public page and JSON route answers 200 with an example (an audit's, 404).
    let paths: Vec<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, ops)| ops.get("get").is_some_and(|g| g.get("x-roles").is_none()))
        .map(|(p, _)| p.clone())
        .collect();
    let public = server::ROUTES
        .iter()
        .filter(|r| r.method == server::Method::Get && r.roles.is_empty())
        .count();
    assert_eq!(paths.len(), public);
    assert!(public > 15);
    // A posted protocol's code of one of the store's stations, for `/api/posted`.
    let posted = {
        use store::Store;
        let loaded = store::open(&dir.path().join("s.db").display().to_string())
            .unwrap()
            .load("kg")
            .unwrap();
        let code = postedqr::Posted::of(&loaded.protocols[0], "kg", "2020-10-04 21:30", [0; 16])
            .encode()
            .unwrap();
        format!("?code={}", code.replace('/', "%2F"))
    };
    for p in &paths {
        if p.contains("{audit}") {
            // No audit in this store: a clear 404 (the service's own tests draw rounds).
            let (status, body) = get(
                a,
                &p.replace("{name}", "kg")
                    .replace("{audit}", "none")
                    .replace("{round}", "1"),
            );
            assert_eq!(status, 404, "{p}: {body}");
            assert!(body.contains("no audit named 'none'"), "{p}: {body}");
            continue;
        }
        // An imported store has no witness and no staff: their answers are a clear 404.
        let none = [
            ("/cosigned", "no witness has cosigned this log yet"),
            ("{commitment}", "no public content for"),
            ("/photos/{k}", "no incident at entry 2"),
        ];
        if let Some((_, why)) = none.iter().find(|(end, _)| p.ends_with(end)) {
            let (status, body) = get(
                a,
                &p.replace("{name}", "kg")
                    .replace("{commitment}", &"a".repeat(64))
                    .replace("{id}", "2")
                    .replace("{k}", "0"),
            );
            assert_eq!(status, 404, "{p}: {body}");
            assert!(body.contains(why), "{p}: {body}");
            continue;
        }
        let example = p
            .replace("{name}", "kg")
            .replace("{id}", "2")
            .replace("{tile}", "0/000")
            .replace("{file}", "check.js")
            + match p {
                _ if p.ends_with("/seats") => "?law=kg2020",
                _ if p.ends_with("/consistency") => "?from=1&to=2",
                _ if p.ends_with("/posted") => posted.as_str(),
                _ => "",
            };
        let (status, body) = get(a, &example);
        assert_eq!(status, 200, "{example}: {body}");
    }
    // The API's results equal the command line's.
    let (_, api) = get(a, "/api/elections/kg/results?by=region");
    let api: Value = serde_json::from_str(&api).unwrap();
    let cli: Value = serde_json::from_str(&stdout(&run(
        dir.path(),
        &["results", "--db", "s.db", "--by", "region", "--json"],
    )))
    .unwrap();
    assert!(api["units"].as_array().is_some_and(|u| u.len() > 5));
    assert_eq!(api["units"], cli["units"]);
    let (_, seats) = get(a, "/api/elections/kg/seats?law=kg2020");
    let seats: Value = serde_json::from_str(&seats).unwrap();
    let cli: Value = serde_json::from_str(&stdout(&run(
        dir.path(),
        &["seats", "--db", "s.db", "--law", "kg2020", "--json"],
    )))
    .unwrap();
    assert!(seats["parties"].as_array().is_some_and(|p| !p.is_empty()));
    assert_eq!(seats["parties"], cli["parties"]);
    // Ready once every stored election is loaded and its log signed (503 before).
    let ready = (0..200).find_map(|_| {
        let (status, body) = get(a, "/api/ready");
        assert!(status == 200 || status == 503, "{status} {body}");
        std::thread::sleep(std::time::Duration::from_millis(50));
        (status == 200).then_some(body)
    });
    assert_eq!(ready.as_deref(), Some(r#"{"ready":true}"#));
    // Errors are JSON, with their status.
    let (status, body) = get(a, "/api/elections/nope/results");
    assert_eq!(
        (status, body.as_str()),
        (404, r#"{"error":"no election named 'nope'"}"#)
    );
    let (status, body) = get(a, "/api/elections/kg/results?by=galaxy");
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("unknown level 'galaxy'"));
    let (status, _) = get(a, "/api/elections/kg/seats?law=kg1999");
    assert_eq!(status, 404);
    // The page shows the national totals and links to its JSON.
    let (_, page) = get(a, "/elections/kg");
    assert!(
        page.contains("Stations reporting: 2,413 of 2,413"),
        "{page}"
    );
    assert!(page.contains("<svg") && page.contains("«БИРИМДИК»"));
    assert!(page.contains("/api/elections/kg/results"));
    // The forensic report says which tests the Kyrgyz data cannot support.
    let (status, page) = get(a, "/elections/kg/forensics");
    assert_eq!(status, 200);
    assert!(page.contains("cannot be computed"), "{page}");
    // The seats page: a hemicycle of 120 seats and the closest margin.
    let (_, page) = get(a, "/elections/kg/seats?law=kg2020");
    assert_eq!(page.matches("<circle").count(), 120);
    assert!(page.contains("The closest seat:"), "{page}");
    // A station's page: its protocol, then a correction shows as a second version with the
    // changed count marked.
    let (_, unit) = get(a, "/api/elections/kg/units/2");
    let unit: Value = serde_json::from_str(&unit).unwrap();
    assert_eq!(
        (
            unit["level"].as_str(),
            unit["versions"].as_array().map(Vec::len)
        ),
        (Some("station"), Some(1))
    );
    let national = || -> u64 {
        let (_, r) = get(a, "/api/elections/kg/results?by=country");
        let r: Value = serde_json::from_str(&r).unwrap();
        r["units"][0]["votes"][0].as_u64().unwrap()
    };
    let before = national();
    let mut store = store::SqliteStore::open(&dir.path().join("s.db")).unwrap();
    let mut p = store::Store::history(&store, "kg", model::UnitId(2), 0).unwrap()[0].clone();
    p.votes[0] += 7;
    // Seven valid ballots more too, so that the votes still add up (`error: choices = valid`).
    let valid = p.line(model::Line::Valid).unwrap();
    p.set_line(model::Line::Valid, valid + 7);
    // Entered by one clerk and verified by another, in another process's connection.
    use store::Staffing;
    let only = ["kg".to_string()];
    let mut add = |name: &str, role| {
        store
            .add_user_in(name, role, "x", &[3; 32], None, Some(&only), clock())
            .unwrap()
    };
    let (clerk, checker) = (
        add("clerk", record::Role::Operator),
        add("checker", record::Role::Verifier),
    );
    store
        .assign(clerk.id, "kg", model::UnitId(0), None, clock())
        .unwrap();
    let entered = store.enter("kg", &p, &clerk, None, clock()).unwrap();
    assert_eq!(
        store.verify("kg", entered.id, &checker, clock()).unwrap(),
        2
    );
    // A write by another process shows in the totals within the service's refresh interval
    // (100 ms).
    std::thread::sleep(std::time::Duration::from_millis(150));
    assert_eq!(national(), before + 7);
    let (_, unit) = get(a, "/api/elections/kg/units/2");
    let unit: Value = serde_json::from_str(&unit).unwrap();
    assert_eq!(unit["versions"].as_array().map(Vec::len), Some(2));
    let (_, page) = get(a, "/elections/kg/units/2");
    assert!(page.contains(&format!("<b>{}</b>", p.votes[0])), "{page}");
    let (status, _) = get(a, "/api/elections/kg/units/999999");
    assert_eq!(status, 404);
}

/// The service signs each election's log after every write and serves it under
/// /elections/NAME/log/: `tallyproof verify URL` checks the live log, with a complaint and an
/// annulment made over HTTP in it as soon as they are acknowledged; the /verify page shows
/// the current signed checkpoint and the key, which the log itself declares once published.
#[test]
fn the_live_log_is_signed_after_every_write_and_verifies() {
    let dir = store_with("data/kg2020/stations_by_region_2413.csv");
    // `publish` and `serve` sign with the store's key file by default (s.db.logkey).
    let o = run(
        dir.path(),
        &["publish", "--db", "s.db", "--out", "pub", "--law", "kg2020"],
    );
    assert!(o.status.success(), "{}", crate::stderr(&o));
    let token = |name: &str, role: &str| staff_token(dir.path(), name, role);
    let (obs, com) = (
        token("aida-observer", "observer"),
        token("kamila-com", "commissioner"),
    );
    let server = serve(dir.path(), &[]);
    let url = format!("http://{}/elections/kg/log/", server.addr);
    let verify = || run(dir.path(), &["verify", &url, "--key", "pub/log.pub"]);
    let o = verify();
    assert!(
        stdout(&o).contains("VALID"),
        "{}{}",
        stdout(&o),
        crate::stderr(&o)
    );
    assert!(stdout(&o).contains("0 complaint(s)"), "{}", stdout(&o));
    for (path, auth, body) in [
        (
            "/api/elections/kg/complaints",
            &obs,
            r#"{"unit": 5, "text": "observers were kept out"}"#,
        ),
        (
            "/api/elections/kg/decisions",
            &com,
            r#"{"kind": "annul-unit", "unit": 5, "reason": "ballot stuffing on video"}"#,
        ),
    ] {
        let headers = [
            ("Authorization", auth.as_str()),
            ("Content-Type", "application/json"),
        ];
        let (status, body) =
            request(&server.addr, "POST", path, &headers, body.as_bytes()).unwrap();
        assert_eq!(status, 201, "{body}");
    }
    // Acknowledged: the checkpoint served at once covers both (the service signs each size
    // before any read shows it); verification reads them from the live log.
    let acknowledged = std::time::Instant::now();
    let (status, checkpoint) = get(&server.addr, "/elections/kg/log/checkpoint");
    assert_eq!(status, 200);
    let signed_in = acknowledged.elapsed();
    assert!(
        signed_in < std::time::Duration::from_secs(1),
        "{signed_in:?}"
    );
    let o = verify();
    let said = stdout(&o);
    assert!(said.contains("VALID"), "{said}{}", crate::stderr(&o));
    for want in [
        "1 complaint(s)",
        "1 annulled unit(s)",
        "the checkpoint's key is the log key the log itself declares",
    ] {
        assert!(said.contains(want), "{want}: {said}");
    }
    let (status, page) = get(&server.addr, "/verify");
    assert_eq!(status, 200);
    let size_line = checkpoint.lines().nth(1).unwrap();
    assert!(page.contains(&format!("{size_line}\n")), "{page}");
    let key = std::fs::read_to_string(dir.path().join("pub/log.pub")).unwrap();
    assert!(page.contains(key.trim()), "{page}");
    // No escape from the log: a path that is not a tile is not found.
    let (status, _) = get(&server.addr, "/elections/kg/log/tile/../../s.db");
    assert_ne!(status, 200);
}

/// Issue 13, finding 8: `publish` wrote every stored content, the salt and name behind a
/// complaint's `by` among them, so the commitment meant to protect the complainant was
/// opened for everyone. Neither the observer's name nor its salts appear anywhere in the
/// published directory (`content/` included); the staff's commitments still open.
#[test]
fn a_complainant_is_never_published_and_the_staff_are() {
    use store::Store;
    let dir = store_with("data/kg2020/stations_by_region_2413.csv");
    let (observer, commissioner) = ("aida-observer", "kamila-com");
    let token = |name: &str, role: &str| staff_token(dir.path(), name, role);
    let (obs, com) = (
        token(observer, "observer"),
        token(commissioner, "commissioner"),
    );
    let server = serve(dir.path(), &[]);
    for (auth, path, body) in [
        (
            &obs,
            "/api/elections/kg/complaints",
            r#"{"unit": 1, "text": "Ballots stuffed at 18:40"}"#,
        ),
        (
            &com,
            "/api/elections/kg/decisions",
            r#"{"kind": "recount", "unit": 1, "reason": "Complaint upheld"}"#,
        ),
    ] {
        let (status, answer) = request(
            &server.addr,
            "POST",
            path,
            &[
                ("authorization", auth),
                ("content-type", "application/json"),
            ],
            body.as_bytes(),
        )
        .unwrap();
        assert_eq!(status, 201, "{path}: {answer}");
    }
    // The public pages and answers about the unit show the complaint, not who filed it.
    for path in [
        "/api/elections/kg/units/1",
        "/elections/kg/units/1",
        "/elections/kg",
    ] {
        let (status, body) = get(&server.addr, path);
        assert_eq!(status, 200, "{path}");
        assert!(
            !path.contains("units") || body.to_lowercase().contains("complaint"),
            "{path}"
        );
        assert!(!body.contains(observer), "{path} names the observer");
    }
    drop(server);
    // The store keeps the observer's name twice: their staff commitment and the complaint's.
    let rows = store::open(&dir.path().join("s.db").display().to_string())
        .unwrap()
        .contents("kg")
        .unwrap();
    let secret: Vec<&record::Content> = rows.iter().filter(|c| c.text == observer).collect();
    assert_eq!(secret.len(), 2, "{rows:?}");
    let o = run(
        dir.path(),
        &["publish", "--db", "s.db", "--out", "pub", "--key", "k"],
    );
    assert!(o.status.success(), "{}", crate::stderr(&o));
    // Every file of the published directory, whatever its depth.
    let files = crate::files_under(&dir.path().join("pub"));
    assert!(files.len() > 5, "{files:?}");
    let mut staff_opened = false;
    for f in &files {
        let bytes = String::from_utf8_lossy(&std::fs::read(f).unwrap()).to_string();
        let name = f.display().to_string();
        assert!(!bytes.contains(observer), "{name} names the observer");
        for c in &secret {
            assert!(
                !bytes.contains(c.salt.as_str()),
                "{name} holds the observer's salt"
            );
            assert!(
                !name.ends_with(c.commitment.as_str()),
                "{name} opens the observer's commitment"
            );
        }
        staff_opened |= name.contains("content") && bytes.ends_with(commissioner);
    }
    assert!(staff_opened, "the commissioner's name is published");
    // Published: the commissioner, the complaint's text, the decision's reason. Not: the
    // observer (twice). The two grants' "console" is no commitment and is not counted.
    let o = run(dir.path(), &["verify", "pub", "--key", "pub/log.pub"]);
    assert!(
        stdout(&o).contains(
            "3 published content(s) match their commitments; 2 redacted or not published"
        ),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("VALID"), "{}", stdout(&o));
}

/// Issue 15's findings on the bundled Kyrgyz file (no registered voters in it): a verified
/// machine count with registered voters at one station changes neither the official totals
/// nor the turnout; a manual correction with them gives a turnout over that one station,
/// said to be so, never the country's; an annulled station shows in the country's line.
#[test]
fn one_station_is_never_shown_as_the_country() {
    let dir = store_with("data/kg2020/stations_by_region_2413.csv");
    let d = dir.path();
    let token = |name: &str, role: &str| staff_token(d, name, role);
    let (op, ver) = (token("op", "operator"), token("ver", "verifier"));
    let com = token("com", "commissioner");
    assert!(run(d, &["users", "assign", "op", "--db", "s.db"])
        .status
        .success());
    use store::Store;
    let loaded = store::open(&d.join("s.db").display().to_string())
        .unwrap()
        .load("kg")
        .unwrap();
    let station = loaded.protocols[0].clone();
    let station_path = loaded.election.units.path_names(station.station);
    let server = serve(d, &[]);
    let a = server.addr.as_str();
    let post = |path: &str, auth: &str, body: Value| {
        let headers = [
            ("Authorization", auth),
            ("Content-Type", "application/json"),
        ];
        let (status, text) =
            request(a, "POST", path, &headers, body.to_string().as_bytes()).unwrap();
        (
            status,
            serde_json::from_str::<Value>(&text).unwrap_or(Value::Null),
        )
    };
    let enter = |source: &str, votes: &[u64]| {
        let registered = 2 * votes.iter().sum::<u64>();
        let body = serde_json::json!({"station": station.station.0, "source": source, "votes": votes,
                                      "lines": {"registered": registered, "issued_in_station": votes.iter().sum::<u64>(),
                                                "valid": votes.iter().sum::<u64>()}});
        let (status, e) = post("/api/elections/kg/protocols", &op, body);
        assert_eq!(status, 201, "{e}");
        let id = e["id"].as_i64().unwrap();
        let (status, v) = post(
            &format!("/api/elections/kg/pending/{id}/verify"),
            &ver,
            serde_json::json!({}),
        );
        assert_eq!(status, 200, "{v}");
    };
    let national = || {
        let (_, r) = get(a, "/api/elections/kg/results?by=country");
        serde_json::from_str::<Value>(&r).unwrap()["units"][0].clone()
    };
    let before = national();
    let machine: Vec<u64> = station.votes.iter().map(|v| v + 50).collect();
    enter("machine", &machine);
    let after = national();
    assert_eq!(
        after["votes"], before["votes"],
        "a machine count changed the official totals"
    );
    assert_eq!(after["turnout"]["stations"], 0);
    let (_, page) = get(a, "/elections/kg");
    assert!(
        page.contains("Turnout unknown: no counted station"),
        "{page}"
    );
    assert!(
        page.contains("Counting: no results published yet"),
        "{page}"
    );
    // A manual correction with registered voters: the turnout covers one station and says so.
    let manual: Vec<u64> = station.votes.clone();
    enter("manual", &manual);
    let corrected = national();
    assert_eq!(corrected["votes"], before["votes"]);
    assert_eq!(corrected["turnout"]["stations"], 1);
    let (_, page) = get(a, "/elections/kg");
    assert!(
        page.contains("Turnout at the 1 of 2,413 counted stations"),
        "{page}"
    );
    assert!(!page.contains("Turnout: <b>"), "{page}");
    // The station annulled: the country's line says so.
    let (status, d) = post(
        "/api/elections/kg/decisions",
        &com,
        serde_json::json!({"kind": "annul-unit", "unit": station.station.0, "reason": "ballot stuffing"}),
    );
    assert_eq!(status, 201, "{d}");
    let annulled = national();
    assert_eq!(
        (annulled["stations"].as_u64(), annulled["annulled"].as_u64()),
        (Some(2412), Some(1))
    );
    let (_, page) = get(a, "/elections/kg");
    assert!(
        page.contains("Stations counted: 2,412, annulled: 1, of 2,413"),
        "{page}"
    );
    // Its own row in the list of stations says it is not counted, with none of its votes,
    // so the rows add up to the country's (a review found it listed as reporting).
    let (_, r) = get(a, "/api/elections/kg/results?by=station");
    let units = serde_json::from_str::<Value>(&r).unwrap()["units"].clone();
    let units = units.as_array().unwrap();
    let own = units
        .iter()
        .find(|u| u["level"] == "station" && u["path"] == serde_json::json!(station_path))
        .unwrap();
    assert_eq!(
        (&own["stations"], &own["annulled"], &own["reporting"]),
        (
            &serde_json::json!(0),
            &serde_json::json!(1),
            &serde_json::json!(0)
        ),
        "{own}"
    );
    for (i, total) in annulled["votes"].as_array().unwrap().iter().enumerate() {
        let sum: u64 = units[1..]
            .iter()
            .map(|u| u["votes"][i].as_u64().unwrap())
            .sum();
        assert_eq!(Some(sum), total.as_u64(), "choice {i}");
    }
}

/// A witness cosigns the service's live log over HTTP and submits its cosignature, which the
/// service (started knowing that witness) checks and serves beside the checkpoint; a verifier
/// that requires the witness then finds the live log cosigned.
#[test]
fn a_witness_cosigns_the_live_log_and_the_service_serves_it() {
    let dir = store_with("data/kg2020/stations_by_region_2413.csv");
    let d = dir.path();
    let o = run(d, &["publish", "--db", "s.db", "--out", "pub"]);
    assert!(o.status.success(), "{}", crate::stderr(&o));
    let witness = |target: &str| crate::witness(d, target, "pub/log.pub");
    // The witness's key is made on its first cosignature (of the published directory).
    let o = witness("pub");
    assert!(o.status.success(), "{}{}", stdout(&o), crate::stderr(&o));
    let key = stdout(&o)
        .trim()
        .rsplit("witness key: ")
        .next()
        .unwrap()
        .to_string();
    let server = serve(d, &["--witness", &key]);
    let url = format!("http://{}/elections/kg/log/", server.addr);
    let o = witness(&url);
    assert!(o.status.success(), "{}{}", stdout(&o), crate::stderr(&o));
    assert!(
        stdout(&o).contains("submitted to the service"),
        "{}",
        stdout(&o)
    );
    let (status, cosigned) = get(&server.addr, "/elections/kg/log/cosigned");
    assert_eq!(status, 200, "{cosigned}");
    assert!(cosigned.contains("\u{2014} observers.test "), "{cosigned}");
    let o = run(
        d,
        &[
            "verify",
            &url,
            "--key",
            "pub/log.pub",
            "--witness",
            &key,
            "--quorum",
            "1",
        ],
    );
    assert!(
        stdout(&o).contains("VALID"),
        "{}{}",
        stdout(&o),
        crate::stderr(&o)
    );
    assert!(
        stdout(&o).contains("cosigned by 1 of 1 known witnesses"),
        "{}",
        stdout(&o)
    );
}

/// `serve --incident-categories FILE`: a file it cannot use stops it before it serves, naming
/// where; a good one is the list the incident page offers.
#[test]
fn serve_offers_a_deployments_incident_categories() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for args in [
        &["gen", "--stations", "9", "-o", "g.csv"][..],
        &["import", "g.csv", "--db", "s.db", "--name", "s"],
    ] {
        let o = run(d, args);
        assert!(o.status.success(), "{}", crate::stderr(&o));
    }
    std::fs::write(d.join("bad.toml"), "[queue-jumping]\nen = \"Queue\"\n").unwrap();
    let o = run(
        d,
        &[
            "serve",
            "--db",
            "s.db",
            "--addr",
            "127.0.0.1:0",
            "--incident-categories",
            "bad.toml",
        ],
    );
    assert!(!o.status.success());
    assert_eq!(stdout(&o), "");
    let said = crate::stderr(&o);
    assert!(
        said.contains("bad.toml (queue-jumping): missing field `ru`"),
        "{said}"
    );
    std::fs::write(
        d.join("good.toml"),
        "[queue-jumping]\nen = \"Voters let in ahead of the queue\"\nru = \"Пропуск без очереди\"\n",
    )
    .unwrap();
    let server = serve_db(d, "s.db", &["--incident-categories", "good.toml"]);
    let (status, page) = get(&server.addr, "/elections/s/incidents?lang=en");
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains(">Voters let in ahead of the queue<"),
        "{page}"
    );
    assert!(!page.contains("Vote buying"), "{page}");
}

//! Browser tests: the staff workflow and the public pages in headless Chromium (Debian's
//! `chromium` and `chromium-driver`), driven over WebDriver. The test command installs both;
//! without them (and without `TALLYPROOF_BROWSER_TESTS=1`, which the test command sets) the
//! test says so and stops.
//!
//! On Kyrgyz 2020: an operator logs in and enters a protocol, a verifier confirms it, the
//! public results page shows the new totals and the hemicycle its new seats; a commissioner
//! annuls the station and the totals and the hemicycle change again. A screenshot of the
//! results page is saved (the README's).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use store::{SqliteStore, Staffing, Store};

use crate::serve::{get, serve};
use crate::{clock, run, stderr, store_with};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const PASSWORD: &str = "a long enough password";

/// Where the test leaves its screenshot.
pub fn screenshot_path() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots/results.png")
}

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// ChromeDriver on a free port, and a headless Chromium session through it.
async fn browser() -> Option<(Driver, Client)> {
    if !std::path::Path::new(CHROMEDRIVER).exists() {
        assert!(
            std::env::var_os("TALLYPROOF_BROWSER_TESTS").is_none()
                && std::env::var("CI").as_deref() != Ok("true"),
            "{CHROMEDRIVER} is missing: apt-get install chromium chromium-driver"
        );
        eprintln!("skipped: {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver)");
        return None;
    }
    let port = free_port();
    let driver = Driver(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let profile = tempfile::tempdir().unwrap();
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1100,1400",
                format!("--user-data-dir={}", profile.keep().display()),
            ]
        }
    });
    let Value::Object(caps) = caps else {
        unreachable!()
    };
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match ClientBuilder::new(connector.clone())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => return Some((driver, c)),
            Err(e) if Instant::now() > deadline => panic!("no WebDriver session: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// Clicks a form's button and waits for the desk to say the act is done (a click does not
/// wait for the navigation it starts).
async fn submit(c: &Client, button: Locator<'_>, done: &str) {
    c.find(button).await.unwrap().click().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let url = c.current_url().await.unwrap();
        if url
            .query()
            .is_some_and(|q| q.contains(&format!("done={done}")))
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no '{done}' after the click: at {url}: {}",
            c.source().await.unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Types `text` into the field `css` selects.
async fn type_into(c: &Client, css: &str, text: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

async fn login(c: &Client, base: &str, name: &str) {
    c.delete_all_cookies().await.unwrap();
    c.goto(&format!("{base}/login")).await.unwrap();
    type_into(c, "input[name=name]", name).await;
    type_into(c, "input[name=password]", PASSWORD).await;
    c.find(Locator::Css("form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The login redirects to the election list.
    let deadline = Instant::now() + Duration::from_secs(20);
    while c.current_url().await.unwrap().path() != "/" {
        assert!(Instant::now() < deadline, "the login did not go through");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The first table of the page at `url`: each row's first cell (without the legend's dot)
/// and its count in column `column`.
async fn first_table(c: &Client, url: &str, column: usize) -> Vec<(String, u64)> {
    c.goto(url).await.unwrap();
    let mut out = Vec::new();
    for row in c
        .find_all(Locator::XPath("(//table)[1]//tr[td]"))
        .await
        .unwrap()
    {
        let cells = row.find_all(Locator::Css("td")).await.unwrap();
        let name = cells[0].text().await.unwrap();
        let name = name.trim_start_matches('●').trim().to_string();
        let count = cells[column].text().await.unwrap().parse().unwrap();
        out.push((name, count));
    }
    out.sort();
    out
}

/// The national votes per choice, read off the results page's first table.
async fn page_totals(c: &Client, base: &str) -> Vec<(String, u64)> {
    first_table(c, &format!("{base}/elections/kg?by=country"), 1).await
}

/// The seats per party read off the seats page's table, and the hemicycle's seat count.
async fn page_seats(c: &Client, base: &str) -> (Vec<(String, u64)>, usize) {
    let mut out = first_table(c, &format!("{base}/elections/kg/seats?law=kg2020"), 4).await;
    out.retain(|(_, seats)| *seats > 0);
    let circles = c.find_all(Locator::Css("svg circle")).await.unwrap().len();
    (out, circles)
}

fn api_seats(addr: &str) -> Vec<(String, u64)> {
    let (_, body) = get(addr, "/api/elections/kg/seats?law=kg2020");
    seats_of(&serde_json::from_str(&body).unwrap())
}

/// The parties with seats in a seats JSON (`tallyproof seats --json`, the API's), by name.
fn seats_of(v: &Value) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = v["parties"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["seats"].as_u64().unwrap() > 0)
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["seats"].as_u64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn add_users(dir: &std::path::Path) {
    for (name, role) in [
        ("olga", "operator"),
        ("vera", "verifier"),
        ("kamila", "commissioner"),
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_tallyproof"))
            .args(["users", "add", name, "--role", role, "--db", "s.db"])
            .env("TALLYPROOF_PASSWORD", PASSWORD)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = run(dir, &["users", "assign", "olga", "--db", "s.db"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_enter_verify_and_annul_in_a_real_browser() {
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let dir = store_with("data/kg2020/stations_by_region_2413.csv");
    add_users(dir.path());
    let loaded = SqliteStore::open(&dir.path().join("s.db"))
        .unwrap()
        .load("kg")
        .unwrap();
    let e = loaded.election;
    let server = serve(dir.path(), &[]);
    let base = format!("http://{}", server.addr);
    let before = page_totals(&c, &base).await;
    let (seats_before, circles) = page_seats(&c, &base).await;
    assert_eq!(circles, 120);
    assert_eq!(seats_before, api_seats(&server.addr));

    // An operator enters a station's protocol with 10,000 more votes for «БИРИМДИК».
    let station = loaded.protocols[0].clone();
    let birimdik = e.contests[0]
        .choices
        .iter()
        .position(|ch| ch.name == "«БИРИМДИК»")
        .unwrap();
    login(&c, &base, "olga").await;
    c.goto(&format!("{base}/elections/kg/staff")).await.unwrap();
    c.find(Locator::Css("select[name=station]"))
        .await
        .unwrap()
        .select_by_value(&station.station.0.to_string())
        .await
        .unwrap();
    for (i, v) in station.votes.iter().enumerate() {
        let v = if i == birimdik { v + 10_000 } else { *v };
        type_into(&c, &format!("input[name=vote_{i}]"), &v.to_string()).await;
    }
    // The scanned paper protocol goes with it (a file input: the browser sends multipart).
    let scan = dir.path().join("protocol.png");
    let scan_bytes =
        std::fs::read(crate::workspace("crates/server/tests/data/scans/scan.png")).unwrap();
    std::fs::write(&scan, &scan_bytes).unwrap();
    c.find(Locator::Css("input[name=scan]"))
        .await
        .unwrap()
        .send_keys(&scan.display().to_string())
        .await
        .unwrap();
    submit(
        &c,
        Locator::XPath("//button[contains(., 'enter')]"),
        "entered",
    )
    .await;
    let desk = c.source().await.unwrap();
    assert!(desk.contains("olga"), "the entry is listed as waiting");
    let pending = SqliteStore::open(&dir.path().join("s.db"))
        .unwrap()
        .pending("kg")
        .unwrap();
    assert_eq!(
        pending[0].scan,
        Some(format!("sha256:{}", record::digest(&scan_bytes))),
        "the scan is stored and cited"
    );
    // Not counted before a second person verifies it.
    assert_eq!(page_totals(&c, &base).await, before);

    // A verifier confirms it.
    login(&c, &base, "vera").await;
    c.goto(&format!("{base}/elections/kg/staff")).await.unwrap();
    submit(&c, Locator::Css("button[value=verify]"), "verified").await;

    // The public sees the new totals and seats.
    c.delete_all_cookies().await.unwrap();
    let after = page_totals(&c, &base).await;
    let name = &e.contests[0].choices[birimdik].name;
    let votes_of = |t: &[(String, u64)]| t.iter().find(|(n, _)| n == name).unwrap().1;
    assert_eq!(votes_of(&after), votes_of(&before) + 10_000);
    assert_eq!(after.len(), before.len());
    c.goto(&format!("{base}/elections/kg")).await.unwrap();
    let shot = c.screenshot().await.unwrap();
    let path = screenshot_path();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, &shot).unwrap();
    assert!(shot.starts_with(b"\x89PNG"));
    let (seats_after, _) = page_seats(&c, &base).await;
    assert_ne!(
        seats_after, seats_before,
        "10,000 votes move a seat to «БИРИМДИК»"
    );
    assert_eq!(seats_after, api_seats(&server.addr));
    // The command line, reading the store, allocates the same seats.
    let cli: Value = serde_json::from_str(&String::from_utf8_lossy(
        &run(
            dir.path(),
            &["seats", "--db", "s.db", "--law", "kg2020", "--json"],
        )
        .stdout,
    ))
    .unwrap();
    let cli_seats = seats_of(&cli);
    assert_eq!(seats_after, cli_seats);

    // A commissioner annuls the station: it leaves the totals, and the seats change again.
    login(&c, &base, "kamila").await;
    c.goto(&format!("{base}/elections/kg/staff")).await.unwrap();
    c.find(Locator::Css("select[name=kind]"))
        .await
        .unwrap()
        .select_by_value("annul-unit")
        .await
        .unwrap();
    type_into(&c, "input[name=unit]", &station.station.0.to_string()).await;
    type_into(
        &c,
        "textarea[name=reason]",
        "the protocol does not match the copy given to observers",
    )
    .await;
    submit(
        &c,
        Locator::XPath("//button[contains(., 'decide')]"),
        "decided",
    )
    .await;
    c.delete_all_cookies().await.unwrap();
    let annulled = page_totals(&c, &base).await;
    for (k, (n, v)) in annulled.iter().enumerate() {
        let i = e.contests[0]
            .choices
            .iter()
            .position(|ch| &ch.name == n)
            .unwrap();
        // The station's first version left the totals with its annulled second one.
        assert_eq!(*v, before[k].1 - station.votes[i], "{n}");
    }
    let (seats_annulled, circles) = page_seats(&c, &base).await;
    assert_eq!(circles, 120);
    assert_ne!(seats_annulled, seats_after);
    assert_eq!(seats_annulled, api_seats(&server.addr));
    c.close().await.unwrap();
}

/// A page that, opened by a logged-in verifier, reads the desk's CSRF token and verifies the
/// first pending protocol (the hostile review's attack, issue 13 finding 1).
const ATTACK: &str = "<html><head><title>scan</title></head><body><script>\
document.title = 'ran';\
fetch('/elections/kg/staff').then(r => r.text()).then(t => {\
  const m = t.match(/name=\"csrf\" value=\"([^\"]+)\"/);\
  return fetch('/elections/kg/staff/pending/1', {method: 'POST',\
    headers: {'content-type': 'application/x-www-form-urlencoded'},\
    body: 'csrf=' + m[1] + '&action=verify'});\
});</script></body></html>";

/// Stores a file as a store from before the upload checks may hold it, with the type its
/// uploader declared.
fn plant(db: &std::path::Path, media: &str, bytes: &[u8]) -> String {
    let sha = record::digest(bytes);
    rusqlite::Connection::open(db)
        .unwrap()
        .execute(
            "INSERT INTO scan (sha256, media, bytes) VALUES (?1, ?2, ?3)",
            rusqlite::params![sha, media, bytes],
        )
        .unwrap();
    sha
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verifier_opening_an_uploaded_page_or_polyglot_runs_no_script() {
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let dir = store_with("data/kg2020/stations_by_region_2413.csv");
    add_users(dir.path());
    let db = dir.path().join("s.db");
    let server = serve(dir.path(), &[]);
    let base = format!("http://{}", server.addr);
    // The operator's upload of the page and of a PNG carrying it are refused.
    login(&c, &base, "olga").await;
    let png = std::fs::read(crate::workspace("crates/server/tests/data/scans/scan.png")).unwrap();
    let polyglot = [png.as_slice(), ATTACK.as_bytes()].concat();
    for (name, bytes) in [("scan.html", ATTACK.as_bytes()), ("scan.png", &polyglot)] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        c.goto(&format!("{base}/elections/kg/staff")).await.unwrap();
        let p = SqliteStore::open(&db)
            .unwrap()
            .load("kg")
            .unwrap()
            .protocols[0]
            .clone();
        c.find(Locator::Css("select[name=station]"))
            .await
            .unwrap()
            .select_by_value(&p.station.0.to_string())
            .await
            .unwrap();
        for (i, v) in p.votes.iter().enumerate() {
            type_into(&c, &format!("input[name=vote_{i}]"), &(v + 500).to_string()).await;
        }
        c.find(Locator::Css("input[name=scan]"))
            .await
            .unwrap()
            .send_keys(&path.display().to_string())
            .await
            .unwrap();
        c.find(Locator::XPath("//button[contains(., 'enter')]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let page = c.source().await.unwrap();
        assert!(page.contains("refused file"), "{page}");
    }
    let s = SqliteStore::open(&db).unwrap();
    assert!(
        s.pending("kg").unwrap().is_empty(),
        "a refused form stores nothing"
    );
    // A store from before the checks may hold such files: an operator enters +500 votes.
    let op = s.user_by_name("olga").unwrap().unwrap().0;
    let mut p = s.load("kg").unwrap().protocols[0].clone();
    p.votes[0] += 500;
    let mut s = s;
    s.enter("kg", &p, &op, None, clock()).unwrap();
    let shas = [
        plant(&db, "text/html", ATTACK.as_bytes()),
        plant(&db, "image/png", &polyglot),
    ];
    // A verifier opens both; no script runs, so nothing is verified.
    login(&c, &base, "vera").await;
    for sha in &shas {
        c.goto(&format!("{base}/api/scans/{sha}")).await.unwrap();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_ne!(c.title().await.unwrap(), "ran");
    }
    let pending = SqliteStore::open(&db).unwrap().pending("kg").unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        pending[0].state,
        store::PendingState::Entered,
        "nothing was verified"
    );
    c.close().await.unwrap();
}

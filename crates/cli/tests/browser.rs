//! Browser tests: the staff workflow and the public pages in headless Chromium (Debian's
//! `chromium` and `chromium-driver`), driven over WebDriver. The test command installs both;
//! without them (and without `TALLYPROOF_BROWSER_TESTS=1`, which the test command sets) the
//! test says so and stops.
//!
//! On Kyrgyz 2020: an operator logs in and enters a protocol, a verifier confirms it, the
//! public results page shows the new totals and the hemicycle its new seats; a commissioner
//! annuls the station and the totals and the hemicycle change again. A screenshot of the
//! results page is saved (`target/tmp/screenshots/results.png`). Every page in every language
//! at a phone's and a desktop's width: `pages.rs`.

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
pub(crate) const PASSWORD: &str = "a long enough password";

/// Where the test leaves its screenshot.
pub fn screenshot_path() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots/results.png")
}

/// ChromeDriver and the profile folder of the Chromium it starts. Dropped, it ends the
/// browser (which outlives a killed ChromeDriver: its processes are found by their profile
/// folder), then the driver, and removes the folder: no test leaves a browser running.
pub(crate) struct Driver {
    child: Child,
    profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let mark = format!("--user-data-dir={}", self.profile.path().display());
        for process in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let pid = process.file_name().to_str().and_then(|s| s.parse().ok());
            let Some(pid) = pid.and_then(rustix::process::Pid::from_raw) else {
                continue;
            };
            let cmdline = std::fs::read(process.path().join("cmdline")).unwrap_or_default();
            if cmdline.split(|&b| b == 0).any(|arg| arg == mark.as_bytes()) {
                let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
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
pub(crate) async fn browser() -> Option<(Driver, Client)> {
    browser_with(&[]).await
}

/// [`browser`] with more Chromium arguments.
pub(crate) async fn browser_with(extra: &[&str]) -> Option<(Driver, Client)> {
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
    let profile = tempfile::tempdir().unwrap();
    let mark = format!("--user-data-dir={}", profile.path().display());
    let driver = Driver {
        profile,
        child: Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    };
    let mut args = vec![
        "--headless=new".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--window-size=1100,1400".into(),
        mark,
    ];
    args.extend(extra.iter().map(|a| a.to_string()));
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {"binary": CHROMIUM, "args": args}
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

/// Clicks what `l` finds.
pub(crate) async fn click(c: &Client, l: Locator<'_>) {
    c.find(l).await.unwrap().click().await.unwrap();
}

pub(crate) async fn login(c: &Client, base: &str, name: &str) {
    c.delete_all_cookies().await.unwrap();
    c.goto(&format!("{base}/login")).await.unwrap();
    type_into(c, "input[name=name]", name).await;
    type_into(c, "input[name=password]", PASSWORD).await;
    click(c, Locator::Css("form button")).await;
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
        // Counts as the English page writes them: `469,068` (a share may follow, on a line
        // of its own).
        let text = cells[column].text().await.unwrap();
        let count = text
            .lines()
            .next()
            .unwrap_or_default()
            .replace(',', "")
            .parse()
            .unwrap_or_else(|e| panic!("{text:?}: {e}"));
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
    let mut out = first_table(c, &format!("{base}/elections/kg/seats?law=kg2020"), 1).await;
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
    // The station chosen from the unit search (`desk.rs` finds one by its path).
    c.goto(&format!(
        "{base}/elections/kg/staff?unit={}",
        station.station.0
    ))
    .await
    .unwrap();
    for (i, v) in station.votes.iter().enumerate() {
        let v = if i == birimdik { v + 10_000 } else { *v };
        type_into(&c, &format!("input[name=vote_{i}]"), &v.to_string()).await;
    }
    // The valid ballots, which the form needs (`choices = valid`), add up.
    let valid: u64 = station.votes.iter().sum::<u64>() + 10_000;
    type_into(&c, "input[name=valid]", &valid.to_string()).await;
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
    submit(&c, Locator::Css("#enter-protocol"), "entered").await;
    let desk = c.source().await.unwrap();
    assert!(
        desk.contains("olga"),
        "the entry is listed as the operator's"
    );
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

    // A verifier confirms it, on its screen.
    login(&c, &base, "vera").await;
    c.goto(&format!(
        "{base}/elections/kg/staff/pending/{}",
        pending[0].id
    ))
    .await
    .unwrap();
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
    c.goto(&format!(
        "{base}/elections/kg/staff?unit={}",
        station.station.0
    ))
    .await
    .unwrap();
    c.find(Locator::Css("select[name=kind]"))
        .await
        .unwrap()
        .select_by_value("annul-unit")
        .await
        .unwrap();
    type_into(
        &c,
        "textarea[name=reason]",
        "the protocol does not match the copy given to observers",
    )
    .await;
    submit(&c, Locator::Css("#decide"), "decided").await;
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
        let p = SqliteStore::open(&db)
            .unwrap()
            .load("kg")
            .unwrap()
            .protocols[0]
            .clone();
        c.goto(&format!("{base}/elections/kg/staff?unit={}", p.station.0))
            .await
            .unwrap();
        for (i, v) in p.votes.iter().enumerate() {
            type_into(&c, &format!("input[name=vote_{i}]"), &(v + 500).to_string()).await;
        }
        let valid: u64 = p.votes.iter().map(|v| v + 500).sum();
        type_into(&c, "input[name=valid]", &valid.to_string()).await;
        c.find(Locator::Css("input[name=scan]"))
            .await
            .unwrap()
            .send_keys(&path.display().to_string())
            .await
            .unwrap();
        c.find(Locator::Css("#enter-protocol"))
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

/// Where the test leaves the station page's screenshots after a check, at a width.
pub fn station_screenshot_path(width: u32) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("screenshots/station-{width}.png"))
}

/// Runs `script` in the page and answers its value.
pub(crate) async fn eval(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.unwrap()
}

/// Waits until `script` answers something other than null or false.
pub(crate) async fn until(c: &Client, script: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let v = eval(c, script).await;
        if !v.is_null() && v != Value::Bool(false) {
            return v;
        }
        assert!(Instant::now() < deadline, "waited in vain for: {script}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// What the station check said: valid or invalid, the cryptography it used, how long the
/// check took (ms, measured in the page), the verdict and each step.
struct Checked {
    result: String,
    engine: String,
    ms: f64,
    verdict: String,
    steps: Vec<String>,
}

/// Opens the station page at `url`, waits for its check to be ready, runs `before` in the
/// page (to tamper with it or with what the browser remembers), types `fingerprint` if given
/// (else the pinned one stays) and presses the button.
async fn check_station(c: &Client, url: &str, before: &str, fingerprint: Option<&str>) -> Checked {
    c.goto(url).await.unwrap();
    until(
        c,
        "return document.getElementById('check').dataset.ready || null",
    )
    .await;
    eval(c, before).await;
    if let Some(f) = fingerprint {
        let input = c.find(Locator::Id("check-fingerprint")).await.unwrap();
        input.clear().await.unwrap();
        input.send_keys(f).await.unwrap();
    }
    press_check(c).await
}

/// Presses the check's button and reads what it shows.
async fn press_check(c: &Client) -> Checked {
    eval(
        c,
        "document.getElementById('check').removeAttribute('data-result')",
    )
    .await;
    click(c, Locator::Css("#check-form button[type=submit]")).await;
    let result = until(
        c,
        "return document.getElementById('check').dataset.result || null",
    )
    .await;
    let read = |v: Value| v.as_str().unwrap().to_string();
    let ms = read(eval(c, "return document.getElementById('check').dataset.ms").await);
    Checked {
        result: read(result),
        engine: read(eval(c, "return document.getElementById('check').dataset.engine").await),
        ms: ms.parse().unwrap(),
        verdict: read(
            eval(
                c,
                "return document.getElementById('check-verdict').textContent",
            )
            .await,
        ),
        steps: eval(
            c,
            "return Array.from(document.querySelectorAll('#check-steps li'), li => li.textContent)",
        )
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|s| read(s.clone()))
        .collect(),
    }
}

impl Checked {
    /// Asserts a valid check made with `engine`, every one of its six steps passed, the last
    /// (the comparison with what the browser saw before) saying `fresh`; answers the steps.
    fn valid(&self, engine: &str, fresh: &str) -> &[String] {
        let steps = &self.steps;
        assert_eq!(
            (self.result.as_str(), self.engine.as_str()),
            ("valid", engine),
            "{steps:?}"
        );
        assert_eq!(steps.len(), 6, "{steps:?}");
        assert!(
            steps.iter().all(|s| s.starts_with("✔ passed: ")),
            "{steps:?}"
        );
        assert!(steps[5].contains(fresh), "{steps:?}");
        steps
    }

    /// Asserts an invalid check whose verdict names `why`.
    fn invalid(&self, why: &str) {
        assert_eq!(self.result, "invalid", "{:?}", self.steps);
        let verdict = format!("NOT VALID: {why}");
        assert!(self.verdict.starts_with(&verdict), "{}", self.verdict);
    }
}

/// Scrolls the check's form into view, asserts that the page does not scroll sideways at
/// `width`, and saves a screenshot at `path`.
async fn shoot_the_check(c: &Client, width: u32, path: &std::path::Path) {
    eval(c, "document.getElementById('check-form').scrollIntoView()").await;
    let sizes = eval(
        c,
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]",
    )
    .await;
    let (scroll, client) = (sizes[0].as_u64().unwrap(), sizes[1].as_u64().unwrap());
    assert!(client <= u64::from(width), "{client}");
    assert!(
        scroll <= client,
        "{width} px: scrolls sideways, {scroll} > {client}"
    );
    let shot = c.screenshot().await.unwrap();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, &shot).unwrap();
}

/// The median of some durations.
pub(crate) fn median(mut ms: Vec<f64>) -> f64 {
    ms.sort_by(f64::total_cmp);
    ms[ms.len() / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_checks_a_station_in_the_browser() {
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let dir = store_with("data/kg2020/stations_by_region_2413.csv");
    let witness = translog::checkpoint::Cosigner::from_seed("observers.test", [9; 32]);
    let server = serve(dir.path(), &["--witness", &witness.verifier().text()]);
    let key = std::fs::read_to_string(dir.path().join("s.db.logkey")).unwrap();
    let key = translog::note::NoteSigner::parse(key.trim())
        .unwrap()
        .verifier();
    // The fingerprint a reader has from the commission's notice.
    let fingerprint = key.fingerprint();
    let (_, verify) = get(&server.addr, "/verify");
    assert!(
        verify.contains(&format!("<b><code>{fingerprint}</code></b>")),
        "{verify}"
    );
    let loaded = SqliteStore::open(&dir.path().join("s.db"))
        .unwrap()
        .load("kg")
        .unwrap();
    let station = loaded.protocols[0].station.0;
    // The witness cosigns the current checkpoint, which the page then carries.
    let (_, note) = get(&server.addr, "/elections/kg/log/checkpoint");
    let (cp, _) = translog::checkpoint::Checkpoint::open(&note, &key).unwrap();
    let cosigned = format!("{note}{}\n", witness.cosign(&cp, 1_764_740_000).unwrap());
    let body = json!({ "checkpoint": cosigned }).to_string();
    let (status, answer) = crate::serve::request(
        &server.addr,
        "POST",
        "/api/elections/kg/cosignatures",
        &[("content-type", "application/json")],
        body.as_bytes(),
    )
    .unwrap();
    assert_eq!(status, 201, "{answer}");
    let url = format!("http://{}/elections/kg/units/{station}", server.addr);

    // An honest log: valid, with the browser's own cryptography (127.0.0.1 is a secure
    // context), the witness's cosignature verified, the entry shown.
    let honest = check_station(&c, &url, "", Some(&fingerprint)).await;
    let steps = honest.valid("webcrypto", "had not seen this log before");
    assert!(honest.verdict.starts_with("VALID. Checked in"));
    assert!(steps[2].contains("The witness observers.test"), "{steps:?}");
    let p = &loaded.protocols[0];
    let votes: Vec<String> = p.votes.iter().map(u64::to_string).collect();
    let entry = format!(
        "station {station}, contest 0, version 1, {} count, votes {}",
        p.source.key(),
        votes.join(", ")
    );
    assert!(steps[3].contains(&entry), "{steps:?}");
    let secure = eval(&c, "return window.isSecureContext").await;
    assert_eq!(secure, Value::Bool(true));
    // The fingerprint is pinned: the next visit checks against it without typing.
    let mut durations = vec![honest.ms];
    for _ in 0..10 {
        let again = check_station(&c, &url, "", None).await;
        again.valid("webcrypto", "is the checkpoint this browser saw before");
        durations.push(again.ms);
    }
    let fast = median(durations.clone());
    eprintln!("station check with WebCrypto: median {fast:.1} ms of {durations:?}");
    assert!(fast <= 100.0, "the check took {fast} ms (median)");

    // Screenshots after a check, at a phone's width and a desktop's: no sideways scrolling.
    for (width, height) in [(375, 900), (1280, 1000)] {
        c.set_window_size(width, height).await.unwrap();
        let shown = check_station(&c, &url, "", None).await;
        shown.valid("webcrypto", "saw before");
        shoot_the_check(&c, width, &station_screenshot_path(width)).await;
    }
    // In Russian: the script says every step and the verdict in the page's language, from
    // the page's own messages; screenshots at both widths too.
    for (width, height) in [(375, 900), (1280, 1000)] {
        c.set_window_size(width, height).await.unwrap();
        let shown = check_station(&c, &format!("{url}?lang=ru"), "", None).await;
        assert_eq!(shown.result, "valid", "{:?}", shown.steps);
        assert!(
            shown.verdict.starts_with("ПОДТВЕРЖДЕНО. Проверено за "),
            "{}",
            shown.verdict
        );
        assert!(shown
            .verdict
            .ends_with("мс: собственная криптография вашего браузера (WebCrypto)."));
        assert_eq!(shown.steps.len(), 6, "{:?}", shown.steps);
        assert!(
            shown.steps.iter().all(|s| s.starts_with("✔ пройдено: ")),
            "{:?}",
            shown.steps
        );
        assert!(
            shown.steps[3].contains(&format!(
                "участок {station}, выборы 0, версия 1, ручной подсчёт, голоса "
            )),
            "{:?}",
            shown.steps
        );
        assert!(
            shown.steps[5].contains("Это та же контрольная точка"),
            "{:?}",
            shown.steps
        );
        let path = station_screenshot_path(width).with_file_name(format!("station-ru-{width}.png"));
        shoot_the_check(&c, width, &path).await;
    }
    // The choice is kept in a cookie: back to English for the rest.
    c.goto(&format!("{url}?lang=en")).await.unwrap();
    c.set_window_size(1100, 1400).await.unwrap();

    // A tampered proof (one hash of it changed in the page's data), and a tampered entry
    // (its leaf no longer the one the proof is for).
    let not_in_log = "The inclusion proof does not lead to the checkpoint's root";
    for tamper in [
        "b.dataset.proof = (b.dataset.proof[0] === '0' ? '1' : '0') + b.dataset.proof.slice(1)",
        "b.dataset.entry = b.dataset.entry.replace('22766f746573223a5b', '22766f746573223a5b31')",
    ] {
        let script = format!("const b = document.getElementById('check'); {tamper}");
        check_station(&c, &url, &script, None)
            .await
            .invalid(not_in_log);
    }

    // A wrong pinned fingerprint (the reader's is another key's): invalid, and nothing else
    // is checked.
    let wrong = translog::note::NoteSigner::from_seed("tallyproof.local", [7; 32])
        .unwrap()
        .verifier()
        .fingerprint();
    let pin = format!("localStorage.setItem('tallyproof.fingerprint', '{wrong}')");
    c.goto(&url).await.unwrap();
    eval(&c, &pin).await;
    let refused = check_station(&c, &url, "", None).await;
    refused.invalid("The log key this page states has the fingerprint");
    assert!(refused
        .verdict
        .contains(&format!("not the one you gave ({wrong})")));
    assert_eq!(refused.steps.len(), 1);
    let notice = eval(&c, "return document.getElementById('check-pinned').hidden").await;
    assert_eq!(notice, Value::Bool(false));
    // The reader forgets it and types the right one.
    click(&c, Locator::Id("check-forget")).await;
    let pinned = eval(&c, "return localStorage.getItem('tallyproof.fingerprint')").await;
    assert_eq!(pinned, Value::Null);
    let fixed = check_station(&c, &url, "", Some(&fingerprint)).await;
    fixed.valid("webcrypto", "saw before");

    // A stale checkpoint: the browser saw a larger one before; a fork: the same size with
    // another root.
    let origin = cp.origin.clone();
    let seen = |size: u64, root: &str| {
        let seen = format!("{{size: {size}, root: '{root}'}}");
        format!("localStorage.setItem('tallyproof.seen:{origin}', JSON.stringify({seen}))")
    };
    let (root, other) = (cp.root.base64(), translog::leaf_hash(b"another").base64());
    let stale = check_station(&c, &url, &seen(cp.size + 5, &root), None).await;
    stale.invalid("Stale: this browser saw a later checkpoint");
    let forked = check_station(&c, &url, &seen(cp.size, &other), None).await;
    forked.invalid("Forked: this browser saw another checkpoint of the same size");
    // An older checkpoint this one extends (the consistency proof checks), and one it does not.
    let entries = SqliteStore::open(&dir.path().join("s.db"))
        .unwrap()
        .log_range("kg", 0, cp.size)
        .unwrap();
    let older = translog::Tree::from_entries(&entries)
        .root_at(cp.size - 3)
        .unwrap();
    let grown = check_station(&c, &url, &seen(cp.size - 3, &older.base64()), None).await;
    grown.valid("webcrypto", "extends the one this browser saw before");
    let rewritten = check_station(&c, &url, &seen(cp.size - 3, &other), None).await;
    rewritten.invalid("Forked or unproven: no proof that this checkpoint extends");
    c.close().await.unwrap();
    drop(_driver);

    // Over plain HTTP on a name that is not localhost the page is not a secure context: the
    // check uses the vendored pure-JavaScript cryptography, and still says valid.
    let Some((_driver, c)) =
        browser_with(&["--host-resolver-rules=MAP tallyproof.test 127.0.0.1"]).await
    else {
        return;
    };
    let port = server.addr.rsplit(':').next().unwrap();
    let url = format!("http://tallyproof.test:{port}/elections/kg/units/{station}");
    let mut durations = Vec::new();
    for _ in 0..11 {
        let plain = check_station(&c, &url, "", Some(&fingerprint)).await;
        plain.valid("noble", "before");
        assert!(plain.verdict.contains("noble-ed25519 3.2.0"));
        durations.push(plain.ms);
    }
    let secure = eval(&c, "return window.isSecureContext").await;
    assert_eq!(secure, Value::Bool(false));
    assert_eq!(
        eval(&c, "return location.hostname").await,
        json!("tallyproof.test")
    );
    let slow = median(durations.clone());
    eprintln!("station check with the vendored JavaScript: median {slow:.1} ms of {durations:?}");
    assert!(
        slow <= 100.0,
        "the pure-JavaScript check took {slow} ms (median)"
    );
    c.close().await.unwrap();
}

//! Issue 17's staff desk in headless Chromium, each role's flow on a phone's width (375 px),
//! every screen also shot at a desktop's (1280 px): an operator finds a station beyond the
//! 500th by its path and enters a protocol whose votes break `choices = valid`, with its scan;
//! the verifier's screen shows the relation broken, the difference and the scan, and the
//! verification is refused until a commissioner lifts the quarantine with a reason, which the
//! station's public page then shows, and the totals the new votes; a rejection's reason
//! reaches the operator; under blind double entry two keyings that differ go to a
//! commissioner, who chooses one; an observer files a categorised complaint about a station
//! chosen by name; a commissioner reads it, annuls the station, upholds the complaint with the
//! annulment as its answer; the public register shows it without its complainant;
//! certification shows what it certifies, then the public pages say certified; an admin adds
//! a user (the one-time password shown once), a second admin approves, the user is assigned a
//! region chosen by search, the password reset and approved again, the user disabled and no
//! longer able to log in. With `UPDATE_SCREENSHOTS=1` the screens go to `docs/screenshots/`
//! (in Russian); always to `target/tmp/screenshots/desk/`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use model::{UnitId, UnitLevel};
use store::{SqliteStore, Staffing, Store};

use crate::browser::{browser, eval, login, PASSWORD};
use crate::serve::serve;
use crate::{run, stderr, store_with};

/// The widths every screen is shot at: the flow runs at the first.
pub(crate) const WIDTHS: [u32; 2] = [375, 1280];

/// Where a screen's screenshot goes.
fn shot_path(name: &str, width: u32) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("screenshots/desk/{name}-{width}.png"))
}

/// Asserts that the page open in `c` (`what`) does not scroll sideways.
pub(crate) async fn no_sideways(c: &Client, what: &str) {
    let wide = eval(
        c,
        "return [document.documentElement.scrollWidth, window.innerWidth]",
    )
    .await;
    assert!(
        wide[0].as_u64() <= wide[1].as_u64(),
        "{what} scrolls sideways: {wide}"
    );
}

/// Keeps screenshot `png` as `{stem}.png` under the tests' screenshots, and with
/// `UPDATE_SCREENSHOTS=1` in `docs/screenshots/` too.
pub(crate) fn keep_shot(stem: &str, png: &[u8]) {
    let path =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("screenshots/desk/{stem}.png"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, png).unwrap();
    if std::env::var_os("UPDATE_SCREENSHOTS").is_some() {
        std::fs::write(
            crate::workspace(&format!("docs/screenshots/{stem}.png")),
            png,
        )
        .unwrap();
    }
}

/// Shoots the page at `url` (in Russian) at both widths, and back at the phone's.
pub(crate) async fn shoot(c: &Client, url: &str, name: &str) {
    // In Russian; a fragment (`#incident`) stays last, and the shot shows the page there.
    let (page, fragment) = url.split_once('#').map_or((url, ""), |(p, f)| (p, f));
    let sep = if page.contains('?') { '&' } else { '?' };
    let hash = if fragment.is_empty() { "" } else { "#" };
    let ru = format!("{page}{sep}lang=ru{hash}{fragment}");
    for w in WIDTHS {
        c.set_window_size(w, 1800).await.unwrap();
        c.goto(&ru).await.unwrap();
        let wide: Vec<u64> = eval(
            c,
            "return [document.documentElement.scrollWidth, window.innerWidth]",
        )
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
        assert!(
            wide[0] <= wide[1],
            "{name} at {w} px scrolls sideways: {wide:?}"
        );
        keep_shot(&format!("{name}-{w}"), &c.screenshot().await.unwrap());
    }
    c.set_window_size(WIDTHS[0], 1200).await.unwrap();
    // Back in English, where the flow reads its words.
    c.goto(&format!("{page}{sep}lang=en")).await.unwrap();
}

pub(crate) async fn find(c: &Client, css: &str) -> fantoccini::elements::Element {
    match c.find(Locator::Css(css)).await {
        Ok(e) => e,
        Err(e) => panic!("{css}: {e}: {}", c.source().await.unwrap_or_default()),
    }
}

pub(crate) async fn type_into(c: &Client, css: &str, text: &str) {
    find(c, css).await.send_keys(text).await.unwrap();
}

pub(crate) async fn select(c: &Client, css: &str, value: &str) {
    find(c, css).await.select_by_value(value).await.unwrap();
}

/// Clicks `css` and waits until the page's address has `want` in it.
pub(crate) async fn click_to(c: &Client, css: &str, want: &str) {
    find(c, css).await.click().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let url = c.current_url().await.unwrap().to_string();
        if url.contains(want) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no '{want}' after clicking {css}: at {url}: {}",
            c.source().await.unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Clicks `css` (a form's button) and waits until a new page has loaded and says `text` (the
/// old page may already say it: a label above the form).
pub(crate) async fn click_until(c: &Client, css: &str, text: &str) -> String {
    press(c, find(c, css).await).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let page = c.source().await.unwrap_or_default();
        if page.contains(text) {
            return page;
        }
        assert!(
            Instant::now() < deadline,
            "no '{text}' after clicking {css}: {page}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Clicks `element` (a form's button) and waits until the page it leads to has loaded. The
/// old page is marked first: reading it, or finding an element in it, while the new one
/// loads is a race.
pub(crate) async fn press(c: &Client, element: fantoccini::elements::Element) {
    eval(c, "window.tallyproofOldPage = true; return true").await;
    element.click().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let fresh = c
            .execute(
                "return document.readyState === 'complete' && !window.tallyproofOldPage",
                vec![],
            )
            .await
            .ok()
            == Some(serde_json::Value::Bool(true));
        if fresh {
            return;
        }
        assert!(Instant::now() < deadline, "no new page after a click");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn add_users(dir: &Path) {
    for (name, role) in [
        ("olga", "operator"),
        ("oleg", "operator"),
        ("vera", "verifier"),
        ("kamila", "commissioner"),
        ("aida", "observer"),
        ("bakyt", "admin"),
        ("asel", "admin"),
    ] {
        crate::add_user(dir, name, role, PASSWORD);
    }
    for op in ["olga", "oleg"] {
        let o = run(dir, &["users", "assign", op, "--db", "s.db"]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
}

/// The entries waiting, newest last.
fn pending(db: &Path) -> Vec<store::Pending> {
    SqliteStore::open(db).unwrap().pending("kg").unwrap()
}

/// Keys the protocol `votes` (and the valid ballots `valid`) of the chosen station into the
/// operator's form, with `scan`, and enters it.
async fn key(c: &Client, votes: &[u64], valid: Option<u64>, scan: Option<&Path>) {
    for (i, v) in votes.iter().enumerate() {
        type_into(c, &format!("input[name=vote_{i}]"), &v.to_string()).await;
    }
    if let Some(v) = valid {
        type_into(c, "input[name=valid]", &v.to_string()).await;
    }
    if let Some(s) = scan {
        find(c, "input[name=scan]")
            .await
            .send_keys(&s.display().to_string())
            .await
            .unwrap();
    }
    click_to(c, "#enter-protocol", "done=entered").await;
}

/// Logs `name` in with `password`: whether it went through.
async fn logs_in(c: &Client, base: &str, name: &str, password: &str) -> bool {
    c.delete_all_cookies().await.unwrap();
    c.goto(&format!("{base}/login")).await.unwrap();
    type_into(c, "input[name=name]", name).await;
    type_into(c, "input[name=password]", password).await;
    find(c, "form button").await.click().await.unwrap();
    tokio::time::sleep(Duration::from_millis(700)).await;
    c.current_url().await.unwrap().path() == "/"
}

/// Logs `name` in with the one-time password `once`, choosing `own` on the page that asks for
/// it (looked at at 375 px: no sideways scroll): whether it went through.
async fn chooses_password(c: &Client, base: &str, name: &str, once: &str, own: &str) -> bool {
    c.set_window_size(WIDTHS[0], 1200).await.unwrap();
    if logs_in(c, base, name, once).await {
        return false;
    }
    if !c.source().await.unwrap().contains("Choose your password") {
        return false;
    }
    let wide = eval(
        c,
        "return document.documentElement.scrollWidth <= window.innerWidth",
    )
    .await;
    assert_eq!(wide, serde_json::json!(true), "the page scrolls sideways");
    let path = shot_path("desk-choose-password", WIDTHS[0]);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, c.screenshot().await.unwrap()).unwrap();
    type_into(c, "#new_password", own).await;
    type_into(c, "#new_password_again", own).await;
    find(c, "#choose-password").await.click().await.unwrap();
    tokio::time::sleep(Duration::from_millis(700)).await;
    c.current_url().await.unwrap().path() == "/"
}

/// The items of the relations the desk's script lists as the operator types (class, text),
/// once it lists any.
async fn live_relations(c: &Client) -> Vec<(String, String)> {
    let script = "const b = document.getElementById('live-relations'); \
                  if (!b || b.hidden) return null; \
                  return [...b.querySelectorAll('li')].map(li => [li.className, li.textContent]);";
    for _ in 0..50 {
        if let Some(items) = eval(c, script).await.as_array().filter(|a| !a.is_empty()) {
            return items
                .iter()
                .map(|i| {
                    let s = |k: usize| i[k].as_str().unwrap_or_default().to_string();
                    (s(0), s(1))
                })
                .collect();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the desk's script listed no relation")
}

/// A count as the desk writes it in English (the flow's language): digits in groups of three.
fn en_count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The one-time password a page shows.
async fn one_time(c: &Client) -> String {
    find(c, "code.password").await.text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_works_at_the_desk_in_a_real_browser() {
    let Some((_driver, c)) = browser().await else {
        return;
    };
    c.set_window_size(WIDTHS[0], 1200).await.unwrap();
    let dir = store_with("data/kg2020/stations_by_region_2413.csv");
    add_users(dir.path());
    let db = dir.path().join("s.db");
    let loaded = SqliteStore::open(&db).unwrap().load("kg").unwrap();
    let e = loaded.election;
    let server = serve(dir.path(), &[]);
    let base = format!("http://{}", server.addr);
    let desk = format!("{base}/elections/kg/staff");
    let scan = dir.path().join("protocol.png");
    std::fs::write(
        &scan,
        std::fs::read(crate::workspace("crates/server/tests/data/scans/scan.png")).unwrap(),
    )
    .unwrap();
    let stations: Vec<UnitId> = e
        .units
        .iter()
        .filter(|(_, u)| u.level == UnitLevel::Station)
        .map(|(id, _)| id)
        .collect();
    let protocol = |id: UnitId| {
        loaded
            .protocols
            .iter()
            .find(|p| p.station == id)
            .unwrap()
            .clone()
    };

    // 1. An operator finds the 2,001st station by its path (no list stops at 500), checks
    //    figures that break `choices = valid`, and enters them with the scan.
    let far = stations[2000];
    let path = e.units.path(far);
    let p = protocol(far);
    login(&c, &base, "olga").await;
    c.goto(&desk).await.unwrap();
    type_into(&c, "#q", &path).await;
    click_to(&c, "#find", "q=").await;
    click_to(
        &c,
        &format!("ul.found a[href$='unit={}']", far.0),
        &format!("unit={}", far.0),
    )
    .await;
    let chosen = c.current_url().await.unwrap().to_string();
    shoot(&c, &chosen, "desk-operator-station").await;
    let before = c.current_url().await.unwrap();
    let mut votes = p.votes.clone();
    votes[0] += 500;
    let valid = p.line(model::Line::Valid);
    for (i, v) in votes.iter().enumerate() {
        type_into(&c, &format!("input[name=vote_{i}]"), &v.to_string()).await;
    }
    if let Some(v) = valid {
        type_into(&c, "input[name=valid]", &v.to_string()).await;
    }
    // As they type, the desk's script shows the broken relation with its figures (the sum of
    // the votes against the valid ballots), before anything is sent.
    let sum: u64 = votes.iter().sum();
    let live = live_relations(&c).await;
    assert!(
        live.iter()
            .any(|(class, text)| class == "error" && text.contains(&en_count(sum))),
        "{live:?}"
    );
    assert_eq!(c.current_url().await.unwrap(), before, "nothing was sent");
    let typing = shot_path("desk-operator-typing", WIDTHS[0]);
    eval(
        &c,
        "document.getElementById('live-relations').scrollIntoView()",
    )
    .await;
    std::fs::write(&typing, c.screenshot().await.unwrap()).unwrap();
    let checked = click_until(&c, "#check-protocol", "Control relations").await;
    assert!(
        checked.contains("class=\"error\""),
        "the broken relation is shown before entering"
    );
    // The figures stay in the form after the check; the scan goes with the entry.
    find(&c, "input[name=scan]")
        .await
        .send_keys(&scan.display().to_string())
        .await
        .unwrap();
    click_to(&c, "#enter-protocol", "done=entered").await;
    let entry = pending(&db).last().unwrap().clone();
    assert_eq!(entry.protocol.votes, votes);
    assert!(entry.scan.is_some(), "the scan is stored and cited");

    // 2. The verifier's screen: the relation broken, the difference, the scan; the
    //    verification refused while quarantined.
    login(&c, &base, "vera").await;
    c.goto(&desk).await.unwrap();
    click_to(
        &c,
        &format!("a[href$='/pending/{}']", entry.id),
        &format!("/pending/{}", entry.id),
    )
    .await;
    let screen = format!("{desk}/pending/{}", entry.id);
    let page = c.source().await.unwrap();
    assert!(
        page.contains("Quarantined") && page.contains("class=\"error\""),
        "{page}"
    );
    assert!(
        page.contains("class=\"changed\"") && page.contains("+500"),
        "{page}"
    );
    assert!(page.contains("<img class=\"scan\""), "{page}");
    let loaded_scan = eval(
        &c,
        "const i = document.querySelector('img.scan'); return i.complete && i.naturalWidth > 0",
    )
    .await;
    assert_eq!(
        loaded_scan,
        serde_json::Value::Bool(true),
        "the scan shows in place"
    );
    shoot(&c, &screen, "desk-verifier").await;
    let refused = click_until(&c, "#verify", "quarantined").await;
    assert!(refused.contains("409"), "{refused}");

    // 3. A commissioner lifts the quarantine with a reason; the verifier verifies.
    login(&c, &base, "kamila").await;
    c.goto(&screen).await.unwrap();
    type_into(
        &c,
        "#ruling-reason",
        "Recount of 5 Oct: the 500 ballots are in the box",
    )
    .await;
    click_to(&c, "#override", "done=overridden").await;
    login(&c, &base, "vera").await;
    c.goto(&screen).await.unwrap();
    click_to(&c, "#verify", "done=verified").await;
    c.delete_all_cookies().await.unwrap();
    c.goto(&format!("{base}/elections/kg/units/{}", far.0))
        .await
        .unwrap();
    let public = c.source().await.unwrap();
    assert!(public.contains("a commissioner lifted its quarantine: Recount of 5 Oct: the 500 ballots are in the box"), "{public}");

    // 4. A rejection's reason reaches the operator.
    let other = stations[10];
    login(&c, &base, "olga").await;
    c.goto(&format!("{desk}?unit={}", other.0)).await.unwrap();
    key(
        &c,
        &protocol(other).votes,
        protocol(other).line(model::Line::Valid),
        None,
    )
    .await;
    let rejected = pending(&db).last().unwrap().clone();
    login(&c, &base, "vera").await;
    c.goto(&format!("{desk}/pending/{}", rejected.id))
        .await
        .unwrap();
    type_into(
        &c,
        "#reason",
        "Station 10's copy is signed by two members only",
    )
    .await;
    click_to(&c, "#reject", "done=rejected").await;
    login(&c, &base, "olga").await;
    c.goto(&desk).await.unwrap();
    let mine = c.source().await.unwrap();
    assert!(
        mine.contains("Rejected: Station 10's copy is signed by two members only"),
        "{mine}"
    );
    shoot(&c, &desk, "desk-operator-entries").await;

    // 5. Blind double entry: two keyings that differ go to a commissioner, who chooses one.
    login(&c, &base, "kamila").await;
    c.goto(&desk).await.unwrap();
    click_to(&c, "#intake", "done=intake").await;
    let twice = stations[20];
    let q = protocol(twice);
    let mut swapped = q.votes.clone();
    swapped.swap(0, 1);
    for (op, v) in [("olga", &q.votes), ("oleg", &swapped)] {
        login(&c, &base, op).await;
        c.goto(&format!("{desk}?unit={}", twice.0)).await.unwrap();
        // Blind: an operator never sees another's keying.
        assert!(!c.source().await.unwrap().contains("/pending/"));
        key(&c, v, q.line(model::Line::Valid), None).await;
    }
    let keyings: Vec<store::Pending> = pending(&db)
        .into_iter()
        .filter(|x| x.protocol.station == twice)
        .collect();
    assert_eq!(keyings.len(), 2);
    login(&c, &base, "vera").await;
    c.goto(&format!("{desk}/pending/{}", keyings[0].id))
        .await
        .unwrap();
    assert!(c.source().await.unwrap().contains("the figures differ"));
    login(&c, &base, "kamila").await;
    let mismatch = format!("{desk}/pending/{}", keyings[0].id);
    shoot(&c, &mismatch, "desk-commissioner-mismatch").await;
    // The commissioner sees the two keyings side by side: the first two parties swapped.
    let other = eval(
        &c,
        "return Array.from(document.querySelectorAll('table.cmp'))[0].innerText",
    )
    .await;
    let other = other.as_str().unwrap_or_default();
    let (a, b) = (en_count(q.votes[0]), en_count(q.votes[1]));
    let diff = |x: u64, y: u64| {
        let d = i128::from(x) - i128::from(y);
        let sign = if d > 0 { "+" } else { "−" };
        format!("{sign}{}", en_count(d.unsigned_abs() as u64))
    };
    assert!(
        other.contains(&format!("Entry {}", keyings[1].id)),
        "{other}"
    );
    let page = eval(&c, "return document.body.innerText").await;
    let page = page.as_str().unwrap_or_default();
    assert!(
        page.contains(&format!("Other keying (entry {})", keyings[1].id)),
        "{page}"
    );
    if q.votes[0] != q.votes[1] {
        assert!(
            other.contains(&format!("{a}\t{b}\t{}", diff(q.votes[0], q.votes[1]))),
            "{other}"
        );
    }
    type_into(
        &c,
        "#ruling-reason",
        "Olga's keying matches the paper protocol",
    )
    .await;
    click_to(&c, "#resolve", "done=resolved").await;
    login(&c, &base, "vera").await;
    c.goto(&mismatch).await.unwrap();
    click_to(&c, "#verify", "done=verified").await;
    // The other keying can no longer be verified: the desk says so; the verifier rejects it.
    c.goto(&format!("{desk}/pending/{}", keyings[1].id))
        .await
        .unwrap();
    assert!(c
        .source()
        .await
        .unwrap()
        .contains("can no longer be verified"));
    type_into(&c, "#reason", "Superseded by the commission's choice").await;
    click_to(&c, "#reject", "done=rejected").await;
    login(&c, &base, "kamila").await;
    c.goto(&desk).await.unwrap();
    click_to(&c, "#intake", "done=intake").await;

    // 6. An observer files a categorised complaint about a station chosen by name.
    let complained = stations[300];
    let cpath = e.units.path(complained);
    login(&c, &base, "aida").await;
    c.goto(&desk).await.unwrap();
    type_into(&c, "#q", &cpath).await;
    click_to(&c, "#find", "q=").await;
    click_to(
        &c,
        &format!("ul.found a[href$='unit={}']", complained.0),
        &format!("unit={}", complained.0),
    )
    .await;
    select(&c, "#category", "ballot-stuffing").await;
    type_into(
        &c,
        "#text",
        "A man put a bundle of ballots in the box at 19:40",
    )
    .await;
    find(&c, "input[name=scan]")
        .await
        .send_keys(&scan.display().to_string())
        .await
        .unwrap();
    let observer = c.current_url().await.unwrap().to_string();
    click_to(&c, "#complain", "done=complained").await;
    shoot(&c, &observer, "desk-observer").await;

    // 7. A commissioner reads it, annuls the station, upholds it with the annulment.
    login(&c, &base, "kamila").await;
    c.goto(&desk).await.unwrap();
    assert!(c
        .source()
        .await
        .unwrap()
        .contains("A man put a bundle of ballots in the box at 19:40"));
    type_into(&c, "#q", &cpath).await;
    click_to(&c, "#find", "q=").await;
    click_to(
        &c,
        &format!("ul.found a[href$='unit={}']", complained.0),
        &format!("unit={}", complained.0),
    )
    .await;
    select(&c, "#kind", "annul-unit").await;
    type_into(&c, "#reason", "Ballot stuffing seen by two observers").await;
    click_to(&c, "#decide", "done=decided").await;
    let log = SqliteStore::open(&db).unwrap().log("kg").unwrap();
    let at = |t: &str| {
        log.iter()
            .rposition(|b| String::from_utf8_lossy(b).contains(t))
            .unwrap()
    };
    let (complaint, annulment) = (at("\"type\":\"complaint\""), at("\"type\":\"decision\""));
    shoot(&c, &desk, "desk-commissioner").await;
    find(&c, &format!("#complaint-{complaint} summary"))
        .await
        .click()
        .await
        .unwrap();
    select(&c, &format!("#status-{complaint}"), "upheld").await;
    type_into(
        &c,
        &format!("#reason-{complaint}"),
        "Confirmed by the observers' video",
    )
    .await;
    select(
        &c,
        &format!("#decision-{complaint}"),
        &annulment.to_string(),
    )
    .await;
    click_to(&c, &format!("#review-{complaint}"), "done=reviewed").await;

    // 8. The public register: the complaint, upheld and answered, without its complainant.
    c.delete_all_cookies().await.unwrap();
    let register = format!("{base}/elections/kg/complaints");
    c.goto(&register).await.unwrap();
    let page = c.source().await.unwrap();
    assert!(
        page.contains("A man put a bundle of ballots in the box at 19:40")
            && page.contains("Upheld"),
        "{page}"
    );
    assert!(
        page.contains(&format!("Answered by decision {annulment}")),
        "{page}"
    );
    assert!(!page.contains("aida"), "the complainant is never shown");
    shoot(&c, &register, "complaints").await;

    // 9. Certification shows what it certifies, then the public pages say certified.
    login(&c, &base, "kamila").await;
    c.goto(&desk).await.unwrap();
    let page = c.source().await.unwrap();
    assert!(
        page.contains("What will be certified") && page.contains("0 complaints still open"),
        "{page}"
    );
    find(&c, "#confirm").await.click().await.unwrap();
    click_to(&c, "#certify", "done=certified").await;
    c.delete_all_cookies().await.unwrap();
    c.goto(&format!("{base}/elections/kg")).await.unwrap();
    assert!(c.source().await.unwrap().contains("Certified"));

    // 10. An admin adds a user, a second admin approves, the user gets a region by search;
    //     a reset, approved again; disabled, the user can no longer log in.
    login(&c, &base, "bakyt").await;
    c.goto(&desk).await.unwrap();
    type_into(&c, "#new-name", "nurlan").await;
    select(&c, "#new-role", "operator").await;
    let shown = click_until(&c, "#add-user", "First half of the one-time password").await;
    assert!(shown.contains("nurlan"));
    let first = one_time(&c).await;
    assert!(
        !logs_in(&c, &base, "nurlan", &first).await,
        "not before a second admin approves"
    );
    login(&c, &base, "asel").await;
    c.goto(&desk).await.unwrap();
    // The approval shows the second half of the one-time password; the user types both.
    click_until(
        &c,
        "form[action$='/users/nurlan/approve'] button",
        "Second half",
    )
    .await;
    let half = shot_path("desk-second-half", WIDTHS[0]);
    std::fs::write(&half, c.screenshot().await.unwrap()).unwrap();
    let first = format!("{first}-{}", one_time(&c).await);
    assert!(chooses_password(&c, &base, "nurlan", &first, "nurlan-own-password").await);
    assert!(
        !logs_in(&c, &base, "nurlan", &first).await,
        "the one-time password is spent"
    );
    let region = e
        .units
        .iter()
        .find(|(_, u)| u.level == UnitLevel::Region)
        .unwrap()
        .0;
    login(&c, &base, "bakyt").await;
    c.goto(&desk).await.unwrap();
    type_into(&c, "#q", e.units.get(region).name).await;
    click_to(&c, "#find", "q=").await;
    click_to(
        &c,
        &format!("ul.found a[href$='unit={}']", region.0),
        &format!("unit={}", region.0),
    )
    .await;
    select(&c, "#operator", "nurlan").await;
    click_to(&c, "#assign", "done=assigned").await;
    shoot(&c, &desk, "desk-admin").await;
    click_until(
        &c,
        "form[action$='/users/nurlan/reset'] button",
        "First half of the one-time password",
    )
    .await;
    let second = one_time(&c).await;
    assert_ne!(first, second);
    assert!(
        !logs_in(&c, &base, "nurlan", &second).await,
        "a reset waits for approval"
    );
    login(&c, &base, "asel").await;
    c.goto(&desk).await.unwrap();
    click_until(
        &c,
        "form[action$='/users/nurlan/approve'] button",
        "Second half",
    )
    .await;
    let second = format!("{second} {}", one_time(&c).await);
    assert!(chooses_password(&c, &base, "nurlan", &second, "nurlan-second-own").await);
    login(&c, &base, "bakyt").await;
    c.goto(&desk).await.unwrap();
    click_to(
        &c,
        "form[action$='/users/nurlan/disable'] button",
        "done=disabled",
    )
    .await;
    assert!(
        !logs_in(&c, &base, "nurlan", "nurlan-second-own").await,
        "a disabled user cannot log in"
    );
    let s = SqliteStore::open(&db).unwrap();
    assert!(s
        .users()
        .unwrap()
        .iter()
        .any(|u| u.name == "nurlan" && u.disabled));
    // Everything above replays.
    let log = s.log("kg").unwrap();
    record::replay(
        log.iter()
            .enumerate()
            .map(|(i, b)| (i as u64, b.as_slice())),
    )
    .unwrap();
    c.close().await.unwrap();
}

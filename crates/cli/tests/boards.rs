//! Issue 18's audit boards in headless Chromium, on a synthetic election of 200 stations with
//! ballots stuffed at a few (`tallyproof gen --stuff`): the auditor sees the method comparison,
//! starts a comparison audit with the records, draws a first round of 12 ballots and forms
//! two boards; each board's members mark their ballots at a phone's width (375 px) — by the
//! party's button, once by a typed name — and sign off with their own logins; a member who
//! signed off cannot sign off for the other; the most flagged station is counted by hand as a
//! targeted sample, reported apart from the risk; a second round, read by the boards over the
//! API, confirms the audit. Every screen is shot at 375 and 1280 px (`shoot`), with
//! `UPDATE_SCREENSHOTS=1` into `docs/screenshots/`.
//!
//! No audit of a 120-seat allocation confirms in 50 ballots (a seat's margin is at most half
//! a seat's worth of votes): the first round is read in the browser, the second over the API.

use std::collections::HashMap;
use std::path::Path;

use fantoccini::{Client, Locator};
use serde_json::{json, Value};

use crate::browser::{browser, login, PASSWORD};
use crate::desk::{click_to, click_until, find, press, select, shoot, type_into, WIDTHS};
use crate::serve::{request, serve};
use crate::{run, stderr, stdout};

/// The cast-vote records' choice of each ballot: (station path, position) -> the choice's
/// name (none: no valid vote).
fn records(dir: &Path) -> HashMap<(String, u64), Option<String>> {
    let mut r = csv::Reader::from_path(dir.join("cvrs.csv")).unwrap();
    r.records()
        .map(|x| {
            let x = x.unwrap();
            let choice = Some(x[2].to_string()).filter(|c| !c.is_empty());
            ((x[0].to_string(), x[1].parse().unwrap()), choice)
        })
        .collect()
}

/// Marks the ballot the board's screen shows with what its record says: the party's button,
/// or the typed name (`typed`), or blank.
async fn mark_shown(c: &Client, cvrs: &HashMap<(String, u64), Option<String>>, typed: bool) {
    let station = find(c, "dd.station").await.text().await.unwrap();
    let position: u64 = find(c, "dd.position")
        .await
        .text()
        .await
        .unwrap()
        .replace([',', '\u{a0}', ' '], "")
        .parse()
        .unwrap();
    let choice = cvrs[&(station.clone(), position)].clone();
    match choice {
        None => press(c, find(c, "button.blank").await).await,
        Some(name) if typed => {
            type_into(c, "#typed", &name.to_lowercase()).await;
            press(c, find(c, "#record-typed").await).await;
        }
        Some(name) => {
            let buttons = c.find_all(Locator::Css("button.choice")).await.unwrap();
            let mut chosen = None;
            for b in buttons {
                if b.text().await.unwrap().trim() == name {
                    chosen = Some(b);
                }
            }
            press(c, chosen.unwrap_or_else(|| panic!("no button for {name}"))).await;
        }
    }
}

/// A member's API token (`tallyproof users token`).
fn token(dir: &Path, name: &str) -> String {
    let o = run(dir, &["users", "token", name, "--db", "s.db"]);
    assert!(o.status.success(), "{}", stderr(&o));
    format!("Bearer {}", stdout(&o).trim())
}

/// A JSON request to the service with a token: the status and the answer.
fn api(addr: &str, method: &str, path: &str, token: &str, body: Value) -> (u16, Value) {
    let (status, text) = request(
        addr,
        method,
        path,
        &[
            ("authorization", token),
            ("content-type", "application/json"),
        ],
        body.to_string().as_bytes(),
    )
    .unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Reads a round through the API: the boards formed, every ballot marked as its record says,
/// both members' sign-offs.
fn read_round_over_the_api(addr: &str, dir: &Path, cvrs: &HashMap<(String, u64), Option<String>>) {
    let auditor = token(dir, "asel");
    let audit = "/api/elections/w/audits/w1";
    let (s, a) = api(
        addr,
        "POST",
        &format!("{audit}/rounds"),
        &auditor,
        json!({}),
    );
    assert_eq!(s, 201, "{a}");
    let boards = json!({"boards": [["aibek", "nurgul"], ["timur", "zarina"]]});
    let (s, a) = api(addr, "POST", &format!("{audit}/boards"), &auditor, boards);
    assert_eq!(s, 201, "{a}");
    for (board, members) in [(1, ["aibek", "nurgul"]), (2, ["timur", "zarina"])] {
        let first = token(dir, members[0]);
        let path = format!("{audit}/boards/{board}");
        let (s, share) = api(addr, "GET", &path, &first, Value::Null);
        assert_eq!(s, 200, "{share}");
        for item in share["items"].as_array().unwrap() {
            let key = (
                item["path"].as_str().unwrap().to_string(),
                item["position"].as_u64().unwrap(),
            );
            let body = match &cvrs[&key] {
                Some(name) => json!({ "choice": name }),
                None => json!({"mark": "blank"}),
            };
            let mark = format!("{path}/marks/{}", item["item"]);
            let (s, a) = api(addr, "PUT", &mark, &first, body);
            assert_eq!(s, 200, "{a}");
        }
        for m in members {
            // Each signs off the marks as the share shows them (its `entry`).
            let t = token(dir, m);
            let (_, share) = api(addr, "GET", &path, &t, Value::Null);
            let body = json!({"entry": share["entry"]});
            let (s, a) = api(addr, "POST", &format!("{path}/sign-off"), &t, body);
            assert_eq!(s, 201, "{a}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_boards_read_a_round_in_a_real_browser() {
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for args in [
        &[
            "gen",
            "--stations",
            "200",
            "--parties",
            "3",
            "--regions",
            "2",
            "--seed",
            "10",
            "--stuff",
            "0.02",
            "-o",
            "w.csv",
        ][..],
        &[
            "import", "w.csv", "--db", "s.db", "--name", "w", "--law", "kg2020",
        ],
    ] {
        let o = run(d, args);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    for (name, role) in [
        ("asel", "auditor"),
        ("aibek", "board-member"),
        ("nurgul", "board-member"),
        ("timur", "board-member"),
        ("zarina", "board-member"),
    ] {
        crate::add_user(d, name, role, PASSWORD);
    }
    let o = run(d, &["audit", "cvrs", "--db", "s.db", "--out", "cvrs.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let cvrs = records(d);
    let server = serve(d, &[]);
    let base = format!("http://{}", server.addr);
    let desk = format!("{base}/elections/w/staff");
    c.set_window_size(WIDTHS[0], 1200).await.unwrap();

    // The auditor: the method comparison, then a comparison audit with the records.
    login(&c, &base, "asel").await;
    c.goto(&desk).await.unwrap();
    // The closest assertion is named with its margin in ballots.
    let page = c.source().await.unwrap();
    assert!(
        page.contains("Party 0") && page.contains("ballot"),
        "{page}"
    );
    shoot(&c, &desk, "audit-methods").await;
    type_into(&c, "#audit", "w1").await;
    select(&c, "#method", "comparison").await;
    let risk = find(&c, "#risk_limit").await;
    risk.clear().await.unwrap();
    risk.send_keys("10").await.unwrap();
    type_into(&c, "#seed", "40 17 92 03").await;
    find(&c, "#cvrs")
        .await
        .send_keys(&d.join("cvrs.csv").display().to_string())
        .await
        .unwrap();
    click_to(&c, "#start-audit", "done=audit-started").await;
    type_into(&c, "#ballots-w1", "12").await;
    click_to(
        &c,
        "form[action$='/audits/w1'] input[value=round] ~ div button",
        "done=round",
    )
    .await;
    for (k, (a, b)) in [(1, ("aibek", "nurgul")), (2, ("timur", "zarina"))] {
        select(&c, &format!("#board-{k}-a-w1"), a).await;
        select(&c, &format!("#board-{k}-b-w1"), b).await;
    }
    click_to(
        &c,
        "form[action$='/audits/w1'] input[value=boards] ~ div button",
        "done=boards",
    )
    .await;
    shoot(&c, &desk, "audit-boards-formed").await;

    // Each board: the first member marks its ballots at 375 px, both sign off.
    for (board, (first, second)) in [(1, ("aibek", "nurgul")), (2, ("timur", "zarina"))] {
        login(&c, &base, first).await;
        c.goto(&desk).await.unwrap();
        let screen = format!("{desk}/boards/w1/{board}");
        click_to(
            &c,
            &format!("a[href$='/boards/w1/{board}']"),
            &format!("/boards/w1/{board}"),
        )
        .await;
        if board == 1 {
            shoot(&c, &screen, "audit-board-ballot").await;
        }
        let mut typed = board == 1;
        while c.find(Locator::Css("dd.station")).await.is_ok() {
            mark_shown(&c, &cvrs, typed).await;
            typed = false;
        }
        assert!(c.source().await.unwrap().contains("Every item is marked"));
        if board == 1 {
            shoot(&c, &screen, "audit-board-sign-off").await;
        }
        click_to(&c, "#sign-off", "done=signed-off").await;
        // One member cannot sign off for both: a second sign-off of the same marks is refused.
        c.goto(&screen).await.unwrap();
        click_until(&c, "#sign-off", "signed off these marks already").await;
        login(&c, &base, second).await;
        c.goto(&screen).await.unwrap();
        assert!(
            c.source().await.unwrap().contains(first),
            "the first sign-off is shown"
        );
        click_to(&c, "#sign-off", "done=board-complete").await;
    }

    // The most flagged station, counted by hand beside the random sample: 50 stuffed
    // ballots found for the leader.
    let o = run(
        d,
        &["forensics", "flags", "--db", "s.db", "--election", "w"],
    );
    let flags = stdout(&o);
    let header = flags.lines().find(|l| l.contains(" rank ")).unwrap();
    let at = header.find("station").unwrap();
    let top = flags
        .lines()
        .find(|l| l.trim_start().starts_with("1 "))
        .unwrap();
    // The score as printed is rounded to two places: just below it takes the station.
    let score: f64 = top.split_whitespace().nth(1).unwrap().parse().unwrap();
    let score = format!("{:.3}", score - 0.005);
    let station = top[at..].trim().to_string();
    login(&c, &base, "asel").await;
    c.goto(&desk).await.unwrap();
    type_into(&c, "#flagged-w1", &score).await;
    click_to(
        &c,
        "form[action$='/audits/w1'] input[value=target-flagged] ~ div button",
        "done=targeted",
    )
    .await;
    let parties = ["Party 01", "Party 02", "Party 03"];
    let mut votes: Vec<u64> = parties
        .iter()
        .map(|p| {
            cvrs.iter()
                .filter(|((s, _), c)| *s == station && c.as_deref() == Some(*p))
                .count() as u64
        })
        .collect();
    let leader = (0..3).max_by_key(|&i| votes[i]).unwrap();
    votes[leader] -= 50;
    let counts = format!(
        "Batch Name,{},Ballots\n\"{station}\",{},{},{},{}\n",
        parties.join(","),
        votes[0],
        votes[1],
        votes[2],
        votes.iter().sum::<u64>()
    );
    std::fs::write(d.join("targeted.csv"), counts).unwrap();
    find(&c, "#targeted-w1")
        .await
        .send_keys(&d.join("targeted.csv").display().to_string())
        .await
        .unwrap();
    click_to(
        &c,
        "form[action$='/audits/w1'] input[value=targeted-counts] ~ div button",
        "done=target-counted",
    )
    .await;

    // More rounds, read by the boards over the API, until the audit confirms (the second
    // round is the estimate for the hardest assertion: no discrepancy, so it should do).
    let status = || {
        let (s, text) = request(&server.addr, "GET", "/api/elections/w/audits", &[], b"").unwrap();
        assert_eq!(s, 200, "{text}");
        let all: Value = serde_json::from_str(&text).unwrap();
        all.as_array()
            .unwrap()
            .iter()
            .find(|a| a["audit"] == "w1")
            .unwrap()
            .clone()
    };
    for _ in 0..3 {
        if status()["confirmed"] == true {
            break;
        }
        read_round_over_the_api(&server.addr, d, &cvrs);
    }
    let w1 = status();
    assert_eq!(w1["confirmed"], true, "{w1}");
    let targeted = w1["targeted"].as_array().unwrap();
    let counted = targeted
        .iter()
        .find(|t| t["path"] == station.as_str())
        .unwrap_or_else(|| panic!("{station} not targeted: {w1}"));
    assert_eq!(counted["difference"].as_u64(), Some(50), "{w1}");
    let public = format!("{base}/elections/w/audits");
    c.goto(&public).await.unwrap();
    let page = c.source().await.unwrap();
    assert!(page.contains(&station), "the targeted station is reported");
    shoot(&c, &public, "audit-boards-confirmed").await;
    // The first round's list to print, public: its 12 ballots by station.
    let list = format!("{base}/elections/w/audits/w1/rounds/1");
    c.goto(&format!("{list}?lang=en")).await.unwrap();
    let page = c.source().await.unwrap();
    assert!(page.contains("12 ballots to pull from"), "{page}");
    shoot(&c, &list, "audit-round-list").await;
}

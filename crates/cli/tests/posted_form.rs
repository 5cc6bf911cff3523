//! The posted protocol's form in headless Chromium (issue 22, item 1): a precinct commission
//! opens its station's form from the service (and as the file `tallyproof protocol form`
//! writes, with no network at all), types the figures of the protocol it signs and makes the
//! code. The code's text is the one `postedqr` writes from the same figures, byte for byte;
//! the symbol the page draws is read back by the Rust decoder from a screenshot; a photo of
//! the code made with one vote moved between two parties is a mismatch for `tallyproof
//! protocol check` against the service's live log, naming both parties; a count that is not
//! digits is refused naming its line, and no code is shown.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use model::{Line, Protocol, UnitLevel};
use postedqr::Posted;
use serde_json::{json, Value};
use store::{SqliteStore, Store};

use crate::browser::{browser, click, eval, until};
use crate::serve::serve;
use crate::{run, stderr, stdout, store_with};

/// When the count ended, as the form's `datetime-local` field holds it and as the code's text.
const TIME: (&str, &str) = ("2020-10-04T21:30", "2020-10-04 21:30");

/// Fills the form with `p`'s figures: every line the form asks for that `p` has, and its votes.
async fn fill(c: &Client, p: &Protocol) {
    let mut values = serde_json::Map::new();
    values.insert("posted-time".into(), json!(TIME.0));
    for &x in Line::ALL {
        if let Some(n) = p.line(x) {
            values.insert(format!("posted-line-{}", x.key()), json!(n.to_string()));
        }
    }
    for (k, v) in p.votes.iter().enumerate() {
        values.insert(format!("posted-vote-{k}"), json!(v.to_string()));
    }
    c.execute(
        "for (const [id, v] of Object.entries(arguments[0])) { \
           const input = document.getElementById(id); if (input) input.value = v; }",
        vec![Value::Object(values)],
    )
    .await
    .unwrap();
}

/// Presses "make the code" and answers the code's text, or the error the form shows.
async fn make(c: &Client) -> Result<String, String> {
    click(c, Locator::Id("posted-make")).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let v = eval(
            c,
            "const s = document.getElementById('posted-sheet'); \
             return [s.hidden ? '' : (s.dataset.text || ''), document.getElementById('posted-error').textContent]",
        )
        .await;
        let (text, error) = (v[0].as_str().unwrap(), v[1].as_str().unwrap());
        if !text.is_empty() {
            return Ok(text.to_string());
        }
        if !error.is_empty() {
            return Err(error.to_string());
        }
        assert!(Instant::now() < deadline, "the form made no code");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The code the page draws, read back from a screenshot of it.
async fn read_back(c: &Client) -> String {
    let svg = c.find(Locator::Id("posted-qr")).await.unwrap();
    let png = svg.screenshot().await.unwrap();
    postedqr::read_photo(&png).unwrap()
}

/// Waits until the form's script is ready.
async fn ready(c: &Client) {
    until(
        c,
        "return document.getElementById('posted').dataset.ready || null",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commission_makes_its_protocols_code_in_the_browser() {
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let dir = store_with("data/kg2020/stations_by_region_2413.csv");
    let d = dir.path();
    let server = serve(d, &[]);
    let signer = std::fs::read_to_string(d.join("s.db.logkey")).unwrap();
    let key = translog::note::NoteSigner::parse(signer.trim())
        .unwrap()
        .verifier();
    std::fs::write(d.join("log.pub"), key.text()).unwrap();
    let loaded = SqliteStore::open(&d.join("s.db"))
        .unwrap()
        .load("kg")
        .unwrap();
    let e = &loaded.election;
    let p = loaded
        .protocols
        .iter()
        .find(|p| {
            e.units.get(p.station).level == UnitLevel::Station
                && p.votes.len() > 2
                && p.votes[1] > 0
        })
        .unwrap();
    // The code of the figures the form asks for, as postedqr writes it.
    let asked = e.rules.form_lines();
    let mut posted = Posted::of(p, "kg", TIME.1, key.fingerprint_bytes());
    posted
        .lines
        .retain(|(x, _)| asked.iter().any(|(a, _)| a == x));
    let want = posted.encode().unwrap();

    // The service's form, on a phone, in Russian.
    c.set_window_size(375, 1400).await.unwrap();
    let url = format!(
        "http://{}/elections/kg/protocol-form?station={}&lang=ru",
        server.addr, p.station.0
    );
    c.goto(&url).await.unwrap();
    ready(&c).await;
    fill(&c, p).await;
    assert_eq!(make(&c).await, Ok(want.clone()));
    assert_eq!(read_back(&c).await, want);
    crate::desk::no_sideways(&c, "the protocol form").await;
    crate::desk::keep_shot("protocol-form-375", &c.screenshot().await.unwrap());

    // A count that is not digits: refused, naming its line; no code.
    c.execute(
        "document.getElementById('posted-line-valid').value = '12 000'",
        vec![],
    )
    .await
    .unwrap();
    let refused = make(&c).await.unwrap_err();
    assert!(refused.contains("Действительных бюллетеней"), "{refused}");
    assert!(refused.contains("только цифрами"), "{refused}");

    // The same form as a file, opened with no service at all: the same code.
    let o = run(
        d,
        &[
            "protocol",
            "form",
            "--db",
            "s.db",
            "--election",
            "kg",
            "--station",
            &e.units.path(p.station),
            "--key",
            "log.pub",
            "--lang",
            "en",
            "--out",
            "form.html",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    drop(server);
    c.set_window_size(1280, 1000).await.unwrap();
    c.goto(&format!("file://{}", d.join("form.html").display()))
        .await
        .unwrap();
    ready(&c).await;
    fill(&c, p).await;
    assert_eq!(make(&c).await, Ok(want.clone()));
    assert_eq!(read_back(&c).await, want);
    crate::desk::keep_shot("protocol-form-1280", &c.screenshot().await.unwrap());

    // One vote moved from the second party to the first: the log's protocol no longer
    // matches the photo, and `protocol check` names both parties.
    let mut moved = p.clone();
    moved.votes[0] += 1;
    moved.votes[1] -= 1;
    fill(&c, &moved).await;
    let changed = make(&c).await.unwrap();
    assert_ne!(changed, want);
    let photo = c
        .find(Locator::Id("posted-qr"))
        .await
        .unwrap()
        .screenshot()
        .await
        .unwrap();
    std::fs::write(d.join("photo.png"), photo).unwrap();
    let server = serve(d, &[]);
    let log = format!("http://{}/elections/kg/log/", server.addr);
    let o = run(
        d,
        &[
            "protocol",
            "check",
            "photo.png",
            "--log",
            &log,
            "--key",
            "log.pub",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let said = stdout(&o);
    let choices = &e.contests[0].choices;
    for name in [&choices[0].name, &choices[1].name] {
        assert!(said.contains(name.as_str()), "{name}: {said}");
    }
}

//! The forensic report and the station check in the reader's language (issue 16): each page
//! in English, Russian and Kyrgyz, with no text of another language but the data's names,
//! what the page marks as another language (the language switch, the papers' citations), and
//! the symbols of statistics.

use axum::http::StatusCode;

use crate::common::{visible, App};

/// Latin words a Russian page may show besides the data's names: statistical symbols, the
/// tools the check names, the service's name.
const SYMBOLS: &[&str] = &[
    "p",
    "z",
    "a",
    "f",
    "tallyproof",
    "UTC",
    "API",
    "JavaScript",
    "WebCrypto",
    "log",
    "verify",
    "verify-inclusion",
    "noble-ed",
    "noble-hashes",
];

/// The page without the elements marked as in `lang` (`<span lang="en">…</span>`, the switch's
/// links): what is left must be in the page's language.
fn without_lang(html: &str, lang: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let marker = format!(" lang=\"{lang}\"");
    while let Some(at) = rest.find(&marker) {
        let open = rest[..at].rfind('<').unwrap();
        if rest[open + 1..].starts_with("html") {
            out.push_str(&rest[..at + marker.len()]);
            rest = &rest[at + marker.len()..];
            continue;
        }
        let tag: String = rest[open + 1..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        let close = format!("</{tag}>");
        let end = rest[at..].find(&close).unwrap() + at + close.len();
        out.push_str(&rest[..open]);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The page's visible text without what is marked as in the `other` languages, and with the
/// data's names taken out.
fn text_of(app: &App, html: &str, other: &[&str]) -> String {
    let html = other
        .iter()
        .fold(html.to_string(), |h, lang| without_lang(&h, lang));
    let mut text = visible(&html);
    let e = &app.election;
    let mut names: Vec<String> = e
        .contests
        .iter()
        .flat_map(|c| c.choices.iter().map(|x| x.name.clone()))
        .collect();
    names.extend(e.contests.iter().map(|c| c.name.clone()));
    names.extend((0..e.units.len()).map(|i| e.units.get(model::UnitId(i as u32)).name.to_string()));
    // Names that are numbers are numbers to the check.
    names.retain(|n| n.chars().any(char::is_alphabetic));
    // The longest first, so that no name is cut by a shorter one it contains.
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    for n in names {
        text = text.replace(&n, " ");
    }
    text
}

/// The Latin words of a text, but the symbols.
fn latin_words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .map(|w| w.trim_matches('-'))
        .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()))
        .filter(|w| !SYMBOLS.contains(w))
        .map(str::to_string)
        .collect()
}

fn cyrillic(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| ('\u{400}'..='\u{4ff}').contains(c))
        .collect()
}

async fn page(app: &App, path: &str, lang: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    let got = app.get(&format!("{path}{sep}lang={lang}")).await;
    assert_eq!(
        got.status,
        StatusCode::OK,
        "{path} in {lang}: {}",
        got.text()
    );
    let html = got.text();
    assert!(
        html.contains(&format!("<html lang=\"{lang}\">")),
        "{path} in {lang}"
    );
    html
}

/// The forensic report of the synthetic election (which has turnout: every test runs) in
/// each language: the headings and sentences of its language, its numbers written as that
/// language writes them, no word of another, and each plot with its text alternative.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_forensic_report_is_in_the_readers_language() {
    let held = App::blocking(|| Some(App::sqlite())).await;
    let app = held.as_ref().unwrap();
    let path = "/elections/s/forensics";
    let en = page(app, path, "en").await;
    let ru = page(app, path, "ru").await;
    let ky = page(app, path, "ky").await;
    let en_text = text_of(app, &en, &["ru", "ky"]);
    let ru_text = text_of(app, &ru, &["en", "ky"]);
    assert_eq!(cyrillic(&en_text), Vec::<char>::new(), "{en_text}");
    assert_eq!(latin_words(&ru_text), Vec::<String>::new(), "{ru_text}");
    for (text, parts) in [
        (
            &en_text,
            [
                "Whole-number percentages (Kobak, Shpilkin & Pshenichnikov 2016)",
                "stations pass the filters",
                "Turnout and the leader's share",
                "Election fingerprint (Klimek et al. 2012)",
                "Stations to look at first",
                "Digit tests",
            ],
        ),
        (
            &ru_text,
            [
                "Целые проценты (Кобак, Шпилькин, Пшеничников, 2016)",
                "Фильтры прошли участков:",
                "Явка и доля лидера",
                "«Отпечаток» выборов (Климек и др., 2012)",
                "Участки, которые стоит проверить первыми",
                "Тесты цифр",
            ],
        ),
    ] {
        for part in parts {
            assert!(text.contains(part), "missing {part}: {text}");
        }
    }
    // The integer test's observed count, as each language writes it; the same number.
    let observed = |html: &str| -> String {
        let row = &html[html.find("<tbody><tr><th scope=\"row\">").unwrap()..];
        let cell = &row[row.find("<td class=\"n\">").unwrap() + 14..];
        cell[..cell.find('<').unwrap()].to_string()
    };
    assert_eq!(
        observed(&en).replace(',', ""),
        observed(&ru).replace('\u{a0}', "")
    );
    // Three plots (turnout, the leader's share, the fingerprint), each hidden from screen
    // readers and described by its caption and numbers; each scales to its box.
    for html in [&en, &ru] {
        assert_eq!(html.matches("<figure class=\"plot\">").count(), 3);
        assert_eq!(html.matches("<div aria-hidden=\"true\"><svg").count(), 3);
        assert_eq!(html.matches("<figcaption>").count(), 3);
        assert_eq!(html.matches(" viewBox=\"0 0 ").count(), 3);
    }
    assert!(en.contains("whole percentages in red."), "{en}");
    assert!(ru.contains("целые проценты — красным."), "{ru}");
    // Kyrgyz: the glossary has no sourced Kyrgyz for the report, so its Russian is shown,
    // marked as Russian.
    assert!(ky.contains("<span lang=\"ru\" class=\"fb\">Тесты цифр</span>"));
    // A page kept per language: asking again in English gives English.
    assert_eq!(page(app, path, "en").await, en);
    App::drop_blocking(held).await;
}

/// The station check's section and its script's messages in the page's language: the
/// script gets every message from the page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_station_check_is_in_the_readers_language() {
    let held = App::blocking(|| Some(App::sqlite())).await;
    let app = held.as_ref().unwrap();
    let station = app.protocols[0].station.0;
    let path = format!("/elections/s/units/{station}");
    let en = page(app, &path, "en").await;
    let ru = page(app, &path, "ru").await;
    let section = |html: &str| {
        let at = html.find("<section id=\"check\"").expect("a check section");
        html[at..at + html[at..].find("</section>").unwrap()].to_string()
    };
    let (en_check, ru_check) = (section(&en), section(&ru));
    assert!(en_check.contains("<h2>Check this station yourself</h2>"));
    assert!(ru_check.contains("<h2>Проверьте участок сами</h2>"));
    // Every message the script asks for is in the page, in its language.
    let script = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static/check.js"),
    )
    .unwrap();
    let strings = literals(&script);
    let keys: Vec<&str> = strings
        .iter()
        .map(String::as_str)
        .filter(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
        .collect();
    for key in [
        "passed",
        "valid",
        "invalid",
        "key-matches",
        "stale",
        "extends",
        "engine-noble",
    ] {
        assert!(keys.contains(&key), "check.js asks for {key}");
    }
    let message = |html: &str, key: &str| -> Option<String> {
        let at = html.find(&format!("<span data-k=\"{key}\">"))? + key.len() + 16;
        Some(html[at..at + html[at..].find("</span>").unwrap()].to_string())
    };
    for key in &keys {
        let (Some(e), Some(r)) = (message(&en_check, key), message(&ru_check, key)) else {
            // A key that is not a message: a storage key, an element id, a type.
            assert!(!en_check.contains(&format!("data-k=\"{key}\"")), "{key}");
            continue;
        };
        assert!(cyrillic(&e).is_empty(), "{key}: {e}");
        assert!(!cyrillic(&r).is_empty(), "{key}: {r}");
    }
    assert_eq!(
        message(&ru_check, "valid").as_deref(),
        Some("ПОДТВЕРЖДЕНО. Проверено за {ms} мс: {engine}.")
    );
    assert_eq!(
        message(&en_check, "passed").as_deref(),
        Some("✔ passed: {what}")
    );
    // The script has no sentence of its own: no string in it holds two English words.
    for literal in &strings {
        let words: Vec<&str> = literal
            .split(' ')
            .filter(|w| w.len() > 1 && w.chars().all(|c| c.is_ascii_alphabetic()))
            .collect();
        assert!(words.len() < 2, "check.js says {literal:?}");
    }
    // The Russian section: no English but the keys and commands (code) and the symbols; the
    // messages, with their placeholders, are checked above.
    let shown = &ru_check[..ru_check.find("<template id=\"check-text\"").unwrap()];
    let shown = shown
        .replace("<code", "<span lang=\"en\"")
        .replace("</code>", "</span>");
    let ru_text = visible(&without_lang(&shown, "en"));
    assert_eq!(latin_words(&ru_text), Vec::<String>::new(), "{ru_text}");
    App::drop_blocking(held).await;
}

/// The string literals of a script (quoted with `'`, `"` or a backtick), comments left out.
fn literals(js: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in js.lines() {
        let code = match line.find("// ") {
            Some(i) if line[..i].trim().is_empty() || line[..i].ends_with(' ') => &line[..i],
            _ => line,
        };
        let mut chars = code.chars();
        while let Some(c) = chars.next() {
            if !matches!(c, '\'' | '"' | '`') {
                continue;
            }
            let mut literal = String::new();
            while let Some(d) = chars.next() {
                match d {
                    '\\' => {
                        chars.next();
                    }
                    d if d == c => break,
                    d => literal.push(d),
                }
            }
            out.push(literal);
        }
    }
    out
}

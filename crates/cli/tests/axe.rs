//! axe-core in the browser tests: the vendored `axe.min.js` (`tests/data/axe/`, from the npm
//! registry, pinned by its SHA-256 here and in its README) is injected into a page with
//! WebDriver's Execute Script, which the page's content security policy does not govern, and
//! run on the WCAG 2.1 A and AA rules.

use fantoccini::Client;
use serde_json::Value;

/// The vendored file.
const AXE: &str = include_str!("data/axe/axe.min.js");

/// Its version and SHA-256, as `tests/data/axe/README.md` states them.
const VERSION: &str = "4.14.1";
const SHA256: &str = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c";

/// The rules run: WCAG 2.0 and 2.1, levels A and AA.
const RUN: &str = "return axe.run(document, {
  runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
  resultTypes: ['violations']
}).then(r => r.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help,
  targets: v.nodes.map(n => n.target.join(' '))
})));";

/// The WCAG 2.1 A and AA violations axe-core finds on the page the browser shows, one line
/// each: rule, impact, help, and the first targets (CSS selectors).
pub async fn violations(c: &Client) -> Vec<String> {
    let loaded = c
        .execute("return typeof window.axe === 'object'", vec![])
        .await
        .unwrap();
    if loaded != Value::Bool(true) {
        c.execute(AXE, vec![]).await.unwrap();
    }
    let found = c.execute(RUN, vec![]).await.unwrap();
    let mut out = Vec::new();
    for v in found.as_array().unwrap() {
        let targets: Vec<&str> = v["targets"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let more = match targets.len() {
            0..=4 => String::new(),
            n => format!(" and {} more", n - 4),
        };
        out.push(format!(
            "axe {} ({}): {} at {}{more}",
            v["id"].as_str().unwrap_or("?"),
            v["impact"].as_str().unwrap_or("?"),
            v["help"].as_str().unwrap_or("?"),
            targets[..targets.len().min(4)].join(", "),
        ));
    }
    out
}

/// The vendored file is the published one: its SHA-256 is the one pinned here and stated in
/// its README, with the npm registry's `integrity` of the tarball it was taken from.
#[test]
fn the_vendored_axe_core_is_the_pinned_file() {
    assert_eq!(record::digest(AXE.as_bytes()), SHA256);
    assert!(
        AXE.starts_with(&format!("/*! axe v{VERSION}\n")),
        "{}",
        &AXE[..40]
    );
    let readme =
        std::fs::read_to_string(crate::workspace("crates/cli/tests/data/axe/README.md")).unwrap();
    assert!(readme.contains(SHA256), "the README states the SHA-256");
    assert!(readme.contains(&format!("axe-core@{VERSION}")));
}

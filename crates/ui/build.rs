//! Reads the glossary (`glossary/*.toml`) and generates `T`, one variant per term, so that a
//! page can only name a term that exists. Refuses, naming the file and the term: a missing
//! English or Russian text, a Kyrgyz text without a source (or a source not in
//! `glossary/sources.toml`), placeholders (`{name}`) that differ between the languages,
//! markup in a text, and a key used twice.

// A build script fails by panicking: each panic names the glossary file and term.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Term {
    en: String,
    ru: String,
    ky: Option<String>,
    ky_source: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Source {
    title: String,
    #[serde(rename = "where")]
    at: String,
}

fn placeholders(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        let Some(j) = rest[i..].find('}') else { break };
        out.insert(rest[i + 1..i + j].to_string());
        rest = &rest[i + j + 1..];
    }
    out
}

fn variant(key: &str) -> String {
    key.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or(String::new(), |f| {
                f.to_ascii_uppercase().to_string() + c.as_str()
            })
        })
        .collect()
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("glossary");
    println!("cargo:rerun-if-changed={}", dir.display());
    let sources: BTreeMap<String, Source> = toml::from_str(
        &std::fs::read_to_string(dir.join("sources.toml")).expect("glossary/sources.toml"),
    )
    .unwrap_or_else(|e| panic!("glossary/sources.toml: {e}"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("glossary/")
        .map(|e| e.expect("glossary/ entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && !p.ends_with("sources.toml"))
        .collect();
    files.sort();
    let mut terms: Vec<(String, String, Term)> = Vec::new();
    let mut seen = BTreeMap::new();
    for path in &files {
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(path).unwrap();
        let table: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        for (key, value) in table {
            let term: Term = value
                .try_into()
                .unwrap_or_else(|e| panic!("{file}: term '{key}': {e}"));
            let at = format!("{file}: term '{key}'");
            assert!(
                !key.is_empty()
                    && key
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{at}: a key is lowercase letters, digits and '-'"
            );
            if let Some(other) = seen.insert(key.clone(), file.clone()) {
                panic!("{at}: the key is also in {other}");
            }
            assert!(
                !term.en.trim().is_empty() && !term.ru.trim().is_empty(),
                "{at}: en and ru are required"
            );
            let want = placeholders(&term.en);
            let mut texts = vec![("en", &term.en), ("ru", &term.ru)];
            match (&term.ky, &term.ky_source) {
                (Some(ky), Some(source)) => {
                    assert!(sources.contains_key(source), "{at}: ky_source '{source}' is not in sources.toml");
                    texts.push(("ky", ky));
                }
                (Some(_), None) => panic!("{at}: a Kyrgyz text needs its ky_source (or leave ky out: the page shows the Russian, marked)"),
                (None, Some(_)) => panic!("{at}: ky_source without ky"),
                (None, None) => {}
            }
            for (lang, t) in &texts {
                assert_eq!(
                    placeholders(t),
                    want,
                    "{at}: the placeholders of '{lang}' differ from English's"
                );
                assert!(
                    !t.contains('<') && !t.contains('>'),
                    "{at}: '{lang}' has markup; the templates add markup, terms are text"
                );
            }
            terms.push((key, file.clone(), term));
        }
    }
    let mut out = String::from(
        "/// A term of the glossary (`glossary/*.toml`): every text a page shows that does not come from the data.\n\
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]\n#[allow(missing_docs)]\npub enum T {\n",
    );
    for (i, (key, ..)) in terms.iter().enumerate() {
        writeln!(out, "    {} = {i},", variant(key)).unwrap();
    }
    out.push_str("}\n\nimpl T {\n    /// Every term, in glossary order.\n    pub const ALL: &'static [T] = &[");
    for (key, ..) in &terms {
        write!(out, "T::{}, ", variant(key)).unwrap();
    }
    out.push_str("];\n}\n\n/// The glossary's texts, by `T as usize`.\npub(crate) static TERMS: &[Entry] = &[\n");
    for (key, file, t) in &terms {
        writeln!(
            out,
            "    Entry {{ key: {key:?}, file: {file:?}, en: {:?}, ru: {:?}, ky: {:?}, ky_source: {:?} }},",
            t.en, t.ru, t.ky, t.ky_source
        )
        .unwrap();
    }
    out.push_str("];\n\n/// The sources of the Kyrgyz terms: (key, title, where).\npub(crate) static SOURCES: &[(&str, &str, &str)] = &[\n");
    for (k, s) in &sources {
        writeln!(out, "    ({k:?}, {:?}, {:?}),", s.title, s.at).unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("terms.rs");
    std::fs::write(dest, out).unwrap();
}

//! The name folding of `model::names`, on the cases in `data/names.tsv`.

use model::names::{
    match_name, name_fault, normalise_user_name, search_fold, shown, skeleton, text_fault,
    NameFault,
};
use model::ModelError;

/// The text with `\u{XXXX}` escapes replaced by their characters.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("\\u{") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find('}').expect("an escape ends with }") + i;
        let code = u32::from_str_radix(&rest[i + 3..end], 16).expect("hex in an escape");
        out.push(char::from_u32(code).expect("a character"));
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn every_case_in_the_table_folds_as_written() {
    let mut checked = 0;
    for (n, line) in include_str!("data/names.tsv").lines().enumerate() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let f: Vec<String> = line.split('\t').map(unescape).collect();
        let at = format!("names.tsv line {}: {line:?}", n + 1);
        match f[0].as_str() {
            "user" => match (normalise_user_name(&f[1]), f[2].strip_prefix("ok ")) {
                (Ok(got), Some(want)) => assert_eq!(got, want, "{at}"),
                (Err(ModelError::BadUserName { .. }), None) => assert_eq!(f[2], "refused"),
                (got, _) => panic!("{at}: got {got:?}"),
            },
            "same" => assert_eq!(skeleton(&f[1]), skeleton(&f[2]), "{at}"),
            "differ" => assert_ne!(skeleton(&f[1]), skeleton(&f[2]), "{at}"),
            "search" => {
                let same = search_fold(&f[1]) == search_fold(&f[2]);
                assert_eq!(same, f[3] == "same", "{at}");
                // The skeleton folds at least as much.
                assert!(!same || skeleton(&f[1]) == skeleton(&f[2]), "{at}");
            }
            "match" => {
                let candidates: Vec<&str> = f[2].split('|').collect();
                let got = match_name(&f[1], &candidates, "party");
                match (f[3].as_str(), got) {
                    ("none", Err(ModelError::NoMatch { .. })) => {}
                    ("ambiguous", Err(ModelError::Ambiguous { .. })) => {}
                    (want, Ok(i)) => assert_eq!(want, i.to_string(), "{at}"),
                    (_, got) => panic!("{at}: got {got:?}"),
                }
            }
            "name" => {
                let got = match name_fault(&f[1]) {
                    None => "ok",
                    Some(NameFault::Empty) => "empty",
                    Some(NameFault::TooLong(_)) => "too long",
                    Some(NameFault::Control(_)) => "control",
                    Some(NameFault::Invisible(_)) => "invisible",
                    Some(NameFault::Formula(_)) => "formula",
                };
                assert_eq!(got, f[2], "{at}");
            }
            "text" => {
                let got = if text_fault(&f[1]).is_some() {
                    "control"
                } else {
                    "ok"
                };
                assert_eq!(got, f[2], "{at}");
            }
            other => panic!("{at}: unknown kind {other}"),
        }
        checked += 1;
    }
    assert!(checked >= 50, "{checked} cases");
}

#[test]
fn an_ambiguous_name_says_which_two_it_matches() {
    let e = match_name("party a", &["Party A", "Раrtу А"], "party").unwrap_err();
    assert_eq!(
        e.to_string(),
        "'party a' matches more than one party: 'Party A' and 'Раrtу А'; write it exactly"
    );
}

#[test]
fn a_name_in_an_error_prints_its_hidden_characters_and_stays_short() {
    assert_eq!(shown("1\u{0}\u{202E}x"), "1\\u{0}\\u{202e}x");
    assert_eq!(shown(&"7".repeat(1 << 20)), format!("{}…", "7".repeat(120)));
    let long = "й".repeat(1001);
    assert_eq!(
        name_fault(&long).map(|f| f.to_string()),
        Some("is 2002 bytes long: a name has at most 1000".to_string())
    );
    assert_eq!(
        name_fault("\u{202E}1").map(|f| f.to_string()),
        Some("holds the invisible character U+202E (zero-width, bidirectional or format): it would look like another name".to_string())
    );
}

//! SMS reports: the written cases of `test_data/sms.json` (`test_data/sms.py`), and
//! proptests.

use std::collections::BTreeMap;

use observe::codes::{Codebook, Field};
use observe::sms::{read, write, Alphabet, SmsReport};
use proptest::prelude::*;
use serde::Deserialize;

#[derive(Deserialize)]
struct Cases {
    choices: usize,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    message: String,
    station: Option<String>,
    votes: Option<Vec<u64>>,
    lines: Option<BTreeMap<String, u64>>,
    error: Option<String>,
}

#[test]
fn written_cases_read_as_written() {
    let all: Cases = serde_json::from_str(include_str!("../test_data/sms.json")).expect("sms.json");
    let book = Codebook::default_for(all.choices);
    assert_eq!(all.cases.len(), 45);
    for c in &all.cases {
        let got = read(&c.message, &book);
        match (&c.error, got) {
            (Some(want), Err(e)) => assert_eq!(&e.to_string(), want, "{}", c.name),
            (None, Ok(r)) => {
                assert_eq!(Some(&r.station), c.station.as_ref(), "{}", c.name);
                assert_eq!(Some(&r.votes), c.votes.as_ref(), "{}", c.name);
                let lines: BTreeMap<String, u64> = r
                    .lines
                    .iter()
                    .map(|&(l, n)| (book.code(Field::Line(l)).unwrap().to_string(), n))
                    .collect();
                assert_eq!(Some(&lines), c.lines.as_ref(), "{}", c.name);
            }
            (want, got) => panic!("{}: wanted {want:?}, got {got:?}", c.name),
        }
    }
}

#[test]
fn a_reply_is_in_the_alphabet_of_most_of_the_letters() {
    assert_eq!(Alphabet::of("ПВТ 1234 А120"), Alphabet::Cyrillic);
    assert_eq!(Alphabet::of("PVT 1234 А120 С340"), Alphabet::Latin);
    assert_eq!(Alphabet::of("1234"), Alphabet::Latin);
}

fn codebook() -> impl Strategy<Value = Codebook> {
    (1usize..20).prop_map(Codebook::default_for)
}

proptest! {
    #[test]
    fn reading_never_panics(text in "\\PC{0,200}", choices in 1usize..20) {
        let _ = read(&text, &Codebook::default_for(choices));
    }

    #[test]
    fn reading_never_panics_on_near_misses(
        parts in prop::collection::vec(
            prop_oneof!["PVT", "ПВТ", "[AaАаCcСсHhНн]", "[0-9]{1,11}", "[ =:.,;/-]{0,3}", "\\PC"],
            0..30,
        ),
    ) {
        let _ = read(&parts.concat(), &Codebook::default_for(4));
    }

    #[test]
    fn a_report_written_as_a_message_reads_back(
        book in codebook(),
        station in "[0-9]{1,5}(-[0-9]{1,4})?",
        votes in prop::collection::vec(0u64..1_000_000_000, 20),
        lines in prop::collection::vec(0u64..1_000_000_000, 3),
    ) {
        let report = SmsReport {
            station,
            lines: observe::codes::LINE_CODES
                .iter()
                .zip(&lines)
                .map(|(&(_, l), &n)| (l, n))
                .collect(),
            votes: votes[..book.choices()].to_vec(),
        };
        prop_assert_eq!(read(&write(&report, &book), &book), Ok(report));
    }
}

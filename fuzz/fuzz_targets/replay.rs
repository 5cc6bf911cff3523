//! Entries after a valid election definition never make the replay panic. The fuzzer's bytes,
//! split at 0xff, follow the definition of an election with two contests and three stations,
//! so that they reach the replay's checks of every index an entry carries (a publication of a
//! contest the election does not have once indexed past its contests) instead of stopping at
//! entry 0, as `entries` mostly does.
#![no_main]
use libfuzzer_sys::fuzz_target;
use model::{Choice, ChoiceKind, Contest, ContestKind, Election, UnitLevel};

fn definition() -> Vec<Vec<u8>> {
    let mut e = Election::new("f");
    for (name, kind) in [("c", ContestKind::PartyList), ("r", ContestKind::Referendum)] {
        let choice = if kind == ContestKind::Referendum {
            ChoiceKind::Answer
        } else {
            ChoiceKind::Party
        };
        e.contests.push(Contest::new(
            name,
            kind,
            vec![Choice::new("A", choice), Choice::new("B", choice)],
        ));
    }
    let root = e.units.root();
    if let Ok(r) = e.units.insert(root, UnitLevel::Region, "R") {
        for s in ["1", "2", "3"] {
            let _ = e.units.insert(r, UnitLevel::Station, s);
        }
    }
    e.law = Some("kg2020".into());
    record::definition(&e)
        .iter()
        .map(record::encode)
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let mut entries = definition();
    entries.extend(data.split(|b| *b == 0xff).map(<[u8]>::to_vec));
    let _ = record::replay(
        entries
            .iter()
            .enumerate()
            .map(|(i, e)| (i as u64, e.as_slice())),
    );
});

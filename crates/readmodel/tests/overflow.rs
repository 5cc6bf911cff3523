//! Totals are exact both ways: a protocol whose counts take a total beyond 64 bits leaves the
//! totals unknown, every read of them answers the error naming the unit (never a wrapped
//! number), and a correction brings them back, exactly.

use model::CountSource::{Machine, Manual};
use model::{Line, Protocol, UnitLevel};
use readmodel::{Live, ReadError};

use crate::common::{Failed, Fixture, SMALL};

/// Votes for the first choice (and valid ballots) of three stations, each below `i64::MAX`,
/// that add up to 2^64 + 1,000: wrapped, the total would read 1,000.
fn wrapping() -> [u64; 3] {
    let total = (1u128 << 64) + 1000;
    let each = |k: u128| (total / 3 + if k == 2 { total % 3 } else { 0 }) as u64;
    [each(0), each(1), each(2)]
}

/// Sets a protocol's votes for the first choice, its other votes to zero, and its lines to
/// as many valid ballots found in the boxes, none invalid.
fn only_first(p: &mut Protocol, votes: u64) {
    p.lines = [None; Line::COUNT];
    // Every line of an error-level relation, or the entry is quarantined.
    p.set_line(Line::Valid, votes);
    p.set_line(Line::Invalid, 0);
    p.set_line(Line::FoundTotal, votes);
    p.votes.iter_mut().for_each(|v| *v = 0);
    p.votes[0] = votes;
}

/// The error the totals answer, as text.
fn totals_error(live: &Live, x: &Fixture) -> (String, String) {
    live.with(&x.reader, "x", |v| -> Result<_, Failed> {
        let text = |e: ReadError| e.to_string();
        Ok((
            v.tally().map(|_| ()).map_err(text).unwrap_err(),
            v.source_tally(Manual)
                .map(|_| ())
                .map_err(text)
                .unwrap_err(),
        ))
    })
    .unwrap()
}

/// The country's votes for each choice.
fn national(live: &Live, x: &Fixture) -> Vec<u64> {
    live.with(&x.reader, "x", |v| -> Result<_, Failed> {
        let root = v.election().units.root();
        Ok(v.tally()?.totals(root).votes)
    })
    .unwrap()
}

/// What the totals say once the first three stations add up beyond 64 bits.
fn overflow_message(x: &Fixture) -> String {
    let units = &x.election.units;
    let third = x.unit(UnitLevel::Station, 2);
    // The lowest unit above the third station is the first whose total overflows, and the
    // ballots found are summed before the valid ones.
    let unit = units.path(units.get(third).parent.unwrap());
    format!(
        "the totals of '{unit}' overflow: with station '{}', the ballots in boxes exceed 18446744073709551615",
        units.path(third)
    )
}

#[test]
fn an_imported_overflow_names_the_unit_until_corrected() {
    let (mut original, mut imported) = (Vec::new(), Vec::new());
    let mut x = Fixture::new(&SMALL, |ps| {
        original = ps.to_vec();
        for (p, votes) in ps.iter_mut().zip(wrapping()) {
            only_first(p, votes);
        }
        imported = ps.to_vec();
    });
    let live = Live::default();
    let want = overflow_message(&x);
    assert_eq!(totals_error(&live, &x), (want.clone(), want));
    // The machine counts (none) are unaffected.
    live.with(&x.reader, "x", |v| -> Result<_, Failed> {
        let root = v.election().units.root();
        let machine = v.source_tally(Machine)?.totals(root);
        assert_eq!((machine.reporting, machine.votes), (0, vec![0; 3]));
        Ok(())
    })
    .unwrap();
    // One station corrected back to its count: the other two still fit in 64 bits.
    x.correct(&original[0]);
    live.written(&x.reader, "x").unwrap();
    let mut counted = imported.clone();
    counted[0] = original[0].clone();
    assert_eq!(national(&live, &x), sums(&counted));
    assert_eq!(national(&Live::default(), &x), sums(&counted));
}

#[test]
fn a_correction_beyond_64_bits_names_the_unit_until_corrected_back() {
    let mut original = Vec::new();
    let mut x = Fixture::new(&SMALL, |ps| original = ps.to_vec());
    let live = Live::default();
    assert_eq!(national(&live, &x), sums(&original));
    for (n, votes) in wrapping().into_iter().enumerate() {
        let station = x.unit(UnitLevel::Station, n);
        let mut p = x.latest(station);
        only_first(&mut p, votes);
        x.correct(&p);
        live.written(&x.reader, "x").unwrap();
    }
    let want = overflow_message(&x);
    assert_eq!(totals_error(&live, &x), (want.clone(), want.clone()));
    assert_eq!(totals_error(&Live::default(), &x), (want.clone(), want));
    // The three stations counted again as imported: the totals are back, exactly.
    original.iter().take(3).for_each(|p| x.correct(p));
    live.written(&x.reader, "x").unwrap();
    assert_eq!(national(&live, &x), sums(&original));
}

/// The votes for each choice over `protocols`, summed in 128 bits.
fn sums(protocols: &[Protocol]) -> Vec<u64> {
    (0..protocols[0].votes.len())
        .map(|i| {
            let s: u128 = protocols.iter().map(|p| u128::from(p.votes[i])).sum();
            u64::try_from(s).unwrap()
        })
        .collect()
}

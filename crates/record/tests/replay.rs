//! Entries round-trip through their canonical bytes; non-canonical bytes and broken
//! sequences are refused with the entry's index.

use model::Line;
use record::{commitment, decode, encode, publication, Decision, Entry, RecordError, Stage};

use crate::{election, log, run};

#[test]
fn a_log_replays_and_publications_are_recomputed() {
    let (e, ps) = election();
    let p = publication(&e, &ps, &[], 0, Stage::Preliminary, None).unwrap();
    assert_eq!(
        (p.stations_counted, p.votes.clone(), p.valid),
        (3, vec![65, 85], Some(150))
    );
    let entries = log(&e, &ps, vec![Entry::Publication(p)]);
    assert_eq!(entries[1][0], 1);
    let r = run(&entries).unwrap();
    assert_eq!((r.protocols.len(), r.publications, r.entries), (3, 1, 6));
    // Canonical: decoding and encoding again gives the same bytes.
    for (i, b) in entries.iter().enumerate() {
        assert_eq!(&encode(&decode(i as u64, b).unwrap()), b);
    }
}

#[test]
fn an_annulled_unit_leaves_the_next_publication() {
    let (e, ps) = election();
    let station = ps[0].station;
    let p = publication(&e, &ps, &[station], 0, Stage::Final, None).unwrap();
    assert_eq!((p.stations_counted, p.votes.clone()), (2, vec![35, 65]));
    let reason = commitment(&[0; 32], "fraud found at station 1");
    let entries = log(
        &e,
        &ps,
        vec![
            Entry::Decision(Decision::AnnulUnit {
                unit: station,
                reason,
            }),
            Entry::Publication(p),
        ],
    );
    assert_eq!(run(&entries).unwrap().annulled, vec![station]);
}

#[test]
fn a_false_publication_is_pinpointed() {
    let (e, ps) = election();
    let mut p = publication(&e, &ps, &[], 0, Stage::Preliminary, None).unwrap();
    p.votes[1] += 1;
    let entries = log(&e, &ps, vec![Entry::Publication(p)]);
    assert_eq!(
        run(&entries).unwrap_err().to_string(),
        "entry 5 (preliminary publication): votes[1] (B): logged 86, recomputed 85"
    );
}

#[test]
fn broken_entries_and_sequences_are_refused() {
    let (e, ps) = election();
    let mut skipped = ps[0].clone();
    skipped.version = 3;
    let entries = log(&e, &[skipped], vec![]);
    assert_eq!(
        run(&entries).unwrap_err().to_string(),
        "entry 2: station 'R / 1' goes from version 0 to 3: versions must follow one another"
    );
    let mut spaced = encode(&Entry::Protocol(ps[0].clone()));
    spaced.insert(2, b' ');
    let err = decode(9, &spaced).unwrap_err().to_string();
    assert!(
        err.starts_with("entry 9: not in canonical form") || err.starts_with("entry 9: not JSON"),
        "{err}"
    );
    assert_eq!(
        decode(4, &[3, b'{', b'}']).unwrap_err().to_string(),
        "entry 4: format version 3, expected 1 or 2"
    );
    // Version 2 is a staff entry's with its time: this one has no type at all.
    assert_eq!(
        decode(4, &[2, b'{', b'}']).unwrap_err().to_string(),
        "entry 4: missing field `type`"
    );
    assert_eq!(
        decode(4, b"").unwrap_err().to_string(),
        "entry 4: empty entry"
    );
    let bad = log(&e, &ps, vec![]);
    assert!(run(&bad[1..]).is_err());
}

/// Issue 13: three internally consistent protocols whose votes for A add up to 2^64 + 65 -
/// 15, which wraps in u64 arithmetic to a plausible total, and a publication that claims it.
#[test]
fn a_publication_of_wrapped_totals_is_refused_naming_the_unit() {
    let (e, mut ps) = election();
    let wrapped = (u64::MAX as u128 + 1 + 65) as u64; // what wrapping arithmetic gives
    let third = (u64::MAX as u128 + 1 + 65) / 3;
    for (p, a) in ps
        .iter_mut()
        .zip([third, third, third + (u64::MAX as u128 + 1 + 65) % 3])
    {
        let a = a as u64;
        assert!(a <= i64::MAX as u64);
        p.votes = vec![a, 0];
        p.set_line(Line::Valid, a);
    }
    let sum: u128 = ps.iter().map(|p| u128::from(p.votes[0])).sum();
    assert_eq!(sum as u64, wrapped);
    let err = publication(&e, &ps, &[], 0, Stage::Final, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the totals of 'R' overflow: with station 'R / 3', the valid ballots exceed 18446744073709551615"
    );
    let claimed = record::Publication {
        stage: Stage::Final,
        contest: 0,
        stations_counted: 3,
        votes: vec![wrapped, 0],
        valid: Some(wrapped),
        invalid: None,
        seats: None,
    };
    let err = run(&log(&e, &ps, vec![Entry::Publication(claimed)])).unwrap_err();
    assert!(
        matches!(err, RecordError::Overflow { index: Some(5), .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "entry 5: the totals of 'R' overflow: with station 'R / 3', the valid ballots exceed 18446744073709551615"
    );
}

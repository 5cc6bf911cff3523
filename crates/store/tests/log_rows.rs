//! An import logs its protocols as their stored rows (`log_row`, one copy of each): the log
//! read back is byte for byte what encoding the definition and every protocol gives, in the
//! documented order, and entries appended later follow it.

#![allow(clippy::unwrap_used)] // Test helpers panic on failure by design.

mod common;

use model::{Election, Protocol};
use record::{encode, encoded_definition, Entry};
use store::{Store, StoreError};

/// An election of 40 stations, its protocols in the reverse of station order, with
/// corrections in the file (versions 2 and 3) among them.
fn unsorted_with_corrections() -> (Election, Vec<Protocol>) {
    let p = synth::Params {
        stations: 40,
        parties: 3,
        regions: 2,
        stations_per_district: 6,
        seed: 21,
    };
    let mut ps = Vec::new();
    let (mut e, _) = synth::generate(&p, |_, x| ps.push(x)).unwrap();
    e.name = "rows".into();
    ps.reverse();
    let mut fixed = ps[30].clone();
    fixed.version = 2;
    fixed.votes[0] += 1;
    let mut again = fixed.clone();
    again.version = 3;
    let mut other = ps[1].clone();
    other.version = 2;
    other.reference = Some("act \"12\" тест".into());
    ps.insert(5, again);
    ps.insert(3, fixed);
    ps.push(other);
    (e, ps)
}

/// The log an import of `e` and `ps` must have: its definition, then first versions by
/// station and contest, then later versions by version, station and contest.
fn expected(e: &Election, ps: &[Protocol]) -> Vec<Vec<u8>> {
    let mut first: Vec<&Protocol> = ps.iter().filter(|p| p.version == 1).collect();
    first.sort_by_key(|p| (p.station, p.contest));
    let mut later: Vec<&Protocol> = ps.iter().filter(|p| p.version > 1).collect();
    later.sort_by_key(|p| (p.version, p.station, p.contest));
    let mut log = encoded_definition(e);
    log.extend(
        first
            .into_iter()
            .chain(later)
            .map(|p| encode(&Entry::Protocol(p.clone()))),
    );
    log
}

fn import(s: &mut store::SqlStore, e: &Election, ps: &[Protocol]) {
    let mut tx = s.import().unwrap();
    tx.begin(e, "test").unwrap();
    for p in ps {
        tx.protocol(e, p).unwrap();
    }
    tx.units(e).unwrap();
    tx.commit(e).unwrap();
}

#[test]
fn an_imports_log_is_its_definition_then_its_protocols_in_log_order_then_what_follows() {
    let (e, ps) = unsorted_with_corrections();
    let want = expected(&e, &ps);
    for mut s in common::stores() {
        import(&mut s, &e, &ps);
        assert!(s.log("rows").unwrap() == want, "the imported log");

        // A correction made afterwards (two votes moved, the sums still hold) is appended
        // after the imported protocols.
        let mut p = ps
            .iter()
            .find(|p| p.version == 1 && p.votes[0] >= 2)
            .unwrap()
            .clone();
        p.votes[0] -= 2;
        p.votes[1] += 2;
        let version = common::correct(&mut s, "rows", &p).unwrap();
        let log = s.log("rows").unwrap();
        assert!(
            log[..want.len()] == want[..],
            "the import's entries unchanged"
        );
        let tail: Vec<Entry> = log[want.len()..]
            .iter()
            .enumerate()
            .map(|(i, b)| record::decode((want.len() + i) as u64, b).unwrap())
            .collect();
        let corrected = tail.iter().find_map(|x| match x {
            Entry::Protocol(c) => Some(c),
            _ => None,
        });
        assert_eq!(
            corrected.map(|c| (c.version, c.votes.clone())),
            Some((version, p.votes))
        );

        // Read a page at a time, across the boundary between the two kinds of entry.
        for page in [1, 7, want.len() as u64, 4096] {
            let mut got = Vec::new();
            store::each_log_entry(&s, "rows", page, &mut |i, b| {
                assert_eq!(i, got.len() as u64);
                got.push(b.to_vec());
                Ok::<(), StoreError>(())
            })
            .unwrap();
            assert!(got == log, "page {page}");
        }
        let range = s.log_range("rows", want.len() as u64 - 2, want.len() as u64 + 1);
        assert!(range.unwrap()[..] == log[want.len() - 2..want.len() + 1]);
    }
}

#[test]
fn the_schema_refuses_to_change_or_delete_a_logged_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let (e, ps) = unsorted_with_corrections();
    {
        import(&mut store::SqliteStore::open(&path).unwrap(), &e, &ps);
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    for sql in ["UPDATE log_row SET seq = seq + 1", "DELETE FROM log_row"] {
        let err = conn.execute(sql, []).unwrap_err().to_string();
        assert!(err.contains("the log is append-only"), "{sql}: {err}");
    }
}

//! The store through its public interface.

#![allow(clippy::unwrap_used)] // Test helpers panic on failure by design.

mod common;

use common::now;

use model::{Election, Line, Protocol, UnitLevel};
use store::{SqliteStore, Staffing, Store, StoreError};

fn synthetic(stations: u64) -> (Election, Vec<Protocol>) {
    let p = synth::Params {
        stations,
        parties: 5,
        regions: 3,
        stations_per_district: 10,
        seed: 11,
    };
    let mut ps = Vec::new();
    let (mut e, _) = synth::generate(&p, |_, x| ps.push(x)).unwrap();
    e.name = "synthetic".into();
    (e, ps)
}

fn import(store: &mut SqliteStore, e: &Election, ps: &[Protocol]) -> Result<(), StoreError> {
    let mut tx = store.import()?;
    tx.begin(e, "test")?;
    for p in ps {
        tx.protocol(e, p)?;
    }
    tx.units(e)?;
    tx.commit(e)
}

#[test]
fn an_import_loads_back_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let (e, mut ps) = synthetic(120);
    ps[3].extra.push(("absentee".into(), 7));
    ps[3]
        .attributes
        .push(("form2_percent".into(), 117.10945802337937));
    ps[3].attributes.push(("odd".into(), f64::INFINITY));
    ps[4].reference = Some("sha256:00ff".into());
    ps[5].lines[Line::Lost.index()] = None;
    // A station without a protocol: it did not report.
    let mut e = e;
    let r = e.units.child(e.units.root(), "Region 01").unwrap();
    e.units.insert(r, UnitLevel::Station, "late").unwrap();
    {
        let mut s = SqliteStore::open(&path).unwrap();
        import(&mut s, &e, &ps).unwrap();
    }
    let s = SqliteStore::open(&path).unwrap();
    assert_eq!(s.schema_version().unwrap(), 18);
    let loaded = s.load("synthetic").unwrap();
    assert_eq!(loaded.protocols, ps);
    assert_eq!(loaded.election.contests, e.contests);
    assert_eq!(loaded.election.rules, e.rules);
    assert_eq!(loaded.election.units.len(), e.units.len());
    for (id, u) in e.units.iter() {
        assert_eq!(loaded.election.units.get(id), u);
    }
    let c = s.counts("synthetic").unwrap();
    assert_eq!((c.stations, c.protocol_versions), (121, 120));
    // The same on every backend.
    for mut s in common::stores() {
        import(&mut s, &e, &ps).unwrap();
        let loaded = s.load("synthetic").unwrap();
        assert_eq!(loaded.protocols, ps);
        assert_eq!(loaded.election.contests, e.contests);
        assert_eq!(loaded.election.units.len(), e.units.len());
        let c = s.counts("synthetic").unwrap();
        assert_eq!((c.stations, c.protocol_versions), (121, 120));
    }
}

#[test]
fn a_failed_import_leaves_nothing() {
    for mut s in common::stores() {
        let (e, ps) = synthetic(50);
        {
            let mut tx = s.import().unwrap();
            tx.begin(&e, "test").unwrap();
            for p in &ps[..20] {
                tx.protocol(&e, p).unwrap();
            }
            // Dropped without commit, as when the importer hits a bad row.
        }
        assert!(s.elections().unwrap().is_empty());
        import(&mut s, &e, &ps).unwrap();
        assert_eq!(s.elections().unwrap().len(), 1);
    }
}

#[test]
fn an_election_name_is_taken_once() {
    for mut s in common::stores() {
        let (e, ps) = synthetic(20);
        import(&mut s, &e, &ps).unwrap();
        let err = import(&mut s, &e, &ps).unwrap_err();
        assert_eq!(
        err.to_string(),
        "an election named 'synthetic' is already in the store: choose another name with --name"
    );
    }
}

#[test]
fn a_correction_is_a_new_version_and_the_old_one_stays() {
    for mut s in common::stores() {
        let (e, ps) = synthetic(20);
        import(&mut s, &e, &ps).unwrap();
        let mut fixed = ps[7].clone();
        // A vote moved from the second party to the first: the control relations still hold.
        fixed.votes[0] += 1;
        fixed.votes[1] -= 1;
        fixed.source = model::CountSource::Machine;
        assert_eq!(common::correct(&mut s, "synthetic", &fixed).unwrap(), 2);
        assert_eq!(common::correct(&mut s, "synthetic", &fixed).unwrap(), 3);
        let history = s.history("synthetic", ps[7].station, 0).unwrap();
        assert_eq!(
            history.iter().map(|p| p.version).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        assert_eq!(history[0], ps[7]);
        assert_eq!(history[2].votes, fixed.votes);
        let loaded = s.load("synthetic").unwrap();
        let latest = loaded
            .protocols
            .iter()
            .find(|p| p.station == ps[7].station)
            .unwrap();
        // The machine count is kept (its versions are in the history) but never replaces
        // the legal count: what loads is still the manual version 1 (issue 15).
        assert_eq!(
            (latest.version, latest.source),
            (1, model::CountSource::Manual)
        );
        assert_eq!(loaded.protocols.len(), ps.len());
        // A manual correction after them is the next version and the legal count.
        let mut manual = fixed.clone();
        manual.source = model::CountSource::Manual;
        assert_eq!(common::correct(&mut s, "synthetic", &manual).unwrap(), 4);
        let loaded = s.load("synthetic").unwrap();
        let latest = loaded.protocols.iter().find(|p| p.station == ps[7].station);
        assert_eq!(
            latest.map(|p| (p.version, p.source)),
            Some((4, model::CountSource::Manual))
        );
    }
}

#[test]
fn a_correction_must_fit_the_election() {
    for mut s in common::stores() {
        let (e, ps) = synthetic(20);
        import(&mut s, &e, &ps).unwrap();
        let mut bad = ps[0].clone();
        bad.votes.pop();
        let err = common::correct(&mut s, "synthetic", &bad)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "cannot store the correction: 4 vote counts for 5 choices of 'national list'"
        );
        let mut bad = ps[0].clone();
        bad.station = e.units.root();
        let err = common::correct(&mut s, "synthetic", &bad)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "cannot store the correction: unit 0 is not a station");
        let err = common::correct(&mut s, "nope", &ps[0])
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "no election named 'nope' in the store (see `tallyproof elections`)"
        );
    }
}

#[test]
fn the_schema_refuses_to_overwrite_or_delete_a_protocol() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let mut s = SqliteStore::open(&path).unwrap();
    let (e, ps) = synthetic(10);
    import(&mut s, &e, &ps).unwrap();
    drop(s);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let err = conn
        .execute("UPDATE protocol SET valid = 0", [])
        .unwrap_err()
        .to_string();
    assert!(err.contains("protocols are never overwritten"), "{err}");
    let err = conn
        .execute("DELETE FROM protocol", [])
        .unwrap_err()
        .to_string();
    assert!(err.contains("protocols are never deleted"), "{err}");
}

/// PostgreSQL refuses too (the same triggers, in PL/pgSQL).
#[test]
fn postgres_refuses_to_overwrite_a_protocol_or_a_log_entry() {
    let Some(url) = common::postgres_url() else {
        return;
    };
    let mut s = store::SqlStore::connect(&url).unwrap();
    let (e, ps) = synthetic(10);
    import(&mut s, &e, &ps).unwrap();
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    for sql in [
        "UPDATE protocol SET valid = 0",
        "DELETE FROM protocol",
        "DELETE FROM log_entry",
        "DELETE FROM log_row",
        "UPDATE log_row SET seq = seq + 1",
    ] {
        let err = c.batch_execute(sql).unwrap_err();
        let msg = err.as_db_error().unwrap().message().to_string();
        assert!(
            msg.contains("never") || msg.contains("append-only"),
            "{msg}"
        );
    }
    // Reconnecting does not migrate again.
    let again = store::SqlStore::connect(&url).unwrap();
    assert_eq!(again.schema_version().unwrap(), 18);
    assert_eq!(again.load("synthetic").unwrap().protocols, ps);
}

#[test]
fn opening_twice_does_not_migrate_twice_and_a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    SqliteStore::open(&path).unwrap();
    SqliteStore::open(&path).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = SqliteStore::open(&path).err().unwrap().to_string();
    assert_eq!(
        err,
        "the store's schema version 99 is newer than this program's 18: upgrade tallyproof"
    );
}

#[test]
fn an_election_keeps_its_law_and_date_in_the_store_and_in_its_log() {
    for mut s in common::stores() {
        let (mut e, mut ps) = synthetic(12);
        (e.law, e.date) = (Some("kg2020".into()), Some("2020-10-04".into()));
        // The machine count of the first station after its manual count: under kg2020 the
        // manual count is the legal one (record::legal_count), so neither the store's load
        // nor the log's replay may count it.
        let mut machine = ps[0].clone();
        (machine.version, machine.source) = (2, model::CountSource::Machine);
        machine.votes[0] += 1000;
        ps.push(machine);
        import(&mut s, &e, &ps).unwrap();
        let info = s.election("synthetic").unwrap();
        assert_eq!(
            (
                info.law.as_deref(),
                info.date.as_deref(),
                info.title.as_deref()
            ),
            (
                Some("kg2020"),
                Some("2020-10-04"),
                Some(e.contests[0].name.as_str())
            )
        );
        assert_eq!(s.elections().unwrap(), vec![info]);
        let log = s.log("synthetic").unwrap();
        let head = String::from_utf8_lossy(&log[0]).to_string();
        assert!(head.ends_with(r#","law":"kg2020"}"#), "{head}");
        assert!(head.contains(r#""date":"2020-10-04""#), "{head}");
        let replayed = record::replay(
            log.iter()
                .enumerate()
                .map(|(i, b)| (i as u64, b.as_slice())),
        )
        .unwrap();
        assert_eq!(replayed.election.law.as_deref(), Some("kg2020"));
        let loaded = s.load("synthetic").unwrap();
        assert_eq!(loaded.election.law.as_deref(), Some("kg2020"));
        assert_eq!(loaded.election.date.as_deref(), Some("2020-10-04"));
        assert_eq!(loaded.protocols[0].source, model::CountSource::Manual);
        assert_eq!(loaded.protocols[0].votes, ps[0].votes);
        assert_eq!(replayed.protocols[0].votes, ps[0].votes);
        assert_eq!(replayed.other_count[0].votes, ps[12].votes);
        assert_eq!(loaded.protocols.len(), 12);
    }
}

#[test]
fn a_date_or_a_law_the_election_cannot_have_is_refused_and_nothing_stored() {
    let cases = [
        (
            Some("2021-02-29"),
            None,
            "date: '2021-02-29' is not a date: February 2021 has 28 days",
        ),
        (
            Some("2020-02-30"),
            None,
            "date: '2020-02-30' is not a date: February 2020 has 29 days",
        ),
        (
            Some("4 October 2020"),
            None,
            "date: '4 October 2020' is not a date: write it YYYY-MM-DD, e.g. 2020-10-04",
        ),
        (
            None,
            Some("kg1999"),
            "law: unknown law preset 'kg1999', expected one of: kg2010, kg2015, kg2020, kg2021",
        ),
        (
            None,
            Some("KG2020"),
            "law: unknown law preset 'KG2020', expected one of: kg2010, kg2015, kg2020, kg2021",
        ),
    ];
    for mut s in common::stores() {
        for (date, law, want) in cases {
            let (mut e, ps) = synthetic(3);
            (e.date, e.law) = (date.map(str::to_string), law.map(str::to_string));
            let err = import(&mut s, &e, &ps).unwrap_err();
            assert_eq!(err.to_string(), want);
            assert!(s.elections().unwrap().is_empty(), "{want}");
        }
    }
}

#[test]
fn a_revote_is_listed_with_the_path_of_the_unit_it_votes_again() {
    for mut s in common::stores() {
        let (mut e, ps) = synthetic(12);
        (e.law, e.date) = (Some("kg2021".into()), Some("2021-11-28".into()));
        import(&mut s, &e, &ps).unwrap();
        let district = e
            .units
            .iter()
            .find(|(_, u)| u.level == UnitLevel::District)
            .map(|(id, _)| id)
            .unwrap();
        let path = e.units.path(district);
        let reason = record::commitment(&[1; 32], "irregularities");
        let decision = record::encode(&record::Entry::Decision(record::Decision::Revote {
            unit: district,
            reason,
        }));
        let decide = store::Act::of(
            record::StaffAct::Decide,
            std::slice::from_ref(&decision),
            now(),
        );
        s.act("synthetic", store::Actor::Console, decide).unwrap();
        let boss = s
            .add_user(
                "boss",
                record::Role::Commissioner,
                "$argon2id$unused",
                &[7; 32],
                None,
                now(),
            )
            .unwrap();
        let child = e.part("again", district).unwrap();
        let mut tx = s.import().unwrap();
        tx.begin(&child, "re-vote").unwrap();
        tx.revote_of("synthetic", district, &boss, now()).unwrap();
        tx.commit(&child).unwrap();
        let info = s.election("again").unwrap();
        assert_eq!(info.revote_of, Some(("synthetic".to_string(), district)));
        assert_eq!(info.revote_path.join(" / "), path);
        // A re-vote is held under the law, and given the date, of the election it votes again.
        assert_eq!(
            (info.law.as_deref(), info.date.as_deref()),
            (Some("kg2021"), Some("2021-11-28"))
        );
        assert!(s.election("synthetic").unwrap().revote_path.is_empty());
        assert!(matches!(
            s.election("nothing"),
            Err(StoreError::NoElection(_))
        ));
    }
}

#[test]
fn the_log_records_the_import_and_every_correction_in_the_same_transaction() {
    for mut s in common::stores() {
        let (e, ps) = synthetic(30);
        import(&mut s, &e, &ps).unwrap();
        let log = s.log("synthetic").unwrap();
        // The definition, one units entry (fewer than 400 units), then the 30 protocols.
        assert_eq!(log.len(), 1 + 1 + 30);
        let replayed = record::replay(
            log.iter()
                .enumerate()
                .map(|(i, b)| (i as u64, b.as_slice())),
        )
        .unwrap();
        assert_eq!(
            replayed.protocols,
            s.load("synthetic")
                .unwrap()
                .protocols
                .iter()
                .map(|p| Protocol {
                    extra: vec![],
                    attributes: vec![],
                    ..p.clone()
                })
                .collect::<Vec<_>>()
        );
        let mut fixed = ps[2].clone();
        fixed.votes[0] += 1;
        fixed.votes[1] -= 1;
        common::correct(&mut s, "synthetic", &fixed).unwrap();
        let log = s.log("synthetic").unwrap();
        assert_eq!(log.len(), 38);
        match record::decode(37, &log[37]).unwrap() {
            record::Entry::Protocol(p) => assert_eq!(
                (p.station, p.version, p.votes[0]),
                (ps[2].station, 2, ps[2].votes[0] + 1)
            ),
            other => panic!("{other:?}"),
        }
        // A failed import appends nothing.
        {
            let mut tx = s.import().unwrap();
            let mut e2 = e.clone();
            e2.name = "other".into();
            tx.begin(&e2, "t").unwrap();
        }
        assert!(s.log("other").is_err());
        // The store appends only entries the log format knows.
        let size = s.log("synthetic").unwrap().len() as u64;
        assert!(matches!(
            s.act(
                "synthetic",
                store::Actor::Console,
                audit(&[b"\x01{}".to_vec()])
            ),
            Err(store::StoreError::Refused(_))
        ));
        let step = record::encode(&record::Entry::Audit(record::AuditStep::Escalate {
            audit: "a".into(),
        }));
        let act = audit(std::slice::from_ref(&step));
        assert_eq!(
            s.act("synthetic", store::Actor::Console, act).unwrap(),
            size + 2
        );
    }
}

/// An audit step by the console: its staff entry, then `entries`.
fn audit(entries: &[Vec<u8>]) -> store::Act<'_> {
    store::Act::of(record::StaffAct::Audit, entries, now())
}

/// Issue 18: the board member's role widens `staff_user`'s CHECK constraint, which SQLite
/// changes only by rebuilding the table. A store of schema 14 with users, a session and a
/// user's approval (rows that refer to `staff_user`) keeps them all, and takes the new role.
#[test]
fn the_board_members_role_migrates_a_sqlite_store_keeping_its_users() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let migrations = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    let mut files: Vec<_> = std::fs::read_dir(&migrations)
        .unwrap()
        .map(|f| f.unwrap().path())
        .collect();
    files.sort();
    for f in &files[..14] {
        conn.execute_batch(&std::fs::read_to_string(f).unwrap())
            .unwrap();
    }
    let (ab, cd) = ("ab".repeat(32), "cd".repeat(32));
    conn.execute_batch(&format!(
        "INSERT INTO staff_user (id, name, role, password, salt) VALUES (1, 'adil', 'admin', 'x', '{ab}');
         INSERT INTO staff_user (id, name, role, password, salt, granted_by, approved_by)
             VALUES (2, 'olga', 'operator', 'y', '{cd}', 1, 1);
         INSERT INTO session (token_hash, user_id, csrf, expires) VALUES ('h', 2, 'c', 4102444800);
         PRAGMA user_version = 14;"
    ))
    .unwrap();
    drop(conn);
    let mut s = SqliteStore::open(&path).unwrap();
    assert_eq!(s.schema_version().unwrap(), 18);
    let names: Vec<String> = s.users().unwrap().into_iter().map(|u| u.name).collect();
    assert_eq!(names, ["adil", "olga"]);
    assert!(s.session("h").unwrap().is_some(), "the session survives");
    s.add_user(
        "bolot",
        record::Role::BoardMember,
        "a long password",
        &[7; 32],
        None,
        now(),
    )
    .unwrap();
    // And the quick count supervisor's role (schema 16, rebuilt the same way).
    s.add_user(
        "saltanat",
        record::Role::Supervisor,
        "a long password",
        &[8; 32],
        None,
        now(),
    )
    .unwrap();
    // The table's trigger is back: deleting a user deletes their sessions.
    drop(s);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let triggers: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'staff_user_secrets'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(triggers, 1);
    let role: String = conn
        .query_row(
            "SELECT role FROM staff_user WHERE name = 'bolot'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(role, "board-member");
}

/// An import logs its first versions a page of 10,000 at a time at commit: across pages (a
/// full last page, and a part one), the log is the election's definition and then every
/// protocol in station order, once each, on every backend.
#[test]
fn an_import_logs_every_protocol_once_in_station_order_across_pages() {
    for stations in [20_000, 25_001] {
        let (e, ps) = synthetic(stations);
        let mut want: Vec<&Protocol> = ps.iter().collect();
        want.sort_by_key(|p| (p.station, p.contest));
        let want: Vec<Vec<u8>> = want
            .into_iter()
            .map(|p| record::encode(&record::Entry::Protocol(p.clone())))
            .collect();
        let definition = record::definition(&e).len();
        for mut s in common::stores() {
            import(&mut s, &e, &ps).unwrap();
            let log = s.log("synthetic").unwrap();
            assert_eq!(log.len(), definition + want.len(), "{stations}");
            assert!(
                log[definition..] == want[..],
                "{stations}: not the protocols in order"
            );
        }
    }
}

/// `each_log_entry` reads the log a page at a time: with pages that divide the log exactly,
/// that leave one entry over, that are one too long, one entry long and longer than the log,
/// it gives every entry once, in order, with its index, and the log's length, as `log` does.
#[test]
fn a_log_read_by_pages_is_the_whole_log_at_every_page_boundary() {
    let (e, ps) = synthetic(600);
    for mut s in common::stores() {
        import(&mut s, &e, &ps).unwrap();
        let whole = s.log("synthetic").unwrap();
        let n = whole.len() as u64;
        for page in [n, n - 1, n + 1, n / 2, (n - 1) / 2, 1, 256, 4096] {
            let mut got = Vec::new();
            let size = store::each_log_entry(&s, "synthetic", page, &mut |i, b| {
                assert_eq!(i, got.len() as u64, "page {page}");
                got.push(b.to_vec());
                Ok::<(), StoreError>(())
            })
            .unwrap();
            assert_eq!(size, n, "page {page}");
            assert!(got == whole, "page {page}: not the log");
        }
        // An error from the caller stops the reading at once.
        let mut seen = 0;
        let stopped = store::each_log_entry(&s, "synthetic", 7, &mut |i, _| {
            seen += 1;
            match i {
                10 => Err(StoreError::Corrupt("stop".into())),
                _ => Ok(()),
            }
        });
        assert!(stopped.is_err());
        assert_eq!(seen, 11);
    }
}

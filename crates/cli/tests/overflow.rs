//! Issue 13, finding 2: totals that wrap modulo 2^64. The 2,413-row Kyrgyz file (БИРИМДИК
//! 469,098) with three internally consistent stations whose counts, each below `i64::MAX`, add
//! up to 2^64 + 1,000: wrapping arithmetic would show БИРИМДИК 470,098. Every command refuses
//! them with the unit and the station named, and the verifier refuses a publication that
//! claims the wrapped totals.

use std::path::{Path, PathBuf};

use record::{decode, encode, Entry, Publication};
use store::Store;
use translog::checkpoint::Checkpoint;
use translog::note::NoteSigner;
use translog::tiles::write_tiles;
use translog::Tree;

use crate::{run, stderr, stdout, workspace};

/// What the overflow names: the region and the station that takes its total past 2^64 - 1.
const NAMED: &str = "the totals of 'БИШКЕК Г.' overflow: with station 'БИШКЕК Г. / 9003', the valid ballots exceed 18446744073709551615";

/// The Kyrgyz file as tallyproof CSV (exported by the binary), with stations 9001-9003 of
/// Bishkek whose БИРИМДИК votes (and valid ballots) add up to 2^64 + 1,000.
fn wrapping_file(dir: &Path) -> PathBuf {
    let kg = workspace("data/kg2020/stations_by_region_2413.csv");
    let o = run(dir, &["export", kg.to_str().unwrap(), "--to", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut csv = stdout(&o);
    let total = (1u128 << 64) + 1000;
    let third = total / 3;
    for (k, a) in [third, third, total - 2 * third].into_iter().enumerate() {
        assert!(a <= i64::MAX as u128);
        // Region, station, source, valid, БИРИМДИК, 15 other lists, against all, form2_percent.
        csv.push_str(&format!(
            "БИШКЕК Г.,{},manual,{a},{a}{}\n",
            9001 + k,
            ",0".repeat(17)
        ));
    }
    let path = dir.join("wrapping.csv");
    std::fs::write(&path, csv).unwrap();
    path
}

#[test]
fn results_of_a_file_whose_totals_wrap_is_an_error_naming_the_unit() {
    let dir = tempfile::tempdir().unwrap();
    let file = wrapping_file(dir.path());
    let file = file.to_str().unwrap();
    for extra in [&[][..], &["--by", "station"], &["--exclude", "ОШ Г."]] {
        let mut args = vec!["results", file, "--format", "csv"];
        args.extend_from_slice(extra);
        let o = run(dir.path(), &args);
        assert_eq!(o.status.code(), Some(3), "{args:?}: {}", stdout(&o));
        assert!(stderr(&o).contains(NAMED), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    }
}

#[test]
fn a_store_whose_totals_wrap_is_neither_tabulated_nor_published() {
    let dir = tempfile::tempdir().unwrap();
    let file = wrapping_file(dir.path());
    // An import is taken as it is (only its protocols' own sums are checked).
    let o = run(
        dir.path(),
        &[
            "import",
            file.to_str().unwrap(),
            "--format",
            "csv",
            "--db",
            "s.db",
            "--name",
            "kg",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(dir.path(), &["results", "--db", "s.db"]);
    assert_eq!(o.status.code(), Some(3), "{}", stdout(&o));
    assert!(stderr(&o).contains(NAMED), "{}", stderr(&o));
    let db = dir.path().join("s.db");
    let size = || {
        store::open(db.to_str().unwrap())
            .unwrap()
            .log("kg")
            .unwrap()
            .len()
    };
    let before = size();
    let o = run(
        dir.path(),
        &[
            "publish", "--db", "s.db", "--out", "pub", "--key", "log.key", "--stage", "final",
        ],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stdout(&o));
    assert_eq!(stderr(&o).matches(NAMED).count(), 1, "{}", stderr(&o));
    assert_eq!(size(), before, "a refused publication appends nothing");
}

#[test]
fn verify_refuses_a_publication_that_claims_wrapped_totals() {
    let dir = tempfile::tempdir().unwrap();
    let file = wrapping_file(dir.path());
    let o = run(
        dir.path(),
        &[
            "import",
            file.to_str().unwrap(),
            "--format",
            "csv",
            "--db",
            "s.db",
            "--name",
            "kg",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // The log as the store holds it, and a final publication with the totals wrapping
    // arithmetic gives (as the service certified them before the fix), signed properly.
    let mut entries = store::open(dir.path().join("s.db").to_str().unwrap())
        .unwrap()
        .log("kg")
        .unwrap();
    let (mut votes, mut valid, mut counted) = (Vec::new(), 0u64, 0u64);
    for (i, b) in entries.iter().enumerate() {
        if let Entry::Protocol(p) = decode(i as u64, b).unwrap() {
            votes.resize(p.votes.len(), 0u64);
            for (t, v) in votes.iter_mut().zip(&p.votes) {
                *t = t.wrapping_add(*v);
            }
            valid = valid.wrapping_add(p.line(model::Line::Valid).unwrap());
            counted += 1;
        }
    }
    assert_eq!(
        votes[0],
        469_098 + 1_000,
        "БИРИМДИК wraps to a plausible total"
    );
    entries.push(encode(&Entry::Publication(Publication {
        stage: record::Stage::Final,
        contest: 0,
        stations_counted: counted,
        votes,
        valid: Some(valid),
        invalid: None,
        seats: None,
    })));
    let out = dir.path().join("pub");
    let tree = Tree::from_entries(&entries);
    for (path, bytes) in write_tiles(&tree, &entries, tree.size()).unwrap() {
        let p = out.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    let key = NoteSigner::from_seed("tallyproof.test/kg", [7; 32]).unwrap();
    let checkpoint = Checkpoint {
        origin: "tallyproof.test/kg".into(),
        size: tree.size(),
        root: tree.root(),
    };
    std::fs::write(out.join("checkpoint"), checkpoint.sign(&key).unwrap()).unwrap();
    let o = run(
        dir.path(),
        &["verify", "pub", "--key", &key.verifier().text()],
    );
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let want = format!("REJECTED: replay: entry {}: {NAMED}", entries.len() - 1);
    assert!(stdout(&o).contains(&want), "{}", stdout(&o));
    assert!(!stdout(&o).contains("VALID\n"), "{}", stdout(&o));
}

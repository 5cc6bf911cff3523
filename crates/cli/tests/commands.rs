//! Each subcommand, its output and its exit code.

use serde_json::Value;

use crate::{run, stderr, stdout, workspace};

fn broken(name: &str) -> String {
    workspace(&format!("crates/formats/test_data/broken/{name}"))
        .display()
        .to_string()
}

#[test]
fn a_rejected_import_changes_nothing_and_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    // The first two rows are fine; the fourth line repeats a station.
    let o = run(
        dir.path(),
        &[
            "import",
            &broken("ru_duplicate_station.csv"),
            "--db",
            "s.db",
        ],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("appears twice under the same key (first at line 2)"),
        "{}",
        stderr(&o)
    );
    let o = run(dir.path(), &["elections", "--db", "s.db"]);
    assert!(stdout(&o).starts_with("no elections"), "{}", stdout(&o));
    // A truncated file is rejected whole, too.
    let o = run(
        dir.path(),
        &["import", &broken("ru_truncated.csv"), "--db", "s.db"],
    );
    assert_eq!(o.status.code(), Some(3));
    let o = run(dir.path(), &["elections", "--db", "s.db"]);
    assert!(stdout(&o).starts_with("no elections"), "{}", stdout(&o));
}

#[test]
fn import_then_results_from_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let kg = workspace("data/kg2020/stations_by_region_2413.csv")
        .display()
        .to_string();
    let o = run(dir.path(), &["import", &kg, "--db", "s.db", "--name", "kg"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("imported 'kg'"), "{}", stdout(&o));
    let o = run(dir.path(), &["import", &kg, "--db", "s.db", "--name", "kg"]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stderr(&o).contains("an election named 'kg' is already in the store"));
    let from_store = run(
        dir.path(),
        &["results", "--db", "s.db", "--by", "region", "--json"],
    );
    let from_file = run(
        dir.path(),
        &["results", &kg, "--by", "region", "--json", "--name", "kg"],
    );
    let mut a: Value = serde_json::from_str(&stdout(&from_store)).unwrap();
    let b: Value = serde_json::from_str(&stdout(&from_file)).unwrap();
    assert_eq!(b["input"]["rows"], 2413);
    a["input"] = b["input"].clone();
    assert_eq!(a, b, "the store and the file give different results");
    assert_eq!(a["units"].as_array().unwrap().len(), 11);
    let o = run(
        dir.path(),
        &["results", "--db", "s.db", "--election", "nope"],
    );
    assert_eq!(o.status.code(), Some(4));
}

#[test]
fn excluding_a_region_leaves_out_its_stations() {
    let dir = tempfile::tempdir().unwrap();
    let kg = workspace("data/kg2020/stations_by_region_2413.csv")
        .display()
        .to_string();
    let o = run(
        dir.path(),
        &["results", &kg, "--json", "--exclude", "МИД КР"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let r: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(r["units"][0]["stations"], 2413 - 45);
    assert_eq!(r["units"][0]["lines"]["valid"], 1887345 - 9164);
    let o = run(dir.path(), &["results", &kg, "--exclude", "Atlantis"]);
    assert_eq!(o.status.code(), Some(5));
    assert!(stderr(&o).contains("no unit 'Atlantis'"), "{}", stderr(&o));
}

#[test]
fn check_reports_control_relations_and_exits_1_on_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.csv"),
        "station,registered,issued_in_station,valid,invalid,found_stationary,party:A,party:B\n1,100,60,55,5,60,30,25\n2,100,60,55,5,61,30,24\n",
    )
    .unwrap();
    let o = run(dir.path(), &["check", "p.csv"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("error: station '2', contest 'contest', version 1: [choices = valid] fails: choices 54 != valid 55"), "{out}");
    assert!(
        out.contains(
            "summary: 2 control-relation errors, 1 control-relation warnings, 0 value warnings"
        ),
        "{out}"
    );
    let o = run(dir.path(), &["check", "p.csv", "--json"]);
    let r: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(r["diagnostics"].as_array().unwrap().len(), 3);
    let o = run(
        dir.path(),
        &[
            "check",
            &workspace("data/kg2020/stations_by_region_2413.csv")
                .display()
                .to_string(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn usage_and_missing_files_have_their_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        run(dir.path(), &["results", "--by", "planet"])
            .status
            .code(),
        Some(2)
    );
    let o = run(dir.path(), &["check", "missing.csv"]);
    assert_eq!(o.status.code(), Some(5));
    assert!(
        stderr(&o).contains("cannot read missing.csv"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn gen_is_deterministic_and_its_truth_matches_the_results() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "gen",
        "--stations",
        "700",
        "--parties",
        "6",
        "--regions",
        "4",
        "--seed",
        "9",
    ];
    let mut a = args.to_vec();
    a.extend(["-o", "a.csv", "--truth", "a.json"]);
    let mut b = args.to_vec();
    b.extend(["-o", "b.csv"]);
    assert!(run(dir.path(), &a).status.success());
    assert!(run(dir.path(), &b).status.success());
    let (fa, fb) = (
        std::fs::read(dir.path().join("a.csv")).unwrap(),
        std::fs::read(dir.path().join("b.csv")).unwrap(),
    );
    assert_eq!(fa, fb);
    let truth: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("a.json")).unwrap()).unwrap();
    let o = run(
        dir.path(),
        &["results", "a.csv", "--by", "region", "--json"],
    );
    let r: Value = serde_json::from_str(&stdout(&o)).unwrap();
    for (unit, t) in r["units"].as_array().unwrap().iter().zip(
        truth["units"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["level"] != "district"),
    ) {
        assert_eq!(unit["path"], t["path"]);
        assert_eq!(unit["votes"], t["votes"]);
        assert_eq!(unit["lines"]["registered"], t["registered"]);
    }
    let o = run(dir.path(), &["check", "a.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn exports_read_back_and_are_byte_stable() {
    let dir = crate::store_with("data/kg2020/stations_by_region_2413.csv");
    for (to, file) in [("json", "e.json"), ("csv", "e.csv"), ("cdf", "e.cdf.json")] {
        let o = run(
            dir.path(),
            &["export", "--db", "s.db", "--to", to, "-o", file],
        );
        assert!(o.status.success(), "{to}: {}", stderr(&o));
        let first = std::fs::read(dir.path().join(file)).unwrap();
        run(
            dir.path(),
            &["export", "--db", "s.db", "--to", to, "-o", file],
        );
        assert_eq!(
            first,
            std::fs::read(dir.path().join(file)).unwrap(),
            "{to} export is not deterministic"
        );
    }
    assert!(run(dir.path(), &["import", "e.json", "--db", "t.db"])
        .status
        .success());
    let a = stdout(&run(
        dir.path(),
        &["results", "--db", "s.db", "--by", "region", "--json"],
    ));
    let b = stdout(&run(
        dir.path(),
        &["results", "--db", "t.db", "--by", "region", "--json"],
    ));
    assert_eq!(a, b);
    let cdf: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("e.cdf.json")).unwrap()).unwrap();
    // The day of the vote: the kg2020 format gives its files 4 October 2020.
    assert_eq!(cdf["GeneratedDate"], "2020-10-04T00:00:00Z");
    assert_eq!(
        cdf["Election"][0]["Contest"][0]["@type"],
        "ElectionResults.PartyContest"
    );
}

#[test]
fn demo_runs_on_the_bundled_data() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["demo", "--no-serve", "--db", "demo.db"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("imported 'kg2020-2413'"), "{out}");
    assert!(
        out.contains("(country)                         2399      2399"),
        "{out}"
    );
    assert!(
        out.contains("votes (total column): 1887345 and 1920214 (+32869)"),
        "{out}"
    );
    assert!(
        out.contains("МИД КР                              45"),
        "{out}"
    );
    assert!(out.contains("entry 2429: station 'БИШКЕК Г. / 1': version 1 -> 2: «БИРИМДИК» 85 -> 75, «МЕКЕНЧИЛ» 52 -> 62"), "{out}");
    assert!(
        out.contains("entry 2439: decision: annul the election"),
        "{out}"
    );
    assert!(
        out.contains("2 publication(s) recomputed and equal"),
        "{out}"
    );
    assert!(out.contains("an insider's rewrite, re-signed with the real key: REJECTED: replay: entry 2422 (preliminary publication): votes[0] («БИРИМДИК»): logged 469098, recomputed 469598"), "{out}");
    assert!(out.contains("against the checkpoint an observer saved on 5 October: REJECTED: history was rewritten: at size 2424"), "{out}");
    // The forensic report: only the digit tests can run without registered voters.
    assert!(out.contains("The files have no registered voters"), "{out}");
    let report = std::fs::read_to_string(dir.path().join("demo.db.forensics.html")).unwrap();
    assert!(report.contains("Tests that could not run") && report.contains("Digit tests"));
    // The observer's tools on the published demo log: checkpoint, prove, then verify by hand.
    let o = run(dir.path(), &["log", "checkpoint", "demo.db.log"]);
    let cp = stdout(&o);
    assert!(
        cp.starts_with("origin tallyproof.demo/kg2020-2413\nsize 2440\nroot "),
        "{cp}"
    );
    let o = run(
        dir.path(),
        &[
            "log",
            "prove",
            "demo.db.log",
            "--index",
            "1000",
            "--from",
            "2422",
        ],
    );
    let p: std::collections::HashMap<String, String> = stdout(&o)
        .lines()
        .filter_map(|l| {
            l.split_once(' ')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect();
    let o = run(
        dir.path(),
        &[
            "log",
            "verify-inclusion",
            "--leaf-hash",
            &p["leaf-hash"],
            "--index",
            "1000",
            "--size",
            "2440",
            "--root",
            &p["root"],
            "--proof",
            &p["proof"],
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = run(
        dir.path(),
        &[
            "log",
            "verify-consistency",
            "--size1",
            "2422",
            "--size2",
            "2440",
            "--root1",
            &p["root1"],
            "--root2",
            &p["root"],
            "--proof",
            &p["consistency"],
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // Running it again starts from a fresh store.
    assert!(run(dir.path(), &["demo", "--no-serve", "--db", "demo.db"])
        .status
        .success());
}

#[test]
fn log_proofs_are_checked_by_hand_with_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let root = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328";
    let proof = "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b,ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0,d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7";
    let leaf = "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658";
    let args = |index: &str| {
        vec![
            "log",
            "verify-inclusion",
            "--leaf-hash",
            leaf,
            "--index",
            index,
            "--size",
            "8",
            "--root",
            root,
            "--proof",
            proof,
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    let run_s = |a: Vec<String>| {
        run(
            dir.path(),
            &a.iter().map(String::as_str).collect::<Vec<_>>(),
        )
    };
    let o = run_s(args("5"));
    assert_eq!(
        (o.status.code(), stdout(&o).trim()),
        (Some(0), "valid: leaf 5 is in the tree of size 8")
    );
    let o = run_s(args("4"));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).starts_with("invalid: proof rejected: the proof leads to root"),
        "{}",
        stdout(&o)
    );
    // Malformed proof elements are refused, not dropped: a trailing comma once left a valid
    // proof of three hashes and the answer "valid" (issue "One rulebook", item 4).
    let elements: Vec<&str> = proof.split(',').collect();
    for (bad, says) in [
        (
            format!("{proof},"),
            "proof element 4 of 4 is empty (a stray comma?)",
        ),
        (format!(",{proof}"), "proof element 1 of 4 is empty"),
        (
            format!("{},,{}", elements[0], elements[1..].join(",")),
            "proof element 2 of 4 is empty",
        ),
        (
            format!("{},{}", "+f".repeat(32), elements[1..].join(",")),
            "proof element 1 of 3: '+f+f",
        ),
        (
            format!("{},{}", &elements[0][..63], elements[1..].join(",")),
            "proof element 1 of 3: 'bc1a0643",
        ),
    ] {
        let mut a = args("5");
        *a.last_mut().unwrap() = bad.clone();
        let o = run_s(a);
        assert_eq!(o.status.code(), Some(3), "{bad}: {}", stdout(&o));
        assert!(
            stderr(&o).contains(&format!("bad hash: {says}")),
            "{bad}: {}",
            stderr(&o)
        );
        assert!(!stdout(&o).contains("valid"), "{bad}: {}", stdout(&o));
    }
    // RFC 6962 reference tree: consistency 6 -> 8.
    let o = run(dir.path(), &[
        "log", "verify-consistency", "--size1", "6", "--size2", "8",
        "--root1", "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", "--root2", root,
        "--proof", "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a,ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0,d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ]);
    assert_eq!(
        (o.status.code(), stdout(&o).trim()),
        (
            Some(0),
            "valid: the tree of size 8 extends the tree of size 6"
        )
    );
    let o = run(
        dir.path(),
        &[
            "log",
            "verify-consistency",
            "--size1",
            "0",
            "--size2",
            "8",
            "--root1",
            root,
            "--root2",
            root,
        ],
    );
    assert_eq!(
        (o.status.code(), stdout(&o).trim()),
        (
            Some(1),
            "invalid: proof rejected: a consistency proof from an empty tree is meaningless"
        )
    );
    let o = run(
        dir.path(),
        &[
            "log",
            "verify-consistency",
            "--size1",
            "1",
            "--size2",
            "8",
            "--root1",
            "zz",
            "--root2",
            root,
        ],
    );
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("bad hash: 'zz' is not 64 hex digits"),
        "{}",
        stderr(&o)
    );
}

/// Publishing under a law states seats on the base that law defines, as `seats --law` computes
/// them: under kg2010 (registered voters), the Kyrgyz 2020 file, which has none, is refused
/// with the same message as `seats`, and nothing is appended (issue 14).
#[test]
fn publish_under_a_law_uses_its_base() {
    let dir = crate::store_with("data/kg2020/stations_by_region_2413.csv");
    let seats = run(dir.path(), &["seats", "--db", "s.db", "--law", "kg2010"]);
    assert!(!seats.status.success(), "{}", stdout(&seats));
    let refused = stderr(&seats);
    let message = refused.trim().trim_start_matches("error: ");
    assert!(message.contains("registered"), "{refused}");
    let db = dir.path().join("s.db");
    let size = || {
        store::Store::log(&store::open(db.to_str().unwrap()).unwrap(), "kg")
            .unwrap()
            .len()
    };
    let before = size();
    let o = run(
        dir.path(),
        &[
            "publish", "--db", "s.db", "--out", "pub", "--key", "log.key", "--law", "kg2010",
        ],
    );
    assert!(!o.status.success(), "{}", stdout(&o));
    assert!(
        stderr(&o).contains(message),
        "{}\nwant: {message}",
        stderr(&o)
    );
    assert_eq!(size(), before, "a refused publication appends nothing");
    for (law, base) in [("kg2020", "participated"), ("kg2021", "participated")] {
        let out = format!("pub-{law}");
        let o = run(
            dir.path(),
            &[
                "publish", "--db", "s.db", "--out", &out, "--key", "log.key", "--law", law,
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let o = run(
            dir.path(),
            &["verify", &out, "--key", &format!("{out}/log.pub")],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
        let log = store::Store::log(&store::open(db.to_str().unwrap()).unwrap(), "kg").unwrap();
        // The act's last publication (a `keys` entry may follow it).
        let text = log
            .iter()
            .rev()
            .map(|e| String::from_utf8_lossy(&e[1..]).to_string())
            .find(|t| t.starts_with("{\"type\":\"publication\""))
            .unwrap();
        assert!(
            text.contains(&format!("\"law\":\"{law}\""))
                && text.contains(&format!("\"base\":\"{base}\"")),
            "{text}"
        );
    }
}

#[test]
fn publish_then_verify_and_catch_tampering() {
    let dir = crate::store_with("data/kg2020/stations_by_region_2413.csv");
    let o = run(
        dir.path(),
        &[
            "publish", "--db", "s.db", "--out", "pub", "--key", "log.key", "--law", "kg2020",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(": 2424 entries; checkpoint:"),
        "{}",
        stdout(&o)
    );
    let o = run(dir.path(), &["verify", "pub", "--key", "pub/log.pub"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("ok: replayed 'kg': 2413 stations' protocols (0 corrected), 0 complaint(s), 0 recount(s), 0 re-vote(s), 0 annulled unit(s), 0 audit step(s), 1 publication(s) recomputed and equal"), "{}", stdout(&o));
    // A second publication is appended to the same log: it grows by two entries (the staff
    // `certify` and the final publication; the key is declared already), the same key
    // signs it, and the earlier checkpoint stays consistent with it.
    let first = dir.path().join("first.cp");
    std::fs::copy(dir.path().join("pub/checkpoint"), &first).unwrap();
    let o = run(
        dir.path(),
        &[
            "publish", "--db", "s.db", "--out", "pub2", "--key", "log.key", "--law", "kg2020",
            "--stage", "final",
        ],
    );
    assert!(
        stdout(&o).contains(": 2426 entries; checkpoint:"),
        "{}",
        stdout(&o)
    );
    let o = run(
        dir.path(),
        &[
            "verify",
            "pub2",
            "--key",
            "pub/log.pub",
            "--saved",
            "first.cp",
        ],
    );
    assert!(
        stdout(&o).contains("ok: consistent with the saved checkpoint of size 2424"),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains("2 publication(s) recomputed and equal"),
        "{}",
        stdout(&o)
    );
    // One changed byte in an entry bundle is pinpointed.
    let bundle = dir.path().join("pub/tile/entries/004");
    let mut b = std::fs::read(&bundle).unwrap();
    let at = b.windows(9).position(|w| w == b"\"votes\":[").unwrap() + 9;
    b[at] = if b[at] == b'9' { b'8' } else { b'9' };
    std::fs::write(&bundle, b).unwrap();
    let o = run(dir.path(), &["verify", "pub", "--key", "pub2/log.pub"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).starts_with("REJECTED: tile rejected: tile/0/004: leaf 1024 is"),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains("(entry 1024 is the version-1 protocol of station"),
        "{}",
        stdout(&o)
    );
    // A checkpoint signed by another key is refused.
    let o = run(
        dir.path(),
        &[
            "verify",
            "pub2",
            "--key",
            "tallyproof.local/kg+00000000+AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ],
    );
    assert_ne!(o.status.code(), Some(0));
    // A truncated tile is reported, not a panic.
    std::fs::write(dir.path().join("pub2/tile/0/001"), b"short").unwrap();
    let o = run(dir.path(), &["verify", "pub2", "--key", "pub2/log.pub"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o)
            .contains("REJECTED: tile rejected: tile/0/001: 5 bytes, a tile of width 256 has 8192"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_witness_cosigns_once_and_refuses_a_fork() {
    let dir = crate::store_with("data/kg2020/stations_by_region_2413.csv");
    let other = workspace("data/kg2020/stations_2399.csv")
        .display()
        .to_string();
    assert!(run(
        dir.path(),
        &["import", &other, "--db", "t.db", "--name", "kg"]
    )
    .status
    .success());
    let publish = |db: &str, out: &str| {
        let o = run(
            dir.path(),
            &[
                "publish",
                "--db",
                db,
                "--out",
                out,
                "--key",
                "log.key",
                "--origin",
                "cec.test/kg",
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
    };
    publish("s.db", "a");
    publish("t.db", "b");
    let witness = |d: &str| crate::witness(dir.path(), d, "a/log.pub");
    let o = witness("a");
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let wkey = stdout(&o)
        .trim()
        .rsplit("witness key: ")
        .next()
        .unwrap()
        .to_string();
    let o = run(
        dir.path(),
        &[
            "verify",
            "a",
            "--key",
            "a/log.pub",
            "--witness",
            &wkey,
            "--quorum",
            "1",
        ],
    );
    assert!(
        stdout(&o).contains("ok: cosigned by 1 of 1 known witnesses (quorum 1)"),
        "{}",
        stdout(&o)
    );
    // The same log key signed another history: the witness refuses to cosign it.
    let o = witness("b");
    assert_eq!(o.status.code(), Some(1));
    // (That history is shorter, 2409 entries, so the witness sees a log that shrank.)
    assert_eq!(
        stdout(&o).trim(),
        "REFUSED: 400 bad request: old size 2424 is above the checkpoint's size 2409"
    );
    // And a verifier that requires the witness rejects the uncosigned fork.
    let o = run(
        dir.path(),
        &[
            "verify",
            "b",
            "--key",
            "a/log.pub",
            "--witness",
            &wkey,
            "--quorum",
            "1",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o).trim(),
        "REJECTED: only 0 of the 1 required witnesses cosigned this checkpoint"
    );
}

/// Kills imports at several points: afterwards every election the store lists is complete,
/// and its log publishes and verifies; the killed imports left nothing behind.
#[test]
fn a_killed_import_leaves_the_store_and_its_log_in_agreement() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        dir.path(),
        &[
            "gen",
            "--stations",
            "20000",
            "--parties",
            "8",
            "--seed",
            "3",
            "-o",
            "g.csv",
        ],
    );
    assert!(o.status.success());
    let mut committed = 0;
    for (i, delay_ms) in [15u64, 60, 150, 400, 5_000].into_iter().enumerate() {
        let name = format!("run{i}");
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tallyproof"))
            .args(["import", "g.csv", "--db", "c.db", "--name", &name])
            .current_dir(dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Killed after the delay, or when it ends if sooner (the last one is given up to a
        // minute: on a loaded machine an import of 20,000 stations can take more than 5 s).
        let deadline = std::time::Instant::now()
            + std::time::Duration::from_millis(if delay_ms >= 5_000 { 60_000 } else { delay_ms });
        while std::time::Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let _ = child.kill();
        let _ = child.wait();
        let o = run(dir.path(), &["elections", "--db", "c.db"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let listed = stdout(&o);
        if !listed.contains(&format!("{name}\t")) {
            continue;
        }
        committed += 1;
        assert!(
            listed.contains(&format!("{name}\t20000 stations\t20000 protocol versions")),
            "{listed}"
        );
        let out = format!("pub{i}");
        let o = run(
            dir.path(),
            &[
                "publish",
                "--db",
                "c.db",
                "--election",
                &name,
                "--out",
                &out,
                "--key",
                "k.key",
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let o = run(
            dir.path(),
            &["verify", &out, "--key", &format!("{out}/log.pub")],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
        assert!(
            stdout(&o).contains("20000 stations' protocols"),
            "{}",
            stdout(&o)
        );
    }
    // The last import had up to a minute: at least that one finished.
    assert!(committed >= 1);
}

#[test]
fn complaints_and_decisions_enter_the_log_as_commitments_and_content_can_be_redacted() {
    let dir = crate::store_with("data/kg2020/stations_by_region_2413.csv");
    let ok = |args: &[&str]| {
        let o = run(dir.path(), args);
        assert!(o.status.success(), "{args:?}: {}{}", stdout(&o), stderr(&o));
        stdout(&o)
    };
    std::fs::write(dir.path().join("scan.jpg"), b"not really a jpeg").unwrap();
    let out = ok(&[
        "complain",
        "--db",
        "s.db",
        "--unit",
        "ОШ Г. / 300",
        "--by",
        "Aida K.",
        "--text",
        "Ballots stuffed at 18:40",
        "--scan",
        "scan.jpg",
    ]);
    assert_eq!(
        out.trim(),
        "complaint about 'ОШ Г. / 300' logged as entry 2422"
    );
    let out = ok(&[
        "decide",
        "--db",
        "s.db",
        "--revote",
        "ОШ Г. / 300",
        "--reason",
        "Court ruling 12/2020",
    ]);
    // The complaint upheld, answered by the re-vote (issue 17): none is open to certify over.
    let decision = out.trim().rsplit(' ').next().unwrap().to_string();
    let out = ok(&[
        "review",
        "--db",
        "s.db",
        "--complaint",
        "2422",
        "--status",
        "upheld",
        "--reason",
        "Stuffing confirmed by the court",
        "--decision",
        &decision,
    ]);
    assert_eq!(out.trim(), "complaint 2422 is upheld: logged as entry 2426");
    ok(&[
        "publish", "--db", "s.db", "--out", "pub", "--key", "k", "--law", "kg2020",
    ]);
    // The log holds no name and no text; the complainant's name is not published (issue 13,
    // finding 8): the text, the scan's hash and the reason are.
    let bundles: Vec<u8> = std::fs::read_dir(dir.path().join("pub/tile/entries"))
        .unwrap()
        .flat_map(|e| std::fs::read(e.unwrap().path()).unwrap_or_default())
        .collect();
    let text = String::from_utf8_lossy(&bundles);
    assert!(!text.contains("Aida") && !text.contains("stuffed") && !text.contains("Court"));
    let out = ok(&["verify", "pub", "--key", "pub/log.pub"]);
    assert!(
        out.contains(
            "ok: 4 published content(s) match their commitments; 1 redacted or not published"
        ),
        "{out}"
    );
    assert!(out.contains("1 complaint(s), 0 recount(s), 1 re-vote(s), 1 annulled unit(s), 0 audit step(s), 1 publication(s) recomputed and equal"), "{out}");
    // Redact one text: the commitment stays, the content goes, the log still verifies.
    let commitment = std::fs::read_dir(dir.path().join("pub/content"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .file_name()
        .to_string_lossy()
        .to_string();
    ok(&["redact", "--db", "s.db", "--commitment", &commitment]);
    // Each act is logged as the service logs it, with a staff entry naming the act, made by
    // the console (issue 14: one rulebook).
    let db = dir.path().join("s.db");
    let log = store::Store::log(&store::open(db.to_str().unwrap()).unwrap(), "kg").unwrap();
    for act in ["complain", "decide", "review", "redact"] {
        let staff = log.iter().filter(|e| {
            let t = String::from_utf8_lossy(e);
            t.contains("\"type\":\"staff\"")
                && t.contains(&format!("\"act\":\"{act}\""))
                && t.contains("\"user\":\"console\"")
        });
        assert_eq!(staff.count(), 1, "one staff '{act}' entry by the console");
    }
    ok(&[
        "publish", "--db", "s.db", "--out", "pub", "--key", "k", "--law", "kg2020", "--stage",
        "final",
    ]);
    let out = ok(&["verify", "pub", "--key", "pub/log.pub"]);
    assert!(
        out.contains(
            "ok: 3 published content(s) match their commitments; 2 redacted or not published"
        ),
        "{out}"
    );
    // A content altered after publication is caught.
    let other = std::fs::read_dir(dir.path().join("pub/content"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut t = std::fs::read_to_string(&other).unwrap();
    t.push('!');
    std::fs::write(&other, t).unwrap();
    let o = run(dir.path(), &["verify", "pub", "--key", "pub/log.pub"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).starts_with("REJECTED: content/"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_log_is_verified_from_a_loopback_url() {
    let dir = crate::store_with("data/kg2020/stations_by_region_2413.csv");
    let o = run(
        dir.path(),
        &["publish", "--db", "s.db", "--out", "pub", "--key", "k"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let port = crate::https::file_server(dir.path().join("pub"), None).port;
    let url = format!("http://127.0.0.1:{port}/site/");
    let o = run(dir.path(), &["verify", &url, "--key", "pub/log.pub"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).ends_with("VALID\n"), "{}", stdout(&o));
    // A port nobody listens on: the failure names the URL, and is not taken for a missing
    // file.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/site/", closed.local_addr().unwrap());
    drop(closed);
    let o = run(dir.path(), &["verify", &url, "--key", "pub/log.pub"]);
    assert_eq!(o.status.code(), Some(5));
    assert_eq!(stdout(&o), "");
    assert_eq!(
        stderr(&o),
        format!(
            "error: cannot fetch {url}checkpoint: the host cannot be reached: connection refused\n"
        )
    );
}

//! `tallyproof audit`: the calculators from a file and from standard input, bad requests
//! refused with the field named, and the assertions of the Kyrgyz 2020 allocation.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::{run, stderr, stdout, store_with};

const BRAVO: &str = r#"{"risk_limit": 10, "contest": {"cand1": 600, "cand2": 400, "ballots": 1000, "numWinners": 1, "votesAllowed": 1}}"#;

#[test]
fn calculator_from_a_file_and_from_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("r.json"), BRAVO).unwrap();
    let o = run(dir.path(), &["audit", "calc", "bravo", "r.json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let from_file: Value = serde_json::from_str(&stdout(&o)).unwrap();
    // Arlo's test_bravo.py: ASN 119 (probability 0.52), then 184, 244, 351.
    let sizes = &from_file["sample_sizes"];
    assert_eq!(
        ["asn", "0.7", "0.8", "0.9"].map(|k| sizes[k]["size"].as_u64().unwrap()),
        [119, 184, 244, 351]
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_tallyproof"))
        .args(["audit", "calc", "bravo"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(BRAVO.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    let from_stdin: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(from_stdin, from_file);
}

#[test]
fn bad_requests_name_the_field_and_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "bravo",
            r#"{"risk_limit": 60, "contest": {"a": 6, "b": 4, "ballots": 10}}"#,
            "the risk limit must be above 0 and at most 50 percent; got 60%",
        ),
        (
            "bravo",
            r#"{"risk_limit": 0, "contest": {"a": 6, "b": 4, "ballots": 10}}"#,
            "the risk limit must be above 0",
        ),
        (
            "bravo",
            r#"{"risk_limit": 10, "contest": {"a": 6, "b": 4, "ballots": 10}, "sample": {"c": 1}}"#,
            "sample.c: not a candidate of the contest",
        ),
        (
            "bravo",
            r#"{"risk_limit": 10, "contest": {"a": 6, "b": 4}}"#,
            "contest.ballots: missing",
        ),
        (
            "sample",
            r#"{"seed": "1", "ids": ["x", "y", "x"]}"#,
            "the id 'x' appears twice",
        ),
        (
            "macro",
            r#"{"risk_limit": 10, "contest": {"a": 6, "b": 4, "ballots": 10}, "batches": {"p1": {"a": 6, "b": 4, "ballots": 10}}, "audited": {"p2": {"a": 6, "b": 4}}}"#,
            "audited.p2: 'p2' is not a batch of the manifest",
        ),
        (
            "macro",
            r#"{"risk_limit": 10, "contest": {"a": 6, "b": 4, "ballots": 10}, "batches": {"p1": {"a": 6, "b": 4, "ballots": 10}}, "audited": {"p1": {"a": 6, "b": 4}}, "ticket_order": ["p1", "p9"]}"#,
            "ticket_order[1]: 'p9' is not a batch of the manifest",
        ),
        (
            "alpha",
            r#"{"x": [0.5, 2.0]}"#,
            "x: 2 is outside [0, u = 1]",
        ),
        ("volume", r#"{}"#, "unknown calculator 'volume'"),
        ("bravo", r#"{"risk_limit": 10, "#, "r.json: not valid JSON"),
    ];
    for (kind, request, want) in cases {
        std::fs::write(dir.path().join("r.json"), request).unwrap();
        let o = run(dir.path(), &["audit", "calc", kind, "r.json"]);
        assert_eq!(o.status.code(), Some(3), "{kind} {request}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(want),
            "{kind} {request}: {}",
            stderr(&o)
        );
        assert!(stdout(&o).is_empty());
    }
}

/// Every assertion of the Kyrgyz 2020 allocation holds on the reported counts, every kind
/// is present, and a ballot-level comparison audit needs a small fraction of the ballots.
#[test]
fn assertions_of_the_kyrgyz_2020_allocation() {
    let dir = store_with("data/kg2020/stations_by_region_2413.csv");
    let o = run(
        dir.path(),
        &[
            "audit",
            "assertions",
            "--db",
            "s.db",
            "--law",
            "kg2020",
            "--risk-limit",
            "5",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let ballots = v["ballots"].as_u64().unwrap();
    let rows = v["assertions"].as_array().unwrap();
    for kind in ["pair", "above-threshold", "below-threshold"] {
        assert!(
            rows.iter().any(|r| r["kind"] == kind),
            "no {kind} assertion"
        );
    }
    let mut most = 0;
    for r in rows {
        assert!(r["margin"].as_f64().unwrap() > 0.0, "{r}");
        most = most.max(r["comparison_sample_size"].as_u64().unwrap());
    }
    // The whole allocation is confirmed by about ten thousand ballots of 1.9 million.
    assert!(most < ballots / 50, "{most} of {ballots}");
}

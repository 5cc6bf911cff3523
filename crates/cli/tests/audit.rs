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

/// Issue 18, item 1: before an audit starts, `audit plan` compares the methods on the Kyrgyz
/// 2020 store. It names the assertion closest to changing the seats with its margin in
/// ballots, which must be the threshold margin `tallyproof margins` computes independently
/// (exact rationals in `seats`, not the audit's assorters): «БҮТҮН КЫРГЫЗСТАН» passes the
/// 0.70% in Talas by 527 ballots, «МЕКЕНЧИЛ» the national 7% by 693. Polling and station
/// batches amount to a full count; a ballot comparison reads about 11,000 ballots, from
/// nearly every station.
#[test]
fn method_comparison_of_the_kyrgyz_2020_allocation() {
    let dir = store_with("data/kg2020/stations_by_region_2413.csv");
    let json = |args: &[&str]| -> Value {
        let o = run(dir.path(), args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        serde_json::from_str(&stdout(&o)).unwrap()
    };
    let plan = json(&["audit", "plan", "--db", "s.db", "--law", "kg2020", "--json"]);
    let margins = json(&["margins", "--db", "s.db", "--law", "kg2020", "--json"]);
    let threshold_margin = |party: &str, national: bool| {
        margins["thresholds"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["party"] == party && (t["threshold"] == "national") == national)
            .unwrap_or_else(|| panic!("no margin for {party}"))["ballots"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(
        (plan["ballots"].as_u64(), plan["stations"].as_u64()),
        (Some(1_887_345), Some(2413))
    );
    let closest = &plan["closest"];
    let bk = "«БҮТҮН КЫРГЫЗСТАН» саясий партиясы";
    assert_eq!(closest["claim"]["party"], bk, "{closest}");
    assert_eq!(closest["claim"]["region"], "ТАЛАССКАЯ ТИК");
    assert_eq!(closest["margin_ballots"].as_u64(), Some(527));
    assert_eq!(threshold_margin(bk, false), 527);
    let method = |m: &str| {
        plan["methods"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["method"] == m)
            .unwrap()
            .clone()
    };
    let polling = method("polling");
    assert_eq!(polling["full_count"], true);
    assert_eq!(polling["hardest"]["claim"]["party"], "«МЕКЕНЧИЛ»");
    assert_eq!(polling["hardest"]["claim"]["scope"], "national");
    assert_eq!(polling["hardest"]["margin_ballots"].as_u64(), Some(693));
    assert_eq!(threshold_margin("«МЕКЕНЧИЛ»", true), 693);
    assert_eq!(polling["feasible_at"], Value::Null);
    let batch = method("batch");
    assert_eq!(batch["full_count"], true);
    assert_eq!(batch["of"].as_u64(), Some(2413));
    // MACRO's draws fall below a quarter of the stations only at a risk limit of 30%.
    assert_eq!(batch["feasible_at"].as_u64(), Some(30));
    let comparison = method("comparison");
    assert_eq!(comparison["full_count"], false);
    let n = comparison["sample"].as_u64().unwrap();
    assert!((10_000..13_000).contains(&n), "{n}");
    // About 11,000 ballots drawn from 2,413 stations open nearly all of them: 2,245 on average.
    let stations = comparison["stations"].as_u64().unwrap();
    assert!((2_200..2_300).contains(&stations), "{stations}");
    // The text names the same.
    let o = run(
        dir.path(),
        &["audit", "plan", "--db", "s.db", "--law", "kg2020"],
    );
    let text = stdout(&o);
    assert!(
        text.contains(
            "«МЕКЕНЧИЛ» is above the national threshold (7.00% of participated) by 693 ballot(s)"
        ),
        "{text}"
    );
    assert!(text.contains("possible at a risk limit of 30%"), "{text}");
}

/// `audit draw` on Arlo's test manifest (four precincts of 25 ballots) with Arlo's id text
/// reproduces Arlo's `draw_sample` snapshot (the `arlo.sampler.draw_sample` vector); a
/// second round with `--drop` continues it, and a bad manifest is refused with its line.
#[test]
fn draw_reproduces_arlos_sample_from_a_manifest() {
    let text =
        std::fs::read_to_string(crate::workspace("crates/audit/test_data/rla.json")).unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    let v = all["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "arlo.sampler.draw_sample")
        .unwrap();
    let seed = v["inputs"]["seed"].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let manifest = "Container,Tabulator,Batch Name,Number of Ballots\n,,pct 1,25\n,,pct 2,25\n,,pct 3,25\n,,pct 4,25\n";
    std::fs::write(dir.path().join("m.csv"), manifest).unwrap();
    let args = [
        "audit",
        "draw",
        "--manifest",
        "m.csv",
        "--seed",
        seed,
        "--with-replacement",
        "--ids",
        "arlo",
    ];
    let o = run(dir.path(), &[&args[..], &["--ballots", "20"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let mut rows = csv::Reader::from_reader(o.stdout.as_slice());
    let got: Vec<(String, String, u64, u64)> = rows
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[0].to_string(),
                r[3].to_string(),
                r[4].parse().unwrap(),
                r[5].parse().unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, String, u64, u64)> = v["expected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w[0].as_str().unwrap().to_string(),
                w[1][0].as_str().unwrap().to_string(),
                w[1][1].as_u64().unwrap(),
                w[2].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, want);
    let o = run(
        dir.path(),
        &[&args[..], &["--ballots", "10", "--drop", "10"]].concat(),
    );
    let second: Vec<String> = stdout(&o).lines().skip(1).map(str::to_string).collect();
    let first: Vec<String> = {
        let o = run(dir.path(), &[&args[..], &["--ballots", "20"]].concat());
        stdout(&o).lines().skip(11).map(str::to_string).collect()
    };
    assert_eq!(second, first);
    std::fs::write(
        dir.path().join("bad.csv"),
        "Batch Name,Number of Ballots\npct 1,25\npct 1,3\n",
    )
    .unwrap();
    let o = run(
        dir.path(),
        &[
            "audit",
            "draw",
            "--manifest",
            "bad.csv",
            "--seed",
            "1",
            "--ballots",
            "2",
        ],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("bad.csv:3:1 (Batch Name): the batch 'pct 1' is listed twice"),
        "{}",
        stderr(&o)
    );
    let o = run(
        dir.path(),
        &[
            "audit",
            "draw",
            "--manifest",
            "m.csv",
            "--seed",
            "1",
            "--ballots",
            "101",
        ],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o)
            .contains("the manifest lists 100 ballots: 101 cannot be drawn without replacement"),
        "{}",
        stderr(&o)
    );
}

/// The end-to-end check of the Kyrgyz 2020 allocation (1.9 million ballots, 81
/// assertions) with simulated paper ballots and cast-vote records: when the paper agrees
/// with the records, a ballot-level comparison audit confirms every seat after a small
/// fraction of the ballots; when the smallest seat-changing error is planted on the
/// paper, the share of seeded audits that wrongly confirm stays within
/// `alpha + 3 sqrt(alpha (1 - alpha) / N)`; ballot polling and station-level batch
/// comparison are declared equivalent to a full count up front.
#[test]
fn simulated_audits_of_the_kyrgyz_2020_allocation() {
    let dir = store_with("data/kg2020/stations_by_region_2413.csv");
    let base = [
        "audit",
        "simulate",
        "--db",
        "s.db",
        "--law",
        "kg2020",
        "--risk-limit",
        "5",
        "--json",
    ];
    let o = run(dir.path(), &[&base[..], &["--trials", "5"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let clean: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let ballots = clean["ballots"].as_u64().unwrap();
    assert_eq!(clean["confirmed"], 5);
    let mean = clean["mean_sample_size"].as_f64().unwrap();
    assert!(
        mean < ballots as f64 / 50.0,
        "mean sample {mean} of {ballots}"
    );
    let o = run(
        dir.path(),
        &[&base[..], &["--trials", "100", "--plant-smallest"]].concat(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let planted: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(planted["planted"]
        .as_str()
        .unwrap()
        .contains("the paper's seats differ"));
    let wrong = planted["confirmed"].as_f64().unwrap() / 100.0;
    let bound = planted["wrong_confirmation_bound"].as_f64().unwrap();
    assert!((bound - (0.05 + 3.0 * (0.05f64 * 0.95 / 100.0).sqrt())).abs() < 1e-12);
    assert!(wrong <= bound, "{wrong} wrongly confirmed, bound {bound}");
    let o = run(
        dir.path(),
        &[
            "audit",
            "assertions",
            "--db",
            "s.db",
            "--law",
            "kg2020",
            "--json",
        ],
    );
    let plan: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(plan["plan"]["ballot_comparison"]["verdict"], "feasible");
    assert_eq!(
        plan["plan"]["ballot_polling"]["verdict"],
        "equivalent to a full count: not started"
    );
    assert_eq!(
        plan["plan"]["batch_comparison"]["verdict"],
        "equivalent to a full count: not started"
    );
}

/// The `start` entry of audit `audit` in the log of `s.db` in `dir`.
fn log_audit_start(dir: &std::path::Path, audit: &str) -> Value {
    let store = store::SqliteStore::open(&dir.join("s.db")).unwrap();
    store::Store::log(&store, "kg")
        .unwrap()
        .iter()
        .filter_map(|e| serde_json::from_slice::<Value>(&e[1..]).ok())
        .find(|v| v["step"] == "start" && v["audit"] == audit)
        .unwrap()
}

/// The size of the log of the election `kg` in the store `s.db` of `dir`.
fn log_size(dir: &std::path::Path) -> usize {
    let store = store::SqliteStore::open(&dir.join("s.db")).unwrap();
    store::Store::log(&store, "kg").unwrap().len()
}

/// Fills the retrieval list's Choice column from the records (the paper agrees with them),
/// changing the choice of the first `errors` ballots to `wrong`.
fn read_ballots(dir: &std::path::Path, list: &str, out: &str, errors: usize, wrong: &str) {
    let mut records = std::collections::HashMap::new();
    let mut r = csv::Reader::from_path(dir.join("cvrs.csv")).unwrap();
    for row in r.records() {
        let row = row.unwrap();
        records.insert((row[0].to_string(), row[1].to_string()), row[2].to_string());
    }
    let mut r = csv::Reader::from_path(dir.join(list)).unwrap();
    let header = r.headers().unwrap().clone();
    let mut w = csv::Writer::from_path(dir.join(out)).unwrap();
    w.write_record(&header).unwrap();
    for (k, row) in r.records().enumerate() {
        let row = row.unwrap();
        let choice = if k < errors {
            wrong.to_string()
        } else {
            records[&(row[3].to_string(), row[4].to_string())].clone()
        };
        w.write_record([&row[0], &row[1], &row[2], &row[3], &row[4], choice.as_str()])
            .unwrap();
    }
    w.flush().unwrap();
}

/// Records the readings of the latest round of the audit `target` names, then returns its
/// status as JSON.
fn record_then_status(d: &std::path::Path, target: &[&str], readings: &str) -> Value {
    let args = ["--readings", readings, "--cvrs", "cvrs.csv"];
    let o = run(d, &[&["audit", "record"][..], target, &args].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(d, &[&["audit", "status"][..], target, &["--json"]].concat());
    serde_json::from_str(&stdout(&o)).unwrap()
}

/// The whole workflow on Kyrgyz 2020 with simulated records: refused starts change
/// nothing; a clean round confirms every seat; readings outside the sample are refused
/// whole; a round whose paper disagrees with the records leaves the audit open.
#[test]
fn audit_workflow_on_kyrgyz_2020() {
    let dir = store_with("data/kg2020/stations_by_region_2413.csv");
    let d = dir.path();
    let db = ["--db", "s.db", "--election", "kg"];
    let o = run(
        d,
        &[&["audit", "cvrs"][..], &db, &["--out", "cvrs.csv"]].concat(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let before = log_size(d);
    let start = |extra: &[&str]| {
        let base = [
            "audit",
            "start",
            "--audit",
            "a1",
            "--law",
            "kg2020",
            "--seed",
            "4 1 6 2 3 5",
        ];
        run(d, &[&base[..], &db, extra].concat())
    };
    // Refused, and nothing logged.
    let refusals: [(&[&str], &str); 5] = [
        (
            &["--risk-limit", "60", "--cvrs", "cvrs.csv"],
            "the risk limit must be above 0 and at most 50 percent",
        ),
        (
            &["--risk-limit", "5"],
            "cvrs: a comparison audit needs the cast-vote records",
        ),
        (
            &["--risk-limit", "5", "--method", "polling"],
            "equivalent to a full count: a polling audit of this allocation would need all of 1887345 ballots («МЕКЕНЧИЛ» is above the national threshold (7.00% of participated): a margin of 693 ballot(s)); possible instead: a comparison audit of about",
        ),
        (
            &["--risk-limit", "5", "--method", "batch"],
            "equivalent to a full count: a batch audit",
        ),
        (
            &[
                "--risk-limit",
                "5",
                "--cvrs",
                "cvrs.csv",
                "--manifest",
                "m.csv",
            ],
            "m.csv:2: the manifest lists 930 ballots for 'БИШКЕК Г. / 1', its protocol reports 931",
        ),
    ];
    std::fs::write(
        d.join("m.csv"),
        "Container,Batch Name,Number of Ballots\nБИШКЕК Г.,1,930\n",
    )
    .unwrap();
    for (extra, want) in refusals {
        let o = start(extra);
        assert_eq!(o.status.code(), Some(3), "{extra:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(want), "{extra:?}: {}", stderr(&o));
        assert_eq!(log_size(d), before, "{extra:?} logged something");
    }
    // A record file with a duplicate ballot.
    let text = std::fs::read_to_string(d.join("cvrs.csv")).unwrap();
    let second = text.lines().nth(1).unwrap();
    std::fs::write(d.join("dup.csv"), format!("{text}{second}\n")).unwrap();
    let o = start(&["--risk-limit", "5", "--cvrs", "dup.csv"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("(Position): ballot 1 of 'БИШКЕК Г. / 1' is listed twice"),
        "{}",
        stderr(&o)
    );
    assert_eq!(log_size(d), before);
    // Started, sampled, read cleanly: confirmed.
    let o = start(&["--risk-limit", "5", "--cvrs", "cvrs.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let target = [&db[..], &["--audit", "a1"]].concat();
    let o = run(
        d,
        &[&["audit", "sample"][..], &target, &["--out", "r1.csv"]].concat(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // A reading of a ballot not in the sample is refused whole.
    std::fs::write(
        d.join("stray.csv"),
        "Batch Name,Position,Choice\nБИШКЕК Г. / 1,1,«БИРИМДИК»\n",
    )
    .unwrap();
    let logged = log_size(d);
    let o = run(
        d,
        &[
            &["audit", "record"][..],
            &target,
            &["--readings", "stray.csv", "--cvrs", "cvrs.csv"],
        ]
        .concat(),
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(log_size(d), logged);
    read_ballots(d, "r1.csv", "read1.csv", 0, "");
    let v = record_then_status(d, &target, "read1.csv");
    assert_eq!(v["confirmed"], true, "{v}");
    let audited = v["audited"].as_u64().unwrap();
    assert!(audited < v["ballots"].as_u64().unwrap() / 50, "{audited}");
    // An observer recomputes the same status from the published log alone.
    let o = run(
        d,
        &[
            "publish",
            "--db",
            "s.db",
            "--election",
            "kg",
            "--out",
            "pub",
            "--key",
            "k.txt",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(
        d,
        &[
            "audit",
            "status",
            "--audit",
            "a1",
            "--log",
            "pub",
            "--key",
            "pub/log.pub",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let from_log: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(from_log, v);
    // The results service shows the same, recomputed from the log, as JSON and as a page;
    // it reads records far beyond an upload's size from its audit files' directory.
    std::fs::create_dir(d.join("files")).unwrap();
    std::fs::hard_link(d.join("cvrs.csv"), d.join("files/cvrs.csv")).unwrap();
    let server = crate::serve::serve(d, &["--audit-files", "files"]);
    let (status, body) = crate::serve::get(&server.addr, "/api/elections/kg/audits");
    assert_eq!(status, 200, "{body}");
    let served: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(served[0], v);
    let (status, page) = crate::serve::get(&server.addr, "/elections/kg/audits");
    assert_eq!(status, 200);
    assert!(
        page.contains("the paper ballots confirm the announced seats"),
        "{page}"
    );
    // Issue 18: records named in the audit files' directory (139 MB, beyond an upload's
    // 8 MiB); a name that leads out of it is refused, and nothing is logged.
    let token = crate::serve::staff_token(d, "aud", "auditor");
    let start_over = |cvrs: &str| {
        let body = serde_json::json!({"audit": "h1", "law": "kg2020", "risk_limit": 5, "method": "comparison", "seed": "7", "cvrs": cvrs});
        crate::serve::request(
            &server.addr,
            "POST",
            "/api/elections/kg/audits",
            &[
                ("authorization", token.as_str()),
                ("content-type", "application/json"),
            ],
            body.to_string().as_bytes(),
        )
        .unwrap()
    };
    let logged = log_size(d);
    for (cvrs, why) in [
        ("file:../s.db", "by its path inside it"),
        ("file:/etc/passwd", "by its path inside it"),
        (
            "file:nothing.csv",
            "no such file in the audit files' directory",
        ),
    ] {
        let (status, body) = start_over(cvrs);
        assert!((400..500).contains(&status), "{cvrs}: {status} {body}");
        assert!(body.contains(why), "{cvrs}: {body}");
    }
    assert_eq!(log_size(d), logged);
    let (status, body) = start_over("file:cvrs.csv");
    assert_eq!(status, 201, "{body}");
    let cvrs_sha = record::digest(&std::fs::read(d.join("cvrs.csv")).unwrap());
    let started = log_audit_start(d, "h1");
    assert_eq!(started["cvrs"], cvrs_sha.as_str(), "{started}");
    // A round of 20 read over HTTP: the records found again in the directory by their hash.
    let post = |path: &str, media: &str, body: &[u8]| {
        crate::serve::request(
            &server.addr,
            "POST",
            path,
            &[("authorization", token.as_str()), ("content-type", media)],
            body,
        )
        .unwrap()
    };
    let (status, body) = post(
        "/api/elections/kg/audits/h1/rounds",
        "application/json",
        br#"{"ballots":20}"#,
    );
    assert_eq!(status, 201, "{body}");
    let (status, list) = crate::serve::get(&server.addr, "/api/elections/kg/audits/h1/rounds/1");
    assert_eq!(status, 200, "{list}");
    std::fs::write(d.join("h1r1.csv"), list).unwrap();
    read_ballots(d, "h1r1.csv", "h1read.csv", 0, "");
    let filled = std::fs::read(d.join("h1read.csv")).unwrap();
    let (status, body) = post("/api/elections/kg/audits/h1/readings", "text/csv", &filled);
    assert_eq!(status, 201, "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["status"]["audited"].as_u64(), Some(20), "{answer}");
    assert_eq!(
        answer["status"]["discrepancies"].as_u64(),
        Some(0),
        "{answer}"
    );
    drop(server);
    // The same audit, with paper that shows votes for the closest party as invalid.
    let o = start(&["--risk-limit", "5", "--cvrs", "cvrs.csv"]);
    assert_eq!(
        o.status.code(),
        Some(3),
        "a second audit with the same name"
    );
    let target2 = [&db[..], &["--audit", "a2"]].concat();
    let o = run(
        d,
        &[
            &[
                "audit",
                "start",
                "--law",
                "kg2020",
                "--seed",
                "99",
                "--risk-limit",
                "5",
                "--cvrs",
                "cvrs.csv",
            ][..],
            &target2,
        ]
        .concat(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    run(
        d,
        &[&["audit", "sample"][..], &target2, &["--out", "r2.csv"]].concat(),
    );
    read_ballots(d, "r2.csv", "read2.csv", 40, "");
    let v = record_then_status(d, &target2, "read2.csv");
    assert_eq!(v["confirmed"], false, "{v}");
    assert!(v["discrepancies"].as_u64().unwrap() > 0);
    assert!(v["next_round"].as_u64().unwrap() > 0 || v["full_count_advised"] == true);
    let o = run(d, &[&["audit", "escalate"][..], &target2].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(d, &[&["audit", "sample"][..], &target2].concat());
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("escalated"), "{}", stderr(&o));
}

/// A batch-comparison audit on a synthetic election of 4,000 stations, where counting a few
/// hundred stations by hand can confirm the seats: hand counts that agree with the
/// protocols confirm the allocation; counts for a station not drawn are refused whole; on
/// Kyrgyz 2020 (2,413 stations, a seat margin of 0.04% of the ballots) the method is
/// refused up front as equivalent to a full count.
#[test]
fn batch_audit_workflow() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = run(
        d,
        &[
            "gen",
            "--stations",
            "4000",
            "--parties",
            "5",
            "--regions",
            "4",
            "--seed",
            "8",
            "-o",
            "g.csv",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(d, &["import", "g.csv", "--db", "s.db", "--name", "kg"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let target = ["--db", "s.db", "--audit", "b"];
    let o = run(
        d,
        &[
            &[
                "audit",
                "start",
                "--law",
                "kg2020",
                "--risk-limit",
                "5",
                "--method",
                "batch",
                "--seed",
                "8 8 8",
            ][..],
            &target,
        ]
        .concat(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(
        d,
        &[&["audit", "sample", "--out", "r1.csv"][..], &target].concat(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // The protocols' tallies, by station path.
    let o = run(d, &["results", "--db", "s.db", "--by", "station", "--csv"]);
    let mut reported = std::collections::HashMap::new();
    let mut r = csv::Reader::from_reader(o.stdout.as_slice());
    let header = r.headers().unwrap().clone();
    for row in r.records() {
        let row = row.unwrap();
        let get = |name: &str| row[header.iter().position(|h| h == name).unwrap()].to_string();
        reported.insert(
            get("unit"),
            (
                get("valid"),
                get("invalid"),
                header
                    .iter()
                    .zip(row.iter())
                    .map(|(h, v)| (h.to_string(), v.to_string()))
                    .collect::<std::collections::HashMap<_, _>>(),
            ),
        );
    }
    let mut r = csv::Reader::from_path(d.join("r1.csv")).unwrap();
    let list = r.headers().unwrap().clone();
    let mut w = csv::Writer::from_path(d.join("c1.csv")).unwrap();
    w.write_record(&list).unwrap();
    let mut stray = csv::Writer::from_path(d.join("stray.csv")).unwrap();
    stray.write_record(&list).unwrap();
    for row in r.records() {
        let row = row.unwrap();
        let (valid, invalid, cols) = &reported[&row[2].to_string()];
        let mut out: Vec<String> = row.iter().map(str::to_string).collect();
        for (k, name) in list.iter().enumerate().skip(3) {
            out[k] = if name == "Ballots" {
                (valid.parse::<u64>().unwrap() + invalid.parse::<u64>().unwrap_or(0)).to_string()
            } else {
                cols[name].clone()
            };
        }
        w.write_record(&out).unwrap();
    }
    w.flush().unwrap();
    // A station that was not drawn (the last of the results) is refused, nothing logged.
    let (name, (_, _, cols)) = reported.iter().find(|(k, _)| k.contains(" / ")).unwrap();
    let mut out = vec!["1".to_string(), "1".to_string(), name.clone()];
    out.extend(
        list.iter()
            .skip(3)
            .map(|h| cols.get(h).cloned().unwrap_or_else(|| "0".into())),
    );
    stray.write_record(&out).unwrap();
    stray.flush().unwrap();
    let drawn = std::fs::read_to_string(d.join("r1.csv")).unwrap();
    if !drawn.contains(name.as_str()) {
        let o = run(
            d,
            &[&["audit", "record", "--readings", "stray.csv"][..], &target].concat(),
        );
        assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("was not drawn in round 1"),
            "{}",
            stderr(&o)
        );
    }
    let o = run(
        d,
        &[&["audit", "record", "--readings", "c1.csv"][..], &target].concat(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(d, &[&["audit", "status", "--json"][..], &target].concat());
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["confirmed"], true, "{v}");
    assert!(v["stations_counted"].as_u64().unwrap() < 1000, "{v}");
    assert!(v["p_value"].as_f64().unwrap() <= 0.05);

    // Issue 18: a re-vote ordered after the audit began changes the results it checked: the
    // audit is superseded (no risk, not confirmed), a further step is refused naming the
    // entry and logging nothing, and a new audit begins over the new results.
    let o = run(
        d,
        &[
            "decide",
            "--db",
            "s.db",
            "--revote",
            name,
            "--reason",
            "Court ruling 12/2020",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let changed = log_size(d) - 1;
    let o = run(d, &[&["audit", "status"][..], &target].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let why = format!("the results changed at entry {changed}, after audit 'b' began at entry");
    assert!(
        stdout(&o).contains(&why) && !stdout(&o).contains("p = "),
        "{}",
        stdout(&o)
    );
    let size = log_size(d);
    let o = run(
        d,
        &[&["audit", "sample", "--out", "r2.csv"][..], &target].concat(),
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains(&why), "{}", stderr(&o));
    assert_eq!(log_size(d), size);
}

/// Issue 18, item 4: on a synthetic election with ballots stuffed at 8 of 4,000 stations
/// (`gen --stuff`), the stations the forensic flags score highest are added to a batch
/// audit's round as a targeted sample; a station targeted twice, a count of a station not
/// targeted and a target before any round are refused, logging nothing; their hand counts
/// are reported apart with their differences from the protocols, and the audit's risk is
/// the same before and after them (they never enter it). A published log with the targeted
/// steps verifies.
#[test]
fn targeted_hand_counts_of_flagged_stations() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let gen = run(
        d,
        &[
            "gen",
            "--stations",
            "4000",
            "--parties",
            "5",
            "--regions",
            "4",
            "--seed",
            "8",
            "--stuff",
            "0.002",
            "-o",
            "g.csv",
        ],
    );
    assert!(gen.status.success(), "{}", stderr(&gen));
    let stuffed: Vec<String> = stderr(&gen)
        .lines()
        .filter_map(|l| l.strip_prefix("stuffed: ").map(str::to_string))
        .collect();
    assert_eq!(stuffed.len(), 8, "{}", stderr(&gen));
    let o = run(
        d,
        &[
            "import", "g.csv", "--db", "s.db", "--name", "kg", "--law", "kg2020",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let target = ["--db", "s.db", "--audit", "b"];
    let step = |args: &[&str]| run(d, &[args, &target[..]].concat());
    let o = step(&[
        "audit",
        "start",
        "--law",
        "kg2020",
        "--risk-limit",
        "5",
        "--method",
        "batch",
        "--seed",
        "8 8 8",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = log_size(d);
    let o = step(&["audit", "target", "--flagged-above", "5.5"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("draw the first round first"),
        "{}",
        stderr(&o)
    );
    assert_eq!(log_size(d), before);
    let o = step(&["audit", "sample", "--out", "r1.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let status = |d: &std::path::Path| -> Value {
        let o = run(d, &[&["audit", "status", "--json"][..], &target].concat());
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_str(&stdout(&o)).unwrap()
    };
    let risk_before = status(d)["assertions"].clone();
    // The three highest scores: two of them stuffed stations.
    let o = step(&["audit", "target", "--flagged-above", "5.5"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let targeted: Vec<String> = stdout(&o)
        .lines()
        .filter_map(|l| l.strip_prefix("targeted: "))
        .map(|l| l.split(" (").next().unwrap().to_string())
        .collect();
    assert_eq!(targeted.len(), 3, "{}", stdout(&o));
    assert!(
        targeted.iter().filter(|t| stuffed.contains(t)).count() >= 2,
        "{targeted:?} {stuffed:?}"
    );
    let logged = log_size(d);
    let o = step(&["audit", "target", "--flagged-above", "5.5"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("scores at least that"),
        "{}",
        stderr(&o)
    );
    assert_eq!(log_size(d), logged, "nothing new to target logs nothing");
    // Hand counts: the first as its protocol, the second 30 votes off its protocol.
    let names: Vec<String> = {
        let o = run(d, &["results", "--db", "s.db", "--by", "station", "--csv"]);
        let mut r = csv::Reader::from_reader(o.stdout.as_slice());
        r.headers()
            .unwrap()
            .iter()
            .filter(|h| h.starts_with("Party") && !h.contains('('))
            .map(str::to_string)
            .collect()
    };
    let reported = |path: &str| -> Vec<u64> {
        let o = run(d, &["results", "--db", "s.db", "--by", "station", "--csv"]);
        let mut r = csv::Reader::from_reader(o.stdout.as_slice());
        let header = r.headers().unwrap().clone();
        let row = r
            .records()
            .map(|x| x.unwrap())
            .find(|row| &row[header.iter().position(|h| h == "unit").unwrap()] == path)
            .unwrap();
        names
            .iter()
            .map(|n| {
                row[header.iter().position(|h| h == n).unwrap()]
                    .parse()
                    .unwrap()
            })
            .collect()
    };
    let line = |path: &str, votes: &[u64]| {
        let v: Vec<String> = votes.iter().map(u64::to_string).collect();
        format!("\"{path}\",{}\n", v.join(","))
    };
    let header = format!("Batch Name,{}\n", names.join(","));
    let (a, b) = (&targeted[0], &targeted[1]);
    let mut off = reported(b);
    off[0] -= 30;
    std::fs::write(
        d.join("stray.csv"),
        format!(
            "{header}{}",
            line(
                "Region 01 / District 01-001 / 1",
                &reported("Region 01 / District 01-001 / 1")
            )
        ),
    )
    .unwrap();
    let o = step(&["audit", "record", "--targeted", "stray.csv"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is not targeted in audit 'b'"),
        "{}",
        stderr(&o)
    );
    assert_eq!(log_size(d), logged);
    std::fs::write(
        d.join("t.csv"),
        format!("{header}{}{}", line(a, &reported(a)), line(b, &off)),
    )
    .unwrap();
    let o = step(&["audit", "record", "--targeted", "t.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("never counted toward the risk limit"),
        "{}",
        stdout(&o)
    );
    let after = status(d);
    assert_eq!(
        after["assertions"], risk_before,
        "targeted counts changed the risk"
    );
    let rows = after["targeted"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    let of = |p: &str| rows.iter().find(|r| r["path"] == p).unwrap();
    assert_eq!(of(a)["difference"].as_u64(), Some(0));
    assert_eq!(of(b)["difference"].as_u64(), Some(30));
    assert!(of(b)["flag"].as_str().unwrap().parse::<f64>().unwrap() >= 5.5);
    assert_eq!(of(&targeted[2])["counted"], Value::Null);
    // An observer recomputes the same from the published log (verified first); the Python
    // verifier checks this log too (scripts/test: target/tmp/targeted-audit-log).
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("targeted-audit-log");
    let _ = std::fs::remove_dir_all(&out);
    let out = out.to_str().unwrap();
    let o = run(
        d,
        &["publish", "--db", "s.db", "--out", out, "--key", "k.txt"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let key = format!("{out}/log.pub");
    let o = run(
        d,
        &[
            "audit", "status", "--audit", "b", "--log", out, "--key", &key, "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let from_log: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(from_log, after);
}

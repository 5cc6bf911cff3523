//! `tallyproof pvt`: the quick count's checks on the Russian 2011 and 2018 files
//! (`test_data/ru`, the CEC's station protocols), taken as the truth.

use serde_json::Value;

use crate::{run, stderr, stdout, workspace};

fn json(args: &[&str]) -> Value {
    let o = run(&workspace(""), args);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

/// The JSON a command prints as it exits 1 (a check that found something).
fn json_failing(args: &[&str]) -> Value {
    failing_in(&workspace(""), args)
}

/// The JSON a command run in `dir` prints as it exits 1 (a check that found something).
fn failing_in(dir: &std::path::Path, args: &[&str]) -> Value {
    let o = run(dir, args);
    assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

/// A command run in `dir` that refuses its input (exit 3), saying `says`.
fn refused_in(dir: &std::path::Path, args: &[&str], says: &str) {
    let o = run(dir, args);
    assert_eq!(o.status.code(), Some(3), "{args:?}: {}", stderr(&o));
    assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
}

/// What a command run in `dir` prints, having succeeded.
fn ok_in(dir: &std::path::Path, args: &[&str]) -> String {
    let o = run(dir, args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

fn simulate(file: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "pvt",
        "simulate",
        file,
        "--format",
        "ru",
        "--stations",
        "1500",
        "--strata",
        "region",
        "--trials",
        "1000",
        "--seed",
        "tallyproof pvt test",
        "--json",
    ];
    args.extend_from_slice(extra);
    json(&args)
}

/// Writes `dir/reports.csv`: the rows of `dir/file` (tallyproof CSV, region / district /
/// station) of the stations `dir/design.json` samples, the first whose choice `from` (part of
/// a column's name) has `moved` votes giving them to `to`. Returns that station's path.
fn write_reports(
    dir: &std::path::Path,
    file: &str,
    (from, to): (&str, &str),
    moved: u64,
) -> String {
    let own: Value =
        serde_json::from_slice(&std::fs::read(dir.join("design.json")).unwrap()).unwrap();
    let sampled: std::collections::HashSet<String> = own["stations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["role"] == "sample")
        .map(|a| a["station"].as_str().unwrap().to_string())
        .collect();
    let mut r = csv::Reader::from_path(dir.join(file)).unwrap();
    let headers = r.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h.contains(name)).unwrap();
    let (from, to) = (col(from), col(to));
    let mut w = csv::Writer::from_path(dir.join("reports.csv")).unwrap();
    w.write_record(&headers).unwrap();
    let mut altered = None;
    for rec in r.records() {
        let rec = rec.unwrap();
        let path = format!("{} / {} / {}", &rec[0], &rec[1], &rec[2]);
        if !sampled.contains(&path) {
            continue;
        }
        let mut row: Vec<String> = rec.iter().map(str::to_string).collect();
        if altered.is_none() && row[from].parse::<u64>().unwrap() >= moved {
            row[from] = (row[from].parse::<u64>().unwrap() - moved).to_string();
            row[to] = (row[to].parse::<u64>().unwrap() + moved).to_string();
            altered = Some(path);
        }
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
    altered.unwrap()
}

/// Writes `dir/design.json`, a design of 300 stations of the 2018 file stratified by region
/// drawn by `seed`, and `dir/all.csv`, the file as tallyproof CSV; returns the file's path.
fn design_2018(dir: &std::path::Path, seed: &str) -> String {
    let file = workspace("test_data/ru/2018.csv.zip");
    let file = file.to_str().unwrap();
    ok_in(
        dir,
        &[
            "pvt",
            "design",
            file,
            "--format",
            "ru",
            "--strata",
            "region",
            "--stations",
            "300",
            "--seed",
            seed,
            "-o",
            "design.json",
        ],
    );
    ok_in(
        dir,
        &[
            "export", file, "--format", "ru", "--to", "csv", "-o", "all.csv",
        ],
    );
    file.to_string()
}

/// `tallyproof gen` writes `dir/g.csv`: a synthetic election of these sizes.
fn generate(dir: &std::path::Path, stations: &str, parties: &str, regions: &str, seed: &str) {
    let o = run(
        dir,
        &[
            "gen",
            "--stations",
            stations,
            "--parties",
            parties,
            "--regions",
            regions,
            "--seed",
            seed,
            "-o",
            "g.csv",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

fn f(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or_else(|| panic!("no {key} in {v}"))
}

/// 1,500 stations stratified by region, 1,000 trials: the 95% intervals of the stratified
/// ratio estimator cover the all-station share in 92.5-97.5% of the trials (binomial noise
/// of 1,000 trials at 95% is ±1.4 points at 2 standard errors; the band is the issue's);
/// the naive voter-level interval, which takes the sampled stations' voters for a simple
/// random sample of voters, covers it in well under half. Measured (seed "tallyproof pvt
/// test"): Duma 2011, United Russia 50.099% of valid votes, 95% coverage 95.8%, naive
/// 10.7%, median half-width ±1.10 points; presidential 2018, Putin 77.528%, 95.6%, 28.6%,
/// ±0.40; the 99% alarm with no manipulation 1.0% (2018).
#[test]
fn intervals_cover_the_true_share_at_their_nominal_rate() {
    for (file, leader) in [
        ("test_data/ru/2011.csv.zip", "ЕДИНАЯ РОССИЯ"),
        ("test_data/ru/2018.csv.zip", "Путин"),
    ] {
        let v = simulate(file, &[]);
        eprintln!(
            "{file}: {} true {:.3}%, 95% coverage {}, naive {}, 99% {}, median half-width {:.3} points",
            v["leader"], f(&v, "true_share_pct"), f(&v, "coverage_95"),
            f(&v, "naive_coverage_95"), f(&v, "coverage_99"), f(&v, "median_half_width_pct")
        );
        assert!(
            v["leader"].as_str().unwrap().contains(leader),
            "{}",
            v["leader"]
        );
        let c95 = f(&v, "coverage_95");
        assert!((0.925..=0.975).contains(&c95), "{file}: 95% coverage {c95}");
        let naive = f(&v, "naive_coverage_95");
        assert!(naive < 0.4, "{file}: the naive interval covers in {naive}");
        // No manipulation: the 99% alarm fires in at most 2.5% of the trials.
        assert!(f(&v, "alarm_99") <= 0.025, "{file}: {}", v["alarm_99"]);
        assert_eq!(v["strata"], if file.contains("2011") { 84 } else { 87 });
    }
}

/// 2018, the official protocols of a random 10% of the stations altered (+10 points for the
/// leader, taken from the others, valid votes kept) while the observers report the true
/// ones: the 95% share alarm fires in at least 95% of 1,000 trials, and the station-by-station
/// comparison lists every altered station drawn, in every trial. Measured: 9,748 stations
/// altered, official 78.498% against the true 77.528%, alarm 99.5% (99%: 98.2%), 149,483
/// altered stations drawn, all listed.
#[test]
fn altered_protocols_set_off_the_alarm_and_are_listed() {
    let v = simulate(
        "test_data/ru/2018.csv.zip",
        &["--alter-pct", "10", "--shift", "10"],
    );
    eprintln!(
        "2018 altered: official {:.3}% against true {:.3}%; alarm 95% {}, 99% {}; altered drawn {}, listed {}",
        f(&v, "official_share_pct"), f(&v, "true_share_pct"), f(&v, "alarm_95"),
        f(&v, "alarm_99"), v["altered_drawn"], v["altered_listed"]
    );
    assert!(f(&v, "alarm_95") >= 0.95, "{}", v["alarm_95"]);
    let altered = v["altered_stations"].as_u64().unwrap();
    assert!((9_000..=9_770).contains(&altered), "{altered}");
    assert!(v["altered_drawn"].as_u64().unwrap() > 100_000);
    assert_eq!(v["altered_listed"], v["altered_drawn"]);
    assert_eq!(v["trials_all_listed"], 1000);
}

/// A design drawn from a seed is published without it; once the seed is revealed, the
/// sample is redrawn from the frame and the public design alone, exactly. The same command
/// writes the same files, byte for byte.
#[test]
fn a_design_is_redrawn_from_its_public_part_and_the_revealed_seed() {
    let dir = tempfile::tempdir().unwrap();
    let file = workspace("test_data/ru/2018.csv.zip");
    let file = file.to_str().unwrap();
    let design = |out: &str| {
        let o = run(
            dir.path(),
            &[
                "pvt",
                "design",
                file,
                "--format",
                "ru",
                "--strata",
                "region",
                "--stations",
                "400",
                "--seed",
                "revealed after the polls",
                "-o",
                out,
                "--public",
                "public.json",
                "--assignments",
                "assign.csv",
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        std::fs::read(dir.path().join(out)).unwrap()
    };
    let first = design("design.json");
    assert_eq!(design("again.json"), first);
    let own: Value = serde_json::from_slice(&first).unwrap();
    let public: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("public.json")).unwrap()).unwrap();
    assert!(public.get("seed").is_none() && public.get("stations").is_none());
    // Every stratum's sample and reserves (10% of its sample, rounded up), listed.
    let assigned: u64 = own["strata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["sample"].as_u64().unwrap() + s["reserves"].as_u64().unwrap())
        .sum();
    assert_eq!(own["stations"].as_array().unwrap().len() as u64, assigned);
    let redraw = |design: &str, seed: &str, json: bool| {
        let mut args = vec![
            "pvt", "redraw", file, "--format", "ru", "--strata", "region", "--design", design,
            "--seed", seed,
        ];
        if json {
            args.push("--json");
        }
        run(dir.path(), &args)
    };
    let o = redraw("public.json", "revealed after the polls", true);
    assert!(o.status.success(), "{}", stderr(&o));
    let redrawn: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(redrawn, own["stations"]);
    // The group's own copy is checked against the redraw.
    let o = redraw("design.json", "revealed after the polls", false);
    assert!(
        stdout(&o).contains("exactly the redraw's"),
        "{}",
        stdout(&o)
    );
    // A seed other than the committed one is refused.
    let o = redraw("public.json", "chosen later", false);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("commitment"), "{}", stderr(&o));
    let assign = std::fs::read_to_string(dir.path().join("assign.csv")).unwrap();
    assert!(assign.starts_with("stratum,role,rank,station,registered\n"));
    assert_eq!(assign.lines().count() as u64, 1 + assigned);
}

/// Reports copied from the sampled stations' protocols: the estimates cover every stratum;
/// compared with the official file, the shares fall inside their intervals and one station
/// whose copy differs is a mismatch with its two differing lines listed.
#[test]
fn reports_are_estimated_and_compared_with_the_official_count() {
    let dir = tempfile::tempdir().unwrap();
    let file = design_2018(dir.path(), "d");
    let file = file.as_str();
    // The reports: the sampled stations' rows of the official file, one of them altered.
    let altered = write_reports(dir.path(), "all.csv", ("Путин", "Грудинин"), 20);
    let o = run(
        dir.path(),
        &[
            "pvt",
            "estimate",
            "--design",
            "design.json",
            "--reports",
            "reports.csv",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let e: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(e["arrival"]["reported"], 300);
    assert_eq!(e["arrival"]["unbalanced"], false);
    assert_eq!(e["estimates"][0]["name"], "turnout");
    // A mismatch: exit 1, the comparison printed.
    let c = json_failing(&[
        "pvt",
        "compare",
        "--design",
        dir.path().join("design.json").to_str().unwrap(),
        "--reports",
        dir.path().join("reports.csv").to_str().unwrap(),
        file,
        "--format",
        "ru",
        "--json",
    ]);
    assert_eq!(
        (c["matched"].as_u64(), c["mismatched"].as_u64()),
        (Some(299), Some(1))
    );
    let bad: Vec<&Value> = c["stations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["outcome"] == "mismatch")
        .collect();
    assert_eq!(bad[0]["station"], altered.as_str());
    let lines: Vec<&str> = bad[0]["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["line"].as_str().unwrap())
        .collect();
    assert_eq!(
        lines,
        ["Грудинин Павел Николаевич", "Путин Владимир Владимирович"]
    );
    // The official share is over every station (all strata reported): Putin's 77.528%.
    // The sample drawn by the seed "d" puts it inside every interval (its estimate is
    // 77.525% ±0.94; another seed may draw one of the 1% of samples whose 99% interval
    // misses).
    let putin = &c["shares"][4];
    assert!(putin["name"].as_str().unwrap().starts_with("Путин"));
    assert!((putin["official_pct"].as_f64().unwrap() - 77.527_776_864_162_3).abs() < 1e-9);
    for s in c["shares"].as_array().unwrap() {
        assert_eq!(s["outside_99"], false, "{s}");
    }
}

/// The group's own log (revision 7): the frame and design before the count, a wrong seed
/// refused with nothing logged, the seed, then the reports; `tallyproof verify` of the
/// published log redraws the sample and recomputes the estimates `pvt estimate` gives from
/// the same reports (the Python verifier is held to the same figures by scripts/test). A
/// report of a station not drawn is refused whole.
#[test]
fn a_quick_count_logged_step_by_step_is_replayed_by_both_verifiers() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = |args: &[&str]| ok_in(d, args);
    let log_reports = |file: &str| {
        run(
            d,
            &[
                "pvt",
                "log",
                "reports",
                "--db",
                "group.db",
                "--reports",
                file,
            ],
        )
    };
    let ok_out = |o: std::process::Output| {
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    };
    generate(d, "80", "3", "4", "11");
    ok(&["import", "g.csv", "--db", "group.db", "--name", "frame"]);
    let seed = "observers roll 3 6 1 4 4 2 5 6 1 3 2 2 6 5 1 4";
    ok(&[
        "pvt",
        "design",
        "--db",
        "group.db",
        "--strata",
        "region",
        "--stations",
        "16",
        "--reserve-pct",
        "25",
        "--seed",
        seed,
        "-o",
        "design.json",
        "--public",
        "public.json",
    ]);
    // The public design is enough to open the count: the seed stays secret.
    let opened = ok(&[
        "pvt",
        "log",
        "open",
        "--db",
        "group.db",
        "--design",
        "public.json",
    ]);
    assert!(opened.contains("the seed not revealed yet"), "{opened}");
    let o = run(
        d,
        &[
            "pvt", "log", "seed", "--db", "group.db", "--seed", "a guess",
        ],
    );
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("not the design's commitment"),
        "{}",
        stderr(&o)
    );
    // Nothing was logged: the seed is taken once, and now.
    ok(&["pvt", "log", "seed", "--db", "group.db", "--seed", seed]);
    write_reports(d, "g.csv", ("Party 02", "Party 01"), 0);
    // A report of a station that was not drawn (neither sampled nor a reserve): the whole
    // file refused.
    let mut rows = std::fs::read_to_string(d.join("reports.csv")).unwrap();
    let own: Value =
        serde_json::from_slice(&std::fs::read(d.join("design.json")).unwrap()).unwrap();
    let drawn: std::collections::HashSet<&str> = own["stations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["station"].as_str().unwrap())
        .collect();
    let all = std::fs::read_to_string(d.join("g.csv")).unwrap();
    let stray = all
        .lines()
        .skip(1)
        .find(|l| {
            let path: Vec<&str> = l.split(',').take(3).collect();
            !drawn.contains(path.join(" / ").as_str())
        })
        .unwrap()
        .to_string();
    rows.push_str(&stray);
    rows.push('\n');
    std::fs::write(d.join("stray.csv"), rows).unwrap();
    let o = log_reports("stray.csv");
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("not in the design's sample or reserves"),
        "{}",
        stderr(&o)
    );
    // Nothing was logged: every report is taken now (a second would be refused). The file
    // grows through the night: its first rows, then all of them, those logged passed over.
    let full = std::fs::read_to_string(d.join("reports.csv")).unwrap();
    let first: Vec<&str> = full.lines().take(9).collect();
    std::fs::write(d.join("first.csv"), first.join("\n") + "\n").unwrap();
    let said = ok_out(log_reports("first.csv"));
    assert!(said.contains("8 of 16 sampled stations reported"), "{said}");
    let o = log_reports("reports.csv");
    assert!(o.status.success(), "{}", stderr(&o));
    let passed = "8 station(s) already logged with these counts";
    assert!(stderr(&o).contains(passed), "{}", stderr(&o));
    let said = stdout(&o);
    assert!(
        said.contains("16 of 16 sampled stations reported"),
        "{said}"
    );
    // Revision 8: a supervisor puts a station in quarantine (it leaves the estimates) and
    // releases it; a report of a station logged again with other counts replaces the
    // console's own earlier one, and the first counts come back the same way.
    let station = own["stations"][0]["station"].as_str().unwrap();
    let review_args = |flag: &'static str, reason: &'static str| {
        [
            "pvt",
            "log",
            "review",
            "--db",
            "group.db",
            "--station",
            station,
            flag,
            "--reason",
            reason,
        ]
    };
    let review = |flag: &'static str| {
        ok(&review_args(
            flag,
            "the observer was kept outside during the count",
        ))
    };
    let held = review("--quarantine");
    assert!(
        held.contains("15 of 16 sampled stations reported"),
        "{held}"
    );
    assert!(
        held.contains("0 station(s) whose observers disagree, 1 in quarantine"),
        "{held}"
    );
    refused_in(
        d,
        &review_args("--quarantine", "again"),
        "in quarantine already",
    );
    let back = review("--release");
    assert!(
        back.contains("16 of 16 sampled stations reported"),
        "{back}"
    );
    let header_and_first = full.lines().take(2).collect::<Vec<_>>();
    let mut cells: Vec<String> = header_and_first[1].split(',').map(str::to_string).collect();
    let last = cells.len() - 1;
    cells[last] = (cells[last].parse::<u64>().unwrap() + 1).to_string();
    std::fs::write(
        d.join("changed.csv"),
        format!("{}\n{}\n", header_and_first[0], cells.join(",")),
    )
    .unwrap();
    let o = log_reports("changed.csv");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("this report replaces it"),
        "{}",
        stderr(&o)
    );
    let said = ok_out(log_reports("reports.csv"));
    // The station counts with its first copy again, and is listed as revised: no count
    // changes unseen.
    assert!(
        said.contains("; 1 station(s) once counted with another copy (a correction or a choice)"),
        "{said}"
    );
    // The estimates the log's replay gives are those of the group's own files.
    let e = json(&[
        "pvt",
        "estimate",
        "--design",
        d.join("design.json").to_str().unwrap(),
        "--reports",
        d.join("reports.csv").to_str().unwrap(),
        "--json",
    ]);
    let turnout = &e["estimates"][0]["overall"];
    let want = format!(
        "turnout {:.2}% ± {:.2} (95%) of registered voters at 16 stations",
        f(turnout, "share_pct"),
        f(turnout, "margin_95_pct")
    );
    assert!(said.contains(&want), "{said} lacks {want}");
    // Published where the Python verifier checks it too (scripts/test:
    // target/tmp/quick-count-log), with the line it must print.
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("quick-count-log");
    let _ = std::fs::remove_dir_all(&out);
    let out_arg = out.to_str().unwrap();
    ok(&[
        "publish",
        "--db",
        "group.db",
        "--out",
        out_arg,
        "--key",
        "group.key",
    ]);
    let key = out.join("log.pub");
    let verified = ok(&["verify", out_arg, "--key", key.to_str().unwrap()]);
    assert!(
        verified.contains("; sample redrawn from the seed revealed "),
        "{verified}"
    );
    assert!(verified.contains(&want), "{verified} lacks {want}");
    let want_py = format!(
        "turnout: {:.2}% +/- {:.2} (95%), of registered voters at 16 stations",
        f(turnout, "share_pct"),
        f(turnout, "margin_95_pct")
    );
    std::fs::write(out.with_extension("expected"), format!("{want_py}\n")).unwrap();
}

/// The official count read from the commission's published log, verified first: each
/// reported station is compared with its logged protocol, and the entry's inclusion proof
/// checks with `tallyproof log verify-inclusion`. A log signed by another key is refused.
#[test]
fn reports_are_compared_with_a_verified_published_log() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = |args: &[&str]| ok_in(d, args);
    generate(d, "60", "3", "3", "7");
    ok(&["import", "g.csv", "--db", "s.db", "--name", "kg"]);
    ok(&[
        "publish", "--db", "s.db", "--out", "pub", "--key", "log.key",
    ]);
    ok(&[
        "pvt",
        "design",
        "g.csv",
        "--strata",
        "region",
        "--stations",
        "12",
        "--seed",
        "q",
        "-o",
        "design.json",
    ]);
    // The reports: the sampled rows of the file, the first with 7 votes moved between parties.
    let altered = write_reports(d, "g.csv", ("Party 02", "Party 01"), 7);
    // A mismatch: exit 1.
    let c = failing_in(
        d,
        &[
            "pvt",
            "compare",
            "--design",
            "design.json",
            "--reports",
            "reports.csv",
            "--official-log",
            "pub",
            "--official-key",
            "pub/log.pub",
            "--json",
        ],
    );
    assert_eq!(
        (c["matched"].as_u64(), c["mismatched"].as_u64()),
        (Some(11), Some(1))
    );
    let stations = c["stations"].as_array().unwrap();
    assert_eq!(stations.len(), 12);
    let bad = stations
        .iter()
        .find(|s| s["outcome"] == "mismatch")
        .unwrap();
    assert_eq!(bad["station"], altered.as_str());
    assert_eq!(bad["differences"].as_array().unwrap().len(), 2);
    for s in stations {
        let p = &s["proof"];
        let path: Vec<&str> = p["path"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h.as_str().unwrap())
            .collect();
        let (index, size) = (p["entry"].to_string(), p["size"].to_string());
        ok(&[
            "log",
            "verify-inclusion",
            "--leaf-hash",
            p["leaf_hash"].as_str().unwrap(),
            "--index",
            &index,
            "--size",
            &size,
            "--root",
            p["root"].as_str().unwrap(),
            "--proof",
            &path.join(","),
        ]);
    }
    // The same official results as a NIST CDF report (NIST SP 1500-100, JSON), read as the
    // official source: the same comparison.
    ok(&[
        "export",
        "--db",
        "s.db",
        "--to",
        "cdf",
        "-o",
        "official.cdf.json",
    ]);
    // A mismatch: exit 1.
    let cdf = failing_in(
        d,
        &[
            "pvt",
            "compare",
            "--design",
            "design.json",
            "--reports",
            "reports.csv",
            "official.cdf.json",
            "--json",
        ],
    );
    assert_eq!(
        (cdf["matched"].as_u64(), cdf["mismatched"].as_u64()),
        (Some(11), Some(1))
    );
    assert_eq!(cdf["shares"], c["shares"]);
    // Another key than the log's: refused before anything is compared.
    ok(&[
        "publish",
        "--db",
        "s.db",
        "--out",
        "other",
        "--key",
        "other.key",
    ]);
    let o = run(
        d,
        &[
            "pvt",
            "compare",
            "--design",
            "design.json",
            "--reports",
            "reports.csv",
            "--official-log",
            "pub",
            "--official-key",
            "other/log.pub",
        ],
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("does not verify"), "{}", stderr(&o));
}

/// The observers' printable sheets, in Russian and English, at a phone's width and a
/// desktop's: nothing scrolls sideways, the page says its language, axe finds nothing, and
/// every sampled station and reserve has its sheet with a box for each line and choice.
/// Screenshots: `target/tmp/screenshots/pvt-sheets-{lang}-{width}.png`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_observers_sheets_fit_a_phone_and_a_desktop() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    generate(d, "200", "5", "4", "2");
    for lang in ["ru", "en"] {
        let o = run(
            d,
            &[
                "pvt",
                "design",
                "g.csv",
                "--strata",
                "region",
                "--stations",
                "8",
                "--seed",
                "s",
                "--reserve-pct",
                "50",
                "--lang",
                lang,
                "--sheets",
                &format!("sheets-{lang}.html"),
                "-o",
                "design.json",
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let html = std::fs::read_to_string(d.join("sheets-en.html")).unwrap();
    // 8 sampled stations and 4 reserves (50% of 2 in each of 4 strata).
    assert_eq!(html.matches("<section class=\"sheet\">").count(), 12);
    assert_eq!(html.matches("Sampled station: go there").count(), 8);
    assert_eq!(html.matches("Reserve 1 of this stratum").count(), 4);
    // 12 protocol lines, the ballots issued in all (an SMS report's B) and 5 parties: a box
    // each, on every sheet, with its SMS code; and the message to send, the station's number
    // first.
    assert_eq!(html.matches("<td class=\"box\">").count(), 12 * 18);
    assert_eq!(html.matches("<td class=\"code\">B</td>").count(), 12);
    assert_eq!(html.matches("<td class=\"code\">M</td>").count(), 12);
    assert_eq!(
        html.matches("By SMS, send the numbers after their codes: PVT ")
            .count(),
        12
    );
    assert!(html.contains(" E__ B__ X__ A__ C__ H__ K__ M__</p>"));
    let Some((_driver, c)) = crate::browser::browser().await else {
        return;
    };
    let shots = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    for lang in ["ru", "en"] {
        let url = format!("file://{}", d.join(format!("sheets-{lang}.html")).display());
        for (width, height) in [(375, 812), (1280, 900)] {
            c.set_window_size(width, height).await.unwrap();
            c.goto(&url).await.unwrap();
            let v = crate::browser::eval(
                &c,
                "return [document.documentElement.scrollWidth, window.innerWidth, document.documentElement.lang]",
            )
            .await;
            assert_eq!(v[1].as_u64(), Some(u64::from(width)));
            assert!(
                v[0].as_u64().unwrap() <= u64::from(width),
                "{lang} at {width}: {} px wide",
                v[0]
            );
            assert_eq!(v[2], lang);
            let found = crate::axe::violations(&c).await;
            assert!(found.is_empty(), "{lang} at {width}: {found:?}");
            std::fs::write(
                shots.join(format!("pvt-sheets-{lang}-{width}.png")),
                c.screenshot().await.unwrap(),
            )
            .unwrap();
        }
    }
    c.close().await.unwrap();
}

/// A hostile design file or reports file is refused with its reason, never a panic: an
/// assignment of a stratum the design does not have, a stratum sampling more than it has,
/// counts whose sums pass any range.
#[test]
fn a_forged_design_or_report_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = |args: &[&str]| {
        ok_in(d, args);
    };
    generate(d, "60", "3", "3", "7");
    ok(&[
        "pvt",
        "design",
        "g.csv",
        "--strata",
        "region",
        "--stations",
        "9",
        "--seed",
        "q",
        "-o",
        "design.json",
    ]);
    let own: Value =
        serde_json::from_slice(&std::fs::read(d.join("design.json")).unwrap()).unwrap();
    let refused = |design: &Value, reports: &str, says: &str| {
        std::fs::write(d.join("forged.json"), design.to_string()).unwrap();
        let o = run(
            d,
            &[
                "pvt",
                "estimate",
                "--design",
                "forged.json",
                "--reports",
                reports,
            ],
        );
        assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
        assert!(stderr(&o).contains(says), "{}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    };
    write_reports(d, "g.csv", ("Party 01", "Party 02"), 0);
    let mut bad = own.clone();
    bad["stations"][0]["stratum"] = 7.into();
    refused(&bad, "reports.csv", "the design has 3 strata");
    let mut bad = own.clone();
    bad["strata"][0]["sample"] = 1_000_000.into();
    refused(&bad, "reports.csv", "a sample of 1000000");
    let mut bad = own.clone();
    bad["seed"] = "another".into();
    refused(&bad, "reports.csv", "commitment");
    let mut bad = own.clone();
    bad["strata"][1]["holds"] = own["strata"][0]["holds"].clone();
    refused(&bad, "reports.csv", "held twice");
    let mut bad = own.clone();
    bad["strata"][0]["reserves"] = 5.into();
    refused(&bad, "reports.csv", "5 reserves");
    // The public design has no stations to estimate from.
    let mut public = own.clone();
    public.as_object_mut().unwrap().remove("stations");
    public.as_object_mut().unwrap().remove("seed");
    refused(&public, "reports.csv", "a public design");
    // A reports file without one choice's column is refused, not read from a column whose
    // name contains it.
    let text = std::fs::read_to_string(d.join("reports.csv")).unwrap();
    let renamed = text.replacen("party:Party 03", "party:Party 03 Left", 1);
    std::fs::write(d.join("renamed.csv"), renamed).unwrap();
    let o = run(
        d,
        &[
            "pvt",
            "estimate",
            "--design",
            "design.json",
            "--reports",
            "renamed.csv",
        ],
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("'Party 03' has no column of its own"),
        "{}",
        stderr(&o)
    );
    // Official results whose strata are not the design's are refused, not shown as 0%.
    let official = std::fs::read_to_string(d.join("g.csv"))
        .unwrap()
        .replace("Region 0", "Oblast 0");
    std::fs::write(d.join("other.csv"), official).unwrap();
    let o = run(
        d,
        &[
            "pvt",
            "compare",
            "--design",
            "design.json",
            "--reports",
            "reports.csv",
            "other.csv",
        ],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no station in the strata"),
        "{}",
        stderr(&o)
    );
    // Out-of-range simulation settings.
    for bad in [
        ["--trials", "2000000"],
        ["--alter-pct", "NaN"],
        ["--alter-pct", "-5"],
    ] {
        let mut args = vec!["pvt", "simulate", "g.csv", "--stations", "9", "--seed", "s"];
        args.extend(bad);
        let o = run(d, &args);
        assert!(!o.status.success(), "{bad:?} was taken");
    }
    // Votes near 2^64 at one sampled station: their squares pass the sums' range.
    let text = std::fs::read_to_string(d.join("reports.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut cells: Vec<String> = lines[1].split(',').map(str::to_string).collect();
    let n = cells.len();
    cells[n - 3] = u64::MAX.to_string();
    lines[1] = cells.join(",");
    std::fs::write(d.join("huge.csv"), lines.join("\n") + "\n").unwrap();
    let o = run(
        d,
        &[
            "pvt",
            "estimate",
            "--design",
            "design.json",
            "--reports",
            "huge.csv",
        ],
    );
    assert!(!o.status.success());
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert!(stderr(&o).contains("beyond"), "{}", stderr(&o));
}

/// A message typed on a Cyrillic keyboard: the keyword and every code in the Cyrillic
/// letters that look like the Latin ones.
fn in_cyrillic(text: &str) -> String {
    let text = text.replace("PVT", "ПВТ");
    let (latin, cyrillic) = ("ABCEHKMOPTXY", "АВСЕНКМОРТХУ");
    text.chars()
        .map(|c| match latin.find(c) {
            Some(i) => cyrillic.chars().nth(latin[..i].chars().count()).unwrap(),
            None => c,
        })
        .collect()
}

/// Observers' SMS reports (issue 20, `docs/sms.md`): every sampled station of a 2018 design
/// reported by SMS, with the official counts, one by its observer's Cyrillic message in
/// two parts sent out of order, one confirmed by a second observer, one contradicted by a
/// second observer (both kept, the station left out), and messages refused for what they
/// are: the reports `pvt sms` writes give exactly the estimates the same stations' official
/// rows give, every sender gets a reply in their alphabet, and no phone number appears
/// anywhere but in the replies' addresses.
#[test]
fn observers_sms_reports_give_the_estimates_their_protocols_give() {
    let dir = tempfile::tempdir().unwrap();
    design_2018(dir.path(), "sms");
    let design: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("design.json")).unwrap()).unwrap();
    let drawn: Vec<(String, usize, bool)> = design["stations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["station"].as_str().unwrap().to_string(),
                s["stratum"].as_u64().unwrap() as usize,
                s["role"] == "sample",
            )
        })
        .collect();
    let paths: Vec<(&str, usize)> = drawn.iter().map(|(p, h, _)| (p.as_str(), *h)).collect();
    let numbers = observe::numbers::StationNumbers::of(&paths).unwrap();
    let book = observe::codes::Codebook::default_for(8);
    // Each sampled station's official protocol, as an observer's message.
    let mut official: std::collections::HashMap<String, observe::sms::SmsReport> =
        Default::default();
    let mut r = csv::Reader::from_path(dir.path().join("all.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        let path = format!("{} / {} / {}", &rec[0], &rec[1], &rec[2]);
        let Some(k) = drawn
            .iter()
            .position(|(p, _, sample)| *p == path && *sample)
        else {
            continue;
        };
        let n = |c: &str| rec[col(c)].parse::<u64>().unwrap();
        official.insert(
            path,
            observe::sms::SmsReport {
                station: numbers.number(k).to_string(),
                lines: vec![
                    (model::Line::Registered, n("registered")),
                    (
                        model::Line::IssuedTotal,
                        n("issued_early") + n("issued_in_station") + n("issued_outside"),
                    ),
                    (model::Line::Invalid, n("invalid")),
                ],
                votes: (16..24).map(|c| rec[c].parse().unwrap()).collect(),
            },
        );
    }
    assert_eq!(official.len(), 300);
    let sampled: Vec<usize> = (0..drawn.len()).filter(|&k| drawn[k].2).collect();
    let phone = |k: usize| format!("+7900{k:07}");
    let (first, second, third) = (sampled[0], sampled[1], sampled[2]);
    let mut inbox = csv::Writer::from_path(dir.path().join("inbox.csv")).unwrap();
    let mut observers = csv::Writer::from_path(dir.path().join("observers.csv")).unwrap();
    inbox
        .write_record(["from", "text", "time", "reference", "part", "parts"])
        .unwrap();
    observers
        .write_record(["name", "phone", "station"])
        .unwrap();
    // A report the observer of the sixth station corrected: listed first (a phone's export
    // lists the newest first), sent an hour before the one that replaces it.
    let mut wrong = official[&drawn[sampled[5]].0].clone();
    wrong.votes[3] -= 5;
    inbox
        .write_record([
            phone(sampled[5]).as_str(),
            &observe::sms::write(&wrong, &book),
            "1521392400",
            "",
            "",
            "",
        ])
        .unwrap();
    let time = std::cell::Cell::new(1_521_396_000u64);
    let mut send = |from: &str, text: &str, part: Option<(u32, u32)>| {
        time.set(time.get() + 7);
        let (reference, p, n) = match part {
            Some((p, n)) => ("5".to_string(), p.to_string(), n.to_string()),
            None => Default::default(),
        };
        inbox
            .write_record([from, text, &time.get().to_string(), &reference, &p, &n])
            .unwrap();
    };
    for &k in &sampled {
        observers
            .write_record([&format!("Observer {k}"), &phone(k), numbers.number(k)])
            .unwrap();
        let text = observe::sms::write(&official[&drawn[k].0], &book);
        if k == third {
            // In Cyrillic, in two parts that arrive the wrong way round.
            let cyrillic = in_cyrillic(&text);
            let (a, b) = cyrillic.split_at(cyrillic.find(" С").unwrap());
            send(&phone(k), b, Some((2, 2)));
            send(&phone(k), a, Some((1, 2)));
        } else {
            send(&phone(k), &text, None);
        }
    }
    // Second observers: one agrees (in Cyrillic), one does not.
    for (name, k) in [("Second observer", first), ("Third observer", second)] {
        observers
            .write_record([name, &phone(1_000_000 + k), numbers.number(k)])
            .unwrap();
    }
    let agree = observe::sms::write(&official[&drawn[first].0], &book);
    send(&phone(1_000_000 + first), &in_cyrillic(&agree), None);
    let mut other = official[&drawn[second].0].clone();
    other.votes[3] -= 1;
    send(
        &phone(1_000_000 + second),
        &observe::sms::write(&other, &book),
        None,
    );
    // Refused: a stranger, an observer about another station, counts above the register,
    // a malformed message in each alphabet, and half a message.
    let stranger = observe::sms::write(&official[&drawn[first].0], &book);
    send("+79990000000", &stranger, None);
    let elsewhere = observe::sms::write(&official[&drawn[second].0], &book);
    send(&phone(first), &elsewhere, None);
    let mut huge = official[&drawn[first].0].clone();
    huge.votes[3] = 999_999_999;
    send(&phone(first), &observe::sms::write(&huge, &book), None);
    send(&phone(first), "PVT 1 A1", None);
    send(&phone(first), "ПВТ 12 Д12", None);
    time.set(time.get() + 3600);
    send(&phone(sampled[4]), "PVT", Some((1, 2)));
    inbox.flush().unwrap();
    observers.flush().unwrap();
    drop((inbox, observers));

    let o: Value = serde_json::from_str(&ok_in(
        dir.path(),
        &[
            "pvt",
            "sms",
            "--design",
            "design.json",
            "--messages",
            "inbox.csv",
            "--observers",
            "observers.csv",
            "--country",
            "7",
            "--trunk",
            "8",
            "-o",
            "sms.csv",
            "--replies",
            "replies.csv",
            "--json",
        ],
    ))
    .unwrap();
    assert_eq!(o["messages"], 310);
    assert_eq!(
        (
            o["recorded"].as_u64(),
            o["confirmed"].as_u64(),
            o["conflicting"].as_u64(),
            o["refused"].as_u64()
        ),
        (Some(301), Some(1), Some(1), Some(5))
    );
    assert_eq!(o["incomplete"], 1);
    assert_eq!(o["stations_agreed"], 299);
    let conflict = &o["conflicts"][0];
    assert_eq!(conflict["station"], drawn[second].0.as_str());
    assert_eq!(conflict["reports"][1][0], "Third observer");
    let why: Vec<&str> = o["refusals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["why"].as_str().unwrap())
        .collect();
    assert_eq!(why[0], "this phone is not registered as an observer's");
    assert!(
        why[1].starts_with("this phone is not assigned to station"),
        "{}",
        why[1]
    );
    assert!(why[2].contains("999999999 is more than"), "{}", why[2]);
    assert!(why[3].starts_with("missing: E B X C H"), "{}", why[3]);
    assert_eq!(why[4], "item 1: 'Д12' is not a code followed by a number");
    // Replies: one per message read, and one for the half message given up.
    let replies = std::fs::read_to_string(dir.path().join("replies.csv")).unwrap();
    assert_eq!(replies.lines().count(), 1 + 301 + 2 + 5 + 1);
    // A report taken is repeated as read, in the sender's alphabet.
    let read = |k: usize| observe::sms::items(&official[&drawn[k].0], &book);
    assert!(replies.contains(&format!(
        "{},ПВТ {} принято: {}. Спасибо.",
        phone(third),
        numbers.number(third),
        read(third)
    )));
    assert!(replies.contains(&format!(
        "{},ПВТ {} принято: {}. Отчёты наблюдателей (2) совпадают.",
        phone(1_000_000 + first),
        numbers.number(first),
        read(first)
    )));
    assert!(replies.contains(&format!(
        "{},Не принято: пункт 1 «Д12» не код с числом.",
        phone(first)
    )));
    assert!(replies.ends_with(&format!(
        "{},Not recorded: only part of the message arrived. Send it again.\n",
        phone(sampled[4])
    )));
    // No phone number in the reports or the summary.
    let written = std::fs::read_to_string(dir.path().join("sms.csv")).unwrap();
    for text in [written.as_str(), &o.to_string()] {
        assert!(
            !text.contains("+7900") && !text.contains("7900000"),
            "a phone number leaked"
        );
    }
    // The same estimates as the official rows of the same 299 stations.
    let second_path = drawn[second].0.clone();
    let mut r = csv::Reader::from_path(dir.path().join("all.csv")).unwrap();
    let mut w = csv::Writer::from_path(dir.path().join("rows.csv")).unwrap();
    w.write_record(r.headers().unwrap()).unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        let path = format!("{} / {} / {}", &rec[0], &rec[1], &rec[2]);
        if official.contains_key(&path) && path != second_path {
            w.write_record(&rec).unwrap();
        }
    }
    w.flush().unwrap();
    let estimate = |reports: &str| -> Value {
        let mut v: Value = serde_json::from_str(&ok_in(
            dir.path(),
            &[
                "pvt",
                "estimate",
                "--design",
                "design.json",
                "--reports",
                reports,
                "--json",
            ],
        ))
        .unwrap();
        v.as_object_mut().unwrap().remove("reports");
        v
    };
    let (by_sms, by_rows) = (estimate("sms.csv"), estimate("rows.csv"));
    assert_eq!(by_sms["arrival"]["reported"], 299);
    assert_eq!(by_sms, by_rows);
}

/// Issue 20's desk in headless Chromium, on an observer group's store (80 stations, 16
/// drawn): two observers report the same station from the desk's form at a phone's width,
/// their copies differ; the supervisor sees both side by side and chooses one with a reason,
/// then puts another station in quarantine. Every screen at 375 and 1280 px (no sideways
/// scroll); the public quick count names no observer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn observers_report_and_a_supervisor_reviews_in_a_browser() {
    use crate::desk::{click_until, select, shoot, type_into};
    let Some((_driver, c)) = crate::browser::browser().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = |args: &[&str]| ok_in(d, args);
    generate(d, "80", "3", "4", "11");
    ok(&["import", "g.csv", "--db", "group.db", "--name", "frame"]);
    let seed = "observers roll 2 2 5 1 6 3 4 4 1 6 5 3";
    ok(&[
        "pvt",
        "design",
        "--db",
        "group.db",
        "--strata",
        "region",
        "--stations",
        "16",
        "--seed",
        seed,
        "-o",
        "design.json",
        "--public",
        "public.json",
    ]);
    ok(&[
        "pvt",
        "log",
        "open",
        "--db",
        "group.db",
        "--design",
        "public.json",
    ]);
    ok(&["pvt", "log", "seed", "--db", "group.db", "--seed", seed]);
    for (name, role) in [
        ("aigul", "observer"),
        ("bakyt", "observer"),
        ("cholpon", "supervisor"),
    ] {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_tallyproof"))
            .args(["users", "add", name, "--role", role, "--db", "group.db"])
            .env("TALLYPROOF_PASSWORD", crate::browser::PASSWORD)
            .current_dir(d)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    }
    for name in ["aigul", "bakyt"] {
        ok(&["users", "assign", name, "--db", "group.db", "--unit", ""]);
    }
    let server = crate::serve::serve_db(d, "group.db", &[]);
    let base = server.url.trim_end_matches('/').to_string();
    let (_, body) = crate::serve::get(&server.addr, "/api/elections/frame/pvt");
    let q: Value = serde_json::from_str(&body).unwrap();
    let drawn = &q["quick_counts"][0]["drawn"];
    let station = |k: usize| {
        (
            drawn[k]["station"].as_u64().unwrap().to_string(),
            drawn[k]["registered"].as_u64().unwrap(),
        )
    };
    let desk = format!("{base}/elections/frame/staff");
    let report = |who: &'static str, k: usize, first: u64| {
        let (c, desk) = (c.clone(), desk.clone());
        let (unit, registered) = station(k);
        let base = base.clone();
        async move {
            crate::browser::login(&c, &base, who).await;
            c.goto(&desk).await.unwrap();
            select(&c, "#station", &unit).await;
            let issued = registered * 6 / 10;
            for (field, n) in [
                ("#registered", registered),
                ("#issued_total", issued),
                ("#invalid", 2),
                ("#vote_0", first),
                ("#vote_1", issued - 2 - first - 10),
                ("#vote_2", 10),
            ] {
                type_into(&c, field, &n.to_string()).await;
            }
            click_until(&c, "#report", "The report is log entry").await;
        }
    };
    // The first observer's desk, then their report of the first drawn station.
    crate::browser::login(&c, &base, "aigul").await;
    shoot(&c, &desk, "pvt-observer").await;
    report("aigul", 0, 40).await;
    report("aigul", 1, 30).await;
    report("bakyt", 1, 30).await;
    // The second observer's copy of the first station differs by 5 votes.
    report("bakyt", 0, 45).await;
    // The observer's desk says their own report is in, never how the other copy stands.
    let page = c.source().await.unwrap();
    assert!(page.contains("your report is in"), "{page}");
    assert!(!page.contains("observers' copies differ"), "{page}");

    crate::browser::login(&c, &base, "cholpon").await;
    shoot(&c, &desk, "pvt-supervisor").await;
    c.goto(&desk).await.unwrap();
    let page = c.source().await.unwrap();
    assert!(page.contains(">aigul<br>"), "{page}");
    assert!(page.contains(">bakyt<br>"), "{page}");
    let unit = station(0).0;
    type_into(
        &c,
        &format!("#reason-choose-{unit}"),
        "the photograph of the posted protocol matches the first copy",
    )
    .await;
    click_until(
        &c,
        &format!("form:has(#reason-choose-{unit}) button"),
        "The review is log entry",
    )
    .await;
    let page = c.source().await.unwrap();
    assert!(page.contains("No station waits for a review"), "{page}");
    let other = station(1).0;
    select(&c, "#quarantine-station", &other).await;
    type_into(
        &c,
        "#reason-quarantine",
        "the observers' photographs are unreadable",
    )
    .await;
    click_until(
        &c,
        "form:has(#reason-quarantine) button",
        "The review is log entry",
    )
    .await;
    shoot(&c, &desk, "pvt-supervisor-reviewed").await;
    let (_, body) = crate::serve::get(&server.addr, "/api/elections/frame/pvt");
    let q: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        q["quick_counts"][0]["quarantined"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(q["quick_counts"][0]["conflicts"], serde_json::json!([]));
    for name in ["aigul", "bakyt", "cholpon"] {
        assert!(!body.contains(name), "{name} in the public quick count");
    }

    // Two incident reports, one coarsened; the public page at both widths, in one language,
    // never naming the reporter.
    let token = ok(&["users", "token", "aigul", "--db", "group.db"]);
    let auth = format!("Bearer {}", token.trim());
    let (unit, _) = station(2);
    for (category, coarsen, text) in [
        (
            "carousel-voting",
            false,
            "The same six voters came back with new ballots.",
        ),
        (
            "pressure-or-violence",
            true,
            "Observers were told to leave before the count.",
        ),
    ] {
        let body = serde_json::json!({"category": category, "unit": unit.parse::<u32>().unwrap(),
            "time": "2020-10-04 15:40", "coarsen": coarsen, "text": text});
        let (status, answer) = crate::serve::request(
            &server.addr,
            "POST",
            "/api/elections/frame/incidents",
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            body.to_string().as_bytes(),
        )
        .unwrap();
        assert_eq!(status, 201, "{answer}");
    }
    let page = format!("{base}/elections/frame/incidents");
    shoot(&c, &page, "incidents").await;
    c.goto(&page).await.unwrap();
    let html = c.source().await.unwrap();
    assert!(html.contains("Carousel voting"), "{html}");
    assert!(
        html.contains("place to the district, time to the hour"),
        "{html}"
    );
    assert!(!html.contains("aigul"), "the reporter on the page");

    // A third from the observer's desk form, with a photo; the supervisor's desk lists the
    // reports nobody has checked, and its form confirms one.
    crate::browser::login(&c, &base, "aigul").await;
    let chosen = format!("{desk}?unit={unit}");
    shoot(&c, &format!("{chosen}#incident"), "incident-observer").await;
    c.goto(&chosen).await.unwrap();
    select(&c, "#incident-category", "ballot-stuffing").await;
    type_into(
        &c,
        "#incident-text",
        "A bundle of ballots went into box 2 at 19:50.",
    )
    .await;
    let photo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../store/test_data/python.jpg")
        .canonicalize()
        .unwrap();
    type_into(&c, "#incident-photos", photo.to_str().unwrap()).await;
    click_until(&c, "#report-incident", "The incident report is log entry").await;
    let (_, body) = crate::serve::get(&server.addr, "/api/elections/frame/incidents");
    let listed: Value = serde_json::from_str(&body).unwrap();
    let latest = &listed["incidents"][0];
    assert_eq!(latest["category"], "ballot-stuffing");
    assert_eq!(latest["photos"].as_array().unwrap().len(), 1);
    let entry = latest["entry"].as_u64().unwrap();
    crate::browser::login(&c, &base, "cholpon").await;
    shoot(&c, &format!("{desk}#incidents"), "incident-supervisor").await;
    c.goto(&desk).await.unwrap();
    select(&c, &format!("#status-{entry}"), "confirmed").await;
    type_into(
        &c,
        &format!("#status-reason-{entry}"),
        "two observers' photographs show it",
    )
    .await;
    click_until(
        &c,
        &format!("form:has(#status-reason-{entry}) button"),
        "The status is log entry",
    )
    .await;
    let (_, body) = crate::serve::get(&server.addr, "/api/elections/frame/incidents");
    let listed: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(listed["incidents"][0]["status"], "confirmed");
    c.close().await.unwrap();

    // The published directory (the log, its content and every page) names no reporter,
    // observer or supervisor, and holds no observer's phone number.
    std::fs::write(d.join("phone.key"), [7u8; 32]).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_tallyproof"))
        .args([
            "users",
            "phone",
            "aigul",
            "--phone-key",
            "phone.key",
            "--db",
            "group.db",
        ])
        .env("TALLYPROOF_PHONE", "0555 123 456")
        .current_dir(d)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    ok(&[
        "publish",
        "--db",
        "group.db",
        "--election",
        "frame",
        "--out",
        "pub",
    ]);
    let (mut files, mut texts) = (0, 0);
    let mut stack = vec![d.join("pub")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            files += 1;
            let bytes = std::fs::read(&path).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            if ["six voters", "told to leave", "bundle of ballots"]
                .iter()
                .any(|t| text.contains(t))
            {
                texts += 1;
            }
            for secret in ["aigul", "bakyt", "cholpon", "555123456", "555 123 456"] {
                let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
                assert!(!found, "{secret} in {}", path.display());
            }
        }
    }
    // The log, its checkpoint and key, and the content: the incidents' texts and photo.
    assert!(texts >= 3, "{texts} incident texts among {files} files");
}

//! The integer-percentage test through the binary, against `test_data/vectors/forensics.json`
//! (Kobak, Shpilkin & Pshenichnikov 2016; figures from the dkobak/elections notebooks).

use serde_json::Value;

use crate::{run, stderr, stdout, workspace};

fn vectors() -> Value {
    serde_json::from_slice(&std::fs::read(workspace("test_data/vectors/forensics.json")).unwrap())
        .unwrap()
}

fn integer_percent(file: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "forensics",
        "integer-percent",
        file,
        "--format",
        "ru",
        "--json",
    ];
    args.extend_from_slice(extra);
    let o = run(&workspace(""), &args);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

/// Station counts and observed counts are exact. The excesses of the exact null and of a
/// 1000-replicate Monte Carlo must each be within 15 stations of the published Monte Carlo
/// excess (the published figure itself carries about 4 stations of Monte Carlo noise, and
/// ours another 4). The other checks are exact.
fn russian(case: usize) {
    let v = vectors();
    let c = &v["cases"][case];
    let file = format!("test_data/ru/{}", c["file"].as_str().unwrap());
    let r = integer_percent(&file, &["--replicates", "1000", "--seed", "7"]);
    assert_eq!(r["stations_used"], c["stations_used"]);
    assert_eq!(r["observed"]["either"], c["observed_either"]);
    let leader = r["leader"].as_str().unwrap().to_lowercase();
    let want = v["leader_column"][&c["file"].as_str().unwrap()[..4]]
        .as_str()
        .unwrap()
        .to_lowercase();
    assert!(leader.contains(&want), "{leader}");
    for null in ["exact", "monte_carlo"] {
        for kind in ["either", "leader", "turnout"] {
            let got = r[null][kind]["excess"].as_f64().unwrap();
            let published = c["excess"][kind].as_f64().unwrap();
            assert!(
                (got - published).abs() <= 15.0,
                "{null} {kind}: excess {got}, published {published}"
            );
        }
        // Significant at p < 0.001, as published.
        let either = &r[null]["either"];
        assert!(either["excess"].as_f64().unwrap() > either["line999"].as_f64().unwrap());
        assert!(either["p_value"].as_f64().unwrap() <= 0.001);
    }
    let sd = r["exact"]["either"]["sd"].as_f64().unwrap();
    let published_sd = c["mc_sd_either"].as_f64().unwrap();
    // The sd of 1000 replicates is itself uncertain by about 1/sqrt(2000) = 2.2%.
    assert!(
        (sd / published_sd - 1.0).abs() < 0.07,
        "sd {sd} vs {published_sd}"
    );
    let oc = &c["other_checks"];
    assert_eq!(r["turnout"]["above_95"], oc["stations_turnout_gt_95"]);
    if let Some(eq) = oc.get("stations_issued_eq_registered") {
        assert_eq!(&r["turnout"]["issued_equals_registered"], eq);
    }
}

#[test]
fn russia_2011_integer_percentages() {
    russian(0);
}

#[test]
fn russia_2018_integer_percentages() {
    russian(1);
}

/// The same seed gives byte-identical output on one thread and on three.
#[test]
fn monte_carlo_does_not_depend_on_the_number_of_threads() {
    let file = "test_data/ru/2011.csv.zip";
    let one = integer_percent(file, &["--replicates", "50", "--threads", "1"]);
    let three = integer_percent(file, &["--replicates", "50", "--threads", "3"]);
    assert_eq!(one.to_string(), three.to_string());
    let other_seed = integer_percent(file, &["--replicates", "50", "--seed", "1"]);
    assert_ne!(one["monte_carlo"], other_seed["monte_carlo"]);
}

/// The Kyrgyz file has no registered-voter line: the test says so instead of guessing.
#[test]
fn kyrgyz_2020_cannot_run_without_registered_voters() {
    let o = run(
        &workspace(""),
        &[
            "forensics",
            "integer-percent",
            "data/kg2020/stations_2399.csv",
        ],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no station reports registered voters"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_unknown_leader_is_named_with_the_choices() {
    let o = run(
        &workspace(""),
        &[
            "forensics",
            "integer-percent",
            "test_data/ru/2018.csv.zip",
            "--format",
            "ru",
            "--leader",
            "Навальный",
            "--replicates",
            "0",
        ],
    );
    assert_eq!(o.status.code(), Some(3));
    let e = stderr(&o);
    assert!(
        e.contains("no choice matches the leader 'Навальный'"),
        "{e}"
    );
    assert!(e.contains("Грудинин Павел Николаевич"), "{e}");
}

/// The procedure runs on all ten Russian files (the 2020 vote with its own column
/// mapping), and, as Kobak et al. (2016) found for every federal election since 2004, the
/// excess of integer percentages is significant at p < 0.001 under the exact null; the
/// report page is written for each.
#[test]
fn every_russian_file_has_a_significant_excess() {
    let Some(dir) = std::env::var_os("TALLYPROOF_RU_DATA") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "TALLYPROOF_RU_DATA is not set under CI=true (the reference data are beside the project)"
        );
        eprintln!("TALLYPROOF_RU_DATA is not set: the ten Russian files were not checked");
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    for year in [
        "2004", "2007", "2008", "2011", "2012", "2016", "2018", "2020", "2021", "2024",
    ] {
        let file = dir.join(format!("{year}.csv.zip")).display().to_string();
        let r = integer_percent(&file, &["--replicates", "0"]);
        let used = r["stations_used"].as_u64().unwrap();
        assert!(used > 85_000, "{year}: {used} stations");
        let either = &r["exact"]["either"];
        assert!(
            either["p_value"].as_f64().unwrap() < 0.001,
            "{year}: {either}"
        );
        assert!(r["monte_carlo"].is_null());
        let out = tempfile::tempdir().unwrap();
        let o = run(
            &workspace(""),
            &[
                "forensics",
                "report",
                &file,
                "--format",
                "ru",
                "--out",
                &out.path().display().to_string(),
            ],
        );
        assert!(o.status.success(), "{year}: {}", stderr(&o));
        let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
        assert!(html.contains("Election fingerprint"), "{year}");
    }
}

/// Digit tests run on the Kyrgyz file (which has counts but no registered voters), and warn
/// where counts are too small for the laws to be expected.
#[test]
fn digit_tests_on_the_kyrgyz_file_warn_about_small_counts() {
    let o = run(
        &workspace(""),
        &[
            "forensics",
            "digits",
            "data/kg2020/stations_2399.csv",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let r: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let choices = r.as_array().unwrap();
    assert!(choices.len() >= 16);
    let mut warned = 0;
    for c in choices {
        for t in ["second_digit", "last_digit"] {
            if let Some(t) = c[t].as_object() {
                let f: u64 = t["frequencies"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_u64().unwrap())
                    .sum();
                assert_eq!(Some(f), t["counts"].as_u64());
            }
        }
        warned += usize::from(!c["warnings"].as_array().unwrap().is_empty());
    }
    assert!(warned >= choices.len() / 2, "{warned} of {}", choices.len());
}

/// The Shpilkin method on 2011: the bins hold every station with registered voters and no
/// more ballots than voters, the clean bin lies below the official turnout, and the excess
/// is a part of the leader's votes.
#[test]
fn shpilkin_method_on_2011() {
    let o = run(
        &workspace(""),
        &[
            "forensics",
            "shpilkin",
            "test_data/ru/2011.csv.zip",
            "--format",
            "ru",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let r: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let official = r["official_turnout_pct"].as_f64().unwrap();
    assert!((official - 60.21).abs() < 0.005, "{official}");
    assert!((r["clean_bin"].as_f64().unwrap()) < official);
    let bins = r["bins"].as_array().unwrap();
    let leader: u64 = bins.iter().map(|b| b["leader"].as_u64().unwrap()).sum();
    assert_eq!(r["leader_votes"].as_u64(), Some(leader));
    let excess = r["excess"].as_f64().unwrap();
    assert!(excess > 0.0 && excess < leader as f64);
    assert!(r["clipped"].as_bool().unwrap());
}

/// The fingerprint of 2011 is written as SVG and PNG, byte-identical from run to run, and
/// shows the cluster at 100% turnout and 100% for the leader that Klimek et al. (2012)
/// report for this election.
#[test]
fn fingerprint_of_2011() {
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let mut outputs = Vec::new();
    for d in &dirs {
        let out = d.path().display().to_string();
        let o = run(
            &workspace(""),
            &[
                "forensics",
                "fingerprint",
                "test_data/ru/2011.csv.zip",
                "--format",
                "ru",
                "--json",
                "--out",
                &out,
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        outputs.push(stdout(&o));
    }
    assert_eq!(outputs[0], outputs[1]);
    for name in [
        "fingerprint-voters.svg",
        "fingerprint-voters.png",
        "fingerprint-stations.svg",
        "fingerprint-stations.png",
    ] {
        let a = std::fs::read(dirs[0].path().join(name)).unwrap();
        let b = std::fs::read(dirs[1].path().join(name)).unwrap();
        assert_eq!(a, b, "{name}");
    }
    let png = png::Decoder::new(std::io::Cursor::new(
        std::fs::read(dirs[0].path().join("fingerprint-voters.png")).unwrap(),
    ));
    let info = png.read_info().unwrap();
    assert_eq!((info.info().width, info.info().height), (404, 404));
    let svg = std::fs::read_to_string(dirs[0].path().join("fingerprint-voters.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("turnout, %"));
    let r: Value = serde_json::from_str(&outputs[0]).unwrap();
    assert!(r["corner_stations"].as_u64().unwrap() > 1000);
    assert!(r["corner_voters_pct"].as_f64().unwrap() > 1.0);
}

/// Station flags come sorted by score, named by their path, as JSON and as CSV.
#[test]
fn station_flags_are_sorted_and_named() {
    let base = [
        "forensics",
        "flags",
        "test_data/ru/2018.csv.zip",
        "--format",
        "ru",
        "--top",
        "200",
    ];
    let o = run(&workspace(""), &[&base[..], &["--json"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let r: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let rows = r.as_array().unwrap();
    assert_eq!(rows.len(), 200);
    let scores: Vec<f64> = rows.iter().map(|x| x["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]));
    assert!(rows[0]["station"].as_str().unwrap().contains(" / "));
    let o = run(&workspace(""), &[&base[..], &["--csv"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = stdout(&o);
    assert!(csv.starts_with("rank,station,score,impossible,"));
    assert_eq!(csv.lines().count(), 201);
}

/// `forensics report` writes one self-contained page with every test for a Russian file,
/// and for the Kyrgyz file says which tests cannot run and why.
#[test]
fn report_pages() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().display().to_string();
    let report = |args: &[&str]| {
        let mut all = vec!["forensics", "report"];
        all.extend(args);
        all.extend(["--out", &out]);
        run(&workspace(""), &all)
    };
    let o = report(&["test_data/ru/2011.csv.zip", "--format", "ru"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    for part in [
        "Whole-number percentages",
        "<th scope=\"row\">either (exact null)</th><td class=\"n\">17,803</td>",
        "Республика Татарстан",
        "Election fingerprint",
        "Shpilkin method",
        "Stations to look at first",
        "Digit tests",
        "<svg",
    ] {
        assert!(html.contains(part), "missing {part}");
    }
    assert!(!html.contains("<script") && !html.contains("src=\"http"));

    let o = report(&["data/kg2020/stations_2399.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("Tests that could not run"));
    assert!(html
        .contains("Election fingerprint (Klimek et al. 2012): the file has no registered-voter"));
    assert!(html.contains("Digit tests"));

    // The same page in Russian (`--lang ru`), a standalone page for a phone; an unknown
    // language is refused, naming the flag.
    let o = report(&["data/kg2020/stations_2399.csv", "--lang", "ru"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    for part in [
        "<html lang=\"ru\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "<h1>Статистические тесты: ",
        "Тесты, которые нельзя провести",
        "«Отпечаток» выборов (Климек и др., 2012): в данных нет числа избирателей",
        "Тесты цифр",
    ] {
        assert!(html.contains(part), "missing {part}");
    }
    assert!(!html.contains("Digit tests") && !html.contains("<nav"));
    let o = report(&["data/kg2020/stations_2399.csv", "--lang", "de"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("--lang")
            && stderr(&o).contains("unknown language 'de': the report is written in en, ru or ky"),
        "{}",
        stderr(&o)
    );
}

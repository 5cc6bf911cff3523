//! The acceptance checks of the foundation issue, computed by the binary as a user would:
//! `tallyproof results FILE --format ru --json` against `test_data/vectors/forensics.json`.

use serde_json::Value;

use crate::{run, stdout, workspace};

fn vectors() -> Value {
    serde_json::from_slice(&std::fs::read(workspace("test_data/vectors/forensics.json")).unwrap())
        .unwrap()
}

fn results_json(args: &[&str]) -> Value {
    let o = run(&workspace(""), args);
    assert!(o.status.success(), "{}", crate::stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

fn russian(case: usize) {
    let v = vectors();
    let c = &v["cases"][case];
    let file = format!("test_data/ru/{}", c["file"].as_str().unwrap());
    let r = results_json(&["results", &file, "--format", "ru", "--json"]);
    let oc = &c["other_checks"];
    let country = &r["units"][0];
    assert_eq!(r["input"]["rows"], oc["rows"]);
    assert_eq!(country["lines"]["registered"], oc["registered_total"]);
    assert_eq!(country["turnout"]["pct"], oc["turnout_pct"]);
    let leader = country["leader"]["choice"].as_str().unwrap();
    let want = v["leader_column"][&c["file"].as_str().unwrap()[..4]]
        .as_str()
        .unwrap();
    assert!(
        leader.to_lowercase().contains(&want.to_lowercase()),
        "{leader}"
    );
    let i = r["choices"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c == leader)
        .unwrap();
    assert_eq!(
        country["shares_pct"]["valid+invalid"][i],
        oc["leader_pct_of_valid_plus_invalid"]
    );
}

#[test]
fn russia_2011_through_the_cli() {
    russian(0);
}

#[test]
fn russia_2018_through_the_cli() {
    russian(1);
}

#[test]
fn kyrgyz_2020_through_the_cli() {
    let v = vectors();
    let k = &v["kyrgyz_2020"];
    let r = results_json(&["results", "data/kg2020/stations_2399.csv", "--json"]);
    let country = &r["units"][0];
    assert_eq!(country["stations"], k["stations"]);
    assert_eq!(country["lines"]["valid"], k["sum_total"]);
    let i = r["choices"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c == "«БИРИМДИК»")
        .unwrap();
    assert_eq!(
        country["shares_pct"]["valid"][i],
        k["vote_shares_pct_of_total_column"]["Birimdik"]
    );
    assert_eq!(r["input"]["warnings"], 36);
}

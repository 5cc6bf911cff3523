//! Contest files: the Kyrgyz example allocates as published, and every broken file in
//! `test_data/contest/` gets exactly the error in its `.expected` file (`UPDATE_EXPECT=1`
//! rewrites them).

use formats::contest::{margins_json, outcome_json, parse_contest};

fn run(name: &str) -> Result<serde_json::Value, String> {
    let path = crate::test_data(&format!("contest/{name}"));
    let text = std::fs::read_to_string(&path).unwrap();
    let p = parse_contest(name, &text, name.ends_with(".toml")).map_err(|e| e.to_string())?;
    let o = seats::allocate(&p).map_err(|e| e.to_string())?;
    let m = seats::margins(&p, &o).map_err(|e| e.to_string())?;
    Ok(serde_json::json!({"seats": outcome_json(&p, &o), "margins": margins_json(&p, &o, &m)}))
}

#[test]
fn the_kyrgyz_preliminary_count_allocates_as_published() {
    let v = run("kg2020-prelim-asu.toml").unwrap();
    let parties = v["seats"]["parties"].as_array().unwrap();
    let seats: Vec<u64> = parties
        .iter()
        .map(|p| p["seats"].as_u64().unwrap())
        .collect();
    assert_eq!(&seats[..5], &[46, 45, 16, 13, 0]);
    assert_eq!(
        parties[4]["national"]["detail"],
        "136276 of 1990753 (participated) = 6.85%, threshold >= 7.00%"
    );
    assert_eq!(parties[0]["regional"]["status"], "not-checkable");
    assert_eq!(v["margins"]["election_margin"]["ballots"], 1275);
    assert_eq!(v["margins"]["election_margin"]["exact"], "6371/5");
    let summary = v["margins"]["summary"].as_array().unwrap();
    assert_eq!(summary[0], "The closest seat: moving 1275 ballot(s) from Mekenim Kyrgyzstan to Kyrgyzstan (0.06% of 1990753 ballots) would move one seat from Mekenim Kyrgyzstan to Kyrgyzstan.");
    assert_eq!(summary[2], "Mekenchil misses the national threshold by 3077 ballot(s): gaining that many would let it share in the list seats.");
}

#[test]
fn broken_contest_files_get_their_exact_error() {
    let checked = crate::check_expectations(
        "contest",
        |n| !n.starts_with("kg"),
        |name, _| match run(name) {
            Ok(_) => "ACCEPTED".to_string(),
            Err(e) => e,
        },
    );
    assert!(checked >= 9, "only {checked} contest cases");
}

//! The turnout histogram of Russia 2011 against `test_data/vectors/forensics.json`
//! (`other_checks.turnout_bin_75.0_count_vs_neighbours`: the 75.0% bin holds twice as many
//! stations as its neighbours, the integer-percentage spike of Kobak et al. 2016, Fig. 1).

#![allow(clippy::unwrap_used)]

use forensics::distribution::turnout;
use forensics::station;
use formats::{import, Collect, Format, ImportOptions};
use serde_json::Value;

#[test]
fn the_75_percent_spike_of_2011() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test_data/");
    let v: Value =
        serde_json::from_slice(&std::fs::read(format!("{root}vectors/forensics.json")).unwrap())
            .unwrap();
    let want = &v["cases"][0]["other_checks"]["turnout_bin_75.0_count_vs_neighbours"];
    let bytes = std::fs::read(format!("{root}ru/2011.csv.zip")).unwrap();
    let mut sink = Collect::default();
    let im = import(
        Format::Ru,
        "2011.csv.zip",
        &bytes,
        &ImportOptions::named("2011"),
        &mut sink,
    )
    .unwrap();
    let s = station::sample(&im.election, 0, &sink.0, None).unwrap();
    let t = turnout(&s.stations);
    let got = [t.bins[750], t.bins[749], t.bins[751]];
    let want: Vec<u64> = want
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect();
    assert_eq!(got.to_vec(), want);
}

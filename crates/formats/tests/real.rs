//! The real data files: Kyrgyz 2020 (bundled in `data/`) and Russia 2011 and 2018
//! (`test_data/ru/`), checked against `test_data/vectors/forensics.json`, which keeps the
//! vectors' sources.

use formats::{import, Collect, Format, ImportOptions, Imported};
use model::{Line, UnitLevel};
use serde_json::Value;
use tabulate::{tabulate, Filter, ShareBase};

fn vectors() -> Value {
    serde_json::from_slice(
        &std::fs::read(crate::workspace("test_data/vectors/forensics.json")).unwrap(),
    )
    .unwrap()
}

fn load(format: Format, rel: &str) -> (Imported, Vec<model::Protocol>) {
    let bytes = std::fs::read(crate::workspace(rel)).unwrap();
    let mut sink = Collect::default();
    let im = import(format, rel, &bytes, &ImportOptions::named("t"), &mut sink).unwrap();
    (im, sink.0)
}

#[test]
fn kyrgyz_2399_matches_the_vector() {
    let v = vectors();
    let k = &v["kyrgyz_2020"];
    let (im, ps) = load(Format::Kg2020, "data/kg2020/stations_2399.csv");
    let e = &im.election;
    assert_eq!(im.rows, k["stations"].as_u64().unwrap());
    assert_eq!(
        e.units.count_at(UnitLevel::Station) as u64,
        k["stations"].as_u64().unwrap()
    );
    let t = tabulate(e, 0, &ps, Filter::default()).unwrap();
    let root = t.totals(e.units.root());
    assert_eq!(root.line(Line::Valid), k["sum_total"].as_u64());
    assert_eq!(root.choice_sum(), k["sum_total"].as_u64().unwrap());
    let names = [
        ("Birimdik", "«БИРИМДИК»"),
        ("Mekenim Kyrgyzstan", "«МЕКЕНИМ КЫРГЫЗСТАН»"),
        ("Kyrgyzstan", "«КЫРГЫЗСТАН»"),
        ("Butun Kyrgyzstan", "«БҮТҮН КЫРГЫЗСТАН» саясий партиясы"),
        ("Mekenchil", "«МЕКЕНЧИЛ»"),
    ];
    for (latin, column) in names {
        let i = e.contests[0]
            .choices
            .iter()
            .position(|c| c.name == column)
            .unwrap();
        let want = k["vote_shares_pct_of_total_column"][latin]
            .as_f64()
            .unwrap();
        let got = root.share(i, ShareBase::Valid).unwrap().percent(2);
        assert_eq!(got, format!("{want:.2}"), "{latin}");
    }
    // 35 form2_percent values above 100 and one `inf`: warnings, not rejections.
    assert_eq!(im.warnings.len(), 36);
    assert_eq!(
        im.warnings
            .iter()
            .filter(|w| w.message.contains("not finite"))
            .count(),
        1
    );
    assert!(im.diagnostics.is_empty());
}

#[test]
fn kyrgyz_2413_has_ten_regions_and_45_stations_abroad() {
    let (im, ps) = load(Format::Kg2020, "data/kg2020/stations_by_region_2413.csv");
    let e = &im.election;
    assert_eq!(ps.len(), 2413);
    assert_eq!(e.units.count_at(UnitLevel::Region), 10);
    let t = tabulate(e, 0, &ps, Filter::default()).unwrap();
    let abroad = e.units.child(e.units.root(), "МИД КР").unwrap();
    assert_eq!(t.totals(abroad).stations, 45);
    let sum: u64 = t
        .at_level(&e.units, UnitLevel::Region)
        .map(|(_, t)| t.choice_sum())
        .sum();
    assert_eq!(sum, t.totals(e.units.root()).choice_sum());
    assert!(im.warnings.is_empty());
}

fn russian(file: &str, case: usize) {
    let v = vectors();
    let c = &v["cases"][case];
    assert_eq!(c["file"], file);
    let (im, ps) = load(Format::Ru, &format!("test_data/ru/{file}"));
    let e = &im.election;
    let oc = &c["other_checks"];
    assert_eq!(im.rows, oc["rows"].as_u64().unwrap());
    let t = tabulate(e, 0, &ps, Filter::default()).unwrap();
    let root = t.totals(e.units.root());
    assert_eq!(root.line(Line::Registered), oc["registered_total"].as_u64());
    assert_eq!(
        root.turnout().unwrap().percent(2),
        format!("{:.2}", oc["turnout_pct"].as_f64().unwrap())
    );
    let leader_name = v["leader_column"][&file[..4]].as_str().unwrap();
    let i = e.contests[0]
        .choices
        .iter()
        .position(|ch| ch.name.to_lowercase().contains(&leader_name.to_lowercase()))
        .unwrap();
    assert_eq!(
        root.share(i, ShareBase::ValidPlusInvalid)
            .unwrap()
            .percent(2),
        format!(
            "{:.2}",
            oc["leader_pct_of_valid_plus_invalid"].as_f64().unwrap()
        )
    );
}

#[test]
fn russia_2011_matches_the_vector() {
    russian("2011.csv.zip", 0);
}

#[test]
fn russia_2018_matches_the_vector() {
    russian("2018.csv.zip", 1);
}

#[test]
fn russia_2011_maps_every_protocol_line() {
    let (im, ps) = load(Format::Ru, "test_data/ru/2011.csv.zip");
    let p = &ps[0];
    for l in [
        Line::Registered,
        Line::Received,
        Line::IssuedEarly,
        Line::IssuedInStation,
        Line::IssuedOutside,
        Line::Cancelled,
        Line::FoundMobile,
        Line::FoundStationary,
        Line::Invalid,
        Line::Valid,
        Line::Lost,
        Line::Unaccounted,
    ] {
        assert!(p.line(l).is_some(), "{l:?}");
    }
    // Six absentee-certificate lines are kept as extra counts, and the izbirkom URL as the reference.
    assert_eq!(p.extra.len(), 6, "{:?}", p.extra);
    assert!(p
        .reference
        .as_deref()
        .unwrap()
        .starts_with("http://www.vybory.izbirkom.ru/"));
    assert_eq!(im.election.contests[0].kind, model::ContestKind::PartyList);
    assert_eq!(im.election.contests[0].choices.len(), 7);
    assert_eq!(im.election.contests[0].choices[5].ballot_number, Some(6));
    // The file's own inconsistencies are diagnostics (ballots in boxes above ballots issued), not failures.
    assert!(im
        .diagnostics
        .iter()
        .any(|d| d.rule == "warning: found <= issued"));
}

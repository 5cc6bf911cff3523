//! Incident reports in the log (revision 9), against the shared vectors
//! (`test_data/vectors/incidents.json`, written by `incidents.py` with the Python verifier,
//! which `verifier/test_verify.py` holds too): the replay refuses each log at the entry the
//! vectors name, and for the logs it takes gives each incident, its place, time, coarsening
//! and status as the Python verifier does.

use serde_json::Value;

use crate::run;

#[test]
fn both_verifiers_take_and_refuse_the_same_incident_reports() {
    let doc: Value =
        serde_json::from_str(include_str!("../../../test_data/vectors/incidents.json")).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    let mut taken = 0;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let got = run(&crate::vector_entries(case));
        let Some(want) = case["incidents"].as_array() else {
            let at = case["refused_at"].as_u64().unwrap();
            let err = got.expect_err(name).to_string();
            let named = [format!("entry {at}:"), format!("entry {at} (")];
            assert!(named.iter().any(|p| err.starts_with(p)), "{name}: {err}");
            continue;
        };
        taken += 1;
        let r = got.unwrap_or_else(|e| panic!("{name}: {e}"));
        let got: Vec<Value> = r
            .incidents
            .iter()
            .map(|x| {
                serde_json::json!({
                    "index": x.index, "category": x.category, "unit": x.unit.0,
                    "time": x.time, "coarsened": x.coarsened, "status": x.status.key(),
                })
            })
            .collect();
        assert_eq!(&got, want, "{name}");
    }
    assert_eq!((cases.len(), taken), (33, 7));
}

#[test]
fn a_time_is_read_to_the_minute_or_the_hour_and_only_if_it_exists() {
    use record::Time;
    let (t, hourly) = Time::parse_minute("2020-10-04 21:30").unwrap();
    assert_eq!(
        (t.to_string().as_str(), hourly),
        ("2020-10-04 21:30:00 UTC", false)
    );
    let (t, hourly) = Time::parse_minute("2024-02-29 07").unwrap();
    assert_eq!(
        (t.to_string().as_str(), hourly),
        ("2024-02-29 07:00:00 UTC", true)
    );
    for bad in [
        "2023-02-29 07",
        "2020-10-04 21:60",
        "2020-10-04 24",
        "2020-13-01 00",
        "2020-10-04T21:30",
        "1999-12-31 23:59",
        "2020-10-04 21:30:00",
        "２020-10-04 21",
        "",
    ] {
        assert_eq!(Time::parse_minute(bad), None, "{bad}");
    }
}

/// A coarsened report logs the station's district; a station right under the country has
/// none, and its report is refused by name rather than logged at the country, which the
/// replay refuses (the service answered 500 for every coarsened report of a flat election,
/// such as the demo's open Kyrgyz one).
#[test]
fn a_station_right_under_the_country_is_not_coarsened_to_it() {
    use model::{Election, UnitLevel};
    let mut e = Election::new("flat");
    let root = e.units.root();
    let region = e.units.insert(root, UnitLevel::Region, "R").unwrap();
    let inner = e.units.insert(region, UnitLevel::Station, "1").unwrap();
    let flat = e.units.insert(root, UnitLevel::Station, "2").unwrap();
    let report = |unit, coarsen| record::NewIncident {
        category: "vote-buying",
        unit,
        time: "2020-10-04 15:40",
        coarsen,
        text: "money at the door",
        photos: &[],
    };
    let logged = |r| match record::incident_report(&e, &r, &mut || [7u8; 32]) {
        Ok((record::IncidentStep::Report { unit, .. }, _)) => Ok(unit),
        Ok(_) => panic!("not a report"),
        Err(err) => Err(err.to_string()),
    };
    assert_eq!(logged(report(inner, true)), Ok(region));
    assert_eq!(logged(report(flat, false)), Ok(flat));
    let err = logged(report(flat, true)).unwrap_err();
    assert!(
        err.contains("coarsen") && err.contains("no district"),
        "{err}"
    );
}

//! Exports read back to the same election, and exports are deterministic.

use formats::cdf::{write_cdf, CdfHeader, ContestResults};
use formats::{import, write_csv, write_json, Collect, Format, ImportOptions};
use model::Protocol;
use serde_json::Value;
use tabulate::{tabulate, Filter};

fn kg2413() -> (model::Election, Vec<Protocol>) {
    let bytes = std::fs::read(crate::workspace("data/kg2020/stations_by_region_2413.csv")).unwrap();
    let mut sink = Collect::default();
    let im = import(
        Format::Kg2020,
        "kg",
        &bytes,
        &ImportOptions::named("kg2020-2413"),
        &mut sink,
    )
    .unwrap();
    (im.election, sink.0)
}

fn reimport(format: Format, bytes: &[u8]) -> (model::Election, Vec<Protocol>) {
    let mut sink = Collect::default();
    let im = import(format, "again", bytes, &ImportOptions::named(""), &mut sink).unwrap();
    (im.election, sink.0)
}

#[test]
fn json_round_trip_is_lossless_and_byte_stable() {
    let (e, ps) = kg2413();
    let mut a = Vec::new();
    write_json(&mut a, &e, &ps).unwrap();
    let (e2, ps2) = reimport(Format::Json, &a);
    assert_eq!(ps2.len(), ps.len());
    for (p, q) in ps.iter().zip(&ps2) {
        assert_eq!(p, q);
    }
    assert_eq!(e2.name, "kg2020-2413");
    assert_eq!(e2.rules, e.rules);
    assert_eq!(e2.contests, e.contests);
    assert_eq!(e2.units.len(), e.units.len());
    let mut b = Vec::new();
    write_json(&mut b, &e2, &ps2).unwrap();
    assert_eq!(a, b, "JSON export is not byte-stable");
}

#[test]
fn csv_round_trip_keeps_every_count_and_attribute() {
    let (e, ps) = kg2413();
    let a = write_csv(Vec::new(), &e, 0, &ps).unwrap();
    let (e2, ps2) = reimport(Format::Csv, &a);
    assert_eq!(ps2.len(), ps.len());
    for (p, q) in ps.iter().zip(&ps2) {
        assert_eq!(
            (p.lines, &p.votes, &p.attributes),
            (q.lines, &q.votes, &q.attributes)
        );
        assert_eq!(e.units.path(p.station), e2.units.path(q.station));
    }
    assert_eq!(
        e2.contests[0].choices,
        e.contests[0]
            .choices
            .iter()
            .map(|c| model::Choice {
                ballot_number: None,
                ..c.clone()
            })
            .collect::<Vec<_>>()
    );
    let b = write_csv(Vec::new(), &e2, 0, &ps2).unwrap();
    assert_eq!(a, b);
}

/// The required properties and enumerations of the NIST SP 1500-100 V2 JSON schema
/// (usnistgov/ElectionResultsReporting, NIST_V2_election_results_reporting.json at commit
/// 04fe7b7a6598e1318854e53d5f3275707d23d36d) for the object types the export writes.
fn required(kind: &str) -> &'static [&'static str] {
    match kind {
        "ElectionResults.ElectionReport" => &[
            "Format",
            "GeneratedDate",
            "Issuer",
            "IssuerAbbreviation",
            "SequenceEnd",
            "SequenceStart",
            "Status",
            "VendorApplicationId",
        ],
        "ElectionResults.Election" => &["ElectionScopeId", "EndDate", "Name", "StartDate", "Type"],
        "ElectionResults.ReportingUnit" => &["Type", "@id"],
        "ElectionResults.Party" => &["Name", "@id"],
        "ElectionResults.Candidate" => &["BallotName", "@id"],
        "ElectionResults.PartyContest" | "ElectionResults.BallotMeasureContest" => {
            &["ElectoralDistrictId", "Name", "@id"]
        }
        "ElectionResults.CandidateContest" => {
            &["VotesAllowed", "ElectoralDistrictId", "Name", "@id"]
        }
        "ElectionResults.PartySelection" => &["PartyIds", "@id"],
        "ElectionResults.CandidateSelection" => &["CandidateIds", "@id"],
        "ElectionResults.BallotMeasureSelection" => &["Selection", "@id"],
        "ElectionResults.VoteCounts" => &["Count", "Type"],
        "ElectionResults.SummaryCounts" => &["Type"],
        "ElectionResults.InternationalizedText" => &["Text"],
        "ElectionResults.LanguageString" => &["Content", "Language"],
        other => panic!("the export writes an object type the test does not know: {other}"),
    }
}

fn check_cdf(v: &Value, ids: &mut Vec<String>, refs: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(kind)) = m.get("@type") {
                for k in required(kind) {
                    assert!(m.contains_key(*k), "{kind} lacks {k}");
                }
            }
            if let Some(Value::String(id)) = m.get("@id") {
                ids.push(id.clone());
            }
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("Type", Value::String(t)) => assert!(
                        [
                            "precinct-level",
                            "country",
                            "precinct",
                            "other",
                            "total",
                            "general"
                        ]
                        .contains(&t.as_str()),
                        "Type {t}"
                    ),
                    ("GpUnitId" | "ElectoralDistrictId" | "ElectionScopeId", Value::String(r)) => {
                        refs.push(r.clone())
                    }
                    ("PartyIds" | "CandidateIds" | "ComposingGpUnitIds", Value::Array(a)) => {
                        refs.extend(a.iter().filter_map(|r| r.as_str().map(String::from)))
                    }
                    _ => check_cdf(x, ids, refs),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| check_cdf(x, ids, refs)),
        _ => {}
    }
}

/// The CDF export of the first contest of `e`, with a fixed header.
fn cdf(e: &model::Election, ps: &[Protocol]) -> Vec<u8> {
    let tally = tabulate(e, 0, ps, Filter::default()).unwrap();
    let results = [ContestResults::new(e, 0, &tally, ps)];
    let header = CdfHeader {
        issuer: "test".into(),
        issuer_abbreviation: "t".into(),
        generated: "2030-10-06T00:00:00Z".into(),
        status: "unofficial-complete".into(),
    };
    let mut out = Vec::new();
    write_cdf(&mut out, e, &results, &header).unwrap();
    out
}

#[test]
fn cdf_export_has_the_schema_required_fields_and_consistent_references() {
    let p = synth::Params {
        stations: 60,
        parties: 4,
        regions: 3,
        stations_per_district: 10,
        seed: 5,
    };
    let mut ps = Vec::new();
    let (e, _) = synth::generate(&p, |_, x| ps.push(x)).unwrap();
    let out = cdf(&e, &ps);
    let doc: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc["@type"], "ElectionResults.ElectionReport");
    let (mut ids, mut refs) = (Vec::new(), Vec::new());
    check_cdf(&doc, &mut ids, &mut refs);
    for r in &refs {
        assert!(ids.contains(r), "reference {r} has no object");
    }
    // 1 country + 3 regions + districts + 60 stations, each a ReportingUnit.
    assert_eq!(doc["GpUnit"].as_array().unwrap().len(), e.units.len());
    // The national count of party 1 equals the tally's.
    let sel = &doc["Election"][0]["Contest"][0]["BallotSelection"][0];
    let national = sel["VoteCounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["GpUnitId"] == "gpu-0")
        .unwrap();
    let tally = tabulate(&e, 0, &ps, Filter::default()).unwrap();
    assert_eq!(
        national["Count"].as_u64(),
        Some(tally.totals(e.units.root()).votes[0])
    );
    assert_eq!(out, cdf(&e, &ps));
}

/// A CDF export reads back (`Format::Cdf`) to the same unit tree (from `ComposingGpUnitIds`),
/// contest, choices and, station by station, the counts the CDF carries: votes, registered
/// voters, ballots issued, and valid and invalid ballots where a station has both (as ballots
/// cast and rejected). Kyrgyzstan 2020, 2,413 stations.
#[test]
fn cdf_round_trip_keeps_the_tree_and_every_station_count() {
    let (e, ps) = kg2413();
    let out = cdf(&e, &ps);
    assert_eq!(Format::sniff("r.json", &out), Format::Cdf);
    let (e2, ps2) = reimport(Format::Cdf, &out);
    assert_eq!(e2.name, e.name);
    assert_eq!(e2.date, e.date);
    assert_eq!(e2.units.len(), e.units.len());
    assert_eq!(e2.contests[0].name, e.contests[0].name);
    let names = |e: &model::Election| -> Vec<String> {
        e.contests[0]
            .choices
            .iter()
            .map(|c| c.name.clone())
            .collect()
    };
    assert_eq!(names(&e2), names(&e));
    assert_eq!(ps2.len(), ps.len());
    let by_path: std::collections::HashMap<String, &Protocol> =
        ps2.iter().map(|p| (e2.units.path(p.station), p)).collect();
    for p in &ps {
        let q = by_path[&e.units.path(p.station)];
        assert_eq!(q.votes, p.votes, "{}", e.units.path(p.station));
        assert_eq!(
            q.line(model::Line::Registered),
            p.line(model::Line::Registered)
        );
        // Valid and invalid ballots travel as ballots cast and rejected: where both are.
        let (valid, invalid) = (p.line(model::Line::Valid), p.line(model::Line::Invalid));
        let both = valid.is_some() && invalid.is_some();
        assert_eq!(q.line(model::Line::Valid), valid.filter(|_| both));
        assert_eq!(q.line(model::Line::Invalid), invalid.filter(|_| both));
        assert_eq!(q.line(model::Line::IssuedTotal), p.issued());
    }
}

/// What a CDF report that is not one this importer can read says: the field, by its path.
#[test]
fn a_cdf_report_it_cannot_read_is_refused_naming_the_field() {
    let refused = |doc: &str| -> String {
        let mut sink = Collect::default();
        import(
            Format::Cdf,
            "r.json",
            doc.as_bytes(),
            &ImportOptions::named(""),
            &mut sink,
        )
        .unwrap_err()
        .to_string()
    };
    let head = r#"{"@type":"ElectionResults.ElectionReport","#;
    let unit = |id: &str, t: &str, kids: &str| {
        format!(
            r#"{{"@type":"ElectionResults.ReportingUnit","@id":"{id}","Name":"{id}","Type":"{t}","ComposingGpUnitIds":[{kids}]}}"#
        )
    };
    let election = |contests: &str| {
        format!(
            r#""Election":[{{"@type":"ElectionResults.Election","ElectionScopeId":"c","Candidate":[{{"@id":"x","BallotName":{{"Text":[{{"Content":"X"}}]}}}}],"Contest":[{contests}]}}]"#
        )
    };
    let doc = format!(
        r#"{head}{},"GpUnit":[{},{}]}}"#,
        election(""),
        unit("c", "country", r#""p1""#),
        unit("p1", "precinct", r#""c""#)
    );
    assert!(
        refused(&doc).contains("is composed by two units, or is the election's scope"),
        "{}",
        refused(&doc)
    );
    let doc = format!(
        r#"{head}{},"GpUnit":[{}]}}"#,
        election(""),
        unit("x", "country", "")
    );
    assert!(
        refused(&doc).contains("Election[0].ElectionScopeId"),
        "{}",
        refused(&doc)
    );
    let doc = format!(
        r#"{head}{},"GpUnit":[{},{}]}}"#,
        election(""),
        unit("c", "country", r#""s""#),
        unit("s", "school", "")
    );
    assert!(refused(&doc).contains("'school'"), "{}", refused(&doc));
    let counts = r#"{"@type":"ElectionResults.CandidateContest","@id":"k","Name":"K","BallotSelection":[{"@type":"ElectionResults.CandidateSelection","@id":"s1","CandidateIds":["x"],"VoteCounts":[{"GpUnitId":"p1","Count":-3}]}]}"#;
    let doc = format!(
        r#"{head}{},"GpUnit":[{},{}]}}"#,
        election(counts),
        unit("c", "country", r#""p1""#),
        unit("p1", "precinct", "")
    );
    let e = refused(&doc);
    assert!(
        e.contains("Contest[0].BallotSelection[0].VoteCounts[0].Count"),
        "{e}"
    );
    // Two totals for one precinct, and two units of one id.
    let twice = counts.replace(
        r#"{"GpUnitId":"p1","Count":-3}"#,
        r#"{"GpUnitId":"p1","Count":3,"Type":"total"},{"GpUnitId":"p1","Count":500,"Type":"total"}"#,
    );
    let doc = format!(
        r#"{head}{},"GpUnit":[{},{}]}}"#,
        election(&twice),
        unit("c", "country", r#""p1""#),
        unit("p1", "precinct", "")
    );
    let e = refused(&doc);
    assert!(e.contains("a second total for the station"), "{e}");
    let doc = format!(
        r#"{head}{},"GpUnit":[{},{},{}]}}"#,
        election(""),
        unit("c", "country", r#""p1""#),
        unit("p1", "precinct", ""),
        unit("p1", "precinct", "")
    );
    let e = refused(&doc);
    assert!(e.contains("two reporting units have this id"), "{e}");
}

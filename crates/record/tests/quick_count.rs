//! A quick count in the log (revision 7): its frame, design, seed and reports replayed, the
//! sample redrawn and the estimates recomputed exactly as the `pvt` crate makes them; every
//! rule of `docs/log-format.md` ("pvt") refused where it is broken, naming the entry and
//! the field; and the official versions of each station that a quick count compares with.

use model::{
    Choice, ChoiceKind, Contest, ContestKind, Election, Line, Protocol, UnitId, UnitLevel,
};
use pvt::allocation::Allocation;
use pvt::compare::{self, Official, Outcome};
use pvt::design::{self, Design, Request, Role, SizeBy};
use pvt::frame::Frame;
use pvt::reports::{self, Index, Report};
use pvt::select::Method;
use record::{encode, Decision, Entry, PvtStep, RecordError, StaffAct};

use crate::run;

/// A quick-count act of the console, at 2026-12-03 06:10:34 UTC (the acts of a quick count
/// carry their time).
fn act() -> Entry {
    let t = record::Time::from_unix(1_796_278_234).unwrap();
    Entry::Staff(record::Staff::at(record::CONSOLE, StaffAct::QuickCount, t))
}

/// Two regions of `per` stations each; station k of region r has 100 + k registered
/// voters, 60 + r ballots, and votes A: 30 + k % 7, B: the rest of 50.
fn election(per: u32) -> (Election, Vec<Protocol>) {
    let mut e = Election::new("Quick");
    e.contests.push(Contest::new(
        "President",
        ContestKind::SingleMember,
        vec![
            Choice::new("Alpha", ChoiceKind::Candidate),
            Choice::new("Beta", ChoiceKind::Candidate),
        ],
    ));
    let mut ps = Vec::new();
    let root = e.units.root();
    for r in 0..2u32 {
        let region = e
            .units
            .insert(root, UnitLevel::Region, &format!("Region {r}"))
            .unwrap();
        for k in 0..per {
            let s = e
                .units
                .insert(region, UnitLevel::Station, &format!("{k:03}"))
                .unwrap();
            let mut p = Protocol::new(s, 0, 2);
            p.set_line(Line::Registered, u64::from(100 + k));
            p.set_line(Line::IssuedTotal, u64::from(60 + r));
            let a = u64::from(30 + k % 7);
            p.votes = vec![a, 50 - a];
            p.set_line(Line::Valid, 50);
            ps.push(p);
        }
    }
    (e, ps)
}

const SEED: &str = "dice 4 1 6 2 5 3 6 6 1 2 4 5 3 3 1 6 2";

/// The group's design: 8 stations of 2 × 10 by region, 50% reserves.
fn designed(e: &Election, ps: &[Protocol]) -> (Frame, Design) {
    let frame = Frame::of(e, 0, ps, Some(UnitLevel::Region)).unwrap();
    let d = design::make(
        &frame,
        &Request {
            size: SizeBy::Stations(8),
            method: Method::Random,
            allocation: Allocation::Stations,
            reserve_pct: 50,
            seed: SEED.into(),
        },
    )
    .unwrap();
    (frame, d)
}

/// The frame and design steps of `d`, as the command line logs them.
fn opening(frame: &Frame, d: &Design) -> Vec<Entry> {
    vec![
        act(),
        Entry::Pvt(PvtStep::Frame {
            pvt: "pvt".into(),
            stations: frame
                .stations
                .iter()
                .map(|s| (s.unit, s.counts.registered))
                .collect(),
        }),
        Entry::Pvt(PvtStep::Design {
            pvt: "pvt".into(),
            contest: 0,
            level: Some(UnitLevel::Region),
            params: d.params(),
            frame: frame.digest(),
        }),
    ]
}

fn seed(text: &str) -> Entry {
    Entry::Pvt(PvtStep::Seed {
        pvt: "pvt".into(),
        seed: text.into(),
    })
}

fn report(p: &Protocol) -> Entry {
    let mut copy = Protocol::new(p.station, 0, 0);
    copy.lines = p.lines;
    copy.votes = p.votes.clone();
    Entry::Pvt(PvtStep::Report {
        pvt: "pvt".into(),
        protocol: Box::new(copy),
        code: None,
    })
}

/// The definition (no protocols: the group's log holds the frame's units only), then
/// `extra`.
fn log(e: &Election, extra: &[Entry]) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = record::definition(e).iter().map(encode).collect();
    v.extend(extra.iter().map(encode));
    v
}

fn protocol_of<'a>(e: &Election, ps: &'a [Protocol], path: &str) -> &'a Protocol {
    ps.iter().find(|p| e.units.path(p.station) == path).unwrap()
}

/// The replay redraws exactly the group's sample from the logged frame and seed, and its
/// estimates are the ones the `pvt` crate gives from the same reports.
#[test]
fn the_replay_redraws_the_sample_and_recomputes_the_estimates() {
    let (e, ps) = election(10);
    let (frame, d) = designed(&e, &ps);
    let mut entries = opening(&frame, &d);
    entries.push(act());
    entries.push(seed(SEED));
    let sampled: Vec<&str> = d
        .stations
        .iter()
        .filter(|a| a.role == Role::Sample)
        .map(|a| a.station.as_str())
        .collect();
    assert_eq!(sampled.len(), 8);
    // All but one sampled station report, the first reserve of that stratum stands in.
    let missing = sampled[0];
    let stand_in = d
        .stations
        .iter()
        .find(|a| a.role == Role::Reserve && a.stratum == d.stations[0].stratum && a.rank == 1)
        .unwrap();
    let mut reported = Vec::new();
    for station in sampled[1..].iter().chain([&stand_in.station.as_str()]) {
        entries.push(act());
        entries.push(report(protocol_of(&e, &ps, station)));
        let s = frame.stations.iter().find(|s| s.id == *station).unwrap();
        reported.push(Report {
            station: station.to_string(),
            counts: s.counts.clone(),
        });
    }
    let r = run(&log(&e, &entries)).unwrap();
    let [q] = &r.quick_counts[..] else {
        panic!("one quick count: {:?}", r.quick_counts)
    };
    assert_eq!(
        (q.name.as_str(), q.frame_stations, q.reports()),
        ("pvt", 20, 8)
    );
    let redrawn = q.design.as_ref().unwrap();
    assert_eq!(redrawn.stations, d.stations);
    assert_eq!(redrawn.strata, d.strata);
    assert_eq!(redrawn.frame, d.frame);
    let want = reports::estimates(&d, &Index::of(&d), &d.choices, &reported).unwrap();
    let got = q.estimates.as_ref().unwrap();
    assert_eq!(got, &want);
    assert_eq!(got.arrival.reported, 8);
    assert_eq!(got.arrival.reserves_used, 1);
    assert!(!reported.iter().any(|x| x.station == missing));
    // Entries decode to what was encoded, and the log names no other quick count.
    for b in log(&e, &entries) {
        assert_eq!(encode(&record::decode(0, &b).unwrap()), b);
    }
}

/// Each rule, broken once: refused at the entry that breaks it, naming the field.
#[test]
fn a_quick_count_that_breaks_a_rule_is_refused_where_it_does() {
    let (e, ps) = election(10);
    let (frame, d) = designed(&e, &ps);
    let opened = opening(&frame, &d);
    let sampled = d.stations.iter().find(|a| a.role == Role::Sample).unwrap();
    let drawn: std::collections::HashSet<&str> =
        d.stations.iter().map(|a| a.station.as_str()).collect();
    let undrawn = frame
        .stations
        .iter()
        .find(|s| !drawn.contains(s.id.as_str()))
        .unwrap();
    let good = protocol_of(&e, &ps, &sampled.station);
    let other = protocol_of(&e, &ps, &undrawn.id);
    let qc = act;
    let fails = |extra: Vec<Entry>, field: &str, says: &str| {
        let mut all = opened.clone();
        all.extend(extra);
        let err = run(&log(&e, &all)).unwrap_err();
        let text = err.to_string();
        match &err {
            RecordError::Field { field: f, .. } | RecordError::Divergence { field: f, .. } => {
                assert_eq!(f, field, "{text}")
            }
            other => panic!("{other}"),
        }
        assert!(text.contains(says), "{text} lacks {says}");
    };
    // The seed must be the one committed to.
    fails(vec![qc(), seed("another seed")], "seed", "commitment");
    // Reports come after the seed, from drawn stations; a review is a supervisor's.
    fails(vec![qc(), report(good)], "pvt", "after its seed");
    fails(
        vec![qc(), seed(SEED), qc(), report(other)],
        "station",
        "not in the design's sample or reserves",
    );
    let review = Entry::Pvt(PvtStep::Review {
        pvt: "pvt".into(),
        station: good.station,
        action: record::ReviewAction::Quarantine,
        report: None,
        reason: "the observer was not let in".into(),
    });
    let mut all = opened.clone();
    all.extend([qc(), seed(SEED), qc(), report(good), qc(), review]);
    let err = run(&log(&e, &all)).unwrap_err().to_string();
    assert!(
        err.contains("'quick-count' entry must be followed by a quick count's (pvt) entry other than a review"),
        "{err}"
    );
    let mut short = good.clone();
    short.votes.pop();
    fails(
        vec![qc(), seed(SEED), qc(), report(&short)],
        "votes",
        "1 counts",
    );
    let mut huge = good.clone();
    huge.votes = vec![u64::MAX, 1];
    fails(
        vec![qc(), seed(SEED), qc(), report(&huge)],
        "votes",
        "beyond",
    );
    // The seed once; the frame closed by the design; the design once.
    fails(vec![qc(), seed(SEED), qc(), seed(SEED)], "seed", "earlier");
    fails(opened[..2].to_vec(), "pvt", "closed by its design");
    fails(vec![opened[2].clone()], "pvt", "designed earlier");
    // A design whose frame digest is not the listed stations', or whose sizes are not an
    // allocation, or that names nothing.
    let mut bad = opened.clone();
    let design_of = |f: &dyn Fn(&mut PvtStep)| {
        let mut v = bad.clone();
        if let Entry::Pvt(step) = &mut v[2] {
            f(step);
        }
        v
    };
    let tampered = design_of(&|s| {
        if let PvtStep::Design { frame, .. } = s {
            *frame = "0".repeat(64);
        }
    });
    let check = |v: Vec<Entry>, field: &str, says: &str| {
        let err = run(&log(&e, &v)).unwrap_err();
        let text = err.to_string();
        assert!(text.contains(field) && text.contains(says), "{text}");
    };
    check(tampered, "frame", "recomputed");
    let oversized = design_of(&|s| {
        if let PvtStep::Design { params, .. } = s {
            params.sample = 21;
        }
    });
    check(oversized, "total", "to the frame's 20");
    let no_contest = design_of(&|s| {
        if let PvtStep::Design { contest, .. } = s {
            *contest = 3;
        }
    });
    check(no_contest, "contest", "3");
    let uncommitted = design_of(&|s| {
        if let PvtStep::Design { params, .. } = s {
            params.seed_sha256 = "ABC".into();
        }
    });
    check(uncommitted, "frame.digest", "64 lowercase hex");
    // A frame that lists a unit that is not a station, or a station twice.
    if let Entry::Pvt(PvtStep::Frame { stations, .. }) = &mut bad[1] {
        stations.push(stations[0]);
    }
    check(bad.clone(), "stations[20].station", "twice");
    if let Entry::Pvt(PvtStep::Frame { stations, .. }) = &mut bad[1] {
        stations[20] = (UnitId(1), 5);
    }
    check(bad, "stations[20].station", "");
}

/// A log's protocol entries become each station's versions, a correction citing the last
/// recount order about its station or a unit above it; a copy of the first version is then
/// superseded by the correction, which cites the order.
#[test]
fn the_official_versions_of_a_log() {
    let (e, all) = election(3);
    let ps = &all[..3];
    let region = e.units.get(ps[0].station).parent.unwrap();
    let mut fixed0 = ps[0].clone();
    fixed0.version = 2;
    fixed0.votes = vec![ps[0].votes[0] + 3, ps[0].votes[1] - 3];
    let mut fixed1 = ps[1].clone();
    fixed1.version = 2;
    fixed1.votes = vec![ps[1].votes[0] - 1, ps[1].votes[1] + 1];
    let entries = [
        Entry::Protocol(ps[0].clone()),
        Entry::Protocol(ps[1].clone()),
        Entry::Protocol(ps[2].clone()),
        Entry::Decision(Decision::Recount {
            unit: region,
            reason: "r".into(),
        }),
        Entry::Protocol(fixed0.clone()),
        Entry::Decision(Decision::Recount {
            unit: ps[2].station,
            reason: "r".into(),
        }),
        Entry::Protocol(fixed1.clone()),
    ];
    let counted = [fixed0.clone(), fixed1.clone(), ps[2].clone()];
    let v = record::versions(
        &e,
        entries
            .iter()
            .enumerate()
            .map(|(i, x)| (i as u64, x.clone())),
        0,
        model::CountSource::Manual,
        &counted,
    );
    let summary = |u: UnitId| -> Vec<(u64, u32, Option<u64>)> {
        v[&u]
            .iter()
            .map(|x| (x.entry, x.protocol.version, x.ordered_by))
            .collect()
    };
    assert_eq!(summary(ps[0].station), [(0, 1, None), (4, 2, Some(3))]);
    // Station 1's correction follows the region's recount (entry 3); entry 5 is another
    // station's.
    assert_eq!(summary(ps[1].station), [(1, 1, None), (6, 2, Some(3))]);
    assert_eq!(summary(ps[2].station), [(2, 1, None)]);
    let choices: Vec<String> = e.contests[0]
        .choices
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let text = "the recount ordered in entry 3";
    let official: Vec<Official> = v[&ps[0].station]
        .iter()
        .map(|x| Official {
            version: x.protocol.version,
            protocol: &x.protocol,
            decision: x.ordered_by.map(|_| text),
        })
        .collect();
    let c = compare::station(&choices, &ps[0], &official).unwrap();
    assert_eq!(
        c.outcome,
        Outcome::Superseded {
            version: 2,
            decision: Some(text.into())
        }
    );
    assert_eq!(c.differences.len(), 2);
}

/// The shared vectors (`test_data/vectors/quick-count.json`, which `verifier/test_verify.py`
/// holds too): the replay refuses each log at the entry the vectors name, and for the logs it
/// takes draws the very stations and recomputes the estimates the Python verifier gives (to
/// 1e-9 points: the same formulas in the same order, so only a last bit may differ).
#[test]
fn both_verifiers_take_refuse_and_recompute_the_same_quick_counts() {
    use serde_json::Value;
    let doc: Value =
        serde_json::from_str(include_str!("../../../test_data/vectors/quick-count.json")).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    let mut taken = 0;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let entries = crate::vector_entries(case);
        let got = run(&entries);
        let Some(want) = case["quick_counts"].as_object() else {
            let at = case["refused_at"].as_u64().unwrap();
            let err = got.expect_err(name).to_string();
            let named = [format!("entry {at}:"), format!("entry {at} (")];
            assert!(named.iter().any(|p| err.starts_with(p)), "{name}: {err}");
            continue;
        };
        taken += 1;
        let r = got.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(r.quick_counts.len(), want.len(), "{name}");
        for q in &r.quick_counts {
            let w = &want[&q.name];
            assert_eq!(q.reports_logged, w["reports"].as_u64().unwrap(), "{name}");
            assert_eq!(
                q.conflicts.len() as u64,
                w["conflicts"].as_u64().unwrap(),
                "{name}"
            );
            assert_eq!(
                q.quarantined.len() as u64,
                w["quarantined"].as_u64().unwrap(),
                "{name}"
            );
            assert_eq!(
                q.revised.len() as u64,
                w["revised"].as_u64().unwrap(),
                "{name}"
            );
            assert_eq!(
                q.frame_stations as u64,
                w["frame_stations"].as_u64().unwrap()
            );
            let Some(design) = q.design.as_ref() else {
                assert!(w["drawn"].is_null() && w["estimates"].is_null(), "{name}");
                continue;
            };
            let drawn = serde_json::to_value(&design.stations).unwrap();
            match &w["drawn"] {
                Value::Null => assert!(design.stations.is_empty(), "{name}"),
                want => assert_eq!(&drawn, want, "{name}"),
            }
            let Some(estimates) = &q.estimates else {
                assert!(w["estimates"].is_null(), "{name}");
                continue;
            };
            let a = &w["arrival"];
            assert_eq!(estimates.arrival.sample, a["sample"].as_u64().unwrap());
            assert_eq!(estimates.arrival.reported, a["reported"].as_u64().unwrap());
            assert_eq!(
                estimates.arrival.reserves_used,
                a["reserves_used"].as_u64().unwrap()
            );
            assert_eq!(
                serde_json::to_value(&estimates.arrival.reserves_not_needed).unwrap(),
                a["reserves_not_needed"]
            );
            assert_eq!(
                estimates.arrival.unbalanced,
                a["unbalanced"].as_bool().unwrap()
            );
            let ws = w["estimates"].as_array().unwrap();
            assert_eq!(ws.len(), estimates.estimates.len());
            for (e, w) in estimates.estimates.iter().zip(ws) {
                match (&e.overall, w) {
                    (None, Value::Null) => {}
                    (Some(o), w) => {
                        let close = |x: f64, k: usize| (x - w[k].as_f64().unwrap()).abs() <= 1e-9;
                        assert!(close(o.share_pct, 0), "{name}: {} {o:?} {w}", e.name);
                        assert!(close(o.margin_95_pct, 1), "{name}: {} {o:?} {w}", e.name);
                        assert_eq!(o.stations as u64, w[2].as_u64().unwrap());
                    }
                    (o, w) => panic!("{name}: {} {o:?} against {w}", e.name),
                }
            }
        }
    }
    assert_eq!((cases.len(), taken), (64, 16));
}

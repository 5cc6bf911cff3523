//! The quick count's design, draw, estimates and comparison on small elections whose answers
//! are worked out by hand.

#![allow(clippy::unwrap_used)]

use model::{Choice, ChoiceKind, Contest, ContestKind, Election, Line, Protocol, UnitLevel};
use pvt::allocation::Allocation;
use pvt::compare::{self, Official, Outcome};
use pvt::design::{self, Request, Role, SizeBy};
use pvt::frame::{Counts, Frame};
use pvt::reports::{self, Report};
use pvt::select::Method;

/// An election of `regions` regions of `per` stations each; station k of region r has
/// 100 + k registered voters, 60 + r ballots, and votes A: 30 + k % 7, B: the rest of 50.
fn election(regions: u32, per: u32) -> (Election, Vec<Protocol>) {
    let mut e = Election::new("Test");
    e.contests.push(Contest::new(
        "President",
        ContestKind::SingleMember,
        vec![
            Choice::new("Alpha Candidate", ChoiceKind::Candidate),
            Choice::new("Beta Candidate", ChoiceKind::Candidate),
        ],
    ));
    let mut protocols = Vec::new();
    let root = e.units.root();
    for r in 0..regions {
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
            protocols.push(p);
        }
    }
    (e, protocols)
}

fn request(stations: u64, method: Method, seed: &str) -> Request {
    Request {
        size: SizeBy::Stations(stations),
        method,
        allocation: Allocation::Stations,
        reserve_pct: 50,
        seed: seed.to_string(),
    }
}

/// The frame is sorted by path whatever order the protocols come in: its digest and the
/// draw depend on the stations only.
#[test]
fn the_frame_does_not_depend_on_the_order_of_the_protocols() {
    let (e, mut ps) = election(3, 10);
    let a = Frame::of(&e, 0, &ps, Some(UnitLevel::Region)).unwrap();
    ps.reverse();
    let b = Frame::of(&e, 0, &ps, Some(UnitLevel::Region)).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.digest(), b.digest());
    assert_eq!(a.strata, ["Region 0", "Region 1", "Region 2"]);
    assert_eq!(a.stations[0].id, "Region 0 / 000");
    // One registered voter more at one station changes the digest.
    ps[0].set_line(Line::Registered, 999);
    let c = Frame::of(&e, 0, &ps, Some(UnitLevel::Region)).unwrap();
    assert_ne!(c.digest(), a.digest());
    // Two protocols for one station are refused, naming it.
    ps.push(ps[0].clone());
    let err = Frame::of(&e, 0, &ps, None).unwrap_err().to_string();
    assert!(
        err.contains("two protocols") && err.contains("Region 2 / 009"),
        "{err}"
    );
}

/// Each stratum gets its share, reserves are other stations of the same stratum, the
/// systematic draw takes one station an interval, and the same seed draws the same stations.
#[test]
fn the_draw_gives_each_stratum_its_share_and_its_reserves() {
    let (e, ps) = election(3, 20);
    let frame = Frame::of(&e, 0, &ps, Some(UnitLevel::Region)).unwrap();
    for method in [Method::Random, Method::Systematic] {
        let d = design::make(&frame, &request(12, method, "seed 1")).unwrap();
        assert_eq!(
            d.strata.iter().map(|s| s.sample).collect::<Vec<_>>(),
            [4, 4, 4]
        );
        assert_eq!(
            d.strata.iter().map(|s| s.reserves).collect::<Vec<_>>(),
            [2, 2, 2]
        );
        assert_eq!(d.stations.len(), 18);
        let mut seen = std::collections::HashSet::new();
        for a in &d.stations {
            assert!(seen.insert(a.station.clone()), "{} drawn twice", a.station);
            assert!(a.station.starts_with(&d.strata[a.stratum].name));
        }
        if method == Method::Systematic {
            // 20 stations, 4 drawn: one in each run of 5, 5 apart.
            let picks: Vec<u32> = d
                .stations
                .iter()
                .filter(|a| a.stratum == 0 && a.role == Role::Sample)
                .map(|a| a.station[11..].parse().unwrap())
                .collect();
            assert_eq!(picks.len(), 4);
            for (i, w) in picks.windows(2).enumerate() {
                assert_eq!(w[1] - w[0], 5, "{picks:?} at {i}");
            }
        }
        assert_eq!(
            design::make(&frame, &request(12, method, "seed 1")).unwrap(),
            d
        );
        assert_ne!(
            design::make(&frame, &request(12, method, "seed 2"))
                .unwrap()
                .stations,
            d.stations
        );
    }
}

/// The public design holds the commitment and not the seed; with the revealed seed the
/// sample is redrawn from the frame alone; a wrong seed or another frame is refused.
#[test]
fn a_revealed_seed_redraws_the_sample() {
    let (e, mut ps) = election(4, 15);
    let frame = Frame::of(&e, 0, &ps, Some(UnitLevel::Region)).unwrap();
    let d = design::make(&frame, &request(10, Method::Random, "the seed")).unwrap();
    let public = d.public();
    assert!(public.seed.is_none() && public.stations.is_empty());
    assert_eq!(public.seed_sha256, sampler::sha256_hex("the seed"));
    assert_eq!(public.redraw(&frame, "the seed").unwrap(), d.stations);
    d.check(&frame, "the seed").unwrap();
    let err = public.redraw(&frame, "the seeds").unwrap_err().to_string();
    assert!(err.contains("commitment"), "{err}");
    ps.pop();
    let other = Frame::of(&e, 0, &ps, Some(UnitLevel::Region)).unwrap();
    let err = public.redraw(&other, "the seed").unwrap_err().to_string();
    assert!(err.contains("digest"), "{err}");
    // A design whose list was edited (a sampled station swapped for one not drawn) fails.
    let undrawn = frame
        .stations
        .iter()
        .find(|s| !d.stations.iter().any(|a| a.station == s.id))
        .unwrap();
    let mut edited = d.clone();
    edited.stations[0].station = undrawn.id.clone();
    let err = edited.check(&frame, "the seed").unwrap_err().to_string();
    assert!(err.contains("assignment 1 of"), "{err}");
}

/// A margin asked for sizes the sample by the choice that needs the most stations.
#[test]
fn a_margin_sizes_the_sample() {
    let (e, ps) = election(4, 50);
    let frame = Frame::of(&e, 0, &ps, Some(UnitLevel::Region)).unwrap();
    let mut r = request(0, Method::Random, "s");
    r.size = SizeBy::Margin(2.0, pvt::Confidence::P95);
    let d = design::make(&frame, &r).unwrap();
    let size = &d.size;
    assert_eq!(size.margin_pct, Some(2.0));
    // Both choices' shares vary alike (A = 30 + k % 7 of 50, B the rest): the same design
    // effect, and the first of equals is named.
    assert_eq!(size.hardest_choice.as_deref(), Some("Alpha Candidate"));
    let deff = size.design_effect.unwrap();
    let want = (deff * size.voters.unwrap() / 50.0).ceil() as u64;
    assert_eq!(size.stations, want);
    assert_eq!(d.strata.iter().map(|s| s.sample).sum::<u64>(), want);
}

fn report(frame: &Frame, station: &str) -> Report {
    let s = frame.stations.iter().find(|s| s.id == station).unwrap();
    Report {
        station: station.to_string(),
        counts: s.counts.clone(),
    }
}

/// Reports from every sampled station give the stratified estimate; a stratum with fewer
/// than 2 reports is left out and named, and the arrival is flagged unbalanced.
#[test]
fn estimates_say_what_they_cover() {
    let (e, ps) = election(3, 20);
    let frame = Frame::of(&e, 0, &ps, Some(UnitLevel::Region)).unwrap();
    let d = design::make(&frame, &request(12, Method::Random, "x")).unwrap();
    let index = reports::Index::of(&d);
    let sampled: Vec<Report> = d
        .stations
        .iter()
        .filter(|a| a.role == Role::Sample)
        .map(|a| report(&frame, &a.station))
        .collect();
    let all = reports::estimates(&d, &index, &d.choices, &sampled).unwrap();
    assert_eq!((all.arrival.reported, all.arrival.sample), (12, 12));
    assert!(!all.arrival.unbalanced && all.arrival.missing.is_empty());
    assert_eq!(all.arrival.covers_stations, 60);
    // Turnout: every station of region r has 60 + r ballots; the strata are equal in size,
    // so the estimate's numerator and base are the sampled stations' own, weighted alike.
    let turnout = &all.estimates[0];
    assert_eq!(turnout.name, "turnout");
    let (a, m): (u64, u64) = sampled.iter().fold((0, 0), |(a, m), r| {
        (a + r.counts.ballots, m + r.counts.registered)
    });
    let share = turnout.overall.as_ref().unwrap().share_pct;
    assert!(
        (share - 100.0 * a as f64 / m as f64).abs() < 1e-9,
        "{share}"
    );
    // Leave out all but one of region 2's reports.
    let partial: Vec<Report> = sampled
        .iter()
        .filter(|r| {
            !r.station.starts_with("Region 2") || r.station == sampled.last().unwrap().station
        })
        .cloned()
        .collect();
    let some = reports::estimates(&d, &index, &d.choices, &partial).unwrap();
    assert_eq!(some.arrival.missing, ["Region 2"]);
    assert!(some.arrival.unbalanced);
    assert_eq!(some.arrival.covers_stations, 40);
    assert!(some.estimates[1].strata[2].is_none());
    // A report from a station outside the design, or two for one station, is refused.
    let outside = frame
        .stations
        .iter()
        .find(|s| !d.stations.iter().any(|a| a.station == s.id))
        .unwrap();
    let mut wrong = sampled.clone();
    wrong.push(report(&frame, &outside.id));
    assert!(reports::estimates(&d, &index, &d.choices, &wrong).is_err());
    let mut twice = sampled.clone();
    twice.push(sampled[0].clone());
    assert!(reports::estimates(&d, &index, &d.choices, &twice).is_err());
}

/// Match, superseded by a correction, mismatch; the differing lines listed in each.
#[test]
fn a_copy_against_the_official_versions() {
    let (e, ps) = election(1, 2);
    let choices: Vec<String> = e.contests[0]
        .choices
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let posted = ps[0].clone();
    let mut corrected = posted.clone();
    corrected.version = 2;
    corrected.votes = vec![posted.votes[0] + 5, posted.votes[1] - 5];
    let v1 = Official {
        version: 1,
        protocol: &posted,
        decision: None,
    };
    let v2 = Official {
        version: 2,
        protocol: &corrected,
        decision: Some("recount 7"),
    };
    let same = compare::station(&choices, &posted, &[v1]).unwrap();
    assert_eq!((same.outcome, same.differences.len()), (Outcome::Match, 0));
    let old = compare::station(&choices, &posted, &[v1, v2]).unwrap();
    assert_eq!(
        old.outcome,
        Outcome::Superseded {
            version: 2,
            decision: Some("recount 7".into())
        }
    );
    assert_eq!(old.differences.len(), 2);
    let mut forged = posted.clone();
    forged.set_line(Line::Registered, 1000);
    let bad = compare::station(&choices, &forged, &[v1, v2]).unwrap();
    assert_eq!(bad.outcome, Outcome::Mismatch);
    let lines: Vec<&str> = bad.differences.iter().map(|d| d.line.as_str()).collect();
    assert_eq!(lines, ["registered", "Alpha Candidate", "Beta Candidate"]);
    assert!(compare::station(&choices, &posted, &[]).is_none());
    // Counts alone: registered, ballots, then choices.
    let c = Counts::of(&posted);
    let mut d = c.clone();
    d.ballots += 1;
    assert_eq!(compare::counts(&choices, &c, &d)[0].line, "ballots");
}

/// Altered protocols keep their valid votes; the simulation finds the stations it altered.
#[test]
fn manipulation_keeps_the_totals_and_is_listed() {
    let (e, ps) = election(2, 40);
    let frame = Frame::of(&e, 0, &ps, Some(UnitLevel::Region)).unwrap();
    let (off, altered) = pvt::simulate::manipulate(&frame, 0, 25.0, 10.0, "m").unwrap();
    assert_eq!(altered.len(), 20);
    for &i in &altered {
        let (t, o) = (&frame.stations[i].counts, &off.stations[i].counts);
        assert_eq!(t.valid(), o.valid());
        assert_eq!(o.votes[0], t.votes[0] + 5);
    }
    let plan = pvt::allocation::allocate(&frame.strata(), 20, Allocation::Stations).unwrap();
    let columns = pvt::simulate::Columns::of(&frame);
    // 100 trials: four blocks, taken by the threads as they come free.
    let run = |threads| {
        pvt::simulate::simulate(
            &frame, &columns, &off, &altered, &plan, 0, 100, "t", threads, true,
        )
        .unwrap()
    };
    let (s, samples) = run(2);
    assert_eq!(samples.len(), 100 * 20);
    assert!(s.altered_drawn > 0);
    assert_eq!(s.altered_listed, s.altered_drawn);
    assert_eq!(s.trials_all_listed, 100);
    // The result does not depend on the number of threads.
    let (one, again) = run(1);
    assert_eq!((one, again), (s, samples));
}

/// The issue's budget: with 10,000 reports in, the estimates are recomputed after a new
/// report in at most 5 ms (here: the median of the last 100 recomputations, on a design of
/// 10,000 stations from 100,000 in 50 strata, 2 choices; it takes tens of microseconds, so
/// the budget has a wide margin for a loaded machine; the slowest is printed).
#[test]
fn estimates_are_recomputed_within_5_ms_with_10000_reports_in() {
    let (e, ps) = election(50, 2_000);
    let frame = Frame::of(&e, 0, &ps, Some(UnitLevel::Region)).unwrap();
    let d = design::make(&frame, &request(10_000, Method::Random, "budget")).unwrap();
    let index = reports::Index::of(&d);
    let mut tally = reports::Tally::new(&d, 2);
    let sampled: Vec<&str> = d
        .stations
        .iter()
        .filter(|a| a.role == Role::Sample)
        .map(|a| a.station.as_str())
        .collect();
    assert_eq!(sampled.len(), 10_000);
    let by_id: std::collections::HashMap<&str, &Counts> = frame
        .stations
        .iter()
        .map(|s| (s.id.as_str(), &s.counts))
        .collect();
    let mut last = Vec::new();
    for (k, station) in sampled.iter().enumerate() {
        let r = Report {
            station: station.to_string(),
            counts: by_id[station].clone(),
        };
        let start = std::time::Instant::now();
        tally.add(&index, &r).unwrap();
        let est = tally.estimates(&d, &d.choices);
        let took = start.elapsed();
        if k >= 9_900 {
            last.push(took);
            assert_eq!(est.arrival.reported, k as u64 + 1);
        }
    }
    last.sort();
    let (median, slowest) = (last[50], last[99]);
    eprintln!("the last 100 recomputations with 10,000 reports in: median {median:?}, slowest {slowest:?}");
    assert!(median <= std::time::Duration::from_millis(5), "{median:?}");
    // The same estimates as from all the reports at once.
    let all: Vec<Report> = sampled
        .iter()
        .map(|s| Report {
            station: s.to_string(),
            counts: by_id[s].clone(),
        })
        .collect();
    assert_eq!(
        reports::estimates(&d, &index, &d.choices, &all).unwrap(),
        tally.estimates(&d, &d.choices)
    );
}

/// A reserve counts only in place of a sampled station that has not reported, in rank order:
/// an observer group cannot choose among its reserves, nor add them beside its sample.
#[test]
fn reserves_stand_in_only_for_missing_sampled_stations() {
    let (e, ps) = election(1, 20);
    let frame = Frame::of(&e, 0, &ps, None).unwrap();
    let d = design::make(&frame, &request(3, Method::Random, "r")).unwrap();
    assert_eq!(d.strata[0].reserves, 2);
    let index = reports::Index::of(&d);
    let of = |role: Role, rank: u32| assigned(&d, &frame, role, rank);
    let mut t = reports::Tally::new(&d, 2);
    for r in [
        of(Role::Sample, 1),
        of(Role::Reserve, 2),
        of(Role::Reserve, 1),
    ] {
        t.add(&index, &r).unwrap();
    }
    // Two sampled stations missing: both reserves stand in.
    let e1 = t.estimates(&d, &d.choices);
    assert_eq!((e1.arrival.reported, e1.arrival.reserves_used), (3, 2));
    // A sampled station reports: only reserve 1 still stands in; reserve 2 is left out.
    t.add(&index, &of(Role::Sample, 2)).unwrap();
    let e2 = t.estimates(&d, &d.choices);
    assert_eq!((e2.arrival.reported, e2.arrival.reserves_used), (3, 1));
    assert_eq!(
        e2.arrival.reserves_not_needed,
        [of(Role::Reserve, 2).station]
    );
    // The whole sample: no reserve counts.
    t.add(&index, &of(Role::Sample, 3)).unwrap();
    let e3 = t.estimates(&d, &d.choices);
    assert_eq!((e3.arrival.reported, e3.arrival.reserves_used), (3, 0));
    assert_eq!(e3.arrival.reserves_not_needed.len(), 2);
    // A copy with more ballots than registered voters is kept, and named.
    assert!(e3.arrival.turnout_doubtful.is_empty());
    let mut odd = reports::Tally::new(&d, 2);
    let mut r = of(Role::Sample, 1);
    r.counts.ballots = r.counts.registered + 1;
    odd.add(&index, &r).unwrap();
    assert_eq!(
        odd.estimates(&d, &d.choices).arrival.turnout_doubtful,
        [r.station]
    );
    // A design given more reserves than its percentage (to choose among) is refused.
    let mut more = d.clone();
    more.strata[0].reserves = 10;
    let err = more.check_document().unwrap_err().to_string();
    assert!(err.contains("10 reserves"), "{err}");
}

/// The report of the design's station of `role` and `rank` (of the first stratum that has
/// one), with its frame counts.
fn assigned(d: &design::Design, frame: &Frame, role: Role, rank: u32) -> Report {
    let a = d
        .stations
        .iter()
        .find(|a| a.role == role && a.rank == rank)
        .unwrap();
    report(frame, &a.station)
}

/// A report taken out leaves the tally as if it had never come in, sampled or reserve, and
/// the station may report again (issue 20: a station quarantined, or whose observers came
/// to disagree).
#[test]
fn a_report_taken_out_leaves_no_trace() {
    let (e, ps) = election(1, 20);
    let frame = Frame::of(&e, 0, &ps, None).unwrap();
    let d = design::make(&frame, &request(3, Method::Random, "r")).unwrap();
    let index = reports::Index::of(&d);
    let of = |role: Role, rank: u32| assigned(&d, &frame, role, rank);
    let mut without = reports::Tally::new(&d, 2);
    let mut with = reports::Tally::new(&d, 2);
    for r in [of(Role::Sample, 1), of(Role::Sample, 2)] {
        without.add(&index, &r).unwrap();
        with.add(&index, &r).unwrap();
    }
    let mut odd = of(Role::Sample, 3);
    odd.counts.ballots = odd.counts.registered + 1;
    with.add(&index, &odd).unwrap();
    with.add(&index, &of(Role::Reserve, 1)).unwrap();
    assert_ne!(
        with.estimates(&d, &d.choices),
        without.estimates(&d, &d.choices)
    );
    with.remove(&odd.station).unwrap();
    with.remove(&of(Role::Reserve, 1).station).unwrap();
    assert_eq!(
        with.estimates(&d, &d.choices),
        without.estimates(&d, &d.choices)
    );
    assert!(with.remove(&odd.station).is_err());
    // Back in, with the counts it has now.
    with.add(&index, &of(Role::Sample, 3)).unwrap();
    without.add(&index, &of(Role::Sample, 3)).unwrap();
    assert_eq!(
        with.estimates(&d, &d.choices),
        without.estimates(&d, &d.choices)
    );
}

/// A simulation's trial estimates exactly what the reports' estimator gives on the same
/// stations: the draw is the simulation's own, the estimator is the one of
/// `estimate::combined` (the same sums, weights and order).
#[test]
fn a_simulated_trial_estimates_what_the_reports_would() {
    let (e, ps) = election(5, 40);
    let frame = Frame::of(&e, 0, &ps, Some(UnitLevel::Region)).unwrap();
    let plan = pvt::allocation::allocate(&frame.strata(), 30, Allocation::Stations).unwrap();
    let columns = pvt::simulate::Columns::of(&frame);
    assert_eq!(columns.leader(), frame.leader());
    let (s, samples) =
        pvt::simulate::simulate(&frame, &columns, &frame, &[], &plan, 0, 20, "same", 2, true)
            .unwrap();
    assert_eq!(samples.len(), 20 * 30);
    for (t, drawn) in samples.chunks(30).enumerate() {
        let mut next = 0;
        let moments: Vec<pvt::estimate::Moments> = plan
            .iter()
            .map(|p| {
                let mut m = pvt::estimate::Moments::new(p.stations);
                let mine = &drawn[next..next + p.sample as usize];
                // Distinct stations, every one of the stratum.
                let distinct: std::collections::BTreeSet<_> = mine.iter().collect();
                assert_eq!(
                    distinct.len(),
                    mine.len(),
                    "trial {t}: a station drawn twice"
                );
                for &i in mine {
                    let st = &frame.stations[i as usize];
                    assert!(p.strata.contains(&frame.strata[st.stratum]), "trial {t}");
                    let c = &st.counts;
                    m.add(c.votes[0], c.valid());
                }
                next += p.sample as usize;
                m
            })
            .collect();
        let want = pvt::estimate::combined(&moments, pvt::Confidence::P95).unwrap();
        assert_eq!(s.estimates[t], (want.share, want.variance), "trial {t}");
    }
}

/// An official source that gives fewer lines (a CDF report: no parts of the ballots issued,
/// no cancelled ballots): the lines it does not give are listed, not compared; the ballots
/// issued are compared as totals, the copy's parts summed; a total that differs is a mismatch.
#[test]
fn lines_the_official_source_does_not_give_are_listed_not_compared() {
    let (e, ps) = election(1, 3);
    let choices: Vec<String> = e.contests[0]
        .choices
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let mut copy = ps[0].clone();
    copy.set_line(Line::Cancelled, 7);
    copy.lines[Line::IssuedTotal.index()] = None;
    copy.set_line(Line::IssuedEarly, 10);
    copy.set_line(Line::IssuedInStation, 50);
    let official = ps[0].clone(); // issued_total 60, no cancelled, no parts
    let one = |p: &Protocol| {
        compare::station(
            &choices,
            &copy,
            &[Official {
                version: 1,
                protocol: p,
                decision: None,
            }],
        )
        .unwrap()
    };
    let c = one(&official);
    assert_eq!(c.outcome, Outcome::Match, "{c:?}");
    assert_eq!(
        c.unofficial,
        ["issued_early", "issued_in_station", "cancelled"]
    );
    assert!(c.uncopied.is_empty(), "{c:?}");
    let mut more = official.clone();
    more.set_line(Line::IssuedTotal, 75);
    let c = one(&more);
    assert_eq!(c.outcome, Outcome::Mismatch);
    assert_eq!(
        c.differences,
        [compare::Difference {
            line: "issued_total".into(),
            copied: Some(60),
            official: Some(75)
        }]
    );
}

/// An estimate that cannot be made says why: no stratum with 2 reports, or reports that give
/// no registered voters (turnout), each named as such.
#[test]
fn a_missing_estimate_says_why() {
    let (e, ps) = election(2, 10);
    let frame = Frame::of(&e, 0, &ps, Some(UnitLevel::Region)).unwrap();
    let d = design::make(&frame, &request(6, Method::Random, "why")).unwrap();
    let index = reports::Index::of(&d);
    let none = reports::estimates(&d, &index, &d.choices, &[]).unwrap();
    assert_eq!(
        none.why_none(&none.estimates[0]),
        "no stratum has 2 reports"
    );
    let unregistered: Vec<Report> = d
        .stations
        .iter()
        .filter(|a| a.role == Role::Sample)
        .map(|a| {
            let mut r = report(&frame, &a.station);
            r.counts.registered = 0;
            r
        })
        .collect();
    let got = reports::estimates(&d, &index, &d.choices, &unregistered).unwrap();
    assert!(got.estimates[0].overall.is_none());
    assert!(got
        .why_none(&got.estimates[0])
        .contains("no registered voters"));
    assert!(got.estimates[1].overall.is_some());
    assert_eq!(got.arrival.turnout_doubtful.len(), 6);
}

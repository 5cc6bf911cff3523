//! The exact null against a long Monte Carlo, and the filters on malformed stations.

#![allow(clippy::unwrap_used)]

use forensics::montecarlo::{self, Options};
use forensics::{exact, observe, Sample, Station};
use model::UnitId;

/// A synthetic election of `n` stations from a fixed linear congruential stream: 100 to
/// 3000 voters, turnout 30–90%, leader 20–80% of the ballots found.
fn synthetic(n: usize) -> Vec<Station> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |m: u64| {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (x >> 33) % m
    };
    (0..n)
        .map(|i| {
            let v = 100 + next(2900);
            let g = v * (30 + next(60)) / 100;
            let l = g * (20 + next(60)) / 100;
            Station {
                unit: UnitId(i as u32),
                registered: v,
                issued: g,
                found: g,
                leader: l,
                others: g - l,
            }
        })
        .collect()
}

/// Over 20,000 replicates the Monte Carlo mean must match the exact expectation within 4
/// standard errors (sd / sqrt(20000)), and its sd the exact sd within 4 standard errors of
/// a standard deviation (about sd / sqrt(2 · 20000), so 2% of sd).
#[test]
fn exact_null_agrees_with_a_long_monte_carlo() {
    let stations = synthetic(400);
    let sample = Sample {
        leader: "A".into(),
        stations,
        incomplete: 0,
    };
    let o = observe(&sample).unwrap();
    let kept = &o.filtered.kept;
    let ex = exact::null(kept, &o.observed, 2);
    let reps = 20_000u32;
    let mc = montecarlo::null(
        kept,
        &o.observed,
        &Options {
            replicates: reps,
            seed: 2016,
            threads: 2,
        },
    )
    .unwrap();
    for (e, m) in [
        (ex.leader, mc.leader),
        (ex.turnout, mc.turnout),
        (ex.either, mc.either),
    ] {
        let se_mean = e.sd / f64::from(reps).sqrt();
        assert!(
            (e.expected - m.expected).abs() <= 4.0 * se_mean,
            "mean: exact {} vs MC {} (se {se_mean})",
            e.expected,
            m.expected
        );
        let se_sd = e.sd / (2.0 * f64::from(reps)).sqrt();
        assert!(
            (e.sd - m.sd).abs() <= 4.0 * se_sd,
            "sd: exact {} vs MC {}",
            e.sd,
            m.sd
        );
        assert!(e.expected > 1.0);
    }
}

/// Zero registered voters, more ballots than voters and more leader votes than ballots are
/// named exclusions, never a NaN or a panic.
#[test]
fn malformed_stations_are_named_exclusions() {
    let s = |registered, issued, found, leader| Station {
        unit: UnitId(0),
        registered,
        issued,
        found,
        leader,
        others: found.saturating_sub(leader),
    };
    let sample = Sample {
        leader: "A".into(),
        stations: vec![
            s(0, 10, 10, 5),       // no registered voters
            s(50, 30, 30, 10),     // too small
            s(500, 600, 600, 10),  // more ballots issued than voters
            s(500, 300, 200, 250), // more leader votes than ballots
            s(500, 300, 0, 0),     // no ballots found
            s(1000, 600, 590, 300),
        ],
        incomplete: 0,
    };
    let o = observe(&sample).unwrap();
    let f = &o.filtered;
    assert_eq!(
        (f.small, f.turnout_above_99, f.leader_above_99, f.no_ballots),
        (2, 1, 1, 1)
    );
    assert_eq!(o.stations_used, 1);
    assert_eq!(o.observed.turnout, 1); // 60.0%
    let ex = exact::null(&f.kept, &o.observed, 1);
    assert!(ex.either.expected.is_finite() && ex.either.sd.is_finite());
    let only_bad = Sample {
        stations: sample.stations[..5].to_vec(),
        ..sample
    };
    assert_eq!(
        observe(&only_bad).unwrap_err(),
        forensics::ForensicsError::NothingLeft
    );
}

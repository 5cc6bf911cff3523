//! Known fraud against the tests: the checks of the forensics issue on synthetic elections
//! from `synth`, clean and with ballot stuffing injected by `synth::fraud`.

#![allow(clippy::unwrap_used)]

use forensics::flags::flags;
use forensics::{exact, observe, station};
use model::{Election, Protocol, UnitLevel};
use synth::fraud::{stuff, Stuffing};
use synth::{generate, Params};

fn election(stations: u64, seed: u64) -> (Election, Vec<Protocol>) {
    let mut ps = Vec::with_capacity(stations as usize);
    let (e, _) = generate(
        &Params {
            stations,
            seed,
            ..Params::default()
        },
        |_, p| ps.push(p),
    )
    .unwrap();
    (e, ps)
}

/// The exact-null p-value of "integer in either" for an election.
fn p_either(e: &Election, ps: &[Protocol]) -> f64 {
    let s = station::sample(e, 0, ps, None).unwrap();
    let o = observe(&s).unwrap();
    exact::null(&o.filtered.kept, &o.observed, 2).either.p_value
}

/// Ballot stuffing at 2% of 100,000 stations (turnout raised to a round percentage, the
/// extra ballots to the leader): the test gives p < 0.001, and the per-station flags put at
/// least 80% of the stuffed stations among the top 5%.
#[test]
fn stuffing_is_detected_and_located() {
    let (e, mut ps) = election(100_000, 11);
    let leader = {
        let mut totals = vec![0u64; e.contests[0].choices.len()];
        for p in &ps {
            for (t, v) in totals.iter_mut().zip(&p.votes) {
                *t += v;
            }
        }
        (0..totals.len()).max_by_key(|&i| totals[i]).unwrap()
    };
    let stuffed = stuff(
        &mut ps,
        &Stuffing {
            share: 0.02,
            leader,
            seed: 5,
        },
    );
    assert_eq!(stuffed.len(), 2_000);
    assert!(p_either(&e, &ps) < 0.001);

    let s = station::sample(&e, 0, &ps, None).unwrap();
    assert_eq!(s.stations.len(), ps.len()); // every synthetic protocol is complete
    let groups: Vec<usize> = s
        .stations
        .iter()
        .map(|st| {
            e.units
                .ancestor_at(st.unit, UnitLevel::Region)
                .unwrap()
                .index()
        })
        .collect();
    let f = flags(&s.stations, &groups);
    let top: std::collections::HashSet<usize> =
        f[..ps.len() / 20].iter().map(|x| x.index).collect();
    let found = stuffed.iter().filter(|i| top.contains(i)).count();
    assert!(
        found * 10 >= stuffed.len() * 8,
        "{found} of {} stuffed stations in the top 5%",
        stuffed.len()
    );
}

/// Over 20 clean synthetic elections the test reports p < 0.01 at most once.
#[test]
fn clean_elections_rarely_look_significant() {
    let significant = (0..20)
        .filter(|&seed| {
            let (e, ps) = election(100_000, 1_000 + seed);
            p_either(&e, &ps) < 0.01
        })
        .count();
    assert!(
        significant <= 1,
        "{significant} of 20 clean elections at p < 0.01"
    );
}

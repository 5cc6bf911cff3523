//! Known fraud, injected into generated protocols, so that forensic tests can be checked
//! against a truth: which stations were manipulated and how.

use model::{Line, Protocol};
use rand::seq::index::sample;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Ballot stuffing: at a share of stations, turnout is raised to a round percentage and
/// every extra ballot goes to one choice.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stuffing {
    /// The share of stations stuffed, in `[0, 1]`.
    pub share: f64,
    /// The choice that receives the extra ballots.
    pub leader: usize,
    /// The seed that picks the stations.
    pub seed: u64,
}

/// Stuffs protocols and returns the indices of the stuffed ones, in increasing order.
///
/// Stations with at least 100 registered voters and turnout of at most 80% are eligible;
/// `share × protocols.len()` of them (rounded, at most all eligible ones) are picked at
/// random. Each gets turnout raised to the first multiple of 5% at least 10 points above
/// its own (at most 95%): ballots issued become `round(T · V / 100)`, the extra ballots are
/// issued in the station, found in the stationary boxes and valid, and all go to the leader.
/// The unused ballots shrink by as many (the station receives more if it had too few), so
/// every control relation still holds.
pub fn stuff(protocols: &mut [Protocol], s: &Stuffing) -> Vec<usize> {
    let eligible: Vec<usize> = protocols
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            let (v, g) = (
                p.line(Line::Registered).unwrap_or(0),
                p.issued().unwrap_or(0),
            );
            v >= 100 && 100 * g <= 80 * v && p.votes.len() > s.leader
        })
        .map(|(i, _)| i)
        .collect();
    let want =
        ((s.share.clamp(0.0, 1.0) * protocols.len() as f64).round() as usize).min(eligible.len());
    let mut rng = ChaCha8Rng::seed_from_u64(s.seed);
    let mut picked: Vec<usize> = sample(&mut rng, eligible.len(), want)
        .into_iter()
        .map(|k| eligible[k])
        .collect();
    picked.sort_unstable();
    for &i in &picked {
        stuff_one(&mut protocols[i], s.leader);
    }
    picked
}

fn stuff_one(p: &mut Protocol, leader: usize) {
    let v = p.line(Line::Registered).unwrap_or(0);
    let g = p.issued().unwrap_or(0);
    let now = 100 * g / v; // whole percent, rounded down
    let target = ((now + 10).div_ceil(5) * 5).min(95);
    let new_issued = (target * v + 50) / 100;
    let extra = new_issued.saturating_sub(g);
    let add = |p: &mut Protocol, l: Line, by: u64| {
        let cur = p.line(l).unwrap_or(0);
        p.set_line(l, cur + by);
    };
    add(p, Line::IssuedInStation, extra);
    add(p, Line::FoundStationary, extra);
    add(p, Line::Valid, extra);
    p.votes[leader] += extra;
    let cancelled = p.line(Line::Cancelled).unwrap_or(0);
    if cancelled >= extra {
        p.set_line(Line::Cancelled, cancelled - extra);
    } else {
        p.set_line(Line::Cancelled, 0);
        add(p, Line::Received, extra - cancelled);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{generate, Params};

    #[test]
    fn stuffing_keeps_control_relations_and_rounds_turnout() {
        let mut ps = Vec::new();
        let (e, _) = generate(
            &Params {
                stations: 2_000,
                ..Params::default()
            },
            |_, p| ps.push(p),
        )
        .unwrap_or_else(|err| panic!("{err}"));
        let before = ps.clone();
        let got = stuff(
            &mut ps,
            &Stuffing {
                share: 0.02,
                leader: 0,
                seed: 9,
            },
        );
        assert_eq!(got.len(), 40);
        for (i, (a, b)) in before.iter().zip(&ps).enumerate() {
            let touched = got.binary_search(&i).is_ok();
            assert_eq!(touched, a != b, "station {i}");
            assert!(
                e.rules.check(&e, b).is_empty(),
                "station {i}: {:?}",
                e.rules.check(&e, b)
            );
            if touched {
                let (v, g) = (
                    b.line(Line::Registered).unwrap_or(0),
                    b.issued().unwrap_or(0),
                );
                let t = 100.0 * g as f64 / v as f64;
                assert!(
                    (t - (t / 5.0).round() * 5.0).abs() <= 50.0 / v as f64 + 1e-9,
                    "{t}"
                );
                assert!(b.votes[0] > a.votes[0]);
            }
        }
    }
}

//! Station-level batch comparison of a seat allocation: MACRO (Stark, "Risk-limiting
//! post-election audits: P-values from common probability inequalities", IEEE TIFS 4(4),
//! 2009) across every assertion at once, with batches (polling stations) drawn with
//! probability proportional to their error bounds (PPEB) by SHA-256 of the public seed.
//!
//! For assertion `a` with reported assorter margin `v`, the reported surplus is
//! `M = N v / 2` (the sum over ballots of the assorter minus 1/2). A station can overstate
//! it by at most its reported assorter total `A_p` (every paper ballot worth 0), so its
//! relative bound is `A_p / M`; MACRO takes the largest over assertions, `u_p`, and
//! `U = Σ u_p`. An audited station's observed relative overstatement `e_p` is the largest
//! over assertions of `max(A_p - a_p, 0) / M`, with `a_p` the audited assorter total. After
//! the draws, `p = Π (1 - 1/U) / (1 - e_p / u_p)`, as in Arlo's `macro.py`.

use serde::Serialize;

use crate::assertions::Assertion;

/// A station's tally in party terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationTally {
    /// Votes per party, in the allocation problem's order.
    pub votes: Vec<u64>,
    /// Ballots with no vote for a party (invalid, blank, "against all").
    pub other: u64,
    /// The station's region, if it is in one of the law's regions.
    pub region: Option<usize>,
}

/// The assorter total of a station's ballots for an assertion.
pub fn assorter_total(a: &Assertion, t: &StationTally) -> f64 {
    let value = |party: Option<usize>| a.mark(party, t.region).map_or(0.5, |m| a.value(m));
    let parties: f64 = t
        .votes
        .iter()
        .enumerate()
        .map(|(i, &v)| v as f64 * value(Some(i)))
        .sum();
    parties + t.other as f64 * value(None)
}

/// MACRO's bounds: `u_p` per station and their total `U` (infinite when an assertion does
/// not hold on the reported counts).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bounds {
    /// `u_p`, in station order.
    pub per_station: Vec<f64>,
    /// `U`.
    pub total: f64,
}

/// The reported surplus `N v / 2` of each assertion.
fn surpluses(assertions: &[Assertion], ballots: u64) -> Vec<f64> {
    assertions
        .iter()
        .map(|a| ballots as f64 * a.margin / 2.0)
        .collect()
}

/// The bounds of every station.
pub fn bounds(assertions: &[Assertion], ballots: u64, stations: &[StationTally]) -> Bounds {
    let m = surpluses(assertions, ballots);
    if m.iter().any(|&x| x <= 0.0) {
        return Bounds {
            per_station: vec![f64::INFINITY; stations.len()],
            total: f64::INFINITY,
        };
    }
    let per_station: Vec<f64> = stations
        .iter()
        .map(|t| {
            assertions
                .iter()
                .zip(&m)
                .map(|(a, &mi)| assorter_total(a, t) / mi)
                .fold(0.0, f64::max)
        })
        .collect();
    Bounds {
        total: per_station.iter().sum(),
        per_station,
    }
}

/// The observed relative overstatement `e_p` of a station whose paper ballots were counted
/// as `audited`.
pub fn observed(
    assertions: &[Assertion],
    ballots: u64,
    reported: &StationTally,
    audited: &StationTally,
) -> f64 {
    let m = surpluses(assertions, ballots);
    assertions
        .iter()
        .zip(&m)
        .map(|(a, &mi)| (assorter_total(a, reported) - assorter_total(a, audited)).max(0.0) / mi)
        .fold(0.0, f64::max)
}

/// The p-value after the draws (each a station index and its `e_p`, in draw order), capped
/// at 1, and whether it meets `alpha`.
pub fn risk(b: &Bounds, draws: &[(usize, f64)], alpha: f64) -> (f64, bool) {
    if b.total.is_infinite() {
        return (1.0, false);
    }
    let mut p = 1.0;
    for &(i, e) in draws {
        let u = b.per_station[i];
        let taint = if u == 0.0 { 0.0 } else { e / u };
        if taint >= 1.0 {
            return (1.0, false);
        }
        p *= (1.0 - 1.0 / b.total) / (1.0 - taint);
    }
    (p.min(1.0), p <= alpha)
}

/// The draws still needed at p-value `p_now`: `⌈(ln α - ln p) / ln(1 - 1/U)⌉ + 1` (Arlo's
/// rule, issue #1846), 0 when the risk limit is met.
pub fn sample_size(b: &Bounds, p_now: f64, alpha: f64) -> u64 {
    if p_now <= alpha {
        return 0;
    }
    if b.total.is_infinite() || b.total <= 1.0 {
        return u64::MAX;
    }
    (((alpha.ln() - p_now.ln()) / (1.0 - 1.0 / b.total).ln()).ceil() + 1.0).max(1.0) as u64
}

/// PPEB draws `from + 1 ..= from + count` (1-based): draw k takes the uniform fraction
/// `U("<seed>#ppeb#<k>")` of Rivest's sampler (its first 17 digits) and picks the station
/// whose cumulative share of `U` first exceeds it. Anyone with the seed and the bounds can
/// redraw them; the draws are with replacement, as PPEB requires.
pub fn ppeb_draws(seed: &str, b: &Bounds, from: u64, count: u64) -> Vec<usize> {
    let mut cumulative = Vec::with_capacity(b.per_station.len());
    let mut acc = 0.0;
    for &u in &b.per_station {
        acc += u;
        cumulative.push(acc);
    }
    (from + 1..=from + count)
        .map(|k| {
            let text = sampler::uniform(&format!("{seed}#ppeb#{k}"));
            let fraction: f64 = text[..19.min(text.len())].parse().unwrap_or(0.0);
            let target = fraction * acc;
            cumulative
                .partition_point(|&c| c <= target)
                .min(cumulative.len().saturating_sub(1))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assorter::Assorter;

    /// With one plurality assertion over batches that each hold one contest's votes, the
    /// bounds are Arlo's MACRO bounds `(v_w - v_l + b) / V_wl` up to the choice of the
    /// surplus: here `A_p / M` with `A_p = v_w + (b - v_w - v_l)/2`.
    #[test]
    fn bounds_draws_and_risk() {
        let a = Assertion::new(
            crate::claim::Claim::plurality("w", "l"),
            "pair",
            0,
            Some(1),
            None,
            Assorter::plurality(),
            [600, 400, 0, 0],
        );
        let stations: Vec<StationTally> = (0..10)
            .map(|_| StationTally {
                votes: vec![60, 40],
                other: 0,
                region: None,
            })
            .collect();
        let b = bounds(std::slice::from_ref(&a), 1000, &stations);
        // M = 1000 · 0.2 / 2 = 100; each station's A_p = 60.
        assert!((b.per_station[0] - 0.6).abs() < 1e-12 && (b.total - 6.0).abs() < 1e-12);
        let draws = ppeb_draws("seed", &b, 0, 5);
        assert_eq!(draws, ppeb_draws("seed", &b, 0, 5));
        assert_eq!(&ppeb_draws("seed", &b, 0, 8)[..5], &draws[..]);
        let clean: Vec<(usize, f64)> = draws.iter().map(|&i| (i, 0.0)).collect();
        let (p, _) = risk(&b, &clean, 0.1);
        assert!((p - (1.0 - 1.0 / 6.0f64).powi(5)).abs() < 1e-12);
        // A station whose paper moved 10 votes from w to l: e = (60 - 50) / 100.
        let moved = StationTally {
            votes: vec![50, 50],
            other: 0,
            region: None,
        };
        assert!(
            (observed(std::slice::from_ref(&a), 1000, &stations[0], &moved) - 0.1).abs() < 1e-12
        );
        assert_eq!(
            sample_size(&b, 1.0, 0.1),
            ((0.1f64).ln() / (1.0 - 1.0 / 6.0f64).ln()).ceil() as u64 + 1
        );
    }
}

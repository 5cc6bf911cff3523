//! The exact null of the integer-percentage test.
//!
//! Under the null of Kobak et al. (2016, §2) each station independently lands in an integer
//! window with a probability fixed by its two binomials, so the number of integer stations
//! is a Poisson-binomial variable: a sum of independent Bernoulli trials with unequal
//! probabilities. Its mean and variance are sums over stations; its distribution, and from
//! it the tail probability and the 99.9th percentile, comes from the exact recurrence
//! `P_k(j) = P_{k-1}(j) (1 - p_k) + P_{k-1}(j-1) p_k` (e.g. Hong, "On computing the
//! distribution function for the Poisson binomial distribution", Comput. Stat. Data Anal.
//! 59:41–51, 2013, §2), keeping the terms above 10⁻⁴⁵.

use serde::Serialize;

use crate::parallel::map_chunks;
use crate::tables::StationTables;
use crate::{Counts, NullSummary, Station};

/// Terms of the Poisson-binomial distribution below this are dropped.
const TRIM: f64 = 1e-45;
/// Tail probabilities below this are reported as a bound.
const FLOOR: f64 = 1e-30;

/// The exact null for the three counts.
#[derive(Debug, Clone, Serialize)]
pub struct ExactNull {
    /// Integer in the leader's result.
    pub leader: NullSummary,
    /// Integer in turnout.
    pub turnout: NullSummary,
    /// Integer in either.
    pub either: NullSummary,
    /// Each station's probabilities of being integer in the leader's result, in turnout
    /// and in either, in station order (what [`crate::region`] breaks down).
    #[serde(skip)]
    pub probabilities: Vec<[f64; 3]>,
}

/// Each station's probability of being integer in the leader's result, in turnout, and in
/// either (the two redraws are independent), in station order.
pub fn probabilities(stations: &[Station], threads: usize) -> Vec<[f64; 3]> {
    map_chunks(stations.len(), threads, |range| {
        let mut t = StationTables::default();
        stations[range]
            .iter()
            .map(|s| {
                t.fill(s);
                let (a, b) = t.window_probabilities();
                [a, b, a + b - a * b]
            })
            .collect::<Vec<_>>()
    })
    .concat()
}

/// The exact null of the observed counts; the three distributions are computed on up to
/// three threads.
pub fn null(stations: &[Station], observed: &Counts, threads: usize) -> ExactNull {
    let ps = probabilities(stations, threads);
    let obs = [observed.leader, observed.turnout, observed.either];
    let one = |k: usize| summarise(ps.iter().map(move |p| p[k]), ps.len(), obs[k]);
    let [leader, turnout, either] = if threads < 2 {
        [0, 1, 2].map(one)
    } else {
        std::thread::scope(|scope| {
            [0, 1, 2]
                .map(|k| scope.spawn(move || one(k)))
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
        })
    };
    ExactNull {
        leader,
        turnout,
        either,
        probabilities: ps,
    }
}

/// Mean, standard deviation, tail and 99.9th percentile of a Poisson-binomial count.
pub fn summarise(ps: impl Iterator<Item = f64> + Clone, n: usize, observed: u64) -> NullSummary {
    let mean: f64 = ps.clone().sum();
    let var: f64 = ps.clone().map(|p| p * (1.0 - p)).sum();
    let (lo, dist) = distribution(ps, n);
    let at = |j: u64| -> usize { (j.saturating_sub(lo) as usize).min(dist.len()) };
    let tail: f64 = dist[at(observed)..].iter().sum();
    let mut acc = 0.0;
    let mut q999 = lo + dist.len() as u64 - 1;
    for (i, p) in dist.iter().enumerate() {
        acc += p;
        if acc >= 0.999 {
            q999 = lo + i as u64;
            break;
        }
    }
    let bound = tail < FLOOR;
    NullSummary {
        observed,
        expected: mean,
        excess: observed as f64 - mean,
        sd: var.sqrt(),
        line999: q999 as f64 - mean,
        p_value: if bound { FLOOR } else { tail.min(1.0) },
        p_value_is_bound: bound,
    }
}

/// The distribution of a sum of independent Bernoulli(p) trials, as `(lo, P(lo + i))`,
/// with terms below 10⁻⁴⁵ dropped at both ends.
///
/// Trials are added two at a time: the pair's own distribution `(q₁q₂, p₁q₂ + q₁p₂, p₁p₂)`
/// is convolved with the running one, which halves the passes over it. The running
/// distribution is kept with two zeros on each side so that the convolution needs no
/// special cases at the ends.
pub fn distribution(ps: impl Iterator<Item = f64>, n: usize) -> (u64, Vec<f64>) {
    let mut lo = 0u64;
    let cap = n.min(1 << 16) + 8;
    let mut cur: Vec<f64> = Vec::with_capacity(cap);
    cur.extend([0.0, 0.0, 1.0, 0.0, 0.0]);
    let mut start = 0usize; // cur[start..] is the padded distribution
    let mut next: Vec<f64> = Vec::with_capacity(cap);
    let mut ps = ps.peekable();
    while let Some(p1) = ps.next() {
        let p2 = ps.next().unwrap_or(0.0);
        let (q1, q2) = (1.0 - p1, 1.0 - p2);
        let (a, b, c) = (q1 * q2, p1 * q2 + q1 * p2, p1 * p2);
        next.clear();
        next.extend([0.0, 0.0]);
        next.extend(
            cur[start..]
                .windows(3)
                .map(|w| c * w[0] + b * w[1] + a * w[2]),
        );
        // `next[2..]` holds P(lo + i) for i = 0..; trim it and pad it again.
        let first = next[2..].iter().position(|&x| x >= TRIM).unwrap_or(0) + 2;
        let last = next.iter().rposition(|&x| x >= TRIM).unwrap_or(first);
        lo += (first - 2) as u64;
        start = first - 2;
        next[start] = 0.0;
        next[start + 1] = 0.0;
        next.truncate(last + 1);
        next.extend([0.0, 0.0]);
        std::mem::swap(&mut cur, &mut next);
    }
    let body = &cur[start + 2..cur.len() - 2];
    (lo, body.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_binomial_of_equal_trials_is_binomial() {
        let (lo, d) = distribution([0.5; 4].into_iter(), 4);
        assert_eq!(lo, 0);
        let want = [1.0, 4.0, 6.0, 4.0, 1.0].map(|x| x / 16.0);
        assert_eq!(d, want);
    }

    #[test]
    fn summary_of_a_small_count() {
        let ps = [0.5, 0.5, 0.5, 0.5];
        let s = summarise(ps.iter().copied(), 4, 4);
        assert_eq!((s.expected, s.sd, s.excess), (2.0, 1.0, 2.0));
        assert_eq!(s.p_value, 1.0 / 16.0);
        assert_eq!(s.line999, 2.0); // the 99.9th percentile of 0..=4 is 4
    }
}

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
    let one = |k: usize| {
        let column: Vec<f64> = ps.iter().map(|p| p[k]).collect();
        summarise(&column, obs[k])
    };
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
pub fn summarise(ps: &[f64], observed: u64) -> NullSummary {
    let mean: f64 = ps.iter().sum();
    let var: f64 = ps.iter().map(|p| p * (1.0 - p)).sum();
    let (lo, dist) = distribution(ps);
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

/// Trials per leaf of the product tree.
const LEAF: usize = 128;

/// The distribution of a sum of independent Bernoulli(p) trials, as `(lo, P(lo + i))`,
/// with terms below 10⁻⁴⁵ dropped at both ends.
///
/// The trials are cut into leaves of 128 (`LEAF`), each leaf's distribution comes from the
/// recurrence (`leaf`), and the leaves are convolved pairwise up a balanced tree. A
/// distribution of `m` trials spans `O(√m)` terms, so the tree costs `O(n)` per level,
/// where adding the trials one by one to the running distribution costs `O(n√n)`. The
/// convolutions are direct sums of products of non-negative terms, which keep every term's
/// relative precision (an FFT would not, and the tail probabilities reach 10⁻³⁰).
pub fn distribution(ps: &[f64]) -> (u64, Vec<f64>) {
    let mut parts: Vec<(u64, Vec<f64>)> = ps.chunks(LEAF).map(leaf).collect();
    if parts.is_empty() {
        return (0, vec![1.0]);
    }
    while parts.len() > 1 {
        let mut next = Vec::with_capacity(parts.len().div_ceil(2));
        let mut it = parts.into_iter();
        while let Some(a) = it.next() {
            next.push(match it.next() {
                Some(b) => convolve(&a, &b),
                None => a,
            });
        }
        parts = next;
    }
    parts.pop().unwrap_or((0, vec![1.0]))
}

/// `a * b`, trimmed. Four terms of the shorter factor are applied per pass over the
/// longer one, so that each output term is loaded and stored once per four products.
fn convolve(a: &(u64, Vec<f64>), b: &(u64, Vec<f64>)) -> (u64, Vec<f64>) {
    let (short, long) = if a.1.len() <= b.1.len() {
        (&a.1, &b.1)
    } else {
        (&b.1, &a.1)
    };
    let mut padded = vec![0.0; long.len() + 6];
    padded[3..3 + long.len()].copy_from_slice(long);
    // Three spare terms at the end take the zero products of a short last group.
    let mut out = vec![0.0; short.len() + long.len() + 2];
    for (g, xs) in short.chunks(4).enumerate() {
        let x: [f64; 4] = std::array::from_fn(|r| xs.get(r).copied().unwrap_or(0.0));
        // out[4g + m] += Σ_r x[r] · long[m - r], with long zero outside its range.
        for (o, w) in out[4 * g..].iter_mut().zip(padded.windows(4)) {
            *o += x[0] * w[3] + x[1] * w[2] + x[2] * w[1] + x[3] * w[0];
        }
    }
    out.truncate(short.len() + long.len() - 1);
    trim(a.0 + b.0, out)
}

/// Drops the terms below 10⁻⁴⁵ at both ends.
fn trim(lo: u64, mut d: Vec<f64>) -> (u64, Vec<f64>) {
    let first = d.iter().position(|&x| x >= TRIM).unwrap_or(0);
    let last = d.iter().rposition(|&x| x >= TRIM).unwrap_or(first);
    d.truncate(last + 1);
    d.drain(..first);
    (lo + first as u64, d)
}

/// The distribution of a few trials by the recurrence, two trials at a time: the pair's
/// own distribution `(q₁q₂, p₁q₂ + q₁p₂, p₁p₂)` is convolved with the running one, which
/// halves the passes over it. The running distribution is kept with two zeros on each side
/// so that the convolution needs no special cases at the ends.
fn leaf(ps: &[f64]) -> (u64, Vec<f64>) {
    let mut cur: Vec<f64> = Vec::with_capacity(ps.len() + 8);
    cur.extend([0.0, 0.0, 1.0, 0.0, 0.0]);
    let mut next: Vec<f64> = Vec::with_capacity(ps.len() + 8);
    for pair in ps.chunks(2) {
        let (p1, p2) = (pair[0], pair.get(1).copied().unwrap_or(0.0));
        let (q1, q2) = (1.0 - p1, 1.0 - p2);
        let (a, b, c) = (q1 * q2, p1 * q2 + q1 * p2, p1 * p2);
        next.clear();
        next.extend([0.0, 0.0]);
        next.extend(cur.windows(3).map(|w| c * w[0] + b * w[1] + a * w[2]));
        next.extend([0.0, 0.0]);
        std::mem::swap(&mut cur, &mut next);
    }
    trim(0, cur[2..cur.len() - 2].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_binomial_of_equal_trials_is_binomial() {
        let (lo, d) = distribution(&[0.5; 4]);
        assert_eq!(lo, 0);
        let want = [1.0, 4.0, 6.0, 4.0, 1.0].map(|x| x / 16.0);
        assert_eq!(d, want);
    }

    #[test]
    fn summary_of_a_small_count() {
        let ps = [0.5, 0.5, 0.5, 0.5];
        let s = summarise(&ps, 4);
        assert_eq!((s.expected, s.sd, s.excess), (2.0, 1.0, 2.0));
        assert_eq!(s.p_value, 1.0 / 16.0);
        assert_eq!(s.line999, 2.0); // the 99.9th percentile of 0..=4 is 4
    }

    /// The product tree agrees with adding the trials one at a time, term by term, to a
    /// relative 1e-12 (both sum non-negative products; only the order differs) for every
    /// term above the 10⁻³⁰ reporting floor; terms near the 10⁻⁴⁵ trimming edge lose the
    /// trimmed terms' share.
    #[test]
    fn product_tree_matches_the_plain_recurrence() {
        let ps: Vec<f64> = (0..1000u64)
            .map(|i| ((i * 7919) % 1000) as f64 / 1000.0 * 0.6)
            .collect();
        let mut plain = vec![1.0];
        for &p in &ps {
            let mut next = vec![0.0; plain.len() + 1];
            for (j, &x) in plain.iter().enumerate() {
                next[j] += x * (1.0 - p);
                next[j + 1] += x * p;
            }
            plain = next;
        }
        let (lo, tree) = distribution(&ps);
        assert!(lo > 0 && tree.len() < plain.len());
        for (i, &x) in tree.iter().enumerate() {
            let want = plain[lo as usize + i];
            let tol = if want > FLOOR { 1e-12 * want } else { 1e-40 };
            assert!((x - want).abs() <= tol, "term {i}: {x} vs {want}");
        }
        let kept: f64 = tree.iter().sum();
        assert!((kept - 1.0).abs() < 1e-12, "{kept}");
    }
}

//! A station's two redraw distributions with their integer-percentage windows marked.

use crate::binomial::Table;
use crate::integer::is_integer_pct;
use crate::Station;

/// `L* ~ Binomial(R, L/R)` and `G* ~ Binomial(V, G/V)` for one station (Kobak et al.
/// 2016, §2), with, for every tabulated value, whether it gives a whole-number percentage.
#[derive(Debug, Default)]
pub struct StationTables {
    /// The leader's votes.
    pub leader: Table,
    /// Whether each tabulated leader count is an integer percentage of `R`.
    pub leader_integer: Vec<bool>,
    /// Ballots issued.
    pub issued: Table,
    /// Whether each tabulated issued count is an integer percentage of `V`.
    pub issued_integer: Vec<bool>,
    /// The denominators of the two percentages: `R` and `V`.
    den: [u64; 2],
}

impl StationTables {
    /// Fills the two distributions for a station that passed the filters (so `R > 0` and
    /// `V > 0`); enough for [`StationTables::window_probabilities`].
    pub fn fill(&mut self, s: &Station) {
        self.leader.fill_for_sums(s.found, s.leader);
        self.issued.fill_for_sums(s.registered, s.issued);
        self.den = [s.found, s.registered];
    }

    /// Fills the tables, marks the integer values and prepares both tables for sampling.
    pub fn fill_for_sampling(&mut self, s: &Station) {
        self.leader.fill(s.found, s.leader);
        self.issued.fill(s.registered, s.issued);
        self.den = [s.found, s.registered];
        mark(&self.leader, s.found, &mut self.leader_integer);
        mark(&self.issued, s.registered, &mut self.issued_integer);
        self.leader.prepare_sampling();
        self.issued.prepare_sampling();
    }

    /// `P(leader integer)` and `P(turnout integer)` under the station's binomials.
    pub fn window_probabilities(&self) -> (f64, f64) {
        (
            window(&self.leader, self.den[0]),
            window(&self.issued, self.den[1]),
        )
    }
}

/// Calls `f(k - t.lo)` for every tabulated value `k` whose percentage of `den` is integer.
/// A value `k` is within 0.05 of the whole percentage `j` exactly when
/// `(20j - 1) den <= 2000 k <= (20j + 1) den`, so only the values in those ranges are
/// candidates. Inside a range, with both inequalities strict, `k` is at least
/// `1 / (20 den)` points from the window's edge, far beyond binary64 rounding, so the
/// binary64 test of the observed counts agrees; only a value exactly on an edge is decided
/// by that test itself. Values outside every range are as far outside, so certainly not
/// integer.
fn for_each_integer(t: &Table, den: u64, mut f: impl FnMut(usize)) {
    let (lo, hi) = (t.lo, t.lo + t.len() as u64 - 1);
    // The values are at most `den`, so with this guard no product below overflows.
    if den > u64::MAX / 2100 {
        (lo..=hi)
            .filter(|&k| is_integer_pct(k, den))
            .for_each(|k| f((k - lo) as usize));
        return;
    }
    let j_first = 100 * lo / den;
    let j_last = (100 * hi).div_ceil(den);
    for j in j_first..j_last + 1 {
        let (edge_lo, edge_hi) = ((20 * j).saturating_sub(1) * den, (20 * j + 1) * den);
        let (k_min, k_max) = (edge_lo.div_ceil(2000), edge_hi / 2000);
        // (Half-open ranges: an inclusive range iterates more slowly.)
        for k in k_min.max(lo)..k_max.min(hi) + 1 {
            let on_edge = 2000 * k == edge_lo || 2000 * k == edge_hi;
            if !on_edge || is_integer_pct(k, den) {
                f((k - lo) as usize);
            }
        }
    }
}

/// Marks the tabulated values whose percentage of `den` is integer.
fn mark(t: &Table, den: u64, out: &mut Vec<bool>) {
    out.clear();
    out.resize(t.len(), false);
    for_each_integer(t, den, |i| out[i] = true);
}

/// The probability that the table's variable is an integer percentage of `den`.
fn window(t: &Table, den: u64) -> f64 {
    let mut sum = 0.0;
    for_each_integer(t, den, |i| sum += t.weight[i]);
    sum / t.total
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The window marking, and the window sum, agree with testing every tabulated value.
    #[test]
    fn marking_matches_testing_every_value() {
        let mut t = Table::default();
        let mut marks = Vec::new();
        for n in (1..400).chain([999, 1000, 1001, 1234, 2000, 2001, 4567, 20_000]) {
            for k in [0, 1, n / 7, n / 3, n / 2, n - n / 5, n - 1, n] {
                t.fill(n, k);
                mark(&t, n, &mut marks);
                let mut want = 0.0;
                for (i, &m) in marks.iter().enumerate() {
                    let v = t.lo + i as u64;
                    assert_eq!(m, is_integer_pct(v, n), "n {n} k {k} value {v}");
                    if m {
                        want += t.weight[i];
                    }
                }
                let got = window(&t, n) * t.total;
                assert!(
                    (got - want).abs() <= 1e-14 * want,
                    "n {n} k {k}: {got} vs {want}"
                );
            }
        }
    }
}

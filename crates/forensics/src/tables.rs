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
}

impl StationTables {
    /// Fills the tables for a station that passed the filters (so `R > 0` and `V > 0`).
    pub fn fill(&mut self, s: &Station) {
        self.leader.fill(s.found, s.leader);
        mark(&self.leader, s.found, &mut self.leader_integer);
        self.issued.fill(s.registered, s.issued);
        mark(&self.issued, s.registered, &mut self.issued_integer);
    }

    /// Fills the tables and prepares them for sampling.
    pub fn fill_for_sampling(&mut self, s: &Station) {
        self.fill(s);
        self.leader.prepare_sampling();
        self.issued.prepare_sampling();
    }

    /// `P(leader integer)` and `P(turnout integer)` under the station's binomials.
    pub fn window_probabilities(&self) -> (f64, f64) {
        (
            window(&self.leader, &self.leader_integer),
            window(&self.issued, &self.issued_integer),
        )
    }
}

/// Marks the tabulated values whose percentage of `den` is integer. A value `k` is within
/// 0.05 of the whole percentage `j` exactly when `(20j - 1) den <= 2000 k <= (20j + 1) den`,
/// so only the values in those ranges are candidates; each candidate is then decided by the
/// same binary64 test as the observed counts (which can differ from exact arithmetic only on
/// the range ends). Values outside every range are more than `1 / (20 den)` points from the
/// window, far beyond binary64 rounding, so they are certainly not integer.
fn mark(t: &Table, den: u64, out: &mut Vec<bool>) {
    out.clear();
    out.resize(t.len(), false);
    let (lo, hi) = (t.lo, t.lo + t.len() as u64 - 1);
    // The values are at most `den`, so with this guard no product below overflows.
    if den > u64::MAX / 2100 {
        for (i, m) in out.iter_mut().enumerate() {
            *m = is_integer_pct(lo + i as u64, den);
        }
        return;
    }
    let j_first = 100 * lo / den;
    let j_last = (100 * hi).div_ceil(den);
    for j in j_first..=j_last {
        let k_min = ((20 * j).saturating_sub(1) * den).div_ceil(2000);
        let k_max = (20 * j + 1) * den / 2000;
        for k in k_min.max(lo)..=k_max.min(hi) {
            out[(k - lo) as usize] = is_integer_pct(k, den);
        }
    }
}

fn window(t: &Table, integer: &[bool]) -> f64 {
    t.pmf
        .iter()
        .zip(integer)
        .filter(|(_, &i)| i)
        .map(|(p, _)| p)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The window marking agrees with testing every tabulated value.
    #[test]
    fn marking_matches_testing_every_value() {
        let mut t = Table::default();
        let mut marks = Vec::new();
        for n in (1..400).chain([999, 1000, 1001, 1234, 2000, 2001, 4567]) {
            for k in [0, 1, n / 7, n / 3, n / 2, n - n / 5, n - 1, n] {
                t.fill(n, k);
                mark(&t, n, &mut marks);
                for (i, &m) in marks.iter().enumerate() {
                    let v = t.lo + i as u64;
                    assert_eq!(m, is_integer_pct(v, n), "n {n} k {k} value {v}");
                }
            }
        }
    }
}

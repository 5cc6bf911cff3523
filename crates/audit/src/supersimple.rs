//! SuperSimple ballot-level comparison audits (Stark, "Super-simple simultaneous
//! single-ballot risk-limiting audits", EVT/WOTE 2010), with the conventions of Arlo's
//! `supersimple.py` (the project's `rla.md`, §5).

use serde::Serialize;

use crate::Contest;

/// The error inflation factor γ of Stark's tools, AGI and CORLA.
pub const GAMMA: f64 = 1.03905;

/// Overstatement and understatement counts observed in a comparison sample.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Discrepancies {
    /// Ballots sampled so far (with multiplicity).
    pub sample_size: u64,
    /// One-vote overstatements.
    pub o1: u64,
    /// Two-vote overstatements.
    pub o2: u64,
    /// One-vote understatements.
    pub u1: u64,
    /// Two-vote understatements.
    pub u2: u64,
}

/// The discrepancy of one audited ballot for the contest: the largest error over all
/// winner-loser pairs `(v_w - a_w) - (v_l - a_l)`, with `v` the cast-vote record and `a`
/// the audited reading (each 0 or 1 per candidate), and that error weighted by the pair's
/// margin `V_w - V_l` (infinite for a tied pair). A missing record or ballot counts as the
/// worst case, an error of 2.
pub fn discrepancy(c: &Contest, cvr: Option<&[u64]>, audited: Option<&[u64]>) -> (i64, f64) {
    let (Some(v), Some(a)) = (cvr, audited) else {
        return (2, 2.0 / c.min_margin().unwrap_or(0).max(0) as f64);
    };
    let at = |x: &[u64], i: usize| x.get(i).copied().unwrap_or(0) as i64;
    let mut worst = (0i64, 0.0f64);
    for w in c.winners() {
        for l in c.losers() {
            let e = (at(v, w) - at(a, w)) - (at(v, l) - at(a, l));
            let margin = c.votes(w) as i64 - c.votes(l) as i64;
            let weighted = if margin <= 0 {
                f64::INFINITY
            } else {
                e as f64 / margin as f64
            };
            if weighted > worst.1 {
                worst = (e, weighted);
            }
        }
    }
    worst
}

/// The Kaplan-Markov p-value of a comparison sample given the weighted error of each
/// sampled ballot (with its multiplicity): the product of
/// `(1 - 1/U) / (1 - e_r V / (2γ))` with `U = 2γ / dm` and `V = dm N` (Stark 2010, §3).
/// Understatements count as no error. Returns the p-value (capped at 1) and whether it is
/// below `alpha`; a sample of every ballot is a full count (0, confirmed).
pub fn risk(alpha: f64, c: &Contest, errors: &[(f64, u64)]) -> (f64, bool) {
    // In 128 bits: multiplicities that add up beyond 64 bits are certainly every ballot.
    let sampled: u128 = errors.iter().map(|e| u128::from(e.1)).sum();
    if sampled >= u128::from(c.ballots) {
        return (0.0, true);
    }
    let dm = c.diluted_margin();
    let mut p = 1.0;
    if dm > 0.0 {
        let u = 2.0 * GAMMA / dm;
        let v = dm * c.ballots as f64;
        for &(e, times) in errors {
            let e = e.max(0.0);
            let factor = (1.0 - 1.0 / u) / (1.0 - e * v / (2.0 * GAMMA));
            p *= factor.powf(times as f64);
        }
    }
    (p.min(1.0), p > 0.0 && p < alpha)
}

/// The p-value from counts alone, each discrepancy taken on the pair with the smallest
/// margin (so a one-vote overstatement weighs `1 / (dm N)`), which is what [`risk`] gives
/// when that is where the errors are.
pub fn risk_from_counts(alpha: f64, c: &Contest, d: &Discrepancies) -> (f64, bool) {
    let v = c.diluted_margin() * c.ballots as f64;
    let clean = d.sample_size.saturating_sub(d.o1 + d.o2 + d.u1 + d.u2);
    let errors = [(0.0, clean + d.u1 + d.u2), (1.0 / v, d.o1), (2.0 / v, d.o2)];
    risk(alpha, c, &errors)
}

/// The next round's size (Arlo's `get_sample_sizes`): the expected overstatement rates
/// (1 in 1,000 one-vote and 1 in 10,000 two-vote before any sample; the observed rates
/// after) give a first size `n0`, the counts expected in it, then Stark's
/// `n = -2γ (ln α + o1 ln(1 - 1/(2γ)) + o2 ln(1 - 1/γ) + u1 ln(1 + 1/(2γ)) + u2 ln(1 + 1/γ)) / dm`;
/// the answer is what is left to sample of it.
pub fn sample_size(alpha: f64, c: &Contest, d: &Discrepancies) -> u64 {
    let dm = c.diluted_margin();
    let n = d.sample_size as f64;
    let (r1, r2, s1, s2) = if d.sample_size > 0 {
        (d.o1 as f64 / n, d.o2 as f64 / n, 0.0, 0.0)
    } else {
        (0.001, 0.0001, 0.001, 0.0001)
    };
    let g = GAMMA;
    let (lo1, lo2, lu1, lu2) = (
        (1.0 - 1.0 / (2.0 * g)).ln(),
        (1.0 - 1.0 / g).ln(),
        (1.0 + 1.0 / (2.0 * g)).ln(),
        (1.0 + 1.0 / g).ln(),
    );
    let denom = (1.0 - dm / (2.0 * g)).ln() - r1 * lo1 - r2 * lo2 - s1 * lu1 - s2 * lu2;
    if dm <= 0.0 || denom >= 0.0 {
        return c.ballots.saturating_sub(d.sample_size);
    }
    let n0 = (alpha.ln() / denom).ceil();
    let (o1, u1) = ((r1 * n0).ceil(), (s1 * n0).ceil());
    let (o2, u2) = (round_half_up(r2 * n0), round_half_up(s2 * n0));
    let stark = (-2.0 * g * (alpha.ln() + o1 * lo1 + o2 * lo2 + u1 * lu1 + u2 * lu2) / dm).ceil();
    let n_min = (o1 + o2 + u1 + u2).max(stark);
    (n_min.min(c.ballots as f64) as u64).saturating_sub(d.sample_size)
}

fn round_half_up(x: f64) -> f64 {
    (x + 0.5).floor()
}

//! Batch-level comparison audits by MACRO (Stark, "Risk-limiting post-election audits:
//! P-values from common probability inequalities", IEEE TIFS 4(4), 2009), one contest at a
//! time as in Arlo's `macro.py` (the project's `rla.md`, §4). A batch is a polling station:
//! the unit that Kyrgyz and Russian protocols report.

use serde::Serialize;

use crate::{AuditError, Contest};

/// One batch's reported tally for the contest: votes per candidate (contest order) and
/// ballots cast in the batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchTally {
    /// Votes per candidate, in the contest's order; empty if the batch lacks the contest.
    pub votes: Vec<u64>,
    /// Ballots in the batch.
    pub ballots: u64,
}

/// The pairs' margins `V_wl = V_w - V_l - pending - unauditable`, in winner-major order.
pub fn pair_margins(c: &Contest, batches: &[BatchTally]) -> Vec<(usize, usize, i64)> {
    // In 128 bits: the batches' votes may add up beyond 64 bits; what is missing is at most
    // the contest's valid votes, which fit.
    let in_batches: u128 = batches
        .iter()
        .flat_map(|b| b.votes.iter())
        .map(|&v| u128::from(v))
        .sum();
    let missing = u64::try_from(u128::from(c.valid()).saturating_sub(in_batches)).unwrap_or(0);
    let unauditable = missing.div_ceil(c.votes_allowed.max(1)) as i64;
    let mut out = Vec::new();
    for w in c.winners() {
        for l in c.losers() {
            let m = c.votes(w) as i64 - c.votes(l) as i64 - c.pending_ballots as i64 - unauditable;
            out.push((w, l, m));
        }
    }
    out
}

/// The maximum relative overstatement of a batch, `u_p = max over pairs of
/// ((v_wp - v_lp) + b_p) / V_wl` (infinite if a margin is not positive; 0 for a batch
/// without the contest).
pub fn max_error(margins: &[(usize, usize, i64)], b: &BatchTally) -> f64 {
    if b.votes.is_empty() {
        return 0.0;
    }
    let at = |i: usize| b.votes.get(i).copied().unwrap_or(0) as f64;
    margins
        .iter()
        .map(|&(w, l, m)| {
            if m <= 0 {
                f64::INFINITY
            } else {
                (at(w) - at(l) + b.ballots as f64) / m as f64
            }
        })
        .fold(0.0, f64::max)
}

/// The observed relative overstatement of an audited batch, `e_p`: over the pairs with a
/// nonzero error `(v_wp - v_lp) - (a_wp - a_lp)`, the largest weighted by the pair's margin,
/// or 0 if that one is not an overstatement.
pub fn observed_error(
    margins: &[(usize, usize, i64)],
    reported: &BatchTally,
    audited: &[u64],
) -> f64 {
    // In 128 bits: counts above 2^63 - 1 are not read as negative, and no difference wraps.
    let at = |x: &[u64], i: usize| i128::from(x.get(i).copied().unwrap_or(0));
    let mut worst: Option<(i128, f64)> = None;
    for &(w, l, m) in margins {
        let err =
            (at(&reported.votes, w) - at(&reported.votes, l)) - (at(audited, w) - at(audited, l));
        if err == 0 {
            continue;
        }
        let weighted = if m <= 0 {
            f64::INFINITY
        } else {
            err as f64 / m as f64
        };
        if worst.is_none_or(|(_, x)| weighted > x) {
            worst = Some((err, weighted));
        }
    }
    match worst {
        Some((err, weighted)) if err > 0 => weighted,
        _ => 0.0,
    }
}

/// MACRO's state for one contest: the margins, each batch's `u_p`, and their total `U`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Macro {
    /// `U = Σ u_p`.
    pub total_error: f64,
    /// `u_p` per batch, in batch order.
    pub max_errors: Vec<f64>,
    /// The pair margins used.
    #[serde(skip)]
    pub margins: Vec<(usize, usize, i64)>,
}

impl Macro {
    /// Computes the margins and the maximum errors of every batch.
    pub fn new(c: &Contest, batches: &[BatchTally]) -> Macro {
        let margins = pair_margins(c, batches);
        let max_errors: Vec<f64> = batches.iter().map(|b| max_error(&margins, b)).collect();
        Macro {
            total_error: max_errors.iter().sum(),
            max_errors,
            margins,
        }
    }

    /// The p-value of the audited batches, taken in ticket order (a batch drawn twice
    /// counts twice): the product of `(1 - 1/U) / (1 - e_p/u_p)` over the sampled batches
    /// that hold the contest. `draws` holds each draw's batch index and its audited votes.
    /// Returns the p-value (capped at 1) and whether it meets `alpha`; a sample of every
    /// batch is a full hand count (0, confirmed).
    pub fn risk(
        &self,
        alpha: f64,
        batches: &[BatchTally],
        draws: &[(usize, &[u64])],
    ) -> (f64, bool) {
        let mut seen = vec![false; batches.len()];
        for &(i, _) in draws {
            if let Some(s) = seen.get_mut(i) {
                *s = true;
            }
        }
        if !seen.is_empty() && seen.iter().all(|&s| s) {
            return (0.0, true);
        }
        let u = self.total_error;
        let mut p = 1.0;
        for &(i, audited) in draws {
            let Some(b) = batches.get(i) else { continue };
            if b.votes.is_empty() {
                continue;
            }
            let up = self.max_errors[i];
            let ep = observed_error(&self.margins, b, audited);
            if ep.is_infinite() || up.is_infinite() {
                return (1.0, false);
            }
            // A batch with no ballots for the contest has taint 0/0: taken as 0.
            let taint = if up == 0.0 { 0.0 } else { ep / up };
            p *= (1.0 - 1.0 / u) / (1.0 - taint);
        }
        (p.min(1.0), p <= alpha)
    }

    /// The batches to sample next: `⌈(ln α - ln p) / ln(1 - 1/U)⌉ + 1` (the `+ 1` is
    /// Arlo's, from issue #1846), capped at the number of batches; every batch when `U`
    /// is infinite; 0 when the risk limit is met.
    pub fn sample_size(
        &self,
        alpha: f64,
        p_now: f64,
        batches: usize,
        sampled_all: bool,
    ) -> Result<u64, AuditError> {
        if sampled_all {
            return Err(AuditError::AllAudited);
        }
        let u = self.total_error;
        if u.is_infinite() {
            return Ok(batches as u64);
        }
        if p_now <= alpha {
            return Ok(0);
        }
        let n = ((alpha.ln() - p_now.ln()) / (1.0 - 1.0 / u).ln()).ceil() + 1.0;
        Ok((n.max(0.0) as u64).min(batches as u64))
    }
}

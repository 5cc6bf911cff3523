//! Before an audit starts: how much work each kind of audit would take for each
//! assertion, and which kinds would amount to a full hand count. A seat margin that is a
//! small fraction of a percent of the ballots makes ballot polling and station-level batch
//! comparison as much work as counting everything; the audit says so instead of starting.

use serde::Serialize;

use crate::assertions::Assertion;
use crate::assorter::Mark;

/// Beyond this share of the ballots (or of the batches), an audit is no less work than a
/// full hand count (the share at which Arlo recommends a full count, `rla.md` §3.4).
pub const FULL_COUNT_SHARE: f64 = 0.25;

/// The estimated work of each audit kind for one assertion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// Ballots a ballot-level comparison audit needs if the records are right (1 in 1,000
    /// one-vote overstatements), by [`crate::comparison_sample_size`].
    pub comparison_ballots: u64,
    /// Ballots a ballot-polling audit needs on average: Wald's `ln(1/α) / E[ln T_1]`, the
    /// expected log-growth of ALPHA with the reported mean as its alternative.
    pub polling_ballots: u64,
    /// Batches (stations) a batch-comparison audit (MACRO) draws:
    /// `⌈ln α / ln(1 - 1/U)⌉ + 1` with `U = 2 h̄ / v`, the total of the batches' largest
    /// possible overstatements relative to the margin.
    pub batches: u64,
}

/// The estimates for an assertion of an audit of `ballots` ballots in `stations` batches.
pub fn estimate(a: &Assertion, ballots: u64, stations: u64, alpha: f64) -> Estimate {
    let comparison_ballots = crate::comparison_sample_size(&a.assorter, a.margin, ballots, alpha);
    if a.margin <= 0.0 {
        return Estimate {
            comparison_ballots,
            polling_ballots: ballots,
            batches: stations,
        };
    }
    let polling = polling_ballots(a, ballots, alpha);
    let total_error = 2.0 * a.mean / a.margin;
    let batches = ((alpha.ln() / (1.0 - 1.0 / total_error).ln()).ceil() + 1.0).max(1.0);
    Estimate {
        comparison_ballots,
        polling_ballots: polling,
        batches: (batches as u64).min(stations),
    }
}

/// The ballots a ballot-polling audit of an assertion with a positive margin needs on
/// average (see [`Estimate::polling_ballots`]), at most `ballots`.
pub fn polling_ballots(a: &Assertion, ballots: u64, alpha: f64) -> u64 {
    if a.margin <= 0.0 {
        return ballots;
    }
    let u = a.assorter.upper_bound;
    let eta = a.mean.min(u * (1.0 - 1e-12));
    let n = ballots as f64;
    let marks = [Mark::For, Mark::Against, Mark::OtherInBase, Mark::Neutral];
    let growth: f64 = marks
        .iter()
        .zip(a.counts)
        .filter(|(_, c)| *c > 0)
        .map(|(&m, c)| {
            let x = a.value(m);
            let factor = (x * eta / 0.5 + (u - x) * (u - eta) / (u - 0.5)) / u;
            c as f64 / n * factor.ln()
        })
        .sum();
    let polling = if growth > 0.0 {
        ((1.0 / alpha).ln() / growth).ceil()
    } else {
        n
    };
    polling.min(n) as u64
}

/// Whether a kind of audit is no less work than a full count.
pub fn is_full_count(work: u64, of: u64) -> bool {
    work as f64 >= FULL_COUNT_SHARE * of as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assorter::Assorter;

    /// For a plurality contest (600 to 400 of 1,000, risk limit 10%) the polling estimate is
    /// within a few ballots of BRAVO's expected sample size, 119 (Arlo's test_bravo.py).
    #[test]
    fn polling_estimate_is_near_bravos_asn() {
        let a = Assertion::new(
            crate::claim::Claim::plurality("a", "b"),
            "pair",
            0,
            Some(1),
            None,
            Assorter::plurality(),
            [600, 400, 0, 0],
        );
        let e = estimate(&a, 1000, 10, 0.1);
        assert!(
            (110..=125).contains(&e.polling_ballots),
            "{}",
            e.polling_ballots
        );
        assert!(!is_full_count(e.polling_ballots, 1000));
        // Arlo's MACRO example (contest A of test_macro.py): U = 21 gives 30 batches; here
        // one batch per ballot gives U = 2 h / v = 2 · 0.6 / 0.2 = 6.
        assert_eq!(
            e.batches,
            10.min(((0.1f64).ln() / (1.0 - 1.0 / 6.0f64).ln()).ceil() as u64 + 1)
        );
    }
}

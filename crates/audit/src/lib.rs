//! Risk-limiting audits of the paper record (the project's `rla.md`).
//!
//! * [`bravo`]: BRAVO ballot polling (Lindeman, Stark & Yates 2012) as Arlo computes it;
//! * [`supersimple`]: SuperSimple ballot-level comparison (Stark 2010);
//! * [`batch`]: MACRO batch comparison (Stark 2009), a batch being a polling station;
//! * [`nonneg`]: SHANGRLA's risk functions, ALPHA, Kaplan-Markov and Kaplan-Wald;
//! * [`assorter`]: the assorters of plurality, supermajority, thresholds and seat pairs,
//!   and the comparison overstatement assorter;
//! * [`assertions`]: the assertions that together confirm a party-list seat allocation
//!   (Blom et al. 2021; Stark & Teague 2014), built from the `seats` crate's allocation;
//! * [`draw`]: ballots drawn from a manifest by the consistent sampler;
//! * [`plan`]: the work each kind of audit would take, and when it is a full count;
//! * [`simulate`]: simulated comparison audits of an allocation, with planted errors;
//! * [`stations`]: station-level batch comparison of an allocation (MACRO, PPEB draws);
//! * [`workflow`]: an audit in progress, recomputed from its logged steps;
//! * [`steps`]: the auditor's steps (start, draw, record, escalate) as log entries;
//! * [`calc`]: the JSON calculators that observers run by hand.
//!
//! Ballots are drawn with the consistent sampler of the `sampler` crate. This crate does no
//! input or output.

pub mod assertions;
pub mod assorter;
pub mod batch;
pub mod boards;
pub mod bravo;
pub mod calc;
pub mod claim;
mod contest;
pub mod draw;
mod error;
pub mod logged;
pub mod methods;
pub mod nonneg;
pub mod plan;
pub mod simulate;
pub mod stations;
pub mod steps;
pub mod supersimple;
pub mod workflow;

pub use contest::{alpha_from_percent, Contest};
pub use error::AuditError;

/// The ballots a ballot-level comparison audit of an assertion needs if the records hold
/// one-vote overstatements at the rate 1 in 1,000 and no two-vote ones (SHANGRLA's
/// `Assertion.find_sample_size` for card comparison): `N` overstatement-assorter values,
/// clean except every 1,000th (from the first) a one-vote overstatement, tested by ALPHA
/// with the optimal comparison bet, without replacement.
pub fn comparison_sample_size(
    a: &assorter::Assorter,
    margin: f64,
    ballots: u64,
    alpha: f64,
) -> u64 {
    if margin <= 0.0 {
        return ballots;
    }
    let clean = a.overstatement(margin, 0.0, 0.0);
    let small = a.overstatement(margin, 0.5, 0.0);
    let s = nonneg::Setting {
        u: a.overstatement_bound(margin),
        n: Some(ballots),
        t: 0.5,
    };
    let est = nonneg::Estimator::OptimalComparison { p2: 1e-5 };
    let value = |i: usize| if i.is_multiple_of(1000) { small } else { clean };
    nonneg::first_crossing(&s, &est, ballots as usize, value, alpha)
}

//! The state of an audit in progress, recomputed from its logged steps: the ballots drawn
//! in each round (redrawn from the seed), the risk of every assertion after the readings,
//! and what to do next: another round, or a full hand count.

use serde::Serialize;

use crate::assertions::Assertion;
use crate::claim::Claim;
use crate::draw::{self, Drawn, IdStyle};
use crate::nonneg::{Estimator, Sequential, Setting};
use crate::plan::{self, FULL_COUNT_SHARE};
use crate::stations::{self, StationTally};
use crate::AuditError;

/// How ballots are checked, as the log names it ([`record::AuditMethod`]): each sampled
/// paper ballot against its cast-vote record (SHANGRLA's overstatement assorter, ALPHA with
/// the optimal comparison bet), each sampled paper ballot alone (ALPHA with the reported
/// mean as alternative), or whole polling stations counted by hand against their protocols
/// (MACRO, [`crate::stations`]).
pub use record::AuditMethod as Method;

/// The methods that read single ballots (a batch audit reads whole stations:
/// [`batch_status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BallotMethod {
    /// Paper against cast-vote record.
    Comparison,
    /// Paper alone.
    Polling,
}

/// The method as a ballot-level one, or `None` for a batch audit.
pub fn ballot_method(method: Method) -> Option<BallotMethod> {
    match method {
        Method::Comparison => Some(BallotMethod::Comparison),
        Method::Polling => Some(BallotMethod::Polling),
        Method::Batch => None,
    }
}

/// Parses `comparison`, `polling` or `batch`.
pub fn parse_method(s: &str) -> Result<Method, AuditError> {
    record::parse_key(s).map_err(|m| AuditError::field("method", format!("unknown method {m}")))
}

/// The ballots of rounds `1..=k`: the first `sizes[0] + ... + sizes[k-1]` draws from the
/// manifest (batch keys and their ballots), without replacement, ids `BATCH#POSITION`.
pub fn draws(
    batches: &[(String, u64)],
    seed: &str,
    sizes: &[u64],
) -> Result<Vec<Drawn>, AuditError> {
    let total: u64 = sizes.iter().sum();
    if total == 0 {
        return Ok(Vec::new());
    }
    let opts = draw::Options {
        take: total as usize,
        digits: 18,
        threads: 2,
        ..draw::Options::default()
    };
    draw::draw(batches, seed, IdStyle::Plain, &opts)
}

/// One read ballot, in party terms: the party its record and its paper show (none: no
/// vote for a party) and its region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// The record's party (comparison audits).
    pub record: Option<usize>,
    /// The paper's party.
    pub paper: Option<usize>,
    /// The ballot's region.
    pub region: Option<usize>,
    /// Whether the ballot was found: one not found is the worst case for every assertion
    /// (its assorter's value 0, the lowest).
    pub found: bool,
}

/// One assertion's risk.
#[derive(Debug, Clone, PartialEq)]
pub struct Risk {
    /// What the assertion says.
    pub claim: Claim,
    /// Its p-value: the smallest reached so far.
    pub p_value: f64,
    /// Whether it is at or below the risk limit.
    pub confirmed: bool,
    /// Readings counted before it was confirmed.
    pub ballots: u64,
}

/// The JSON of a risk: `label`, the claim in English words as before the claims were typed,
/// then the claim itself (`claim`), the p-value, whether confirmed, and the ballots.
impl Serialize for Risk {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut out = s.serialize_struct("Risk", 5)?;
        out.serialize_field("label", &self.claim.to_string())?;
        out.serialize_field("claim", &self.claim)?;
        out.serialize_field("p_value", &self.p_value)?;
        out.serialize_field("confirmed", &self.confirmed)?;
        out.serialize_field("ballots", &self.ballots)?;
        out.end()
    }
}

/// Where an audit stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    /// Ballots read.
    pub audited: u64,
    /// Per assertion, in the assertions' order.
    pub risks: Vec<Risk>,
    /// Every assertion is confirmed: the allocation stands.
    pub confirmed: bool,
    /// The next round's size, if the audit goes on.
    pub next_round: Option<u64>,
    /// The next round would bring the sample past a quarter of the ballots: count them all.
    pub full_count_advised: bool,
}

/// The risk of every assertion after `readings` (in draw order), and the next step, for the
/// ballot-level methods (a batch audit reads stations, not ballots: [`batch_status`]).
pub fn status(
    assertions: &[Assertion],
    method: BallotMethod,
    ballots: u64,
    stations: u64,
    readings: &[Reading],
    alpha: f64,
) -> Status {
    let risks: Vec<Risk> = assertions
        .iter()
        .map(|a| {
            let value = |party: Option<usize>, region: Option<usize>| {
                a.mark(party, region).map_or(0.5, |m| a.value(m))
            };
            let (setting, est) = match method {
                BallotMethod::Comparison => (
                    Setting {
                        u: a.assorter.overstatement_bound(a.margin),
                        n: Some(ballots),
                        t: 0.5,
                    },
                    Estimator::OptimalComparison { p2: 1e-5 },
                ),
                BallotMethod::Polling => {
                    let u = a.assorter.upper_bound;
                    (
                        Setting {
                            u,
                            n: Some(ballots),
                            t: 0.5,
                        },
                        Estimator::Fixed {
                            eta: a.mean.min(u * (1.0 - 1e-9)),
                        },
                    )
                }
            };
            let mut test = Sequential::new(setting, &est);
            let mut p = 1.0;
            if a.margin > 0.0 {
                for r in readings {
                    // A ballot not found counts as the worst case: the paper's value 0.
                    let paper = if r.found {
                        value(r.paper, r.region)
                    } else {
                        0.0
                    };
                    let x = match method {
                        BallotMethod::Comparison => {
                            a.assorter
                                .overstatement(a.margin, value(r.record, r.region), paper)
                        }
                        BallotMethod::Polling => paper,
                    };
                    p = test.push(x);
                    if p <= alpha {
                        break;
                    }
                }
            }
            Risk {
                claim: a.claim.clone(),
                p_value: p,
                confirmed: p <= alpha,
                ballots: test.draws(),
            }
        })
        .collect();
    let confirmed = risks.iter().all(|r| r.confirmed);
    let audited = readings.len() as u64;
    let (next_round, full_count_advised) = if confirmed {
        (None, false)
    } else {
        // The hardest open assertion's estimate, at least doubling the sample.
        let want = assertions
            .iter()
            .zip(&risks)
            .filter(|(_, r)| !r.confirmed)
            .map(|(a, _)| {
                let e = plan::estimate(a, ballots, stations, alpha);
                match method {
                    BallotMethod::Comparison => e.comparison_ballots,
                    BallotMethod::Polling => e.polling_ballots,
                }
            })
            .max()
            .unwrap_or(ballots);
        let next = want
            .saturating_sub(audited)
            .max(audited.max(1))
            .min(ballots - audited.min(ballots));
        let advised = (audited + next) as f64 >= FULL_COUNT_SHARE * ballots as f64;
        (Some(next), advised)
    };
    Status {
        audited,
        risks,
        confirmed,
        next_round,
        full_count_advised,
    }
}

/// Where a batch-comparison audit stands: MACRO's p-value over all assertions after the
/// drawn stations (`draws`: each draw's station index, in draw order) whose hand counts are
/// in `audited` (by station index), and the next round's number of draws.
pub fn batch_status(
    assertions: &[Assertion],
    ballots: u64,
    b: &stations::Bounds,
    stations: &[StationTally],
    draws: &[usize],
    audited: &std::collections::HashMap<usize, StationTally>,
    alpha: f64,
) -> Status {
    let observed: Vec<(usize, f64)> = draws
        .iter()
        .filter_map(|&i| {
            audited
                .get(&i)
                .map(|t| (i, stations::observed(assertions, ballots, &stations[i], t)))
        })
        .collect();
    let (p, confirmed) = stations::risk(b, &observed, alpha);
    let next = stations::sample_size(b, p, alpha);
    let distinct: std::collections::HashSet<usize> = draws.iter().copied().collect();
    let n = stations.len() as u64;
    let full_count_advised =
        !confirmed && (next == u64::MAX || plan::is_full_count(distinct.len() as u64 + next, n));
    Status {
        audited: distinct.len() as u64,
        risks: vec![Risk {
            claim: Claim::All {
                count: assertions.len(),
                bound: b.total,
            },
            p_value: p,
            confirmed,
            ballots: observed.len() as u64,
        }],
        confirmed,
        next_round: (!confirmed).then_some(next.min(n.saturating_mul(4))),
        full_count_advised,
    }
}

//! Before an audit starts: what each method would take for this allocation at a risk limit
//! (ballots to read, stations to visit), which would amount to a full hand count and why (the
//! assertion that makes it so, with its margin in ballots), and from which larger risk limit
//! it would not. `steps::start` refuses a method by the same numbers, so the admin's screen
//! and the refusal never disagree.

use serde::Serialize;
use statrs::function::gamma::ln_gamma;

use model::{Election, Protocol};

use crate::assertions::{Assertion, SeatAssertions};
use crate::claim::Claim;
use crate::steps::ManifestRow;
use crate::workflow::Method;
use crate::AuditError;

/// Risk limits, in percent, at which a method refused as a full count is tried again: the
/// screen says from which one it would not be (a larger risk limit lets a wrong allocation
/// stand more often: that is its consequence, stated beside it).
pub const LARGER_RISK_LIMITS: [u32; 7] = [10, 15, 20, 25, 30, 40, 50];

/// The smallest risk limit, in percent, the methods are compared at.
pub const MIN_RISK_LIMIT: f64 = 0.1;

/// An assertion with the margin that makes it hard to audit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hardest {
    /// What it asserts, in English (as the command line prints it).
    pub label: String,
    /// What it asserts.
    pub claim: Claim,
    /// Its diluted margin (`2 · mean - 1` of its assorter).
    pub margin: f64,
    /// The fewest paper ballots that, read otherwise, would make it false:
    /// `⌈N v / 2u⌉`, each ballot lowering the assorter's total by at most its upper bound
    /// `u` (for a threshold, the ballots the party would have to lose, as `seats::margins`
    /// counts them).
    pub margin_ballots: u64,
}

impl Hardest {
    fn of(a: &Assertion, ballots: u64) -> Hardest {
        Hardest {
            label: a.claim.to_string(),
            claim: a.claim.clone(),
            margin: a.margin,
            margin_ballots: margin_ballots(a, ballots),
        }
    }
}

/// The fewest ballots that would make the assertion false (0: it is false already).
pub fn margin_ballots(a: &Assertion, ballots: u64) -> u64 {
    if a.margin <= 0.0 {
        return 0;
    }
    let k = ballots as f64 * a.margin / 2.0 / a.assorter.upper_bound;
    // At exactly k changes the mean is one half, and the assertion needs more than that;
    // the tolerance absorbs the float's rounding of an integer k.
    ((k - 1e-6).ceil().max(1.0) as u64).min(ballots)
}

/// One method's expected work if the reported results are right.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Work {
    /// The method.
    #[serde(serialize_with = "method_key")]
    pub method: Method,
    /// The sample the method draws: ballots (comparison, polling) or station draws (batch).
    pub sample: u64,
    /// What the sample is drawn from: the ballots, or the stations.
    pub of: u64,
    /// Paper ballots the boards handle, on average: the sampled ballots, or every ballot of
    /// the stations drawn.
    pub ballots: u64,
    /// Stations whose ballots are opened, on average.
    pub stations: u64,
    /// The sample reaches a quarter of what it is drawn from: no less work than counting
    /// everything, so the method is refused.
    pub full_count: bool,
    /// The assertion that needs the largest sample (batch: the smallest margin).
    pub hardest: Option<Hardest>,
    /// The smallest of [`LARGER_RISK_LIMITS`] at which a refused method is not a full count.
    pub feasible_at: Option<u32>,
}

fn method_key<S: serde::Serializer>(m: &Method, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(m.key())
}

/// Every method side by side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Methods {
    /// The law preset whose allocation is audited.
    pub law: String,
    /// The risk limit in percent.
    pub risk_limit_percent: f64,
    /// Paper ballots in the manifest (or the protocols' reported ballots).
    pub ballots: u64,
    /// Stations in it.
    pub stations: u64,
    /// Whether the ballots are a manifest's or the protocols' (no manifest yet).
    pub from_manifest: bool,
    /// The allocation's assertions.
    pub assertions: usize,
    /// The assertion closest to failing, in ballots.
    pub closest: Option<Hardest>,
    /// Ballot comparison, ballot polling, station batch comparison, in that order.
    pub methods: Vec<Work>,
}

impl Methods {
    /// The method's work.
    pub fn of(&self, m: Method) -> Option<&Work> {
        self.methods.iter().find(|w| w.method == m)
    }
}

/// The allocation of `law` and its assertions, for a manifest of `batches` (`(station,
/// ballots)`), as every audit computes them.
pub struct Allocation<'a> {
    /// The election.
    pub election: &'a Election,
    /// Its latest protocols.
    pub protocols: &'a [Protocol],
    /// The allocation's problem.
    pub problem: &'a seats::Problem,
    /// Its assertions.
    pub set: &'a SeatAssertions,
    /// The manifest.
    pub batches: &'a [(u32, u64)],
}

/// What every method's sample is computed from, computed once: the manifest's totals and
/// MACRO's bounds (which do not depend on the risk limit).
struct Prepared<'a> {
    a: &'a Allocation<'a>,
    ballots: u64,
    stations: u64,
    bounds: crate::stations::Bounds,
}

impl<'a> Prepared<'a> {
    fn new(a: &'a Allocation<'a>) -> Prepared<'a> {
        let ballots: u64 = a.batches.iter().map(|b| b.1).sum();
        let tallies = crate::logged::station_tallies(a.election, a.protocols, a.problem, a.batches);
        Prepared {
            a,
            ballots,
            stations: a.batches.len() as u64,
            bounds: crate::stations::bounds(&a.set.assertions, ballots, &tallies),
        }
    }

    /// The sample `method` draws at `alpha`, what it is drawn from, and the assertion that
    /// needs the largest sample (none for MACRO, which tests all at once).
    fn sample(&self, method: Method, alpha: f64) -> (u64, u64, Option<&'a Assertion>) {
        match method {
            Method::Batch => {
                let n = crate::stations::sample_size(&self.bounds, 1.0, alpha);
                (n.min(self.stations), self.stations, None)
            }
            Method::Comparison | Method::Polling => {
                let mut most: Option<(u64, &Assertion)> = None;
                for x in &self.a.set.assertions {
                    let n = if method == Method::Comparison {
                        crate::comparison_sample_size(&x.assorter, x.margin, self.ballots, alpha)
                    } else {
                        crate::plan::polling_ballots(x, self.ballots, alpha)
                    };
                    if most.is_none_or(|(m, _)| n > m) {
                        most = Some((n, x));
                    }
                }
                let n = most.map_or(0, |m| m.0).min(self.ballots);
                (n, self.ballots, most.map(|m| m.1))
            }
        }
    }

    /// The method's work at `alpha`.
    fn work(&self, method: Method, alpha: f64) -> Work {
        let (sample, of, hardest) = self.sample(method, alpha);
        let b = &self.bounds;
        let (ballots, stations, hardest) = match method {
            Method::Batch => {
                let touched = if b.total.is_finite() && b.total > 0.0 && sample < self.stations {
                    ppeb_touched(self.a.batches, &b.per_station, b.total, sample)
                } else {
                    (self.ballots, self.stations)
                };
                (
                    touched.0,
                    touched.1,
                    closest(&self.a.set.assertions, self.ballots),
                )
            }
            Method::Comparison | Method::Polling => {
                let (n, s) = ballots_touched(self.a.batches, sample);
                (n, s, hardest.map(|x| Hardest::of(x, self.ballots)))
            }
        };
        Work {
            method,
            sample,
            of,
            ballots,
            stations,
            full_count: crate::plan::is_full_count(sample, of),
            hardest,
            feasible_at: None,
        }
    }

    /// The smallest of [`LARGER_RISK_LIMITS`] above `risk_limit` at which `method` is not a
    /// full count.
    fn feasible_at(&self, method: Method, risk_limit: f64) -> Option<u32> {
        LARGER_RISK_LIMITS
            .into_iter()
            .filter(|&r| f64::from(r) > risk_limit)
            .find(|&r| {
                let (n, of, _) = self.sample(method, f64::from(r) / 100.0);
                !crate::plan::is_full_count(n, of)
            })
    }
}

/// Every method's work at `alpha`, in the order comparison, polling, batch.
pub fn works(a: &Allocation<'_>, alpha: f64) -> Vec<Work> {
    let p = Prepared::new(a);
    [Method::Comparison, Method::Polling, Method::Batch]
        .into_iter()
        .map(|m| p.work(m, alpha))
        .collect()
}

/// The assertion with the fewest ballots of margin.
fn closest(assertions: &[Assertion], ballots: u64) -> Option<Hardest> {
    assertions
        .iter()
        .map(|x| Hardest::of(x, ballots))
        .min_by_key(|h| h.margin_ballots)
}

/// Expected stations touched (and ballots: the sample itself) by `n` ballots drawn without
/// replacement: a station of `b` of the `N` ballots is missed with probability
/// `C(N - b, n) / C(N, n)`.
fn ballots_touched(batches: &[(u32, u64)], n: u64) -> (u64, u64) {
    let total: u64 = batches.iter().map(|b| b.1).sum();
    if n >= total {
        return (total, batches.len() as u64);
    }
    let ln_choose = |m: u64| ln_gamma(m as f64 + 1.0) - ln_gamma((m - n) as f64 + 1.0);
    let all = ln_choose(total);
    let touched: f64 = batches
        .iter()
        .map(|&(_, b)| {
            if total - b < n {
                1.0
            } else {
                1.0 - (ln_choose(total - b) - all).exp()
            }
        })
        .sum();
    (n, touched.round() as u64)
}

/// Expected stations touched, and their ballots, by `n` PPEB draws with replacement
/// (station `i` drawn with probability `u_i / U` each time).
fn ppeb_touched(batches: &[(u32, u64)], per_station: &[f64], total: f64, n: u64) -> (u64, u64) {
    let (mut ballots, mut stations) = (0.0, 0.0);
    for (&(_, b), &u) in batches.iter().zip(per_station) {
        let hit = 1.0 - (1.0 - u / total).powf(n as f64);
        stations += hit;
        ballots += hit * b as f64;
    }
    (ballots.round() as u64, stations.round() as u64)
}

/// Every method at `risk_limit` percent, over the ballot manifest (`None`: each station's
/// reported ballots), checked against the protocols as `steps::start` checks it.
pub fn compare(
    e: &Election,
    protocols: &[Protocol],
    law: &str,
    risk_limit: f64,
    manifest: Option<&(String, Vec<ManifestRow>)>,
) -> Result<Methods, AuditError> {
    let alpha = crate::alpha_from_percent(risk_limit)?;
    // Below a tenth of a percent every estimate runs to the whole population: refused.
    if risk_limit < MIN_RISK_LIMIT {
        return Err(AuditError::RiskLimit(format!(
            "{risk_limit}% (the methods are compared from {MIN_RISK_LIMIT}%)"
        )));
    }
    let from_manifest = manifest.is_some();
    let batches = &crate::steps::manifest_of(e, protocols, manifest)?;
    let ballots: u64 = batches.iter().map(|b| b.1).sum();
    let (problem, set) = crate::logged::assertions_of(e, protocols, law, ballots)?;
    let allocation = Allocation {
        election: e,
        protocols,
        problem: &problem,
        set: &set,
        batches,
    };
    let prepared = Prepared::new(&allocation);
    let methods = [Method::Comparison, Method::Polling, Method::Batch]
        .into_iter()
        .map(|m| {
            let mut w = prepared.work(m, alpha);
            if w.full_count {
                w.feasible_at = prepared.feasible_at(m, risk_limit);
            }
            w
        })
        .collect();
    Ok(Methods {
        law: law.to_string(),
        risk_limit_percent: risk_limit,
        ballots,
        stations: batches.len() as u64,
        from_manifest,
        assertions: set.assertions.len(),
        closest: closest(&set.assertions, ballots),
        methods,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ballots drawn from one station of all the ballots touch it; a sample as large as the
    /// ballots touches every station; a tiny sample from many equal stations touches about
    /// as many stations as ballots.
    #[test]
    fn expected_stations_touched() {
        assert_eq!(ballots_touched(&[(0, 100)], 5), (5, 1));
        assert_eq!(ballots_touched(&[(0, 100), (1, 100)], 200), (200, 2));
        let many: Vec<(u32, u64)> = (0..1000).map(|i| (i, 1000)).collect();
        let (_, s) = ballots_touched(&many, 10);
        assert_eq!(s, 10);
        // 1,000 stations of 1,000 ballots, 1,000 drawn: 1 - (1 - 1/1000)^1000 ≈ 1 - 1/e.
        let (_, s) = ballots_touched(&many, 1000);
        assert!((630..=633).contains(&s), "{s}");
    }
}

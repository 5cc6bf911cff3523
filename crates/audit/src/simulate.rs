//! Simulated ballot-level comparison audits of a seat allocation: paper ballots and
//! cast-vote records are generated from the reported counts, errors can be planted on the
//! paper, and the audit samples ballots until every assertion meets the risk limit or the
//! sample reaches a cap (where it would escalate to a full hand count, which finds the
//! truth). It measures the work an audit takes when the records are right, and how often
//! an audit confirms a wrong outcome, which must be at most the risk limit.
//!
//! The draws come from a seeded ChaCha8 stream (one per trial), not from the consistent
//! sampler: a simulation needs uniform draws, not a publicly reproducible order.

use std::collections::HashSet;

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use seats::Problem;
use serde::Serialize;

use crate::assertions::{Assertion, BallotSet};
use crate::nonneg::{Estimator, Sequential, Setting};
use crate::AuditError;

/// One paper ballot: its party (none for invalid, blank or "against all") and region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ballot {
    /// The party index, if any.
    pub party: Option<u16>,
    /// The region index, if any.
    pub region: Option<u16>,
}

/// Ballots laid out from the reported counts: each region's votes per party, then the
/// national votes not in any region, then the ballots for no party, `ballots` in all.
pub fn ballots_of(p: &Problem, ballots: u64) -> Result<Vec<Ballot>, AuditError> {
    let listed: u64 = p.votes.iter().sum();
    if listed > ballots {
        return Err(AuditError::field(
            "ballots",
            format!("{ballots} ballots cannot hold {listed} votes"),
        ));
    }
    if p.parties.len() > u16::MAX as usize || p.regions.len() > u16::MAX as usize {
        return Err(AuditError::Unsupported(
            "more than 65,535 parties or regions".into(),
        ));
    }
    let mut out = Vec::with_capacity(ballots as usize);
    let mut in_regions = vec![0u64; p.parties.len()];
    for (r, region) in p.regions.iter().enumerate() {
        for (i, &v) in region.votes.iter().enumerate() {
            in_regions[i] += v;
            let b = Ballot {
                party: Some(i as u16),
                region: Some(r as u16),
            };
            out.extend(std::iter::repeat_n(b, v as usize));
        }
        // The region's other ballots, where its base counts them.
        let listed_here: u64 = region.votes.iter().sum();
        let other = region
            .base_votes
            .unwrap_or(listed_here)
            .saturating_sub(listed_here);
        out.extend(std::iter::repeat_n(
            Ballot {
                party: None,
                region: Some(r as u16),
            },
            other as usize,
        ));
    }
    for (i, &v) in p.votes.iter().enumerate() {
        let rest = v.checked_sub(in_regions[i]).ok_or_else(|| {
            AuditError::field(
                "regions",
                format!(
                    "the regions give {} more votes than the nation",
                    p.parties[i]
                ),
            )
        })?;
        out.extend(std::iter::repeat_n(
            Ballot {
                party: Some(i as u16),
                region: None,
            },
            rest as usize,
        ));
    }
    if out.len() as u64 > ballots {
        return Err(AuditError::field(
            "ballots",
            "the regions' ballots exceed the national total",
        ));
    }
    out.resize(
        ballots as usize,
        Ballot {
            party: None,
            region: None,
        },
    );
    Ok(out)
}

/// What one simulated audit did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Trial {
    /// Ballots sampled.
    pub sampled: u64,
    /// Every assertion met the risk limit before the cap.
    pub confirmed: bool,
}

/// Runs one comparison audit: ballots are drawn without replacement, each compared for
/// every assertion not yet confirmed (SHANGRLA's overstatement assorter, ALPHA with the
/// optimal comparison bet), until all are confirmed or `cap` ballots have been drawn.
pub fn comparison_audit(
    assertions: &[Assertion],
    cvr: &[Ballot],
    paper: &[Ballot],
    alpha: f64,
    cap: u64,
    seed: u64,
) -> Result<Trial, AuditError> {
    if assertions.iter().any(|a| a.base == BallotSet::Valid) {
        return Err(AuditError::Unsupported(
            "simulating an assertion whose base is the valid ballots".into(),
        ));
    }
    let n = cvr.len() as u64;
    let mut tests: Vec<Option<Sequential>> = assertions
        .iter()
        .map(|a| {
            let s = Setting {
                u: a.assorter.overstatement_bound(a.margin),
                n: Some(n),
                t: 0.5,
            };
            (a.margin > 0.0).then(|| Sequential::new(s, &Estimator::OptimalComparison { p2: 1e-5 }))
        })
        .collect();
    if tests.iter().any(Option::is_none) {
        // An assertion that fails on the records cannot be confirmed: a full count.
        return Ok(Trial {
            sampled: n,
            confirmed: false,
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut drawn = HashSet::new();
    let cap = cap.min(n);
    let mut open = tests.len();
    let mark = |a: &Assertion, b: &Ballot| {
        a.mark(b.party.map(usize::from), b.region.map(usize::from))
            .map_or(0.5, |m| a.value(m))
    };
    while (drawn.len() as u64) < cap {
        let i = (rng.next_u64() % n) as usize; // n is far below 2^64: the bias is negligible
        if !drawn.insert(i) {
            continue;
        }
        for (a, t) in assertions.iter().zip(tests.iter_mut()) {
            let Some(test) = t else { continue };
            let x = a
                .assorter
                .overstatement(a.margin, mark(a, &cvr[i]), mark(a, &paper[i]));
            if test.push(x) <= alpha {
                *t = None;
                open -= 1;
            }
        }
        if open == 0 {
            return Ok(Trial {
                sampled: drawn.len() as u64,
                confirmed: true,
            });
        }
    }
    Ok(Trial {
        sampled: drawn.len() as u64,
        confirmed: false,
    })
}

/// Plants `count` errors on the paper: ballots whose record says `from` are read `to` on
/// paper (`to` none: an invalid ballot), chosen by a seeded stream. Returns the paper.
pub fn plant(
    cvr: &[Ballot],
    from: usize,
    to: Option<usize>,
    count: u64,
    seed: u64,
) -> Result<Vec<Ballot>, AuditError> {
    let mut paper = cvr.to_vec();
    let candidates: Vec<usize> = (0..cvr.len())
        .filter(|&i| cvr[i].party == Some(from as u16))
        .collect();
    if (candidates.len() as u64) < count {
        return Err(AuditError::field(
            "plant",
            "fewer ballots for the party than errors to plant",
        ));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut chosen = HashSet::new();
    while (chosen.len() as u64) < count {
        chosen.insert(candidates[(rng.next_u64() % candidates.len() as u64) as usize]);
    }
    for i in chosen {
        paper[i].party = to.map(|t| t as u16);
    }
    Ok(paper)
}

/// The paper's totals as a problem: `p` with its votes recounted from `paper`.
pub fn recount(p: &Problem, paper: &[Ballot]) -> Problem {
    let mut q = p.clone();
    q.votes.iter_mut().for_each(|v| *v = 0);
    for r in &mut q.regions {
        r.votes.iter_mut().for_each(|v| *v = 0);
    }
    for b in paper {
        if let Some(i) = b.party {
            q.votes[i as usize] += 1;
            if let Some(r) = b.region {
                q.regions[r as usize].votes[i as usize] += 1;
            }
        }
    }
    q
}

//! BRAVO ballot-polling audits (Lindeman, Stark & Yates, "BRAVO: Ballot-polling
//! risk-limiting audits to verify outcomes", EVT/WOTE 2012), with the sample-size
//! conventions of Arlo's `bravo.py` (the project's `rla.md`, §3).

use serde::Serialize;
use statrs::distribution::{Binomial, ContinuousCDF, DiscreteCDF, Normal};

use crate::{AuditError, Contest};

/// The p-value of one winner-loser pair.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairRisk {
    /// The winner's index.
    pub winner: usize,
    /// The loser's index.
    pub loser: usize,
    /// `min(1, 1/T)`; 0 after a full hand count.
    pub p_value: f64,
}

/// The risk of a BRAVO sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Risk {
    /// Per pair, winners in rank order, then losers in rank order.
    pub pairs: Vec<PairRisk>,
    /// Every pair's `1/T` is at most the risk limit.
    pub confirmed: bool,
}

/// The sample with each ballot that could not be found counted as a vote for every loser
/// (Arlo's `ballot_polling.py`): the worst case for the reported outcome.
pub fn with_not_found(c: &Contest, sample: &[u64], not_found: u64) -> Vec<u64> {
    let mut s = sample.to_vec();
    s.resize(c.candidates.len(), 0);
    for l in c.losers() {
        // Within 64 bits when the sample and the ballots not found add up (the calculator
        // checks it); otherwise more than any contest's ballots, not a wrapped count.
        s[l] = s[l].saturating_add(not_found);
    }
    s
}

/// The sequential test statistic `T(w, l)` of every winner-loser pair for a cumulative
/// sample (votes per candidate, in contest order): each vote for w multiplies it by
/// `swl / 0.5`, each vote for l by `(1 - swl) / 0.5` (BRAVO, §3).
pub fn test_statistics(c: &Contest, sample: &[u64]) -> Vec<(usize, usize, f64)> {
    let mut out = Vec::new();
    for w in c.winners() {
        for l in c.losers() {
            let swl = c.swl(w, l);
            let (nw, nl) = (sample.get(w).copied(), sample.get(l).copied());
            let mut t = 1.0;
            if let Some(n) = nw.filter(|&n| n > 0) {
                t *= (swl / 0.5).powf(n as f64);
            }
            if let Some(n) = nl.filter(|&n| n > 0) {
                t *= ((1.0 - swl) / 0.5).powf(n as f64);
            }
            out.push((w, l, t));
        }
    }
    out
}

/// The risk of a cumulative sample at risk limit `alpha`.
pub fn risk(alpha: f64, c: &Contest, sample: &[u64]) -> Risk {
    let stats = test_statistics(c, sample);
    // In 128 bits: a sample whose counts add up beyond 64 bits is certainly every ballot.
    if sample.iter().map(|&x| u128::from(x)).sum::<u128>() >= u128::from(c.ballots) {
        let pairs = stats
            .iter()
            .map(|&(winner, loser, _)| PairRisk {
                winner,
                loser,
                p_value: 0.0,
            })
            .collect();
        return Risk {
            pairs,
            confirmed: true,
        };
    }
    let mut confirmed = true;
    let pairs = stats
        .iter()
        .map(|&(winner, loser, t)| {
            let raw = 1.0 / t; // infinite when T = 0
            confirmed &= raw <= alpha;
            PairRisk {
                winner,
                loser,
                p_value: raw.min(1.0),
            }
        })
        .collect();
    Risk { pairs, confirmed }
}

/// One sample-size option, as Arlo reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SizeOption {
    /// `asn`, `0.7`, `0.8`, `0.9` or `all-ballots`.
    pub key: String,
    /// `ASN`, `all-ballots`, or none for a quantile.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Ballots to sample.
    pub size: u64,
    /// The chance that a round of this size completes the audit if the outcome is right.
    pub prob: Option<f64>,
}

/// The completion probabilities Arlo offers.
const QUANTILES: [f64; 3] = [0.7, 0.8, 0.9];

/// The sample sizes of the next round (Arlo's `get_sample_size`): the expected sample
/// size and the sizes that complete with probability 0.7, 0.8 and 0.9 if the reported
/// outcome is right, after `sampled` ballots with the cumulative `sample`.
pub fn sample_sizes(
    alpha: f64,
    c: &Contest,
    sample: &[u64],
    sampled: u64,
) -> Result<Vec<SizeOption>, AuditError> {
    if sampled >= c.ballots {
        return Err(AuditError::AllAudited);
    }
    let (winners, losers) = (c.winners(), c.losers());
    if losers.is_empty() {
        return Err(AuditError::NoLosers(c.name.clone()));
    }
    let all = || {
        vec![SizeOption {
            key: "all-ballots".into(),
            kind: Some("all-ballots".into()),
            size: c.ballots,
            prob: None,
        }]
    };
    // A landslide: a winner holds every ballot.
    if winners.iter().any(|&w| c.p(w) == 1.0) {
        return Ok(vec![SizeOption {
            key: "asn".into(),
            kind: Some("ASN".into()),
            size: 1,
            prob: Some(1.0),
        }]);
    }
    // The hardest pair: the weakest winner against the strongest loser.
    let ww = *winners
        .iter()
        .min_by(|&&a, &&b| c.p(a).total_cmp(&c.p(b)))
        .unwrap_or(&winners[0]);
    let bl = losers[0];
    let (p_w, p_l) = (c.p(ww), c.p(bl));
    if p_w == p_l {
        return Ok(all());
    }
    let t_min = test_statistics(c, sample)
        .iter()
        .map(|x| x.2)
        .fold(f64::INFINITY, f64::min);
    let asn = expected_sample_size(alpha, p_w, p_l, t_min);
    if asn <= 0 {
        return Err(AuditError::AuditOver);
    }
    if c.num_winners != 1 {
        return Ok(vec![SizeOption {
            key: "asn".into(),
            kind: Some("ASN".into()),
            size: asn as u64,
            prob: None,
        }]);
    }
    let at = |i: usize| sample.get(i).copied().unwrap_or(0);
    let (sw, sl) = (at(ww), at(bl));
    let mut out = vec![SizeOption {
        key: "asn".into(),
        kind: Some("ASN".into()),
        size: asn as u64,
        prob: Some(expected_prob(alpha, p_w, p_l, sw, sl, asn as f64)),
    }];
    for q in QUANTILES {
        out.push(SizeOption {
            key: q.to_string(),
            kind: None,
            size: quantile_size(alpha, p_w, p_l, sw, sl, q, c.ballots),
            prob: Some(q),
        });
    }
    // A large election where the 0.9 round is a quarter of the ballots: a full count is
    // less work than auditing such a share (Arlo's rule).
    if c.ballots > 100_000 && out[3].size as f64 >= c.ballots as f64 * 0.25 {
        return Ok(all());
    }
    Ok(out)
}

/// The expected (average) sample size of BRAVO (Lindeman, Stark & Yates 2012, §4),
/// continued from the current test statistic `t`:
/// `⌈(ln(1/(αT)) + z_w/2) / (p_w z_w + p_l z_l)⌉` with `z_w = ln 2s`, `z_l = ln(2 - 2s)`.
fn expected_sample_size(alpha: f64, p_w: f64, p_l: f64, t: f64) -> i64 {
    let s = p_w / (p_w + p_l);
    let (zw, zl) = ((2.0 * s).ln(), (2.0 - 2.0 * s).ln());
    let n = (((1.0 / alpha) / t).ln() + zw / 2.0) / (p_w * zw + p_l * zl);
    n.ceil() as i64
}

/// The two-way steps of the pair: `p_w2`, `ln(p_w2 / 0.5)`, `ln(p_r2 / 0.5)` and the
/// log-threshold left after the sample so far.
fn steps(alpha: f64, p_w: f64, p_l: f64, sw: u64, sl: u64) -> (f64, f64, f64, f64) {
    let p_w2 = p_w / (p_w + p_l);
    let p_r2 = 1.0 - p_w2;
    let (plus, minus) = ((p_w2 / 0.5).ln(), (p_r2 / 0.5).ln());
    let threshold = (1.0 / alpha).ln() - (sw as f64 * plus + sl as f64 * minus);
    (p_w2, plus, minus, threshold)
}

/// The chance that a round of the expected size completes (Lindeman's normal
/// approximation, as Arlo's `expected_prob`), rounded to two places.
fn expected_prob(alpha: f64, p_w: f64, p_l: f64, sw: u64, sl: u64, asn: f64) -> f64 {
    let (p_w2, plus, minus, threshold) = steps(alpha, p_w, p_l, sw, sl);
    if threshold <= 0.0 {
        return 0.0;
    }
    let n = asn * (p_w + p_l);
    let r = (threshold - minus * n) / (plus - minus);
    let z = (r - n * p_w2) / (n * p_w2 * (1.0 - p_w2)).sqrt();
    (standard_normal().cdf(-z) * 100.0).round() / 100.0
}

/// The round size that completes with probability `q` if the outcome is right (Lindeman's
/// analytic method, Arlo's `bravo_sample_sizes`; `rla.md` §3.3): the normal-approximation
/// root, raised until the `1 - q` quantile of the winner's binomial count reaches the
/// threshold (bounded by the ballots, unlike Arlo #1603), then scaled for other ballots.
fn quantile_size(alpha: f64, p_w: f64, p_l: f64, sw: u64, sl: u64, q: f64, ballots: u64) -> u64 {
    let (p_w2, plus, minus, threshold) = steps(alpha, p_w, p_l, sw, sl);
    if threshold <= 0.0 {
        return 0;
    }
    let z = -standard_normal().inverse_cdf(q);
    let d = p_w2 * (1.0 - p_w2);
    let f = threshold / (plus - minus);
    let g = minus / (plus - minus) + p_w2;
    let (a, b, c) = (g * g, -(z * z * d + 2.0 * f * g), f * f);
    let radical = (b * b - 4.0 * a * c).max(0.0).sqrt();
    let root = if q > 0.5 {
        (-b + radical) / (2.0 * a)
    } else {
        (-b - radical) / (2.0 * a)
    };
    let mut size = root.floor().max(0.0) as u64;
    loop {
        let x = binomial_ppf(1.0 - q, size, p_w2) as f64;
        let stat = x * plus + (size as f64 - x) * minus;
        if stat > threshold || size >= ballots {
            break;
        }
        size += 1;
    }
    (size as f64 / (p_w + p_l)).ceil() as u64
}

/// The smallest `k` with `P(Binomial(n, p) <= k) >= q` (scipy's `binom.ppf`).
pub fn binomial_ppf(q: f64, n: u64, p: f64) -> u64 {
    let Ok(b) = Binomial::new(p, n) else {
        return 0;
    };
    let (mut lo, mut hi) = (0u64, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if b.cdf(mid) >= q {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

fn standard_normal() -> Normal {
    Normal::standard()
}

//! Tests that the mean of a population of values in `[0, u]` is at most `t`, the risk
//! functions of SHANGRLA (Stark, "Sets of half-average nulls generate risk-limiting audits:
//! SHANGRLA", Voting'20) as its `NonnegMean` computes them (the project's `rla.md`, §7.3):
//! ALPHA (Stark, "ALPHA: Audit that learns from previously hand-audited ballots", Annals of
//! Applied Statistics 17(1), 2023), Kaplan-Markov and Kaplan-Wald.
//!
//! Each function returns the p-value and its history, one entry per draw. Sampling is
//! without replacement when `N` is finite, with replacement otherwise.

use serde::Serialize;

/// A test's setting.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Setting {
    /// The upper bound of the values.
    pub u: f64,
    /// The population size; `None` for sampling with replacement.
    pub n: Option<u64>,
    /// The null mean.
    pub t: f64,
}

impl Default for Setting {
    fn default() -> Setting {
        Setting {
            u: 1.0,
            n: None,
            t: 0.5,
        }
    }
}

/// How ALPHA chooses its alternative mean η before each draw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Estimator {
    /// A fixed alternative population mean η, adjusted for what has been drawn
    /// (`fixed_alternative_mean`).
    Fixed {
        /// The alternative mean.
        eta: f64,
    },
    /// The running mean shrunk toward η with weight d, then toward u with weight `f/sd`,
    /// truncated to stay clear of the null mean and of u (`shrink_trunc`; ALPHA, §2.5.2).
    ShrinkTrunc {
        /// The prior alternative mean.
        eta: f64,
        /// The truncation scale.
        c: f64,
        /// The prior's weight, in draws.
        d: f64,
        /// The weight of u.
        f: f64,
        /// The smallest standard deviation used.
        minsd: f64,
    },
    /// The bet that is optimal for comparison audits when two-vote overstatements occur
    /// at the rate `p2` (`optimal_comparison`).
    OptimalComparison {
        /// The assumed rate of two-vote overstatements.
        p2: f64,
    },
}

impl Estimator {
    /// SHANGRLA's default: a fixed alternative halfway between t and u.
    pub fn default_for(s: &Setting) -> Estimator {
        Estimator::Fixed {
            eta: s.t + (s.u - s.t) / 2.0,
        }
    }

    /// `shrink_trunc` with SHANGRLA's defaults for the parameters not given.
    pub fn shrink_trunc(
        s: &Setting,
        eta: f64,
        c: Option<f64>,
        d: Option<f64>,
        f: Option<f64>,
        minsd: Option<f64>,
    ) -> Estimator {
        let mut c = c.unwrap_or((eta - s.t) / 2.0 - f64::EPSILON);
        if s.u - c < s.t + c {
            c = (s.u - c) / 2.0;
        }
        Estimator::ShrinkTrunc {
            eta,
            c,
            d: d.unwrap_or(100.0),
            f: f.unwrap_or(0.0),
            minsd: minsd.unwrap_or(1e-6),
        }
    }
}

/// A p-value with its history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PValue {
    /// The p-value after the whole sample.
    pub p: f64,
    /// After each draw.
    pub history: Vec<f64>,
}

/// `S_{j-1}` (the sum before draw j), the total, and the null mean of what remains before
/// draw j: `m_j = (N t - S_{j-1}) / (N - j + 1)`, or `t` with replacement (`sjm`).
fn sjm(n: Option<u64>, t: f64, x: &[f64]) -> (Vec<f64>, f64, Vec<f64>) {
    let mut before = Vec::with_capacity(x.len());
    let mut s = 0.0;
    for &v in x {
        before.push(s);
        s += v;
    }
    let m = match n {
        Some(n) => before
            .iter()
            .enumerate()
            .map(|(j, &sj)| (n as f64 * t - sj) / (n as f64 - j as f64))
            .collect(),
        None => vec![t; x.len()],
    };
    (before, s, m)
}

/// The alternative means η_j of an estimator for the draws `x`.
fn etas(s: &Setting, est: &Estimator, x: &[f64]) -> Vec<f64> {
    match *est {
        Estimator::Fixed { eta } => sjm(s.n, eta, x).2,
        Estimator::OptimalComparison { p2 } => {
            let u = s.u;
            let eta = (1.0 - u * (1.0 - p2)) / (2.0 - 2.0 * u) + u * (1.0 - p2) - 0.5;
            vec![eta; x.len()]
        }
        Estimator::ShrinkTrunc {
            eta,
            c,
            d,
            f,
            minsd,
        } => {
            let (before, _, m) = sjm(s.n, s.t, x);
            let sd = running_sd(x, minsd);
            (0..x.len())
                .map(|i| {
                    let j = (i + 1) as f64;
                    let weighted = ((d * eta + before[i]) / (d + j - 1.0) + s.u * f / sd[i])
                        / (1.0 + f / sd[i]);
                    let tol = c / (d + j - 1.0).sqrt();
                    (s.u * (1.0 - f64::EPSILON) - tol)
                        .min(weighted.max(m[i] * (1.0 + f64::EPSILON) + tol))
                })
                .collect()
        }
    }
}

/// The standard deviation of the draws before each draw (Welford's method), at least
/// `minsd`, with the first two taken as 1 (as `shrink_trunc` does).
fn running_sd(x: &[f64], minsd: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(x.len());
    let (mut mean, mut m2) = (0.0, 0.0);
    for (i, &v) in x.iter().enumerate() {
        // The sd before draw i+1 is that of the first i draws.
        out.push(if i < 2 {
            1.0
        } else {
            (m2 / i as f64).sqrt().max(minsd)
        });
        let k = (i + 1) as f64;
        let delta = v - mean;
        mean += delta / k;
        m2 += delta * (v - mean);
    }
    out
}

/// numpy's `isclose(a, b, rtol, atol)`: `|a - b| <= atol + rtol |b|`.
fn isclose(a: f64, b: f64, rtol: f64, atol: f64) -> bool {
    (a - b).abs() <= atol + rtol * b.abs()
}

/// The ALPHA supermartingale (ALPHA, §2):
/// `T_j = Π_{k<=j} (x_k η_k / m_k + (u - x_k)(u - η_k)/(u - m_k)) / u`, with SHANGRLA's edge
/// rules applied to the running product in this order: 0 where `m_j > u`; 1 where
/// `m_j ≈ 0` or `m_j ≈ u`; 1 where `T_j ≈ 0`; ∞ where `m_j < 0`; and ∞ for the last entry
/// if the sample total exceeds `N t`. `p = min(1, 1 / max T)`.
pub fn alpha(s: &Setting, est: &Estimator, x: &[f64]) -> PValue {
    let (_, total, m) = sjm(s.n, s.t, x);
    let eta = etas(s, est, x);
    let u = s.u;
    let atol = 2.0 * f64::EPSILON;
    let mut prod = 1.0;
    let mut terms: Vec<f64> = x
        .iter()
        .zip(&m)
        .zip(&eta)
        .map(|((&xj, &mj), &ej)| {
            prod *= (xj * ej / mj + (u - xj) * (u - ej) / (u - mj)) / u;
            prod
        })
        .collect();
    for (tj, &mj) in terms.iter_mut().zip(&m) {
        if mj > u {
            *tj = 0.0;
        }
        if isclose(0.0, mj, 1e-5, atol) || isclose(u, mj, 1e-6, atol) {
            *tj = 1.0;
        }
        if isclose(0.0, *tj, 1e-5, atol) {
            *tj = 1.0;
        }
        if mj < 0.0 {
            *tj = f64::INFINITY;
        }
    }
    if let (Some(last), Some(n)) = (terms.last_mut(), s.n) {
        if total > n as f64 * s.t {
            *last = f64::INFINITY;
        }
    }
    finish(&terms)
}

/// `min(1, 1/max T)` and the history `min(1, 1/T_j)`, with numpy's NaN rules: a NaN term
/// stays NaN in the history (`np.minimum`), and a NaN maximum gives p = 1 (Python's
/// `min(1, nan)`).
fn finish(terms: &[f64]) -> PValue {
    let history = terms
        .iter()
        .map(|&t| {
            if t.is_nan() {
                f64::NAN
            } else {
                (1.0 / t).min(1.0)
            }
        })
        .collect();
    let max = terms.iter().copied().fold(f64::NEG_INFINITY, |a, b| {
        if a.is_nan() || b.is_nan() {
            f64::NAN
        } else {
            a.max(b)
        }
    });
    let p = if terms.is_empty() {
        1.0
    } else {
        python_min_one(1.0 / max)
    };
    PValue { p, history }
}

/// Python's `min(1, r)`: `r` if it is below 1, else 1 (so NaN gives 1).
fn python_min_one(r: f64) -> f64 {
    if r < 1.0 {
        r
    } else {
        1.0
    }
}

/// Kaplan-Markov: `P_j = Π_{k<=j} (t + g) / (x_k + g)`; the p-value is the smallest
/// `P_j` when the sample is in random order (the last otherwise), capped at 1
/// (Stark 2009, §4; SHANGRLA `kaplan_markov`).
pub fn kaplan_markov(s: &Setting, x: &[f64], g: f64, random_order: bool) -> PValue {
    let mut prod = 1.0;
    let history: Vec<f64> = x
        .iter()
        .map(|&v| {
            prod *= (s.t + g) / (v + g);
            prod.min(1.0)
        })
        .collect();
    let p = if random_order {
        history.iter().copied().fold(1.0, f64::min)
    } else {
        history.last().copied().unwrap_or(1.0)
    };
    PValue { p, history }
}

/// Kaplan-Wald: `T_j = Π_{k<=j} ((1 - g) x_k / t + g)`, `p = 1 / max T` (or `1 / T_n`
/// when the order is not random), capped at 1 (SHANGRLA `kaplan_wald`).
pub fn kaplan_wald(s: &Setting, x: &[f64], g: f64, random_order: bool) -> PValue {
    let mut prod = 1.0;
    let terms: Vec<f64> = x
        .iter()
        .map(|&v| {
            prod *= (1.0 - g) * v / s.t + g;
            prod
        })
        .collect();
    let mut out = finish(&terms);
    if !random_order {
        out.p = terms.last().map_or(1.0, |&t| python_min_one(1.0 / t));
    }
    out
}

/// The deterministic sample size of ALPHA (`NonnegMean.sample_size` without replicates):
/// the population `x` is repeated element-wise to `N` values (`[a, a, ..., b, b, ...]`,
/// numpy's `repeat`), and the answer is the first draw at which the p-value reaches
/// `risk_limit`, or `N` if none does.
pub fn sample_size(s: &Setting, est: &Estimator, x: &[f64], risk_limit: f64) -> u64 {
    let Some(n) = s.n else {
        return 0;
    };
    if x.is_empty() || n == 0 {
        return n;
    }
    let reps = (n as usize).div_ceil(x.len());
    first_crossing(s, est, n as usize, |i| x[i / reps], risk_limit)
}

/// The first draw (1-based) at which ALPHA's p-value history reaches `risk_limit`, or `N`
/// if none does, for the population of `len` values `value(0), value(1), ...`. The same
/// terms and edge rules as [`alpha`], computed on growing prefixes: ALPHA's term before
/// draw j depends only on the draws before it, so a prefix gives the prefix of the
/// history, and a national population costs about what the audit would sample.
pub fn first_crossing(
    s: &Setting,
    est: &Estimator,
    len: usize,
    value: impl Fn(usize) -> f64,
    risk_limit: f64,
) -> u64 {
    let mut prefix: Vec<f64> = Vec::new();
    let mut want = 256.min(len);
    loop {
        let from = prefix.len();
        prefix.extend((from..want).map(&value));
        let h = alpha(s, est, &prefix).history;
        // The last entry of a prefix may carry the "total exceeds N t" rule, which belongs
        // to the whole sample only.
        let usable = if want < len { want - 1 } else { want };
        if let Some(i) = h[..usable].iter().position(|&v| v <= risk_limit) {
            return i as u64 + 1;
        }
        if want == len {
            return s.n.unwrap_or(len as u64);
        }
        want = (want * 4).min(len);
    }
}

/// ALPHA run one draw at a time, for a sequential audit that stops as soon as the risk
/// limit is met: the terms of [`alpha`] with a fixed or optimal-comparison alternative,
/// and SHANGRLA's edge rules applied to each draw's entry as it arrives (a sample whose
/// total exceeds `N t` makes the null impossible at once, which [`alpha`] applies to the
/// last entry of a completed sample).
#[derive(Debug, Clone)]
pub struct Sequential {
    setting: Setting,
    eta: f64,
    fixed: bool,
    draws: u64,
    sum: f64,
    product: f64,
    max_entry: f64,
}

impl Sequential {
    /// A fresh test. `ShrinkTrunc` is not supported here (its alternative needs the
    /// running standard deviation); it falls back to its prior η as a fixed alternative.
    pub fn new(setting: Setting, est: &Estimator) -> Sequential {
        let (eta, fixed) = match *est {
            Estimator::Fixed { eta } => (eta, true),
            Estimator::ShrinkTrunc { eta, .. } => (eta, true),
            Estimator::OptimalComparison { p2 } => {
                let u = setting.u;
                (
                    (1.0 - u * (1.0 - p2)) / (2.0 - 2.0 * u) + u * (1.0 - p2) - 0.5,
                    false,
                )
            }
        };
        Sequential {
            setting,
            eta,
            fixed,
            draws: 0,
            sum: 0.0,
            product: 1.0,
            max_entry: f64::NEG_INFINITY,
        }
    }

    /// Adds one draw and returns the p-value so far.
    pub fn push(&mut self, x: f64) -> f64 {
        let s = self.setting;
        let (u, j) = (s.u, self.draws as f64);
        let (m, eta) = match s.n {
            Some(n) => {
                let left = n as f64 - j;
                let m = (n as f64 * s.t - self.sum) / left;
                let eta = if self.fixed {
                    (n as f64 * self.eta - self.sum) / left
                } else {
                    self.eta
                };
                (m, eta)
            }
            None => (s.t, self.eta),
        };
        self.product *= (x * eta / m + (u - x) * (u - eta) / (u - m)) / u;
        self.draws += 1;
        self.sum += x;
        let atol = 2.0 * f64::EPSILON;
        let mut entry = self.product;
        if m > u {
            entry = 0.0;
        }
        if isclose(0.0, m, 1e-5, atol) || isclose(u, m, 1e-6, atol) {
            entry = 1.0;
        }
        if isclose(0.0, entry, 1e-5, atol) {
            entry = 1.0;
        }
        if m < 0.0 || s.n.is_some_and(|n| self.sum > n as f64 * s.t) {
            entry = f64::INFINITY;
        }
        if entry.is_nan() || self.max_entry.is_nan() {
            self.max_entry = f64::NAN;
        } else {
            self.max_entry = self.max_entry.max(entry);
        }
        self.p_value()
    }

    /// The p-value so far: `min(1, 1 / max entry)`.
    pub fn p_value(&self) -> f64 {
        if self.draws == 0 {
            1.0
        } else {
            python_min_one(1.0 / self.max_entry)
        }
    }

    /// Draws so far.
    pub fn draws(&self) -> u64 {
        self.draws
    }
}

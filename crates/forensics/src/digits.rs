//! Digit tests of vote counts, per choice.
//!
//! * **Second digit (2BL).** Mebane ("Election forensics: the second-digit Benford's law test
//!   and recent American presidential elections", 2006) compares the second digits of
//!   station counts with Benford's law, under which the second digit is `d` with probability
//!   `Σ_{k=1..9} log10(1 + 1/(10k + d))` and has mean 4.187.
//! * **Last digit.** Beber & Scacco ("What the numbers say: a digit-based test for election
//!   fraud", Political Analysis 20(2), 2012) compare last digits with the uniform
//!   distribution (mean 4.5): people who invent numbers favour some digits.
//!
//! Each test gives Pearson's chi-square against the expected frequencies (9 degrees of
//! freedom) and a z-test of the mean digit. Counts below `min_count` (default 10) have no
//! second digit and a last digit that is not uniform, so they are left out, and the report
//! warns where too few counts remain, or where their spread is too small for Benford's law
//! to be expected at all (counts within one order of magnitude: the Kyrgyz station files and
//! small parties everywhere).

use model::{Election, Protocol};
use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

use crate::ForensicsError;

/// Fewer counts than this give a warning: the chi-square has little power and its
/// approximation is rough (expected frequencies near 10 per digit).
pub const MIN_COUNTS: usize = 100;

/// Benford's second-digit probabilities, `P(d) = Σ_{k=1..9} log10(1 + 1/(10k + d))`.
pub fn benford_second_digit() -> [f64; 10] {
    let mut p = [0.0; 10];
    for (d, x) in p.iter_mut().enumerate() {
        *x = (1..=9)
            .map(|k| (1.0 + 1.0 / (10 * k + d) as f64).log10())
            .sum();
    }
    p
}

/// The second decimal digit of `x >= 10`.
pub fn second_digit(mut x: u64) -> u8 {
    while x >= 100 {
        x /= 10;
    }
    (x % 10) as u8
}

/// One digit test of one choice's counts.
#[derive(Debug, Clone, Serialize)]
pub struct DigitTest {
    /// Counts tested.
    pub counts: usize,
    /// How many counts have each digit.
    pub frequencies: [u64; 10],
    /// Pearson's chi-square against the expected frequencies.
    pub chi_square: f64,
    /// Its p-value (9 degrees of freedom).
    pub chi_square_p: f64,
    /// The mean digit.
    pub mean: f64,
    /// The mean under the null.
    pub expected_mean: f64,
    /// The z statistic of the mean.
    pub mean_z: f64,
    /// Its two-sided p-value.
    pub mean_p: f64,
}

/// The digit tests of one choice.
#[derive(Debug, Clone, Serialize)]
pub struct ChoiceDigits {
    /// The choice's name.
    pub choice: String,
    /// Second digits against Benford's law.
    pub second_digit: Option<DigitTest>,
    /// Last digits against the uniform distribution.
    pub last_digit: Option<DigitTest>,
    /// Why the results may mean nothing, if they may not.
    pub warnings: Vec<DigitWarning>,
}

/// Why a choice's digit tests may mean nothing. Shown in English by `Display` (the command
/// line, and the JSON, which carries the sentence); the report page words each in its own
/// language from the fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigitWarning {
    /// Fewer than [`MIN_COUNTS`] counts of `min` or more.
    TooFew {
        /// The counts tested.
        counts: usize,
        /// The smallest count tested.
        min: u64,
    },
    /// The median count is below 100: last digits lean low without any manipulation.
    SmallMedian {
        /// The median count.
        median: u64,
    },
    /// The middle 80% of counts span less than one order of magnitude: Benford's law is
    /// not expected to hold.
    Narrow {
        /// The 10th percentile.
        p10: u64,
        /// The 90th percentile.
        p90: u64,
    },
}

impl std::fmt::Display for DigitWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            DigitWarning::TooFew { counts, min } => write!(
                f,
                "only {counts} counts of {min} or more: too few for either test to mean anything"
            ),
            DigitWarning::SmallMedian { median } => write!(
                f,
                "the median count is {median}: counts this small fall off within each \
                 decade, so their last digits lean low without any manipulation"
            ),
            DigitWarning::Narrow { p10, p90 } => write!(
                f,
                "the middle 80% of counts span {p10} to {p90}, less than one order of \
                 magnitude: Benford's law is not expected to hold, so a second-digit \
                 deviation says nothing about fraud"
            ),
        }
    }
}

/// The JSON carries the English sentence, as it did before the warnings were typed.
impl Serialize for DigitWarning {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Runs both digit tests on every choice of `contest`, over counts of at least `min_count`
/// (at least 10).
pub fn by_choice(
    e: &Election,
    contest: usize,
    protocols: &[Protocol],
    min_count: u64,
) -> Result<Vec<ChoiceDigits>, ForensicsError> {
    let c = e.contests.get(contest).ok_or(ForensicsError::NoContest {
        index: contest,
        count: e.contests.len(),
    })?;
    let min_count = min_count.max(10);
    let benford = benford_second_digit();
    let uniform = [0.1; 10];
    let mut out = Vec::with_capacity(c.choices.len());
    for (i, choice) in c.choices.iter().enumerate() {
        let counts: Vec<u64> = protocols
            .iter()
            .filter(|p| p.contest == contest)
            .filter_map(|p| p.votes.get(i).copied())
            .filter(|&v| v >= min_count)
            .collect();
        let mut warnings = Vec::new();
        if counts.len() < MIN_COUNTS {
            warnings.push(DigitWarning::TooFew {
                counts: counts.len(),
                min: min_count,
            });
        } else {
            let mut sorted = counts.clone();
            sorted.sort_unstable();
            let (p10, p90) = (sorted[sorted.len() / 10], sorted[sorted.len() * 9 / 10]);
            let median = sorted[sorted.len() / 2];
            if median < 100 {
                warnings.push(DigitWarning::SmallMedian { median });
            }
            if p90 < 10 * p10 {
                warnings.push(DigitWarning::Narrow { p10, p90 });
            }
        }
        let seconds: Vec<u8> = counts.iter().map(|&v| second_digit(v)).collect();
        let lasts: Vec<u8> = counts.iter().map(|&v| (v % 10) as u8).collect();
        out.push(ChoiceDigits {
            choice: choice.name.clone(),
            second_digit: test(&seconds, &benford),
            last_digit: test(&lasts, &uniform),
            warnings,
        });
    }
    Ok(out)
}

/// Chi-square and mean tests of `digits` against the probabilities `expected`; `None` for
/// no digits.
pub fn test(digits: &[u8], expected: &[f64; 10]) -> Option<DigitTest> {
    if digits.is_empty() {
        return None;
    }
    let mut f = [0u64; 10];
    for &d in digits {
        f[usize::from(d)] += 1;
    }
    let n = digits.len() as f64;
    let chi_square: f64 = f
        .iter()
        .zip(expected)
        .map(|(&o, &p)| (o as f64 - n * p).powi(2) / (n * p))
        .sum();
    let mu: f64 = expected.iter().enumerate().map(|(d, p)| d as f64 * p).sum();
    let var: f64 = expected
        .iter()
        .enumerate()
        .map(|(d, p)| (d as f64 - mu).powi(2) * p)
        .sum();
    let mean = digits.iter().map(|&d| f64::from(d)).sum::<f64>() / n;
    let z = (mean - mu) / (var / n).sqrt();
    Some(DigitTest {
        counts: digits.len(),
        frequencies: f,
        chi_square,
        chi_square_p: chi_square_sf(chi_square, 9.0),
        mean,
        expected_mean: mu,
        mean_z: z,
        mean_p: 2.0 * normal_sf(z.abs()),
    })
}

/// `P(X >= x)` for a chi-square with `df` degrees of freedom.
pub fn chi_square_sf(x: f64, df: f64) -> f64 {
    ChiSquared::new(df).map_or(f64::NAN, |d| d.sf(x))
}

fn normal_sf(z: f64) -> f64 {
    Normal::standard().sf(z)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_digits() {
        assert_eq!(second_digit(10), 0);
        assert_eq!(second_digit(47), 7);
        assert_eq!(second_digit(1_234), 2);
        assert_eq!(second_digit(90_000), 0);
    }

    /// The 95th percentile of chi-square with 9 degrees of freedom is 16.919 (standard
    /// tables, e.g. NIST/SEMATECH e-Handbook §1.3.6.7.4).
    #[test]
    fn chi_square_tail_matches_the_table() {
        assert!((chi_square_sf(16.919, 9.0) - 0.05).abs() < 1e-4);
        assert!((chi_square_sf(21.666, 9.0) - 0.01).abs() < 1e-4);
    }

    /// Log-uniform numbers over four decades follow Benford's law; the test must accept them.
    #[test]
    fn benford_numbers_pass_the_second_digit_test() {
        let mut x: u64 = 12_345;
        let digits: Vec<u8> = (0..20_000)
            .map(|_| {
                x = x
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let u = (x >> 11) as f64 / (1u64 << 53) as f64;
                second_digit(10f64.powf(1.0 + 4.0 * u) as u64)
            })
            .collect();
        let t = test(&digits, &benford_second_digit()).unwrap_or_else(|| unreachable!());
        assert!(t.chi_square_p > 0.001, "{t:?}");
        assert!((t.mean - 4.187).abs() < 0.05, "{t:?}");
        let skewed: Vec<u8> = digits.iter().map(|&d| d.min(6)).collect();
        let t = test(&skewed, &benford_second_digit()).unwrap_or_else(|| unreachable!());
        assert!(t.chi_square_p < 1e-10);
    }

    #[test]
    fn uniform_digits_fit_the_uniform_null() {
        let digits: Vec<u8> = (0..1000).map(|i| (i % 10) as u8).collect();
        let t = test(&digits, &[0.1; 10]).unwrap_or_else(|| unreachable!());
        assert_eq!(t.chi_square, 0.0);
        assert_eq!(t.chi_square_p, 1.0);
        assert_eq!(t.mean, 4.5);
        assert!(t.mean_z.abs() < 1e-12);
        let fives: Vec<u8> = vec![5; 1000];
        let t = test(&fives, &[0.1; 10]).unwrap_or_else(|| unreachable!());
        assert!(t.chi_square_p < 1e-100 && t.mean_p < 0.01);
    }
}

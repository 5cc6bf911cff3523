//! What a null model says about an observed count.

use serde::Serialize;

/// An observed count against its null distribution (Kobak et al. 2016, §2; the report
/// fields of `shared/design/forensics.md` §1 step 5).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NullSummary {
    /// The observed count.
    pub observed: u64,
    /// The null's mean.
    pub expected: f64,
    /// `observed - expected`.
    pub excess: f64,
    /// The null's standard deviation.
    pub sd: f64,
    /// The significance line: the null's 99.9th percentile minus its mean. An excess above
    /// it is significant at p < 0.001.
    pub line999: f64,
    /// `P(count >= observed)` under the null.
    pub p_value: f64,
    /// True when `p_value` is only an upper bound: no replicate reached the observed count,
    /// or the exact tail is below the precision kept (10⁻³⁰).
    pub p_value_is_bound: bool,
}

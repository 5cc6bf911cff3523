//! Exact fractions, rendered in decimal by integer arithmetic.

use std::fmt;

/// A non-negative fraction with a non-zero denominator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio {
    /// The numerator.
    pub num: u64,
    /// The denominator, never zero.
    pub den: u64,
}

impl Ratio {
    /// `num / den`, or `None` when `den` is zero.
    pub fn new(num: u64, den: u64) -> Option<Ratio> {
        (den != 0).then_some(Ratio { num, den })
    }

    /// The fraction times 100 with `decimals` decimals, rounded half up, e.g. `"60.21"`.
    pub fn percent(self, decimals: u32) -> String {
        self.scaled(100, decimals)
    }

    /// The fraction with `decimals` decimals, rounded half up.
    pub fn decimal(self, decimals: u32) -> String {
        self.scaled(1, decimals)
    }

    fn scaled(self, factor: u128, decimals: u32) -> String {
        let unit = 10u128.pow(decimals);
        let n = self.num as u128 * factor * unit * 2 + self.den as u128;
        let q = n / (2 * self.den as u128);
        let (int, frac) = (q / unit, q % unit);
        if decimals == 0 {
            int.to_string()
        } else {
            format!("{int}.{frac:0width$}", width = decimals as usize)
        }
    }

    /// The value as a float, for plots and statistics, never for decisions.
    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

#[cfg(test)]
mod tests {
    use super::Ratio;

    #[test]
    fn rounds_half_up_exactly() {
        assert_eq!(Ratio::new(1, 8).unwrap().percent(1), "12.5");
        assert_eq!(Ratio::new(1, 8).unwrap().percent(0), "13");
        assert_eq!(Ratio::new(2, 3).unwrap().percent(2), "66.67");
        assert_eq!(
            Ratio::new(u64::MAX, u64::MAX).unwrap().percent(3),
            "100.000"
        );
        assert_eq!(Ratio::new(1, 0), None);
    }
}

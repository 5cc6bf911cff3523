//! The one exact fraction of the workspace: law thresholds and divisors parsed from decimal
//! text (`0.07` is 7/100), and turnout and vote shares, compared and rendered in decimal by
//! integer arithmetic only (never through a float).

use std::fmt;

use crate::ModelError;

/// `num / den`, non-negative, `den` never zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fraction {
    /// The numerator.
    pub num: u64,
    /// The denominator, never zero.
    pub den: u64,
}

/// The most decimals [`Fraction::parse`] takes (10^15 fits a `u64` with room for the
/// integer part).
const MAX_DECIMALS: usize = 15;

impl Fraction {
    /// `num / den` as given (not reduced), or `None` when `den` is zero.
    pub fn new(num: u64, den: u64) -> Option<Fraction> {
        (den != 0).then_some(Fraction { num, den })
    }

    /// Parses decimal text such as `0.07`, `1.4` or `7` exactly, in lowest terms (`0.07` is
    /// 7/100, `1.4` is 7/5).
    pub fn parse(text: &str) -> Result<Fraction, ModelError> {
        let bad = |why| ModelError::BadDecimal {
            text: text.to_string(),
            why,
        };
        let not_decimal = || bad("is not a non-negative decimal number");
        let t = text.trim();
        let (int, frac) = t.split_once('.').unwrap_or((t, ""));
        if int.is_empty() && frac.is_empty()
            || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        {
            return Err(not_decimal());
        }
        if frac.len() > MAX_DECIMALS {
            return Err(bad("has more than 15 decimals"));
        }
        let den = 10u64.pow(frac.len() as u32);
        let digits = |s: &str| -> Result<u64, ModelError> {
            if s.is_empty() {
                Ok(0)
            } else {
                s.parse().map_err(|_| not_decimal())
            }
        };
        let num = digits(int)?
            .checked_mul(den)
            .and_then(|n| n.checked_add(digits(frac).ok()?))
            .ok_or_else(not_decimal)?;
        let g = num_integer::gcd(num, den);
        Ok(Fraction {
            num: num / g,
            den: den / g,
        })
    }

    /// True when `part / whole >= self` (or `>` when `strict`), compared exactly in 128 bits
    /// (a product of two `u64` always fits).
    pub fn reached_by(self, part: u64, whole: u64, strict: bool) -> bool {
        let l = u128::from(part) * u128::from(self.den);
        let r = u128::from(self.num) * u128::from(whole);
        if strict {
            l > r
        } else {
            l >= r
        }
    }

    /// The smallest `part` with `reached_by(part, whole, strict)`, or `None` when no count
    /// does (it would exceed `u64::MAX`).
    pub fn least_reaching(self, whole: u64, strict: bool) -> Option<u64> {
        // part * den >= num * whole  <=>  part >= ceil(num * whole / den)
        let need = u128::from(self.num) * u128::from(whole);
        let den = u128::from(self.den);
        let p = if strict {
            need / den + 1
        } else {
            need.div_ceil(den)
        };
        u64::try_from(p).ok()
    }

    /// The fraction times 100 with `decimals` decimals, rounded half up, e.g. `"60.21"`.
    pub fn percent(self, decimals: u32) -> String {
        self.scaled(100, decimals)
    }

    /// The fraction with `decimals` decimals, rounded half up.
    pub fn decimal(self, decimals: u32) -> String {
        self.scaled(1, decimals)
    }

    /// `self * factor` in decimal, by long division: every step stays below `10 * den`, so
    /// no count and no number of decimals can overflow.
    fn scaled(self, factor: u8, decimals: u32) -> String {
        let den = u128::from(self.den);
        let n = u128::from(self.num) * u128::from(factor);
        let (mut int, mut rem) = (n / den, n % den);
        let mut digits = Vec::with_capacity(decimals as usize);
        for _ in 0..decimals {
            rem *= 10;
            digits.push((rem / den) as u8);
            rem %= den;
        }
        if 2 * rem >= den {
            // Half up: add one in the last place, carrying through the nines.
            match digits.iter().rposition(|&d| d != 9) {
                Some(i) => {
                    digits[i] += 1;
                    digits[i + 1..].fill(0);
                }
                None => {
                    int += 1;
                    digits.fill(0);
                }
            }
        }
        let mut out = int.to_string();
        if !digits.is_empty() {
            out.push('.');
            out.extend(digits.iter().map(|&d| char::from(b'0' + d)));
        }
        out
    }

    /// The value as a float, for plots and statistics, never for decisions.
    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

/// `100 * num / den` with 2 decimals, rounded half up; `-` when `den` is zero.
pub fn percent(num: u64, den: u64) -> String {
    Fraction::new(num, den).map_or_else(|| "-".into(), |f| f.percent(2))
}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exactly() {
        assert_eq!(
            Fraction::parse("0.07").unwrap(),
            Fraction { num: 7, den: 100 }
        );
        assert_eq!(Fraction::parse("1.4").unwrap(), Fraction { num: 7, den: 5 });
        assert_eq!(
            Fraction::parse("0.007").unwrap(),
            Fraction { num: 7, den: 1000 }
        );
        assert_eq!(Fraction::parse("2").unwrap(), Fraction { num: 2, den: 1 });
        assert_eq!(Fraction::parse(".5").unwrap(), Fraction { num: 1, den: 2 });
        assert_eq!(Fraction::parse("0").unwrap(), Fraction { num: 0, den: 1 });
        for (text, message) in [
            ("-0.1", "'-0.1' is not a non-negative decimal number"),
            ("abc", "'abc' is not a non-negative decimal number"),
            (".", "'.' is not a non-negative decimal number"),
            ("1e3", "'1e3' is not a non-negative decimal number"),
            (
                "0.1234567890123456",
                "'0.1234567890123456' has more than 15 decimals",
            ),
            // 18446744073709551615 (u64::MAX) times 10 does not fit: refused, not wrapped.
            (
                "18446744073709551615.5",
                "'18446744073709551615.5' is not a non-negative decimal number",
            ),
        ] {
            assert_eq!(Fraction::parse(text).unwrap_err().to_string(), message);
        }
    }

    #[test]
    fn thresholds_in_integers() {
        let t = Fraction::parse("0.07").unwrap();
        assert!(t.reached_by(7, 100, false));
        assert!(!t.reached_by(7, 100, true));
        assert_eq!(t.least_reaching(100, false), Some(7));
        assert_eq!(t.least_reaching(100, true), Some(8));
        assert_eq!(t.least_reaching(1990753, false), Some(139353));
        assert_eq!(percent(1, 3), "33.33");
        assert_eq!(percent(1, 0), "-");
    }

    #[test]
    fn no_count_reaches_more_than_every_ballot_of_the_largest_base() {
        let all = Fraction { num: 1, den: 1 };
        assert_eq!(all.least_reaching(u64::MAX, false), Some(u64::MAX));
        assert_eq!(all.least_reaching(u64::MAX, true), None);
        let max = Fraction {
            num: u64::MAX,
            den: 1,
        };
        assert_eq!(max.least_reaching(u64::MAX, false), None);
    }

    #[test]
    fn rounds_half_up_exactly() {
        assert_eq!(Fraction::new(1, 8).unwrap().percent(1), "12.5");
        assert_eq!(Fraction::new(1, 8).unwrap().percent(0), "13");
        assert_eq!(Fraction::new(2, 3).unwrap().percent(2), "66.67");
        assert_eq!(
            Fraction::new(u64::MAX, u64::MAX).unwrap().percent(3),
            "100.000"
        );
        assert_eq!(Fraction::new(1, 0), None);
        // Carries through the nines into the integer part.
        assert_eq!(Fraction::new(99994, 100000).unwrap().percent(2), "99.99");
        assert_eq!(Fraction::new(199999, 200000).unwrap().percent(2), "100.00");
        assert_eq!(Fraction::new(199999, 200000).unwrap().decimal(4), "1.0000");
        assert_eq!(Fraction::new(3, 2).unwrap().decimal(0), "2");
    }

    #[test]
    fn no_count_or_number_of_decimals_overflows() {
        // 2^64 - 1 over 3 with 40 decimals: beyond any 128-bit scaling, exact all the same.
        let f = Fraction::new(u64::MAX, 3).unwrap();
        assert_eq!(
            f.decimal(40),
            format!("6148914691236517205.{}", "0".repeat(40))
        );
        assert_eq!(
            Fraction::new(1, u64::MAX).unwrap().percent(30),
            "0.000000000000000005421010862428"
        );
        assert_eq!(
            Fraction::new(u64::MAX, 1).unwrap().percent(2),
            "1844674407370955161500.00"
        );
    }
}

//! Exact non-negative fractions for thresholds and divisors, parsed from decimal text.

use std::fmt;

use crate::SeatsError;

/// `num / den`, den > 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fraction {
    /// Numerator.
    pub num: u64,
    /// Denominator, never zero.
    pub den: u64,
}

impl Fraction {
    /// Parses decimal text such as `0.07`, `1.4` or `7` exactly (`0.07` is 7/100).
    pub fn parse(text: &str) -> Result<Fraction, SeatsError> {
        let t = text.trim();
        let bad = || SeatsError::invalid(format!("'{text}' is not a non-negative decimal number"));
        let (int, frac) = t.split_once('.').unwrap_or((t, ""));
        if int.is_empty() && frac.is_empty()
            || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        if frac.len() > 15 {
            return Err(SeatsError::invalid(format!(
                "'{text}' has more than 15 decimals"
            )));
        }
        let den = 10u64.pow(frac.len() as u32);
        let int: u64 = if int.is_empty() {
            0
        } else {
            int.parse().map_err(|_| bad())?
        };
        let frac: u64 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| bad())?
        };
        let num = int
            .checked_mul(den)
            .and_then(|n| n.checked_add(frac))
            .ok_or_else(bad)?;
        Ok(Fraction { num, den }.reduced())
    }

    fn reduced(self) -> Fraction {
        let g = gcd(self.num, self.den).max(1);
        Fraction {
            num: self.num / g,
            den: self.den / g,
        }
    }

    /// True when `part / whole >= self` (or `>` when `strict`), in integers.
    pub fn reached_by(self, part: u64, whole: u64, strict: bool) -> bool {
        let l = u128::from(part) * u128::from(self.den);
        let r = u128::from(self.num) * u128::from(whole);
        if strict {
            l > r
        } else {
            l >= r
        }
    }

    /// The smallest `part` with `reached_by(part, whole, strict)`.
    pub fn least_reaching(self, whole: u64, strict: bool) -> u64 {
        // part * den >= num * whole  <=>  part >= ceil(num * whole / den)
        let need = u128::from(self.num) * u128::from(whole);
        let den = u128::from(self.den);
        let p = if strict {
            need / den + 1
        } else {
            need.div_ceil(den)
        };
        u64::try_from(p).unwrap_or(u64::MAX)
    }

    /// The value as a percentage with 2 decimals, for messages.
    pub fn percent(self) -> String {
        percent(self.num, self.den)
    }
}

/// `100 * num / den` with 2 decimals, rounded half up, in integers.
pub fn percent(num: u64, den: u64) -> String {
    if den == 0 {
        return "-".into();
    }
    let q = (u128::from(num) * 20_000 + u128::from(den)) / (2 * u128::from(den));
    format!("{}.{:02}", q / 100, q % 100)
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
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
        assert!(Fraction::parse("-0.1").is_err());
        assert!(Fraction::parse("abc").is_err());
    }

    #[test]
    fn thresholds_in_integers() {
        let t = Fraction::parse("0.07").unwrap();
        assert!(t.reached_by(7, 100, false));
        assert!(!t.reached_by(7, 100, true));
        assert_eq!(t.least_reaching(100, false), 7);
        assert_eq!(t.least_reaching(100, true), 8);
        assert_eq!(t.least_reaching(1990753, false), 139353);
        assert_eq!(percent(1, 3), "33.33");
    }
}

//! The allocation methods and their exact divisors and priorities.
//!
//! Divisor (highest-averages) methods give seat after seat to the party with the highest
//! priority `votes / d(k)`, where k is the seat the party would win next. Priorities are
//! compared by cross-multiplication in `u128` (exactly beyond it: `mul_cmp`), never in floats (Stark & Teague 2014, §3;
//! the project's `electoral-law.md`, §4).

use std::cmp::Ordering;

use crate::{Fraction, SeatsError};

/// An allocation method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// D'Hondt (Jefferson): d(k) = k.
    DHondt,
    /// Sainte-Laguë (Webster): d(k) = 2k − 1.
    SainteLague,
    /// Modified Sainte-Laguë: d(1) = the given first divisor (1.4 in Norway, 1.2 in Sweden
    /// since 2018), then d(k) = 2k − 1.
    ModifiedSainteLague {
        /// The first divisor.
        first: Fraction,
    },
    /// Adams: d(k) = k − 1 (every party with votes gets a seat first).
    Adams,
    /// Dean: d(k) = 2(k − 1)k / (2k − 1), the harmonic mean of k − 1 and k.
    Dean,
    /// Huntington–Hill: d(k) = sqrt((k − 1)k), the geometric mean (a first seat each).
    HuntingtonHill,
    /// Danish: d(k) = 3k − 2 (1, 4, 7, ...).
    Danish,
    /// Imperiali (highest averages): d(k) = k + 1 (2, 3, 4, ...).
    Imperiali,
    /// Hamilton / Hare–Niemeyer: quota T/S, floors, then the largest remainders.
    Hare,
    /// Droop largest remainder: quota ⌊T/(S+1)⌋ + 1, floors, then the largest remainders.
    Droop,
    /// Imperiali quota T/(S+2), floors, then the largest remainders. When the floors exceed
    /// the seats, the count is repeated with the quota T/(S+1) (Hagenbach-Bischoff), then
    /// with Hare's quota, and the outcome says so.
    ImperialiQuota,
    /// Balinski–Young quota method (Balinski & Young 1975): seat by seat, to the highest
    /// `votes / (seats + 1)` among the parties that would not exceed their upper quota.
    Quota,
}

impl Method {
    /// Every method's name, for messages.
    pub const NAMES: &'static str = "dhondt, sainte-lague, modified-sainte-lague, adams, dean, huntington-hill, danish, imperiali, hare, droop, imperiali-quota, quota";

    /// Parses a method name (`hare`, `dhondt`, `sainte-lague`, ...; `_` and `-` alike; the
    /// aliases `jefferson`, `webster`, `hamilton`, `hare_lr`, `droop_lr` are accepted).
    /// `first_divisor` is used by modified Sainte-Laguë only (default 1.4).
    pub fn parse(name: &str, first_divisor: Option<Fraction>) -> Result<Method, SeatsError> {
        let key = name.trim().to_lowercase().replace('_', "-");
        let m = match key.as_str() {
            "dhondt" | "d'hondt" | "jefferson" => Method::DHondt,
            "sainte-lague" | "webster" => Method::SainteLague,
            "modified-sainte-lague" => Method::ModifiedSainteLague {
                first: first_divisor.unwrap_or(Fraction { num: 7, den: 5 }),
            },
            "adams" => Method::Adams,
            "dean" => Method::Dean,
            "huntington-hill" => Method::HuntingtonHill,
            "danish" => Method::Danish,
            "imperiali" => Method::Imperiali,
            "hare" | "hare-lr" | "hamilton" | "hare-niemeyer" => Method::Hare,
            "droop" | "droop-lr" => Method::Droop,
            "imperiali-quota" => Method::ImperialiQuota,
            "quota" | "balinski-young" => Method::Quota,
            _ => {
                return Err(SeatsError::invalid(format!(
                    "unknown method '{name}', expected one of: {}",
                    Method::NAMES
                )))
            }
        };
        if first_divisor.is_some() && !matches!(m, Method::ModifiedSainteLague { .. }) {
            return Err(SeatsError::invalid(format!(
                "first_divisor applies to modified-sainte-lague only, not to {name}"
            )));
        }
        if let Method::ModifiedSainteLague { first } = m {
            if first.num == 0 {
                return Err(SeatsError::invalid("first_divisor must be positive"));
            }
        }
        Ok(m)
    }

    /// The method's name.
    pub fn name(self) -> String {
        match self {
            Method::DHondt => "dhondt".into(),
            Method::SainteLague => "sainte-lague".into(),
            Method::ModifiedSainteLague { first } => {
                format!("modified-sainte-lague (first divisor {first})")
            }
            Method::Adams => "adams".into(),
            Method::Dean => "dean".into(),
            Method::HuntingtonHill => "huntington-hill".into(),
            Method::Danish => "danish".into(),
            Method::Imperiali => "imperiali".into(),
            Method::Hare => "hare".into(),
            Method::Droop => "droop".into(),
            Method::ImperialiQuota => "imperiali-quota".into(),
            Method::Quota => "quota".into(),
        }
    }

    /// True for the highest-averages methods.
    pub fn is_divisor(self) -> bool {
        !matches!(
            self,
            Method::Hare | Method::Droop | Method::ImperialiQuota | Method::Quota
        )
    }

    /// The divisor for a party's `k`-th seat (k >= 1) as an exact fraction, or `None` for
    /// Huntington–Hill (an irrational square root) and the quota methods.
    pub fn divisor(self, k: u64) -> Option<(u128, u128)> {
        let k = u128::from(k);
        Some(match self {
            Method::DHondt => (k, 1),
            Method::SainteLague => (2 * k - 1, 1),
            Method::ModifiedSainteLague { first } if k == 1 => {
                (u128::from(first.num), u128::from(first.den))
            }
            Method::ModifiedSainteLague { .. } => (2 * k - 1, 1),
            Method::Adams => (k - 1, 1),
            Method::Dean => (2 * (k - 1) * k, 2 * k - 1),
            Method::Danish => (3 * k - 2, 1),
            Method::Imperiali => (k + 1, 1),
            Method::HuntingtonHill
            | Method::Hare
            | Method::Droop
            | Method::ImperialiQuota
            | Method::Quota => return None,
        })
    }

    /// The priority of a party with `votes` for its `k`-th seat.
    pub fn priority(self, votes: u64, k: u64) -> Priority {
        if votes == 0 {
            return Priority::Zero;
        }
        let v = u128::from(votes);
        let (num, den) = match self {
            // votes / sqrt((k-1)k), compared through its square.
            Method::HuntingtonHill => (v * v, u128::from(k - 1) * u128::from(k)),
            m => match m.divisor(k) {
                Some((dn, dd)) => (v * dd, dn),
                // Quota methods use D'Hondt priorities (Balinski–Young) when asked.
                None => (v, u128::from(k)),
            },
        };
        if den == 0 {
            Priority::Infinite
        } else {
            Priority::Ratio { num, den }
        }
    }
}

/// A party's claim to its next seat, compared exactly: equality and order are by value
/// (30/1 equals 90/3).
#[derive(Debug, Clone, Copy)]
pub enum Priority {
    /// No votes: no claim.
    Zero,
    /// `num / den` (for Huntington–Hill, the square of the priority).
    Ratio {
        /// Numerator.
        num: u128,
        /// Denominator, non-zero.
        den: u128,
    },
    /// A zero divisor (a first seat under Adams, Dean or Huntington–Hill).
    Infinite,
}

impl Ord for Priority {
    fn cmp(&self, other: &Priority) -> Ordering {
        use Priority::*;
        match (self, other) {
            (Zero, Zero) | (Infinite, Infinite) => Ordering::Equal,
            (Zero, _) | (_, Infinite) => Ordering::Less,
            (_, Zero) | (Infinite, _) => Ordering::Greater,
            (Ratio { num: a, den: b }, Ratio { num: c, den: d }) => mul_cmp(*a, *d, *c, *b),
        }
    }
}

impl PartialEq for Priority {
    fn eq(&self, other: &Priority) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Priority {}

impl PartialOrd for Priority {
    fn partial_cmp(&self, other: &Priority) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Compares a·b with c·d exactly: in 128 bits while the products fit (the common case, and
/// the fast one), else as the fractions a/d and c/b by `num-rational`, whose comparison
/// divides instead of multiplying and so cannot overflow.
pub(crate) fn mul_cmp(a: u128, b: u128, c: u128, d: u128) -> Ordering {
    match (a.checked_mul(b), c.checked_mul(d)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        // Both products overflow, so no factor is zero.
        (None, None) => num_rational::Ratio::new_raw(a, d).cmp(&num_rational::Ratio::new_raw(c, b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_products_compare_exactly() {
        assert_eq!(mul_cmp(u128::MAX, 2, u128::MAX, 3), Ordering::Less);
        assert_eq!(
            mul_cmp(u128::MAX, u128::MAX, u128::MAX, u128::MAX),
            Ordering::Equal
        );
        assert_eq!(mul_cmp(6, 7, 21, 2), Ordering::Equal);
        // One product overflows, the other does not (a zero factor included).
        assert_eq!(mul_cmp(u128::MAX, 2, 7, 0), Ordering::Greater);
        assert_eq!(mul_cmp(0, 5, u128::MAX, u128::MAX), Ordering::Less);
        // Both overflow: 2^127 · 4 = 2^126 · 8 < (2^127 + 1) · 4.
        let (h, q) = (1u128 << 127, 1u128 << 126);
        assert_eq!(mul_cmp(h, 4, q, 8), Ordering::Equal);
        assert_eq!(mul_cmp(h + 1, 4, q, 8), Ordering::Greater);
        assert_eq!(mul_cmp(q, 8, h + 1, 4), Ordering::Less);
    }

    #[test]
    fn priorities() {
        let m = Method::SainteLague;
        assert!(m.priority(30, 1) > m.priority(80, 2)); // 30/1 > 80/3
        assert_eq!(m.priority(30, 1), m.priority(90, 2)); // 30 = 90/3
        assert_eq!(Method::Adams.priority(5, 1), Priority::Infinite);
        assert_eq!(Method::Adams.priority(0, 1), Priority::Zero);
        // Huntington-Hill: 100/sqrt(2) vs 70: 100^2/2 = 5000 > 4900.
        assert!(
            Method::HuntingtonHill.priority(100, 2)
                > Method::HuntingtonHill
                    .priority(70, 1 + 1)
                    .min(Priority::Ratio { num: 4900, den: 1 })
        );
    }
}

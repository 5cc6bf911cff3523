//! Numbers and dates as each language writes them (CLDR): `2,413` and `56.20%` in English,
//! `2 413` and `56,20 %` in Russian and Kyrgyz (a no-break space groups the thousands);
//! `4 October 2020`, `4 октября 2020 г.`, `2020-ж., 4-октябрь`.

use crate::glossary::T;
use crate::Lang;

/// CLDR's group separator: U+00A0 for Russian and Kyrgyz.
const NBSP: char = '\u{a0}';

const MONTHS: [T; 12] = [
    T::Month1,
    T::Month2,
    T::Month3,
    T::Month4,
    T::Month5,
    T::Month6,
    T::Month7,
    T::Month8,
    T::Month9,
    T::Month10,
    T::Month11,
    T::Month12,
];

impl Lang {
    /// What separates groups of three digits in a count.
    pub fn group(self) -> char {
        match self {
            Lang::En => ',',
            Lang::Ru | Lang::Ky => NBSP,
        }
    }

    fn decimal_point(self) -> char {
        match self {
            Lang::En => '.',
            Lang::Ru | Lang::Ky => ',',
        }
    }

    /// A count with its thousands grouped.
    pub fn count(self, n: u64) -> String {
        group_digits(&n.to_string(), self.group())
    }

    /// A difference with its sign: `+1,234`, `−1 234`, `0`.
    pub fn signed(self, d: i128) -> String {
        let digits = group_digits(&d.unsigned_abs().to_string(), self.group());
        match d.signum() {
            1 => format!("+{digits}"),
            -1 => format!("\u{2212}{digits}"),
            _ => digits,
        }
    }

    /// A decimal given as `1234.56` or `-1234.56` (as `model::Fraction::decimal` or `{:.1}`
    /// write it), in this language, with a minus sign (U+2212) when negative.
    pub fn decimal(self, text: &str) -> String {
        let (minus, text) = match text.strip_prefix('-') {
            Some(rest) => ("\u{2212}", rest),
            None => ("", text),
        };
        let (int, frac) = text.split_once('.').unwrap_or((text, ""));
        let mut out = minus.to_string();
        out.push_str(&group_digits(int, self.group()));
        if !frac.is_empty() {
            out.push(self.decimal_point());
            out.push_str(frac);
        }
        out
    }

    /// `x` with `decimals` decimals in this language, with a minus sign (U+2212) when negative
    /// (not for a value that rounds to zero); `–` when it is not a number.
    pub fn fixed(self, x: f64, decimals: usize) -> String {
        if !x.is_finite() {
            return "–".to_string();
        }
        let digits = format!("{:.decimals$}", x.abs());
        let zero = digits.bytes().all(|b| b == b'0' || b == b'.');
        let sign = if x < 0.0 && !zero { "-" } else { "" };
        self.decimal(&format!("{sign}{digits}"))
    }

    /// A percentage given as `56.20` (as `model::Fraction::percent` writes it): `56.20%`,
    /// `56,20 %`.
    pub fn percent(self, text: &str) -> String {
        let number = self.decimal(text);
        match self {
            Lang::En => format!("{number}%"),
            Lang::Ru | Lang::Ky => format!("{number}{NBSP}%"),
        }
    }

    /// `part / whole` as a percentage with `decimals` decimals, exact (`-` when `whole` is 0).
    pub fn share(self, part: u64, whole: u64, decimals: u32) -> String {
        match model::Fraction::new(part, whole) {
            Some(f) => self.percent(&f.percent(decimals)),
            None => "–".to_string(),
        }
    }

    /// A date given as `YYYY-MM-DD`, written out; anything else as given.
    pub fn date(self, iso: &str) -> String {
        let parts: Vec<&str> = iso.split('-').collect();
        let [y, m, d] = parts[..] else {
            return iso.to_string();
        };
        let (Ok(m), Ok(d)) = (m.parse::<usize>(), d.parse::<u32>()) else {
            return iso.to_string();
        };
        let Some(month) = m.checked_sub(1).and_then(|i| MONTHS.get(i)) else {
            return iso.to_string();
        };
        let month = self.t(*month).to_string();
        self.f(
            T::DateLong,
            &[("d", &d.to_string()), ("month", &month), ("y", y)],
        )
        .to_string()
    }
}

fn group_digits(digits: &str, sep: char) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 2);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_each_language_writes_them() {
        let cases: &[(Lang, u64, &str)] = &[
            (Lang::En, 0, "0"),
            (Lang::En, 999, "999"),
            (Lang::En, 2413, "2,413"),
            (Lang::En, 1_234_567, "1,234,567"),
            (Lang::Ru, 2413, "2\u{a0}413"),
            (
                Lang::Ky,
                18_446_744_073_709_551_615,
                "18\u{a0}446\u{a0}744\u{a0}073\u{a0}709\u{a0}551\u{a0}615",
            ),
        ];
        for (l, n, want) in cases {
            assert_eq!(l.count(*n), *want);
        }
        assert_eq!(Lang::En.percent("56.20"), "56.20%");
        assert_eq!(Lang::Ru.percent("56.20"), "56,20\u{a0}%");
        assert_eq!(Lang::Ru.decimal("1234.5"), "1\u{a0}234,5");
        // A z-score below zero: its minus is not a digit to group (a review found "-,123.4").
        assert_eq!(Lang::En.decimal("-123.4"), "\u{2212}123.4");
        assert_eq!(Lang::Ru.decimal("-1234.5"), "\u{2212}1\u{a0}234,5");
        assert_eq!(Lang::En.signed(-1234), "\u{2212}1,234");
        assert_eq!(Lang::En.signed(5), "+5");
        assert_eq!(Lang::En.share(1, 3, 2), "33.33%");
        assert_eq!(Lang::En.share(1, 0, 2), "–");
    }

    #[test]
    fn dates_as_each_language_writes_them() {
        assert_eq!(Lang::En.date("2020-10-04"), "4 October 2020");
        assert_eq!(Lang::Ru.date("2020-10-04"), "4 октября 2020 г.");
        assert_eq!(Lang::Ky.date("2020-10-04"), "2020-ж., 4-октябрь");
        assert_eq!(Lang::En.date("2020-13-04"), "2020-13-04");
        assert_eq!(Lang::En.date("soon"), "soon");
    }
}

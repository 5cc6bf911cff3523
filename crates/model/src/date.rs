//! The date of a vote: `YYYY-MM-DD`, a day of the proleptic Gregorian calendar (ISO 8601's
//! calendar date, extended format).

use crate::ModelError;

/// Checks that `text` is a calendar date written `YYYY-MM-DD` (ISO 8601, extended format):
/// four-digit year from 1000, a month 01 to 12 and a day that month has (29 February only in
/// a leap year).
///
/// ```
/// assert!(model::check_date("2020-10-04").is_ok());
/// assert!(model::check_date("2024-02-29").is_ok());
/// assert_eq!(
///     model::check_date("2021-02-29").unwrap_err().to_string(),
///     "'2021-02-29' is not a date: February 2021 has 28 days"
/// );
/// ```
pub fn check_date(text: &str) -> Result<(), ModelError> {
    let bad = |why: String| ModelError::BadDate {
        text: text.to_string(),
        why,
    };
    let parts: Vec<&str> = text.split('-').collect();
    let shape = parts.len() == 3
        && [4, 2, 2]
            .iter()
            .zip(&parts)
            .all(|(n, p)| p.len() == *n && p.bytes().all(|b| b.is_ascii_digit()));
    if !shape {
        return Err(bad("write it YYYY-MM-DD, e.g. 2020-10-04".into()));
    }
    let [year, month, day] = [0, 1, 2].map(|i| parts[i].parse::<u32>().unwrap_or(0));
    if year < 1000 {
        return Err(bad(format!("year {year} is before 1000")));
    }
    let Some(&(name, days)) = MONTHS.get(month.wrapping_sub(1) as usize) else {
        return Err(bad(format!("there is no month {month:02}")));
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = if month == 2 && leap { 29 } else { days };
    if day == 0 || day > days {
        return Err(bad(format!("{name} {year} has {days} days")));
    }
    Ok(())
}

/// The months' names and their days in a common year.
const MONTHS: [(&str, u32); 12] = [
    ("January", 31),
    ("February", 28),
    ("March", 31),
    ("April", 30),
    ("May", 31),
    ("June", 30),
    ("July", 31),
    ("August", 31),
    ("September", 30),
    ("October", 31),
    ("November", 30),
    ("December", 31),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Each text and what `check_date` answers: `ok`, or the reason it gives.
    const CASES: &[(&str, &str)] = &[
        ("2020-10-04", "ok"),
        ("2011-12-04", "ok"),
        ("2000-02-29", "ok"),
        ("2024-02-29", "ok"),
        ("1999-12-31", "ok"),
        ("2020-02-30", "February 2020 has 29 days"),
        ("2021-02-29", "February 2021 has 28 days"),
        ("1900-02-29", "February 1900 has 28 days"),
        ("2020-04-31", "April 2020 has 30 days"),
        ("2020-10-00", "October 2020 has 31 days"),
        ("2020-13-01", "there is no month 13"),
        ("2020-00-10", "there is no month 00"),
        ("0999-01-01", "year 999 is before 1000"),
        ("2020-1-04", "write it YYYY-MM-DD, e.g. 2020-10-04"),
        ("04.10.2020", "write it YYYY-MM-DD, e.g. 2020-10-04"),
        ("2020-10-04T00:00", "write it YYYY-MM-DD, e.g. 2020-10-04"),
        ("2020-10-０4", "write it YYYY-MM-DD, e.g. 2020-10-04"),
        ("+2020-10-04", "write it YYYY-MM-DD, e.g. 2020-10-04"),
        ("", "write it YYYY-MM-DD, e.g. 2020-10-04"),
    ];

    #[test]
    fn every_case_gets_its_answer() {
        for (text, want) in CASES {
            let got = match check_date(text) {
                Ok(()) => "ok".to_string(),
                Err(ModelError::BadDate { why, .. }) => why,
                Err(other) => panic!("{text}: {other}"),
            };
            assert_eq!(&got, want, "{text}");
        }
    }
}

//! The station filters and the observed counts of the integer-percentage test
//! (Kobak, Shpilkin & Pshenichnikov 2016, §2; `shared/design/forensics.md` §1 steps 1–3).

use serde::Serialize;

use crate::{ForensicsError, Sample, Station};

/// Whether `100 * count / den` is within 0.05 of a whole number: inside the 0.1-point bin
/// centred on it. The arithmetic is the notebooks' (`100*L/R` in binary64, then
/// `|p - round(p)| <= 0.05`), so that observed counts match theirs exactly.
pub fn is_integer_pct(count: u64, den: u64) -> bool {
    // Counts are far below 2^62, so the conversions through i64 are exact and equal to the
    // u64 ones (x86-64 converts i64 in one instruction, u64 in several).
    let p = (100 * count) as i64 as f64 / den as i64 as f64;
    // `p - trunc(p)` is exact, and so are `1 - d` and `p - (trunc(p) + 1)` (Sterbenz), so
    // this is `|p - round(p)|` bit for bit, without a call to libm's `round`.
    let d = p - (p as i64) as f64;
    d <= 0.05 || 1.0 - d <= 0.05
}

/// How many stations are integer in the leader's result, in turnout, and in either.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Integer in the leader's result.
    pub leader: u64,
    /// Integer in turnout.
    pub turnout: u64,
    /// Integer in either.
    pub either: u64,
}

/// The stations the filters keep, and how many each filter dropped, in the order applied.
#[derive(Debug, Clone, Serialize)]
pub struct Filtered {
    /// The stations kept.
    #[serde(skip)]
    pub kept: Vec<Station>,
    /// Dropped because no ballot was found (`R = 0`).
    pub no_ballots: usize,
    /// Dropped because fewer than 100 voters are registered (`V < 100`), which includes
    /// stations with no registered voters at all.
    pub small: usize,
    /// Dropped because turnout is above 99% (`G/V > 0.99`), which includes stations that
    /// report more ballots issued than voters registered.
    pub turnout_above_99: usize,
    /// Dropped because the leader has above 99% (`L/R > 0.99`), which includes stations
    /// reporting more leader votes than ballots found.
    pub leader_above_99: usize,
}

/// Applies the paper's filters: keep `R > 0` and `V >= 100`, then drop `G/V > 0.99` and
/// `L/R > 0.99` (ratios in binary64, as in the notebooks).
pub fn filter(stations: &[Station]) -> Result<Filtered, ForensicsError> {
    let mut f = Filtered {
        kept: Vec::with_capacity(stations.len()),
        no_ballots: 0,
        small: 0,
        turnout_above_99: 0,
        leader_above_99: 0,
    };
    for s in stations {
        if s.found == 0 {
            f.no_ballots += 1;
        } else if s.registered < 100 {
            f.small += 1;
        } else if s.issued as f64 / s.registered as f64 > 0.99 {
            f.turnout_above_99 += 1;
        } else if s.leader as f64 / s.found as f64 > 0.99 {
            f.leader_above_99 += 1;
        } else {
            f.kept.push(*s);
        }
    }
    if f.kept.is_empty() {
        return Err(ForensicsError::NothingLeft);
    }
    Ok(f)
}

/// The filtered stations and their observed counts.
#[derive(Debug, Clone, Serialize)]
pub struct Observed {
    /// The leader the test was run for.
    pub leader: String,
    /// Protocols without the lines the test needs.
    pub incomplete: usize,
    /// What the filters did.
    pub filtered: Filtered,
    /// Stations after filtering.
    pub stations_used: usize,
    /// Observed counts of integer percentages.
    pub observed: Counts,
}

/// Filters the sample and counts integer percentages.
pub fn observe(sample: &Sample) -> Result<Observed, ForensicsError> {
    let filtered = filter(&sample.stations)?;
    let mut c = Counts::default();
    for s in &filtered.kept {
        let l = is_integer_pct(s.leader, s.found);
        let t = is_integer_pct(s.issued, s.registered);
        c.leader += u64::from(l);
        c.turnout += u64::from(t);
        c.either += u64::from(l || t);
    }
    Ok(Observed {
        leader: sample.leader.clone(),
        incomplete: sample.incomplete,
        stations_used: filtered.kept.len(),
        filtered,
        observed: c,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_and_their_window() {
        assert!(is_integer_pct(3, 4)); // 75%
        assert!(is_integer_pct(1500, 2000)); // 75.0%
        assert!(!is_integer_pct(1502, 2000)); // 75.1%
        assert!(!is_integer_pct(1, 3)); // 33.33%
        assert!(is_integer_pct(0, 7));
        // Agrees with `|p - round(p)| <= 0.05` everywhere.
        for den in 1..700u64 {
            for count in 0..=den {
                let p = (100 * count) as f64 / den as f64;
                assert_eq!(
                    is_integer_pct(count, den),
                    (p - p.round()).abs() <= 0.05,
                    "{count}/{den}"
                );
            }
        }
    }
}

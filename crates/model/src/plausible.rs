//! The plausibility bound on protocols typed in by staff: no count above the station's
//! registered voters plus a margin, and none above a billion.
//!
//! A protocol entered through the service is typed by an operator; a count of nineteen
//! digits is a slip or an attack, never a station's result. Imported files are not bounded
//! (they are official publications and are taken as they are), only checked for sums that do
//! not fit in 64 bits, by the tabulator.

use crate::{Line, ModelError, Protocol};

/// No line or vote of a protocol entered by hand exceeds this, whatever the station: a
/// billion is more than the registered voters of any country's largest polling station by
/// five orders of magnitude, and a country's totals of such counts stay far from `u64::MAX`
/// (10^9 per station times 10^9 stations is 10^18 < 1.8 × 10^19).
pub const MAX_COUNT: u64 = 1_000_000_000;

/// The margin above the station's registered voters, in percent, that a count entered by hand
/// may reach: voters added to the register on polling day (the supplementary lists of the
/// Russian and Kyrgyz forms) and the reserve of ballots a commission receives (Federal Law
/// No. 67-FZ, art. 63 para. 14: at most 1.5% above the registered voters; the margin is wider
/// so that no lawful protocol is refused).
pub const REGISTERED_MARGIN_PERCENT: u64 = 10;

/// The margin's floor, in voters: a small station's register may grow by a few dozen on
/// polling day, more than a percentage of it allows.
pub const REGISTERED_MARGIN_MIN: u64 = 100;

/// The largest count a protocol may carry when the station has `registered` voters:
/// `registered` plus [`REGISTERED_MARGIN_PERCENT`] (rounded up), at least
/// [`REGISTERED_MARGIN_MIN`] more, and never above [`MAX_COUNT`].
pub fn count_bound(registered: Option<u64>) -> u64 {
    match registered {
        Some(r) => {
            let margin = (r.saturating_mul(REGISTERED_MARGIN_PERCENT))
                .div_ceil(100)
                .max(REGISTERED_MARGIN_MIN);
            r.saturating_add(margin).min(MAX_COUNT)
        }
        None => MAX_COUNT,
    }
}

/// Checks a protocol typed in by staff against the plausibility bound: every line and every
/// vote at most [`count_bound`] of the station's registered voters, where they are known
/// (`registered`: those of the station's counted protocol, else the protocol's own line).
pub fn check_plausible(p: &Protocol, registered: Option<u64>) -> Result<(), ModelError> {
    let known = registered.or(p.line(Line::Registered));
    let bound = count_bound(known);
    let why = match known {
        Some(r) if bound < MAX_COUNT => format!(
            "the station's {r} registered voters plus {REGISTERED_MARGIN_PERCENT}% (at least {REGISTERED_MARGIN_MIN})"
        ),
        _ => "the largest count a station can have".to_string(),
    };
    // The registered line itself is bounded by the registered voters known before it.
    let lines = Line::ALL.iter().filter_map(|&l| {
        let own = l == Line::Registered && registered.is_none();
        let limit = if own { MAX_COUNT } else { bound };
        Some((l.key().to_string(), p.line(l)?, limit))
    });
    let votes = p
        .votes
        .iter()
        .enumerate()
        .map(|(i, &v)| (format!("votes[{i}]"), v, bound));
    for (field, value, limit) in lines.chain(votes) {
        if value > limit {
            let why = if limit == MAX_COUNT {
                "the largest count a station can have".to_string()
            } else {
                why.clone()
            };
            return Err(ModelError::Implausible {
                field,
                value,
                bound: limit,
                why,
            });
        }
    }
    Ok(())
}

/// Checks an observer's copy of a station's protocol (a quick count's report, by SMS, form
/// or file): [`check_plausible`], and its votes and invalid ballots together never more than
/// the ballots issued (their total, or the sum of its early, in-station and outside lines),
/// where it gives them (a relation every lawful protocol keeps, whatever
/// the law's own relations). Every count is within [`MAX_COUNT`] once plausible: the sums
/// fit.
pub fn check_copy(p: &Protocol, registered: Option<u64>) -> Result<(), ModelError> {
    check_plausible(p, registered)?;
    if let Some(issued) = p.issued() {
        let votes = p.votes.iter().fold(0u64, |a, &v| a.saturating_add(v));
        let invalid = p.line(Line::Invalid).unwrap_or(0);
        if votes.saturating_add(invalid) > issued {
            return Err(ModelError::Exceeds {
                votes,
                invalid,
                issued,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UnitId;

    fn protocol(registered: Option<u64>, votes: Vec<u64>) -> Protocol {
        let mut p = Protocol::new(UnitId(1), 0, votes.len());
        if let Some(r) = registered {
            p.set_line(Line::Registered, r);
        }
        p.set_line(Line::Valid, votes.iter().sum());
        p.votes = votes;
        p
    }

    #[test]
    fn counts_above_the_register_plus_the_margin_are_refused() {
        assert_eq!(count_bound(Some(1000)), 1100);
        assert_eq!(count_bound(Some(200)), 300);
        assert_eq!(count_bound(None), MAX_COUNT);
        assert_eq!(count_bound(Some(u64::MAX)), MAX_COUNT);
        assert!(check_plausible(&protocol(Some(1000), vec![600, 500]), None).is_ok());
        let e = check_plausible(&protocol(Some(1000), vec![600, 550]), None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "valid 1150 is above 1100, the station's 1000 registered voters plus 10% (at least 100)"
        );
        // The registered voters known before the entry bound its own registered line.
        let e = check_plausible(&protocol(Some(5000), vec![10]), Some(1000)).unwrap_err();
        assert!(
            e.to_string().starts_with("registered 5000 is above 1100"),
            "{e}"
        );
    }

    #[test]
    fn a_copy_gives_no_more_votes_and_invalid_ballots_than_ballots_issued() {
        let mut p = protocol(Some(1000), vec![600, 300]);
        p.set_line(Line::IssuedTotal, 950);
        p.set_line(Line::Invalid, 50);
        assert!(check_copy(&p, None).is_ok());
        p.set_line(Line::Invalid, 51);
        assert_eq!(
            check_copy(&p, None).unwrap_err().to_string(),
            "votes 900 and invalid ballots 51 are more than the 950 ballots issued"
        );
        // Without the ballots issued there is nothing to hold them to.
        p.lines[Line::IssuedTotal.index()] = None;
        assert!(check_copy(&p, None).is_ok());
    }

    #[test]
    fn no_count_above_a_billion_without_a_register() {
        assert!(check_plausible(&protocol(None, vec![MAX_COUNT]), None).is_ok());
        let mut p = protocol(None, vec![1, i64::MAX as u64]);
        p.lines[Line::Valid.index()] = None;
        let e = check_plausible(&p, None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "votes[1] 9223372036854775807 is above 1000000000, the largest count a station can have"
        );
        let e = check_plausible(&protocol(Some(u64::MAX), vec![1]), None).unwrap_err();
        assert!(e
            .to_string()
            .starts_with("registered 18446744073709551615 is above 1000000000"));
    }
}

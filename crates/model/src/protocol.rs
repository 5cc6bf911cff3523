//! Polling-station protocols: the lines a station commission signs, and the votes per choice.

use strum::{EnumString, IntoStaticStr, VariantArray};

use crate::{ModelError, UnitId};

/// A numbered line of a station protocol, other than the votes per choice.
///
/// The lines follow the Russian federal protocol form (Federal Law No. 67-FZ, art. 67-68 and
/// the CEC protocol forms) and the Kyrgyz form (Constitutional Law "On elections of the
/// President and deputies of the Jogorku Kenesh", art. 40-41). A protocol may leave any line
/// out: the Kyrgyz 2020 files carry only the votes and their total.
#[derive(EnumString, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Line {
    /// Voters on the register at the close of the poll.
    Registered,
    /// Ballots the station commission received.
    Received,
    /// Ballots issued to voters who voted early.
    IssuedEarly,
    /// Ballots issued in the station on polling day.
    IssuedInStation,
    /// Ballots issued outside the station (home voting) on polling day.
    IssuedOutside,
    /// Ballots issued, where the protocol reports one total instead of the three lines.
    IssuedTotal,
    /// Unused ballots cancelled by the commission.
    Cancelled,
    /// Ballots found in mobile (portable) boxes.
    FoundMobile,
    /// Ballots found in stationary boxes.
    FoundStationary,
    /// Ballots found in the boxes, where the protocol reports one total.
    FoundTotal,
    /// Invalid ballots.
    Invalid,
    /// Valid ballots.
    Valid,
    /// Lost ballots.
    Lost,
    /// Ballots not accounted for on receipt.
    Unaccounted,
}

impl Line {
    /// Every line, in protocol order.
    pub const ALL: &'static [Line] = Line::VARIANTS;

    /// The number of lines.
    pub const COUNT: usize = Line::ALL.len();

    /// The line's position in [`Line::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The line's stable name in files, the store and the CLI.
    pub fn key(self) -> &'static str {
        self.into()
    }

    /// A short description for reports.
    pub fn label(self) -> &'static str {
        match self {
            Line::Registered => "registered voters",
            Line::Received => "ballots received",
            Line::IssuedEarly => "ballots issued early",
            Line::IssuedInStation => "ballots issued in the station",
            Line::IssuedOutside => "ballots issued outside the station",
            Line::IssuedTotal => "ballots issued",
            Line::Cancelled => "ballots cancelled",
            Line::FoundMobile => "ballots in mobile boxes",
            Line::FoundStationary => "ballots in stationary boxes",
            Line::FoundTotal => "ballots in boxes",
            Line::Invalid => "invalid ballots",
            Line::Valid => "valid ballots",
            Line::Lost => "lost ballots",
            Line::Unaccounted => "ballots not accounted for on receipt",
        }
    }

    /// Parses [`Line::key`].
    pub fn from_key(s: &str) -> Option<Line> {
        s.parse().ok()
    }
}

/// Where a protocol's counts come from.
#[derive(EnumString, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "lowercase")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CountSource {
    /// The manual count signed by the station commission.
    #[default]
    Manual,
    /// The machine count of a ballot scanner (the Kyrgyz ASU "Shailoo" preliminary count).
    Machine,
}

impl CountSource {
    /// The source's stable name.
    pub fn key(self) -> &'static str {
        self.into()
    }

    /// Parses [`CountSource::key`].
    pub fn from_key(s: &str) -> Result<CountSource, ModelError> {
        s.parse()
            .map_err(|_| crate::unknown_name::<CountSource>("count source", s))
    }
}

/// One version of one station's protocol for one contest.
#[derive(Debug, Clone, PartialEq)]
pub struct Protocol {
    /// The polling station.
    pub station: UnitId,
    /// The contest's index in [`crate::Election::contests`].
    pub contest: usize,
    /// 1 for the first version; a correction is the next number, never an overwrite.
    pub version: u32,
    /// Machine or manual count.
    pub source: CountSource,
    /// The protocol lines, indexed by [`Line::index`]; `None` where the protocol has no such
    /// line.
    pub lines: [Option<u64>; Line::COUNT],
    /// Votes per choice, in the contest's ballot order.
    pub votes: Vec<u64>,
    /// Other count lines the source carries (absentee certificates and the like), kept by
    /// their source name so that nothing is lost.
    pub extra: Vec<(String, u64)>,
    /// Non-count attributes such as the Kyrgyz `form2_percent`, kept as decimals.
    pub attributes: Vec<(String, f64)>,
    /// Where the protocol was published: a URL, or the hash of the scanned protocol.
    pub reference: Option<String>,
}

impl Protocol {
    /// Version 1 of a manual-count protocol with no lines and `choices` zero votes.
    pub fn new(station: UnitId, contest: usize, choices: usize) -> Protocol {
        Protocol {
            station,
            contest,
            version: 1,
            source: CountSource::Manual,
            lines: [None; Line::COUNT],
            votes: vec![0; choices],
            extra: Vec::new(),
            attributes: Vec::new(),
            reference: None,
        }
    }

    /// The value of a line, if the protocol has it.
    pub fn line(&self, line: Line) -> Option<u64> {
        self.lines[line.index()]
    }

    /// Sets a line.
    pub fn set_line(&mut self, line: Line, value: u64) {
        self.lines[line.index()] = Some(value);
    }

    /// Ballots issued: the single total line if the protocol has one, else the sum of the
    /// early, in-station and outside lines that are present (`None` if none is, or if their
    /// sum exceeds `u64::MAX`: [`Protocol::overflow`] says so).
    pub fn issued(&self) -> Option<u64> {
        self.line(Line::IssuedTotal)
            .or_else(|| u64::try_from(sum_present(self, &ISSUED_PARTS)?).ok())
    }

    /// Ballots found in the boxes: the total line if present, else mobile + stationary
    /// (`None` also if that sum exceeds `u64::MAX`: [`Protocol::overflow`] says so).
    pub fn found(&self) -> Option<u64> {
        self.line(Line::FoundTotal)
            .or_else(|| u64::try_from(sum_present(self, &FOUND_PARTS)?).ok())
    }

    /// The sum of the votes for every choice. Exact for a protocol whose
    /// [`Protocol::overflow`] is `None` (the tabulator checks it before adding a protocol);
    /// [`Protocol::choice_sum_wide`] is exact for every protocol.
    pub fn choice_sum(&self) -> u64 {
        self.votes.iter().sum()
    }

    /// The sum of the votes for every choice, exact whatever the counts.
    pub fn choice_sum_wide(&self) -> u128 {
        self.votes.iter().map(|&v| u128::from(v)).sum()
    }

    /// Ballots issued, exact whatever the counts (see [`Protocol::issued`]).
    pub fn issued_wide(&self) -> Option<u128> {
        match self.line(Line::IssuedTotal) {
            Some(v) => Some(v.into()),
            None => sum_present(self, &ISSUED_PARTS),
        }
    }

    /// Ballots found, exact whatever the counts (see [`Protocol::found`]).
    pub fn found_wide(&self) -> Option<u128> {
        match self.line(Line::FoundTotal) {
            Some(v) => Some(v.into()),
            None => sum_present(self, &FOUND_PARTS),
        }
    }

    /// The first sum of this protocol's own counts that does not fit in a `u64`, named as a
    /// report says it: the votes for every choice, the ballots issued (early, in the station
    /// and outside) or found (mobile and stationary boxes), or valid + invalid ballots. `None`
    /// when every one fits, so that [`Protocol::issued`], [`Protocol::found`] and
    /// [`Protocol::choice_sum`] are exact.
    pub fn overflow(&self) -> Option<&'static str> {
        let too_big = |v: Option<u128>| v.is_some_and(|v| v > u128::from(u64::MAX));
        if too_big(Some(self.choice_sum_wide())) {
            Some("the votes for every choice")
        } else if too_big(self.issued_wide()) {
            Some("the ballots issued (early + in the station + outside)")
        } else if too_big(self.found_wide()) {
            Some("the ballots found (mobile + stationary boxes)")
        } else if too_big(sum_present(self, &[Line::Valid, Line::Invalid])) {
            Some("valid + invalid ballots")
        } else {
            None
        }
    }

    /// True when the protocol carries no line and no vote: a station that did not report.
    pub fn is_empty(&self) -> bool {
        self.lines.iter().all(Option::is_none) && self.votes.iter().all(|&v| v == 0)
    }
}

const ISSUED_PARTS: [Line; 3] = [
    Line::IssuedEarly,
    Line::IssuedInStation,
    Line::IssuedOutside,
];

const FOUND_PARTS: [Line; 2] = [Line::FoundMobile, Line::FoundStationary];

/// The sum of the lines present, exact (`None` if none is).
fn sum_present(p: &Protocol, lines: &[Line]) -> Option<u128> {
    let mut any = false;
    let mut sum = 0u128;
    for &l in lines {
        if let Some(v) = p.line(l) {
            any = true;
            sum += u128::from(v);
        }
    }
    any.then_some(sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_beyond_u64_are_reported_not_wrapped() {
        let mut p = Protocol::new(UnitId(1), 0, 2);
        p.votes = vec![u64::MAX, 1];
        assert_eq!(p.overflow(), Some("the votes for every choice"));
        assert_eq!(p.choice_sum_wide(), u128::from(u64::MAX) + 1);
        p.votes = vec![5, 6];
        p.set_line(Line::IssuedEarly, u64::MAX);
        p.set_line(Line::IssuedInStation, 2);
        assert_eq!(p.issued(), None);
        assert!(p.overflow().unwrap().starts_with("the ballots issued"));
        p.set_line(Line::IssuedTotal, 7);
        assert_eq!((p.issued(), p.overflow()), (Some(7), None));
        p.set_line(Line::Valid, u64::MAX);
        p.set_line(Line::Invalid, 1);
        assert_eq!(p.overflow(), Some("valid + invalid ballots"));
    }
}

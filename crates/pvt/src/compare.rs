//! One station's protocol as an observer copied it, against the commission's official
//! protocol of the same station. Three outcomes: they *match*; they *differ, superseded by a
//! correction* (the copy is an earlier official version, replaced by a later one, which cites
//! the decision that ordered it or is flagged as having none); or they *mismatch*. The lines
//! that differ from the official protocol in force are always listed.

use model::{Line, Protocol};
use serde::{Deserialize, Serialize};

use crate::frame::Counts;

/// A line whose copied and official values differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    /// The line: a protocol line's key (`registered`, `valid`, ...) or a choice's name.
    pub line: String,
    /// The observer's copy.
    pub copied: Option<u64>,
    /// The official protocol.
    pub official: Option<u64>,
}

/// What a station's comparison found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Outcome {
    /// The copy is the official protocol in force.
    Match,
    /// The copy is an earlier official version of the protocol, replaced by `version`.
    Superseded {
        /// The version in force.
        version: u32,
        /// The decision that ordered the correction (absent: a correction with no decision).
        decision: Option<String>,
    },
    /// The copy is no official version of the protocol.
    Mismatch,
}

/// One official version of a station's protocol.
#[derive(Debug, Clone, Copy)]
pub struct Official<'a> {
    /// Its version number.
    pub version: u32,
    /// The protocol.
    pub protocol: &'a Protocol,
    /// The decision that ordered it, for a correction.
    pub decision: Option<&'a str>,
}

/// A station's comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compared {
    /// What it found.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// The lines that differ from the official protocol in force.
    pub differences: Vec<Difference>,
    /// The official protocol's lines the copy does not have: not compared (a match is a
    /// match of the lines copied).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uncopied: Vec<String>,
    /// The copy's lines the official source does not give (a results file that carries
    /// fewer lines, such as a CDF report): not compared either.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unofficial: Vec<String>,
}

fn differ(line: String, copied: Option<u64>, official: Option<u64>) -> Option<Difference> {
    (copied != official).then_some(Difference {
        line,
        copied,
        official,
    })
}

/// The differing lines of two protocols of a contest with `choices`: every line both give
/// (a line the observer did not copy, or that the official source does not give, is not
/// compared), the ballots issued and found as totals where one side gives only their parts
/// or only the total, then every choice's votes.
pub fn protocols(choices: &[String], copied: &Protocol, official: &Protocol) -> Vec<Difference> {
    let lines = Line::ALL
        .iter()
        .filter_map(|&l| match (copied.line(l), official.line(l)) {
            (Some(c), Some(o)) => differ(l.key().to_string(), Some(c), Some(o)),
            _ => None,
        });
    let totals = [
        (Line::IssuedTotal, copied.issued(), official.issued()),
        (Line::FoundTotal, copied.found(), official.found()),
    ]
    .into_iter()
    .filter(|&(l, _, _)| copied.line(l).is_none() || official.line(l).is_none())
    .filter_map(|(l, c, o)| match (c, o) {
        (Some(c), Some(o)) => differ(l.key().to_string(), Some(c), Some(o)),
        _ => None,
    });
    lines
        .chain(totals)
        .chain(votes(choices, &copied.votes, &official.votes))
        .collect()
}

/// The choices whose votes differ.
fn votes<'a>(
    choices: &'a [String],
    copied: &'a [u64],
    official: &'a [u64],
) -> impl Iterator<Item = Difference> + 'a {
    choices.iter().enumerate().filter_map(|(k, name)| {
        differ(
            name.clone(),
            copied.get(k).copied(),
            official.get(k).copied(),
        )
    })
}

/// The differing counts of two stations' [`Counts`]: registered voters, ballots cast, then
/// every choice's votes.
pub fn counts(choices: &[String], copied: &Counts, official: &Counts) -> Vec<Difference> {
    let lines = [
        differ(
            "registered".into(),
            Some(copied.registered),
            Some(official.registered),
        ),
        differ(
            "ballots".into(),
            Some(copied.ballots),
            Some(official.ballots),
        ),
    ];
    lines
        .into_iter()
        .flatten()
        .chain(votes(choices, &copied.votes, &official.votes))
        .collect()
}

/// Compares a station's `copied` protocol with its official `versions`, oldest first (the
/// last is in force). `None` when there is no official version.
pub fn station(choices: &[String], copied: &Protocol, versions: &[Official]) -> Option<Compared> {
    let (current, earlier) = versions.split_last()?;
    let differences = protocols(choices, copied, current.protocol);
    let outcome = if differences.is_empty() {
        Outcome::Match
    } else if earlier
        .iter()
        .any(|v| protocols(choices, copied, v.protocol).is_empty())
    {
        Outcome::Superseded {
            version: current.version,
            decision: current.decision.map(str::to_string),
        }
    } else {
        Outcome::Mismatch
    };
    // A total the other side gives as its parts was compared as a total.
    let only = |a: &Protocol, b: &Protocol| -> Vec<String> {
        Line::ALL
            .iter()
            .filter(|&&l| a.line(l).is_some() && b.line(l).is_none())
            .filter(|&&l| match l {
                Line::IssuedTotal => b.issued().is_none(),
                Line::FoundTotal => b.found().is_none(),
                _ => true,
            })
            .map(|l| l.key().to_string())
            .collect()
    };
    Some(Compared {
        outcome,
        differences,
        uncopied: only(current.protocol, copied),
        unofficial: only(copied, current.protocol),
    })
}

/// A choice's (or turnout's) official share against the quick count's interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShareCheck {
    /// The choice, or "turnout".
    pub name: String,
    /// The official share over the stations of the strata the estimate covers, in percent.
    pub official_pct: f64,
    /// The quick count's estimate.
    pub estimate: crate::reports::Interval,
    /// The official share lies outside the 95% interval.
    pub outside_95: bool,
    /// ... and outside the 99% interval: the alarm.
    pub outside_99: bool,
}

/// Each estimate's official counterpart from `official` (the numerator and base summed over
/// the official stations of the strata the estimate covers, as `covered(station)` says).
pub fn shares(
    estimates: &crate::reports::Estimates,
    official: &crate::frame::Frame,
    covered: impl Fn(&crate::frame::FrameStation) -> bool,
) -> Vec<ShareCheck> {
    let mut sums = vec![(0u128, 0u128); official.choices.len() + 1];
    for s in official.stations.iter().filter(|s| covered(s)) {
        let c = &s.counts;
        sums[0].0 += u128::from(c.ballots);
        sums[0].1 += u128::from(c.registered);
        let valid = u128::from(c.valid());
        for (k, &v) in c.votes.iter().enumerate() {
            sums[k + 1].0 += u128::from(v);
            sums[k + 1].1 += valid;
        }
    }
    estimates
        .estimates
        .iter()
        .zip(&sums)
        .filter_map(|(e, &(a, m))| {
            let estimate = e.overall.clone()?;
            let official_pct = if m == 0 {
                0.0
            } else {
                100.0 * a as f64 / m as f64
            };
            let off = (official_pct - estimate.share_pct).abs();
            Some(ShareCheck {
                name: e.name.clone(),
                official_pct,
                outside_95: off > estimate.margin_95_pct,
                outside_99: off > estimate.margin_99_pct,
                estimate,
            })
        })
        .collect()
}

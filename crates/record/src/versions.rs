//! The official protocols of a commission's verified log, version by version: what a quick
//! count compares its observers' copies with. A station's versions are the log's protocol
//! entries of the contest in the legal count, up to the one the replay counts; a correction
//! cites the latest recount order (a `decision` entry) about the station or a unit above it
//! logged before it, or none.

use std::collections::BTreeMap;

use crate::{Decision, Entry};
use model::{CountSource, Election, Protocol, UnitId};

/// One official version of a station's protocol.
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    /// The log entry that holds it.
    pub entry: u64,
    /// The protocol.
    pub protocol: Protocol,
    /// For a correction: the entry of the recount order it answers.
    pub ordered_by: Option<u64>,
}

impl Version {
    /// For a correction, the recount order it answers, in words (as comparisons cite it).
    pub fn cited(&self) -> Option<String> {
        self.ordered_by
            .map(|j| format!("the recount ordered in entry {j}"))
    }
}

/// `copied` (an observer's copy, a posted protocol's code) against a station's official
/// `versions` (oldest first): `pvt::compare`'s match, superseded (citing the recount that
/// ordered the version in force) or mismatch; none without versions.
pub fn compare(
    choices: &[String],
    copied: &Protocol,
    versions: &[Version],
) -> Option<pvt::compare::Compared> {
    let cited: Vec<Option<String>> = versions.iter().map(Version::cited).collect();
    let official: Vec<pvt::compare::Official> = versions
        .iter()
        .zip(&cited)
        .map(|(v, d)| pvt::compare::Official {
            version: v.protocol.version,
            protocol: &v.protocol,
            decision: d.as_deref(),
        })
        .collect();
    pvt::compare::station(choices, copied, &official)
}

/// Each station's official versions of `contest` in `legal`, oldest first, from the log's
/// `entries` (decoded, with their indices, read once), ending with the version `counted` holds (the
/// replay's latest protocols); a station with no counted protocol has none.
pub fn versions(
    e: &Election,
    entries: impl IntoIterator<Item = (u64, Entry)>,
    contest: usize,
    legal: CountSource,
    counted: &[Protocol],
) -> BTreeMap<UnitId, Vec<Version>> {
    let last: BTreeMap<UnitId, u32> = counted
        .iter()
        .filter(|p| p.contest == contest)
        .map(|p| (p.station, p.version))
        .collect();
    let mut recounts: Vec<(u64, UnitId)> = Vec::new();
    let mut out: BTreeMap<UnitId, Vec<Version>> = BTreeMap::new();
    for (i, entry) in entries {
        match entry {
            Entry::Decision(Decision::Recount { unit, .. }) => recounts.push((i, unit)),
            Entry::Protocol(p) if p.contest == contest && p.source == legal => {
                let Some(&counted) = last.get(&p.station) else {
                    continue;
                };
                if p.version > counted {
                    continue;
                }
                let list = out.entry(p.station).or_default();
                // A version entered again replaces the earlier entry of it.
                list.retain(|v| v.protocol.version != p.version);
                let ordered_by = (!list.is_empty())
                    .then(|| {
                        recounts
                            .iter()
                            .rev()
                            .find(|(_, u)| e.units.is_within(p.station, *u))
                            .map(|(j, _)| *j)
                    })
                    .flatten();
                list.push(Version {
                    entry: i,
                    protocol: p,
                    ordered_by,
                });
            }
            _ => {}
        }
    }
    for list in out.values_mut() {
        list.sort_by_key(|v| v.protocol.version);
    }
    out
}

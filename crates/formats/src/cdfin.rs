//! Import from the NIST SP 1500-100 Election Results Reporting Common Data Format, version
//! 2, JSON binding: the precinct-level results of one election (what `cdf::write_cdf`
//! writes, and what other results systems publish in that format).
//!
//! The unit tree is the report's `ReportingUnit`s: the election's scope (`ElectionScopeId`)
//! is the country, a unit's `ComposingGpUnitIds` are its children, and a unit no other unit
//! composes hangs from the country. Levels follow `Type`: precincts, split or combined
//! precincts, polling places and vote centres are stations; states are regions;
//! congressional and state-legislature districts are constituencies; counties, cities,
//! municipalities, boroughs, towns, townships, villages, wards and councils are districts;
//! `other` takes its `OtherType` (region, constituency, district, station). A party contest
//! is a party-list contest, a candidate contest a single-member one, a ballot-measure
//! contest a referendum; a selection is named by its party's `Name`, its candidate's
//! `BallotName` or its `Selection`, in `SequenceOrder`. A station's votes are its
//! `VoteCounts` of `Type` `total`, or else the sum of its other counts (early, absentee,
//! election day...); its registered voters and ballots issued are its unit's
//! `VotersRegistered` and `VotersParticipated`, and its valid and invalid ballots come from
//! its contest's `SummaryCounts` (`BallotsCast` minus `BallotsRejected`, and
//! `BallotsRejected`). Counts above stations are not read: totals are recomputed.

use std::collections::{BTreeMap, HashMap};

use model::{
    Choice, ChoiceKind, Contest, ContestKind, Election, Line, Protocol, UnitId, UnitLevel, UnitTree,
};
use serde::Deserialize;

use crate::{FormatError, ImportOptions, Imported, Sink};

/// The `@type` of a report.
const REPORT: &str = "ElectionResults.ElectionReport";

#[derive(Deserialize)]
struct Report {
    #[serde(rename = "@type")]
    kind: String,
    #[serde(rename = "Election", default)]
    elections: Vec<ElectionDto>,
    #[serde(rename = "GpUnit", default)]
    units: Vec<UnitDto>,
    #[serde(rename = "Party", default)]
    parties: Vec<PartyDto>,
}

#[derive(Deserialize)]
struct ElectionDto {
    #[serde(rename = "Name")]
    name: Option<Text>,
    #[serde(rename = "StartDate")]
    start: Option<String>,
    #[serde(rename = "ElectionScopeId")]
    scope: String,
    #[serde(rename = "Candidate", default)]
    candidates: Vec<CandidateDto>,
    #[serde(rename = "Contest", default)]
    contests: Vec<ContestDto>,
}

#[derive(Deserialize)]
struct Text {
    #[serde(rename = "Text", default)]
    text: Vec<LanguageString>,
}

#[derive(Deserialize)]
struct LanguageString {
    #[serde(rename = "Content")]
    content: String,
}

impl Text {
    /// The first language's text.
    fn first(&self) -> Option<&str> {
        self.text.first().map(|t| t.content.as_str())
    }
}

#[derive(Deserialize)]
struct UnitDto {
    #[serde(rename = "@type")]
    kind: String,
    #[serde(rename = "@id")]
    id: String,
    #[serde(rename = "Name")]
    name: Option<String>,
    #[serde(rename = "Type")]
    unit_type: Option<String>,
    #[serde(rename = "OtherType")]
    other_type: Option<String>,
    #[serde(rename = "ComposingGpUnitIds", default)]
    children: Vec<String>,
    #[serde(rename = "VotersRegistered")]
    registered: Option<u64>,
    #[serde(rename = "VotersParticipated")]
    participated: Option<u64>,
}

#[derive(Deserialize)]
struct PartyDto {
    #[serde(rename = "@id")]
    id: String,
    #[serde(rename = "Name")]
    name: Option<Text>,
}

#[derive(Deserialize)]
struct CandidateDto {
    #[serde(rename = "@id")]
    id: String,
    #[serde(rename = "BallotName")]
    name: Text,
}

#[derive(Deserialize)]
struct ContestDto {
    #[serde(rename = "@type")]
    kind: String,
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "BallotSelection", default)]
    selections: Vec<SelectionDto>,
    #[serde(rename = "SummaryCounts", default)]
    summaries: Vec<SummaryDto>,
}

#[derive(Deserialize)]
struct SelectionDto {
    #[serde(rename = "PartyIds", default)]
    parties: Vec<String>,
    #[serde(rename = "CandidateIds", default)]
    candidates: Vec<String>,
    #[serde(rename = "Selection")]
    selection: Option<Text>,
    #[serde(rename = "SequenceOrder")]
    order: Option<u64>,
    #[serde(rename = "VoteCounts", default)]
    counts: Vec<CountDto>,
}

#[derive(Deserialize)]
struct CountDto {
    #[serde(rename = "GpUnitId")]
    unit: String,
    #[serde(rename = "Count")]
    count: u64,
    #[serde(rename = "Type")]
    count_type: Option<String>,
}

#[derive(Deserialize)]
struct SummaryDto {
    #[serde(rename = "GpUnitId")]
    unit: String,
    #[serde(rename = "BallotsCast")]
    cast: Option<u64>,
    #[serde(rename = "BallotsRejected")]
    rejected: Option<u64>,
    #[serde(rename = "Type")]
    count_type: Option<String>,
}

/// The level a reporting unit's `Type` (and `OtherType`) names.
fn level_of(unit_type: &str, other: Option<&str>) -> Option<UnitLevel> {
    Some(match unit_type {
        "precinct" | "split-precinct" | "combined-precinct" | "polling-place" | "vote-center" => {
            UnitLevel::Station
        }
        "state" => UnitLevel::Region,
        "congressional" | "state-house" | "state-senate" => UnitLevel::Constituency,
        "county" | "city" | "municipality" | "borough" | "town" | "township" | "village"
        | "ward" | "county-council" | "city-council" => UnitLevel::District,
        "other" => match UnitLevel::from_key(other?).ok()? {
            UnitLevel::Country => return None,
            l => l,
        },
        _ => return None,
    })
}

/// A count of one station: `total` if given, else the sum of the others (none: `None`).
#[derive(Default, Clone, Copy)]
struct Summed {
    total: Option<u64>,
    parts: Option<u64>,
}

impl Summed {
    /// Adds a count of `count_type`; `None` for a second total or a sum beyond 2^64 - 1.
    fn add(&mut self, count_type: Option<&str>, v: u64) -> Option<()> {
        match count_type {
            None | Some("total") => {
                if self.total.replace(v).is_some() {
                    return None;
                }
            }
            Some(_) => self.parts = Some(self.parts.unwrap_or(0).checked_add(v)?),
        }
        Some(())
    }

    fn value(self) -> Option<u64> {
        self.total.or(self.parts)
    }
}

/// Imports a CDF election report.
pub(crate) fn import(
    file: &str,
    bytes: &[u8],
    options: &ImportOptions,
    sink: &mut dyn Sink,
) -> Result<Imported, FormatError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let field =
        |path: String, message: String| FormatError::at(file, None, None, Some(&path), message);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let report: Report = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        crate::json::read_error(file, e.inner(), (path != ".").then_some(path.as_str()))
    })?;
    if report.kind != REPORT {
        return Err(field(
            "@type".into(),
            format!("is '{}', expected '{REPORT}'", report.kind),
        ));
    }
    let [e] = &report.elections[..] else {
        return Err(field(
            "Election".into(),
            format!(
                "{} elections: one report of one election is read",
                report.elections.len()
            ),
        ));
    };
    // The reporting units, by id; the tree from the scope down.
    let units: Vec<&UnitDto> = report
        .units
        .iter()
        .filter(|u| u.kind == "ElectionResults.ReportingUnit")
        .collect();
    let index: HashMap<&str, usize> = units
        .iter()
        .enumerate()
        .map(|(k, u)| (u.id.as_str(), k))
        .collect();
    let at_unit = |k: usize, f: &str| format!("GpUnit '{}'.{f}", units[k].id);
    if index.len() != units.len() {
        let mut seen = std::collections::HashSet::new();
        let k = (0..units.len())
            .find(|&k| !seen.insert(units[k].id.as_str()))
            .expect("a repeated id");
        return Err(field(
            at_unit(k, "@id"),
            "two reporting units have this id".into(),
        ));
    }
    let root = *index.get(e.scope.as_str()).ok_or_else(|| {
        field(
            "Election[0].ElectionScopeId".into(),
            format!("'{}' is not a reporting unit of the report", e.scope),
        )
    })?;
    let mut parent: Vec<Option<usize>> = vec![None; units.len()];
    for (k, u) in units.iter().enumerate() {
        for child in &u.children {
            let &c = index.get(child.as_str()).ok_or_else(|| {
                field(
                    at_unit(k, "ComposingGpUnitIds"),
                    format!("'{child}' is not a reporting unit of the report"),
                )
            })?;
            if c == root || parent[c].replace(k).is_some() {
                return Err(field(
                    at_unit(k, "ComposingGpUnitIds"),
                    format!("'{child}' is composed by two units, or is the election's scope"),
                ));
            }
        }
    }
    let country = options.country.clone().unwrap_or_else(|| {
        units[root]
            .name
            .clone()
            .unwrap_or_else(|| units[root].id.clone())
    });
    let mut election = Election::new(if options.name.is_empty() {
        e.name
            .as_ref()
            .and_then(Text::first)
            .unwrap_or(&units[root].id)
    } else {
        &options.name
    });
    if let Some(m) = crate::names::bad_name("country", &country) {
        return Err(field(at_unit(root, "Name"), m));
    }
    election.units = UnitTree::new(&country);
    election.date = options.date.clone().or_else(|| {
        e.start
            .as_deref()
            .map(|d| d.chars().take(10).collect::<String>())
            .filter(|d| model::check_date(d).is_ok())
    });
    election.law = options.law.clone();
    // Parents before children: from the scope, breadth first; a unit no one composes hangs
    // from the scope.
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); units.len()];
    for k in (0..units.len()).filter(|&k| k != root) {
        children[parent[k].unwrap_or(root)].push(k);
    }
    let mut ids: Vec<Option<UnitId>> = vec![None; units.len()];
    ids[root] = Some(election.units.root());
    let mut queue = std::collections::VecDeque::from([root]);
    while let Some(p) = queue.pop_front() {
        for &k in &children[p] {
            let u = units[k];
            let level = u
                .unit_type
                .as_deref()
                .and_then(|t| level_of(t, u.other_type.as_deref()))
                .ok_or_else(|| {
                    field(
                        at_unit(k, "Type"),
                        format!(
                            "'{}'{}: not a level of the unit tree (precinct, state, county, other with OtherType region, constituency, district or station...)",
                            u.unit_type.as_deref().unwrap_or("none"),
                            u.other_type
                                .as_deref()
                                .map_or(String::new(), |o| format!(" ('{o}')"))
                        ),
                    )
                })?;
            let name = u.name.as_deref().unwrap_or(&u.id);
            if let Some(m) = crate::names::bad_name(level.key(), name) {
                return Err(field(at_unit(k, "Name"), m));
            }
            let id = election
                .units
                .insert(ids[p].expect("a parent before its children"), level, name)
                .map_err(|x| field(at_unit(k, "Name"), x.to_string()))?;
            ids[k] = Some(id);
            queue.push_back(k);
        }
    }
    if let Some(k) = (0..units.len()).find(|&k| ids[k].is_none()) {
        return Err(field(
            at_unit(k, "ComposingGpUnitIds"),
            "composed in a cycle: no path to the election's scope".into(),
        ));
    }
    let station_of = |id: &str| {
        index
            .get(id)
            .and_then(|&k| ids[k])
            .filter(|&u| election.units.get(u).level == UnitLevel::Station)
    };
    let party: HashMap<&str, &PartyDto> =
        report.parties.iter().map(|p| (p.id.as_str(), p)).collect();
    let candidate: HashMap<&str, &CandidateDto> =
        e.candidates.iter().map(|c| (c.id.as_str(), c)).collect();
    // Each contest's choices, and each station's counts.
    let mut results: BTreeMap<(UnitId, usize), (Vec<Summed>, Summed, Summed)> = BTreeMap::new();
    for (ci, c) in e.contests.iter().enumerate() {
        let at = |f: String| format!("Election[0].Contest[{ci}].{f}");
        let (kind, choice_kind) = match c.kind.as_str() {
            "ElectionResults.PartyContest" => (ContestKind::PartyList, ChoiceKind::Party),
            "ElectionResults.CandidateContest" => {
                (ContestKind::SingleMember, ChoiceKind::Candidate)
            }
            "ElectionResults.BallotMeasureContest" => (ContestKind::Referendum, ChoiceKind::Answer),
            other => {
                return Err(field(
                    at("@type".into()),
                    format!("'{other}': a party, candidate or ballot-measure contest is read"),
                ))
            }
        };
        let mut order: Vec<usize> = (0..c.selections.len()).collect();
        order.sort_by_key(|&k| c.selections[k].order.unwrap_or(k as u64 + 1));
        let mut choices = Vec::new();
        for (slot, &k) in order.iter().enumerate() {
            let s = &c.selections[k];
            let name = match kind {
                ContestKind::PartyList => s
                    .parties
                    .first()
                    .and_then(|p| party.get(p.as_str()))
                    .and_then(|p| p.name.as_ref()?.first()),
                ContestKind::SingleMember => s
                    .candidates
                    .first()
                    .and_then(|c| candidate.get(c.as_str()))
                    .and_then(|c| c.name.first()),
                ContestKind::Referendum => s.selection.as_ref().and_then(Text::first),
            }
            .ok_or_else(|| {
                field(
                    at(format!("BallotSelection[{k}]")),
                    "names no party, candidate or selection the report gives".into(),
                )
            })?;
            if let Some(m) = crate::names::bad_name("choice", name) {
                return Err(field(at(format!("BallotSelection[{k}]")), m));
            }
            choices.push(Choice::new(name, choice_kind));
            for (j, n) in s.counts.iter().enumerate() {
                let Some(station) = station_of(&n.unit) else {
                    continue;
                };
                let r = results.entry((station, ci)).or_insert_with(|| {
                    (
                        vec![Summed::default(); c.selections.len()],
                        Summed::default(),
                        Summed::default(),
                    )
                });
                r.0[slot]
                    .add(n.count_type.as_deref(), n.count)
                    .ok_or_else(|| {
                        field(
                            at(format!("BallotSelection[{k}].VoteCounts[{j}]")),
                            "a second total for the station, or its counts add up beyond 2^64 - 1"
                                .into(),
                        )
                    })?;
            }
        }
        for (j, s) in c.summaries.iter().enumerate() {
            let Some(station) = station_of(&s.unit) else {
                continue;
            };
            if let Some(r) = results.get_mut(&(station, ci)) {
                let t = s.count_type.as_deref();
                let too_big = || {
                    field(
                        at(format!("SummaryCounts[{j}]")),
                        "a second total for the station, or its counts add up beyond 2^64 - 1"
                            .into(),
                    )
                };
                if let Some(v) = s.cast {
                    r.1.add(t, v).ok_or_else(too_big)?;
                }
                if let Some(v) = s.rejected {
                    r.2.add(t, v).ok_or_else(too_big)?;
                }
            }
        }
        if let Some(m) = crate::names::bad_name("contest", &c.name) {
            return Err(field(at("Name".into()), m));
        }
        election.contests.push(Contest::new(&c.name, kind, choices));
    }
    sink.begin(&election)
        .map_err(|x| crate::json::sink_error(file, x))?;
    let mut imported = Imported {
        rows: results.len() as u64,
        election,
        protocols: 0,
        not_reported: 0,
        warnings: Vec::new(),
        diagnostics: Vec::new(),
    };
    let unit_of: HashMap<UnitId, usize> = ids
        .iter()
        .enumerate()
        .filter_map(|(k, id)| Some(((*id)?, k)))
        .collect();
    for ((station, ci), (votes, cast, rejected)) in results {
        let u = units[unit_of[&station]];
        let mut p = Protocol::new(station, ci, 0);
        p.version = 1;
        p.source = options.source;
        p.votes = votes.iter().map(|v| v.value().unwrap_or(0)).collect();
        if let Some(v) = u.registered {
            p.set_line(Line::Registered, v);
        }
        if let Some(v) = u.participated {
            p.set_line(Line::IssuedTotal, v);
        }
        if let (Some(cast), Some(rejected)) = (cast.value(), rejected.value()) {
            let valid = cast.checked_sub(rejected).ok_or_else(|| {
                field(
                    format!("GpUnit '{}'", u.id),
                    format!("{rejected} ballots rejected of {cast} cast"),
                )
            })?;
            p.set_line(Line::Valid, valid);
            p.set_line(Line::Invalid, rejected);
        }
        let e = &imported.election;
        imported.diagnostics.extend(e.rules.check(e, &p));
        imported.protocols += 1;
        sink.protocol(&imported.election, &p)
            .map_err(|x| crate::json::sink_error(file, x))?;
    }
    sink.finish(&imported.election)
        .map_err(|x| crate::json::sink_error(file, x))?;
    Ok(imported)
}

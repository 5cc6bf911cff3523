//! Export to the NIST SP 1500-100 Election Results Reporting Common Data Format, version 2,
//! JSON binding (results subset), as defined by NIST's JSON schema
//! `NIST_V2_election_results_reporting.json` (usnistgov/ElectionResultsReporting).
//!
//! Mapping: every unit is an `ElectionResults.ReportingUnit` (`@id` `gpu-N`, N the unit id;
//! the country has `Type` `country`, stations `precinct`, the levels in between `other` with
//! `OtherType` region, constituency or district), with `VotersRegistered` and
//! `VotersParticipated` (ballots issued) and, above the stations, `ComposingGpUnitIds` (its
//! children: `cdfin` reads the tree back from them). A party-list contest is a `PartyContest` of
//! `PartySelection`s, a single-member contest a `CandidateContest` of `CandidateSelection`s,
//! a referendum a `BallotMeasureContest` of `BallotMeasureSelection`s. "Against all" is
//! exported as a party or candidate named as on the ballot, since the CDF has no such
//! selection. Each selection carries one `VoteCounts` (`Type` `total`) per unit with
//! results; each contest carries `SummaryCounts` per unit (`BallotsCast` = valid + invalid,
//! `BallotsRejected` = invalid). `Format` is `precinct-level`.
//!
//! The document is written as it is serialised, so that exporting a national election
//! does not build it in memory.

use std::cell::RefCell;
use std::io::Write;

use model::{ContestKind, Election, Line, Protocol, UnitId, UnitLevel};
use serde::{Serialize, Serializer};
use serde_json::{json, Map, Value};
use tabulate::{Tally, Totals};

use crate::FormatError;

/// The report's header fields that the election itself does not determine.
#[derive(Debug, Clone)]
pub struct CdfHeader {
    /// `Issuer`: who publishes the report.
    pub issuer: String,
    /// `IssuerAbbreviation`.
    pub issuer_abbreviation: String,
    /// `GeneratedDate`, an RFC 3339 date-time. Passed in so that the output is
    /// reproducible.
    pub generated: String,
    /// `Status`: one of certified, correction, pre-election, recount, unofficial-complete,
    /// unofficial-partial.
    pub status: String,
}

/// A sequence serialised lazily from an iterator, once.
struct Lazy<I>(RefCell<Option<I>>);

impl<I> Lazy<I> {
    fn new(i: I) -> Lazy<I> {
        Lazy(RefCell::new(Some(i)))
    }
}

impl<I: Iterator<Item = Value>> Serialize for Lazy<I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let it = self.0.borrow_mut().take();
        s.collect_seq(it.into_iter().flatten())
    }
}

type Values<'a> = Lazy<Box<dyn Iterator<Item = Value> + 'a>>;

#[derive(Serialize)]
struct Report<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "Format")]
    format: &'static str,
    #[serde(rename = "GeneratedDate")]
    generated: &'a str,
    #[serde(rename = "Issuer")]
    issuer: &'a str,
    #[serde(rename = "IssuerAbbreviation")]
    issuer_abbreviation: &'a str,
    #[serde(rename = "SequenceStart")]
    sequence_start: u32,
    #[serde(rename = "SequenceEnd")]
    sequence_end: u32,
    #[serde(rename = "Status")]
    status: &'a str,
    #[serde(rename = "VendorApplicationId")]
    vendor: String,
    #[serde(rename = "Election")]
    election: [ElectionObj<'a>; 1],
    #[serde(rename = "GpUnit")]
    gp_units: Values<'a>,
    #[serde(rename = "Party", skip_serializing_if = "Vec::is_empty")]
    parties: Vec<Value>,
}

#[derive(Serialize)]
struct ElectionObj<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "ElectionScopeId")]
    scope: String,
    #[serde(rename = "Name")]
    name: Value,
    #[serde(rename = "StartDate")]
    start: String,
    #[serde(rename = "EndDate")]
    end: String,
    #[serde(rename = "Type")]
    election_type: &'static str,
    #[serde(rename = "Candidate", skip_serializing_if = "Vec::is_empty")]
    candidates: Vec<Value>,
    #[serde(rename = "Contest")]
    contests: Vec<ContestObj<'a>>,
}

#[derive(Serialize)]
struct ContestObj<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "@id")]
    id: String,
    #[serde(rename = "ElectoralDistrictId")]
    district: String,
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "VotesAllowed", skip_serializing_if = "Option::is_none")]
    votes_allowed: Option<u32>,
    #[serde(rename = "BallotSelection")]
    selections: Vec<SelectionObj<'a>>,
    #[serde(rename = "SummaryCounts")]
    summary: Values<'a>,
}

#[derive(Serialize)]
struct SelectionObj<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "@id")]
    id: String,
    #[serde(flatten)]
    refs: Map<String, Value>,
    #[serde(rename = "SequenceOrder")]
    order: usize,
    #[serde(rename = "VoteCounts")]
    counts: Values<'a>,
}

fn text(s: &str) -> Value {
    json!({
        "@type": "ElectionResults.InternationalizedText",
        "Text": [{"@type": "ElectionResults.LanguageString", "Content": s, "Language": "und"}]
    })
}

fn gpu(id: UnitId) -> String {
    format!("gpu-{}", id.0)
}

/// One contest's results: the tally above the stations and the latest protocol per station.
pub struct ContestResults<'a> {
    /// The contest's index.
    pub contest: usize,
    /// Its tally.
    pub tally: &'a Tally,
    /// The latest protocol of each station, indexed by unit id.
    pub by_station: Vec<Option<&'a Protocol>>,
}

impl<'a> ContestResults<'a> {
    /// Indexes `protocols` (of any contests and versions) for `contest`.
    pub fn new(
        election: &Election,
        contest: usize,
        tally: &'a Tally,
        protocols: &'a [Protocol],
    ) -> ContestResults<'a> {
        let mine: Vec<&Protocol> = protocols.iter().filter(|p| p.contest == contest).collect();
        ContestResults {
            contest,
            tally,
            by_station: crate::tpcsv::latest_by_station(election, &mine),
        }
    }

    fn totals(&self, e: &Election, id: UnitId) -> Option<Totals> {
        if e.units.get(id).level == UnitLevel::Station {
            self.by_station
                .get(id.index())
                .copied()
                .flatten()
                .map(Totals::of_protocol)
        } else {
            self.tally.get(id).filter(|t| t.reporting > 0).cloned()
        }
    }
}

/// Writes the election's results in NIST SP 1500-100 CDF JSON.
pub fn write_cdf<W: Write>(
    out: W,
    election: &Election,
    results: &[ContestResults<'_>],
    header: &CdfHeader,
) -> Result<(), FormatError> {
    let e = election;
    let date = e
        .date
        .clone()
        .unwrap_or_else(|| header.generated.chars().take(10).collect());
    let mut parties = Vec::new();
    let mut candidates = Vec::new();
    let mut contests = Vec::new();
    for r in results {
        let Some(c) = e.contests.get(r.contest) else {
            continue;
        };
        let ci = r.contest;
        let mut selections = Vec::new();
        for (i, ch) in c.choices.iter().enumerate() {
            let id = format!("sel-{ci}-{i}");
            let mut refs = Map::new();
            let kind = match c.kind {
                ContestKind::PartyList => {
                    let pid = format!("party-{ci}-{i}");
                    parties.push(json!({"@type": "ElectionResults.Party", "@id": pid, "Name": text(&ch.name)}));
                    refs.insert("PartyIds".into(), json!([pid]));
                    "ElectionResults.PartySelection"
                }
                ContestKind::SingleMember => {
                    let cid = format!("cand-{ci}-{i}");
                    candidates.push(json!({"@type": "ElectionResults.Candidate", "@id": cid, "BallotName": text(&ch.name)}));
                    refs.insert("CandidateIds".into(), json!([cid]));
                    "ElectionResults.CandidateSelection"
                }
                ContestKind::Referendum => {
                    refs.insert("Selection".into(), text(&ch.name));
                    "ElectionResults.BallotMeasureSelection"
                }
            };
            let counts = e.units.iter().filter_map(move |(uid, _)| {
                let t = r.totals(e, uid)?;
                Some(json!({"@type": "ElectionResults.VoteCounts", "Count": t.votes[i], "GpUnitId": gpu(uid), "Type": "total"}))
            });
            selections.push(SelectionObj {
                kind,
                id,
                refs,
                order: i + 1,
                counts: Lazy::new(Box::new(counts)),
            });
        }
        let summary = e.units.iter().filter_map(move |(uid, _)| {
            let t = r.totals(e, uid)?;
            let mut m = Map::new();
            m.insert("@type".into(), json!("ElectionResults.SummaryCounts"));
            if let (Some(v), Some(inv)) = (t.line(Line::Valid), t.line(Line::Invalid)) {
                m.insert("BallotsCast".into(), json!(v + inv));
                m.insert("BallotsRejected".into(), json!(inv));
            }
            m.insert("GpUnitId".into(), json!(gpu(uid)));
            m.insert("Type".into(), json!("total"));
            Some(Value::Object(m))
        });
        contests.push(ContestObj {
            kind: match c.kind {
                ContestKind::PartyList => "ElectionResults.PartyContest",
                ContestKind::SingleMember => "ElectionResults.CandidateContest",
                ContestKind::Referendum => "ElectionResults.BallotMeasureContest",
            },
            id: format!("contest-{ci}"),
            district: gpu(e.units.root()),
            name: c.name.clone(),
            votes_allowed: (c.kind == ContestKind::SingleMember).then_some(1),
            selections,
            summary: Lazy::new(Box::new(summary)),
        });
    }
    let first = results.first();
    // Each unit's children, so that a reader rebuilds the tree (`ComposingGpUnitIds`).
    let mut children: Vec<Vec<UnitId>> = vec![Vec::new(); e.units.len()];
    for (id, u) in e.units.iter() {
        if let Some(p) = u.parent {
            children[p.index()].push(id);
        }
    }
    let gp_units = e.units.iter().map(move |(id, u)| {
        let mut m = Map::new();
        m.insert("@type".into(), json!("ElectionResults.ReportingUnit"));
        m.insert("@id".into(), json!(gpu(id)));
        m.insert("Name".into(), json!(u.name));
        let (t, other) = match u.level {
            UnitLevel::Country => ("country", None),
            UnitLevel::Station => ("precinct", None),
            l => ("other", Some(l.key())),
        };
        m.insert("Type".into(), json!(t));
        if let Some(o) = other {
            m.insert("OtherType".into(), json!(o));
        }
        if !children[id.index()].is_empty() {
            let ids: Vec<String> = children[id.index()].iter().map(|&c| gpu(c)).collect();
            m.insert("ComposingGpUnitIds".into(), json!(ids));
        }
        if let Some(tot) = first.and_then(|r| r.totals(e, id)) {
            if tot.turnout_registered > 0 {
                m.insert("VotersRegistered".into(), json!(tot.turnout_registered));
                m.insert("VotersParticipated".into(), json!(tot.turnout_issued));
            }
        }
        Value::Object(m)
    });
    let report = Report {
        kind: "ElectionResults.ElectionReport",
        format: "precinct-level",
        generated: &header.generated,
        issuer: &header.issuer,
        issuer_abbreviation: &header.issuer_abbreviation,
        sequence_start: 1,
        sequence_end: 1,
        status: &header.status,
        vendor: format!("tallyproof {}", env!("CARGO_PKG_VERSION")),
        election: [ElectionObj {
            kind: "ElectionResults.Election",
            scope: gpu(e.units.root()),
            name: text(&e.name),
            start: date.clone(),
            end: date,
            election_type: "general",
            candidates,
            contests,
        }],
        gp_units: Lazy::new(Box::new(gp_units)),
        parties,
    };
    let mut out = std::io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, &report).map_err(|e| FormatError::Write {
        what: "CDF JSON".into(),
        message: e.to_string(),
    })?;
    out.write_all(b"\n")
        .and_then(|()| out.flush())
        .map_err(|e| FormatError::Write {
            what: "CDF JSON".into(),
            message: e.to_string(),
        })
}

//! tallyproof election JSON (`"format": "tallyproof-election/1"`), specified in
//! `docs/formats.md`: the whole election in one document, lossless, with units listed
//! parents first and protocols referring to their station by unit id.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::Write;

use model::names::{shown, shown_within};
use model::{
    Choice, ChoiceKind, Contest, ContestKind, ControlRules, CountSource, Election, Line, Protocol,
    UnitId, UnitLevel, UnitTree,
};
use serde::{Deserialize, Serialize};

use crate::names::{bad_name, look_alikes, looks_like};
use crate::{FormatError, ImportOptions, Imported, Sink};

/// The value of the `format` field.
pub const JSON_FORMAT: &str = "tallyproof-election/1";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    format: String,
    election: ElectionDto,
    contests: Vec<ContestDto>,
    units: Vec<UnitDto>,
    protocols: Vec<ProtocolDto>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ElectionDto {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    country: String,
    rules: Vec<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ContestDto {
    name: String,
    kind: String,
    choices: Vec<ChoiceDto>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChoiceDto {
    name: String,
    kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ballot_number: Option<u32>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitDto {
    id: u32,
    parent: u32,
    level: String,
    name: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProtocolDto {
    station: u32,
    contest: usize,
    version: u32,
    source: String,
    lines: Lines,
    votes: Vec<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    extra: Vec<(String, u64)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    attributes: Vec<(String, serde_json::Value)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reference: Option<String>,
}

/// A protocol's lines by key. A key given twice is refused: a map would keep the last
/// one silently, and a file could show one count to a reader and import another.
#[derive(Serialize)]
#[serde(transparent)]
struct Lines(BTreeMap<String, u64>);

impl<'de> Deserialize<'de> for Lines {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Lines, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Lines;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of protocol line keys to counts")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<Lines, A::Error> {
                let mut lines = BTreeMap::new();
                while let Some((key, count)) = m.next_entry::<String, u64>()? {
                    if lines.contains_key(&key) {
                        return Err(serde::de::Error::custom(format!(
                            "protocol line '{}' is given twice",
                            shown(&key)
                        )));
                    }
                    lines.insert(key, count);
                }
                Ok(Lines(lines))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// Writes an election and its protocols as tallyproof JSON. Object keys come in a fixed
/// order, so the same election always gives the same bytes.
pub fn write_json<W: Write>(
    out: W,
    election: &Election,
    protocols: &[Protocol],
) -> Result<(), FormatError> {
    let doc = Doc {
        format: JSON_FORMAT.to_string(),
        election: ElectionDto {
            name: election.name.clone(),
            date: election.date.clone(),
            country: election.units.get(election.units.root()).name.to_string(),
            rules: election.rules.texts(),
        },
        contests: election
            .contests
            .iter()
            .map(|c| ContestDto {
                name: c.name.clone(),
                kind: c.kind.key().to_string(),
                choices: c
                    .choices
                    .iter()
                    .map(|ch| ChoiceDto {
                        name: ch.name.clone(),
                        kind: ch.kind.key().to_string(),
                        ballot_number: ch.ballot_number,
                    })
                    .collect(),
            })
            .collect(),
        units: election
            .units
            .iter()
            .filter_map(|(id, u)| {
                Some(UnitDto {
                    id: id.0,
                    parent: u.parent?.0,
                    level: u.level.key().to_string(),
                    name: u.name.to_string(),
                })
            })
            .collect(),
        protocols: protocols
            .iter()
            .map(|p| ProtocolDto {
                station: p.station.0,
                contest: p.contest,
                version: p.version,
                source: p.source.key().to_string(),
                lines: Lines(
                    Line::ALL
                        .iter()
                        .copied()
                        .filter_map(|l| Some((l.key().to_string(), p.line(l)?)))
                        .collect(),
                ),
                votes: p.votes.clone(),
                extra: p.extra.clone(),
                attributes: p
                    .attributes
                    .iter()
                    .map(|(n, v)| {
                        let value = serde_json::Number::from_f64(*v).map_or_else(
                            || serde_json::Value::String(format!("{v}")),
                            serde_json::Value::Number,
                        );
                        (n.clone(), value)
                    })
                    .collect(),
                reference: p.reference.clone(),
            })
            .collect(),
    };
    let mut out = out;
    serde_json::to_writer_pretty(&mut out, &doc)
        .and_then(|()| out.write_all(b"\n").map_err(serde_json::Error::io))
        .map_err(|e| FormatError::Write {
            what: "JSON".into(),
            message: e.to_string(),
        })
}

/// A JSON document that did not read as its type, at its line and column (and the field's
/// `path`, where known). The message (which may quote a string of the input, of any length)
/// is cut after a list of the expected fields would end, and says the place once.
pub(crate) fn read_error(file: &str, e: &serde_json::Error, path: Option<&str>) -> FormatError {
    let (line, col) = (e.line() as u64, e.column() as u64);
    let message = e.to_string();
    let message = message
        .strip_suffix(&format!(" at line {line} column {col}"))
        .unwrap_or(&message);
    FormatError::at(
        file,
        (line > 0).then_some(line),
        (col > 0).then_some(col),
        path,
        shown_within(message, 300),
    )
}

/// Imports a tallyproof JSON document.
pub(crate) fn import(
    file: &str,
    bytes: &[u8],
    options: &ImportOptions,
    sink: &mut dyn Sink,
) -> Result<Imported, FormatError> {
    // A byte-order mark, as Windows editors write one (RFC 8259 lets a parser ignore it).
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let doc: Doc = serde_json::from_slice(bytes).map_err(|e| read_error(file, &e, None))?;
    let field =
        |path: String, message: String| FormatError::at(file, None, None, Some(&path), message);
    let named = |path: String, what: &str, name: &str| match bad_name(what, name) {
        Some(message) => Err(field(path, message)),
        None => Ok(()),
    };
    if doc.format != JSON_FORMAT {
        return Err(field(
            "format".into(),
            format!("is '{}', expected '{JSON_FORMAT}'", doc.format),
        ));
    }
    let name = if options.name.is_empty() {
        named("election.name".into(), "election", &doc.election.name)?;
        &doc.election.name
    } else {
        &options.name
    };
    named("election.country".into(), "country", &doc.election.country)?;
    if let Some(date) = &doc.election.date {
        named("election.date".into(), "date", date)?;
        model::check_date(date).map_err(|e| field("election.date".into(), e.to_string()))?;
    }
    let mut election = Election::new(name);
    election.date = options.date.clone().or(doc.election.date.clone());
    election.law = options.law.clone();
    election.units = UnitTree::new(&doc.election.country);
    election.rules = ControlRules::parse(doc.election.rules.iter().map(String::as_str))
        .map_err(|e| field("election.rules".into(), e.to_string()))?;
    for (i, c) in doc.contests.iter().enumerate() {
        let kind = ContestKind::from_key(&c.kind)
            .map_err(|e| field(format!("contests[{i}].kind"), e.to_string()))?;
        named(format!("contests[{i}].name"), "contest", &c.name)?;
        let mut choices = Vec::new();
        for (j, ch) in c.choices.iter().enumerate() {
            named(
                format!("contests[{i}].choices[{j}].name"),
                "choice",
                &ch.name,
            )?;
            let kind = ChoiceKind::from_key(&ch.kind)
                .map_err(|e| field(format!("contests[{i}].choices[{j}].kind"), e.to_string()))?;
            choices.push(Choice {
                name: ch.name.clone(),
                kind,
                ballot_number: ch.ballot_number,
            });
        }
        if let Some((a, b)) = look_alikes(c.choices.iter().map(|ch| ch.name.as_str())) {
            let other = format!(
                "contests[{i}].choices[{a}] ('{}')",
                shown(&c.choices[a].name)
            );
            return Err(field(
                format!("contests[{i}].choices[{b}].name"),
                looks_like(&c.choices[b].name, &other),
            ));
        }
        election.contests.push(Contest::new(&c.name, kind, choices));
    }
    for (i, u) in doc.units.iter().enumerate() {
        let at = |f: &str| format!("units[{i}].{f}");
        if u.id as usize != i + 1 {
            return Err(field(
                at("id"),
                format!(
                    "is {}, expected {} (units are numbered 1, 2, ... in order)",
                    u.id,
                    i + 1
                ),
            ));
        }
        if u.parent >= u.id {
            return Err(field(
                at("parent"),
                format!("is {}: a parent must be listed before its child", u.parent),
            ));
        }
        let level = UnitLevel::from_key(&u.level).map_err(|e| field(at("level"), e.to_string()))?;
        named(at("name"), level.key(), &u.name)?;
        election
            .units
            .insert(UnitId(u.parent), level, &u.name)
            .map_err(|e| field(at("name"), e.to_string()))?;
    }
    sink.begin(&election).map_err(|e| sink_error(file, e))?;
    let mut imported = Imported {
        election,
        rows: doc.protocols.len() as u64,
        protocols: 0,
        not_reported: 0,
        warnings: Vec::new(),
        diagnostics: Vec::new(),
    };
    let mut seen = std::collections::HashSet::new();
    for (i, d) in doc.protocols.into_iter().enumerate() {
        let e = &imported.election;
        let at = |f: &str| format!("protocols[{i}].{f}");
        let station = UnitId(d.station);
        if e.units.len() <= station.index() || e.units.get(station).level != UnitLevel::Station {
            return Err(field(
                at("station"),
                format!("{} is not the id of a station unit", d.station),
            ));
        }
        let Some(contest) = e.contests.get(d.contest) else {
            return Err(field(
                at("contest"),
                format!("{} is not a contest index", d.contest),
            ));
        };
        if d.votes.len() != contest.choices.len() {
            return Err(field(
                at("votes"),
                format!(
                    "has {} counts, contest '{}' has {} choices",
                    d.votes.len(),
                    contest.name,
                    contest.choices.len()
                ),
            ));
        }
        if d.version == 0 || !seen.insert((d.station, d.contest, d.version)) {
            return Err(field(
                at("version"),
                format!(
                    "{} is zero or repeats a version of this station and contest",
                    d.version
                ),
            ));
        }
        let mut p = Protocol::new(station, d.contest, 0);
        p.version = d.version;
        p.source =
            CountSource::from_key(&d.source).map_err(|e| field(at("source"), e.to_string()))?;
        for (k, v) in d.lines.0 {
            let line = Line::from_key(&k).ok_or_else(|| {
                field(
                    at("lines"),
                    format!("unknown protocol line '{}'", shown(&k)),
                )
            })?;
            p.set_line(line, v);
        }
        p.votes = d.votes;
        let mut given = BTreeSet::new();
        for (n, _) in &d.extra {
            named(at("extra"), "count", n)?;
            if !given.insert(n) {
                return Err(field(
                    at("extra"),
                    format!("count '{}' is given twice", shown(n)),
                ));
            }
        }
        p.extra = d.extra;
        let mut given = BTreeSet::new();
        for (n, _) in &d.attributes {
            named(at("attributes"), "attribute", n)?;
            if !given.insert(n) {
                return Err(field(
                    at("attributes"),
                    format!("attribute '{}' is given twice", shown(n)),
                ));
            }
        }
        for (n, v) in d.attributes {
            let value = match &v {
                serde_json::Value::Number(x) => x.as_f64(),
                serde_json::Value::String(s) => s.parse().ok(),
                _ => None,
            }
            .ok_or_else(|| {
                field(
                    at("attributes"),
                    format!(
                        "'{}' is not a decimal: {}",
                        shown(&n),
                        shown(&v.to_string())
                    ),
                )
            })?;
            p.attributes.push((n, value));
        }
        if let Some(r) = &d.reference {
            named(at("reference"), "reference", r)?;
        }
        p.reference = d.reference;
        imported.diagnostics.extend(e.rules.check(e, &p));
        imported.protocols += 1;
        sink.protocol(&imported.election, &p)
            .map_err(|e| sink_error(file, e))?;
    }
    sink.finish(&imported.election)
        .map_err(|e| sink_error(file, e))?;
    Ok(imported)
}

pub(crate) fn sink_error(file: &str, e: crate::BoxError) -> FormatError {
    FormatError::Sink {
        at: crate::Location {
            file: file.to_string(),
            line: None,
            column: None,
            field: None,
        },
        error: e,
    }
}

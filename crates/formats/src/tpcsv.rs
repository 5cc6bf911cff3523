//! tallyproof station CSV, specified in `docs/formats.md`.
//!
//! One row per station. Unit columns `region`, `constituency`, `district` (each optional)
//! and `station`; protocol line columns by their keys (`registered`, `valid`, ...; an empty
//! cell is a line the protocol does not have); `source` (`manual` or `machine`) and
//! `reference`; choice columns `party:NAME`, `candidate:NAME`, `answer:NAME` and
//! `against_all` (or `against_all:NAME`); `extra:NAME` counts and `attr:NAME` decimals. A row
//! whose count cells are all empty is a station that did not report.

use std::collections::BTreeSet;
use std::io::Write;

use model::{Choice, ChoiceKind, ControlRules, Election, Line, Protocol, UnitLevel};

use crate::layout::{CountSyntax, Dialect, Layout, Target};
use crate::FormatError;

pub(crate) struct TallyproofCsv;

const UNIT_LEVELS: [UnitLevel; 4] = [
    UnitLevel::Region,
    UnitLevel::Constituency,
    UnitLevel::District,
    UnitLevel::Station,
];

impl Dialect for TallyproofCsv {
    fn layout(&self, file: &str, headers: &[String]) -> Result<Layout, FormatError> {
        let mut l = Layout::new(
            CountSyntax::Integer,
            ControlRules::standard(),
            "country",
            "contest",
        );
        for (i, h) in headers.iter().enumerate() {
            if let Some(level) = UNIT_LEVELS.into_iter().find(|u| u.key() == h) {
                l.targets.push(Target::Unit(level));
            } else if let Some(line) = Line::from_key(h) {
                l.targets.push(Target::Line(line));
            } else if h == "source" {
                l.targets.push(Target::Source);
            } else if h == "reference" {
                l.targets.push(Target::Reference);
            } else if h == "against_all" {
                l.choice(Choice::new("against all", ChoiceKind::AgainstAll));
            } else if let Some((prefix, name)) = h.split_once(':').filter(|(_, n)| !n.is_empty()) {
                match prefix {
                    "extra" => l.extra(name),
                    "attr" => l.attribute(name, name.ends_with("percent")),
                    _ => match ChoiceKind::from_key(prefix) {
                        Ok(kind) => l.choice(Choice::new(name, kind)),
                        Err(_) => return Err(unknown(file, i, h)),
                    },
                }
            } else {
                return Err(unknown(file, i, h));
            }
        }
        l.validate(
            file,
            headers,
            &[(Target::Unit(UnitLevel::Station), "station")],
        )?;
        Ok(l)
    }
}

fn unknown(file: &str, i: usize, h: &str) -> FormatError {
    FormatError::at(
        file,
        Some(1),
        Some(i as u64 + 1),
        Some(h),
        "unknown column: expected region, constituency, district, station, a protocol line \
         (registered, received, issued_early, ...), source, reference, or a choice \
         (party:NAME, candidate:NAME, answer:NAME, against_all), extra:NAME or attr:NAME",
    )
}

fn choice_header(c: &Choice) -> String {
    match c.kind {
        ChoiceKind::AgainstAll if c.name == "against all" => "against_all".to_string(),
        kind => format!("{}:{}", kind.key(), c.name),
    }
}

/// Writes tallyproof CSV rows for one contest, one station at a time.
pub struct CsvWriter<W: Write> {
    out: csv::Writer<W>,
    levels: Vec<UnitLevel>,
    lines: Vec<Line>,
    extra: Vec<String>,
    attributes: Vec<String>,
    reference: bool,
    row: Vec<String>,
}

/// The optional columns a CSV export carries.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    /// Protocol lines, in protocol order.
    pub lines: BTreeSet<Line>,
    /// Extra count names.
    pub extra: BTreeSet<String>,
    /// Attribute names.
    pub attributes: BTreeSet<String>,
    /// Whether to write the reference column.
    pub reference: bool,
}

impl Columns {
    /// The columns needed to hold every given protocol without loss.
    pub fn of<'p>(protocols: impl IntoIterator<Item = &'p Protocol>) -> Columns {
        let mut c = Columns::default();
        for p in protocols {
            c.lines
                .extend(Line::ALL.iter().copied().filter(|l| p.line(*l).is_some()));
            c.extra.extend(p.extra.iter().map(|(n, _)| n.clone()));
            c.attributes
                .extend(p.attributes.iter().map(|(n, _)| n.clone()));
            c.reference |= p.reference.is_some();
        }
        c
    }
}

impl<W: Write> CsvWriter<W> {
    /// Writes the header for `contest` of `election` with the given optional columns.
    pub fn new(
        out: W,
        election: &Election,
        contest: usize,
        columns: &Columns,
    ) -> Result<CsvWriter<W>, FormatError> {
        let levels: Vec<UnitLevel> = UNIT_LEVELS
            .into_iter()
            .filter(|l| *l == UnitLevel::Station || election.units.count_at(*l) > 0)
            .collect();
        let mut w = CsvWriter {
            out: csv::Writer::from_writer(out),
            levels,
            lines: columns.lines.iter().copied().collect(),
            extra: columns.extra.iter().cloned().collect(),
            attributes: columns.attributes.iter().cloned().collect(),
            reference: columns.reference,
            row: Vec::new(),
        };
        let mut header: Vec<String> = w.levels.iter().map(|l| l.key().to_string()).collect();
        header.push("source".into());
        header.extend(w.lines.iter().map(|l| l.key().to_string()));
        if let Some(c) = election.contests.get(contest) {
            header.extend(c.choices.iter().map(choice_header));
        }
        header.extend(w.extra.iter().map(|n| format!("extra:{n}")));
        header.extend(w.attributes.iter().map(|n| format!("attr:{n}")));
        if w.reference {
            header.push("reference".into());
        }
        w.write_row(&header)?;
        Ok(w)
    }

    fn write_row(&mut self, row: &[String]) -> Result<(), FormatError> {
        self.out.write_record(row).map_err(|e| FormatError::Write {
            what: "CSV".into(),
            message: e.to_string(),
        })
    }

    /// Writes one station: its protocol, or empty counts if it did not report.
    pub fn station(
        &mut self,
        election: &Election,
        station: model::UnitId,
        p: Option<&Protocol>,
    ) -> Result<(), FormatError> {
        let mut row = std::mem::take(&mut self.row);
        row.clear();
        let tree = &election.units;
        for &l in &self.levels {
            row.push(
                tree.ancestor_at(station, l)
                    .map(|u| tree.get(u).name.to_string())
                    .unwrap_or_default(),
            );
        }
        row.push(p.map(|p| p.source.key().to_string()).unwrap_or_default());
        let opt = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
        for &l in &self.lines {
            row.push(opt(p.and_then(|p| p.line(l))));
        }
        let choices = p.map_or_else(
            || election.contests.first().map_or(0, |c| c.choices.len()),
            |p| p.votes.len(),
        );
        for i in 0..choices {
            row.push(opt(p.map(|p| p.votes[i])));
        }
        for n in &self.extra {
            row.push(opt(p.and_then(|p| {
                p.extra.iter().find(|(m, _)| m == n).map(|(_, v)| *v)
            })));
        }
        for n in &self.attributes {
            row.push(
                p.and_then(|p| p.attributes.iter().find(|(m, _)| m == n))
                    .map(|(_, v)| format_decimal(*v))
                    .unwrap_or_default(),
            );
        }
        if self.reference {
            row.push(p.and_then(|p| p.reference.clone()).unwrap_or_default());
        }
        let r = self.write_row(&row);
        self.row = row;
        r
    }

    /// Flushes and returns the writer.
    pub fn finish(self) -> Result<W, FormatError> {
        self.out.into_inner().map_err(|e| FormatError::Write {
            what: "CSV".into(),
            message: e.to_string(),
        })
    }
}

/// A decimal as Rust's shortest round-trip form (`inf` for infinity).
pub(crate) fn format_decimal(v: f64) -> String {
    format!("{v}")
}

/// Writes every station of `election` for `contest`, with its latest protocol among
/// `protocols`, as tallyproof CSV.
pub fn write_csv<W: Write>(
    out: W,
    election: &Election,
    contest: usize,
    protocols: &[Protocol],
) -> Result<W, FormatError> {
    let mine: Vec<&Protocol> = protocols.iter().filter(|p| p.contest == contest).collect();
    let mut w = CsvWriter::new(out, election, contest, &Columns::of(mine.iter().copied()))?;
    let by_station = latest_by_station(election, &mine);
    for (id, u) in election.units.iter() {
        if u.level == UnitLevel::Station {
            w.station(election, id, by_station[id.index()])?;
        }
    }
    w.finish()
}

/// The latest version of each station's protocol, indexed by unit id.
pub(crate) fn latest_by_station<'p>(
    election: &Election,
    protocols: &[&'p Protocol],
) -> Vec<Option<&'p Protocol>> {
    let mut v: Vec<Option<&Protocol>> = vec![None; election.units.len()];
    for p in protocols {
        if let Some(slot) = v.get_mut(p.station.index()) {
            if slot.is_none_or(|q| q.version < p.version) {
                *slot = Some(p);
            }
        }
    }
    v
}

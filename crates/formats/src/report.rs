//! Results reports: the totals of one contest for the country and every unit at one level,
//! written as JSON or CSV (the CLI renders the same rows as a table).

use std::io::Write;

use model::{Election, Fraction, Line, Protocol, UnitId, UnitLevel, UnitTree};
use serde_json::{json, Map, Value};
use tabulate::{Filter, ShareBase, Tally, Totals};

use crate::FormatError;

/// How turnout is defined in every report.
pub const TURNOUT_DEFINITION: &str =
    "ballots issued (early + in the station + outside, or the single issued line) / registered voters, summed over counted stations that report both (turnout.stations says how many; it is the unit's turnout only when that is every counted station)";

/// One unit's row.
#[derive(Debug, Clone)]
pub struct Row {
    /// The unit.
    pub unit: UnitId,
    /// Its level.
    pub level: UnitLevel,
    /// Names from below the country down to the unit (empty for the country).
    pub path: Vec<String>,
    /// Its totals.
    pub totals: Totals,
}

/// What the input held, when the report was computed straight from a file.
#[derive(Debug, Clone, Default)]
pub struct InputSummary {
    /// Station rows read.
    pub rows: u64,
    /// Protocols counted.
    pub protocols: u64,
    /// Stations without counts.
    pub not_reported: u64,
    /// Control-relation errors.
    pub errors: u64,
    /// Control-relation and value warnings.
    pub warnings: u64,
}

/// A results report.
#[derive(Debug, Clone)]
pub struct Report {
    /// The election's name.
    pub election: String,
    /// The contest's name.
    pub contest: String,
    /// The choices' names, in ballot order.
    pub choices: Vec<String>,
    /// The level of the rows after the country's.
    pub level: UnitLevel,
    /// The country first, then every unit at `level` with stations, in tree order.
    pub rows: Vec<Row>,
    /// Present when read straight from a file.
    pub input: Option<InputSummary>,
}

impl Row {
    /// The row of `unit` with `totals`, its path from `tree`.
    pub fn of(tree: &UnitTree, unit: UnitId, totals: Totals) -> Row {
        Row {
            unit,
            level: tree.get(unit).level,
            path: tree
                .path_names(unit)
                .into_iter()
                .map(str::to_string)
                .collect(),
            totals,
        }
    }
}

impl Report {
    /// Builds the report of `tally` at `level`. Station rows need the latest protocol of
    /// each station, indexed by unit id, and the filter the tally was made with: a station it
    /// leaves out is shown as not counted.
    pub fn build(
        election: &Election,
        tally: &Tally,
        level: UnitLevel,
        stations: Option<(&[Option<&Protocol>], &Filter)>,
    ) -> Report {
        let tree = &election.units;
        let contest = election.contests.get(tally.contest);
        let mut report = Report {
            election: election.name.clone(),
            contest: contest.map(|c| c.name.clone()).unwrap_or_default(),
            choices: contest
                .map(|c| c.choices.iter().map(|c| c.name.clone()).collect())
                .unwrap_or_default(),
            level,
            rows: vec![Row::of(tree, tree.root(), tally.totals(tree.root()))],
            input: None,
        };
        match level {
            UnitLevel::Country => {}
            UnitLevel::Station => {
                let protocol = |id: UnitId| stations?.0.get(id.index()).copied().flatten();
                report.push_stations(tree, protocol, stations.map(|(_, f)| f), usize::MAX);
            }
            l => report.rows.extend(
                tally
                    .at_level(tree, l)
                    .map(|(id, t)| Row::of(tree, id, t.clone())),
            ),
        }
        report
    }

    /// Makes this a report by station: appends the rows of the first `limit` stations in tree
    /// order, each its own protocol's totals (`protocol`), or not counted where `filter`
    /// leaves it out (`Totals::of_station`); answers how many stations there are in all.
    pub fn push_stations<'p>(
        &mut self,
        tree: &UnitTree,
        protocol: impl Fn(UnitId) -> Option<&'p Protocol>,
        filter: Option<&Filter>,
        limit: usize,
    ) -> usize {
        self.level = UnitLevel::Station;
        let choices = self.choices.len();
        let mut all = 0;
        for (id, _) in tree.iter().filter(|(_, u)| u.level == UnitLevel::Station) {
            all += 1;
            if all <= limit {
                let counted = filter.is_none_or(|f| f.admits(tree, id));
                let totals = Totals::of_station(protocol(id), counted, choices);
                self.rows.push(Row::of(tree, id, totals));
            }
        }
        all
    }
}

fn pct(r: Option<Fraction>) -> Value {
    r.and_then(|r| r.percent(2).parse::<f64>().ok())
        .map_or(Value::Null, |v| json!(v))
}

/// Writes the report as JSON, keys in a fixed order.
pub fn write_report_json<W: Write>(mut out: W, r: &Report) -> Result<(), FormatError> {
    let units: Vec<Value> = r
        .rows
        .iter()
        .map(|row| {
            let t = &row.totals;
            let mut lines = Map::new();
            for &l in Line::ALL {
                if let Some(v) = t.line(l) {
                    lines.insert(l.key().into(), json!(v));
                }
            }
            let mut shares = Map::new();
            for &b in ShareBase::ALL {
                if t.base(b).is_some() {
                    let v: Vec<Value> = (0..t.votes.len()).map(|i| pct(t.share(i, b))).collect();
                    shares.insert(b.key().into(), json!(v));
                }
            }
            let leader = t
                .leader()
                .map_or(Value::Null, |i| json!({"choice": r.choices[i], "votes": t.votes[i]}));
            json!({
                "level": row.level.key(),
                "path": row.path,
                "stations": t.stations,
                "annulled": t.annulled,
                "reporting": t.reporting,
                "lines": lines,
                "turnout": {"issued": t.turnout_issued, "registered": t.turnout_registered, "stations": t.turnout_stations, "pct": pct(t.turnout())},
                "votes": t.votes,
                "shares_pct": shares,
                "leader": leader,
            })
        })
        .collect();
    let mut doc = json!({
        "election": r.election,
        "contest": r.contest,
        "by": r.level.key(),
        "definitions": {
            "turnout": TURNOUT_DEFINITION,
            "shares_pct": "100 * votes / base, rounded half up to 2 decimals; bases: valid, valid+invalid, registered, choices (sum of listed votes); a base is given only where every counted station reports its lines",
        },
        "choices": r.choices,
        "units": units,
    });
    if let Some(i) = &r.input {
        doc["input"] = json!({
            "rows": i.rows, "protocols": i.protocols, "not_reported": i.not_reported,
            "control_errors": i.errors, "warnings": i.warnings,
        });
    }
    serde_json::to_writer_pretty(&mut out, &doc).map_err(|e| FormatError::Write {
        what: "JSON".into(),
        message: e.to_string(),
    })?;
    out.write_all(b"\n").map_err(|e| FormatError::Write {
        what: "JSON".into(),
        message: e.to_string(),
    })
}

/// Writes the report as CSV: one row per unit, votes then shares of `base`.
pub fn write_report_csv<W: Write>(out: W, r: &Report, base: ShareBase) -> Result<(), FormatError> {
    let mut w = csv::Writer::from_writer(out);
    let err = |e: csv::Error| FormatError::Write {
        what: "CSV".into(),
        message: e.to_string(),
    };
    let mut header: Vec<String> = [
        "level",
        "unit",
        "stations",
        "annulled",
        "reporting",
        "registered",
        "issued",
        "turnout_pct",
        "turnout_stations",
        "valid",
        "invalid",
    ]
    .map(String::from)
    .to_vec();
    header.extend(r.choices.iter().cloned());
    header.extend(
        r.choices
            .iter()
            .map(|c| format!("{c} (% of {})", base.key())),
    );
    w.write_record(&header).map_err(err)?;
    for row in &r.rows {
        let t = &row.totals;
        let opt = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
        let mut rec = vec![
            row.level.key().to_string(),
            row.path.join(" / "),
            t.stations.to_string(),
            t.annulled.to_string(),
            t.reporting.to_string(),
            opt(t.line(Line::Registered)),
            t.turnout_issued.to_string(),
            t.turnout().map(|x| x.percent(2)).unwrap_or_default(),
            t.turnout_stations.to_string(),
            opt(t.line(Line::Valid)),
            opt(t.line(Line::Invalid)),
        ];
        rec.extend(t.votes.iter().map(u64::to_string));
        rec.extend(
            (0..t.votes.len()).map(|i| t.share(i, base).map(|s| s.percent(2)).unwrap_or_default()),
        );
        w.write_record(&rec).map_err(err)?;
    }
    w.flush().map_err(|e| FormatError::Write {
        what: "CSV".into(),
        message: e.to_string(),
    })
}

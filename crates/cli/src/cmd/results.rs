//! `tallyproof results`: totals from a file or from the store.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::ValueEnum;
use formats::report::{write_report_csv, write_report_json, InputSummary, Report};
use formats::Collect;
use model::{Election, Protocol, Severity, UnitId, UnitLevel};
use store::{SqliteStore, Store};
use tabulate::{tabulate, Filter, ShareBase};

use super::sinks::TallySink;
use super::DEFAULT_DB;
use crate::input::{self, FileArgs};
use crate::table;

/// A unit level on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LevelArg {
    Country,
    Region,
    Constituency,
    District,
    Station,
}

impl From<LevelArg> for UnitLevel {
    fn from(l: LevelArg) -> UnitLevel {
        match l {
            LevelArg::Country => UnitLevel::Country,
            LevelArg::Region => UnitLevel::Region,
            LevelArg::Constituency => UnitLevel::Constituency,
            LevelArg::District => UnitLevel::District,
            LevelArg::Station => UnitLevel::Station,
        }
    }
}

/// The denominator of shares.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum BaseArg {
    /// Valid ballots
    Valid,
    /// Valid plus invalid ballots
    #[value(name = "valid+invalid")]
    ValidPlusInvalid,
    /// Registered voters
    Registered,
    /// The sum of the listed choices' votes
    Choices,
}

impl From<BaseArg> for ShareBase {
    fn from(b: BaseArg) -> ShareBase {
        match b {
            BaseArg::Valid => ShareBase::Valid,
            BaseArg::ValidPlusInvalid => ShareBase::ValidPlusInvalid,
            BaseArg::Registered => ShareBase::Registered,
            BaseArg::Choices => ShareBase::Choices,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Read this results file directly instead of the store
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub input: FileArgs,
    /// The store file, when no FILE is given
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// The stored election (may be omitted when the store holds one)
    #[arg(long)]
    pub election: Option<String>,
    /// Which contest, by its position in the election (0 for the first)
    #[arg(long, default_value_t = 0)]
    pub contest_index: usize,
    /// Break the results down by this level (the country comes first)
    #[arg(long, value_enum, default_value = "country")]
    pub by: LevelArg,
    /// The base of the shares in the table and CSV (JSON gives every base)
    #[arg(long, value_enum, default_value = "valid")]
    pub base: BaseArg,
    /// Leave out the stations in or under this unit, given as its path `Region / District / Station`
    #[arg(long, value_name = "PATH")]
    pub exclude: Vec<String>,
    /// Print JSON
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV
    #[arg(long)]
    pub csv: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let level = UnitLevel::from(args.by);
    let report = match &args.file {
        Some(path) => from_file(path, &args, level)?,
        None => {
            let store = SqliteStore::open(&args.db)?;
            let name = election_name(&store, args.election.as_deref())?;
            let loaded = store.load(&name)?;
            report_of(&loaded.election, &loaded.protocols, &args, level)?
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        write_report_json(&mut out, &report)?;
    } else if args.csv {
        write_report_csv(&mut out, &report, args.base.into())?;
    } else {
        table::render(&mut out, &report, args.base.into())?;
    }
    out.flush().context("cannot write the results")?;
    Ok(ExitCode::SUCCESS)
}

/// The election to read: the one named, or the store's only one.
pub fn election_name(store: &SqliteStore, name: Option<&str>) -> anyhow::Result<String> {
    if let Some(n) = name {
        return Ok(n.to_string());
    }
    let all = store.elections()?;
    match all.as_slice() {
        [one] => Ok(one.name.clone()),
        [] => bail!("the store is empty: import a file first, or pass a FILE"),
        many => bail!(
            "the store holds {} elections; choose one with --election ({})",
            many.len(),
            many.iter()
                .map(|e| e.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn from_file(path: &PathBuf, args: &Args, level: UnitLevel) -> anyhow::Result<Report> {
    let input = input::read(path, &args.input)?;
    let summary = |im: &formats::Imported| {
        let errors = im
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count() as u64;
        InputSummary {
            rows: im.rows,
            protocols: im.protocols,
            not_reported: im.not_reported,
            errors,
            warnings: im.diagnostics.len() as u64 - errors + im.warnings.len() as u64,
        }
    };
    if !args.exclude.is_empty() || args.contest_index != 0 {
        let mut sink = Collect::default();
        let imported = input.import(&mut sink)?;
        let mut r = report_of(&imported.election, &sink.0, args, level)?;
        r.input = Some(summary(&imported));
        return Ok(r);
    }
    let mut sink = TallySink::new(
        level == UnitLevel::Station,
        input::progress(&format!("reading {}", input.display)),
    );
    let imported = input.import(&mut sink)?;
    sink.progress.finish_and_clear();
    let e = &imported.election;
    let tally = sink
        .tabulator
        .take()
        .context("the file had no contest")?
        .finish(&e.units);
    let mut by_station: Vec<Option<&Protocol>> = vec![None; e.units.len()];
    for p in &sink.protocols {
        by_station[p.station.index()] = Some(p);
    }
    let mut r = Report::build(e, &tally, level, Some(&by_station));
    r.input = Some(summary(&imported));
    Ok(r)
}

/// Tabulates protocols (latest versions) into a report, honouring `--exclude`.
fn report_of(
    e: &Election,
    protocols: &[Protocol],
    args: &Args,
    level: UnitLevel,
) -> anyhow::Result<Report> {
    if args.contest_index >= e.contests.len() {
        bail!(
            "election '{}' has {} contest(s); --contest {} does not exist",
            e.name,
            e.contests.len(),
            args.contest_index
        );
    }
    let excluded = args
        .exclude
        .iter()
        .map(|p| resolve(e, p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let tally = tabulate(
        e,
        args.contest_index,
        protocols,
        Filter::excluding(excluded),
    );
    let mut by_station: Vec<Option<&Protocol>> = vec![None; e.units.len()];
    for p in protocols.iter().filter(|p| p.contest == args.contest_index) {
        by_station[p.station.index()] = Some(p);
    }
    Ok(Report::build(e, &tally, level, Some(&by_station)))
}

/// Finds a unit by its path of names below the country, `A / B / C`.
pub fn resolve(e: &Election, path: &str) -> anyhow::Result<UnitId> {
    let mut cur = e.units.root();
    for name in path.split(" / ").map(str::trim) {
        cur = e.units.child(cur, name).with_context(|| {
            format!(
                "no unit '{name}' under '{}' (paths look like 'Region / District / Station')",
                e.units.path(cur)
            )
        })?;
    }
    Ok(cur)
}

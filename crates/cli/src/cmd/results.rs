//! `tallyproof results`: totals from a file or from the store.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::ValueEnum;
use formats::report::{write_report_csv, write_report_json, Report};
use model::{Election, Protocol, UnitId, UnitLevel};
use tabulate::{tabulate, Filter, ShareBase};

use super::sinks::TallySink;
use super::{summary, SourceArgs};
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
    #[command(flatten)]
    pub source: SourceArgs,
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
    let streaming =
        args.source.file.is_some() && args.exclude.is_empty() && args.contest_index == 0;
    let report = match &args.source.file {
        Some(path) if streaming => stream_file(path, &args.source.input, level)?,
        _ => {
            let loaded = args.source.load()?;
            let mut r = report_of(&loaded.election, &loaded.protocols, &args, level)?;
            r.input = loaded.input;
            r
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

/// Tabulates a file as it streams, keeping station protocols only for `--by station`.
fn stream_file(path: &PathBuf, file_args: &FileArgs, level: UnitLevel) -> anyhow::Result<Report> {
    let input = input::read(path, file_args)?;
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
    let none = Filter::default();
    let mut r = Report::build(e, &tally, level, Some((&by_station, &none)));
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
    let filter = Filter::excluding(excluded);
    let tally = tabulate(e, args.contest_index, protocols, filter.clone())?;
    let mut by_station: Vec<Option<&Protocol>> = vec![None; e.units.len()];
    for p in protocols.iter().filter(|p| p.contest == args.contest_index) {
        by_station[p.station.index()] = Some(p);
    }
    Ok(Report::build(
        e,
        &tally,
        level,
        Some((&by_station, &filter)),
    ))
}

/// Finds a unit by its path of names below the country, `A / B / C`.
pub fn resolve(e: &Election, path: &str) -> anyhow::Result<UnitId> {
    Ok(e.units.resolve(path)?)
}

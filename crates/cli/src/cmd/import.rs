//! `tallyproof import`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use model::Severity;
use store::{SqliteStore, Store};

use super::sinks::StoreSink;
use super::DbArgs;
use crate::input::{self, FileArgs};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The results file
    pub file: PathBuf,
    #[command(flatten)]
    pub input: FileArgs,
    #[command(flatten)]
    pub db: DbArgs,
    /// The law preset the election is held under: kg2010, kg2015, kg2020 or kg2021 (its seats
    /// and legal count follow from it). Default: kg2020 for --format kg2020 (the CEC's files of
    /// 4 October 2020), none for the other formats
    #[arg(long, value_parser = law_arg)]
    pub law: Option<String>,
    /// The date of the vote, YYYY-MM-DD. Default: 2020-10-04 for --format kg2020, the file's
    /// for --format json, none for the other formats
    #[arg(long, value_parser = date_arg)]
    pub date: Option<String>,
}

/// A law preset's key, checked at once (`seats::preset`).
fn law_arg(key: &str) -> Result<String, String> {
    record::check_law(key)
        .map(|()| key.to_string())
        .map_err(|e| e.to_string())
}

/// A calendar date, checked at once (`model::check_date`).
fn date_arg(text: &str) -> Result<String, String> {
    model::check_date(text)
        .map(|()| text.to_string())
        .map_err(|e| e.to_string())
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut input = input::read(&args.file, &args.input)?;
    input.options.law = args.law;
    input.options.date = args.date;
    let mut store = crate::cmd::open_store(&args.db.db)?;
    let summary = import_into(&mut store, &input)?;
    println!("{summary}");
    Ok(ExitCode::SUCCESS)
}

/// Imports `input` into `store` in one transaction and describes what was imported.
pub fn import_into(store: &mut SqliteStore, input: &input::Input) -> anyhow::Result<String> {
    let progress = input::progress(&format!("importing {}", input.display));
    let tx = store.import()?;
    let mut sink = StoreSink {
        import: tx,
        source: format!("{} ({})", input.display, input.format.key()),
        progress,
    };
    let imported = input.import(&mut sink)?;
    sink.progress.finish_and_clear();
    sink.import
        .commit(&imported.election)
        .context("cannot commit the import")?;
    let e = &imported.election;
    let errors = imported
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    Ok(format!(
        "imported '{}' from {} ({}): {} stations ({} did not report), {} protocols, {} control-relation errors, {} warnings; law {}, date {}",
        e.name,
        input.display,
        input.format.key(),
        e.units.count_at(model::UnitLevel::Station),
        imported.not_reported,
        imported.protocols,
        errors,
        imported.diagnostics.len() - errors + imported.warnings.len(),
        e.law.as_deref().unwrap_or("none"),
        e.date.as_deref().unwrap_or("unknown"),
    ))
}

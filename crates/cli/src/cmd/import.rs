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
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let input = input::read(&args.file, &args.input)?;
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
        "imported '{}' from {} ({}): {} stations ({} did not report), {} protocols, {} control-relation errors, {} warnings",
        e.name,
        input.display,
        input.format.key(),
        e.units.count_at(model::UnitLevel::Station),
        imported.not_reported,
        imported.protocols,
        errors,
        imported.diagnostics.len() - errors + imported.warnings.len(),
    ))
}

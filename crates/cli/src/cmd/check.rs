//! `tallyproof check`: the validation report of a file.

use std::path::PathBuf;
use std::process::ExitCode;

use model::Severity;
use serde_json::json;

use super::sinks::TallySink;
use crate::input::{self, FileArgs};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The results file
    pub file: PathBuf,
    #[command(flatten)]
    pub input: FileArgs,
    /// Print the report as JSON
    #[arg(long)]
    pub json: bool,
    /// Print at most this many diagnostics (all with --json)
    #[arg(long, default_value_t = 50)]
    pub max: usize,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let input = input::read(&args.file, &args.input)?;
    let mut sink = TallySink::new(
        false,
        input::progress(&format!("checking {}", input.display)),
    );
    let imported = input.import(&mut sink)?;
    sink.progress.finish_and_clear();
    let errors = imported
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = imported.diagnostics.len() - errors;
    if args.json {
        let doc = json!({
            "file": input.display,
            "format": input.format.key(),
            "rows": imported.rows,
            "protocols": imported.protocols,
            "not_reported": imported.not_reported,
            "rules": imported.election.rules.texts(),
            "control_errors": errors,
            "control_warnings": warnings,
            "value_warnings": imported.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "diagnostics": imported.diagnostics.iter().map(|d| json!({
                "severity": d.severity.key(), "station": d.station_path, "contest": d.contest,
                "version": d.version, "rule": d.rule, "detail": d.detail,
            })).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        println!(
            "{}: {} format, {} rows, {} protocols, {} stations did not report",
            input.display,
            input.format.key(),
            imported.rows,
            imported.protocols,
            imported.not_reported
        );
        println!("control relations declared for this format:");
        for r in imported.election.rules.texts() {
            println!("  {r}");
        }
        for w in imported.warnings.iter().take(args.max) {
            println!("{w}");
        }
        for d in imported.diagnostics.iter().take(args.max) {
            println!("{d}");
        }
        let shown =
            imported.warnings.len().min(args.max) + imported.diagnostics.len().min(args.max);
        let total = imported.warnings.len() + imported.diagnostics.len();
        if shown < total {
            println!("... {} more (use --max or --json)", total - shown);
        }
        println!(
            "summary: {errors} control-relation errors, {warnings} control-relation warnings, {} value warnings",
            imported.warnings.len()
        );
    }
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

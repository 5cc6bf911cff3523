//! `tallyproof export`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::ValueEnum;
use formats::cdf::{write_cdf, CdfHeader, ContestResults};
use formats::{write_csv, write_json};
use model::{Election, Protocol};
use tabulate::{tabulate, Filter};

use super::SourceArgs;

/// Output formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ToArg {
    /// tallyproof station CSV (first contest, latest versions)
    Csv,
    /// tallyproof election JSON (every contest and every protocol version)
    Json,
    /// NIST SP 1500-100 Election Results CDF, JSON, precinct level
    Cdf,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub source: SourceArgs,
    /// The output format
    #[arg(long, value_enum)]
    pub to: ToArg,
    /// Write here instead of standard output
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// CDF: the issuer
    #[arg(long, default_value = "tallyproof")]
    pub issuer: String,
    /// CDF: GeneratedDate (RFC 3339); default: the election date at midnight UTC, so that the output is reproducible
    #[arg(long)]
    pub generated: Option<String>,
    /// CDF: Status (certified, correction, pre-election, recount, unofficial-complete, unofficial-partial)
    #[arg(long, default_value = "unofficial-complete")]
    pub status: String,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let loaded = args.source.load()?;
    let (election, protocols) = (loaded.election, loaded.protocols);
    let mut out: Box<dyn Write> = match &args.output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    write(&mut out, &election, &protocols, &args)?;
    out.flush().context("cannot write the export")?;
    Ok(ExitCode::SUCCESS)
}

fn write(
    out: &mut dyn Write,
    e: &Election,
    protocols: &[Protocol],
    args: &Args,
) -> anyhow::Result<()> {
    match args.to {
        ToArg::Csv => {
            write_csv(out, e, 0, protocols)?;
        }
        ToArg::Json => write_json(out, e, protocols)?,
        ToArg::Cdf => {
            let tallies: Vec<tabulate::Tally> = (0..e.contests.len())
                .map(|c| {
                    tabulate(
                        e,
                        c,
                        protocols.iter().filter(|p| p.contest == c),
                        Filter::default(),
                    )
                })
                .collect::<Result<_, _>>()?;
            let results: Vec<_> = tallies
                .iter()
                .enumerate()
                .map(|(c, t)| ContestResults::new(e, c, t, protocols))
                .collect();
            let generated = args.generated.clone().unwrap_or_else(|| {
                format!(
                    "{}T00:00:00Z",
                    e.date.clone().unwrap_or_else(|| "1970-01-01".into())
                )
            });
            let header = CdfHeader {
                issuer: args.issuer.clone(),
                issuer_abbreviation: args.issuer.clone(),
                generated,
                status: args.status.clone(),
            };
            write_cdf(out, e, &results, &header)?;
        }
    }
    Ok(())
}

//! `tallyproof gen`: a synthetic election as tallyproof CSV, with its true totals.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use formats::{Columns, CsvWriter};
use model::UnitLevel;
use serde_json::json;
use synth::{generate, Params};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Polling stations
    #[arg(long, default_value_t = 2_500)]
    pub stations: u64,
    /// Parties
    #[arg(long, default_value_t = 16)]
    pub parties: usize,
    /// Regions
    #[arg(long, default_value_t = 9)]
    pub regions: usize,
    /// Stations per district (about)
    #[arg(long, default_value_t = 100)]
    pub stations_per_district: u64,
    /// The random seed: the same seed gives the same file, byte for byte
    #[arg(long, default_value_t = 2020)]
    pub seed: u64,
    /// The CSV to write
    #[arg(short, long)]
    pub output: PathBuf,
    /// Where to write the generator's own totals per unit (JSON)
    #[arg(long, conflicts_with = "stuff")]
    pub truth: Option<PathBuf>,
    /// Stuff ballots at this share of the stations (0 to 1: turnout raised to a round
    /// percentage, the extra ballots all for the national leader; `synth::fraud`), so that the
    /// forensic tests have something to find; the stuffed stations are listed on standard
    /// error
    #[arg(long)]
    pub stuff: Option<f64>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let params = Params {
        stations: args.stations,
        parties: args.parties,
        regions: args.regions,
        stations_per_district: args.stations_per_district,
        seed: args.seed,
    };
    let mut file = Some(
        std::fs::File::create(&args.output)
            .with_context(|| format!("cannot create {}", args.output.display()))?,
    );
    let columns = Columns {
        lines: synth::LINES.into_iter().collect(),
        ..Columns::default()
    };
    let progress = indicatif::ProgressBar::new(args.stations);
    let mut writer = None;
    let mut failure = None;
    // With stuffing, the protocols are kept and written once stuffed.
    let mut kept: Vec<model::Protocol> = Vec::new();
    let (election, truth) = generate(&params, |e, p| {
        if failure.is_some() {
            return;
        }
        if args.stuff.is_some() {
            kept.push(p);
            progress.inc(1);
            return;
        }
        if let Some(f) = file.take() {
            match CsvWriter::new(std::io::BufWriter::new(f), e, 0, &columns) {
                Ok(w) => writer = Some(w),
                Err(err) => failure = Some(err),
            }
        }
        if let Some(w) = &mut writer {
            if let Err(err) = w.station(e, p.station, Some(&p)) {
                failure = Some(err);
            }
        }
        progress.inc(1);
    })?;
    progress.finish_and_clear();
    if let Some(share) = args.stuff {
        // The extra ballots go to the national leader, as the forensic tests look for.
        let votes = truth
            .0
            .get(election.units.root().index())
            .and_then(|t| t.as_ref())
            .map(|t| t.votes.clone())
            .unwrap_or_default();
        let leader = (0..votes.len())
            .max_by_key(|&i| (votes[i], std::cmp::Reverse(i)))
            .unwrap_or(0);
        let stuffed = synth::fraud::stuff(
            &mut kept,
            &synth::fraud::Stuffing {
                share,
                leader,
                seed: args.seed,
            },
        );
        if let Some(f) = file.take() {
            let mut w = CsvWriter::new(std::io::BufWriter::new(f), &election, 0, &columns)?;
            for p in &kept {
                w.station(&election, p.station, Some(p))?;
            }
            w.finish()?.flush().context("cannot write the CSV")?;
        }
        for &i in &stuffed {
            eprintln!("stuffed: {}", election.units.path(kept[i].station));
        }
    }
    if let Some(err) = failure {
        return Err(err.into());
    }
    if let Some(w) = writer {
        w.finish()?.flush().context("cannot write the CSV")?;
    }
    if let Some(path) = &args.truth {
        let units: Vec<_> = election
            .units
            .iter()
            .filter(|(_, u)| u.level != UnitLevel::Station)
            .filter_map(|(id, u)| {
                let t = truth.0.get(id.index())?.as_ref()?;
                Some(json!({
                    "level": u.level.key(), "path": election.units.path_names(id), "stations": t.stations,
                    "registered": t.registered, "issued": t.issued, "invalid": t.invalid, "valid": t.valid, "votes": t.votes,
                }))
            })
            .collect();
        let doc = json!({
            "generator": "tallyproof gen",
            "params": {"stations": params.stations, "parties": params.parties, "regions": params.regions,
                       "stations_per_district": params.stations_per_district, "seed": params.seed},
            "units": units,
        });
        let mut f = std::fs::File::create(path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        serde_json::to_writer_pretty(&mut f, &doc)?;
        f.write_all(b"\n")?;
    }
    eprintln!(
        "wrote {} stations x {} parties in {} regions to {} (seed {})",
        params.stations,
        params.parties,
        params.regions,
        args.output.display(),
        params.seed
    );
    Ok(ExitCode::SUCCESS)
}

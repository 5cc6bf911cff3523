//! `tallyproof forensics ...`: station-level anomaly tests on a file or a stored election.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Subcommand;
use forensics::montecarlo::Options;
use forensics::{IntegerPercentage, NullSummary};

use super::SourceArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: ForensicsCommand,
}

#[derive(Debug, Subcommand)]
pub enum ForensicsCommand {
    /// Kobak et al. (2016): an excess of stations whose turnout or leader result is a whole
    /// percentage, against an exact null and the published Monte Carlo
    IntegerPercent(IntegerArgs),
}

#[derive(Debug, clap::Args)]
pub struct IntegerArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Which contest, by its position in the election (0 for the first)
    #[arg(long, default_value_t = 0)]
    pub contest_index: usize,
    /// The leader (part of a choice's name); default: the choice with the most votes
    #[arg(long)]
    pub leader: Option<String>,
    /// Monte Carlo replicates (0 runs the exact null only)
    #[arg(long, default_value_t = 1000)]
    pub replicates: u32,
    /// The Monte Carlo seed (the same seed gives the same replicates on any number of threads)
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Threads (default: all cores)
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        ForensicsCommand::IntegerPercent(a) => integer_percent(a),
    }
}

fn integer_percent(a: IntegerArgs) -> anyhow::Result<ExitCode> {
    let t0 = Instant::now();
    let loaded = a.source.load()?;
    let parsed = t0.elapsed();
    let sample = forensics::station::sample(
        &loaded.election,
        a.contest_index,
        &loaded.protocols,
        a.leader.as_deref(),
    )?;
    let threads = a.threads.unwrap_or_else(forensics::default_threads).max(1);
    let mc = (a.replicates > 0).then_some(Options {
        replicates: a.replicates,
        seed: a.seed,
        threads,
    });
    let t1 = Instant::now();
    let observed = forensics::observe(&sample)?;
    let kept = &observed.filtered.kept;
    let exact = forensics::exact::null(kept, &observed.observed, threads);
    let t_exact = t1.elapsed();
    let t2 = Instant::now();
    let monte_carlo = match mc {
        Some(o) => Some(forensics::montecarlo::null(kept, &observed.observed, &o)?),
        None => None,
    };
    let t_mc = t2.elapsed();
    let r = IntegerPercentage {
        turnout: forensics::distribution::turnout(&sample.stations),
        observed,
        exact,
        monte_carlo,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if a.json {
        serde_json::to_writer_pretty(&mut out, &r)?;
        writeln!(out)?;
    } else {
        render(&mut out, &loaded.election.name, &r)?;
    }
    out.flush().context("cannot write the result")?;
    eprintln!(
        "read in {:.2} s; filters and exact null in {:.1} ms; Monte Carlo in {:.1} ms; {threads} thread(s)",
        parsed.as_secs_f64(),
        t_exact.as_secs_f64() * 1e3,
        t_mc.as_secs_f64() * 1e3
    );
    Ok(ExitCode::SUCCESS)
}

fn render(out: &mut dyn Write, name: &str, r: &IntegerPercentage) -> std::io::Result<()> {
    let o = &r.observed;
    let f = &o.filtered;
    writeln!(
        out,
        "Integer-percentage test (Kobak, Shpilkin & Pshenichnikov 2016): {name}"
    )?;
    writeln!(out, "leader: {}", o.leader)?;
    writeln!(
        out,
        "stations used: {} (left out: {} without the needed lines, {} with no ballots found, \
         {} with fewer than 100 voters, {} above 99% turnout, {} with the leader above 99%)",
        o.stations_used, o.incomplete, f.no_ballots, f.small, f.turnout_above_99, f.leader_above_99
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "{:<22} {:>9} {:>10} {:>9} {:>7} {:>8} {:>10}",
        "integer in", "observed", "expected", "excess", "sd", "line999", "p"
    )?;
    let mut row = |label: &str, s: &NullSummary| {
        let p = if s.p_value_is_bound {
            format!("<{:.1e}", s.p_value)
        } else {
            format!("{:.2e}", s.p_value)
        };
        writeln!(
            out,
            "{label:<22} {:>9} {:>10.1} {:>9.1} {:>7.1} {:>8.1} {:>10}",
            s.observed, s.expected, s.excess, s.sd, s.line999, p
        )
    };
    row("leader (exact)", &r.exact.leader)?;
    row("turnout (exact)", &r.exact.turnout)?;
    row("either (exact)", &r.exact.either)?;
    if let Some(mc) = &r.monte_carlo {
        let label = |k: &str| format!("{k} (MC {})", mc.replicates);
        row(&label("leader"), &mc.leader)?;
        row(&label("turnout"), &mc.turnout)?;
        row(&label("either"), &mc.either)?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "An excess above line999 is significant at p < 0.001: more stations report whole-number \
         percentages than chance allows.\nThat is a flag for scrutiny, not proof of fraud: it \
         says numbers may have been written to targets somewhere, not where or by whom."
    )
}

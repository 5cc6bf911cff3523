//! `tallyproof forensics ...`: station-level anomaly tests on a file or a stored election.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Subcommand;
use forensics::montecarlo::Options;
use forensics::{IntegerPercentage, NullSummary};

use super::{emit, SourceArgs};

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
    /// The Shpilkin method: the leader's votes above the other parties' turnout curve,
    /// scaled at the clean turnout peak
    Shpilkin(ShpilkinArgs),
    /// Klimek et al. (2012): the turnout × leader-share heat map (SVG and PNG, by voters and
    /// by stations) and its summary statistics
    Fingerprint(FingerprintArgs),
    /// Per-station flags: every station scored by turnout and leader share above its region's
    /// and by whole-number percentages, highest first, to target audits and recounts
    Flags(FlagArgs),
    /// Every test on one self-contained HTML page, with plots and plain-words explanations
    Report(ReportArgs),
    /// Second-digit Benford (Mebane's 2BL) and last-digit uniformity (Beber & Scacco) tests
    /// of every choice's station counts
    Digits(DigitArgs),
}

#[derive(Debug, clap::Args)]
pub struct DigitArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Which contest, by its position in the election (0 for the first)
    #[arg(long, default_value_t = 0)]
    pub contest_index: usize,
    /// Leave out counts below this (at least 10: smaller counts have no second digit)
    #[arg(long, default_value_t = 10)]
    pub min_count: u64,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// Where the stations come from and who the leader is.
#[derive(Debug, clap::Args)]
pub struct SampleArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Which contest, by its position in the election (0 for the first)
    #[arg(long, default_value_t = 0)]
    pub contest_index: usize,
    /// The leader (part of a choice's name); default: the choice with the most votes
    #[arg(long)]
    pub leader: Option<String>,
    /// Leave out the stations in or under this unit, given as its path
    /// `Region / District / Station` (e.g. rows that are not polling stations, such as the
    /// 2021 remote electronic voting)
    #[arg(long, value_name = "PATH")]
    pub exclude: Vec<String>,
    /// Leave out the stations under every unit with this name, wherever it is (the 2021
    /// Duma file's 'Дистанционное электронное голосование' rows sit under 18 constituencies)
    #[arg(long, value_name = "NAME")]
    pub exclude_named: Vec<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

impl SampleArgs {
    /// Loads the election and reads its stations; returns the election's name too.
    fn sample(&self) -> anyhow::Result<(String, forensics::Sample)> {
        let (e, sample) = self.election_and_sample()?;
        Ok((e.name, sample))
    }

    /// Loads the election and reads its stations.
    fn election_and_sample(&self) -> anyhow::Result<(model::Election, forensics::Sample)> {
        let loaded = self.source.load()?;
        let e = &loaded.election;
        let mut excluded = self
            .exclude
            .iter()
            .map(|p| super::results::resolve(e, p))
            .collect::<anyhow::Result<Vec<_>>>()?;
        for name in &self.exclude_named {
            let before = excluded.len();
            excluded.extend(
                e.units
                    .iter()
                    .filter(|(_, u)| u.name == name)
                    .map(|(id, _)| id),
            );
            if excluded.len() == before {
                anyhow::bail!("no unit is named '{name}'");
            }
        }
        let mut sample = forensics::station::sample(
            e,
            self.contest_index,
            &loaded.protocols,
            self.leader.as_deref(),
        )?;
        let filter = tabulate::Filter::excluding(excluded);
        sample.stations.retain(|s| filter.admits(&e.units, s.unit));
        Ok((loaded.election, sample))
    }
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub sample: SampleArgs,
    /// Write report.html into this folder
    #[arg(long, default_value = ".")]
    pub out: PathBuf,
    /// Also run the Monte Carlo null with this many replicates (the exact null is always run)
    #[arg(long, default_value_t = 0)]
    pub replicates: u32,
    /// The Monte Carlo seed
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// The report's language: en, ru or ky (Kyrgyz where the glossary has a sourced term, else
    /// the Russian, marked)
    #[arg(long, default_value = "en", value_parser = parse_lang)]
    pub lang: ui::Lang,
}

/// A page language's tag (`ru`).
pub fn parse_lang(s: &str) -> Result<ui::Lang, String> {
    s.parse()
        .map_err(|_| format!("unknown language '{s}': the report is written in en, ru or ky"))
}

#[derive(Debug, clap::Args)]
pub struct FlagArgs {
    #[command(flatten)]
    pub sample: SampleArgs,
    /// How many stations to list (0 for all)
    #[arg(long, default_value_t = 50)]
    pub top: usize,
    /// Print CSV
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
}

#[derive(Debug, clap::Args)]
pub struct FingerprintArgs {
    #[command(flatten)]
    pub sample: SampleArgs,
    /// Write the heat maps into this folder
    #[arg(long, default_value = ".")]
    pub out: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct ShpilkinArgs {
    #[command(flatten)]
    pub sample: SampleArgs,
    /// Let bins where the leader falls below the scaled curve subtract from the excess
    /// (by default they count as zero)
    #[arg(long)]
    pub no_clip: bool,
}

#[derive(Debug, clap::Args)]
pub struct IntegerArgs {
    #[command(flatten)]
    pub sample: SampleArgs,
    /// Monte Carlo replicates (0 runs the exact null only)
    #[arg(long, default_value_t = 1000)]
    pub replicates: u32,
    /// The Monte Carlo seed (the same seed gives the same replicates on any number of threads)
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Threads (default: all cores)
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Prints `value` as JSON, or as text through `text`, to standard output.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        ForensicsCommand::IntegerPercent(a) => integer_percent(a),
        ForensicsCommand::Digits(a) => digits(a),
        ForensicsCommand::Shpilkin(a) => shpilkin(a),
        ForensicsCommand::Fingerprint(a) => fingerprint(a),
        ForensicsCommand::Flags(a) => station_flags(a),
        ForensicsCommand::Report(a) => report(a),
    }
}

fn digits(a: DigitArgs) -> anyhow::Result<ExitCode> {
    let loaded = a.source.load()?;
    let r = forensics::digits::by_choice(
        &loaded.election,
        a.contest_index,
        &loaded.protocols,
        a.min_count,
    )?;
    emit(a.json, &r, |out| {
        writeln!(
            out,
            "Digit tests of station counts >= {}: {}",
            a.min_count.max(10),
            loaded.election.name
        )?;
        writeln!(
            out,
            "{:<40} {:>7} {:>9} {:>10} {:>9} {:>10}",
            "choice", "counts", "2BL mean", "2BL chi2 p", "last mean", "last chi2 p"
        )?;
        for c in &r {
            let cell = |t: &Option<forensics::digits::DigitTest>| match t {
                Some(t) if t.chi_square_p == 0.0 => (format!("{:.3}", t.mean), "<1e-300".into()),
                Some(t) => (format!("{:.3}", t.mean), format!("{:.2e}", t.chi_square_p)),
                None => ("-".into(), "-".into()),
            };
            let (m2, p2) = cell(&c.second_digit);
            let (ml, pl) = cell(&c.last_digit);
            let n = c.second_digit.as_ref().map_or(0, |t| t.counts);
            let name: String = c.choice.chars().take(40).collect();
            writeln!(out, "{name:<40} {n:>7} {m2:>9} {p2:>10} {ml:>9} {pl:>10}")?;
            for w in &c.warnings {
                writeln!(out, "    warning: {w}")?;
            }
        }
        writeln!(
            out,
            "\nExpected means: 4.187 for second digits (Benford), 4.5 for last digits (uniform). \
             A small p says the digits deviate from the law; honest counts deviate too when they \
             are small or bunched, so a deviation is a question, not a finding."
        )?;
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn integer_percent(a: IntegerArgs) -> anyhow::Result<ExitCode> {
    let t0 = Instant::now();
    let (name, sample) = a.sample.sample()?;
    let parsed = t0.elapsed();
    let threads = a.threads.unwrap_or_else(forensics::default_threads).max(1);
    let mc = (a.replicates > 0).then_some(Options {
        replicates: a.replicates,
        seed: a.seed,
        threads,
    });
    // The exact null and the Monte Carlo are timed apart (bench/run-forensics reads both).
    let t1 = Instant::now();
    let mut r = forensics::integer_percentage(&sample, threads, None)?;
    let t_exact = t1.elapsed();
    let t2 = Instant::now();
    if let Some(o) = mc {
        let o = forensics::montecarlo::null(&r.observed.filtered.kept, &r.observed.observed, &o)?;
        r.monte_carlo = Some(o);
    }
    let t_mc = t2.elapsed();
    emit(a.sample.json, &r, |out| {
        render(out, &name, &r)?;
        Ok(())
    })?;
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

fn shpilkin(a: ShpilkinArgs) -> anyhow::Result<ExitCode> {
    let (name, sample) = a.sample.sample()?;
    let r = forensics::shpilkin::estimate(&sample.stations, !a.no_clip)?;
    emit(a.sample.json, &r, |out| {
        let moved = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.0}"));
        writeln!(out, "Shpilkin method: {name}")?;
        writeln!(out, "leader: {}", sample.leader)?;
        writeln!(out, "official turnout: {:.2}%", r.official_turnout_pct)?;
        writeln!(
            out,
            "clean bin: {}–{}% turnout (the bin below the official turnout with the most \
             votes for the others); leader share there {:.2}%, k = {:.4}",
            r.clean_bin,
            r.clean_bin + 1,
            100.0 * r.clean_share,
            r.k
        )?;
        writeln!(
            out,
            "excess leader votes: {:.0} of {} ({:.1}%), negative bins {}",
            r.excess,
            r.leader_votes,
            r.excess_pct_of_leader,
            if r.clipped {
                "clipped at 0"
            } else {
                "subtracted"
            }
        )?;
        writeln!(
            out,
            "with the clean bin one point lower: {}; one point higher: {}",
            moved(r.excess_if_clean_bin_moves[0]),
            moved(r.excess_if_clean_bin_moves[1])
        )?;
        writeln!(
            out,
            "\nThis is an estimate under one assumption: that without fraud the leader's share \
             would be the same at every turnout as at the clean peak. Honest differences \
             between places (a region that votes more and likes the leader more) also put the \
             leader above the curve, so the figure is neither a count of stolen votes nor proof of \
             fraud; its sensitivity to the clean bin is printed above."
        )?;
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn fingerprint(a: FingerprintArgs) -> anyhow::Result<ExitCode> {
    let (name, sample) = a.sample.sample()?;
    let f = forensics::fingerprint::fingerprint(&sample.stations);
    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("cannot create {}", a.out.display()))?;
    let mut written = Vec::new();
    for (weighted, what) in [(true, "voters"), (false, "stations")] {
        let title = format!("{name}: turnout × {} (by {what})", sample.leader);
        let svg = a.out.join(format!("fingerprint-{what}.svg"));
        let words = forensics::plot::Words {
            title: &title,
            x: "turnout, %",
            y: "leader, % of ballots",
        };
        std::fs::write(&svg, forensics::plot::svg(&f, weighted, Some(&words))?)
            .with_context(|| format!("cannot write {}", svg.display()))?;
        let png = a.out.join(format!("fingerprint-{what}.png"));
        std::fs::write(&png, forensics::plot::png(&f, weighted, 4)?)
            .with_context(|| format!("cannot write {}", png.display()))?;
        written.extend([svg, png]);
    }
    emit(a.sample.json, &f, |out| {
        writeln!(out, "Election fingerprint (Klimek et al. 2012): {name}")?;
        writeln!(out, "leader: {}", sample.leader)?;
        writeln!(
            out,
            "stations: {}; registered voters: {}",
            f.stations, f.registered
        )?;
        writeln!(
            out,
            "at >= 95% turnout and >= 95% for the leader: {} stations, {:.2}% of voters",
            f.corner_stations, f.corner_voters_pct
        )?;
        writeln!(
            out,
            "log vote rate ln((R-L)/L): skewness {:.3}, excess kurtosis {:.3} (0 and 0 for a normal distribution)",
            f.log_vote_rate_skewness, f.log_vote_rate_excess_kurtosis
        )?;
        for w in &written {
            writeln!(out, "wrote {}", w.display())?;
        }
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn station_flags(a: FlagArgs) -> anyhow::Result<ExitCode> {
    let (e, sample) = a.sample.election_and_sample()?;
    let all = forensics::flags::flags(
        &sample.stations,
        &forensics::region::groups(&e, &sample.stations),
    );
    let n = if a.top == 0 {
        all.len()
    } else {
        a.top.min(all.len())
    };
    let rows = &all[..n];
    let path = |f: &forensics::flags::StationFlag| e.units.path(sample.stations[f.index].unit);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if a.sample.json {
        let v: Vec<serde_json::Value> = rows
            .iter()
            .map(|f| {
                let mut o = serde_json::json!({ "station": path(f) });
                if let (Some(m), Ok(serde_json::Value::Object(x))) =
                    (o.as_object_mut(), serde_json::to_value(f))
                {
                    m.extend(x.into_iter().filter(|(k, _)| k != "index"));
                }
                o
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
    } else if a.csv {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record([
            "rank",
            "station",
            "score",
            "impossible",
            "turnout_pct",
            "leader_pct",
            "turnout_z",
            "leader_z",
            "integer_turnout",
            "integer_leader",
            "integer_score",
        ])?;
        for (rank, f) in rows.iter().enumerate() {
            w.write_record([
                (rank + 1).to_string(),
                path(f),
                format!("{:.3}", f.score),
                f.impossible.to_string(),
                format!("{:.2}", f.turnout_pct),
                format!("{:.2}", f.leader_pct),
                format!("{:.3}", f.turnout_z),
                format!("{:.3}", f.leader_z),
                f.integer_turnout.to_string(),
                f.integer_leader.to_string(),
                format!("{:.3}", f.integer_score),
            ])?;
        }
        w.flush()?;
    } else {
        writeln!(
            out,
            "Stations by anomaly score: {} (leader: {}); top {n} of {}",
            e.name,
            sample.leader,
            all.len()
        )?;
        writeln!(
            out,
            "{:>5} {:>8} {:>8} {:>8}  {:<8} station",
            "rank", "score", "turnout", "leader", "whole %"
        )?;
        for (rank, f) in rows.iter().enumerate() {
            let whole = f.whole();
            let score = if f.impossible {
                "IMPOSS.".to_string()
            } else {
                format!("{:.2}", f.score)
            };
            writeln!(
                out,
                "{:>5} {score:>8} {:>7.2}% {:>7.2}%  {whole:<8} {}",
                rank + 1,
                f.turnout_pct,
                f.leader_pct,
                path(f)
            )?;
        }
        writeln!(
            out,
            "\nScore: turnout and leader share above the region's (robust z-scores) plus \
             -log10 of the chance of each whole-number percentage. A high score is a reason to \
             look at a station's protocol and ballots, not a finding about it."
        )?;
    }
    out.flush().context("cannot write the result")?;
    Ok(ExitCode::SUCCESS)
}

fn report(a: ReportArgs) -> anyhow::Result<ExitCode> {
    let t0 = Instant::now();
    let loaded = a.sample.source.load()?;
    let parsed = t0.elapsed();
    let t1 = Instant::now();
    let mc = (a.replicates > 0).then_some((a.replicates, a.seed));
    let report = forensics::report::build(
        &loaded.election,
        &loaded.protocols,
        a.sample.contest_index,
        a.sample.leader.as_deref(),
        mc,
    )?;
    let html = ui::forensics::standalone(a.lang, &report);
    if let Some(line) = report.missing {
        eprintln!("note: no station reports {line}; only the digit tests can run");
    }
    let built = t1.elapsed();
    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("cannot create {}", a.out.display()))?;
    let path = a.out.join("report.html");
    std::fs::write(&path, html).with_context(|| format!("cannot write {}", path.display()))?;
    println!("wrote {}", path.display());
    eprintln!(
        "read in {:.2} s; every test and the page in {:.1} ms",
        parsed.as_secs_f64(),
        built.as_secs_f64() * 1e3
    );
    Ok(ExitCode::SUCCESS)
}

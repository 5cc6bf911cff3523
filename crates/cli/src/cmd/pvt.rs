//! `tallyproof pvt ...`: an observer group's quick count (parallel vote tabulation) without a
//! server: design and draw the sample, redraw it from the revealed seed, estimate from the
//! reports, compare with the official count, and simulate a design on a past election.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use model::UnitLevel;
use pvt::allocation::Allocation;
use pvt::design::{Design, Request, Role, SizeBy};
use pvt::frame::Frame;
use pvt::select::Method;
use pvt::Confidence;
use serde::Serialize;

use super::{emit, SourceArgs};
use crate::input::{FileArgs, FormatArg, SourceArg};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: PvtCommand,
}

#[derive(Debug, Subcommand)]
pub enum PvtCommand {
    /// Size, stratify and draw a sample of stations from a frame (an election's stations),
    /// with reserves; writes the design and the observers' assignments
    Design(DesignArgs),
    /// Redraw a design's sample from its frame and the revealed seed, and check it
    Redraw(RedrawArgs),
    /// Estimate every share and turnout from the observers' reports, with 95% and 99% margins
    Estimate(EstimateArgs),
    /// Compare the reports with the official count: shares against the intervals, and each
    /// reported station's protocol against the official one
    Compare(CompareArgs),
    /// Measure a design on a past election taken as the truth: coverage of the intervals,
    /// their width, and the alarm when the official protocols are altered
    Simulate(SimulateArgs),
    /// Log the quick count in the group's own store, step by step: the frame and design
    /// before polling day, the seed once polls close, then the reports
    #[command(subcommand)]
    Log(super::pvt_log::LogCommand),
    /// Read observers' SMS reports (an inbox exported as CSV) into reports, with a reply to
    /// each sender; reports that observers of one station disagree on are listed, not
    /// written
    Sms(super::pvt_sms::SmsArgs),
}

/// `--strata LEVEL`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LevelArg {
    /// One stratum per region
    Region,
    /// One stratum per constituency
    Constituency,
    /// One stratum per district (territorial commission)
    District,
}

impl From<LevelArg> for UnitLevel {
    fn from(l: LevelArg) -> UnitLevel {
        match l {
            LevelArg::Region => UnitLevel::Region,
            LevelArg::Constituency => UnitLevel::Constituency,
            LevelArg::District => UnitLevel::District,
        }
    }
}

/// The frame and its strata.
#[derive(Debug, clap::Args)]
pub struct FrameArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Which contest, by its position in the election (0 for the first)
    #[arg(long, default_value_t = 0)]
    pub contest_index: usize,
    /// Stratify by the units at this level (default: one stratum)
    #[arg(long, value_enum)]
    pub strata: Option<LevelArg>,
}

impl FrameArgs {
    fn frame(&self) -> anyhow::Result<Frame> {
        Ok(self.frame_and_lines(self.level())?.0)
    }

    /// The level `--strata` names.
    fn level(&self) -> Option<UnitLevel> {
        self.strata.map(UnitLevel::from)
    }

    /// The frame stratified at `level`, and the protocol lines its stations' protocols have
    /// (for the observers' copy forms), in protocol order.
    fn frame_and_lines(
        &self,
        level: Option<UnitLevel>,
    ) -> anyhow::Result<(Frame, Vec<model::Line>)> {
        let loaded = self.source.load()?;
        let frame = Frame::of(
            &loaded.election,
            self.contest_index,
            &loaded.protocols,
            level,
        )?;
        let lines = model::Line::ALL
            .iter()
            .copied()
            .filter(|&x| {
                loaded
                    .protocols
                    .iter()
                    .any(|p| p.contest == self.contest_index && p.line(x).is_some())
            })
            .collect();
        Ok((frame, lines))
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MethodArg {
    /// Simple random sampling in each stratum
    Random,
    /// Interval sampling in each stratum, from a random start
    Systematic,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AllocationArg {
    /// In proportion to the strata's stations
    Stations,
    /// In proportion to the strata's registered voters
    Voters,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ConfidenceArg {
    /// 95%
    #[value(name = "95")]
    P95,
    /// 99%
    #[value(name = "99")]
    P99,
}

#[derive(Debug, clap::Args)]
pub struct DesignArgs {
    #[command(flatten)]
    pub frame: FrameArgs,
    /// Stations to sample
    #[arg(long, conflicts_with = "margin", required_unless_present = "margin")]
    pub stations: Option<u64>,
    /// Or: enough stations for every choice's share within this many percentage points
    #[arg(long)]
    pub margin: Option<f64>,
    /// The margin's confidence
    #[arg(long, value_enum, default_value = "95")]
    pub confidence: ConfidenceArg,
    /// How stations are chosen within a stratum
    #[arg(long, value_enum, default_value = "random")]
    pub method: MethodArg,
    /// What the sample is spread over the strata in proportion to
    #[arg(long, value_enum, default_value = "stations")]
    pub allocate: AllocationArg,
    /// Reserves per stratum, as a percentage of its sample (rounded up)
    #[arg(long, default_value_t = 10)]
    pub reserve_pct: u32,
    /// The seed (keep it secret until the polls close; its SHA-256 is published)
    #[arg(long)]
    pub seed: String,
    /// Write the design with its seed and stations here (the group's own copy)
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Write the public design (no seed, no stations) here, to publish before polling day
    #[arg(long)]
    pub public: Option<PathBuf>,
    /// Write the observers' assignments here, as CSV
    #[arg(long)]
    pub assignments: Option<PathBuf>,
    /// Write the observers' printable sheets here (HTML: one page a station, with a form to
    /// copy the posted protocol into)
    #[arg(long)]
    pub sheets: Option<PathBuf>,
    /// The sheets' language: en, ru or ky (Kyrgyz where the glossary has a sourced term, else
    /// Russian)
    #[arg(long, default_value = "en", value_parser = super::forensics::parse_lang)]
    pub lang: ui::Lang,
    /// Print the design as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct RedrawArgs {
    #[command(flatten)]
    pub frame: FrameArgs,
    /// The design (public, or the group's own copy whose stations are then checked)
    #[arg(long)]
    pub design: PathBuf,
    /// The revealed seed
    #[arg(long)]
    pub seed: String,
    /// Print the stations as JSON
    #[arg(long)]
    pub json: bool,
}

/// The design and the reports.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The design (the group's own copy, with its stations)
    #[arg(long)]
    pub design: PathBuf,
    /// The observers' reports: a results file of the sampled stations' protocols
    #[arg(long)]
    pub reports: PathBuf,
    /// The reports' format (guessed from the file when omitted)
    #[arg(long, value_enum)]
    pub reports_format: Option<FormatArg>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct EstimateArgs {
    #[command(flatten)]
    pub reports: ReportArgs,
}

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    #[command(flatten)]
    pub reports: ReportArgs,
    /// The official results: a results file, or omitted to read the store (--db, --election)
    #[command(flatten)]
    pub official: SourceArgs,
    /// Or: the commission's published log (a directory, or its https:// URL), verified first;
    /// each station is then compared with every official version, with inclusion proofs
    #[arg(long, value_name = "DIR|URL", requires = "official_key")]
    pub official_log: Option<String>,
    /// The published log's key (text, or a file holding it), from a trusted channel
    #[arg(long)]
    pub official_key: Option<String>,
    /// For an https:// log: trust its certificate only if this CA (PEM) signed it
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    pub frame: FrameArgs,
    /// Stations in each sample (allocated in proportion to the strata's stations)
    #[arg(long)]
    pub stations: u64,
    /// Independent samples to draw (at most 1,000,000)
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub trials: u32,
    /// The seed: the same seed draws the same samples
    #[arg(long)]
    pub seed: String,
    /// The leader (part of a choice's name); default: the choice with the most votes
    #[arg(long)]
    pub leader: Option<String>,
    /// Alter the official protocols of this percentage of the stations in the leader's
    /// favour (the observers still report the true ones)
    #[arg(long, default_value_t = 0.0)]
    pub alter_pct: f64,
    /// ... by this many percentage points of each altered station's valid votes
    #[arg(long, default_value_t = 10.0)]
    pub shift: f64,
    /// Write the frame's columns, the samples drawn and each trial's estimate here (for
    /// `bench/pvt.py`)
    #[arg(long)]
    pub dump: Option<PathBuf>,
    /// Print the time taken after reading the file and its columns on standard error
    #[arg(long)]
    pub timing: bool,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        PvtCommand::Design(a) => design(a),
        PvtCommand::Redraw(a) => redraw(a),
        PvtCommand::Estimate(a) => estimate(a),
        PvtCommand::Compare(a) => return compare(a),
        PvtCommand::Simulate(a) => simulate(a),
        PvtCommand::Log(c) => super::pvt_log::run(c),
        PvtCommand::Sms(a) => super::pvt_sms::run(a),
    }?;
    Ok(ExitCode::SUCCESS)
}

fn write_json(path: &Path, value: &impl Serialize) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

pub(super) fn read_design(path: &Path) -> anyhow::Result<Design> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let d: Design = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a quick-count design", path.display()))?;
    d.check_document()
        .with_context(|| format!("{}: not a usable quick-count design", path.display()))?;
    Ok(d)
}

fn design(a: DesignArgs) -> anyhow::Result<()> {
    let (frame, lines) = a.frame.frame_and_lines(a.frame.level())?;
    if a.seed.chars().count() < 20 {
        eprintln!(
            "warning: a seed of {} characters can be found from its published SHA-256 by trying every short text, and with it the sample before polling day: use 20 or more random characters (20 dice rolled in public, for instance)",
            a.seed.chars().count()
        );
    }
    if a.margin.is_some_and(|m| !(m > 0.0 && m < 100.0)) {
        anyhow::bail!("--margin: percentage points above 0 and below 100");
    }
    let size = match (a.stations, a.margin) {
        (Some(n), _) => SizeBy::Stations(n),
        (None, Some(m)) => SizeBy::Margin(
            m,
            match a.confidence {
                ConfidenceArg::P95 => Confidence::P95,
                ConfidenceArg::P99 => Confidence::P99,
            },
        ),
        (None, None) => anyhow::bail!("give --stations or --margin"),
    };
    let d = pvt::design::make(
        &frame,
        &Request {
            size,
            method: match a.method {
                MethodArg::Random => Method::Random,
                MethodArg::Systematic => Method::Systematic,
            },
            allocation: match a.allocate {
                AllocationArg::Stations => Allocation::Stations,
                AllocationArg::Voters => Allocation::Voters,
            },
            reserve_pct: a.reserve_pct,
            seed: a.seed.clone(),
        },
    )?;
    if let Some(path) = &a.output {
        write_json(path, &d)?;
    }
    if let Some(path) = &a.public {
        write_json(path, &d.public())?;
    }
    if let Some(path) = &a.assignments {
        write_assignments(path, &d, &frame)?;
    }
    if let Some(path) = &a.sheets {
        let codes = observe::codes::Codebook::default_for(d.choices.len());
        let drawn: Vec<(&str, usize)> = d
            .stations
            .iter()
            .map(|s| (s.station.as_str(), s.stratum))
            .collect();
        // Stations whose names have no number get no SMS line (the command says so).
        let numbers = observe::numbers::StationNumbers::of(&drawn)
            .inspect_err(|e| eprintln!("no SMS numbers on the sheets: {e}"))
            .ok();
        let sheets = ui::pvt::Sheets {
            election: &d.election,
            contest: &d.contest,
            lines: &lines,
            choices: &d.choices,
            commitment: &d.seed_sha256,
            digest: &d.frame.digest,
            sheets: [Role::Sample, Role::Reserve]
                .iter()
                .flat_map(|&role| {
                    d.stations
                        .iter()
                        .enumerate()
                        .filter(move |(_, s)| s.role == role)
                })
                .map(|(k, s)| ui::pvt::Sheet {
                    station: &s.station,
                    stratum: &d.strata[s.stratum].name,
                    reserve: (s.role == Role::Reserve).then_some(s.rank),
                    sms: numbers.as_ref().map(|n| n.number(k)),
                })
                .collect(),
            codes: &codes,
        };
        std::fs::write(path, ui::pvt::standalone(a.lang, &sheets))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    emit(a.json, &d, |out| {
        writeln!(
            out,
            "Quick-count design for {} ({}): {} of {} stations in {} strata",
            d.election,
            d.contest,
            d.size.stations,
            d.frame.stations,
            d.strata.len()
        )?;
        if let (Some(m), Some(c), Some(k), Some(deff)) = (
            d.size.margin_pct,
            d.size.confidence_pct,
            &d.size.hardest_choice,
            d.size.design_effect,
        ) {
            writeln!(
                out,
                "  sized for ±{m} points at {c}%: {k} needs the most (design effect {deff:.2}, {:.0} valid votes a station)",
                d.size.mean_valid
            )?;
        }
        writeln!(out, "  frame digest   {}", d.frame.digest)?;
        writeln!(
            out,
            "  seed SHA-256   {}  (publish this; reveal the seed after the polls close)",
            d.seed_sha256
        )?;
        writeln!(
            out,
            "  {:<40} {:>8} {:>7} {:>8}",
            "stratum", "stations", "sample", "reserves"
        )?;
        for s in &d.strata {
            let collapsed = if s.holds.len() > 1 {
                "  (collapsed: too small alone)"
            } else {
                ""
            };
            writeln!(
                out,
                "  {:<40} {:>8} {:>7} {:>8}{collapsed}",
                s.name, s.stations, s.sample, s.reserves
            )?;
        }
        Ok(())
    })
}

/// The observers' assignments as CSV: one row a station, sample first, with what the
/// observer needs to find it.
fn write_assignments(path: &Path, d: &Design, frame: &Frame) -> anyhow::Result<()> {
    let registered: std::collections::HashMap<&str, u64> = frame
        .stations
        .iter()
        .map(|s| (s.id.as_str(), s.counts.registered))
        .collect();
    let mut w =
        csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
    w.write_record(["stratum", "role", "rank", "station", "registered"])?;
    for role in [Role::Sample, Role::Reserve] {
        for s in d.stations.iter().filter(|s| s.role == role) {
            w.write_record([
                d.strata[s.stratum].name.as_str(),
                role.key(),
                &s.rank.to_string(),
                &s.station,
                &registered
                    .get(s.station.as_str())
                    .copied()
                    .unwrap_or(0)
                    .to_string(),
            ])?;
        }
    }
    w.flush()
        .with_context(|| format!("cannot write {}", path.display()))
}

fn redraw(a: RedrawArgs) -> anyhow::Result<()> {
    let d = read_design(&a.design)?;
    // The design's own level, unless another is asked for (and then the digest says so).
    let level = match a.frame.level() {
        Some(l) => Some(l),
        None => d.unit_level()?,
    };
    let frame = a.frame.frame_and_lines(level)?.0;
    let stations = if d.stations.is_empty() {
        d.redraw(&frame, &a.seed)?
    } else {
        d.check(&frame, &a.seed)?;
        d.stations.clone()
    };
    emit(a.json, &stations, |out| {
        writeln!(
            out,
            "The seed matches the commitment {} and the frame its digest {}.",
            d.seed_sha256, d.frame.digest
        )?;
        if !d.stations.is_empty() {
            writeln!(
                out,
                "The design's {} stations are exactly the redraw's.",
                stations.len()
            )?;
        }
        for s in &stations {
            writeln!(out, "  {:<7} {:>3}  {}", s.role.key(), s.rank, s.station)?;
        }
        Ok(())
    })
}

/// A results file, the store or a verified log read against a design: its stations' counts
/// and protocols, by path, their choices in the design's order.
pub(super) struct Read {
    pub(super) frame: Frame,
    pub(super) protocols: std::collections::HashMap<String, model::Protocol>,
    /// Each station's unit, by path.
    units: std::collections::HashMap<String, model::UnitId>,
    /// The design's choices' positions in the source.
    from: Vec<usize>,
    /// The contest read.
    contest: usize,
}

impl Read {
    fn of(source: &SourceArgs, d: &Design, level: Option<UnitLevel>) -> anyhow::Result<Read> {
        let loaded = source.load()?;
        Read::from(&loaded.election, loaded.protocols, d, level)
    }

    fn from(
        e: &model::Election,
        protocols: Vec<model::Protocol>,
        d: &Design,
        level: Option<UnitLevel>,
    ) -> anyhow::Result<Read> {
        // The design's contest by name; a file of one contest is read as it (files need not
        // carry the contest's name).
        let contest = match e.contests.iter().position(|c| c.name == d.contest) {
            Some(k) => k,
            None if e.contests.len() == 1 => 0,
            None => anyhow::bail!(
                "no contest '{}' among its {}: {}",
                d.contest,
                e.contests.len(),
                e.contests
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        };
        let (frame, from) = Frame::of(e, contest, &protocols, level)?.aligned(&d.choices)?;
        let mut read = Read {
            frame,
            protocols: Default::default(),
            units: Default::default(),
            from,
            contest,
        };
        for p in protocols.into_iter().filter(|p| p.contest == contest) {
            let path = e.units.path(p.station);
            read.units.insert(path.clone(), p.station);
            let p = read.align(&p);
            read.protocols.insert(path, p);
        }
        Ok(read)
    }

    /// A protocol of the source with its votes in the design's order.
    fn align(&self, p: &model::Protocol) -> model::Protocol {
        let mut p = p.clone();
        p.votes = pvt::frame::reorder(&p.votes, &self.from);
        p
    }

    fn reports(&self) -> Vec<pvt::reports::Report> {
        self.frame
            .stations
            .iter()
            .map(|s| pvt::reports::Report {
                station: s.id.clone(),
                counts: s.counts.clone(),
            })
            .collect()
    }
}

/// The observers' reports, read against the design.
pub(super) fn read_reports(a: &ReportArgs, d: &Design) -> anyhow::Result<Read> {
    let source = SourceArgs {
        file: Some(a.reports.clone()),
        input: FileArgs {
            format: a.reports_format,
            name: None,
            contest: None,
            source: SourceArg::Manual,
        },
        db: PathBuf::from(super::DEFAULT_DB),
        election: None,
    };
    Read::of(&source, d, None).with_context(|| format!("the reports {}", a.reports.display()))
}

fn pct(x: &pvt::reports::Interval) -> String {
    format!(
        "{:.2} ±{:.2} (99%: ±{:.2})",
        x.share_pct, x.margin_95_pct, x.margin_99_pct
    )
}

/// The first ten of `names`, and how many more (`--json` lists them all).
fn first_ten(names: &[String]) -> String {
    match names.len() {
        0..=10 => names.join("; "),
        n => format!(
            "{}; and {} more (--json lists them all)",
            names[..10].join("; "),
            n - 10
        ),
    }
}

fn print_arrival(out: &mut dyn Write, e: &pvt::reports::Estimates) -> std::io::Result<()> {
    let a = &e.arrival;
    writeln!(
        out,
        "Reports in: {} of {} sampled stations ({:.1}%); the estimates cover {} strata with {} of the frame's {} stations",
        a.reported,
        a.sample,
        100.0 * a.rate,
        a.strata.len() - a.missing.len(),
        a.covers_stations,
        a.frame_stations
    )?;
    if !a.missing.is_empty() {
        writeln!(
            out,
            "  strata with fewer than 2 reports, left out: {}",
            a.missing.join("; ")
        )?;
    }
    if !a.lagging.is_empty() {
        writeln!(
            out,
            "  strata reporting at less than half the overall rate: {}",
            a.lagging.join("; ")
        )?;
    }
    if !a.reserves_not_needed.is_empty() {
        writeln!(
            out,
            "  reserves that reported although their sample did not need them, left out: {}",
            first_ten(&a.reserves_not_needed)
        )?;
    }
    if !a.turnout_doubtful.is_empty() {
        writeln!(
            out,
            "  {} reports with more ballots than registered voters, or none registered (check with the observers): {}",
            a.turnout_doubtful.len(),
            first_ten(&a.turnout_doubtful)
        )?;
    }
    if a.unbalanced {
        writeln!(
            out,
            "  UNBALANCED ARRIVAL: the estimates lean towards the strata that reported first"
        )?;
    }
    Ok(())
}

/// The group's own copy of a design: the public one has no stations to estimate from.
pub(super) fn own_design(path: &Path) -> anyhow::Result<Design> {
    let d = read_design(path)?;
    if d.stations.is_empty() {
        return Err(pvt::PvtError::Invalid {
            field: "stations",
            message: "a public design, without its stations: estimates need the group's own copy (pvt design -o)".into(),
        })
        .with_context(|| path.display().to_string());
    }
    Ok(d)
}

/// The group's design, its observers' reports, and the estimates from them.
fn estimated(a: &ReportArgs) -> anyhow::Result<(Design, Read, pvt::reports::Estimates)> {
    let d = own_design(&a.design)?;
    let copies = read_reports(a, &d)?;
    let index = pvt::reports::Index::of(&d);
    let e = pvt::reports::estimates(&d, &index, &d.choices, &copies.reports())
        .with_context(|| format!("the reports {}", a.reports.display()))?;
    Ok((d, copies, e))
}

fn estimate(a: EstimateArgs) -> anyhow::Result<()> {
    let (_, _, e) = estimated(&a.reports)?;
    emit(a.reports.json, &e, |out| {
        print_arrival(out, &e)?;
        writeln!(
            out,
            "Estimates, percent of valid votes (turnout: of registered voters), ± 95% margin:"
        )?;
        for q in &e.estimates {
            match &q.overall {
                Some(x) => writeln!(out, "  {:<48} {}", q.name, pct(x))?,
                None => writeln!(out, "  {:<48} (no estimate: {})", q.name, e.why_none(q))?,
            }
        }
        Ok(())
    })
}

/// What `pvt compare` finds.
#[derive(Debug, Serialize)]
struct Comparison {
    /// The design's seed commitment: which published design this is.
    seed_sha256: String,
    /// What the official results hold, against the design's frame.
    official: OfficialCover,
    estimates: pvt::reports::Estimates,
    shares: Vec<pvt::compare::ShareCheck>,
    stations: Vec<StationResult>,
    matched: usize,
    superseded: usize,
    mismatched: usize,
    not_in_official: Vec<String>,
}

/// The official results' stations against the design's frame.
#[derive(Debug, Serialize)]
struct OfficialCover {
    /// Stations in the official results.
    stations: usize,
    /// Of them, in the strata the estimates cover (the shares' base).
    in_covered_strata: usize,
    /// Stations of the frame the design was drawn from.
    frame_stations: u64,
    /// Whether the official results are the frame itself (the same digest).
    same_frame: bool,
}

#[derive(Debug, Serialize)]
struct StationResult {
    station: String,
    #[serde(flatten)]
    compared: pvt::compare::Compared,
    /// From a log: the inclusion proof of the entry of the official version in force.
    #[serde(skip_serializing_if = "Option::is_none")]
    proof: Option<Proof>,
}

/// An entry's inclusion proof in the verified log, as `tallyproof log verify-inclusion`
/// takes it.
#[derive(Debug, Serialize)]
pub(crate) struct Proof {
    entry: u64,
    size: u64,
    root: String,
    leaf_hash: String,
    path: Vec<String>,
}

impl Proof {
    /// Entry `entry`'s inclusion proof in the verified log `k`.
    pub(crate) fn of(k: &published::Kept, entry: u64) -> anyhow::Result<Proof> {
        let size = k.checkpoint.size;
        Ok(Proof {
            entry,
            size,
            root: k.checkpoint.root.to_string(),
            leaf_hash: k.tree.leaf(entry).map(|h| h.hex()).unwrap_or_default(),
            path: k
                .tree
                .inclusion_proof(entry, size)?
                .iter()
                .map(|h| h.to_string())
                .collect(),
        })
    }
}

/// Exit 0 when every share is inside its 99% interval and every copy matches (or is an
/// earlier version, superseded); 1 when an alarm fires or a copy mismatches.
fn compare(a: CompareArgs) -> anyhow::Result<ExitCode> {
    let (d, copies, estimates) = estimated(&a.reports)?;
    let level = d.unit_level()?;
    let (official, log) = match &a.official_log {
        Some(url) => {
            let key = a
                .official_key
                .as_deref()
                .context("--official-key is needed")?;
            let kept = super::verify::verified(url, key, a.ca_file.as_deref())?;
            let read = Read::from(
                &kept.replayed.election,
                kept.replayed.protocols.clone(),
                &d,
                level,
            )
            .context("the official log")?;
            (read, Some(kept))
        }
        None => (
            Read::of(&a.official, &d, level).context("the official results")?,
            None,
        ),
    };
    let histories = log.as_ref().map(|k| {
        // The log verified: every entry decodes.
        let decoded = k
            .entries
            .iter()
            .enumerate()
            .filter_map(|(i, b)| record::decode(i as u64, b).ok().map(|e| (i as u64, e)));
        let e = &k.replayed.election;
        record::versions(
            e,
            decoded,
            official.contest,
            record::legal_count(e.law.as_deref()),
            &k.replayed.protocols,
        )
    });
    let off = &official.frame;
    // The strata the estimates cover, by the frame's stratum names they hold.
    let covered: std::collections::HashSet<&str> = d
        .strata
        .iter()
        .zip(&estimates.arrival.strata)
        .filter(|(_, s)| s.reported >= 2)
        .flat_map(|(s, _)| s.holds.iter().map(String::as_str))
        .collect();
    let in_covered =
        |s: &pvt::frame::FrameStation| covered.contains(off.strata[s.stratum].as_str());
    let cover = OfficialCover {
        stations: off.stations.len(),
        in_covered_strata: off.stations.iter().filter(|s| in_covered(s)).count(),
        frame_stations: d.frame.stations,
        same_frame: off.digest() == d.frame.digest,
    };
    if cover.in_covered_strata == 0 && !covered.is_empty() {
        return Err(pvt::PvtError::Invalid {
            field: "official",
            message: format!(
                "the official results have no station in the strata the estimates cover ({}): not the design's election, or its strata named otherwise",
                covered.iter().take(3).copied().collect::<Vec<_>>().join("; ")
            ),
        }
        .into());
    }
    let shares = pvt::compare::shares(&estimates, off, in_covered);
    let mut stations = Vec::new();
    let mut not_in_official = Vec::new();
    for station in copies.frame.stations.iter().map(|s| &s.id) {
        let copied = &copies.protocols[station];
        // Each official version: from a log every one, with the entry that holds it and the
        // order it answers; from a file or the store the one there is.
        let found: Vec<(model::Protocol, Option<u64>, Option<String>)> = match &histories {
            Some(h) => official
                .units
                .get(station)
                .and_then(|unit| h.get(unit))
                .into_iter()
                .flatten()
                .map(|v| (official.align(&v.protocol), Some(v.entry), v.cited()))
                .collect(),
            None => official
                .protocols
                .get(station)
                .map(|p| (p.clone(), None, None))
                .into_iter()
                .collect(),
        };
        let versions: Vec<pvt::compare::Official> = found
            .iter()
            .map(|(p, _, decision)| pvt::compare::Official {
                version: p.version,
                protocol: p,
                decision: decision.as_deref(),
            })
            .collect();
        let proof = match (&log, found.last()) {
            (Some(k), Some((_, Some(entry), _))) => Some(Proof::of(k, *entry)?),
            _ => None,
        };
        match pvt::compare::station(&d.choices, copied, &versions) {
            Some(compared) => stations.push(StationResult {
                station: station.clone(),
                compared,
                proof,
            }),
            None => not_in_official.push(station.clone()),
        }
    }
    let count = |want: fn(&pvt::compare::Outcome) -> bool| {
        stations
            .iter()
            .filter(|s| want(&s.compared.outcome))
            .count()
    };
    let c = Comparison {
        seed_sha256: d.seed_sha256.clone(),
        official: cover,
        matched: count(|o| matches!(o, pvt::compare::Outcome::Match)),
        superseded: count(|o| matches!(o, pvt::compare::Outcome::Superseded { .. })),
        mismatched: count(|o| matches!(o, pvt::compare::Outcome::Mismatch)),
        estimates,
        shares,
        stations,
        not_in_official,
    };
    emit(a.reports.json, &c, |out| {
        writeln!(
            out,
            "Quick count of the design committed to seed SHA-256 {}",
            c.seed_sha256
        )?;
        print_arrival(out, &c.estimates)?;
        let o = &c.official;
        writeln!(
            out,
            "Official results: {} stations, {} of them in the strata covered (the shares' base); the design's frame: {} stations, {}",
            o.stations,
            o.in_covered_strata,
            o.frame_stations,
            if o.same_frame {
                "the same list"
            } else {
                "NOT the same list (another election, or stations added or missing)"
            }
        )?;
        writeln!(
            out,
            "Official share against the quick count (percent; ± 95% margin):"
        )?;
        for s in &c.shares {
            let verdict = if s.outside_99 {
                "ALARM: outside the 99% interval"
            } else if s.outside_95 {
                "outside the 95% interval"
            } else {
                "inside"
            };
            writeln!(
                out,
                "  {:<40} official {:>6.2}  quick count {}  {verdict}",
                s.name,
                s.official_pct,
                pct(&s.estimate)
            )?;
        }
        writeln!(
            out,
            "Station by station: {} match, {} superseded by a correction, {} mismatch, {} not in the official results",
            c.matched,
            c.superseded,
            c.mismatched,
            c.not_in_official.len()
        )?;
        let partial = c
            .stations
            .iter()
            .filter(|s| !s.compared.uncopied.is_empty())
            .count();
        if partial > 0 {
            writeln!(
                out,
                "  {partial} copies lack lines the official protocols have: those lines were not compared"
            )?;
        }
        let fewer = c
            .stations
            .iter()
            .filter(|s| !s.compared.unofficial.is_empty())
            .count();
        if fewer > 0 {
            writeln!(
                out,
                "  {fewer} copies have lines the official results do not give: those lines were not compared"
            )?;
        }
        for s in c
            .stations
            .iter()
            .filter(|s| !s.compared.differences.is_empty())
        {
            let outcome = match &s.compared.outcome {
                pvt::compare::Outcome::Match => String::new(),
                pvt::compare::Outcome::Mismatch => {
                    "mismatch: the copy is no official version".into()
                }
                pvt::compare::Outcome::Superseded { version, decision } => format!(
                    "superseded by version {version}, {}",
                    decision
                        .as_deref()
                        .unwrap_or("a correction with no decision")
                ),
            };
            let entry = s
                .proof
                .as_ref()
                .map_or(String::new(), |p| format!(" (official entry {})", p.entry));
            writeln!(out, "  {}{entry}: {outcome}", s.station)?;
            for x in &s.compared.differences {
                let v = |v: Option<u64>| v.map_or("-".to_string(), |v| v.to_string());
                writeln!(
                    out,
                    "    {:<40} copied {:>8}  official {:>8}",
                    x.line,
                    v(x.copied),
                    v(x.official)
                )?;
            }
        }
        Ok(())
    })?;
    let alarm = c.shares.iter().any(|s| s.outside_99) || c.mismatched > 0;
    Ok(if alarm {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `pvt simulate`'s JSON.
#[derive(Debug, Serialize)]
struct SimulateOut {
    election: String,
    leader: String,
    stations: usize,
    strata: usize,
    sample: u64,
    trials: u32,
    true_share_pct: f64,
    official_share_pct: f64,
    coverage_95: f64,
    coverage_99: f64,
    naive_coverage_95: f64,
    median_half_width_pct: f64,
    alarm_95: f64,
    alarm_99: f64,
    altered_stations: usize,
    altered_drawn: u64,
    altered_listed: u64,
    trials_all_listed: u32,
}

fn simulate(a: SimulateArgs) -> anyhow::Result<()> {
    if !(0.0..=100.0).contains(&a.alter_pct) || !(0.0..=100.0).contains(&a.shift) {
        anyhow::bail!("--alter-pct and --shift are percentages from 0 to 100");
    }
    if a.seed.trim().is_empty() {
        anyhow::bail!("--seed is empty");
    }
    let truth = a.frame.frame()?;
    // Read with the frame, before the clock starts, as the benchmark's reference is given
    // its columns; and the machine's cores (asking costs 0.1 ms of reading the cgroup's files).
    let columns = pvt::simulate::Columns::of(&truth);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let started = Instant::now();
    let leader = match &a.leader {
        Some(name) => truth.choice(name)?,
        None => columns.leader().context("the contest has no choices")?,
    };
    let plan = pvt::allocation::allocate(columns.strata(), a.stations, Allocation::Stations)?;
    let manipulated;
    let (official, altered) = if a.alter_pct > 0.0 {
        let (f, altered) =
            pvt::simulate::manipulate(&truth, leader, a.alter_pct, a.shift, &a.seed)?;
        manipulated = f;
        (&manipulated, altered)
    } else {
        (&truth, Vec::new())
    };
    let (s, samples) = pvt::simulate::simulate(
        &truth,
        &columns,
        official,
        &altered,
        &plan,
        leader,
        a.trials,
        &a.seed,
        threads,
        a.dump.is_some(),
    )?;
    if a.timing {
        eprintln!(
            "simulated {} trials of {} stations in {:.1} ms after reading the file",
            a.trials,
            s.sample,
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    if let Some(dir) = &a.dump {
        dump(dir, &truth, &plan, leader, &samples, &s)?;
    }
    let o = SimulateOut {
        election: truth.election.clone(),
        leader: truth.choices[leader].clone(),
        stations: truth.stations.len(),
        strata: plan.len(),
        sample: s.sample,
        trials: s.trials,
        true_share_pct: 100.0 * s.true_share,
        official_share_pct: 100.0 * s.official_share,
        coverage_95: s.coverage_95,
        coverage_99: s.coverage_99,
        naive_coverage_95: s.naive_coverage_95,
        median_half_width_pct: 100.0 * s.median_half_width_95,
        alarm_95: s.alarm_95,
        alarm_99: s.alarm_99,
        altered_stations: altered.len(),
        altered_drawn: s.altered_drawn,
        altered_listed: s.altered_listed,
        trials_all_listed: s.trials_all_listed,
    };
    emit(a.json, &o, |out| {
        writeln!(
            out,
            "{} trials of {} stations in {} strata from {} ({} stations); {}'s share of valid votes:",
            o.trials, o.sample, o.strata, o.election, o.stations, o.leader
        )?;
        writeln!(
            out,
            "  true (every station)          {:.3}%",
            o.true_share_pct
        )?;
        writeln!(
            out,
            "  95% intervals covering it     {:.1}% of trials",
            100.0 * o.coverage_95
        )?;
        writeln!(
            out,
            "  99% intervals covering it     {:.1}%",
            100.0 * o.coverage_99
        )?;
        writeln!(
            out,
            "  naive voter-level 95% covering {:.1}%",
            100.0 * o.naive_coverage_95
        )?;
        writeln!(
            out,
            "  median 95% half-width         ±{:.3} points",
            o.median_half_width_pct
        )?;
        if o.altered_stations > 0 {
            writeln!(
                out,
                "Official protocols altered at {} stations: official share {:.3}%",
                o.altered_stations, o.official_share_pct
            )?;
        }
        writeln!(
            out,
            "  alarm (official share outside) 95%: {:.1}% of trials, 99%: {:.1}%",
            100.0 * o.alarm_95,
            100.0 * o.alarm_99
        )?;
        if o.altered_stations > 0 {
            writeln!(
                out,
                "  altered stations drawn {}, listed by the comparison {}; every one listed in {} of {} trials",
                o.altered_drawn, o.altered_listed, o.trials_all_listed, o.trials
            )?;
        }
        Ok(())
    })
}

/// Writes what `bench/pvt_reference.py` reads: `frame.csv` (each station's stratum, the
/// leader's votes and valid votes), `plan.csv` (each stratum's stations and sample),
/// `samples.u32` (each trial's stations, little-endian u32, stratum by stratum) and
/// `estimates.csv` (each trial's share and variance, to 17 significant digits).
fn dump(
    dir: &Path,
    truth: &Frame,
    plan: &[pvt::allocation::Planned],
    leader: usize,
    samples: &[u32],
    s: &pvt::simulate::Simulated,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let planned_of = pvt::select::planned_of(truth, plan)?;
    let mut f = String::from("stratum,votes,valid\n");
    for st in &truth.stations {
        f.push_str(&format!(
            "{},{},{}\n",
            planned_of[st.stratum],
            st.counts.votes.get(leader).copied().unwrap_or(0),
            st.counts.valid()
        ));
    }
    let mut p = String::from("stratum,stations,sample\n");
    for (h, x) in plan.iter().enumerate() {
        p.push_str(&format!("{h},{},{}\n", x.stations, x.sample));
    }
    let mut e = String::from("trial,share,variance\n");
    for (t, (share, var)) in s.estimates.iter().enumerate() {
        e.push_str(&format!("{t},{share:.17e},{var:.17e}\n"));
    }
    for (name, bytes) in [
        ("frame.csv", f.as_bytes()),
        ("plan.csv", p.as_bytes()),
        (
            "samples.u32",
            &samples
                .iter()
                .flat_map(|i| i.to_le_bytes())
                .collect::<Vec<u8>>(),
        ),
        ("estimates.csv", e.as_bytes()),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

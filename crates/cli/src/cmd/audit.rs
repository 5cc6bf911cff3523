//! `tallyproof audit`: risk-limiting audits. `calc` runs the audit mathematics on a JSON
//! request (Arlo's conventions) for observers checking an audit by hand; `assertions`
//! lists the assertions that confirm a seat allocation, with their margins and the
//! ballots a comparison audit of each would need.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use seats::{allocate, Base};

use super::seats as seats_cmd;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Audit mathematics on a JSON request: sample, bravo, supersimple, macro, alpha, assertions
    Calc(CalcArgs),
    /// The assertions that confirm a seat allocation, and how hard each is to audit
    Assertions(AssertionArgs),
    /// Draw ballots from a ballot manifest (Arlo's CSV) with the consistent sampler: the retrieval list
    Draw(DrawArgs),
}

/// How ballot ids are written before hashing.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum IdStyle {
    /// `BATCH#POSITION`, BATCH being the container, tabulator and batch name joined by ` / `
    Plain,
    /// Arlo's Python tuple text, `('BATCH', POSITION)`, to compare a draw with Arlo's
    Arlo,
}

#[derive(Debug, clap::Args)]
pub struct DrawArgs {
    /// The ballot manifest (Container, Tabulator, Batch Name, Number of Ballots)
    #[arg(long)]
    pub manifest: PathBuf,
    /// The public seed (for example, from dice rolled in public)
    #[arg(long)]
    pub seed: String,
    /// Ballots to draw
    #[arg(long)]
    pub ballots: usize,
    /// Draws already made in earlier rounds (they are skipped)
    #[arg(long, default_value_t = 0)]
    pub drop: usize,
    /// Draw with replacement (a ballot can come up again; Arlo's ballot polling does this)
    #[arg(long)]
    pub with_replacement: bool,
    /// Digits kept in the printed tickets after the leading nines
    #[arg(long, default_value_t = 18)]
    pub digits: usize,
    /// How ballot ids are written before hashing
    #[arg(long, value_enum, default_value_t = IdStyle::Plain)]
    pub ids: IdStyle,
}

#[derive(Debug, clap::Args)]
pub struct CalcArgs {
    /// sample, bravo, supersimple, macro, alpha or assertions
    pub kind: String,
    /// The request (JSON); standard input when absent or `-`
    pub request: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct AssertionArgs {
    #[command(flatten)]
    pub seats: seats_cmd::Args,
    /// The risk limit, in percent (above 0, at most 50)
    #[arg(long, default_value_t = 5.0)]
    pub risk_limit: f64,
    /// Paper ballots cast (default: the participants, when the threshold base is theirs)
    #[arg(long)]
    pub ballots: Option<u64>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Calc(a) => calc(a),
        Command::Assertions(a) => assertions(a),
        Command::Draw(a) => draw(a),
    }
}

fn draw(a: DrawArgs) -> anyhow::Result<ExitCode> {
    let name = a.manifest.display().to_string();
    let bytes = std::fs::read(&a.manifest).with_context(|| format!("cannot read {name}"))?;
    let manifest = formats::manifest::parse_manifest(&name, &bytes)?;
    let batches: Vec<(String, u64)> = manifest.iter().map(|b| (b.key(), b.ballots)).collect();
    let style = match a.ids {
        IdStyle::Plain => audit::draw::IdStyle::Plain,
        IdStyle::Arlo => audit::draw::IdStyle::Arlo,
    };
    let opts = sampler_options(&a);
    let drawn = audit::draw::draw(&batches, &a.seed, style, &opts).with_context(|| name.clone())?;
    let mut out = csv::Writer::from_writer(std::io::stdout().lock());
    out.write_record([
        "ticket",
        "container",
        "tabulator",
        "batch",
        "position",
        "generation",
        "id",
    ])?;
    for d in &drawn {
        let b = &manifest[d.batch];
        out.write_record([
            d.ticket.as_str(),
            b.container.as_deref().unwrap_or(""),
            b.tabulator.as_deref().unwrap_or(""),
            b.name.as_str(),
            &d.position.to_string(),
            &d.generation.to_string(),
            d.id.as_str(),
        ])?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn sampler_options(a: &DrawArgs) -> audit::draw::Options {
    audit::draw::Options {
        with_replacement: a.with_replacement,
        drop: a.drop,
        take: a.ballots,
        digits: a.digits,
        threads: std::thread::available_parallelism().map_or(1, usize::from),
    }
}

fn calc(a: CalcArgs) -> anyhow::Result<ExitCode> {
    let (name, text) = match a.request.as_deref() {
        None => ("standard input".to_string(), read_stdin()?),
        Some(p) if p.as_os_str() == "-" => ("standard input".to_string(), read_stdin()?),
        Some(p) => (
            p.display().to_string(),
            std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?,
        ),
    };
    let request: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| audit::AuditError::field(name.clone(), format!("not valid JSON: {e}")))?;
    let answer = audit::calc::run(&a.kind, &request).with_context(|| name.clone())?;
    println!("{}", serde_json::to_string_pretty(&answer)?);
    Ok(ExitCode::SUCCESS)
}

fn read_stdin() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .context("cannot read the request from standard input")?;
    Ok(s)
}

fn assertions(a: AssertionArgs) -> anyhow::Result<ExitCode> {
    let alpha = audit::alpha_from_percent(a.risk_limit)?;
    let built = seats_cmd::build(&a.seats)?;
    let p = &built.problem;
    let o = allocate(p)?;
    let participated = p
        .threshold
        .as_ref()
        .filter(|t| t.base == Base::Participated)
        .and_then(|t| t.base_votes);
    let Some(ballots) = a.ballots.or(participated) else {
        anyhow::bail!("give --ballots: the number of paper ballots cast is not in the data");
    };
    let set = audit::assertions::seat_assertions(p, &o, ballots)?;
    let rows: Vec<serde_json::Value> = set
        .assertions
        .iter()
        .map(|x| {
            serde_json::json!({
                "label": x.label,
                "kind": x.kind,
                "margin": x.margin,
                "upper_bound": x.assorter.upper_bound,
                "mean": x.mean,
                "comparison_sample_size": audit::comparison_sample_size(&x.assorter, x.margin, ballots, alpha),
            })
        })
        .collect();
    if a.seats.json {
        let v = serde_json::json!({
            "ballots": ballots,
            "risk_limit_percent": a.risk_limit,
            "assertions": rows,
            "stark_teague_u": set.stark_teague_u,
            "notes": set.notes,
            "input_notes": built.notes,
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} assertions confirm this allocation ({ballots} ballots, risk limit {}%).",
        rows.len(),
        a.risk_limit
    );
    println!("{:>9}  {:>9}  assertion", "margin v", "ballots*");
    let mut sorted = rows.clone();
    sorted.sort_by(|x, y| {
        x["margin"]
            .as_f64()
            .unwrap_or(0.0)
            .total_cmp(&y["margin"].as_f64().unwrap_or(0.0))
    });
    for r in &sorted {
        println!(
            "{:>9.5}  {:>9}  {}",
            r["margin"].as_f64().unwrap_or(0.0),
            r["comparison_sample_size"],
            r["label"].as_str().unwrap_or("")
        );
    }
    println!("v: the assorter margin, 2 x mean - 1 over the reported ballots (positive: the assertion holds on the reported counts).");
    println!("* ballots a ballot-level comparison audit needs if the records are right (ALPHA, 1 in 1,000 one-vote overstatements).");
    for n in set.notes.iter().chain(&built.notes) {
        println!("note: {n}");
    }
    Ok(ExitCode::SUCCESS)
}

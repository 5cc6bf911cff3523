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
    /// Before starting: the work of each method (ballots, stations) at a risk limit, which would amount to a full count and why
    Plan(super::audit_flow::PlanArgs),
    /// Draw ballots from a ballot manifest (Arlo's CSV) with the consistent sampler: the retrieval list
    Draw(DrawArgs),
    /// Simulate comparison audits of a seat allocation, clean or with the smallest seat-changing error planted
    Simulate(SimulateArgs),
    /// Start an audit of a stored election's seat allocation (logged): risk limit, method, public seed
    Start(super::audit_flow::StartArgs),
    /// Draw the next round (logged) and print its retrieval list
    Sample(super::audit_flow::SampleArgs),
    /// Record what the audit boards read for the round's ballots, or targeted stations' hand counts (logged)
    Record(super::audit_flow::RecordArgs),
    /// Add stations to the latest round for a hand count beside the random sample: flagged by the forensic tests, or named in an upheld complaint (logged; never in the risk)
    Target(super::audit_flow::TargetArgs),
    /// Form the audit boards of the latest round (logged): two board members each, who read and sign off its ballots at the results service's desk
    Boards(super::audit_flow::BoardsArgs),
    /// Risk per assertion, recomputed from the log, and the next step
    Status(super::audit_flow::StatusArgs),
    /// Stop the audit: a full hand count decides (logged)
    Escalate(super::audit_flow::AuditTarget),
    /// Write cast-vote records that agree with the protocols (for a simulated audit)
    Cvrs(super::audit_flow::CvrsArgs),
}

#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    pub assertions: AssertionArgs,
    /// Simulated audits
    #[arg(long, default_value_t = 100)]
    pub trials: u64,
    /// The first trial's seed (trial k uses seed + k)
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Plant on the paper the smallest error that changes a seat
    #[arg(long)]
    pub plant_smallest: bool,
    /// Ballots after which an audit escalates to a full hand count
    #[arg(long, default_value_t = 50_000)]
    pub cap: u64,
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
    /// Batches (polling stations) for the batch-comparison estimate (default: the stored
    /// election's stations)
    #[arg(long)]
    pub stations: Option<u64>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Calc(a) => calc(a),
        Command::Assertions(a) => assertions(a),
        Command::Plan(a) => super::audit_flow::plan(a),
        Command::Draw(a) => draw(a),
        Command::Simulate(a) => simulate(a),
        Command::Start(a) => super::audit_flow::start(a),
        Command::Sample(a) => super::audit_flow::sample(a),
        Command::Record(a) => super::audit_flow::record_readings(a),
        Command::Target(a) => super::audit_flow::target(a),
        Command::Boards(a) => super::audit_flow::boards(a),
        Command::Status(a) => super::audit_flow::status(a),
        Command::Escalate(a) => super::audit_flow::escalate(a),
        Command::Cvrs(a) => super::audit_flow::cvrs(a),
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

/// The allocation of the seats arguments and its assertions.
struct Setup {
    built: seats_cmd::Built,
    outcome: seats::Outcome,
    ballots: u64,
    stations: u64,
    set: audit::assertions::SeatAssertions,
}

fn setup(a: &AssertionArgs) -> anyhow::Result<Setup> {
    let built = seats_cmd::build(&a.seats)?;
    let p = &built.problem;
    let outcome = allocate(p)?;
    let participated = p
        .threshold
        .as_ref()
        .filter(|t| t.base == Base::Participated)
        .and_then(|t| t.base_votes);
    let Some(ballots) = a.ballots.or(participated) else {
        anyhow::bail!("give --ballots: the number of paper ballots cast is not in the data");
    };
    let stations = match (a.stations, &a.seats.file) {
        (Some(s), _) => s,
        (None, Some(_)) => {
            anyhow::bail!("give --stations: the number of batches is not in a contest file")
        }
        (None, None) => {
            let store = crate::cmd::open_store(&a.seats.db)?;
            let name = super::election_name(&store, a.seats.election.as_deref())?;
            let loaded = store::Store::load(&store, &name)?;
            let ids: std::collections::HashSet<_> =
                loaded.protocols.iter().map(|p| p.station).collect();
            ids.len() as u64
        }
    };
    let set = audit::assertions::seat_assertions(p, &outcome, ballots)?;
    Ok(Setup {
        built,
        outcome,
        ballots,
        stations,
        set,
    })
}

fn assertions(a: AssertionArgs) -> anyhow::Result<ExitCode> {
    let alpha = audit::alpha_from_percent(a.risk_limit)?;
    let Setup {
        built,
        ballots,
        stations,
        set,
        ..
    } = setup(&a)?;
    let full = audit::plan::is_full_count;
    let mut rows: Vec<(audit::assertions::Assertion, audit::plan::Estimate)> = set
        .assertions
        .iter()
        .map(|x| {
            (
                x.clone(),
                audit::plan::estimate(x, ballots, stations, alpha),
            )
        })
        .collect();
    rows.sort_by(|x, y| x.0.margin.total_cmp(&y.0.margin));
    let worst =
        |f: fn(&audit::plan::Estimate) -> u64| rows.iter().map(|r| f(&r.1)).max().unwrap_or(0);
    let (comparison, polling, batches) = (
        worst(|e| e.comparison_ballots),
        worst(|e| e.polling_ballots),
        worst(|e| e.batches),
    );
    let verdict = |work: u64, of: u64| {
        if full(work, of) {
            "equivalent to a full count: not started"
        } else {
            "feasible"
        }
    };
    if a.seats.json {
        let list: Vec<serde_json::Value> = rows
            .iter()
            .map(|(x, e)| {
                serde_json::json!({
                    "label": x.claim.to_string(),
                    "kind": x.kind,
                    "margin": x.margin,
                    "upper_bound": x.assorter.upper_bound,
                    "mean": x.mean,
                    "comparison_sample_size": e.comparison_ballots,
                    "polling_sample_size": e.polling_ballots,
                    "batch_sample_size": e.batches,
                })
            })
            .collect();
        let v = serde_json::json!({
            "ballots": ballots,
            "stations": stations,
            "risk_limit_percent": a.risk_limit,
            "assertions": list,
            "plan": {
                "ballot_comparison": {"ballots": comparison, "verdict": verdict(comparison, ballots)},
                "ballot_polling": {"ballots": polling, "verdict": verdict(polling, ballots)},
                "batch_comparison": {"stations": batches, "verdict": verdict(batches, stations)},
            },
            "stark_teague_u": set.stark_teague_u,
            "notes": set.notes,
            "input_notes": built.notes_text(),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} assertions confirm this allocation ({ballots} ballots in {stations} stations, risk limit {}%).",
        rows.len(),
        a.risk_limit
    );
    println!(
        "{:>9}  {:>10}  {:>10}  {:>9}  assertion",
        "margin v", "comparison", "polling", "stations"
    );
    for (x, e) in &rows {
        println!(
            "{:>9.5}  {:>10}  {:>10}  {:>9}  {}",
            x.margin, e.comparison_ballots, e.polling_ballots, e.batches, x.claim
        );
    }
    println!("v: the assorter margin, 2 x mean - 1 over the reported ballots (positive: the assertion holds on the reported counts).");
    println!("comparison: ballots a ballot-level comparison audit needs if the records are right (ALPHA, 1 in 1,000 one-vote overstatements);");
    println!("polling: ballots a ballot-polling audit needs on average; stations: batches a station-level batch comparison (MACRO) draws.");
    println!("\nplan for the whole allocation:");
    println!(
        "  ballot-level comparison: {comparison} ballots: {}",
        verdict(comparison, ballots)
    );
    println!(
        "  ballot polling: {polling} ballots: {}",
        verdict(polling, ballots)
    );
    println!(
        "  station-level batch comparison: {batches} of {stations} stations: {}",
        verdict(batches, stations)
    );
    for n in set.notes.iter().cloned().chain(built.notes_text()) {
        println!("note: {n}");
    }
    Ok(ExitCode::SUCCESS)
}

fn simulate(a: SimulateArgs) -> anyhow::Result<ExitCode> {
    let alpha = audit::alpha_from_percent(a.assertions.risk_limit)?;
    let Setup {
        built,
        outcome,
        ballots,
        set,
        ..
    } = setup(&a.assertions)?;
    let p = &built.problem;
    let cvr = audit::simulate::ballots_of(p, ballots)?;
    let (paper, planted) = if a.plant_smallest {
        let (paper, what) = plant_smallest(p, &outcome, &cvr, a.seed)?;
        (paper, Some(what))
    } else {
        (cvr.clone(), None)
    };
    let mut trials = Vec::with_capacity(a.trials as usize);
    for k in 0..a.trials {
        trials.push(audit::simulate::comparison_audit(
            &set.assertions,
            &cvr,
            &paper,
            alpha,
            a.cap,
            a.seed + k,
        )?);
    }
    let confirmed = trials.iter().filter(|t| t.confirmed).count() as u64;
    let mut sizes: Vec<u64> = trials.iter().map(|t| t.sampled).collect();
    sizes.sort_unstable();
    let mean = sizes.iter().sum::<u64>() as f64 / sizes.len().max(1) as f64;
    let median = sizes.get(sizes.len() / 2).copied().unwrap_or(0);
    let n = a.trials as f64;
    let bound = alpha + 3.0 * (alpha * (1.0 - alpha) / n).sqrt();
    let v = serde_json::json!({
        "ballots": ballots,
        "assertions": set.assertions.len(),
        "risk_limit_percent": a.assertions.risk_limit,
        "trials": a.trials,
        "cap": a.cap,
        "planted": planted,
        "confirmed": confirmed,
        "escalated_to_full_count": a.trials - confirmed,
        "mean_sample_size": mean,
        "median_sample_size": median,
        "max_sample_size": sizes.last().copied().unwrap_or(0),
        "wrong_confirmation_bound": planted.as_ref().map(|_| bound),
    });
    if a.assertions.seats.json {
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        println!(
            "{} simulated comparison audits of {} ballots ({} assertions, risk limit {}%):",
            a.trials,
            ballots,
            set.assertions.len(),
            a.assertions.risk_limit
        );
        match &planted {
            None => println!("paper agrees with the records."),
            Some(w) => println!("planted on the paper: {w}"),
        }
        println!(
            "confirmed {confirmed}, escalated to a full count {}",
            a.trials - confirmed
        );
        println!(
            "ballots sampled: mean {mean:.0}, median {median}, max {}",
            sizes.last().copied().unwrap_or(0)
        );
        if planted.is_some() {
            println!(
                "the outcome on paper differs, so every confirmation is wrong: {confirmed} of {} (at most {:.1} expected: alpha + 3 sd)",
                a.trials,
                bound * n
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Plants the smallest error that changes a seat: the closest pair's margin (ballots moved
/// from the seat holder to the other party) or the closest national threshold (ballots of
/// a party that passes read as invalid), whichever is smaller; checks that the paper's
/// allocation differs.
fn plant_smallest(
    p: &seats::Problem,
    o: &seats::Outcome,
    cvr: &[audit::simulate::Ballot],
    seed: u64,
) -> anyhow::Result<(Vec<audit::simulate::Ballot>, String)> {
    let m = seats::margins(p, o)?;
    let mut options: Vec<(u64, usize, Option<usize>)> = Vec::new();
    if let Some(pm) = &m.election {
        options.push((pm.ballots, pm.winner, Some(pm.loser)));
    }
    for t in m
        .thresholds
        .iter()
        .filter(|t| t.passes && t.threshold == "national")
    {
        options.push((t.ballots, t.party, None));
    }
    let Some(&(k, from, to)) = options.iter().min_by_key(|x| x.0) else {
        anyhow::bail!("the allocation has no pair or threshold margin to plant");
    };
    let seats_of = |o: &seats::Outcome| o.parties.iter().map(|x| x.seats).collect::<Vec<_>>();
    let paper = audit::simulate::plant(cvr, from, to, k, seed)?;
    let on_paper = allocate(&audit::simulate::recount(p, &paper))?;
    if seats_of(&on_paper) == seats_of(o) {
        anyhow::bail!("planting {k} errors did not change the seats: the margin is not the smallest seat-changing error");
    }
    let to_name = to.map_or("invalid".to_string(), |t| p.parties[t].clone());
    Ok((
        paper,
        format!(
            "{k} ballots for {} read as {to_name}; the paper's seats differ",
            p.parties[from]
        ),
    ))
}

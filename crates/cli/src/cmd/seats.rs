//! `tallyproof seats` and `tallyproof margins`: allocation and seat margins, from a contest
//! file or from a stored election under a law preset.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::ValueEnum;
use formats::contest::{margin_summary, margins_json, outcome_json, parse_contest};
use model::{Election, Protocol};
use seats::{allocate, margins, percent, preset, Base, Outcome};
use store::Store;

use super::{election_name, DEFAULT_DB};

/// A threshold base on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum BaseArg {
    /// Valid ballots
    Valid,
    /// Voters who took part (valid + invalid)
    Participated,
    /// Registered voters
    Registered,
    /// The sum of the listed parties' votes
    Listed,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A contest file (TOML or JSON) describing one allocation problem
    pub file: Option<PathBuf>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    /// The store file, when no FILE is given
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// The stored election (may be omitted when the store holds one)
    #[arg(long)]
    pub election: Option<String>,
    /// The law preset for a stored election: kg2010, kg2015, kg2020, kg2021
    #[arg(long)]
    pub law: Option<String>,
    /// Override the preset's threshold base
    #[arg(long, value_enum)]
    pub base: Option<BaseArg>,
}

pub use record::Built;

pub fn run_seats(args: Args) -> anyhow::Result<ExitCode> {
    let built = build(&args)?;
    let o = allocate(&built.problem)?;
    if args.json {
        let mut v = outcome_json(&built.problem, &o);
        v["input_notes"] = serde_json::json!(built.notes_text());
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        print_outcome(&built, &o);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_margins(args: Args) -> anyhow::Result<ExitCode> {
    let built = build(&args)?;
    let p = &built.problem;
    let o = allocate(p)?;
    let m = margins(p, &o)?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&margins_json(p, &o, &m))?
        );
        return Ok(ExitCode::SUCCESS);
    }
    for line in margin_summary(p, &o, &m) {
        println!("{line}");
    }
    println!("\nclosest pairs (ballots moved from the first party to the second):");
    for pm in m.pairs.iter().take(8) {
        let exact = pm
            .exact
            .map(|(n, d)| format!("  (exact crossing {n}/{d})"))
            .unwrap_or_default();
        println!(
            "  {:>10}  {} -> {}{exact}",
            pm.ballots, p.parties[pm.winner], p.parties[pm.loser]
        );
    }
    if !m.thresholds.is_empty() {
        println!("\nthreshold margins (ballots to cross, the base held fixed):");
        for t in m.thresholds.iter().take(8) {
            let side = if t.passes { "above" } else { "below" };
            println!(
                "  {:>10}  {} is {side} the {} threshold",
                t.ballots, p.parties[t.party], t.threshold
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn build(args: &Args) -> anyhow::Result<Built> {
    if let Some(path) = &args.file {
        let display = path.display().to_string();
        let text =
            std::fs::read_to_string(path).with_context(|| format!("cannot read {display}"))?;
        let toml = !display.ends_with(".json") && !text.trim_start().starts_with('{');
        return Ok(Built {
            problem: parse_contest(&display, &text, toml)?,
            notes: Vec::new(),
        });
    }
    let Some(law) = &args.law else {
        bail!(
            "give a contest FILE, or --law PRESET ({}) to allocate a stored election",
            preset::KEYS
        );
    };
    let store = crate::cmd::open_store(&args.db)?;
    let name = election_name(&store, args.election.as_deref())?;
    let loaded = store.load(&name)?;
    let base = args.base.map(|b| match b {
        BaseArg::Valid => Base::Valid,
        BaseArg::Participated => Base::Participated,
        BaseArg::Registered => Base::Registered,
        BaseArg::Listed => Base::Listed,
    });
    problem_from_election(
        &loaded.election,
        &loaded.protocols,
        &preset::law(law)?,
        base,
    )
}

/// The law's problem for a stored election (the builder the log's verifier uses too).
pub fn problem_from_election(
    e: &Election,
    protocols: &[Protocol],
    law: &preset::Law,
    base: Option<Base>,
) -> anyhow::Result<Built> {
    Ok(record::problem_from_election(
        e,
        protocols,
        law,
        base,
        tabulate::Filter::default(),
    )?)
}

/// Prints an allocation as a table.
pub fn print_outcome(b: &Built, o: &Outcome) {
    let p = &b.problem;
    println!(
        "{} seats by {}, ties: {}",
        p.seats,
        p.method.name(),
        p.ties.name()
    );
    if let Some(t) = &p.threshold {
        let mut line = String::from("thresholds:");
        if let (Some(n), Some((base, v))) = (t.national, o.base) {
            line.push_str(&format!(
                " national {}% of {} ({v})",
                n.percent(2),
                base.key()
            ));
        }
        if let Some(r) = t.regional {
            match p.regions.len() {
                0 => line.push_str(&format!(
                    "; {}% in each region (no regional counts: not checkable)",
                    r.percent(2)
                )),
                n => line.push_str(&format!("; {}% in each of {n} regions", r.percent(2))),
            }
        }
        println!("{line}");
    }
    if let Some(c) = p.cap {
        println!("cap: {c} seats per party");
    }
    let total: u64 = o.base.map_or_else(|| p.votes.iter().sum(), |(_, v)| v);
    println!(
        "\n{:<44} {:>9} {:>7} {:>14} {:>14} {:>6}",
        "party", "votes", "%", "national", "regional", "seats"
    );
    let mut order: Vec<usize> = (0..o.parties.len()).collect();
    order.sort_by(|&a, &b| {
        o.parties[b]
            .seats
            .cmp(&o.parties[a].seats)
            .then(o.parties[b].votes.cmp(&o.parties[a].votes))
    });
    for i in order {
        let x = &o.parties[i];
        let name: String = x.name.chars().take(44).collect();
        println!(
            "{name:<44} {:>9} {:>7} {:>14} {:>14} {:>6}",
            x.votes,
            percent(x.votes, total),
            x.national.key(),
            x.regional.key(),
            x.seats
        );
    }
    for d in &o.districts {
        let who = match (d.vacant, d.party) {
            (true, _) => "vacant: \"against all\" won, a re-run is due".to_string(),
            (false, Some(pi)) => p.parties[pi].clone(),
            (false, None) => "an independent".into(),
        };
        println!("district {}: {who}", d.name);
    }
    for t in &o.ties {
        let names: Vec<&str> = t.parties.iter().map(|&i| p.parties[i].as_str()).collect();
        let won: Vec<&str> = t.winners.iter().map(|&i| p.parties[i].as_str()).collect();
        println!(
            "tie for {} seat(s) between {}: won by {} ({})",
            t.seats,
            names.join(", "),
            won.join(", "),
            t.rule
        );
    }
    for n in b
        .notes_text()
        .into_iter()
        .chain(o.notes.iter().map(ToString::to_string))
    {
        println!("note: {n}");
    }
}

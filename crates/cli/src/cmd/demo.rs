//! `tallyproof demo`: the bundled Kyrgyz 2020 data, imported into a fresh store and tabulated.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use formats::report::Report;
use formats::{Format, ImportOptions};
use model::{Protocol, UnitLevel};
use store::{SqliteStore, Store};
use tabulate::{tabulate, Filter, ShareBase};

use super::import::import_into;
use crate::input::{Data, Input};
use crate::table;

/// The 2413-row file, with regions (`PARTIES_RESULTS_REACT_LEVEL_ONE_NEW.csv`).
const KG_2413: &[u8] = include_bytes!("../../../../data/kg2020/stations_by_region_2413.csv");
/// The 2399-row file, without regions (`PARTIES_RESULTS_REACT.csv`).
const KG_2399: &[u8] = include_bytes!("../../../../data/kg2020/stations_2399.csv");

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The store to create (replaced if it exists); default: a file in the temporary directory
    #[arg(long)]
    pub db: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let db = args
        .db
        .unwrap_or_else(|| std::env::temp_dir().join("tallyproof-demo.db"));
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", db.display()));
        if p.exists() {
            std::fs::remove_file(&p).with_context(|| format!("cannot replace {}", p.display()))?;
        }
    }
    println!("tallyproof demo: Kyrgyzstan, Jogorku Kenesh election of 4 October 2020 (annulled on 6 October 2020)");
    println!("Data: KloopMedia/ParliamentCalculatorV2 at commit 1e616c2780cdcad0b23065f31778c201b19174ef (see NOTICE).");
    println!("Store: {} (fresh)\n", db.display());
    let mut store = SqliteStore::open(&db)?;
    for (name, file, bytes) in [
        (
            "kg2020-2413",
            "data/kg2020/stations_by_region_2413.csv",
            KG_2413,
        ),
        ("kg2020-2399", "data/kg2020/stations_2399.csv", KG_2399),
    ] {
        let input = Input {
            display: file.to_string(),
            data: Data::Bytes(bytes),
            format: Format::Kg2020,
            options: ImportOptions::named(name),
        };
        println!("{}", import_into(&mut store, &input)?);
    }
    let a = store.load("kg2020-2413")?;
    let b = store.load("kg2020-2399")?;
    let base = ShareBase::Valid;
    let mut out = std::io::stdout().lock();

    println!("\n== Results by region: 2413-row file (valid = the file's `total` column: all 16 lists plus \"against all\") ==\n");
    let tally_a = tabulate(&a.election, 0, &a.protocols, Filter::default());
    table::render(
        &mut out,
        &Report::build(&a.election, &tally_a, UnitLevel::Region, None),
        base,
    )?;

    println!("\n== National results: 2399-row file (it has no regions) ==\n");
    let tally_b = tabulate(&b.election, 0, &b.protocols, Filter::default());
    table::render(
        &mut out,
        &Report::build(&b.election, &tally_b, UnitLevel::Country, None),
        base,
    )?;

    println!("\n== How the two files differ ==\n");
    let (ta, tb) = (
        tally_a.totals(a.election.units.root()),
        tally_b.totals(b.election.units.root()),
    );
    println!("They are two vintages of the count, not one file nested in the other.");
    println!(
        "rows: {} in the 2413-row file, {} in the 2399-row file; votes (total column): {} and {} ({:+})",
        a.protocols.len(),
        b.protocols.len(),
        ta.choice_sum(),
        tb.choice_sum(),
        tb.choice_sum() as i128 - ta.choice_sum() as i128
    );
    let (same, only_a, only_b) = twins(&a.protocols, &b.protocols);
    println!(
        "rows with identical vote counts in both files: {same}; rows of the 2413-row file without a twin: {only_a}; of the 2399-row file: {only_b}"
    );
    println!(
        "\n{:<44} {:>10} {:>10} {:>8} {:>8}",
        "list", "2413-row", "2399-row", "% 2413", "% 2399"
    );
    for (i, c) in a.election.contests[0].choices.iter().enumerate() {
        let share = |t: &tabulate::Totals| {
            t.share(i, base)
                .map_or_else(|| "-".into(), |s| s.percent(2))
        };
        let name: String = c.name.chars().take(44).collect();
        println!(
            "{name:<44} {:>10} {:>10} {:>8} {:>8}",
            ta.votes[i],
            tb.votes[i],
            share(&ta),
            share(&tb)
        );
    }
    println!(
        "\nNeither file carries invalid ballots or registered voters, so turnout cannot be computed and shares here are of\n\
         the files' totals, not of all participants (the legal base of the 7% threshold). Seat allocation comes later.\n\
         Next: tallyproof results --db {} --election kg2020-2413 --by region --json",
        db.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Matches rows of two files by their full vote vectors (the files share no station id):
/// returns (rows matched one to one, unmatched rows of `a`, unmatched rows of `b`).
fn twins(a: &[Protocol], b: &[Protocol]) -> (usize, usize, usize) {
    let mut pool: HashMap<&[u64], usize> = HashMap::new();
    for p in a {
        *pool.entry(p.votes.as_slice()).or_default() += 1;
    }
    let mut same = 0;
    for p in b {
        if let Some(n) = pool.get_mut(p.votes.as_slice()).filter(|n| **n > 0) {
            *n -= 1;
            same += 1;
        }
    }
    (same, a.len() - same, b.len() - same)
}

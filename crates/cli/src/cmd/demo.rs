//! `tallyproof demo`: the bundled Kyrgyz 2020 data, imported into a fresh store and tabulated.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use formats::report::Report;
use formats::{Format, ImportOptions};
use model::{Protocol, UnitLevel};
use store::{Actor, SqliteStore, Staffing, Store};
use tabulate::{tabulate, Filter, ShareBase};

use super::import::import_into;
use super::publish::{append_publication, write_log, write_stored_log};
use super::seats::{print_outcome, problem_from_election};
use super::verify::{verify_dir, Verdict};
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
    /// Print the summary and stop, instead of serving the results afterwards
    #[arg(long)]
    pub no_serve: bool,
    /// Where to serve the results (another free port is taken if this one is busy)
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
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
    let mut store = crate::cmd::open_store(&db)?;
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
    let tally_a = tabulate(&a.election, 0, &a.protocols, Filter::default())?;
    table::render(
        &mut out,
        &Report::build(&a.election, &tally_a, UnitLevel::Region, None),
        base,
    )?;

    println!("\n== National results: 2399-row file (it has no regions) ==\n");
    let tally_b = tabulate(&b.election, 0, &b.protocols, Filter::default())?;
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
         the files' totals, not of all participants (the legal base of the 7% threshold)."
    );
    seats_section(&a, &b)?;
    forensics_section(&a, &db)?;
    log_section(&mut store, &db)?;
    println!(
        "\nNext: tallyproof results --db {0} --election kg2020-2413 --by region --json\n      tallyproof margins --db {0} --election kg2020-2399 --law kg2020",
        db.display()
    );
    if args.no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    staff_accounts(&db)?;
    println!("\nThe results, seats and margins in a browser:");
    super::serve::run(super::serve::Args {
        log_key: Some(super::publish::default_key_path(&db)),
        db,
        addr: args.addr,
        any_port_if_busy: true,
        log_origin: DEMO_ORIGIN.to_string(),
        witness: Vec::new(),
        tls_cert: None,
        tls_key: None,
        audit_files: None,
        sms_gateway: Vec::new(),
        phone_key: None,
        country: "996".into(),
        trunk: "0".into(),
        incident_categories: None,
    })
}

/// Two clerks of election `name` only, an operator for the whole country and a verifier,
/// added on the console (active at once, each grant logged), with random passwords that
/// nobody is told.
fn demo_clerks(
    store: &mut SqliteStore,
    db: &std::path::Path,
    name: &str,
) -> anyhow::Result<(store::User, store::User)> {
    let only = [name.to_string()];
    let now = crate::cmd::clock()?;
    let add = |who: &str, role| {
        server::add_user_in(
            &db.to_string_lossy(),
            who,
            role,
            &server::secret(),
            Some(&only),
            now,
        )
    };
    let clerk = add("demo-entry-clerk", record::Role::Operator)?;
    let checker = add("demo-check-clerk", record::Role::Verifier)?;
    store.assign(clerk.id, name, model::UnitId(0), None, now)?;
    Ok((clerk, checker))
}

/// The open election of the demo's staff desk: the 2413-row file again, since kg2020-2413 is
/// annulled (as on 6 October 2020) and so frozen.
pub const DESK: &str = "kg2020-desk";

/// One staff account per role, with a fresh random password each, printed once, so that the
/// demo's staff desk can be tried: the operator may enter protocols anywhere in [`DESK`].
fn staff_accounts(db: &std::path::Path) -> anyhow::Result<()> {
    use store::Staffing;
    let input = Input {
        display: "data/kg2020/stations_by_region_2413.csv".to_string(),
        data: Data::Bytes(KG_2413),
        format: Format::Kg2020,
        options: ImportOptions::named(DESK),
    };
    import_into(&mut crate::cmd::open_store(db)?, &input)?;
    println!("\nStaff accounts for trying the workflow (this demo store only; log in at /login):");
    let now = crate::cmd::clock()?;
    for &role in record::Role::ALL {
        let password: String = server::secret()[..20].to_string();
        server::add_user(&db.to_string_lossy(), role.key(), role, &password, now)?;
        println!("  {:<13} password {password}", role.key());
    }
    let mut store = crate::cmd::open_store(db)?;
    if let Some((u, _)) = store.user_by_name("operator")? {
        store.assign(u.id, DESK, model::UnitId(0), None, now)?;
    }
    println!(
        "The staff desk, on an open copy of the 2413-row file (kg2020-2413 itself is annulled, \
         so frozen): /elections/{DESK}/staff"
    );
    Ok(())
}

/// The forensic report on the 2413-row file: only the digit tests can run without
/// registered voters, and the page says why the others cannot.
fn forensics_section(a: &store::Loaded, db: &std::path::Path) -> anyhow::Result<()> {
    println!("\n== Forensics (tallyproof forensics report) ==\n");
    let report = forensics::report::build(&a.election, &a.protocols, 0, None, None)?;
    let html = ui::forensics::standalone(ui::Lang::En, &report);
    let path = PathBuf::from(format!("{}.forensics.html", db.display()));
    std::fs::write(&path, html).with_context(|| format!("cannot write {}", path.display()))?;
    if let Some(line) = report.missing {
        println!(
            "The files have no {line}, so the integer-percentage test, the turnout histogram, the\n\
             fingerprint, the Shpilkin method and the station flags cannot run: each needs turnout.\n\
             The digit tests ran; most parties' counts are too small for them to mean anything,\n\
             and the report says so party by party."
        );
    }
    println!("Report: {}", path.display());
    Ok(())
}

/// The 2020 law on both files: the 2399-row file as the published check, the 2413-row file
/// under each base its data allow, and the margins.
fn seats_section(a: &store::Loaded, b: &store::Loaded) -> anyhow::Result<()> {
    let law = seats::preset::law("kg2020")?;
    println!("\n== Seats under the 2020 law: Hare, 120 seats, 7% nationally, 0.7% in each region, cap 65 ==\n");
    println!("2399-row file (no regions, no invalid ballots):\n");
    let built = problem_from_election(&b.election, &b.protocols, &law, None)?;
    let outcome = seats::allocate(&built.problem)?;
    print_outcome(&built, &outcome);
    println!("\nMargins of that allocation:");
    let m = seats::margins(&built.problem, &outcome)?;
    for line in formats::contest::margin_summary(&built.problem, &outcome, &m) {
        println!("  {line}");
    }
    println!("\n2413-row file (with regions), under each base the data allow:\n");
    let mut runs = Vec::new();
    for (label, base) in [
        (
            "the total column (valid ballots, incl. \"against all\")",
            seats::Base::Participated,
        ),
        ("the 16 parties' votes only", seats::Base::Listed),
    ] {
        let built = problem_from_election(&a.election, &a.protocols, &law, Some(base))?;
        let o = seats::allocate(&built.problem)?;
        let won: Vec<String> = o
            .parties
            .iter()
            .filter(|x| x.seats > 0)
            .map(|x| format!("{} {}", x.name, x.seats))
            .collect();
        println!("  base = {label}:\n    {}", won.join(", "));
        runs.push(o);
    }
    let same = runs[0]
        .parties
        .iter()
        .zip(&runs[1].parties)
        .all(|(x, y)| x.seats == y.seats);
    println!(
        "\n  {}",
        if same {
            "Both bases give the same seats here."
        } else {
            "The two bases give different seats."
        }
    );
    // Parties whose fate differs between the two vintages of the count.
    for (x, y) in outcome.parties.iter().zip(&runs[0].parties) {
        if x.eligible != y.eligible {
            let share = |o: &seats::Outcome, p: &seats::PartyOutcome| {
                seats::percent(p.votes, o.base.map_or(1, |(_, v)| v))
            };
            println!(
                "  {} has {}% in the 2399-row file ({}, {} seats) and {}% in the 2413-row file ({}, {} seats).",
                x.name,
                share(&outcome, x),
                x.national.key(),
                x.seats,
                share(&runs[0], y),
                y.national.key(),
                y.seats
            );
        }
    }
    println!(
        "  The legal base, all participants including invalid ballots, is larger than either base these files allow,\n  \
         so every share on it is lower (the CEC's preliminary ASU count, vector KG-2020-prelim-ASU, put Mekenchil at\n  \
         6.85%). Which parties enter parliament turns on the base and on the vintage of the count."
    );
    Ok(())
}

/// The demo log's signing key: a fixed, published seed, so that the demo is reproducible.
/// Never use it for a real election.
const DEMO_LOG_SEED: [u8; 32] = *b"tallyproof demo log key: public!";
/// The demo logs' origin prefix: election NAME's log is `tallyproof.demo/NAME`.
const DEMO_ORIGIN: &str = "tallyproof.demo";

/// Logs the 2413-row count, then the sequence of October 2020: a preliminary publication,
/// corrections at some stations, the annulment; verifies the log, then two tampered copies.
fn log_section(store: &mut SqliteStore, db: &std::path::Path) -> anyhow::Result<()> {
    use record::{encode, Entry};
    use translog::note::NoteSigner;

    println!("\n== The tamper-evident log ==\n");
    let name = "kg2020-2413";
    let dir = PathBuf::from(format!("{}.log", db.display()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)
            .with_context(|| format!("cannot replace {}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir)?;
    let origin = &format!("{DEMO_ORIGIN}/{name}");
    let key = NoteSigner::from_seed(DEMO_ORIGIN, DEMO_LOG_SEED)?;
    // The service signs the live logs with the same key (`tallyproof serve` reads it here).
    std::fs::write(
        super::publish::default_key_path(db),
        format!("{}\n", key.text()),
    )?;
    // The store logged the import in the same transaction; the commission now publishes.
    append_publication(
        store,
        name,
        record::Stage::Preliminary,
        Some("kg2020"),
        None,
        &key,
    )?;
    let first = write_stored_log(&dir, origin, &key, &*store, name)?;
    let saved = first.checkpoint.clone();
    let saved_path = PathBuf::from(format!("{}.checkpoint-5-october", db.display()));
    std::fs::write(&saved_path, &saved)?;
    println!(
        "5 October: the import and the preliminary results are in the log: {} entries; an observer saves the checkpoint ({}).",
        first.size,
        saved_path.display()
    );
    // Corrections at three stations (ten votes move from the first list to the second), each
    // entered by one clerk and verified by another (the two-person rule), logged as they
    // are made. The clerks exist in this election only and cannot log in (no password is
    // printed); the accounts to try the desk come later.
    let (clerk, checker) = demo_clerks(store, db, name)?;
    let latest = store.load(name)?.protocols;
    for p in latest.iter().take(3) {
        let mut fixed = p.clone();
        let moved = 10.min(fixed.votes[0]);
        fixed.votes[0] -= moved;
        fixed.votes[1] += moved;
        let entered = store.enter(name, &fixed, &clerk, None, crate::cmd::clock()?)?;
        store.verify(name, entered.id, &checker, crate::cmd::clock()?)?;
    }
    // A second preliminary publication, never a certification: the bundled files do not say
    // which count they hold (most likely the scanners' figures of election night), and no
    // final manual result was certified in 2020.
    append_publication(
        store,
        name,
        record::Stage::Preliminary,
        Some("kg2020"),
        None,
        &key,
    )?;
    let reason = "CEC decision of 6 October 2020: the results are declared invalid";
    let (decision, content) = record::decision_act(
        record::DecisionKind::AnnulElection,
        None,
        reason,
        b"demo salt, published with reason",
    )?;
    store.act(
        name,
        Actor::Console,
        store::Act {
            act: record::StaffAct::Decide,
            entries: &[encode(&Entry::Decision(decision))],
            content: &[content],
            files: &[],
            at: None,
            time: crate::cmd::clock()?,
        },
    )?;
    let entries = store.log(name)?;
    let second = write_log(&dir, origin, &key, &entries)?;
    println!("Then 3 corrections, a second preliminary publication (the files do not say which count they hold, so nothing is certified) and the annulment (its reason as a salted commitment): {} entries.", second.size);
    println!(
        "Published at {} (log key: {}).\n",
        dir.display(),
        key.verifier().text()
    );
    let show = |label: &str, d: &std::path::Path, saved: Option<&str>| -> anyhow::Result<()> {
        match verify_dir(d, &key.verifier(), saved, &[], 0)? {
            Verdict::Valid(lines) => {
                println!("{label}: VALID");
                for l in lines {
                    println!("  ok: {l}");
                }
            }
            Verdict::Rejected(why) => println!("{label}: REJECTED: {why}"),
        }
        Ok(())
    };
    show(
        "tallyproof verify (the honest log, against the saved checkpoint)",
        &dir,
        Some(&saved),
    )?;
    println!("\ntallyproof diff: what changed since the saved checkpoint");
    for line in super::diff::changes(&dir, &key.verifier(), &saved_path, None)? {
        println!("  {line}");
    }
    // Tampered copy 1: a digit changed in a published protocol.
    let bad = PathBuf::from(format!("{}.tampered", dir.display()));
    if bad.exists() {
        std::fs::remove_dir_all(&bad)?;
    }
    copy_dir(&dir, &bad)?;
    let bundle = bad.join("tile/entries/002");
    let mut bytes = std::fs::read(&bundle)?;
    if let Some(at) = bytes.windows(9).position(|w| w == b"\"votes\":[") {
        bytes[at + 9] = if bytes[at + 9] == b'9' { b'8' } else { b'9' };
    }
    std::fs::write(&bundle, bytes)?;
    show(
        "\na copy with one digit of one protocol changed",
        &bad,
        None,
    )?;
    // Tampered copy 2: an insider rewrites a protocol, rebuilds the tiles and re-signs them
    // with the real key.
    let mut forged = entries.clone();
    let idx = forged
        .iter()
        .position(|b| matches!(record::decode(0, b), Ok(Entry::Protocol(_))))
        .unwrap_or(0);
    if let Ok(Entry::Protocol(mut p)) = record::decode(idx as u64, &forged[idx]) {
        p.votes[0] += 500;
        forged[idx] = encode(&Entry::Protocol(p));
    }
    std::fs::remove_dir_all(&bad)?;
    std::fs::create_dir_all(&bad)?;
    write_log(&bad, origin, &key, &forged)?;
    show(
        "\nan insider's rewrite, re-signed with the real key",
        &bad,
        None,
    )?;
    show(
        "the same rewrite, against the checkpoint an observer saved on 5 October",
        &bad,
        Some(&saved),
    )?;
    std::fs::remove_dir_all(&bad)?;
    Ok(())
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let target = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_dir(&e.path(), &target)?;
        } else {
            std::fs::copy(e.path(), target)?;
        }
    }
    Ok(())
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

//! `tallyproof`: the command line. It parses arguments, calls the library crates and maps
//! their errors to exit codes; everything else lives in the libraries.

// Without transparent huge pages (`no_thp`): with them each fresh 2 MiB of the heap was
// zeroed at once, which held 1.5-1.8x the memory for the same time (`results` of 1,000,000
// stations: 82 MB against 128-142 MB; 100,000 stations: 31 MB against 79 MB).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cmd;
mod input;
mod table;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit codes, documented in `--help` and the README.
const EXIT_HELP: &str = "Exit codes: 0 success; 1 `check` found protocols that break an error-level control relation; \
2 usage error; 3 the input file was rejected (nothing was imported); 4 store error (database, unknown or duplicate election); \
5 other input/output error.";

#[derive(Parser)]
#[command(name = "tallyproof", version, about = "Election results anyone can check: import, validate, tabulate and export polling-station protocols", after_help = EXIT_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import a results file into the store, all or nothing
    Import(cmd::import::Args),
    /// Validate a results file: parse errors, odd values and control relations
    Check(cmd::check::Args),
    /// Print results from a file or from the store
    Results(cmd::results::Args),
    /// Export an election as tallyproof CSV or JSON, or NIST SP 1500-100 CDF JSON
    Export(cmd::export::Args),
    /// Allocate seats: from a contest file (TOML or JSON), or a stored election under a law preset
    Seats(cmd::seats::Args),
    /// Seat margins: how many ballots would have to move for a seat to change hands
    Margins(cmd::seats::Args),
    /// Publish a stored election as a signed, static, verifiable log directory
    Publish(cmd::publish::Args),
    /// Verify a published log directory from its files alone, replaying every publication
    Verify(cmd::verify::Args),
    /// Log a complaint (names, text and scans enter the log only as salted commitments)
    Complain(cmd::official::ComplainArgs),
    /// Log a decision: annul a unit or the election, order a recount or a re-vote
    Decide(cmd::official::DecideArgs),
    /// Move a complaint forward (under review, upheld, dismissed), with a reason and the decision that answers it
    Review(cmd::official::ReviewArgs),
    /// Redact a stored text behind a commitment (the commitment stays in the log)
    Redact(cmd::official::RedactArgs),
    /// What changed between two states of a published log, station by station
    Diff(cmd::diff::Args),
    /// Cosign a published checkpoint as a witness, if consistent with what it cosigned before
    Witness(cmd::witness::Args),
    /// Low-level log checks: verify inclusion and consistency proofs by hand
    Log(cmd::log::Args),
    /// Station-level forensic tests and their HTML report: flags for scrutiny, not proof
    #[command(subcommand_value_name = "TEST", subcommand_help_heading = "Tests")]
    Forensics(cmd::forensics::Args),
    /// Risk-limiting audits: the audit calculators and the assertions of a seat allocation
    Audit(cmd::audit::Args),
    /// An observer group's quick count (parallel vote tabulation): design, redraw, estimate,
    /// compare with the official count, simulate
    Pvt(cmd::pvt::Args),
    /// The protocol posted at a station: check its QR code against the commission's log
    Protocol(cmd::protocol::Args),
    /// Serve the results pages, the JSON API and the staff workflow over the store
    Serve(cmd::serve::Args),
    /// Manage the service's staff accounts
    #[command(subcommand)]
    Users(cmd::users::Command),
    /// List the elections in the store
    Elections(cmd::elections::Args),
    /// Generate a deterministic synthetic national election (tallyproof CSV) and its true totals
    Gen(cmd::gen::Args),
    /// Import the bundled Kyrgyz 2020 data into a fresh store and print the results
    Demo(cmd::demo::Args),
}

fn main() -> ExitCode {
    // Output piped into a program that stops reading (`| head`) ends the program quietly,
    // as the exit-code table promises, instead of a panic from `println!`.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .unwrap_or("");
        if msg.starts_with("failed printing to stdout") {
            std::process::exit(0);
        }
        default_hook(info);
    }));
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Import(a) => cmd::import::run(a),
        Command::Check(a) => cmd::check::run(a),
        Command::Results(a) => cmd::results::run(a),
        Command::Export(a) => cmd::export::run(a),
        Command::Elections(a) => cmd::elections::run(a),
        Command::Seats(a) => cmd::seats::run_seats(a),
        Command::Log(a) => cmd::log::run(a),
        Command::Publish(a) => cmd::publish::run(a),
        Command::Verify(a) => cmd::verify::run(a),
        Command::Witness(a) => cmd::witness::run(a),
        Command::Diff(a) => cmd::diff::run(a),
        Command::Complain(a) => cmd::official::complain(a),
        Command::Decide(a) => cmd::official::decide(a),
        Command::Review(a) => cmd::official::review(a),
        Command::Redact(a) => cmd::official::redact(a),
        Command::Margins(a) => cmd::seats::run_margins(a),
        Command::Gen(a) => cmd::gen::run(a),
        Command::Forensics(a) => cmd::forensics::run(a),
        Command::Audit(a) => cmd::audit::run(a),
        Command::Pvt(a) => cmd::pvt::run(a),
        Command::Protocol(a) => cmd::protocol::run(a),
        Command::Serve(a) => cmd::serve::run(a),
        Command::Users(c) => cmd::users::run(c),
        Command::Demo(a) => cmd::demo::run(a),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err:#}");
            ExitCode::from(exit_code(&err))
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn exit_code(err: &anyhow::Error) -> u8 {
    for e in err.chain() {
        if let Some(f) = e.downcast_ref::<formats::FormatError>() {
            return match f {
                formats::FormatError::Sink { error, .. }
                    if error.downcast_ref::<store::StoreError>().is_some() =>
                {
                    4
                }
                formats::FormatError::Write { .. } => 5,
                _ => 3,
            };
        }
        if e.downcast_ref::<store::StoreError>().is_some() {
            return 4;
        }
        if e.downcast_ref::<seats::SeatsError>().is_some()
            || e.downcast_ref::<tabulate::TabulateError>().is_some()
            || matches!(
                e.downcast_ref::<record::RecordError>(),
                Some(record::RecordError::Overflow { .. })
            )
            || e.downcast_ref::<forensics::ForensicsError>().is_some()
            || e.downcast_ref::<translog::LogError>().is_some()
            || e.downcast_ref::<audit::AuditError>().is_some()
            || e.downcast_ref::<pvt::PvtError>().is_some()
        {
            return 3;
        }
    }
    5
}

#[cfg(test)]
mod tests {
    /// clap's own checks of every subcommand's arguments (unique names and groups, valid
    /// defaults), which otherwise run only when that subcommand is parsed.
    #[test]
    fn every_command_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }

    /// The README's command list (its first `sh` block after "## Commands") names every
    /// subcommand of `tallyproof --help`, down to the last level, and each with every one of
    /// its long options (issue 17): a line `tallyproof PATH ...` whose words give the path
    /// (`a|b` lists several commands sharing the line's options) and the options.
    #[test]
    fn the_readme_lists_every_command_with_its_options() {
        use clap::CommandFactory;
        let readme = include_str!("../../../README.md");
        let block = readme
            .split_once("\n## Commands\n")
            .and_then(|(_, rest)| rest.split_once("```sh\n"))
            .and_then(|(_, rest)| rest.split_once("\n```"))
            .map(|(block, _)| block)
            .expect("the README has a ## Commands section with a sh block");
        let lines: Vec<Vec<&str>> = block
            .lines()
            .map(|l| {
                l.split('#')
                    .next()
                    .unwrap_or("")
                    .split_whitespace()
                    .collect()
            })
            .filter(|w: &Vec<&str>| w.first() == Some(&"tallyproof"))
            .collect();
        let mut missing = Vec::new();
        let mut todo = vec![(Vec::<String>::new(), super::Cli::command())];
        while let Some((path, cmd)) = todo.pop() {
            let subs: Vec<_> = cmd
                .get_subcommands()
                .filter(|c| c.get_name() != "help")
                .cloned()
                .collect();
            if !path.is_empty() && subs.is_empty() {
                // The lines that name this command: its path word for word, alternatives allowed.
                let naming: Vec<&Vec<&str>> = lines
                    .iter()
                    .filter(|w| {
                        w.len() > path.len()
                            && path
                                .iter()
                                .zip(&w[1..])
                                .all(|(p, word)| word.split('|').any(|a| a == p))
                    })
                    .collect();
                if naming.is_empty() {
                    missing.push(format!("tallyproof {}", path.join(" ")));
                }
                for arg in cmd.get_arguments() {
                    let Some(long) = arg.get_long() else { continue };
                    if matches!(long, "help" | "version") {
                        continue;
                    }
                    let flag = format!("--{long}");
                    let shown = naming.iter().any(|w| {
                        w.iter().any(|word| {
                            word.split('|').any(|a| {
                                let a = a.trim_matches(|c| "[]()".contains(c));
                                a.split('=').next() == Some(flag.as_str())
                            })
                        })
                    });
                    if !shown && !naming.is_empty() {
                        missing.push(format!("tallyproof {} {flag}", path.join(" ")));
                    }
                }
            }
            for sub in subs {
                let mut p = path.clone();
                p.push(sub.get_name().to_string());
                todo.push((p, sub));
            }
        }
        missing.sort();
        assert!(
            missing.is_empty(),
            "not in the README's command list:\n{}",
            missing.join("\n")
        );
    }
}

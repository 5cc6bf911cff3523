//! `tallyproof elections`.

use std::process::ExitCode;

use store::Store;

use super::DbArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub db: DbArgs,
}

/// One line per election: its name, stations, protocol versions and source, then its status
/// (open, preliminary, certified or annulled, as its log says), date, law and title, and for a
/// re-vote what it re-votes.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let store = crate::cmd::open_store(&args.db.db)?;
    let list = store.elections()?;
    if list.is_empty() {
        println!(
            "no elections in {} (import one with `tallyproof import FILE`)",
            args.db.db.display()
        );
    }
    for e in list {
        let log = store.log(&e.name)?;
        let status = record::status_of((0..).zip(log.iter().map(Vec::as_slice)))?;
        let counts = store.counts(&e.name)?;
        let mut line = format!(
            "{}\t{} stations\t{} protocol versions\tfrom {}\t{}\tdate {}\tlaw {}\t{}",
            e.name,
            counts.stations,
            counts.protocol_versions,
            e.source,
            status.key(),
            e.date.as_deref().unwrap_or("unknown"),
            e.law.as_deref().unwrap_or("none"),
            e.title.as_deref().unwrap_or(""),
        );
        if let Some((parent, unit)) = &e.revote_of {
            let path = e.revote_path.join(" / ");
            line += &format!("\tre-vote of {parent}, unit {} ({path})", unit.0);
        }
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

//! `tallyproof elections`.

use std::process::ExitCode;

use store::Store;

use super::DbArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub db: DbArgs,
}

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
        println!(
            "{}\t{} stations\t{} protocol versions\tfrom {}",
            e.name, e.stations, e.protocol_versions, e.source
        );
    }
    Ok(ExitCode::SUCCESS)
}

//! One module per subcommand.

pub mod check;
pub mod demo;
pub mod elections;
pub mod export;
pub mod gen;
pub mod import;
pub mod results;
pub mod sinks;

use std::path::PathBuf;

/// The default store file.
pub const DEFAULT_DB: &str = "tallyproof.db";

/// `--db PATH`.
#[derive(Debug, clap::Args)]
pub struct DbArgs {
    /// The store file (SQLite), created if missing
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
}

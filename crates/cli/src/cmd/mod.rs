//! One module per subcommand.

pub mod audit;
pub mod audit_flow;
pub mod check;
pub mod demo;
pub mod diff;
pub mod elections;
pub mod export;
pub mod fetch;
pub mod forensics;
pub mod gen;
pub mod import;
pub mod log;
pub mod official;
pub mod protocol;
pub mod publish;
pub mod pvt;
pub mod pvt_log;
pub mod pvt_sms;
pub mod results;
pub mod seats;
pub mod serve;
pub mod sinks;
pub mod tilecache;
pub mod users;
pub mod verify;
pub mod witness;

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use anyhow::bail;
use formats::report::InputSummary;
use formats::{Collect, Imported};
use model::{Election, Protocol, Severity};
use store::{SqliteStore, Store};

use crate::input::{self, FileArgs};

/// Opens the store that `--db` names: a SQLite file (created if missing) or a
/// `postgres://` URL.
pub fn open_store(db: &std::path::Path) -> Result<SqliteStore, store::StoreError> {
    store::open(&db.to_string_lossy())
}

/// The console's clock, read once per act: the time of the staff entry the act logs
/// (`docs/log-format.md`, "staff"). A clock before 2000 (never set) is refused, naming it.
pub fn clock() -> anyhow::Result<record::Time> {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?;
    record::Time::from_unix(since.as_secs())
        .map_err(|e| anyhow::anyhow!("this machine's clock: {e}; set it before taking acts"))
}

/// Prints `value` as pretty JSON when `json`, or else the text `text` writes.
pub fn emit<T: serde::Serialize>(
    json: bool,
    value: &T,
    text: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if json {
        serde_json::to_writer_pretty(&mut out, value)?;
        writeln!(out)?;
    } else {
        text(&mut out)?;
    }
    out.flush().context("cannot write the result")
}

/// The default store file.
pub const DEFAULT_DB: &str = "tallyproof.db";

/// `--db PATH`.
#[derive(Debug, clap::Args)]
pub struct DbArgs {
    /// The store file (SQLite), created if missing
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
}

/// Where an election comes from: a results file read directly, or the store.
#[derive(Debug, clap::Args)]
pub struct SourceArgs {
    /// Read this results file directly instead of the store
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub input: FileArgs,
    /// The store file, when no FILE is given
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// The stored election (may be omitted when the store holds one)
    #[arg(long)]
    pub election: Option<String>,
}

/// An election with all its protocols (from the store: the latest version of each).
pub struct Loaded {
    pub election: Election,
    pub protocols: Vec<Protocol>,
    /// What the file held, when read from a file.
    pub input: Option<InputSummary>,
}

impl SourceArgs {
    /// Loads the whole election into memory.
    pub fn load(&self) -> anyhow::Result<Loaded> {
        match &self.file {
            Some(path) => {
                let input = input::read(path, &self.input)?;
                let mut sink = Collect::default();
                let imported = input.import(&mut sink)?;
                let summary = summary(&imported);
                Ok(Loaded {
                    election: imported.election,
                    protocols: sink.0,
                    input: Some(summary),
                })
            }
            None => {
                let store = crate::cmd::open_store(&self.db)?;
                let name = election_name(&store, self.election.as_deref())?;
                let loaded = store.load(&name)?;
                Ok(Loaded {
                    election: loaded.election,
                    protocols: loaded.protocols,
                    input: None,
                })
            }
        }
    }
}

/// What an import read, for reports.
pub fn summary(im: &Imported) -> InputSummary {
    let errors = im
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count() as u64;
    InputSummary {
        rows: im.rows,
        protocols: im.protocols,
        not_reported: im.not_reported,
        errors,
        warnings: im.diagnostics.len() as u64 - errors + im.warnings.len() as u64,
    }
}

/// The election to read: the one named, or the store's only one.
pub fn election_name(store: &SqliteStore, name: Option<&str>) -> anyhow::Result<String> {
    if let Some(n) = name {
        return Ok(n.to_string());
    }
    let all = store.elections()?;
    match all.as_slice() {
        [one] => Ok(one.name.clone()),
        [] => bail!("the store is empty: import a file first, or pass a FILE"),
        many => bail!(
            "the store holds {} elections; choose one with --election ({})",
            many.len(),
            many.iter()
                .map(|e| e.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// 32 bytes from the operating system's random generator: a salt, a new key's seed.
pub fn random_bytes() -> [u8; 32] {
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b
}

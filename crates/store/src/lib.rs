//! Persistence of elections, their unit trees and every protocol version.
//!
//! One implementation ([`SqlStore`]) over two databases: an embedded SQLite file, the default
//! (nothing to install), and PostgreSQL for a real commission ([`open`] takes a file path or a
//! `postgres://` URL). The store's SQL is written once against the small [`db::Db`]
//! interface; each dialect has its numbered migrations (`migrations/sqlite/`,
//! `migrations/postgres/`), counted in `PRAGMA user_version` or a `schema_version` table.
//!
//! **Invariants.** Protocols are never overwritten: a correction is a new version, and the
//! schema itself refuses `UPDATE` and `DELETE` on protocols and log entries. An import
//! happens in one transaction: if it fails, nothing of it remains. Whatever the store accepts
//! (an import, a correction) is appended to the election's log in the same transaction, so the
//! store and the log cannot disagree. This is the only library crate that
//! touches the disk.

mod audit_dir;
mod batch;
mod boards;
mod codec;
pub mod db;
mod error;
mod intake;
mod pages;
mod postgres;
mod records;
mod sqlite;
mod staff;
mod staffing;
mod upload;

use model::{Election, Protocol, UnitId};

pub use audit_dir::{AuditDir, Upload, MAX_UNDER_WAY, MAX_UPLOAD};
pub use boards::{BoardKey, BoardMarks};
pub use error::StoreError;
pub use pages::{each_log_entry, EachEntry, LOG_PAGE};
pub use postgres::create_database;
pub use records::SqlImport;
pub use staff::{
    Act, Actor, ApiToken, Awaiting, Pending, PendingState, Session, Staffing, Stored, User,
};
pub use staffing::CONSOLE;
pub use upload::{without_metadata, FileRef, Media, StoredFile, FILE_LIMIT};

/// A store on SQLite or PostgreSQL.
pub struct SqlStore {
    db: std::cell::RefCell<Box<dyn db::Db>>,
    is_sqlite: bool,
    /// Inside [`SqlStore::batch`]: each write is a savepoint of the batch's transaction.
    batching: bool,
}

/// The name the store had when it knew only SQLite.
pub type SqliteStore = SqlStore;

/// Opens the store at `location`: a `postgres://` or `postgresql://` URL, or else a SQLite
/// file (created if missing).
pub fn open(location: &str) -> Result<SqlStore, StoreError> {
    if location.starts_with("postgres://") || location.starts_with("postgresql://") {
        SqlStore::connect(location)
    } else {
        SqlStore::open(std::path::Path::new(location))
    }
}

/// A stored election's summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElectionInfo {
    /// The election's name.
    pub name: String,
    /// Where it was imported from.
    pub source: String,
    /// For a re-vote: the election it re-votes part of, and the unit's id there.
    pub revote_of: Option<(String, UnitId)>,
    /// For a re-vote: the names of that unit's path in that election, from the top.
    pub revote_path: Vec<String>,
    /// The date of the vote (`YYYY-MM-DD`), if known.
    pub date: Option<String>,
    /// The law preset it is held under, if known.
    pub law: Option<String>,
    /// The name of its first contest, the election's title as the data give it.
    pub title: Option<String>,
}

/// What an election holds, counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// The number of station units.
    pub stations: u64,
    /// The number of protocol versions stored.
    pub protocol_versions: u64,
}

/// An election as stored: its model and the latest version of every protocol.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// Contests, units and rules.
    pub election: Election,
    /// The latest version of each (station, contest) protocol of the legal count
    /// (`record::legal_count`), in station order; a machine count is never in its place.
    pub protocols: Vec<Protocol>,
}

/// What every store backend offers.
pub trait Store {
    /// The stored elections, by name.
    fn elections(&self) -> Result<Vec<ElectionInfo>, StoreError>;
    /// One stored election's summary.
    fn election(&self, name: &str) -> Result<ElectionInfo, StoreError>;
    /// How many stations and protocol versions an election has (counted: not for every
    /// page; the results service keeps its own counts).
    fn counts(&self, name: &str) -> Result<Counts, StoreError>;
    /// Starts an all-or-nothing import of a new election.
    fn import(&mut self) -> Result<Box<dyn Import + '_>, StoreError>;
    /// Loads an election with the latest version of each protocol.
    fn load(&self, name: &str) -> Result<Loaded, StoreError>;
    /// The election's log entries, in order (`docs/log-format.md`).
    fn log(&self, name: &str) -> Result<Vec<Vec<u8>>, StoreError>;
    /// The election's log entries from index `from` on.
    fn log_since(&self, name: &str, from: u64) -> Result<Vec<Vec<u8>>, StoreError>;
    /// The election's log entries with indexes `from..to` (fewer where the log ends first):
    /// one entry bundle of the published tiles.
    fn log_range(&self, name: &str, from: u64, to: u64) -> Result<Vec<Vec<u8>>, StoreError>;
    /// The stored content behind the log's commitments.
    fn contents(&self, name: &str) -> Result<Vec<record::Content>, StoreError>;
    /// The stored content behind one commitment, if any.
    fn content(&self, name: &str, commitment: &str) -> Result<Option<record::Content>, StoreError>;
    /// Every version of every protocol, by station, contest and version.
    fn all_versions(&self, name: &str) -> Result<Vec<Protocol>, StoreError>;
    /// Every version of one station's protocol for one contest, oldest first.
    fn history(
        &self,
        name: &str,
        station: UnitId,
        contest: usize,
    ) -> Result<Vec<Protocol>, StoreError>;
}

/// An import in progress. Dropping it without [`Import::commit`] discards everything.
pub trait Import {
    /// Records the election (its name must be new), its contests and its rules.
    fn begin(&mut self, election: &Election, source: &str) -> Result<(), StoreError>;
    /// Stores a protocol; units created since the last call are stored first.
    fn protocol(&mut self, election: &Election, protocol: &Protocol) -> Result<(), StoreError>;
    /// Stores the units not stored yet (stations that did not report).
    fn units(&mut self, election: &Election) -> Result<(), StoreError>;
    /// Marks the election being imported as the re-vote of `unit` of the election `parent`,
    /// which must have decided it; its log then says who opened it (a staff `open` entry
    /// citing the decision by its SHA-256, made at `now`) right after its definition.
    fn revote_of(
        &mut self,
        parent: &str,
        unit: UnitId,
        by: &User,
        now: record::Time,
    ) -> Result<(), StoreError>;
    /// Makes the import permanent, appending the election's definition and every protocol
    /// to its log in the same transaction.
    fn commit(self: Box<Self>, election: &Election) -> Result<(), StoreError>;
}

//! The embedded SQLite driver (the default: one file, nothing to install).

use std::path::Path;

use rusqlite::types::ValueRef;
use rusqlite::Connection;

use crate::db::{Db, Row, Val};
use crate::{SqlStore, StoreError};

/// The SQLite migrations, in order; `PRAGMA user_version` counts those applied.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/sqlite/0001_initial.sql"),
    include_str!("../migrations/sqlite/0002_log.sql"),
    include_str!("../migrations/sqlite/0003_content.sql"),
    include_str!("../migrations/sqlite/0004_staff.sql"),
    include_str!("../migrations/sqlite/0005_revote.sql"),
    include_str!("../migrations/sqlite/0006_upload.sql"),
    include_str!("../migrations/sqlite/0007_standing.sql"),
    include_str!("../migrations/sqlite/0008_token_expiry.sql"),
    include_str!("../migrations/sqlite/0009_grants.sql"),
    include_str!("../migrations/sqlite/0010_staff_time.sql"),
    include_str!("../migrations/sqlite/0011_law.sql"),
    include_str!("../migrations/sqlite/0012_intake.sql"),
    include_str!("../migrations/sqlite/0013_disabled.sql"),
    include_str!("../migrations/sqlite/0014_one_time.sql"),
    include_str!("../migrations/sqlite/0015_board_marks.sql"),
    include_str!("../migrations/sqlite/0016_supervisor.sql"),
    include_str!("../migrations/sqlite/0017_phones.sql"),
    include_str!("../migrations/sqlite/0018_log_rows.sql"),
];

/// A SQLite connection.
pub struct Sqlite {
    conn: Connection,
    path: String,
}

impl Sqlite {
    fn err(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        move |source| StoreError::Db {
            path: self.path.clone(),
            message: source.to_string(),
        }
    }
}

impl rusqlite::ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::Borrowed(match self {
            Val::Null => ValueRef::Null,
            Val::Int(v) => ValueRef::Integer(*v),
            Val::Text(v) => ValueRef::Text(v.as_bytes()),
            Val::Blob(v) => ValueRef::Blob(v),
        }))
    }
}

fn bind(args: &[Val]) -> impl rusqlite::Params + '_ {
    rusqlite::params_from_iter(args)
}

impl Db for Sqlite {
    fn location(&self) -> &str {
        &self.path
    }

    fn exec(&mut self, sql: &str, args: &[Val]) -> Result<u64, StoreError> {
        let mut st = self.conn.prepare_cached(sql).map_err(self.err())?;
        let n = st.execute(bind(args)).map_err(self.err())?;
        Ok(n as u64)
    }

    fn each(
        &mut self,
        sql: &str,
        args: &[Val],
        f: &mut dyn FnMut(Row<'_>) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let err = self.err();
        let mut st = self.conn.prepare_cached(sql).map_err(&err)?;
        let n = st.column_count();
        let mut rows = st.query(bind(args)).map_err(&err)?;
        let mut vals = Vec::with_capacity(n);
        while let Some(r) = rows.next().map_err(&err)? {
            vals.clear();
            for i in 0..n {
                vals.push(match r.get_ref(i).map_err(&err)? {
                    ValueRef::Null => Val::Null,
                    ValueRef::Integer(v) => Val::Int(v),
                    ValueRef::Real(v) => Val::Text(v.to_string()),
                    ValueRef::Text(t) => Val::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Val::Blob(b.to_vec()),
                });
            }
            f(Row(&vals))?;
        }
        Ok(())
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.conn.execute_batch(sql).map_err(self.err())
    }

    fn begin_write(&mut self) -> Result<(), StoreError> {
        // IMMEDIATE takes the write lock now: one writer at a time, readers go on (WAL).
        self.batch("BEGIN IMMEDIATE")
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        self.batch("COMMIT")
    }

    fn rollback(&mut self) -> Result<(), StoreError> {
        if self.conn.is_autocommit() {
            return Ok(());
        }
        self.batch("ROLLBACK")
    }

    fn in_transaction(&self) -> bool {
        // SQLite may roll a transaction back by itself (a full disk, an I/O error).
        !self.conn.is_autocommit()
    }

    fn schema_version(&mut self) -> Result<i64, StoreError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(self.err())
    }

    fn set_schema_version(&mut self, v: i64) -> Result<(), StoreError> {
        self.conn
            .pragma_update(None, "user_version", v)
            .map_err(self.err())
    }

    fn migrations(&self) -> &'static [&'static str] {
        MIGRATIONS
    }
}

fn setup(conn: Connection, path: String) -> Result<SqlStore, StoreError> {
    let mut db = Sqlite { conn, path };
    // Migrations run with foreign keys off (a migration that rebuilds a table, as SQLite's
    // documented procedure for changing a constraint does, drops a table others refer to);
    // every reference is checked once they are done, and enforced from then on. A page cache
    // of 4 MiB: imports append in key order, and a larger cache only grew memory (a 32 MiB
    // cache took 100,000 stations' import to 3.6x its CSV's size, without being faster).
    db.batch("PRAGMA cache_size = -4096; PRAGMA foreign_keys = OFF; PRAGMA busy_timeout = 10000;")?;
    let migrating = db.schema_version()? < MIGRATIONS.len() as i64;
    let store = SqlStore::new(Box::new(db), true)?;
    store.foreign_keys_on(migrating)?;
    Ok(store)
}

impl SqlStore {
    /// Opens (creating if needed) the SQLite store at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<SqlStore, StoreError> {
        let p = path.display().to_string();
        let conn = Connection::open(path).map_err(|e| StoreError::Db {
            path: p.clone(),
            message: e.to_string(),
        })?;
        setup(conn, p)
    }

    /// A SQLite store in memory, for tests.
    pub fn open_in_memory() -> Result<SqlStore, StoreError> {
        let conn = Connection::open_in_memory().map_err(|e| StoreError::Db {
            path: ":memory:".into(),
            message: e.to_string(),
        })?;
        setup(conn, ":memory:".into())
    }

    /// Switches a SQLite file to write-ahead logging, so that readers do not wait for a
    /// writer (the results service); commits stay durable (`synchronous = FULL`). Nothing
    /// to do on PostgreSQL.
    pub fn use_wal(&mut self) -> Result<(), StoreError> {
        if self.is_sqlite {
            self.conn()
                .batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")?;
        }
        Ok(())
    }

    /// Whether the connection still answers: one trivial query (`SELECT 1`), no table read.
    /// A pool asks this before lending a connection out.
    pub fn ping(&mut self) -> Result<(), StoreError> {
        self.conn().batch("SELECT 1")
    }

    /// Whether a transaction was left open on this connection (a pool discards such a one
    /// rather than lend it out again).
    pub fn in_transaction(&mut self) -> bool {
        self.conn().in_transaction()
    }
}

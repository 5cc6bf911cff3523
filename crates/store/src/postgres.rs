//! The PostgreSQL driver (`--db postgres://user@host/dbname`), for a commission's server.
//!
//! Statements are written with SQLite's numbered parameters (`?1`) and rewritten to
//! PostgreSQL's (`$1`) once, then prepared and cached. Every write transaction first takes
//! one transaction-scoped advisory lock, so that writers follow one another as they do on
//! SQLite (`BEGIN IMMEDIATE`); readers are never blocked.

use std::collections::HashMap;

use postgres::types::Type;
use postgres::{Client, NoTls, Statement};

use crate::db::{Db, Row, Val};
use crate::{SqlStore, StoreError};

/// The PostgreSQL migrations, in order (the same numbers as SQLite's).
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/postgres/0001_initial.sql"),
    include_str!("../migrations/postgres/0002_log.sql"),
    include_str!("../migrations/postgres/0003_content.sql"),
    include_str!("../migrations/postgres/0004_staff.sql"),
    include_str!("../migrations/postgres/0005_revote.sql"),
    include_str!("../migrations/postgres/0006_upload.sql"),
    include_str!("../migrations/postgres/0007_standing.sql"),
    include_str!("../migrations/postgres/0008_token_expiry.sql"),
    include_str!("../migrations/postgres/0009_grants.sql"),
    include_str!("../migrations/postgres/0010_staff_time.sql"),
    include_str!("../migrations/postgres/0011_law.sql"),
    include_str!("../migrations/postgres/0012_intake.sql"),
    include_str!("../migrations/postgres/0013_disabled.sql"),
    include_str!("../migrations/postgres/0014_one_time.sql"),
    include_str!("../migrations/postgres/0015_board_marks.sql"),
    include_str!("../migrations/postgres/0016_supervisor.sql"),
    include_str!("../migrations/postgres/0017_phones.sql"),
    include_str!("../migrations/postgres/0018_log_rows.sql"),
];

/// The advisory lock every writer takes (an arbitrary constant: "tally" in ASCII).
const WRITER_LOCK: i64 = 0x74616c6c79;

/// A PostgreSQL connection.
pub struct Postgres {
    client: Client,
    location: String,
    statements: HashMap<String, Statement>,
    /// A write transaction is open (PostgreSQL ends one only when told).
    open: bool,
}

/// `?1` -> `$1` (outside quotes; the store's SQL has no `?` in its literals).
fn dollar(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

/// The URL without its password, for messages.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let user = &url[s + 3..at];
            let user = user.split(':').next().unwrap_or("");
            format!("{}{user}{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

impl Postgres {
    fn err(&self) -> impl Fn(postgres::Error) -> StoreError + '_ {
        move |e| StoreError::Db {
            path: self.location.clone(),
            message: match e.as_db_error() {
                Some(d) => d.message().to_string(),
                None => e.to_string(),
            },
        }
    }

    fn statement(&mut self, sql: &str) -> Result<Statement, StoreError> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let st = self
            .client
            .prepare(&dollar(sql))
            .map_err(|e| StoreError::Db {
                path: self.location.clone(),
                message: format!("{e} in: {sql}"),
            })?;
        self.statements.insert(sql.to_string(), st.clone());
        Ok(st)
    }
}

/// A parameter as the type the statement declares for it.
fn param(v: &Val, ty: &Type) -> Param {
    match (v, ty) {
        (Val::Null, t) if *t == Type::TEXT || *t == Type::VARCHAR => Box::new(None::<String>),
        (Val::Null, t) if *t == Type::BYTEA => Box::new(None::<Vec<u8>>),
        (Val::Null, t) if *t == Type::INT4 => Box::new(None::<i32>),
        (Val::Null, _) => Box::new(None::<i64>),
        (Val::Int(i), t) if *t == Type::INT4 => Box::new(*i as i32),
        (Val::Int(i), t) if *t == Type::TEXT || *t == Type::VARCHAR => Box::new(i.to_string()),
        (Val::Int(i), _) => Box::new(*i),
        (Val::Text(s), _) => Box::new(s.clone()),
        (Val::Blob(b), _) => Box::new(b.clone()),
    }
}

type Param = Box<dyn postgres::types::ToSql + Sync>;

/// A statement's arguments as the types it declares.
fn params(st: &Statement, args: &[Val]) -> Vec<Param> {
    args.iter()
        .zip(st.params())
        .map(|(v, t)| param(v, t))
        .collect()
}

fn refs(params: &[Param]) -> Vec<&(dyn postgres::types::ToSql + Sync)> {
    params.iter().map(|b| b.as_ref()).collect()
}

fn value(row: &postgres::Row, i: usize) -> Result<Val, postgres::Error> {
    let ty = row.columns()[i].type_();
    Ok(if *ty == Type::INT8 {
        row.try_get::<_, Option<i64>>(i)?
            .map_or(Val::Null, Val::Int)
    } else if *ty == Type::INT4 {
        row.try_get::<_, Option<i32>>(i)?
            .map_or(Val::Null, |v| Val::Int(v as i64))
    } else if *ty == Type::BYTEA {
        row.try_get::<_, Option<Vec<u8>>>(i)?
            .map_or(Val::Null, Val::Blob)
    } else {
        row.try_get::<_, Option<String>>(i)?
            .map_or(Val::Null, Val::Text)
    })
}

impl Db for Postgres {
    fn location(&self) -> &str {
        &self.location
    }

    fn exec(&mut self, sql: &str, args: &[Val]) -> Result<u64, StoreError> {
        let st = self.statement(sql)?;
        let params = params(&st, args);
        let n = self.client.execute(&st, &refs(&params));
        n.map_err(self.err())
    }

    fn each(
        &mut self,
        sql: &str,
        args: &[Val],
        f: &mut dyn FnMut(Row<'_>) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let st = self.statement(sql)?;
        let params = params(&st, args);
        let rows = self.client.query(&st, &refs(&params));
        let rows = rows.map_err(self.err())?;
        let mut vals = Vec::new();
        for r in &rows {
            vals.clear();
            for i in 0..r.len() {
                vals.push(value(r, i).map_err(self.err())?);
            }
            f(Row(&vals))?;
        }
        Ok(())
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        let r = self.client.batch_execute(sql);
        r.map_err(self.err())
    }

    fn begin_write(&mut self) -> Result<(), StoreError> {
        self.batch(&format!(
            "BEGIN; SELECT pg_advisory_xact_lock({WRITER_LOCK});"
        ))?;
        self.open = true;
        Ok(())
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        self.open = false;
        self.batch("COMMIT")
    }

    fn rollback(&mut self) -> Result<(), StoreError> {
        self.open = false;
        // Outside a transaction PostgreSQL only warns.
        self.batch("ROLLBACK")
    }

    fn in_transaction(&self) -> bool {
        self.open
    }

    fn schema_version(&mut self) -> Result<i64, StoreError> {
        self.batch("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")?;
        let mut v = None;
        self.each("SELECT MAX(version) FROM schema_version", &[], &mut |r| {
            v = r.opt_int(0)?;
            Ok(())
        })?;
        Ok(v.unwrap_or(0))
    }

    fn set_schema_version(&mut self, v: i64) -> Result<(), StoreError> {
        self.exec("DELETE FROM schema_version", &[])?;
        self.exec(
            "INSERT INTO schema_version (version) VALUES (?1)",
            &[Val::Int(v)],
        )?;
        Ok(())
    }

    fn migrations(&self) -> &'static [&'static str] {
        MIGRATIONS
    }
}

impl SqlStore {
    /// Connects to the PostgreSQL database at `url` and brings its schema up to date.
    pub fn connect(url: &str) -> Result<SqlStore, StoreError> {
        let location = redacted(url);
        let client = Client::connect(url, NoTls).map_err(|e| StoreError::Db {
            path: location.clone(),
            message: e.to_string(),
        })?;
        let mut db = Postgres {
            client,
            location,
            statements: HashMap::new(),
            open: false,
        };
        // Concurrent first connections must not both create the schema.
        db.batch(&format!("SELECT pg_advisory_lock({WRITER_LOCK})"))?;
        // On failure the connection closes, and with it the session's lock.
        let mut store = SqlStore::new(Box::new(db), false)?;
        store
            .conn()
            .batch(&format!("SELECT pg_advisory_unlock({WRITER_LOCK})"))?;
        Ok(store)
    }
}

/// Creates the database `name` (lower-case letters, digits, `_`) on the server of
/// `admin_url` and answers its URL: for the tests, and for a commission's first setup.
pub fn create_database(admin_url: &str, name: &str) -> Result<String, StoreError> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(StoreError::Refused(format!(
            "database name '{name}': use lower-case letters, digits and _"
        )));
    }
    let location = redacted(admin_url);
    let err = |e: postgres::Error| StoreError::Db {
        path: location.clone(),
        message: e.to_string(),
    };
    let mut client = Client::connect(admin_url, NoTls).map_err(err)?;
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .map_err(err)?;
    let (base, query) = admin_url.split_once('?').unwrap_or((admin_url, ""));
    let root = match base.rfind('/') {
        Some(i) if i > base.find("://").map_or(0, |s| s + 2) => &base[..i],
        _ => base,
    };
    Ok(if query.is_empty() {
        format!("{root}/{name}")
    } else {
        format!("{root}/{name}?{query}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_and_passwords() {
        assert_eq!(dollar("a = ?1 AND b = ?12"), "a = $1 AND b = $12");
        assert_eq!(
            redacted("postgres://u:secret@localhost:5432/db"),
            "postgres://u@localhost:5432/db"
        );
        assert_eq!(
            redacted("postgres://localhost/db"),
            "postgres://localhost/db"
        );
    }
}

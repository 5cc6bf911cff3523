//! The little the store needs of a SQL database, so that one implementation of the store
//! ([`crate::SqlStore`]) runs on SQLite and on PostgreSQL: statements with numbered
//! parameters (`?1`, `?2`, ...; the PostgreSQL driver writes them `$1`, `$2`), rows of
//! integers, texts and bytes, and one writer at a time.

use crate::StoreError;

/// A value bound to a statement or read from a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Val {
    /// SQL NULL.
    Null,
    /// A 64-bit integer.
    Int(i64),
    /// Text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
}

impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::Int(v)
    }
}

impl From<u32> for Val {
    fn from(v: u32) -> Val {
        Val::Int(v as i64)
    }
}

impl From<&str> for Val {
    fn from(v: &str) -> Val {
        Val::Text(v.to_string())
    }
}

impl From<&String> for Val {
    fn from(v: &String) -> Val {
        Val::Text(v.clone())
    }
}

impl From<String> for Val {
    fn from(v: String) -> Val {
        Val::Text(v)
    }
}

impl From<&[u8]> for Val {
    fn from(v: &[u8]) -> Val {
        Val::Blob(v.to_vec())
    }
}

impl From<&Vec<u8>> for Val {
    fn from(v: &Vec<u8>) -> Val {
        Val::Blob(v.clone())
    }
}

impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(v: Option<T>) -> Val {
        v.map_or(Val::Null, Into::into)
    }
}

/// The arguments of a statement: `args![a, b, c]`.
macro_rules! args {
    ($($x:expr),* $(,)?) => { &[$($crate::db::Val::from($x)),*] };
}
pub(crate) use args;

/// A row read back.
pub struct Row<'a>(pub &'a [Val]);

fn corrupt(i: usize, what: &str, got: &Val) -> StoreError {
    StoreError::Corrupt(format!("column {i}: expected {what}, found {got:?}"))
}

impl Row<'_> {
    fn at(&self, i: usize) -> &Val {
        self.0.get(i).unwrap_or(&Val::Null)
    }

    /// An integer column.
    pub fn int(&self, i: usize) -> Result<i64, StoreError> {
        match self.at(i) {
            Val::Int(v) => Ok(*v),
            other => Err(corrupt(i, "an integer", other)),
        }
    }

    /// An integer column that may be NULL.
    pub fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.at(i) {
            Val::Null => Ok(None),
            _ => self.int(i).map(Some),
        }
    }

    /// A text column.
    pub fn text(&self, i: usize) -> Result<String, StoreError> {
        self.str(i).map(str::to_string)
    }

    /// A text column, borrowed from the row.
    pub fn str(&self, i: usize) -> Result<&str, StoreError> {
        match self.at(i) {
            Val::Text(v) => Ok(v),
            other => Err(corrupt(i, "text", other)),
        }
    }

    /// A text column that may be NULL.
    pub fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        match self.at(i) {
            Val::Null => Ok(None),
            _ => self.text(i).map(Some),
        }
    }

    /// A bytes column.
    pub fn blob(&self, i: usize) -> Result<Vec<u8>, StoreError> {
        match self.at(i) {
            Val::Blob(v) => Ok(v.clone()),
            other => Err(corrupt(i, "bytes", other)),
        }
    }
}

/// A connection to a SQL database.
pub trait Db: Send {
    /// Where it is, for error messages (a file, or a URL without its password).
    fn location(&self) -> &str;
    /// Runs a statement; returns the rows changed.
    fn exec(&mut self, sql: &str, args: &[Val]) -> Result<u64, StoreError>;
    /// Runs a query, calling `f` with each row.
    fn each(
        &mut self,
        sql: &str,
        args: &[Val],
        f: &mut dyn FnMut(Row<'_>) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
    /// Runs several statements without arguments (a migration).
    fn batch(&mut self, sql: &str) -> Result<(), StoreError>;
    /// Starts a write transaction that excludes every other writer until it ends.
    fn begin_write(&mut self) -> Result<(), StoreError>;
    /// Commits.
    fn commit(&mut self) -> Result<(), StoreError>;
    /// Rolls back (nothing if no transaction is open).
    fn rollback(&mut self) -> Result<(), StoreError>;
    /// Whether a transaction is open.
    fn in_transaction(&self) -> bool;
    /// The number of migrations applied.
    fn schema_version(&mut self) -> Result<i64, StoreError>;
    /// Records the number of migrations applied (inside the migration's transaction).
    fn set_schema_version(&mut self, v: i64) -> Result<(), StoreError>;
    /// The migrations of this database's dialect, in order.
    fn migrations(&self) -> &'static [&'static str];
}

impl dyn Db + '_ {
    /// All rows of a query.
    pub fn rows(&mut self, sql: &str, args: &[Val]) -> Result<Vec<Vec<Val>>, StoreError> {
        let mut out = Vec::new();
        self.each(sql, args, &mut |r| {
            out.push(r.0.to_vec());
            Ok(())
        })?;
        Ok(out)
    }

    /// The first row of a query, if any.
    pub fn row(&mut self, sql: &str, args: &[Val]) -> Result<Option<Vec<Val>>, StoreError> {
        Ok(self.rows(sql, args)?.into_iter().next())
    }

    /// The first column of the first row, as an integer that may be NULL or missing.
    pub fn int(&mut self, sql: &str, args: &[Val]) -> Result<Option<i64>, StoreError> {
        match self.row(sql, args)? {
            Some(r) => Row(&r).opt_int(0),
            None => Ok(None),
        }
    }
}

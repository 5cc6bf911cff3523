//! Rows inserted many to a statement: an import stores a million protocols and as many units,
//! and one `INSERT` per row spends more on the statement than on the row.

use crate::db::{Db, Val};
use crate::StoreError;

/// Rows of one table waiting to be inserted; [`Batch::flush`] writes the rest.
pub(crate) struct Batch {
    /// `INSERT INTO table (columns)`, without `VALUES`.
    head: &'static str,
    columns: usize,
    /// Rows per full statement.
    rows: usize,
    /// The statement for a full batch, written once.
    full: String,
    waiting: Vec<Val>,
}

impl Batch {
    /// A batch of `rows` rows of `columns` values for `head` (`INSERT INTO t (a, b)`).
    pub(crate) fn new(head: &'static str, columns: usize, rows: usize) -> Batch {
        Batch {
            head,
            columns,
            rows,
            full: statement(head, columns, rows),
            waiting: Vec::with_capacity(columns * rows),
        }
    }

    /// Adds a row (exactly `columns` values), inserting the batch when it is full.
    pub(crate) fn push(
        &mut self,
        db: &mut dyn Db,
        row: impl IntoIterator<Item = Val>,
    ) -> Result<(), StoreError> {
        let before = self.waiting.len();
        self.waiting.extend(row);
        debug_assert_eq!(self.waiting.len() - before, self.columns);
        if self.waiting.len() == self.columns * self.rows {
            db.exec(&self.full, &self.waiting)?;
            self.waiting.clear();
        }
        Ok(())
    }

    /// Inserts the rows still waiting.
    pub(crate) fn flush(&mut self, db: &mut dyn Db) -> Result<(), StoreError> {
        if !self.waiting.is_empty() {
            let n = self.waiting.len() / self.columns;
            db.exec(&statement(self.head, self.columns, n), &self.waiting)?;
            self.waiting.clear();
        }
        Ok(())
    }
}

/// `head VALUES (?1, ?2), (?3, ?4)...` for `rows` rows of `columns` values.
pub(crate) fn statement(head: &str, columns: usize, rows: usize) -> String {
    let mut sql = format!("{head} VALUES ");
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..columns {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("?{}", r * columns + c + 1));
        }
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statement_numbers_every_value_once() {
        assert_eq!(
            statement("INSERT INTO t (a, b)", 2, 3),
            "INSERT INTO t (a, b) VALUES (?1, ?2), (?3, ?4), (?5, ?6)"
        );
    }

    #[test]
    fn rows_are_written_in_full_batches_then_the_rest() {
        let mut store = crate::SqlStore::open_in_memory().unwrap();
        let db = store.conn();
        db.batch("CREATE TABLE t (a INTEGER, b TEXT)").unwrap();
        let mut b = Batch::new("INSERT INTO t (a, b)", 2, 4);
        for i in 0..10 {
            b.push(db, [Val::Int(i), Val::from(format!("{i}"))])
                .unwrap();
        }
        let count = |db: &mut dyn Db| db.int("SELECT COUNT(*) FROM t", &[]).unwrap();
        assert_eq!(count(db), Some(8), "two full batches");
        b.flush(db).unwrap();
        b.flush(db).unwrap();
        assert_eq!(count(db), Some(10), "then the rest, once");
        let rows = db.rows("SELECT a, b FROM t ORDER BY a", &[]).unwrap();
        assert_eq!(rows[9], vec![Val::Int(9), Val::from("9")]);
    }
}

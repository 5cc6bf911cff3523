//! What audit boards have marked so far (`board_mark`): drafts of their shares of a round,
//! kept until both members sign them off (`audit::boards`); only the signed-off entry enters
//! the log. A mark is kept as the JSON text the service gives it; the store checks only that
//! the user holds their role in the election.

use crate::db::args;
use crate::db::{Db, Row};
use crate::staff::{Staffing, User};
use crate::staffing::granted_in;
use crate::{SqlStore, StoreError};
use record::Role;

/// One board of one round of one audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardKey {
    /// The audit's name.
    pub audit: String,
    /// The round, from 1.
    pub round: u64,
    /// The board, from 1.
    pub board: u64,
}

/// What boards have marked, and who may sit on one.
pub trait BoardMarks {
    /// The commitment of `login`, who may sit on an audit board of `election`: an active
    /// board member (not pending, not disabled) whose role is granted there.
    fn board_member(&self, election: &str, login: &str) -> Result<String, StoreError>;
    /// The board's marks so far: (item, mark), by item.
    fn board_marks(&self, election: &str, key: &BoardKey)
        -> Result<Vec<(u64, String)>, StoreError>;
    /// `by` marks `item` of the board's share (or marks it again).
    fn set_board_mark(
        &mut self,
        election: &str,
        by: &User,
        key: &BoardKey,
        item: u64,
        mark: &str,
    ) -> Result<(), StoreError>;
}

fn int(v: u64, what: &str) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| StoreError::Refused(format!("{what} {v} is out of range")))
}

impl BoardMarks for SqlStore {
    fn board_member(&self, election: &str, login: &str) -> Result<String, StoreError> {
        let refuse = |why: String| StoreError::Refused(format!("'{login}' {why}"));
        let Some((user, _)) = self.user_by_name(login)? else {
            return Err(refuse("is not a user".into()));
        };
        if user.role != Role::BoardMember {
            return Err(refuse(format!(
                "is a {}, not a board member",
                user.role.key()
            )));
        }
        if user.pending || user.disabled {
            return Err(refuse("cannot log in (pending or disabled)".into()));
        }
        if !self
            .grants(user.id)?
            .iter()
            .any(|(e, pending)| e == election && !pending)
        {
            return Err(refuse(format!(
                "holds no board member role in '{election}': an admin grants it"
            )));
        }
        Ok(user.commitment)
    }

    fn board_marks(
        &self,
        election: &str,
        key: &BoardKey,
    ) -> Result<Vec<(u64, String)>, StoreError> {
        let mut db = self.db.borrow_mut();
        let db: &mut dyn Db = db.as_mut();
        let id = crate::records::election_id(db, election)?;
        let rows = db.rows(
            "SELECT item, mark FROM board_mark WHERE election_id = ?1 AND audit = ?2 \
             AND round = ?3 AND board = ?4 ORDER BY item",
            args![
                id,
                &key.audit,
                int(key.round, "round")?,
                int(key.board, "board")?
            ],
        )?;
        rows.iter()
            .map(|r| {
                let item = u64::try_from(Row(r).int(0)?)
                    .map_err(|_| StoreError::Corrupt("a board mark's item is negative".into()))?;
                Ok((item, Row(r).text(1)?))
            })
            .collect()
    }

    fn set_board_mark(
        &mut self,
        election: &str,
        by: &User,
        key: &BoardKey,
        item: u64,
        mark: &str,
    ) -> Result<(), StoreError> {
        let (round, board, item) = (
            int(key.round, "round")?,
            int(key.board, "board")?,
            int(item, "item")?,
        );
        self.write(|db| {
            let id = granted_in(db, by, election)?;
            db.exec(
                "DELETE FROM board_mark WHERE election_id = ?1 AND audit = ?2 AND round = ?3 \
                 AND board = ?4 AND item = ?5",
                args![id, &key.audit, round, board, item],
            )?;
            db.exec(
                "INSERT INTO board_mark (election_id, audit, round, board, item, mark, user_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                args![id, &key.audit, round, board, item, mark, by.id],
            )?;
            Ok(())
        })
    }
}

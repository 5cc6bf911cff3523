//! Elections, units, protocol versions, the log and its content: [`Store`] on any [`Db`].

use std::collections::HashMap;

use model::{
    Choice, ChoiceKind, Contest, ContestKind, ControlRules, CountSource, Election, Line, Protocol,
    UnitId, UnitLevel, UnitTree,
};

use record::{encode, Content, Entry, Staff, Time};

use crate::batch::{statement, Batch};
use crate::codec::{decode_votes, encode_votes};
use crate::db::{args, Db, Row, Val};
use crate::{Counts, ElectionInfo, Import, Loaded, SqlStore, Store, StoreError, User};

pub(crate) fn level_code(l: UnitLevel) -> i64 {
    UnitLevel::ALL.iter().position(|m| *m == l).unwrap_or(0) as i64
}

fn to_i64(v: u64) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| {
        StoreError::BadInput(format!(
            "count {v} is too large to store (the store keeps counts up to {})",
            i64::MAX
        ))
    })
}

fn to_u64(v: i64) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| StoreError::Corrupt(format!("negative count {v}")))
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

/// An election's latest staff time, as stored.
fn stored_time(t: i64) -> Result<Time, StoreError> {
    let t = u64::try_from(t).map_err(|_| corrupt(format!("an election's staff time {t}")))?;
    Time::from_unix(t).map_err(|e| corrupt(format!("an election's staff {e}")))
}

impl SqlStore {
    /// Wraps a connection and brings its schema up to date.
    pub(crate) fn new(db: Box<dyn Db>, is_sqlite: bool) -> Result<SqlStore, StoreError> {
        let mut s = SqlStore {
            db: std::cell::RefCell::new(db),
            is_sqlite,
            batching: false,
        };
        s.migrate()?;
        Ok(s)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let db = self.conn();
        let current = db.schema_version()?;
        let migrations = db.migrations();
        let supported = migrations.len() as i64;
        if current > supported {
            return Err(StoreError::TooNew {
                found: current,
                supported,
            });
        }
        for (i, sql) in migrations.iter().enumerate().skip(current as usize) {
            db.begin_write()?;
            let done = db
                .batch(sql)
                .and_then(|_| db.set_schema_version(i as i64 + 1));
            match done {
                Ok(()) => db.commit()?,
                Err(e) => {
                    db.rollback()?;
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// Checks every foreign key after migrations ran (`migrated`), then enforces them
    /// (SQLite).
    pub(crate) fn foreign_keys_on(&self, migrated: bool) -> Result<(), StoreError> {
        let mut db = self.db.borrow_mut();
        let broken = match migrated {
            true => db.as_mut().rows("PRAGMA foreign_key_check", &[])?,
            false => Vec::new(),
        };
        if let Some(row) = broken.first() {
            return Err(StoreError::Corrupt(format!(
                "a row of table {} refers to a row that does not exist",
                Row(row).text(0).unwrap_or_default()
            )));
        }
        db.batch("PRAGMA foreign_keys = ON")
    }

    /// The schema version (the number of migrations applied).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.db.borrow_mut().schema_version()
    }

    /// Runs `f` in a write transaction: committed if it succeeds, rolled back otherwise.
    /// Inside a [`SqlStore::batch`] it is a savepoint: undone alone if it fails, made durable
    /// with the batch.
    pub(crate) fn write<T>(
        &mut self,
        f: impl FnOnce(&mut dyn Db) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let batching = self.batching;
        let db = self.conn();
        if batching {
            // The batch's transaction may have been rolled back by the database itself after
            // an earlier write's error: nothing more is written outside it.
            if !db.in_transaction() {
                return Err(StoreError::Refused(
                    "the batch's transaction was rolled back: not written".into(),
                ));
            }
            db.batch("SAVEPOINT act")?;
            return match f(&mut *db) {
                Ok(v) => {
                    db.batch("RELEASE SAVEPOINT act")?;
                    Ok(v)
                }
                Err(e) => {
                    db.batch("ROLLBACK TO SAVEPOINT act; RELEASE SAVEPOINT act")?;
                    Err(e)
                }
            };
        }
        db.begin_write()?;
        match f(&mut *db) {
            Ok(v) => {
                db.commit()?;
                Ok(v)
            }
            Err(e) => {
                db.rollback()?;
                Err(e)
            }
        }
    }

    /// Group commit: runs `f`, which may make many writes (each all-or-nothing on its own),
    /// in one transaction, so that they share one commit and one flush to disk. Nothing `f`
    /// wrote is durable, nor may be acknowledged, before this returns `Ok`; if `f` answers
    /// `false` (a write went wrong halfway) or on an error, none of it is stored, and if the
    /// transaction could not begin `f` has not run.
    pub fn batch(&mut self, f: impl FnOnce(&mut SqlStore) -> bool) -> Result<(), StoreError> {
        self.conn().begin_write()?;
        self.batching = true;
        let keep = f(self);
        self.batching = false;
        let db = self.conn();
        if !db.in_transaction() {
            return Err(StoreError::Refused(
                "the batch's transaction was rolled back by the database: nothing was stored"
                    .into(),
            ));
        }
        if !keep {
            db.rollback()?;
            return Err(StoreError::Refused(
                "a write of the batch failed halfway: the batch is undone".into(),
            ));
        }
        db.commit().inspect_err(|_| {
            let _ = db.rollback();
        })
    }

    /// The connection, for a write.
    pub(crate) fn conn(&mut self) -> &mut dyn Db {
        self.db.get_mut().as_mut()
    }

    pub(crate) fn election_id(&mut self, name: &str) -> Result<i64, StoreError> {
        election_id(self.conn(), name)
    }
}

fn load_election(db: &mut dyn Db, id: i64, name: &str) -> Result<Election, StoreError> {
    let row = db
        .row(
            "SELECT date, rules, law FROM election WHERE id = ?1",
            args![id],
        )?
        .ok_or_else(|| StoreError::NoElection(name.to_string()))?;
    let mut e = Election::new(name);
    e.date = Row(&row).opt_text(0)?;
    e.rules = ControlRules::parse(Row(&row).text(1)?.lines()).map_err(corrupt)?;
    e.law = Row(&row).opt_text(2)?;
    db.each(
        "SELECT name, kind FROM contest WHERE election_id = ?1 ORDER BY idx",
        args![id],
        &mut |r| {
            let kind = ContestKind::from_key(&r.text(1)?).map_err(corrupt)?;
            e.contests.push(Contest::new(&r.text(0)?, kind, Vec::new()));
            Ok(())
        },
    )?;
    db.each(
        "SELECT contest_idx, name, kind, ballot_number FROM choice WHERE election_id = ?1 \
             ORDER BY contest_idx, idx",
        args![id],
        &mut |r| {
            let ci = r.int(0)?;
            let kind = ChoiceKind::from_key(&r.text(2)?).map_err(corrupt)?;
            let contest = e
                .contests
                .get_mut(ci as usize)
                .ok_or_else(|| corrupt(format!("choice of missing contest {ci}")))?;
            contest.choices.push(Choice {
                name: r.text(1)?,
                kind,
                ballot_number: r.opt_int(3)?.map(|n| n as u32),
            });
            Ok(())
        },
    )?;
    db.each(
        "SELECT id, parent, level, name FROM unit WHERE election_id = ?1 ORDER BY id",
        args![id],
        &mut |r| {
            let (uid, uname) = (r.int(0)?, r.text(3)?);
            let Some(parent) = r.opt_int(1)? else {
                e.units = UnitTree::new(&uname);
                return Ok(());
            };
            let level = r.int(2)?;
            let level = *UnitLevel::ALL
                .get(level as usize)
                .ok_or_else(|| corrupt(format!("unit level {level}")))?;
            let got = e
                .units
                .insert(UnitId(parent as u32), level, &uname)
                .map_err(corrupt)?;
            if got.0 as i64 != uid {
                return Err(corrupt(format!("unit ids are not contiguous at {uid}")));
            }
            Ok(())
        },
    )?;
    Ok(e)
}

/// Attaches their other counts and attributes to `protocols` of election `id`; with `station`,
/// they are all of that station, and only its rows are read (the table's key starts with it).
fn attach_extras(
    db: &mut dyn Db,
    id: i64,
    station: Option<UnitId>,
    protocols: &mut [Protocol],
) -> Result<(), StoreError> {
    let index: HashMap<(u32, usize, u32), usize> = protocols
        .iter()
        .enumerate()
        .map(|(i, p)| ((p.station.0, p.contest, p.version), i))
        .collect();
    let select = "SELECT station, contest_idx, version, kind, name, value FROM protocol_extra";
    let (sql, args) = match station {
        Some(s) => (
            format!("{select} WHERE election_id = ?1 AND station = ?2 ORDER BY contest_idx, version, kind, idx"),
            args![id, s.0].to_vec(),
        ),
        None => (
            format!("{select} WHERE election_id = ?1 ORDER BY station, contest_idx, version, kind, idx"),
            args![id].to_vec(),
        ),
    };
    db.each(&sql, &args, &mut |r| {
        let key = (r.int(0)? as u32, r.int(1)? as usize, r.int(2)? as u32);
        let Some(&i) = index.get(&key) else {
            return Ok(());
        };
        let (kind, name, value) = (r.text(3)?, r.text(4)?, r.text(5)?);
        let bad = || corrupt(format!("{kind} '{name}' = '{value}'"));
        if kind == "count" {
            let v = value.parse().map_err(|_| bad())?;
            protocols[i].extra.push((name, v));
        } else {
            let v = value.parse().map_err(|_| bad())?;
            protocols[i].attributes.push((name, v));
        }
        Ok(())
    })
}

fn read_protocols(
    db: &mut dyn Db,
    id: i64,
    filter: &str,
    extra: &[Val],
) -> Result<Vec<Protocol>, StoreError> {
    let mut out = Vec::new();
    for_each_protocol(
        db,
        id,
        filter,
        extra,
        "station, contest_idx, version",
        &mut |p| {
            out.push(p);
            Ok(())
        },
    )?;
    Ok(out)
}

pub(crate) fn election_id(db: &mut dyn Db, name: &str) -> Result<i64, StoreError> {
    db.int("SELECT id FROM election WHERE name = ?1", args![name])?
        .ok_or_else(|| StoreError::NoElection(name.to_string()))
}

impl SqlStore {
    /// The election's stored contents, or only the one behind `commitment`.
    fn contents_where(
        &self,
        name: &str,
        commitment: Option<&str>,
    ) -> Result<Vec<Content>, StoreError> {
        let mut db = self.db.borrow_mut();
        let db = db.as_mut();
        let id = election_id(db, name)?;
        let (sql, args): (_, &[_]) = match commitment {
            None => (
                "SELECT commitment, salt, text FROM content WHERE election_id = ?1 ORDER BY commitment",
                args![id],
            ),
            Some(c) => (
                "SELECT commitment, salt, text FROM content WHERE election_id = ?1 AND commitment = ?2",
                args![id, c],
            ),
        };
        let mut out = Vec::new();
        db.each(sql, args, &mut |r| {
            out.push(Content {
                commitment: r.text(0)?,
                salt: r.text(1)?,
                text: r.text(2)?,
            });
            Ok(())
        })?;
        Ok(out)
    }
}

impl SqlStore {
    /// The summaries of every stored election, or of the one named.
    fn infos(&self, name: Option<&str>) -> Result<Vec<ElectionInfo>, StoreError> {
        // Reads need `&mut` on the connection (statement caches); the trait's reads are `&self`.
        let mut db = self.db.borrow_mut();
        let mut out = Vec::new();
        let mut parents = Vec::new();
        let (filter, args) = match name {
            Some(n) => ("WHERE e.name = ?1", vec![Val::from(n)]),
            None => ("", Vec::new()),
        };
        db.each(
            &format!(
                "SELECT e.name, e.source, e.revote_of, e.revote_unit, e.date, e.law, \
               (SELECT c.name FROM contest c WHERE c.election_id = e.id AND c.idx = 0), \
               (SELECT p.id FROM election p WHERE p.name = e.revote_of) \
             FROM election e {filter} ORDER BY e.name"
            ),
            &args,
            &mut |r| {
                let revote_of = match (r.opt_text(2)?, r.opt_int(3)?) {
                    (Some(p), Some(u)) => Some((p, UnitId(u as u32))),
                    _ => None,
                };
                parents.push(r.opt_int(7)?.zip(r.opt_int(3)?));
                out.push(ElectionInfo {
                    name: r.text(0)?,
                    source: r.text(1)?,
                    revote_of,
                    revote_path: Vec::new(),
                    date: r.opt_text(4)?,
                    law: r.opt_text(5)?,
                    title: r.opt_text(6)?,
                });
                Ok(())
            },
        )?;
        for (e, parent) in out.iter_mut().zip(parents) {
            if let Some((id, unit)) = parent {
                e.revote_path = unit_path(db.as_mut(), id, unit)?;
            }
        }
        Ok(out)
    }
}

impl Store for SqlStore {
    fn elections(&self) -> Result<Vec<ElectionInfo>, StoreError> {
        self.infos(None)
    }

    fn election(&self, name: &str) -> Result<ElectionInfo, StoreError> {
        self.infos(Some(name))?
            .pop()
            .ok_or_else(|| StoreError::NoElection(name.to_string()))
    }

    fn counts(&self, name: &str) -> Result<Counts, StoreError> {
        let mut db = self.db.borrow_mut();
        let db = db.as_mut();
        let id = election_id(db, name)?;
        let count = |db: &mut dyn Db, sql: &str| {
            Ok::<_, StoreError>(db.int(sql, args![id])?.unwrap_or(0) as u64)
        };
        Ok(Counts {
            stations: count(
                db,
                "SELECT COUNT(*) FROM unit WHERE election_id = ?1 AND level = 4",
            )?,
            protocol_versions: count(db, "SELECT COUNT(*) FROM protocol WHERE election_id = ?1")?,
        })
    }

    fn import(&mut self) -> Result<Box<dyn Import + '_>, StoreError> {
        self.conn().begin_write()?;
        Ok(Box::new(SqlImport {
            store: self,
            election_id: 0,
            units_written: 0,
            buf: String::new(),
            protocols: Batch::new(&PROTOCOL_HEAD, PROTOCOL_VALUES, 32),
            units: Batch::new(UNIT_HEAD, 5, 128),
            committed: false,
            opened: None,
        }))
    }

    fn load(&self, name: &str) -> Result<Loaded, StoreError> {
        let mut db = self.db.borrow_mut();
        let db = db.as_mut();
        let id = election_id(db, name)?;
        let election = load_election(db, id, name)?;
        let all = read_protocols(db, id, "", &[])?;
        let mut protocols: Vec<Protocol> = Vec::with_capacity(all.len());
        // Only the legal count under the election's law, as the log's replay has it (the
        // definition in the log names the same law).
        let legal = record::legal_count(election.law.as_deref());
        for p in all.into_iter().filter(|p| p.source == legal) {
            match protocols.last_mut() {
                Some(last) if last.station == p.station && last.contest == p.contest => *last = p,
                _ => protocols.push(p),
            }
        }
        attach_extras(db, id, None, &mut protocols)?;
        Ok(Loaded {
            election,
            protocols,
        })
    }

    fn log(&self, name: &str) -> Result<Vec<Vec<u8>>, StoreError> {
        self.log_since(name, 0)
    }

    fn log_since(&self, name: &str, from: u64) -> Result<Vec<Vec<u8>>, StoreError> {
        self.log_range(name, from, i64::MAX as u64)
    }

    fn log_range(&self, name: &str, from: u64, to: u64) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut db = self.db.borrow_mut();
        let db = db.as_mut();
        let id = election_id(db, name)?;
        // Indexes beyond 2^63 - 1 are none of the log's.
        let (from, to) = (
            from.min(i64::MAX as u64) as i64,
            to.min(i64::MAX as u64) as i64,
        );
        // Entries kept as bytes, then entries kept as protocol rows (encoded again).
        let mut entries: Vec<(i64, Vec<u8>)> = Vec::new();
        db.each(
            "SELECT seq, entry FROM log_entry WHERE election_id = ?1 AND seq >= ?2 AND seq < ?3 ORDER BY seq",
            args![id, from, to],
            &mut |r| {
                entries.push((r.int(0)?, r.blob(1)?));
                Ok(())
            },
        )?;
        db.each(&LOGGED_ROWS, args![id, from, to], &mut |r| {
            let mut entry = Vec::with_capacity(400);
            record::encode_protocol_into(&protocol_from_row(&r, 1)?, &mut entry);
            entries.push((r.int(0)?, entry));
            Ok(())
        })?;
        // Two runs, each in order: the stable sort merges them in one pass.
        entries.sort_by_key(|&(seq, _)| seq);
        Ok(entries.into_iter().map(|(_, e)| e).collect())
    }

    fn contents(&self, name: &str) -> Result<Vec<Content>, StoreError> {
        self.contents_where(name, None)
    }

    fn content(&self, name: &str, commitment: &str) -> Result<Option<Content>, StoreError> {
        Ok(self.contents_where(name, Some(commitment))?.pop())
    }

    fn all_versions(&self, name: &str) -> Result<Vec<Protocol>, StoreError> {
        let mut db = self.db.borrow_mut();
        let db = db.as_mut();
        let id = election_id(db, name)?;
        let mut ps = read_protocols(db, id, "", &[])?;
        attach_extras(db, id, None, &mut ps)?;
        Ok(ps)
    }

    fn history(
        &self,
        name: &str,
        station: UnitId,
        contest: usize,
    ) -> Result<Vec<Protocol>, StoreError> {
        let mut db = self.db.borrow_mut();
        let db = db.as_mut();
        let id = election_id(db, name)?;
        let mut ps = read_protocols(
            db,
            id,
            "AND station = ?2 AND contest_idx = ?3",
            args![station.0, contest as i64],
        )?;
        attach_extras(db, id, Some(station), &mut ps)?;
        Ok(ps)
    }
}

/// Checks that a protocol fits its election (a station, a contest, one count per choice) and
/// gives the version it would have: one more than the station's last.
pub(crate) fn next_version(
    db: &mut dyn Db,
    election: i64,
    p: &Protocol,
) -> Result<u32, StoreError> {
    let bad = StoreError::BadCorrection;
    let level = db.int(
        "SELECT level FROM unit WHERE election_id = ?1 AND id = ?2",
        args![election, p.station.0],
    )?;
    if level != Some(level_code(UnitLevel::Station)) {
        return Err(bad(format!("unit {} is not a station", p.station.0)));
    }
    let contest = db.row(
        "SELECT name, (SELECT COUNT(*) FROM choice h WHERE h.election_id = c.election_id AND h.contest_idx = c.idx) \
         FROM contest c WHERE c.election_id = ?1 AND c.idx = ?2",
        args![election, p.contest as i64],
    )?;
    let Some(contest) = contest else {
        return Err(bad(format!("no contest {}", p.contest)));
    };
    let choices = Row(&contest).int(1)? as usize;
    if choices != p.votes.len() {
        return Err(bad(format!(
            "{} vote counts for {choices} choices of '{}'",
            p.votes.len(),
            Row(&contest).text(0)?
        )));
    }
    let last = db.int(
        "SELECT MAX(version) FROM protocol WHERE election_id = ?1 AND station = ?2 AND contest_idx = ?3",
        args![election, p.station.0, p.contest as i64],
    )?;
    Ok(last.unwrap_or(0) as u32 + 1)
}

/// Refuses an election whose date is not a calendar date (`model::check_date`) or whose
/// law is not a preset (`record::check_law`): both enter its log's definition.
fn check_definition(e: &Election) -> Result<(), StoreError> {
    if let Some(date) = &e.date {
        model::check_date(date).map_err(|x| StoreError::BadInput(format!("date: {x}")))?;
    }
    if let Some(law) = &e.law {
        record::check_law(law).map_err(|x| StoreError::BadInput(format!("law: {x}")))?;
    }
    Ok(())
}

/// The names of a unit's path below the country, from the top (`Region`, `District`...).
fn unit_path(db: &mut dyn Db, election: i64, unit: i64) -> Result<Vec<String>, StoreError> {
    let mut path = Vec::new();
    db.each(
        "WITH RECURSIVE up(id, parent, name, depth) AS ( \
             SELECT id, parent, name, 0 FROM unit WHERE election_id = ?1 AND id = ?2 \
             UNION ALL \
             SELECT u.id, u.parent, u.name, up.depth + 1 FROM unit u JOIN up ON u.id = up.parent \
             WHERE u.election_id = ?1) \
         SELECT name FROM up WHERE parent IS NOT NULL ORDER BY depth DESC",
        args![election, unit],
        &mut |r| {
            path.push(r.text(0)?);
            Ok(())
        },
    )?;
    Ok(path)
}

/// An all-or-nothing import: one write transaction from [`Store::import`] to
/// [`Import::commit`]; dropped without a commit, it is rolled back.
pub struct SqlImport<'a> {
    store: &'a mut SqlStore,
    election_id: i64,
    units_written: usize,
    buf: String,
    /// Protocol and unit rows waiting to be inserted (many to a statement).
    protocols: Batch,
    units: Batch,
    committed: bool,
    /// The staff entry logged right after the definition (a re-vote's `open`), and when.
    opened: Option<(Staff, Time)>,
}

impl Drop for SqlImport<'_> {
    fn drop(&mut self) {
        if !self.committed {
            let _ = self.store.conn().rollback();
        }
    }
}

impl Import for SqlImport<'_> {
    fn begin(&mut self, election: &Election, source: &str) -> Result<(), StoreError> {
        let db = self.store.conn();
        if db
            .int(
                "SELECT id FROM election WHERE name = ?1",
                args![&election.name],
            )?
            .is_some()
        {
            return Err(StoreError::ElectionExists(election.name.clone()));
        }
        check_definition(election)?;
        self.election_id = db
            .int(
                "INSERT INTO election (name, date, rules, source, law) VALUES (?1, ?2, ?3, ?4, ?5) \
                 RETURNING id",
                args![
                    &election.name,
                    election.date.clone(),
                    election.rules.texts().join("\n"),
                    source,
                    election.law.clone()
                ],
            )?
            .ok_or_else(|| corrupt("no id for the new election"))?;
        let id = self.election_id;
        for (ci, c) in election.contests.iter().enumerate() {
            db.exec(
                "INSERT INTO contest (election_id, idx, name, kind) VALUES (?1, ?2, ?3, ?4)",
                args![id, ci as i64, &c.name, c.kind.key()],
            )?;
            for (i, ch) in c.choices.iter().enumerate() {
                db.exec(
                    "INSERT INTO choice (election_id, contest_idx, idx, name, kind, ballot_number) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    args![id, ci as i64, i as i64, &ch.name, ch.kind.key(), ch.ballot_number],
                )?;
            }
        }
        self.units(election)
    }

    fn protocol(&mut self, election: &Election, p: &Protocol) -> Result<(), StoreError> {
        if self.units_written < election.units.len() {
            self.units(election)?;
        }
        let values = protocol_values(self.election_id, p, &mut self.buf)?;
        let db = self.store.conn();
        self.protocols.push(db, values)?;
        if !(p.extra.is_empty() && p.attributes.is_empty()) {
            self.protocols.flush(db)?;
            insert_extras(db, self.election_id, p)?;
        }
        Ok(())
    }

    fn units(&mut self, election: &Election) -> Result<(), StoreError> {
        let db = self.store.conn();
        for i in self.units_written..election.units.len() {
            let u = election.units.get(UnitId(i as u32));
            let row = [
                Val::Int(self.election_id),
                Val::Int(i as i64),
                Val::from(u.parent.map(|p| p.0)),
                Val::Int(level_code(u.level)),
                Val::from(u.name),
            ];
            self.units.push(db, row)?;
        }
        self.units_written = election.units.len();
        Ok(())
    }

    fn revote_of(
        &mut self,
        parent: &str,
        unit: UnitId,
        by: &User,
        now: Time,
    ) -> Result<(), StoreError> {
        if by.role != record::Role::Commissioner {
            return Err(StoreError::Refused(format!(
                "a {} cannot open a re-vote",
                by.role.key()
            )));
        }
        let db = self.store.conn();
        let pid = election_id(db, parent)?;
        crate::staffing::granted(db, by, pid)?;
        // The parent's latest decision to re-vote this unit.
        let mut decision = None;
        db.each(
            "SELECT seq, entry FROM log_entry WHERE election_id = ?1 ORDER BY seq",
            args![pid],
            &mut |r| {
                let bytes = r.blob(1)?;
                if bytes.starts_with(b"\x01{\"type\":\"decision\"") {
                    let e = record::decode(r.int(0)? as u64, &bytes)
                        .map_err(|e| corrupt(e.to_string()))?;
                    if matches!(e, record::Entry::Decision(record::Decision::Revote { unit: u, .. }) if u == unit)
                    {
                        decision = Some(record::digest(&bytes));
                    }
                }
                Ok(())
            },
        )?;
        let decision = decision.ok_or_else(|| {
            StoreError::Refused(format!("'{parent}' decided no re-vote of unit {}", unit.0))
        })?;
        db.exec(
            "UPDATE election SET revote_of = ?1, revote_unit = ?2 WHERE id = ?3",
            args![parent, unit.0, self.election_id],
        )?;
        // The re-vote is the same commission's: whoever holds a role in the annulled election
        // holds it in the re-vote (not logged again: the grants are in the parent's log).
        db.exec(
            "INSERT INTO staff_grant (user_id, election_id, state, granted_by) \
             SELECT user_id, ?1, state, granted_by FROM staff_grant WHERE election_id = ?2",
            args![self.election_id, pid],
        )?;
        crate::staffing::user_content(db, self.election_id, by)?;
        let open = record::StaffAct::Open { decision, unit };
        self.opened = Some((crate::staffing::staff_of(Some(by), open), now));
        Ok(())
    }

    fn commit(mut self: Box<Self>, election: &Election) -> Result<(), StoreError> {
        // The election's definition and every protocol enter its log in this transaction.
        let definition = record::encoded_definition(election);
        let id = self.election_id;
        let db = self.store.conn();
        self.units.flush(db)?;
        self.protocols.flush(db)?;
        append_entries(db, id, &definition)?;
        let mut seq = match self.opened.take() {
            Some(open) => append_act(db, id, open, &[], None)?,
            None => append_entries(db, id, &[])?,
        } as i64;
        // First versions in station and contest order, then later versions (corrections in
        // the file: few) in version order. Each entry is its stored row (`log_row`): one
        // copy of each protocol, numbered in the database without reading it back.
        for (filter, order) in [
            ("version = 1", "station, contest_idx"),
            ("version > 1", "version, station, contest_idx"),
        ] {
            seq += db.exec(
                &format!(
                    "INSERT INTO log_row (election_id, seq, station, contest_idx, version) \
                     SELECT election_id, ?2 + ROW_NUMBER() OVER (ORDER BY {order}) - 1, \
                     station, contest_idx, version FROM protocol \
                     WHERE election_id = ?1 AND {filter}"
                ),
                args![id, seq],
            )? as i64;
        }
        db.commit()?;
        self.committed = true;
        Ok(())
    }
}

pub(crate) fn insert_content(
    db: &mut dyn Db,
    election: i64,
    content: &[Content],
) -> Result<(), StoreError> {
    for c in content {
        db.exec(
            "INSERT INTO content (election_id, commitment, salt, text) VALUES (?1, ?2, ?3, ?4)",
            args![election, &c.commitment, &c.salt, &c.text],
        )?;
    }
    Ok(())
}

/// `INSERT INTO unit` with its columns.
const UNIT_HEAD: &str = "INSERT INTO unit (election_id, id, parent, level, name)";

/// The values of a protocol row ([`protocol_values`]).
const PROTOCOL_VALUES: usize = 7 + Line::ALL.len();

/// `INSERT INTO protocol` with the columns of [`protocol_values`]: the election, then
/// [`PROTOCOL_COLUMNS`].
static PROTOCOL_HEAD: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!("INSERT INTO protocol (election_id, {})", *PROTOCOL_COLUMNS)
});

/// A protocol version's row (its other counts and attributes go in `protocol_extra`).
fn protocol_values(
    election_id: i64,
    p: &Protocol,
    buf: &mut String,
) -> Result<Vec<Val>, StoreError> {
    encode_votes(&p.votes, buf);
    let mut vals: Vec<Val> = Vec::with_capacity(PROTOCOL_VALUES);
    vals.extend([
        Val::Int(election_id),
        Val::Int(i64::from(p.station.0)),
        Val::Int(p.contest as i64),
        Val::from(p.version),
        Val::from(p.source.key()),
        Val::from(buf.as_str()),
        Val::from(p.reference.clone()),
    ]);
    for v in p.lines {
        vals.push(Val::from(v.map(to_i64).transpose()?));
    }
    Ok(vals)
}

pub(crate) fn insert_protocol(
    db: &mut dyn Db,
    election_id: i64,
    p: &Protocol,
    buf: &mut String,
) -> Result<(), StoreError> {
    let vals = protocol_values(election_id, p, buf)?;
    db.exec(&statement(&PROTOCOL_HEAD, PROTOCOL_VALUES, 1), &vals)?;
    insert_extras(db, election_id, p)
}

/// A protocol version's other counts and attributes.
fn insert_extras(db: &mut dyn Db, election_id: i64, p: &Protocol) -> Result<(), StoreError> {
    let (station, contest) = (i64::from(p.station.0), p.contest as i64);
    for (kind, items) in [
        (
            "count",
            p.extra
                .iter()
                .map(|(n, v)| (n.clone(), v.to_string()))
                .collect::<Vec<_>>(),
        ),
        (
            "attr",
            p.attributes
                .iter()
                .map(|(n, v)| (n.clone(), format!("{v}")))
                .collect(),
        ),
    ] {
        for (i, (n, v)) in items.iter().enumerate() {
            db.exec(
                "INSERT INTO protocol_extra (election_id, station, contest_idx, version, kind, idx, name, value) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                args![election_id, station, contest, p.version, kind, i as i64, n, v],
            )?;
        }
    }
    Ok(())
}

/// A protocol version's columns: its key, source, votes and reference, then its lines in
/// [`Line::ALL`]'s order (what [`protocol_from_row`] reads, and [`protocol_values`] writes
/// after the election).
static PROTOCOL_COLUMNS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let lines: Vec<&str> = Line::ALL.iter().map(|l| l.key()).collect();
    format!(
        "station, contest_idx, version, source, votes, reference, {}",
        lines.join(", ")
    )
});

/// The log's entries kept as protocol rows with indexes `?2..?3` of election `?1`, in order:
/// each one's index, then [`PROTOCOL_COLUMNS`].
static LOGGED_ROWS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT l.seq, {} FROM log_row l \
         JOIN protocol USING (election_id, station, contest_idx, version) \
         WHERE l.election_id = ?1 AND l.seq >= ?2 AND l.seq < ?3 ORDER BY l.seq",
        *PROTOCOL_COLUMNS
    )
});

/// A protocol version from a row whose columns from `at` on are [`PROTOCOL_COLUMNS`].
fn protocol_from_row(r: &Row<'_>, at: usize) -> Result<Protocol, StoreError> {
    let mut p = Protocol::new(UnitId(r.int(at)? as u32), r.int(at + 1)? as usize, 0);
    p.version = r.int(at + 2)? as u32;
    p.source = CountSource::from_key(r.str(at + 3)?).map_err(corrupt)?;
    p.votes = decode_votes(r.str(at + 4)?)?;
    p.reference = r.opt_text(at + 5)?;
    for (i, l) in Line::ALL.iter().copied().enumerate() {
        if let Some(v) = r.opt_int(at + 6 + i)? {
            p.set_line(l, to_u64(v)?);
        }
    }
    Ok(p)
}

/// Calls `f` with every protocol version of an election (optionally filtered; the filter's
/// parameters are `?2` on), in the order `order` names, one row at a time.
fn for_each_protocol(
    db: &mut dyn Db,
    id: i64,
    filter: &str,
    extra: &[Val],
    order: &str,
    f: &mut dyn FnMut(Protocol) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let sql = format!(
        "SELECT {} FROM protocol WHERE election_id = ?1 {filter} ORDER BY {order}",
        *PROTOCOL_COLUMNS
    );
    let mut params = vec![Val::Int(id)];
    params.extend_from_slice(extra);
    db.each(&sql, &params, &mut |r| f(protocol_from_row(&r, 0)?))
}

/// Appends entries to an election's log within the open transaction; returns the log's new
/// size.
pub(crate) fn append_entries(
    db: &mut dyn Db,
    election_id: i64,
    entries: &[Vec<u8>],
) -> Result<u64, StoreError> {
    append(db, election_id, None, entries, None)
}

/// Appends an act to an election's log within the open transaction: its staff entry, stamped
/// with `now` (the edge's clock) or the log's latest staff time if that is later, so that
/// times never decrease (`docs/log-format.md`, "staff"), then `entries`. With `at` (an act
/// computed at a log size, when it depends on the state: a final publication, an audit step),
/// refused with [`StoreError::Stale`] if the log has grown since. Returns the log's new size.
pub(crate) fn append_act(
    db: &mut dyn Db,
    election_id: i64,
    staff: (Staff, Time),
    entries: &[Vec<u8>],
    at: Option<u64>,
) -> Result<u64, StoreError> {
    append(db, election_id, Some(staff), entries, at)
}

fn append(
    db: &mut dyn Db,
    election_id: i64,
    staff: Option<(Staff, Time)>,
    entries: &[Vec<u8>],
    at: Option<u64>,
) -> Result<u64, StoreError> {
    // The log's size, the election's standing and its latest staff time, in one statement
    // (an append is the hot path of every staff write).
    let row = db
        .row(
            "SELECT (SELECT COALESCE(MAX(seq) + 1, 0) FROM ( \
                 SELECT MAX(seq) AS seq FROM log_entry WHERE election_id = ?1 UNION ALL \
                 SELECT MAX(seq) FROM log_row WHERE election_id = ?1) AS logged), \
             standing, staff_time FROM election WHERE id = ?1",
            args![election_id],
        )?
        .ok_or_else(|| StoreError::Corrupt(format!("no election with id {election_id}")))?;
    let (next, kept) = (Row(&row).int(0)?, Row(&row).opt_text(1)?);
    let last = Row(&row).opt_int(2)?.map(stored_time).transpose()?;
    if let Some(at) = at.filter(|&at| at != next as u64) {
        return Err(StoreError::Stale {
            at,
            size: next as u64,
        });
    }
    // The staff entry's time: never before the log's latest (a clock set back, another
    // server's clock behind this one's).
    let (staff, stamped) = match staff {
        Some((s, now)) => {
            let t = last.map_or(now, |l| l.max(now));
            let entry = encode(&Entry::Staff(Staff { time: Some(t), ..s }));
            (Some(entry), (Some(t) != last).then_some(t))
        }
        None => (None, None),
    };
    // A certified or annulled election takes only what its standing allows (record::Standing).
    let (before, kept) = standing_kept(db, election_id, kept)?;
    let mut now = before;
    let all = staff.iter().chain(entries);
    let count = entries.len() + usize::from(staff.is_some());
    for (i, e) in all.enumerate() {
        let seq = next + i as i64;
        now = now
            .after_bytes(seq as u64, e)
            .map_err(|x| StoreError::Refused(x.to_string()))?;
        db.exec(
            "INSERT INTO log_entry (election_id, seq, entry) VALUES (?1, ?2, ?3)",
            args![election_id, seq, e],
        )?;
    }
    // Written only when they change (or the standing was not kept yet): most appends leave
    // the standing as it was, and the time changes at most once a second.
    if now != before || !kept || stamped.is_some() {
        db.exec(
            "UPDATE election SET standing = ?1, staff_time = COALESCE(?2, staff_time) WHERE id = ?3",
            args![now.key(), stamped.map(|t| t.unix() as i64), election_id],
        )?;
    }
    Ok((next as u64) + count as u64)
}

/// An election's standing from what is `kept` beside the election, and whether it was: in a
/// store from before it was kept, it is replayed from the log's entries once.
fn standing_kept(
    db: &mut dyn Db,
    election_id: i64,
    kept: Option<String>,
) -> Result<(record::Standing, bool), StoreError> {
    if let Some(k) = kept {
        return record::Standing::from_key(&k)
            .map(|s| (s, true))
            .ok_or_else(|| StoreError::Corrupt(format!("an election's standing '{k}'")));
    }
    let mut standing = record::Standing::Open;
    db.each(
        "SELECT seq, entry FROM log_entry WHERE election_id = ?1 ORDER BY seq",
        args![election_id],
        &mut |r| {
            let bytes = r.blob(1)?;
            // Protocols never change the standing of the election they were imported into.
            if record::is_protocol(&bytes) {
                return Ok(());
            }
            // A log from before the rule may have changed a frozen election: such an entry
            // is passed over here (the replay reports it).
            if let Ok(s) = standing.after_bytes(r.int(0)? as u64, &bytes) {
                standing = s;
            }
            Ok(())
        },
    )?;
    Ok((standing, false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Act, Actor, Staffing};

    /// An audit step by the console: the staff entry and `entries`.
    fn escalate(entries: &[Vec<u8>]) -> Act<'_> {
        let now = record::Time::from_unix(1_796_278_234).unwrap();
        Act::of(record::StaffAct::Audit, entries, now)
    }

    #[test]
    fn a_batch_the_database_rolled_back_writes_nothing_after_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = SqlStore::open(&dir.path().join("s.db")).unwrap();
        let mut e = Election::new("s");
        e.units = model::UnitTree::new("C");
        let mut tx = s.import().unwrap();
        tx.begin(&e, "test").unwrap();
        tx.commit(&e).unwrap();
        let entry = |k: u64| {
            record::encode(&record::Entry::Audit(record::AuditStep::Escalate {
                audit: k.to_string(),
            }))
        };
        let before = s.log("s").unwrap().len();
        let mut later = None;
        let r = s.batch(|st| {
            st.act("s", Actor::Console, escalate(&[entry(1)])).unwrap();
            // As SQLite does by itself on a full disk or an I/O error.
            st.conn().batch("ROLLBACK").unwrap();
            later = Some(st.act("s", Actor::Console, escalate(&[entry(2)])));
            true
        });
        assert!(matches!(later, Some(Err(StoreError::Refused(_)))));
        assert!(matches!(r, Err(StoreError::Refused(_))));
        assert_eq!(s.log("s").unwrap().len(), before);
    }
}

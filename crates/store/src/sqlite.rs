//! The embedded SQLite backend.

use std::collections::HashMap;
use std::path::Path;

use model::{
    Choice, ChoiceKind, Contest, ContestKind, ControlRules, CountSource, Election, Line, Protocol,
    UnitId, UnitLevel, UnitTree,
};
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use crate::codec::{decode_votes, encode_votes};
use crate::{ElectionInfo, Import, Loaded, Store, StoreError};

/// The migrations, in order; `PRAGMA user_version` counts those applied.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_log.sql"),
    include_str!("../migrations/0003_content.sql"),
    include_str!("../migrations/0004_staff.sql"),
];

/// A single-file SQLite store.
pub struct SqliteStore {
    pub(crate) conn: Connection,
    pub(crate) path: String,
}

pub(crate) fn db(path: &str) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |source| StoreError::Db {
        path: path.to_string(),
        source,
    }
}

fn level_code(l: UnitLevel) -> i64 {
    UnitLevel::ALL.iter().position(|m| *m == l).unwrap_or(0) as i64
}

fn to_i64(v: u64) -> Result<i64, StoreError> {
    i64::try_from(v)
        .map_err(|_| StoreError::BadCorrection(format!("count {v} is too large to store")))
}

fn to_u64(v: i64) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| StoreError::Corrupt(format!("negative count {v}")))
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let p = path.display().to_string();
        let conn = Connection::open(path).map_err(db(&p))?;
        SqliteStore::setup(conn, p)
    }

    /// A store in memory, for tests.
    pub fn open_in_memory() -> Result<SqliteStore, StoreError> {
        let conn = Connection::open_in_memory().map_err(db(":memory:"))?;
        SqliteStore::setup(conn, ":memory:".into())
    }

    fn setup(conn: Connection, path: String) -> Result<SqliteStore, StoreError> {
        conn.execute_batch(
            "PRAGMA cache_size = -32768; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
        )
        .map_err(db(&path))?;
        let mut s = SqliteStore { conn, path };
        s.migrate()?;
        Ok(s)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let path = self.path.clone();
        let current: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(db(&path))?;
        let supported = MIGRATIONS.len() as i64;
        if current > supported {
            return Err(StoreError::TooNew {
                found: current,
                supported,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            let tx = self.conn.transaction().map_err(db(&path))?;
            tx.execute_batch(sql).map_err(db(&path))?;
            tx.pragma_update(None, "user_version", i as i64 + 1)
                .map_err(db(&path))?;
            tx.commit().map_err(db(&path))?;
        }
        Ok(())
    }

    /// The schema version (the number of migrations applied).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(db(&self.path))
    }

    /// Switches the file to write-ahead logging, so that readers do not wait for a writer
    /// (the results service); commits stay durable (`synchronous = FULL`).
    pub fn use_wal(&self) -> Result<(), StoreError> {
        self.conn
            .execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
            .map_err(db(&self.path))
    }

    pub(crate) fn election_id(&self, name: &str) -> Result<i64, StoreError> {
        self.conn
            .query_row("SELECT id FROM election WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()
            .map_err(db(&self.path))?
            .ok_or_else(|| StoreError::NoElection(name.to_string()))
    }

    fn load_election(&self, id: i64, name: &str) -> Result<Election, StoreError> {
        let d = db(&self.path);
        let (date, rules): (Option<String>, String) = self
            .conn
            .query_row(
                "SELECT date, rules FROM election WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(&d)?;
        let mut e = Election::new(name);
        e.date = date;
        e.rules = ControlRules::parse(rules.lines())
            .map_err(|err| StoreError::Corrupt(err.to_string()))?;
        let mut st = self
            .conn
            .prepare("SELECT idx, name, kind FROM contest WHERE election_id = ?1 ORDER BY idx")
            .map_err(&d)?;
        let contests = st
            .query_map([id], |r| {
                Ok((r.get::<_, String>(1)?, r.get::<_, String>(2)?))
            })
            .map_err(&d)?;
        for c in contests {
            let (cname, kind) = c.map_err(&d)?;
            let kind =
                ContestKind::from_key(&kind).map_err(|err| StoreError::Corrupt(err.to_string()))?;
            e.contests.push(Contest::new(&cname, kind, Vec::new()));
        }
        let mut st = self
            .conn
            .prepare("SELECT contest_idx, name, kind, ballot_number FROM choice WHERE election_id = ?1 ORDER BY contest_idx, idx")
            .map_err(&d)?;
        let rows = st
            .query_map([id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<u32>>(3)?,
                ))
            })
            .map_err(&d)?;
        for row in rows {
            let (ci, cname, kind, ballot_number) = row.map_err(&d)?;
            let kind =
                ChoiceKind::from_key(&kind).map_err(|err| StoreError::Corrupt(err.to_string()))?;
            let contest = e
                .contests
                .get_mut(ci as usize)
                .ok_or_else(|| StoreError::Corrupt(format!("choice of missing contest {ci}")))?;
            contest.choices.push(Choice {
                name: cname,
                kind,
                ballot_number,
            });
        }
        let mut st = self
            .conn
            .prepare("SELECT id, parent, level, name FROM unit WHERE election_id = ?1 ORDER BY id")
            .map_err(&d)?;
        let rows = st
            .query_map([id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .map_err(&d)?;
        for row in rows {
            let (uid, parent, level, uname) = row.map_err(&d)?;
            let Some(parent) = parent else {
                e.units = UnitTree::new(&uname);
                continue;
            };
            let level = *UnitLevel::ALL
                .get(level as usize)
                .ok_or_else(|| StoreError::Corrupt(format!("unit level {level}")))?;
            let got = e
                .units
                .insert(UnitId(parent as u32), level, &uname)
                .map_err(|err| StoreError::Corrupt(err.to_string()))?;
            if got.0 as i64 != uid {
                return Err(StoreError::Corrupt(format!(
                    "unit ids are not contiguous at {uid}"
                )));
            }
        }
        Ok(e)
    }

    fn read_protocols(
        &self,
        id: i64,
        filter: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<Protocol>, StoreError> {
        read_protocols(&self.conn, &self.path, id, filter, args)
    }

    fn attach_extras(&self, id: i64, protocols: &mut [Protocol]) -> Result<(), StoreError> {
        let d = db(&self.path);
        let index: HashMap<(u32, usize, u32), usize> = protocols
            .iter()
            .enumerate()
            .map(|(i, p)| ((p.station.0, p.contest, p.version), i))
            .collect();
        let mut st = self
            .conn
            .prepare(
                "SELECT station, contest_idx, version, kind, name, value FROM protocol_extra \
                 WHERE election_id = ?1 ORDER BY station, contest_idx, version, kind, idx",
            )
            .map_err(&d)?;
        let mut rows = st.query([id]).map_err(&d)?;
        while let Some(r) = rows.next().map_err(&d)? {
            let key = (
                r.get::<_, i64>(0).map_err(&d)? as u32,
                r.get::<_, i64>(1).map_err(&d)? as usize,
                r.get(2).map_err(&d)?,
            );
            let Some(&i) = index.get(&key) else { continue };
            let kind: String = r.get(3).map_err(&d)?;
            let name: String = r.get(4).map_err(&d)?;
            let value: String = r.get(5).map_err(&d)?;
            let bad = StoreError::Corrupt(format!("{kind} '{name}' = '{value}'"));
            if kind == "count" {
                let v = value.parse().map_err(|_| bad)?;
                protocols[i].extra.push((name, v));
            } else {
                let v = value.parse().map_err(|_| bad)?;
                protocols[i].attributes.push((name, v));
            }
        }
        Ok(())
    }
}

impl Store for SqliteStore {
    fn elections(&self) -> Result<Vec<ElectionInfo>, StoreError> {
        let d = db(&self.path);
        let mut st = self
            .conn
            .prepare(
                "SELECT e.name, e.source, \
                   (SELECT COUNT(*) FROM unit u WHERE u.election_id = e.id AND u.level = 4), \
                   (SELECT COUNT(*) FROM protocol p WHERE p.election_id = e.id) \
                 FROM election e ORDER BY e.name",
            )
            .map_err(&d)?;
        let rows = st
            .query_map([], |r| {
                Ok(ElectionInfo {
                    name: r.get(0)?,
                    source: r.get(1)?,
                    stations: r.get::<_, i64>(2)? as u64,
                    protocol_versions: r.get::<_, i64>(3)? as u64,
                })
            })
            .map_err(&d)?;
        rows.collect::<Result<_, _>>().map_err(&d)
    }

    fn import(&mut self) -> Result<Box<dyn Import + '_>, StoreError> {
        let path = self.path.as_str();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db(path))?;
        Ok(Box::new(SqliteImport {
            tx,
            path,
            election_id: 0,
            units_written: 0,
            buf: String::new(),
        }))
    }

    fn load(&self, name: &str) -> Result<Loaded, StoreError> {
        let id = self.election_id(name)?;
        let election = self.load_election(id, name)?;
        let all = self.read_protocols(id, "", &[])?;
        let mut protocols: Vec<Protocol> = Vec::with_capacity(all.len());
        for p in all {
            match protocols.last_mut() {
                Some(last) if last.station == p.station && last.contest == p.contest => *last = p,
                _ => protocols.push(p),
            }
        }
        self.attach_extras(id, &mut protocols)?;
        Ok(Loaded {
            election,
            protocols,
        })
    }

    fn log(&self, name: &str) -> Result<Vec<Vec<u8>>, StoreError> {
        self.log_since(name, 0)
    }

    fn log_since(&self, name: &str, from: u64) -> Result<Vec<Vec<u8>>, StoreError> {
        let id = self.election_id(name)?;
        let d = db(&self.path);
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT entry FROM log_entry WHERE election_id = ?1 AND seq >= ?2 ORDER BY seq",
            )
            .map_err(&d)?;
        let rows = st
            .query_map(params![id, from as i64], |r| r.get::<_, Vec<u8>>(0))
            .map_err(&d)?;
        rows.collect::<Result<_, _>>().map_err(&d)
    }

    fn append_log(&mut self, name: &str, entries: &[Vec<u8>]) -> Result<u64, StoreError> {
        let id = self.election_id(name)?;
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db(&path))?;
        let size = append_entries(&tx, &path, id, entries)?;
        tx.commit().map_err(db(&path))?;
        Ok(size)
    }

    fn append_with_content(
        &mut self,
        name: &str,
        entry: &[u8],
        content: &[(String, String, String)],
    ) -> Result<u64, StoreError> {
        let id = self.election_id(name)?;
        let path = self.path.clone();
        let d = db(&path);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&d)?;
        for (commitment, salt, text) in content {
            tx.execute(
                "INSERT INTO content (election_id, commitment, salt, text) VALUES (?1, ?2, ?3, ?4)",
                params![id, commitment, salt, text],
            )
            .map_err(&d)?;
        }
        let size = append_entries(&tx, &path, id, &[entry.to_vec()])?;
        tx.commit().map_err(&d)?;
        Ok(size)
    }

    fn contents(&self, name: &str) -> Result<Vec<(String, String, String)>, StoreError> {
        let id = self.election_id(name)?;
        let d = db(&self.path);
        let mut st = self
            .conn
            .prepare("SELECT commitment, salt, text FROM content WHERE election_id = ?1 ORDER BY commitment")
            .map_err(&d)?;
        let rows = st
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(&d)?;
        rows.collect::<Result<_, _>>().map_err(&d)
    }

    fn redact(&mut self, name: &str, commitment: &str) -> Result<bool, StoreError> {
        let id = self.election_id(name)?;
        let n = self
            .conn
            .execute(
                "DELETE FROM content WHERE election_id = ?1 AND commitment = ?2",
                params![id, commitment],
            )
            .map_err(db(&self.path))?;
        Ok(n > 0)
    }

    fn all_versions(&self, name: &str) -> Result<Vec<Protocol>, StoreError> {
        let id = self.election_id(name)?;
        let mut ps = self.read_protocols(id, "", &[])?;
        self.attach_extras(id, &mut ps)?;
        Ok(ps)
    }

    fn history(
        &self,
        name: &str,
        station: UnitId,
        contest: usize,
    ) -> Result<Vec<Protocol>, StoreError> {
        let id = self.election_id(name)?;
        let (s, c) = (station.0 as i64, contest as i64);
        let mut ps = self.read_protocols(id, "AND station = ?2 AND contest_idx = ?3", &[&s, &c])?;
        self.attach_extras(id, &mut ps)?;
        Ok(ps)
    }

    fn correct(&mut self, name: &str, protocol: &Protocol) -> Result<u32, StoreError> {
        let id = self.election_id(name)?;
        let election = self.load_election(id, name)?;
        let bad = |m: String| StoreError::BadCorrection(m);
        let station = protocol.station;
        if election.units.len() <= station.index()
            || election.units.get(station).level != UnitLevel::Station
        {
            return Err(bad(format!("unit {} is not a station", station.0)));
        }
        let contest = election
            .contests
            .get(protocol.contest)
            .ok_or_else(|| bad(format!("no contest {}", protocol.contest)))?;
        if contest.choices.len() != protocol.votes.len() {
            return Err(bad(format!(
                "{} vote counts for {} choices of '{}'",
                protocol.votes.len(),
                contest.choices.len(),
                contest.name
            )));
        }
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db(&path))?;
        let last: Option<u32> = tx
            .query_row(
                "SELECT MAX(version) FROM protocol WHERE election_id = ?1 AND station = ?2 AND contest_idx = ?3",
                params![id, station.0, protocol.contest as i64],
                |r| r.get(0),
            )
            .map_err(db(&path))?;
        let mut p = protocol.clone();
        p.version = last.unwrap_or(0) + 1;
        let mut buf = String::new();
        insert_protocol(&tx, &path, id, &p, &mut buf)?;
        append_entries(
            &tx,
            &path,
            id,
            &[record::encode(&record::Entry::Protocol(p.clone()))],
        )?;
        tx.commit().map_err(db(&path))?;
        Ok(p.version)
    }
}

/// An all-or-nothing import into a [`SqliteStore`].
pub struct SqliteImport<'a> {
    tx: Transaction<'a>,
    path: &'a str,
    election_id: i64,
    units_written: usize,
    buf: String,
}

impl Import for SqliteImport<'_> {
    fn begin(&mut self, election: &Election, source: &str) -> Result<(), StoreError> {
        let d = db(self.path);
        let exists: Option<i64> = self
            .tx
            .query_row(
                "SELECT id FROM election WHERE name = ?1",
                [&election.name],
                |r| r.get(0),
            )
            .optional()
            .map_err(&d)?;
        if exists.is_some() {
            return Err(StoreError::ElectionExists(election.name.clone()));
        }
        self.tx
            .execute(
                "INSERT INTO election (name, date, rules, source) VALUES (?1, ?2, ?3, ?4)",
                params![
                    election.name,
                    election.date,
                    election.rules.texts().join("\n"),
                    source
                ],
            )
            .map_err(&d)?;
        self.election_id = self.tx.last_insert_rowid();
        for (ci, c) in election.contests.iter().enumerate() {
            self.tx
                .execute(
                    "INSERT INTO contest (election_id, idx, name, kind) VALUES (?1, ?2, ?3, ?4)",
                    params![self.election_id, ci as i64, c.name, c.kind.key()],
                )
                .map_err(&d)?;
            for (i, ch) in c.choices.iter().enumerate() {
                self.tx
                    .execute(
                        "INSERT INTO choice (election_id, contest_idx, idx, name, kind, ballot_number) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![self.election_id, ci as i64, i as i64, ch.name, ch.kind.key(), ch.ballot_number],
                    )
                    .map_err(&d)?;
            }
        }
        self.units(election)
    }

    fn protocol(&mut self, election: &Election, p: &Protocol) -> Result<(), StoreError> {
        if self.units_written < election.units.len() {
            self.units(election)?;
        }
        insert_protocol(&self.tx, self.path, self.election_id, p, &mut self.buf)
    }

    fn units(&mut self, election: &Election) -> Result<(), StoreError> {
        let mut st = self
            .tx
            .prepare_cached("INSERT INTO unit (election_id, id, parent, level, name) VALUES (?1, ?2, ?3, ?4, ?5)")
            .map_err(db(self.path))?;
        for i in self.units_written..election.units.len() {
            let u = election.units.get(UnitId(i as u32));
            st.execute(params![
                self.election_id,
                i as i64,
                u.parent.map(|p| p.0),
                level_code(u.level),
                u.name
            ])
            .map_err(db(self.path))?;
        }
        self.units_written = election.units.len();
        Ok(())
    }

    fn commit(self: Box<Self>, election: &Election) -> Result<(), StoreError> {
        // The election's definition and every protocol enter its log in this transaction,
        // streamed row by row: first versions in station order, then later versions.
        let definition: Vec<Vec<u8>> = record::definition(election, None)
            .iter()
            .map(record::encode)
            .collect();
        let mut seq = append_entries(&self.tx, self.path, self.election_id, &definition)? as i64;
        let d = db(self.path);
        let mut insert = self
            .tx
            .prepare_cached("INSERT INTO log_entry (election_id, seq, entry) VALUES (?1, ?2, ?3)")
            .map_err(&d)?;
        for (filter, order) in [
            ("AND version = 1", "station, contest_idx"),
            ("AND version > 1", "version, station, contest_idx"),
        ] {
            for_each_protocol(
                &self.tx,
                self.path,
                self.election_id,
                filter,
                &[],
                order,
                &mut |p| {
                    let entry = record::encode(&record::Entry::Protocol(p));
                    insert
                        .execute(params![self.election_id, seq, entry])
                        .map_err(&d)?;
                    seq += 1;
                    Ok(())
                },
            )?;
        }
        drop(insert);
        self.tx.commit().map_err(db(self.path))
    }
}

pub(crate) fn insert_protocol(
    tx: &Transaction<'_>,
    path: &str,
    election_id: i64,
    p: &Protocol,
    buf: &mut String,
) -> Result<(), StoreError> {
    let d = db(path);
    let mut st = tx
        .prepare_cached(
            "INSERT INTO protocol (election_id, station, contest_idx, version, source, votes, reference, \
             registered, received, issued_early, issued_in_station, issued_outside, issued_total, cancelled, \
             found_mobile, found_stationary, found_total, invalid, valid, lost, unaccounted) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
        )
        .map_err(&d)?;
    encode_votes(&p.votes, buf);
    let mut lines = [None::<i64>; Line::COUNT];
    for (slot, v) in lines.iter_mut().zip(p.lines) {
        *slot = v.map(to_i64).transpose()?;
    }
    let station = p.station.0 as i64;
    let contest = p.contest as i64;
    st.execute(params![
        election_id,
        station,
        contest,
        p.version,
        p.source.key(),
        buf.as_str(),
        p.reference,
        lines[0],
        lines[1],
        lines[2],
        lines[3],
        lines[4],
        lines[5],
        lines[6],
        lines[7],
        lines[8],
        lines[9],
        lines[10],
        lines[11],
        lines[12],
        lines[13]
    ])
    .map_err(&d)?;
    if p.extra.is_empty() && p.attributes.is_empty() {
        return Ok(());
    }
    let mut st = tx
        .prepare_cached(
            "INSERT INTO protocol_extra (election_id, station, contest_idx, version, kind, idx, name, value) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .map_err(&d)?;
    for (i, (n, v)) in p.extra.iter().enumerate() {
        st.execute(params![
            election_id,
            station,
            contest,
            p.version,
            "count",
            i as i64,
            n,
            v.to_string()
        ])
        .map_err(&d)?;
    }
    for (i, (n, v)) in p.attributes.iter().enumerate() {
        st.execute(params![
            election_id,
            station,
            contest,
            p.version,
            "attr",
            i as i64,
            n,
            format!("{v}")
        ])
        .map_err(&d)?;
    }
    Ok(())
}

/// Calls `f` with every protocol version of an election (optionally filtered), in the
/// order `order` names, one row at a time.
fn for_each_protocol(
    conn: &Connection,
    path: &str,
    id: i64,
    filter: &str,
    args: &[&dyn rusqlite::ToSql],
    order: &str,
    f: &mut dyn FnMut(Protocol) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let d = db(path);
    let cols = Line::ALL.map(|l| l.key()).join(", ");
    let sql = format!(
        "SELECT station, contest_idx, version, source, votes, reference, {cols} FROM protocol \
         WHERE election_id = ?1 {filter} ORDER BY {order}"
    );
    let mut st = conn.prepare(&sql).map_err(&d)?;
    let mut params: Vec<&dyn rusqlite::ToSql> = vec![&id];
    params.extend_from_slice(args);
    let mut rows = st.query(params.as_slice()).map_err(&d)?;
    while let Some(r) = rows.next().map_err(&d)? {
        let station: i64 = r.get(0).map_err(&d)?;
        let contest: i64 = r.get(1).map_err(&d)?;
        let mut p = Protocol::new(UnitId(station as u32), contest as usize, 0);
        p.version = r.get(2).map_err(&d)?;
        let source: String = r.get(3).map_err(&d)?;
        p.source =
            CountSource::from_key(&source).map_err(|err| StoreError::Corrupt(err.to_string()))?;
        p.votes = decode_votes(&r.get::<_, String>(4).map_err(&d)?)?;
        p.reference = r.get(5).map_err(&d)?;
        for (i, l) in Line::ALL.into_iter().enumerate() {
            if let Some(v) = r.get::<_, Option<i64>>(6 + i).map_err(&d)? {
                p.set_line(l, to_u64(v)?);
            }
        }
        f(p)?;
    }
    Ok(())
}

/// Every protocol version of an election (optionally filtered), by station, contest, version.
fn read_protocols(
    conn: &Connection,
    path: &str,
    id: i64,
    filter: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<Protocol>, StoreError> {
    let mut out = Vec::new();
    for_each_protocol(
        conn,
        path,
        id,
        filter,
        args,
        "station, contest_idx, version",
        &mut |p| {
            out.push(p);
            Ok(())
        },
    )?;
    Ok(out)
}

/// Appends entries to an election's log within `tx`; returns the log's new size.
pub(crate) fn append_entries(
    tx: &Transaction<'_>,
    path: &str,
    election_id: i64,
    entries: &[Vec<u8>],
) -> Result<u64, StoreError> {
    let d = db(path);
    let next: i64 = tx
        .query_row(
            "SELECT COALESCE(MAX(seq) + 1, 0) FROM log_entry WHERE election_id = ?1",
            [election_id],
            |r| r.get(0),
        )
        .map_err(&d)?;
    let mut st = tx
        .prepare_cached("INSERT INTO log_entry (election_id, seq, entry) VALUES (?1, ?2, ?3)")
        .map_err(&d)?;
    for (i, e) in entries.iter().enumerate() {
        st.execute(params![election_id, next + i as i64, e])
            .map_err(&d)?;
    }
    Ok((next as u64) + entries.len() as u64)
}

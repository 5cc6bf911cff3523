//! The staff workflow on the SQLite backend.

use model::{Protocol, UnitId, UnitLevel};
use record::{digest, encode, Entry, Role, Staff};
use rusqlite::{params, OptionalExtension, Row, Transaction, TransactionBehavior};

use crate::sqlite::{append_entries, db, insert_protocol};
use crate::staff::{Act, Pending, Session, Staffing, User};
use crate::{SqliteStore, StoreError};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex32(s: &str) -> Result<[u8; 32], StoreError> {
    let mut out = [0u8; 32];
    if s.len() != 64 {
        return Err(StoreError::Corrupt(format!("salt '{s}' is not 32 bytes")));
    }
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16)
            .map_err(|_| StoreError::Corrupt(format!("salt '{s}' is not hex")))?;
    }
    Ok(out)
}

/// A user from a row of (id, name, role, salt).
fn user(r: &Row<'_>) -> rusqlite::Result<(i64, String, String, String)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

fn make_user((id, name, role, salt): (i64, String, String, String)) -> Result<User, StoreError> {
    let role = Role::from_key(&role)
        .ok_or_else(|| StoreError::Corrupt(format!("user '{name}' has role '{role}'")))?;
    let commitment = record::commitment(&unhex32(&salt)?, &name);
    Ok(User {
        id,
        name,
        role,
        commitment,
    })
}

/// The content row that opens a user's commitment, stored once per election.
fn user_content(
    tx: &Transaction<'_>,
    path: &str,
    election: i64,
    u: &User,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT OR IGNORE INTO content (election_id, commitment, salt, text) \
         SELECT ?1, ?2, salt, name FROM staff_user WHERE id = ?3",
        params![election, u.commitment, u.id],
    )
    .map_err(db(path))?;
    Ok(())
}

fn staff_entry(
    act: record::Act,
    by: &User,
    subject: Option<String>,
    scan: Option<String>,
) -> Vec<u8> {
    encode(&Entry::Staff(Staff {
        act,
        role: by.role,
        user: by.commitment.clone(),
        subject,
        scan,
    }))
}

fn refused(m: impl Into<String>) -> StoreError {
    StoreError::Refused(m.into())
}

const PENDING_COLUMNS: &str =
    "p.id, p.entry, p.digest, p.scan, u.name, p.state FROM pending p JOIN staff_user u ON u.id = p.entered_by";

/// An entered protocol's row: id, entry, digest, scan, who entered it, state.
type PendingRow = (i64, Vec<u8>, String, Option<String>, String, String);

fn pending_row(r: &Row<'_>) -> rusqlite::Result<PendingRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

fn make_pending(
    (id, entry, digest, scan, entered_by, state): PendingRow,
) -> Result<Pending, StoreError> {
    let Entry::Protocol(protocol) =
        record::decode(0, &entry).map_err(|e| StoreError::Corrupt(e.to_string()))?
    else {
        return Err(StoreError::Corrupt(format!(
            "entered protocol {id} is not a protocol"
        )));
    };
    Ok(Pending {
        id,
        protocol,
        digest,
        scan,
        entered_by,
        state,
    })
}

impl SqliteStore {
    fn entered(&self, election: &str, filter: &str) -> Result<Vec<Pending>, StoreError> {
        let id = self.election_id(election)?;
        let d = db(&self.path);
        let mut st = self
            .conn
            .prepare(&format!(
                "SELECT {PENDING_COLUMNS} WHERE p.election_id = ?1 {filter} ORDER BY p.id"
            ))
            .map_err(&d)?;
        let rows = st.query_map([id], pending_row).map_err(&d)?;
        rows.map(|r| make_pending(r.map_err(&d)?)).collect()
    }

    fn begin(&mut self) -> Result<Transaction<'_>, StoreError> {
        let path = self.path.clone();
        self.conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db(&path))
    }

    /// The next version of a station's protocol, and a check that the station and contest
    /// exist and the counts fit the contest.
    fn check_protocol(
        tx: &Transaction<'_>,
        path: &str,
        election: i64,
        p: &Protocol,
    ) -> Result<u32, StoreError> {
        let d = db(path);
        let level: Option<i64> = tx
            .query_row(
                "SELECT level FROM unit WHERE election_id = ?1 AND id = ?2",
                params![election, p.station.0],
                |r| r.get(0),
            )
            .optional()
            .map_err(&d)?;
        if level
            != Some(
                UnitLevel::ALL
                    .iter()
                    .position(|l| *l == UnitLevel::Station)
                    .unwrap_or(4) as i64,
            )
        {
            return Err(StoreError::BadCorrection(format!(
                "unit {} is not a station",
                p.station.0
            )));
        }
        let choices: i64 = tx
            .query_row(
                "SELECT COUNT(*) FROM choice WHERE election_id = ?1 AND contest_idx = ?2",
                params![election, p.contest as i64],
                |r| r.get(0),
            )
            .map_err(&d)?;
        if choices == 0 {
            return Err(StoreError::BadCorrection(format!(
                "no contest {}",
                p.contest
            )));
        }
        if choices as usize != p.votes.len() {
            return Err(StoreError::BadCorrection(format!(
                "{} vote counts for {choices} choices",
                p.votes.len()
            )));
        }
        let last: Option<u32> = tx
            .query_row(
                "SELECT MAX(version) FROM protocol WHERE election_id = ?1 AND station = ?2 AND contest_idx = ?3",
                params![election, p.station.0, p.contest as i64],
                |r| r.get(0),
            )
            .map_err(&d)?;
        Ok(last.unwrap_or(0) + 1)
    }
}

impl Staffing for SqliteStore {
    fn add_user(
        &mut self,
        name: &str,
        role: Role,
        password: &str,
        salt: &[u8; 32],
    ) -> Result<User, StoreError> {
        if name.trim().is_empty() || name.len() > 100 {
            return Err(refused("a user name must have 1 to 100 characters"));
        }
        let path = self.path.clone();
        let tx = self.begin()?;
        let taken: Option<i64> = tx
            .query_row("SELECT id FROM staff_user WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()
            .map_err(db(&path))?;
        if taken.is_some() {
            return Err(refused(format!("a user named '{name}' exists")));
        }
        tx.execute(
            "INSERT INTO staff_user (name, role, password, salt) VALUES (?1, ?2, ?3, ?4)",
            params![name, role.key(), password, hex(salt)],
        )
        .map_err(db(&path))?;
        let id = tx.last_insert_rowid();
        tx.commit().map_err(db(&path))?;
        make_user((id, name.to_string(), role.key().to_string(), hex(salt)))
    }

    fn user_by_name(&self, name: &str) -> Result<Option<(User, String)>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT id, name, role, salt, password FROM staff_user WHERE name = ?1",
                [name],
                |r| Ok((user(r)?, r.get::<_, String>(4)?)),
            )
            .optional()
            .map_err(db(&self.path))?;
        row.map(|(u, pw)| Ok((make_user(u)?, pw))).transpose()
    }

    fn users(&self) -> Result<Vec<User>, StoreError> {
        let d = db(&self.path);
        let mut st = self
            .conn
            .prepare("SELECT id, name, role, salt FROM staff_user ORDER BY name")
            .map_err(&d)?;
        let rows = st.query_map([], user).map_err(&d)?;
        rows.map(|r| make_user(r.map_err(&d)?)).collect()
    }

    fn assign(&mut self, user: i64, election: &str, unit: UnitId) -> Result<(), StoreError> {
        let id = self.election_id(election)?;
        let d = db(&self.path);
        let known: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM unit WHERE election_id = ?1 AND id = ?2",
                params![id, unit.0],
                |r| r.get(0),
            )
            .optional()
            .map_err(&d)?;
        if known.is_none() {
            return Err(StoreError::NotFound(format!(
                "unit {} in '{election}'",
                unit.0
            )));
        }
        self.conn
            .execute(
                "INSERT OR IGNORE INTO assignment (user_id, election_id, unit) VALUES (?1, ?2, ?3)",
                params![user, id, unit.0],
            )
            .map_err(&d)?;
        Ok(())
    }

    fn assignments(&self, user: i64, election: &str) -> Result<Vec<UnitId>, StoreError> {
        let id = self.election_id(election)?;
        let d = db(&self.path);
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT unit FROM assignment WHERE user_id = ?1 AND election_id = ?2 ORDER BY unit",
            )
            .map_err(&d)?;
        let rows = st
            .query_map(params![user, id], |r| Ok(UnitId(r.get(0)?)))
            .map_err(&d)?;
        rows.collect::<Result<_, _>>().map_err(&d)
    }

    fn start_session(
        &mut self,
        token_hash: &str,
        user: i64,
        csrf: &str,
        expires: i64,
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO session (token_hash, user_id, csrf, expires) VALUES (?1, ?2, ?3, ?4)",
                params![token_hash, user, csrf, expires],
            )
            .map_err(db(&self.path))?;
        Ok(())
    }

    fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT u.id, u.name, u.role, u.salt, s.csrf, s.expires FROM session s \
                 JOIN staff_user u ON u.id = s.user_id WHERE s.token_hash = ?1",
            )
            .and_then(|mut st| {
                st.query_row([token_hash], |r| {
                    Ok((user(r)?, r.get::<_, String>(4)?, r.get::<_, i64>(5)?))
                })
                .optional()
            })
            .map_err(db(&self.path))?;
        row.map(|(u, csrf, expires)| {
            Ok(Session {
                user: make_user(u)?,
                csrf,
                expires,
            })
        })
        .transpose()
    }

    fn end_session(&mut self, token_hash: &str) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM session WHERE token_hash = ?1", [token_hash])
            .map_err(db(&self.path))?;
        Ok(())
    }

    fn add_token(&mut self, token_hash: &str, user: i64, label: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO api_token (token_hash, user_id, label) VALUES (?1, ?2, ?3)",
                params![token_hash, user, label],
            )
            .map_err(db(&self.path))?;
        Ok(())
    }

    fn token_user(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT u.id, u.name, u.role, u.salt FROM api_token t \
                 JOIN staff_user u ON u.id = t.user_id WHERE t.token_hash = ?1",
            )
            .and_then(|mut st| st.query_row([token_hash], user).optional())
            .map_err(db(&self.path))?;
        row.map(make_user).transpose()
    }

    fn put_scan(&mut self, media: &str, bytes: &[u8]) -> Result<String, StoreError> {
        let sha = digest(bytes);
        self.conn
            .execute(
                "INSERT OR IGNORE INTO scan (sha256, media, bytes) VALUES (?1, ?2, ?3)",
                params![sha, media, bytes],
            )
            .map_err(db(&self.path))?;
        Ok(format!("sha256:{sha}"))
    }

    fn scan(&self, sha256: &str) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        self.conn
            .query_row(
                "SELECT media, bytes FROM scan WHERE sha256 = ?1",
                [sha256.trim_start_matches("sha256:")],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db(&self.path))
    }

    fn enter(
        &mut self,
        election: &str,
        protocol: &Protocol,
        by: &User,
        scan: Option<&str>,
    ) -> Result<Pending, StoreError> {
        if by.role != Role::Operator {
            return Err(refused(format!(
                "a {} cannot enter protocols",
                by.role.key()
            )));
        }
        let id = self.election_id(election)?;
        let path = self.path.clone();
        let d = db(&path);
        let tx = self.begin()?;
        if let Some(s) = scan {
            let known: Option<i64> = tx
                .query_row(
                    "SELECT 1 FROM scan WHERE sha256 = ?1",
                    [s.trim_start_matches("sha256:")],
                    |r| r.get(0),
                )
                .optional()
                .map_err(&d)?;
            if known.is_none() {
                return Err(StoreError::NotFound(format!("scan {s}: upload it first")));
            }
        }
        let mut p = protocol.clone();
        p.version = SqliteStore::check_protocol(&tx, &path, id, &p)?;
        let entry = encode(&Entry::Protocol(p.clone()));
        let sum = digest(&entry);
        tx.execute(
            "INSERT INTO pending (election_id, station, contest_idx, version, entry, digest, scan, entered_by) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![id, p.station.0, p.contest as i64, p.version, entry, sum, scan, by.id],
        )
        .map_err(&d)?;
        let pid = tx.last_insert_rowid();
        user_content(&tx, &path, id, by)?;
        let staff = staff_entry(
            record::Act::Enter,
            by,
            Some(sum.clone()),
            scan.map(str::to_string),
        );
        append_entries(&tx, &path, id, &[staff])?;
        tx.commit().map_err(&d)?;
        Ok(Pending {
            id: pid,
            protocol: p,
            digest: sum,
            scan: scan.map(str::to_string),
            entered_by: by.name.clone(),
            state: "entered".into(),
        })
    }

    fn pending(&self, election: &str) -> Result<Vec<Pending>, StoreError> {
        self.entered(election, "AND p.state = 'entered'")
    }

    fn entries(&self, election: &str) -> Result<Vec<Pending>, StoreError> {
        self.entered(election, "")
    }

    fn pending_one(&self, election: &str, pid: i64) -> Result<Pending, StoreError> {
        let id = self.election_id(election)?;
        let row = self
            .conn
            .query_row(
                &format!("SELECT {PENDING_COLUMNS} WHERE p.election_id = ?1 AND p.id = ?2"),
                params![id, pid],
                pending_row,
            )
            .optional()
            .map_err(db(&self.path))?;
        make_pending(row.ok_or_else(|| StoreError::NotFound(format!("entered protocol {pid}")))?)
    }

    fn verify(&mut self, election: &str, pid: i64, by: &User) -> Result<u32, StoreError> {
        decide_pending(self, election, pid, by, true).map(|v| v.unwrap_or(0))
    }

    fn reject(&mut self, election: &str, pid: i64, by: &User) -> Result<(), StoreError> {
        decide_pending(self, election, pid, by, false).map(|_| ())
    }

    fn act(&mut self, election: &str, by: &User, act: Act<'_>) -> Result<u64, StoreError> {
        if by.role != act.act.role() {
            return Err(refused(format!(
                "'{}' is for a {}, not a {}",
                act.act.key(),
                act.act.role().key(),
                by.role.key()
            )));
        }
        let id = self.election_id(election)?;
        let path = self.path.clone();
        let d = db(&path);
        let tx = self.begin()?;
        for (commitment, salt, text) in act.content {
            tx.execute(
                "INSERT INTO content (election_id, commitment, salt, text) VALUES (?1, ?2, ?3, ?4)",
                params![id, commitment, salt, text],
            )
            .map_err(&d)?;
        }
        if let (record::Act::Redact, Some(c)) = (act.act, &act.subject) {
            let n = tx
                .execute(
                    "DELETE FROM content WHERE election_id = ?1 AND commitment = ?2",
                    params![id, c],
                )
                .map_err(&d)?;
            if n == 0 {
                return Err(StoreError::NotFound(format!(
                    "stored content with commitment {c}"
                )));
            }
        }
        user_content(&tx, &path, id, by)?;
        let mut entries = vec![staff_entry(act.act, by, act.subject.clone(), None)];
        entries.extend(act.entry.map(<[u8]>::to_vec));
        let size = append_entries(&tx, &path, id, &entries)?;
        tx.commit().map_err(&d)?;
        Ok(size)
    }
}

/// Verifies (`accept`) or rejects an entered protocol, with the two-person rule.
fn decide_pending(
    s: &mut SqliteStore,
    election: &str,
    pid: i64,
    by: &User,
    accept: bool,
) -> Result<Option<u32>, StoreError> {
    if by.role != Role::Verifier {
        return Err(refused(format!(
            "a {} cannot verify protocols",
            by.role.key()
        )));
    }
    let id = s.election_id(election)?;
    let pending = s.pending_one(election, pid)?;
    let path = s.path.clone();
    let d = db(&path);
    let tx = s.begin()?;
    let (state, entered_by): (String, i64) = tx
        .query_row(
            "SELECT state, entered_by FROM pending WHERE id = ?1",
            [pid],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(&d)?;
    if state != "entered" {
        return Err(refused(format!("protocol {pid} is already {state}")));
    }
    if entered_by == by.id {
        return Err(refused(
            "the two-person rule: a protocol is verified by someone other than who entered it",
        ));
    }
    let p = &pending.protocol;
    let next = SqliteStore::check_protocol(&tx, &path, id, p)?;
    if accept && next != p.version {
        return Err(refused(format!(
            "the station's protocol changed since this one was entered (it would be version {}, \
             the station is at version {}): reject it and enter it again",
            p.version,
            next - 1
        )));
    }
    tx.execute(
        "UPDATE pending SET state = ?1, decided_by = ?2 WHERE id = ?3",
        params![if accept { "verified" } else { "rejected" }, by.id, pid],
    )
    .map_err(&d)?;
    user_content(&tx, &path, id, by)?;
    let act = if accept {
        record::Act::Verify
    } else {
        record::Act::Reject
    };
    let mut entries = vec![staff_entry(act, by, Some(pending.digest.clone()), None)];
    if accept {
        let mut buf = String::new();
        insert_protocol(&tx, &path, id, p, &mut buf)?;
        entries.push(encode(&Entry::Protocol(p.clone())));
    }
    append_entries(&tx, &path, id, &entries)?;
    tx.commit().map_err(&d)?;
    Ok(accept.then_some(p.version))
}

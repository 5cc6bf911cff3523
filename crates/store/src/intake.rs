//! What the store keeps to apply protocol intake's and the complaint register's rules to an
//! act without replaying the log (the rules themselves are `record`'s: `record::may_verify`,
//! `record::Register`): the commissioners' overrides and resolutions on entered protocols,
//! whether blind double entry is on, and each complaint's status by its entry in the log.

use std::collections::HashMap;

use model::{Election, UnitId};
use record::{ComplaintStatus, Entry, Keyed, Register, StaffAct};

use crate::db::{args, Db, Row};
use crate::StoreError;

fn refused(m: impl Into<String>) -> StoreError {
    StoreError::Refused(m.into())
}

/// The election's definition (its rules and law), from its log's first entry.
pub(crate) fn definition(db: &mut dyn Db, election: i64) -> Result<Election, StoreError> {
    let row = db
        .row(
            "SELECT entry FROM log_entry WHERE election_id = ?1 AND seq = 0",
            args![election],
        )?
        .ok_or_else(|| StoreError::Corrupt(format!("election {election} has no definition")))?;
    match record::decode(0, &Row(&row).blob(0)?) {
        Ok(Entry::Election(e)) => Ok(*e),
        _ => Err(StoreError::Corrupt(format!(
            "election {election}: entry 0 is not its definition"
        ))),
    }
}

/// What the store knows of the entered protocol with digest `digest` (its rows still
/// waiting) for `record::may_verify`.
pub(crate) fn keyed(db: &mut dyn Db, election: i64, digest: &str) -> Result<Keyed, StoreError> {
    let row = db
        .row(
            "SELECT COUNT(DISTINCT p.entered_by), MAX(CASE WHEN p.overridden IS NULL THEN 0 ELSE 1 END), \
             MAX(CASE WHEN p.resolved IS NULL THEN 0 ELSE 1 END), MAX(CASE WHEN p.scan IS NULL THEN 0 ELSE 1 END), \
             (SELECT double_entry FROM election WHERE id = ?1) \
             FROM pending p WHERE p.election_id = ?1 AND p.digest = ?2 AND p.state = 'entered'",
            args![election, digest],
        )?
        .ok_or_else(|| StoreError::Corrupt("no intake row".into()))?;
    let r = Row(&row);
    let flag = |i: usize| r.opt_int(i).map(|v| v.unwrap_or(0) != 0);
    Ok(Keyed {
        keyings: usize::try_from(r.int(0)?).unwrap_or(0),
        overridden: flag(1)?,
        resolved: flag(2)?,
        scanned: flag(3)?,
        double: flag(4)?,
    })
}

/// Applies a commissioner's intake act (an override, a resolution, blind double entry on or
/// off) to what the store keeps; refused if it names no protocol waiting for verification.
pub(crate) fn intake_act(db: &mut dyn Db, election: i64, act: &StaffAct) -> Result<(), StoreError> {
    let (sql, protocol, reason) = match act {
        StaffAct::Override { protocol, reason } => (
            "UPDATE pending SET overridden = ?1 WHERE election_id = ?2 AND digest = ?3 AND state = 'entered'",
            protocol,
            reason,
        ),
        StaffAct::Resolve { protocol, reason } => {
            // A resolution chooses between keyings that differ: another keying of the same
            // station, contest and version, with other figures, waits too.
            let differing = db.int(
                "SELECT COUNT(*) FROM pending a JOIN pending b ON b.election_id = a.election_id \
                 AND b.station = a.station AND b.contest_idx = a.contest_idx \
                 AND b.version = a.version AND b.digest <> a.digest AND b.state = 'entered' \
                 WHERE a.election_id = ?1 AND a.digest = ?2 AND a.state = 'entered'",
                args![election, protocol],
            )?;
            if differing.unwrap_or(0) == 0 {
                return Err(refused(format!(
                    "'resolve' chooses between keyings that differ: no other keying of this \
                     protocol's station waits ({protocol})"
                )));
            }
            (
                "UPDATE pending SET resolved = ?1 WHERE election_id = ?2 AND digest = ?3 AND state = 'entered'",
                protocol,
                reason,
            )
        }
        StaffAct::Intake { double } => {
            db.exec(
                "UPDATE election SET double_entry = ?1 WHERE id = ?2",
                args![i64::from(*double), election],
            )?;
            return Ok(());
        }
        _ => return Ok(()),
    };
    if db.exec(sql, args![reason, election, protocol])? == 0 {
        return Err(refused(format!(
            "'{}' of a protocol not waiting for verification ({protocol})",
            act.key()
        )));
    }
    Ok(())
}

/// The election's complaint register as the store keeps it (filled from the log once, for a
/// store from before it was kept), with the entries `cited` that are decisions, and the
/// units of those that are complaints or decisions.
pub(crate) fn register(
    db: &mut dyn Db,
    election: i64,
    cited: &[u64],
) -> Result<Register, StoreError> {
    let kept = db.int(
        "SELECT register_kept FROM election WHERE id = ?1",
        args![election],
    )?;
    if kept != Some(1) {
        fill(db, election)?;
    }
    let mut complaints = Vec::new();
    db.each(
        "SELECT seq, status FROM complaint WHERE election_id = ?1",
        args![election],
        &mut |r| {
            let status = r.text(1)?;
            let s = status
                .parse::<ComplaintStatus>()
                .map_err(|_| StoreError::Corrupt(format!("a complaint's status '{status}'")))?;
            complaints.push((r.int(0)? as u64, s));
            Ok(())
        },
    )?;
    let (mut decisions, mut units) = (Vec::new(), Vec::new());
    for &d in cited {
        let row = db.row(
            "SELECT entry FROM log_entry WHERE election_id = ?1 AND seq = ?2",
            args![election, d as i64],
        )?;
        if let Some(row) = row {
            match record::decode(d, &Row(&row).blob(0)?) {
                Ok(Entry::Decision(x)) => {
                    decisions.push(d);
                    units.push((d, record::answering_unit(&x)));
                }
                Ok(Entry::Complaint(c)) => units.push((d, Some(c.unit))),
                _ => {}
            }
        }
    }
    Ok(Register::from_parts(complaints, decisions, units))
}

/// The parents of `units` and of every unit above them in election `election`: what
/// `record::Register::check` walks.
pub(crate) fn parents(
    db: &mut dyn Db,
    election: i64,
    units: &[UnitId],
) -> Result<HashMap<UnitId, Option<UnitId>>, StoreError> {
    let mut out = HashMap::new();
    for &start in units {
        let mut at = start;
        while !out.contains_key(&at) {
            let parent = db
                .row(
                    "SELECT parent FROM unit WHERE election_id = ?1 AND id = ?2",
                    args![election, i64::from(at.0)],
                )?
                .map(|r| Row(&r).opt_int(0))
                .transpose()?
                .flatten()
                .and_then(|p| u32::try_from(p).ok())
                .map(UnitId);
            out.insert(at, parent);
            match parent {
                Some(p) => at = p,
                None => break,
            }
        }
    }
    Ok(out)
}

/// Keeps the register of the entries an act appended from `first` on: a complaint is
/// received, a review sets its status.
pub(crate) fn keep(
    db: &mut dyn Db,
    election: i64,
    first: u64,
    entries: &[Vec<u8>],
) -> Result<(), StoreError> {
    for (i, bytes) in entries.iter().enumerate() {
        note(db, election, first + i as u64, bytes)?;
    }
    Ok(())
}

/// Notes entry `seq` in the register if it is a complaint or a review.
fn note(db: &mut dyn Db, election: i64, seq: u64, bytes: &[u8]) -> Result<(), StoreError> {
    // Most entries are protocols: only those that can be a complaint's are decoded.
    if !bytes.starts_with(b"\x01{\"type\":\"complaint") {
        return Ok(());
    }
    match record::decode(seq, bytes) {
        Ok(Entry::Complaint(_)) => {
            db.exec(
                "INSERT INTO complaint (election_id, seq, status) VALUES (?1, ?2, ?3)",
                args![election, seq as i64, ComplaintStatus::Received.key()],
            )?;
        }
        Ok(Entry::Review(r)) => {
            db.exec(
                "UPDATE complaint SET status = ?1 WHERE election_id = ?2 AND seq = ?3",
                args![r.status.key(), election, r.complaint as i64],
            )?;
        }
        _ => {}
    }
    Ok(())
}

/// Fills the register from the log, once.
fn fill(db: &mut dyn Db, election: i64) -> Result<(), StoreError> {
    db.exec(
        "DELETE FROM complaint WHERE election_id = ?1",
        args![election],
    )?;
    let mut found = Vec::new();
    db.each(
        "SELECT seq, entry FROM log_entry WHERE election_id = ?1 ORDER BY seq",
        args![election],
        &mut |r| {
            let bytes = r.blob(1)?;
            if bytes.starts_with(b"\x01{\"type\":\"complaint") {
                found.push((r.int(0)? as u64, bytes));
            }
            Ok(())
        },
    )?;
    for (seq, bytes) in found {
        note(db, election, seq, &bytes)?;
    }
    db.exec(
        "UPDATE election SET register_kept = 1 WHERE id = ?1",
        args![election],
    )?;
    Ok(())
}

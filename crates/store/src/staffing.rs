//! The staff workflow ([`Staffing`]) on any [`Db`].

use model::names::{normalise_user_name, skeleton};
use model::{Protocol, UnitId};
use record::{digest, encode, Content, Entry, Role, Staff, StaffAct, Time};

use crate::db::{args, Db, Row, Val};
use crate::intake::{definition, intake_act, keep, keyed, parents, register};
use crate::records::{append_act, election_id, insert_content, insert_protocol, next_version};
use crate::staff::{
    Act, Actor, ApiToken, Awaiting, Pending, PendingState, Session, Staffing, Stored, User,
};
use crate::upload::{FileRef, Media, StoredFile};
use crate::{SqlStore, StoreError};

/// A stored salt: 64 hex digits.
fn unhex32(s: &str) -> Result<[u8; 32], StoreError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).map_err(|e| {
        StoreError::Corrupt(match e {
            hex::FromHexError::InvalidHexCharacter { .. } => format!("salt '{s}' is not hex"),
            _ => format!("salt '{s}' is not 32 bytes"),
        })
    })?;
    Ok(out)
}

/// A user from the [`USER_COLUMNS`] starting at `at`.
fn user(r: &Row<'_>, at: usize) -> Result<User, StoreError> {
    let (id, name, role, salt, state, disabled) = (
        r.int(at)?,
        r.text(at + 1)?,
        r.text(at + 2)?,
        r.text(at + 3)?,
        r.text(at + 4)?,
        r.int(at + 5)? != 0,
    );
    let must_change = r.int(at + 6)? != 0;
    let awaiting = match (r.opt_text(at + 7)?, state == "pending") {
        (Some(by), true) => Some(Awaiting {
            by,
            reset: r.int(at + 8)? != 0,
        }),
        _ => None,
    };
    let role = Role::from_key(&role)
        .ok_or_else(|| StoreError::Corrupt(format!("user '{name}' has role '{role}'")))?;
    let commitment = record::commitment(&unhex32(&salt)?, &name);
    Ok(User {
        id,
        name,
        role,
        commitment,
        pending: state == "pending",
        disabled,
        must_change,
        awaiting,
    })
}

/// A user's columns, read by [`user`]: the admin whose act the account waits on is the one
/// who granted it (`granted_by`), and it is a password reset if they reset it last.
const USER_COLUMNS: &str = "u.id, u.name, u.role, u.salt, u.state, u.disabled, u.must_change, \
     (SELECT g.name FROM staff_user g WHERE g.id = u.granted_by), \
     CASE WHEN u.reset_by = u.granted_by THEN 1 ELSE 0 END";
/// How many columns [`USER_COLUMNS`] are.
const USER_WIDTH: usize = 9;

/// The content row that opens a user's commitment, stored once per election.
pub(crate) fn user_content(db: &mut dyn Db, election: i64, u: &User) -> Result<(), StoreError> {
    db.exec(
        "INSERT INTO content (election_id, commitment, salt, text) \
         SELECT ?1, ?2, salt, name FROM staff_user WHERE id = ?3 ON CONFLICT DO NOTHING",
        args![election, &u.commitment, u.id],
    )?;
    Ok(())
}

/// The staff entry of `act` by `by`, or by the console: stamped with its time as it is
/// appended (`records::append_act`).
pub(crate) fn staff_of(by: Option<&User>, act: StaffAct) -> Staff {
    let user = by.map_or(CONSOLE, |b| b.commitment.as_str());
    Staff::new(user, act)
}

pub use record::CONSOLE;

/// Users and assignments are an active admin's (or the console's) to change.
fn admin_only(by: Option<&User>) -> Result<(), StoreError> {
    match by {
        Some(b) if b.role != Role::Admin => Err(refused(format!(
            "a {} cannot manage users and assignments",
            b.role.key()
        ))),
        Some(b) if b.pending => Err(refused(format!(
            "'{}' is not approved yet and holds no role",
            b.name
        ))),
        _ => Ok(()),
    }
}

/// The ids of every stored election.
fn election_ids(db: &mut dyn Db) -> Result<Vec<i64>, StoreError> {
    let mut elections = Vec::new();
    db.each("SELECT id FROM election ORDER BY id", &[], &mut |r| {
        elections.push(r.int(0)?);
        Ok(())
    })?;
    Ok(elections)
}

/// Appends a `grant` of `u`'s role by `by` (the console if none), made at `now`, to the logs
/// of `elections`, with the content rows that open the commitments.
fn log_grant(
    db: &mut dyn Db,
    by: Option<&User>,
    u: &User,
    elections: &[i64],
    now: Time,
) -> Result<(), StoreError> {
    let user = u.commitment.clone();
    let grant = staff_of(by, StaffAct::Grant { user, role: u.role });
    for &e in elections {
        user_content(db, e, u)?;
        if let Some(b) = by {
            user_content(db, e, b)?;
        }
        append_act(db, e, (grant.clone(), now), &[], None)?;
    }
    Ok(())
}

/// Refuses an act of `by` in election `election` unless their role is granted (and approved)
/// there.
pub(crate) fn granted(db: &mut dyn Db, by: &User, election: i64) -> Result<(), StoreError> {
    let active = db.int(
        "SELECT 1 FROM staff_grant WHERE user_id = ?1 AND election_id = ?2 AND state = 'active'",
        args![by.id, election],
    )?;
    match active {
        Some(_) => Ok(()),
        None => Err(not_granted(by)),
    }
}

/// The id of election `name`, where `by` is to act: refused unless their role is granted (and
/// approved) there. One statement: it comes first in every staff write.
pub(crate) fn granted_in(db: &mut dyn Db, by: &User, name: &str) -> Result<i64, StoreError> {
    let row = db
        .row(
            "SELECT e.id, (SELECT COUNT(*) FROM staff_grant g WHERE g.user_id = ?2 \
               AND g.election_id = e.id AND g.state = 'active') \
             FROM election e WHERE e.name = ?1",
            args![name, by.id],
        )?
        .ok_or_else(|| StoreError::NoElection(name.to_string()))?;
    match (Row(&row).int(0)?, Row(&row).int(1)?) {
        (id, 1) => Ok(id),
        _ => Err(not_granted(by)),
    }
}

fn not_granted(by: &User) -> StoreError {
    refused(format!(
        "'{}' holds no {} role in this election: an admin grants it (tallyproof users grant)",
        by.name,
        by.role.key()
    ))
}

/// A user by name, pending or not, with who added them (none: the console).
fn any_user(db: &mut dyn Db, name: &str) -> Result<(User, Option<i64>), StoreError> {
    let row = db
        .row(
            &format!("SELECT {USER_COLUMNS}, u.granted_by FROM staff_user u WHERE u.name = ?1"),
            args![&stored_form(name)],
        )?
        .ok_or_else(|| StoreError::NotFound(format!("user '{name}'")))?;
    Ok((user(&Row(&row), 0)?, Row(&row).opt_int(USER_WIDTH)?))
}

/// An admin resets or disables only accounts wholly within their reach: none whose role
/// applies in an election where the admin's does not (an admin of one election could
/// otherwise take over a verifier of another). The console reaches every account.
fn within_reach(db: &mut dyn Db, by: Option<&User>, u: &User) -> Result<(), StoreError> {
    let Some(b) = by else { return Ok(()) };
    // An account with no election yet (an admin the console made before any import) is
    // every election's concern.
    let grants = db
        .int(
            "SELECT COUNT(*) FROM staff_grant WHERE user_id = ?1",
            args![u.id],
        )?
        .unwrap_or(0);
    if grants == 0 {
        return admin_everywhere(db, b).map_err(|e| {
            refused(format!(
                "'{}' holds no election yet, and {e}: an admin of every election, or the \
                 console, does this",
                u.name
            ))
        });
    }
    let outside = db.row(
        "SELECT e.name FROM staff_grant g JOIN election e ON e.id = g.election_id \
         WHERE g.user_id = ?1 AND g.election_id NOT IN \
         (SELECT a.election_id FROM staff_grant a WHERE a.user_id = ?2 AND a.state = 'active') \
         ORDER BY e.name LIMIT 1",
        args![u.id, b.id],
    )?;
    match outside {
        Some(r) => Err(refused(format!(
            "'{}' holds a role in the election '{}', where you are no admin: an admin of each \
             of their elections, or the console, does this",
            u.name,
            Row(&r).text(0)?
        ))),
        None => Ok(()),
    }
}

/// Whether admin `b` is active in every stored election; else which one they are not.
fn admin_everywhere(db: &mut dyn Db, b: &User) -> Result<(), String> {
    let missing = db
        .row(
            "SELECT e.name FROM election e WHERE e.id NOT IN \
             (SELECT a.election_id FROM staff_grant a WHERE a.user_id = ?1 AND a.state = 'active') \
             ORDER BY e.name LIMIT 1",
            args![b.id],
        )
        .map_err(|e| e.to_string())?;
    match missing {
        Some(r) => Err(format!(
            "you are no admin in the election '{}'",
            Row(&r).text(0).map_err(|e| e.to_string())?
        )),
        None => Ok(()),
    }
}

/// An admin grants roles only in elections where they are one (the console anywhere).
fn admin_in(db: &mut dyn Db, by: Option<&User>, election: i64) -> Result<(), StoreError> {
    let Some(b) = by else { return Ok(()) };
    let active = db.int(
        "SELECT 1 FROM staff_grant WHERE user_id = ?1 AND election_id = ?2 AND state = 'active'",
        args![b.id, election],
    )?;
    match active {
        Some(_) => Ok(()),
        None => {
            let name = db
                .row("SELECT name FROM election WHERE id = ?1", args![election])?
                .map(|r| Row(&r).text(0))
                .transpose()?
                .unwrap_or_default();
            Err(refused(format!(
                "you are no admin in the election '{name}': an admin there, or the console, \
                 grants roles in it"
            )))
        }
    }
}

/// Ends every session and API token of user `id`.
fn forget_logins(db: &mut dyn Db, id: i64) -> Result<(), StoreError> {
    db.exec("DELETE FROM session WHERE user_id = ?1", args![id])?;
    db.exec("DELETE FROM api_token WHERE user_id = ?1", args![id])?;
    Ok(())
}

/// The form a typed login name is looked up in: its normal form, or as typed if it has none
/// (a name stored before names were normalised).
fn stored_form(name: &str) -> String {
    normalise_user_name(name).unwrap_or_else(|_| name.to_string())
}

/// The existing user whose name looks like `name` (the same skeleton), if any.
fn look_alike(db: &mut dyn Db, name: &str) -> Result<Option<String>, StoreError> {
    let want = skeleton(name);
    let mut found = None;
    db.each("SELECT name FROM staff_user ORDER BY id", &[], &mut |r| {
        let n = r.text(0)?;
        if found.is_none() && skeleton(&n) == want {
            found = Some(n);
        }
        Ok(())
    })?;
    Ok(found)
}

fn refused(m: impl Into<String>) -> StoreError {
    StoreError::Refused(m.into())
}

const PENDING_COLUMNS: &str = "p.id, p.entry, p.digest, p.scan, u.name, p.state, \
     (SELECT c.text FROM content c WHERE c.election_id = p.election_id AND c.commitment = p.overridden), \
     (SELECT c.text FROM content c WHERE c.election_id = p.election_id AND c.commitment = p.resolved), \
     (SELECT c.text FROM content c WHERE c.election_id = p.election_id AND c.commitment = p.reason), \
     CASE WHEN p.overridden IS NULL THEN 0 ELSE 1 END, CASE WHEN p.resolved IS NULL THEN 0 ELSE 1 END \
     FROM pending p JOIN staff_user u ON u.id = p.entered_by";

fn pending(r: &Row<'_>) -> Result<Pending, StoreError> {
    let id = r.int(0)?;
    let Entry::Protocol(protocol) =
        record::decode(0, &r.blob(1)?).map_err(|e| StoreError::Corrupt(e.to_string()))?
    else {
        return Err(StoreError::Corrupt(format!(
            "entered protocol {id} is not a protocol"
        )));
    };
    Ok(Pending {
        id,
        protocol,
        digest: r.text(2)?,
        scan: r.opt_text(3)?,
        entered_by: r.text(4)?,
        state: r
            .text(5)?
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("entered protocol {id}: its state")))?,
        // A reason whose content was redacted still says that there was one.
        overridden: (r.int(9)? != 0)
            .then(|| r.opt_text(6))
            .transpose()?
            .map(Option::unwrap_or_default),
        resolved: (r.int(10)? != 0)
            .then(|| r.opt_text(7))
            .transpose()?
            .map(Option::unwrap_or_default),
        rejected_because: r.opt_text(8)?,
    })
}

fn entered(
    db: &mut dyn Db,
    election: &str,
    filter: &str,
    extra: &[Val],
) -> Result<Vec<Pending>, StoreError> {
    let id = election_id(db, election)?;
    let mut params = vec![Val::Int(id)];
    params.extend_from_slice(extra);
    let mut out = Vec::new();
    db.each(
        &format!("SELECT {PENDING_COLUMNS} WHERE p.election_id = ?1 {filter} ORDER BY p.id"),
        &params,
        &mut |r| {
            out.push(pending(&r)?);
            Ok(())
        },
    )?;
    Ok(out)
}

/// The user with id `id`.
fn user_by_id(db: &mut dyn Db, id: i64) -> Result<User, StoreError> {
    let row = db
        .row(
            &format!("SELECT {USER_COLUMNS} FROM staff_user u WHERE u.id = ?1"),
            args![id],
        )?
        .ok_or_else(|| StoreError::NotFound(format!("user {id}")))?;
    user(&Row(&row), 0)
}

/// An operator enters protocols (and an observer reports them) only for the stations in or
/// under a unit assigned to them in the election (`assign`): the station or one of its
/// ancestors.
fn assigned(db: &mut dyn Db, election: i64, by: &User, station: UnitId) -> Result<(), StoreError> {
    let covered = db.int(
        "WITH RECURSIVE up(id, parent) AS ( \
             SELECT id, parent FROM unit WHERE election_id = ?1 AND id = ?2 \
             UNION ALL \
             SELECT u.id, u.parent FROM unit u JOIN up ON u.id = up.parent WHERE u.election_id = ?1) \
         SELECT COUNT(*) FROM assignment a JOIN up ON a.unit = up.id \
         WHERE a.user_id = ?3 AND a.election_id = ?1",
        args![election, station.0, by.id],
    )?;
    match covered {
        Some(n) if n > 0 => Ok(()),
        _ => Err(StoreError::NotAssigned(format!(
            "station {} is not in the units assigned to you",
            station.0
        ))),
    }
}

impl Staffing for SqlStore {
    fn add_user_in(
        &mut self,
        name: &str,
        role: Role,
        password: &str,
        salt: &[u8; 32],
        by: Option<&User>,
        elections: Option<&[String]>,
        now: Time,
    ) -> Result<User, StoreError> {
        let name = normalise_user_name(name).map_err(|e| refused(e.to_string()))?;
        admin_only(by)?;
        self.write(|db| {
            if let Some(other) = look_alike(db, &name)? {
                return Err(refused(if other == name {
                    format!("a user named '{name}' exists")
                } else {
                    format!(
                        "'{name}' looks like the existing user '{other}': choose a name that does not"
                    )
                }));
            }
            let ids = match elections {
                None => election_ids(db)?,
                Some(names) => names
                    .iter()
                    .map(|n| election_id(db, n))
                    .collect::<Result<Vec<_>, _>>()?,
            };
            for &e in &ids {
                admin_in(db, by, e)?;
            }
            // Added by an admin: pending until a second admin approves (the console is the
            // bootstrap and needs nobody).
            // An admin hands the user a one-time password, which they replace at their first
            // login (`Staffing::choose_password`).
            let state = if by.is_some() { "pending" } else { "active" };
            let id = db
                .int(
                    "INSERT INTO staff_user (name, role, password, salt, state, granted_by, must_change) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
                    args![
                        &name,
                        role.key(),
                        password,
                        hex::encode(salt),
                        state,
                        by.map(|b| b.id),
                        i64::from(by.is_some())
                    ],
                )?
                .ok_or_else(|| StoreError::Corrupt("no id for the new user".into()))?;
            let u = User {
                id,
                commitment: record::commitment(salt, &name),
                name,
                role,
                pending: by.is_some(),
                disabled: false,
                must_change: by.is_some(),
                awaiting: by.map(|b| Awaiting {
                    by: b.name.clone(),
                    reset: false,
                }),
            };
            for &e in &ids {
                db.exec(
                    "INSERT INTO staff_grant (user_id, election_id, state, granted_by) \
                     VALUES (?1, ?2, ?3, ?4)",
                    args![id, e, state, by.map(|b| b.id)],
                )?;
            }
            // Each election's log records the grant.
            log_grant(db, by, &u, &ids, now)?;
            Ok(u)
        })
    }

    fn grant(
        &mut self,
        name: &str,
        election: &str,
        by: Option<&User>,
        now: Time,
    ) -> Result<(), StoreError> {
        admin_only(by)?;
        self.write(|db| {
            let eid = election_id(db, election)?;
            admin_in(db, by, eid)?;
            let (u, _) = any_user(db, name)?;
            let exists = db.int(
                "SELECT 1 FROM staff_grant WHERE user_id = ?1 AND election_id = ?2",
                args![u.id, eid],
            )?;
            if exists.is_some() {
                return Err(refused(format!(
                    "'{}' is granted the {} role in '{election}' already",
                    u.name,
                    u.role.key()
                )));
            }
            let state = if by.is_some() { "pending" } else { "active" };
            db.exec(
                "INSERT INTO staff_grant (user_id, election_id, state, granted_by) \
                 VALUES (?1, ?2, ?3, ?4)",
                args![u.id, eid, state, by.map(|b| b.id)],
            )?;
            log_grant(db, by, &u, &[eid], now)
        })
    }

    fn grants(&self, user: i64) -> Result<Vec<(String, bool)>, StoreError> {
        let mut db = self.db.borrow_mut();
        let mut out = Vec::new();
        db.each(
            "SELECT e.name, g.state FROM staff_grant g JOIN election e ON e.id = g.election_id \
             WHERE g.user_id = ?1 ORDER BY e.name",
            args![user],
            &mut |r| {
                out.push((r.text(0)?, r.text(1)? == "pending"));
                Ok(())
            },
        )?;
        Ok(out)
    }

    fn approve_user(
        &mut self,
        name: &str,
        by: Option<&User>,
        second: Option<&str>,
        now: Time,
    ) -> Result<(User, bool), StoreError> {
        admin_only(by)?;
        self.write(|db| {
            let (mut u, added_by) = any_user(db, name)?;
            within_reach(db, by, &u)?;
            let mut waiting = Vec::new();
            db.each(
                "SELECT election_id, granted_by FROM staff_grant \
                 WHERE user_id = ?1 AND state = 'pending' ORDER BY election_id",
                args![u.id],
                &mut |r| {
                    waiting.push((r.int(0)?, r.opt_int(1)?));
                    Ok(())
                },
            )?;
            if !u.pending && waiting.is_empty() {
                return Err(refused(format!(
                    "nothing of '{}' waits for approval: the {} role is granted",
                    u.name,
                    u.role.key()
                )));
            }
            let makers = waiting
                .iter()
                .map(|w| w.1)
                .chain(u.pending.then_some(added_by));
            if let Some(b) = by {
                if makers.into_iter().any(|m| m == Some(b.id)) {
                    return Err(refused(
                        "the two-person rule: a grant is approved by an admin other than the one who made it",
                    ));
                }
            }
            // An admin's new account or reset: the approver gives the second half of its
            // one-time password, so that neither admin alone knows the whole.
            let halved = u.pending && u.must_change;
            if halved {
                let second = second.ok_or_else(|| {
                    refused(format!(
                        "approving '{}' gives the second half of their one-time password",
                        u.name
                    ))
                })?;
                db.exec(
                    "UPDATE staff_user SET password2 = ?1 WHERE id = ?2",
                    args![second, u.id],
                )?;
            }
            db.exec(
                "UPDATE staff_user SET state = 'active', approved_by = ?1 WHERE id = ?2 AND state = 'pending'",
                args![by.map(|b| b.id), u.id],
            )?;
            db.exec(
                "UPDATE staff_grant SET state = 'active' WHERE user_id = ?1 AND state = 'pending'",
                args![u.id],
            )?;
            u.pending = false;
            u.awaiting = None;
            let ids: Vec<i64> = waiting.iter().map(|w| w.0).collect();
            log_grant(db, by, &u, &ids, now)?;
            Ok((u, halved))
        })
    }

    fn disable_user(&mut self, name: &str, by: Option<&User>) -> Result<User, StoreError> {
        admin_only(by)?;
        self.write(|db| {
            let (mut u, _) = any_user(db, name)?;
            if by.is_some_and(|b| b.id == u.id) {
                return Err(refused("an admin does not disable their own account"));
            }
            if u.disabled {
                return Err(refused(format!("'{}' is disabled already", u.name)));
            }
            within_reach(db, by, &u)?;
            // Another admin stays, to approve accounts (the two-person rule): an admin does
            // not disable the last one besides themselves.
            if let (Some(b), Role::Admin) = (by, u.role) {
                let others = db
                    .int(
                        "SELECT COUNT(*) FROM staff_user WHERE role = 'admin' AND state = 'active' \
                         AND disabled = 0 AND id <> ?1 AND id <> ?2",
                        args![b.id, u.id],
                    )?
                    .unwrap_or(0);
                if others == 0 {
                    return Err(refused(format!(
                        "'{}' is the only other active admin: one must remain to approve \
                         accounts (the console may disable them)",
                        u.name
                    )));
                }
            }
            db.exec(
                "UPDATE staff_user SET disabled = 1 WHERE id = ?1",
                args![u.id],
            )?;
            forget_logins(db, u.id)?;
            u.disabled = true;
            Ok(u)
        })
    }

    fn reset_password(
        &mut self,
        name: &str,
        password: &str,
        by: Option<&User>,
    ) -> Result<User, StoreError> {
        admin_only(by)?;
        self.write(|db| {
            let (mut u, _) = any_user(db, name)?;
            if by.is_some_and(|b| b.id == u.id) {
                return Err(refused(
                    "an admin does not reset their own password: another admin, or the console, does",
                ));
            }
            within_reach(db, by, &u)?;
            // By an admin: pending again, approved by another admin (`approve_user` refuses
            // the one who reset it, as it refuses the one who made a grant).
            // Its one-time password is replaced at the first login.
            let state = if by.is_some() { "pending" } else { "active" };
            db.exec(
                "UPDATE staff_user SET password = ?1, password2 = NULL, state = ?2, granted_by = ?3, \
                 reset_by = ?3, must_change = ?4 WHERE id = ?5",
                args![password, state, by.map(|b| b.id), i64::from(by.is_some()), u.id],
            )?;
            forget_logins(db, u.id)?;
            u.pending = by.is_some();
            u.must_change = by.is_some();
            u.awaiting = by.map(|b| Awaiting {
                by: b.name.clone(),
                reset: true,
            });
            Ok(u)
        })
    }

    fn choose_password(&mut self, id: i64, password: &str) -> Result<(), StoreError> {
        self.write(|db| {
            forget_logins(db, id)?;
            db.exec(
                "UPDATE staff_user SET password = ?1, password2 = NULL, must_change = 0 WHERE id = ?2",
                args![password, id],
            )?;
            Ok(())
        })
    }

    fn user_by_name(&self, name: &str) -> Result<Option<(User, Stored)>, StoreError> {
        let name = stored_form(name);
        let mut db = self.db.borrow_mut();
        match db.as_mut().row(
            &format!(
                "SELECT {USER_COLUMNS}, u.password, u.password2 FROM staff_user u \
                 WHERE u.name = ?1 AND u.state = 'active' AND u.disabled = 0"
            ),
            args![name],
        )? {
            Some(r) => {
                let r = Row(&r);
                let stored = Stored {
                    phc: r.text(USER_WIDTH)?,
                    second: r.opt_text(USER_WIDTH + 1)?,
                };
                Ok(Some((user(&r, 0)?, stored)))
            }
            None => Ok(None),
        }
    }

    fn users(&self) -> Result<Vec<User>, StoreError> {
        let mut db = self.db.borrow_mut();
        let mut out = Vec::new();
        db.each(
            &format!("SELECT {USER_COLUMNS} FROM staff_user u ORDER BY u.name"),
            &[],
            &mut |r| {
                out.push(user(&r, 0)?);
                Ok(())
            },
        )?;
        Ok(out)
    }

    fn set_phone(
        &mut self,
        user: i64,
        pseudonym: &str,
        by: Option<&User>,
    ) -> Result<(), StoreError> {
        admin_only(by)?;
        if pseudonym.len() != 64 || !pseudonym.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(refused(
                "a phone's pseudonym is 64 hex digits (HMAC-SHA256)",
            ));
        }
        self.write(|db| {
            let u = user_by_id(db, user)?;
            if u.role != Role::Observer {
                return Err(refused(format!(
                    "'{}' is a {}: only observers report by SMS",
                    u.name,
                    u.role.key()
                )));
            }
            // An admin registers phones only for the observers of their own elections.
            within_reach(db, by, &u)?;
            // A number is one observer's: it never moves silently to another (whose reports
            // its holder could then send).
            let pseudonym = pseudonym.to_ascii_lowercase();
            if let Some(holder) = db.int(
                "SELECT user_id FROM observer_phone WHERE pseudonym = ?1",
                args![pseudonym.clone()],
            )? {
                if holder != user {
                    return Err(refused(
                        "this phone is registered to another observer: the console removes it first (users phone --remove)",
                    ));
                }
                return Ok(());
            }
            db.exec(
                "INSERT INTO observer_phone (pseudonym, user_id) VALUES (?1, ?2)",
                args![pseudonym, user],
            )?;
            Ok(())
        })
    }

    fn remove_phone(&mut self, pseudonym: &str, by: Option<&User>) -> Result<bool, StoreError> {
        admin_only(by)?;
        let pseudonym = pseudonym.to_ascii_lowercase();
        self.write(|db| {
            let Some(holder) = db.int(
                "SELECT user_id FROM observer_phone WHERE pseudonym = ?1",
                args![pseudonym.clone()],
            )?
            else {
                return Ok(false);
            };
            let holder = user_by_id(db, holder)?;
            within_reach(db, by, &holder)?;
            db.exec(
                "DELETE FROM observer_phone WHERE pseudonym = ?1",
                args![pseudonym],
            )?;
            Ok(true)
        })
    }

    fn phone_user(&self, pseudonym: &str) -> Result<Option<User>, StoreError> {
        let mut db = self.db.borrow_mut();
        let row = db.as_mut().row(
            &format!(
                "SELECT {USER_COLUMNS} FROM staff_user u JOIN observer_phone p ON p.user_id = u.id \
                 WHERE p.pseudonym = ?1 AND u.state = 'active' AND u.disabled = 0 AND u.role = 'observer'"
            ),
            args![pseudonym.to_ascii_lowercase()],
        )?;
        row.map(|r| user(&Row(&r), 0)).transpose()
    }

    fn assign(
        &mut self,
        user: i64,
        election: &str,
        unit: UnitId,
        by: Option<&User>,
        now: Time,
    ) -> Result<(), StoreError> {
        admin_only(by)?;
        let id = self.election_id(election)?;
        self.write(|db| {
            if db
                .int(
                    "SELECT id FROM unit WHERE election_id = ?1 AND id = ?2",
                    args![id, unit.0],
                )?
                .is_none()
            {
                return Err(StoreError::NotFound(format!(
                    "unit {} in '{election}'",
                    unit.0
                )));
            }
            let u = user_by_id(db, user)?;
            // Operators enter the protocols of their units, observers report theirs.
            if !matches!(u.role, Role::Operator | Role::Observer) {
                return Err(refused(format!(
                    "'{}' is a {}: only operators and observers are assigned units",
                    u.name,
                    u.role.key()
                )));
            }
            let granted_here = db.int(
                "SELECT 1 FROM staff_grant WHERE user_id = ?1 AND election_id = ?2",
                args![u.id, id],
            )?;
            if granted_here.is_none() {
                return Err(refused(format!(
                    "'{}' holds no {} role in '{election}': grant it first",
                    u.name,
                    u.role.key()
                )));
            }
            let added = db.exec(
                "INSERT INTO assignment (user_id, election_id, unit) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                args![user, id, unit.0],
            )?;
            if added > 0 {
                user_content(db, id, &u)?;
                if let Some(b) = by {
                    user_content(db, id, b)?;
                }
                let user = u.commitment.clone();
                let assign = staff_of(by, StaffAct::Assign { user, unit });
                append_act(db, id, (assign, now), &[], None)?;
            }
            Ok(())
        })
    }

    fn assignments(&self, user: i64, election: &str) -> Result<Vec<UnitId>, StoreError> {
        let mut db = self.db.borrow_mut();
        let db = db.as_mut();
        let id = election_id(db, election)?;
        let mut out = Vec::new();
        db.each(
            "SELECT unit FROM assignment WHERE user_id = ?1 AND election_id = ?2 ORDER BY unit",
            args![user, id],
            &mut |r| {
                out.push(UnitId(r.int(0)? as u32));
                Ok(())
            },
        )?;
        Ok(out)
    }

    fn start_session(
        &mut self,
        token_hash: &str,
        user: i64,
        csrf: &str,
        expires: i64,
    ) -> Result<(), StoreError> {
        self.conn().exec(
            "INSERT INTO session (token_hash, user_id, csrf, expires) VALUES (?1, ?2, ?3, ?4)",
            args![token_hash, user, csrf, expires],
        )?;
        Ok(())
    }

    fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        let mut db = self.db.borrow_mut();
        match db.as_mut().row(
            &format!(
                "SELECT {USER_COLUMNS}, s.csrf, s.expires FROM session s \
                 JOIN staff_user u ON u.id = s.user_id \
                 WHERE s.token_hash = ?1 AND u.state = 'active' AND u.disabled = 0 \
                 AND u.must_change = 0"
            ),
            args![token_hash],
        )? {
            Some(r) => {
                let r = Row(&r);
                Ok(Some(Session {
                    user: user(&r, 0)?,
                    csrf: r.text(USER_WIDTH)?,
                    expires: r.int(USER_WIDTH + 1)?,
                }))
            }
            None => Ok(None),
        }
    }

    fn end_session(&mut self, token_hash: &str) -> Result<(), StoreError> {
        self.conn().exec(
            "DELETE FROM session WHERE token_hash = ?1",
            args![token_hash],
        )?;
        Ok(())
    }

    fn add_token(
        &mut self,
        token_hash: &str,
        user: i64,
        label: &str,
        created: i64,
        expires: i64,
    ) -> Result<(), StoreError> {
        let db = self.conn();
        // A one-time password opens nothing until its user chose their own: no token either.
        let once = db.int(
            "SELECT must_change FROM staff_user WHERE id = ?1",
            args![user],
        )?;
        if once == Some(1) {
            return Err(refused(
                "the user holds a one-time password: they log in and choose their own first",
            ));
        }
        db.exec(
            "INSERT INTO api_token (token_hash, user_id, label, created, expires) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            args![token_hash, user, label, created, expires],
        )?;
        Ok(())
    }

    fn token_user(&self, token_hash: &str, now: i64) -> Result<Option<User>, StoreError> {
        let mut db = self.db.borrow_mut();
        match db.as_mut().row(
            &format!(
                "SELECT {USER_COLUMNS} FROM api_token t \
                 JOIN staff_user u ON u.id = t.user_id \
                 WHERE t.token_hash = ?1 AND t.expires > ?2 AND u.state = 'active' AND u.disabled = 0 \
                 AND u.must_change = 0"
            ),
            args![token_hash, now],
        )? {
            Some(r) => user(&Row(&r), 0).map(Some),
            None => Ok(None),
        }
    }

    fn tokens(&self, user: i64) -> Result<Vec<ApiToken>, StoreError> {
        let mut db = self.db.borrow_mut();
        let mut out = Vec::new();
        db.as_mut().each(
            "SELECT token_hash, label, created, expires FROM api_token \
             WHERE user_id = ?1 ORDER BY created, token_hash",
            args![user],
            &mut |r| {
                out.push(ApiToken {
                    id: r.text(0)?,
                    label: r.text(1)?,
                    created: r.int(2)?,
                    expires: r.int(3)?,
                });
                Ok(())
            },
        )?;
        Ok(out)
    }

    fn revoke_token(&mut self, user: i64, id: &str) -> Result<(), StoreError> {
        let n = self.conn().exec(
            "DELETE FROM api_token WHERE user_id = ?1 AND token_hash = ?2",
            args![user, id],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound(format!(
                "no API token '{id}' of yours"
            )));
        }
        Ok(())
    }

    fn revoke_tokens(&mut self, user: i64) -> Result<u64, StoreError> {
        self.conn()
            .exec("DELETE FROM api_token WHERE user_id = ?1", args![user])
    }

    fn put_scan(&mut self, by: &User, bytes: &[u8]) -> Result<FileRef, StoreError> {
        let media = Media::check(bytes, by.role)?;
        // An observer's photo (an incident's, a complaint's) is kept without its metadata
        // blocks: GPS position, times and device would undo the place and time a report
        // coarsens, and name the reporter's phone. Every upload comes through here (the API,
        // the desk's forms).
        let stripped;
        let bytes = match (by.role, media) {
            (Role::Observer, Media::Jpeg | Media::Png) => {
                stripped = crate::upload::without_metadata(bytes)?;
                &stripped[..]
            }
            _ => bytes,
        };
        let file = FileRef::of(bytes);
        self.write(|db| {
            db.exec(
                "INSERT INTO scan (sha256, media, bytes) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                args![file.hex(), media.mime(), bytes],
            )?;
            db.exec(
                "INSERT INTO upload (sha256, user_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                args![file.hex(), by.id],
            )?;
            Ok(())
        })?;
        Ok(file)
    }

    fn forget_upload(&mut self, by: &User, file: &FileRef) -> Result<(), StoreError> {
        self.write(|db| {
            let cited = db.int(
                "SELECT 1 FROM citation WHERE sha256 = ?1 LIMIT 1",
                args![file.hex()],
            )?;
            if cited.is_some() {
                return Ok(());
            }
            db.exec(
                "DELETE FROM upload WHERE sha256 = ?1 AND user_id = ?2",
                args![file.hex(), by.id],
            )?;
            let others = db.int(
                "SELECT 1 FROM upload WHERE sha256 = ?1 LIMIT 1",
                args![file.hex()],
            )?;
            if others.is_none() {
                db.exec("DELETE FROM scan WHERE sha256 = ?1", args![file.hex()])?;
            }
            Ok(())
        })
    }

    fn scan(&self, file: &FileRef) -> Result<Option<StoredFile>, StoreError> {
        let mut db = self.db.borrow_mut();
        match db.as_mut().row(
            "SELECT bytes FROM scan WHERE sha256 = ?1",
            args![file.hex()],
        )? {
            Some(r) => {
                let bytes = Row(&r).blob(0)?;
                Ok(Some(StoredFile {
                    media: Media::of(&bytes).ok(),
                    bytes,
                }))
            }
            None => Ok(None),
        }
    }

    fn enter_from(
        &mut self,
        election: &str,
        protocol: &Protocol,
        by: &User,
        scan: Option<&FileRef>,
        posted: Option<&str>,
        now: Time,
    ) -> Result<Pending, StoreError> {
        if by.role != Role::Operator {
            return Err(refused(format!(
                "a {} cannot enter protocols",
                by.role.key()
            )));
        }
        self.write(|db| {
            let id = granted_in(db, by, election)?;
            if let Some(f) = scan {
                cite(db, id, by, f, None)?;
            }
            let mut p = protocol.clone();
            p.version = next_version(db, id, &p)?;
            assigned(db, id, by, p.station)?;
            let entry = encode(&Entry::Protocol(p.clone()));
            let sum = digest(&entry);
            // One person keys a protocol once while it waits (`record::StaffRules`).
            let twice = db.int(
                "SELECT 1 FROM pending WHERE election_id = ?1 AND digest = ?2 AND entered_by = ?3 \
                 AND state = 'entered'",
                args![id, &sum, by.id],
            )?;
            if twice.is_some() {
                return Err(refused(
                    "you entered this very protocol already and it waits for verification",
                ));
            }
            let pid = db
                .int(
                    "INSERT INTO pending (election_id, station, contest_idx, version, entry, digest, scan, entered_by) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
                    args![id, p.station.0, p.contest as i64, p.version, &entry, &sum, scan.map(ToString::to_string), by.id],
                )?
                .ok_or_else(|| StoreError::Corrupt("no id for the entered protocol".into()))?;
            user_content(db, id, by)?;
            let staff = staff_of(
                Some(by),
                StaffAct::Enter {
                    protocol: sum.clone(),
                    scan: scan.map(ToString::to_string),
                    posted: posted.map(str::to_string),
                },
            );
            append_act(db, id, (staff, now), &[], None)?;
            Ok(Pending {
                id: pid,
                protocol: p,
                digest: sum,
                scan: scan.map(ToString::to_string),
                entered_by: by.name.clone(),
                state: PendingState::Entered,
                overridden: None,
                resolved: None,
                rejected_because: None,
            })
        })
    }

    fn double_entry(&self, election: &str) -> Result<bool, StoreError> {
        let mut db = self.db.borrow_mut();
        let id = election_id(db.as_mut(), election)?;
        let on = db.int("SELECT double_entry FROM election WHERE id = ?1", args![id])?;
        Ok(on.unwrap_or(0) != 0)
    }

    fn pending(&self, election: &str) -> Result<Vec<Pending>, StoreError> {
        let mut db = self.db.borrow_mut();
        entered(
            db.as_mut(),
            election,
            "AND p.state = ?2",
            args![PendingState::Entered.key()],
        )
    }

    fn entries(&self, election: &str) -> Result<Vec<Pending>, StoreError> {
        let mut db = self.db.borrow_mut();
        entered(db.as_mut(), election, "", &[])
    }

    fn pending_one(&self, election: &str, pid: i64) -> Result<Pending, StoreError> {
        let mut db = self.db.borrow_mut();
        entered(db.as_mut(), election, "AND p.id = ?2", args![pid])?
            .pop()
            .ok_or_else(|| StoreError::NotFound(format!("entered protocol {pid}")))
    }

    fn verify(
        &mut self,
        election: &str,
        pid: i64,
        by: &User,
        now: Time,
    ) -> Result<u32, StoreError> {
        decide_pending(self, election, pid, (by, now), Ok(())).map(|v| v.unwrap_or(0))
    }

    fn reject(
        &mut self,
        election: &str,
        pid: i64,
        by: &User,
        reason: Option<&Content>,
        now: Time,
    ) -> Result<(), StoreError> {
        decide_pending(self, election, pid, (by, now), Err(reason)).map(|_| ())
    }

    fn act(&mut self, election: &str, by: Actor<'_>, act: Act<'_>) -> Result<u64, StoreError> {
        if let Actor::User(u) = by {
            if u.role != act.act.role() {
                return Err(refused(format!(
                    "'{}' is for a {}, not a {}",
                    act.act.key(),
                    act.act.role().key(),
                    u.role.key()
                )));
            }
        }
        // What follows the staff entry is the act's own (`record::check_act_entries`).
        record::check_act_entries(&act.act, act.entries).map_err(|e| refused(e.to_string()))?;
        self.write(|db| {
            let id = match by {
                Actor::User(u) => granted_in(db, u, election)?,
                Actor::Console => election_id(db, election)?,
            };
            insert_content(db, id, act.content)?;
            for (f, commitment) in act.files {
                let Actor::User(u) = by else {
                    return Err(refused(
                        "the console cites no upload: it commits to the file's hash instead",
                    ));
                };
                cite(db, id, u, f, commitment.as_deref())?;
            }
            // Protocol intake's acts change what the store keeps of entered protocols; the
            // complaint register's are checked against it (`record::Register`).
            intake_act(db, id, &act.act)?;
            // An observer reports only the stations assigned to them, as an operator enters.
            if let (Actor::User(u), StaffAct::QuickCount) = (by, &act.act) {
                for b in act.entries {
                    if let Ok(Entry::Pvt(record::PvtStep::Report { protocol, .. })) =
                        record::decode(0, b)
                    {
                        assigned(db, id, u, protocol.station)?;
                    }
                }
            }
            let reviewed = match (&act.act, act.entries.first().map(|b| record::decode(0, b))) {
                (StaffAct::Review, Some(Ok(Entry::Review(r)))) => Some(r),
                _ => None,
            };
            if let Some(r) = &reviewed {
                let cited: Vec<u64> = [r.complaint].into_iter().chain(r.decision).collect();
                let known = register(db, id, &cited)?;
                let units: Vec<UnitId> = cited.iter().filter_map(|&i| known.unit(i)).collect();
                let parents = parents(db, id, &units)?;
                let parent = |u: UnitId| parents.get(&u).copied().flatten();
                known.check(r, &parent).map_err(refused)?;
            }
            if let StaffAct::Redact { commitment: c } = &act.act {
                let text = db
                    .row(
                        "SELECT text FROM content WHERE election_id = ?1 AND commitment = ?2",
                        args![id, c],
                    )?
                    .ok_or_else(|| {
                        StoreError::NotFound(format!("stored content with commitment {c}"))
                    })?;
                db.exec(
                    "DELETE FROM content WHERE election_id = ?1 AND commitment = ?2",
                    args![id, c],
                )?;
                uncite(db, id, c, &Row(&text).text(0)?)?;
            }
            let staff = match by {
                Actor::User(u) => {
                    user_content(db, id, u)?;
                    staff_of(Some(u), act.act.clone())
                }
                Actor::Console => staff_of(None, act.act.clone()),
            };
            // Refused, with everything above rolled back, if the log grew past `act.at`.
            let size = append_act(db, id, (staff, act.time), act.entries, act.at)?;
            keep(db, id, size - act.entries.len() as u64, act.entries)?;
            // Checked once the standing took the act (a frozen election says so first); a
            // refusal rolls the append back.
            if let StaffAct::Certify { reason } = &act.act {
                register(db, id, &[])?
                    .may_certify(reason.is_some())
                    .map_err(|m| refused(format!("a certification with {m}")))?;
            }
            Ok(size)
        })
    }
}

/// Records that an act of `by` in election `election` cites file `f` (through `commitment`,
/// if the log names it by one): the file must be stored and uploaded by `by`.
fn cite(
    db: &mut dyn Db,
    election: i64,
    by: &User,
    f: &FileRef,
    commitment: Option<&str>,
) -> Result<(), StoreError> {
    if db
        .int("SELECT 1 FROM scan WHERE sha256 = ?1", args![f.hex()])?
        .is_none()
    {
        return Err(StoreError::NotFound(format!("file {f}: upload it first")));
    }
    if db
        .int(
            "SELECT 1 FROM upload WHERE sha256 = ?1 AND user_id = ?2",
            args![f.hex(), by.id],
        )?
        .is_none()
    {
        return Err(refused(format!(
            "file {f} was not uploaded by '{}': an act cites only its own uploads",
            by.name
        )));
    }
    db.exec(
        "INSERT INTO citation (sha256, election_id, commitment) VALUES (?1, ?2, ?3)",
        args![f.hex(), election, commitment],
    )?;
    Ok(())
}

/// After the content behind `commitment` is redacted: if it named a file, the file loses
/// that citation, and goes when nothing else cites it (a file stored before uploads were
/// recorded has no uploader, and stays).
fn uncite(db: &mut dyn Db, election: i64, commitment: &str, text: &str) -> Result<(), StoreError> {
    let Ok(f) = FileRef::parse(text) else {
        return Ok(());
    };
    db.exec(
        "DELETE FROM citation WHERE sha256 = ?1 AND election_id = ?2 AND commitment = ?3",
        args![f.hex(), election, commitment],
    )?;
    let cited = db.int(
        "SELECT 1 FROM citation WHERE sha256 = ?1 LIMIT 1",
        args![f.hex()],
    )?;
    let uploaded = db.int(
        "SELECT 1 FROM upload WHERE sha256 = ?1 LIMIT 1",
        args![f.hex()],
    )?;
    if cited.is_none() && uploaded.is_some() {
        db.exec("DELETE FROM upload WHERE sha256 = ?1", args![f.hex()])?;
        db.exec("DELETE FROM scan WHERE sha256 = ?1", args![f.hex()])?;
    }
    Ok(())
}

/// Verifies (`Ok`) or rejects (`Err`, with the content of its reason if it gives one) an
/// entered protocol, with the two-person rule and protocol intake's (`record::may_verify`):
/// `by` at a time.
fn decide_pending(
    s: &mut SqlStore,
    election: &str,
    pid: i64,
    (by, now): (&User, Time),
    decision: Result<(), Option<&Content>>,
) -> Result<Option<u32>, StoreError> {
    let accept = decision.is_ok();
    if by.role != Role::Verifier {
        return Err(refused(format!(
            "a {} cannot verify protocols",
            by.role.key()
        )));
    }
    s.write(|db| {
        let id = granted_in(db, by, election)?;
        let row = db
            .row(
                "SELECT state, entered_by, entry, digest FROM pending WHERE id = ?1 AND election_id = ?2",
                args![pid, id],
            )?
            .ok_or_else(|| StoreError::NotFound(format!("entered protocol {pid}")))?;
        let r = Row(&row);
        let (state, entered_by, entry, sum) = (r.text(0)?, r.int(1)?, r.blob(2)?, r.text(3)?);
        if state != PendingState::Entered.key() {
            return Err(refused(format!("protocol {pid} is already {state}")));
        }
        if entered_by == by.id {
            return Err(refused(
                "the two-person rule: a protocol is verified by someone other than who entered it",
            ));
        }
        let Entry::Protocol(p) =
            record::decode(0, &entry).map_err(|e| StoreError::Corrupt(e.to_string()))?
        else {
            return Err(StoreError::Corrupt(format!("entered protocol {pid}")));
        };
        let next = next_version(db, id, &p)?;
        if accept && next != p.version {
            return Err(refused(format!(
                "the station's protocol changed since this one was entered (it would be version {}, \
                 the station is at version {}): reject it and enter it again",
                p.version,
                next - 1
            )));
        }
        // What protocol intake's rules say (`record::may_verify`), checked once the standing
        // took the act (a frozen election says so first); a refusal rolls it all back.
        let keyed = if accept {
            Some(keyed(db, id, &sum)?)
        } else {
            None
        };
        let double = keyed.is_some_and(|k| k.double);
        let state = match accept {
            true => PendingState::Verified,
            false => PendingState::Rejected,
        };
        // Under blind double entry a verification settles both keyings of the protocol;
        // otherwise it settles the one verified, as a rejection does.
        if double {
            db.exec(
                "UPDATE pending SET state = ?1, decided_by = ?2 \
                 WHERE election_id = ?3 AND digest = ?4 AND state = 'entered'",
                args![state.key(), by.id, id, &sum],
            )?;
        } else {
            let reason = decision.err().flatten();
            if let Some(c) = reason {
                insert_content(db, id, std::slice::from_ref(c))?;
            }
            db.exec(
                "UPDATE pending SET state = ?1, decided_by = ?2, reason = ?3 WHERE id = ?4",
                args![state.key(), by.id, reason.map(|c| c.commitment.clone()), pid],
            )?;
        }
        user_content(db, id, by)?;
        let act = if accept {
            StaffAct::Verify { protocol: sum }
        } else {
            let reason = decision.err().flatten().map(|c| c.commitment.clone());
            StaffAct::Reject {
                protocol: sum,
                reason,
            }
        };
        let staff = staff_of(Some(by), act);
        let entries = match accept {
            true => {
                let mut buf = String::new();
                insert_protocol(db, id, &p, &mut buf)?;
                vec![entry]
            }
            false => Vec::new(),
        };
        append_act(db, id, (staff, now), &entries, None)?;
        if let Some(k) = keyed {
            record::may_verify(&definition(db, id)?, &p, k).map_err(refused)?;
        }
        Ok(accept.then_some(p.version))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_salt_is_exactly_64_hex_digits() {
        let salt: [u8; 32] = std::array::from_fn(|i| i as u8 * 8);
        assert_eq!(unhex32(&hex::encode(salt)).unwrap(), salt);
        let err = |s: &str| unhex32(s).unwrap_err().to_string();
        // `u8::from_str_radix` took "+f" for 0x0f, and sliced a multi-byte character apart
        // (a panic).
        let plus = format!("+f{}", "00".repeat(31));
        assert_eq!(
            err(&plus),
            format!("the store is damaged: salt '{plus}' is not hex")
        );
        let wide = format!("é{}", "00".repeat(31));
        assert_eq!(
            err(&wide),
            format!("the store is damaged: salt '{wide}' is not hex")
        );
        let short = "00".repeat(31);
        assert_eq!(
            err(&short),
            format!("the store is damaged: salt '{short}' is not 32 bytes")
        );
        assert_eq!(err("0"), "the store is damaged: salt '0' is not 32 bytes");
    }

    /// An empty store per backend: SQLite in memory, and PostgreSQL when
    /// `TALLYPROOF_TEST_POSTGRES` names a test server.
    fn stores() -> Vec<SqlStore> {
        let mut v = vec![SqlStore::open_in_memory().expect("a store")];
        if let Ok(admin) = std::env::var("TALLYPROOF_TEST_POSTGRES") {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let name = format!("u_{}_{nanos}", std::process::id());
            let url = crate::create_database(&admin, &name).expect("a database");
            v.push(SqlStore::connect(&url).expect("a store"));
        }
        v
    }

    #[test]
    fn a_users_sessions_and_tokens_go_with_the_user() {
        // Issue 13, finding 10: a token must not survive its user's deletion, nor pass to a
        // later user given the same id.
        for mut s in stores() {
            let now = Time::from_unix(1_796_278_234).expect("a time");
            let u = s
                .add_user("adil", Role::Admin, "x", &[1; 32], None, now)
                .expect("added");
            s.add_token("t", u.id, "script", 1, i64::MAX)
                .expect("stored");
            s.start_session("h", u.id, "c", i64::MAX).expect("started");
            s.conn()
                .exec("DELETE FROM staff_user WHERE id = ?1", args![u.id])
                .expect("deleted");
            assert_eq!(s.token_user("t", 2).expect("read"), None);
            assert!(s.session("h").expect("read").is_none());
            let v = s
                .add_user("bota", Role::Admin, "x", &[2; 32], None, now)
                .expect("added");
            assert!(s.tokens(v.id).expect("read").is_empty());
            assert_eq!(s.token_user("t", 2).expect("read"), None);
        }
    }
}

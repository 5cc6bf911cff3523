//! Who did what: the `staff` entries that attribute every write made through the results
//! service to a person and a role (`docs/log-format.md`, "staff"), and the rules a replay
//! checks on them, among them the two-person rule: a protocol entered by one person counts
//! only once a different person has verified it.

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use strum::{EnumString, IntoStaticStr, VariantArray};

use crate::entry::Entry;
use crate::kinds::Stage;
use crate::RecordError;

/// A staff role. The public needs no role and can write nothing.
#[derive(EnumString, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "lowercase")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Enters protocols for the units assigned to them.
    Operator,
    /// Confirms a protocol someone else entered (the two-person rule).
    Verifier,
    /// Decides complaints: annulments, recounts, re-votes; certifies; redacts.
    Commissioner,
    /// Records audit rounds.
    Auditor,
    /// A party agent or an observer: files complaints.
    Observer,
    /// Manages users and assignments.
    Admin,
}

impl Role {
    /// Every role, in this order.
    pub const ALL: &'static [Role] = Role::VARIANTS;

    /// The role's key in the log and the API.
    pub fn key(self) -> &'static str {
        self.into()
    }

    /// The role with this key.
    pub fn from_key(key: &str) -> Option<Role> {
        key.parse().ok()
    }
}

/// What a staff member did.
#[derive(EnumString, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "lowercase")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// Entered a protocol (not counted yet); `subject` is the digest of its protocol entry.
    Enter,
    /// Verified an entered protocol; its protocol entry follows.
    Verify,
    /// Rejected an entered protocol; it never counts.
    Reject,
    /// Filed a complaint; the complaint entry follows.
    Complain,
    /// Decided; the decision entry follows.
    Decide,
    /// Certified the final result; the final publication of every contest follows, the
    /// first contest's first.
    Certify,
    /// Published preliminary results; a publication of every contest follows (not final).
    Publish,
    /// Redacted a stored content; `subject` is its commitment.
    Redact,
    /// Took a step of a risk-limiting audit; its `audit` entries follow.
    Audit,
    /// Gave a new user a role; `subject` is the user's commitment, `grants` the role.
    Grant,
    /// Let an operator enter protocols in a unit; `subject` is the operator's commitment,
    /// `unit` the unit.
    Assign,
    /// Opened this election as the re-vote of `unit` that another election's decision
    /// ordered; `subject` is the hex SHA-256 of that decision entry.
    Open,
}

impl Act {
    /// Every act.
    pub const ALL: &'static [Act] = Act::VARIANTS;

    /// The act's key in the log.
    pub fn key(self) -> &'static str {
        self.into()
    }

    /// The act with this key.
    pub fn from_key(key: &str) -> Option<Act> {
        key.parse().ok()
    }

    /// The one role that may do this act.
    pub fn role(self) -> Role {
        match self {
            Act::Enter => Role::Operator,
            Act::Verify | Act::Reject => Role::Verifier,
            Act::Complain => Role::Observer,
            Act::Decide | Act::Certify | Act::Publish | Act::Redact | Act::Open => {
                Role::Commissioner
            }
            Act::Audit => Role::Auditor,
            Act::Grant | Act::Assign => Role::Admin,
        }
    }
}

/// A `staff` entry: who (a commitment to their user name, the same for all their acts), in
/// which role, did what, to what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    /// The act.
    pub act: Act,
    /// The role acted in (must be `act.role()`).
    pub role: Role,
    /// Commitment to the user's name.
    pub user: String,
    /// For enter, verify and reject: the hex SHA-256 of the protocol entry's bytes; for
    /// redact: the commitment redacted; otherwise none.
    pub subject: Option<String>,
    /// For enter: the scanned paper protocol, `sha256:<hex>`, if one was uploaded.
    pub scan: Option<String>,
    /// For grant: the role given.
    pub grants: Option<Role>,
    /// For assign and open: the unit's id.
    pub unit: Option<u32>,
}

impl Staff {
    /// A staff entry with no grant and no unit.
    pub fn new(act: Act, role: Role, user: &str, subject: Option<String>) -> Staff {
        Staff {
            act,
            role,
            user: user.to_string(),
            subject,
            scan: None,
            grants: None,
            unit: None,
        }
    }
}

/// The hex SHA-256 of an entry's bytes: a staff entry's subject for protocols.
pub fn digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The `user` of an act made on the store's own machine with the command line (`tallyproof
/// users`, the first admin, `complain`, `decide`...): whoever holds the store, not a commitment
/// to a person's name.
pub const CONSOLE: &str = "console";

/// The staff rules of a replay, fed every entry in order.
#[derive(Debug, Clone, Default)]
pub struct StaffRules {
    /// Entered, not yet verified or rejected: digest -> who entered it (once per entry).
    entered: HashMap<String, Vec<String>>,
    /// Granted users: commitment -> who granted them (a second grant is the approval).
    granted: HashMap<String, Vec<String>>,
    /// What the previous entry requires of this one: (act, digest for verify).
    expect: Option<(Act, Option<String>)>,
    /// Staff entries seen.
    pub acts: u64,
}

impl StaffRules {
    /// Checks entry `index` (decoded as `entry`, from `bytes`) against the rules.
    pub fn check(&mut self, index: u64, entry: &Entry, bytes: &[u8]) -> Result<(), RecordError> {
        let invalid = |m: String| RecordError::Invalid { index, message: m };
        if let Some((act, subject)) = self.expect.take() {
            let ok = match (act, entry) {
                (Act::Verify, Entry::Protocol(_)) => {
                    subject.as_deref() == Some(digest(bytes).as_str())
                }
                (Act::Complain, Entry::Complaint(_)) => true,
                (Act::Decide, Entry::Decision(_)) => true,
                (Act::Certify, Entry::Publication(p)) => p.stage == Stage::Final,
                (Act::Publish, Entry::Publication(p)) => p.stage != Stage::Final,
                (Act::Audit, Entry::Audit(_)) => true,
                _ => false,
            };
            if !ok {
                let what = match act {
                    Act::Verify => "the protocol entry it verified (same SHA-256)",
                    Act::Complain => "a complaint",
                    Act::Decide => "a decision",
                    Act::Audit => "an audit entry",
                    Act::Publish => "a publication that is not final",
                    _ => "a final publication",
                };
                return Err(invalid(format!(
                    "a staff '{}' entry must be followed by {what}",
                    act.key()
                )));
            }
            return Ok(());
        }
        let Entry::Staff(s) = entry else {
            return Ok(());
        };
        self.acts += 1;
        if s.role != s.act.role() {
            return Err(invalid(format!(
                "'{}' is done by a {}, not a {}",
                s.act.key(),
                s.act.role().key(),
                s.role.key()
            )));
        }
        // `grants` and `unit` appear only on the acts that have them (docs/log-format.md).
        let field = |f: &str, m: String| RecordError::Field {
            index,
            field: f.into(),
            message: m,
        };
        if s.grants.is_some() && s.act != Act::Grant {
            return Err(field(
                "grants",
                format!("a staff '{}' entry grants no role", s.act.key()),
            ));
        }
        if s.unit.is_some() && !matches!(s.act, Act::Assign | Act::Open) {
            return Err(field(
                "unit",
                format!("a staff '{}' entry names no unit", s.act.key()),
            ));
        }
        let subject = || {
            s.subject
                .clone()
                .ok_or_else(|| invalid(format!("a staff '{}' entry needs a subject", s.act.key())))
        };
        match s.act {
            Act::Enter => {
                self.entered
                    .entry(subject()?)
                    .or_default()
                    .push(s.user.clone());
            }
            Act::Verify | Act::Reject => {
                let d = subject()?;
                let by = self
                    .entered
                    .get_mut(&d)
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| {
                        invalid(format!(
                            "'{}' of a protocol never entered ({d})",
                            s.act.key()
                        ))
                    })?;
                // The same protocol may have been entered twice; one by someone else is needed.
                let Some(k) = by.iter().position(|u| *u != s.user) else {
                    return Err(invalid(format!(
                        "the two-person rule: the protocol {d} was entered and {} by the same person",
                        if s.act == Act::Verify { "verified" } else { "rejected" }
                    )));
                };
                by.remove(k);
                if s.act == Act::Verify {
                    self.expect = Some((Act::Verify, Some(d)));
                }
            }
            Act::Redact => {
                subject()?;
            }
            Act::Grant => {
                let whom = subject()?;
                if s.grants.is_none() {
                    return Err(invalid(
                        "a staff 'grant' entry needs the role granted".into(),
                    ));
                }
                // A second grant approves the first: by someone else (or the console).
                let by = self.granted.entry(whom).or_default();
                if s.user != CONSOLE && by.contains(&s.user) {
                    return Err(invalid(
                        "the two-person rule: a grant is approved by an admin other than the one who made it"
                            .into(),
                    ));
                }
                by.push(s.user.clone());
            }
            Act::Assign | Act::Open => {
                subject()?;
                if s.unit.is_none() {
                    return Err(invalid(format!(
                        "a staff '{}' entry needs a unit",
                        s.act.key()
                    )));
                }
            }
            act @ (Act::Complain | Act::Decide | Act::Certify | Act::Publish | Act::Audit) => {
                self.expect = Some((act, None))
            }
        }
        Ok(())
    }

    /// At the end of the log: a staff entry whose entry never came is an error.
    pub fn finish(&self, entries: u64) -> Result<(), RecordError> {
        match &self.expect {
            Some((act, _)) => Err(RecordError::Invalid {
                index: entries,
                message: format!("the log ends after a staff '{}' entry", act.key()),
            }),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::encode;
    use model::{Protocol, UnitId};

    fn staff(act: Act, user: &str, subject: Option<&str>) -> Vec<u8> {
        encode(&Entry::Staff(Staff::new(
            act,
            act.role(),
            user,
            subject.map(str::to_string),
        )))
    }

    fn run(entries: &[Vec<u8>]) -> Result<u64, RecordError> {
        let mut rules = StaffRules::default();
        for (i, b) in entries.iter().enumerate() {
            let e = crate::wire::decode(i as u64, b)?;
            rules.check(i as u64, &e, b)?;
        }
        rules.finish(entries.len() as u64)?;
        Ok(rules.acts)
    }

    #[test]
    fn the_two_person_rule_and_what_must_follow() {
        let p = encode(&Entry::Protocol(Protocol::new(UnitId(3), 0, 2)));
        let d = digest(&p);
        let enter = staff(Act::Enter, "a", Some(&d));
        // Entered by a, verified by b, the protocol follows: fine.
        let ok = [enter.clone(), staff(Act::Verify, "b", Some(&d)), p.clone()];
        assert_eq!(run(&ok), Ok(2));
        // Verified by the person who entered it.
        let same = [enter.clone(), staff(Act::Verify, "a", Some(&d)), p.clone()];
        assert!(run(&same).unwrap_err().to_string().contains("two-person"));
        // Entered twice by a: b may verify one, a may not verify the other.
        let twice = [
            enter.clone(),
            enter.clone(),
            staff(Act::Verify, "b", Some(&d)),
            p.clone(),
            staff(Act::Reject, "a", Some(&d)),
        ];
        assert!(run(&twice).unwrap_err().to_string().contains("two-person"));
        // A verify must be followed by the very protocol it verified.
        let other = encode(&Entry::Protocol(Protocol::new(UnitId(4), 0, 2)));
        let wrong = [enter.clone(), staff(Act::Verify, "b", Some(&d)), other];
        assert!(run(&wrong)
            .unwrap_err()
            .to_string()
            .contains("same SHA-256"));
        // Never entered; the log ending after a verify.
        assert!(run(&[staff(Act::Verify, "b", Some(&d))]).is_err());
        assert!(run(&[enter, staff(Act::Verify, "b", Some(&d))])
            .unwrap_err()
            .to_string()
            .contains("ends after"));
        // A decide must be followed by a decision, an audit step by an audit entry.
        assert!(run(&[staff(Act::Decide, "c", None), p.clone()]).is_err());
        assert!(run(&[staff(Act::Audit, "d", None), p])
            .unwrap_err()
            .to_string()
            .contains("an audit entry"));
    }

    #[test]
    fn grants_and_assignments_name_whom_and_what() {
        let mut g = Staff::new(Act::Grant, Role::Admin, "adm", Some("c1".into()));
        assert!(run(&[encode(&Entry::Staff(g.clone()))])
            .unwrap_err()
            .to_string()
            .contains("role granted"));
        g.grants = Some(Role::Operator);
        let mut a = Staff::new(Act::Assign, Role::Admin, "adm", Some("c1".into()));
        assert!(run(&[encode(&Entry::Staff(a.clone()))])
            .unwrap_err()
            .to_string()
            .contains("needs a unit"));
        a.unit = Some(7);
        let (g, a) = (encode(&Entry::Staff(g)), encode(&Entry::Staff(a)));
        assert_eq!(run(&[g.clone(), a.clone()]), Ok(2));
        // The grant approved by the admin who made it (issue 13, finding 7).
        assert!(run(&[g.clone(), g.clone()])
            .unwrap_err()
            .to_string()
            .contains("two-person rule"));
        let mut second = Staff::new(Act::Grant, Role::Admin, "adm2", Some("c1".into()));
        second.grants = Some(Role::Operator);
        assert_eq!(run(&[g.clone(), encode(&Entry::Staff(second))]), Ok(2));
        // The fields survive a decode, and only these acts write them.
        assert!(String::from_utf8_lossy(&g).ends_with(r#""scan":null,"grants":"operator"}"#));
        assert!(String::from_utf8_lossy(&a).ends_with(r#""scan":null,"unit":7}"#));
        assert_eq!(crate::wire::decode(0, &a).map(|e| encode(&e)), Ok(a));
    }

    #[test]
    fn an_act_in_the_wrong_role_is_refused() {
        let mut b = encode(&Entry::Staff(Staff::new(
            Act::Decide,
            Role::Operator,
            "u",
            None,
        )));
        assert!(run(&[b.clone()])
            .unwrap_err()
            .to_string()
            .contains("commissioner"));
        b.truncate(3);
        assert!(run(&[b]).is_err());
    }
}

//! Who did what: the `staff` entries that attribute every write made through the results
//! service to a person and a role (`docs/log-format.md`, "staff"), each a [`Staff`]: the
//! person's commitment and a [`StaffAct`] that carries only its act's fields; and the rules a
//! replay checks on them, among them the two-person rule: a protocol entered by one person
//! counts only once a different person has verified it.

use std::collections::HashMap;

use model::UnitId;
use sha2::{Digest, Sha256};
use strum::{EnumString, IntoStaticStr, VariantArray};

use crate::entry::Entry;
use crate::kinds::Stage;
use crate::{RecordError, Time};

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

/// What a staff member did, as a key: the `act` of a `staff` entry. [`StaffAct`] is the act
/// with the fields it carries.
#[derive(EnumString, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "lowercase")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// Entered a protocol (not counted yet): [`StaffAct::Enter`].
    Enter,
    /// Verified an entered protocol; its protocol entry follows: [`StaffAct::Verify`].
    Verify,
    /// Rejected an entered protocol; it never counts: [`StaffAct::Reject`].
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
    /// Redacted a stored content: [`StaffAct::Redact`].
    Redact,
    /// Took a step of a risk-limiting audit; its `audit` entries follow.
    Audit,
    /// Gave a user a role: [`StaffAct::Grant`].
    Grant,
    /// Let an operator enter protocols in a unit: [`StaffAct::Assign`].
    Assign,
    /// Opened this election as the re-vote that another election's decision ordered:
    /// [`StaffAct::Open`].
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

/// A staff act with what it is about: each act carries exactly the fields its `staff` entry
/// writes (`docs/log-format.md`, "staff"), so an entry whose fields do not fit its act cannot
/// be built (and is refused when decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffAct {
    /// Entered a protocol (not counted yet).
    Enter {
        /// The hex SHA-256 of the protocol entry's bytes as entered (the entry's `subject`).
        protocol: String,
        /// The scanned paper protocol, `sha256:<hex>`, if one was uploaded.
        scan: Option<String>,
    },
    /// Verified an entered protocol; its protocol entry follows.
    Verify {
        /// The hex SHA-256 of the protocol entry (the entry's `subject`).
        protocol: String,
    },
    /// Rejected an entered protocol; it never counts.
    Reject {
        /// The hex SHA-256 of the protocol entry (the entry's `subject`).
        protocol: String,
    },
    /// Filed a complaint; the complaint entry follows.
    Complain,
    /// Decided; the decision entry follows.
    Decide,
    /// Certified the final result; the final publication of every contest follows, the
    /// first contest's first.
    Certify,
    /// Published preliminary results; a publication of every contest follows (not final).
    Publish,
    /// Redacted a stored content.
    Redact {
        /// The commitment redacted (the entry's `subject`).
        commitment: String,
    },
    /// Took a step of a risk-limiting audit; its `audit` entries follow.
    Audit,
    /// Gave a user a role (a second grant of the same user and role approves the first).
    Grant {
        /// The commitment to the user's name (the entry's `subject`).
        user: String,
        /// The role given (the entry's `grants`).
        role: Role,
    },
    /// Let an operator enter protocols in a unit.
    Assign {
        /// The commitment to the operator's name (the entry's `subject`).
        user: String,
        /// The unit (the entry's `unit`).
        unit: UnitId,
    },
    /// Opened this election as the re-vote of a unit that another election's decision
    /// ordered.
    Open {
        /// The hex SHA-256 of that decision entry (the entry's `subject`).
        decision: String,
        /// The unit re-voted (the entry's `unit`).
        unit: UnitId,
    },
}

impl StaffAct {
    /// The act's kind.
    pub fn kind(&self) -> Act {
        match self {
            StaffAct::Enter { .. } => Act::Enter,
            StaffAct::Verify { .. } => Act::Verify,
            StaffAct::Reject { .. } => Act::Reject,
            StaffAct::Complain => Act::Complain,
            StaffAct::Decide => Act::Decide,
            StaffAct::Certify => Act::Certify,
            StaffAct::Publish => Act::Publish,
            StaffAct::Redact { .. } => Act::Redact,
            StaffAct::Audit => Act::Audit,
            StaffAct::Grant { .. } => Act::Grant,
            StaffAct::Assign { .. } => Act::Assign,
            StaffAct::Open { .. } => Act::Open,
        }
    }

    /// The act's key in the log.
    pub fn key(&self) -> &'static str {
        self.kind().key()
    }

    /// The one role that may do this act.
    pub fn role(&self) -> Role {
        self.kind().role()
    }

    /// Whether `entry` (encoded as `bytes`) is of the kind this act logs after its staff
    /// entry: the protocol a verification names (same SHA-256), a complaint, a decision, a
    /// final publication for a certification and one that is not for a publication act, an
    /// audit entry. The replay checks the first entry after the staff entry with it
    /// ([`StaffRules`]); the store checks every entry of an act ([`crate::check_act_entries`]).
    pub fn logs(&self, entry: &Entry, bytes: &[u8]) -> bool {
        match (self, entry) {
            (StaffAct::Verify { protocol }, Entry::Protocol(_)) => *protocol == digest(bytes),
            (StaffAct::Complain, Entry::Complaint(_)) => true,
            (StaffAct::Decide, Entry::Decision(_)) => true,
            (StaffAct::Certify, Entry::Publication(p)) => p.stage == Stage::Final,
            (StaffAct::Publish, Entry::Publication(p)) => p.stage != Stage::Final,
            (StaffAct::Audit, Entry::Audit(_)) => true,
            _ => false,
        }
    }

    /// What the entry's `subject` says: a protocol's digest, a commitment, a decision's
    /// digest; none for the acts whose entries follow.
    pub fn subject(&self) -> Option<&str> {
        match self {
            StaffAct::Enter { protocol, .. }
            | StaffAct::Verify { protocol }
            | StaffAct::Reject { protocol } => Some(protocol),
            StaffAct::Redact { commitment } => Some(commitment),
            StaffAct::Grant { user, .. } | StaffAct::Assign { user, .. } => Some(user),
            StaffAct::Open { decision, .. } => Some(decision),
            StaffAct::Complain
            | StaffAct::Decide
            | StaffAct::Certify
            | StaffAct::Publish
            | StaffAct::Audit => None,
        }
    }
}

/// A `staff` entry: who (a commitment to their user name, the same for all their acts) did
/// what, and when; the role they acted in is the act's ([`StaffAct::role`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    /// Commitment to the user's name, or [`CONSOLE`].
    pub user: String,
    /// What they did.
    pub act: StaffAct,
    /// When, by the clock of the service or console that took the act (format version 2);
    /// none in the entries written before staff entries carried their time (version 1).
    pub time: Option<Time>,
}

impl Staff {
    /// `act`, done by `user`, with no time: a version 1 entry, as logs written before
    /// staff entries carried their time have them.
    pub fn new(user: &str, act: StaffAct) -> Staff {
        Staff {
            user: user.to_string(),
            act,
            time: None,
        }
    }

    /// `act`, done by `user` at `time`: a version 2 entry, as every staff entry is written now.
    pub fn at(user: &str, act: StaffAct, time: Time) -> Staff {
        Staff {
            time: Some(time),
            ..Staff::new(user, act)
        }
    }

    /// The role acted in.
    pub fn role(&self) -> Role {
        self.act.role()
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

/// The staff rules of a replay, fed every entry in order: what needs the entries before
/// (the two-person rule, grants' approvals, the entry a staff act requires next). Which
/// fields an act carries is its [`StaffAct`]'s, checked when the entry is decoded.
#[derive(Debug, Clone, Default)]
pub struct StaffRules {
    /// Entered, not yet verified or rejected: digest -> who entered it (once per entry).
    entered: HashMap<String, Vec<String>>,
    /// Granted users: commitment -> who granted them (a second grant is the approval).
    granted: HashMap<String, Vec<String>>,
    /// The act whose entry must come next.
    expect: Option<StaffAct>,
    /// Staff entries seen.
    pub acts: u64,
}

impl StaffRules {
    /// Checks entry `index` (decoded as `entry`, from `bytes`) against the rules.
    pub fn check(&mut self, index: u64, entry: &Entry, bytes: &[u8]) -> Result<(), RecordError> {
        let invalid = |m: String| RecordError::Invalid { index, message: m };
        if let Some(act) = self.expect.take() {
            if !act.logs(entry, bytes) {
                let what = match act {
                    StaffAct::Verify { .. } => "the protocol entry it verified (same SHA-256)",
                    StaffAct::Complain => "a complaint",
                    StaffAct::Decide => "a decision",
                    StaffAct::Audit => "an audit entry",
                    StaffAct::Publish => "a publication that is not final",
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
        match &s.act {
            StaffAct::Enter { protocol, .. } => {
                self.entered
                    .entry(protocol.clone())
                    .or_default()
                    .push(s.user.clone());
            }
            StaffAct::Verify { protocol: d } | StaffAct::Reject { protocol: d } => {
                let by = self
                    .entered
                    .get_mut(d)
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
                        if s.act.kind() == Act::Verify { "verified" } else { "rejected" }
                    )));
                };
                by.remove(k);
                if s.act.kind() == Act::Verify {
                    self.expect = Some(s.act.clone());
                }
            }
            StaffAct::Grant { user: whom, .. } => {
                // A second grant approves the first: by someone else (or the console).
                let by = self.granted.entry(whom.clone()).or_default();
                if s.user != CONSOLE && by.contains(&s.user) {
                    return Err(invalid(
                        "the two-person rule: a grant is approved by an admin other than the one who made it"
                            .into(),
                    ));
                }
                by.push(s.user.clone());
            }
            StaffAct::Redact { .. } | StaffAct::Assign { .. } | StaffAct::Open { .. } => {}
            StaffAct::Complain
            | StaffAct::Decide
            | StaffAct::Certify
            | StaffAct::Publish
            | StaffAct::Audit => self.expect = Some(s.act.clone()),
        }
        Ok(())
    }

    /// At the end of the log: a staff entry whose entry never came is an error.
    pub fn finish(&self, entries: u64) -> Result<(), RecordError> {
        match &self.expect {
            Some(act) => Err(RecordError::Invalid {
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

    fn staff(user: &str, act: StaffAct) -> Vec<u8> {
        encode(&Entry::Staff(Staff::new(user, act)))
    }

    /// `entry` with the text `from` replaced by `to` (which must be there).
    fn edited(entry: &[u8], from: &str, to: &str) -> Vec<u8> {
        let text = String::from_utf8(entry.to_vec()).unwrap();
        assert!(text.contains(from), "{text} has no {from}");
        text.replacen(from, to, 1).into_bytes()
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
        let enter = staff(
            "a",
            StaffAct::Enter {
                protocol: d.clone(),
                scan: None,
            },
        );
        let verify = |user: &str| {
            let protocol = d.clone();
            staff(user, StaffAct::Verify { protocol })
        };
        // Entered by a, verified by b, the protocol follows: fine.
        let ok = [enter.clone(), verify("b"), p.clone()];
        assert_eq!(run(&ok), Ok(2));
        // Verified by the person who entered it.
        let same = [enter.clone(), verify("a"), p.clone()];
        assert!(run(&same).unwrap_err().to_string().contains("two-person"));
        // Entered twice by a: b may verify one, a may not verify the other.
        let twice = [
            enter.clone(),
            enter.clone(),
            verify("b"),
            p.clone(),
            staff(
                "a",
                StaffAct::Reject {
                    protocol: d.clone(),
                },
            ),
        ];
        assert!(run(&twice).unwrap_err().to_string().contains("two-person"));
        // A verify must be followed by the very protocol it verified.
        let other = encode(&Entry::Protocol(Protocol::new(UnitId(4), 0, 2)));
        let wrong = [enter.clone(), verify("b"), other];
        assert!(run(&wrong)
            .unwrap_err()
            .to_string()
            .contains("same SHA-256"));
        // Never entered; the log ending after a verify.
        assert!(run(&[verify("b")]).is_err());
        assert!(run(&[enter, verify("b")])
            .unwrap_err()
            .to_string()
            .contains("ends after"));
        // A decide must be followed by a decision, an audit step by an audit entry.
        assert!(run(&[staff("c", StaffAct::Decide), p.clone()]).is_err());
        assert!(run(&[staff("d", StaffAct::Audit), p])
            .unwrap_err()
            .to_string()
            .contains("an audit entry"));
    }

    #[test]
    fn grants_and_assignments_name_whom_and_what() {
        let grant = |by: &str| {
            let (user, role) = ("c1".to_string(), Role::Operator);
            staff(by, StaffAct::Grant { user, role })
        };
        let (user, unit) = ("c1".to_string(), UnitId(7));
        let (g, a) = (grant("adm"), staff("adm", StaffAct::Assign { user, unit }));
        // Without the role granted, the unit assigned: refused when decoded, naming the field.
        assert!(run(&[edited(&g, r#","grants":"operator""#, "")])
            .unwrap_err()
            .to_string()
            .contains("grants: a staff 'grant' entry needs the role granted"));
        assert!(run(&[edited(&a, r#","unit":7"#, "")])
            .unwrap_err()
            .to_string()
            .contains("unit: a staff 'assign' entry needs a unit"));
        assert_eq!(run(&[g.clone(), a.clone()]), Ok(2));
        // The grant approved by the admin who made it (issue 13, finding 7).
        assert!(run(&[g.clone(), g.clone()])
            .unwrap_err()
            .to_string()
            .contains("two-person rule"));
        assert_eq!(run(&[g.clone(), grant("adm2")]), Ok(2));
        // The fields survive a decode, and only these acts write them.
        assert!(String::from_utf8_lossy(&g).ends_with(r#""scan":null,"grants":"operator"}"#));
        assert!(String::from_utf8_lossy(&a).ends_with(r#""scan":null,"unit":7}"#));
        assert_eq!(crate::wire::decode(0, &a).map(|e| encode(&e)), Ok(a));
    }

    #[test]
    fn an_act_in_the_wrong_role_is_refused() {
        let decide = staff("u", StaffAct::Decide);
        let mut b = edited(&decide, r#""role":"commissioner""#, r#""role":"operator""#);
        assert!(run(&[b.clone()])
            .unwrap_err()
            .to_string()
            .contains("commissioner"));
        b.truncate(3);
        assert!(run(&[b]).is_err());
    }
}

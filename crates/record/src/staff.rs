//! Who did what: the `staff` entries that attribute every write made through the results
//! service to a person and a role (`docs/log-format.md`, "staff"), and the rules a replay
//! checks on them, among them the two-person rule: a protocol entered by one person counts
//! only once a different person has verified it.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::entry::Entry;
use crate::RecordError;

/// A staff role. The public needs no role and can write nothing.
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
    pub const ALL: [Role; 6] = [
        Role::Operator,
        Role::Verifier,
        Role::Commissioner,
        Role::Auditor,
        Role::Observer,
        Role::Admin,
    ];

    /// The role's key in the log and the API.
    pub fn key(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Verifier => "verifier",
            Role::Commissioner => "commissioner",
            Role::Auditor => "auditor",
            Role::Observer => "observer",
            Role::Admin => "admin",
        }
    }

    /// The role with this key.
    pub fn from_key(key: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.key() == key)
    }
}

/// What a staff member did.
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
    /// Certified the final result; the final publication follows.
    Certify,
    /// Redacted a stored content; `subject` is its commitment.
    Redact,
}

impl Act {
    /// Every act.
    pub const ALL: [Act; 7] = [
        Act::Enter,
        Act::Verify,
        Act::Reject,
        Act::Complain,
        Act::Decide,
        Act::Certify,
        Act::Redact,
    ];

    /// The act's key in the log.
    pub fn key(self) -> &'static str {
        match self {
            Act::Enter => "enter",
            Act::Verify => "verify",
            Act::Reject => "reject",
            Act::Complain => "complain",
            Act::Decide => "decide",
            Act::Certify => "certify",
            Act::Redact => "redact",
        }
    }

    /// The act with this key.
    pub fn from_key(key: &str) -> Option<Act> {
        Act::ALL.into_iter().find(|a| a.key() == key)
    }

    /// The one role that may do this act.
    pub fn role(self) -> Role {
        match self {
            Act::Enter => Role::Operator,
            Act::Verify | Act::Reject => Role::Verifier,
            Act::Complain => Role::Observer,
            Act::Decide | Act::Certify | Act::Redact => Role::Commissioner,
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
}

/// The hex SHA-256 of an entry's bytes: a staff entry's subject for protocols.
pub fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The staff rules of a replay, fed every entry in order.
#[derive(Debug, Clone, Default)]
pub struct StaffRules {
    /// Entered, not yet verified or rejected: digest -> who entered it (once per entry).
    entered: HashMap<String, Vec<String>>,
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
                (Act::Certify, Entry::Publication(p)) => p.stage == "final",
                _ => false,
            };
            if !ok {
                let what = match act {
                    Act::Verify => "the protocol entry it verified (same SHA-256)",
                    Act::Complain => "a complaint",
                    Act::Decide => "a decision",
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
            act @ (Act::Complain | Act::Decide | Act::Certify) => self.expect = Some((act, None)),
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
        encode(&Entry::Staff(Staff {
            act,
            role: act.role(),
            user: user.into(),
            subject: subject.map(str::to_string),
            scan: None,
        }))
    }

    fn run(entries: &[Vec<u8>]) -> Result<u64, RecordError> {
        let mut rules = StaffRules::default();
        for (i, b) in entries.iter().enumerate() {
            let e = crate::entry::decode(i as u64, b)?;
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
        // A decide must be followed by a decision.
        assert!(run(&[staff(Act::Decide, "c", None), p]).is_err());
    }

    #[test]
    fn an_act_in_the_wrong_role_is_refused() {
        let mut b = encode(&Entry::Staff(Staff {
            act: Act::Decide,
            role: Role::Operator,
            user: "u".into(),
            subject: None,
            scan: None,
        }));
        assert!(run(&[b.clone()])
            .unwrap_err()
            .to_string()
            .contains("commissioner"));
        b.truncate(3);
        assert!(run(&[b]).is_err());
    }
}

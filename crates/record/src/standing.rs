//! Whether an election may still change. An election is open until it is certified (its
//! final publication) or annulled (a decision annulling the whole election); both freeze it.
//! A frozen election takes no protocol, verification, decision or second certification until
//! a commissioner's logged decision reopens it: certification happens once per opening.
//! Complaints, redactions, audits and user acts go on in every standing (audits follow
//! certification; a complaint may challenge it), and a certified election may still be
//! annulled, as Kyrgyzstan's of 4 October 2020 was.
//!
//! The replay applies this rule to every entry, and the store to every act it appends, so a
//! log that changed a frozen election does not verify.

use strum::{EnumString, IntoStaticStr, VariantArray};

use crate::entry::{Decision, Entry, VERSION};
use crate::error::RecordError;
use crate::kinds::Stage;
use crate::staff::Act;
use crate::wire::decode;

/// How every encoded protocol entry begins ([`crate::encode`] writes its type first).
const PROTOCOL: &[u8] = b"{\"type\":\"protocol\"";

/// An election's standing.
#[derive(EnumString, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "lowercase")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Standing {
    /// Protocols may be entered and verified, decisions taken, the result certified.
    #[default]
    Open,
    /// Its final result is published: frozen.
    Certified,
    /// Annulled as a whole: frozen.
    Annulled,
}

impl Standing {
    /// Its name, as pages and errors say it.
    pub fn key(self) -> &'static str {
        self.into()
    }

    /// The standing named `key` (as [`Standing::key`] gives it).
    pub fn from_key(key: &str) -> Option<Standing> {
        key.parse().ok()
    }

    /// The standing after `entry`, or why the entry may not come in this standing.
    pub fn after(self, entry: &Entry) -> Result<Standing, String> {
        use Standing::{Annulled, Certified, Open};
        let frozen = |what: &str| {
            Err(format!(
                "{what} in an election that is {}: a decision must reopen it first",
                self.key()
            ))
        };
        match (self, entry) {
            (Open, Entry::Publication(p)) if p.stage == Stage::Final => Ok(Certified),
            (Open, Entry::Decision(Decision::AnnulElection { .. })) => Ok(Annulled),
            (Open, Entry::Decision(Decision::Reopen { .. })) => {
                Err("a reopening of an election that is open".into())
            }
            (Open, _) => Ok(Open),
            (Certified, Entry::Decision(Decision::AnnulElection { .. })) => Ok(Annulled),
            // A certification publishes every contest, the first contest's first: the others'
            // final publications follow it (they restate totals that can no longer change).
            (Certified, Entry::Publication(p)) if p.stage == Stage::Final && p.contest > 0 => {
                Ok(Certified)
            }
            // An annulled election's units may be voted again (each a new election).
            (Annulled, Entry::Decision(Decision::Revote { .. })) => Ok(Annulled),
            (_, Entry::Decision(Decision::Reopen { .. })) => Ok(Open),
            (_, Entry::Protocol(_)) => frozen("a protocol"),
            (_, Entry::Decision(_)) => frozen("a decision"),
            (_, Entry::Publication(_)) => frozen("a publication"),
            (_, Entry::Staff(s)) => match s.act.kind() {
                Act::Enter
                | Act::Verify
                | Act::Reject
                | Act::Certify
                | Act::Publish
                | Act::Override
                | Act::Resolve
                | Act::Intake => frozen(&format!("a staff '{}'", s.act.key())),
                _ => Ok(self),
            },
            (_, _) => Ok(self),
        }
    }

    /// The standing after the encoded entry `bytes` (entry number `index`), or why it may
    /// not come in this standing: [`Standing::after`], without decoding an entry that cannot
    /// change an open election (anything but a publication or a decision: the protocols, most
    /// of every log, and the election's own entry, which lists every unit).
    pub fn after_bytes(self, index: u64, bytes: &[u8]) -> Result<Standing, StandingError> {
        if self == Standing::Open && !may_change_open(bytes) {
            return Ok(Standing::Open);
        }
        let entry = decode(index, bytes).map_err(StandingError::Bad)?;
        self.after(&entry).map_err(StandingError::Frozen)
    }
}

/// Why an encoded entry cannot follow a standing.
#[derive(Debug)]
pub enum StandingError {
    /// The entry does not decode.
    Bad(RecordError),
    /// The standing refuses it.
    Frozen(String),
}

impl std::fmt::Display for StandingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StandingError::Bad(e) => e.fmt(f),
            StandingError::Frozen(m) => f.write_str(m),
        }
    }
}

/// Whether an encoded entry may change an open election's standing: a publication or a
/// decision, told from its type alone (read without decoding the rest); an entry whose type
/// cannot be read is decoded in full, which reports it.
fn may_change_open(bytes: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Typed<'a> {
        #[serde(rename = "type")]
        kind: &'a str,
    }
    if is_protocol(bytes) {
        return false;
    }
    match bytes.get(1..).map(serde_json::from_slice::<Typed<'_>>) {
        Some(Ok(t)) => matches!(t.kind, "publication" | "decision"),
        _ => true,
    }
}

/// Whether `bytes` is an encoded protocol entry (of this format's version).
pub fn is_protocol(bytes: &[u8]) -> bool {
    bytes.first() == Some(&VERSION) && bytes[1..].starts_with(PROTOCOL)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::Publication;
    use crate::{Staff, StaffAct};
    use model::{Protocol, UnitId};

    fn publication(stage: &str) -> Entry {
        Entry::Publication(Publication {
            stage: stage.parse().unwrap(),
            contest: 0,
            stations_counted: 0,
            votes: Vec::new(),
            valid: None,
            invalid: None,
            seats: None,
        })
    }

    /// An `enter` (of a protocol whose digest does not matter here).
    fn entered() -> StaffAct {
        let protocol = "0".repeat(64);
        StaffAct::Enter {
            protocol,
            scan: None,
            posted: None,
        }
    }

    #[test]
    fn a_protocol_is_told_by_its_first_bytes() {
        let protocol = Entry::Protocol(Protocol::new(UnitId(3), 0, 2));
        assert!(is_protocol(&crate::encode(&protocol)));
        assert!(!is_protocol(&crate::encode(&publication("final"))));
        assert!(!is_protocol(b""));
        let bytes = crate::encode(&protocol);
        let c = Standing::Certified;
        assert_eq!(
            Standing::Open.after_bytes(0, &bytes).unwrap(),
            Standing::Open
        );
        assert!(c
            .after_bytes(0, &bytes)
            .unwrap_err()
            .to_string()
            .contains("certified"));
        let final_ = crate::encode(&publication("final"));
        assert_eq!(Standing::Open.after_bytes(0, &final_).unwrap(), c);
        assert!(matches!(
            Standing::Open.after_bytes(0, b"\x01{"),
            Err(StandingError::Bad(_))
        ));
        let reopen = crate::encode(&Entry::Decision(Decision::Reopen { reason: "r".into() }));
        assert!(may_change_open(&reopen) && may_change_open(&final_));
        assert!(Standing::Open.after_bytes(0, &reopen).is_err());
        let enter = Entry::Staff(Staff::new("c", entered()));
        assert!(!may_change_open(&crate::encode(&enter)));
    }

    #[test]
    fn certification_and_annulment_freeze_until_reopened() {
        let reopen = Entry::Decision(Decision::Reopen { reason: "r".into() });
        let annul = Entry::Decision(Decision::AnnulElection { reason: "r".into() });
        let protocol = Entry::Protocol(Protocol::new(UnitId(3), 0, 2));
        let enter = Entry::Staff(Staff::new("c", entered()));
        let complain = Entry::Staff(Staff::new("c", StaffAct::Complain));
        let s = Standing::Open;
        assert_eq!(s.after(&publication("preliminary")), Ok(Standing::Open));
        assert_eq!(s.after(&protocol), Ok(Standing::Open));
        assert!(s.after(&reopen).is_err());
        let c = s.after(&publication("final")).unwrap();
        assert_eq!(c, Standing::Certified);
        for refused in [&protocol, &enter, &publication("final")] {
            assert!(c.after(refused).unwrap_err().contains("certified"));
        }
        assert_eq!(c.after(&complain), Ok(Standing::Certified));
        assert_eq!(c.after(&annul), Ok(Standing::Annulled));
        assert_eq!(c.after(&reopen), Ok(Standing::Open));
        let a = Standing::Annulled;
        assert!(a.after(&protocol).unwrap_err().contains("annulled"));
        assert!(a.after(&annul).is_err());
        assert_eq!(a.after(&reopen), Ok(Standing::Open));
    }
}

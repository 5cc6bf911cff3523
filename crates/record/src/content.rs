//! Which stored content is public. The log carries only commitments; the store keeps the salt
//! and text that open each one (`content` rows). What the commitment stands for decides
//! whether its opening may leave the store ([`ContentKind::is_public`]): the names of staff
//! acting for the commission may (accountability), the identity of a complainant or an
//! observer may not (the commitment exists to protect them). Every exporter (`tallyproof
//! publish`, and through it the service's `/log/`) asks [`PublicContent`], built from the log.

use std::collections::HashSet;

use crate::entry::Entry;
use crate::staff::{Role, StaffAct};
use crate::wire::decode;
use crate::RecordError;

/// What a commitment in the log stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContentKind {
    /// The login name of a user acting in, or granted, a role.
    StaffName(Role),
    /// The name of a complaint's author.
    Complainant,
    /// A complaint's text.
    ComplaintText,
    /// A complaint's attachment (its scan's hash, as text).
    Attachment,
    /// The reason of a decision of the commission, of a complaint's review, of a staff act
    /// that gives one (an override of a quarantine, a rejection, a certification while
    /// complaints are open).
    Reason,
    /// An incident report's text (revision 9).
    IncidentText,
    /// An incident report's photo (the stored, metadata-free file's hash, as text).
    Photo,
    /// The exact station and minute of an incident report coarsened to its district or the
    /// hour: never published, so that the log reveals no more than the page.
    ExactPlace,
}

impl ContentKind {
    /// Whether the content may be published. Names of the commission's staff acting for it
    /// (operators, verifiers, commissioners, auditors, audit board members, admins) are, for accountability;
    /// observers, an observer group's supervisors and complainants are not. Texts, attachments and reasons are the record of
    /// the commission's decisions (a commissioner may redact one).
    pub fn is_public(self) -> bool {
        match self {
            ContentKind::StaffName(Role::Observer | Role::Supervisor)
            | ContentKind::Complainant
            | ContentKind::ExactPlace => false,
            ContentKind::StaffName(
                Role::Operator
                | Role::Verifier
                | Role::Commissioner
                | Role::Auditor
                | Role::Admin
                | Role::BoardMember,
            )
            | ContentKind::ComplaintText
            | ContentKind::Attachment
            | ContentKind::Reason
            | ContentKind::IncidentText
            | ContentKind::Photo => true,
        }
    }
}

/// The commitments an entry makes and what each stands for.
pub fn content_kinds(entry: &Entry) -> Vec<(&str, ContentKind)> {
    match entry {
        // Every kind of decision has its reason (a reopening's too).
        Entry::Decision(d) => vec![(d.reason(), ContentKind::Reason)],
        Entry::Review(r) => vec![(r.reason.as_str(), ContentKind::Reason)],
        Entry::Complaint(c) => {
            let mut v = vec![
                (c.by.as_str(), ContentKind::Complainant),
                (c.text.as_str(), ContentKind::ComplaintText),
            ];
            v.extend(c.scan.as_deref().map(|s| (s, ContentKind::Attachment)));
            v
        }
        Entry::Incident(crate::IncidentStep::Report {
            exact,
            text,
            photos,
            ..
        }) => {
            let mut v = vec![(text.as_str(), ContentKind::IncidentText)];
            v.extend(photos.iter().map(|p| (p.as_str(), ContentKind::Photo)));
            v.extend(exact.as_deref().map(|x| (x, ContentKind::ExactPlace)));
            v
        }
        Entry::Staff(s) => {
            // The console is no one's name: nothing stands behind it.
            let mut v = Vec::new();
            if s.user != crate::CONSOLE {
                v.push((s.user.as_str(), ContentKind::StaffName(s.role())));
            }
            match &s.act {
                StaffAct::Grant { user, role } => v.push((user, ContentKind::StaffName(*role))),
                StaffAct::Assign { user, .. } => {
                    v.push((user, ContentKind::StaffName(Role::Operator)));
                }
                _ => {}
            }
            // An override's, a resolution's, a rejection's or a certification's reason.
            v.extend(s.act.reason().map(|r| (r, ContentKind::Reason)));
            v
        }
        _ => Vec::new(),
    }
}

/// The commitments of a log whose content may be published: those it makes only as public
/// kinds. A commitment made once as a private kind (an observer's name that is also a
/// complainant's, say) stays private; a content row whose commitment the log does not make
/// is not published either.
#[derive(Debug, Clone, Default)]
pub struct PublicContent {
    public: HashSet<String>,
    private: HashSet<String>,
}

impl PublicContent {
    /// Reads the commitments of a log's entries, in order.
    pub fn from_log<'a>(
        entries: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<PublicContent, RecordError> {
        let mut out = PublicContent::default();
        for (i, bytes) in entries.into_iter().enumerate() {
            out.add_bytes(i as u64, bytes)?;
        }
        Ok(out)
    }

    /// Adds the commitments of entry `index`, given as its bytes. A protocol entry (most of a
    /// log) commits to nothing and is passed over without being decoded.
    pub fn add_bytes(&mut self, index: u64, bytes: &[u8]) -> Result<(), RecordError> {
        if !crate::is_protocol(bytes) {
            self.add(&decode(index, bytes)?);
        }
        Ok(())
    }

    /// Adds the commitments of one entry.
    pub fn add(&mut self, entry: &Entry) {
        for (c, kind) in content_kinds(entry) {
            if kind.is_public() {
                self.public.insert(c.to_string());
            } else {
                self.private.insert(c.to_string());
            }
        }
    }

    /// Whether the content behind `commitment` may be published.
    pub fn is_public(&self, commitment: &str) -> bool {
        self.public.contains(commitment) && !self.private.contains(commitment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::{encode, Complaint};
    use crate::staff::Staff;
    use model::UnitId;

    #[test]
    fn observers_and_complainants_stay_private_and_staff_do_not() {
        let staff = |user: &str, act: StaffAct| encode(&Entry::Staff(Staff::new(user, act)));
        let (user, role) = ("obs".to_string(), Role::Observer);
        let log = [
            staff("adm", StaffAct::Grant { user, role }),
            staff("obs", StaffAct::Complain),
            encode(&Entry::Complaint(Complaint {
                unit: UnitId(1),
                by: "by".into(),
                text: "text".into(),
                scan: Some("scan".into()),
                category: None,
            })),
            staff("com", StaffAct::Decide),
        ];
        let p = PublicContent::from_log(log.iter().map(Vec::as_slice)).unwrap();
        for private in ["obs", "by", "unknown"] {
            assert!(!p.is_public(private), "{private}");
        }
        for public in ["adm", "text", "scan", "com"] {
            assert!(p.is_public(public), "{public}");
        }
        // Every role: only the names of an observer and of an observer group's supervisor are
        // private.
        let private: Vec<Role> = Role::ALL
            .iter()
            .copied()
            .filter(|r| !ContentKind::StaffName(*r).is_public())
            .collect();
        assert_eq!(private, [Role::Observer, Role::Supervisor]);
    }

    #[test]
    fn a_protocol_entry_is_passed_over_and_any_other_is_decoded() {
        let mut p = model::Protocol::new(UnitId(3), 0, 2);
        p.reference = Some("sha256:00".into());
        let mut c = PublicContent::default();
        c.add_bytes(5, &encode(&Entry::Protocol(p))).unwrap();
        assert!(c.public.is_empty() && c.private.is_empty());
        let bad = b"\x01{\"type\":\"decision\"}";
        assert!(c.add_bytes(6, bad).is_err());
    }

    /// A reopening's reason was never published (`content_kinds` listed the other kinds of
    /// decision only): every kind's reason is the commission's public record.
    #[test]
    fn every_decision_s_reason_is_public_a_reopening_s_too() {
        use crate::entry::Decision;
        use crate::kinds::DecisionKind;
        use strum::VariantArray;
        for &kind in DecisionKind::VARIANTS {
            let d = Decision::new(kind, UnitId(1), format!("reason of {}", kind.key()));
            let log = [encode(&Entry::Decision(d))];
            let p = PublicContent::from_log(log.iter().map(Vec::as_slice)).unwrap();
            assert!(
                p.is_public(&format!("reason of {}", kind.key())),
                "{kind:?}"
            );
        }
    }
}

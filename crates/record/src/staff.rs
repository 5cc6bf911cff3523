//! Who did what: the `staff` entries that attribute every write made through the results
//! service to a person and a role (`docs/log-format.md`, "staff"), each a [`Staff`]: the
//! person's commitment and a [`StaffAct`] that carries only its act's fields; and the rules a
//! replay checks on them, among them the two-person rule: a protocol entered by one person
//! counts only once a different person has verified it.

use std::collections::{HashMap, HashSet};

use model::{Election, UnitId};
use sha2::{Digest, Sha256};
use strum::{EnumString, IntoStaticStr, VariantArray};

use crate::entry::{AuditStep, Entry};
use crate::intake::{may_verify, Keyed};
use crate::kinds::Stage;
use crate::register::Register;
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
    /// Sits on an audit board: reads the ballots of the board's share of a round and signs
    /// off what the board read (two members a board, each with their own login).
    #[strum(serialize = "board-member")]
    BoardMember,
    /// Supervises an observer group's quick count: chooses between its observers' reports
    /// of a station that differ, puts a station's reports in quarantine and releases them
    /// (revision 8).
    Supervisor,
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
    /// Let an entered protocol that breaks an error-level control relation be verified:
    /// [`StaffAct::Override`].
    Override,
    /// Chose, between protocols keyed twice that differ, the one to verify:
    /// [`StaffAct::Resolve`].
    Resolve,
    /// Switched blind double entry on or off: [`StaffAct::Intake`].
    Intake,
    /// Changed a complaint's status; its `complaint-status` entry follows.
    Review,
    /// Took a step of a quick count (revision 7); its `pvt` entries follow.
    #[strum(serialize = "quick-count")]
    QuickCount,
    /// Signed off what an audit board read: [`StaffAct::SignOff`].
    #[strum(serialize = "sign-off")]
    SignOff,
    /// Reviewed a quick count's station (revision 8); its `pvt` entry (step `review`)
    /// follows.
    Supervise,
    /// Reported an incident (revision 9); its `incident` entry (step `report`) follows.
    Incident,
    /// Gave an incident report a status (revision 9); its `incident` entry (step `status`)
    /// follows.
    #[strum(serialize = "incident-status")]
    IncidentStatus,
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
            Act::Complain | Act::QuickCount | Act::Incident => Role::Observer,
            Act::Decide
            | Act::Certify
            | Act::Publish
            | Act::Redact
            | Act::Open
            | Act::Override
            | Act::Resolve
            | Act::Intake
            | Act::Review => Role::Commissioner,
            Act::Audit => Role::Auditor,
            Act::Grant | Act::Assign => Role::Admin,
            Act::SignOff => Role::BoardMember,
            Act::Supervise | Act::IncidentStatus => Role::Supervisor,
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
        /// The hex SHA-256 of the posted protocol's QR code the figures were checked against
        /// (revision 11; `docs/protocol-qr.md`), if the operator entered them from it.
        posted: Option<String>,
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
        /// The commitment to why (the entry's `reason`); none in rejections logged before
        /// rejections gave one.
        reason: Option<String>,
    },
    /// Filed a complaint; the complaint entry follows.
    Complain,
    /// Decided; the decision entry follows.
    Decide,
    /// Certified the final result; the final publication of every contest follows, the
    /// first contest's first.
    Certify {
        /// The commitment to why the certification goes ahead while complaints are open (the
        /// entry's `reason`): needed then, and only then.
        reason: Option<String>,
    },
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
    /// Let an entered protocol that breaks an error-level control relation (quarantined) be
    /// verified.
    Override {
        /// The hex SHA-256 of the protocol entry (the entry's `subject`).
        protocol: String,
        /// The commitment to why (the entry's `reason`), shown with the station's protocol.
        reason: String,
    },
    /// Chose, where blind double entry keyed a protocol twice and the two differ, the one
    /// that may be verified.
    Resolve {
        /// The hex SHA-256 of the chosen protocol entry (the entry's `subject`).
        protocol: String,
        /// The commitment to why (the entry's `reason`).
        reason: String,
    },
    /// Switched blind double entry on (`double`) or off for the protocols entered from now on.
    Intake {
        /// Whether each protocol is keyed twice (the entry's `double`).
        double: bool,
    },
    /// Changed a complaint's status; its `complaint-status` entry follows.
    Review,
    /// Took a step of an observer group's quick count: its frame and design, its seed, a
    /// report; its `pvt` entries follow.
    QuickCount,
    /// Signed off what the member's audit board read. The first of the board's two members
    /// to sign off an entry logs nothing more; the second's sign-off of the same entry is
    /// followed by it (`board-readings` or `board-counts`).
    SignOff {
        /// The hex SHA-256 of the board's entry signed off (the entry's `subject`).
        entry: String,
    },
    /// Reviewed a station of an observer group's quick count: chose between its observers'
    /// reports, or put it in quarantine or out of it; its `pvt` entry (step `review`)
    /// follows.
    Supervise,
    /// Reported an incident; its `incident` entry (step `report`) follows.
    Incident,
    /// Gave an incident report a status; its `incident` entry (step `status`) follows.
    IncidentStatus,
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
            StaffAct::Certify { .. } => Act::Certify,
            StaffAct::Publish => Act::Publish,
            StaffAct::Redact { .. } => Act::Redact,
            StaffAct::Audit => Act::Audit,
            StaffAct::Grant { .. } => Act::Grant,
            StaffAct::Assign { .. } => Act::Assign,
            StaffAct::Open { .. } => Act::Open,
            StaffAct::Override { .. } => Act::Override,
            StaffAct::Resolve { .. } => Act::Resolve,
            StaffAct::Intake { .. } => Act::Intake,
            StaffAct::Review => Act::Review,
            StaffAct::QuickCount => Act::QuickCount,
            StaffAct::SignOff { .. } => Act::SignOff,
            StaffAct::Supervise => Act::Supervise,
            StaffAct::Incident => Act::Incident,
            StaffAct::IncidentStatus => Act::IncidentStatus,
        }
    }

    /// The commitment to the reason the act gives, if it gives one (the entry's `reason`).
    pub fn reason(&self) -> Option<&str> {
        match self {
            StaffAct::Reject { reason, .. } | StaffAct::Certify { reason } => reason.as_deref(),
            StaffAct::Override { reason, .. } | StaffAct::Resolve { reason, .. } => Some(reason),
            _ => None,
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
            (StaffAct::Review, Entry::Review(_)) => true,
            (StaffAct::Certify { .. }, Entry::Publication(p)) => p.stage == Stage::Final,
            (StaffAct::Publish, Entry::Publication(p)) => p.stage != Stage::Final,
            // A board's readings or counts follow its second sign-off, never an auditor's act.
            (StaffAct::Audit, Entry::Audit(step)) => !step.is_signed_off(),
            (StaffAct::QuickCount, Entry::Pvt(step)) => !step.is_review(),
            (StaffAct::Supervise, Entry::Pvt(step)) => step.is_review(),
            (StaffAct::Incident, Entry::Incident(crate::IncidentStep::Report { .. })) => true,
            (StaffAct::IncidentStatus, Entry::Incident(crate::IncidentStep::Status { .. })) => true,
            (
                StaffAct::SignOff { entry: d },
                Entry::Audit(AuditStep::BoardReadings { .. } | AuditStep::BoardCounts { .. }),
            ) => *d == digest(bytes),
            _ => false,
        }
    }

    /// What the entry's `subject` says: a protocol's digest, a commitment, a decision's
    /// digest; none for the acts whose entries follow.
    pub fn subject(&self) -> Option<&str> {
        match self {
            StaffAct::Enter { protocol, .. }
            | StaffAct::Verify { protocol }
            | StaffAct::Reject { protocol, .. }
            | StaffAct::Override { protocol, .. }
            | StaffAct::Resolve { protocol, .. } => Some(protocol),
            StaffAct::Redact { commitment } => Some(commitment),
            StaffAct::Grant { user, .. } | StaffAct::Assign { user, .. } => Some(user),
            StaffAct::Open { decision, .. } => Some(decision),
            StaffAct::SignOff { entry } => Some(entry),
            StaffAct::Complain
            | StaffAct::Decide
            | StaffAct::Certify { .. }
            | StaffAct::Publish
            | StaffAct::Audit
            | StaffAct::QuickCount
            | StaffAct::Supervise
            | StaffAct::Incident
            | StaffAct::IncidentStatus
            | StaffAct::Intake { .. }
            | StaffAct::Review => None,
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
/// (the two-person rule, grants' approvals, the entry a staff act requires next, protocol
/// intake's rules of [`crate::intake`], the complaint register's of [`Register`]). Which
/// fields an act carries is its [`StaffAct`]'s, checked when the entry is decoded.
#[derive(Debug, Clone, Default)]
pub struct StaffRules {
    /// Entered, not yet verified or rejected: digest -> who entered it (once per entry).
    entered: HashMap<String, Vec<String>>,
    /// Entered with the scan of the paper protocol (digests).
    scanned: HashSet<String>,
    /// Quarantines overridden by a commissioner: digest -> the commitment to the reason.
    overridden: HashMap<String, String>,
    /// The reason's commitment of the override that let the protocol just checked count.
    admitted: Option<String>,
    /// Chosen by a commissioner between keyings that differ (digests).
    resolved: HashSet<String>,
    /// Whether blind double entry is on.
    double: bool,
    /// Granted users: commitment -> who granted them (a second grant is the approval).
    granted: HashMap<String, Vec<String>>,
    /// The roles granted in this log: commitment -> roles.
    roles: HashMap<String, Vec<Role>>,
    /// The user of the latest staff entry: who acts in the entries that follow it.
    acting: Option<String>,
    /// The act whose entry must come next.
    expect: Option<StaffAct>,
    /// What the log says of the protocol being verified, checked when its entry comes.
    verifying: Keyed,
    /// The complaints, their statuses and the decisions.
    register: Register,
    /// Staff entries seen.
    pub acts: u64,
    /// Whether a staff act other than a re-vote's `open` was seen: protocols enter only
    /// through a `verify` from then on.
    began: bool,
    /// Board entries signed off once: digest -> who signed it off.
    signed: HashMap<String, Vec<String>>,
    /// Who signed off the board entry checked last, if one was: the member whose sign-off
    /// it follows, then those who signed it off before.
    signing: Option<Signing>,
    /// The member whose sign-off the next entry must follow (the board's entry).
    last_signer: Option<String>,
}

/// Who signed off a board's entry (`board-readings`, `board-counts`): the member whose
/// sign-off the entry follows and those who signed off the same entry before. The audit
/// rules check that they are the board's two members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signing {
    /// The second sign-off's user.
    pub last: String,
    /// The users who signed off the same entry before.
    pub earlier: Vec<String>,
}

impl StaffRules {
    /// The commitment to the reason of the commissioner's override that let the protocol
    /// entry last checked count despite an error-level control relation, if one did.
    pub fn admitted_by_override(&self) -> Option<&str> {
        self.admitted.as_deref()
    }

    /// The complaint register so far.
    pub fn register(&self) -> &Register {
        &self.register
    }

    /// Who signed off the entry checked last, if it followed a board's second sign-off.
    pub fn signing(&self) -> Option<&Signing> {
        self.signing.as_ref()
    }

    /// The user of the latest staff entry (the act the entries after it belong to).
    pub fn acting(&self) -> Option<&str> {
        self.acting.as_deref()
    }

    /// The roles the log granted `user` (none: granted outside this log, as a re-vote's
    /// staff are, or never).
    pub fn roles_of(&self, user: &str) -> &[Role] {
        self.roles.get(user).map_or(&[], Vec::as_slice)
    }

    /// Checks entry `index` (decoded as `entry`, from `bytes`) of `election`'s log against
    /// the rules.
    pub fn check(
        &mut self,
        index: u64,
        entry: &Entry,
        bytes: &[u8],
        election: &Election,
    ) -> Result<(), RecordError> {
        let invalid = |m: String| RecordError::Invalid { index, message: m };
        if matches!(entry, Entry::Review(_)) && !matches!(self.expect, Some(StaffAct::Review)) {
            return Err(invalid(
                "a complaint-status entry follows a staff 'review' entry".into(),
            ));
        }
        let units = &election.units;
        let parent = |u: UnitId| (u.index() < units.len()).then(|| units.get(u).parent)?;
        self.register.push(index, entry, &parent).map_err(|m| {
            let (field, message) = m.split_once(": ").unwrap_or(("complaint", &m));
            RecordError::Field {
                index,
                field: field.into(),
                message: message.into(),
            }
        })?;
        self.admitted = None;
        self.signing = None;
        if let Some(act) = self.expect.take() {
            if let (StaffAct::Verify { protocol: d }, Entry::Protocol(p)) = (&act, entry) {
                may_verify(election, p, self.verifying).map_err(invalid)?;
                self.admitted = self.overridden.get(d).cloned();
            }
            if let (StaffAct::SignOff { entry: d }, Some(last)) = (&act, self.last_signer.take()) {
                let earlier = self.signed.remove(d).unwrap_or_default();
                let earlier = earlier.into_iter().filter(|u| *u != last).collect();
                self.signing = Some(Signing { last, earlier });
            }
            if !act.logs(entry, bytes) {
                let what = match act {
                    StaffAct::Verify { .. } => "the protocol entry it verified (same SHA-256)",
                    StaffAct::Complain => "a complaint",
                    StaffAct::Decide => "a decision",
                    StaffAct::Review => "a complaint-status entry",
                    StaffAct::Audit => "an audit entry",
                    StaffAct::QuickCount => "a quick count's (pvt) entry other than a review",
                    StaffAct::Supervise => "a quick count's (pvt) review",
                    StaffAct::Publish => "a publication that is not final",
                    StaffAct::SignOff { .. } => {
                        "the board's entry signed off (same SHA-256), its readings or counts"
                    }
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
            // An import's protocols come before the staff's first act (a re-vote's `open`
            // aside): afterwards a protocol enters only through a `verify`, so that nobody
            // with the log's key alone adds one that two people did not handle.
            if matches!(entry, Entry::Protocol(_)) && self.began {
                return Err(invalid(
                    "a protocol after the staff's first act enters the log only after a staff \
                     'verify' entry (the two-person rule): an import comes before any staff act"
                        .into(),
                ));
            }
            return Ok(());
        };
        self.acts += 1;
        self.acting = Some(s.user.clone());
        self.began |= !matches!(s.act, StaffAct::Open { .. });
        match &s.act {
            StaffAct::Enter { protocol, scan, .. } => {
                let by = self.entered.entry(protocol.clone()).or_default();
                // One person keys a protocol once while it waits: a second keying by the same
                // person would count as a second operator's under blind double entry.
                if by.contains(&s.user) {
                    return Err(invalid(format!(
                        "the protocol {protocol} is entered twice by the same person while it waits"
                    )));
                }
                by.push(s.user.clone());
                if scan.is_some() {
                    self.scanned.insert(protocol.clone());
                }
            }
            StaffAct::Override { protocol: d, .. } | StaffAct::Resolve { protocol: d, .. } => {
                if self.entered.get(d).is_none_or(Vec::is_empty) {
                    return Err(invalid(format!(
                        "'{}' of a protocol not waiting for verification ({d})",
                        s.act.key()
                    )));
                }
                match &s.act {
                    StaffAct::Override { reason, .. } => {
                        self.overridden.insert(d.clone(), reason.clone());
                    }
                    _ => {
                        self.resolved.insert(d.clone());
                    }
                }
            }
            StaffAct::Intake { double } => self.double = *double,
            StaffAct::Certify { reason } => {
                self.register
                    .may_certify(reason.is_some())
                    .map_err(|m| invalid(format!("a certification with {m}")))?;
                self.expect = Some(s.act.clone());
            }
            StaffAct::Verify { protocol: d } | StaffAct::Reject { protocol: d, .. } => {
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
                let mut keyed_by: Vec<&String> = by.iter().collect();
                keyed_by.sort();
                keyed_by.dedup();
                self.verifying = Keyed {
                    double: self.double,
                    keyings: keyed_by.len(),
                    resolved: self.resolved.contains(d),
                    overridden: self.overridden.contains_key(d),
                    scanned: self.scanned.contains(d),
                };
                // The same protocol may have been entered twice; one by someone else is needed.
                let Some(k) = by.iter().position(|u| *u != s.user) else {
                    return Err(invalid(format!(
                        "the two-person rule: the protocol {d} was entered and {} by the same person",
                        if s.act.kind() == Act::Verify { "verified" } else { "rejected" }
                    )));
                };
                by.remove(k);
                // Under blind double entry a verification settles both keyings.
                if self.double && s.act.kind() == Act::Verify {
                    by.clear();
                }
                if s.act.kind() == Act::Verify {
                    self.expect = Some(s.act.clone());
                }
            }
            StaffAct::Grant { user: whom, role } => {
                // A second grant approves the first: by someone else (or the console).
                let by = self.granted.entry(whom.clone()).or_default();
                if s.user != CONSOLE && by.contains(&s.user) {
                    return Err(invalid(
                        "the two-person rule: a grant is approved by an admin other than the one who made it"
                            .into(),
                    ));
                }
                by.push(s.user.clone());
                let roles = self.roles.entry(whom.clone()).or_default();
                if !roles.contains(role) {
                    roles.push(*role);
                }
            }
            StaffAct::SignOff { entry: d } => {
                // A member signs off with their own login: the console is nobody's.
                if s.user == CONSOLE {
                    return Err(invalid(
                        "a sign-off is a board member's, with their own login, never the console's"
                            .into(),
                    ));
                }
                // A member's sign-off withdraws their earlier one of any other entry: only
                // the marks a member signed off last can be logged with it.
                self.signed.retain(|other, users| {
                    if other != d {
                        users.retain(|u| *u != s.user);
                    }
                    !users.is_empty()
                });
                let by = self.signed.entry(d.clone()).or_default();
                if by.contains(&s.user) {
                    return Err(invalid(format!(
                        "the board's entry {d} is signed off twice by the same member"
                    )));
                }
                by.push(s.user.clone());
                // The second member's sign-off of the same entry logs it.
                if by.len() >= 2 {
                    self.last_signer = Some(s.user.clone());
                    self.expect = Some(s.act.clone());
                }
            }
            StaffAct::Redact { .. } | StaffAct::Assign { .. } | StaffAct::Open { .. } => {}
            StaffAct::QuickCount
            | StaffAct::Supervise
            | StaffAct::Incident
            | StaffAct::IncidentStatus => {
                // Revision 9: a user this log granted roles acts in an observer group's log
                // only in its role (observer, supervisor); staff granted outside it pass.
                let role = s.act.kind().role();
                let mine = self.roles_of(&s.user);
                if s.user != CONSOLE && !mine.is_empty() && !mine.contains(&role) {
                    let granted: Vec<&str> = mine.iter().map(|r| r.key()).collect();
                    return Err(invalid(format!(
                        "a '{}' act by a user this log granted '{}', not '{}'",
                        s.act.key(),
                        granted.join("', '"),
                        role.key()
                    )));
                }
                self.expect = Some(s.act.clone());
            }
            StaffAct::Complain
            | StaffAct::Decide
            | StaffAct::Publish
            | StaffAct::Audit
            | StaffAct::Review => self.expect = Some(s.act.clone()),
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
        // The relation of the Kyrgyz 2020 files: `error: choices = valid`.
        let mut election = Election::new("e");
        election.rules = model::ControlRules::kyrgyz_2020_files();
        let mut rules = StaffRules::default();
        for (i, b) in entries.iter().enumerate() {
            let e = crate::wire::decode(i as u64, b)?;
            rules.check(i as u64, &e, b, &election)?;
        }
        rules.finish(entries.len() as u64)?;
        Ok(rules.acts)
    }

    #[test]
    fn the_two_person_rule_and_what_must_follow() {
        // No votes, no valid ballots: `choices = valid` holds.
        let valid = |station: u32| {
            let mut p = Protocol::new(UnitId(station), 0, 2);
            p.set_line(model::Line::Valid, 0);
            encode(&Entry::Protocol(p))
        };
        let p = valid(3);
        let d = digest(&p);
        let enter = staff(
            "a",
            StaffAct::Enter {
                protocol: d.clone(),
                scan: None,
                posted: None,
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
        // Entered twice by a while it waits: refused (it would pass for two keyings).
        let twice = [enter.clone(), enter.clone()];
        assert!(run(&twice)
            .unwrap_err()
            .to_string()
            .contains("entered twice by the same person"));
        // Entered by a and by c: b verifies one (a's), c may not reject the other (c's own).
        let enter_c = staff(
            "c",
            StaffAct::Enter {
                protocol: d.clone(),
                scan: None,
                posted: None,
            },
        );
        let two = [
            enter.clone(),
            enter_c,
            verify("b"),
            p.clone(),
            staff(
                "c",
                StaffAct::Reject {
                    protocol: d.clone(),
                    reason: None,
                },
            ),
        ];
        assert!(run(&two).unwrap_err().to_string().contains("two-person"));
        // A verify must be followed by the very protocol it verified.
        let other = valid(4);
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
    fn quarantine_double_entry_and_their_commissioners_acts() {
        // Valid 5, no votes: breaks `error: choices = valid` (the standard rules).
        let mut bad = Protocol::new(UnitId(3), 0, 1);
        bad.set_line(model::Line::Valid, 5);
        let mut good = Protocol::new(UnitId(4), 0, 1);
        good.set_line(model::Line::Valid, 0);
        let [bad, good] = [bad, good].map(|p| encode(&Entry::Protocol(p)));
        let enter = |user: &str, p: &[u8]| {
            let act = StaffAct::Enter {
                protocol: digest(p),
                scan: None,
                posted: None,
            };
            staff(user, act)
        };
        let verify = |p: &[u8]| {
            staff(
                "v",
                StaffAct::Verify {
                    protocol: digest(p),
                },
            )
        };
        let reason = "0".repeat(64);
        let over = |p: &[u8]| {
            let (protocol, reason) = (digest(p), reason.clone());
            staff("chair", StaffAct::Override { protocol, reason })
        };
        let resolve = |p: &[u8]| {
            let (protocol, reason) = (digest(p), reason.clone());
            staff("chair", StaffAct::Resolve { protocol, reason })
        };
        let double = staff("chair", StaffAct::Intake { double: true });
        let err = |log: &[Vec<u8>]| run(log).unwrap_err().to_string();
        // Quarantined until a commissioner overrides it.
        let quarantined = [enter("a", &bad), verify(&bad), bad.clone()];
        assert!(err(&quarantined).starts_with(
            "entry 2: quarantined: it breaks the control relation 'error: choices = valid'"
        ));
        let overridden = [enter("a", &bad), over(&bad), verify(&bad), bad.clone()];
        assert_eq!(run(&overridden), Ok(3));
        // An override of a protocol not waiting, by its reason.
        assert!(err(&[over(&bad)]).contains("not waiting for verification"));
        assert!(String::from_utf8_lossy(&over(&bad))
            .ends_with(&format!(r#""scan":null,"reason":"{reason}"}}"#)));
        // Blind double entry: two operators, or a commissioner's resolution.
        let once = [
            double.clone(),
            enter("a", &good),
            verify(&good),
            good.clone(),
        ];
        assert!(err(&once).contains("second operator"));
        let twice = [
            double.clone(),
            enter("a", &good),
            enter("c", &good),
            verify(&good),
            good.clone(),
        ];
        assert_eq!(run(&twice), Ok(4));
        let same = [double.clone(), enter("a", &good), enter("a", &good)];
        assert!(err(&same).contains("entered twice by the same person"));
        let resolved = [
            double.clone(),
            enter("a", &good),
            resolve(&good),
            verify(&good),
            good.clone(),
        ];
        assert_eq!(run(&resolved), Ok(4));
        let off = [
            double,
            staff("chair", StaffAct::Intake { double: false }),
            enter("a", &good),
            verify(&good),
            good,
        ];
        assert_eq!(run(&off), Ok(4));
        // A complaint's status follows a staff `review`, whose entry it is.
        let review = encode(&Entry::Review(crate::Review {
            complaint: 0,
            status: crate::ComplaintStatus::Dismissed,
            reason: reason.clone(),
            decision: None,
        }));
        assert!(err(std::slice::from_ref(&review)).contains("follows a staff 'review'"));
        assert!(err(&[staff("chair", StaffAct::Review), review])
            .contains("complaint: entry 0 is not a complaint of this log"));
        // Reasons where an act needs one, named when missing.
        let o = over(&bad);
        let cut = edited(&o, &format!(r#","reason":"{reason}""#), "");
        assert!(err(&[cut]).contains("reason: a staff 'override' entry needs a reason"));
        let extra = edited(
            &enter("a", &bad),
            r#""scan":null"#,
            &format!(r#""scan":null,"reason":"{reason}""#),
        );
        assert!(err(&[extra]).contains("reason: a staff 'enter' entry gives no reason"));
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

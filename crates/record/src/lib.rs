//! The election record as log entries: the canonical byte encoding of `docs/log-format.md`
//! (a version byte and compact JSON with a fixed key order) and the replay that recomputes
//! every publication from the entries before it.
//!
//! This crate does no input or output; the log itself (hashing, proofs, tiles) is `translog`,
//! which knows nothing of elections.

mod audits;
mod content;
mod counting;
mod entry;
mod error;
mod incidents;
mod intake;
mod kinds;
mod law;
mod logs;
mod official;
mod publish;
mod quick_count;
mod register;
mod replay;
mod running;
mod staff;
mod standing;
mod status;
mod times;
mod versions;
mod wire;

pub use audits::{changes_audited_results, check_target, is_score, may_change_results, superseded};
pub use content::{content_kinds, ContentKind, PublicContent};
pub use counting::{legal_count, legal_count_source, scan_required};
pub use entry::{
    commitment, commitments, committed, definition, encode, encode_protocol_into,
    encoded_definition, AuditStep, BoardReading, Complaint, Decision, Entry, Publication,
    PublishedSeats, Review, UnitRow,
};
pub use error::RecordError;
pub use incidents::{
    incident_report, is_category, Incident, IncidentStep, Incidents, NewIncident,
    DEFAULT_CATEGORIES, MAX_PHOTOS, MAX_TEXT,
};
pub use intake::{may_verify, Keyed};
pub use kinds::{
    keys, parse_key, AuditMethod, ComplaintCategory, ComplaintStatus, Content, DecisionKind,
    IncidentStatus, ReviewAction, Stage,
};
pub use law::{
    check_law, national_threshold, problem_from_election, problem_from_tally, Built, LawNote,
    NationalThreshold,
};
pub use logs::check_act_entries;
pub use official::{
    complaint_act, complaint_category, complaint_status, decision_act, decision_kind, reason_act,
    review_act,
};
pub use publish::{publication_act, publication_act_of, PublicationAct};
pub use quick_count::{
    DrawnStation, Happened, PvtStep, QuickCount, QuickCounts, ReportFault, ReportStanding,
    StationReports, Step, StepAct, FRAME_CHUNK, MAX_REASON,
};
pub use register::{answering_unit, Parent, Register};
pub use replay::{publication, replay, Pushed, Replayed, Replayer};
pub use running::Reread;
pub use staff::{digest, Act, Role, Signing, Staff, StaffAct, StaffRules, CONSOLE};
pub use standing::{is_protocol, Standing, StandingError};
pub use status::{status_of, Status, StatusTrack};
pub use times::Time;
pub use versions::{compare, versions, Version};
pub use wire::decode;

//! What the desk says after an act: the act's handler returns to the desk with
//! `?done=KIND&id=N`, and the desk says it in the reader's language. An unknown kind says
//! nothing (the query is the reader's to type).

use maud::{html, Markup};
use ui::{Lang, T};

/// An act the desk reports after it is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Act {
    Entered,
    Verified,
    Rejected,
    Decided,
    Complained,
    Certified,
    AuditStarted,
    Round,
    Recorded,
    Escalated,
    Targeted,
    TargetCounted,
    Overridden,
    Resolved,
    Intake,
    Reviewed,
    Approved,
    Disabled,
    Assigned,
    Boards,
    SignedOff,
    BoardComplete,
    Reported,
    Supervised,
    Incident,
    IncidentStatus,
}

impl Act {
    const ALL: [Act; 26] = [
        Act::Entered,
        Act::Verified,
        Act::Rejected,
        Act::Decided,
        Act::Complained,
        Act::Certified,
        Act::AuditStarted,
        Act::Round,
        Act::Recorded,
        Act::Escalated,
        Act::Targeted,
        Act::TargetCounted,
        Act::Overridden,
        Act::Resolved,
        Act::Intake,
        Act::Reviewed,
        Act::Approved,
        Act::Disabled,
        Act::Assigned,
        Act::Boards,
        Act::SignedOff,
        Act::BoardComplete,
        Act::Reported,
        Act::Supervised,
        Act::Incident,
        Act::IncidentStatus,
    ];

    /// The act's key in the desk's address (`done=audit-started`).
    pub fn key(self) -> &'static str {
        match self {
            Act::Entered => "entered",
            Act::Verified => "verified",
            Act::Rejected => "rejected",
            Act::Decided => "decided",
            Act::Complained => "complained",
            Act::Certified => "certified",
            Act::AuditStarted => "audit-started",
            Act::Round => "round",
            Act::Recorded => "recorded",
            Act::Escalated => "escalated",
            Act::Targeted => "targeted",
            Act::TargetCounted => "target-counted",
            Act::Overridden => "overridden",
            Act::Resolved => "resolved",
            Act::Intake => "intake",
            Act::Reviewed => "reviewed",
            Act::Approved => "approved",
            Act::Disabled => "disabled",
            Act::Assigned => "assigned",
            Act::Boards => "boards",
            Act::SignedOff => "signed-off",
            Act::BoardComplete => "board-complete",
            Act::Reported => "reported",
            Act::Supervised => "supervised",
            Act::Incident => "incident",
            Act::IncidentStatus => "incident-status",
        }
    }

    fn parse(key: &str) -> Option<Act> {
        Act::ALL.into_iter().find(|a| a.key() == key)
    }

    /// What the desk says: the term, with `{id}` the entry, round or log index.
    fn term(self) -> T {
        match self {
            Act::Entered => T::DeskDoneEntered,
            Act::Verified => T::DeskDoneVerified,
            Act::Rejected => T::DeskDoneRejected,
            Act::Decided => T::DeskDoneDecided,
            Act::Complained => T::DeskDoneComplained,
            Act::Certified => T::DeskDoneCertified,
            Act::AuditStarted => T::DeskDoneAuditStarted,
            Act::Round => T::DeskDoneRound,
            Act::Recorded => T::DeskDoneRecorded,
            Act::Escalated => T::DeskDoneEscalated,
            Act::Targeted => T::DeskDoneTargeted,
            Act::TargetCounted => T::DeskDoneTargetCounted,
            Act::Overridden => T::DeskDoneOverridden,
            Act::Resolved => T::DeskDoneResolved,
            Act::Intake => T::DeskDoneIntake,
            Act::Reviewed => T::DeskDoneReviewed,
            Act::Approved => T::DeskDoneApproved,
            Act::Disabled => T::DeskDoneDisabled,
            Act::Assigned => T::DeskDoneAssigned,
            Act::Boards => T::DeskDoneBoards,
            Act::SignedOff => T::DeskDoneSignedOff,
            Act::BoardComplete => T::DeskDoneBoardComplete,
            Act::Reported => T::DeskDoneReported,
            Act::Supervised => T::DeskDoneSupervised,
            Act::Incident => T::DeskDoneIncident,
            Act::IncidentStatus => T::DeskDoneIncidentStatus,
        }
    }
}

/// The desk's query after an act (`?done=...&id=...`).
pub(crate) struct Done {
    done: Option<String>,
    id: Option<i64>,
}

impl Done {
    /// What the desk's query says was done.
    pub fn new(done: Option<String>, id: Option<i64>) -> Done {
        Done { done, id }
    }

    /// The message, if the query names an act.
    pub fn message(&self, l: Lang) -> Option<Markup> {
        let act = Act::parse(self.done.as_deref()?)?;
        let id = self.id.unwrap_or(0).to_string();
        Some(html! {
            p.done role="status" { strong { (l.f(act.term(), &[("id", &id)])) } }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_act_reads_back_and_says_its_id() {
        for act in Act::ALL {
            assert_eq!(Act::parse(act.key()), Some(act));
            let done = Done {
                done: Some(act.key().to_string()),
                id: Some(2441),
            };
            let said = done.message(Lang::Ru).unwrap().into_string();
            let want = !matches!(
                act,
                Act::AuditStarted | Act::Approved | Act::Disabled | Act::SignedOff
            );
            assert_eq!(said.contains("2441"), want, "{said}");
        }
        let unknown = Done {
            done: Some("<b>".into()),
            id: Some(1),
        };
        assert!(unknown.message(Lang::En).is_none());
    }
}

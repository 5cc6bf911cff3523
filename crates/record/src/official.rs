//! The official acts that carry texts, built once for both front doors (the command line's
//! `complain` and `decide`, the service's forms and API): a decision or a complaint entry
//! whose texts enter the log only as salted commitments, and the rows stored beside the log
//! that open them. The salts come from the caller (this crate draws no randomness).

use model::UnitId;

use crate::entry::{committed, Complaint, Decision};
use crate::RecordError;

/// A stored content row: (commitment, salt hex, text).
pub type ContentRow = (String, String, String);

/// The kinds of decision a commission takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionKind {
    /// Annul every station in or under a unit.
    AnnulUnit,
    /// Annul the whole election.
    AnnulElection,
    /// Order a recount in a unit.
    Recount,
    /// Order a re-vote in a unit.
    Revote,
    /// Reopen a certified or annulled election.
    Reopen,
}

impl DecisionKind {
    /// Every kind.
    pub const ALL: [DecisionKind; 5] = [
        DecisionKind::AnnulUnit,
        DecisionKind::AnnulElection,
        DecisionKind::Recount,
        DecisionKind::Revote,
        DecisionKind::Reopen,
    ];

    /// The kind's key in the log, the API and the forms.
    pub fn key(self) -> &'static str {
        match self {
            DecisionKind::AnnulUnit => "annul-unit",
            DecisionKind::AnnulElection => "annul-election",
            DecisionKind::Recount => "recount",
            DecisionKind::Revote => "revote",
            DecisionKind::Reopen => "reopen",
        }
    }

    /// The kind named `key`; an error listing the kinds otherwise.
    pub fn from_key(key: &str) -> Result<DecisionKind, RecordError> {
        DecisionKind::ALL
            .into_iter()
            .find(|k| k.key() == key)
            .ok_or_else(|| {
                let all: Vec<&str> = DecisionKind::ALL.iter().map(|k| k.key()).collect();
                act_error(
                    "kind",
                    format!(
                        "unknown decision '{key}'; expected one of {}",
                        all.join(", ")
                    ),
                )
            })
    }

    /// Whether a decision of this kind names a unit (the others concern the whole election).
    pub fn names_unit(self) -> bool {
        !matches!(self, DecisionKind::AnnulElection | DecisionKind::Reopen)
    }
}

fn act_error(field: &str, message: String) -> RecordError {
    RecordError::Act {
        field: field.into(),
        message,
    }
}

/// A text an act commits to: not blank, no control character but tabs and line ends.
fn text(field: &str, what: &str, t: &str) -> Result<(), RecordError> {
    if t.trim().is_empty() {
        return Err(act_error(field, format!("{what} is empty")));
    }
    match model::names::text_fault(t) {
        Some(c) => Err(act_error(
            field,
            format!("{what} holds the control character U+{:04X}", c as u32),
        )),
        None => Ok(()),
    }
}

/// A decision of `kind` about `unit` (which the unit kinds need and the others refuse; that
/// it exists is the caller's to check against its election) with its `reason`, committed to
/// with `salt`; the content row that opens the reason.
pub fn decision_act(
    kind: DecisionKind,
    unit: Option<UnitId>,
    reason: &str,
    salt: &[u8; 32],
) -> Result<(Decision, ContentRow), RecordError> {
    text("reason", "the decision's reason", reason)?;
    let unit = match (kind.names_unit(), unit) {
        (true, Some(u)) => u,
        (true, None) => return Err(act_error("unit", format!("'{}' needs a unit", kind.key()))),
        (false, None) => UnitId(0),
        (false, Some(_)) => {
            return Err(act_error(
                "unit",
                format!(
                    "'{}' concerns the whole election: it names no unit",
                    kind.key()
                ),
            ))
        }
    };
    let (reason, row) = committed(salt, reason);
    let decision = match kind {
        DecisionKind::AnnulUnit => Decision::AnnulUnit { unit, reason },
        DecisionKind::AnnulElection => Decision::AnnulElection { reason },
        DecisionKind::Recount => Decision::Recount { unit, reason },
        DecisionKind::Revote => Decision::Revote { unit, reason },
        DecisionKind::Reopen => Decision::Reopen { reason },
    };
    Ok((decision, row))
}

/// A complaint about `unit` by the complainant named `by`, with its `text` and, if a scan is
/// attached, the scan's reference (`sha256:<hex>`); each committed to with its own salt from
/// `salt`; the content rows that open them.
pub fn complaint_act(
    unit: UnitId,
    by: &str,
    complaint: &str,
    scan: Option<&str>,
    salt: &mut dyn FnMut() -> [u8; 32],
) -> Result<(Complaint, Vec<ContentRow>), RecordError> {
    text("text", "the complaint's text", complaint)?;
    text("by", "the complainant's name", by)?;
    let (by, r1) = committed(&salt(), by);
    let (text, r2) = committed(&salt(), complaint);
    let mut rows = vec![r1, r2];
    let scan = scan.map(|s| {
        let (c, r) = committed(&salt(), s);
        rows.push(r);
        c
    });
    Ok((
        Complaint {
            unit,
            by,
            text,
            scan,
        },
        rows,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decision_names_a_unit_exactly_when_its_kind_needs_one() {
        let salt = [7u8; 32];
        for kind in DecisionKind::ALL {
            assert_eq!(DecisionKind::from_key(kind.key()).unwrap(), kind);
            let with = decision_act(kind, Some(UnitId(3)), "why", &salt);
            let without = decision_act(kind, None, "why", &salt);
            assert_eq!(with.is_ok(), kind.names_unit(), "{kind:?} with a unit");
            assert_eq!(without.is_ok(), !kind.names_unit(), "{kind:?} without");
        }
        let e = DecisionKind::from_key("annul").unwrap_err().to_string();
        assert_eq!(
            e,
            "kind: unknown decision 'annul'; expected one of annul-unit, annul-election, recount, revote, reopen"
        );
    }

    #[test]
    fn texts_are_refused_blank_or_with_control_characters() {
        let salt = [7u8; 32];
        let k = DecisionKind::AnnulElection;
        let e = decision_act(k, None, "  ", &salt).unwrap_err().to_string();
        assert_eq!(e, "reason: the decision's reason is empty");
        let e = decision_act(k, None, "a\u{1b}[2J", &salt)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "reason: the decision's reason holds the control character U+001B"
        );
        let mut s = || [1u8; 32];
        let e = complaint_act(UnitId(1), "ann", "", None, &mut s)
            .unwrap_err()
            .to_string();
        assert_eq!(e, "text: the complaint's text is empty");
        let (c, rows) = complaint_act(UnitId(1), "ann", "late", Some("sha256:00"), &mut s).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(c.scan.as_deref(), Some(rows[2].0.as_str()));
        assert_eq!(rows[1].2, "late");
    }
}

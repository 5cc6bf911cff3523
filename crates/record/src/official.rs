//! The official acts that carry texts, built once for both front doors (the command line's
//! `complain` and `decide`, the service's forms and API): a decision or a complaint entry
//! whose texts enter the log only as salted commitments, and the rows stored beside the log
//! that open them. The salts come from the caller (this crate draws no randomness).

use model::UnitId;

use crate::entry::{committed, Complaint, Decision, Review};
use crate::kinds::{parse_key, ComplaintCategory, ComplaintStatus, Content, DecisionKind};
use crate::RecordError;

/// The decision kind named `key`; an error listing the kinds otherwise.
pub fn decision_kind(key: &str) -> Result<DecisionKind, RecordError> {
    parse_key::<DecisionKind>(key).map_err(|e| act_error("kind", format!("unknown decision {e}")))
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
) -> Result<(Decision, Content), RecordError> {
    text("reason", "the decision's reason", reason)?;
    let unit = match (kind.has_unit(), unit) {
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
    Ok((Decision::new(kind, unit, reason), row))
}

/// The complaint category named `key`; an error listing the categories otherwise.
pub fn complaint_category(key: &str) -> Result<ComplaintCategory, RecordError> {
    parse_key::<ComplaintCategory>(key)
        .map_err(|e| act_error("category", format!("unknown category {e}")))
}

/// The complaint status named `key`; an error listing the statuses otherwise.
pub fn complaint_status(key: &str) -> Result<ComplaintStatus, RecordError> {
    parse_key::<ComplaintStatus>(key)
        .map_err(|e| act_error("status", format!("unknown status {e}")))
}

/// The reason a staff act gives (an override of a quarantine, a resolution of a double
/// entry, a rejection, a certification while complaints are open), committed to with
/// `salt`; the content row that opens it. `field` names the form's field in an error.
pub fn reason_act(
    field: &str,
    reason: &str,
    salt: &[u8; 32],
) -> Result<(String, Content), RecordError> {
    text(field, "the reason", reason)?;
    Ok(committed(salt, reason))
}

/// A commissioner's review of the complaint logged at entry `complaint`: its new `status`,
/// with the `reason` committed to with `salt`, and the decision entry answering it if any
/// (whether the log allows it is the register's to say: `crate::Register::check`).
pub fn review_act(
    complaint: u64,
    status: ComplaintStatus,
    reason: &str,
    decision: Option<u64>,
    salt: &[u8; 32],
) -> Result<(Review, Content), RecordError> {
    if status == ComplaintStatus::Received {
        return Err(act_error(
            "status",
            "a complaint is received when it is filed".into(),
        ));
    }
    let (reason, row) = reason_act("reason", reason, salt)?;
    Ok((
        Review {
            complaint,
            status,
            reason,
            decision,
        },
        row,
    ))
}

/// A complaint about `unit` in `category` by the complainant named `by`, with its `text`
/// and, if a scan is attached, the scan's reference (`sha256:<hex>`); each committed to with
/// its own salt from `salt`; the content rows that open them.
pub fn complaint_act(
    unit: UnitId,
    category: Option<ComplaintCategory>,
    by: &str,
    complaint: &str,
    scan: Option<&str>,
    salt: &mut dyn FnMut() -> [u8; 32],
) -> Result<(Complaint, Vec<Content>), RecordError> {
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
            category,
        },
        rows,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::VariantArray;

    #[test]
    fn a_decision_names_a_unit_exactly_when_its_kind_needs_one() {
        let salt = [7u8; 32];
        for &kind in DecisionKind::VARIANTS {
            assert_eq!(decision_kind(kind.key()).unwrap(), kind);
            let with = decision_act(kind, Some(UnitId(3)), "why", &salt);
            let without = decision_act(kind, None, "why", &salt);
            assert_eq!(with.is_ok(), kind.has_unit(), "{kind:?} with a unit");
            assert_eq!(without.is_ok(), !kind.has_unit(), "{kind:?} without");
        }
        let e = decision_kind("annul").unwrap_err().to_string();
        assert_eq!(
            e,
            "kind: unknown decision 'annul', expected one of: annul-unit, annul-election, recount, revote, reopen"
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
        let e = complaint_act(UnitId(1), None, "ann", "", None, &mut s)
            .unwrap_err()
            .to_string();
        assert_eq!(e, "text: the complaint's text is empty");
        let (c, rows) =
            complaint_act(UnitId(1), None, "ann", "late", Some("sha256:00"), &mut s).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(c.scan.as_deref(), Some(rows[2].commitment.as_str()));
        assert_eq!(rows[1].text, "late");
    }
}

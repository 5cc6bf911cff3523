//! What each staff act logs after its staff entry, checked before the act is appended (the
//! store's one write path): a replay checks the entry that must follow a staff entry
//! ([`crate::StaffRules`]); this checks all of them, so that no act carries entries that are
//! not its own (a decision smuggled in behind a complaint, a final publication behind a
//! preliminary one, a protocol other than the one verified).

use crate::entry::Entry;
use crate::kinds::Stage;
use crate::staff::{Act, StaffAct};
use crate::wire::decode;
use crate::RecordError;

/// Checks that `entries`, encoded, are what `act` logs after its staff entry:
///
/// - `verify`: the protocol entry verified, whose SHA-256 the act names;
/// - `complain`: one complaint; `decide`: one decision;
/// - `certify`: a final publication of every contest in contest order (at least the first),
///   then at most one `keys` entry; `publish` the same with preliminary publications;
/// - `audit`: one or more audit entries, none of them a board's readings or counts;
/// - `sign-off`: nothing (the first member's), or the board's entry it signs off (the
///   second's: same SHA-256);
/// - every other act: nothing.
///
/// The error names the entry's position in the act (0 is the first after the staff entry).
pub fn check_act_entries(staff: &StaffAct, entries: &[Vec<u8>]) -> Result<(), RecordError> {
    let act = staff.kind();
    let decoded = entries
        .iter()
        .enumerate()
        .map(|(i, b)| decode(i as u64, b))
        .collect::<Result<Vec<Entry>, _>>()?;
    // Entry i is of the kind the act logs (`StaffAct::logs`, as the replay checks the first).
    let fits = |i: usize| staff.logs(&decoded[i], &entries[i]);
    let wrong = |i: usize, what: &str| {
        Err(RecordError::Invalid {
            index: i as u64,
            message: format!("the '{}' act logs {what}", act.key()),
        })
    };
    // Exactly one entry that fits: the error names the entry (the second, if more came).
    let one = |what: &str| match decoded.len() {
        1 if fits(0) => Ok(()),
        n => wrong(usize::from(n > 1), what),
    };
    match act {
        Act::Verify => one("the protocol entry it verified (same SHA-256), and nothing else"),
        Act::Complain => one("one complaint"),
        Act::Decide => one("one decision"),
        Act::Review => one("one complaint-status entry"),
        Act::Certify | Act::Publish => {
            let stage = if act == Act::Certify {
                Stage::Final
            } else {
                Stage::Preliminary
            };
            let what = format!(
                "a {} publication of every contest in contest order, then at most a keys entry",
                stage.key()
            );
            // Publications of contests 0, 1, ... in order, then at most a keys entry, last.
            let published = (0..decoded.len())
                .take_while(|&i| {
                    fits(i) && matches!(&decoded[i], Entry::Publication(p) if p.contest == i)
                })
                .count();
            match decoded.get(published) {
                _ if published == 0 => wrong(0, &what),
                None => Ok(()),
                Some(Entry::Keys { .. }) if published + 1 == decoded.len() => Ok(()),
                Some(_) => wrong(published, &what),
            }
        }
        Act::Audit => match (0..decoded.len()).find(|&i| !fits(i)) {
            _ if decoded.is_empty() => wrong(0, "one or more audit entries"),
            Some(i) => wrong(i, "audit entries only"),
            None => Ok(()),
        },
        Act::QuickCount => match (0..decoded.len()).find(|&i| !fits(i)) {
            _ if decoded.is_empty() => wrong(0, "one or more quick count (pvt) entries"),
            Some(i) => wrong(i, "quick count (pvt) entries only"),
            None => Ok(()),
        },
        Act::Supervise => one("one quick count (pvt) review"),
        Act::Incident => one("one incident report"),
        Act::IncidentStatus => one("one incident status"),
        // The first member's sign-off logs nothing more; the second's, the board's entry.
        Act::SignOff => match decoded.len() {
            0 => Ok(()),
            _ => one("at most the board's entry it signs off (same SHA-256)"),
        },
        Act::Enter
        | Act::Reject
        | Act::Redact
        | Act::Grant
        | Act::Assign
        | Act::Open
        | Act::Override
        | Act::Resolve
        | Act::Intake => match decoded.len() {
            0 => Ok(()),
            _ => wrong(0, "nothing after its staff entry"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::{encode, Complaint, Decision, Publication};
    use model::UnitId;

    fn complaint() -> Vec<u8> {
        encode(&Entry::Complaint(Complaint {
            unit: UnitId(1),
            by: "0".repeat(64),
            text: "1".repeat(64),
            scan: None,
            category: None,
        }))
    }

    fn decision() -> Vec<u8> {
        encode(&Entry::Decision(Decision::AnnulElection {
            reason: "2".repeat(64),
        }))
    }

    #[test]
    fn an_act_logs_only_its_own_entries() {
        let (c, d) = (complaint(), decision());
        assert!(check_act_entries(&StaffAct::Complain, std::slice::from_ref(&c)).is_ok());
        assert!(check_act_entries(&StaffAct::Decide, std::slice::from_ref(&d)).is_ok());
        let cases: [(StaffAct, Vec<Vec<u8>>, &str); 5] = [
            (StaffAct::Complain, vec![d.clone()], "entry 0: the 'complain' act logs one complaint"),
            (
                StaffAct::Complain,
                vec![c.clone(), d.clone()],
                "entry 1: the 'complain' act logs one complaint",
            ),
            (StaffAct::Decide, vec![], "entry 0: the 'decide' act logs one decision"),
            (
                StaffAct::Redact {
                    commitment: "c".repeat(64),
                },
                vec![d.clone()],
                "entry 0: the 'redact' act logs nothing after its staff entry",
            ),
            (
                StaffAct::Certify { reason: None },
                vec![c.clone()],
                "entry 0: the 'certify' act logs a final publication of every contest in contest order, then at most a keys entry",
            ),
        ];
        for (act, entries, want) in cases {
            let e = check_act_entries(&act, &entries).unwrap_err();
            assert_eq!(e.to_string(), want, "{act:?}");
        }
        let e = check_act_entries(&StaffAct::Audit, &[]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "entry 0: the 'audit' act logs one or more audit entries"
        );
        let e = check_act_entries(
            &StaffAct::Verify {
                protocol: "00".into(),
            },
            &[b"\x01{".to_vec()],
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("entry 0: "), "{e}");
    }

    fn publication(stage: Stage, contest: usize) -> Vec<u8> {
        encode(&Entry::Publication(Publication {
            stage,
            contest,
            stations_counted: 1,
            votes: vec![3, 4],
            valid: Some(7),
            invalid: Some(0),
            seats: None,
        }))
    }

    #[test]
    fn a_publication_act_publishes_every_contest_in_order_at_its_own_stage() {
        let keys = encode(&Entry::Keys {
            log: vec!["k".into()],
            witnesses: vec![],
        });
        let (f0, f1) = (publication(Stage::Final, 0), publication(Stage::Final, 1));
        let p0 = publication(Stage::Preliminary, 0);
        assert!(check_act_entries(
            &StaffAct::Certify { reason: None },
            &[f0.clone(), f1.clone()]
        )
        .is_ok());
        assert!(check_act_entries(
            &StaffAct::Certify { reason: None },
            &[f0.clone(), keys.clone()]
        )
        .is_ok());
        assert!(check_act_entries(&StaffAct::Publish, &[p0.clone(), keys.clone()]).is_ok());
        for (act, entries, at) in [
            (StaffAct::Publish, vec![f0.clone()], 0),
            (StaffAct::Certify { reason: None }, vec![p0.clone()], 0),
            (
                StaffAct::Certify { reason: None },
                vec![f1.clone(), f0.clone()],
                0,
            ),
            (
                StaffAct::Certify { reason: None },
                vec![f0.clone(), f0.clone()],
                1,
            ),
            (StaffAct::Certify { reason: None }, vec![keys.clone()], 0),
            (
                StaffAct::Certify { reason: None },
                vec![f0.clone(), keys.clone(), f1.clone()],
                1,
            ),
        ] {
            let e = check_act_entries(&act, &entries).unwrap_err();
            assert!(
                e.to_string()
                    .starts_with(&format!("entry {at}: the '{}' act logs", act.key())),
                "{e}"
            );
        }
    }
}

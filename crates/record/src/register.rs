//! The complaint register's rules, once for the replay and the store: every complaint is
//! received when filed; a commissioner's review (a `complaint-status` entry) moves it forward
//! with a reason, and may name the decision that answers it; a certification while complaints
//! are open needs a reason of its own (`docs/log-format.md`, "complaint-status").

use std::collections::{BTreeMap, HashSet};

use crate::entry::{Entry, Review};
use crate::kinds::ComplaintStatus;

/// The complaints and decisions of a log so far, by entry index.
#[derive(Debug, Clone, Default)]
pub struct Register {
    /// Each complaint's entry index and its status.
    complaints: BTreeMap<u64, ComplaintStatus>,
    /// The decision entries' indices.
    decisions: HashSet<u64>,
}

impl Register {
    /// A register of these complaints (entry index, status) and decisions (entry indices):
    /// what a store keeps of its log's, to check an act against without replaying the log.
    pub fn from_parts(
        complaints: impl IntoIterator<Item = (u64, ComplaintStatus)>,
        decisions: impl IntoIterator<Item = u64>,
    ) -> Register {
        Register {
            complaints: complaints.into_iter().collect(),
            decisions: decisions.into_iter().collect(),
        }
    }

    /// Notes entry `index` (a complaint, a decision, a review); a review is checked first.
    pub fn push(&mut self, index: u64, entry: &Entry) -> Result<(), String> {
        match entry {
            Entry::Complaint(_) => {
                self.complaints.insert(index, ComplaintStatus::Received);
            }
            Entry::Decision(_) => {
                self.decisions.insert(index);
            }
            Entry::Review(r) => {
                self.check(r)?;
                self.complaints.insert(r.complaint, r.status);
            }
            _ => {}
        }
        Ok(())
    }

    /// Why review `r` may not come now, if it may not: it names a complaint of this log, moves
    /// it forward, and names as its answer only a decision of this log, and only when upheld
    /// or under review.
    pub fn check(&self, r: &Review) -> Result<(), String> {
        let from = self.status(r.complaint).ok_or_else(|| {
            format!(
                "complaint: entry {} is not a complaint of this log",
                r.complaint
            )
        })?;
        from.may_become(r.status)
            .map_err(|m| format!("status: {m}"))?;
        if let Some(d) = r.decision {
            if !self.decisions.contains(&d) {
                return Err(format!("decision: entry {d} is not a decision of this log"));
            }
            if r.status == ComplaintStatus::Dismissed {
                return Err("decision: a dismissed complaint is answered by no decision".into());
            }
        }
        Ok(())
    }

    /// The status of the complaint logged at `index`, if there is one.
    pub fn status(&self, index: u64) -> Option<ComplaintStatus> {
        self.complaints.get(&index).copied()
    }

    /// The complaints still open (received or under review), by entry index.
    pub fn open(&self) -> Vec<u64> {
        self.complaints
            .iter()
            .filter(|(_, s)| s.is_open())
            .map(|(i, _)| *i)
            .collect()
    }

    /// Why a certification may not go ahead, if it may not: while complaints are open it
    /// gives a reason (`reasoned`).
    pub fn may_certify(&self, reasoned: bool) -> Result<(), String> {
        let open = self.open();
        match (open.first(), reasoned) {
            (Some(first), false) => Err(format!(
                "{} complaint(s) still open (the first is entry {first}): decide them, or \
                 certify giving the reason to certify while they are open",
                open.len()
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::{Complaint, Decision};
    use model::UnitId;

    fn review(complaint: u64, status: ComplaintStatus, decision: Option<u64>) -> Entry {
        Entry::Review(Review {
            complaint,
            status,
            reason: "r".into(),
            decision,
        })
    }

    #[test]
    fn a_complaint_moves_forward_and_holds_certification_while_open() {
        use ComplaintStatus::{Dismissed, Received, UnderReview, Upheld};
        let mut r = Register::default();
        let c = Entry::Complaint(Complaint {
            unit: UnitId(3),
            by: "b".into(),
            text: "t".into(),
            scan: None,
            category: None,
        });
        r.push(4, &c).unwrap();
        r.push(6, &c).unwrap();
        r.push(5, &Entry::Decision(Decision::Reopen { reason: "x".into() }))
            .unwrap();
        assert!(r
            .may_certify(false)
            .unwrap_err()
            .starts_with("2 complaint(s) still open (the first is entry 4)"));
        assert_eq!(r.may_certify(true), Ok(()));
        let refused = [
            (
                review(3, UnderReview, None),
                "complaint: entry 3 is not a complaint of this log",
            ),
            (
                review(4, Received, None),
                "status: a complaint is received when it is filed",
            ),
            (
                review(4, Upheld, Some(4)),
                "decision: entry 4 is not a decision of this log",
            ),
            (
                review(4, Dismissed, Some(5)),
                "decision: a dismissed complaint is answered by no decision",
            ),
        ];
        for (e, why) in refused {
            assert_eq!(r.push(9, &e), Err(why.to_string()));
        }
        r.push(7, &review(4, UnderReview, None)).unwrap();
        assert_eq!(
            r.push(8, &review(4, UnderReview, None)),
            Err("status: the complaint is already under review".into())
        );
        r.push(8, &review(4, Upheld, Some(5))).unwrap();
        r.push(9, &review(6, Dismissed, None)).unwrap();
        assert_eq!(r.status(4), Some(Upheld));
        assert_eq!(
            r.push(10, &review(6, Upheld, None)),
            Err("status: the complaint was dismissed already: that status is final".into())
        );
        assert_eq!(r.open(), Vec::<u64>::new());
        assert_eq!(r.may_certify(false), Ok(()));
    }
}

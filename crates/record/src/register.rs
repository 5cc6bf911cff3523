//! The complaint register's rules, once for the replay and the store: every complaint is
//! received when filed; a commissioner's review (a `complaint-status` entry) moves it forward
//! with a reason, and may name the decision that answers it; a certification while complaints
//! are open needs a reason of its own (`docs/log-format.md`, "complaint-status").

use std::collections::{BTreeMap, HashMap};

use model::UnitId;

use crate::entry::{Decision, Entry, Review};
use crate::kinds::{ComplaintStatus, DecisionKind};

/// A unit's parent, none for the country (or a unit the tree does not have).
pub type Parent<'a> = &'a dyn Fn(UnitId) -> Option<UnitId>;

/// The complaints and decisions of a log so far, by entry index.
#[derive(Debug, Clone, Default)]
pub struct Register {
    /// Each complaint's entry index and its status.
    complaints: BTreeMap<u64, ComplaintStatus>,
    /// The decision entries' indices.
    decisions: Vec<u64>,
    /// The unit of each complaint and decision, by entry index (a store's register: of those
    /// an act names); none for a reopening, which answers no complaint.
    units: HashMap<u64, Option<UnitId>>,
}

impl Register {
    /// A register of these complaints (entry index, status) and decisions (entry indices),
    /// with the units of the complaints and decisions known (entry index, unit): what a store
    /// keeps of its log's, to check an act against without replaying the log.
    pub fn from_parts(
        complaints: impl IntoIterator<Item = (u64, ComplaintStatus)>,
        decisions: impl IntoIterator<Item = u64>,
        units: impl IntoIterator<Item = (u64, Option<UnitId>)>,
    ) -> Register {
        Register {
            complaints: complaints.into_iter().collect(),
            decisions: decisions.into_iter().collect(),
            units: units.into_iter().collect(),
        }
    }

    /// The register of a log's entries (with their indices; only complaints, their reviews
    /// and decisions are read), each review checked as the replay checks it.
    pub fn of_log<'a>(
        e: &model::Election,
        entries: impl IntoIterator<Item = (u64, &'a [u8])>,
    ) -> Result<Register, crate::RecordError> {
        let parent = |u: UnitId| {
            (u.index() < e.units.len())
                .then(|| e.units.get(u).parent)
                .flatten()
        };
        let mut out = Register::default();
        for (i, bytes) in entries {
            if !(bytes.starts_with(b"\x01{\"type\":\"complaint")
                || bytes.starts_with(b"\x01{\"type\":\"decision\""))
            {
                continue;
            }
            let entry = crate::decode(i, bytes)?;
            out.push(i, &entry, &parent)
                .map_err(|m| crate::RecordError::Invalid {
                    index: i,
                    message: m,
                })?;
        }
        Ok(out)
    }

    /// Notes entry `index` (a complaint, a decision, a review); a review is checked first,
    /// with `parent` giving the election's units' parents.
    pub fn push(&mut self, index: u64, entry: &Entry, parent: Parent<'_>) -> Result<(), String> {
        match entry {
            Entry::Complaint(c) => {
                self.complaints.insert(index, ComplaintStatus::Received);
                self.units.insert(index, Some(c.unit));
            }
            Entry::Decision(d) => {
                self.decisions.push(index);
                self.units.insert(index, answering_unit(d));
            }
            Entry::Review(r) => {
                self.check(r, parent)?;
                self.complaints.insert(r.complaint, r.status);
            }
            _ => {}
        }
        Ok(())
    }

    /// Why review `r` may not come now, if it may not: it names a complaint of this log, moves
    /// it forward, and names as its answer only a decision of this log about the complaint's
    /// unit, a unit above it or one below it (`parent` gives a unit's parent), and only when
    /// upheld or under review.
    pub fn check(&self, r: &Review, parent: Parent<'_>) -> Result<(), String> {
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
            match (self.units.get(&r.complaint), self.units.get(&d)) {
                (_, Some(None)) => {
                    return Err(format!(
                        "decision: entry {d} reopens the election, which answers no complaint"
                    ))
                }
                (Some(&Some(c)), Some(&Some(u))) if related(c, u, parent) => {}
                _ => {
                    return Err(format!(
                        "decision: entry {d} decides about another unit than the complaint's \
                         (entry {}), a unit above it or one below it",
                        r.complaint
                    ))
                }
            }
        }
        Ok(())
    }

    /// The unit of the complaint or decision logged at `index`, if known.
    pub fn unit(&self, index: u64) -> Option<UnitId> {
        self.units.get(&index).copied().flatten()
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

/// The unit about which decision `d` may answer a complaint: its own (the country for the
/// annulment of the election); none for a reopening.
pub fn answering_unit(d: &Decision) -> Option<UnitId> {
    (d.kind() != DecisionKind::Reopen).then(|| d.unit())
}

/// Whether one of units `a` and `b` is the other or under it.
fn related(a: UnitId, b: UnitId, parent: Parent<'_>) -> bool {
    // A parent's id is lower than its child's: each walk ends.
    let under = |mut x: UnitId, top: UnitId| loop {
        if x == top {
            return true;
        }
        match parent(x) {
            Some(p) if p < x => x = p,
            _ => return false,
        }
    };
    under(a, b) || under(b, a)
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
        // A country (0) whose units 1 to 9 are all directly under it, but 3 under 2.
        let flat = |u: UnitId| match u.0 {
            0 => None,
            3 => Some(UnitId(2)),
            _ => Some(UnitId(0)),
        };
        let parent: Parent<'_> = &flat;
        let c = Entry::Complaint(Complaint {
            unit: UnitId(3),
            by: "b".into(),
            text: "t".into(),
            scan: None,
            category: None,
        });
        r.push(4, &c, parent).unwrap();
        r.push(6, &c, parent).unwrap();
        r.push(
            5,
            &Entry::Decision(Decision::Reopen { reason: "x".into() }),
            parent,
        )
        .unwrap();
        let recount = |unit: u32| {
            Entry::Decision(Decision::Recount {
                unit: UnitId(unit),
                reason: "x".into(),
            })
        };
        r.push(11, &recount(1), parent).unwrap();
        r.push(12, &recount(2), parent).unwrap();
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
            // A recount of another region answers no complaint about station 3.
            (
                review(4, Upheld, Some(11)),
                "decision: entry 11 decides about another unit than the complaint's (entry 4), \
                 a unit above it or one below it",
            ),
        ];
        for (e, why) in refused {
            assert_eq!(r.push(9, &e, parent), Err(why.to_string()));
        }
        r.push(7, &review(4, UnderReview, None), parent).unwrap();
        assert_eq!(
            r.push(8, &review(4, UnderReview, None), parent),
            Err("status: the complaint is already under review".into())
        );
        // The recount of the region above it does, as does a decision about the country.
        assert_eq!(
            r.push(8, &review(6, UnderReview, Some(5)), parent),
            Err("decision: entry 5 reopens the election, which answers no complaint".into())
        );
        r.push(
            13,
            &Entry::Decision(Decision::AnnulElection { reason: "x".into() }),
            parent,
        )
        .unwrap();
        r.push(8, &review(6, UnderReview, Some(13)), parent)
            .unwrap();
        r.push(8, &review(4, Upheld, Some(12)), parent).unwrap();
        r.push(9, &review(6, Dismissed, None), parent).unwrap();
        assert_eq!(r.status(4), Some(Upheld));
        assert_eq!(
            r.push(10, &review(6, Upheld, None), parent),
            Err("status: the complaint was dismissed already: that status is final".into())
        );
        assert_eq!(r.open(), Vec::<u64>::new());
        assert_eq!(r.may_certify(false), Ok(()));
    }
}

//! The complaint register as the log says it (`docs/log-format.md`, "complaint" and
//! "complaint-status"): each complaint with its unit, category, text and attachment (as
//! commitments: the store opens what is public), its status and every review of it, kept
//! entry by entry; and the decisions a review may name as the complaint's answer.

use model::UnitId;
use record::{Complaint, ComplaintCategory, ComplaintStatus, DecisionKind, Review, Time};

/// A complaint in the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filed {
    /// Its entry in the log.
    pub index: u64,
    /// When it was filed (its staff entry's time), if the log says.
    pub at: Option<Time>,
    /// The unit it is about.
    pub unit: UnitId,
    /// What it is about; none in complaints filed before categories.
    pub category: Option<ComplaintCategory>,
    /// The commitment to its text.
    pub text: String,
    /// The commitment to its attachment, if any.
    pub scan: Option<String>,
    /// Where it stands.
    pub status: ComplaintStatus,
    /// Its reviews, oldest first.
    pub reviews: Vec<Reviewed>,
}

/// A review of a complaint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reviewed {
    /// Its entry in the log.
    pub index: u64,
    /// When (its staff entry's time), if the log says.
    pub at: Option<Time>,
    /// The status it gave.
    pub status: ComplaintStatus,
    /// The commitment to its reason.
    pub reason: String,
    /// The decision entry that answers the complaint, if it named one.
    pub decision: Option<u64>,
    /// That decision's unit (where its entry is shown).
    pub decision_unit: Option<UnitId>,
}

/// A decision of the log: its entry, kind and unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decided {
    /// Its entry in the log.
    pub index: u64,
    /// What it decided.
    pub kind: DecisionKind,
    /// The unit (the country for the whole election).
    pub unit: UnitId,
}

/// A certification that went ahead while complaints were open, with the commission's reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertifiedOver {
    /// The `certify` staff entry.
    pub index: u64,
    /// When (its staff entry's time), if the log says.
    pub at: Option<Time>,
    /// The commitment to its reason.
    pub reason: String,
    /// The complaints open then, by entry index.
    pub open: Vec<u64>,
}

/// The register of one election.
#[derive(Debug, Clone, Default)]
pub(crate) struct Register {
    pub(crate) complaints: Vec<Filed>,
    pub(crate) decisions: Vec<Decided>,
    /// Every certification made while complaints were open, in log order.
    pub(crate) certified_over: Vec<CertifiedOver>,
}

impl Register {
    /// Notes complaint `c`, logged at `index` at time `at`.
    pub(crate) fn filed(&mut self, index: u64, at: Option<Time>, c: &Complaint) {
        self.complaints.push(Filed {
            index,
            at,
            unit: c.unit,
            category: c.category,
            text: c.text.clone(),
            scan: c.scan.clone(),
            status: ComplaintStatus::Received,
            reviews: Vec::new(),
        });
    }

    /// Notes review `r`, logged at `index` at time `at` (the replay checked it).
    pub(crate) fn reviewed(&mut self, index: u64, at: Option<Time>, r: &Review) {
        let decision_unit = r
            .decision
            .and_then(|d| self.decisions.iter().find(|x| x.index == d))
            .map(|x| x.unit);
        if let Some(c) = self.complaints.iter_mut().find(|c| c.index == r.complaint) {
            c.status = r.status;
            c.reviews.push(Reviewed {
                index,
                at,
                status: r.status,
                reason: r.reason.clone(),
                decision: r.decision,
                decision_unit,
            });
        }
    }

    /// Notes a certification, logged at `index` at time `at` with the commitment to its
    /// reason, if it gave one: kept if complaints were open.
    pub(crate) fn certified(&mut self, index: u64, at: Option<Time>, reason: Option<&str>) {
        let open: Vec<u64> = self
            .complaints
            .iter()
            .filter(|c| c.status.is_open())
            .map(|c| c.index)
            .collect();
        if let (Some(reason), false) = (reason, open.is_empty()) {
            self.certified_over.push(CertifiedOver {
                index,
                at,
                reason: reason.to_string(),
                open,
            });
        }
    }

    /// Notes a decision.
    pub(crate) fn decided(&mut self, index: u64, kind: DecisionKind, unit: UnitId) {
        self.decisions.push(Decided { index, kind, unit });
    }
}

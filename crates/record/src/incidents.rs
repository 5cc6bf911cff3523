//! Incident reports in the log (`docs/log-format.md`, "incident", revision 9): what observers
//! saw happen where and when (vote buying, carousel voting, pressure on observers...), each
//! logged by the reporter's own `incident` act (the reporter is only the act's user, a
//! commitment), its place and time as public as the reporter chose (a station and a minute,
//! or coarsened to its district and the hour, with a commitment to the exact ones), its text
//! and photos as commitments; and the statuses supervisors give them with a public reason.

use model::{Election, UnitId, UnitLevel};

use crate::kinds::IncidentStatus;
use crate::quick_count::StepAct;
use crate::staff::Act;
use crate::{RecordError, Time, MAX_REASON};

/// The most photos one incident report cites.
pub const MAX_PHOTOS: usize = 5;

/// The categories a deployment offers by default (a deployment may offer others: any key of
/// 1 to 40 lower-case letters, digits and `-`).
pub const DEFAULT_CATEGORIES: [&str; 8] = [
    "vote-buying",
    "carousel-voting",
    "ballot-stuffing",
    "multiple-voting",
    "pressure-or-violence",
    "obstruction-of-observers",
    "campaigning-at-station",
    "other",
];

/// A step of an incident's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncidentStep {
    /// An observer's report.
    Report {
        /// What kind of incident (a category key).
        category: String,
        /// Where: a station, or the unit it was coarsened to.
        unit: UnitId,
        /// When, UTC: `YYYY-MM-DD HH:MM`, or `YYYY-MM-DD HH` coarsened to the hour.
        time: String,
        /// Where coarsened, a commitment to the exact station and minute (never published).
        exact: Option<String>,
        /// Commitment to the report's text.
        text: String,
        /// Commitments to the photos (each `sha256:<hex>` of the stored, metadata-free file).
        photos: Vec<String>,
    },
    /// A supervisor's status for a report, with the reason (public: it names no one).
    Status {
        /// The report, by its entry's index.
        incident: u64,
        /// Its new status.
        status: IncidentStatus,
        /// Why.
        reason: String,
    },
}

impl IncidentStep {
    /// The step's name in the log.
    pub fn key(&self) -> &'static str {
        match self {
            IncidentStep::Report { .. } => "report",
            IncidentStep::Status { .. } => "status",
        }
    }
}

/// An incident as the log leaves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    /// Its report's entry index.
    pub index: u64,
    /// Who reported it (the act's user: a commitment).
    pub by: String,
    /// When it was reported (the act's time).
    pub reported_at: Option<Time>,
    /// What kind.
    pub category: String,
    /// Where (a station, or the unit it was coarsened to).
    pub unit: UnitId,
    /// When, as the report gives it.
    pub time: String,
    /// The start of that minute or hour.
    pub at: Time,
    /// Whether its place or time was coarsened (its `exact` commitment given).
    pub coarsened: bool,
    /// Commitment to its text.
    pub text: String,
    /// Commitments to its photos.
    pub photos: Vec<String>,
    /// Its status now.
    pub status: IncidentStatus,
    /// Every status given, in log order: (entry index, status, reason, time).
    pub history: Vec<(u64, IncidentStatus, String, Option<Time>)>,
}

/// The incidents of a log, checked step by step.
#[derive(Debug, Clone, Default)]
pub struct Incidents {
    list: Vec<Incident>,
}

fn field(index: u64, name: &str, message: impl Into<String>) -> RecordError {
    RecordError::Field {
        index,
        field: name.into(),
        message: message.into(),
    }
}

/// Whether `c` is a commitment: 64 lower-case hex digits.
fn is_commitment(c: &str) -> bool {
    c.len() == 64 && c.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Whether `key` is a category key: 1 to 40 lower-case ASCII letters, digits and `-`.
pub fn is_category(key: &str) -> bool {
    (1..=40).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl Incidents {
    /// Checks step `index` against the incidents logged before it, and takes it:
    /// * `report`: logged by an `incident` act (its user the reporter); a category key; a unit
    ///   of the election other than the country; a time to the minute or the hour that
    ///   exists and is not after the act's own; `exact` a commitment or null, given only for
    ///   a report coarsened (to the hour, or to a unit above the stations); the text a
    ///   commitment; at most [`MAX_PHOTOS`] photos, commitments, none twice;
    /// * `status`: logged by an `incident-status` act; of a report of this log; another status
    ///   than its current one; a reason of 1 to [`MAX_REASON`] characters of text.
    pub fn check(
        &mut self,
        index: u64,
        e: &Election,
        step: IncidentStep,
        act: Option<&StepAct>,
    ) -> Result<(), RecordError> {
        let wanted = match step {
            IncidentStep::Report { .. } => Act::Incident,
            IncidentStep::Status { .. } => Act::IncidentStatus,
        };
        let act = act.filter(|a| a.act == wanted).ok_or_else(|| {
            field(
                index,
                "step",
                format!(
                    "an incident's {} is logged by an '{}' act",
                    step.key(),
                    wanted.key()
                ),
            )
        })?;
        match step {
            IncidentStep::Report {
                category,
                unit,
                time,
                exact,
                text,
                photos,
            } => {
                if !is_category(&category) {
                    return Err(field(
                        index,
                        "category",
                        format!("'{category}': 1 to 40 lower-case letters, digits and '-'"),
                    ));
                }
                if unit.index() >= e.units.len() || unit == e.units.root() {
                    return Err(field(
                        index,
                        "unit",
                        format!("{}: no unit of the election below the country", unit.0),
                    ));
                }
                let (at, hourly) = Time::parse_minute(&time).ok_or_else(|| {
                    field(
                        index,
                        "time",
                        format!("'{time}': a time 'YYYY-MM-DD HH:MM' or 'YYYY-MM-DD HH' (UTC)"),
                    )
                })?;
                if act.time.is_some_and(|t| at > t) {
                    return Err(field(
                        index,
                        "time",
                        format!("{time}: after the report itself"),
                    ));
                }
                let coarse = hourly || e.units.get(unit).level != UnitLevel::Station;
                match &exact {
                    Some(c) if !is_commitment(c) => {
                        return Err(field(index, "exact", "a commitment: 64 lower-case hex digits"))
                    }
                    Some(_) if !coarse => {
                        return Err(field(
                            index,
                            "exact",
                            "only a report coarsened (to the hour, or above its station) commits to the exact place and time",
                        ))
                    }
                    _ => {}
                }
                if !is_commitment(&text) {
                    return Err(field(
                        index,
                        "text",
                        "a commitment: 64 lower-case hex digits",
                    ));
                }
                if photos.len() > MAX_PHOTOS {
                    return Err(field(
                        index,
                        "photos",
                        format!("{} photos: at most {MAX_PHOTOS}", photos.len()),
                    ));
                }
                for (k, p) in photos.iter().enumerate() {
                    if !is_commitment(p) || photos[..k].contains(p) {
                        return Err(field(
                            index,
                            &format!("photos[{k}]"),
                            "a commitment (64 lower-case hex digits), each once",
                        ));
                    }
                }
                self.list.push(Incident {
                    index,
                    by: act.user.clone(),
                    reported_at: act.time,
                    category,
                    unit,
                    time,
                    at,
                    coarsened: exact.is_some(),
                    text,
                    photos,
                    status: IncidentStatus::Citizen,
                    history: Vec::new(),
                });
            }
            IncidentStep::Status {
                incident,
                status,
                reason,
            } => {
                let i = self
                    .list
                    .binary_search_by_key(&incident, |x| x.index)
                    .map_err(|_| {
                        field(
                            index,
                            "incident",
                            format!("entry {incident} is no incident report of this log"),
                        )
                    })?;
                if reason.trim().is_empty()
                    || reason.chars().count() > MAX_REASON
                    || model::names::text_fault(&reason).is_some()
                {
                    return Err(field(
                        index,
                        "reason",
                        format!("a reason is text of 1 to {MAX_REASON} characters, with no control characters"),
                    ));
                }
                let x = &mut self.list[i];
                if x.status == status {
                    return Err(field(
                        index,
                        "status",
                        format!("the incident is '{}' already", status.key()),
                    ));
                }
                x.status = status;
                x.history.push((index, status, reason, act.time));
            }
        }
        Ok(())
    }

    /// Every incident of the log, in log order.
    pub fn list(&self) -> &[Incident] {
        &self.list
    }
}

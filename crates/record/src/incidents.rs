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
                    .status_fault(incident, status, &reason)
                    .map_err(|(f, m)| field(index, f, m))?;
                let x = &mut self.list[i];
                x.status = status;
                x.history.push((index, status, reason, act.time));
            }
        }
        Ok(())
    }

    /// Whether report `incident` may be given `status` for `reason` now: its position in
    /// the list, or the field at fault and why (the report is one of this log; the status is
    /// another than its own; the reason is 1 to [`MAX_REASON`] characters of text). A status
    /// depends on the ones before it: log it only at the log's size it was checked at.
    pub fn status_fault(
        &self,
        incident: u64,
        status: IncidentStatus,
        reason: &str,
    ) -> Result<usize, (&'static str, String)> {
        let i = self
            .list
            .binary_search_by_key(&incident, |x| x.index)
            .map_err(|_| {
                (
                    "incident",
                    format!("entry {incident} is no incident report of this log"),
                )
            })?;
        if reason.trim().is_empty()
            || reason.chars().count() > MAX_REASON
            || model::names::text_fault(reason).is_some()
        {
            return Err((
                "reason",
                format!(
                    "a reason is text of 1 to {MAX_REASON} characters, with no control characters"
                ),
            ));
        }
        if self.list[i].status == status {
            return Err((
                "status",
                format!("the incident is '{}' already", status.key()),
            ));
        }
        Ok(i)
    }

    /// Every incident of the log, in log order.
    pub fn list(&self) -> &[Incident] {
        &self.list
    }
}

/// The longest incident text, in characters.
pub const MAX_TEXT: usize = 5000;

/// An incident as its reporter gives it: the category, the place (a station, or any unit
/// below the country), the time to the minute (`YYYY-MM-DD HH:MM`, UTC), whether to coarsen
/// the place to its district and the time to the hour, the text, and the photos
/// (`sha256:<hex>` of the stored files).
#[derive(Debug, Clone)]
pub struct NewIncident<'a> {
    /// A category key.
    pub category: &'a str,
    /// Where.
    pub unit: UnitId,
    /// When, to the minute.
    pub time: &'a str,
    /// Whether to publish the place only to its district and the time only to the hour.
    pub coarsen: bool,
    /// What happened.
    pub text: &'a str,
    /// The photos.
    pub photos: &'a [String],
}

/// The `report` step of incident `r` in election `e`, and the content rows that open its
/// commitments (the text and photos, public; where coarsened, the exact station and minute,
/// `unit-id YYYY-MM-DD HH:MM`, never published), each with its own salt from `salt`. Refused,
/// naming the field, where the report could not be logged: a category that is no key, a
/// unit that is no unit below the country, a time not to the minute, an empty or overlong
/// text, more photos than [`MAX_PHOTOS`], coarsening of a station right under the country.
pub fn incident_report(
    e: &Election,
    r: &NewIncident<'_>,
    salt: &mut dyn FnMut() -> [u8; 32],
) -> Result<(IncidentStep, Vec<crate::Content>), RecordError> {
    let bad = |f: &str, m: String| RecordError::Act {
        field: f.into(),
        message: m,
    };
    if !is_category(r.category) {
        return Err(bad(
            "category",
            format!(
                "'{}': 1 to 40 lower-case letters, digits and '-'",
                r.category
            ),
        ));
    }
    if r.unit.index() >= e.units.len() || r.unit == e.units.root() {
        return Err(bad(
            "unit",
            format!("{}: no unit of the election below the country", r.unit.0),
        ));
    }
    match Time::parse_minute(r.time) {
        Some((_, false)) => {}
        _ => {
            return Err(bad(
                "time",
                format!(
                    "'{}': a time to the minute, 'YYYY-MM-DD HH:MM' (UTC)",
                    r.time
                ),
            ))
        }
    }
    if r.text.trim().is_empty()
        || r.text.chars().count() > MAX_TEXT
        || model::names::text_fault(r.text).is_some()
    {
        return Err(bad(
            "text",
            format!("1 to {MAX_TEXT} characters of text, with no control characters"),
        ));
    }
    if r.photos.len() > MAX_PHOTOS {
        return Err(bad("photos", format!("at most {MAX_PHOTOS}")));
    }
    let (text, row) = crate::entry::committed(&salt(), r.text);
    let mut rows = vec![row];
    let mut photos = Vec::new();
    for p in r.photos {
        let (c, row) = crate::entry::committed(&salt(), p);
        photos.push(c);
        rows.push(row);
    }
    // Coarsened: the district (the first unit above the station that is one, else the
    // station's parent) and the hour; the exact place and minute only as a commitment. A
    // station right under the country has no such unit: the country is no place to log (the
    // replay refuses it), and the station itself would give away what coarsening hides.
    let (unit, time, exact) = if r.coarsen {
        let mut up = r.unit;
        if e.units.get(up).level == UnitLevel::Station {
            up = e.units.get(up).parent.unwrap_or(up);
        }
        if up == e.units.root() {
            return Err(bad(
                "coarsen",
                format!(
                    "{}: a station right under the country has no district to publish in its place",
                    r.unit.0
                ),
            ));
        }
        let (c, row) = crate::entry::committed(&salt(), &format!("{} {}", r.unit.0, r.time));
        rows.push(row);
        (up, r.time[..13].to_string(), Some(c))
    } else {
        (r.unit, r.time.to_string(), None)
    };
    Ok((
        IncidentStep::Report {
            category: r.category.to_string(),
            unit,
            time,
            exact,
            text,
            photos,
        },
        rows,
    ))
}

//! A quick count in the log (`docs/log-format.md`, "pvt", revision 7): an observer group's
//! frame, its design with the commitment to the seed, the seed revealed, and the observers'
//! reports; and the rules the replay holds them to. The draw and the estimates are the `pvt`
//! crate's: the replay redraws the sample from the logged frame and seed, and recomputes
//! the estimates from the logged reports, as the group's own service does.

use std::collections::{BTreeMap, HashMap, HashSet};

use model::{Election, Protocol, UnitId, UnitLevel};
use pvt::design::{Design, Params};
use pvt::frame::{Counts, Frame, FrameStation};
use pvt::reports::{Estimates, Index, Report, Tally};

use crate::audits::{no_contest, not_a_station};
use crate::kinds::ReviewAction;
use crate::staff::Act;
use crate::{RecordError, Time};

/// The most stations one `frame` step lists (an entry stays under the tiles' 64 KiB).
pub const FRAME_CHUNK: usize = 2000;

/// A step of a quick count.
#[derive(Debug, Clone, PartialEq)]
pub enum PvtStep {
    /// Stations of the frame with their registered voters, in chunks, before the design.
    Frame {
        /// The quick count's name.
        pvt: String,
        /// (station, registered voters).
        stations: Vec<(UnitId, u64)>,
    },
    /// The design: it closes the frame and commits to the seed.
    Design {
        /// The quick count's name.
        pvt: String,
        /// The contest observed.
        contest: usize,
        /// The unit level whose units are the strata (`None`: one stratum).
        level: Option<UnitLevel>,
        /// The sample's method, allocation, size, reserves and the seed's SHA-256.
        params: Params,
        /// The frame's digest ([`Frame::digest`]).
        frame: String,
    },
    /// The seed, revealed once polls close.
    Seed {
        /// The quick count's name.
        pvt: String,
        /// The seed.
        seed: String,
    },
    /// An observer's copy of a drawn station's protocol: its station, lines and votes (its
    /// contest is the design's; `contest`, `version`, `source` and `reference` are not
    /// logged and read as 0, 1, manual and none).
    Report {
        /// The quick count's name.
        pvt: String,
        /// The copy.
        protocol: Box<Protocol>,
        /// The posted protocol's QR code it was read from (revision 10;
        /// `docs/protocol-qr.md`), whose figures must be the copy's; none for a typed copy.
        code: Option<String>,
    },
    /// A supervisor's review of a drawn station (revision 8): the report chosen among its
    /// observers' that differ, or the station put in quarantine or released, with the reason.
    Review {
        /// The quick count's name.
        pvt: String,
        /// The station.
        station: UnitId,
        /// What the review does.
        action: ReviewAction,
        /// The chosen report's entry index (`choose` only).
        report: Option<u64>,
        /// Why, public: it names no one.
        reason: String,
    },
}

impl PvtStep {
    /// The step's name in the log.
    pub fn key(&self) -> &'static str {
        match self {
            PvtStep::Frame { .. } => "frame",
            PvtStep::Design { .. } => "design",
            PvtStep::Seed { .. } => "seed",
            PvtStep::Report { .. } => "report",
            PvtStep::Review { .. } => "review",
        }
    }

    /// The quick count it belongs to.
    pub fn pvt(&self) -> &str {
        match self {
            PvtStep::Frame { pvt, .. }
            | PvtStep::Design { pvt, .. }
            | PvtStep::Seed { pvt, .. }
            | PvtStep::Report { pvt, .. }
            | PvtStep::Review { pvt, .. } => pvt,
        }
    }

    /// Whether it is a supervisor's review (logged by a `supervise` act; the other steps by
    /// a `quick-count` act).
    pub fn is_review(&self) -> bool {
        matches!(self, PvtStep::Review { .. })
    }
}

/// A quick count as the log leaves it.
#[derive(Debug, Clone, PartialEq)]
pub struct QuickCount {
    /// Its name.
    pub name: String,
    /// The contest observed.
    pub contest: usize,
    /// Stations its frame lists so far.
    pub frame_stations: usize,
    /// Its design, once logged; with the stations drawn once the seed is revealed.
    pub design: Option<Design>,
    /// The copy each reported station counts with, by station (their contest the design's):
    /// its observers' report where they agree, the supervisor's choice where they differ.
    pub copies: Vec<Protocol>,
    /// Report entries logged, every observer's.
    pub reports_logged: u64,
    /// Stations whose observers' reports differ and no supervisor has chosen: not counted.
    pub conflicts: Vec<UnitId>,
    /// Stations a supervisor put in quarantine: not counted.
    pub quarantined: Vec<UnitId>,
    /// Stations that once counted with another copy than they count with now (an
    /// observer's correction, a supervisor's choice): listed so that no count changes
    /// unseen.
    pub revised: Vec<UnitId>,
    /// Stations whose observers' copies once differed with no choice in force, whatever
    /// came after (a correction, a choice).
    pub disputed: Vec<UnitId>,
    /// The stations drawn (sample and reserves), once the seed is revealed, in draw order.
    pub drawn: Vec<DrawnStation>,
    /// Each station reported or reviewed: its observers' reports, the supervisor's choice
    /// and quarantine, and its history.
    pub stations: Vec<StationReports>,
    /// When the design was logged (its act's time).
    pub designed_at: Option<Time>,
    /// When the seed was revealed.
    pub revealed_at: Option<Time>,
    /// Whether the design was logged before the day of the vote (the election's date, UTC);
    /// `None` where the election has no date.
    pub designed_before_vote: Option<bool>,
    /// The estimates from them, once the seed is revealed.
    pub estimates: Option<Estimates>,
}

/// A drawn station.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawnStation {
    /// Its unit.
    pub unit: UnitId,
    /// Its path.
    pub path: String,
    /// Its stratum's name.
    pub stratum: String,
    /// Its stratum's index among the design's strata.
    pub stratum_index: usize,
    /// Sampled, or a reserve.
    pub reserve: bool,
    /// 1, 2, ... in draw order within its stratum and role.
    pub rank: u32,
    /// Its registered voters, as the frame lists them.
    pub registered: u64,
}

/// A station's observers' reports and reviews as the log leaves them (revision 8).
#[derive(Debug, Clone, PartialEq)]
pub struct StationReports {
    /// The station.
    pub station: UnitId,
    /// Each observer's latest report: (the act's user, the entry's index, the copy), in the
    /// order they first reported.
    pub latest: Vec<(String, u64, Protocol)>,
    /// The supervisor's choice in force.
    pub chosen: Option<Protocol>,
    /// Whether a supervisor put it in quarantine.
    pub quarantined: bool,
    /// The copy it counts with, if any.
    pub counted: Option<Protocol>,
    /// Where its reports stand (`Conflict`: its observers' reports differ with no choice in
    /// force).
    pub standing: ReportStanding,
    /// Every report and review of it, in log order: each report's versions.
    pub history: Vec<Happened>,
}

/// Where a station's reports stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
pub enum ReportStanding {
    /// One observer's report counts.
    Recorded,
    /// Several observers' reports agree, and count.
    Confirmed,
    /// Its observers' reports differ: none counts until a supervisor chooses.
    Conflict,
    /// A supervisor's choice counts.
    Chosen,
    /// A supervisor took it out of the estimates.
    Quarantined,
}

impl ReportStanding {
    /// Its key in the API.
    pub fn key(self) -> &'static str {
        self.into()
    }
}

/// A report or a review of a station, as logged.
#[derive(Debug, Clone, PartialEq)]
pub struct Happened {
    /// The entry's index.
    pub index: u64,
    /// Who (the act's user: a commitment, or the console).
    pub user: String,
    /// When (the act's time), if timed.
    pub time: Option<Time>,
    /// What.
    pub what: Step,
}

/// What a [`Happened`] was.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// An observer's report (a first one, a correction, or the same again).
    Report(Box<Protocol>),
    /// A supervisor's review.
    Review {
        /// Choose, quarantine or release.
        action: ReviewAction,
        /// The report chosen.
        report: Option<u64>,
        /// Why.
        reason: String,
    },
}

/// Why an observer's copy may not be logged now ([`QuickCount::report_fault`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFault {
    /// The field at fault (`station`, `votes`, a line's key, `pvt`).
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for ReportFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl QuickCount {
    /// The drawn station `unit` is, if it is one.
    pub fn drawn_station(&self, unit: UnitId) -> Option<&DrawnStation> {
        self.drawn.iter().find(|d| d.unit == unit)
    }

    /// The reports and reviews of station `unit`, if it has any.
    pub fn station(&self, unit: UnitId) -> Option<&StationReports> {
        self.stations.iter().find(|s| s.station == unit)
    }

    /// Why a review of `station` by `reviewer` (a user's commitment) may not be logged as
    /// the log stands: the seed not revealed, a station not drawn, or what the replay refuses
    /// of the review itself. A review depends on the reports before it: log it only at the
    /// log's size it was checked at.
    pub fn review_fault(
        &self,
        station: UnitId,
        review: (ReviewAction, Option<u64>, &str),
        reviewer: &str,
    ) -> Option<ReportFault> {
        let fault = |field: &str, message: String| {
            Some(ReportFault {
                field: field.into(),
                message,
            })
        };
        if self.estimates.is_none() {
            return fault(
                "pvt",
                format!(
                    "quick count '{}' is reviewed once its seed is revealed",
                    self.name
                ),
            );
        }
        if self.drawn_station(station).is_none() {
            return fault(
                "station",
                format!(
                    "unit {} is not a station drawn for quick count '{}'",
                    station.0, self.name
                ),
            );
        }
        let here = self.station(station);
        reviewed(
            here.map_or(&[][..], |s| &s.latest[..]),
            here.and_then(|s| s.chosen.as_ref()),
            here.is_some_and(|s| s.quarantined),
            review,
            reviewer,
        )
        .err()
        .map(|(f, m)| ReportFault {
            field: f.into(),
            message: m,
        })
    }

    /// Stations counted.
    pub fn reports(&self) -> u64 {
        self.copies.len() as u64
    }

    /// What a verification says of it: how the sample reported, and each estimate with its
    /// 95% margin, its base and the stations it covers (or why there is none).
    pub fn said(&self) -> String {
        let name = &self.name;
        let Some(design) = &self.design else {
            return format!(
                "quick count '{name}': a frame of {} stations, not designed yet",
                self.frame_stations
            );
        };
        let designed = match (self.designed_at, self.designed_before_vote) {
            (Some(t), Some(true)) => format!("designed {t}, before the day of the vote"),
            (Some(t), Some(false)) => format!(
                "designed {t}, NOT before the day of the vote (the sample could have been chosen knowing the count)"
            ),
            (Some(t), None) => format!("designed {t}"),
            (None, _) => "designed".to_string(),
        };
        let Some(e) = &self.estimates else {
            return format!(
                "quick count '{name}': a sample of {} of {} stations, {designed}; the seed not revealed yet",
                design.size.stations, design.frame.stations
            );
        };
        let a = &e.arrival;
        let revealed = self
            .revealed_at
            .map_or(String::new(), |t| format!(" revealed {t}"));
        let mut out = format!(
            "quick count '{name}': {designed}; sample redrawn from the seed{revealed}; {} of {} sampled stations reported ({} reserve(s) standing in), {} report(s) logged; the estimates cover the strata of {} of the frame's {} stations",
            a.reported, a.sample, a.reserves_used, self.reports_logged, a.covers_stations, a.frame_stations
        );
        if !self.conflicts.is_empty() || !self.quarantined.is_empty() {
            out += &format!(
                "; left out: {} station(s) whose observers disagree, {} in quarantine",
                self.conflicts.len(),
                self.quarantined.len()
            );
        }
        if !self.revised.is_empty() {
            out += &format!(
                "; {} station(s) once counted with another copy (a correction or a choice)",
                self.revised.len()
            );
        }
        if !self.disputed.is_empty() {
            out += &format!(
                "; {} station(s) whose observers' copies once differed",
                self.disputed.len()
            );
        }
        if a.unbalanced {
            out += &format!(
                "; unbalanced arrival (strata missing: {}; lagging: {})",
                list(&a.missing),
                list(&a.lagging)
            );
        }
        if e.estimates.iter().all(|q| q.overall.is_none()) {
            out += "\n  no estimate yet: no stratum has 2 reports";
            return out;
        }
        for q in &e.estimates {
            let base = match q.base {
                pvt::reports::Base::Registered => "registered voters",
                pvt::reports::Base::Valid => "valid votes",
            };
            out += &match &q.overall {
                Some(i) => format!(
                    "\n  {} {:.2}% ± {:.2} (95%) of {base} at {} stations",
                    q.name, i.share_pct, i.margin_95_pct, i.stations
                ),
                None => format!("\n  {}: no estimate ({})", q.name, e.why_none(q)),
            };
        }
        out
    }
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

/// A quick count being replayed.
#[derive(Debug, Clone, Default)]
struct Run {
    frame: Vec<(UnitId, u64)>,
    listed: HashSet<UnitId>,
    designed: Option<Box<Designed>>,
}

#[derive(Debug, Clone)]
struct Designed {
    /// The quick-count act that logged the design: its staff entry and time.
    designed_by: (u64, Time),
    revealed_at: Option<Time>,
    /// Each reported or reviewed station's reports and review.
    stations: BTreeMap<UnitId, Station>,
    reports_logged: u64,
    contest: usize,
    frame: Frame,
    design: Design,
    /// Once the seed is revealed: where each drawn station sits.
    drawn: Option<Index>,
    /// Once the seed is revealed: the stations drawn, in draw order.
    drawn_list: Vec<DrawnStation>,
    /// Once the seed is revealed: each drawn station's registered voters in the frame.
    registered: HashMap<UnitId, u64>,
    tally: Tally,
}

/// A drawn station's reports and its supervisor's review (revision 8).
#[derive(Debug, Clone, Default)]
struct Station {
    /// Each observer's latest report, in the order they first reported: (the act's user,
    /// the entry's index, the copy).
    reports: Vec<(String, u64, Protocol)>,
    /// The supervisor's choice in force: the chosen report's copy.
    chosen: Option<Protocol>,
    quarantined: bool,
    /// The copy in the tally.
    counted: Option<Protocol>,
    /// The last copy the station counted with, kept while it counts with none.
    last_counted: Option<Protocol>,
    /// Whether it once counted with another copy than a later one (a correction, a choice:
    /// the verifiers list such stations).
    revised: bool,
    /// Every report and review of it, in log order.
    history: Vec<Happened>,
    /// Whether its observers' copies ever differed with no choice in force (listed even once
    /// a correction made them agree: a copy that never counted may have been invented).
    disputed: bool,
}

/// Whether two copies give the same counts.
fn same(a: &Protocol, b: &Protocol) -> bool {
    a.lines == b.lines && a.votes == b.votes
}

impl Station {
    /// The copy the station counts with: none in quarantine; the supervisor's choice; the
    /// observers' report where every one agrees; none where they differ.
    fn counts_with(&self) -> Option<&Protocol> {
        if self.quarantined {
            return None;
        }
        if let Some(c) = &self.chosen {
            return Some(c);
        }
        let (_, _, first) = self.reports.first()?;
        self.reports
            .iter()
            .all(|(_, _, p)| same(p, first))
            .then_some(first)
    }

    /// Where its reports stand.
    fn standing(&self) -> ReportStanding {
        if self.quarantined {
            ReportStanding::Quarantined
        } else if self.in_conflict() {
            ReportStanding::Conflict
        } else if self.chosen.is_some() {
            ReportStanding::Chosen
        } else if self.reports.len() > 1 {
            ReportStanding::Confirmed
        } else {
            ReportStanding::Recorded
        }
    }

    /// Whether its observers' reports differ with no choice in force.
    fn in_conflict(&self) -> bool {
        !self.quarantined
            && self.chosen.is_none()
            && !self.reports.is_empty()
            && self.counts_with().is_none()
    }
}

/// The staff act whose entries a quick count's step is: its staff entry's index, time, user
/// and kind.
#[derive(Debug, Clone, PartialEq)]
pub struct StepAct {
    /// The staff entry's index.
    pub at: u64,
    /// Its time, if it has one.
    pub time: Option<Time>,
    /// Who acted (a commitment, or the console).
    pub user: String,
    /// `quick-count` or `supervise`.
    pub act: Act,
}

/// The quick counts of a log, checked step by step.
#[derive(Debug, Clone, Default)]
pub struct QuickCounts {
    runs: BTreeMap<String, Run>,
    /// The `supervise` act whose review was logged last: one review an act, whatever the
    /// quick count.
    reviewed_by: Option<u64>,
}

/// The longest reason a review gives, in characters.
pub const MAX_REASON: usize = 1000;

impl Designed {
    /// The stations drawn, in draw order (none before the seed).
    fn drawn(&self) -> Vec<DrawnStation> {
        if self.drawn.is_none() {
            return Vec::new();
        }
        let by_path: HashMap<&str, &FrameStation> = self
            .frame
            .stations
            .iter()
            .map(|s| (s.id.as_str(), s))
            .collect();
        self.design
            .stations
            .iter()
            .filter_map(|a| {
                let f = by_path.get(a.station.as_str())?;
                Some(DrawnStation {
                    unit: f.unit,
                    path: a.station.clone(),
                    stratum: self
                        .design
                        .strata
                        .get(a.stratum)
                        .map_or_else(String::new, |s| s.name.clone()),
                    stratum_index: a.stratum,
                    reserve: a.role == pvt::design::Role::Reserve,
                    rank: a.rank,
                    registered: f.counts.registered,
                })
            })
            .collect()
    }

    /// Where a drawn station sits, or the refusal of a station not drawn.
    fn place(&self, index: u64, path: &str) -> Result<(), RecordError> {
        let drawn = self
            .drawn
            .as_ref()
            .expect("checked by QuickCounts::revealed");
        drawn.place(path).map(|_| ()).map_err(|x| match x {
            pvt::PvtError::Invalid { message, .. } => field(index, "station", message),
        })
    }

    /// Takes a station's new state: the tally then counts the copy it counts with (taken out
    /// or put in as that changes). Refused, and nothing changed, where the copy's sums would
    /// pass any range.
    fn recount(
        &mut self,
        index: u64,
        unit: UnitId,
        path: &str,
        station: Station,
    ) -> Result<(), RecordError> {
        let drawn = self
            .drawn
            .as_ref()
            .expect("reviews and reports come after the seed");
        let want = station.counts_with().cloned();
        let before = self.stations.get(&unit).and_then(|s| s.counted.clone());
        let unchanged = match (&before, &want) {
            (Some(a), Some(b)) => same(a, b),
            (None, None) => true,
            _ => false,
        };
        let report = |p: &Protocol| Report {
            station: path.to_string(),
            counts: Counts::of(p),
        };
        if !unchanged {
            if before.is_some() {
                self.tally.remove(path).map_err(|x| pvt_field(index, x))?;
            }
            if let Some(p) = &want {
                if let Err(x) = self.tally.add(drawn, &report(p)) {
                    // Put back what counted, which the tally took before.
                    if let Some(b) = &before {
                        self.tally
                            .add(drawn, &report(b))
                            .map_err(|y| pvt_field(index, y))?;
                    }
                    return Err(match x {
                        pvt::PvtError::Invalid { message, .. } => field(index, "station", message),
                    });
                }
            }
        }
        let last = self
            .stations
            .get(&unit)
            .and_then(|s| s.last_counted.clone());
        let revised =
            station.revised || matches!((&last, &want), (Some(a), Some(b)) if !same(a, b));
        let disputed = station.disputed || station.in_conflict();
        self.stations.insert(
            unit,
            Station {
                last_counted: want.clone().or(last),
                counted: want,
                revised,
                disputed,
                ..station
            },
        );
        Ok(())
    }
}

fn field(index: u64, name: &str, message: impl Into<String>) -> RecordError {
    RecordError::Field {
        index,
        field: name.into(),
        message: message.into(),
    }
}

fn pvt_field(index: u64, e: pvt::PvtError) -> RecordError {
    match e {
        pvt::PvtError::Invalid { field: f, message } => field(index, f, message),
    }
}

/// What a review does to a station with these `reports` (each observer's latest), `chosen`
/// copy and quarantine: the choice and quarantine after it, or the field at fault and why.
/// A reason is 1 to [`MAX_REASON`] characters of text; a choice names an observer's latest
/// report that is not the `reviewer`'s own; a quarantine is put on once and released once.
fn reviewed(
    reports: &[(String, u64, Protocol)],
    chosen: Option<&Protocol>,
    quarantined: bool,
    (action, report, reason): (ReviewAction, Option<u64>, &str),
    reviewer: &str,
) -> Result<(Option<Protocol>, bool), (&'static str, String)> {
    if reason.trim().is_empty()
        || reason.chars().count() > MAX_REASON
        || model::names::text_fault(reason).is_some()
    {
        return Err((
            "reason",
            format!("a reason is text of 1 to {MAX_REASON} characters, with no control characters"),
        ));
    }
    match (action, report) {
        (ReviewAction::Choose, Some(k)) => {
            let (user, _, copy) = reports.iter().find(|(_, at, _)| *at == k).ok_or_else(|| {
                (
                    "report",
                    format!("entry {k} is not an observer's latest report of this station"),
                )
            })?;
            if user == reviewer {
                return Err((
                    "report",
                    "a supervisor does not choose a report of their own".into(),
                ));
            }
            Ok((Some(copy.clone()), quarantined))
        }
        (ReviewAction::Quarantine, None) if !quarantined => Ok((chosen.cloned(), true)),
        (ReviewAction::Release, None) if quarantined => Ok((chosen.cloned(), false)),
        (ReviewAction::Choose, None) => Err(("report", "a choice names the report chosen".into())),
        (ReviewAction::Quarantine | ReviewAction::Release, Some(_)) => {
            Err(("report", "only a choice names a report (null)".into()))
        }
        (ReviewAction::Quarantine, None) => {
            Err(("action", "the station is in quarantine already".into()))
        }
        (ReviewAction::Release, None) => Err(("action", "the station is not in quarantine".into())),
    }
}

impl QuickCounts {
    /// Why an observer's copy `p` of a station's protocol may not be logged as a report of
    /// quick count `name` now, by whatever channel it came (form, file, SMS): no such quick
    /// count or its seed not revealed, a station not drawn, not one count per choice, the
    /// registered voters, ballots issued or invalid ballots not given, counts beyond what
    /// the station can have or beyond the ballots issued (`model::check_copy`,
    /// by the frame's registered voters), or a relation of the election's that it breaks at
    /// error level. `None`: the replay takes it, and keeps taking it after any later entry
    /// (a report's checks do not depend on what comes after the seed), so it may be appended
    /// without holding the log.
    pub fn report_fault(&self, name: &str, e: &Election, p: &Protocol) -> Option<ReportFault> {
        let fault = |field: &str, message: String| {
            Some(ReportFault {
                field: field.into(),
                message,
            })
        };
        let Some(d) = self
            .runs
            .get(name)
            .and_then(|r| r.designed.as_deref())
            .filter(|d| d.drawn.is_some())
        else {
            return fault(
                "pvt",
                format!("quick count '{name}' takes reports once its seed is revealed"),
            );
        };
        let Some(&registered) = d.registered.get(&p.station) else {
            return fault(
                "station",
                format!(
                    "{} is not a station drawn for quick count '{name}'",
                    e.units.path(p.station)
                ),
            );
        };
        let choices = d.design.choices.len();
        if p.votes.len() != choices {
            return fault(
                "votes",
                format!(
                    "{} counts, the contest has {choices} choices",
                    p.votes.len()
                ),
            );
        }
        // Every copy gives what its turnout and plausibility are checked by: without the
        // ballots issued, votes would be bound by nothing but each count's own bound.
        let missing: Vec<&str> = [
            ("registered", p.line(model::Line::Registered).is_none()),
            ("issued_total", p.issued().is_none()),
            ("invalid", p.line(model::Line::Invalid).is_none()),
        ]
        .into_iter()
        .filter_map(|(k, none)| none.then_some(k))
        .collect();
        if let Some(first) = missing.first() {
            return fault(
                first,
                format!(
                    "a copy gives the registered voters, the ballots issued and the invalid ballots; missing: {}",
                    missing.join(", ")
                ),
            );
        }
        if let Err(x) = model::check_copy(p, Some(registered)) {
            let field = match &x {
                model::ModelError::Implausible { field, .. } => field.clone(),
                _ => "votes".into(),
            };
            return fault(&field, x.to_string());
        }
        let broken = e.rules.check(e, p);
        if let Some(d) = broken.iter().find(|d| d.severity == model::Severity::Error) {
            let rule = d.rule.split_once(": ").map_or(&*d.rule, |(_, r)| r);
            return fault("relations", format!("{rule} fails: {}", d.detail));
        }
        None
    }

    /// The contest quick count `name` observes and its choices, once designed.
    pub fn contest(&self, name: &str) -> Option<(usize, &[String])> {
        let d = self.runs.get(name)?.designed.as_deref()?;
        Some((d.contest, &d.design.choices[..]))
    }

    /// The stations drawn for quick count `name` (none before its seed).
    pub fn drawn(&self, name: &str) -> &[DrawnStation] {
        self.runs
            .get(name)
            .and_then(|r| r.designed.as_deref())
            .map_or(&[][..], |d| &d.drawn_list[..])
    }

    /// Checks step `index` against the quick counts logged before it, and takes it:
    /// * `frame`: before its quick count's design; station units of `e`, each listed once;
    /// * `design`: once per name, after its frame; its contest exists, its strata are units
    ///   between the country and the stations (regions, constituencies, districts), its `frame` digest is the listed stations' and its sizes can be
    ///   allocated;
    /// * `seed`: once, after the design; its SHA-256 is the design's commitment (the sample
    ///   is then drawn); the design and the seed each logged by a timed `quick-count` act
    ///   (`act`: the index and time of the staff entry whose entries these are), the seed's
    ///   a later one, so that the commitment comes first;
    /// * `report`: after the seed, logged by a `quick-count` act (its user the observer); a
    ///   drawn station (sample or reserve), one count per choice of the contest, adding up
    ///   within 2^64 - 1; an observer's later report replaces their own (the same report
    ///   again changes nothing);
    /// * `review`: after the seed, one a `supervise` act; a drawn station; a reason; a choice
    ///   of another user's latest report of the station, a quarantine, a release.
    pub fn check(
        &mut self,
        index: u64,
        e: &Election,
        step: PvtStep,
        act: Option<&StepAct>,
    ) -> Result<(), RecordError> {
        let name = step.pvt().to_string();
        let name = name.as_str();
        if name.trim().is_empty() {
            return Err(field(index, "pvt", "a quick count is named"));
        }
        // A review is a supervisor's `supervise` act's, every other step a `quick-count`'s.
        let wanted = if step.is_review() {
            Act::Supervise
        } else {
            Act::QuickCount
        };
        if let Some(a) = act.filter(|a| a.act != wanted) {
            return Err(field(
                index,
                "step",
                format!(
                    "a quick count's {} is not logged by a '{}' act",
                    step.key(),
                    a.act.key()
                ),
            ));
        }
        let timed_act = match act {
            Some(StepAct {
                at, time: Some(t), ..
            }) => Some((*at, *t)),
            _ => None,
        };
        if timed_act.is_none() && matches!(step, PvtStep::Design { .. } | PvtStep::Seed { .. }) {
            return Err(field(
                index,
                "pvt",
                format!(
                    "a quick count's {} is logged by a quick-count act with its time",
                    step.key()
                ),
            ));
        }
        let no_design = || {
            field(
                index,
                "pvt",
                format!("no quick count named '{name}' was designed before this step"),
            )
        };
        match step {
            PvtStep::Frame { ref stations, .. } => {
                let run = self.runs.entry(name.to_string()).or_default();
                if run.designed.is_some() {
                    return Err(field(
                        index,
                        "pvt",
                        format!("the frame of '{name}' was closed by its design"),
                    ));
                }
                if stations.is_empty() || stations.len() > FRAME_CHUNK {
                    return Err(field(
                        index,
                        "stations",
                        format!("{} stations: from 1 to {FRAME_CHUNK}", stations.len()),
                    ));
                }
                for (k, &(unit, _)) in stations.iter().enumerate() {
                    if let Some(why) = not_a_station(e, unit.0) {
                        return Err(field(index, &format!("stations[{k}].station"), why));
                    }
                    if !run.listed.insert(unit) {
                        return Err(field(
                            index,
                            &format!("stations[{k}].station"),
                            format!("{} is listed twice in the frame of '{name}'", unit.0),
                        ));
                    }
                }
                run.frame.extend_from_slice(stations);
            }
            PvtStep::Design {
                contest,
                level,
                ref params,
                frame: ref digest,
                ..
            } => {
                let run = self.runs.get_mut(name).ok_or_else(|| {
                    field(
                        index,
                        "pvt",
                        format!("no frame of '{name}' was listed before its design"),
                    )
                })?;
                if run.designed.is_some() {
                    return Err(field(
                        index,
                        "pvt",
                        format!("'{name}' was designed earlier in the log"),
                    ));
                }
                let choices = e
                    .contests
                    .get(contest)
                    .ok_or_else(|| field(index, "contest", no_contest(e, contest)))?
                    .choices
                    .len();
                if matches!(level, Some(UnitLevel::Country | UnitLevel::Station)) {
                    return Err(field(
                        index,
                        "level",
                        "strata are units between the country and the stations (null: one stratum)",
                    ));
                }
                let frame = Frame::listed(e, contest, &run.frame, level)
                    .map_err(|x| pvt_field(index, x))?;
                let listed = frame.digest();
                if listed != *digest {
                    return Err(RecordError::Divergence {
                        index,
                        what: format!("design of '{name}'"),
                        field: "frame".into(),
                        logged: digest.clone(),
                        recomputed: listed,
                    });
                }
                let design = Design::of_params(&frame, params).map_err(|x| pvt_field(index, x))?;
                run.designed = Some(Box::new(Designed {
                    designed_by: timed_act.expect("checked above"),
                    revealed_at: None,
                    stations: BTreeMap::new(),
                    reports_logged: 0,
                    contest,
                    tally: Tally::new(&design, choices),
                    frame,
                    design,
                    drawn: None,
                    drawn_list: Vec::new(),
                    registered: HashMap::new(),
                }));
            }
            PvtStep::Seed { ref seed, .. } => {
                let d = self
                    .runs
                    .get_mut(name)
                    .and_then(|r| r.designed.as_mut())
                    .ok_or_else(no_design)?;
                if d.drawn.is_some() {
                    return Err(field(
                        index,
                        "seed",
                        format!("the seed of '{name}' was revealed earlier in the log"),
                    ));
                }
                let (at, time) = timed_act.expect("checked above");
                if at <= d.designed_by.0 || time < d.designed_by.1 {
                    return Err(field(
                        index,
                        "seed",
                        format!(
                            "revealed by the act that logged the design of '{name}', or before it: the commitment comes first"
                        ),
                    ));
                }
                let mut design = d.design.clone();
                design.reveal(&d.frame, seed).map_err(|x| match x {
                    pvt::PvtError::Invalid { message, .. } => field(index, "seed", message),
                })?;
                d.drawn = Some(Index::of(&design));
                d.design = design;
                d.drawn_list = d.drawn();
                d.registered = d
                    .drawn_list
                    .iter()
                    .map(|s| (s.unit, s.registered))
                    .collect();
                d.revealed_at = Some(time);
            }
            PvtStep::Report {
                protocol: p, code, ..
            } => {
                if let Some(code) = code {
                    if let Some(why) = read_from(&code, &p) {
                        return Err(field(index, "code", why));
                    }
                }
                let act = act.ok_or_else(|| {
                    field(
                        index,
                        "step",
                        "a report is logged by an observer's 'quick-count' act",
                    )
                })?;
                let d = self.revealed(index, name, "report")?;
                if let Some(why) = not_a_station(e, p.station.0) {
                    return Err(field(index, "station", why));
                }
                let path = e.units.path(p.station);
                d.place(index, &path)?;
                let choices = d.design.choices.len();
                if p.votes.len() != choices {
                    return Err(field(
                        index,
                        "votes",
                        format!(
                            "{} counts, the contest has {choices} choices",
                            p.votes.len()
                        ),
                    ));
                }
                if let Some(what) = p.overflow() {
                    return Err(field(
                        index,
                        "votes",
                        format!("{what} add up beyond 2^64 - 1"),
                    ));
                }
                let mut copy = *p;
                copy.contest = d.contest;
                let user = act.user.clone();
                let mut station = d.stations.get(&copy.station).cloned().unwrap_or_default();
                station.history.push(Happened {
                    index,
                    user: user.clone(),
                    time: act.time,
                    what: Step::Report(Box::new(copy.clone())),
                });
                // The same report again from the same observer changes nothing (it neither
                // reopens a choice nor moves the station), but for its history.
                if station
                    .reports
                    .iter()
                    .any(|(u, _, own)| *u == user && same(own, &copy))
                {
                    d.reports_logged += 1;
                    d.stations.insert(copy.station, station);
                    return Ok(());
                }
                // An observer's later report replaces their own; one that differs from the
                // supervisor's choice reopens the station.
                if station.chosen.as_ref().is_some_and(|c| !same(c, &copy)) {
                    station.chosen = None;
                }
                match station.reports.iter_mut().find(|(u, _, _)| *u == user) {
                    Some(own) => *own = (user, index, copy.clone()),
                    None => station.reports.push((user, index, copy.clone())),
                }
                d.recount(index, copy.station, &path, station)?;
                d.reports_logged += 1;
            }
            PvtStep::Review {
                station: unit,
                action,
                report,
                reason,
                ..
            } => {
                let act = act.ok_or_else(|| {
                    field(
                        index,
                        "step",
                        "a review is logged by a supervisor's 'supervise' act",
                    )
                })?;
                if self.reviewed_by == Some(act.at) {
                    return Err(field(index, "step", "a 'supervise' act logs one review"));
                }
                let d = self.revealed(index, name, "review")?;
                if let Some(why) = not_a_station(e, unit.0) {
                    return Err(field(index, "station", why));
                }
                let path = e.units.path(unit);
                d.place(index, &path)?;
                let mut station = d.stations.get(&unit).cloned().unwrap_or_default();
                let (chosen, quarantined) = reviewed(
                    &station.reports,
                    station.chosen.as_ref(),
                    station.quarantined,
                    (action, report, &reason),
                    &act.user,
                )
                .map_err(|(f, m)| field(index, f, m))?;
                station.history.push(Happened {
                    index,
                    user: act.user.clone(),
                    time: act.time,
                    what: Step::Review {
                        action,
                        report,
                        reason: reason.clone(),
                    },
                });
                station.chosen = chosen;
                station.quarantined = quarantined;
                d.recount(index, unit, &path, station)?;
                self.reviewed_by = Some(act.at);
            }
        }
        Ok(())
    }

    /// The quick count `name`, designed and its seed revealed, for a step (`what`) that
    /// needs its draw.
    fn revealed(
        &mut self,
        index: u64,
        name: &str,
        what: &str,
    ) -> Result<&mut Designed, RecordError> {
        let d = self
            .runs
            .get_mut(name)
            .and_then(|r| r.designed.as_deref_mut())
            .ok_or_else(|| {
                field(
                    index,
                    "pvt",
                    format!("no quick count named '{name}' was designed before this step"),
                )
            })?;
        if d.drawn.is_none() {
            return Err(field(
                index,
                "pvt",
                format!("a {what} of '{name}' comes after its seed is revealed"),
            ));
        }
        Ok(d)
    }

    /// Every quick count of the log, by name, with its estimates from the reports logged;
    /// `vote_day` is the election's date (`YYYY-MM-DD`), if it has one.
    pub fn finish(&self, vote_day: Option<&str>) -> Vec<QuickCount> {
        self.runs
            .iter()
            .map(|(name, run)| {
                let d = run.designed.as_deref();
                QuickCount {
                    name: name.clone(),
                    contest: d.map_or(0, |d| d.contest),
                    frame_stations: run.frame.len(),
                    design: d.map(|d| d.design.clone()),
                    copies: d.map_or_else(Vec::new, |d| {
                        d.stations
                            .values()
                            .filter_map(|s| s.counted.clone())
                            .collect()
                    }),
                    reports_logged: d.map_or(0, |d| d.reports_logged),
                    conflicts: d.map_or_else(Vec::new, |d| {
                        d.stations
                            .iter()
                            .filter(|(_, s)| s.in_conflict())
                            .map(|(&u, _)| u)
                            .collect()
                    }),
                    quarantined: d.map_or_else(Vec::new, |d| {
                        d.stations
                            .iter()
                            .filter(|(_, s)| s.quarantined)
                            .map(|(&u, _)| u)
                            .collect()
                    }),
                    disputed: d.map_or_else(Vec::new, |d| {
                        d.stations
                            .iter()
                            .filter(|(_, s)| s.disputed)
                            .map(|(&u, _)| u)
                            .collect()
                    }),
                    revised: d.map_or_else(Vec::new, |d| {
                        d.stations
                            .iter()
                            .filter(|(_, s)| s.revised)
                            .map(|(&u, _)| u)
                            .collect()
                    }),
                    drawn: d.map_or_else(Vec::new, |d| d.drawn_list.clone()),
                    stations: d.map_or_else(Vec::new, |d| {
                        d.stations
                            .iter()
                            .map(|(&unit, s)| StationReports {
                                station: unit,
                                latest: s.reports.clone(),
                                chosen: s.chosen.clone(),
                                quarantined: s.quarantined,
                                counted: s.counted.clone(),
                                standing: s.standing(),
                                history: s.history.clone(),
                            })
                            .collect()
                    }),
                    designed_at: d.map(|d| d.designed_by.1),
                    revealed_at: d.and_then(|d| d.revealed_at),
                    designed_before_vote: d.zip(vote_day).map(|(d, day)| {
                        // The time's date, as Time writes it: `YYYY-MM-DD HH:MM:SS UTC`.
                        d.designed_by.1.to_string()[..10] < *day
                    }),
                    estimates: d
                        .filter(|d| d.drawn.is_some())
                        .map(|d| d.tally.estimates(&d.design, &d.design.choices)),
                }
            })
            .collect()
    }
}

/// Why a report read from a posted protocol's QR `code` (revision 10) is not what the code
/// holds, if it is not: the code must read (`postedqr::Posted::decode`, its check digits
/// included) and name the report's station, with exactly its lines and votes.
fn read_from(code: &str, p: &Protocol) -> Option<String> {
    let posted = match postedqr::Posted::decode(code) {
        Ok(posted) => posted,
        Err(e) => return Some(e.to_string()),
    };
    let lines: Vec<(model::Line, u64)> = model::Line::ALL
        .iter()
        .filter_map(|&l| p.line(l).map(|n| (l, n)))
        .collect();
    if posted.station != p.station {
        return Some(format!(
            "the code names station {}, the report station {}",
            posted.station.0, p.station.0
        ));
    }
    (posted.lines != lines || posted.votes != p.votes)
        .then(|| "the code's figures are not the report's lines and votes".to_string())
}

//! Replaying the log: the state after every entry, and every publication recomputed.

use std::collections::BTreeMap;

use model::{CountSource, Election, Line, Protocol, UnitId};
use seats::{allocate, preset, Base};
use tabulate::{tabulate, Filter, Tally};

use crate::audits::{no_contest, not_a_station, unknown_unit, AuditRules};
use crate::entry::{Complaint, Decision, Entry, Publication, PublishedSeats, Review};
use crate::kinds::{DecisionKind, Stage};
use crate::running::{Reread, Running};
use crate::times::Times;
use crate::wire::decode;
use crate::{
    problem_from_tally, PublicContent, RecordError, Staff, StaffAct, StaffRules, Standing, Status,
    StatusTrack, Time,
};

/// The state at the end of a log.
#[derive(Debug, Clone)]
pub struct Replayed {
    /// The election definition, with its date and law preset (`Election::law`).
    pub election: Election,
    /// Its status: open, preliminary, certified or annulled, and by which entry.
    pub status: Status,
    /// The latest version of each station's protocol of the legal count
    /// ([`crate::legal_count`]), by (station, contest): what totals, seats and publications
    /// are computed from. Empty after a lean replay ([`Replayer::lean`]), which keeps none.
    pub protocols: Vec<Protocol>,
    /// How many (station, contest) have a protocol of the legal count, and of them how many
    /// a correction (a version above 1): also after a lean replay.
    pub protocol_counts: (u64, u64),
    /// The latest version of each station's protocol of the other count (the machine count
    /// where the manual one is legal), by (station, contest): kept and shown, never counted.
    pub other_count: Vec<Protocol>,
    /// Annulled units, in decision order.
    pub annulled: Vec<UnitId>,
    /// Whether the whole election was annulled.
    pub election_annulled: bool,
    /// Units where a recount was ordered.
    pub recounts: Vec<UnitId>,
    /// Units where a re-vote was ordered (also in `annulled`: they leave the totals).
    pub revotes: Vec<UnitId>,
    /// Complaints logged.
    pub complaints: u64,
    /// Audit steps logged.
    pub audits: u64,
    /// The quick counts the log holds, by name, with their designs, draws and estimates.
    pub quick_counts: Vec<crate::QuickCount>,
    /// The incident reports the log holds, with their statuses (revision 9).
    pub incidents: Vec<crate::Incident>,
    /// Staff entries logged (who entered, verified, decided).
    pub staff: u64,
    /// The latest staff entry's time: the log is as of then (none if no staff entry has one).
    pub as_of: Option<Time>,
    /// The latest declared (log keys, witness keys), if the log declares any.
    pub keys: Option<(Vec<String>, Vec<String>)>,
    /// Publications checked.
    pub publications: u64,
    /// Entries read.
    pub entries: u64,
}

/// The publication the log's rules give for `contest` over the latest `protocols`, leaving
/// out stations under `annulled` units; with seats when a law preset is named (`kg2020`...),
/// on the base that law defines (its national threshold's base: a file that lacks what the
/// base needs is refused, as `tallyproof seats` refuses it). Totals that do not fit in 64
/// bits are [`RecordError::Overflow`], naming the unit: a wrapped total is never published.
/// The command line's `publish` and the service's certification both build theirs here.
pub fn publication(
    e: &Election,
    protocols: &[Protocol],
    annulled: &[UnitId],
    contest: usize,
    stage: Stage,
    law: Option<&str>,
) -> Result<Publication, RecordError> {
    publication_on(e, protocols, annulled, contest, stage, law_base(law)?)
}

/// A law preset's key with the base its national threshold is counted on.
fn law_base(law: Option<&str>) -> Result<Option<(&str, Base)>, RecordError> {
    law.map(|key| {
        let l = preset::law(key).map_err(|x| RecordError::Law(x.to_string()))?;
        Ok((key, l.threshold.base))
    })
    .transpose()
}

/// [`publication`] with seats on the given base: as a logged publication states it, which the
/// replay recomputes on the base it states. The protocols of other contests are passed over
/// (the tabulation counts `contest`'s alone), never copied.
fn publication_on<'p>(
    e: &Election,
    protocols: impl IntoIterator<Item = &'p Protocol>,
    annulled: &[UnitId],
    contest: usize,
    stage: Stage,
    law: Option<(&str, Base)>,
) -> Result<Publication, RecordError> {
    let t = tabulate(
        e,
        contest,
        protocols,
        Filter::excluding(annulled.iter().copied()),
    )?;
    publication_of(e, &t, stage, law)
}

/// The publication of the contest `t` tabulated (leaving out what it left out), with seats
/// on the given base for the first contest.
pub(crate) fn publication_of(
    e: &Election,
    t: &Tally,
    stage: Stage,
    law: Option<(&str, Base)>,
) -> Result<Publication, RecordError> {
    let contest = t.contest;
    let c = t.totals(e.units.root());
    let seats = match law {
        Some((key, base)) if contest == 0 => {
            let l = preset::law(key).map_err(|x| RecordError::Law(x.to_string()))?;
            let built = problem_from_tally(e, t, &l, Some(base))?;
            let o = allocate(&built.problem).map_err(|x| RecordError::Law(x.to_string()))?;
            Some(PublishedSeats {
                law: key.into(),
                base: base.key().into(),
                seats: o.parties.iter().map(|x| x.seats).collect(),
            })
        }
        _ => None,
    };
    Ok(Publication {
        stage,
        contest,
        stations_counted: t.counted,
        votes: c.votes.clone(),
        valid: c.line(Line::Valid),
        invalid: c.line(Line::Invalid),
        seats,
    })
}

/// Replays the entries in order (index, bytes), checking the log's rules and recomputing
/// every publication. The first difference is returned as an error.
pub fn replay<'a>(
    entries: impl IntoIterator<Item = (u64, &'a [u8])>,
) -> Result<Replayed, RecordError> {
    let mut it = entries.into_iter();
    let (i0, b0) = it.next().ok_or(RecordError::Invalid {
        index: 0,
        message: "the log is empty".into(),
    })?;
    let mut r = Replayer::start(i0, b0)?;
    for (index, bytes) in it {
        r.push(index, bytes)?;
    }
    r.finish()
}

/// What an entry changed, for those who keep totals up to date as a log grows.
#[derive(Debug)]
pub enum Pushed {
    /// A protocol version replaced the one before it of the same count (if any), now under
    /// `key` in [`Replayer::latest`] (the legal count) or [`Replayer::other_count`].
    Protocol {
        /// (station, contest).
        key: (u32, usize),
        /// The version of the same count it replaced.
        old: Option<Box<Protocol>>,
        /// Whether it is of the legal count.
        legal: bool,
        /// The commitment to the reason of the commissioner's override that let it count
        /// though it breaks an error-level control relation, if one did.
        overridden: Option<String>,
    },
    /// A decision about a unit (`annul-unit` and `revote` take its stations out of the
    /// totals; `annul-election` names the country).
    Decision {
        /// The unit.
        unit: UnitId,
        /// The decision's kind.
        kind: DecisionKind,
    },
    /// A complaint about a unit.
    Complaint(Box<Complaint>),
    /// A complaint's review: its new status.
    Review(Box<Review>),
    /// A step of an audit (its risk is recomputed from these entries alone).
    Audit,
    /// Nothing that totals depend on.
    Other,
}

/// A replay in progress, fed one entry at a time: the results service keeps one per election
/// and feeds it the entries appended since, so that what it shows is what the log says.
#[derive(Debug, Clone)]
pub struct Replayer {
    election: Election,
    legal: CountSource,
    latest: BTreeMap<(u32, usize), Protocol>,
    other: BTreeMap<(u32, usize), Protocol>,
    annulled: Vec<UnitId>,
    election_annulled: bool,
    recounts: Vec<UnitId>,
    revotes: Vec<UnitId>,
    complaints: u64,
    audits: u64,
    keys: Option<(Vec<String>, Vec<String>)>,
    publications: u64,
    count: u64,
    staff: StaffRules,
    times: Times,
    audit_rules: AuditRules,
    quick_counts: crate::QuickCounts,
    quick_act: Option<crate::StepAct>,
    incidents: crate::Incidents,
    standing: Standing,
    status: StatusTrack,
    public: PublicContent,
    /// A lean replay's totals (none: every latest protocol is kept in `latest` and `other`).
    running: Option<Running>,
}

impl Replayer {
    /// Starts from entry 0, the election definition.
    pub fn start(i0: u64, b0: &[u8]) -> Result<Replayer, RecordError> {
        let election = match decode(i0, b0)? {
            Entry::Election(e) => *e,
            _ => {
                return Err(RecordError::Invalid {
                    index: i0,
                    message: "entry 0 must be the election definition".into(),
                })
            }
        };
        Ok(Replayer {
            legal: crate::legal_count(election.law.as_deref()),
            election,
            latest: BTreeMap::new(),
            other: BTreeMap::new(),
            annulled: Vec::new(),
            election_annulled: false,
            recounts: Vec::new(),
            revotes: Vec::new(),
            complaints: 0,
            audits: 0,
            keys: None,
            publications: 0,
            count: 1,
            staff: StaffRules::default(),
            times: Times::default(),
            audit_rules: AuditRules::default(),
            quick_counts: crate::QuickCounts::default(),
            quick_act: None,
            incidents: crate::Incidents::default(),
            standing: Standing::Open,
            status: StatusTrack::default(),
            public: PublicContent::default(),
            running: None,
        })
    }

    /// Starts a lean replay from entry 0: it keeps no station's protocol, only where its
    /// latest version is in the log (`running`: memory for the units above the stations and
    /// a few bytes a station), so that a log of any size is replayed in bounded memory. Feed
    /// it with [`Replayer::push_reading`], which can read an entry again (a correction reads
    /// the version it replaces; an annulment makes the next publication read the latest
    /// versions again). [`Replayer::latest`] and [`Replayer::other_count`] stay empty, and so
    /// does [`Replayed::protocols`]; [`Pushed::Protocol`]'s `old` is the version replaced only
    /// where it was read again; everything else is as a full replay has it.
    pub fn lean(i0: u64, b0: &[u8]) -> Result<Replayer, RecordError> {
        let mut r = Replayer::start(i0, b0)?;
        r.running = Some(Running::default());
        Ok(r)
    }

    /// The publication of `contest` at `stage` over the totals so far, with seats under `law`
    /// (a preset's key, on the base it defines) for the first contest: what a publication
    /// logged now must state. A lean replay may read entries again through `reread`.
    pub fn publication(
        &mut self,
        contest: usize,
        stage: Stage,
        law: Option<&str>,
        reread: &mut Reread,
    ) -> Result<Publication, RecordError> {
        let law = law_base(law)?;
        match &mut self.running {
            Some(running) => {
                running.publication(&self.election, &self.annulled, contest, stage, law, reread)
            }
            None => publication_on(
                &self.election,
                self.latest.values(),
                &self.annulled,
                contest,
                stage,
                law,
            ),
        }
    }

    /// The entries replayed so far.
    pub fn len(&self) -> u64 {
        self.count
    }

    /// Never true: entry 0 is always there.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The quick counts as the entries so far leave them (what [`Replayed::quick_counts`]
    /// will hold if the log ends here).
    pub fn quick_counts(&self) -> Vec<crate::QuickCount> {
        self.quick_counts.finish(self.election.date.as_deref())
    }

    /// The incident reports so far, with their statuses.
    pub fn incidents(&self) -> &crate::Incidents {
        &self.incidents
    }

    /// The quick counts' state, for the checks of a report before it is logged.
    pub fn quick(&self) -> &crate::QuickCounts {
        &self.quick_counts
    }

    /// The election as defined so far (its units grow with `units` entries).
    pub fn election(&self) -> &Election {
        &self.election
    }

    /// The latest version of each (station, contest) protocol of the legal count: what
    /// totals, seats and publications are computed from.
    pub fn latest(&self) -> &BTreeMap<(u32, usize), Protocol> {
        &self.latest
    }

    /// The latest version of each (station, contest) protocol of the other count (the
    /// machine count where the manual one is legal): kept beside the legal count.
    pub fn other_count(&self) -> &BTreeMap<(u32, usize), Protocol> {
        &self.other
    }

    /// The legal count of this election ([`crate::legal_count`] of its law).
    pub fn legal_count(&self) -> CountSource {
        self.legal
    }

    /// Units annulled (or ordered to re-vote) so far.
    pub fn annulled(&self) -> &[UnitId] {
        &self.annulled
    }

    /// Units where a re-vote was ordered, in decision order.
    pub fn revotes(&self) -> &[UnitId] {
        &self.revotes
    }

    /// The latest declared (log keys, witness keys), if the log declares any.
    pub fn keys(&self) -> Option<&(Vec<String>, Vec<String>)> {
        self.keys.as_ref()
    }

    /// Which stored contents the log makes public (`PublicContent`).
    pub fn public_content(&self) -> &PublicContent {
        &self.public
    }

    /// Whether the election may still change (open), or is frozen.
    pub fn standing(&self) -> Standing {
        self.standing
    }

    /// Its status: open, preliminary, certified or annulled, and by which entry.
    pub fn status(&self) -> &Status {
        self.status.status()
    }

    /// Whether the whole election is annulled.
    pub fn election_annulled(&self) -> bool {
        self.election_annulled
    }

    /// When the entry last replayed was made: a staff entry's time, or
    /// the time of the staff entry whose act logged it (a protocol after its verification, a
    /// decision after its `decide`); none where the log gives no time (an imported protocol).
    pub fn made_at(&self) -> Option<Time> {
        self.times.made_at()
    }

    /// The latest staff entry's time: the log is as of then.
    pub fn as_of(&self) -> Option<Time> {
        self.times.as_of()
    }

    /// Replays entry `index`; says what it changed. Every index the entry carries (a unit, a
    /// contest, a choice, an audit's round or draw) is checked before it is used: an entry
    /// that names something the log does not have is a [`RecordError::Field`] naming the
    /// entry and the field, never a panic.
    pub fn push(&mut self, index: u64, bytes: &[u8]) -> Result<Pushed, RecordError> {
        self.push_reading(index, bytes, &mut |_| None)
    }

    /// [`Replayer::push`], reading earlier entries again through `reread` where a lean replay
    /// needs to (a full one never does).
    pub fn push_reading(
        &mut self,
        index: u64,
        bytes: &[u8],
        reread: &mut Reread,
    ) -> Result<Pushed, RecordError> {
        let annulled = self.annulled.len();
        let mut pushed = Pushed::Other;
        let entry = decode(index, bytes)?;
        self.staff.check(index, &entry, bytes, &self.election)?;
        let election = &mut self.election;
        let latest = &mut self.latest;
        let other = &mut self.other;
        self.count += 1;
        let invalid = |m: String| RecordError::Invalid { index, message: m };
        self.times.check(index, &entry)?;
        self.standing = self.standing.after(&entry).map_err(invalid)?;
        self.status.push(index, &entry);
        self.public.add(&entry);
        self.audit_rules.note(index, &entry);
        // The quick-count act whose entries a `pvt` entry is: its staff entry's index and time.
        self.quick_act = match &entry {
            Entry::Staff(s) => matches!(
                s.act,
                StaffAct::QuickCount
                    | StaffAct::Supervise
                    | StaffAct::Incident
                    | StaffAct::IncidentStatus
            )
            .then(|| crate::StepAct {
                at: index,
                time: s.time,
                user: s.user.clone(),
                act: s.act.kind(),
            }),
            Entry::Pvt(_) | Entry::Incident(_) => self.quick_act.take(),
            _ => None,
        };
        let field = |f: &str, m: String| RecordError::Field {
            index,
            field: f.into(),
            message: m,
        };
        match entry {
            Entry::Election(..) => return Err(invalid("a second election definition".into())),
            Entry::Units(rows) => {
                if !latest.is_empty()
                    || !other.is_empty()
                    || self.running.as_ref().is_some_and(Running::started)
                {
                    return Err(invalid("units after the first protocol".into()));
                }
                for (k, (id, parent, level, name)) in rows.into_iter().enumerate() {
                    let n = election.units.len();
                    if UnitId(id).index() != n {
                        return Err(field(
                            &format!("units[{k}].id"),
                            format!("unit id {id}, expected {n}: ids follow one another"),
                        ));
                    }
                    if let Some(why) = unknown_unit(election, parent) {
                        return Err(field(&format!("units[{k}].parent"), why));
                    }
                    election
                        .units
                        .insert(UnitId(parent), level, &name)
                        .map_err(|x| invalid(format!("unit {id}: {x}")))?;
                }
            }
            Entry::Protocol(p) => {
                let e = &election;
                if let Some(why) = not_a_station(e, p.station.0) {
                    return Err(field("station", why));
                }
                let c = e
                    .contests
                    .get(p.contest)
                    .ok_or_else(|| field("contest", no_contest(e, p.contest)))?;
                if p.votes.len() != c.choices.len() {
                    return Err(field(
                        "votes",
                        format!(
                            "{} vote counts for {} choices",
                            p.votes.len(),
                            c.choices.len()
                        ),
                    ));
                }
                // One chain of versions per station and contest, whichever count each is.
                let key = (p.station.0, p.contest);
                let prev = match &self.running {
                    Some(running) => running.version(key),
                    None => [latest.get(&key), other.get(&key)]
                        .into_iter()
                        .flatten()
                        .map(|q| q.version)
                        .max()
                        .unwrap_or(0),
                };
                if Some(p.version) != prev.checked_add(1) {
                    return Err(invalid(format!(
                            "station '{}' goes from version {prev} to {}: versions must follow one another",
                            e.units.path(p.station),
                            p.version
                        )));
                }
                let legal = p.source == self.legal;
                let old = match &mut self.running {
                    Some(running) => running
                        .protocol(e, &self.annulled, index, &p, legal, reread)?
                        .map(Box::new),
                    None => {
                        let count = if legal { &mut *latest } else { &mut *other };
                        count.insert(key, p).map(Box::new)
                    }
                };
                let overridden = self.staff.admitted_by_override().map(str::to_string);
                pushed = Pushed::Protocol {
                    key,
                    old,
                    legal,
                    overridden,
                };
            }
            Entry::Decision(Decision::AnnulUnit { unit, .. }) => {
                if let Some(why) = unknown_unit(election, unit.0) {
                    return Err(field(
                        "unit",
                        format!("annulment of an unknown unit: {why}"),
                    ));
                }
                self.annulled.push(unit);
                self.running.as_mut().map(Running::annulled);
                pushed = Pushed::Decision {
                    unit,
                    kind: DecisionKind::AnnulUnit,
                };
            }
            Entry::Decision(Decision::Reopen { .. }) => {
                // Reopening an annulled election brings its stations back.
                self.election_annulled = false;
            }
            Entry::Decision(Decision::AnnulElection { .. }) => {
                self.election_annulled = true;
                pushed = Pushed::Decision {
                    unit: election.units.root(),
                    kind: DecisionKind::AnnulElection,
                };
            }
            Entry::Decision(Decision::Recount { unit, .. }) => {
                if let Some(why) = unknown_unit(election, unit.0) {
                    return Err(field("unit", format!("recount of an unknown unit: {why}")));
                }
                self.recounts.push(unit);
                pushed = Pushed::Decision {
                    unit,
                    kind: DecisionKind::Recount,
                };
            }
            Entry::Decision(Decision::Revote { unit, .. }) => {
                if let Some(why) = unknown_unit(election, unit.0) {
                    return Err(field("unit", format!("re-vote of an unknown unit: {why}")));
                }
                // Its stations leave the totals: their results are void until the re-vote.
                self.annulled.push(unit);
                self.running.as_mut().map(Running::annulled);
                self.revotes.push(unit);
                pushed = Pushed::Decision {
                    unit,
                    kind: DecisionKind::Revote,
                };
            }
            Entry::Keys { log, witnesses } => {
                if log.is_empty() {
                    return Err(invalid(
                        "a keys entry must name at least one log key".into(),
                    ));
                }
                self.keys = Some((log, witnesses));
            }
            // Audit steps change no totals; `tallyproof audit status` recomputes their risk
            // from them, so everything they name must exist.
            Entry::Audit(step) => {
                self.audit_rules
                    .check(index, election, &step, &self.staff)?;
                self.audits += 1;
                pushed = Pushed::Audit;
            }
            // A quick count's steps change no totals; its sample and estimates are
            // recomputed from them.
            Entry::Pvt(step) => {
                self.quick_counts
                    .check(index, election, step, self.quick_act.as_ref())?
            }
            // Incident reports and their statuses change no totals; an act logs one.
            Entry::Incident(step) => {
                let act = self.quick_act.take();
                self.incidents.check(index, election, step, act.as_ref())?
            }
            // Checked by the staff rules above; they change no totals. An assignment names
            // a unit of this election (an `open` names the annulled election's unit).
            Entry::Staff(Staff {
                act: StaffAct::Assign { unit, .. },
                ..
            }) => {
                if let Some(why) = unknown_unit(election, unit.0) {
                    return Err(field("unit", why));
                }
            }
            Entry::Staff(_) => {}
            Entry::Complaint(c) => {
                if let Some(why) = unknown_unit(election, c.unit.0) {
                    return Err(field(
                        "unit",
                        format!("complaint about an unknown unit: {why}"),
                    ));
                }
                self.complaints += 1;
                pushed = Pushed::Complaint(Box::new(c));
            }
            // Checked by the staff rules above (the complaint register); no totals change.
            Entry::Review(r) => pushed = Pushed::Review(Box::new(r)),
            Entry::Publication(logged) => {
                self.publications += 1;
                if election.contests.get(logged.contest).is_none() {
                    return Err(field("contest", no_contest(election, logged.contest)));
                }
                let law_base = match &logged.seats {
                    // Seats are allocated from the first contest's votes alone.
                    Some(_) if logged.contest != 0 => {
                        return Err(field(
                            "seats",
                            format!(
                                "contest {}'s publication states seats: only the first contest's (0) may",
                                logged.contest
                            ),
                        ))
                    }
                    Some(s) => Some((
                        s.law.as_str(),
                        Base::parse(&s.base).map_err(|x| field("seats.base", x.to_string()))?,
                    )),
                    None => None,
                };
                let want = match &mut self.running {
                    Some(running) => running.publication(
                        election,
                        &self.annulled,
                        logged.contest,
                        logged.stage,
                        law_base,
                        reread,
                    ),
                    None => publication_on(
                        election,
                        latest.values(),
                        &self.annulled,
                        logged.contest,
                        logged.stage,
                        law_base,
                    ),
                }
                .map_err(|e| match e {
                    RecordError::Overflow { error, .. } => RecordError::Overflow {
                        index: Some(index),
                        error,
                    },
                    // An unknown law, or an allocation the law cannot make: the stated seats
                    // cannot be the law's.
                    RecordError::Law(m) => field("seats", m),
                    other => other,
                })?;
                compare(index, election, &logged, &want)?;
            }
        }
        debug_assert!(self.annulled.len() == annulled || matches!(pushed, Pushed::Decision { .. }));
        Ok(pushed)
    }

    /// Whether the log may end here: refused if an act's next entry is missing (what
    /// [`Replayer::finish`] checks first).
    pub fn check_end(&self) -> Result<(), RecordError> {
        self.staff.finish(self.count)
    }

    /// Ends the replay: the state at the end of the log.
    pub fn finish(self) -> Result<Replayed, RecordError> {
        self.staff.finish(self.count)?;
        let quick_counts = self.quick_counts.finish(self.election.date.as_deref());
        let incidents = self.incidents.list().to_vec();
        let protocol_counts = match &self.running {
            Some(running) => running.counts(),
            None => (
                self.latest.len() as u64,
                self.latest.values().filter(|p| p.version > 1).count() as u64,
            ),
        };
        Ok(Replayed {
            protocol_counts,
            staff: self.staff.acts,
            as_of: self.times.as_of(),
            status: self.status.status().clone(),
            election: self.election,
            protocols: self.latest.into_values().collect(),
            other_count: self.other.into_values().collect(),
            annulled: self.annulled,
            election_annulled: self.election_annulled,
            recounts: self.recounts,
            revotes: self.revotes,
            complaints: self.complaints,
            audits: self.audits,
            quick_counts,
            incidents,
            keys: self.keys,
            publications: self.publications,
            entries: self.count,
        })
    }
}

fn compare(
    index: u64,
    e: &Election,
    logged: &Publication,
    want: &Publication,
) -> Result<(), RecordError> {
    let what = format!("{} publication", logged.stage.key());
    let diverge = |field: String, l: String, r: String| RecordError::Divergence {
        index,
        what: what.clone(),
        field,
        logged: l,
        recomputed: r,
    };
    if logged.stations_counted != want.stations_counted {
        return Err(diverge(
            "stations_counted".into(),
            logged.stations_counted.to_string(),
            want.stations_counted.to_string(),
        ));
    }
    // The contest was checked before the publication was recomputed; names are only labels.
    let choices = e
        .contests
        .get(want.contest)
        .map_or(&[][..], |c| c.choices.as_slice());
    if logged.votes.len() != want.votes.len() {
        return Err(diverge(
            "votes".into(),
            format!("{} counts", logged.votes.len()),
            format!("{} counts", want.votes.len()),
        ));
    }
    for (i, (l, r)) in logged.votes.iter().zip(&want.votes).enumerate() {
        if l != r {
            return Err(diverge(
                format!(
                    "votes[{i}] ({})",
                    choices.get(i).map_or("?", |c| c.name.as_str())
                ),
                l.to_string(),
                r.to_string(),
            ));
        }
    }
    let o = |v: Option<u64>| v.map_or_else(|| "null".into(), |x| x.to_string());
    if logged.valid != want.valid {
        return Err(diverge("valid".into(), o(logged.valid), o(want.valid)));
    }
    if logged.invalid != want.invalid {
        return Err(diverge(
            "invalid".into(),
            o(logged.invalid),
            o(want.invalid),
        ));
    }
    if let (Some(l), Some(r)) = (&logged.seats, &want.seats) {
        let parties: Vec<&str> = choices
            .iter()
            .filter(|c| c.kind == model::ChoiceKind::Party)
            .map(|c| c.name.as_str())
            .collect();
        for (i, (a, b)) in l.seats.iter().zip(&r.seats).enumerate() {
            if a != b {
                return Err(diverge(
                    format!("seats[{i}] ({})", parties.get(i).unwrap_or(&"?")),
                    a.to_string(),
                    b.to_string(),
                ));
            }
        }
        if l.seats.len() != r.seats.len() {
            return Err(diverge(
                "seats".into(),
                format!("{} parties", l.seats.len()),
                format!("{} parties", r.seats.len()),
            ));
        }
    }
    Ok(())
}

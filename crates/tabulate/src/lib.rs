//! Exact totals of polling-station protocols at every level of the unit tree.
//!
//! A [`Tabulator`] takes the counting protocols of one contest, one per station (the caller
//! chooses the version, normally the latest), and adds each into every unit above its
//! station. All sums are exact `u64`, checked: a sum that would not fit is a
//! [`TabulateError`] naming the unit and the station, never a wrapped or clamped number.
//! Ratios (turnout, shares) are kept as exact fractions
//! ([`Fraction`]) and rendered in decimal only for display, by integer arithmetic.
//!
//! Definitions, as in the forensic literature (Kobak, Shpilkin & Pshenichnikov 2016):
//! turnout is ballots issued (the early, in-station and outside lines, or the single
//! issued line) divided by registered voters, both summed over the stations that report
//! both lines. Shares name their base explicitly ([`ShareBase`]).
//!
//! This crate does no input or output.

mod error;

use std::collections::HashSet;

use model::{Election, Fraction, Line, Protocol, UnitId, UnitLevel, UnitTree};
use strum::{EnumString, IntoStaticStr, VariantArray};

pub use error::TabulateError;

/// The denominator of a vote share.
#[derive(EnumString, IntoStaticStr, VariantArray, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareBase {
    /// Valid ballots (the protocol's valid line).
    #[strum(serialize = "valid")]
    Valid,
    /// Valid plus invalid ballots: everyone whose ballot was counted. The Kyrgyz CEC's
    /// published percentages use this base (all participants).
    #[strum(serialize = "valid+invalid")]
    ValidPlusInvalid,
    /// Registered voters.
    #[strum(serialize = "registered")]
    Registered,
    /// The sum of the votes for the listed choices.
    #[strum(serialize = "choices")]
    Choices,
}

impl ShareBase {
    /// Every base.
    pub const ALL: &'static [ShareBase] = ShareBase::VARIANTS;

    /// The base's stable name.
    pub fn key(self) -> &'static str {
        self.into()
    }

    /// Parses [`ShareBase::key`].
    pub fn from_key(s: &str) -> Option<ShareBase> {
        s.parse().ok()
    }
}

/// The totals of one unit for one contest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    /// Station units under this unit (the unit itself if it is a station).
    pub stations: u64,
    /// Stations whose protocol was counted.
    pub reporting: u64,
    /// Sums of each protocol line over the counted stations that report it.
    pub lines: [u64; Line::COUNT],
    /// How many counted stations report each line.
    pub line_stations: [u64; Line::COUNT],
    /// Stations under this unit that are not counted: annulled, or ordered to re-vote (the
    /// tabulation's filter leaves them out). `stations` + `annulled` is every station.
    pub annulled: u64,
    /// Ballots issued, summed over counted stations that report both issued and registered.
    pub turnout_issued: u64,
    /// Registered voters, summed over counted stations that report both.
    pub turnout_registered: u64,
    /// How many counted stations report both: the turnout's coverage. A turnout covers the
    /// unit only when this equals `stations`.
    pub turnout_stations: u64,
    /// Votes per choice.
    pub votes: Vec<u64>,
}

impl Totals {
    /// Zero totals for a contest with `choices` choices.
    pub fn new(choices: usize) -> Totals {
        Totals {
            stations: 0,
            reporting: 0,
            lines: [0; Line::COUNT],
            line_stations: [0; Line::COUNT],
            annulled: 0,
            turnout_issued: 0,
            turnout_registered: 0,
            turnout_stations: 0,
            votes: vec![0; choices],
        }
    }

    /// A station's own totals, as every list of stations shows them: its protocol's (if it
    /// has one) when it is counted; none of its votes and one station not counted when the
    /// filter leaves it out (annulled, or ordered to re-vote), as the totals above it have it.
    pub fn of_station(p: Option<&Protocol>, counted: bool, choices: usize) -> Totals {
        let mut t = match p {
            Some(p) if counted => Totals::of_protocol(p),
            _ => Totals::new(choices),
        };
        (t.stations, t.annulled) = if counted { (1, 0) } else { (0, 1) };
        t
    }

    /// The totals of a single protocol. Its sums are exact when the protocol's are
    /// ([`Protocol::overflow`] is `None`, as for every protocol a tabulation counted).
    pub fn of_protocol(p: &Protocol) -> Totals {
        let mut t = Totals::new(p.votes.len());
        t.stations = 1;
        t.reporting = 1;
        for (i, v) in p.lines.iter().enumerate() {
            if let Some(v) = v {
                t.lines[i] = *v;
                t.line_stations[i] = 1;
            }
        }
        if let Some((issued, registered)) = turnout_of(Some(p)) {
            (t.turnout_issued, t.turnout_registered) = (issued, registered);
            t.turnout_stations = 1;
        }
        t.votes.clone_from(&p.votes);
        t
    }

    /// Takes `old` out of these totals and puts `new` in, exactly: every count is checked, and
    /// so are the sums a report derives from them (the votes for every choice, valid + invalid),
    /// so that [`Totals::choice_sum`] and [`Totals::base`] are exact. A fault changes nothing;
    /// `update(new, old)` right after `update(old, new)` always succeeds (it is the inverse).
    fn update(&mut self, old: Option<&Protocol>, new: Option<&Protocol>) -> Result<(), Fault> {
        let one = |p: Option<&Protocol>| u64::from(p.is_some());
        let reporting = step(self.reporting, one(old), one(new), Field::Reporting)?;
        let (mut lines, mut line_stations) = (self.lines, self.line_stations);
        for (i, line) in Line::ALL.iter().copied().enumerate() {
            let (o, n) = (old.and_then(|p| p.lines[i]), new.and_then(|p| p.lines[i]));
            if o.is_some() || n.is_some() {
                let f = Field::Line(line);
                lines[i] = step(lines[i], o.unwrap_or(0), n.unwrap_or(0), f)?;
                let (o, n) = (u64::from(o.is_some()), u64::from(n.is_some()));
                line_stations[i] = step(line_stations[i], o, n, Field::Reporting)?;
            }
        }
        let (v, i) = (Line::Valid.index(), Line::Invalid.index());
        if lines[v].checked_add(lines[i]).is_none() {
            return Err(Fault(Field::ValidPlusInvalid, false));
        }
        let (ot, nt) = (turnout_of(old), turnout_of(new));
        let turnout_stations = step(
            self.turnout_stations,
            u64::from(ot.is_some()),
            u64::from(nt.is_some()),
            Field::Reporting,
        )?;
        let ((oi, or), (ni, nr)) = (ot.unwrap_or((0, 0)), nt.unwrap_or((0, 0)));
        let issued = step(self.turnout_issued, oi, ni, Field::Issued)?;
        let registered = step(
            self.turnout_registered,
            or,
            nr,
            Field::Line(Line::Registered),
        )?;
        let vote = |p: Option<&Protocol>, i: usize| p.and_then(|p| p.votes.get(i).copied());
        // The votes are checked before any is written, their sum with them.
        let mut choices = 0u128;
        for (i, &t) in self.votes.iter().enumerate() {
            let (o, n) = (vote(old, i).unwrap_or(0), vote(new, i).unwrap_or(0));
            choices += u128::from(step(t, o, n, Field::Votes(i))?);
        }
        if choices > u128::from(u64::MAX) {
            return Err(Fault(Field::ChoiceSum, false));
        }
        for (i, t) in self.votes.iter_mut().enumerate() {
            *t = *t - vote(old, i).unwrap_or(0) + vote(new, i).unwrap_or(0);
        }
        self.reporting = reporting;
        self.lines = lines;
        self.line_stations = line_stations;
        self.turnout_issued = issued;
        self.turnout_registered = registered;
        self.turnout_stations = turnout_stations;
        Ok(())
    }

    /// `update(None, Some(p))`, the common case, with the same checks and faults in the
    /// same order, in one pass and without the subtractions.
    fn add(&mut self, p: &Protocol) -> Result<(), Fault> {
        // Every check first, in `update`'s order; then the additions, which cannot fail.
        let fits = |cur: u64, n: u64, field: Field| match cur.checked_add(n) {
            Some(_) => Ok(()),
            None => Err(Fault(field, false)),
        };
        fits(self.reporting, 1, Field::Reporting)?;
        for (i, line) in Line::ALL.iter().copied().enumerate() {
            if let Some(n) = p.lines[i] {
                fits(self.lines[i], n, Field::Line(line))?;
                fits(self.line_stations[i], 1, Field::Reporting)?;
            }
        }
        let after = |k: usize| u128::from(self.lines[k]) + u128::from(p.lines[k].unwrap_or(0));
        if after(Line::Valid.index()) + after(Line::Invalid.index()) > u128::from(u64::MAX) {
            return Err(Fault(Field::ValidPlusInvalid, false));
        }
        let turnout = turnout_of(Some(p));
        fits(
            self.turnout_stations,
            u64::from(turnout.is_some()),
            Field::Reporting,
        )?;
        let (issued, registered) = turnout.unwrap_or((0, 0));
        fits(self.turnout_issued, issued, Field::Issued)?;
        fits(
            self.turnout_registered,
            registered,
            Field::Line(Line::Registered),
        )?;
        let mut choices = 0u128;
        for (i, &t) in self.votes.iter().enumerate() {
            let n = p.votes.get(i).copied().unwrap_or(0);
            fits(t, n, Field::Votes(i))?;
            choices += u128::from(t) + u128::from(n);
        }
        if choices > u128::from(u64::MAX) {
            return Err(Fault(Field::ChoiceSum, false));
        }
        self.count(p);
        Ok(())
    }

    /// How much more every total here can take, and the sums derived from them (valid +
    /// invalid, the votes for every choice): `u64::MAX` less the largest of them.
    fn room(&self) -> u128 {
        let (v, i) = (Line::Valid.index(), Line::Invalid.index());
        let counts = [
            self.reporting,
            self.turnout_issued,
            self.turnout_registered,
            self.turnout_stations,
        ];
        let largest = counts
            .into_iter()
            .chain(self.lines)
            .chain(self.line_stations)
            .map(u128::from)
            .chain([
                u128::from(self.lines[v]) + u128::from(self.lines[i]),
                self.votes.iter().copied().map(u128::from).sum(),
            ])
            .max()
            .unwrap_or(0);
        u128::from(u64::MAX).saturating_sub(largest)
    }

    /// Adds a protocol without checks: after [`Totals::add`]'s, or in a [`Run`], whose bound
    /// keeps every sum in range.
    fn count(&mut self, p: &Protocol) {
        self.reporting += 1;
        for (i, n) in p.lines.iter().enumerate() {
            if let Some(n) = n {
                self.lines[i] += n;
                self.line_stations[i] += 1;
            }
        }
        if let Some((issued, registered)) = turnout_of(Some(p)) {
            self.turnout_stations += 1;
            self.turnout_issued += issued;
            self.turnout_registered += registered;
        }
        for (t, &n) in self.votes.iter_mut().zip(&p.votes) {
            *t += n;
        }
    }

    /// Adds a run's sums. The run's bound keeps them in range; a sum beyond it is a bug, and
    /// stops the program rather than wrap.
    fn absorb(&mut self, run: &Totals) {
        let plus =
            |a: &mut u64, b: u64| *a = a.checked_add(b).expect("a run stays within its room");
        plus(&mut self.reporting, run.reporting);
        for i in 0..Line::COUNT {
            plus(&mut self.lines[i], run.lines[i]);
            plus(&mut self.line_stations[i], run.line_stations[i]);
        }
        plus(&mut self.turnout_stations, run.turnout_stations);
        plus(&mut self.turnout_issued, run.turnout_issued);
        plus(&mut self.turnout_registered, run.turnout_registered);
        for (t, &n) in self.votes.iter_mut().zip(&run.votes) {
            plus(t, n);
        }
    }

    /// The total of a line, if every counted station reports it.
    pub fn line(&self, line: Line) -> Option<u64> {
        (self.reporting > 0 && self.line_stations[line.index()] == self.reporting)
            .then(|| self.lines[line.index()])
    }

    /// The sum of the votes for every choice (exact: a tabulation refuses totals whose sum
    /// would not fit).
    pub fn choice_sum(&self) -> u64 {
        self.votes.iter().sum()
    }

    /// The choice with the most votes; of tied choices the first in ballot order; `None`
    /// when no choice has a vote.
    pub fn leader(&self) -> Option<usize> {
        self.votes
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
            .filter(|(_, v)| **v > 0)
            .map(|(i, _)| i)
    }

    /// Turnout: ballots issued / registered voters.
    pub fn turnout(&self) -> Option<Fraction> {
        Fraction::new(self.turnout_issued, self.turnout_registered)
    }

    /// The denominator for `base`, if every counted station reports the lines it needs.
    pub fn base(&self, base: ShareBase) -> Option<u64> {
        match base {
            ShareBase::Valid => self.line(Line::Valid),
            ShareBase::ValidPlusInvalid => self
                .line(Line::Valid)?
                .checked_add(self.line(Line::Invalid)?),
            ShareBase::Registered => self.line(Line::Registered),
            ShareBase::Choices => Some(self.choice_sum()),
        }
    }

    /// The share of `choice` in `base`.
    pub fn share(&self, choice: usize, base: ShareBase) -> Option<Fraction> {
        Fraction::new(*self.votes.get(choice)?, self.base(base)?)
    }
}

/// Which total of a unit a protocol could not be added to or taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Reporting,
    Line(Line),
    Issued,
    Votes(usize),
    ChoiceSum,
    ValidPlusInvalid,
}

/// A total that does not fit (`false`) or would fall below zero (`true`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fault(Field, bool);

impl Fault {
    /// The error, naming the unit, the station and the total.
    fn error(
        self,
        tree: &UnitTree,
        unit: UnitId,
        station: UnitId,
        choices: &[String],
    ) -> TabulateError {
        let what = match self.0 {
            Field::Reporting => "the stations counted".to_string(),
            Field::Line(l) => format!("the {}", l.label()),
            Field::Issued => "the ballots issued".to_string(),
            Field::Votes(i) => match choices.get(i) {
                Some(name) => format!("the votes for '{name}'"),
                None => format!("the votes for choice {i}"),
            },
            Field::ChoiceSum => "the votes for every choice".to_string(),
            Field::ValidPlusInvalid => "valid + invalid ballots".to_string(),
        };
        let (unit, station) = (tree.path(unit), tree.path(station));
        if self.1 {
            TabulateError::NotCounted {
                unit,
                station,
                what,
            }
        } else {
            TabulateError::Overflow {
                unit,
                station,
                what,
            }
        }
    }
}

/// `cur - sub + add`, exactly.
fn step(cur: u64, sub: u64, add: u64, field: Field) -> Result<u64, Fault> {
    cur.checked_sub(sub)
        .ok_or(Fault(field, true))?
        .checked_add(add)
        .ok_or(Fault(field, false))
}

/// What a protocol adds to the turnout: (issued, registered) if it reports both.
fn turnout_of(p: Option<&Protocol>) -> Option<(u64, u64)> {
    match p.map(|p| (p.issued(), p.line(Line::Registered))) {
        Some((Some(i), Some(r))) => Some((i, r)),
        _ => None,
    }
}

/// Refuses a protocol of a unit `tree` does not have (before any lookup of it).
fn check_unit(tree: &UnitTree, p: &Protocol) -> Result<(), TabulateError> {
    if p.station.index() >= tree.len() {
        return Err(TabulateError::UnknownUnit {
            station: p.station.0,
            units: tree.len(),
        });
    }
    Ok(())
}

/// Refuses a protocol whose own sums do not fit in `u64`.
fn check_protocol(tree: &UnitTree, p: &Protocol) -> Result<(), TabulateError> {
    match p.overflow() {
        Some(what) => Err(TabulateError::Protocol {
            station: tree.path(p.station),
            what,
        }),
        None => Ok(()),
    }
}

/// The totals of every unit above station level, by unit id.
type Slots = Vec<Option<Box<Totals>>>;

fn slot(totals: &mut Slots, choices: usize, u: UnitId) -> &mut Totals {
    let i = u.index();
    if totals.len() <= i {
        totals.resize_with(i + 1, || None);
    }
    totals[i].get_or_insert_with(|| Box::new(Totals::new(choices)))
}

/// Replaces `old` by `new` (either may be absent) in every unit above `station`. An error
/// changes nothing: the units already changed are changed back (an exact inverse, which
/// cannot fail), so that the common case walks the units once.
fn change(
    totals: &mut Slots,
    names: &[String],
    tree: &UnitTree,
    station: UnitId,
    old: Option<&Protocol>,
    new: Option<&Protocol>,
) -> Result<(), TabulateError> {
    let first = tree.parent(station);
    let mut cur = first;
    while let Some(u) = cur {
        let t = slot(totals, names.len(), u);
        let done = match (old, new) {
            (None, Some(p)) => t.add(p),
            _ => t.update(old, new),
        };
        if let Err(f) = done {
            let mut back = first;
            while let Some(b) = back.filter(|&b| b != u) {
                let undone = slot(totals, names.len(), b).update(new, old);
                debug_assert!(undone.is_ok(), "an update's inverse cannot fail");
                back = tree.parent(b);
            }
            return Err(f.error(tree, u, station, names));
        }
        cur = tree.parent(u);
    }
    Ok(())
}

/// Protocols of stations under one parent, summed apart from the units' totals while no
/// total above the parent can overflow: each protocol then costs one addition, not one per
/// unit above it. Exact: all sums only grow, so a run that ends within its room is what the
/// protocols added one by one to every unit would give; a protocol that would take the run
/// beyond its room is added alone, with every check ([`change`]).
#[derive(Debug, Clone)]
struct Run {
    parent: UnitId,
    sum: Totals,
    /// A bound on every sum in `sum` and on those derived from them: the protocols' counts
    /// and votes added up, plus one per protocol (for the counts of stations).
    bound: u128,
    /// The least [`Totals::room`] of the units from the parent up, when the run began.
    room: u128,
}

impl Run {
    /// Adds a protocol of `weight` ([`weight`]), which the caller has checked fits.
    fn take(&mut self, p: &Protocol, weight: u128) {
        self.sum.count(p);
        self.bound += weight;
    }
}

/// What a protocol can add to any one total or derived sum: all its counts and votes, plus one.
fn weight(p: &Protocol) -> u128 {
    let lines: u128 = p.lines.iter().flatten().copied().map(u128::from).sum();
    let votes: u128 = p.votes.iter().copied().map(u128::from).sum();
    lines + votes + 1
}

/// Which stations to leave out of a tabulation, e.g. annulled ones.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    excluded: HashSet<UnitId>,
}

impl Filter {
    /// Leaves out every station in or under the given units.
    pub fn excluding(units: impl IntoIterator<Item = UnitId>) -> Filter {
        Filter {
            excluded: units.into_iter().collect(),
        }
    }

    /// True when `station` is counted.
    pub fn admits(&self, tree: &UnitTree, station: UnitId) -> bool {
        if self.excluded.is_empty() {
            return true;
        }
        !tree.ancestry(station).any(|c| self.excluded.contains(&c))
    }
}

/// Accumulates protocols of one contest into totals for every unit above station level.
///
/// Station-level totals are the protocols themselves ([`Totals::of_protocol`]), so the
/// tabulator's memory grows with the number of units above the stations, not with the
/// number of stations.
#[derive(Debug, Clone)]
pub struct Tabulator {
    contest: usize,
    /// The contest's choices' names, for errors.
    names: Vec<String>,
    filter: Filter,
    totals: Vec<Option<Box<Totals>>>,
    /// Protocols counted but not yet in `totals`.
    run: Option<Run>,
    counted: u64,
    excluded: u64,
}

impl Tabulator {
    /// A tabulator for `contest` of `election` that counts the stations `filter` admits.
    pub fn new(election: &Election, contest: usize, filter: Filter) -> Tabulator {
        let names = election.choice_names(contest);
        Tabulator {
            contest,
            names,
            filter,
            totals: Vec::new(),
            run: None,
            counted: 0,
            excluded: 0,
        }
    }

    /// Counts one protocol (of this contest; others are ignored) into all its ancestors.
    /// The caller passes one protocol per station. A protocol whose counts would take a
    /// total beyond `u64::MAX` is refused, naming the unit and the station, and changes
    /// nothing.
    pub fn add(&mut self, tree: &UnitTree, p: &Protocol) -> Result<(), TabulateError> {
        if p.contest != self.contest {
            return Ok(());
        }
        check_unit(tree, p)?;
        if !self.filter.admits(tree, p.station) {
            self.excluded += 1;
            return Ok(());
        }
        check_protocol(tree, p)?;
        let parent = tree.parent(p.station);
        let weight = weight(p);
        let fits = |r: &Run| Some(r.parent) == parent && r.bound + weight <= r.room;
        if let Some(run) = self.run.as_mut().filter(|r| fits(r)) {
            run.take(p, weight);
        } else {
            // A new run, if the units above the parent have room for the protocol.
            self.flush(tree);
            match parent.map(|u| (u, self.room(tree, u))) {
                Some((parent, room)) if weight <= room => {
                    let mut run = Run {
                        parent,
                        sum: Totals::new(self.names.len()),
                        bound: 0,
                        room,
                    };
                    run.take(p, weight);
                    self.run = Some(run);
                }
                _ => change(
                    &mut self.totals,
                    &self.names,
                    tree,
                    p.station,
                    None,
                    Some(p),
                )?,
            }
        }
        self.counted += 1;
        Ok(())
    }

    /// The least room of `unit` and the units above it.
    fn room(&mut self, tree: &UnitTree, unit: UnitId) -> u128 {
        let choices = self.names.len();
        tree.ancestry(unit)
            .map(|u| slot(&mut self.totals, choices, u).room())
            .min()
            .unwrap_or(0)
    }

    /// Adds the run's sums to the units from its parent up.
    fn flush(&mut self, tree: &UnitTree) {
        let Some(run) = self.run.take() else {
            return;
        };
        let choices = self.names.len();
        for u in tree.ancestry(run.parent) {
            slot(&mut self.totals, choices, u).absorb(&run.sum);
        }
    }

    fn slot(&mut self, u: UnitId) -> &mut Totals {
        slot(&mut self.totals, self.names.len(), u)
    }

    /// Finishes the tabulation: counts the stations (reporting or not) under every unit.
    pub fn finish(mut self, tree: &UnitTree) -> Tally {
        self.flush(tree);
        // Each station counts under its parent, and each unit's count under its own parent,
        // children first (a child's id is higher than its parent's).
        for id in tree.ids().rev() {
            let Some(parent) = tree.parent(id) else {
                continue;
            };
            let (stations, annulled) = if tree.level(id) == UnitLevel::Station {
                let counted = self.filter.admits(tree, id);
                if !counted {
                    self.slot(id).annulled = 1;
                }
                (u64::from(counted), u64::from(!counted))
            } else {
                match self.totals.get(id.index()).and_then(|t| t.as_deref()) {
                    Some(t) => (t.stations, t.annulled),
                    None => continue,
                }
            };
            let t = self.slot(parent);
            t.stations += stations;
            t.annulled += annulled;
        }
        let root = tree.root().index();
        if self.totals.len() <= root || self.totals[root].is_none() {
            self.slot(tree.root());
        }
        Tally {
            contest: self.contest,
            names: self.names,
            totals: self.totals,
            counted: self.counted,
            excluded: self.excluded,
        }
    }
}

/// The result of a tabulation.
#[derive(Debug, Clone)]
pub struct Tally {
    /// The contest tabulated.
    pub contest: usize,
    /// The contest's choices' names, for errors.
    names: Vec<String>,
    totals: Vec<Option<Box<Totals>>>,
    /// Protocols counted.
    pub counted: u64,
    /// Protocols left out by the filter.
    pub excluded: u64,
}

impl Tally {
    /// Replaces a counted station's protocol: `old` (the version counted so far, if any) leaves
    /// the totals of every unit above the station and `new` enters them, so that a live
    /// tally follows corrections without tabulating again. The caller checks that the
    /// station is counted (its filter admits it) and that `new` is of this contest.
    ///
    /// Exact both ways: `old` is subtracted as it was added, and a total that would overflow
    /// (or fall below zero, were `old` never counted) is an error that changes nothing.
    pub fn replace(
        &mut self,
        tree: &UnitTree,
        old: Option<&Protocol>,
        new: &Protocol,
    ) -> Result<(), TabulateError> {
        for p in old.into_iter().chain([new]) {
            check_unit(tree, p)?;
        }
        check_protocol(tree, new)?;
        change(
            &mut self.totals,
            &self.names,
            tree,
            new.station,
            old,
            Some(new),
        )?;
        if old.is_none() {
            self.counted += 1;
        }
        Ok(())
    }

    /// The totals of a unit above station level (zero totals for a unit without stations).
    pub fn totals(&self, unit: UnitId) -> Totals {
        self.totals
            .get(unit.index())
            .and_then(|t| t.as_deref().cloned())
            .unwrap_or_else(|| Totals::new(self.names.len()))
    }

    /// The totals of a unit above station level, if any of its stations was counted or
    /// listed.
    pub fn get(&self, unit: UnitId) -> Option<&Totals> {
        self.totals.get(unit.index())?.as_deref()
    }

    /// The units at `level` that have at least one station, in tree order, with their
    /// totals. For the station level, use the protocols.
    pub fn at_level<'t>(
        &'t self,
        tree: &'t UnitTree,
        level: UnitLevel,
    ) -> impl Iterator<Item = (UnitId, &'t Totals)> + 't {
        tree.ids().filter_map(move |id| {
            if tree.level(id) != level {
                return None;
            }
            let t = self.totals.get(id.index())?.as_deref()?;
            (t.stations > 0).then_some((id, t))
        })
    }
}

/// Tabulates a contest from a slice of protocols, one per station; the first total that would
/// not fit in `u64` is an error naming its unit and the station.
pub fn tabulate<'p>(
    election: &Election,
    contest: usize,
    protocols: impl IntoIterator<Item = &'p Protocol>,
    filter: Filter,
) -> Result<Tally, TabulateError> {
    let mut t = Tabulator::new(election, contest, filter);
    for p in protocols {
        t.add(&election.units, p)?;
    }
    Ok(t.finish(&election.units))
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::{Choice, ChoiceKind, Contest, ContestKind};

    #[test]
    fn adding_a_protocol_is_updating_from_none_fault_for_fault() {
        // Totals near the top of u64 and protocols with and without lines, so that every
        // check (each line, the turnout, each choice, the choices' sum, valid + invalid) is
        // met once both ways; `add` must give what `update(None, ..)` gives, fault included.
        let big = u64::MAX - 10;
        let mut cases = 0;
        for start in [0, 5, big] {
            for value in [0, 3, 11, big] {
                for missing in [None, Some(Line::Valid), Some(Line::IssuedTotal)] {
                    for choices in [1, 2, 3] {
                        let mut t = Totals::new(2);
                        t.reporting = start;
                        t.lines = [start; Line::COUNT];
                        t.line_stations = [start; Line::COUNT];
                        (t.turnout_issued, t.turnout_registered) = (start, start);
                        t.turnout_stations = start;
                        t.votes = vec![start / 2, start / 2];
                        let mut p = Protocol::new(UnitId(1), 0, choices);
                        for &line in Line::ALL.iter() {
                            p.set_line(line, value);
                        }
                        if let Some(line) = missing {
                            p.lines[line.index()] = None;
                        }
                        p.votes.fill(value / 2);
                        let (mut a, mut b) = (t.clone(), t.clone());
                        assert_eq!(a.add(&p), b.update(None, Some(&p)));
                        assert_eq!(a, b);
                        cases += 1;
                    }
                }
            }
        }
        assert_eq!(cases, 108);
    }

    fn election() -> (Election, Vec<Protocol>) {
        let mut e = Election::new("t");
        e.contests.push(Contest::new(
            "c",
            ContestKind::PartyList,
            vec![
                Choice::new("A", ChoiceKind::Party),
                Choice::new("B", ChoiceKind::Party),
            ],
        ));
        let root = e.units.root();
        let mut ps = Vec::new();
        for (r, st, reg, issued, a, b) in [
            ("R1", "1", 100, 50, 30, 18),
            ("R1", "2", 200, 150, 100, 40),
            ("R2", "3", 300, 100, 10, 85),
        ] {
            let rid = e.units.get_or_insert(root, UnitLevel::Region, r).unwrap();
            let s = e.units.insert(rid, UnitLevel::Station, st).unwrap();
            let mut p = Protocol::new(s, 0, 2);
            p.set_line(Line::Registered, reg);
            p.set_line(Line::IssuedInStation, issued);
            p.set_line(Line::Valid, a + b);
            p.set_line(Line::Invalid, issued - a - b);
            p.votes = vec![a, b];
            ps.push(p);
        }
        let r2 = e.units.child(root, "R2").unwrap();
        e.units.insert(r2, UnitLevel::Station, "4").unwrap();
        (e, ps)
    }

    #[test]
    fn replacing_a_protocol_equals_tabulating_again() {
        let (e, ps) = election();
        let mut live = tabulate(&e, 0, &ps[..2], Filter::default()).unwrap();
        // A first protocol for station 3, then a correction of station 1 without a line.
        live.replace(&e.units, None, &ps[2]).unwrap();
        let mut fixed = ps[0].clone();
        fixed.votes = vec![31, 17];
        fixed.lines[Line::Invalid.index()] = None;
        live.replace(&e.units, Some(&ps[0]), &fixed).unwrap();
        let want = tabulate(
            &e,
            0,
            &[fixed, ps[1].clone(), ps[2].clone()],
            Filter::default(),
        )
        .unwrap();
        for (id, _) in e.units.iter() {
            if e.units.get(id).level != UnitLevel::Station {
                assert_eq!(live.totals(id), want.totals(id), "{}", e.units.path(id));
            }
        }
        assert_eq!(live.counted, want.counted);
    }

    #[test]
    fn totals_at_every_level() {
        let (e, ps) = election();
        let t = tabulate(&e, 0, &ps, Filter::default()).unwrap();
        let root = t.totals(e.units.root());
        assert_eq!(root.votes, vec![140, 143]);
        assert_eq!((root.stations, root.reporting), (4, 3));
        assert_eq!(root.line(Line::Registered), Some(600));
        assert_eq!(root.turnout().unwrap().percent(2), "50.00");
        assert_eq!(root.share(0, ShareBase::Valid).unwrap().percent(2), "49.47");
        assert_eq!(
            root.share(0, ShareBase::ValidPlusInvalid)
                .unwrap()
                .percent(2),
            "46.67"
        );
        assert_eq!(
            root.share(0, ShareBase::Registered).unwrap().percent(2),
            "23.33"
        );
        let regions: Vec<_> = t
            .at_level(&e.units, UnitLevel::Region)
            .map(|(id, t)| (e.units.get(id).name, t.votes.clone(), t.stations))
            .collect();
        assert_eq!(
            regions,
            vec![("R1", vec![130, 58], 2), ("R2", vec![10, 85], 2)]
        );
    }

    #[test]
    fn filtered_stations_are_left_out() {
        let (e, ps) = election();
        let r1 = e.units.child(e.units.root(), "R1").unwrap();
        let t = tabulate(&e, 0, &ps, Filter::excluding([r1])).unwrap();
        let root = t.totals(e.units.root());
        assert_eq!(root.votes, vec![10, 85]);
        assert_eq!((root.stations, root.reporting, t.excluded), (2, 1, 2));
    }

    /// Three internally consistent stations of R1 whose votes for A are near `i64::MAX`: their
    /// sum wraps modulo 2^64 to a plausible total (issue 13).
    fn huge(e: &mut Election) -> Vec<Protocol> {
        let r1 = e.units.child(e.units.root(), "R1").unwrap();
        let big = i64::MAX as u64;
        // 3 * (2^63 - 1) - 2^64 + 1000 = 2^63 - 3 + 1000 - ... chosen so the wrap lands at 1000.
        let third = (u64::MAX as u128 + 1 + 1000) / 3;
        assert!(third as u64 <= big);
        ["h1", "h2", "h3"]
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let s = e.units.insert(r1, UnitLevel::Station, name).unwrap();
                let mut p = Protocol::new(s, 0, 2);
                let a = (third + u128::from(k == 0) * ((u64::MAX as u128 + 1 + 1000) % 3)) as u64;
                p.set_line(Line::Registered, a);
                p.set_line(Line::IssuedInStation, a);
                p.set_line(Line::Valid, a);
                p.set_line(Line::Invalid, 0);
                p.votes = vec![a, 0];
                assert!(e.rules.check(e, &p).is_empty());
                p
            })
            .collect()
    }

    #[test]
    fn totals_that_would_wrap_are_an_error_naming_the_unit() {
        let (mut e, mut ps) = election();
        let hs = huge(&mut e);
        let sum: u128 = hs.iter().map(|p| u128::from(p.votes[0])).sum();
        assert_eq!(sum as u64, 1000, "the votes wrap to a plausible number");
        ps.extend(hs);
        let err = tabulate(&e, 0, &ps, Filter::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the totals of 'R1' overflow: with station 'R1 / h3', the registered voters exceed 18446744073709551615"
        );
        assert!(matches!(err, TabulateError::Overflow { ref unit, .. } if unit == "R1"));
        // Votes alone, without the lines: the error names the choice.
        for p in &mut ps {
            p.lines = [None; Line::COUNT];
        }
        let err = tabulate(&e, 0, &ps, Filter::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the totals of 'R1' overflow: with station 'R1 / h3', the votes for 'A' exceed 18446744073709551615"
        );
        // Two choices whose totals fit but whose sum does not.
        let mut two = ps[3].clone();
        two.votes = vec![0, u64::MAX - 10];
        let mut t = Tabulator::new(&e, 0, Filter::default());
        t.add(&e.units, &ps[3]).unwrap();
        let before = t.clone().finish(&e.units).totals(e.units.root());
        let err = t.add(&e.units, &two).unwrap_err();
        assert!(
            err.to_string()
                .contains("the votes for every choice exceed"),
            "{err}"
        );
        // A refused protocol changes nothing.
        assert_eq!(t.finish(&e.units).totals(e.units.root()), before);
    }

    /// Issue "One rulebook", item 4: a protocol of a unit the tree does not have is refused,
    /// not looked up (`UnitTree::get` panicked), whether tabulated or replacing another.
    #[test]
    fn a_protocol_of_a_unit_the_tree_lacks_is_an_error_not_a_panic() {
        let (e, mut ps) = election();
        let mut stray = ps[0].clone();
        stray.station = UnitId(e.units.len() as u32);
        let want = TabulateError::UnknownUnit {
            station: stray.station.0,
            units: e.units.len(),
        };
        ps.push(stray.clone());
        assert_eq!(tabulate(&e, 0, &ps, Filter::default()).unwrap_err(), want);
        let r1 = e.units.child(e.units.root(), "R1").unwrap();
        assert_eq!(
            tabulate(&e, 0, &ps, Filter::excluding([r1])).unwrap_err(),
            want
        );
        let mut live = tabulate(&e, 0, &ps[..3], Filter::default()).unwrap();
        let before = live.totals(e.units.root());
        assert_eq!(live.replace(&e.units, None, &stray), Err(want.clone()));
        assert_eq!(live.replace(&e.units, Some(&stray), &ps[0]), Err(want));
        assert_eq!(live.totals(e.units.root()), before);
        assert_eq!(
            TabulateError::UnknownUnit {
                station: 9,
                units: 7
            }
            .to_string(),
            "a protocol of unit 9, which the election does not have (it has 7 units)"
        );
    }

    #[test]
    fn a_protocol_whose_own_sum_wraps_is_an_error_naming_the_station() {
        let (e, mut ps) = election();
        ps[1].votes = vec![1 << 63, 1 << 63];
        let err = tabulate(&e, 0, &ps, Filter::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "station 'R1 / 2': the votes for every choice exceed 18446744073709551615"
        );
    }

    #[test]
    fn correcting_a_huge_protocol_back_gives_exact_totals() {
        let (mut e, ps) = election();
        let hs = huge(&mut e);
        let exact = tabulate(&e, 0, &ps, Filter::default()).unwrap();
        let mut live = exact.clone();
        // Two huge stations fit; the third is refused and changes nothing.
        live.replace(&e.units, None, &hs[0]).unwrap();
        live.replace(&e.units, None, &hs[1]).unwrap();
        let two = live.totals(e.units.root());
        assert!(live.replace(&e.units, None, &hs[2]).is_err());
        assert_eq!(live.totals(e.units.root()), two);
        // A station of R2 that fits R2's totals but not the country's: R2 is changed back.
        let r2 = e.units.child(e.units.root(), "R2").unwrap();
        let mut far = hs[2].clone();
        far.station = e.units.insert(r2, UnitLevel::Station, "h4").unwrap();
        let r2_before = live.totals(r2);
        let err = live.replace(&e.units, None, &far).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("the totals of 'country' overflow"),
            "{err}"
        );
        assert_eq!(
            (live.totals(r2), live.totals(e.units.root())),
            (r2_before, two.clone())
        );
        // Corrected back to small counts: exactly the small totals, nothing clamped.
        for (h, small) in hs.iter().zip([5, 7]) {
            let mut fixed = h.clone();
            fixed.version = 2;
            fixed.lines = [None; Line::COUNT];
            fixed.votes = vec![small, 0];
            live.replace(&e.units, Some(h), &fixed).unwrap();
        }
        let root = live.totals(e.units.root());
        assert_eq!(root.votes, vec![140 + 12, 143]);
        assert_eq!(root.line(Line::Registered), None);
        assert_eq!(root.lines[Line::Registered.index()], 600);
        // Taking out a protocol that was never counted is refused, not clamped at zero.
        let err = live.replace(&e.units, Some(&hs[2]), &ps[0]).unwrap_err();
        assert!(matches!(err, TabulateError::NotCounted { .. }), "{err}");
        assert_eq!(live.totals(e.units.root()), root);
    }

    /// A protocol of `station` from a draw: each line present or not, counts small or a large
    /// part of `u64`, so that runs of protocols end within their room and beyond it.
    fn drawn(station: UnitId, draw: &[(bool, u8)]) -> Protocol {
        let count = |v: u8| match v % 4 {
            0 | 1 => u64::from(v),
            2 => u64::MAX / 20 + u64::from(v),
            _ => u64::MAX / 5 - u64::from(v),
        };
        let mut p = Protocol::new(station, 0, 2);
        for (line, &(present, v)) in Line::ALL.iter().zip(draw) {
            if present {
                p.set_line(*line, count(v));
            }
        }
        p.votes = draw[Line::COUNT..]
            .iter()
            .map(|&(_, v)| count(v) / 2)
            .collect();
        p
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]

        /// Protocols summed in runs under their parent give, total for total and error for
        /// error, what adding each to every unit above it gives (the live tally's path).
        #[test]
        fn runs_add_up_as_protocols_one_by_one(
            rows in proptest::collection::vec(
                // A parent, or (from 6 up) the previous row's: runs of one parent.
                (0usize..12, proptest::collection::vec((proptest::bool::ANY, 0u8..16), Line::COUNT + 2)),
                1..40,
            )
        ) {
            let (mut e, _) = election();
            let root = e.units.root();
            let mut parents = Vec::new();
            for (r, d) in [("R1", "D1"), ("R1", "D2"), ("R2", "D3")] {
                let r = e.units.get_or_insert(root, UnitLevel::Region, r).unwrap();
                parents.push(r);
                parents.push(e.units.insert(r, UnitLevel::District, d).unwrap());
            }
            let mut parent = 0;
            let mut ps = Vec::new();
            for (k, (drawn_parent, draw)) in rows.iter().enumerate() {
                if *drawn_parent < parents.len() {
                    parent = *drawn_parent;
                }
                let s = e.units.insert(parents[parent], UnitLevel::Station, &format!("s{k}")).unwrap();
                ps.push(drawn(s, draw));
            }
            let mut one_by_one = tabulate(&e, 0, &[], Filter::default()).unwrap();
            let mut want = Ok(());
            for p in &ps {
                want = one_by_one.replace(&e.units, None, p);
                if want.is_err() {
                    break;
                }
            }
            let mut runs = Tabulator::new(&e, 0, Filter::default());
            let mut got = Ok(());
            for p in &ps {
                got = runs.add(&e.units, p);
                if got.is_err() {
                    break;
                }
            }
            proptest::prop_assert_eq!(got.map_err(|e| e.to_string()), want.map_err(|e| e.to_string()));
            let runs = runs.finish(&e.units);
            proptest::prop_assert_eq!(runs.counted, one_by_one.counted);
            for (id, u) in e.units.iter() {
                if u.level != UnitLevel::Station {
                    proptest::prop_assert_eq!(runs.totals(id), one_by_one.totals(id), "{}", e.units.path(id));
                }
            }
        }
    }
}

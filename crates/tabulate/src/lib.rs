//! Exact totals of polling-station protocols at every level of the unit tree.
//!
//! A [`Tabulator`] takes the counting protocols of one contest, one per station (the caller
//! chooses the version, normally the latest), and adds each into every unit above its
//! station. All sums are exact `u64`. Ratios (turnout, shares) are kept as exact fractions
//! ([`Ratio`]) and rendered in decimal only for display, by integer arithmetic.
//!
//! Definitions, as in the forensic literature (Kobak, Shpilkin & Pshenichnikov 2016):
//! turnout is ballots issued (the early, in-station and outside lines, or the single
//! issued line) divided by registered voters, both summed over the stations that report
//! both lines. Shares name their base explicitly ([`ShareBase`]).
//!
//! This crate does no input or output.

mod ratio;

use std::collections::HashSet;

use model::{Election, Line, Protocol, UnitId, UnitLevel, UnitTree};

pub use ratio::Ratio;

/// The denominator of a vote share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareBase {
    /// Valid ballots (the protocol's valid line).
    Valid,
    /// Valid plus invalid ballots: everyone whose ballot was counted. The Kyrgyz CEC's
    /// published percentages use this base (all participants).
    ValidPlusInvalid,
    /// Registered voters.
    Registered,
    /// The sum of the votes for the listed choices.
    Choices,
}

impl ShareBase {
    /// Every base.
    pub const ALL: [ShareBase; 4] = [
        ShareBase::Valid,
        ShareBase::ValidPlusInvalid,
        ShareBase::Registered,
        ShareBase::Choices,
    ];

    /// The base's stable name.
    pub fn key(self) -> &'static str {
        match self {
            ShareBase::Valid => "valid",
            ShareBase::ValidPlusInvalid => "valid+invalid",
            ShareBase::Registered => "registered",
            ShareBase::Choices => "choices",
        }
    }

    /// Parses [`ShareBase::key`].
    pub fn from_key(s: &str) -> Option<ShareBase> {
        ShareBase::ALL.into_iter().find(|b| b.key() == s)
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
    /// Ballots issued, summed over counted stations that report both issued and registered.
    pub turnout_issued: u64,
    /// Registered voters, summed over counted stations that report both.
    pub turnout_registered: u64,
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
            turnout_issued: 0,
            turnout_registered: 0,
            votes: vec![0; choices],
        }
    }

    /// The totals of a single protocol.
    pub fn of_protocol(p: &Protocol) -> Totals {
        let mut t = Totals::new(p.votes.len());
        t.stations = 1;
        t.add(p);
        t
    }

    fn add(&mut self, p: &Protocol) {
        self.reporting += 1;
        for (i, v) in p.lines.iter().enumerate() {
            if let Some(v) = v {
                self.lines[i] += v;
                self.line_stations[i] += 1;
            }
        }
        if let (Some(issued), Some(reg)) = (p.issued(), p.line(Line::Registered)) {
            self.turnout_issued += issued;
            self.turnout_registered += reg;
        }
        for (t, v) in self.votes.iter_mut().zip(&p.votes) {
            *t += v;
        }
    }

    /// Takes a protocol out again: the exact inverse of [`Totals::add`] (counts only add, so a
    /// protocol that was added can always be taken out).
    fn remove(&mut self, p: &Protocol) {
        self.reporting = self.reporting.saturating_sub(1);
        for (i, v) in p.lines.iter().enumerate() {
            if let Some(v) = v {
                self.lines[i] = self.lines[i].saturating_sub(*v);
                self.line_stations[i] = self.line_stations[i].saturating_sub(1);
            }
        }
        if let (Some(issued), Some(reg)) = (p.issued(), p.line(Line::Registered)) {
            self.turnout_issued = self.turnout_issued.saturating_sub(issued);
            self.turnout_registered = self.turnout_registered.saturating_sub(reg);
        }
        for (t, v) in self.votes.iter_mut().zip(&p.votes) {
            *t = t.saturating_sub(*v);
        }
    }

    fn merge(&mut self, other: &Totals) {
        self.stations += other.stations;
        self.reporting += other.reporting;
        for i in 0..Line::COUNT {
            self.lines[i] += other.lines[i];
            self.line_stations[i] += other.line_stations[i];
        }
        self.turnout_issued += other.turnout_issued;
        self.turnout_registered += other.turnout_registered;
        for (t, v) in self.votes.iter_mut().zip(&other.votes) {
            *t += v;
        }
    }

    /// The total of a line, if every counted station reports it.
    pub fn line(&self, line: Line) -> Option<u64> {
        (self.reporting > 0 && self.line_stations[line.index()] == self.reporting)
            .then(|| self.lines[line.index()])
    }

    /// The sum of the votes for every choice.
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
    pub fn turnout(&self) -> Option<Ratio> {
        Ratio::new(self.turnout_issued, self.turnout_registered)
    }

    /// The denominator for `base`, if every counted station reports the lines it needs.
    pub fn base(&self, base: ShareBase) -> Option<u64> {
        match base {
            ShareBase::Valid => self.line(Line::Valid),
            ShareBase::ValidPlusInvalid => {
                Some(self.line(Line::Valid)? + self.line(Line::Invalid)?)
            }
            ShareBase::Registered => self.line(Line::Registered),
            ShareBase::Choices => Some(self.choice_sum()),
        }
    }

    /// The share of `choice` in `base`.
    pub fn share(&self, choice: usize, base: ShareBase) -> Option<Ratio> {
        Ratio::new(*self.votes.get(choice)?, self.base(base)?)
    }
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
    choices: usize,
    filter: Filter,
    totals: Vec<Option<Box<Totals>>>,
    counted: u64,
    excluded: u64,
}

impl Tabulator {
    /// A tabulator for `contest` of `election` that counts the stations `filter` admits.
    pub fn new(election: &Election, contest: usize, filter: Filter) -> Tabulator {
        let choices = election
            .contests
            .get(contest)
            .map_or(0, |c| c.choices.len());
        Tabulator {
            contest,
            choices,
            filter,
            totals: Vec::new(),
            counted: 0,
            excluded: 0,
        }
    }

    /// Counts one protocol (of this contest; others are ignored) into all its ancestors.
    /// The caller passes one protocol per station.
    pub fn add(&mut self, tree: &UnitTree, p: &Protocol) {
        if p.contest != self.contest {
            return;
        }
        if !self.filter.admits(tree, p.station) {
            self.excluded += 1;
            return;
        }
        self.counted += 1;
        let mut cur = tree.get(p.station).parent;
        while let Some(u) = cur {
            self.slot(u).add(p);
            cur = tree.get(u).parent;
        }
    }

    fn slot(&mut self, u: UnitId) -> &mut Totals {
        let i = u.index();
        if self.totals.len() <= i {
            self.totals.resize_with(i + 1, || None);
        }
        let choices = self.choices;
        self.totals[i].get_or_insert_with(|| Box::new(Totals::new(choices)))
    }

    /// Merges another tabulator's counts (of the same contest and tree) into this one.
    pub fn merge(&mut self, other: Tabulator) {
        self.counted += other.counted;
        self.excluded += other.excluded;
        for (i, t) in other.totals.into_iter().enumerate() {
            if let Some(t) = t {
                self.slot(UnitId(i as u32)).merge(&t);
            }
        }
    }

    /// Finishes the tabulation: counts the stations (reporting or not) under every unit.
    pub fn finish(mut self, tree: &UnitTree) -> Tally {
        for (id, u) in tree.iter() {
            if u.level != UnitLevel::Station || !self.filter.admits(tree, id) {
                continue;
            }
            let mut cur = u.parent;
            while let Some(a) = cur {
                self.slot(a).stations += 1;
                cur = tree.get(a).parent;
            }
        }
        let root = tree.root().index();
        if self.totals.len() <= root || self.totals[root].is_none() {
            self.slot(tree.root());
        }
        Tally {
            contest: self.contest,
            choices: self.choices,
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
    choices: usize,
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
    pub fn replace(&mut self, tree: &UnitTree, old: Option<&Protocol>, new: &Protocol) {
        if old.is_none() {
            self.counted += 1;
        }
        let mut cur = tree.get(new.station).parent;
        while let Some(u) = cur {
            let i = u.index();
            if self.totals.len() <= i {
                self.totals.resize_with(i + 1, || None);
            }
            let t = self.totals[i].get_or_insert_with(|| Box::new(Totals::new(self.choices)));
            if let Some(o) = old {
                t.remove(o);
            }
            t.add(new);
            cur = tree.get(u).parent;
        }
    }

    /// The totals of a unit above station level (zero totals for a unit without stations).
    pub fn totals(&self, unit: UnitId) -> Totals {
        self.totals
            .get(unit.index())
            .and_then(|t| t.as_deref().cloned())
            .unwrap_or_else(|| Totals::new(self.choices))
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
        tree.iter().filter_map(move |(id, u)| {
            if u.level != level {
                return None;
            }
            let t = self.totals.get(id.index())?.as_deref()?;
            (t.stations > 0).then_some((id, t))
        })
    }
}

/// Tabulates a contest from a slice of protocols, one per station.
pub fn tabulate<'p>(
    election: &Election,
    contest: usize,
    protocols: impl IntoIterator<Item = &'p Protocol>,
    filter: Filter,
) -> Tally {
    let mut t = Tabulator::new(election, contest, filter);
    for p in protocols {
        t.add(&election.units, p);
    }
    t.finish(&election.units)
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::{Choice, ChoiceKind, Contest, ContestKind};

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
        let mut live = tabulate(&e, 0, &ps[..2], Filter::default());
        // A first protocol for station 3, then a correction of station 1 without a line.
        live.replace(&e.units, None, &ps[2]);
        let mut fixed = ps[0].clone();
        fixed.votes = vec![31, 17];
        fixed.lines[Line::Invalid.index()] = None;
        live.replace(&e.units, Some(&ps[0]), &fixed);
        let want = tabulate(
            &e,
            0,
            &[fixed, ps[1].clone(), ps[2].clone()],
            Filter::default(),
        );
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
        let t = tabulate(&e, 0, &ps, Filter::default());
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
        let t = tabulate(&e, 0, &ps, Filter::excluding([r1]));
        let root = t.totals(e.units.root());
        assert_eq!(root.votes, vec![10, 85]);
        assert_eq!((root.stations, root.reporting, t.excluded), (2, 1, 2));
    }
}

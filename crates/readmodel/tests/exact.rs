//! The state kept entry by entry equals a full `record::replay` of the same log, exactly,
//! after every act: imports, corrections, machine and manual counts, annulments, re-votes,
//! recounts, complaints, an annulled election reopened. Each case is a list of acts; after
//! each, the state followed incrementally and a state loaded from scratch are both checked
//! against the replay, with the totals recomputed by `tabulate` from the replayed protocols,
//! the counts by source from the log's protocol entries, and each unit's history and its
//! inclusion proofs from the log's entries (`translog`).

use std::collections::BTreeMap;

use model::CountSource::{self, Machine, Manual};
use model::UnitLevel::{self, Country, District, Region, Station};
use model::{Election, Protocol, UnitId};
use readmodel::{About, Live, View};
use record::{Decision, Entry};
use tabulate::{tabulate, Filter, Tally};

use crate::common::{Failed, Fixture, TWO_REGIONS};

/// An act, its units named by level and ordinal (in id order).
#[derive(Debug, Clone, Copy)]
enum Step {
    /// A new version of the `n`th station's protocol, counted by this source, with this many
    /// votes for the first choice.
    Count(usize, CountSource, u64),
    /// The annulment of a unit's stations.
    Annul(UnitLevel, usize),
    /// A recount ordered in a unit.
    Recount(UnitLevel, usize),
    /// A re-vote ordered in a unit (its stations leave the totals).
    Revote(UnitLevel, usize),
    /// The whole election annulled (it stays visible, marked).
    AnnulElection,
    /// The election opened again.
    Reopen,
    /// A complaint about a unit.
    Complain(UnitLevel, usize),
}

use Step::*;

/// The cases, on the election of two regions of districts of ten stations (station 12 is in
/// district 1, station 40 in region 1).
const CASES: &[(&str, &[Step])] = &[
    ("the import alone", &[]),
    (
        "corrections of one station and another",
        &[
            Count(0, Manual, 5),
            Count(0, Manual, 900),
            Count(17, Manual, 0),
        ],
    ),
    (
        "machine and manual counts of one station, in turn",
        &[
            Count(3, Machine, 400),
            Count(3, Manual, 410),
            Count(3, Machine, 420),
            Count(3, Manual, 1),
            Count(8, Machine, 7),
        ],
    ),
    (
        "annulments, then corrections inside and outside them",
        &[
            Annul(District, 1),
            Count(12, Manual, 50),
            Count(0, Machine, 3),
            Annul(Region, 1),
            Count(40, Machine, 9),
            Annul(Station, 0),
            Count(0, Manual, 4),
        ],
    ),
    (
        "a re-vote and a recount, each followed by counts",
        &[
            Revote(District, 0),
            Count(5, Manual, 70),
            Recount(District, 2),
            Count(21, Manual, 71),
            Count(22, Machine, 72),
        ],
    ),
    (
        "complaints about a station, a district and the country",
        &[
            Complain(Station, 4),
            Complain(District, 3),
            Complain(Country, 0),
            Count(4, Manual, 33),
        ],
    ),
    (
        "an annulled election reopened and corrected",
        &[
            Count(2, Machine, 60),
            AnnulElection,
            Reopen,
            Count(2, Manual, 61),
            Annul(Station, 2),
        ],
    ),
];

#[test]
fn the_state_kept_entry_by_entry_equals_a_full_replay() {
    for (case, steps) in CASES {
        let mut x = Fixture::new(&TWO_REGIONS, |_| {});
        let followed = Live::default();
        check(&format!("{case}, imported"), &followed, &x);
        for (k, step) in steps.iter().enumerate() {
            let before = x.log().len();
            apply(&mut x, *step);
            // A count is three entries (entered, verified, the protocol); a console's act two
            // (its staff entry, then the act).
            let grew = if matches!(step, Count(..)) { 3 } else { 2 };
            assert_eq!(x.log().len(), before + grew, "{case}, step {k}: {step:?}");
            followed.written(&x.reader, "x").unwrap();
            check(&format!("{case}, step {k}: {step:?}"), &followed, &x);
        }
        // A state loaded from the whole log is the same.
        check(&format!("{case}, loaded at the end"), &Live::default(), &x);
    }
}

fn apply(x: &mut Fixture, step: Step) {
    match step {
        Count(n, source, votes) => {
            let station = x.unit(Station, n);
            x.count(station, source, votes);
        }
        Annul(level, n) => {
            let unit = x.unit(level, n);
            x.decide(|reason| Decision::AnnulUnit { unit, reason });
        }
        Recount(level, n) => {
            let unit = x.unit(level, n);
            x.decide(|reason| Decision::Recount { unit, reason });
        }
        Revote(level, n) => {
            let unit = x.unit(level, n);
            x.decide(|reason| Decision::Revote { unit, reason });
        }
        AnnulElection => x.decide(|reason| Decision::AnnulElection { reason }),
        Reopen => x.decide(|reason| Decision::Reopen { reason }),
        Complain(level, n) => {
            let unit = x.unit(level, n);
            x.complain(unit);
        }
    }
}

/// Checks the state `live` shows of election `x` against a full replay of its log.
fn check(what: &str, live: &Live, x: &Fixture) {
    let log = x.log();
    let entries = log
        .iter()
        .enumerate()
        .map(|(i, b)| (i as u64, b.as_slice()));
    let replayed = record::replay(entries).unwrap();
    let e = &replayed.election;
    let filter = || Filter::excluding(replayed.annulled.iter().copied());
    let first = |p: &&Protocol| p.contest == 0;
    let want = tabulate(e, 0, replayed.protocols.iter().filter(first), filter()).unwrap();
    // Each station's latest count of each kind, from the log's protocol entries.
    let mut by_source: BTreeMap<(u32, bool), Protocol> = BTreeMap::new();
    let mut about: BTreeMap<UnitId, Vec<(u64, About)>> = BTreeMap::new();
    for (index, bytes) in log.iter().enumerate() {
        let index = index as u64;
        match record::decode(index, bytes).unwrap() {
            Entry::Protocol(p) => {
                let source = p.source;
                let version = p.version;
                about.entry(p.station).or_default().push((
                    index,
                    About::Protocol {
                        contest: p.contest as u32,
                        version,
                        source,
                        // The test's logs lift no quarantine: every correction adds up.
                        overridden: None,
                    },
                ));
                if p.contest == 0 {
                    by_source.insert((p.station.0, source == Machine), p);
                }
            }
            Entry::Complaint(c) => about
                .entry(c.unit)
                .or_default()
                .push((index, About::Complaint)),
            Entry::Decision(d) => {
                let (unit, kind) = match d {
                    Decision::AnnulUnit { unit, .. } => (unit, "annul-unit"),
                    Decision::Recount { unit, .. } => (unit, "recount"),
                    Decision::Revote { unit, .. } => (unit, "revote"),
                    Decision::AnnulElection { .. } => (e.units.root(), "annul-election"),
                    Decision::Reopen { .. } => continue,
                };
                about
                    .entry(unit)
                    .or_default()
                    .push((index, About::Decision(kind)));
            }
            _ => {}
        }
    }
    let counted_by = |source: CountSource| {
        let mine = by_source.values().filter(|p| p.source == source);
        tabulate(e, 0, mine, filter()).unwrap()
    };
    let mut root = translog::Tree::with_capacity(log.len() as u64);
    log.iter().for_each(|b| {
        root.append(b);
    });
    let root = root.root();
    live.with(&x.reader, "x", |v| -> Result<(), Failed> {
        assert_eq!(v.size(), log.len() as u64, "{what}: size");
        assert_eq!(
            v.annulled(),
            replayed.annulled.as_slice(),
            "{what}: annulled"
        );
        assert_eq!(v.revotes(), replayed.revotes.as_slice(), "{what}: re-votes");
        assert_eq!(v.election_annulled(), replayed.election_annulled, "{what}");
        assert_eq!(*v.protocols(), replayed.protocols, "{what}: protocols");
        same(what, "totals", e, v.tally()?, &want);
        for source in [Manual, Machine] {
            let kind = source.key();
            same(what, kind, e, v.source_tally(source)?, &counted_by(source));
            let mut listed = v.by_source(source);
            listed.sort_by_key(|p| p.station);
            let kept: Vec<Protocol> = by_source
                .values()
                .filter(|p| p.source == source)
                .cloned()
                .collect();
            assert_eq!(listed, kept, "{what}: the {kind} counts");
        }
        assert_eq!(v.root(), root, "{what}: root");
        proofs(what, v, &log, &about);
        Ok(())
    })
    .unwrap();
}

/// The same totals at every unit.
fn same(what: &str, kind: &str, e: &Election, got: &Tally, want: &Tally) {
    for (unit, _) in e.units.iter() {
        let path = e.units.path(unit);
        assert_eq!(got.get(unit), want.get(unit), "{what}: {kind} of '{path}'");
    }
}

/// Each unit's history is the entries about it, each with an inclusion proof that leads
/// to the log's root.
fn proofs(what: &str, v: &View<'_>, log: &[Vec<u8>], about: &BTreeMap<UnitId, Vec<(u64, About)>>) {
    let size = log.len() as u64;
    for (unit, _) in v.election().units.iter() {
        let logged = v.logged(unit).unwrap();
        let got: Vec<(u64, About)> = logged.iter().map(|l| (l.index, l.about.clone())).collect();
        let want = about.get(&unit).cloned().unwrap_or_default();
        assert_eq!(got, want, "{what}: the history of unit {}", unit.0);
        for l in &logged {
            let leaf = translog::leaf_hash(&log[l.index as usize]);
            assert_eq!(l.leaf, leaf, "{what}: the leaf of entry {}", l.index);
            translog::verify_inclusion(l.index, size, &leaf, &l.proof, &v.root())
                .unwrap_or_else(|e| panic!("{what}: entry {}: {e}", l.index));
        }
    }
}

//! The unit search of an election (`model::search`): the index of its units, built once per
//! unit tree (units do not change after an import; annulments and re-votes change no name),
//! the stations' protocol references kept as protocols arrive, and a page of what a query
//! finds, each unit with its path and its totals.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use model::search::{Found, UnitIndex, UnitQuery};
use model::{UnitId, UnitLevel};

use crate::live::{lock, Slot, STATE};
use crate::state::State;
use crate::{Live, Logs};

/// A page of the units a query found, with the log size it was read at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Searched {
    /// Every unit found.
    pub total: usize,
    /// The page's units, best first.
    pub units: Vec<FoundUnit>,
    /// The log's size the totals are at.
    pub size: u64,
}

/// A unit found, where it is and what it counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundUnit {
    /// Its id.
    pub id: UnitId,
    /// Its name.
    pub name: String,
    /// Its level.
    pub level: UnitLevel,
    /// Its path below the country, itself last: each unit's id and name.
    pub path: Vec<(UnitId, String)>,
    /// Its totals of the legal count (first contest); `None` while the election's totals do
    /// not fit in 64 bits (every total page says which unit and station).
    pub counts: Option<Counts>,
}

/// What a unit counts: its stations, and the votes of the legal count's first contest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Stations counted (in or under the unit, not annulled): 1 or 0 for a station.
    pub stations: u64,
    /// Stations annulled or ordered to re-vote.
    pub annulled: u64,
    /// Stations counted whose protocol is in.
    pub reporting: u64,
    /// Votes for the choices, over the stations reporting.
    pub votes: u64,
}

/// The stations by the references of their protocols (where each was published: a URL, a
/// scan's hash), by hash: a reference typed whole finds its stations.
#[derive(Debug, Default)]
pub(crate) struct References(HashMap<u64, Vec<u32>>);

impl References {
    /// Notes a protocol of `station` published at `reference`.
    pub(crate) fn note(&mut self, station: UnitId, reference: Option<&str>) {
        let Some(r) = reference.map(str::trim).filter(|r| !r.is_empty()) else {
            return;
        };
        let list = self.0.entry(hash(r)).or_default();
        if list.last() != Some(&station.0) {
            list.push(station.0);
        }
    }
}

fn hash(reference: &str) -> u64 {
    let mut h = DefaultHasher::new();
    reference.hash(&mut h);
    h.finish()
}

impl State {
    /// The stations whose current protocol (of any contest, either count) was published at
    /// `text`, in tree order.
    fn by_reference(&self, text: &str) -> Vec<UnitId> {
        let text = text.trim();
        let Some(list) = self.references.0.get(&hash(text)) else {
            return Vec::new();
        };
        let r = &self.replayer;
        let contests = r.election().contests.len();
        let mut found: Vec<UnitId> = list
            .iter()
            .filter(|&&s| {
                (0..contests).any(|c| {
                    [r.latest(), r.other_count()]
                        .iter()
                        .filter_map(|m| m.get(&(s, c)))
                        .any(|p| p.reference.as_deref().map(str::trim) == Some(text))
                })
            })
            .map(|&s| UnitId(s))
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }

    /// The units of a page, with their paths and totals.
    fn found(&self, found: Found) -> Searched {
        let e = self.replayer.election();
        let units = found
            .units
            .into_iter()
            .map(|id| {
                let u = e.units.get(id);
                let mut path: Vec<(UnitId, String)> = e
                    .units
                    .ancestry(id)
                    .filter(|&a| e.units.get(a).parent.is_some())
                    .map(|a| (a, e.units.get(a).name.to_string()))
                    .collect();
                path.reverse();
                FoundUnit {
                    id,
                    name: u.name.to_string(),
                    level: u.level,
                    path,
                    counts: self.counts(id, u.level),
                }
            })
            .collect();
        Searched {
            total: found.total,
            units,
            size: self.replayer.len(),
        }
    }

    /// A unit's totals: the tally's above the stations, a station's own protocol's.
    fn counts(&self, id: UnitId, level: UnitLevel) -> Option<Counts> {
        let tally = self.tally.as_ref().ok()?;
        if level != UnitLevel::Station {
            let t = tally.get(id);
            return Some(t.map_or(Counts::default(), |t| Counts {
                stations: t.stations,
                annulled: t.annulled,
                reporting: t.reporting,
                votes: t.choice_sum(),
            }));
        }
        let e = self.replayer.election();
        let annulled = self.replayer.annulled();
        if annulled.iter().any(|&a| e.units.is_within(id, a)) {
            return Some(Counts {
                annulled: 1,
                ..Counts::default()
            });
        }
        let Some(p) = self.replayer.latest().get(&(id.0, 0)) else {
            return Some(Counts {
                stations: 1,
                ..Counts::default()
            });
        };
        Some(Counts {
            stations: 1,
            annulled: 0,
            reporting: 1,
            votes: p.votes.iter().try_fold(0u64, |a, &v| a.checked_add(v))?,
        })
    }
}

impl Live {
    /// The units of election `name` that `query` finds: `limit` of them from `offset` on,
    /// best first, with their paths and totals, and how many it found in all. The search
    /// itself runs outside the election's lock, on the index built when the units were.
    pub fn search<S: Logs>(
        &self,
        db: &Arc<S>,
        name: &str,
        query: &UnitQuery,
        offset: usize,
        limit: usize,
    ) -> Result<Searched, S::Error> {
        let slot: Arc<Slot> = self.slot(db, name)?;
        let (index, also) = {
            let state = slot.current(db, name)?;
            (Arc::clone(&state.index), state.by_reference(query.text()))
        };
        let found = index.search(query, &also, offset, limit);
        let state = lock(&slot.state, STATE)?;
        Ok(state.found(found))
    }
}

/// The index of the units of a replayed election.
pub(crate) fn index(replayer: &record::Replayer) -> Arc<UnitIndex> {
    Arc::new(UnitIndex::new(&replayer.election().units))
}

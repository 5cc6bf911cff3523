//! A lean replay's totals ([`crate::Replayer::lean`]): instead of every station's latest
//! protocol, each (station, contest) keeps where its latest legal version is in the log and
//! the version numbers (16 bytes a unit and contest, in a table by unit id), and every contest keeps a running tally (units above
//! stations only), which each protocol updates as it comes. Whatever the running tally
//! cannot follow exactly is recomputed at the next publication from the latest versions read
//! again from the log, in station order, as a full replay tabulates them: an annulment or a
//! re-vote (the stations it takes out), or a total that would not fit in 64 bits on the way
//! (a later correction may bring it back; if not, the recomputation reports it where a full
//! replay does). A correction reads the version it replaces again, to take it out.

use model::{Election, Protocol, UnitId};
use seats::Base;
use tabulate::{Filter, Tabulator, Tally};

use crate::entry::{Entry, Publication};
use crate::kinds::Stage;
use crate::replay::publication_of;
use crate::wire::decode;
use crate::RecordError;

/// Reads entry `index` of the log again: its bytes, as they were replayed.
pub type Reread<'a> = dyn FnMut(u64) -> Option<Vec<u8>> + 'a;

/// Where a (station, contest)'s versions are.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    /// The index of the latest version of the legal count plus one; 0 for none.
    legal: u64,
    /// Its version.
    legal_version: u32,
    /// The latest version of either count (0: none).
    version: u32,
}

impl Slot {
    fn legal(&self) -> Option<u64> {
        self.legal.checked_sub(1)
    }
}

/// The running totals of a lean replay.
#[derive(Debug, Clone, Default)]
pub(crate) struct Running {
    /// By unit id, then contest (units × contests slots, from the first protocol on: the
    /// units are fixed then).
    slots: Vec<Slot>,
    contests: usize,
    /// One per contest once the first protocol came; `None` where it must be recomputed.
    tallies: Vec<Option<Tally>>,
    started: bool,
}

impl Running {
    /// The latest version of either count of `key`, 0 if none.
    pub(crate) fn version(&self, key: (u32, usize)) -> u32 {
        self.slot(key).map_or(0, |s| s.version)
    }

    fn at(&self, (station, contest): (u32, usize)) -> Option<usize> {
        (contest < self.contests).then(|| station as usize * self.contests + contest)
    }

    fn slot(&self, key: (u32, usize)) -> Option<&Slot> {
        self.slots.get(self.at(key)?)
    }

    /// Whether a protocol came (the units are then fixed).
    pub(crate) fn started(&self) -> bool {
        self.started
    }

    /// (stations' latest legal protocols, of which corrected: a version above 1).
    pub(crate) fn counts(&self) -> (u64, u64) {
        self.slots
            .iter()
            .filter(|s| s.legal > 0)
            .fold((0, 0), |(n, c), s| {
                (n + 1, c + u64::from(s.legal_version > 1))
            })
    }

    /// Takes protocol `p` (entry `index`, checked by the replay: a station, a contest, its
    /// next version); `legal` when of the legal count. Returns the legal version it replaces
    /// if it was read again.
    pub(crate) fn protocol(
        &mut self,
        e: &Election,
        annulled: &[UnitId],
        index: u64,
        p: &Protocol,
        legal: bool,
        reread: &mut Reread,
    ) -> Result<Option<Protocol>, RecordError> {
        if !self.started {
            // The units are fixed from the first protocol on: every unit's station counts.
            let filter = Filter::excluding(annulled.iter().copied());
            self.tallies = (0..e.contests.len())
                .map(|c| Some(Tabulator::new(e, c, filter.clone()).finish(&e.units)))
                .collect();
            self.contests = e.contests.len();
            self.slots = vec![Slot::default(); e.units.len() * self.contests];
            self.started = true;
        }
        let key = (p.station.0, p.contest);
        // The replay checked the station and the contest.
        let Some(slot) = self.at(key).and_then(|k| self.slots.get_mut(k)) else {
            return Err(RecordError::Invalid {
                index,
                message: format!("no station {} of contest {}", key.0, key.1),
            });
        };
        slot.version = p.version;
        if !legal {
            return Ok(None);
        }
        let mut old = None;
        if let Some(Some(t)) = self.tallies.get_mut(p.contest) {
            // The tally was made with today's annulments; none came since (or it is None).
            if Filter::excluding(annulled.iter().copied()).admits(&e.units, p.station) {
                old = slot
                    .legal()
                    .map(|i| read_protocol(i, key, reread))
                    .transpose()?;
                if t.replace(&e.units, old.as_ref(), p).is_err() {
                    self.tallies[p.contest] = None;
                }
            }
        }
        slot.legal = index + 1;
        slot.legal_version = p.version;
        Ok(old)
    }

    /// Stations left the totals (an annulment, a re-vote): every tally is recomputed at the
    /// next publication.
    pub(crate) fn annulled(&mut self) {
        self.tallies.iter_mut().for_each(|t| *t = None);
    }

    /// The publication of `contest` now (with seats on the given base), from its running
    /// tally, recomputed first from the latest versions read again if it must be.
    pub(crate) fn publication(
        &mut self,
        e: &Election,
        annulled: &[UnitId],
        contest: usize,
        stage: Stage,
        law: Option<(&str, Base)>,
        reread: &mut Reread,
    ) -> Result<Publication, RecordError> {
        if self.tallies.len() <= contest {
            self.tallies.resize(e.contests.len().max(contest + 1), None);
        }
        let tally = match self.tallies[contest].take() {
            Some(t) => t,
            None => self.tabulate(e, annulled, contest, reread)?,
        };
        let got = publication_of(e, &tally, stage, law);
        // Before the first protocol the tally is not kept: the units may still grow.
        if self.started {
            self.tallies[contest] = Some(tally);
        }
        got
    }

    /// `contest`'s tally from the latest legal versions read again, in (station, contest)
    /// order, as a full replay tabulates them.
    fn tabulate(
        &self,
        e: &Election,
        annulled: &[UnitId],
        contest: usize,
        reread: &mut Reread,
    ) -> Result<Tally, RecordError> {
        let mut t = Tabulator::new(e, contest, Filter::excluding(annulled.iter().copied()));
        // In (station, contest) order: by unit id, then contest.
        let contests = self.contests.max(1);
        for (k, slot) in self.slots.iter().enumerate() {
            let key = ((k / contests) as u32, k % contests);
            if let (Some(i), true) = (slot.legal(), key.1 == contest) {
                t.add(&e.units, &read_protocol(i, key, reread)?)?;
            }
        }
        Ok(t.finish(&e.units))
    }
}

/// Entry `index` read again: the protocol of `key` it was.
fn read_protocol(
    index: u64,
    key: (u32, usize),
    reread: &mut Reread,
) -> Result<Protocol, RecordError> {
    let again = |m: &str| RecordError::Invalid {
        index,
        message: format!("read again for its station's totals, the entry {m}"),
    };
    let bytes = reread(index).ok_or_else(|| again("cannot be read"))?;
    match decode(index, &bytes)? {
        Entry::Protocol(p) if (p.station.0, p.contest) == key => Ok(p),
        _ => Err(again("is another")),
    }
}

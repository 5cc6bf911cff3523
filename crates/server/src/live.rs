//! What the service shows is what the log says: each election's state is a replay of its log
//! (`record::Replayer`, with every rule checked), fed the entries appended since. The totals
//! of the first contest are kept up to date entry by entry (`tabulate::Tally::replace`), so
//! a new protocol costs the same at a thousand stations as at a million, and each response
//! is computed once per log size and then served from memory. Totals are exact both ways: a
//! protocol whose counts would take a total beyond 64 bits (an imported one: the service
//! refuses such entries) leaves the totals unknown, and every read of them answers the error
//! naming the unit, until a correction brings them back within range.
//!
//! Freshness: a write made through this service marks its election, and the next read
//! catches up at once; writes made by other processes (the command line, a second server)
//! are seen within [`REFRESH`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use model::{CountSource, Election, Protocol, UnitId};
use record::{DecisionKind, Pushed, Replayer};
use store::{Store, StoreError};
use tabulate::{tabulate, Filter, TabulateError, Tally};
use translog::{Hash, Tree};

use crate::pool::Pool;
use crate::ServerError;

/// How long a read may serve the state without asking the store for new entries.
pub const REFRESH: Duration = Duration::from_millis(100);

/// How long the previous response is served while a newer one is computed, at most.
pub const RECOMPUTE: Duration = Duration::from_secs(1);

/// How often the forensic station flags are recomputed at most.
pub const FLAGS_EVERY: Duration = Duration::from_secs(10);

/// Elections with more stations have their flags scored on a thread of their own, so that
/// no request waits for them (their pages show the last flags scored), and six times less
/// often.
pub const FLAGS_IN_BACKGROUND: usize = 100_000;

/// The forensic flags of every scored station, or why there are none.
pub struct Flags {
    /// Per station: its flag and its rank by score (1 = the most anomalous).
    pub by_station: HashMap<u32, (forensics::flags::StationFlag, usize)>,
    /// Stations scored.
    pub scored: usize,
    /// Why no station could be scored, if none was.
    pub missing: Option<String>,
}

/// An election's state, as a read sees it (under the election's lock).
pub struct View<'a> {
    tail: &'a mut Tail,
}

impl View<'_> {
    /// The election.
    pub fn election(&self) -> &Election {
        self.tail.replayer.election()
    }

    /// The log's size this state is at.
    pub fn size(&self) -> u64 {
        self.tail.replayer.len()
    }

    /// The totals of the first contest, without annulled stations; an error naming the unit
    /// when they do not fit in 64 bits.
    pub fn tally(&self) -> Result<&Tally, ServerError> {
        self.tail.tally.as_ref().map_err(|e| e.clone().into())
    }

    /// Units whose stations leave the totals (annulled, or ordered to re-vote).
    pub fn annulled(&self) -> &[UnitId] {
        self.tail.replayer.annulled()
    }

    /// Units where a re-vote was ordered.
    pub fn revotes(&self) -> &[UnitId] {
        self.tail.replayer.revotes()
    }

    /// Whether the whole election is annulled (it stays visible, marked).
    pub fn election_annulled(&self) -> bool {
        self.tail.replayer.election_annulled()
    }

    /// The latest version of a station's protocol for a contest.
    pub fn protocol(&self, station: UnitId, contest: usize) -> Option<&Protocol> {
        self.tail.replayer.latest().get(&(station.0, contest))
    }

    /// The latest version of every protocol, by station and contest (built once per log
    /// size, when first asked for).
    pub fn protocols(&mut self) -> Arc<Vec<Protocol>> {
        let size = self.tail.replayer.len();
        match &self.tail.protocols {
            Some((at, ps)) if *at == size => Arc::clone(ps),
            _ => {
                let ps: Arc<Vec<Protocol>> =
                    Arc::new(self.tail.replayer.latest().values().cloned().collect());
                self.tail.protocols = Some((size, Arc::clone(&ps)));
                ps
            }
        }
    }

    /// The totals of the latest machine count (`CountSource::Machine`) or manual count of each
    /// station, without annulled stations; an error naming the unit when they do not fit in
    /// 64 bits.
    pub fn source_tally(&self, source: CountSource) -> Result<&Tally, ServerError> {
        self.tail.source_tallies[source_index(source)]
            .as_ref()
            .map_err(|e| e.clone().into())
    }

    /// The latest protocol of each station counted by `source` (first contest), by station.
    pub fn by_source(&self, source: CountSource) -> Vec<Protocol> {
        of_source(&self.tail.replayer, &self.tail.other_source, source)
            .cloned()
            .collect()
    }

    /// The log's current root (RFC 6962 Merkle tree hash).
    pub fn root(&self) -> Hash {
        self.tail.tree.root()
    }

    /// The entries about a unit, with their inclusion proofs in the current log.
    pub fn logged(&self, unit: UnitId) -> Result<Vec<Logged>, ServerError> {
        let size = self.tail.tree.size();
        let Some(list) = self.tail.about.get(unit.index()) else {
            return Ok(Vec::new());
        };
        list.iter()
            .map(|&(index, about)| {
                Ok(Logged {
                    index,
                    about,
                    leaf: self
                        .tail
                        .tree
                        .leaf(index)
                        .ok_or_else(|| internal(format!("no leaf {index}")))?,
                    proof: self
                        .tail
                        .tree
                        .inclusion_proof(index, size)
                        .map_err(internal)?,
                })
            })
            .collect()
    }

    /// The stations counted: all but those under annulled units.
    pub fn filter(&self) -> Filter {
        Filter::excluding(self.annulled().iter().copied())
    }
}

/// What a log entry about a unit is.
#[derive(Debug, Clone, Copy)]
pub enum About {
    /// A protocol version.
    Protocol {
        /// The contest's index.
        contest: u32,
        /// The version.
        version: u32,
        /// Machine or manual.
        source: CountSource,
    },
    /// A complaint.
    Complaint,
    /// A decision, by kind.
    Decision(&'static str),
}

/// A logged entry about a unit, with its inclusion proof in the current log.
pub struct Logged {
    /// The entry's index.
    pub index: u64,
    /// What it is.
    pub about: About,
    /// Its leaf hash, SHA-256(0x00 || entry) (RFC 6962).
    pub leaf: Hash,
    /// The inclusion proof for the log's current size, leaf level first.
    pub proof: Vec<Hash>,
}

struct Tail {
    replayer: Replayer,
    /// The Merkle tree of the log (RFC 6962), one leaf per entry.
    tree: Tree,
    /// The entries about each unit, by unit id (a station's protocols, complaints, decisions).
    about: Vec<Vec<(u64, About)>>,
    /// The totals, or why they cannot be kept (a total beyond 64 bits).
    tally: Result<Tally, TabulateError>,
    /// A station's latest count of the other kind than its latest version's (first contest):
    /// the manual count after a machine count, or the other way round. Empty for an election
    /// counted one way only.
    other_source: HashMap<u32, Protocol>,
    /// Their totals: `[manual, machine]`, without annulled stations.
    source_tallies: [Result<Tally, TabulateError>; 2],
    protocols: Option<(u64, Arc<Vec<Protocol>>)>,
    /// The forensic station flags, when computed (they are statistics over every station:
    /// recomputed at most every [`FLAGS_EVERY`]).
    flags: Option<(Instant, Arc<Flags>)>,
    /// Whether a computation of the flags is under way.
    flagging: bool,
}

/// What reads of kept responses need, apart from the state, so that they never wait for
/// it (a catch-up, a heavy page, the flags' sampling hold the state's lock).
struct Cache {
    /// The log size of the state.
    size: u64,
    /// When the store was last asked for new entries.
    checked: Instant,
    /// Whether the service wrote since.
    written: bool,
    /// Since when a request is catching the state up, if one is: meanwhile the others get
    /// the kept responses (for at most [`RECOMPUTE`]).
    refreshing: Option<Instant>,
    /// Responses by key, with the log size they were computed at.
    responses: HashMap<String, Kept>,
    /// Responses being recomputed for a newer size, since when: meanwhile the previous one
    /// is served (for at most [`RECOMPUTE`]).
    recomputing: HashMap<String, Instant>,
}

/// A kept response: its bytes, the log size they cover, and what computing them cost.
struct Kept {
    size: u64,
    bytes: Bytes,
    /// When its computation ended, and how long it took: a response is recomputed at most
    /// every [`COST_FACTOR`] times its cost, so that heavy pages and exports (the NIST CDF
    /// export of 100,000 stations takes seconds) use at most a small share of the machine
    /// and of the election's lock, whatever the readers ask.
    done: Instant,
    took: Duration,
    /// Whether it may rest: a bulk export or page computed apart from the lock
    /// ([`Live::compute`]); the others follow the log at once, so that a writer reads
    /// what it wrote.
    may_rest: bool,
}

impl Kept {
    /// Whether it is too soon to compute it again.
    fn resting(&self) -> bool {
        self.may_rest && self.took >= HEAVY && self.done.elapsed() < self.took * COST_FACTOR
    }
}

/// A heavy response (a bulk export or page that took at least [`HEAVY`] to compute) is
/// recomputed at most every this many times its cost; the others whenever the log grows.
pub const COST_FACTOR: u32 = 20;
/// What makes a bulk response heavy to compute.
pub const HEAVY: Duration = Duration::from_millis(200);

/// One election: its state, and its cache of responses.
struct Slot {
    tail: Mutex<Tail>,
    cache: RwLock<Cache>,
}

/// The replays of the elections requested so far.
#[derive(Default)]
pub struct Live {
    tails: Mutex<HashMap<String, Arc<Slot>>>,
    /// One gate per election being loaded: a cold start under load replays the log once,
    /// not once per waiting request (each replay of a national log takes gigabytes).
    loading: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    /// Logs replayed from the start, for the tests.
    loads: std::sync::atomic::AtomicU64,
}

fn internal(e: impl std::fmt::Display) -> ServerError {
    ServerError::Internal(e.to_string())
}

fn lock<T>(m: &Mutex<T>) -> Result<std::sync::MutexGuard<'_, T>, ServerError> {
    m.lock().map_err(internal)
}

/// The totals of the first contest over `protocols`, without annulled stations.
fn count<'p>(
    replayer: &Replayer,
    protocols: impl IntoIterator<Item = &'p Protocol>,
) -> Result<Tally, TabulateError> {
    let e = replayer.election();
    let filter = Filter::excluding(replayer.annulled().iter().copied());
    tabulate(
        e,
        0,
        protocols.into_iter().filter(|p| p.contest == 0),
        filter,
    )
}

/// Each station's latest count of kind `source` (first contest): its latest version if of
/// that kind, else the one kept aside.
fn of_source<'a>(
    replayer: &'a Replayer,
    other: &'a HashMap<u32, Protocol>,
    source: CountSource,
) -> impl Iterator<Item = &'a Protocol> + 'a {
    replayer
        .latest()
        .values()
        .filter(|p| p.contest == 0)
        .filter_map(move |p| {
            if p.source == source {
                Some(p)
            } else {
                other.get(&p.station.0).filter(|q| q.source == source)
            }
        })
}

fn source_index(s: CountSource) -> usize {
    match s {
        CountSource::Manual => 0,
        CountSource::Machine => 1,
    }
}

impl Tail {
    fn load(db: &Arc<Pool>, name: &str) -> Result<Tail, ServerError> {
        let log = Pool::get(db)?.log(name).map_err(|e| match e {
            StoreError::NoElection(_) => {
                ServerError::NotFound(format!("no election named '{name}'"))
            }
            other => internal(other),
        })?;
        let mut it = log.iter().enumerate();
        let (_, first) = it
            .next()
            .ok_or_else(|| internal(format!("the log of '{name}' is empty")))?;
        let replayer = Replayer::start(0, first).map_err(internal)?;
        let empty = count(&replayer, []);
        let mut tree = Tree::with_capacity(log.len() as u64);
        tree.append(first);
        let mut t = Tail {
            tree,
            about: Vec::new(),
            tally: empty.clone(),
            source_tallies: [empty.clone(), empty],
            other_source: HashMap::new(),
            replayer,
            protocols: None,
            flags: None,
            flagging: false,
        };
        t.apply(1, it.map(|(_, b)| b.as_slice()))?;
        // The tallies count the stations under each unit when they are made: now, with every
        // unit known.
        t.recount();
        Ok(t)
    }

    /// Replays entries from index `from`, keeping the totals up to date.
    fn apply<'b>(
        &mut self,
        from: u64,
        entries: impl Iterator<Item = &'b [u8]>,
    ) -> Result<(), ServerError> {
        // New units (the definition's entries) or an annulment: count again at the end.
        let units = self.replayer.election().units.len();
        let mut recount = false;
        for (k, b) in entries.enumerate() {
            let index = from + k as u64;
            self.tree.append(b);
            let (key, old) = match self.replayer.push(index, b).map_err(internal)? {
                Pushed::Protocol { key, old } => (key, old),
                Pushed::Decision { unit, kind } => {
                    recount |= matches!(kind, DecisionKind::AnnulUnit | DecisionKind::Revote);
                    self.note(unit, index, About::Decision(kind.key()));
                    continue;
                }
                Pushed::Complaint { unit } => {
                    self.note(unit, index, About::Complaint);
                    continue;
                }
                Pushed::Other => continue,
            };
            let Some(new) = self.replayer.latest().get(&key) else {
                continue;
            };
            let about = About::Protocol {
                contest: key.1 as u32,
                version: new.version,
                source: new.source,
            };
            self.note(UnitId(key.0), index, about);
            if key.1 != 0 {
                continue;
            }
            let (e, new) = (self.replayer.election(), &self.replayer.latest()[&key]);
            let source = source_index(new.source);
            // The station's previous count of this kind: the version replaced, if it was of
            // this kind; else the one kept aside, and the replaced one (of the other kind) is
            // kept aside instead.
            let before: Option<Protocol> = match &old {
                Some(o) if o.source == new.source => Some((**o).clone()),
                Some(o) => {
                    let aside = self.other_source.remove(&key.0);
                    self.other_source.insert(key.0, (**o).clone());
                    aside
                }
                None => None,
            };
            let counted = Filter::excluding(self.replayer.annulled().iter().copied())
                .admits(&e.units, new.station);
            // Counted again at the end anyway: no need to keep the totals up to date now.
            if recount || e.units.len() != units || !counted {
                continue;
            }
            // A total beyond 64 bits changes nothing in the tally, which no longer follows the
            // log: counted again at the end, when it is an error until a correction comes.
            let kept = match &mut self.tally {
                Ok(t) => t.replace(&e.units, old.as_deref(), new).is_ok(),
                Err(_) => false,
            };
            let by_source = match &mut self.source_tallies[source] {
                Ok(t) => t.replace(&e.units, before.as_ref(), new).is_ok(),
                Err(_) => false,
            };
            recount |= !kept || !by_source;
        }
        if recount || self.replayer.election().units.len() != units {
            self.recount();
        }
        Ok(())
    }

    /// Notes an entry about a unit.
    fn note(&mut self, unit: UnitId, index: u64, about: About) {
        let i = unit.index();
        if self.about.len() <= i {
            self.about.resize_with(i + 1, Vec::new);
        }
        self.about[i].push((index, about));
    }

    /// Counts every total again (after an annulment).
    fn recount(&mut self) {
        self.tally = count(&self.replayer, self.replayer.latest().values());
        for (i, source) in [CountSource::Manual, CountSource::Machine]
            .into_iter()
            .enumerate()
        {
            let mine = of_source(&self.replayer, &self.other_source, source);
            self.source_tallies[i] = count(&self.replayer, mine);
        }
    }

    /// Reads the entries appended since, if the state may be stale.
    fn catch_up(
        &mut self,
        db: &Arc<Pool>,
        name: &str,
        cache: &RwLock<Cache>,
    ) -> Result<(), ServerError> {
        {
            let c = cache.read().map_err(internal)?;
            if !c.written && c.checked.elapsed() < REFRESH {
                return Ok(());
            }
        }
        // Cleared before the entries are read: a write acknowledged after this point marks
        // the cache again, and one acknowledged before it is among the entries read.
        {
            let mut c = cache.write().map_err(internal)?;
            c.checked = Instant::now();
            c.written = false;
        }
        let from = self.replayer.len();
        let new = Pool::get(db)?.log_since(name, from).map_err(internal)?;
        let applied = self.apply(from, new.iter().map(Vec::as_slice));
        let mut c = cache.write().map_err(internal)?;
        c.size = self.replayer.len();
        c.refreshing = None;
        applied
    }
}

/// Scores the stations of a sample (the part of the work done outside the election's lock).
fn score(
    (sample, groups): (
        Result<forensics::Sample, forensics::ForensicsError>,
        Vec<usize>,
    ),
) -> Flags {
    match sample {
        Ok(sample) => {
            let list = forensics::flags::flags(&sample.stations, &groups);
            let scored = list.len();
            let by_station = list
                .into_iter()
                .enumerate()
                .map(|(rank, f)| (sample.stations[f.index].unit.0, (f, rank + 1)))
                .collect();
            Flags {
                by_station,
                scored,
                missing: None,
            }
        }
        Err(e) => Flags {
            by_station: HashMap::new(),
            scored: 0,
            missing: Some(e.to_string()),
        },
    }
}

impl Live {
    /// The forensic flags of the election's stations (`forensics::flags`), scored at most
    /// every [`FLAGS_EVERY`]; for a large election on a thread of its own, so this answers
    /// the last flags scored (none at first).
    pub fn flags(&self, db: &Arc<Pool>, name: &str) -> Result<Option<Arc<Flags>>, ServerError> {
        let slot = self.slot(db, name)?;
        let (current, sample, background) = {
            let mut t = lock(&slot.tail)?;
            t.catch_up(db, name, &slot.cache)?;
            let big = t.replayer.election().units.len() > FLAGS_IN_BACKGROUND;
            let every = if big { FLAGS_EVERY * 6 } else { FLAGS_EVERY };
            let stale = t.flags.as_ref().is_none_or(|(at, _)| at.elapsed() >= every);
            let sample = (stale && !t.flagging).then(|| {
                t.flagging = true;
                let e = t.replayer.election();
                let s = forensics::station::sample_of(e, 0, t.replayer.latest().values(), None);
                let groups = match &s {
                    Ok(s) => forensics::region::groups(e, &s.stations),
                    Err(_) => Vec::new(),
                };
                (s, groups)
            });
            (t.flags.as_ref().map(|(_, f)| Arc::clone(f)), sample, big)
        };
        let Some(sample) = sample else {
            return Ok(current);
        };
        let store = move |slot: &Slot, f: Arc<Flags>| {
            if let Ok(mut t) = slot.tail.lock() {
                t.flags = Some((Instant::now(), f));
                t.flagging = false;
            }
        };
        if background {
            let slot = Arc::clone(&slot);
            std::thread::spawn(move || store(&slot, Arc::new(score(sample))));
            Ok(current)
        } else {
            let f = Arc::new(score(sample));
            store(&slot, Arc::clone(&f));
            Ok(Some(f))
        }
    }

    fn slot(&self, db: &Arc<Pool>, name: &str) -> Result<Arc<Slot>, ServerError> {
        if let Some(t) = lock(&self.tails)?.get(name) {
            return Ok(Arc::clone(t));
        }
        // Loaded outside the map's lock: a long first replay holds up no other election; the
        // election's gate makes the other requests for it wait for this one's replay.
        let gate = Arc::clone(lock(&self.loading)?.entry(name.to_string()).or_default());
        let _turn = lock(&gate)?;
        if let Some(t) = lock(&self.tails)?.get(name) {
            return Ok(Arc::clone(t));
        }
        let loaded = Tail::load(db, name);
        lock(&self.loading)?.remove(name);
        let tail = loaded?;
        self.loads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let slot = Arc::new(Slot {
            cache: RwLock::new(Cache {
                size: tail.replayer.len(),
                checked: Instant::now(),
                written: false,
                refreshing: None,
                responses: HashMap::new(),
                recomputing: HashMap::new(),
            }),
            tail: Mutex::new(tail),
        });
        Ok(Arc::clone(
            lock(&self.tails)?.entry(name.to_string()).or_insert(slot),
        ))
    }

    /// Runs `f` on the election's current state.
    pub fn with<T>(
        &self,
        db: &Arc<Pool>,
        name: &str,
        f: impl FnOnce(&mut View<'_>) -> Result<T, ServerError>,
    ) -> Result<T, ServerError> {
        let slot = self.slot(db, name)?;
        let mut t = lock(&slot.tail)?;
        t.catch_up(db, name, &slot.cache)?;
        f(&mut View { tail: &mut t })
    }

    /// The response `key` of the election's state, computed once per log size in two steps:
    /// `take` copies what it needs from the state under the election's lock (for a heavy
    /// response: shared protocols, a clone of the totals), and `make` computes it after the
    /// lock is released, so that a heavy export or page never holds up the writers' and the
    /// other readers' catch-ups. A response that `may_rest` (a bulk export or page) is
    /// recomputed at most every [`COST_FACTOR`] times its cost once it is heavy; the others
    /// follow the log at once, so that a writer reads what it wrote.
    pub fn compute<T>(
        &self,
        db: &Arc<Pool>,
        name: &str,
        key: &str,
        take: impl FnOnce(&mut View<'_>) -> Result<T, ServerError>,
        make: impl FnOnce(T) -> Result<Vec<u8>, ServerError>,
        may_rest: bool,
    ) -> Result<(u64, Bytes), ServerError> {
        let slot = self.slot(db, name)?;
        let start = Instant::now();
        let (size, taken) = {
            let mut t = lock(&slot.tail)?;
            t.catch_up(db, name, &slot.cache)?;
            let size = t.replayer.len();
            if let Some(k) = slot.cache.read().map_err(internal)?.responses.get(key) {
                if k.size == size || k.resting() {
                    return Ok((k.size, k.bytes.clone()));
                }
            }
            slot.cache
                .write()
                .map_err(internal)?
                .recomputing
                .insert(key.to_string(), Instant::now());
            (size, take(&mut View { tail: &mut t }))
        };
        let computed = taken.and_then(make);
        let mut c = slot.cache.write().map_err(internal)?;
        c.recomputing.remove(key);
        let bytes = Bytes::from(computed?);
        // A response computed meanwhile for a later size stays.
        if c.responses.get(key).is_none_or(|k| k.size <= size) {
            let kept = Kept {
                size,
                bytes: bytes.clone(),
                done: Instant::now(),
                took: start.elapsed(),
                may_rest,
            };
            c.responses.insert(key.to_string(), kept);
        }
        Ok((size, bytes))
    }

    /// The response `key` if the state is fresh and the response current, or being
    /// recomputed by another request, or too costly to compute again so soon (then the
    /// previous one): served without the store and without leaving the async threads, with
    /// the log size it covers.
    pub fn fresh(&self, name: &str, key: &str) -> Option<(u64, Bytes)> {
        let slot = Arc::clone(self.tails.lock().ok()?.get(name)?);
        let recent = |t: Option<&Instant>| t.is_some_and(|since| since.elapsed() < RECOMPUTE);
        let stale = {
            let c = slot.cache.read().ok()?;
            let k = c.responses.get(key)?;
            let stale = c.written || c.checked.elapsed() >= REFRESH;
            if k.resting()
                || stale && recent(c.refreshing.as_ref())
                || !stale && (k.size == c.size || recent(c.recomputing.get(key)))
            {
                return Some((k.size, k.bytes.clone()));
            }
            stale
        };
        // Stale, and nobody catching up or recomputing: this request will (the others get
        // the kept response meanwhile).
        if let Ok(mut c) = slot.cache.write() {
            if stale {
                c.refreshing = Some(Instant::now());
            } else {
                c.recomputing.insert(key.to_string(), Instant::now());
            }
        }
        None
    }

    /// After the service wrote to an election: its state takes the new entries at once.
    pub fn written(&self, db: &Arc<Pool>, name: &str) -> Result<(), ServerError> {
        let Some(slot) = lock(&self.tails)?.get(name).cloned() else {
            return Ok(());
        };
        slot.cache.write().map_err(internal)?.written = true;
        // A heavy response being computed holds the state: the writer does not wait for it
        // (the next read catches up, as the cache now says).
        let mut t = match slot.tail.try_lock() {
            Ok(t) => t,
            Err(std::sync::TryLockError::WouldBlock) => return Ok(()),
            Err(std::sync::TryLockError::Poisoned(_)) => return Err(internal("a poisoned lock")),
        };
        t.catch_up(db, name, &slot.cache)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Grows the election's log (a new user's grant entry, by the console).
    fn grow(db: &str) {
        use store::Staffing;
        let mut s = store::open(db).unwrap();
        s.add_user("grown", record::Role::Observer, "x", &[1; 32], None)
            .unwrap();
    }

    #[test]
    fn a_heavy_response_rests_and_a_writer_does_not_wait_for_it() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::testing::synthetic_store(dir.path());
        let pool = Pool::new(&db).unwrap();
        let live = Arc::new(Live::default());
        let slow = |v: &mut View<'_>| {
            std::thread::sleep(HEAVY * 2);
            Ok(v.size().to_string().into_bytes())
        };
        let (size, _) = live.compute(&pool, "s", "slow", slow, Ok, true).unwrap();
        grow(&db);
        live.written(&pool, "s").unwrap();
        // Too soon to compute again: the kept one is served, saying what it covers.
        let (kept, bytes) = live.fresh("s", "slow").unwrap();
        assert_eq!((kept, bytes.as_ref()), (size, size.to_string().as_bytes()));
        let (again, _) = live.compute(&pool, "s", "slow", slow, Ok, true).unwrap();
        assert_eq!(again, size);
        // A light one follows the log at once.
        let (light, _) = live
            .compute(
                &pool,
                "s",
                "light",
                |v| Ok(v.size().to_string().into_bytes()),
                Ok,
                false,
            )
            .unwrap();
        assert!(light > size);
        // While a heavy response is computed, a writer's catch-up does not wait for it.
        let computing = {
            let (live, pool) = (Arc::clone(&live), Arc::clone(&pool));
            std::thread::spawn(move || {
                live.compute(
                    &pool,
                    "s",
                    "slower",
                    |_| Ok(()),
                    |()| {
                        std::thread::sleep(Duration::from_millis(800));
                        Ok(Vec::new())
                    },
                    true,
                )
            })
        };
        std::thread::sleep(Duration::from_millis(200));
        let start = Instant::now();
        live.written(&pool, "s").unwrap();
        assert!(start.elapsed() < Duration::from_millis(300));
        computing.join().unwrap().unwrap();
    }

    #[test]
    fn a_cold_start_under_load_replays_the_log_once() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::testing::synthetic_store(dir.path());
        let pool = Pool::new(&db).unwrap();
        let live = Arc::new(Live::default());
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (live, pool) = (Arc::clone(&live), Arc::clone(&pool));
                std::thread::spawn(move || live.with(&pool, "s", |v| Ok(v.size())).unwrap())
            })
            .collect();
        let sizes: Vec<u64> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        assert!(sizes.iter().all(|&n| n == sizes[0] && n > 300));
        assert_eq!(live.loads.load(std::sync::atomic::Ordering::Relaxed), 1);
        // An unknown election leaves no gate behind.
        assert!(live.with(&pool, "nope", |v| Ok(v.size())).is_err());
        assert!(live.loading.lock().unwrap().is_empty());
    }
}

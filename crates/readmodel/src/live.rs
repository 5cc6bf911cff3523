//! The replays of the elections requested so far: loaded once per election (even when a cold
//! start meets many requests), caught up with the log when a read may be stale, and the
//! responses kept beside each one.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, TryLockError};
use std::time::Instant;

use bytes::Bytes;

use crate::kept::{Cache, Kept};
use crate::signed::{CosignatureTaken, Signing};
use crate::state::State;
use crate::{Logs, ReadError, View, RECOMPUTE};

/// One election: its state, and its cache of responses.
pub(crate) struct Slot {
    pub(crate) state: Mutex<State>,
    pub(crate) cache: RwLock<Cache>,
    /// The key that signs each log size the state reaches, if any.
    signing: Option<Arc<Signing>>,
}

/// The replays of the elections requested so far.
#[derive(Default)]
pub struct Live {
    /// The log key: every log size a state reaches is signed before a read sees it.
    signing: Option<Arc<Signing>>,
    slots: Mutex<HashMap<String, Arc<Slot>>>,
    /// One gate per election being loaded: a cold start under load replays the log once,
    /// not once per waiting request (each replay of a national log takes gigabytes).
    loading: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    /// Logs replayed from the start.
    loads: AtomicU64,
}

/// Takes a lock of the read model, `what` naming it should it be poisoned.
pub(crate) fn lock<'m, T>(
    m: &'m Mutex<T>,
    what: &'static str,
) -> Result<MutexGuard<'m, T>, ReadError> {
    m.lock().map_err(|_| ReadError::Poisoned(what))
}

pub(crate) const STATE: &str = "an election's state";
const CACHE: &str = "an election's kept responses";
const SLOTS: &str = "the map of elections";
const LOADING: &str = "the gates of the elections being loaded";

impl Slot {
    /// Reads the entries appended since, if the state may be stale.
    pub(crate) fn catch_up<S: Logs>(
        &self,
        state: &mut State,
        db: &Arc<S>,
        name: &str,
    ) -> Result<(), S::Error> {
        if !self.read_cache()?.stale() {
            return Ok(());
        }
        // Cleared before the entries are read: a write acknowledged after this point marks
        // the cache again, and one acknowledged before it is among the entries read.
        {
            let mut c = self.write_cache()?;
            c.checked = Instant::now();
            c.written = false;
        }
        let from = state.replayer.len();
        let new = db
            .log_since(name, from)?
            .ok_or_else(|| ReadError::NoElection(name.to_string()))?;
        let applied = state.apply(from, new.iter().map(Vec::as_slice));
        if let Some(signing) = &self.signing {
            state.sign(signing, name)?;
        }
        let mut c = self.write_cache()?;
        c.size = state.replayer.len();
        c.refreshing = None;
        applied.map_err(|source| {
            ReadError::Replay {
                election: name.to_string(),
                source: Box::new(source),
            }
            .into()
        })
    }

    fn read_cache(&self) -> Result<std::sync::RwLockReadGuard<'_, Cache>, ReadError> {
        self.cache.read().map_err(|_| ReadError::Poisoned(CACHE))
    }

    fn write_cache(&self) -> Result<std::sync::RwLockWriteGuard<'_, Cache>, ReadError> {
        self.cache.write().map_err(|_| ReadError::Poisoned(CACHE))
    }

    /// The state, caught up with the log.
    pub(crate) fn current<S: Logs>(
        &self,
        db: &Arc<S>,
        name: &str,
    ) -> Result<MutexGuard<'_, State>, S::Error> {
        let mut state = lock(&self.state, STATE)?;
        self.catch_up(&mut state, db, name)?;
        Ok(state)
    }
}

impl Live {
    /// The replays of a service that signs its logs with `signing`.
    pub fn signed_by(signing: Signing) -> Live {
        Live {
            signing: Some(Arc::new(signing)),
            ..Live::default()
        }
    }

    /// The log key and witnesses, if the logs are signed.
    pub fn signing(&self) -> Option<&Signing> {
        self.signing.as_deref()
    }

    /// Checks a witness's cosigned checkpoint of election `name`'s log and keeps its
    /// cosignatures if it is the latest cosigned.
    pub fn cosign<S: Logs>(
        &self,
        db: &Arc<S>,
        name: &str,
        submitted: &str,
    ) -> Result<CosignatureTaken, S::Error> {
        let signing = self
            .signing
            .as_ref()
            .ok_or_else(|| ReadError::Cosignature("this service signs no log".into()))?;
        let slot = self.slot(db, name)?;
        let mut state = slot.current(db, name)?;
        let state = &mut *state;
        Ok(signing.cosign(name, &state.tree, &mut state.cosigned, submitted)?)
    }

    /// Catches up every election loaded so far (a writer of another process, or a write
    /// whose catch-up met a busy state), so that each log size is signed soon after it is
    /// written: the service calls it a few times a second.
    pub fn refresh<S: Logs>(&self, db: &Arc<S>) -> Result<(), S::Error> {
        let slots: Vec<(String, Arc<Slot>)> = lock(&self.slots, SLOTS)?
            .iter()
            .map(|(n, s)| (n.clone(), Arc::clone(s)))
            .collect();
        // One election's failure (a broken log) holds up no other's signing.
        let mut first = Ok(());
        for (name, slot) in slots {
            if let Err(e) = slot.current(db, &name) {
                first = first.and(Err(e));
            }
        }
        first
    }

    /// Loads an election (the service loads every one before it says it is ready).
    pub fn preload<S: Logs>(&self, db: &Arc<S>, name: &str) -> Result<(), S::Error> {
        self.slot(db, name).map(drop)
    }

    /// The election's slot, its log replayed from the start if it is the first request.
    pub(crate) fn slot<S: Logs>(&self, db: &Arc<S>, name: &str) -> Result<Arc<Slot>, S::Error> {
        if let Some(t) = lock(&self.slots, SLOTS)?.get(name) {
            return Ok(Arc::clone(t));
        }
        // Loaded outside the map's lock: a long first replay holds up no other election; the
        // election's gate makes the other requests for it wait for this one's replay.
        let gate = Arc::clone(
            lock(&self.loading, LOADING)?
                .entry(name.to_string())
                .or_default(),
        );
        let _turn = lock(&gate, LOADING)?;
        if let Some(t) = lock(&self.slots, SLOTS)?.get(name) {
            return Ok(Arc::clone(t));
        }
        let loaded = Self::load(db, name);
        lock(&self.loading, LOADING)?.remove(name);
        let mut state = loaded?;
        if let Some(signing) = &self.signing {
            state.sign(signing, name)?;
        }
        self.loads.fetch_add(1, Ordering::Relaxed);
        let slot = Arc::new(Slot {
            cache: RwLock::new(Cache::new(state.replayer.len())),
            state: Mutex::new(state),
            signing: self.signing.clone(),
        });
        Ok(Arc::clone(
            lock(&self.slots, SLOTS)?
                .entry(name.to_string())
                .or_insert(slot),
        ))
    }

    fn load<S: Logs>(db: &Arc<S>, name: &str) -> Result<State, S::Error> {
        let log = db
            .log_since(name, 0)?
            .ok_or_else(|| ReadError::NoElection(name.to_string()))?;
        Ok(State::load(name, &log)?)
    }

    /// How many logs were replayed from the start (one per election requested, however
    /// many requests met its cold start).
    pub fn loads(&self) -> u64 {
        self.loads.load(Ordering::Relaxed)
    }

    /// Runs `f` on the election's current state.
    pub fn with<S: Logs, T>(
        &self,
        db: &Arc<S>,
        name: &str,
        f: impl FnOnce(&mut View<'_>) -> Result<T, S::Error>,
    ) -> Result<T, S::Error> {
        let slot = self.slot(db, name)?;
        let mut state = slot.current(db, name)?;
        f(&mut View { state: &mut state })
    }

    /// The response `key` of the election's state, computed once per log size in two steps:
    /// `take` copies what it needs from the state under the election's lock (for a heavy
    /// response: shared protocols, a clone of the totals), and `make` computes it after the
    /// lock is released, so that a heavy export or page never holds up the writers' and the
    /// other readers' catch-ups. A response that `may_rest` (a bulk export or page) is
    /// recomputed at most every [`crate::COST_FACTOR`] times its cost once it is heavy; the
    /// others follow the log at once, so that a writer reads what it wrote. Answers the log
    /// size the response covers, and its bytes.
    pub fn compute<S: Logs, T>(
        &self,
        db: &Arc<S>,
        name: &str,
        key: &str,
        take: impl FnOnce(&mut View<'_>) -> Result<T, S::Error>,
        make: impl FnOnce(T) -> Result<Vec<u8>, S::Error>,
        may_rest: bool,
    ) -> Result<(u64, Bytes), S::Error> {
        let slot = self.slot(db, name)?;
        let start = Instant::now();
        let (size, taken) = {
            let mut state = slot.current(db, name)?;
            let size = state.replayer.len();
            if let Some(k) = slot.read_cache()?.responses.get(key) {
                if k.size == size || k.resting() {
                    return Ok((k.size, k.bytes.clone()));
                }
            }
            slot.write_cache()?
                .recomputing
                .insert(key.to_string(), Instant::now());
            (size, take(&mut View { state: &mut state }))
        };
        let computed = taken.and_then(make);
        let mut c = slot.write_cache()?;
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
    /// previous one): served without the store and without waiting for the state's lock,
    /// with the log size it covers. `None`: compute it ([`Live::compute`]).
    pub fn fresh(&self, name: &str, key: &str) -> Option<(u64, Bytes)> {
        let slot = Arc::clone(self.slots.lock().ok()?.get(name)?);
        let recent = |t: Option<&Instant>| t.is_some_and(|since| since.elapsed() < RECOMPUTE);
        let stale = {
            let c = slot.cache.read().ok()?;
            let k = c.responses.get(key)?;
            let stale = c.stale();
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
    pub fn written<S: Logs>(&self, db: &Arc<S>, name: &str) -> Result<(), S::Error> {
        let Some(slot) = lock(&self.slots, SLOTS)?.get(name).cloned() else {
            return Ok(());
        };
        slot.write_cache()?.written = true;
        // A heavy response being computed holds the state: the writer does not wait for it
        // (the next read catches up, as the cache now says).
        let mut state = match slot.state.try_lock() {
            Ok(t) => t,
            Err(TryLockError::WouldBlock) => return Ok(()),
            Err(TryLockError::Poisoned(_)) => return Err(ReadError::Poisoned(STATE).into()),
        };
        slot.catch_up(&mut state, db, name)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use record::Entry;

    use super::*;
    use crate::testing::{synthetic, Memory};
    use crate::HEAVY;

    /// Grows the election's log by one entry: the next version of a station's protocol.
    fn grow(live: &Live, logs: &Arc<Memory>) {
        let mut p = live
            .with(logs, "s", |v| Ok(v.protocols()[0].clone()))
            .unwrap();
        p.version += 1;
        logs.append("s", [Entry::Protocol(p)]);
    }

    #[test]
    fn a_heavy_response_rests_and_a_writer_does_not_wait_for_it() {
        let logs = synthetic();
        let live = Arc::new(Live::default());
        let slow = |v: &mut View<'_>| {
            std::thread::sleep(HEAVY * 2);
            Ok(v.size().to_string().into_bytes())
        };
        let (size, _) = live.compute(&logs, "s", "slow", slow, Ok, true).unwrap();
        grow(&live, &logs);
        live.written(&logs, "s").unwrap();
        // Too soon to compute again: the kept one is served, saying what it covers.
        let (kept, bytes) = live.fresh("s", "slow").unwrap();
        assert_eq!((kept, bytes.as_ref()), (size, size.to_string().as_bytes()));
        let (again, _) = live.compute(&logs, "s", "slow", slow, Ok, true).unwrap();
        assert_eq!(again, size);
        // A light one follows the log at once.
        let (light, _) = live
            .compute(
                &logs,
                "s",
                "light",
                |v| Ok(v.size().to_string().into_bytes()),
                Ok,
                false,
            )
            .unwrap();
        assert_eq!(light, size + 1);
        // While a heavy response is computed, a writer's catch-up does not wait for it.
        let computing = {
            let (live, logs) = (Arc::clone(&live), Arc::clone(&logs));
            std::thread::spawn(move || {
                live.compute(
                    &logs,
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
        live.written(&logs, "s").unwrap();
        assert!(start.elapsed() < Duration::from_millis(300));
        computing.join().unwrap().unwrap();
    }

    #[test]
    fn a_cold_start_under_load_replays_the_log_once() {
        let logs = synthetic();
        let live = Arc::new(Live::default());
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (live, logs) = (Arc::clone(&live), Arc::clone(&logs));
                std::thread::spawn(move || live.with(&logs, "s", |v| Ok(v.size())).unwrap())
            })
            .collect();
        let sizes: Vec<u64> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        assert!(sizes.iter().all(|&n| n == sizes[0] && n > 300));
        assert_eq!(live.loads(), 1);
        // An unknown election leaves no gate behind.
        let unknown = live.with(&logs, "nope", |v| Ok(v.size())).unwrap_err();
        assert_eq!(unknown.to_string(), "no election named 'nope'");
        assert!(live.loading.lock().unwrap().is_empty());
    }
}

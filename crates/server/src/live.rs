//! What the service shows is what the log says: each election's state is a replay of its log
//! (`record::Replayer`, with every rule checked), fed the entries appended since the last
//! request. A protocol verified, a station annulled, shows on the next request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use model::{Election, Protocol, UnitId};
use record::Replayer;
use store::{Store, StoreError};

use crate::pool::Pool;
use crate::ServerError;

/// An election's state at a log size.
pub struct Snapshot {
    /// The election.
    pub election: Arc<Election>,
    /// The latest version of each protocol, by station and contest.
    pub protocols: Arc<Vec<Protocol>>,
    /// Units whose stations leave the totals (annulled, or ordered to re-vote).
    pub annulled: Vec<UnitId>,
    /// Whether the whole election is annulled (it stays visible, marked).
    pub election_annulled: bool,
}

struct Tail {
    replayer: Replayer,
    snapshot: Arc<Snapshot>,
}

/// The replays of the elections requested so far.
#[derive(Default)]
pub struct Live {
    tails: Mutex<HashMap<String, Arc<Mutex<Tail>>>>,
}

fn internal(e: impl std::fmt::Display) -> ServerError {
    ServerError::Internal(e.to_string())
}

fn snapshot(r: &Replayer, election: Option<&Arc<Election>>) -> Snapshot {
    let election = match election {
        Some(e) if e.units.len() == r.election().units.len() => Arc::clone(e),
        _ => Arc::new(r.election().clone()),
    };
    Snapshot {
        election,
        protocols: Arc::new(r.latest().values().cloned().collect()),
        annulled: r.annulled().to_vec(),
        election_annulled: r.election_annulled(),
    }
}

impl Live {
    /// The state of election `name` now.
    pub fn snapshot(&self, db: &Arc<Pool>, name: &str) -> Result<Arc<Snapshot>, ServerError> {
        let store = Pool::get(db)?;
        let tail = {
            let mut tails = self.tails.lock().map_err(internal)?;
            match tails.get(name) {
                Some(t) => Arc::clone(t),
                None => {
                    let log = store.log(name).map_err(|e| match e {
                        StoreError::NoElection(_) => {
                            ServerError::NotFound(format!("no election named '{name}'"))
                        }
                        other => internal(other),
                    })?;
                    let mut it = log.iter().enumerate();
                    let (_, first) = it
                        .next()
                        .ok_or_else(|| internal(format!("the log of '{name}' is empty")))?;
                    let mut replayer = Replayer::start(0, first).map_err(internal)?;
                    for (i, b) in it {
                        replayer.push(i as u64, b).map_err(internal)?;
                    }
                    let t = Arc::new(Mutex::new(Tail {
                        snapshot: Arc::new(snapshot(&replayer, None)),
                        replayer,
                    }));
                    tails.insert(name.to_string(), Arc::clone(&t));
                    t
                }
            }
        };
        let mut t = tail.lock().map_err(internal)?;
        let new = store.log_since(name, t.replayer.len()).map_err(internal)?;
        if !new.is_empty() {
            let from = t.replayer.len();
            for (k, b) in new.iter().enumerate() {
                t.replayer.push(from + k as u64, b).map_err(internal)?;
            }
            let next = snapshot(&t.replayer, Some(&t.snapshot.election));
            t.snapshot = Arc::new(next);
        }
        Ok(Arc::clone(&t.snapshot))
    }
}

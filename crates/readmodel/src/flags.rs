//! The forensic flags of an election's stations (`forensics::flags`): sampled under the
//! election's lock, scored outside it, at most every [`FLAGS_EVERY`]; a large election's on a
//! thread of its own.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::live::Slot;
use crate::{Live, Logs};

/// How often the forensic station flags are recomputed at most.
pub const FLAGS_EVERY: Duration = Duration::from_secs(10);

/// Elections with more stations have their flags scored on a thread of their own, so that
/// no request waits for them (their pages show the last flags scored), and six times less
/// often.
pub const FLAGS_IN_BACKGROUND: usize = 100_000;

/// The forensic flags of every scored station, or why there are none.
#[derive(Debug)]
pub struct Flags {
    /// Per station: its flag and its rank by score (1 = the most anomalous).
    pub by_station: HashMap<u32, (forensics::flags::StationFlag, usize)>,
    /// Stations scored.
    pub scored: usize,
    /// Why no station could be scored, if none was.
    pub missing: Option<forensics::ForensicsError>,
}

/// A sample of the stations, and their regions' groups: what the scoring takes from the
/// state.
type Sampled = (
    Result<forensics::Sample, forensics::ForensicsError>,
    Vec<usize>,
);

/// Scores the stations of a sample (the part of the work done outside the election's lock).
fn score((sample, groups): Sampled) -> Flags {
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
            missing: Some(e),
        },
    }
}

/// Keeps the flags just scored in the election's state.
fn keep(slot: &Slot, flags: Arc<Flags>) {
    if let Ok(mut state) = slot.state.lock() {
        state.flags = Some((Instant::now(), flags));
        state.flagging = false;
    }
}

impl Live {
    /// The forensic flags of the election's stations (`forensics::flags`), scored at most
    /// every [`FLAGS_EVERY`]; for a large election on a thread of its own, so this answers
    /// the last flags scored (none at first).
    pub fn flags<S: Logs>(&self, db: &Arc<S>, name: &str) -> Result<Option<Arc<Flags>>, S::Error> {
        let slot = self.slot(db, name)?;
        let (current, sample, background) = {
            let mut t = slot.current(db, name)?;
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
        if background {
            let slot = Arc::clone(&slot);
            std::thread::spawn(move || keep(&slot, Arc::new(score(sample))));
            Ok(current)
        } else {
            let f = Arc::new(score(sample));
            keep(&slot, Arc::clone(&f));
            Ok(Some(f))
        }
    }
}

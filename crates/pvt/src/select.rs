//! Which stations a design observes: drawn with the project's consistent sampler from a
//! seed, so that anyone holding the frame and the revealed seed redraws the same stations.
//!
//! Random: every station of the frame gets its ticket for the seed (`sampler`); in
//! increasing ticket order, a station goes to its stratum's sample until the stratum has its
//! share, then to its reserves. Systematic (interval): a stratum's N stations in frame order
//! are taken at positions ⌊(u + i) N / n⌋, i = 0..n, from a random start u in [0, 1) read
//! off the stratum's ticket; its reserves are the rest of the stratum in ticket order.
//! Either way a stratum's reserves stand in, first one first, for sampled stations that
//! never report.

use serde::{Deserialize, Serialize};

use crate::allocation::Planned;
use crate::frame::Frame;
use crate::PvtError;

/// How stations are chosen within a stratum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Simple random sampling without replacement, in ticket order.
    Random,
    /// Interval sampling in frame order from a random start.
    Systematic,
}

impl Method {
    /// Its name in a design's JSON and the log.
    pub fn key(self) -> &'static str {
        match self {
            Method::Random => "random",
            Method::Systematic => "systematic",
        }
    }

    /// The method named `key`.
    pub fn from_key(key: &str) -> Option<Method> {
        [Method::Random, Method::Systematic]
            .into_iter()
            .find(|m| m.key() == key)
    }
}

/// The stations drawn for one stratum of the plan, as indices into the frame's stations.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Drawn {
    /// The sample, in draw order (random) or frame order (systematic).
    pub sample: Vec<usize>,
    /// The reserves, first to be used first.
    pub reserves: Vec<usize>,
}

/// The random start of a systematic draw in the stratum `name`: the first 15 digits of the
/// name's ticket for `seed`, as a fraction.
fn start(name: &str, seed: &str) -> f64 {
    let ticket = sampler::first_fraction(name, seed);
    let digits: u64 = ticket[2..17].parse().expect("a ticket's digits");
    digits as f64 / 1e15
}

/// Which planned stratum each of the frame's strata belongs to: refused when the plan names a
/// stratum the frame lacks, or leaves one of the frame's out.
pub fn planned_of(frame: &Frame, plan: &[Planned]) -> Result<Vec<usize>, PvtError> {
    let mut planned_of = vec![usize::MAX; frame.strata.len()];
    for (h, p) in plan.iter().enumerate() {
        for name in &p.strata {
            let k = frame.strata.binary_search(name).map_err(|_| {
                PvtError::invalid("plan", format!("the stratum '{name}' is not in the frame"))
            })?;
            planned_of[k] = h;
        }
    }
    if planned_of.contains(&usize::MAX) {
        return Err(PvtError::invalid(
            "plan",
            "a stratum of the frame is in no plan",
        ));
    }
    Ok(planned_of)
}

/// The frame's stations of each planned stratum, as indices, in frame order.
pub fn members(frame: &Frame, plan: &[Planned]) -> Result<Vec<Vec<usize>>, PvtError> {
    let planned_of = planned_of(frame, plan)?;
    let mut out = vec![Vec::new(); plan.len()];
    for (i, s) in frame.stations.iter().enumerate() {
        out[planned_of[s.stratum]].push(i);
    }
    Ok(out)
}

/// Draws each planned stratum's sample and `reserves[h]` reserves from `frame` for `seed`.
pub fn draw(
    frame: &Frame,
    plan: &[Planned],
    reserves: &[u64],
    method: Method,
    seed: &str,
) -> Result<Vec<Drawn>, PvtError> {
    if seed.trim().is_empty() {
        return Err(PvtError::invalid("seed", "empty"));
    }
    let planned_of = planned_of(frame, plan)?;
    let order = sampler::sample_generated(
        frame.stations.len(),
        |i, buf| buf.push_str(&frame.stations[i].id),
        seed,
        &sampler::Options::default(),
    )
    .map_err(|e| PvtError::invalid("frame", e.to_string()))?;
    let mut drawn = vec![Drawn::default(); plan.len()];
    let wanted = |h: usize| plan[h].sample as usize;
    let spare = |h: usize| reserves.get(h).copied().unwrap_or(0) as usize;
    match method {
        Method::Random => {
            for t in &order {
                let h = planned_of[frame.stations[t.index].stratum];
                let d = &mut drawn[h];
                if d.sample.len() < wanted(h) {
                    d.sample.push(t.index);
                } else if d.reserves.len() < spare(h) {
                    d.reserves.push(t.index);
                }
            }
        }
        Method::Systematic => {
            for (h, list) in members(frame, plan)?.iter().enumerate() {
                let (big_n, n) = (list.len(), wanted(h));
                let u = start(&plan[h].strata.join(" + "), seed);
                drawn[h].sample = (0..n)
                    .map(|i| {
                        list[(((u + i as f64) * big_n as f64 / n as f64) as usize).min(big_n - 1)]
                    })
                    .collect();
            }
            for t in &order {
                let h = planned_of[frame.stations[t.index].stratum];
                let d = &mut drawn[h];
                if d.reserves.len() < spare(h) && !d.sample.contains(&t.index) {
                    d.reserves.push(t.index);
                }
            }
        }
    }
    for (h, d) in drawn.iter().enumerate() {
        if d.sample.len() != wanted(h) {
            return Err(PvtError::invalid(
                "plan",
                format!(
                    "the stratum '{}' has {} stations for a sample of {}",
                    plan[h].strata.join(" + "),
                    d.sample.len(),
                    wanted(h)
                ),
            ));
        }
    }
    Ok(drawn)
}

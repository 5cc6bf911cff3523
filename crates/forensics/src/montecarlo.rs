//! The published Monte Carlo null of the integer-percentage test (Kobak et al. 2016, §2):
//! every replicate redraws each station's leader votes `L* ~ Binomial(R, L/R)` and ballots
//! issued `G* ~ Binomial(V, G/V)` and recounts the integer percentages.
//!
//! The counts are drawn exactly, by inversion of each station's tabulated binomial
//! ([`crate::binomial`]). Station `i` draws from its own ChaCha8 stream (stream `i` of the
//! seed), replicate by replicate, `L*` then `G*`. The replicate counts are therefore the same
//! for a given seed whatever the number of threads. They cannot equal the published run,
//! which used numpy's legacy generator.

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::binomial::unit;
use crate::parallel::map_chunks;
use crate::tables::StationTables;
use crate::{Counts, ForensicsError, NullSummary, Station};

/// How to run the Monte Carlo.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Replicates (the paper: 1000).
    pub replicates: u32,
    /// The seed of every station's stream.
    pub seed: u64,
    /// Threads to run on.
    pub threads: usize,
}

/// The replicate counts, in replicate order.
pub fn replicates(stations: &[Station], o: &Options) -> Result<Vec<Counts>, ForensicsError> {
    if o.replicates == 0 {
        return Err(ForensicsError::NoReplicates);
    }
    let reps = o.replicates as usize;
    let chunks = map_chunks(stations.len(), o.threads, |range| {
        let mut acc = vec![[0u32; 3]; reps];
        let mut t = StationTables::default();
        for i in range {
            t.fill_for_sampling(&stations[i]);
            let mut rng = ChaCha8Rng::seed_from_u64(o.seed);
            rng.set_stream(i as u64);
            for a in acc.iter_mut() {
                let l = t.leader_integer[t.leader.invert(unit(rng.next_u64()))];
                let g = t.issued_integer[t.issued.invert(unit(rng.next_u64()))];
                a[0] += u32::from(l);
                a[1] += u32::from(g);
                a[2] += u32::from(l || g);
            }
        }
        acc
    });
    let mut total = vec![Counts::default(); reps];
    for chunk in chunks {
        for (t, a) in total.iter_mut().zip(chunk) {
            t.leader += u64::from(a[0]);
            t.turnout += u64::from(a[1]);
            t.either += u64::from(a[2]);
        }
    }
    Ok(total)
}

/// The Monte Carlo null of the three counts.
#[derive(Debug, Clone, Serialize)]
pub struct MonteCarloNull {
    /// Replicates run.
    pub replicates: u32,
    /// The seed.
    pub seed: u64,
    /// Integer in the leader's result.
    pub leader: NullSummary,
    /// Integer in turnout.
    pub turnout: NullSummary,
    /// Integer in either.
    pub either: NullSummary,
}

/// Runs the Monte Carlo and summarises it against the observed counts.
pub fn null(
    stations: &[Station],
    observed: &Counts,
    o: &Options,
) -> Result<MonteCarloNull, ForensicsError> {
    let reps = replicates(stations, o)?;
    let one = |f: fn(&Counts) -> u64, obs: u64| summarise(reps.iter().map(f), obs);
    Ok(MonteCarloNull {
        replicates: o.replicates,
        seed: o.seed,
        leader: one(|c| c.leader, observed.leader),
        turnout: one(|c| c.turnout, observed.turnout),
        either: one(|c| c.either, observed.either),
    })
}

/// Summarises replicate counts as the notebooks do: mean, population standard deviation
/// (numpy's default), the 99.9th percentile by linear interpolation (numpy's default)
/// minus the mean, and the p-value `(1 + #{count >= observed}) / (1 + replicates)`.
pub fn summarise(counts: impl Iterator<Item = u64>, observed: u64) -> NullSummary {
    let mut xs: Vec<u64> = counts.collect();
    xs.sort_unstable();
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<u64>() as f64 / n;
    let var = xs.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / n;
    let h = (n - 1.0) * 0.999;
    let (i, frac) = (h.floor() as usize, h - h.floor());
    let q = match xs.get(i + 1) {
        Some(&hi) => xs[i] as f64 + frac * (hi as f64 - xs[i] as f64),
        None => xs[i] as f64,
    };
    let reached = xs.iter().filter(|&&x| x >= observed).count();
    NullSummary {
        observed,
        expected: mean,
        excess: observed as f64 - mean,
        sd: var.sqrt(),
        line999: q - mean,
        p_value: (1 + reached) as f64 / (n + 1.0),
        p_value_is_bound: reached == 0,
    }
}

//! The Shpilkin method: the leader's votes above what the other parties' turnout curve
//! predicts.
//!
//! S. Shpilkin's idea (described in his posts and in EFToolkit's `ComputeShpilkinMethod`,
//! Kalinin & Mebane): bin stations by turnout, assume that without fraud the leader's votes
//! follow the same curve as everyone else's, scale the others' curve to the leader's at the
//! "clean" turnout peak, and count the leader's votes above the scaled curve at higher
//! turnout. This is the simple variant of `shared/design/forensics.md` §2:
//!
//! 1. turnout `= issued / registered`, in 1-point bins;
//! 2. the clean bin is the bin below the official (overall) turnout that holds the most
//!    non-leader votes;
//! 3. in the clean bin, `s0 = L / (L + O)` and `k = s0 / (1 - s0)`;
//! 4. the excess is `Σ over bins above the clean bin of (L_b - k O_b)`, with negative bin
//!    contributions clipped at 0 or not (a parameter).
//!
//! The estimate is fragile: it rests on the leader's share at one bin, so the result also
//! gives the excess with the clean bin moved one point either way.

use serde::Serialize;

use crate::{ForensicsError, Station};

/// One turnout bin.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Bin {
    /// Stations in the bin.
    pub stations: u64,
    /// Registered voters.
    pub registered: u64,
    /// The leader's votes.
    pub leader: u64,
    /// Everyone else's votes.
    pub others: u64,
}

/// The Shpilkin estimate.
#[derive(Debug, Clone, Serialize)]
pub struct Shpilkin {
    /// Overall turnout, percent (`Σ G / Σ V`).
    pub official_turnout_pct: f64,
    /// The clean bin's lower edge, percent.
    pub clean_bin: usize,
    /// The leader's share of the clean bin's votes, `s0`.
    pub clean_share: f64,
    /// `k = s0 / (1 - s0)`.
    pub k: f64,
    /// Whether negative bin contributions were clipped at zero.
    pub clipped: bool,
    /// The leader's anomalous votes.
    pub excess: f64,
    /// The leader's votes in total.
    pub leader_votes: u64,
    /// The excess as a share of the leader's votes, percent.
    pub excess_pct_of_leader: f64,
    /// The excess with the clean bin one point lower and one point higher (where those
    /// bins hold votes): how much the estimate moves with its one arbitrary choice.
    pub excess_if_clean_bin_moves: [Option<f64>; 2],
    /// The bins, 0–100% (`bins[b]` holds turnout in `[b, b+1)`; 100% goes to `bins[100]`,
    /// above 100% is left out).
    pub bins: Vec<Bin>,
}

/// Runs the method on stations with registered voters (stations with none, or with more
/// ballots than voters, are left out).
pub fn estimate(stations: &[Station], clip: bool) -> Result<Shpilkin, ForensicsError> {
    let mut bins = vec![Bin::default(); 101];
    let (mut g_total, mut v_total) = (0u64, 0u64);
    for s in stations
        .iter()
        .filter(|s| s.registered > 0 && s.issued <= s.registered)
    {
        let b = (100 * u128::from(s.issued) / u128::from(s.registered)) as usize;
        let bin = &mut bins[b.min(100)];
        bin.stations += 1;
        bin.registered += s.registered;
        bin.leader += s.leader;
        bin.others += s.others;
        g_total += s.issued;
        v_total += s.registered;
    }
    if v_total == 0 {
        return Err(ForensicsError::NothingLeft);
    }
    let official = 100.0 * g_total as f64 / v_total as f64;
    let below = (official.floor() as usize).min(100);
    let clean = (0..below.max(1))
        .rev()
        .max_by_key(|&b| bins[b].others)
        .filter(|&b| bins[b].others > 0)
        .ok_or(ForensicsError::NothingLeft)?;
    let excess_from = |c: usize| -> Option<(f64, f64, f64)> {
        let (l, o) = (bins[c].leader as f64, bins[c].others as f64);
        if o == 0.0 {
            return None;
        }
        let s0 = l / (l + o);
        let k = s0 / (1.0 - s0);
        let e = bins[c + 1..]
            .iter()
            .map(|b| b.leader as f64 - k * b.others as f64)
            .map(|x| if clip { x.max(0.0) } else { x })
            .sum();
        Some((s0, k, e))
    };
    let (s0, k, excess) = excess_from(clean).ok_or(ForensicsError::NothingLeft)?;
    let leader_votes: u64 = bins.iter().map(|b| b.leader).sum();
    let lower = clean.checked_sub(1).and_then(&excess_from).map(|x| x.2);
    let higher = (clean < 99)
        .then(|| excess_from(clean + 1))
        .flatten()
        .map(|x| x.2);
    Ok(Shpilkin {
        official_turnout_pct: official,
        clean_bin: clean,
        clean_share: s0,
        k,
        clipped: clip,
        excess,
        leader_votes,
        excess_pct_of_leader: if leader_votes > 0 {
            100.0 * excess / leader_votes as f64
        } else {
            0.0
        },
        excess_if_clean_bin_moves: [lower, higher],
        bins,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::UnitId;

    fn st(v: u64, g: u64, l: u64, o: u64) -> Station {
        Station {
            unit: UnitId(0),
            registered: v,
            issued: g,
            found: l + o,
            leader: l,
            others: o,
        }
    }

    /// A clean core at 50% turnout with a 40% leader, plus stuffed stations at 90% turnout
    /// where the leader got 300 extra votes each: the method finds those 300 per station.
    #[test]
    fn finds_stuffed_votes() {
        let mut s = vec![st(1000, 500, 200, 300); 100];
        s.extend(vec![st(1000, 900, 200 + 300 + 160, 240); 10]); // 400 more ballots
        let r = estimate(&s, true).unwrap();
        assert_eq!(r.clean_bin, 50);
        assert!((r.k - 2.0 / 3.0).abs() < 1e-12);
        // 10 stations × (660 - 2/3 · 240) = 10 × 500.
        assert!((r.excess - 5000.0).abs() < 1e-9, "{}", r.excess);
        assert_eq!(r.bins[90].stations, 10);
    }
}

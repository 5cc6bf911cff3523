//! The election fingerprint of Klimek, Yegorov, Hanel & Thurner, "Statistical detection of
//! systematic election irregularities", PNAS 109(41):16469–16473 (2012).
//!
//! A 2-D histogram of stations by turnout (x, `G / V`) and the leader's share (y, `L / R`),
//! in 1-point bins, counted by stations and weighted by registered voters. A fair election
//! shows one roughly Gaussian blob; Russia 2011 shows the blob smeared towards the upper
//! right and a second cluster at 100% turnout and 100% for the leader. Two summaries from the
//! paper go with it: the share of voters in that corner, and the shape (skewness and excess
//! kurtosis) of the standardised logarithmic vote rate `ln((R - L) / L)` (PNAS 2012, Fig. 2),
//! which is close to normal in the elections the paper calls fair.

use serde::Serialize;

use crate::Station;

/// Bins per axis: 0–99% in 1-point bins, and 100% on its own.
pub const BINS: usize = 101;

/// The fingerprint and its summaries.
#[derive(Debug, Clone, Serialize)]
pub struct Fingerprint {
    /// Stations counted (registered voters and ballots found, no more ballots issued than
    /// voters, no more leader votes than ballots found).
    pub stations: usize,
    /// Voters registered at those stations.
    pub registered: u64,
    /// Share of registered voters at stations with turnout and leader share both at least
    /// 95%, percent.
    pub corner_voters_pct: f64,
    /// Stations with turnout and leader share both at least 95%.
    pub corner_stations: usize,
    /// Skewness of the standardised log vote rate `ln((R - L) / L)` (stations with
    /// `0 < L < R`).
    pub log_vote_rate_skewness: f64,
    /// Excess kurtosis of the same (0 for a normal distribution).
    pub log_vote_rate_excess_kurtosis: f64,
    /// `stations_by_bin[y][x]`: stations with turnout bin `x` and leader-share bin `y`.
    #[serde(skip)]
    pub stations_by_bin: Vec<[u64; BINS]>,
    /// The same, weighted by registered voters.
    #[serde(skip)]
    pub voters_by_bin: Vec<[u64; BINS]>,
}

/// The 1-point bin of `num / den` (`num <= den`, `den > 0`).
fn bin(num: u64, den: u64) -> usize {
    ((100 * u128::from(num)) / u128::from(den)) as usize
}

/// Computes the fingerprint of `stations`.
pub fn fingerprint(stations: &[Station]) -> Fingerprint {
    let mut f = Fingerprint {
        stations: 0,
        registered: 0,
        corner_voters_pct: 0.0,
        corner_stations: 0,
        log_vote_rate_skewness: f64::NAN,
        log_vote_rate_excess_kurtosis: f64::NAN,
        stations_by_bin: vec![[0; BINS]; BINS],
        voters_by_bin: vec![[0; BINS]; BINS],
    };
    let mut corner_voters = 0u64;
    let mut rates = Vec::with_capacity(stations.len());
    for s in stations {
        if s.registered == 0 || s.found == 0 || s.issued > s.registered || s.leader > s.found {
            continue;
        }
        let (x, y) = (bin(s.issued, s.registered), bin(s.leader, s.found));
        f.stations += 1;
        f.registered += s.registered;
        f.stations_by_bin[y][x] += 1;
        f.voters_by_bin[y][x] += s.registered;
        if x >= 95 && y >= 95 {
            f.corner_stations += 1;
            corner_voters += s.registered;
        }
        if s.leader > 0 && s.leader < s.found {
            rates.push(((s.found - s.leader) as f64 / s.leader as f64).ln());
        }
    }
    if f.registered > 0 {
        f.corner_voters_pct = 100.0 * corner_voters as f64 / f.registered as f64;
    }
    if rates.len() >= 2 {
        let n = rates.len() as f64;
        let mean = rates.iter().sum::<f64>() / n;
        let m = |k: i32| rates.iter().map(|r| (r - mean).powi(k)).sum::<f64>() / n;
        let (m2, m3, m4) = (m(2), m(3), m(4));
        f.log_vote_rate_skewness = m3 / m2.powf(1.5);
        f.log_vote_rate_excess_kurtosis = m4 / (m2 * m2) - 3.0;
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::UnitId;

    fn st(v: u64, g: u64, r: u64, l: u64) -> Station {
        Station {
            unit: UnitId(0),
            registered: v,
            issued: g,
            found: r,
            leader: l,
            others: r - l,
        }
    }

    #[test]
    fn bins_and_corner() {
        let f = fingerprint(&[
            st(1000, 500, 500, 250),   // 50%, 50%
            st(1000, 1000, 1000, 990), // 100%, 99%: the corner
            st(0, 0, 0, 0),            // no voters: left out
            st(100, 150, 150, 10),     // more ballots than voters: left out
        ]);
        assert_eq!(f.stations, 2);
        assert_eq!(f.stations_by_bin[50][50], 1);
        assert_eq!(f.stations_by_bin[99][100], 1);
        assert_eq!(f.voters_by_bin[99][100], 1000);
        assert_eq!(f.corner_stations, 1);
        assert_eq!(f.corner_voters_pct, 50.0);
    }

    /// A symmetric set of log vote rates has zero skewness.
    #[test]
    fn symmetric_rates_have_no_skew() {
        let f = fingerprint(&[
            st(1000, 500, 500, 250),
            st(1000, 500, 500, 100),
            st(1000, 500, 500, 400),
        ]);
        // ln(1), ln(4), ln(1/4): symmetric about 0.
        assert!(f.log_vote_rate_skewness.abs() < 1e-12);
        assert!((f.log_vote_rate_excess_kurtosis - (1.5 - 3.0)).abs() < 1e-12);
    }
}

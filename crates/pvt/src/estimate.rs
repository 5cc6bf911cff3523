//! What a sample of stations estimates (`shared/design/observers.md`, 3.3): Cochran's ratio
//! estimator for a cluster sample, as NDI's Apollo computes it, and the design effect of a
//! frame of stations, measured on a previous election.

use crate::{Confidence, PvtError};

/// One station's counts: the votes for what is estimated (a party's, or ballots cast for
/// turnout) and their base (valid votes, or registered voters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Station {
    /// The numerator (a_j).
    pub votes: u64,
    /// The denominator (m_j).
    pub base: u64,
}

/// An estimate from a sample of stations, with what it covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// The share p̂ = Σa / Σm.
    pub share: f64,
    /// Its variance.
    pub variance: f64,
    /// Its margin at the confidence asked for: z · sqrt(variance).
    pub margin: f64,
    /// The stations it is computed from.
    pub stations: usize,
    /// Their base, summed (Σm).
    pub base: u64,
}

/// The sums a ratio needs, exactly (u128: no station count can overflow them).
struct Sums {
    k: usize,
    a: u128,
    m: u128,
}

fn sums(stations: &[Station]) -> Sums {
    stations
        .iter()
        .fold(Sums { k: 0, a: 0, m: 0 }, |s, x| Sums {
            k: s.k + 1,
            a: s.a + u128::from(x.votes),
            m: s.m + u128::from(x.base),
        })
}

/// Σ (a_j - p m_j)² / (k - 1): the stations' spread around the share `p`.
fn spread(stations: &[Station], p: f64) -> f64 {
    let k = stations.len() as f64;
    let ss: f64 = stations
        .iter()
        .map(|x| {
            let d = x.votes as f64 - p * x.base as f64;
            d * d
        })
        .sum();
    ss / (k - 1.0)
}

/// Cochran's ratio estimator over the reporting `stations` (at least 2, with a base):
/// `p̂ = Σa/Σm`, `Var(p̂) = (1 - f) / (k m̄²) · Σ(a_j - p̂ m_j)² / (k - 1)`, with the finite
/// population correction `f = Σm / population` when the population's base is given (0
/// otherwise), and the margin `z · sqrt(Var)`.
pub fn ratio(
    stations: &[Station],
    confidence: Confidence,
    population: Option<u64>,
) -> Result<Estimate, PvtError> {
    let s = sums(stations);
    if s.k < 2 {
        return Err(PvtError::invalid(
            "stations",
            format!("{} station(s): a variance needs at least 2", s.k),
        ));
    }
    if s.m == 0 {
        return Err(PvtError::invalid("stations", "their base adds up to 0"));
    }
    if stations.iter().any(|x| x.votes > x.base) {
        return Err(PvtError::invalid(
            "stations",
            "a station with more votes than its base",
        ));
    }
    let f = match population {
        Some(n) if u128::from(n) < s.m => {
            return Err(PvtError::invalid(
                "population",
                format!("{n}: less than the sample's base, {}", s.m),
            ))
        }
        Some(n) => s.m as f64 / n as f64,
        None => 0.0,
    };
    let share = s.a as f64 / s.m as f64;
    let k = s.k as f64;
    let mean = s.m as f64 / k;
    let variance = (1.0 - f) / (k * mean * mean) * spread(stations, share);
    Ok(Estimate {
        share,
        variance,
        margin: confidence.z() * variance.sqrt(),
        stations: s.k,
        base: u64::try_from(s.m).unwrap_or(u64::MAX),
    })
}

/// The stratified estimate: each stratum's ratio estimate (at least 2 reporting stations
/// each), combined with the weights `W_h = N_h / N` of the strata's populations (`N_h`: a
/// stratum's base in the frame, registered voters or valid votes as the share's): `p̂ =
/// Σ W_h p̂_h`, `Var = Σ W_h² Var(p̂_h)`. What a sample allocated out of proportion needs
/// (a self-weighting sample gives the same share with [`ratio`] over all of it).
pub fn stratified(
    strata: &[(u64, &[Station])],
    confidence: Confidence,
) -> Result<Estimate, PvtError> {
    let whole: u128 = strata.iter().map(|&(n, _)| u128::from(n)).sum();
    if whole == 0 {
        return Err(PvtError::invalid("strata", "their populations add up to 0"));
    }
    let (mut share, mut variance, mut stations, mut base) = (0.0, 0.0, 0usize, 0u64);
    for &(n, sample) in strata {
        let e = ratio(sample, confidence, Some(n))?;
        let w = n as f64 / whole as f64;
        share += w * e.share;
        variance += w * w * e.variance;
        stations += e.stations;
        base = base.saturating_add(e.base);
    }
    Ok(Estimate {
        share,
        variance,
        margin: confidence.z() * variance.sqrt(),
        stations,
        base,
    })
}

/// The design effect of sampling whole stations from `frame` (every station of an earlier
/// election): the variance of the ratio estimator over n stations divided by that of a
/// share over n·m̄ voters drawn one by one. With S² = Σ(a_j - p m_j)² / (K - 1) over the
/// frame's K stations and p = Σa/Σm, the first is S² / (n m̄²) and the second p(1-p) / (n m̄),
/// so `deff = S² / (m̄ p(1-p))`, whatever n. A frame whose every voter is a station of one
/// gives K / (K - 1): no clustering.
pub fn design_effect(frame: &[Station]) -> Result<f64, PvtError> {
    let s = sums(frame);
    if s.k < 2 || s.m == 0 {
        return Err(PvtError::invalid(
            "frame",
            "a design effect needs at least 2 stations with a base",
        ));
    }
    let p = s.a as f64 / s.m as f64;
    if !(p > 0.0 && p < 1.0) {
        return Err(PvtError::invalid(
            "frame",
            format!("a share of {p}: nothing varies to measure"),
        ));
    }
    let mean = s.m as f64 / s.k as f64;
    Ok(spread(frame, p) / (mean * p * (1.0 - p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(votes: u64, base: u64) -> Station {
        Station { votes, base }
    }

    /// Three stations of 100 with 30, 50 and 40 votes, computed by hand: p̂ = 0.4, m̄ = 100,
    /// Σ(a - p̂m)² = 100 + 100 + 0 = 200, Var = 200/2 / (3 · 100²) = 1/300, the 95% margin
    /// 1.96 · sqrt(1/300) = 0.113161; with a population of 600 (f = 1/2) the variance halves.
    #[test]
    fn the_ratio_estimator_by_hand() {
        let sample = [st(30, 100), st(50, 100), st(40, 100)];
        let e = ratio(&sample, Confidence::P95, None).unwrap();
        assert!((e.share - 0.4).abs() < 1e-12);
        assert!((e.variance - 1.0 / 300.0).abs() < 1e-12);
        assert!((e.margin - 0.113_161).abs() < 1e-6, "{}", e.margin);
        assert_eq!((e.stations, e.base), (3, 300));
        let half = ratio(&sample, Confidence::P95, Some(600)).unwrap();
        assert!((half.variance - 1.0 / 600.0).abs() < 1e-12);
        assert!(ratio(&sample, Confidence::P95, Some(299)).is_err());
        assert!(ratio(&sample[..1], Confidence::P95, None).is_err());
        assert!(ratio(&[st(5, 4), st(1, 4)], Confidence::P95, None).is_err());
    }

    /// Two strata by hand: weights 1/4 and 3/4 (populations 1,000 and 3,000), samples
    /// (30, 50 of 100) and (60, 80 of 100): shares 0.4 and 0.7, each variance (200 / 1) /
    /// (2 · 100²) = 0.01 less its finite-population correction (200/1,000 and 200/3,000):
    /// p̂ = 0.625, Var = 1/16 · 0.008 + 9/16 · 0.01 · (14/15) = 0.00575.
    #[test]
    fn the_stratified_estimate_by_hand() {
        let a = [st(30, 100), st(50, 100)];
        let b = [st(60, 100), st(80, 100)];
        let e = stratified(&[(1000, &a[..]), (3000, &b[..])], Confidence::P95).unwrap();
        assert!((e.share - 0.625).abs() < 1e-12, "{}", e.share);
        assert!((e.variance - 0.00575).abs() < 1e-12, "{}", e.variance);
        assert_eq!((e.stations, e.base), (4, 400));
        assert!(stratified(&[(1000, &a[..1])], Confidence::P95).is_err());
        assert!(stratified(&[(0, &a[..])], Confidence::P95).is_err());
    }

    /// A frame of single-voter stations has no clustering: deff = K / (K - 1). Stations
    /// that all vote alike have none either (deff 0); stations that split by party, each
    /// all for one side, have the most.
    #[test]
    fn the_design_effect_of_frames_whose_answer_is_known() {
        let voters: Vec<Station> = (0..10).map(|i| st(u64::from(i < 4), 1)).collect();
        let d = design_effect(&voters).unwrap();
        assert!((d - 10.0 / 9.0).abs() < 1e-12, "{d}");
        let alike = [st(40, 100), st(80, 200), st(20, 50)];
        assert!(design_effect(&alike).unwrap().abs() < 1e-12);
        // Two stations of 100, one all for the party, one all against: S² = 2 · 50² / 1,
        // m̄ = 100, p = 0.5: deff = 5000 / 25 = 200, each station as informative as one voter.
        let split = [st(100, 100), st(0, 100)];
        assert!((design_effect(&split).unwrap() - 200.0).abs() < 1e-9);
        assert!(design_effect(&[st(0, 10), st(0, 10)]).is_err());
    }
}

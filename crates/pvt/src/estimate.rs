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

/// The exact sums of one stratum's reporting stations that the stratified estimate needs:
/// the frame's stations `N_h`, the reporting `n_h`, Σa, Σm, Σa², Σm², Σam.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Moments {
    /// Stations the stratum has in the frame (N_h).
    pub frame: u64,
    /// Reporting stations (n_h).
    pub n: u64,
    /// Σa.
    pub a: u128,
    /// Σm.
    pub m: u128,
    /// Σa².
    pub aa: u128,
    /// Σm².
    pub mm: u128,
    /// Σam.
    pub am: u128,
}

impl Moments {
    /// An empty stratum of `frame` stations.
    pub fn new(frame: u64) -> Moments {
        Moments {
            frame,
            ..Moments::default()
        }
    }

    /// Adds a reporting station.
    pub fn add(&mut self, votes: u64, base: u64) {
        let (a, m) = (u128::from(votes), u128::from(base));
        self.n += 1;
        self.a += a;
        self.m += m;
        self.aa += a * a;
        self.mm += m * m;
        self.am += a * m;
    }

    /// Takes out a reporting station added before with these counts (the sums are exact:
    /// what was added comes out whole).
    pub fn remove(&mut self, votes: u64, base: u64) {
        let (a, m) = (u128::from(votes), u128::from(base));
        self.n -= 1;
        self.a -= a;
        self.m -= m;
        self.aa -= a * a;
        self.mm -= m * m;
        self.am -= a * m;
    }

    /// These moments with a station more, or `None` if a sum would pass 2^128 - 1 (counts no
    /// station has, refused rather than wrapped).
    pub fn checked_add(&self, votes: u64, base: u64) -> Option<Moments> {
        let (a, m) = (u128::from(votes), u128::from(base));
        Some(Moments {
            frame: self.frame,
            n: self.n.checked_add(1)?,
            a: self.a.checked_add(a)?,
            m: self.m.checked_add(m)?,
            aa: self.aa.checked_add(a.checked_mul(a)?)?,
            mm: self.mm.checked_add(m.checked_mul(m)?)?,
            am: self.am.checked_add(a.checked_mul(m)?)?,
        })
    }

    /// The moments of a stratum's reporting `stations`.
    pub fn of(frame: u64, stations: &[Station]) -> Moments {
        let mut s = Moments::new(frame);
        for x in stations {
            s.add(x.votes, x.base);
        }
        s
    }
}

/// `x` as the nearest f64: through u64 when it fits (the same value, converted in hardware;
/// u128's conversion is done in software).
fn float(x: u128) -> f64 {
    match u64::try_from(x) {
        Ok(x) => x as f64,
        Err(_) => x as f64,
    }
}

/// The stratified (combined) ratio estimate and its linearised (Taylor) variance, each
/// stratum's stations weighted by the inverse of their chance of selection, `N_h / n_h`:
///
/// `p̂ = Σ_h (N_h/n_h) Σa / Σ_h (N_h/n_h) Σm`,
/// `Var(p̂) = Σ_h N_h² (1 - n_h/N_h) s²_h / n_h / M̂²`, `M̂ = Σ_h (N_h/n_h) Σm`,
///
/// where `s²_h` is the sample variance of the residuals `e_j = a_j - p̂ m_j` within stratum
/// h (Cochran 1977, 6.11; Lohr 2019, 9.1). It needs no knowledge of the strata's valid
/// ballots, which are unknown until counted; with a sample allocated in proportion to the
/// strata's stations the weights are equal and `p̂` is Apollo's `Σa / Σm`. Every stratum
/// given needs 2 reporting stations; the estimate covers those strata only.
pub fn combined(strata: &[Moments], confidence: Confidence) -> Result<Estimate, PvtError> {
    if strata.is_empty() {
        return Err(PvtError::invalid("strata", "no stratum has reported"));
    }
    let (mut stations, mut base) = (0usize, 0u128);
    for s in strata {
        if s.n < 2 {
            return Err(PvtError::invalid(
                "strata",
                format!(
                    "{} station(s) in a stratum: a variance needs at least 2",
                    s.n
                ),
            ));
        }
        if s.n > s.frame {
            return Err(PvtError::invalid(
                "strata",
                format!("{} stations reported of a stratum of {}", s.n, s.frame),
            ));
        }
        if s.a > s.m {
            return Err(PvtError::invalid("stations", "more votes than their base"));
        }
        stations += s.n as usize;
        base += s.m;
    }
    let (share, variance) = combined_sums(strata.iter().map(|s| {
        (
            Weights::of(s.frame, s.n),
            FloatSums {
                a: float(s.a),
                m: float(s.m),
                aa: float(s.aa),
                mm: float(s.mm),
                am: float(s.am),
            },
        )
    }))
    .ok_or_else(|| PvtError::invalid("stations", "their base adds up to 0"))?;
    Ok(Estimate {
        share,
        variance,
        margin: confidence.z() * variance.sqrt(),
        stations,
        base: u64::try_from(base).unwrap_or(u64::MAX),
    })
}

/// A stratum's terms of the combined estimator that depend only on its size and its reports'
/// number: computed once for a simulation's many samples of the same sizes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// N_h / n_h.
    w: f64,
    /// n_h.
    n: f64,
    /// n_h - 1.
    n1: f64,
    /// N_h² (1 - n_h / N_h).
    k: f64,
}

impl Weights {
    /// A stratum of `frame` stations with `n` reports (2 ≤ n ≤ frame).
    pub fn of(frame: u64, n: u64) -> Weights {
        let (big_n, n) = (frame as f64, n as f64);
        Weights {
            w: big_n / n,
            n,
            n1: n - 1.0,
            k: big_n * big_n * (1.0 - n / big_n),
        }
    }
}

/// A stratum's sums Σa, Σm, Σa², Σm², Σam as floats (each the nearest to its exact sum).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FloatSums {
    /// Σa.
    pub a: f64,
    /// Σm.
    pub m: f64,
    /// Σa².
    pub aa: f64,
    /// Σm².
    pub mm: f64,
    /// Σam.
    pub am: f64,
}

/// [`combined`]'s share and variance from each stratum's weights and sums (checked by the
/// caller); `None` when the base adds up to 0. The one computation of the estimator: the
/// reports' estimates and the simulation's trials both come here, so they agree exactly.
pub fn combined_sums(
    strata: impl Iterator<Item = (Weights, FloatSums)> + Clone,
) -> Option<(f64, f64)> {
    let (mut big_a, mut big_m) = (0.0, 0.0);
    for (w, s) in strata.clone() {
        big_a += w.w * s.a;
        big_m += w.w * s.m;
    }
    if big_m == 0.0 {
        return None;
    }
    let p = big_a / big_m;
    let mut variance = 0.0;
    for (w, s) in strata {
        // Σe and Σe² of the residuals e = a - p m, from the exact sums.
        let se = s.a - p * s.m;
        let see = s.aa - 2.0 * p * s.am + p * p * s.mm;
        let s2 = ((see - se * se / w.n) / w.n1).max(0.0);
        variance += w.k * s2 / w.n;
    }
    Some((p, variance / (big_m * big_m)))
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

    /// Two strata by hand: stratum 1 has 10 stations, 2 reporting (30 of 100, 50 of 100);
    /// stratum 2 has 30, 2 reporting (60 of 100, 80 of 100). Weights 5 and 15: Â = 5·80 +
    /// 15·140 = 2,500, M̂ = 5·200 + 15·200 = 4,000, p̂ = 0.625. Residuals a - 0.625m:
    /// (-32.5, -12.5) and (-2.5, 17.5), each pair's variance 200; Var = (10² · 0.8 · 200/2 +
    /// 30² · (28/30) · 200/2) / 4,000² = (8,000 + 84,000) / 16,000,000 = 0.00575.
    #[test]
    fn the_stratified_estimate_by_hand() {
        let a = [st(30, 100), st(50, 100)];
        let b = [st(60, 100), st(80, 100)];
        let strata = [Moments::of(10, &a), Moments::of(30, &b)];
        let e = combined(&strata, Confidence::P95).unwrap();
        assert!((e.share - 0.625).abs() < 1e-12, "{}", e.share);
        assert!((e.variance - 0.00575).abs() < 1e-12, "{}", e.variance);
        assert_eq!((e.stations, e.base), (4, 400));
        // Equal weights: the share is Apollo's Σa/Σm and the variance its, stratum by stratum.
        let one = combined(&[Moments::of(1_000_000, &a)], Confidence::P95).unwrap();
        let apollo = ratio(&a, Confidence::P95, None).unwrap();
        assert!((one.share - apollo.share).abs() < 1e-12);
        // (Within the finite-population correction of 2 stations in a million.)
        assert!((one.variance - apollo.variance).abs() < 1e-5 * apollo.variance);
        assert!(combined(&[Moments::of(10, &a[..1])], Confidence::P95).is_err());
        assert!(combined(&[Moments::of(1, &a)], Confidence::P95).is_err());
        assert!(combined(&[], Confidence::P95).is_err());
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

//! The integer-percentage test broken down by region. Kobak et al. (2016) found the excess
//! concentrated in some regions; with the exact null the breakdown costs nothing more than
//! a sum of each region's station probabilities.

use serde::Serialize;

use crate::integer::is_integer_pct;
use crate::Station;

/// One region's count of stations integer in either percentage.
#[derive(Debug, Clone, Serialize)]
pub struct RegionExcess {
    /// The region (the caller's group number).
    pub group: usize,
    /// Stations tested.
    pub stations: usize,
    /// Observed stations integer in either percentage.
    pub observed: u64,
    /// Expected under the exact null.
    pub expected: f64,
    /// Standard deviation under the exact null.
    pub sd: f64,
    /// `(observed - expected) / sd`.
    pub z: f64,
}

/// Per-region observed and expected counts, from the filtered stations and their
/// probabilities of being integer in either percentage ([`crate::exact::probabilities`]),
/// sorted by `z`, highest first.
pub fn by_region(kept: &[Station], p_either: &[f64], groups: &[usize]) -> Vec<RegionExcess> {
    let n = groups.iter().copied().max().map_or(0, |m| m + 1);
    let mut r: Vec<RegionExcess> = (0..n)
        .map(|group| RegionExcess {
            group,
            stations: 0,
            observed: 0,
            expected: 0.0,
            sd: 0.0,
            z: 0.0,
        })
        .collect();
    for ((s, &p), &g) in kept.iter().zip(p_either).zip(groups) {
        let x = &mut r[g];
        x.stations += 1;
        x.observed +=
            u64::from(is_integer_pct(s.leader, s.found) || is_integer_pct(s.issued, s.registered));
        x.expected += p;
        x.sd += p * (1.0 - p); // the variance until the end
    }
    r.retain(|x| x.stations > 0);
    for x in &mut r {
        x.sd = x.sd.sqrt();
        x.z = if x.sd > 0.0 {
            (x.observed as f64 - x.expected) / x.sd
        } else {
            0.0
        };
    }
    r.sort_by(|a, b| b.z.total_cmp(&a.z).then(a.group.cmp(&b.group)));
    r
}

/// Each station's region, as the index of its region unit (the country where a station has
/// no region): the groups that flags and the regional breakdown compare within.
pub fn groups(e: &model::Election, stations: &[crate::Station]) -> Vec<usize> {
    stations
        .iter()
        .map(|s| {
            e.units
                .ancestor_at(s.unit, model::UnitLevel::Region)
                .unwrap_or(e.units.root())
                .index()
        })
        .collect()
}

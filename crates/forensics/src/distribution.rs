//! Turnout distributions: the histogram at 0.1-point resolution whose spikes at whole and
//! round percentages are the integer-percentage fingerprint (Kobak et al. 2016, Fig. 1).

use serde::Serialize;

use crate::Station;

/// Turnout of all stations with registered voters, before the test's filters.
#[derive(Debug, Clone, Serialize)]
pub struct TurnoutProfile {
    /// Stations with at least one registered voter.
    pub stations: usize,
    /// Stations with turnout above 95% (`G/V > 0.95`).
    pub above_95: usize,
    /// Stations that issued exactly as many ballots as there are registered voters.
    pub issued_equals_registered: usize,
    /// Stations whose ballots issued exceed the registered voters.
    pub above_100: usize,
    /// `bins[b]`: stations whose turnout rounds to `b / 10` percent (bins of 0.1 point
    /// centred on each tenth, `b = 0..=1000`; exact ties go to the even bin).
    #[serde(skip)]
    pub bins: Vec<u64>,
}

/// The turnout profile of `stations`.
pub fn turnout(stations: &[Station]) -> TurnoutProfile {
    let mut p = TurnoutProfile {
        stations: 0,
        above_95: 0,
        issued_equals_registered: 0,
        above_100: 0,
        bins: vec![0; 1001],
    };
    for s in stations.iter().filter(|s| s.registered > 0) {
        p.stations += 1;
        let (g, v) = (s.issued, s.registered);
        p.above_95 += usize::from(g as f64 / v as f64 > 0.95);
        p.issued_equals_registered += usize::from(g == v);
        match usize::try_from(tenths(g, v))
            .ok()
            .and_then(|b| p.bins.get_mut(b))
        {
            Some(bin) if g <= v => *bin += 1,
            _ => p.above_100 += 1,
        }
    }
    p
}

/// Stations by the leader's share of ballots found (`L / R`), in the same 0.1-point bins as
/// [`TurnoutProfile::bins`]; stations with no ballots or more leader votes than ballots are
/// left out.
pub fn leader_share_bins(stations: &[Station]) -> Vec<u64> {
    let mut bins = vec![0u64; 1001];
    for s in stations
        .iter()
        .filter(|s| s.found > 0 && s.leader <= s.found)
    {
        if let Some(b) = usize::try_from(tenths(s.leader, s.found))
            .ok()
            .and_then(|b| bins.get_mut(b))
        {
            *b += 1;
        }
    }
    bins
}

/// `1000 g / v` rounded to the nearest integer, ties to even, in exact arithmetic.
fn tenths(g: u64, v: u64) -> u128 {
    let num = 1000 * g as u128;
    let (q, r) = (num / v as u128, num % v as u128);
    match (2 * r).cmp(&(v as u128)) {
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => q + (q & 1),
        std::cmp::Ordering::Less => q,
    }
}

#[cfg(test)]
mod tests {
    use super::tenths;

    #[test]
    fn rounding_to_tenths() {
        assert_eq!(tenths(3, 4), 750);
        assert_eq!(tenths(1, 3), 333);
        assert_eq!(tenths(2, 3), 667);
        assert_eq!(tenths(1, 2000), 0); // 0.05% ties to the even bin 0
        assert_eq!(tenths(3, 2000), 2); // 0.15% ties to 0.2
    }
}

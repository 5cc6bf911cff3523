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

/// What a histogram of 0.1-point bins shows, in numbers: the text beside its plot, for a
/// reader who cannot see the plot (or would rather read).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spikes {
    /// Stations in the histogram.
    pub stations: u64,
    /// The fullest bin (in tenths of a percent; the first of equals) and its stations.
    pub peak: (usize, u64),
    /// The bin (in tenths of a percent) of the median station.
    pub median: usize,
    /// Stations in the whole-percentage bins (0, 1, ..., 100%).
    pub whole: u64,
    /// What those bins would hold if they were like their neighbours: for each, the mean of
    /// the bins 0.1 point below and above (the one neighbour at 0% and 100%).
    pub neighbours: f64,
}

/// The numbers of a histogram of 0.1-point bins (`bins[b]` for `b / 10` percent).
pub fn spikes(bins: &[u64]) -> Spikes {
    let stations: u64 = bins.iter().sum();
    let peak =
        bins.iter().copied().enumerate().fold(
            (0, 0),
            |best, (b, n)| if n > best.1 { (b, n) } else { best },
        );
    let mut below = 0u64;
    let half = stations.div_ceil(2);
    let median = bins
        .iter()
        .position(|&n| {
            below += n;
            below >= half && half > 0
        })
        .unwrap_or(0);
    let (mut whole, mut neighbours) = (0u64, 0.0);
    for b in (0..bins.len()).step_by(10) {
        whole += bins[b];
        let sides: Vec<u64> = [b.checked_sub(1), Some(b + 1)]
            .into_iter()
            .flatten()
            .filter_map(|i| bins.get(i).copied())
            .collect();
        if !sides.is_empty() {
            neighbours += sides.iter().sum::<u64>() as f64 / sides.len() as f64;
        }
    }
    Spikes {
        stations,
        peak,
        median,
        whole,
        neighbours,
    }
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
    use super::{spikes, tenths, Spikes};

    /// Three bins at 49.9%, 50% and 50.1% and one at 100%: the whole bins hold 6 + 1
    /// stations where their neighbours say (2 + 4) / 2 + 0 = 3.
    #[test]
    fn spikes_of_a_histogram() {
        let mut bins = vec![0u64; 1001];
        (bins[499], bins[500], bins[501], bins[1000]) = (2, 6, 4, 1);
        assert_eq!(
            spikes(&bins),
            Spikes {
                stations: 13,
                peak: (500, 6),
                median: 500,
                whole: 7,
                neighbours: 3.0
            }
        );
        let none = spikes(&[0; 1001]);
        assert_eq!(
            (none.stations, none.peak, none.median, none.whole),
            (0, (0, 0), 0, 0)
        );
    }

    #[test]
    fn rounding_to_tenths() {
        assert_eq!(tenths(3, 4), 750);
        assert_eq!(tenths(1, 3), 333);
        assert_eq!(tenths(2, 3), 667);
        assert_eq!(tenths(1, 2000), 0); // 0.05% ties to the even bin 0
        assert_eq!(tenths(3, 2000), 2); // 0.15% ties to 0.2
    }
}

//! Per-station flags: which stations the tests single out, and by how much, so that an
//! audit or a recount can start with them.
//!
//! A station's score adds three signs of the ballot stuffing that Klimek et al. (PNAS 2012)
//! and Kobak et al. (AoAS 2016) describe:
//!
//! * turnout above its region's, as a robust z-score (median and 1.4826 × MAD of the
//!   region's stations; positive part only);
//! * the leader's share above its region's, the same way;
//! * a whole-number turnout or leader percentage, scored `-log10 P(window)` under the
//!   station's binomial (Kobak et al.'s null): about 1 for a large station, near 0 for a
//!   small one whose percentages are often whole by chance.
//!
//! Stations reporting more ballots issued than voters, or more leader votes than ballots
//! found, are impossible rather than unlikely: they come first, flagged as such. A high
//! score is a reason to look, not a finding.

use serde::Serialize;

use crate::integer::is_integer_pct;
use crate::tables::StationTables;
use crate::Station;

/// The score of an impossible station, above any real score.
pub const IMPOSSIBLE: f64 = 1000.0;
/// Floor of a region's robust spread (one percentage point), so that a region whose
/// stations all report the same turnout does not turn tiny differences into huge scores.
const MIN_SPREAD: f64 = 0.01;

/// One station's flags.
#[derive(Debug, Clone, Serialize)]
pub struct StationFlag {
    /// Index of the station in the sample.
    pub index: usize,
    /// The total score.
    pub score: f64,
    /// Counts that cannot be (more ballots than voters, more leader votes than ballots).
    pub impossible: bool,
    /// Turnout, percent.
    pub turnout_pct: f64,
    /// The leader's share of ballots found, percent.
    pub leader_pct: f64,
    /// Robust z-score of turnout within the region (0 when below the region's median).
    pub turnout_z: f64,
    /// Robust z-score of the leader's share within the region (0 when below).
    pub leader_z: f64,
    /// Turnout is a whole percentage (within 0.05).
    pub integer_turnout: bool,
    /// The leader's share is a whole percentage (within 0.05).
    pub integer_leader: bool,
    /// The score the whole percentages add.
    pub integer_score: f64,
}

impl StationFlag {
    /// Which percentages are whole: `both`, `turnout`, `leader` or empty.
    pub fn whole(&self) -> &'static str {
        match (self.integer_turnout, self.integer_leader) {
            (true, true) => "both",
            (true, false) => "turnout",
            (false, true) => "leader",
            (false, false) => "",
        }
    }
}

/// Each station's score, highest first, for the first contest of an election's latest
/// protocols (the leader chosen by the data): the stations `tallyproof forensics flags` lists,
/// as an audit targets them.
pub fn scores(
    e: &model::Election,
    protocols: &[model::Protocol],
) -> Result<Vec<(model::UnitId, f64)>, crate::ForensicsError> {
    let sample = crate::station::sample(e, 0, protocols, None)?;
    let groups = crate::region::groups(e, &sample.stations);
    Ok(flags(&sample.stations, &groups)
        .into_iter()
        .map(|f| (sample.stations[f.index].unit, f.score))
        .collect())
}

/// Scores every station with registered voters and ballots found; `groups[i]` is station
/// `i`'s region (any numbering). Returns the flags sorted by score, highest first (ties in
/// station order).
pub fn flags(stations: &[Station], groups: &[usize]) -> Vec<StationFlag> {
    let usable: Vec<usize> = (0..stations.len())
        .filter(|&i| stations[i].registered > 0 && stations[i].found > 0)
        .collect();
    let turnout = |s: &Station| s.issued as f64 / s.registered as f64;
    let share = |s: &Station| s.leader as f64 / s.found as f64;
    let n_groups = groups.iter().copied().max().map_or(0, |m| m + 1);
    let mut by_group: Vec<Vec<usize>> = vec![Vec::new(); n_groups];
    for &i in &usable {
        if let Some(g) = by_group.get_mut(groups.get(i).copied().unwrap_or(0)) {
            g.push(i);
        }
    }
    let spread = |members: &[usize], f: &dyn Fn(&Station) -> f64| -> (f64, f64) {
        let mut xs: Vec<f64> = members.iter().map(|&i| f(&stations[i])).collect();
        let med = median(&mut xs);
        let mut dev: Vec<f64> = xs.iter().map(|x| (x - med).abs()).collect();
        (med, (1.4826 * median(&mut dev)).max(MIN_SPREAD))
    };
    let centres: Vec<((f64, f64), (f64, f64))> = by_group
        .iter()
        .map(|m| (spread(m, &turnout), spread(m, &share)))
        .collect();
    let mut t = StationTables::default();
    let mut out: Vec<StationFlag> = usable
        .iter()
        .map(|&i| {
            let s = &stations[i];
            let g = groups.get(i).copied().unwrap_or(0);
            let ((tm, ts), (lm, ls)) = centres.get(g).copied().unwrap_or(((0.0, 1.0), (0.0, 1.0)));
            let (tu, sh) = (turnout(s), share(s));
            let impossible = s.issued > s.registered || s.leader > s.found;
            let integer_turnout = is_integer_pct(s.issued, s.registered);
            let integer_leader = is_integer_pct(s.leader, s.found);
            let mut integer_score = 0.0;
            if !impossible && (integer_turnout || integer_leader) {
                t.fill(s);
                let (pl, pt) = t.window_probabilities();
                if integer_leader {
                    integer_score -= pl.max(1e-300).log10();
                }
                if integer_turnout {
                    integer_score -= pt.max(1e-300).log10();
                }
            }
            let turnout_z = ((tu - tm) / ts).max(0.0);
            let leader_z = ((sh - lm) / ls).max(0.0);
            StationFlag {
                index: i,
                score: if impossible {
                    IMPOSSIBLE
                } else {
                    turnout_z + leader_z + integer_score
                },
                impossible,
                turnout_pct: 100.0 * tu,
                leader_pct: 100.0 * sh,
                turnout_z,
                leader_z,
                integer_turnout,
                integer_leader,
                integer_score,
            }
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.index.cmp(&b.index)));
    out
}

/// The median (mean of the middle two for an even count); 0 for none.
fn median(xs: &mut [f64]) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    xs.sort_unstable_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

//! The estimates from the reports that have come in: every choice's share of valid votes and
//! turnout (ballots cast over registered voters), by stratum and over every stratum with at
//! least 2 reports, at 95% and 99%, with the arrival: how many sampled stations have
//! reported, in which strata, which strata are still missing, and whether the arrival is
//! unbalanced (a stratum reporting at less than half the overall rate), which biases an
//! estimate towards the strata that report first.

use std::collections::HashMap;

use serde::Serialize;

use crate::design::{Design, Role};
use crate::estimate::{combined, Moments};
use crate::frame::Counts;
use crate::{Confidence, PvtError};

/// An observer's report: the station and the counts copied from its posted protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The station's path.
    pub station: String,
    /// The counts.
    pub counts: Counts,
}

/// An estimated share with its intervals, in percent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interval {
    /// The share.
    pub share_pct: f64,
    /// Half-width of the 95% interval.
    pub margin_95_pct: f64,
    /// Half-width of the 99% interval.
    pub margin_99_pct: f64,
    /// Reports it is computed from.
    pub stations: usize,
    /// Their base, summed: valid votes, or registered voters for turnout.
    pub base: u64,
}

/// What a share is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Base {
    /// Valid votes (a choice's share).
    Valid,
    /// Registered voters (turnout).
    Registered,
}

/// One estimated quantity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimated {
    /// A choice's name, or "turnout".
    pub name: String,
    /// What its share is of.
    pub base: Base,
    /// Over the strata with at least 2 reports (absent: none has).
    pub overall: Option<Interval>,
    /// Each stratum's, in the design's order (absent: fewer than 2 reports).
    pub strata: Vec<Option<Interval>>,
}

/// How a stratum's sample has reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StratumArrival {
    /// The stratum.
    pub name: String,
    /// Its stations in the frame.
    pub stations: u64,
    /// Its sample.
    pub sample: u64,
    /// Reports in (sampled stations and reserves).
    pub reported: u64,
}

/// How the sample has reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Arrival {
    /// Stations sampled.
    pub sample: u64,
    /// Reports in that count: sampled stations, and reserves standing in for them.
    pub reported: u64,
    /// Of them, reserves standing in for sampled stations that have not reported.
    pub reserves_used: u64,
    /// Reserves that reported although their stratum's sample did not need them: left out.
    pub reserves_not_needed: Vec<String>,
    /// Reports whose ballots cast exceed their registered voters (or that give no registered
    /// voters): kept, since the copy may be right, but their turnout is not a share; check
    /// them with the observers.
    pub turnout_doubtful: Vec<String>,
    /// reported / sample.
    pub rate: f64,
    /// Each stratum's.
    pub strata: Vec<StratumArrival>,
    /// Strata with fewer than 2 reports: left out of the overall estimate.
    pub missing: Vec<String>,
    /// Strata reporting at less than half the overall rate.
    pub lagging: Vec<String>,
    /// Whether an overall estimate is from an unbalanced arrival (a stratum missing or
    /// lagging).
    pub unbalanced: bool,
    /// Frame stations in the strata the overall estimate covers, and in all.
    pub covers_stations: u64,
    /// Stations in the frame.
    pub frame_stations: u64,
}

/// Every estimate from the reports in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimates {
    /// The arrival.
    pub arrival: Arrival,
    /// Turnout, then every choice.
    pub estimates: Vec<Estimated>,
}

impl Estimates {
    /// Why `q` has no overall estimate: no stratum has 2 reports, or the reports give no base
    /// to divide by (no registered voters, or fewer than their ballots; no valid votes).
    pub fn why_none(&self, q: &Estimated) -> &'static str {
        match q.base {
            _ if self.arrival.covers_stations == 0 => "no stratum has 2 reports",
            Base::Registered => {
                "the reports give no registered voters, or fewer than their ballots (turnout_doubtful)"
            }
            Base::Valid => "the reports give no valid votes",
        }
    }
}

/// Where each station of the design sits: its stratum, and whether it is sampled or the
/// stratum's reserve of which rank.
#[derive(Debug, Clone)]
pub struct Index(HashMap<String, (usize, Option<u32>)>);

impl Index {
    /// The stations of `design` (sample and reserves).
    pub fn of(design: &Design) -> Index {
        Index(
            design
                .stations
                .iter()
                .map(|a| {
                    let reserve = (a.role == Role::Reserve).then_some(a.rank);
                    (a.station.clone(), (a.stratum, reserve))
                })
                .collect(),
        )
    }

    /// The stratum of a station and its reserve rank (`None`: sampled), or an error naming it.
    pub fn place(&self, station: &str) -> Result<(usize, Option<u32>), PvtError> {
        self.0.get(station).copied().ok_or_else(|| {
            PvtError::invalid(
                "reports",
                format!("the station '{station}' is not in the design's sample or reserves"),
            )
        })
    }
}

fn interval(m: &Moments) -> Option<Interval> {
    let e = combined(std::slice::from_ref(m), Confidence::P95).ok()?;
    Some(to_interval(&e))
}

fn to_interval(e: &crate::estimate::Estimate) -> Interval {
    let sd = e.variance.sqrt();
    Interval {
        share_pct: 100.0 * e.share,
        margin_95_pct: 100.0 * Confidence::P95.z() * sd,
        margin_99_pct: 100.0 * Confidence::P99.z() * sd,
        stations: e.stations,
        base: e.base,
    }
}

/// A reserve's report: its station, and its terms (a, m) for turnout then every choice.
type ReserveReport = (String, Vec<(u64, u64)>);

/// A counted report: its stratum, its reserve rank (a reserve's), its moments' terms.
type Counted = (usize, Option<u32>, Vec<(u64, u64)>);

/// The reports in so far, summed stratum by stratum: a new report costs one pass over its
/// counts, and the estimates are then computed from the sums alone, whatever the number of
/// reports (what a service recomputes after each report).
///
/// A reserve stands in for a sampled station that has not reported, never beside one: in a
/// stratum whose sample lacks `k` reports, the reports of its reserves of ranks 1 to `k`
/// count (so a late sampled report puts the reserve of rank `k` out again), and the other
/// reserves' reports are kept apart and named: a reserve of rank 2 does not stand in while
/// one sampled station is missing, even if reserve 1 is silent. Which stations stand in is
/// thus the draw's, not the observers' choice (holding back a report chooses nothing).
#[derive(Debug, Clone)]
pub struct Tally {
    /// Sampled stations' reports in each stratum.
    reported: Vec<u64>,
    /// Reports whose ballots exceed their registered voters, or with no registered voters.
    doubtful: Vec<String>,
    /// The stations reported: where each sits and its moments' terms.
    seen: HashMap<String, Counted>,
    /// moments[q][h]: quantity q (0: turnout, 1..: choices) in stratum h, sampled stations.
    moments: Vec<Vec<Moments>>,
    /// Each stratum's reserves' reports by rank: the station and its moments' terms.
    reserves: Vec<std::collections::BTreeMap<u32, ReserveReport>>,
}

impl Tally {
    /// No report yet, for `design` with `choices` choices.
    pub fn new(design: &Design, choices: usize) -> Tally {
        Tally {
            reported: vec![0; design.strata.len()],
            reserves: vec![Default::default(); design.strata.len()],
            doubtful: Vec::new(),
            seen: HashMap::new(),
            moments: (0..=choices)
                .map(|_| {
                    design
                        .strata
                        .iter()
                        .map(|s| Moments::new(s.stations))
                        .collect()
                })
                .collect(),
        }
    }

    /// Adds a report: refused, and nothing added, if its station is not the design's, has
    /// reported already, or reports another number of choices.
    pub fn add(&mut self, index: &Index, r: &Report) -> Result<(), PvtError> {
        let (h, reserve) = index.place(&r.station)?;
        if self.seen.contains_key(&r.station) {
            return Err(PvtError::invalid(
                "reports",
                format!("two reports for the station '{}'", r.station),
            ));
        }
        let choices = self.moments.len() - 1;
        if r.counts.votes.len() != choices {
            return Err(PvtError::invalid(
                "reports",
                format!(
                    "the station '{}' reports {} choices, the contest has {choices}",
                    r.station,
                    r.counts.votes.len(),
                ),
            ));
        }
        // Every sum first, then all of them at once: a report whose counts would pass the
        // sums' range is refused and changes nothing.
        let too_big = || {
            PvtError::invalid(
                "reports",
                format!(
                    "the station '{}' reports counts beyond any station's",
                    r.station
                ),
            )
        };
        let valid = r
            .counts
            .votes
            .iter()
            .try_fold(0u64, |s, &v| s.checked_add(v))
            .ok_or_else(too_big)?;
        let terms: Vec<(u64, u64)> = std::iter::once((r.counts.ballots, r.counts.registered))
            .chain(r.counts.votes.iter().map(|&v| (v, valid)))
            .collect();
        // Checked as if every reserve of the stratum counted: no later sum can overflow.
        for (q, &(a, m)) in terms.iter().enumerate() {
            let mut sum = self.moments[q][h];
            for (_, t) in self.reserves[h].values() {
                sum = sum.checked_add(t[q].0, t[q].1).ok_or_else(too_big)?;
            }
            sum.checked_add(a, m).ok_or_else(too_big)?;
        }
        match reserve {
            Some(rank) => {
                self.reserves[h].insert(rank, (r.station.clone(), terms.clone()));
            }
            None => {
                for (q, &(a, m)) in terms.iter().enumerate() {
                    self.moments[q][h].add(a, m);
                }
                self.reported[h] += 1;
            }
        }
        if r.counts.registered == 0 || r.counts.ballots > r.counts.registered {
            self.doubtful.push(r.station.clone());
        }
        self.seen.insert(r.station.clone(), (h, reserve, terms));
        Ok(())
    }

    /// Takes a station's report out (a supervisor put the station in quarantine, or its
    /// observers' reports came to differ): the tally is then as if it had never been added.
    /// Refused, and nothing changed, if the station has no report in.
    pub fn remove(&mut self, station: &str) -> Result<(), PvtError> {
        let (h, reserve, terms) = self.seen.remove(station).ok_or_else(|| {
            PvtError::invalid(
                "reports",
                format!("the station '{station}' has no report in"),
            )
        })?;
        match reserve {
            Some(rank) => {
                self.reserves[h].remove(&rank);
            }
            None => {
                for (q, &(a, m)) in terms.iter().enumerate() {
                    self.moments[q][h].remove(a, m);
                }
                self.reported[h] -= 1;
            }
        }
        if let Some(k) = self.doubtful.iter().rposition(|s| s == station) {
            self.doubtful.remove(k);
        }
        Ok(())
    }

    /// The estimates from the reports in.
    pub fn estimates(&self, design: &Design, choices: &[String]) -> Estimates {
        let mut moments = self.moments.clone();
        let mut reported = self.reported.clone();
        let mut unused = Vec::new();
        for (h, s) in design.strata.iter().enumerate() {
            let lacking = s.sample.saturating_sub(self.reported[h]);
            for (&rank, (station, terms)) in &self.reserves[h] {
                if u64::from(rank) <= lacking {
                    for (q, &(a, m)) in terms.iter().enumerate() {
                        moments[q][h].add(a, m);
                    }
                    reported[h] += 1;
                } else {
                    unused.push(station.clone());
                }
            }
        }
        let mut e = summarise(design, choices, &reported, &moments);
        e.arrival.reserves_used = reported.iter().sum::<u64>() - self.reported.iter().sum::<u64>();
        e.arrival.reserves_not_needed = unused;
        e.arrival.turnout_doubtful = self.doubtful.clone();
        e
    }
}

/// The estimates of `design`'s contest, whose choices are `choices`, from `reports` (one per
/// station, each a station of the design).
pub fn estimates(
    design: &Design,
    index: &Index,
    choices: &[String],
    reports: &[Report],
) -> Result<Estimates, PvtError> {
    let mut t = Tally::new(design, choices.len());
    for r in reports {
        t.add(index, r)?;
    }
    Ok(t.estimates(design, choices))
}

fn summarise(
    design: &Design,
    choices: &[String],
    reported: &[u64],
    moments: &[Vec<Moments>],
) -> Estimates {
    let strata = design.strata.len();
    let sample: u64 = design.strata.iter().map(|s| s.sample).sum();
    let total: u64 = reported.iter().sum();
    let rate = total as f64 / sample.max(1) as f64;
    let mut arrival = Arrival {
        sample,
        reported: total,
        reserves_used: 0,
        reserves_not_needed: Vec::new(),
        turnout_doubtful: Vec::new(),
        rate,
        strata: Vec::with_capacity(strata),
        missing: Vec::new(),
        lagging: Vec::new(),
        unbalanced: false,
        covers_stations: 0,
        frame_stations: design.frame.stations,
    };
    for (s, &n) in design.strata.iter().zip(reported) {
        arrival.strata.push(StratumArrival {
            name: s.name.clone(),
            stations: s.stations,
            sample: s.sample,
            reported: n,
        });
        if n < 2 {
            arrival.missing.push(s.name.clone());
        } else {
            arrival.covers_stations += s.stations;
        }
        if (n as f64) < 0.5 * rate * s.sample as f64 {
            arrival.lagging.push(s.name.clone());
        }
    }
    arrival.unbalanced = !arrival.missing.is_empty() || !arrival.lagging.is_empty();
    let names = std::iter::once("turnout".to_string()).chain(choices.iter().cloned());
    let estimates = names
        .zip(moments)
        .enumerate()
        .map(|(q, (name, ms))| {
            let reporting: Vec<Moments> = ms.iter().filter(|m| m.n >= 2).copied().collect();
            Estimated {
                name,
                base: if q == 0 {
                    Base::Registered
                } else {
                    Base::Valid
                },
                overall: combined(&reporting, Confidence::P95)
                    .ok()
                    .map(|e| to_interval(&e)),
                strata: ms.iter().map(interval).collect(),
            }
        })
        .collect();
    Estimates { arrival, estimates }
}

//! How a sample is spread over strata (`shared/design/observers.md`, 3.1): proportional to
//! the strata's stations or registered voters, at least 2 stations in every stratum (a
//! stratum's variance needs two), a stratum with fewer than 2 stations collapsed with its
//! neighbour, and the plan saying which.

use crate::PvtError;

/// What a sample is allocated in proportion to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Allocation {
    /// The strata's stations.
    Stations,
    /// The strata's registered voters.
    Voters,
}

impl Allocation {
    /// Its name in a design's JSON and the log.
    pub fn key(self) -> &'static str {
        match self {
            Allocation::Stations => "stations",
            Allocation::Voters => "voters",
        }
    }

    /// The allocation named `key`.
    pub fn from_key(key: &str) -> Option<Allocation> {
        [Allocation::Stations, Allocation::Voters]
            .into_iter()
            .find(|a| a.key() == key)
    }
}

/// A stratum of the frame: its name, stations and registered voters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stratum {
    /// Its name (a unit's path, or an attribute's value such as "urban").
    pub name: String,
    /// Stations in the frame.
    pub stations: u64,
    /// Registered voters at them.
    pub voters: u64,
}

/// A stratum of the plan: one of the frame's, or several collapsed into one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// The frame's strata it holds, in order (more than one: collapsed).
    pub strata: Vec<String>,
    /// Stations in the frame.
    pub stations: u64,
    /// Registered voters at them.
    pub voters: u64,
    /// Stations to sample.
    pub sample: u64,
}

/// Spreads a sample of `total` stations over `strata` (in their order, which says who
/// neighbours whom) in proportion to `by`: each stratum its share rounded by largest
/// remainder (ties to the earlier stratum), never fewer than 2 nor more than it has. A
/// stratum of fewer than 2 stations is first collapsed into the next one (the last into the
/// one before).
pub fn allocate(strata: &[Stratum], total: u64, by: Allocation) -> Result<Vec<Planned>, PvtError> {
    let mut plan: Vec<Planned> = Vec::new();
    for s in strata {
        let joins = plan.last().is_some_and(|p| p.stations < 2);
        match plan.last_mut() {
            Some(p) if joins => {
                p.strata.push(s.name.clone());
                p.stations += s.stations;
                p.voters = p.voters.saturating_add(s.voters);
            }
            _ => plan.push(Planned {
                strata: vec![s.name.clone()],
                stations: s.stations,
                voters: s.voters,
                sample: 0,
            }),
        }
    }
    if plan.len() > 1 && plan.last().is_some_and(|p| p.stations < 2) {
        let last = plan.pop().expect("a last stratum");
        let before = plan.last_mut().expect("a stratum before it");
        before.strata.extend(last.strata);
        before.stations += last.stations;
        before.voters = before.voters.saturating_add(last.voters);
    }
    let frame: u64 = plan.iter().map(|p| p.stations).sum();
    if plan.is_empty() || frame < 2 {
        return Err(PvtError::invalid(
            "strata",
            "the frame has fewer than 2 stations",
        ));
    }
    let least = 2 * plan.len() as u64;
    if total < least || total > frame {
        return Err(PvtError::invalid(
            "total",
            format!(
                "{total} stations: from {least} (2 in each of {} strata) to the frame's {frame}",
                plan.len()
            ),
        ));
    }
    let size = |p: &Planned| match by {
        Allocation::Stations => p.stations,
        Allocation::Voters => p.voters,
    };
    let whole: u128 = plan.iter().map(|p| u128::from(size(p))).sum();
    if whole == 0 {
        return Err(PvtError::invalid(
            "strata",
            "no registered voters to allocate by",
        ));
    }
    // Each stratum's exact share, total · size / whole, as a whole part and a remainder
    // (integers: the rounding never depends on floats).
    let ideal: Vec<(u64, u128)> = plan
        .iter()
        .map(|p| {
            let x = u128::from(total) * u128::from(size(p));
            ((x / whole) as u64, x % whole)
        })
        .collect();
    for (p, &(floor, _)) in plan.iter_mut().zip(&ideal) {
        p.sample = floor.clamp(2, p.stations);
    }
    // Largest remainder: one more to the stratum furthest below its share, one less from
    // the one furthest above it, until the sample adds up.
    let below = |p: &Planned, &(floor, rem): &(u64, u128)| -> i128 {
        (i128::from(floor) - i128::from(p.sample)) * whole as i128 + rem as i128
    };
    let mut sum: u64 = plan.iter().map(|p| p.sample).sum();
    loop {
        if sum == total {
            return Ok(plan);
        }
        let pick = plan
            .iter()
            .zip(&ideal)
            .enumerate()
            .filter(|(_, (p, _))| {
                if sum < total {
                    p.sample < p.stations
                } else {
                    p.sample > 2
                }
            })
            .map(|(k, (p, i))| (k, below(p, i)))
            .reduce(|a, b| match sum < total {
                true if b.1 > a.1 => b,
                false if b.1 < a.1 => b,
                _ => a,
            })
            .map(|(k, _)| k)
            .expect("a total within the bounds has a stratum to change");
        if sum < total {
            plan[pick].sample += 1;
            sum += 1;
        } else {
            plan[pick].sample -= 1;
            sum -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strata(sizes: &[(u64, u64)]) -> Vec<Stratum> {
        sizes
            .iter()
            .enumerate()
            .map(|(k, &(stations, voters))| Stratum {
                name: format!("S{k}"),
                stations,
                voters,
            })
            .collect()
    }

    fn samples(plan: &[Planned]) -> Vec<u64> {
        plan.iter().map(|p| p.sample).collect()
    }

    /// Proportional shares that are whole stay as they are; by voters they follow the
    /// voters; a remainder goes to the stratum furthest below its share.
    #[test]
    fn shares_in_proportion_by_largest_remainder() {
        let s = strata(&[(10, 1000), (30, 1000), (60, 8000)]);
        assert_eq!(
            samples(&allocate(&s, 20, Allocation::Stations).unwrap()),
            [2, 6, 12]
        );
        // By voters: 2, 2, 16 of 20 (the first two at their minimum of 2).
        assert_eq!(
            samples(&allocate(&s, 20, Allocation::Voters).unwrap()),
            [2, 2, 16]
        );
        // 21 by stations: shares 2.1, 6.3, 12.6: the remainder goes to the third.
        assert_eq!(
            samples(&allocate(&s, 21, Allocation::Stations).unwrap()),
            [2, 6, 13]
        );
        // Shares 2.97 and 96.03 round to 3 and 96; a stratum never gives more than it has
        // (the whole frame: 3 and 97), nor fewer than 2 (shares 0.12 and 3.88 of 4: 2 and 2).
        let s = strata(&[(3, 0), (97, 0)]);
        assert_eq!(
            samples(&allocate(&s, 99, Allocation::Stations).unwrap()),
            [3, 96]
        );
        assert_eq!(
            samples(&allocate(&s, 100, Allocation::Stations).unwrap()),
            [3, 97]
        );
        assert_eq!(
            samples(&allocate(&s, 4, Allocation::Stations).unwrap()),
            [2, 2]
        );
    }

    /// A stratum of one station is collapsed into the next, the last one into the one
    /// before, and the plan names them.
    #[test]
    fn small_strata_are_collapsed_with_a_neighbour() {
        let s = strata(&[(1, 10), (5, 50), (50, 500), (1, 10)]);
        let plan = allocate(&s, 10, Allocation::Stations).unwrap();
        let names: Vec<Vec<&str>> = plan
            .iter()
            .map(|p| p.strata.iter().map(String::as_str).collect())
            .collect();
        assert_eq!(names, [vec!["S0", "S1"], vec!["S2", "S3"]]);
        assert_eq!(plan.iter().map(|p| p.stations).collect::<Vec<_>>(), [6, 51]);
        assert_eq!(samples(&plan), [2, 8]);
    }

    #[test]
    fn totals_out_of_reach_are_refused() {
        let s = strata(&[(10, 0), (10, 0)]);
        assert!(allocate(&s, 3, Allocation::Stations).is_err());
        assert!(allocate(&s, 21, Allocation::Stations).is_err());
        assert!(
            allocate(&s, 10, Allocation::Voters).is_err(),
            "no voters to allocate by"
        );
        assert!(allocate(&strata(&[(1, 5)]), 1, Allocation::Stations).is_err());
    }
}

//! The frame a quick count samples from: every station of an election's contest (the one
//! being observed, or the previous election's results), its stratum and its counts, in a
//! canonical order (by station path) whatever order the file or the store gave them in, so
//! that the frame's digest and the draw depend on the stations only.

use std::collections::BTreeMap;

use model::{Election, Protocol, UnitId, UnitLevel};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::PvtError;

/// A station's counts as the estimates read them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Counts {
    /// Registered voters (0 where the protocol has no such line).
    pub registered: u64,
    /// Ballots cast: issued, or else found in the boxes, or else the votes' sum.
    pub ballots: u64,
    /// The votes of each choice, in the contest's order.
    pub votes: Vec<u64>,
}

impl Counts {
    /// A protocol's counts.
    pub fn of(p: &Protocol) -> Counts {
        Counts {
            registered: p.line(model::Line::Registered).unwrap_or(0),
            ballots: p
                .issued()
                .or_else(|| p.found())
                .unwrap_or_else(|| p.choice_sum()),
            votes: p.votes.clone(),
        }
    }

    /// Valid votes: the choices' sum.
    pub fn valid(&self) -> u64 {
        // A frame's protocols are checked to add up within u64 (`Frame::of`).
        self.votes.iter().fold(0u64, |s, &v| s.saturating_add(v))
    }
}

/// One station of the frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameStation {
    /// Its path, `Region / District / Station`: its id in the draw.
    pub id: String,
    /// Its unit in the election it was read from.
    pub unit: UnitId,
    /// Its stratum, an index into [`Frame::strata`].
    pub stratum: usize,
    /// Its counts.
    pub counts: Counts,
}

/// `votes` in the order an alignment gives ([`Frame::alignment`]): position k holds the
/// votes at `from[k]` (0 where there are none).
pub fn reorder(votes: &[u64], from: &[usize]) -> Vec<u64> {
    from.iter()
        .map(|&k| votes.get(k).copied().unwrap_or(0))
        .collect()
}

/// The stations of one contest, sorted by path, with their strata sorted by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The election's name.
    pub election: String,
    /// The contest's name.
    pub contest: String,
    /// The contest's choices.
    pub choices: Vec<String>,
    /// The level whose units are the strata (`None`: one stratum, the country).
    pub level: Option<UnitLevel>,
    /// The strata's names.
    pub strata: Vec<String>,
    /// The stations.
    pub stations: Vec<FrameStation>,
}

impl Frame {
    /// The frame of `contest` in `e` from its `protocols` (one per station), stratified by
    /// the units at `level` (a station outside every unit at that level is an error).
    pub fn of(
        e: &Election,
        contest: usize,
        protocols: &[Protocol],
        level: Option<UnitLevel>,
    ) -> Result<Frame, PvtError> {
        let rows = protocols
            .iter()
            .filter(|p| p.contest == contest)
            .map(|p| match p.overflow() {
                Some(what) => Err(PvtError::invalid(
                    "protocols",
                    format!(
                        "the station '{}': {what} add up beyond 2^64 - 1",
                        e.units.path(p.station)
                    ),
                )),
                None => Ok((p.station, Counts::of(p))),
            });
        Frame::build(e, contest, rows, level)
    }

    /// The frame a quick count's log lists (`docs/log-format.md`, "pvt"): each station with
    /// its registered voters only (no votes: a frame drawn before polling day has none).
    pub fn listed(
        e: &Election,
        contest: usize,
        stations: &[(UnitId, u64)],
        level: Option<UnitLevel>,
    ) -> Result<Frame, PvtError> {
        let choices = e.contests.get(contest).map_or(0, |c| c.choices.len());
        let rows = stations.iter().map(|&(unit, registered)| {
            Ok((
                unit,
                Counts {
                    registered,
                    ballots: 0,
                    votes: vec![0; choices],
                },
            ))
        });
        Frame::build(e, contest, rows, level)
    }

    fn build(
        e: &Election,
        contest: usize,
        rows: impl Iterator<Item = Result<(UnitId, Counts), PvtError>>,
        level: Option<UnitLevel>,
    ) -> Result<Frame, PvtError> {
        let c = e.contests.get(contest).ok_or_else(|| {
            PvtError::invalid(
                "contest",
                format!("{contest}: the election has {}", e.contests.len()),
            )
        })?;
        let country = e.units.get(e.units.root()).name.to_string();
        let mut by_id: BTreeMap<String, (UnitId, String, Counts)> = BTreeMap::new();
        for row in rows {
            let (unit, counts) = row?;
            let id = e.units.path(unit);
            let stratum = match level {
                None => country.clone(),
                Some(level) => match e.units.ancestor_at(unit, level) {
                    Some(u) => e.units.path(u),
                    None => {
                        return Err(PvtError::invalid(
                            "strata",
                            format!("the station '{id}' is in no {}", level.key()),
                        ))
                    }
                },
            };
            if by_id.insert(id.clone(), (unit, stratum, counts)).is_some() {
                return Err(PvtError::invalid(
                    "protocols",
                    format!("two protocols for the station '{id}'"),
                ));
            }
        }
        let strata: Vec<String> = by_id
            .values()
            .map(|(_, s, _)| s.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let stations = by_id
            .into_iter()
            .map(|(id, (unit, s, counts))| FrameStation {
                id,
                unit,
                stratum: strata.binary_search(&s).expect("a stratum collected above"),
                counts,
            })
            .collect();
        Ok(Frame {
            election: e.name.clone(),
            contest: c.name.clone(),
            choices: c.choices.iter().map(|ch| ch.name.clone()).collect(),
            level,
            strata,
            stations,
        })
    }

    /// SHA-256 of the frame's list, one line `stratum TAB station TAB registered LF` per
    /// station in order, as 64 hex digits: what the design commits to.
    pub fn digest(&self) -> String {
        let mut h = Sha256::new();
        for s in &self.stations {
            h.update(self.strata[s.stratum].as_bytes());
            h.update(b"\t");
            h.update(s.id.as_bytes());
            h.update(b"\t");
            h.update(s.counts.registered.to_string().as_bytes());
            h.update(b"\n");
        }
        hex::encode(h.finalize())
    }

    /// Each stratum's stations and registered voters, for the allocation.
    pub fn strata(&self) -> Vec<crate::allocation::Stratum> {
        let mut out: Vec<crate::allocation::Stratum> = self
            .strata
            .iter()
            .map(|name| crate::allocation::Stratum {
                name: name.clone(),
                stations: 0,
                voters: 0,
            })
            .collect();
        for s in &self.stations {
            out[s.stratum].stations += 1;
            out[s.stratum].voters = out[s.stratum].voters.saturating_add(s.counts.registered);
        }
        out
    }

    /// The choice `name` names: its name as [`model::names::skeleton`] compares names, or
    /// else the one choice whose name contains it (a surname, a party's short name).
    pub fn choice(&self, name: &str) -> Result<usize, PvtError> {
        if let Ok(k) = model::names::match_name(name, &self.choices, "choice") {
            return Ok(k);
        }
        let want = model::names::skeleton(name);
        let hits: Vec<usize> = (0..self.choices.len())
            .filter(|&k| model::names::skeleton(&self.choices[k]).contains(&want))
            .collect();
        match hits[..] {
            [k] => Ok(k),
            [] => Err(PvtError::invalid(
                "choice",
                format!("no choice of '{}' is named '{name}'", self.contest),
            )),
            _ => Err(PvtError::invalid(
                "choice",
                format!(
                    "'{name}' is part of {} choices' names: {}",
                    hits.len(),
                    hits.iter()
                        .map(|&k| self.choices[k].as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            )),
        }
    }

    /// This frame with its choices in the order of `choices` (found as [`Frame::alignment`]
    /// finds them), and the alignment: how a file whose choices come in another order, or
    /// are spelled differently, is read against a design.
    pub fn aligned(&self, choices: &[String]) -> Result<(Frame, Vec<usize>), PvtError> {
        let from = self.alignment(choices)?;
        let mut out = self.clone();
        out.choices = choices.to_vec();
        for s in &mut out.stations {
            s.counts.votes = reorder(&s.counts.votes, &from);
        }
        Ok((out, from))
    }

    /// For each of `choices`, the position of the same choice in this frame (its whole name,
    /// as the name folding compares names): refused when one is missing, two are read from
    /// one column, or the frame has a choice besides them.
    pub fn alignment(&self, choices: &[String]) -> Result<Vec<usize>, PvtError> {
        // Whole names only (as the name folding compares them): a part of a name would read
        // one choice's column for another's ("Green" in "Green Left").
        let from = choices
            .iter()
            .map(|c| {
                model::names::match_name(c, &self.choices, "choice").map_err(|_| {
                    PvtError::invalid(
                        "choice",
                        format!("'{c}' has no column of its own in '{}'", self.contest),
                    )
                })
            })
            .collect::<Result<Vec<usize>, PvtError>>()?;
        if let Some(k) = (0..from.len()).find(|&k| from[..k].contains(&from[k])) {
            return Err(PvtError::invalid(
                "choice",
                format!(
                    "'{}' and another of the design's choices are read from the same column",
                    choices[k]
                ),
            ));
        }
        if let Some(extra) = (0..self.choices.len()).find(|k| !from.contains(k)) {
            return Err(PvtError::invalid(
                "choice",
                format!(
                    "'{}' is not one of the design's choices",
                    self.choices[extra]
                ),
            ));
        }
        Ok(from)
    }

    /// Registered voters at every station (saturating: a frame's counts are a file's).
    pub fn registered(&self) -> u64 {
        self.stations
            .iter()
            .fold(0u64, |t, s| t.saturating_add(s.counts.registered))
    }

    /// Mean valid votes per station (m̄).
    pub fn mean_valid(&self) -> f64 {
        let valid: u128 = self
            .stations
            .iter()
            .map(|s| u128::from(s.counts.valid()))
            .sum();
        valid as f64 / self.stations.len() as f64
    }

    /// The choice with the most valid votes in the frame (the first of equals).
    pub fn leader(&self) -> Option<usize> {
        let mut sums = vec![0u128; self.choices.len()];
        for s in &self.stations {
            for (t, &v) in sums.iter_mut().zip(&s.counts.votes) {
                *t += u128::from(v);
            }
        }
        most(&sums)
    }
}

/// The choice with the most votes of these `totals`, the first of a tie.
pub(crate) fn most(totals: &[u128]) -> Option<usize> {
    (0..totals.len()).rev().max_by_key(|&k| totals[k])
}

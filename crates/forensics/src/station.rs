//! The per-station quantities of the integer-percentage test, read from the protocols.
//!
//! Following Kobak et al. (2016) and `shared/design/forensics.md` §1: `V` is the registered
//! voters, `G` the ballots issued (the three issued lines, or the single total), `R` the
//! ballots found (valid + invalid), and `L` the leader's votes. Where a protocol has no
//! valid-ballot line (Russia's 2020 constitutional vote), both `G` and `R` are the ballots
//! found in the boxes: that is the mapping that reproduces the published 2020 figures.

use model::{Election, Line, Protocol, UnitId};
use serde::Serialize;

use crate::ForensicsError;

/// One station's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Station {
    /// The station's unit.
    #[serde(skip)]
    pub unit: UnitId,
    /// `V`: registered voters.
    pub registered: u64,
    /// `G`: ballots issued.
    pub issued: u64,
    /// `R`: ballots found (valid + invalid).
    pub found: u64,
    /// `L`: the leader's votes.
    pub leader: u64,
    /// The votes of every other choice together.
    pub others: u64,
}

/// The stations of one contest, with the leader they were read for.
#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    /// The leader's name.
    pub leader: String,
    /// Stations whose protocol has every line the test needs.
    pub stations: Vec<Station>,
    /// Protocols left out because they lack registered voters, ballots issued or ballots
    /// found (stations that did not report, for example).
    pub incomplete: usize,
}

/// Reads the stations of `contest` from `protocols`. The leader is the choice named by
/// `leader` (a case-insensitive part of its name, which must match one choice only, or
/// match one exactly), or by default the choice with the most votes.
pub fn sample(
    e: &Election,
    contest: usize,
    protocols: &[Protocol],
    leader: Option<&str>,
) -> Result<Sample, ForensicsError> {
    sample_of(e, contest, protocols, leader)
}

/// [`sample`] over any sequence of protocols (the results service passes its replayed
/// protocols without copying them).
pub fn sample_of<'p>(
    e: &Election,
    contest: usize,
    protocols: impl IntoIterator<Item = &'p Protocol>,
    leader: Option<&str>,
) -> Result<Sample, ForensicsError> {
    let c = e.contests.get(contest).ok_or(ForensicsError::NoContest {
        index: contest,
        count: e.contests.len(),
    })?;
    let ps: Vec<&Protocol> = protocols
        .into_iter()
        .filter(|p| p.contest == contest)
        .collect();
    let names: Vec<&str> = c.choices.iter().map(|ch| ch.name.as_str()).collect();
    let li = match leader {
        Some(name) => find_choice(&names, name)?,
        None => {
            most_votes(&ps, names.len()).ok_or_else(|| ForensicsError::NoChoices(c.name.clone()))?
        }
    };
    let mut stations = Vec::with_capacity(ps.len());
    let mut incomplete = 0;
    let (mut any_v, mut any_g, mut any_r) = (false, false, false);
    for p in ps {
        let v = p.line(Line::Registered);
        let (g, r) = issued_and_found(p);
        any_v |= v.is_some();
        any_g |= g.is_some();
        any_r |= r.is_some();
        match (v, g, r) {
            (Some(registered), Some(issued), Some(found)) => stations.push(Station {
                unit: p.station,
                registered,
                issued,
                found,
                leader: p.votes.get(li).copied().unwrap_or(0),
                others: p.choice_sum() - p.votes.get(li).copied().unwrap_or(0),
            }),
            _ => incomplete += 1,
        }
    }
    if stations.is_empty() {
        let line = if !any_v {
            "registered voters"
        } else if !any_g {
            "ballots issued"
        } else if !any_r {
            "ballots found"
        } else {
            "all of registered voters, ballots issued and ballots found"
        };
        return Err(ForensicsError::MissingLine(line));
    }
    Ok(Sample {
        leader: names[li].to_string(),
        stations,
        incomplete,
    })
}

/// `(G, R)` of a protocol; see the module documentation for the 2020 mapping.
fn issued_and_found(p: &Protocol) -> (Option<u64>, Option<u64>) {
    match (p.line(Line::Valid), p.line(Line::Invalid)) {
        (Some(valid), invalid) => (p.issued(), Some(valid + invalid.unwrap_or(0))),
        (None, _) => (p.found(), p.found()),
    }
}

fn find_choice(names: &[&str], wanted: &str) -> Result<usize, ForensicsError> {
    let w = wanted.to_lowercase();
    if let Some(i) = names.iter().position(|n| n.to_lowercase() == w) {
        return Ok(i);
    }
    let hits: Vec<usize> = (0..names.len())
        .filter(|&i| names[i].to_lowercase().contains(&w))
        .collect();
    match hits.as_slice() {
        [i] => Ok(*i),
        [] => Err(ForensicsError::NoLeader {
            name: wanted.to_string(),
            choices: names.join(", "),
        }),
        _ => Err(ForensicsError::AmbiguousLeader {
            name: wanted.to_string(),
            matches: hits
                .iter()
                .map(|&i| names[i])
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// The choice with the most votes in total; the first listed among equals.
fn most_votes(ps: &[&Protocol], choices: usize) -> Option<usize> {
    let mut total = vec![0u64; choices];
    for p in ps {
        for (t, v) in total.iter_mut().zip(&p.votes) {
            *t += v;
        }
    }
    (0..choices).rev().max_by_key(|&i| total[i])
}

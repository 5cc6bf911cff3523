//! A quick count's design, the document an observer group publishes before polling day:
//! the frame's digest, the strata and their sizes, how the sample was sized, and a SHA-256
//! commitment to the seed. The group's own copy also holds the seed and the stations drawn;
//! [`Design::public`] leaves them out. Once the seed is revealed, [`Design::redraw`] draws
//! the stations again from the frame and the seed alone, and [`Design::check`] says whether
//! they are the ones the group observed.

use serde::{Deserialize, Serialize};

use crate::allocation::{allocate, Allocation, Planned};
use crate::estimate::{design_effect, Station};
use crate::frame::Frame;
use crate::select::{draw, Method};
use crate::size::{stations_needed, voters_needed};
use crate::{Confidence, PvtError};

/// The design document's format version.
pub const VERSION: u32 = 1;

/// What the sample was drawn from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameSummary {
    /// Stations.
    pub stations: u64,
    /// Registered voters at them.
    pub registered: u64,
    /// [`Frame::digest`].
    pub digest: String,
}

/// How the sample's size was chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Size {
    /// Stations to sample.
    pub stations: u64,
    /// The margin asked for, in percentage points (absent: the size was given).
    pub margin_pct: Option<f64>,
    /// Its confidence, in percent.
    pub confidence_pct: Option<u32>,
    /// The choice whose share needs the most stations for that margin.
    pub hardest_choice: Option<String>,
    /// Its design effect in the frame, unstratified (stratifying can only lower it).
    pub design_effect: Option<f64>,
    /// The voters a simple random sample would need for that margin.
    pub voters: Option<f64>,
    /// Mean valid votes per station in the frame (m̄).
    pub mean_valid: f64,
}

/// A stratum of the design.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesignStratum {
    /// Its name: the frame's stratum, or those collapsed into it joined with " + ".
    pub name: String,
    /// The frame's strata it holds (more than one: collapsed, being too small alone).
    pub holds: Vec<String>,
    /// Stations in the frame.
    pub stations: u64,
    /// Registered voters at them.
    pub registered: u64,
    /// Stations sampled.
    pub sample: u64,
    /// Reserve stations.
    pub reserves: u64,
}

/// Whether an assigned station is sampled or a reserve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// In the sample.
    Sample,
    /// Stands in for a sampled station of its stratum that does not report.
    Reserve,
}

impl Role {
    /// Its name in the design's JSON and the assignments' CSV.
    pub fn key(self) -> &'static str {
        match self {
            Role::Sample => "sample",
            Role::Reserve => "reserve",
        }
    }
}

/// A station an observer is sent to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// The station's path.
    pub station: String,
    /// Its stratum, an index into [`Design::strata`].
    pub stratum: usize,
    /// Sample or reserve.
    pub role: Role,
    /// 1, 2, ... in draw order within the stratum and role (reserve 1 is used first).
    pub rank: u32,
}

/// A quick count's design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Design {
    /// [`VERSION`].
    pub version: u32,
    /// The frame's election.
    pub election: String,
    /// The frame's contest.
    pub contest: String,
    /// The contest's choices, in order.
    pub choices: Vec<String>,
    /// The frame.
    pub frame: FrameSummary,
    /// The unit level whose units are the strata (absent: one stratum).
    pub level: Option<String>,
    /// How stations are chosen within a stratum.
    pub method: Method,
    /// What the sample is spread over the strata in proportion to.
    pub allocation: Allocation,
    /// Reserves per stratum, as a percentage of its sample, rounded up (at most the
    /// stratum's other stations).
    pub reserve_pct: u32,
    /// The sample's size and how it was chosen.
    pub size: Size,
    /// SHA-256 of the seed's UTF-8 bytes, hex: the commitment.
    pub seed_sha256: String,
    /// The seed: in the group's own copy, and in the public one once revealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<String>,
    /// The strata.
    pub strata: Vec<DesignStratum>,
    /// The stations drawn (the group's own copy only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stations: Vec<Assignment>,
}

/// How large a sample to draw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SizeBy {
    /// This many stations.
    Stations(u64),
    /// Enough for every choice's share within ± this many percentage points.
    Margin(f64, Confidence),
}

/// What a design is made from, besides the frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The sample's size.
    pub size: SizeBy,
    /// How stations are chosen within a stratum.
    pub method: Method,
    /// What the sample is spread in proportion to.
    pub allocation: Allocation,
    /// Reserves per stratum, as a percentage of its sample, rounded up.
    pub reserve_pct: u32,
    /// The seed.
    pub seed: String,
}

/// The stations a margin needs: for every choice with a share strictly between 0 and 1 in
/// the frame, `deff_k · n_voters(p_k) / m̄`, and the largest of them, with its choice.
fn sized_by_margin(
    frame: &Frame,
    margin_pct: f64,
    confidence: Confidence,
) -> Result<Size, PvtError> {
    let registered = frame.registered();
    let valid: u128 = frame
        .stations
        .iter()
        .map(|s| u128::from(s.counts.valid()))
        .sum();
    let mean_valid = frame.mean_valid();
    let mut hardest: Option<(u64, usize, f64, f64)> = None;
    for k in 0..frame.choices.len() {
        let stations: Vec<Station> = frame
            .stations
            .iter()
            .map(|s| Station {
                votes: s.counts.votes.get(k).copied().unwrap_or(0),
                base: s.counts.valid(),
            })
            .collect();
        let Ok(deff) = design_effect(&stations) else {
            continue;
        };
        let a: u128 = stations.iter().map(|s| u128::from(s.votes)).sum();
        let p = a as f64 / valid as f64;
        let voters = voters_needed(registered.max(1), margin_pct / 100.0, confidence, p)?;
        let n = stations_needed(voters, mean_valid, deff.max(f64::MIN_POSITIVE))?;
        if hardest.is_none_or(|h| n > h.0) {
            hardest = Some((n, k, deff, voters));
        }
    }
    let (n, k, deff, voters) = hardest.ok_or_else(|| {
        PvtError::invalid(
            "frame",
            "no choice's share varies: nothing to size a sample by",
        )
    })?;
    Ok(Size {
        stations: n,
        margin_pct: Some(margin_pct),
        confidence_pct: Some(confidence.percent()),
        hardest_choice: Some(frame.choices[k].clone()),
        design_effect: Some(deff),
        voters: Some(voters),
        mean_valid,
    })
}

/// What a quick count's log states of its design (`docs/log-format.md`, "pvt"): with the
/// logged frame it gives every stratum, its sample and its reserves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    /// How stations are chosen within a stratum.
    pub method: Method,
    /// What the sample is spread in proportion to.
    pub allocation: Allocation,
    /// Stations to sample.
    pub sample: u64,
    /// Reserves per stratum, as a percentage of its sample, rounded up.
    pub reserve_pct: u32,
    /// SHA-256 of the seed, hex.
    pub seed_sha256: String,
}

/// Sizes, allocates and draws a design from `frame`.
pub fn make(frame: &Frame, r: &Request) -> Result<Design, PvtError> {
    let size = match r.size {
        SizeBy::Stations(n) => given(frame, n),
        SizeBy::Margin(pct, confidence) => sized_by_margin(frame, pct, confidence)?,
    };
    let params = Params {
        method: r.method,
        allocation: r.allocation,
        sample: size.stations,
        reserve_pct: r.reserve_pct,
        seed_sha256: sampler::sha256_hex(&r.seed),
    };
    let mut design = planned(frame, size, &params)?;
    design.reveal(frame, &r.seed)?;
    Ok(design)
}

/// A size given in stations.
fn given(frame: &Frame, stations: u64) -> Size {
    Size {
        stations,
        margin_pct: None,
        confidence_pct: None,
        hardest_choice: None,
        design_effect: None,
        voters: None,
        mean_valid: frame.mean_valid(),
    }
}

/// The design `p` gives on `frame`, not drawn yet (no seed, no stations).
fn planned(frame: &Frame, size: Size, p: &Params) -> Result<Design, PvtError> {
    if p.reserve_pct > 100 {
        return Err(PvtError::invalid(
            "reserve_pct",
            format!("{}: at most 100", p.reserve_pct),
        ));
    }
    let plan = allocate(&frame.strata(), p.sample, p.allocation)?;
    Ok(Design {
        version: VERSION,
        election: frame.election.clone(),
        contest: frame.contest.clone(),
        choices: frame.choices.clone(),
        frame: FrameSummary {
            stations: frame.stations.len() as u64,
            registered: frame.registered(),
            digest: frame.digest(),
        },
        level: frame.level.map(|l| l.key().to_string()),
        method: p.method,
        allocation: p.allocation,
        reserve_pct: p.reserve_pct,
        size,
        seed_sha256: p.seed_sha256.clone(),
        seed: None,
        strata: plan
            .iter()
            .map(|pl| stratum(pl, reserves_of(pl.sample, pl.stations, p.reserve_pct)))
            .collect(),
        stations: Vec::new(),
    })
}

/// A stratum's reserves: `pct`% of its sample, rounded up, at most its other stations.
fn reserves_of(sample: u64, stations: u64, pct: u32) -> u64 {
    (u128::from(sample) * u128::from(pct))
        .div_ceil(100)
        .min(u128::from(stations.saturating_sub(sample))) as u64
}

/// The drawn stations as assignments: stratum by stratum, its sample then its reserves.
fn assignments(frame: &Frame, drawn: &[crate::select::Drawn]) -> Vec<Assignment> {
    let mut out = Vec::new();
    for (h, d) in drawn.iter().enumerate() {
        for (role, list) in [(Role::Sample, &d.sample), (Role::Reserve, &d.reserves)] {
            out.extend(list.iter().enumerate().map(|(k, &i)| Assignment {
                station: frame.stations[i].id.clone(),
                stratum: h,
                role,
                rank: k as u32 + 1,
            }));
        }
    }
    out
}

fn stratum(p: &Planned, reserves: u64) -> DesignStratum {
    DesignStratum {
        name: p.strata.join(" + "),
        holds: p.strata.clone(),
        stations: p.stations,
        registered: p.voters,
        sample: p.sample,
        reserves,
    }
}

impl Design {
    /// The design a quick count's log states (`params`) on the frame it lists: its strata,
    /// samples and reserves computed, not drawn yet. Refused where the allocation cannot be
    /// made or the commitment is not 64 hex digits.
    pub fn of_params(frame: &Frame, params: &Params) -> Result<Design, PvtError> {
        let design = planned(frame, given(frame, params.sample), params)?;
        design.check_document()?;
        Ok(design)
    }

    /// What the log states of this design.
    pub fn params(&self) -> Params {
        Params {
            method: self.method,
            allocation: self.allocation,
            sample: self.size.stations,
            reserve_pct: self.reserve_pct,
            seed_sha256: self.seed_sha256.clone(),
        }
    }

    /// Draws the stations with the revealed `seed` ([`Design::redraw`]) and keeps them, with
    /// the seed.
    pub fn reveal(&mut self, frame: &Frame, seed: &str) -> Result<(), PvtError> {
        self.stations = self.redraw(frame, seed)?;
        self.seed = Some(seed.to_string());
        Ok(())
    }

    /// The unit level whose units are the strata (`None`: one stratum).
    pub fn unit_level(&self) -> Result<Option<model::UnitLevel>, PvtError> {
        self.level
            .as_deref()
            .map(|l| {
                model::UnitLevel::from_key(l).map_err(|e| PvtError::invalid("level", e.to_string()))
            })
            .transpose()
    }

    /// Refuses a document no design can be (one read from a file): another version, no
    /// stratum, a stratum sampling more than it has, an assignment of a stratum it does not
    /// have or a station assigned twice, a seed that is not the one committed to, a digest or
    /// commitment that is not 64 hex digits.
    pub fn check_document(&self) -> Result<(), PvtError> {
        if self.version != VERSION {
            return Err(PvtError::invalid(
                "version",
                format!("{}, this program reads {VERSION}", self.version),
            ));
        }
        let hex64 = |s: &str| {
            s.len() == 64
                && s.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        };
        if !hex64(&self.frame.digest) || !hex64(&self.seed_sha256) {
            return Err(PvtError::invalid(
                "frame.digest",
                "the frame's digest and the seed's SHA-256 are 64 lowercase hex digits each",
            ));
        }
        if self.strata.is_empty() {
            return Err(PvtError::invalid("strata", "none"));
        }
        // The sizes are the allocation's and the reserves the percentage's: a design whose
        // strata were given more reserves (to choose among) or other samples is refused.
        let mut held = std::collections::HashSet::new();
        if let Some(name) = self
            .strata
            .iter()
            .flat_map(|s| &s.holds)
            .find(|n| !held.insert(n.as_str()))
        {
            return Err(PvtError::invalid(
                "strata",
                format!("the frame's stratum '{name}' is held twice"),
            ));
        }
        let total = self
            .strata
            .iter()
            .try_fold(0u64, |t, s| t.checked_add(s.stations));
        if total != Some(self.frame.stations) {
            return Err(PvtError::invalid(
                "strata",
                format!(
                    "their stations do not add up to the frame's {}",
                    self.frame.stations
                ),
            ));
        }
        let as_frame: Vec<crate::allocation::Stratum> = self
            .strata
            .iter()
            .map(|s| crate::allocation::Stratum {
                name: s.name.clone(),
                stations: s.stations,
                voters: s.registered,
            })
            .collect();
        let planned = allocate(&as_frame, self.size.stations, self.allocation)?;
        for (s, p) in self.strata.iter().zip(&planned) {
            let reserves = reserves_of(p.sample, p.stations, self.reserve_pct);
            if planned.len() != self.strata.len() || s.sample != p.sample || s.reserves != reserves
            {
                return Err(PvtError::invalid(
                    "strata",
                    format!(
                        "'{}' has a sample of {} and {} reserves; {} stations allocated by {} with {}% reserves give {} and {}",
                        s.name,
                        s.sample,
                        s.reserves,
                        self.size.stations,
                        match self.allocation {
                            Allocation::Stations => "stations",
                            Allocation::Voters => "registered voters",
                        },
                        self.reserve_pct,
                        p.sample,
                        reserves
                    ),
                ));
            }
        }
        for (h, s) in self.strata.iter().enumerate() {
            let within = s
                .sample
                .checked_add(s.reserves)
                .is_some_and(|n| n <= s.stations);
            if !within || s.holds.is_empty() {
                return Err(PvtError::invalid(
                    "strata",
                    format!(
                        "stratum {h} ('{}'): a sample of {} and {} reserves from {} stations",
                        s.name, s.sample, s.reserves, s.stations
                    ),
                ));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for (k, a) in self.stations.iter().enumerate() {
            if a.stratum >= self.strata.len() || !seen.insert(a.station.as_str()) {
                return Err(PvtError::invalid(
                    "stations",
                    format!(
                        "assignment {}: '{}' in stratum {} (the design has {} strata; a station is assigned once)",
                        k + 1,
                        a.station,
                        a.stratum,
                        self.strata.len()
                    ),
                ));
            }
        }
        if let Some(seed) = &self.seed {
            if sampler::sha256_hex(seed) != self.seed_sha256 {
                return Err(PvtError::invalid(
                    "seed",
                    "its SHA-256 is not the design's commitment",
                ));
            }
        }
        Ok(())
    }

    /// What is published before polling day: the design without its seed and stations.
    pub fn public(&self) -> Design {
        Design {
            seed: None,
            stations: Vec::new(),
            ..self.clone()
        }
    }

    /// The stations `seed` draws for this design from `frame`: refused if the seed is not
    /// the one committed to, or the frame not the one the design was drawn from.
    pub fn redraw(&self, frame: &Frame, seed: &str) -> Result<Vec<Assignment>, PvtError> {
        self.check_document()?;
        if sampler::sha256_hex(seed) != self.seed_sha256 {
            return Err(PvtError::invalid(
                "seed",
                "its SHA-256 is not the design's commitment",
            ));
        }
        let digest = frame.digest();
        if digest != self.frame.digest {
            return Err(PvtError::invalid(
                "frame",
                format!("digest {digest}, the design's is {}", self.frame.digest),
            ));
        }
        let strata: Vec<crate::allocation::Stratum> = frame.strata();
        let plan: Vec<Planned> = self
            .strata
            .iter()
            .map(|s| Planned {
                strata: s.holds.clone(),
                stations: s.stations,
                voters: s.registered,
                sample: s.sample,
            })
            .collect();
        for (p, s) in plan.iter().zip(&self.strata) {
            let held: u64 = strata
                .iter()
                .filter(|f| p.strata.contains(&f.name))
                .map(|f| f.stations)
                .sum();
            if held != s.stations {
                return Err(PvtError::invalid(
                    "strata",
                    format!(
                        "'{}' has {held} stations in the frame, the design says {}",
                        s.name, s.stations
                    ),
                ));
            }
        }
        let reserves: Vec<u64> = self.strata.iter().map(|s| s.reserves).collect();
        let drawn = draw(frame, &plan, &reserves, self.method, seed)?;
        Ok(assignments(frame, &drawn))
    }

    /// Whether `seed` redraws from `frame` exactly the stations this design lists.
    pub fn check(&self, frame: &Frame, seed: &str) -> Result<(), PvtError> {
        let again = self.redraw(frame, seed)?;
        if again != self.stations {
            let first = again
                .iter()
                .zip(&self.stations)
                .position(|(a, b)| a != b)
                .unwrap_or(again.len().min(self.stations.len()));
            return Err(PvtError::invalid(
                "stations",
                format!(
                    "the redraw differs from the design's list at assignment {} of {}",
                    first + 1,
                    self.stations.len()
                ),
            ));
        }
        Ok(())
    }
}

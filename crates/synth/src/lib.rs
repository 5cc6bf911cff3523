//! A deterministic synthetic national election, for tests and benchmarks.
//!
//! [`generate`] builds a country of regions, districts and polling stations and draws each
//! station's protocol from realistic distributions: registered voters log-normal around
//! 1,400; turnout Beta-distributed around a region-specific mean; party support drawn as a
//! national Dirichlet, perturbed per region and per station (gamma-normalised draws), with
//! votes a multinomial draw (sequential binomials) of the valid ballots; invalid ballots about
//! 1.5%; early and home voting a few percent. Every protocol satisfies the standard control
//! relations.
//!
//! The generator keeps its own running totals for every unit above the stations
//! ([`Truth`]), computed independently of the `tabulate` crate, so that tests can compare a
//! tabulation against what was generated. The same [`Params`] (seed included) give the same
//! election, byte for byte: one ChaCha8 stream, no clock, no global RNG.

pub mod fraud;

use model::{
    Choice, ChoiceKind, Contest, ContestKind, Election, Line, Protocol, UnitId, UnitLevel, UnitTree,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Binomial, Distribution, Gamma, LogNormal};

/// The protocol lines every generated protocol carries.
pub const LINES: [Line; 12] = [
    Line::Registered,
    Line::Received,
    Line::IssuedEarly,
    Line::IssuedInStation,
    Line::IssuedOutside,
    Line::Cancelled,
    Line::FoundMobile,
    Line::FoundStationary,
    Line::Invalid,
    Line::Valid,
    Line::Lost,
    Line::Unaccounted,
];

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    /// Polling stations.
    pub stations: u64,
    /// Parties on the list ballot.
    pub parties: usize,
    /// Regions.
    pub regions: usize,
    /// Stations per district (about).
    pub stations_per_district: u64,
    /// The seed.
    pub seed: u64,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            stations: 2_500,
            parties: 16,
            regions: 9,
            stations_per_district: 100,
            seed: 2020,
        }
    }
}

/// The generator's own totals for one unit above station level.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UnitTruth {
    /// Stations under the unit.
    pub stations: u64,
    /// Registered voters.
    pub registered: u64,
    /// Ballots issued.
    pub issued: u64,
    /// Invalid ballots.
    pub invalid: u64,
    /// Valid ballots.
    pub valid: u64,
    /// Votes per party.
    pub votes: Vec<u64>,
}

/// The generator's totals for every unit above station level, indexed by unit id
/// (`None` for stations).
#[derive(Debug, Clone, Default)]
pub struct Truth(pub Vec<Option<UnitTruth>>);

/// Errors are impossible for valid parameters; this names the invalid ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid generator parameters: {0}")]
pub struct ParamsError(String);

/// Builds the unit tree and contest, then draws every station's protocol and passes it to
/// `emit` in station order. Returns the election and the generator's own totals.
pub fn generate(
    params: &Params,
    mut emit: impl FnMut(&Election, Protocol),
) -> Result<(Election, Truth), ParamsError> {
    if params.stations == 0
        || params.parties == 0
        || params.regions == 0
        || params.stations_per_district == 0
    {
        return Err(ParamsError(format!(
            "{params:?}: every count must be positive"
        )));
    }
    if params.regions as u64 > params.stations {
        return Err(ParamsError("more regions than stations".into()));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let mut e = Election::new(&format!("synthetic-{}", params.seed));
    e.units = UnitTree::new("Synthetia");
    e.date = Some("2030-10-06".into());
    let choices = (1..=params.parties)
        .map(|i| Choice {
            name: format!("Party {i:02}"),
            kind: ChoiceKind::Party,
            ballot_number: Some(i as u32),
        })
        .collect();
    e.contests.push(Contest::new(
        "national list",
        ContestKind::PartyList,
        choices,
    ));

    // National support: a Dirichlet with a few large parties.
    let national = dirichlet(
        &mut rng,
        &(0..params.parties)
            .map(|i| 8.0 / (1.0 + i as f64))
            .collect::<Vec<_>>(),
    );
    let regions = build_regions(&mut rng, params, &mut e.units, &national)?;

    let mut truth = Truth(vec![None; e.units.len()]);
    for (id, u) in e.units.iter() {
        if u.level != UnitLevel::Station {
            truth.0[id.index()] = Some(UnitTruth {
                votes: vec![0; params.parties],
                ..UnitTruth::default()
            });
        }
    }
    let reg_size = LogNormal::new(7.2, 0.45).map_err(|e| ParamsError(e.to_string()))?;
    let stations: Vec<(UnitId, usize)> = e
        .units
        .iter()
        .filter(|(_, u)| u.level == UnitLevel::Station)
        .map(|(id, _)| (id, region_index(&e.units, id, &regions)))
        .collect();
    for (station, r) in stations {
        let region = &regions[r];
        let mut p = Protocol::new(station, 0, params.parties);
        let registered = (reg_size.sample(&mut rng) as u64).clamp(30, 4_000);
        let turnout = Beta::new(region.turnout * 30.0, (1.0 - region.turnout) * 30.0)
            .map_err(|e| ParamsError(e.to_string()))?
            .sample(&mut rng);
        let issued = binomial(&mut rng, registered, turnout);
        let early = binomial(&mut rng, issued, 0.02);
        let outside = binomial(&mut rng, issued - early, 0.04);
        let in_station = issued - early - outside;
        let received = issued + binomial(&mut rng, registered - issued, 0.3) + 20;
        let invalid = binomial(&mut rng, issued, 0.015);
        let valid = issued - invalid;
        let shares = dirichlet(
            &mut rng,
            &region
                .support
                .iter()
                .map(|s| s * 150.0 + 0.05)
                .collect::<Vec<_>>(),
        );
        multinomial(&mut rng, valid, &shares, &mut p.votes);
        for (l, v) in [
            (Line::Registered, registered),
            (Line::Received, received),
            (Line::IssuedEarly, early),
            (Line::IssuedInStation, in_station),
            (Line::IssuedOutside, outside),
            (Line::Cancelled, received - issued),
            (Line::FoundMobile, outside),
            (Line::FoundStationary, early + in_station),
            (Line::Invalid, invalid),
            (Line::Valid, valid),
            (Line::Lost, 0),
            (Line::Unaccounted, 0),
        ] {
            p.set_line(l, v);
        }
        let mut cur = e.units.get(station).parent;
        while let Some(u) = cur {
            if let Some(Some(t)) = truth.0.get_mut(u.index()) {
                t.stations += 1;
                t.registered += registered;
                t.issued += issued;
                t.invalid += invalid;
                t.valid += valid;
                for (a, b) in t.votes.iter_mut().zip(&p.votes) {
                    *a += b;
                }
            }
            cur = e.units.get(u).parent;
        }
        emit(&e, p);
    }
    Ok((e, truth))
}

struct Region {
    id: UnitId,
    turnout: f64,
    support: Vec<f64>,
}

fn build_regions(
    rng: &mut ChaCha8Rng,
    params: &Params,
    tree: &mut UnitTree,
    national: &[f64],
) -> Result<Vec<Region>, ParamsError> {
    // Region sizes: gamma weights, at least one station each.
    let weights = dirichlet(rng, &vec![4.0; params.regions]);
    let spare = params.stations - params.regions as u64;
    let mut sizes: Vec<u64> = weights
        .iter()
        .map(|w| 1 + (w * spare as f64) as u64)
        .collect();
    let assigned: u64 = sizes.iter().sum();
    sizes[0] += params.stations - assigned;
    let mut regions = Vec::new();
    let mut station_no = 0u64;
    for (r, &size) in sizes.iter().enumerate() {
        let id = tree
            .insert(
                tree.root(),
                UnitLevel::Region,
                &format!("Region {:02}", r + 1),
            )
            .map_err(|e| ParamsError(e.to_string()))?;
        let districts = size.div_ceil(params.stations_per_district);
        for d in 0..districts {
            let did = tree
                .insert(
                    id,
                    UnitLevel::District,
                    &format!("District {:02}-{:03}", r + 1, d + 1),
                )
                .map_err(|e| ParamsError(e.to_string()))?;
            let here = (size - d * params.stations_per_district).min(params.stations_per_district);
            for _ in 0..here {
                station_no += 1;
                tree.insert(did, UnitLevel::Station, &station_no.to_string())
                    .map_err(|e| ParamsError(e.to_string()))?;
            }
        }
        regions.push(Region {
            id,
            turnout: rng.gen_range(0.42..0.72),
            support: dirichlet(
                rng,
                &national.iter().map(|s| s * 60.0 + 0.1).collect::<Vec<_>>(),
            ),
        });
    }
    Ok(regions)
}

fn region_index(tree: &UnitTree, station: UnitId, regions: &[Region]) -> usize {
    let r = tree
        .ancestor_at(station, UnitLevel::Region)
        .unwrap_or(tree.root());
    regions.iter().position(|g| g.id == r).unwrap_or(0)
}

fn dirichlet(rng: &mut ChaCha8Rng, alpha: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = alpha
        .iter()
        .map(|&a| Gamma::new(a.max(1e-3), 1.0).map_or(a, |g| g.sample(rng)))
        .collect();
    let s: f64 = v.iter().sum();
    if s > 0.0 {
        v.iter_mut().for_each(|x| *x /= s);
    }
    v
}

fn binomial(rng: &mut ChaCha8Rng, n: u64, p: f64) -> u64 {
    Binomial::new(n, p.clamp(0.0, 1.0)).map_or(0, |b| b.sample(rng))
}

/// Draws `n` votes over `shares` as sequential conditional binomials.
fn multinomial(rng: &mut ChaCha8Rng, n: u64, shares: &[f64], out: &mut [u64]) {
    let mut left = n;
    let mut mass = 1.0;
    for (i, (&s, o)) in shares.iter().zip(out.iter_mut()).enumerate() {
        if i + 1 == shares.len() {
            *o = left;
            break;
        }
        let k = if mass > 0.0 {
            binomial(rng, left, s / mass)
        } else {
            0
        };
        *o = k;
        left -= k;
        mass -= s;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_election() {
        let p = Params {
            stations: 300,
            ..Params::default()
        };
        let mut a = Vec::new();
        let mut b = Vec::new();
        generate(&p, |_, x| a.push(x)).unwrap();
        generate(&p, |_, x| b.push(x)).unwrap();
        assert_eq!(a, b);
        let mut c = Vec::new();
        generate(&Params { seed: 7, ..p }, |_, x| c.push(x)).unwrap();
        assert_ne!(a, c);
    }

    #[test]
    fn every_protocol_passes_the_standard_relations() {
        let p = Params {
            stations: 500,
            ..Params::default()
        };
        let mut bad = Vec::new();
        let (e, _) = generate(&p, |e, x| bad.extend(e.rules.check(e, &x))).unwrap();
        assert!(bad.is_empty(), "{:?}", bad.first());
        assert_eq!(e.units.count_at(UnitLevel::Station), 500);
        assert_eq!(e.units.count_at(UnitLevel::Region), 9);
    }
}

//! Station-level election forensics.
//!
//! A positive result of any test here is a flag for scrutiny, never proof of fraud: every
//! test has benign causes of false alarms, and the reports say so.
//!
//! The integer-percentage test of Kobak, Shpilkin & Pshenichnikov, "Integer percentages as
//! electoral falsification fingerprints", Annals of Applied Statistics 10(1):54–73 (2016),
//! doi:10.1214/16-AOAS904, follows the authors' notebooks (github.com/dkobak/elections,
//! `significance2018/elections2018.ipynb`):
//!
//! * [`station`] picks the leader and reads each station's registered voters `V`, ballots
//!   issued `G`, ballots found `R` and leader votes `L` from the protocols;
//! * [`integer`] applies the paper's station filters and counts whole-number percentages;
//! * [`binomial`] tabulates a station's binomial distribution for exact inversion;
//! * [`exact`] computes the null exactly (a Poisson-binomial count), [`region`] by region;
//! * [`montecarlo`] runs the published Monte Carlo null, seeded and parallel, with results
//!   that do not depend on the number of threads.
//!
//! Beside it: [`shpilkin`] (excess leader votes over the others' turnout curve),
//! [`fingerprint`] and [`plot`] (Klimek et al., PNAS 2012), [`digits`] (2BL and last-digit
//! tests), [`distribution`] (0.1-point histograms), [`flags`] (per-station scores) and
//! [`report`] (every test the data allow, with the plots as SVG text, for the report page
//! that the `ui` crate renders in the reader's language).
//!
//! The crate is pure: no I/O, no async, no HTML (ARCHITECTURE.md).

pub mod binomial;
pub mod digits;
pub mod distribution;
mod error;
pub mod exact;
pub mod fingerprint;
pub mod flags;
pub mod integer;
pub mod montecarlo;
pub mod parallel;
pub mod plot;
pub mod region;
pub mod report;
pub mod shpilkin;
pub mod station;
mod summary;
mod tables;

use serde::Serialize;

pub use error::ForensicsError;
pub use integer::{observe, Counts, Filtered, Observed};
pub use parallel::default_threads;
pub use station::{Sample, Station};
pub use summary::NullSummary;

/// The integer-percentage test: observed counts, the exact null and, when asked for, the
/// Monte Carlo null.
#[derive(Debug, Clone, Serialize)]
pub struct IntegerPercentage {
    /// The filters and the observed counts.
    #[serde(flatten)]
    pub observed: Observed,
    /// The exact (Poisson-binomial) null.
    pub exact: exact::ExactNull,
    /// The Monte Carlo null, when run.
    pub monte_carlo: Option<montecarlo::MonteCarloNull>,
    /// Turnout of every station before the filters.
    pub turnout: distribution::TurnoutProfile,
}

/// Runs the integer-percentage test on a sample, on `threads` threads.
pub fn integer_percentage(
    sample: &Sample,
    threads: usize,
    monte_carlo: Option<montecarlo::Options>,
) -> Result<IntegerPercentage, ForensicsError> {
    let observed = observe(sample)?;
    let kept = &observed.filtered.kept;
    let exact = exact::null(kept, &observed.observed, threads);
    let monte_carlo = match monte_carlo {
        Some(o) => Some(montecarlo::null(kept, &observed.observed, &o)?),
        None => None,
    };
    Ok(IntegerPercentage {
        turnout: distribution::turnout(&sample.stations),
        observed,
        exact,
        monte_carlo,
    })
}

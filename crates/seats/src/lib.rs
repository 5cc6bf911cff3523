//! Seat allocation under electoral law, in exact integer arithmetic, with seat margins.
//!
//! [`apportion`] runs one method ([`Method`]) over a fixed set of parties. [`allocate`] runs
//! a whole law ([`Problem`]): national and regional thresholds with explicit bases,
//! exemptions, list alliances, a seat cap with redistribution, single-member districts
//! (where "against all" can win and leave the seat vacant), and an explicit tie rule
//! ([`Ties`]). [`margins`] says how many ballots would have to move for a seat to change
//! hands (Stark & Teague 2014) and how far each party is from each threshold. [`preset`]
//! holds the Kyrgyz laws of 2010, 2015, 2020 and 2021 with their sources.
//!
//! Quotients are never floats: they are compared by cross-multiplication in `u128` (and
//! where a product would overflow, by `num-rational`'s exact comparison). Thresholds and
//! divisors are the workspace's one exact fraction, [`model::Fraction`]. This crate does no
//! input or output.

mod allocate;
mod apportion;
mod error;
mod margin;
mod method;
mod note;
pub mod preset;
mod ties;

pub use allocate::{
    allocate, region_base, Alliance, Base, Candidate, Check, District, DistrictOutcome, Outcome,
    PartyOutcome, Problem, Region, RegionalBase, Threshold, MAX_SEATS,
};
pub use apportion::{apportion, Apportionment};
pub use error::SeatsError;
pub use margin::{margins, Margins, PairMargin, ThresholdMargin};
pub use method::{Method, Priority};
pub use model::{percent, Fraction};
pub use note::Note;
pub use ties::{Tie, TieRule, Ties};

//! The election vocabulary shared by every other crate.
//!
//! An [`Election`] has [`Contest`]s (party-list or single-member), each with its [`Choice`]s
//! (parties, candidates, referendum answers and "against all"), and a [`UnitTree`] of
//! administrative units from the country down to polling stations. For every station and
//! contest, the station commission signs a [`Protocol`]: the protocol lines ([`Line`]) and the
//! votes per choice. Protocols are versioned: a correction is a new version, never an
//! overwrite. The arithmetic checks that election law puts on a protocol are
//! [`ControlRules`], declared per election; checking a protocol yields [`Diagnostic`]s.
//! [`Fraction`] is the workspace's one exact fraction (law thresholds and divisors, turnout
//! and vote shares), never a float.
//!
//! This crate does no input or output, has no async and knows no file format.
//!
//! # Example
//! ```
//! use model::{Choice, ChoiceKind, Contest, ContestKind, Election, Line, Protocol, UnitLevel};
//! let mut e = Election::new("demo");
//! e.contests.push(Contest::new("list", ContestKind::PartyList, vec![
//!     Choice::new("A", ChoiceKind::Party), Choice::new("B", ChoiceKind::Party)]));
//! let root = e.units.root();
//! let st = e.units.insert(root, UnitLevel::Station, "1").unwrap();
//! let mut p = Protocol::new(st, 0, 2);
//! p.set_line(Line::Valid, 10);
//! p.votes = vec![6, 4];
//! assert!(e.rules.check(&e, &p).is_empty());
//! ```

mod date;
mod election;
mod error;
mod fraction;
pub mod names;
mod plausible;
mod protocol;
mod rules;
pub mod search;
mod units;

pub use date::check_date;
pub use election::{Choice, ChoiceKind, Contest, ContestKind, Election};
pub use error::ModelError;
pub use fraction::{percent, Fraction};
pub use plausible::{
    check_copy, check_plausible, count_bound, MAX_COUNT, REGISTERED_MARGIN_MIN,
    REGISTERED_MARGIN_PERCENT,
};
pub use protocol::{CountSource, Line, Protocol};
pub use rules::{
    ControlRule, ControlRules, Diagnostic, Relation, Severity, Term, Unmet, CHOICE_SUM_KEY,
};
pub use units::{Unit, UnitId, UnitLevel, UnitTree};

/// The error for `name`, which is no key of `T` (a level, line, source or kind): it lists the
/// accepted keys.
fn unknown_name<T>(what: &'static str, name: &str) -> ModelError
where
    T: strum::VariantArray + Copy + Into<&'static str>,
{
    let keys: Vec<&str> = T::VARIANTS.iter().map(|&v| v.into()).collect();
    ModelError::UnknownName {
        what,
        name: name.to_string(),
        expected: keys.join(", "),
    }
}

//! The tabulate crate's one error type.

/// A total that cannot be computed exactly: it never becomes a wrapped or saturated number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TabulateError {
    /// Adding a station's protocol takes a unit's total beyond `u64::MAX`.
    #[error("the totals of '{unit}' overflow: with station '{station}', {what} exceed 18446744073709551615")]
    Overflow {
        /// The unit whose total overflows (its path).
        unit: String,
        /// The station whose protocol was being added (its path).
        station: String,
        /// Which total, as a report names it.
        what: String,
    },
    /// A protocol whose own counts add up beyond `u64::MAX`.
    #[error("station '{station}': {what} exceed 18446744073709551615")]
    Protocol {
        /// The station (its path).
        station: String,
        /// Which sum ([`model::Protocol::overflow`]).
        what: &'static str,
    },
    /// A protocol of a unit the election's tree does not have: refused before any lookup
    /// (a replay checks every station first; a caller that does not gets this, not a panic).
    #[error(
        "a protocol of unit {station}, which the election does not have (it has {units} units)"
    )]
    UnknownUnit {
        /// The protocol's unit id.
        station: u32,
        /// The units in the tree.
        units: usize,
    },
    /// Taking a protocol out of totals it was never added to (a caller's mistake): the
    /// totals are left as they were rather than clamped at zero.
    #[error("the totals of '{unit}' do not hold station '{station}''s protocol: {what} would fall below zero")]
    NotCounted {
        /// The unit (its path).
        unit: String,
        /// The station (its path).
        station: String,
        /// Which total.
        what: String,
    },
}

//! What a reader of an allocation must know besides its seats: a quota changed, a test that
//! could not be applied, a base assumed, a cap that bound, margins not computed. Typed, so
//! that a page says each in its reader's language; `Display` is the English that the command
//! line prints and the JSON answers carry.

use std::fmt;

/// One thing a reader of an allocation or its margins must know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// The Imperiali quota T/(S+2) gave more floors than seats: repeated with T/(S+1).
    ImperialiPlusOne,
    /// The quotas T/(S+2) and T/(S+1) both gave more floors than seats: repeated with Hare's.
    ImperialiHare,
    /// A regional threshold (its percentage, two decimals) that no regional counts were given
    /// for: no party was excluded on this ground.
    RegionalNotApplied {
        /// The threshold's percentage, as `1.50`.
        percent: String,
    },
    /// The regional base of a region given without one is the sum of its listed votes.
    RegionalBaseListed,
    /// A party's list seats were capped, and the excess reallocated.
    Capped {
        /// The party.
        party: String,
        /// Its seats before the cap.
        seats: u64,
        /// The cap.
        cap: u64,
    },
    /// No list seats, so no pair margins.
    NoListSeats,
    /// Pair margins are not defined for the Balinski–Young quota method.
    QuotaNoPairMargins,
    /// Pair margins with list alliances are not computed yet.
    AlliancesNoPairMargins,
    /// Pair margins of a capped allocation are not computed yet.
    CapNoPairMargins,
    /// The allocation was decided by a drawing of lots: the margin is 0.
    DrawnByLot,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::ImperialiPlusOne => f.write_str("the Imperiali quota T/(S+2) gave more floors than seats; repeated with the quota T/(S+1)"),
            Note::ImperialiHare => f.write_str("the quotas T/(S+2) and T/(S+1) gave more floors than seats; repeated with Hare's quota T/S"),
            Note::RegionalNotApplied { percent } => write!(f, "regional threshold {percent}%: no regional counts were given, so the regional threshold cannot be applied; no party was excluded on this ground"),
            Note::RegionalBaseListed => f.write_str("regional base: the sum of the listed votes in each region without a base_votes"),
            Note::Capped { party, seats, cap } => write!(f, "cap: {party} had {seats} list seats, capped at {cap}; the excess was reallocated"),
            Note::NoListSeats => f.write_str("no list seats: no pair margins"),
            Note::QuotaNoPairMargins => f.write_str("pair margins are not defined for the Balinski-Young quota method"),
            Note::AlliancesNoPairMargins => f.write_str("pair margins with list alliances are not computed yet"),
            Note::CapNoPairMargins => f.write_str("the cap binds: pair margins of a capped allocation are not computed yet"),
            Note::DrawnByLot => f.write_str("the allocation was decided by a drawing of lots: the margin is 0"),
        }
    }
}

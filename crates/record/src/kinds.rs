//! The log's closed vocabularies (`docs/log-format.md`): each value is an enum whose key is
//! the exact text the log writes, declared once (`strum`), parsed with an error that lists
//! the accepted keys.

use std::str::FromStr;

use strum::{Display, EnumString, IntoStaticStr, VariantArray};

/// `key` as a `T`, or an error that says what was given and lists the accepted keys:
/// `'draft', expected one of: preliminary, final`.
pub fn parse_key<T>(key: &str) -> Result<T, String>
where
    T: FromStr + VariantArray + Copy + Into<&'static str>,
{
    key.parse()
        .map_err(|_| format!("'{key}', expected one of: {}", keys::<T>().join(", ")))
}

/// The keys of every value of `T`, in declaration order.
pub fn keys<T: VariantArray + Copy + Into<&'static str>>() -> Vec<&'static str> {
    T::VARIANTS.iter().map(|&v| v.into()).collect()
}

/// A publication's stage.
#[derive(Display, EnumString, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "lowercase")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Published while the count goes on; changes nothing.
    Preliminary,
    /// The certified result: it freezes the election ([`crate::Standing`]).
    Final,
}

impl Stage {
    /// The stage as the log writes it.
    pub fn key(self) -> &'static str {
        self.into()
    }
}

/// What a supervisor's review of a quick count's station does (revision 8).
#[derive(Display, EnumString, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "lowercase")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReviewAction {
    /// Chooses, between its observers' reports that differ, the one that counts.
    Choose,
    /// Takes the station out of the estimates until it is released.
    Quarantine,
    /// Puts a quarantined station back.
    Release,
}

impl ReviewAction {
    /// The action as the log writes it.
    pub fn key(self) -> &'static str {
        self.into()
    }
}

/// The method of a risk-limiting audit (an `audit` start's `method`).
#[derive(Display, EnumString, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "lowercase")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditMethod {
    /// Ballot-level comparison with cast-vote records.
    Comparison,
    /// Ballot polling.
    Polling,
    /// Station-level batch comparison (MACRO).
    Batch,
}

impl AuditMethod {
    /// The method as the log writes it.
    pub fn key(self) -> &'static str {
        self.into()
    }
}

/// What a decision of the commission does (a `decision` entry's `kind`).
#[derive(Display, EnumString, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "kebab-case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DecisionKind {
    /// Annul every station in or under a unit.
    AnnulUnit,
    /// Annul the whole election.
    AnnulElection,
    /// Order a recount in a unit.
    Recount,
    /// Order a re-vote in a unit.
    Revote,
    /// Reopen a certified or annulled election.
    Reopen,
}

impl DecisionKind {
    /// The kind as the log writes it.
    pub fn key(self) -> &'static str {
        self.into()
    }

    /// Whether the decision names a unit (the others name the country, unit 0).
    pub fn has_unit(self) -> bool {
        !matches!(self, DecisionKind::AnnulElection | DecisionKind::Reopen)
    }
}

/// What a complaint is about (a `complaint` entry's `category`): the categories observers'
/// hotlines sort their reports into (`shared/design/observers.md`), closed so that a register
/// can be filtered and counted.
#[derive(Display, EnumString, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "kebab-case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ComplaintCategory {
    /// The count and its protocol: figures, the tally, the protocol's copies.
    Count,
    /// The voter list: voters missing, added, or voting twice.
    VoterList,
    /// Ballots put in a box that no voter cast.
    BallotStuffing,
    /// Votes bought or paid for, carousel voting.
    VoteBuying,
    /// Pressure on voters, observers or staff.
    Pressure,
    /// Any other breach of the procedure (access of observers, sealing, secrecy).
    Procedure,
    /// Anything else.
    Other,
}

impl ComplaintCategory {
    /// Every category, in this order.
    pub const ALL: &'static [ComplaintCategory] = ComplaintCategory::VARIANTS;

    /// The category as the log writes it.
    pub fn key(self) -> &'static str {
        self.into()
    }
}

/// Where a complaint stands. Every complaint is `received` when filed; a commissioner's
/// review (a `complaint-status` entry) moves it on, with a reason: to `under-review`, then to
/// one of the final statuses, `upheld` or `dismissed`, which never change.
#[derive(Display, EnumString, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "kebab-case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComplaintStatus {
    /// Filed, not looked at yet (never logged: the complaint entry says it).
    Received,
    /// A commissioner is looking into it.
    UnderReview,
    /// Found right: the commission acts on it (a decision may answer it).
    Upheld,
    /// Found unfounded.
    Dismissed,
}

impl ComplaintStatus {
    /// The status as the log writes it.
    pub fn key(self) -> &'static str {
        self.into()
    }

    /// Whether the complaint is still open: not upheld or dismissed yet.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ComplaintStatus::Received | ComplaintStatus::UnderReview
        )
    }

    /// Whether a complaint in this status may move to `to`: forward only, from an open status
    /// to a later one; a final status never changes.
    pub fn may_become(self, to: ComplaintStatus) -> Result<(), String> {
        use ComplaintStatus::{Dismissed, Received, UnderReview, Upheld};
        match (self, to) {
            (_, Received) => Err("a complaint is received when it is filed".into()),
            (Received, UnderReview | Upheld | Dismissed) | (UnderReview, Upheld | Dismissed) => {
                Ok(())
            }
            (UnderReview, UnderReview) => Err("the complaint is already under review".into()),
            (Upheld | Dismissed, _) => Err(format!(
                "the complaint was {} already: that status is final",
                self.key()
            )),
        }
    }
}

/// What the store keeps beside the log to open a commitment: the commitment, its salt in
/// hex and the text (`docs/log-format.md`, "Content beside the log").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    /// Hex SHA-256(salt || text).
    pub commitment: String,
    /// The salt, in hex.
    pub salt: String,
    /// The text committed to.
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_log_s_texts_and_unknown_ones_list_the_accepted() {
        assert_eq!(keys::<Stage>(), ["preliminary", "final"]);
        assert_eq!(keys::<AuditMethod>(), ["comparison", "polling", "batch"]);
        assert_eq!(
            keys::<DecisionKind>(),
            [
                "annul-unit",
                "annul-election",
                "recount",
                "revote",
                "reopen"
            ]
        );
        for &k in DecisionKind::VARIANTS {
            assert_eq!(parse_key::<DecisionKind>(k.key()), Ok(k));
        }
        assert_eq!(parse_key::<Stage>("final"), Ok(Stage::Final));
        assert_eq!(
            parse_key::<Stage>("Final"),
            Err("'Final', expected one of: preliminary, final".to_string())
        );
        assert_eq!(
            parse_key::<AuditMethod>("sortition"),
            Err("'sortition', expected one of: comparison, polling, batch".to_string())
        );
    }
}

/// Where an incident report stands (revision 9): as an observer reported it, or confirmed or
/// rejected by a supervisor.
#[derive(Display, EnumString, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "lowercase")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IncidentStatus {
    /// As reported, not checked by a supervisor (a citizen's report).
    Citizen,
    /// Checked and confirmed by a supervisor.
    Confirmed,
    /// Checked and rejected by a supervisor.
    Rejected,
}

impl IncidentStatus {
    /// The status as the log writes it.
    pub fn key(self) -> &'static str {
        self.into()
    }
}

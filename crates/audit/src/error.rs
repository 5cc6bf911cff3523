//! The errors of the audit mathematics and of the calculator requests.

use thiserror::Error;

/// What can stop an audit computation.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum AuditError {
    /// A request field is missing or has the wrong shape; `field` is its path.
    #[error("{field}: {message}")]
    Field {
        /// The field's path in the request, for example `contest.ballots`.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// The risk limit is outside (0, 50%].
    #[error("the risk limit must be above 0 and at most 50 percent; got {0}")]
    RiskLimit(String),
    /// The contest has nobody who did not win.
    #[error("the contest '{0}' has no losing candidate, so there is nothing to audit")]
    NoLosers(String),
    /// Every ballot has been audited already.
    #[error("every ballot of the contest has already been audited: the hand count is the result")]
    AllAudited,
    /// The sample already confirms the outcome.
    #[error("the sample already meets the risk limit: the audit is over")]
    AuditOver,
    /// The audit would amount to a full hand count.
    #[error("equivalent to a full count: {0}")]
    FullCount(String),
    /// A case these methods do not cover (runoff contests, list alliances, a binding seat cap).
    #[error("not supported: {0}")]
    Unsupported(String),
    /// The consistent sampler refused the ids.
    #[error("sampler: {0}")]
    Sampler(String),
    /// The log's audit entries do not make an audit (a missing start, a reading beyond the
    /// sample, an entry that does not decode).
    #[error("{0}")]
    Log(String),
    /// The results the audit checks changed after it began (`record::superseded`): it takes
    /// no further step.
    #[error("{0}")]
    Superseded(String),
    /// The seat allocation could not be computed.
    #[error("seat allocation: {0}")]
    Seats(String),
}

/// The sum of `counts` (of `field`), exactly, or an error naming the field: counts that add
/// up beyond 64 bits are refused, never wrapped (a debug build panicked).
pub(crate) fn total(
    counts: impl IntoIterator<Item = u64>,
    field: &str,
    what: &str,
) -> Result<u64, AuditError> {
    counts
        .into_iter()
        .try_fold(0u64, u64::checked_add)
        .ok_or_else(|| {
            AuditError::field(
                field,
                format!("{what} add up to more than 18446744073709551615"),
            )
        })
}

impl AuditError {
    /// A field error.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> AuditError {
        AuditError::Field {
            field: field.into(),
            message: message.into(),
        }
    }
}

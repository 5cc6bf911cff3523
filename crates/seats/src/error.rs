//! The seats crate's one error type.

/// Why an allocation cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeatsError {
    /// The input is not a valid allocation problem.
    #[error("{0}")]
    Invalid(String),
    /// A tie the tie rule `error` refuses to break.
    #[error("tie for {seats} seat(s) between {}: set ties to lot (with a published seed) or first-listed to break it", .parties.join(", "))]
    Tie {
        /// The tied parties.
        parties: Vec<String>,
        /// The seats they contest.
        seats: u64,
    },
    /// The method cannot compute what was asked.
    #[error("{0}")]
    Unsupported(String),
}

impl SeatsError {
    pub(crate) fn invalid(msg: impl Into<String>) -> SeatsError {
        SeatsError::Invalid(msg.into())
    }
}

//! Parallel vote tabulation (quick count) statistics, pure (no I/O): how many stations an
//! observer sample needs ([`size`]: the NDI voter formula times the design effect, stations
//! being clusters of voters), how it is spread over strata ([`design`]) and what a sample
//! of stations estimates, with its margin
//! ([`estimate`]: Cochran's ratio estimator, as NDI's Apollo computes it). The methods are
//! `shared/design/observers.md`, section 3.

pub mod allocation;
pub mod compare;
pub mod design;
pub mod estimate;
pub mod frame;
pub mod reports;
pub mod select;
pub mod simulate;
pub mod size;

/// A PVT computation's error: a parameter out of its range, named.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PvtError {
    /// A parameter is out of its range.
    #[error("{field}: {message}")]
    Invalid {
        /// The parameter.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
}

impl PvtError {
    fn invalid(field: &'static str, message: impl Into<String>) -> PvtError {
        PvtError::Invalid {
            field,
            message: message.into(),
        }
    }
}

/// The confidence of a margin, with the normal quantile NDI's handbook uses for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confidence {
    /// 95%: z = 1.96.
    P95,
    /// 99%: z = 2.58.
    P99,
}

impl Confidence {
    /// The normal quantile z.
    pub fn z(self) -> f64 {
        match self {
            Confidence::P95 => 1.96,
            Confidence::P99 => 2.58,
        }
    }

    /// The confidence in percent.
    pub fn percent(self) -> u32 {
        match self {
            Confidence::P95 => 95,
            Confidence::P99 => 99,
        }
    }
}

//! [`FailpointError`]: why a failpoint could not be configured.

/// Why [`Failpoints::set`](crate::Failpoints::set) rejected a failpoint.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FailpointError {
    /// The name is empty.
    #[error("a failpoint name must not be empty")]
    EmptyName,
    /// The probability is NaN or outside `[0, 1]`.
    #[error("failpoint `{name}`: probability must be in [0, 1], got {value}")]
    ProbabilityOutOfRange {
        /// The failpoint.
        name: String,
        /// The rejected value.
        value: f64,
    },
    /// A cap of zero firings, which could never fire.
    #[error("failpoint `{name}`: at_most must be at least 1, got 0")]
    ZeroCount {
        /// The failpoint.
        name: String,
    },
    /// The registry already holds its maximum number of failpoints.
    #[error("a failpoint registry holds at most {max} failpoints; remove some first")]
    TooMany {
        /// The registry's capacity, [`FAILPOINTS_MAX`](crate::FAILPOINTS_MAX).
        max: usize,
    },
}

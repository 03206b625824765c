//! The errors a fault layer produces: the injected fault itself, and a rejected plan.

/// The error returned for a call that a [`FaultLayer`](crate::FaultLayer) chose to fail.
///
/// It reaches the caller boxed as a [`tower::BoxError`]; recognise it with
/// `error.is::<InjectedFault>()` or `error.downcast_ref::<InjectedFault>()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, thiserror::Error)]
#[error("fault injected by chaos::FaultLayer")]
pub struct InjectedFault;

/// Why a [`FaultPlan`](crate::FaultPlan) was rejected. Phases are numbered from 0 in the order
/// they were added, the `forever` phase last.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// A probability is NaN or outside `[0, 1]`.
    #[error("phase {phase}: {field} must be a probability in [0, 1], got {value}")]
    ProbabilityOutOfRange {
        /// Index of the offending phase.
        phase: usize,
        /// The field's name: `error_probability` or `latency_probability`.
        field: &'static str,
        /// The rejected value.
        value: f64,
    },
    /// `latency + latency_jitter` does not fit in a `u64` count of nanoseconds.
    #[error(
        "phase {phase}: latency + latency_jitter must be under u64::MAX nanoseconds (about 584 years)"
    )]
    DelayTooLong {
        /// Index of the offending phase.
        phase: usize,
    },
    /// An `Until::Calls(0)` phase, which could never handle a call.
    #[error("phase {phase}: until must be Until::Calls(n) with n >= 1, got Until::Calls(0)")]
    ZeroCalls {
        /// Index of the offending phase.
        phase: usize,
    },
    /// An `Until::Elapsed` phase of zero duration, which would end as it starts.
    #[error("phase {phase}: until must be Until::Elapsed(d) with d > 0, got a zero duration")]
    ZeroDuration {
        /// Index of the offending phase.
        phase: usize,
    },
}

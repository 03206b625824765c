//! The errors a fault layer produces: the injected faults themselves, and a rejected plan.

use std::time::Duration;

/// The error returned for a call that a [`FaultLayer`](crate::FaultLayer) chose to fail
/// ([`Injection::error`](crate::Injection::error)).
///
/// It reaches the caller boxed as a [`tower::BoxError`]; recognise it with
/// `error.is::<InjectedFault>()` or `error.downcast_ref::<InjectedFault>()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, thiserror::Error)]
#[error("fault injected by chaos::FaultLayer")]
pub struct InjectedFault;

/// The error returned for a call that a [`FaultLayer`](crate::FaultLayer) held and then timed
/// out ([`Injection::timeout`](crate::Injection::timeout)). The inner service never saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("timeout injected by chaos::FaultLayer after {after:?}; the request never arrived")]
pub struct InjectedTimeout {
    /// How long the call was held before failing.
    pub after: Duration,
}

/// The error returned for a call whose response a [`FaultLayer`](crate::FaultLayer) dropped
/// ([`Injection::drop_response`](crate::Injection::drop_response)). The inner service did
/// handle the call: its outcome is unknown to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "response dropped by chaos::FaultLayer, noticed after {after:?}; the request may have taken effect"
)]
pub struct ResponseDropped {
    /// How long after the call the loss was reported (at the earliest).
    pub after: Duration,
}

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
        /// The probability's name: `error_probability`, `latency_probability`,
        /// `timeout_probability` or `drop_probability`.
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
    /// An injection capped at zero firings ([`Injection::at_most(0)`](crate::Injection::at_most)),
    /// which could never fire.
    #[error("phase {phase}: at_most must be at least 1, got 0 (an injection that can never fire)")]
    ZeroCount {
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

//! What a breaker tells the world: events as they happen, and metrics on demand.

use std::sync::Arc;

use crate::{Reason, State};

/// Something that happened to a breaker.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// The name of the breaker it happened to.
    pub breaker: Arc<str>,
    /// What happened.
    pub kind: EventKind,
}

/// The kinds of [`Event`].
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum EventKind {
    /// The breaker changed state.
    StateTransition {
        /// The state it left.
        from: State,
        /// The state it entered.
        to: State,
    },
    /// A call was refused.
    CallNotPermitted {
        /// Why.
        reason: Reason,
    },
    /// The failure rate reached its threshold.
    FailureRateExceeded {
        /// The rate, in percent.
        rate_percent: f32,
    },
    /// The slow-call rate reached its threshold.
    SlowCallRateExceeded {
        /// The rate, in percent.
        rate_percent: f32,
    },
    /// The breaker was reset by hand.
    Reset,
}

/// A snapshot of a breaker, cheap enough to take on every scrape.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Metrics {
    /// The current state.
    pub state: State,
    /// Failure rate in percent over the current window (the probes, when half-open);
    /// `None` until the minimum number of calls is reached.
    pub failure_rate_percent: Option<f32>,
    /// Slow-call rate in percent, on the same terms as the failure rate.
    pub slow_call_rate_percent: Option<f32>,
    /// Calls in the current window.
    pub calls: u64,
    /// Failed calls in the current window.
    pub failed_calls: u64,
    /// Slow calls in the current window.
    pub slow_calls: u64,
    /// Calls refused since the breaker was built or last reset.
    pub not_permitted_calls: u64,
}

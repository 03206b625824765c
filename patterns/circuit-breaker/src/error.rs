//! The crate's error type and the error a rejected call fails with.

use std::sync::Arc;

use crate::State;

/// Everything that can go wrong when building breakers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration field breaks a rule; both are named.
    #[error("invalid circuit breaker config: `{field}` {rule}")]
    InvalidConfig {
        /// The offending field, as written in TOML.
        field: &'static str,
        /// The rule it breaks.
        rule: &'static str,
    },
    /// The registry already holds as many breakers as it may.
    #[error("circuit breaker registry is full: it holds at most {max} breakers")]
    RegistryFull {
        /// The registry's bound.
        max: usize,
    },
}

/// Why a call was refused without reaching the dependency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// The breaker is open and its wait has not elapsed.
    Open,
    /// The breaker was forced open by an operator.
    ForcedOpen,
    /// The breaker is half-open and every probe permit is taken.
    HalfOpenFull,
    /// Adaptive throttling dropped the call locally.
    Throttled,
}

/// A call refused by a breaker or a throttle. Through the tower layer it arrives boxed in a
/// [`tower::BoxError`]; `downcast_ref::<CallNotPermitted>()` recovers it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("call not permitted by `{name}`: {}", describe(*reason))]
pub struct CallNotPermitted {
    /// The name of the breaker or throttle that refused the call.
    pub name: Arc<str>,
    /// Why it was refused.
    pub reason: Reason,
}

fn describe(reason: Reason) -> &'static str {
    match reason {
        Reason::Open => "the circuit is open",
        Reason::ForcedOpen => "the circuit is forced open",
        Reason::HalfOpenFull => "the circuit is half-open and all probe permits are taken",
        Reason::Throttled => "adaptive throttling dropped it",
    }
}

impl CallNotPermitted {
    pub(crate) fn new(name: &Arc<str>, reason: Reason) -> Self {
        Self {
            name: Arc::clone(name),
            reason,
        }
    }

    /// The breaker state that matches the reason, if the refusal came from a breaker.
    #[must_use]
    pub fn state(&self) -> Option<State> {
        match self.reason {
            Reason::Open => Some(State::Open),
            Reason::ForcedOpen => Some(State::ForcedOpen),
            Reason::HalfOpenFull => Some(State::HalfOpen),
            Reason::Throttled => None,
        }
    }
}

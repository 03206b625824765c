//! The fault schedule: what to inject per call, in phases that end by call count or by time.

use std::time::Duration;

use tokio::time::Instant;

use super::error::PlanError;
use crate::Rng;

/// What a phase of a [`FaultPlan`] injects into each call.
///
/// Each call fails with probability `error_probability`, returning
/// [`InjectedFault`](crate::InjectedFault) at once without reaching the inner service. A call
/// that does not fail is delayed with probability `latency_probability`, by `latency` plus a
/// uniform jitter in `[0, latency_jitter]`, before it reaches the inner service.
///
/// Start from [`FaultSpec::healthy`] and override fields:
/// `FaultSpec { error_probability: 0.3, ..FaultSpec::healthy() }`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaultSpec {
    /// Probability in `[0, 1]` that a call fails with an injected error.
    pub error_probability: f64,
    /// The fixed part of an injected delay.
    pub latency: Duration,
    /// The upper bound of the uniform random part added to `latency`.
    pub latency_jitter: Duration,
    /// Probability in `[0, 1]` that a call that was not failed is delayed.
    pub latency_probability: f64,
}

impl FaultSpec {
    /// Injects nothing: every call goes straight to the inner service.
    #[must_use]
    pub const fn healthy() -> Self {
        Self {
            error_probability: 0.0,
            latency: Duration::ZERO,
            latency_jitter: Duration::ZERO,
            latency_probability: 0.0,
        }
    }

    /// Fails every call, as a dependency that is down.
    #[must_use]
    pub const fn failing() -> Self {
        Self {
            error_probability: 1.0,
            ..Self::healthy()
        }
    }

    /// Draws the fault for one call.
    pub(super) fn draw(&self, rng: &mut Rng) -> Fault {
        if rng.chance(self.error_probability) {
            return Fault::Error;
        }
        if !rng.chance(self.latency_probability) {
            return Fault::Pass;
        }
        // `validate` keeps latency + jitter under u64::MAX nanoseconds, so neither the `+ 1`
        // (which makes the jitter range inclusive) nor the sum below can overflow.
        let jitter = rng.below(self.latency_jitter.as_nanos() as u64 + 1);
        Fault::Delay(self.latency + Duration::from_nanos(jitter))
    }

    fn validate(&self, phase: usize) -> Result<(), PlanError> {
        check_probability(phase, "error_probability", self.error_probability)?;
        check_probability(phase, "latency_probability", self.latency_probability)?;
        let max_delay = self.latency.checked_add(self.latency_jitter);
        if max_delay.is_none_or(|delay| delay.as_nanos() >= u128::from(u64::MAX)) {
            return Err(PlanError::DelayTooLong { phase });
        }
        Ok(())
    }
}

impl Default for FaultSpec {
    /// The same as [`FaultSpec::healthy`].
    fn default() -> Self {
        Self::healthy()
    }
}

fn check_probability(phase: usize, field: &'static str, value: f64) -> Result<(), PlanError> {
    // `contains` is false for NaN, so NaN is rejected with the out-of-range values.
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(PlanError::ProbabilityOutOfRange {
            phase,
            field,
            value,
        })
    }
}

/// The fault drawn for one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fault {
    /// Call the inner service now.
    Pass,
    /// Fail without calling the inner service.
    Error,
    /// Call the inner service after this delay.
    Delay(Duration),
}

/// When a phase of a [`FaultPlan`] ends and the next one begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// The phase handles this many calls; the call after them starts the next phase.
    Calls(u64),
    /// The phase lasts this long after it starts, on the `tokio::time` clock (so paused test
    /// time controls it). A phase that follows it starts exactly when it ends, whether or not a
    /// call arrived then, so consecutive `Elapsed` phases follow one timeline.
    Elapsed(Duration),
}

impl Until {
    /// When a phase bounded by `self`, which started at `started` and has handled `calls`,
    /// ended, as seen by a call arriving at `now`; `None` while the phase goes on.
    pub(super) fn ended_at(self, started: Instant, calls: u64, now: Instant) -> Option<Instant> {
        match self {
            Self::Calls(limit) => (calls >= limit).then_some(now),
            // An end beyond `Instant`'s range never comes.
            Self::Elapsed(length) => started.checked_add(length).filter(|end| *end <= now),
        }
    }

    fn validate(self, phase: usize) -> Result<(), PlanError> {
        match self {
            Self::Calls(0) => Err(PlanError::ZeroCalls { phase }),
            Self::Elapsed(length) if length.is_zero() => Err(PlanError::ZeroDuration { phase }),
            Self::Calls(_) | Self::Elapsed(_) => Ok(()),
        }
    }
}

/// One step of a plan; `until` is `None` only for the last, which lasts forever.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Phase {
    pub(super) spec: FaultSpec,
    pub(super) until: Option<Until>,
}

/// A validated schedule of fault phases, the last of which lasts forever.
///
/// The first phase starts with the first call. Build one with [`FaultPlan::builder`], or
/// [`FaultPlan::constant`] for a single phase.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultPlan {
    /// Never empty, and only the last phase has no `until`.
    pub(super) phases: Vec<Phase>,
}

impl FaultPlan {
    /// Starts an empty plan; add bounded phases with [`FaultPlanBuilder::phase`] and finish
    /// with [`FaultPlanBuilder::forever`].
    pub fn builder() -> FaultPlanBuilder {
        FaultPlanBuilder::default()
    }

    /// A plan that injects `spec` into every call.
    pub fn constant(spec: FaultSpec) -> Result<Self, PlanError> {
        Self::builder().forever(spec)
    }
}

/// Builds a [`FaultPlan`] phase by phase.
#[derive(Debug, Clone, Default)]
#[must_use = "a builder makes no plan until `forever` is called"]
pub struct FaultPlanBuilder {
    phases: Vec<Phase>,
}

impl FaultPlanBuilder {
    /// Appends a phase that injects `spec` until `until` is met.
    pub fn phase(mut self, spec: FaultSpec, until: Until) -> Self {
        self.phases.push(Phase {
            spec,
            until: Some(until),
        });
        self
    }

    /// Appends the last phase, which injects `spec` forever, and validates the whole plan.
    pub fn forever(mut self, spec: FaultSpec) -> Result<FaultPlan, PlanError> {
        self.phases.push(Phase { spec, until: None });
        for (index, phase) in self.phases.iter().enumerate() {
            phase.spec.validate(index)?;
            if let Some(until) = phase.until {
                until.validate(index)?;
            }
        }
        Ok(FaultPlan {
            phases: self.phases,
        })
    }
}

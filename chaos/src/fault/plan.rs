//! The fault schedule: what to inject per call, in phases that end by call count or by time.

use std::time::Duration;

use tokio::time::Instant;

use super::error::PlanError;
use super::trigger::{InvalidTrigger, Trigger};
use crate::Rng;

/// One kind of fault, how likely it is on each call, and how many times it may happen.
///
/// The four kinds differ in whether the inner service sees the call and what the caller sees:
///
/// | kind | inner service called | the caller gets |
/// | --- | --- | --- |
/// | [`error`](Self::error) | no | [`InjectedFault`](crate::InjectedFault), at once |
/// | [`latency`](Self::latency) | yes, after the delay | the inner response, late |
/// | [`timeout`](Self::timeout) | no | [`InjectedTimeout`](crate::InjectedTimeout), after `after` |
/// | [`drop_response`](Self::drop_response) | yes | [`ResponseDropped`](crate::ResponseDropped), after `after` |
///
/// A timeout is a request lost on its way: nothing happened. A dropped response is the
/// *indeterminate* case: the dependency did the work (a write was applied, a payment taken) but
/// the caller cannot know. Histories record such calls as `info`, and a linearizability checker
/// must allow either outcome.
///
/// Each injection fires on a call with its probability (1 unless set with
/// [`with_probability`](Self::with_probability)) and at most [`at_most`](Self::at_most) times in
/// its phase; the phase itself bounds it in time ([`Until`]).
///
/// ```
/// use std::time::Duration;
///
/// use chaos::Injection;
///
/// // Three responses lost in the 10% of calls drawn, each noticed after a 2 s client timeout.
/// let lost = Injection::drop_response(Duration::from_secs(2))
///     .with_probability(0.1)
///     .at_most(3);
/// # let _ = lost;
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Injection {
    kind: Kind,
    trigger: Trigger,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Error,
    Latency { latency: Duration, jitter: Duration },
    Timeout { after: Duration },
    DropResponse { after: Duration },
}

impl Injection {
    /// Fails the call at once with [`InjectedFault`](crate::InjectedFault), without reaching the
    /// inner service.
    #[must_use]
    pub const fn error() -> Self {
        Self::always(Kind::Error)
    }

    /// Delays the call by `latency` plus a uniform jitter in `[0, jitter]` before it reaches the
    /// inner service.
    #[must_use]
    pub const fn latency(latency: Duration, jitter: Duration) -> Self {
        Self::always(Kind::Latency { latency, jitter })
    }

    /// Holds the call for `after`, then fails it with [`InjectedTimeout`](crate::InjectedTimeout);
    /// the inner service never sees it.
    ///
    /// To make a call hang until the caller's own timeout fires, give an `after` longer than that
    /// timeout: the caller then sees its own timeout error, as it would against a hung server.
    #[must_use]
    pub const fn timeout(after: Duration) -> Self {
        Self::always(Kind::Timeout { after })
    }

    /// Calls the inner service and loses its response: the caller fails with
    /// [`ResponseDropped`](crate::ResponseDropped) `after` the call was made, or when the inner
    /// call completes if that is later.
    ///
    /// The inner call is driven to completion even though its result is discarded, so its side
    /// effects happen, unless the caller drops the response future first.
    #[must_use]
    pub const fn drop_response(after: Duration) -> Self {
        Self::always(Kind::DropResponse { after })
    }

    /// Fires on each call with probability `probability`, in `[0, 1]`.
    #[must_use]
    pub const fn with_probability(mut self, probability: f64) -> Self {
        self.trigger.probability = probability;
        self
    }

    /// Fires at most `count` times in its phase; `count` must be at least 1.
    #[must_use]
    pub const fn at_most(mut self, count: u64) -> Self {
        self.trigger.count_max = Some(count);
        self
    }

    const fn always(kind: Kind) -> Self {
        Self {
            kind,
            trigger: Trigger::ALWAYS,
        }
    }

    /// The decision once this injection has fired.
    fn decide(&self, rng: &mut Rng) -> Decision {
        match self.kind {
            Kind::Error => Decision::Error,
            Kind::Latency { latency, jitter } => {
                // `validate` keeps latency + jitter under u64::MAX nanoseconds, so neither the
                // `+ 1` (which makes the jitter range inclusive) nor the sum can overflow.
                let extra = rng.below(jitter.as_nanos() as u64 + 1);
                Decision::Delay(latency + Duration::from_nanos(extra))
            }
            Kind::Timeout { after } => Decision::Timeout(after),
            Kind::DropResponse { after } => Decision::DropResponse(after),
        }
    }

    fn validate(&self, phase: usize) -> Result<(), PlanError> {
        let field = match self.kind {
            Kind::Error => "error_probability",
            Kind::Latency { .. } => "latency_probability",
            Kind::Timeout { .. } => "timeout_probability",
            Kind::DropResponse { .. } => "drop_probability",
        };
        match self.trigger.check() {
            Err(InvalidTrigger::Probability(value)) => {
                return Err(PlanError::ProbabilityOutOfRange {
                    phase,
                    field,
                    value,
                });
            }
            Err(InvalidTrigger::ZeroCount) => return Err(PlanError::ZeroCount { phase }),
            Ok(()) => {}
        }
        if let Kind::Latency { latency, jitter } = self.kind {
            let max_delay = latency.checked_add(jitter);
            if max_delay.is_none_or(|delay| delay.as_nanos() >= u128::from(u64::MAX)) {
                return Err(PlanError::DelayTooLong { phase });
            }
        }
        Ok(())
    }
}

/// What a phase of a [`FaultPlan`] injects: [`Injection`]s in order of precedence.
///
/// For each call the injections are consulted in order; the first that fires decides the call,
/// and the rest are not consulted. Each consulted injection draws once from the layer's stream,
/// fired or not, capped or not, so a cap running out does not shift the draws after it.
///
/// Build one from a [`FaultSpec`], one [`Injection`], or an array or `Vec` of them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Faults {
    injections: Vec<Injection>,
}

impl Faults {
    /// Injects nothing.
    #[must_use]
    pub const fn none() -> Self {
        Self {
            injections: Vec::new(),
        }
    }

    /// How many injections a phase of these faults can count at once.
    pub(super) fn len(&self) -> usize {
        self.injections.len()
    }

    /// Draws the decision for one call; `fired[i]` counts how often injection `i` has fired in
    /// this phase, and is updated.
    pub(super) fn draw(&self, fired: &mut [u64], rng: &mut Rng) -> Decision {
        for (injection, fired) in self.injections.iter().zip(fired) {
            if injection.trigger.fires(*fired, rng) {
                *fired += 1;
                return injection.decide(rng);
            }
        }
        Decision::Pass
    }

    fn validate(&self, phase: usize) -> Result<(), PlanError> {
        self.injections
            .iter()
            .try_for_each(|injection| injection.validate(phase))
    }
}

impl From<Injection> for Faults {
    fn from(injection: Injection) -> Self {
        Self {
            injections: vec![injection],
        }
    }
}

impl From<Vec<Injection>> for Faults {
    fn from(injections: Vec<Injection>) -> Self {
        Self { injections }
    }
}

impl<const N: usize> From<[Injection; N]> for Faults {
    fn from(injections: [Injection; N]) -> Self {
        Self {
            injections: injections.into(),
        }
    }
}

/// Errors and latency by probability: the common case of [`Faults`], as plain fields.
///
/// Each call fails with probability `error_probability`, returning
/// [`InjectedFault`](crate::InjectedFault) at once without reaching the inner service. A call
/// that does not fail is delayed with probability `latency_probability`, by `latency` plus a
/// uniform jitter in `[0, latency_jitter]`, before it reaches the inner service. That is, it is
/// `[Injection::error(), Injection::latency(..)]` with those probabilities.
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
}

impl Default for FaultSpec {
    /// The same as [`FaultSpec::healthy`].
    fn default() -> Self {
        Self::healthy()
    }
}

impl From<FaultSpec> for Faults {
    fn from(spec: FaultSpec) -> Self {
        Self::from([
            Injection::error().with_probability(spec.error_probability),
            Injection::latency(spec.latency, spec.latency_jitter)
                .with_probability(spec.latency_probability),
        ])
    }
}

/// The fault decided for one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Decision {
    /// Call the inner service now.
    Pass,
    /// Fail without calling the inner service.
    Error,
    /// Call the inner service after this delay.
    Delay(Duration),
    /// Fail after this long without calling the inner service.
    Timeout(Duration),
    /// Call the inner service, discard its response, and fail after this long.
    DropResponse(Duration),
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
    pub(super) faults: Faults,
    pub(super) until: Option<Until>,
}

/// A validated schedule of fault phases, the last of which lasts forever.
///
/// The first phase starts with the first call. Build one with [`FaultPlan::builder`], or
/// [`FaultPlan::constant`] for a single phase. A phase's [`Faults`] can come from a
/// [`FaultSpec`] or from [`Injection`]s; counts ([`Injection::at_most`]) apply within the phase,
/// so a phase bounded by [`Until::Elapsed`] is a time window with a cap:
///
/// ```
/// use std::time::Duration;
///
/// use chaos::{FaultPlan, FaultSpec, Injection, Until};
///
/// // Healthy for 10 s; then, for 10 s, at most 3 calls time out after 1 s; then healthy.
/// let plan = FaultPlan::builder()
///     .phase(FaultSpec::healthy(), Until::Elapsed(Duration::from_secs(10)))
///     .phase(
///         Injection::timeout(Duration::from_secs(1)).at_most(3),
///         Until::Elapsed(Duration::from_secs(10)),
///     )
///     .forever(FaultSpec::healthy())?;
/// # let _ = plan;
/// # Ok::<(), chaos::PlanError>(())
/// ```
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

    /// A plan that injects `faults` into every call.
    pub fn constant(faults: impl Into<Faults>) -> Result<Self, PlanError> {
        Self::builder().forever(faults)
    }

    /// The most injections any one phase has: the size of the per-phase counters.
    pub(super) fn injections_max(&self) -> usize {
        self.phases
            .iter()
            .map(|phase| phase.faults.len())
            .max()
            .unwrap_or(0)
    }
}

/// Builds a [`FaultPlan`] phase by phase.
#[derive(Debug, Clone, Default)]
#[must_use = "a builder makes no plan until `forever` is called"]
pub struct FaultPlanBuilder {
    phases: Vec<Phase>,
}

impl FaultPlanBuilder {
    /// Appends a phase that injects `faults` until `until` is met.
    pub fn phase(mut self, faults: impl Into<Faults>, until: Until) -> Self {
        self.phases.push(Phase {
            faults: faults.into(),
            until: Some(until),
        });
        self
    }

    /// Appends the last phase, which injects `faults` forever, and validates the whole plan.
    pub fn forever(mut self, faults: impl Into<Faults>) -> Result<FaultPlan, PlanError> {
        self.phases.push(Phase {
            faults: faults.into(),
            until: None,
        });
        for (index, phase) in self.phases.iter().enumerate() {
            phase.faults.validate(index)?;
            if let Some(until) = phase.until {
                until.validate(index)?;
            }
        }
        Ok(FaultPlan {
            phases: self.phases,
        })
    }
}

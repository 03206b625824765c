//! The circuit breaker's state machine.
//!
//! The closed path — the one every call takes while the dependency is healthy — is one
//! atomic load to admit the call and one to record a success once the window is full of
//! successes: no shared writes, so threads do not contend (see [`Epoch`]). A window
//! with failures in it costs a CAS and a load per success. Everything else (a failure, a
//! transition, half-open probes, time-based windows) takes a mutex: those paths are rare,
//! and a lock keeps them easy to reason about.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::broadcast;

use crate::clock::{Clock, TokioClock};
use crate::event::{Event, EventKind, Metrics};
use crate::rng::SharedRng;
use crate::state::{Epoch, State};
use crate::window::{self, CountRing, Sample, Tally, TimeBuckets};
use crate::{CallNotPermitted, Config, Error, Outcome, Policy, Reason, SlidingWindow};

/// A circuit breaker: admits or refuses calls, and learns from their outcomes.
///
/// Share it behind an [`Arc`]; every method takes `&self`. Time comes from the clock `C`
/// and from nowhere else, so a [`ManualClock`](crate::ManualClock) makes a breaker fully
/// deterministic.
#[derive(Debug)]
pub struct CircuitBreaker<C = TokioClock> {
    name: Arc<str>,
    config: Config,
    clock: C,
    origin: Instant,
    /// The current [`Epoch`], packed.
    epoch: AtomicU64,
    /// When an open breaker starts admitting probes, in nanoseconds since `origin`.
    open_until_nanos: AtomicU64,
    /// The count-based window; `None` when the window is time-based.
    ring: Option<CountRing>,
    not_permitted: AtomicU64,
    jitter: SharedRng,
    cold: Mutex<Cold>,
    events: broadcast::Sender<Event>,
}

/// What only the locked paths touch.
#[derive(Debug)]
struct Cold {
    /// Tally of the count-based ring for the current generation.
    window: Tally,
    /// The time-based window, when configured.
    buckets: Option<TimeBuckets>,
    /// Permits still available in half-open, and the probes' outcomes.
    probes_left: u32,
    probes: Tally,
    /// When the current state was entered, in nanoseconds since `origin`.
    since_nanos: u64,
    /// Consecutive trips from half-open back to open, for the exponential wait.
    reopenings: u32,
}

/// Proof that a call was admitted. Hand it back with [`CircuitBreaker::on_result`] or
/// [`CircuitBreaker::release`]; a half-open permit that is neither holds a probe slot.
#[derive(Debug)]
#[must_use = "a permit must be handed back with `on_result` or `release`"]
pub struct Permit {
    generation: u32,
    kind: PermitKind,
    /// Start of the call in nanoseconds since the breaker's origin, when it is timed.
    started_nanos: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PermitKind {
    /// Closed or metrics-only: the outcome goes to the sliding window.
    Window,
    /// Half-open: the outcome is one of the probes.
    Probe,
    /// Disabled: nothing is recorded.
    Unrecorded,
}

impl CircuitBreaker<TokioClock> {
    /// A breaker on tokio's clock.
    pub fn new(name: impl Into<Arc<str>>, config: Config) -> Result<Self, Error> {
        Self::with_clock(name, config, TokioClock)
    }
}

impl<C: Clock> CircuitBreaker<C> {
    /// A breaker on the given clock.
    pub fn with_clock(name: impl Into<Arc<str>>, config: Config, clock: C) -> Result<Self, Error> {
        config.validate()?;
        let name = name.into();
        tracing::debug!(breaker = %name, seed = config.seed, "circuit breaker built");
        let (ring, buckets) = match config.sliding_window {
            SlidingWindow::Count { size } => (Some(CountRing::new(size)), None),
            SlidingWindow::Time { size } => (None, Some(TimeBuckets::new(size))),
        };
        let origin = clock.now();
        Ok(Self {
            name,
            epoch: AtomicU64::new(
                Epoch {
                    state: State::Closed,
                    generation: 0,
                    clean: false,
                }
                .pack(),
            ),
            open_until_nanos: AtomicU64::new(0),
            ring,
            not_permitted: AtomicU64::new(0),
            jitter: SharedRng::new(config.seed),
            cold: Mutex::new(Cold {
                window: Tally::default(),
                buckets,
                probes_left: 0,
                probes: Tally::default(),
                since_nanos: 0,
                reopenings: 0,
            }),
            events: broadcast::channel(config.event_capacity).0,
            config,
            clock,
            origin,
        })
    }

    /// The breaker's name.
    #[must_use]
    pub fn name(&self) -> &Arc<str> {
        &self.name
    }

    /// The breaker's configuration.
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The current state. Time-driven transitions (open to half-open, the half-open
    /// deadline) happen on the next call or [`tick`](Self::tick).
    #[must_use]
    pub fn state(&self) -> State {
        self.epoch().state
    }

    /// A stream of the breaker's events. A subscriber that falls more than
    /// `config.event_capacity` events behind loses the oldest ones.
    #[must_use]
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// Asks to make a call.
    #[inline]
    pub fn try_acquire(&self) -> Result<Permit, CallNotPermitted> {
        let word = self.epoch.load(Ordering::Acquire);
        if Epoch::is_closed(word) && self.config.slow_call_duration.is_none() {
            // The hot path, kept small enough to inline into the caller.
            return Ok(Permit {
                generation: Epoch::generation_of(word),
                kind: PermitKind::Window,
                started_nanos: None,
            });
        }
        self.try_acquire_slow(Epoch::unpack(word))
    }

    fn try_acquire_slow(&self, epoch: Epoch) -> Result<Permit, CallNotPermitted> {
        match epoch.state {
            State::Closed | State::MetricsOnly => Ok(self.permit(epoch, PermitKind::Window)),
            State::Disabled => Ok(self.permit(epoch, PermitKind::Unrecorded)),
            State::ForcedOpen => Err(self.refuse(Reason::ForcedOpen)),
            State::Open if self.now_nanos() < self.open_until_nanos.load(Ordering::Acquire) => {
                Err(self.refuse(Reason::Open))
            }
            State::Open | State::HalfOpen => self.acquire_locked(),
        }
    }

    /// Reports how an admitted call went.
    #[inline]
    pub fn on_result(&self, permit: Permit, outcome: Outcome) {
        let untimed_success = outcome == Outcome::Success && permit.started_nanos.is_none();
        if untimed_success && permit.kind == PermitKind::Window {
            let word = self.epoch.load(Ordering::Acquire);
            if Epoch::is_clean_in(word, permit.generation) {
                return; // A full window of successes plus one success is the same window.
            }
        }
        self.on_result_slow(permit, outcome);
    }

    fn on_result_slow(&self, permit: Permit, outcome: Outcome) {
        let failed = match outcome {
            Outcome::Success => false,
            Outcome::Failure => true,
            Outcome::Ignored => return self.release(permit),
        };
        let slow = match (permit.started_nanos, self.config.slow_call_duration) {
            (Some(started), Some(limit)) => {
                self.now_nanos().saturating_sub(started) >= duration_nanos(limit)
            }
            _ => false,
        };
        let sample = Sample { failed, slow };
        match permit.kind {
            PermitKind::Window => self.record_window(permit.generation, sample),
            PermitKind::Probe => self.record_probe(permit.generation, sample),
            PermitKind::Unrecorded => {}
        }
    }

    /// Hands back a permit whose call was not made, was cancelled, or whose outcome is to be
    /// ignored. Nothing is recorded; a half-open probe slot becomes free again.
    #[expect(
        clippy::needless_pass_by_value,
        reason = "a permit is a token: taking it by value stops it being handed back twice"
    )]
    pub fn release(&self, permit: Permit) {
        if permit.kind == PermitKind::Probe {
            let mut cold = self.lock();
            if self.epoch().generation == permit.generation {
                cold.probes_left += 1;
            }
        }
    }

    /// Applies the transitions that time alone triggers: open to half-open once the wait has
    /// elapsed, and half-open's deadline. Call it from a timer to see them without traffic.
    pub fn tick(&self) {
        let mut cold = self.lock();
        self.apply_due_transitions(&mut cold, self.now_nanos());
    }

    /// Moves the breaker to `state` by hand: any state may be entered, including
    /// `Disabled`, `MetricsOnly` and `ForcedOpen`, which only an operator can leave.
    pub fn transition_to(&self, state: State) {
        let mut cold = self.lock();
        self.transition(&mut cold, state, self.now_nanos());
    }

    /// Back to closed with empty windows and the exponential wait reset.
    pub fn reset(&self) {
        let mut cold = self.lock();
        cold.reopenings = 0;
        self.transition(&mut cold, State::Closed, self.now_nanos());
        self.not_permitted.store(0, Ordering::Relaxed);
        self.emit(EventKind::Reset);
    }

    /// A consistent snapshot of the breaker's state and counts.
    #[must_use]
    pub fn metrics(&self) -> Metrics {
        let cold = self.lock();
        let epoch = self.epoch();
        let tally = match epoch.state {
            State::HalfOpen => cold.probes,
            _ => Self::window_tally(&cold, self.now_nanos()),
        };
        let judged = tally.calls >= u64::from(self.minimum_calls(epoch.state));
        Metrics {
            state: epoch.state,
            failure_rate_percent: judged.then(|| tally.failure_rate()),
            slow_call_rate_percent: judged.then(|| tally.slow_rate()),
            calls: tally.calls,
            failed_calls: tally.failures,
            slow_calls: tally.slow,
            not_permitted_calls: self.not_permitted.load(Ordering::Relaxed),
        }
    }

    fn epoch(&self) -> Epoch {
        Epoch::unpack(self.epoch.load(Ordering::Acquire))
    }

    fn now_nanos(&self) -> u64 {
        let elapsed = self.clock.now().saturating_duration_since(self.origin);
        u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX)
    }

    fn lock(&self) -> MutexGuard<'_, Cold> {
        // The cold state stays consistent at every await-free step, so a panic elsewhere
        // while the lock was held leaves nothing half-written to protect against.
        self.cold
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn permit(&self, epoch: Epoch, kind: PermitKind) -> Permit {
        let timed = kind != PermitKind::Unrecorded && self.config.slow_call_duration.is_some();
        Permit {
            generation: epoch.generation,
            kind,
            started_nanos: timed.then(|| self.now_nanos()),
        }
    }

    fn refuse(&self, reason: Reason) -> CallNotPermitted {
        self.not_permitted.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(breaker = %self.name, ?reason, "call not permitted");
        self.emit(EventKind::CallNotPermitted { reason });
        CallNotPermitted::new(&self.name, reason)
    }

    fn acquire_locked(&self) -> Result<Permit, CallNotPermitted> {
        let mut cold = self.lock();
        self.apply_due_transitions(&mut cold, self.now_nanos());
        let epoch = self.epoch();
        match epoch.state {
            State::Closed | State::MetricsOnly => Ok(self.permit(epoch, PermitKind::Window)),
            State::Disabled => Ok(self.permit(epoch, PermitKind::Unrecorded)),
            State::HalfOpen if cold.probes_left > 0 => {
                cold.probes_left -= 1;
                Ok(self.permit(epoch, PermitKind::Probe))
            }
            State::HalfOpen => Err(self.refuse(Reason::HalfOpenFull)),
            State::Open => Err(self.refuse(Reason::Open)),
            State::ForcedOpen => Err(self.refuse(Reason::ForcedOpen)),
        }
    }

    fn apply_due_transitions(&self, cold: &mut Cold, now: u64) {
        match self.state() {
            State::Open if now >= self.open_until_nanos.load(Ordering::Acquire) => {
                self.transition(cold, State::HalfOpen, now);
            }
            State::HalfOpen => {
                if let Some(max_wait) = self.config.max_wait_in_half_open
                    && now.saturating_sub(cold.since_nanos) >= duration_nanos(max_wait)
                {
                    let next = self.config.state_after_max_wait_in_half_open;
                    if next == State::Open {
                        // Probes that never answered count as a failed round: the
                        // exponential wait grows as if they had failed.
                        cold.reopenings += 1;
                    }
                    self.transition(cold, next, now);
                }
            }
            _ => {}
        }
    }

    fn record_window(&self, generation: u32, sample: Sample) {
        // The clean check of `on_result`'s fast path, for timed calls that were not slow.
        let plain_success = !sample.failed && !sample.slow;
        if plain_success && Epoch::is_clean_in(self.epoch.load(Ordering::Acquire), generation) {
            return;
        }
        let Some(ring) = &self.ring else {
            return self.record_buckets(generation, sample);
        };
        let Some(index) = ring.claim(generation) else {
            return; // The window belongs to a newer state: this outcome is stale.
        };
        if ring.holds(index, generation, sample) {
            return; // Lock-free steady state: the slot already says exactly this.
        }
        let mut cold = self.lock();
        if self.epoch().generation != generation {
            return;
        }
        let displaced = ring.replace(index, generation, sample);
        window::apply(&mut cold.window, displaced, sample);
        let tally = cold.window;
        let full = tally.calls == u64::from(ring.size());
        self.set_clean(full && tally.failures == 0 && tally.slow == 0);
        self.judge_window(&mut cold, tally);
    }

    fn record_buckets(&self, generation: u32, sample: Sample) {
        let mut cold = self.lock();
        if self.epoch().generation != generation {
            return;
        }
        let second = self.now_nanos() / 1_000_000_000;
        let Some(buckets) = cold.buckets.as_mut() else {
            unreachable!("a breaker without a count ring has time buckets");
        };
        buckets.record(second, sample);
        let tally = buckets.total(second);
        self.judge_window(&mut cold, tally);
    }

    fn record_probe(&self, generation: u32, sample: Sample) {
        let mut cold = self.lock();
        if self.epoch().generation != generation {
            return;
        }
        cold.probes.add(sample);
        if cold.probes.calls < u64::from(self.config.permitted_calls_in_half_open) {
            return;
        }
        let verdict = if self.exceeds_thresholds(cold.probes) {
            cold.reopenings += 1;
            State::Open
        } else {
            State::Closed
        };
        self.transition(&mut cold, verdict, self.now_nanos());
    }

    /// Judges the window after a failure or slow call was added (a success alone can never
    /// raise a rate, so the lock-free path does not need to judge).
    fn judge_window(&self, cold: &mut Cold, tally: Tally) {
        let state = self.state();
        if tally.calls < u64::from(self.minimum_calls(state)) || !self.exceeds_thresholds(tally) {
            return;
        }
        if state == State::Closed {
            cold.reopenings = 0;
            self.transition(cold, State::Open, self.now_nanos());
        }
    }

    fn minimum_calls(&self, state: State) -> u32 {
        match state {
            State::HalfOpen => self.config.permitted_calls_in_half_open,
            _ => self.config.effective_minimum_calls(),
        }
    }

    /// Whether either rate is at or above its threshold; emits an event for each that is.
    fn exceeds_thresholds(&self, tally: Tally) -> bool {
        let failure_rate = tally.failure_rate();
        let slow_rate = tally.slow_rate();
        let failing = failure_rate >= self.config.failure_rate_threshold;
        let slow = slow_rate >= self.config.slow_call_rate_threshold;
        if failing {
            tracing::warn!(breaker = %self.name, failure_rate, "failure rate exceeded");
            self.emit(EventKind::FailureRateExceeded {
                rate_percent: failure_rate,
            });
        }
        if slow {
            tracing::warn!(breaker = %self.name, slow_rate, "slow-call rate exceeded");
            self.emit(EventKind::SlowCallRateExceeded {
                rate_percent: slow_rate,
            });
        }
        failing || slow
    }

    /// Publishes whether the count window is full of plain successes. Lock held.
    fn set_clean(&self, clean: bool) {
        let epoch = self.epoch();
        if epoch.clean != clean {
            self.epoch
                .store(Epoch { clean, ..epoch }.pack(), Ordering::Release);
        }
    }

    fn window_tally(cold: &Cold, now: u64) -> Tally {
        match &cold.buckets {
            Some(buckets) => buckets.total(now / 1_000_000_000),
            None => cold.window,
        }
    }

    /// Enters `to` in a new generation, with fresh windows.
    fn transition(&self, cold: &mut Cold, to: State, now: u64) {
        let from = self.epoch();
        let generation = from.generation.wrapping_add(1);
        match to {
            State::Open => {
                let wait = self
                    .config
                    .wait_in_open
                    .wait(cold.reopenings, self.jitter.next_unit());
                let until = now.saturating_add(duration_nanos(wait));
                self.open_until_nanos.store(until, Ordering::Release);
            }
            State::HalfOpen => {
                cold.probes_left = self.config.permitted_calls_in_half_open;
                cold.probes = Tally::default();
            }
            State::Closed => cold.reopenings = 0,
            State::Disabled | State::MetricsOnly | State::ForcedOpen => {}
        }
        cold.window = Tally::default();
        if let Some(buckets) = cold.buckets.as_mut() {
            buckets.clear();
        }
        cold.since_nanos = now;
        // The ring restarts before the new epoch is published, so a writer that sees the
        // new epoch also sees the empty ring, and a writer of the old epoch fails its claim.
        if let Some(ring) = &self.ring {
            ring.restart(generation);
        }
        let epoch = Epoch {
            state: to,
            generation,
            clean: false,
        };
        self.epoch.store(epoch.pack(), Ordering::Release);
        if from.state != to {
            tracing::info!(breaker = %self.name, from = %from.state, to = %to, "state transition");
            self.emit(EventKind::StateTransition {
                from: from.state,
                to,
            });
        }
    }

    fn emit(&self, kind: EventKind) {
        // An error only means nobody is subscribed.
        let _ = self.events.send(Event {
            breaker: Arc::clone(&self.name),
            kind,
        });
    }
}

fn duration_nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

impl<C: Clock> Policy for CircuitBreaker<C> {
    type Permit = Permit;

    #[inline]
    fn try_acquire(&self) -> Result<Permit, CallNotPermitted> {
        CircuitBreaker::try_acquire(self)
    }

    #[inline]
    fn on_result(&self, permit: Permit, outcome: Outcome) {
        CircuitBreaker::on_result(self, permit, outcome);
    }

    #[inline]
    fn release(&self, permit: Permit) {
        CircuitBreaker::release(self, permit);
    }
}

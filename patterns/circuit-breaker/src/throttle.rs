//! Client-side adaptive throttling, from Google's *Site Reliability Engineering*
//! (Beyer et al., 2016), chapter 21, "Handling Overload".
//!
//! Each client remembers, over a trailing window, how many requests it attempted and how
//! many the backend accepted, and drops a new request locally with probability
//! `max(0, (requests - k * accepts) / (requests + 1))`. With `k = 2` a backend that
//! accepts half of what it is sent sees no local drops; as its acceptance falls, clients
//! shed load before it reaches the wire, and recover smoothly as it rises.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::clock::{Clock, TokioClock};
use crate::rng::SharedRng;
use crate::{CallNotPermitted, Error, Outcome, Policy, Reason};

/// Longest window a throttle may remember.
pub const THROTTLE_WINDOW_MAX: Duration = Duration::from_hours(24);

/// Most buckets a throttle's window may be cut into.
pub const THROTTLE_BUCKETS_MAX: u32 = 3600;

/// Configuration of an [`AdaptiveThrottle`].
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ThrottleConfig {
    /// The multiplier on accepts: lower is more aggressive. The SRE book recommends 2.
    pub k: f64,
    /// The trailing window the counts cover; the SRE book uses two minutes.
    #[serde(with = "humantime_serde")]
    pub window: Duration,
    /// How many buckets the window is cut into; counts expire a bucket at a time.
    pub buckets: u32,
    /// Seed of the drop decisions; logged when the throttle is built.
    pub seed: u64,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        Self {
            k: 2.0,
            window: Duration::from_mins(2),
            buckets: 24,
            seed: 0x5eed,
        }
    }
}

impl ThrottleConfig {
    /// Checks every field; the error names the field and the rule.
    pub fn validate(&self) -> Result<(), Error> {
        let invalid = |field, rule| Err(Error::InvalidConfig { field, rule });
        if !(self.k.is_finite() && self.k >= 1.0) {
            return invalid("k", "must be a finite number >= 1");
        }
        if self.buckets == 0 || self.buckets > THROTTLE_BUCKETS_MAX {
            return invalid("buckets", "must be in 1..=3600");
        }
        if self.window < Duration::from_millis(u64::from(self.buckets)) {
            return invalid("window", "must be at least one millisecond per bucket");
        }
        if self.window > THROTTLE_WINDOW_MAX {
            return invalid("window", "must be at most one day");
        }
        Ok(())
    }
}

/// The SRE book's client-side adaptive throttling, as a [`Policy`].
#[derive(Debug)]
pub struct AdaptiveThrottle<C = TokioClock> {
    name: Arc<str>,
    config: ThrottleConfig,
    clock: C,
    origin: Instant,
    bucket_nanos: u64,
    rng: SharedRng,
    counts: Mutex<Buckets>,
}

/// Requests and accepts per bucket, with running totals.
#[derive(Debug)]
struct Buckets {
    /// `(bucket number + 1, requests, accepts)`; 0 marks an empty slot.
    slots: Box<[(u64, u64, u64)]>,
    requests: u64,
    accepts: u64,
}

impl Buckets {
    /// Expires the buckets that fell out of the window ending in bucket `now`.
    fn advance(&mut self, now: u64) {
        // Stamps are bucket number + 1; the window holds the last `len` buckets.
        let oldest = (now + 2).saturating_sub(self.slots.len() as u64);
        for slot in &mut self.slots {
            if slot.0 != 0 && slot.0 < oldest {
                self.requests -= slot.1;
                self.accepts -= slot.2;
                *slot = (0, 0, 0);
            }
        }
    }

    /// Adds to bucket `now`, which [`advance`](Self::advance) has made current.
    fn add(&mut self, now: u64, requests: u64, accepts: u64) {
        let len = self.slots.len() as u64;
        let slot = &mut self.slots[(now % len) as usize];
        // `max`: a caller that read the clock just before another thread moved on to a
        // later bucket adds to that later bucket rather than rewinding its stamp.
        slot.0 = slot.0.max(now + 1);
        slot.1 += requests;
        slot.2 += accepts;
        self.requests += requests;
        self.accepts += accepts;
    }
}

/// A snapshot of an [`AdaptiveThrottle`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ThrottleMetrics {
    /// Requests attempted in the window, dropped ones included.
    pub requests: u64,
    /// Requests the backend accepted in the window.
    pub accepts: u64,
    /// The probability that the next request is dropped locally.
    pub reject_probability: f64,
}

impl AdaptiveThrottle<TokioClock> {
    /// A throttle on tokio's clock.
    pub fn new(name: impl Into<Arc<str>>, config: ThrottleConfig) -> Result<Self, Error> {
        Self::with_clock(name, config, TokioClock)
    }
}

impl<C: Clock> AdaptiveThrottle<C> {
    /// A throttle on the given clock.
    pub fn with_clock(
        name: impl Into<Arc<str>>,
        config: ThrottleConfig,
        clock: C,
    ) -> Result<Self, Error> {
        config.validate()?;
        let name = name.into();
        tracing::debug!(throttle = %name, seed = config.seed, "adaptive throttle built");
        let bucket_nanos = (config.window.as_nanos() / u128::from(config.buckets)) as u64;
        Ok(Self {
            name,
            origin: clock.now(),
            clock,
            bucket_nanos,
            rng: SharedRng::new(config.seed),
            counts: Mutex::new(Buckets {
                slots: vec![(0, 0, 0); config.buckets as usize].into_boxed_slice(),
                requests: 0,
                accepts: 0,
            }),
            config,
        })
    }

    /// The throttle's name.
    #[must_use]
    pub fn name(&self) -> &Arc<str> {
        &self.name
    }

    /// Current counts and drop probability.
    #[must_use]
    pub fn metrics(&self) -> ThrottleMetrics {
        let mut counts = self.lock();
        counts.advance(self.bucket());
        ThrottleMetrics {
            requests: counts.requests,
            accepts: counts.accepts,
            reject_probability: self.reject_probability(&counts),
        }
    }

    fn bucket(&self) -> u64 {
        let elapsed = self.clock.now().saturating_duration_since(self.origin);
        (elapsed.as_nanos() / u128::from(self.bucket_nanos)) as u64
    }

    fn lock(&self) -> MutexGuard<'_, Buckets> {
        // Counts are updated in single steps; a poisoned lock holds nothing half-done.
        self.counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn reject_probability(&self, counts: &Buckets) -> f64 {
        let requests = counts.requests as f64;
        let accepts = counts.accepts as f64;
        ((requests - self.config.k * accepts) / (requests + 1.0)).max(0.0)
    }
}

/// Proof that an [`AdaptiveThrottle`] let a call through; hand it back with the outcome.
#[derive(Debug)]
#[must_use = "a permit must be handed back with `on_result` or `release`"]
pub struct ThrottlePermit(());

impl<C: Clock> Policy for AdaptiveThrottle<C> {
    type Permit = ThrottlePermit;

    fn try_acquire(&self) -> Result<ThrottlePermit, CallNotPermitted> {
        let bucket = self.bucket();
        let mut counts = self.lock();
        counts.advance(bucket);
        let probability = self.reject_probability(&counts);
        counts.add(bucket, 1, 0);
        drop(counts);
        if self.rng.next_unit() < probability {
            tracing::debug!(throttle = %self.name, probability, "request dropped locally");
            return Err(CallNotPermitted::new(&self.name, Reason::Throttled));
        }
        Ok(ThrottlePermit(()))
    }

    fn on_result(&self, _: ThrottlePermit, outcome: Outcome) {
        // An ignored outcome (a 404, say) was still accepted by the backend.
        if outcome != Outcome::Failure {
            let bucket = self.bucket();
            let mut counts = self.lock();
            counts.advance(bucket);
            counts.add(bucket, 0, 1);
        }
    }

    /// A cancelled call stays counted as a request that was not accepted: the client
    /// cannot know whether the backend took it.
    fn release(&self, _: ThrottlePermit) {}
}

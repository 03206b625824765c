//! The state that every service of one layer shares: schedule, RNG stream and statistics.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::time::Instant;

use super::plan::{Decision, FaultPlan};
use super::schedule::Schedule;
use super::stats::FaultStats;
use crate::Rng;

/// A handle to one injector; clones share it, so all services of a layer draw from one
/// schedule and one RNG stream, and a whole test is one deterministic sequence.
#[derive(Debug, Clone)]
pub(super) struct SharedInjector(Arc<Mutex<Injector>>);

impl SharedInjector {
    pub(super) fn new(plan: FaultPlan, rng: Rng) -> Self {
        Self(Arc::new(Mutex::new(Injector {
            schedule: Schedule::new(plan),
            rng,
            stats: FaultStats::default(),
        })))
    }

    /// Decides the fault for a call arriving at `now`.
    pub(super) fn on_call(&self, now: Instant) -> Decision {
        self.lock().on_call(now)
    }

    pub(super) fn stats(&self) -> FaultStats {
        self.lock().stats
    }

    fn lock(&self) -> MutexGuard<'_, Injector> {
        // Nothing panics while the lock is held, and every update leaves the state consistent,
        // so a poisoned lock is safe to use; propagating the poison would only turn one failed
        // test into many.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[derive(Debug)]
struct Injector {
    schedule: Schedule,
    rng: Rng,
    stats: FaultStats,
}

impl Injector {
    fn on_call(&mut self, now: Instant) -> Decision {
        let decision = self.schedule.on_call(now, &mut self.rng);
        let stats = &mut self.stats;
        stats.calls += 1;
        stats.phase = self.schedule.phase();
        let (call, phase) = (stats.calls, stats.phase);
        match decision {
            Decision::Pass => {}
            Decision::Error => {
                stats.errors_injected += 1;
                tracing::debug!(call, phase, "chaos: injected error");
            }
            Decision::Delay(delay) => {
                stats.delays_injected += 1;
                tracing::debug!(call, phase, ?delay, "chaos: injected latency");
            }
            Decision::Timeout(after) => {
                stats.timeouts_injected += 1;
                tracing::debug!(call, phase, ?after, "chaos: injected timeout");
            }
            Decision::DropResponse(after) => {
                stats.responses_dropped += 1;
                tracing::debug!(call, phase, ?after, "chaos: dropping the response");
            }
        }
        decision
    }
}

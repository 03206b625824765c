//! The state that every service of one layer shares: schedule, RNG stream and statistics.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::time::Instant;

use super::plan::{Fault, FaultPlan};
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
    pub(super) fn on_call(&self, now: Instant) -> Fault {
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
    fn on_call(&mut self, now: Instant) -> Fault {
        let fault = self.schedule.on_call(now).draw(&mut self.rng);
        let stats = &mut self.stats;
        stats.calls += 1;
        stats.phase = self.schedule.phase();
        match fault {
            Fault::Pass => {}
            Fault::Error => {
                stats.errors_injected += 1;
                tracing::debug!(
                    call = stats.calls,
                    phase = stats.phase,
                    "chaos: injected error"
                );
            }
            Fault::Delay(delay) => {
                stats.delays_injected += 1;
                tracing::debug!(
                    call = stats.calls,
                    phase = stats.phase,
                    ?delay,
                    "chaos: injected latency"
                );
            }
        }
        fault
    }
}

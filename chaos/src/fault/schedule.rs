//! Where a running plan is: which phase, since when, and how many calls it has handled.

use tokio::time::Instant;

use super::plan::{FaultPlan, FaultSpec};

/// A [`FaultPlan`] being walked, one call at a time.
#[derive(Debug)]
pub(super) struct Schedule {
    plan: FaultPlan,
    /// Index into `plan.phases`. It only advances past phases with an `until`, and the last
    /// phase has none, so it always stays in bounds.
    phase: usize,
    /// When the current phase started; `None` until the first call starts the first phase.
    started: Option<Instant>,
    calls_in_phase: u64,
}

impl Schedule {
    pub(super) fn new(plan: FaultPlan) -> Self {
        Self {
            plan,
            phase: 0,
            started: None,
            calls_in_phase: 0,
        }
    }

    /// The index of the current phase.
    pub(super) fn phase(&self) -> usize {
        self.phase
    }

    /// Moves to the phase that a call arriving at `now` belongs to, counts the call in it, and
    /// returns that phase's spec.
    pub(super) fn on_call(&mut self, now: Instant) -> &FaultSpec {
        let started = self.started.get_or_insert(now);
        // A loop, not an `if`: a call after a quiet spell may outlive several `Elapsed` phases.
        while let Some(ended) = self.plan.phases[self.phase]
            .until
            .and_then(|until| until.ended_at(*started, self.calls_in_phase, now))
        {
            self.phase += 1;
            *started = ended;
            self.calls_in_phase = 0;
        }
        self.calls_in_phase += 1;
        &self.plan.phases[self.phase].spec
    }
}

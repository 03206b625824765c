//! Where a running plan is: which phase, since when, how many calls it has handled, and how
//! often each of its injections has fired.

use tokio::time::Instant;

use super::plan::{Decision, FaultPlan};
use crate::Rng;

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
    /// How often each injection of the current phase has fired; sized once for the largest
    /// phase, so moving between phases allocates nothing.
    fired: Vec<u64>,
}

impl Schedule {
    pub(super) fn new(plan: FaultPlan) -> Self {
        let fired = vec![0; plan.injections_max()];
        Self {
            plan,
            phase: 0,
            started: None,
            calls_in_phase: 0,
            fired,
        }
    }

    /// The index of the current phase.
    pub(super) fn phase(&self) -> usize {
        self.phase
    }

    /// Moves to the phase that a call arriving at `now` belongs to, counts the call in it, and
    /// draws the call's fault from that phase.
    pub(super) fn on_call(&mut self, now: Instant, rng: &mut Rng) -> Decision {
        let started = self.started.get_or_insert(now);
        // A loop, not an `if`: a call after a quiet spell may outlive several `Elapsed` phases.
        while let Some(ended) = self.plan.phases[self.phase]
            .until
            .and_then(|until| until.ended_at(*started, self.calls_in_phase, now))
        {
            self.phase += 1;
            *started = ended;
            self.calls_in_phase = 0;
            self.fired.fill(0);
        }
        self.calls_in_phase += 1;
        self.plan.phases[self.phase]
            .faults
            .draw(&mut self.fired, rng)
    }
}

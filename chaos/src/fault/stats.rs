//! What a fault layer has done so far, readable while its services run.

use super::injector::SharedInjector;

/// A snapshot of a [`FaultLayer`](crate::FaultLayer)'s activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FaultStats {
    /// Calls seen, faulted or not.
    pub calls: u64,
    /// Calls failed with [`InjectedFault`](crate::InjectedFault).
    pub errors_injected: u64,
    /// Calls delayed before reaching the inner service.
    pub delays_injected: u64,
    /// Calls held and failed with [`InjectedTimeout`](crate::InjectedTimeout).
    pub timeouts_injected: u64,
    /// Calls that reached the inner service and whose response was dropped
    /// ([`ResponseDropped`](crate::ResponseDropped)).
    pub responses_dropped: u64,
    /// Index of the plan phase that handled the latest call; 0 before any call.
    pub phase: usize,
}

/// A cloneable, read-only view of a [`FaultLayer`](crate::FaultLayer)'s statistics, from
/// [`FaultLayer::stats_handle`](crate::FaultLayer::stats_handle).
#[derive(Debug, Clone)]
pub struct FaultStatsHandle {
    injector: SharedInjector,
}

impl FaultStatsHandle {
    pub(super) fn new(injector: SharedInjector) -> Self {
        Self { injector }
    }

    /// Returns the statistics as of now.
    #[must_use]
    pub fn snapshot(&self) -> FaultStats {
        self.injector.stats()
    }
}

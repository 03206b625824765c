//! [`FaultLayer`]: the entry point that wraps services in fault injection.

use tower::Layer;

use super::injector::SharedInjector;
use super::plan::FaultPlan;
use super::service::FaultService;
use super::stats::FaultStatsHandle;
use crate::Rng;

/// Wraps services in a [`FaultService`] that follows one [`FaultPlan`].
///
/// Every service this layer makes, every clone of those services and every clone of the layer
/// share one schedule and one RNG stream: the faults of a whole test form a single sequence,
/// determined by the seed and the order and timing of the calls.
#[derive(Debug, Clone)]
pub struct FaultLayer {
    injector: SharedInjector,
}

impl FaultLayer {
    /// Creates a layer that injects the faults of `plan`, drawing from `rng`; pass a
    /// [`Seed::stream`](crate::Seed::stream) so a printed seed replays the run.
    #[must_use]
    pub fn new(plan: FaultPlan, rng: Rng) -> Self {
        Self {
            injector: SharedInjector::new(plan, rng),
        }
    }

    /// Returns a handle that reads this layer's statistics; keep it before moving the layer
    /// into a `ServiceBuilder`.
    #[must_use]
    pub fn stats_handle(&self) -> FaultStatsHandle {
        FaultStatsHandle::new(self.injector.clone())
    }
}

impl<S> Layer<S> for FaultLayer {
    type Service = FaultService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        FaultService::new(inner, self.injector.clone())
    }
}

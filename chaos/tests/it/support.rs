//! Shared fixtures: a recording inner service and helpers to call through a fault layer.

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use chaos::{FaultLayer, FaultPlan, FaultService, FaultStatsHandle, InjectedFault, Seed, TestSeed};
use tokio::time::Instant;
use tower::{BoxError, Layer, Service, ServiceExt};

/// This run's seed: `CHAOS_SEED` if set, else fresh. Printed so that a failure can be replayed;
/// tests using it must pass for every seed.
pub(crate) fn seed() -> Seed {
    let seed = Seed::from_env_or_random().expect("CHAOS_SEED must be a decimal or 0x-hex u64");
    eprintln!("CHAOS_SEED={seed}");
    seed
}

/// This test's seed, as [`seed`] gives it, and also the command that replays the test if it
/// fails; keep it alive to the end of the test.
pub(crate) fn test_seed() -> TestSeed {
    chaos::test_seed!().expect("CHAOS_SEED must be a decimal or 0x-hex u64")
}

/// The inner service: echoes its request and records when each call reached it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Recorder {
    arrivals: Arc<Mutex<Vec<Instant>>>,
}

impl Recorder {
    /// When each call reached this service (or any clone of it), in order.
    pub(crate) fn arrivals(&self) -> Vec<Instant> {
        self.arrivals
            .lock()
            .expect("no test panics while holding it")
            .clone()
    }

    /// How many calls reached this service.
    pub(crate) fn calls(&self) -> usize {
        self.arrivals().len()
    }
}

impl Service<u32> for Recorder {
    type Response = u32;
    type Error = Infallible;
    type Future = Ready<Result<u32, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: u32) -> Self::Future {
        self.arrivals
            .lock()
            .expect("no test panics while holding it")
            .push(Instant::now());
        ready(Ok(request))
    }
}

/// A fault service over a fresh [`Recorder`], drawing from `seed`'s "test" stream.
pub(crate) fn faulty(
    plan: FaultPlan,
    seed: Seed,
) -> (FaultService<Recorder>, Recorder, FaultStatsHandle) {
    let layer = FaultLayer::new(plan, seed.stream("test"));
    let recorder = Recorder::default();
    (
        layer.layer(recorder.clone()),
        recorder,
        layer.stats_handle(),
    )
}

/// Calls the way a tower client does: wait until ready, then call.
pub(crate) async fn call(
    service: &mut FaultService<Recorder>,
    request: u32,
) -> Result<u32, BoxError> {
    service.ready().await?.call(request).await
}

/// Whether a call failed with an injected fault (and not some other error).
pub(crate) fn is_injected(result: &Result<u32, BoxError>) -> bool {
    matches!(result, Err(error) if error.is::<InjectedFault>())
}

/// What one call looked like from outside: injected failure or not, and how long it took.
pub(crate) type Outcome = (bool, Duration);

/// Makes `n` calls in sequence and records each one's [`Outcome`].
pub(crate) async fn outcomes(service: &mut FaultService<Recorder>, n: u32) -> Vec<Outcome> {
    let mut seen = Vec::new();
    for request in 0..n {
        let start = Instant::now();
        let result = call(service, request).await;
        seen.push((is_injected(&result), start.elapsed()));
    }
    seen
}

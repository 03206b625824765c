//! Injected errors: what they look like, how often they happen, and how they replay.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use chaos::{FaultLayer, FaultPlan, FaultSpec, FaultStats, InjectedFault, Seed};
use tower::{BoxError, Layer, Service, ServiceExt};

use crate::support::{self, call, faulty, is_injected, outcomes};

fn failing_at(error_probability: f64) -> FaultPlan {
    FaultPlan::constant(FaultSpec {
        error_probability,
        ..FaultSpec::healthy()
    })
    .expect("a valid probability")
}

#[tokio::test(start_paused = true)]
async fn an_injected_error_never_reaches_the_inner_service() {
    let seed = support::test_seed();
    let (mut service, recorder, stats) = faulty(failing_at(1.0), seed.seed());
    for request in 0..20 {
        let result = call(&mut service, request).await;
        assert!(is_injected(&result), "call {request}: {result:?}");
    }
    assert_eq!(recorder.calls(), 0);
    assert_eq!(
        stats.snapshot(),
        FaultStats {
            calls: 20,
            errors_injected: 20,
            ..FaultStats::default()
        }
    );
}

#[tokio::test(start_paused = true)]
async fn a_healthy_plan_passes_every_call_through() {
    let seed = support::test_seed();
    let (mut service, recorder, stats) = faulty(failing_at(0.0), seed.seed());
    for request in 0..20 {
        assert_eq!(call(&mut service, request).await.ok(), Some(request));
    }
    assert_eq!(recorder.calls(), 20);
    assert_eq!(stats.snapshot().errors_injected, 0);
}

#[tokio::test(start_paused = true)]
async fn the_error_rate_matches_the_probability() {
    const CALLS: u32 = 10_000;
    const P: f64 = 0.3;
    let seed = support::test_seed();
    let (mut service, recorder, stats) = faulty(failing_at(P), seed.seed());
    let mut failed = 0_u32;
    for request in 0..CALLS {
        failed += u32::from(is_injected(&call(&mut service, request).await));
    }
    // Failures are Binomial(10_000, 0.3): mean 3_000, standard deviation
    // sqrt(10_000 * 0.3 * 0.7) ~= 45.8. Six deviations (275) leave a correct injector a
    // two-sided false-failure chance of about 2e-9 per seed.
    let expected = f64::from(CALLS) * P;
    let sigma = (f64::from(CALLS) * P * (1.0 - P)).sqrt();
    assert!(
        (f64::from(failed) - expected).abs() <= 6.0 * sigma,
        "{failed} failures, expected {expected} +/- {:.0}",
        6.0 * sigma
    );
    // Exactly the calls that were not failed reached the inner service.
    assert_eq!(recorder.calls(), (CALLS - failed) as usize);
    assert_eq!(stats.snapshot().errors_injected, u64::from(failed));
}

fn mixed_plan() -> FaultPlan {
    FaultPlan::constant(FaultSpec {
        error_probability: 0.5,
        latency: Duration::from_millis(10),
        latency_jitter: Duration::from_millis(90),
        latency_probability: 0.5,
    })
    .expect("a valid spec")
}

#[tokio::test(start_paused = true)]
async fn the_same_seed_replays_the_same_faults() {
    let seed = support::test_seed();
    let (mut first, ..) = faulty(mixed_plan(), seed.seed());
    let (mut second, ..) = faulty(mixed_plan(), seed.seed());
    assert_eq!(
        outcomes(&mut first, 200).await,
        outcomes(&mut second, 200).await
    );
}

#[tokio::test(start_paused = true)]
async fn different_seeds_give_different_faults() {
    let seed = support::test_seed();
    let (mut first, ..) = faulty(mixed_plan(), seed.seed());
    let (mut second, ..) = faulty(mixed_plan(), Seed::new(seed.seed().value().wrapping_add(1)));
    // With a fair coin per call for failure alone, 200 equal outcomes have chance 2^-200.
    assert_ne!(
        outcomes(&mut first, 200).await,
        outcomes(&mut second, 200).await
    );
}

#[tokio::test(start_paused = true)]
async fn clones_and_sibling_services_share_one_sequence() {
    let seed = support::test_seed();
    let (mut alone, ..) = faulty(mixed_plan(), seed.seed());
    let expected = outcomes(&mut alone, 100).await;

    // Alternate between a clone and a second service from the same layer: together they must
    // see the one sequence a single service sees.
    let layer = FaultLayer::new(mixed_plan(), seed.stream("test"));
    let recorder = support::Recorder::default();
    let mut services = [layer.layer(recorder.clone()), layer.layer(recorder)];
    let mut shared = Vec::new();
    for round in 0..50 {
        for service in &mut services {
            let mut clone = service.clone();
            shared.extend(outcomes(&mut clone, 1).await);
        }
        assert_eq!(layer.stats_handle().snapshot().calls, 2 * (round + 1));
    }
    assert_eq!(shared, expected);
}

/// An inner service that is ready only while its gate is open.
#[derive(Clone)]
struct Gated {
    open: Arc<AtomicBool>,
}

impl Service<u32> for Gated {
    type Response = u32;
    type Error = BoxError;
    type Future = std::future::Ready<Result<u32, BoxError>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        if self.open.load(Ordering::SeqCst) {
            Poll::Ready(Ok(()))
        } else {
            Poll::Pending
        }
    }

    fn call(&mut self, request: u32) -> Self::Future {
        std::future::ready(Ok(request))
    }
}

#[tokio::test(start_paused = true)]
async fn readiness_is_the_inner_services_and_decides_no_fault() {
    let open = Arc::new(AtomicBool::new(false));
    let seed = support::test_seed();
    let layer = FaultLayer::new(failing_at(1.0), seed.stream("test"));
    let mut service = layer.layer(Gated {
        open: Arc::clone(&open),
    });
    let mut cx = Context::from_waker(Waker::noop());

    assert!(service.poll_ready(&mut cx).is_pending());
    open.store(true, Ordering::SeqCst);
    assert!(matches!(service.poll_ready(&mut cx), Poll::Ready(Ok(()))));
    assert_eq!(
        layer.stats_handle().snapshot().calls,
        0,
        "poll_ready drew nothing"
    );

    let result = service.ready().await.expect("open").call(1).await;
    assert!(result.is_err_and(|error| error.is::<InjectedFault>()));
    assert_eq!(layer.stats_handle().snapshot().calls, 1);
}

//! Injected latency, measured on paused tokio time: exact, bounded and before the inner call.

use std::time::Duration;

use chaos::{FaultPlan, FaultSpec};
use tokio::time::Instant;
use tower::{Service, ServiceExt};

use crate::support::{self, call, faulty, outcomes};

const LATENCY: Duration = Duration::from_millis(100);
const JITTER: Duration = Duration::from_millis(50);

fn delaying(latency_jitter: Duration, latency_probability: f64) -> FaultPlan {
    FaultPlan::constant(FaultSpec {
        latency: LATENCY,
        latency_jitter,
        latency_probability,
        ..FaultSpec::healthy()
    })
    .expect("a valid spec")
}

#[tokio::test(start_paused = true)]
async fn a_delay_is_the_fixed_latency_plus_bounded_jitter_before_the_inner_call() {
    let seed = support::test_seed();
    let (mut service, recorder, stats) = faulty(delaying(JITTER, 1.0), seed.seed());
    let mut delays = Vec::new();
    for request in 0..200 {
        let start = Instant::now();
        assert_eq!(call(&mut service, request).await.ok(), Some(request));
        let delay = start.elapsed();
        assert!(
            (LATENCY..=LATENCY + JITTER).contains(&delay),
            "call {request} took {delay:?}"
        );
        // The whole delay was spent before the inner service saw the call.
        assert_eq!(recorder.arrivals().last(), Some(&(start + delay)));
        delays.push(delay);
    }
    assert_eq!(stats.snapshot().delays_injected, 200);
    // The jitter is spread over its range: all 200 draws missing the lowest (or the highest)
    // quarter has chance 2 * 0.75^200 < 1e-24.
    let quarter = JITTER / 4;
    assert!(delays.iter().any(|delay| *delay < LATENCY + quarter));
    assert!(delays.iter().any(|delay| *delay > LATENCY + 3 * quarter));
}

#[tokio::test(start_paused = true)]
async fn without_jitter_the_delay_is_exactly_the_latency() {
    let seed = support::test_seed();
    let (mut service, ..) = faulty(delaying(Duration::ZERO, 1.0), seed.seed());
    for (failed, took) in outcomes(&mut service, 20).await {
        assert!(!failed);
        assert_eq!(took, LATENCY);
    }
}

#[tokio::test(start_paused = true)]
async fn exactly_the_counted_calls_are_delayed() {
    let seed = support::test_seed();
    let (mut service, recorder, stats) = faulty(delaying(JITTER, 0.5), seed.seed());
    let observed = outcomes(&mut service, 400).await;
    let delayed = observed.iter().filter(|(_, took)| *took >= LATENCY).count();
    let undelayed = observed.iter().filter(|(_, took)| took.is_zero()).count();
    assert_eq!(
        delayed + undelayed,
        400,
        "every call is either delayed or instant"
    );
    assert_eq!(stats.snapshot().delays_injected, delayed as u64);
    assert_eq!(recorder.calls(), 400);
    // Both kinds occur: 400 fair coins all landing one way has chance 2^-399.
    assert!(delayed > 0 && undelayed > 0);
}

#[tokio::test(start_paused = true)]
async fn an_injected_error_is_returned_at_once_without_delay() {
    let plan = FaultPlan::constant(FaultSpec {
        latency_probability: 1.0,
        ..FaultSpec::failing()
    })
    .expect("a valid spec");
    let seed = support::test_seed();
    let (mut service, recorder, stats) = faulty(plan, seed.seed());
    for (failed, took) in outcomes(&mut service, 20).await {
        assert!(failed);
        assert_eq!(took, Duration::ZERO);
    }
    assert_eq!(recorder.calls(), 0);
    assert_eq!(stats.snapshot().delays_injected, 0);
}

#[tokio::test(start_paused = true)]
async fn a_delayed_call_dropped_before_its_delay_ends_never_reaches_the_inner_service() {
    let seed = support::test_seed();
    let (mut service, recorder, stats) = faulty(delaying(Duration::ZERO, 1.0), seed.seed());
    let pending = service.ready().await.expect("always ready").call(1);
    tokio::time::advance(LATENCY / 2).await;
    drop(pending);
    tokio::time::advance(LATENCY).await;
    assert_eq!(recorder.calls(), 0);
    assert_eq!(stats.snapshot().delays_injected, 1);
}

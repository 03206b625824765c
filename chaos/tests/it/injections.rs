//! Injections: caps, time windows, timeouts, dropped responses, precedence and replay.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use chaos::{
    FaultLayer, FaultPlan, FaultSpec, Faults, InjectedFault, InjectedTimeout, Injection,
    ResponseDropped, Seed, Until,
};
use tokio::time::Instant;
use tower::{BoxError, Layer, Service, ServiceExt, service_fn};

use crate::support::{self, call, faulty, is_injected};

const SECOND: Duration = Duration::from_secs(1);

/// What one call looked like from outside, told apart by error type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    Answered,
    Failed,
    TimedOut,
    Dropped,
}

fn seen(result: &Result<u32, BoxError>) -> Seen {
    match result {
        Ok(_) => Seen::Answered,
        Err(error) if error.is::<InjectedFault>() => Seen::Failed,
        Err(error) if error.is::<InjectedTimeout>() => Seen::TimedOut,
        Err(error) if error.is::<ResponseDropped>() => Seen::Dropped,
        Err(error) => panic!("not an injected fault: {error}"),
    }
}

/// Makes `n` calls in sequence; returns what each looked like and how long it took.
async fn trace(
    service: &mut chaos::FaultService<support::Recorder>,
    n: u32,
) -> Vec<(Seen, Duration)> {
    let mut trace = Vec::new();
    for request in 0..n {
        let start = Instant::now();
        let result = call(service, request).await;
        trace.push((seen(&result), start.elapsed()));
    }
    trace
}

fn plan(faults: impl Into<Faults>) -> FaultPlan {
    FaultPlan::constant(faults).expect("a valid plan")
}

#[tokio::test(start_paused = true)]
async fn a_capped_injection_fires_exactly_that_many_times() {
    let seed = support::test_seed();
    let (mut service, recorder, stats) = faulty(plan(Injection::error().at_most(3)), seed.seed());
    let kinds: Vec<Seen> = trace(&mut service, 10)
        .await
        .into_iter()
        .map(|(kind, _)| kind)
        .collect();
    let mut expected = vec![Seen::Failed; 3];
    expected.extend([Seen::Answered; 7]);
    assert_eq!(kinds, expected);
    assert_eq!(recorder.calls(), 7);
    assert_eq!(stats.snapshot().errors_injected, 3);
}

#[tokio::test(start_paused = true)]
async fn a_cap_and_a_time_window_compose() {
    // Two windows: one ends by its cap (3 firings within 10 s), one by its time (2 s, under a
    // cap of 100). Every phase lasts its time whether or not its cap is spent.
    let plan = FaultPlan::builder()
        .phase(FaultSpec::healthy(), Until::Elapsed(10 * SECOND))
        .phase(Injection::error().at_most(3), Until::Elapsed(10 * SECOND))
        .phase(FaultSpec::healthy(), Until::Elapsed(10 * SECOND))
        .phase(Injection::error().at_most(100), Until::Elapsed(2 * SECOND))
        .forever(FaultSpec::healthy())
        .expect("a valid plan");
    let seed = support::test_seed();
    let (mut service, _, stats) = faulty(plan, seed.seed());
    let start = Instant::now();
    let mut failed_at = Vec::new();
    for request in 0..80 {
        if is_injected(&call(&mut service, request).await) {
            failed_at.push(start.elapsed().as_millis());
        }
        tokio::time::advance(SECOND / 2).await;
    }
    let mut expected = vec![10_000, 10_500, 11_000];
    expected.extend((30_000..32_000).step_by(500));
    assert_eq!(failed_at, expected);
    assert_eq!(stats.snapshot().errors_injected, 7);
}

#[tokio::test(start_paused = true)]
async fn a_timeout_fails_after_its_duration_and_never_reaches_the_inner_service() {
    let seed = support::test_seed();
    let (mut service, recorder, stats) = faulty(plan(Injection::timeout(2 * SECOND)), seed.seed());
    let start = Instant::now();
    let error = call(&mut service, 1).await.expect_err("times out");
    assert_eq!(start.elapsed(), 2 * SECOND);
    assert_eq!(
        error.downcast_ref::<InjectedTimeout>(),
        Some(&InjectedTimeout { after: 2 * SECOND })
    );
    assert_eq!(recorder.calls(), 0);
    assert_eq!(stats.snapshot().timeouts_injected, 1);
}

#[tokio::test(start_paused = true)]
async fn a_timeout_longer_than_the_callers_hangs_until_the_caller_gives_up() {
    let seed = support::test_seed();
    let (mut service, recorder, _) = faulty(plan(Injection::timeout(Duration::MAX)), seed.seed());
    let start = Instant::now();
    let call = service.ready().await.expect("always ready").call(1);
    let outcome = tokio::time::timeout(3 * SECOND, call).await;
    assert!(outcome.is_err(), "the caller's own timeout fired");
    assert_eq!(start.elapsed(), 3 * SECOND);
    assert_eq!(recorder.calls(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_dropped_response_still_reaches_the_inner_service() {
    let seed = support::test_seed();
    let (mut service, recorder, stats) =
        faulty(plan(Injection::drop_response(SECOND)), seed.seed());
    let start = Instant::now();
    for request in 0..5 {
        let called_at = Instant::now();
        let error = call(&mut service, request)
            .await
            .expect_err("response lost");
        assert_eq!(
            error.downcast_ref::<ResponseDropped>(),
            Some(&ResponseDropped { after: SECOND })
        );
        assert_eq!(called_at.elapsed(), SECOND);
        // The side effect happened, at once, though the caller saw an error.
        assert_eq!(recorder.arrivals().last(), Some(&called_at));
    }
    assert_eq!(recorder.calls(), 5);
    assert_eq!(start.elapsed(), 5 * SECOND);
    assert_eq!(stats.snapshot().responses_dropped, 5);
}

/// An inner service that takes 3 s and counts the calls it completed.
fn slow_counter() -> (
    impl Service<u32, Response = u32, Error = Infallible, Future: Send> + Clone,
    Arc<AtomicU32>,
) {
    let completed = Arc::new(AtomicU32::new(0));
    let counter = Arc::clone(&completed);
    let service = service_fn(move |request: u32| {
        let counter = Arc::clone(&counter);
        async move {
            tokio::time::sleep(3 * SECOND).await;
            counter.fetch_add(1, Ordering::SeqCst);
            Ok::<_, Infallible>(request)
        }
    });
    (service, completed)
}

#[tokio::test(start_paused = true)]
async fn a_dropped_response_waits_for_a_slower_inner_call_to_complete() {
    let seed = support::test_seed();
    let (inner, completed) = slow_counter();
    let layer = FaultLayer::new(plan(Injection::drop_response(SECOND)), seed.stream("test"));
    let mut service = layer.layer(inner);
    let start = Instant::now();
    let result = service.ready().await.expect("ready").call(7).await;
    assert!(result.is_err_and(|error| error.is::<ResponseDropped>()));
    assert_eq!(start.elapsed(), 3 * SECOND, "the inner call's 3 s, not 1 s");
    assert_eq!(completed.load(Ordering::SeqCst), 1, "its effect took place");
}

#[tokio::test(start_paused = true)]
async fn a_caller_that_gives_up_on_a_dropped_response_cancels_the_inner_call() {
    let seed = support::test_seed();
    let (inner, completed) = slow_counter();
    let layer = FaultLayer::new(plan(Injection::drop_response(SECOND)), seed.stream("test"));
    let mut service = layer.layer(inner);
    let pending = service.ready().await.expect("ready").call(7);
    assert!(
        tokio::time::timeout(2 * SECOND, pending).await.is_err(),
        "still running at 2 s"
    );
    tokio::time::advance(10 * SECOND).await;
    assert_eq!(completed.load(Ordering::SeqCst), 0);
}

#[tokio::test(start_paused = true)]
async fn the_first_injection_that_fires_decides_and_caps_hand_over_to_the_next() {
    let faults = [
        Injection::error().at_most(2),
        Injection::timeout(SECOND).at_most(2),
        Injection::drop_response(Duration::ZERO),
    ];
    let seed = support::test_seed();
    let (mut service, recorder, stats) = faulty(plan(faults), seed.seed());
    let observed = trace(&mut service, 6).await;
    assert_eq!(
        observed,
        [
            (Seen::Failed, Duration::ZERO),
            (Seen::Failed, Duration::ZERO),
            (Seen::TimedOut, SECOND),
            (Seen::TimedOut, SECOND),
            (Seen::Dropped, Duration::ZERO),
            (Seen::Dropped, Duration::ZERO),
        ]
    );
    assert_eq!(recorder.calls(), 2, "only the dropped responses reached it");
    let stats = stats.snapshot();
    assert_eq!(
        (
            stats.errors_injected,
            stats.timeouts_injected,
            stats.responses_dropped
        ),
        (2, 2, 2)
    );
}

#[tokio::test(start_paused = true)]
async fn a_fault_spec_draws_as_documented_so_recorded_seeds_keep_replaying() {
    // The draws the docs promise: per call, one draw for the error; if it misses, one for the
    // latency; if that hits, one for the jitter. Computed here from the bare stream.
    const LATENCY: Duration = Duration::from_millis(10);
    const JITTER: Duration = Duration::from_millis(5);
    let spec = FaultSpec {
        error_probability: 0.3,
        latency: LATENCY,
        latency_jitter: JITTER,
        latency_probability: 0.5,
    };
    let seed = Seed::new(42);
    let mut rng = seed.stream("test");
    let expected: Vec<(Seen, Duration)> = (0..500)
        .map(|_| {
            if rng.chance(0.3) {
                (Seen::Failed, Duration::ZERO)
            } else if rng.chance(0.5) {
                let jitter = rng.below(JITTER.as_nanos() as u64 + 1);
                let delay = LATENCY + Duration::from_nanos(jitter);
                // tokio's timer fires on whole milliseconds, rounding a deadline up.
                let observed = delay.as_nanos().div_ceil(1_000_000) as u64;
                (Seen::Answered, Duration::from_millis(observed))
            } else {
                (Seen::Answered, Duration::ZERO)
            }
        })
        .collect();

    let (mut from_spec, ..) = faulty(plan(spec), seed);
    assert_eq!(trace(&mut from_spec, 500).await, expected);
    let as_injections = [
        Injection::error().with_probability(0.3),
        Injection::latency(LATENCY, JITTER).with_probability(0.5),
    ];
    let (mut from_injections, ..) = faulty(plan(as_injections), seed);
    assert_eq!(trace(&mut from_injections, 500).await, expected);
}

fn every_kind() -> [Injection; 4] {
    [
        Injection::error().with_probability(0.2),
        Injection::timeout(SECOND).with_probability(0.2).at_most(20),
        Injection::drop_response(SECOND / 2).with_probability(0.2),
        Injection::latency(SECOND / 10, SECOND / 10).with_probability(0.5),
    ]
}

#[tokio::test(start_paused = true)]
async fn every_kind_of_fault_replays_from_the_seed() {
    let seed = support::test_seed();
    let (mut first, ..) = faulty(plan(every_kind()), seed.seed());
    let (mut second, ..) = faulty(plan(every_kind()), seed.seed());
    let replayed = trace(&mut first, 300).await;
    assert_eq!(replayed, trace(&mut second, 300).await);
    // Each kind shows up: every one has at least a 12% chance per call until the 20 timeouts
    // are spent, so missing one in 300 calls has chance below 4 * 0.88^300 < 1e-15.
    for kind in [Seen::Answered, Seen::Failed, Seen::TimedOut, Seen::Dropped] {
        assert!(replayed.iter().any(|(seen, _)| *seen == kind), "{kind:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_second_fault_site_leaves_the_first_sites_faults_unchanged() {
    let seed = support::test_seed();
    let (mut alone, ..) = faulty(plan(every_kind()), seed.seed());
    let expected = trace(&mut alone, 100).await;

    let backend = FaultLayer::new(plan(every_kind()), seed.stream("test"));
    let cache = FaultLayer::new(plan(every_kind()), seed.stream("cache"));
    let mut backend = backend.layer(support::Recorder::default());
    let mut cache = cache.layer(support::Recorder::default());
    let mut interleaved = Vec::new();
    for _ in 0..100 {
        trace(&mut cache, 1).await;
        interleaved.extend(trace(&mut backend, 1).await);
    }
    assert_eq!(interleaved, expected);
}

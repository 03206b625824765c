#![allow(
    missing_docs,
    reason = "criterion_group! generates undocumented functions"
)]

//! Closed-path overhead of a circuit breaker: the cost a healthy call pays for protection.
//!
//! Peers: failsafe, recloser, tower-resilience's circuit breaker, and no breaker at all.
//! Every breaker is configured as a count-based window of 100 calls at a 50% failure rate
//! where the crate allows it (failsafe uses its defaults: success rate over a time window
//! or consecutive failures). `ours` turns slow-call detection off, like the peers that have
//! none; `ours-timed` keeps resilience4j's default of timing every call.

use std::convert::Infallible;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use benches::{contended, poll_to_completion};
use circuit_breaker::{CircuitBreaker, CircuitBreakerLayer, Config, Outcome, SlidingWindow};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, criterion_group, criterion_main};
use failsafe::CircuitBreaker as _;
use tower::{Layer, Service};

const THREADS: [usize; 2] = [1, 2];

fn ours(timed: bool) -> Arc<CircuitBreaker> {
    let config = Config {
        sliding_window: SlidingWindow::Count { size: 100 },
        slow_call_duration: timed.then_some(Duration::from_mins(1)),
        ..Config::default()
    };
    Arc::new(CircuitBreaker::new("bench", config).expect("valid config"))
}

fn recloser() -> recloser::Recloser {
    recloser::Recloser::custom()
        .error_rate(0.5)
        .closed_len(100)
        .build()
}

fn thread_label(threads: usize) -> String {
    format!("{threads}-thread")
}

/// Benchmarks `call` made by `threads` threads at once on shared state.
fn bench_shared(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    threads: usize,
    call: impl Fn() + Sync,
) {
    group.bench_function(BenchmarkId::new(name, thread_label(threads)), |b| {
        b.iter_custom(|iters| contended(threads, iters, || (), |()| call()));
    });
}

/// A call through the bare state machine: admit, do the work, record a success.
fn state_machine(c: &mut Criterion) {
    let mut group = c.benchmark_group("circuit-breaker/state-machine");
    for threads in THREADS {
        bench_shared(&mut group, "unprotected", threads, || {
            black_box(Ok::<u64, ()>(black_box(1)).is_ok());
        });
        for (name, timed) in [("ours", false), ("ours-timed", true)] {
            let breaker = ours(timed);
            bench_shared(&mut group, name, threads, || {
                let permit = breaker.try_acquire().expect("closed");
                black_box(black_box(1u64));
                breaker.on_result(permit, Outcome::Success);
            });
        }
        let failsafe = failsafe::Config::new().build();
        bench_shared(&mut group, "failsafe", threads, || {
            black_box(failsafe.call(|| Ok::<u64, ()>(black_box(1))).is_ok());
        });
        let recloser = recloser();
        bench_shared(&mut group, "recloser", threads, || {
            black_box(recloser.call(|| Ok::<u64, ()>(black_box(1))).is_ok());
        });
    }
    group.finish();
}

fn echo() -> impl Service<
    u64,
    Response = u64,
    Error = Infallible,
    Future = std::future::Ready<Result<u64, Infallible>>,
> + Clone
+ Send {
    tower::service_fn(|n: u64| std::future::ready(Ok::<u64, Infallible>(n)))
}

/// Drives one request through a service.
fn roundtrip<S: Service<u64>>(service: &mut S) {
    assert!(poll_to_completion(std::future::poll_fn(|cx| service.poll_ready(cx))).is_ok());
    black_box(poll_to_completion(service.call(black_box(1))).is_ok());
}

/// A call through a tower stack: `poll_ready`, `call`, and the response future.
fn tower_layer(c: &mut Criterion) {
    let mut group = c.benchmark_group("circuit-breaker/tower-layer");
    for threads in THREADS {
        let label = thread_label(threads);
        group.bench_function(BenchmarkId::new("unprotected", &label), |b| {
            b.iter_custom(|iters| contended(threads, iters, echo, roundtrip));
        });
        let layer = CircuitBreakerLayer::new(ours(false));
        group.bench_function(BenchmarkId::new("ours", &label), |b| {
            b.iter_custom(|iters| contended(threads, iters, || layer.layer(echo()), roundtrip));
        });
        // A breaker that lives as long as the program, held by `&'static`: no refcount.
        let leaked: &'static CircuitBreaker =
            Box::leak(Box::new(Arc::into_inner(ours(false)).expect("sole owner")));
        let layer = CircuitBreakerLayer::new(leaked);
        group.bench_function(BenchmarkId::new("ours-static", &label), |b| {
            b.iter_custom(|iters| contended(threads, iters, || layer.layer(echo()), roundtrip));
        });
        let peer = tower_resilience_circuitbreaker::CircuitBreakerLayer::builder()
            .failure_rate_threshold(0.5)
            .sliding_window_size(100)
            .build()
            .expect("valid config");
        let shared = peer.layer(echo());
        // The peer's futures take a tokio mutex; it completes without a runtime when free,
        // but its `call` needs a runtime context for its internals, so enter one.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        group.bench_function(BenchmarkId::new("tower-resilience", &label), |b| {
            b.iter_custom(|iters| {
                contended(
                    threads,
                    iters,
                    || shared.clone(),
                    |service| {
                        let _entered = runtime.enter();
                        roundtrip(service);
                    },
                )
            });
        });
    }
    group.finish();
}

criterion_group!(benches, state_machine, tower_layer);
criterion_main!(benches);

//! The closed path allocates nothing: proven with a counting global allocator.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use circuit_breaker::{CircuitBreaker, CircuitBreakerLayer, Config, Outcome, SlidingWindow};
use tower::{Layer, Service};

/// Allocations made by the current thread while `work` runs (the dev-dependency
/// `allocation-counter` installs a counting global allocator in this test binary).
fn allocations_during(work: impl FnOnce()) -> u64 {
    allocation_counter::measure(work).count_total
}

fn warm_breaker(config: Config) -> Arc<CircuitBreaker> {
    let breaker = Arc::new(CircuitBreaker::new("alloc", config).unwrap());
    for _ in 0..1_000 {
        breaker.on_result(breaker.try_acquire().unwrap(), Outcome::Success);
    }
    breaker
}

fn configs() -> [Config; 2] {
    let hot = Config {
        slow_call_duration: None,
        ..Config::default()
    };
    [hot, Config::default()]
}

#[test]
fn the_state_machine_allocates_nothing_per_call() {
    for config in configs() {
        let breaker = warm_breaker(config);
        let count = allocations_during(|| {
            for _ in 0..10_000 {
                breaker.on_result(breaker.try_acquire().unwrap(), Outcome::Success);
            }
        });
        assert_eq!(count, 0);
    }
}

#[test]
fn the_tower_layer_allocates_nothing_per_call() {
    let breaker = warm_breaker(Config::default());
    let mut service = CircuitBreakerLayer::new(breaker).layer(tower::service_fn(|n: u64| {
        std::future::ready(Ok::<_, std::convert::Infallible>(n + 1))
    }));
    let mut context = Context::from_waker(Waker::noop());
    let count = allocations_during(|| {
        for n in 0..10_000 {
            assert!(service.poll_ready(&mut context).is_ready());
            let response = pin!(service.call(n)).poll(&mut context);
            assert!(matches!(response, Poll::Ready(Ok(m)) if m == n + 1));
        }
    });
    assert_eq!(count, 0);
}

#[test]
fn the_counter_sees_allocations() {
    // The oracle above is only meaningful if the counter counts.
    let count = allocations_during(|| drop(std::hint::black_box(vec![1u8; 64])));
    assert_eq!(count, 1);
}

#[test]
fn the_time_window_is_also_allocation_free() {
    let breaker = warm_breaker(Config {
        sliding_window: SlidingWindow::Time { size: 10 },
        ..Config::default()
    });
    let count = allocations_during(|| {
        for _ in 0..1_000 {
            breaker.on_result(breaker.try_acquire().unwrap(), Outcome::Success);
        }
    });
    assert_eq!(count, 0);
}

//! Behaviour of the circuit breaker: one integration binary, one module per concern.

mod alloc;
mod breaker;
mod chaos;
mod config;
mod layer;
mod model;
mod registry;
mod sim;
mod throttle;

use std::time::Duration;

use circuit_breaker::{CircuitBreaker, Config, ManualClock, Outcome, SlidingWindow, WaitInOpen};

/// A small, fast-reacting config: judge the last 10 calls once 10 are in, open for 10 s.
pub(crate) fn small_config() -> Config {
    Config {
        minimum_calls: 10,
        sliding_window: SlidingWindow::Count { size: 10 },
        permitted_calls_in_half_open: 3,
        wait_in_open: WaitInOpen::Fixed {
            duration: Duration::from_secs(10),
        },
        slow_call_duration: None,
        ..Config::default()
    }
}

pub(crate) fn manual_breaker(config: Config) -> (CircuitBreaker<ManualClock>, ManualClock) {
    let clock = ManualClock::new();
    let breaker = CircuitBreaker::with_clock("test", config, clock.clone()).expect("valid config");
    (breaker, clock)
}

/// Makes one call that ends with `outcome`; returns whether it was admitted.
pub(crate) fn call<C: circuit_breaker::Clock>(
    breaker: &CircuitBreaker<C>,
    outcome: Outcome,
) -> bool {
    match breaker.try_acquire() {
        Ok(permit) => {
            breaker.on_result(permit, outcome);
            true
        }
        Err(_) => false,
    }
}

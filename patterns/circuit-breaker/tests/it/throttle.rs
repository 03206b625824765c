//! Adaptive throttling: the drop probability follows the SRE book's formula.

use std::time::Duration;

use circuit_breaker::{AdaptiveThrottle, ManualClock, Outcome, Policy, ThrottleConfig};

fn throttle(k: f64) -> (AdaptiveThrottle<ManualClock>, ManualClock) {
    let clock = ManualClock::new();
    let config = ThrottleConfig {
        k,
        window: Duration::from_secs(10),
        buckets: 10,
        seed: 3,
    };
    (
        AdaptiveThrottle::with_clock("backend", config, clock.clone()).unwrap(),
        clock,
    )
}

#[test]
fn a_healthy_backend_is_never_throttled() {
    let (throttle, _clock) = throttle(2.0);
    for _ in 0..10_000 {
        let permit = throttle
            .try_acquire()
            .expect("no drops while every request is accepted");
        throttle.on_result(permit, Outcome::Success);
    }
    assert!(throttle.metrics().reject_probability <= 0.0);
}

#[test]
fn the_probability_matches_the_formula() {
    let (throttle, _clock) = throttle(2.0);
    // 100 accepted, then failures until requests = 400 (some of them dropped locally).
    for _ in 0..100 {
        throttle.on_result(throttle.try_acquire().unwrap(), Outcome::Success);
    }
    for _ in 0..300 {
        if let Ok(permit) = throttle.try_acquire() {
            throttle.on_result(permit, Outcome::Failure);
        }
    }
    let metrics = throttle.metrics();
    assert_eq!((metrics.requests, metrics.accepts), (400, 100));
    let expected = (400.0 - 2.0 * 100.0) / 401.0;
    assert!((metrics.reject_probability - expected).abs() < 1e-12);
}

#[test]
fn a_dead_backend_sheds_the_expected_share_locally() {
    let (throttle, _clock) = throttle(2.0);
    let mut dropped = 0;
    for _ in 0..20_000 {
        match throttle.try_acquire() {
            Ok(permit) => throttle.on_result(permit, Outcome::Failure),
            Err(_) => dropped += 1,
        }
    }
    // With no accepts, p = n / (n + 1) -> 1: all but a handful are dropped.
    assert!(dropped > 19_900, "dropped {dropped}");
}

#[test]
fn counts_expire_with_the_window_and_the_throttle_recovers() {
    let (throttle, clock) = throttle(2.0);
    for _ in 0..1_000 {
        if let Ok(permit) = throttle.try_acquire() {
            throttle.on_result(permit, Outcome::Failure);
        }
    }
    assert!(throttle.metrics().reject_probability > 0.99);
    clock.advance(Duration::from_secs(10));
    let metrics = throttle.metrics();
    assert_eq!((metrics.requests, metrics.accepts), (0, 0));
    assert!(throttle.try_acquire().is_ok());
}

#[test]
fn a_larger_k_tolerates_more_rejections() {
    for (k, accepted_share, throttles) in [(2.0, 0.6, false), (2.0, 0.4, true), (3.0, 0.4, false)] {
        let (throttle, _clock) = throttle(k);
        for i in 0..1_000 {
            let accepted = f64::from(i % 10) < accepted_share * 10.0;
            if let Ok(permit) = throttle.try_acquire() {
                let outcome = if accepted {
                    Outcome::Success
                } else {
                    Outcome::Failure
                };
                throttle.on_result(permit, outcome);
            }
        }
        let p = throttle.metrics().reject_probability;
        assert_eq!(
            p > 0.0,
            throttles,
            "k = {k}, accepted {accepted_share}: p = {p}"
        );
    }
}

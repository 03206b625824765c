//! The state machine, driven by hand on a manual clock.

use std::time::Duration;

use circuit_breaker::{Config, EventKind, Outcome, Reason, SlidingWindow, State, WaitInOpen};

use crate::{call, manual_breaker, small_config};

#[test]
fn opens_once_the_failure_rate_reaches_the_threshold_after_the_minimum_calls() {
    let (breaker, _clock) = manual_breaker(small_config());
    for _ in 0..9 {
        assert!(call(&breaker, Outcome::Failure));
    }
    // Nine failures, but fewer than the minimum of ten calls: nothing is judged yet.
    assert_eq!(breaker.state(), State::Closed);
    assert_eq!(breaker.metrics().failure_rate_percent, None);
    assert!(call(&breaker, Outcome::Failure));
    assert_eq!(breaker.state(), State::Open);
}

#[test]
fn a_rate_just_below_the_threshold_keeps_it_closed() {
    let (breaker, _clock) = manual_breaker(small_config());
    for outcome in [Outcome::Failure; 4]
        .into_iter()
        .chain([Outcome::Success; 6])
    {
        assert!(call(&breaker, outcome));
    }
    assert_eq!(breaker.state(), State::Closed);
    assert_eq!(breaker.metrics().failure_rate_percent, Some(40.0));
    // The eleventh call pushes the oldest failure out: a success keeps it at 40%.
    assert!(call(&breaker, Outcome::Success));
    assert_eq!(breaker.metrics().failure_rate_percent, Some(30.0));
    // The next three failures only replace the three old ones, the fourth a success.
    for _ in 0..4 {
        assert!(call(&breaker, Outcome::Failure));
    }
    assert_eq!(breaker.metrics().failure_rate_percent, Some(40.0));
    assert!(call(&breaker, Outcome::Failure));
    assert_eq!(breaker.state(), State::Open, "5 of the last 10 failed");
}

#[test]
fn open_refuses_until_the_wait_elapses_then_admits_only_the_permitted_probes() {
    let (breaker, clock) = manual_breaker(small_config());
    breaker.transition_to(State::Open);
    clock.advance(Duration::from_millis(9_999));
    let refused = breaker.try_acquire().unwrap_err();
    assert_eq!(refused.reason, Reason::Open);
    clock.advance(Duration::from_millis(1));
    let probes: Vec<_> = (0..3).map(|_| breaker.try_acquire().unwrap()).collect();
    assert_eq!(breaker.state(), State::HalfOpen);
    assert_eq!(
        breaker.try_acquire().unwrap_err().reason,
        Reason::HalfOpenFull
    );
    for probe in probes {
        breaker.on_result(probe, Outcome::Success);
    }
    assert_eq!(breaker.state(), State::Closed);
    assert_eq!(breaker.metrics().not_permitted_calls, 2);
}

#[test]
fn a_failing_probe_round_reopens_with_an_exponentially_growing_wait() {
    let config = Config {
        wait_in_open: WaitInOpen::Exponential {
            initial: Duration::from_secs(1),
            multiplier: 2.0,
            max: Duration::from_secs(5),
            randomization: 0.0,
        },
        ..small_config()
    };
    let (breaker, clock) = manual_breaker(config);
    breaker.transition_to(State::Open);
    for expected_wait in [1, 2, 4, 5, 5] {
        clock.advance(Duration::from_millis(expected_wait * 1_000 - 1));
        assert!(
            breaker.try_acquire().is_err(),
            "still open before {expected_wait} s"
        );
        clock.advance(Duration::from_millis(1));
        for _ in 0..3 {
            assert!(call(&breaker, Outcome::Failure));
        }
        assert_eq!(breaker.state(), State::Open);
    }
}

#[test]
fn released_and_ignored_probes_free_their_slot() {
    let (breaker, clock) = manual_breaker(small_config());
    breaker.transition_to(State::Open);
    clock.advance(Duration::from_secs(10));
    let first = breaker.try_acquire().unwrap();
    let second = breaker.try_acquire().unwrap();
    let third = breaker.try_acquire().unwrap();
    assert!(breaker.try_acquire().is_err());
    breaker.release(first);
    breaker.on_result(second, Outcome::Ignored);
    let again = [
        breaker.try_acquire().unwrap(),
        breaker.try_acquire().unwrap(),
        third,
    ];
    assert!(breaker.try_acquire().is_err());
    for permit in again {
        breaker.on_result(permit, Outcome::Success);
    }
    assert_eq!(breaker.state(), State::Closed);
}

#[test]
fn slow_calls_open_the_circuit_even_when_they_succeed() {
    let config = Config {
        slow_call_duration: Some(Duration::from_secs(1)),
        slow_call_rate_threshold: 50.0,
        ..small_config()
    };
    let (breaker, clock) = manual_breaker(config);
    let timed_call = |millis| {
        let permit = breaker.try_acquire().unwrap();
        clock.advance(Duration::from_millis(millis));
        breaker.on_result(permit, Outcome::Success);
    };
    for i in 0..9 {
        timed_call(if i % 2 == 0 { 1_000 } else { 999 });
    }
    let metrics = breaker.metrics();
    assert_eq!((metrics.slow_calls, metrics.failed_calls), (5, 0));
    assert_eq!(
        breaker.state(),
        State::Closed,
        "fewer than the minimum calls"
    );
    timed_call(999);
    assert_eq!(
        breaker.state(),
        State::Open,
        "5 slow calls of 10 reach the 50% threshold"
    );
}

#[test]
fn a_time_window_forgets_failures_older_than_its_size() {
    let config = Config {
        sliding_window: SlidingWindow::Time { size: 5 },
        minimum_calls: 4,
        ..small_config()
    };
    let (breaker, clock) = manual_breaker(config);
    for _ in 0..3 {
        assert!(call(&breaker, Outcome::Failure));
    }
    clock.advance(Duration::from_secs(5));
    for _ in 0..4 {
        assert!(call(&breaker, Outcome::Success));
    }
    assert_eq!(breaker.metrics().calls, 4, "the failures left the window");
    assert!(call(&breaker, Outcome::Failure));
    assert!(call(&breaker, Outcome::Failure));
    assert_eq!(breaker.state(), State::Closed, "2 of 6 is under 50%");
    for _ in 0..2 {
        assert!(call(&breaker, Outcome::Failure));
    }
    assert_eq!(breaker.state(), State::Open, "4 of 8");
}

#[test]
fn half_open_gives_up_after_its_maximum_wait() {
    for after in [State::Open, State::Closed] {
        let config = Config {
            max_wait_in_half_open: Some(Duration::from_secs(3)),
            state_after_max_wait_in_half_open: after,
            ..small_config()
        };
        let (breaker, clock) = manual_breaker(config);
        breaker.transition_to(State::HalfOpen);
        let _stuck = breaker.try_acquire().unwrap();
        clock.advance(Duration::from_secs(3));
        breaker.tick();
        assert_eq!(breaker.state(), after);
    }
}

#[test]
fn operator_states_hold_until_an_operator_leaves_them() {
    let (breaker, _clock) = manual_breaker(small_config());
    breaker.transition_to(State::ForcedOpen);
    assert_eq!(
        breaker.try_acquire().unwrap_err().reason,
        Reason::ForcedOpen
    );

    breaker.transition_to(State::Disabled);
    for _ in 0..20 {
        assert!(call(&breaker, Outcome::Failure));
    }
    assert_eq!(breaker.metrics().calls, 0, "disabled records nothing");

    breaker.transition_to(State::MetricsOnly);
    let mut events = breaker.subscribe();
    for _ in 0..20 {
        assert!(call(&breaker, Outcome::Failure));
    }
    assert_eq!(breaker.state(), State::MetricsOnly);
    assert_eq!(breaker.metrics().failed_calls, 10);
    assert!(matches!(
        events.try_recv().unwrap().kind,
        EventKind::FailureRateExceeded { rate_percent } if rate_percent >= 100.0
    ));

    breaker.reset();
    assert_eq!(breaker.state(), State::Closed);
    assert_eq!(breaker.metrics().calls, 0);
}

#[test]
fn events_report_transitions_and_refusals_in_order() {
    let (breaker, clock) = manual_breaker(small_config());
    let mut events = breaker.subscribe();
    for _ in 0..10 {
        call(&breaker, Outcome::Failure);
    }
    assert!(!call(&breaker, Outcome::Success));
    clock.advance(Duration::from_secs(10));
    for _ in 0..3 {
        call(&breaker, Outcome::Success);
    }
    let kinds: Vec<_> = std::iter::from_fn(|| events.try_recv().ok())
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            EventKind::FailureRateExceeded {
                rate_percent: 100.0
            },
            EventKind::StateTransition {
                from: State::Closed,
                to: State::Open
            },
            EventKind::CallNotPermitted {
                reason: Reason::Open
            },
            EventKind::StateTransition {
                from: State::Open,
                to: State::HalfOpen
            },
            EventKind::StateTransition {
                from: State::HalfOpen,
                to: State::Closed
            },
        ]
    );
}

#[test]
fn outcomes_from_before_a_transition_are_dropped() {
    let (breaker, _clock) = manual_breaker(small_config());
    let late: Vec<_> = (0..10).map(|_| breaker.try_acquire().unwrap()).collect();
    breaker.transition_to(State::ForcedOpen);
    breaker.transition_to(State::Closed);
    for permit in late {
        breaker.on_result(permit, Outcome::Failure);
    }
    assert_eq!(breaker.metrics().calls, 0);
    assert_eq!(breaker.state(), State::Closed);
}

#[test]
fn ignored_outcomes_are_not_recorded() {
    let (breaker, _clock) = manual_breaker(small_config());
    for _ in 0..50 {
        call(&breaker, Outcome::Ignored);
    }
    assert_eq!(breaker.metrics().calls, 0);
    assert_eq!(breaker.state(), State::Closed);
}

#[test]
fn exponential_jitter_stays_within_its_band_and_under_the_cap() {
    let wait = WaitInOpen::Exponential {
        initial: Duration::from_secs(2),
        multiplier: 3.0,
        max: Duration::from_secs(30),
        randomization: 0.5,
    };
    assert_eq!(wait.wait(0, 0.0), Duration::from_secs(1));
    assert_eq!(wait.wait(0, 0.5), Duration::from_secs(2));
    assert_eq!(wait.wait(1, 0.5), Duration::from_secs(6));
    assert_eq!(
        wait.wait(5, 0.0),
        Duration::from_secs(30),
        "486 s * 0.5 is capped"
    );
    assert_eq!(
        wait.wait(u32::MAX, 0.9),
        Duration::from_secs(30),
        "no overflow"
    );
}

#[test]
fn probes_that_never_answer_grow_the_exponential_wait() {
    let config = Config {
        max_wait_in_half_open: Some(Duration::from_secs(1)),
        wait_in_open: WaitInOpen::Exponential {
            initial: Duration::from_secs(1),
            multiplier: 2.0,
            max: Duration::from_mins(1),
            randomization: 0.0,
        },
        ..small_config()
    };
    let (breaker, clock) = manual_breaker(config);
    breaker.transition_to(State::Open);
    clock.advance(Duration::from_secs(1));
    let _hung = breaker.try_acquire().unwrap();
    clock.advance(Duration::from_secs(1));
    breaker.tick();
    assert_eq!(breaker.state(), State::Open);
    clock.advance(Duration::from_millis(1_999));
    assert!(
        breaker.try_acquire().is_err(),
        "the second wait is 2 s, not 1 s"
    );
    clock.advance(Duration::from_millis(1));
    assert!(breaker.try_acquire().is_ok());
}

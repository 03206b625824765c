//! Plan validation: every bad input is an error that names the phase, the field and the rule.

use std::time::Duration;

use chaos::{FaultPlan, FaultSpec, Injection, PlanError, Until};
use proptest::prelude::*;

fn with_error_probability(error_probability: f64) -> FaultSpec {
    FaultSpec {
        error_probability,
        ..FaultSpec::healthy()
    }
}

#[test]
fn an_error_probability_above_one_is_rejected_by_name() {
    let err = FaultPlan::constant(with_error_probability(1.5)).expect_err("1.5 > 1");
    assert_eq!(
        err,
        PlanError::ProbabilityOutOfRange {
            phase: 0,
            field: "error_probability",
            value: 1.5,
        }
    );
    assert_eq!(
        err.to_string(),
        "phase 0: error_probability must be a probability in [0, 1], got 1.5"
    );
}

#[test]
fn a_nan_latency_probability_is_rejected_in_the_phase_it_is_in() {
    let nan = FaultSpec {
        latency_probability: f64::NAN,
        ..FaultSpec::healthy()
    };
    let err = FaultPlan::builder()
        .phase(FaultSpec::healthy(), Until::Calls(1))
        .forever(nan)
        .expect_err("NaN is no probability");
    assert!(
        matches!(
            err,
            PlanError::ProbabilityOutOfRange { phase: 1, field: "latency_probability", value }
                if value.is_nan()
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("latency_probability"));
}

#[test]
fn a_zero_call_phase_is_rejected() {
    let err = FaultPlan::builder()
        .phase(FaultSpec::healthy(), Until::Calls(2))
        .phase(FaultSpec::failing(), Until::Calls(0))
        .forever(FaultSpec::healthy())
        .expect_err("a phase that never handles a call");
    assert_eq!(err, PlanError::ZeroCalls { phase: 1 });
    assert_eq!(
        err.to_string(),
        "phase 1: until must be Until::Calls(n) with n >= 1, got Until::Calls(0)"
    );
}

#[test]
fn a_zero_duration_phase_is_rejected() {
    let err = FaultPlan::builder()
        .phase(FaultSpec::failing(), Until::Elapsed(Duration::ZERO))
        .forever(FaultSpec::healthy())
        .expect_err("a phase that ends as it starts");
    assert_eq!(err, PlanError::ZeroDuration { phase: 0 });
    assert!(err.to_string().contains("until must be Until::Elapsed"));
}

#[test]
fn a_delay_must_fit_in_u64_nanoseconds() {
    let delaying = |latency: Duration, latency_jitter: Duration| {
        FaultPlan::constant(FaultSpec {
            latency,
            latency_jitter,
            latency_probability: 1.0,
            ..FaultSpec::healthy()
        })
    };
    let longest = Duration::from_nanos(u64::MAX - 1);
    assert!(delaying(longest, Duration::ZERO).is_ok());
    assert!(delaying(Duration::from_nanos(u64::MAX - 2), Duration::from_nanos(1)).is_ok());

    let err = delaying(longest, Duration::from_nanos(1)).expect_err("u64::MAX ns is too long");
    assert_eq!(err, PlanError::DelayTooLong { phase: 0 });
    assert!(err.to_string().contains("latency + latency_jitter"));
    assert_eq!(
        delaying(Duration::MAX, Duration::MAX),
        Err(PlanError::DelayTooLong { phase: 0 }),
        "a sum that overflows Duration itself is an error, not a panic"
    );
}

#[test]
fn the_first_invalid_phase_is_reported() {
    let err = FaultPlan::builder()
        .phase(FaultSpec::healthy(), Until::Calls(0))
        .forever(with_error_probability(-0.1))
        .expect_err("two bad phases");
    assert_eq!(err, PlanError::ZeroCalls { phase: 0 });
}

#[test]
fn each_kind_of_injection_names_its_own_probability() {
    let kinds = [
        (Injection::error(), "error_probability"),
        (
            Injection::latency(Duration::ZERO, Duration::ZERO),
            "latency_probability",
        ),
        (Injection::timeout(Duration::ZERO), "timeout_probability"),
        (Injection::drop_response(Duration::ZERO), "drop_probability"),
    ];
    for (injection, name) in kinds {
        let err = FaultPlan::builder()
            .phase(FaultSpec::healthy(), Until::Calls(1))
            .forever([Injection::error(), injection.with_probability(-0.5)])
            .expect_err("a negative probability");
        assert_eq!(
            err,
            PlanError::ProbabilityOutOfRange {
                phase: 1,
                field: name,
                value: -0.5,
            }
        );
        assert_eq!(
            err.to_string(),
            format!("phase 1: {name} must be a probability in [0, 1], got -0.5")
        );
    }
}

#[test]
fn a_cap_of_zero_is_rejected() {
    let err = FaultPlan::constant(Injection::drop_response(Duration::ZERO).at_most(0))
        .expect_err("an injection that can never fire");
    assert_eq!(err, PlanError::ZeroCount { phase: 0 });
    assert_eq!(
        err.to_string(),
        "phase 0: at_most must be at least 1, got 0 (an injection that can never fire)"
    );
    assert!(FaultPlan::constant(Injection::error().at_most(1)).is_ok());
}

#[test]
fn an_injected_latency_must_fit_in_u64_nanoseconds_too() {
    let err = FaultPlan::constant(Injection::latency(Duration::MAX, Duration::ZERO))
        .expect_err("too long");
    assert_eq!(err, PlanError::DelayTooLong { phase: 0 });
}

fn out_of_range() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        (1.0_f64..f64::MAX).prop_filter("above one", |p| *p > 1.0),
        (f64::MIN..0.0_f64),
    ]
}

proptest! {
    #[test]
    fn every_probability_in_the_unit_interval_is_accepted(
        error in 0.0_f64..=1.0,
        latency in 0.0_f64..=1.0,
    ) {
        let spec = FaultSpec {
            error_probability: error,
            latency_probability: latency,
            ..FaultSpec::healthy()
        };
        prop_assert!(FaultPlan::constant(spec).is_ok());
    }

    #[test]
    fn every_probability_outside_it_is_rejected(p in out_of_range()) {
        let err = FaultPlan::constant(with_error_probability(p));
        let is_named = matches!(
            err,
            Err(PlanError::ProbabilityOutOfRange { phase: 0, field: "error_probability", .. })
        );
        prop_assert!(is_named, "{:?}", err);
    }
}

//! The tower adapter: refusals in the future, classification, cancellation.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use circuit_breaker::{
    AdaptiveThrottle, CallNotPermitted, CircuitBreaker, CircuitBreakerLayer, Outcome, Reason,
    State, ThrottleConfig,
};
use tower::{BoxError, Service, ServiceBuilder, ServiceExt};

use crate::small_config;

#[tokio::test(start_paused = true)]
async fn an_open_circuit_fails_calls_without_reaching_the_service() {
    let breaker = Arc::new(CircuitBreaker::new("svc", small_config()).unwrap());
    let reached = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&reached);
    let mut service = ServiceBuilder::new()
        .layer(CircuitBreakerLayer::new(Arc::clone(&breaker)))
        .service_fn(move |()| {
            counter.fetch_add(1, Ordering::Relaxed);
            async { Err::<(), _>("down") }
        });
    for _ in 0..10 {
        service.ready().await.unwrap().call(()).await.unwrap_err();
    }
    assert_eq!(breaker.state(), State::Open);
    let error = service.ready().await.unwrap().call(()).await.unwrap_err();
    let refused = error.downcast_ref::<CallNotPermitted>().unwrap();
    assert_eq!(refused.reason, Reason::Open);
    assert_eq!(&*refused.name, "svc");
    assert_eq!(reached.load(Ordering::Relaxed), 10);
}

#[tokio::test(start_paused = true)]
async fn the_classifier_decides_what_counts() {
    let breaker = Arc::new(CircuitBreaker::new("http", small_config()).unwrap());
    // A 404 says nothing about the dependency's health; a 503 does.
    let classify = |result: &Result<u16, BoxError>| match result {
        Ok(status) if *status >= 500 => Outcome::Failure,
        Ok(404) => Outcome::Ignored,
        Ok(_) => Outcome::Success,
        Err(_) => Outcome::Failure,
    };
    let mut service = ServiceBuilder::new()
        .layer(CircuitBreakerLayer::new(Arc::clone(&breaker)).with_classifier(classify))
        .service_fn(|status: u16| async move { Ok::<_, BoxError>(status) });
    for _ in 0..20 {
        assert_eq!(service.ready().await.unwrap().call(404).await.unwrap(), 404);
    }
    assert_eq!(breaker.metrics().calls, 0);
    for _ in 0..10 {
        assert_eq!(service.ready().await.unwrap().call(503).await.unwrap(), 503);
    }
    assert_eq!(
        breaker.state(),
        State::Open,
        "503s are failures even though they are Ok"
    );
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_probe_hands_its_permit_back() {
    let breaker = Arc::new(CircuitBreaker::new("slow", small_config()).unwrap());
    breaker.transition_to(State::HalfOpen);
    let mut service = ServiceBuilder::new()
        .layer(CircuitBreakerLayer::new(Arc::clone(&breaker)))
        .service_fn(|wait: u64| async move {
            tokio::time::sleep(Duration::from_secs(wait)).await;
            Ok::<_, BoxError>(())
        });
    for _ in 0..3 {
        let call = service.ready().await.unwrap().call(3_600);
        // The caller gives up after a second: the probe's permit must come back.
        assert!(
            tokio::time::timeout(Duration::from_secs(1), call)
                .await
                .is_err()
        );
    }
    for _ in 0..3 {
        service.ready().await.unwrap().call(0).await.unwrap();
    }
    assert_eq!(breaker.state(), State::Closed);
}

#[tokio::test(start_paused = true)]
async fn the_layer_takes_any_policy() {
    let config = ThrottleConfig {
        seed: 1,
        ..ThrottleConfig::default()
    };
    let throttle = Arc::new(AdaptiveThrottle::new("backend", config).unwrap());
    let mut service = ServiceBuilder::new()
        .layer(CircuitBreakerLayer::new(Arc::clone(&throttle)))
        .service_fn(|()| async { Err::<(), _>("overloaded") });
    let mut throttled = 0;
    for _ in 0..1_000 {
        let error = service.ready().await.unwrap().call(()).await.unwrap_err();
        if error
            .downcast_ref::<CallNotPermitted>()
            .is_some_and(|e| e.reason == Reason::Throttled)
        {
            throttled += 1;
        }
    }
    assert!(throttled > 900, "throttled {throttled}");
}

#[test]
fn a_panicking_inner_service_hands_its_probe_permit_back() {
    let breaker = Arc::new(CircuitBreaker::new("panics", small_config()).unwrap());
    breaker.transition_to(State::HalfOpen);
    let layer = CircuitBreakerLayer::new(Arc::clone(&breaker));
    let mut service = tower::Layer::layer(
        &layer,
        tower::service_fn(|explode: bool| {
            assert!(!explode, "the inner service panics in `call`");
            std::future::ready(Ok::<_, BoxError>(()))
        }),
    );
    for _ in 0..3 {
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            drop(service.call(true));
        }));
        assert!(unwound.is_err());
    }
    // All three probe permits came back: three healthy probes can still close it.
    for _ in 0..3 {
        let permit = breaker.try_acquire().expect("a probe permit is free");
        breaker.on_result(permit, Outcome::Success);
    }
    assert_eq!(breaker.state(), State::Closed);
}

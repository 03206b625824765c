//! The fault layer's path for a call it lets through, or fails with an error, allocates
//! nothing: proven with a counting global allocator.

use std::convert::Infallible;
use std::future::{Future, Ready, ready};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use chaos::{FaultLayer, FaultPlan, FaultSpec, Faults, Injection, Seed};
use tower::{Layer, Service, service_fn};

/// Allocations made by the current thread while `work` runs (the dev-dependency
/// `allocation-counter` installs a counting global allocator in this test binary).
fn allocations_during(work: impl FnOnce()) -> u64 {
    allocation_counter::measure(work).count_total
}

fn echo(n: u64) -> Ready<Result<u64, Infallible>> {
    ready(Ok(n))
}

/// Makes 10,000 calls through a layer following `faults`, polling each once; returns the
/// allocations and how many calls were answered.
fn calls_through(faults: impl Into<Faults>) -> (u64, u64) {
    let plan = FaultPlan::constant(faults).expect("a valid plan");
    let layer = FaultLayer::new(plan, Seed::new(1).stream("alloc"));
    let mut service = layer.layer(service_fn(echo));
    let mut context = Context::from_waker(Waker::noop());
    let mut answered = 0;
    let count = allocations_during(|| {
        for n in 0..10_000 {
            assert!(service.poll_ready(&mut context).is_ready());
            match pin!(service.call(n)).poll(&mut context) {
                Poll::Ready(Ok(m)) => answered += u64::from(m == n),
                Poll::Ready(Err(_)) => {}
                Poll::Pending => panic!("nothing here waits"),
            }
        }
    });
    (count, answered)
}

#[test]
fn a_call_let_through_allocates_nothing() {
    assert_eq!(calls_through(Faults::none()), (0, 10_000));
    // A spec whose injections are consulted, drawn and missed on every call.
    assert_eq!(calls_through(FaultSpec::healthy()), (0, 10_000));
}

#[test]
fn an_injected_error_allocates_nothing_either() {
    // `InjectedFault` is zero-sized, so boxing it as a `BoxError` allocates nothing.
    let (count, answered) = calls_through(Injection::error().with_probability(0.5));
    assert_eq!(count, 0);
    assert!((1..10_000).contains(&answered), "{answered} answered");
}

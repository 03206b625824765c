//! # circuit-breaker
//!
//! A circuit breaker stops a service from calling a dependency that is failing. It watches
//! the outcomes of recent calls; when too many fail (or are too slow) it *opens*, and calls
//! fail at once, locally, without waiting on a timeout and without adding load to a
//! dependency that is trying to recover. After a wait it goes *half-open* and lets a few
//! probe calls through; their outcomes decide whether it closes again or reopens.
//!
//! This crate follows the semantics of resilience4j's circuit breaker — count- and
//! time-based sliding windows, failure- and slow-call-rate thresholds, a minimum number of
//! calls, bounded half-open probes, fixed or exponential waits, and the operator states
//! `Disabled`, `MetricsOnly` and `ForcedOpen` — with resilience4j's defaults, so a
//! configuration carries over. It adds Google SRE's client-side adaptive throttling as a
//! second [`Policy`].
//!
//! ## When to use it, and when not
//!
//! Use it on every call to a remote dependency whose failure should not become yours: a
//! breaker per downstream host (see [`Registry`]) turns a slow, failing dependency into
//! fast, cheap errors that a fallback can handle. Do not use it to paper over a
//! dependency that is merely slow under normal load (that is a capacity problem; see the
//! bulkhead and backpressure crates), or around calls that cannot fail remotely.
//! [`AdaptiveThrottle`] suits a dependency that sheds load by rejecting part of it:
//! instead of an all-or-nothing switch it drops a proportion of calls locally.
//!
//! ## Shape
//!
//! [`CircuitBreaker`] is a sans-IO state machine: it never spawns, sleeps or reads a clock
//! of its own ([`Clock`] is injected; [`ManualClock`] makes it deterministic). Admitting a
//! call and recording a success on a healthy dependency take no lock and no allocation.
//! [`CircuitBreakerLayer`] is a thin tower adapter over any [`Policy`], so it fits tonic
//! and axum stacks. Refused calls fail with [`CallNotPermitted`].
//!
//! ## Example
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//!
//! use circuit_breaker::{CallNotPermitted, CircuitBreaker, CircuitBreakerLayer, Config, SlidingWindow, State};
//! use tower::{Service, ServiceBuilder, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! let config = Config {
//!     minimum_calls: 4,
//!     sliding_window: SlidingWindow::Count { size: 4 },
//!     ..Config::default()
//! };
//! let breaker = Arc::new(CircuitBreaker::new("inventory", config).unwrap());
//! let mut service = ServiceBuilder::new()
//!     .layer(CircuitBreakerLayer::new(Arc::clone(&breaker)))
//!     .service_fn(|healthy: bool| async move {
//!         if healthy { Ok("stock: 3") } else { Err("inventory unavailable") }
//!     });
//!
//! // Half of four calls fail: the failure rate reaches the 50% threshold and the circuit opens.
//! for healthy in [true, false, true, false] {
//!     let _ = service.ready().await.unwrap().call(healthy).await;
//! }
//! assert_eq!(breaker.state(), State::Open);
//!
//! // While open, calls fail at once without reaching the dependency.
//! let error = service.ready().await.unwrap().call(true).await.unwrap_err();
//! assert!(error.downcast_ref::<CallNotPermitted>().is_some());
//!
//! // After the wait (60 s by default) probes are let through, and healthy probes close it.
//! tokio::time::advance(Duration::from_secs(60)).await;
//! for _ in 0..10 {
//!     service.ready().await.unwrap().call(true).await.unwrap();
//! }
//! assert_eq!(breaker.state(), State::Closed);
//! # }
//! ```
//!
//! ## Episodes
//!
//! - E06, *Resilience Patterns — The Iron Laws of System Defense*: the state machine.
//! - E13, *Gold Tier Resilience Patterns*: sliding windows, slow calls, half-open probes.
//! - E19-netflix, *Netflix Streaming Empire*: Hystrix's breaker per dependency, the
//!   [`Registry`].

mod breaker;
mod clock;
mod config;
mod error;
mod event;
mod future;
mod layer;
mod policy;
mod registry;
mod rng;
mod service;
mod state;
mod throttle;
mod window;

pub use breaker::{CircuitBreaker, Permit};
pub use clock::{Clock, ManualClock, TokioClock};
pub use config::{Config, EVENT_CAPACITY_MAX, SlidingWindow, WINDOW_SIZE_MAX, WaitInOpen};
pub use error::{CallNotPermitted, Error, Reason};
pub use event::{Event, EventKind, Metrics};
pub use future::ResponseFuture;
pub use layer::CircuitBreakerLayer;
pub use policy::{Classify, ErrorIsFailure, Outcome, Policy, PolicyHandle};
pub use registry::Registry;
pub use service::CircuitBreakerService;
pub use state::State;
pub use throttle::{
    AdaptiveThrottle, THROTTLE_BUCKETS_MAX, THROTTLE_WINDOW_MAX, ThrottleConfig, ThrottleMetrics,
    ThrottlePermit,
};

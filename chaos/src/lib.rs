//! Deterministic fault injection for tests.
//!
//! `chaos` is the toolkit the workspace's tests use to make dependencies misbehave on purpose,
//! reproducibly:
//!
//! - [`Seed`] is a test run's root of randomness. [`Seed::from_env_or_random`] reads
//!   `CHAOS_SEED` or draws a fresh seed; printing it (`CHAOS_SEED={seed}`) lets anyone replay a
//!   failing run. [`Seed::stream`] derives an independent [`Rng`] per named fault site, so
//!   adding a site never changes the faults another site sees.
//! - [`Rng`] is a small, fast, seeded generator (`xoshiro256**` seeded by `SplitMix64`), written
//!   here so a seed means the same sequence everywhere and forever.
//! - [`FaultLayer`] is tower middleware that injects errors ([`InjectedFault`]) and latency into
//!   any service's calls, following a [`FaultPlan`]: phases of [`FaultSpec`]s, each lasting a
//!   number of calls or a length of time ([`Until`]), the last one forever.
//!   [`FaultLayer::stats_handle`] reports what was injected ([`FaultStats`]).
//!
//! # Determinism
//!
//! Which calls fail or are delayed, and by how much, depends only on the seed, the site name,
//! the plan, the order of the calls and the `tokio::time` clock when each call is made. Time is
//! read from `tokio::time`, so under paused test time (`#[tokio::test(start_paused = true)]`)
//! injected latency costs no wall-clock time and `tokio::time::advance` moves the plan from
//! phase to phase exactly.
//!
//! # Example
//!
//! A backend that is down for 30 seconds, then recovers:
//!
//! ```
//! use std::time::Duration;
//!
//! use chaos::{FaultLayer, FaultPlan, FaultSpec, InjectedFault, Seed, Until};
//! use tower::{BoxError, Layer, Service, ServiceExt, service_fn};
//!
//! fn main() -> Result<(), BoxError> {
//!     // Printed so a failing run can be replayed with this value in CHAOS_SEED.
//!     let seed = Seed::from_env_or_random()?;
//!     eprintln!("CHAOS_SEED={seed}");
//!
//!     let plan = FaultPlan::builder()
//!         .phase(FaultSpec::failing(), Until::Elapsed(Duration::from_secs(30)))
//!         .forever(FaultSpec::healthy())?;
//!     let layer = FaultLayer::new(plan, seed.stream("backend"));
//!     let stats = layer.stats_handle();
//!     let mut backend = layer.layer(service_fn(|n: u32| async move { Ok::<_, BoxError>(n + 1) }));
//!
//!     // Paused time: `advance` moves the clock at once instead of waiting.
//!     let runtime = tokio::runtime::Builder::new_current_thread()
//!         .enable_time()
//!         .start_paused(true)
//!         .build()?;
//!     runtime.block_on(async {
//!         let error = backend.ready().await?.call(1).await.expect_err("backend is down");
//!         assert!(error.is::<InjectedFault>());
//!
//!         tokio::time::advance(Duration::from_secs(30)).await;
//!         assert_eq!(backend.ready().await?.call(1).await?, 2);
//!         Ok::<_, BoxError>(())
//!     })?;
//!
//!     assert_eq!(stats.snapshot().errors_injected, 1);
//!     Ok(())
//! }
//! ```

mod fault;
mod rng;
mod seed;

pub use fault::{
    FaultFuture, FaultLayer, FaultPlan, FaultPlanBuilder, FaultService, FaultSpec, FaultStats,
    FaultStatsHandle, InjectedFault, PlanError, Until,
};
pub use rng::Rng;
pub use seed::{Seed, SeedError};

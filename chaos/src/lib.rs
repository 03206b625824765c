//! Deterministic fault injection for tests.
//!
//! `chaos` is the toolkit the workspace's tests use to make dependencies misbehave on purpose,
//! reproducibly:
//!
//! - [`Seed`] is a test run's root of randomness. [`Seed::from_env_or_random`] reads
//!   `CHAOS_SEED` or draws a fresh seed; printing it (`CHAOS_SEED={seed}`) lets anyone replay a
//!   failing run. [`Seed::stream`] derives an independent [`Rng`] per named fault site, so
//!   adding a site never changes the faults another site sees.
//! - [`test_seed!`] gives a test its [`TestSeed`]: printed at the start, and if the test
//!   panics, turned into the command that replays it (`CHAOS_SEED=... cargo test -p ... --
//!   name --exact`). [`TestSeed::sweep`] and [`TestSeed::sweep_async`] run a test body under
//!   many seeds and name the seed of the first failing case.
//! - [`Rng`] is a small, fast, seeded generator (`xoshiro256**` seeded by `SplitMix64`), written
//!   here so a seed means the same sequence everywhere and forever.
//! - [`FaultLayer`] is tower middleware that injects faults into any service's calls,
//!   following a [`FaultPlan`]: phases, each lasting a number of calls or a length of time
//!   ([`Until`]), the last one forever. A phase's [`Faults`] are [`Injection`]s, each with a
//!   probability and a cap on its count: errors ([`InjectedFault`]), latency with jitter,
//!   timeouts ([`InjectedTimeout`]: the request never arrives) and dropped responses
//!   ([`ResponseDropped`]: the request did its work, the caller cannot know). [`FaultSpec`]
//!   writes the common errors-and-latency phase as plain fields.
//!   [`FaultLayer::stats_handle`] reports what was injected ([`FaultStats`]).
//! - With the `failpoints` feature, `Failpoints` is a per-test registry of named failpoints
//!   that code under test marks with [`fail_point!`] (which expands to nothing without the
//!   feature): return an error, panic, sleep, or pause until released, each with a
//!   probability and a cap. Pattern crates depend on `chaos` for it only through a feature of
//!   their own (the recipe is in the `Failpoints` docs).
//! - With the `sim` feature, `sim::Simulation` runs hosts on turmoil's simulated network in
//!   simulated time, seeded: partitions, holds, crashes and restarts, and a nemesis
//!   [`Schedule`] played against the hosts.
//! - [`Recorder`] records a Jepsen-style [`History`] while clients run: each process's
//!   invocations and their completions (`ok`, `fail`, or `info` when the outcome is unknown),
//!   in real-time order, thread-safe, usable from async code, within a fixed capacity.
//!   [`History::read_jsonl`] and [`History::write_jsonl`] use one JSON [`Event`] per line:
//!   `{"process": 0, "type": "invoke", "f": "cas", "key": "k", "value": [1, 2]}`.
//!   [`Workload`] is the client side: a seeded stream of reads, writes and compare-and-sets
//!   over one register or many keys, bounded in count and time.
//! - [`Checker`] decides whether a history is linearizable, for a register ([`Model::Register`])
//!   or a map of registers checked key by key ([`Model::Kv`]), within a step budget. Its
//!   [`Report`] carries a witness order, or a [`Counterexample`]: the longest linearizable
//!   prefix and the operations that cannot follow it. `lab chaos check FILE` runs it on a file.
//!   Thousands of operations from five or ten processes take milliseconds; many indeterminate
//!   operations or dozens of concurrent processes can exhaust the budget, which gives an
//!   undecided verdict, never a wrong one.
//! - [`Schedule`] is a nemesis: a seeded, sans-IO timeline of [`TimedFault`]s, bounded in time
//!   and count, drawn from Jepsen's [`Nemesis`] kinds (partitions into halves, random halves,
//!   a majorities ring, a bridge, one isolated node; kills and pauses). A [`Fault`] is plain
//!   data for the harness to apply: `Partition` (a set of cut links, see [`Partition`]),
//!   `Heal`, `Kill` / `Restart` and `Pause` / `Resume` of a [`NodeId`].
//! - With the `proxy` feature, `ChaosProxy` is a TCP chaos proxy on real sockets, with
//!   Toxiproxy's toxics (latency, bandwidth, `slow_close`, timeout, `reset_peer`, slicer,
//!   `limit_data`; per direction, with a seeded toxicity) as RAII guards, enable and disable,
//!   and partitions of a `Mesh` of proxies that heal on drop. `ApiServer` serves a `Proxies`
//!   set over Toxiproxy's HTTP API (version 2), so Toxiproxy's clients drive it too;
//!   `lab chaos proxy` runs one.
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

mod check;
pub mod experiment;
mod failpoint;
mod fault;
mod history;
mod nemesis;
#[cfg(feature = "proxy")]
mod proxy;
mod rng;
mod seed;
#[cfg(feature = "sim")]
pub mod sim;

pub use check::{
    Candidate, CasFailure, Checker, Counterexample, Exhausted, Linearization, Model, Report,
    Verdict,
};
#[cfg(feature = "failpoints")]
pub use failpoint::{FAILPOINTS_MAX, Fail, FailpointError, FailpointHandle, Failpoints};
pub use fault::{
    FaultFuture, FaultLayer, FaultPlan, FaultPlanBuilder, FaultService, FaultSpec, FaultStats,
    FaultStatsHandle, Faults, InjectedFault, InjectedTimeout, Injection, PlanError,
    ResponseDropped, Until,
};
pub use history::{
    Call, Event, EventKind, Function, History, HistoryError, KEYS_MAX, Op, Operation, Outcome,
    PendingRead, PendingUpdate, Recorder, Value, Workload, WorkloadConfig,
};
pub use nemesis::{
    Fault, NODES_MAX, Nemesis, NemesisError, NodeId, Partition, Schedule, ScheduleConfig, Targets,
    TimedFault,
};
#[cfg(feature = "proxy")]
pub use proxy::{
    API_CONNECTIONS_MAX, API_VERSION, ApiServer, ChaosProxy, Cut, Direction, LISTEN_DEFAULT, Mesh,
    NAME_BYTES_MAX, PartitionGuard, Proxies, ProxyConfig, ProxyError, RATE_KB_PER_S_MAX,
    REQUEST_BODY_BYTES_MAX, TOXIC_MS_MAX, Toxic, ToxicGuard, ToxicKind,
};
pub use rng::Rng;
pub use seed::{SWEEP_CASES_MAX, Seed, SeedError, SweepError, TestSeed};

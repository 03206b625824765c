//! Chaos experiments: a hypothesis about steady state, faults over time, and a verdict.
//!
//! The shape follows the Chaos Toolkit's experiments (and the Principles of Chaos
//! Engineering): define the system's *steady state* as measurements within tolerances,
//! check it, inject faults (the *method*), check it again, and undo the faults (the
//! *rollbacks*). The runner writes a [`Journal`] of everything it measured; a deviation is
//! a finding, not a crash.
//!
//! An [`Experiment`] is read from TOML; a [`Target`] knows how to take the measurements it
//! names and apply its actions (Toxiproxy's vocabulary: add and remove toxics, disable and
//! enable proxies). `lab chaos run FILE` runs the workspace's own services as a target.
//!
//! ```toml
//! title = "The front end stays fast while its dependency is slow"
//! seed = 7
//!
//! [steady_state]
//! title = "Requests succeed within 50 ms"
//! probes = [
//!     { measure = "success_ratio", tolerance = { min = 0.99 } },
//!     { measure = "latency_p99_ms", tolerance = { max = 50 } },
//! ]
//!
//! [[method]]
//! name = "the dependency answers a second late"
//! pause_after = "2s"
//! action = { kind = "add_toxic", proxy = "dependency", toxic = { type = "latency", attributes = { latency = 1000 } } }
//!
//! [[method]]
//! name = "front-end p99 during the slowdown"
//! probe = { measure = "latency_p99_ms", tolerance = { max = 150 } }
//!
//! [[rollbacks]]
//! name = "remove the latency"
//! action = { kind = "remove_toxic", proxy = "dependency", toxic = "latency_downstream" }
//! ```
//!
//! # Outcomes
//!
//! [`Status::Completed`]: the steady state held throughout. [`Status::Deviated`]: a probe
//! left its tolerance during or after the method. [`Status::Failed`]: the steady state did not
//! hold to begin with, so the method never ran. [`Status::Aborted`]: an action failed; the
//! rollbacks still ran.

mod format;
mod run;

pub use format::{
    ACTIVITIES_MAX, Action, Activity, Experiment, ExperimentError, PAUSE_MAX, PROBES_MAX, Probe,
    SteadyState, Tolerance, ToxicSpec,
};
pub use run::{ActivityRecord, HypothesisRecord, Journal, Status, Target, run};

//! Nemeses: what to break in a distributed system, and when, as plain data.
//!
//! Sans-IO: a [`Schedule`] is an iterator of [`TimedFault`]s, decided from a seed and a
//! [`ScheduleConfig`]; whatever runs the system (a simulator, a test harness, a proxy) applies
//! each [`Fault`] at its time. The kinds of fault follow Jepsen's definitions.

mod fault;
mod schedule;

pub use fault::{Fault, NodeId, Partition, TimedFault};
pub use schedule::{NODES_MAX, Nemesis, NemesisError, Schedule, ScheduleConfig, Targets};

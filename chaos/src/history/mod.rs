//! Jepsen-style histories: what concurrent clients called and what came back, in real time.
//!
//! An [`Event`] is one call (`invoke`) or one completion (`ok`, `fail`, `info`) by one process.
//! A [`History`] is a validated list of them, paired into [`Operation`]s; a [`Recorder`] builds
//! one while clients run, a [`Workload`] tells the clients what to do, bounded in count and
//! time, and [`History::read_jsonl`] / [`History::write_jsonl`] move it to and
//! from files, one JSON event per line.

mod error;
mod event;
mod jsonl;
mod operation;
mod recorder;
mod workload;

pub use error::HistoryError;
pub use event::{Event, EventKind, Function, Value};
pub(crate) use operation::describe_key;
pub use operation::{Call, History, Operation, Outcome};
pub use recorder::{PendingRead, PendingUpdate, Recorder};
pub use workload::{KEYS_MAX, Op, Workload, WorkloadConfig};

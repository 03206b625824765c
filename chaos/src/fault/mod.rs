//! Tower middleware that injects errors, latency, timeouts and dropped responses into calls,
//! following a phased plan.
//!
//! Laid out as tower's own middleware: the [`FaultLayer`] makes [`FaultService`]s, whose calls
//! return [`FaultFuture`]s. A [`FaultPlan`] is validated data: phases of [`Faults`], each an
//! ordered list of [`Injection`]s. `schedule` walks it call by call, `trigger` decides whether
//! an injection fires (probability and cap, shared with the failpoints), and `injector` holds
//! the state that all services of one layer share.

mod error;
mod future;
mod injector;
mod layer;
mod plan;
mod schedule;
mod service;
mod stats;
mod trigger;

pub use error::{InjectedFault, InjectedTimeout, PlanError, ResponseDropped};
pub use future::FaultFuture;
pub use layer::FaultLayer;
pub use plan::{FaultPlan, FaultPlanBuilder, FaultSpec, Faults, Injection, Until};
pub use service::FaultService;
pub use stats::{FaultStats, FaultStatsHandle};

#[cfg(feature = "failpoints")]
pub(crate) use trigger::{InvalidTrigger, Trigger};

//! Tower middleware that injects errors and latency into calls, following a phased plan.
//!
//! Laid out as tower's own middleware: the [`FaultLayer`] makes [`FaultService`]s, whose calls
//! return [`FaultFuture`]s. A [`FaultPlan`] is validated data; `schedule` walks it call by
//! call, and `injector` holds the state that all services of one layer share.

mod error;
mod future;
mod injector;
mod layer;
mod plan;
mod schedule;
mod service;
mod stats;

pub use error::{InjectedFault, PlanError};
pub use future::FaultFuture;
pub use layer::FaultLayer;
pub use plan::{FaultPlan, FaultPlanBuilder, FaultSpec, Until};
pub use service::FaultService;
pub use stats::{FaultStats, FaultStatsHandle};

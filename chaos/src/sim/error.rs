//! [`SimError`]: why a simulation could not be built or run.

use std::time::Duration;

use crate::NodeId;

/// Why a [`Simulation`](super::Simulation) could not be built, changed or run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// A [`SimConfig`](super::SimConfig) field breaks a rule; both are named.
    #[error("invalid simulation config: `{field}` {rule}")]
    InvalidConfig {
        /// The offending field, as written in TOML.
        field: &'static str,
        /// The rule it breaks.
        rule: String,
    },
    /// A host or client name is empty or already taken.
    #[error("host name {name:?} is empty or already registered")]
    BadHostName {
        /// The rejected name.
        name: String,
    },
    /// No host or client has this name.
    #[error("no host or client is named {name:?}")]
    UnknownHost {
        /// The name asked for.
        name: String,
    },
    /// Crashing and bouncing apply to hosts, whose software can restart, not to clients.
    #[error("{name:?} is a client; only hosts can crash and restart")]
    NotAHost {
        /// The client's name.
        name: String,
    },
    /// A nemesis named a node beyond the hosts registered.
    #[error("node {node} does not exist: the simulation has {nodes} hosts")]
    UnknownNode {
        /// The node asked for.
        node: NodeId,
        /// How many hosts there are.
        nodes: usize,
    },
    /// The clients had not all finished when the simulation reached its duration bound.
    #[error("the simulation reached its {duration:?} bound before the clients finished")]
    DurationExceeded {
        /// The configured bound.
        duration: Duration,
    },
    /// A run was asked to go past the duration bound.
    #[error("cannot run to {at:?}: past the simulation's {duration:?} bound")]
    PastBound {
        /// Where the run was to stop.
        at: Duration,
        /// The configured bound.
        duration: Duration,
    },
    /// A host or client returned an error or panicked.
    #[error("simulated software failed: {message}")]
    Software {
        /// The error, as turmoil reported it.
        message: String,
    },
}

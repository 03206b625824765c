//! The crate's error type.

use crate::NodeId;

/// Everything that can go wrong when configuring an algorithm or changing its node set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration field breaks a rule; both are named.
    #[error("invalid hashing config: `{field}` {rule}")]
    InvalidConfig {
        /// The offending field, as written in TOML.
        field: &'static str,
        /// The rule it breaks.
        rule: &'static str,
    },
    /// The node is already a member.
    #[error("node {0} is already a member")]
    DuplicateNode(NodeId),
    /// The node is not a member.
    #[error("node {0} is not a member")]
    UnknownNode(NodeId),
    /// Adding the node would exceed the configured `nodes_max`.
    #[error("cannot add a node: the set already holds `nodes_max` = {max} nodes")]
    TooManyNodes {
        /// The configured bound.
        max: u32,
    },
    /// Adding the node would put more points on the ring than it may hold.
    #[error("cannot add node {node}: the ring would hold more than {max} points")]
    TooManyPoints {
        /// The node that did not fit.
        node: NodeId,
        /// The bound on points ([`RING_POINTS_MAX`](crate::RING_POINTS_MAX)).
        max: usize,
    },
    /// The weight is outside `1..=WEIGHT_MAX`.
    #[error("weight {weight} of node {node} must be in 1..={max}")]
    InvalidWeight {
        /// The node being added.
        node: NodeId,
        /// The weight asked for.
        weight: u32,
        /// The largest weight accepted ([`WEIGHT_MAX`](crate::WEIGHT_MAX)).
        max: u32,
    },
    /// The algorithm gives every node the same share; it has no weights.
    #[error("{algorithm} has no weights: add nodes with weight 1")]
    WeightUnsupported {
        /// The algorithm's name.
        algorithm: &'static str,
    },
    /// Jump-style algorithms number nodes `0..n`; only the last one can leave without
    /// renumbering (and so moving) every other node's keys.
    #[error(
        "{algorithm} can only remove the last node added ({last}), not {node}; use AnchorHash for arbitrary removals"
    )]
    NotLastNode {
        /// The algorithm's name.
        algorithm: &'static str,
        /// The node asked for.
        node: NodeId,
        /// The node that can be removed.
        last: NodeId,
    },
    /// A bounded-loads release for a node that holds no assignment.
    #[error("node {0} holds no assignment to release")]
    NothingToRelease(NodeId),
}

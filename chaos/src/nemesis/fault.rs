//! The faults a nemesis injects, as plain data for a simulator or a harness to apply.

use std::collections::BTreeSet;
use std::fmt;
use std::time::Duration;

use crate::Rng;

/// A node of the system under test, numbered from 0; the harness maps numbers to hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub usize);

impl fmt::Display for NodeId {
    /// Formats as `n0`, `n1`, ...
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "n{}", self.0)
    }
}

/// One thing to do to the system under test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Cut these links (both directions), in addition to any already cut.
    Partition(Partition),
    /// Restore every link.
    Heal,
    /// Stop the node abruptly, losing what it had not made durable.
    Kill(NodeId),
    /// Start a killed node again.
    Restart(NodeId),
    /// Freeze the node (SIGSTOP): it keeps its state and connections but does nothing.
    Pause(NodeId),
    /// Let a paused node run again.
    Resume(NodeId),
}

impl Fault {
    /// The fault that undoes this one: `Heal` for a partition, `Restart` for a kill,
    /// `Resume` for a pause; `None` for the recoveries themselves.
    #[must_use]
    pub fn recovery(&self) -> Option<Self> {
        match *self {
            Self::Partition(_) => Some(Self::Heal),
            Self::Kill(node) => Some(Self::Restart(node)),
            Self::Pause(node) => Some(Self::Resume(node)),
            Self::Heal | Self::Restart(_) | Self::Resume(_) => None,
        }
    }
}

/// A fault and when to apply it, as an offset from the start of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimedFault {
    /// When, counted from the start of the schedule.
    pub at: Duration,
    /// What.
    pub fault: Fault,
}

/// A set of cut links between nodes. Links are symmetric: a cut link drops traffic both ways.
///
/// Jepsen describes partitions as *grudges* (each node's set of nodes it drops traffic from);
/// every partition built here is symmetric, so a set of links says the same with half the
/// data, and maps directly onto a simulator's per-link partition and repair calls.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Partition {
    /// Each cut link as `(a, b)` with `a < b`.
    cut: BTreeSet<(NodeId, NodeId)>,
}

impl Partition {
    /// Cuts every link between nodes in different components: nodes talk only within their
    /// own component (Jepsen's `complete-grudge`).
    #[must_use]
    pub fn components(components: &[Vec<NodeId>]) -> Self {
        let mut partition = Self::default();
        for (index, component) in components.iter().enumerate() {
            for other in &components[index + 1..] {
                for &a in component {
                    for &b in other {
                        partition.cut_link(a, b);
                    }
                }
            }
        }
        partition
    }

    /// Splits nodes `0..nodes` into two halves, the smaller first: `0..nodes / 2` and the rest
    /// (Jepsen's `partition-halves`).
    #[must_use]
    pub fn halves(nodes: usize) -> Self {
        Self::bisect(&all(nodes))
    }

    /// Splits the nodes into two randomly chosen halves (Jepsen's `partition-random-halves`).
    #[must_use]
    pub fn random_halves(nodes: usize, rng: &mut Rng) -> Self {
        Self::bisect(&shuffled(nodes, rng))
    }

    /// Cuts `node` off from every other node (Jepsen's `partition-random-node`, for a chosen
    /// node).
    #[must_use]
    pub fn isolate(node: NodeId, nodes: usize) -> Self {
        let rest = all(nodes)
            .into_iter()
            .filter(|&other| other != node)
            .collect();
        Self::components(&[vec![node], rest])
    }

    /// Splits the nodes into two random halves joined by one bridge node that still talks to
    /// both (Jepsen's `bridge`): with five nodes, two and two, each side able to reach the
    /// bridge but not the other side. Needs three nodes to cut anything.
    #[must_use]
    pub fn bridge(nodes: usize, rng: &mut Rng) -> Self {
        let order = shuffled(nodes, rng);
        let mut partition = Self::bisect(&order);
        if let Some(&bridge) = order.get(nodes / 2) {
            partition.cut.retain(|&(a, b)| a != bridge && b != bridge);
        }
        partition
    }

    /// Every node sees a majority, and no two nodes see the same one (Jepsen's
    /// `majorities-ring`): the nodes are shuffled into a ring and each keeps only the links to
    /// its `m / 2` nearest neighbours on either side, `m` being a majority. With five nodes,
    /// each sees itself and its two neighbours. Needs four nodes to cut anything: below that,
    /// symmetric links cannot give each node a majority of its own.
    #[must_use]
    pub fn majorities_ring(nodes: usize, rng: &mut Rng) -> Self {
        let circle = shuffled(nodes, rng);
        let reach = majority(nodes) / 2;
        let mut partition = Self::default();
        for i in 0..nodes {
            for j in i + 1..nodes {
                let distance = (j - i).min(nodes - (j - i));
                if distance > reach {
                    partition.cut_link(circle[i], circle[j]);
                }
            }
        }
        partition
    }

    /// Whether the link between `a` and `b` is cut.
    #[must_use]
    pub fn is_cut(&self, a: NodeId, b: NodeId) -> bool {
        self.cut.contains(&ordered(a, b))
    }

    /// The cut links, each once, as `(a, b)` with `a < b`, in order.
    pub fn cut_links(&self) -> impl Iterator<Item = (NodeId, NodeId)> + '_ {
        self.cut.iter().copied()
    }

    /// The nodes among `0..nodes` that `node` can still reach directly, itself included.
    #[must_use]
    pub fn reachable(&self, node: NodeId, nodes: usize) -> Vec<NodeId> {
        all(nodes)
            .into_iter()
            .filter(|&other| other == node || !self.is_cut(node, other))
            .collect()
    }

    /// The smaller half of `order` (its first `len / 2`) against the rest.
    fn bisect(order: &[NodeId]) -> Self {
        let (small, large) = order.split_at(order.len() / 2);
        Self::components(&[small.to_vec(), large.to_vec()])
    }

    fn cut_link(&mut self, a: NodeId, b: NodeId) {
        if a != b {
            self.cut.insert(ordered(a, b));
        }
    }
}

/// The smallest majority of `nodes`.
pub(super) fn majority(nodes: usize) -> usize {
    nodes / 2 + 1
}

pub(super) fn all(nodes: usize) -> Vec<NodeId> {
    (0..nodes).map(NodeId).collect()
}

/// The nodes in a uniformly random order (Fisher-Yates).
pub(super) fn shuffled(nodes: usize, rng: &mut Rng) -> Vec<NodeId> {
    let mut order = all(nodes);
    for i in (1..order.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        order.swap(i, j);
    }
    order
}

fn ordered(a: NodeId, b: NodeId) -> (NodeId, NodeId) {
    if a < b { (a, b) } else { (b, a) }
}

//! The trait family every algorithm implements, so they are interchangeable and comparable.

use std::fmt;

use crate::{Error, key_hash};

/// A node's identity: a small copyable number that the caller maps to an address.
///
/// Placement depends on ids, never on insertion order (except where an algorithm says so:
/// jump hashes number their nodes, `AnchorHash` reuses the slot of the last node removed).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub u32);

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Maps keys to nodes. Lookups never allocate.
///
/// The `*_hashed` methods take a key already hashed with [`key_hash`]; the plain ones hash
/// the key's bytes first.
pub trait ConsistentHash {
    /// The iterator [`probes`](Self::probes) returns.
    type Probes<'a>: Iterator<Item = NodeId>
    where
        Self: 'a;

    /// The algorithm's name, for reports and errors.
    fn name(&self) -> &'static str;

    /// How many nodes are members.
    fn len(&self) -> usize;

    /// Whether there are no members; lookups then return `None` or nothing.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `node` is a member.
    fn contains(&self, node: NodeId) -> bool;

    /// The node that owns a hashed key, or `None` when there are no members.
    fn get_hashed(&self, hash: u64) -> Option<NodeId>;

    /// The key's candidate order: the owner first, then the nodes to fall back on, in order
    /// of preference. The sequence is finite, may repeat a node, and names every member at
    /// least once, so a consumer that skips nodes (full ones, down ones, ones it already
    /// has) always finds one if any is left. It allocates nothing.
    fn probes(&self, hash: u64) -> Self::Probes<'_>;

    /// Fills `out` with distinct nodes for a hashed key, in order of preference, and returns
    /// the filled prefix: `min(out.len(), self.len())` nodes, the first being
    /// [`get_hashed`](Self::get_hashed). The answer for `k` nodes is a prefix of the answer
    /// for `k + 1`. Nothing is allocated; the cost grows with `k²` (each candidate is checked
    /// against those already chosen), which is what replication factors call for.
    fn replicas_hashed<'o>(&self, hash: u64, out: &'o mut [NodeId]) -> &'o [NodeId] {
        fill_distinct(self.probes(hash), out)
    }

    /// The node that owns `key`, or `None` when there are no members.
    fn get(&self, key: &[u8]) -> Option<NodeId> {
        self.get_hashed(key_hash(key))
    }

    /// `out.len()` distinct nodes for `key` (fewer if there are fewer members), owner first;
    /// see [`replicas_hashed`](Self::replicas_hashed).
    fn replicas<'o>(&self, key: &[u8], out: &'o mut [NodeId]) -> &'o [NodeId] {
        self.replicas_hashed(key_hash(key), out)
    }
}

/// Changes the node set. Every change is checked: a duplicate, an unknown node, a weight an
/// algorithm cannot honour or a bound that would be exceeded is an error, and leaves the
/// set as it was.
pub trait Membership {
    /// Adds `node` with weight 1.
    fn add(&mut self, node: NodeId) -> Result<(), Error> {
        self.add_weighted(node, 1)
    }

    /// Adds `node` with a relative `weight` in `1..=WEIGHT_MAX`: its expected share of the
    /// keys is its weight over the sum of the weights. Algorithms without weights accept
    /// only 1.
    fn add_weighted(&mut self, node: NodeId, weight: u32) -> Result<(), Error>;

    /// Removes `node`; only the keys it owned move.
    fn remove(&mut self, node: NodeId) -> Result<(), Error>;
}

/// Takes distinct nodes from `candidates` until `out` is full or the candidates run out.
pub(crate) fn fill_distinct(
    candidates: impl Iterator<Item = NodeId>,
    out: &mut [NodeId],
) -> &[NodeId] {
    let mut filled = 0;
    for node in candidates {
        if filled == out.len() {
            break;
        }
        if !out[..filled].contains(&node) {
            out[filled] = node;
            filled += 1;
        }
    }
    &out[..filled]
}

/// Checks a weight for an algorithm that has weights.
pub(crate) fn check_weight(node: NodeId, weight: u32) -> Result<(), Error> {
    if (1..=crate::WEIGHT_MAX).contains(&weight) {
        Ok(())
    } else {
        Err(Error::InvalidWeight {
            node,
            weight,
            max: crate::WEIGHT_MAX,
        })
    }
}

/// Checks a weight for an algorithm without weights.
pub(crate) fn check_unweighted(
    algorithm: &'static str,
    node: NodeId,
    weight: u32,
) -> Result<(), Error> {
    check_weight(node, weight)?;
    if weight == 1 {
        Ok(())
    } else {
        Err(Error::WeightUnsupported { algorithm })
    }
}

/// Checks that one more node fits under `nodes_max`.
pub(crate) fn check_room(len: usize, nodes_max: u32) -> Result<(), Error> {
    if len < nodes_max as usize {
        Ok(())
    } else {
        Err(Error::TooManyNodes { max: nodes_max })
    }
}

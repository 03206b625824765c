//! The consistent-hash ring with virtual nodes (Karger, Lehman, Leighton, Panigrahy, Levine
//! and Lewin, "Consistent hashing and random trees", STOC 1997), as memcached's ketama
//! deploys it: each node is hashed to many points on a circle, and a key belongs to the
//! first point at or after its own hash.
//!
//! With `v` points per node a node's share of the circle has a standard deviation of about
//! `1/sqrt(v)` of the mean: about 10% with 100 points and 3.2% with 1000, with 99% of nodes
//! between 0.76 and 1.28 of the mean at 100 points (the figures quoted in D. Gryski,
//! "Consistent Hashing: Algorithmic Tradeoffs", 2018). Weights are point counts: a node of
//! weight 3 gets three times the points.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use crate::circle::Circle;
use crate::config::{RING_POINTS_MAX, check_vnodes};
use crate::hash::{GAMMA, mix};
use crate::placement::{check_room, check_weight, fill_distinct};
use crate::probes::Walk;
use crate::{ConsistentHash, Error, Membership, NodeId};

/// Replica sets of up to this many nodes are read from a table rather than walked for.
const REPLICAS_CACHED: usize = 4;

/// A consistent-hash ring with `vnodes` points per unit of weight.
///
/// Lookups search an array of sorted `u64` hashes through an index on their top bits, so a
/// lookup is a hash, a table read and a comparison or two; the owners sit in a parallel
/// array touched once per lookup. Each point also stores the first four distinct nodes met
/// walking clockwise from it, so a replica set of up to four nodes is one more read and a
/// copy; larger ones walk the ring. [`ranges`](Ring::ranges) lists the arcs a node owns, for
/// moving data when membership changes.
///
/// ```
/// use hashing::{ConsistentHash, Membership, NodeId, Ring};
///
/// let mut ring = Ring::new(160, 64).unwrap();
/// ring.add_all((0..4).map(|id| (NodeId(id), 1))).unwrap();
/// let owner = ring.get(b"user:42").unwrap();
/// // Only the keys of the arcs a new node takes move, and they move to it.
/// ring.add(NodeId(4)).unwrap();
/// let now = ring.get(b"user:42").unwrap();
/// assert!(now == owner || now == NodeId(4));
/// ```
#[derive(Clone, Debug)]
pub struct Ring {
    vnodes: u32,
    nodes_max: u32,
    weights: BTreeMap<NodeId, u32>,
    circle: Circle,
    /// `replica_sets[p]`: the first `min(REPLICAS_CACHED, members)` distinct owners met
    /// walking clockwise from point `p`, its own owner first; any later entries are junk.
    /// 16 bytes a point, rebuilt with the circle.
    replica_sets: Vec<[NodeId; REPLICAS_CACHED]>,
}

impl Ring {
    /// An empty ring with `vnodes` points per unit of weight and room for `nodes_max` nodes.
    pub fn new(vnodes: u32, nodes_max: u32) -> Result<Self, Error> {
        check_vnodes(vnodes, nodes_max)?;
        Ok(Self {
            vnodes,
            nodes_max,
            weights: BTreeMap::new(),
            circle: Circle::default(),
            replica_sets: Vec::new(),
        })
    }

    /// Adds many `(node, weight)` pairs with a single rebuild of the ring: building a ring of
    /// `n` nodes this way costs one sort, where `n` single adds cost `n` merges. Either every
    /// node is added or, on an error, none is.
    pub fn add_all(&mut self, nodes: impl IntoIterator<Item = (NodeId, u32)>) -> Result<(), Error> {
        let mut added = BTreeMap::new();
        let mut points = self.circle.len();
        for (node, weight) in nodes {
            if self.weights.contains_key(&node) || added.contains_key(&node) {
                return Err(Error::DuplicateNode(node));
            }
            check_weight(node, weight)?;
            check_room(self.weights.len() + added.len(), self.nodes_max)?;
            points += self.points_of(weight);
            if points > RING_POINTS_MAX {
                return Err(Error::TooManyPoints {
                    node,
                    max: RING_POINTS_MAX,
                });
            }
            added.insert(node, weight);
        }
        let mut new_points = Vec::with_capacity(points - self.circle.len());
        for (&node, &weight) in &added {
            new_points.extend(
                (0..self.points_of(weight) as u32).map(|replica| (point(node, replica), node)),
            );
        }
        self.circle.insert(new_points);
        self.weights.extend(added);
        self.rebuild_replica_sets();
        Ok(())
    }

    /// The arcs of the hash space whose keys `node` owns, as inclusive ranges of key hashes
    /// in ascending order (empty if it is not a member). After adding a node, its ranges
    /// are exactly the keys that moved, each from the node that owned it before.
    pub fn ranges(&self, node: NodeId) -> impl Iterator<Item = RangeInclusive<u64>> + '_ {
        self.circle.ranges(node)
    }

    /// Points per unit of weight.
    #[must_use]
    pub fn vnodes(&self) -> u32 {
        self.vnodes
    }

    /// Points on the ring.
    #[must_use]
    pub fn points(&self) -> usize {
        self.circle.len()
    }

    fn points_of(&self, weight: u32) -> usize {
        self.vnodes as usize * weight as usize
    }

    /// Recomputes every point's replica set in `O(points)`. The walk from point `p` is its
    /// owner followed by the walk from `p + 1`, so `p`'s set is its owner followed by the set
    /// of `p + 1` without that owner: one backward sweep builds them all, starting from the
    /// set of point 0 (which follows the last point round the circle), found by walking.
    /// Every set has `min(REPLICAS_CACHED, members)` nodes, so the length needs no tracking.
    fn rebuild_replica_sets(&mut self) {
        let owners = self.circle.owners();
        let mut next = [NodeId::default(); REPLICAS_CACHED];
        fill_distinct(Walk::new(owners, 0), &mut next);
        self.replica_sets.clear();
        self.replica_sets.resize(owners.len(), next);
        for (position, &owner) in owners.iter().enumerate().rev() {
            // `owner` is in `next` at most once. Entry `j` of the new set is entry `j - 1` of
            // `next` until `owner` has been passed, entry `j` after: selects, not branches,
            // since how often a node's points sit side by side is anyone's guess.
            let mut set = [owner; REPLICAS_CACHED];
            let mut passed = false;
            for j in 1..REPLICAS_CACHED {
                passed |= next[j - 1] == owner;
                set[j] = if passed { next[j] } else { next[j - 1] };
            }
            self.replica_sets[position] = set;
            next = set;
        }
    }
}

/// The `replica`-th point of `node`: distinct for every pair, since `mix` is a bijection.
fn point(node: NodeId, replica: u32) -> u64 {
    mix((u64::from(node.0) << 32 | u64::from(replica)).wrapping_add(GAMMA))
}

impl ConsistentHash for Ring {
    type Probes<'a> = Walk<'a>;

    fn name(&self) -> &'static str {
        "ring"
    }

    fn len(&self) -> usize {
        self.weights.len()
    }

    fn contains(&self, node: NodeId) -> bool {
        self.weights.contains_key(&node)
    }

    #[inline]
    fn get_hashed(&self, hash: u64) -> Option<NodeId> {
        if self.circle.len() == 0 {
            return None;
        }
        Some(self.circle.owner(self.circle.successor(hash)))
    }

    /// The owners of the points met walking clockwise from the key, once round the ring.
    fn probes(&self, hash: u64) -> Walk<'_> {
        let start = if self.circle.len() == 0 {
            0
        } else {
            self.circle.successor(hash)
        };
        Walk::new(self.circle.owners(), start)
    }

    /// The same nodes as the walk over [`probes`](Self::probes), read from the table of
    /// replica sets when `out` holds at most four.
    fn replicas_hashed<'o>(&self, hash: u64, out: &'o mut [NodeId]) -> &'o [NodeId] {
        let count = out.len().min(self.len());
        if count == 0 || count > REPLICAS_CACHED {
            return fill_distinct(self.probes(hash), out);
        }
        let set = &self.replica_sets[self.circle.successor(hash)];
        out[..count].copy_from_slice(&set[..count]);
        &out[..count]
    }
}

impl Membership for Ring {
    fn add_weighted(&mut self, node: NodeId, weight: u32) -> Result<(), Error> {
        self.add_all([(node, weight)])
    }

    fn remove(&mut self, node: NodeId) -> Result<(), Error> {
        self.weights.remove(&node).ok_or(Error::UnknownNode(node))?;
        self.circle.remove(node);
        self.rebuild_replica_sets();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The first `k` distinct owners met walking from the key: what the table must hold.
    fn walked(ring: &Ring, hash: u64, k: usize) -> Vec<NodeId> {
        let mut distinct = Vec::new();
        for node in ring.probes(hash) {
            if distinct.len() == k {
                break;
            }
            if !distinct.contains(&node) {
                distinct.push(node);
            }
        }
        distinct
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// After any adds and removes, with fewer members than the table holds or more, and
        /// with a node's points in long runs (few points, uneven weights), the replica sets
        /// read from the table are the ones the walk finds, for every `k` it serves and past.
        #[test]
        fn the_replica_table_matches_the_walk(
            changes in proptest::collection::vec((0u32..7, 1u32..4), 1..16),
            hashes in proptest::collection::vec(any::<u64>(), 1..16),
        ) {
            let mut ring = Ring::new(3, 8).unwrap();
            for (id, weight) in changes {
                if ring.contains(NodeId(id)) {
                    ring.remove(NodeId(id)).unwrap();
                } else {
                    ring.add_weighted(NodeId(id), weight).unwrap();
                }
                for &hash in hashes.iter().chain(&[0, u64::MAX]) {
                    for k in 0..=REPLICAS_CACHED + 2 {
                        let mut out = [NodeId::default(); REPLICAS_CACHED + 2];
                        prop_assert_eq!(ring.replicas_hashed(hash, &mut out[..k]), &walked(&ring, hash, k)[..]);
                    }
                }
            }
        }
    }
}

//! `AnchorHash` (Mendelson, Vargaftik, Barabash, Lorenz, Keslassy and Orda, "`AnchorHash`: A
//! Scalable Consistent Hash", IEEE/ACM Transactions on Networking 29(2), 2021;
//! arXiv:1812.09674): consistent hashing with arbitrary removals and constant expected
//! lookup time, in a few words of memory per bucket.
//!
//! A fixed *anchor* of `a` buckets holds the working set. A key hashes to an anchor bucket;
//! if that bucket was removed, the key rehashes into the working set as it was right after
//! that removal (`A[b]` records its size), following a successor chain for buckets removed
//! since. Removing a node moves only its keys, spread evenly over the rest; adding one back
//! restores the mapping. The expected number of rehashes is at most `1 + ln(a / w)` for `w`
//! working buckets.

use std::collections::HashMap;

use crate::config::check_nodes_max;
use crate::hash::{mix, reduce};
use crate::placement::{check_room, check_unweighted};
use crate::probes::{RehashProbes, Source};
use crate::{ConsistentHash, Error, Membership, NodeId};

/// Seed multiplier of the per-bucket rehash `h_b(k)`; odd, distinct from the rehash of
/// [`probes`](ConsistentHash::probes).
const BUCKET_SEED: u64 = 0xd6e8_feb8_6659_fd93;

/// `AnchorHash` with an anchor of `nodes_max` buckets.
///
/// A node joins in the bucket freed last (the paper's stack of removed buckets), so the
/// mapping depends on the order of changes: replicas of a deployment must apply the same
/// changes in the same order.
///
/// ```
/// use hashing::{Anchor, ConsistentHash, Membership, NodeId};
///
/// let mut anchor = Anchor::new(16).unwrap();
/// for id in 0..8 {
///     anchor.add(NodeId(id)).unwrap();
/// }
/// let before = anchor.get(b"user:42").unwrap();
/// // Any node can leave; keys it did not own stay where they are.
/// let leaving = if before == NodeId(3) { NodeId(4) } else { NodeId(3) };
/// anchor.remove(leaving).unwrap();
/// assert_eq!(anchor.get(b"user:42"), Some(before));
/// ```
#[derive(Clone, Debug)]
pub struct Anchor {
    /// `A`: 0 for a working bucket, else the size of the working set right after it left.
    removed_at: Vec<u32>,
    /// `K`: the bucket that took a removed bucket's place in `working`.
    successor: Vec<u32>,
    /// `W`: the working buckets in `working[..size]`.
    working: Vec<u32>,
    /// `L`: each bucket's last position in `working`.
    location: Vec<u32>,
    /// `R`: removed buckets, the last removed on top.
    removed: Vec<u32>,
    /// `N`: how many buckets work.
    size: u32,
    bucket_nodes: Vec<Option<NodeId>>,
    node_buckets: HashMap<NodeId, u32>,
}

impl Anchor {
    /// An empty set whose anchor has `nodes_max` buckets: memory is about 24 bytes a
    /// bucket, and lookups slow down as `ln(nodes_max / len)`.
    pub fn new(nodes_max: u32) -> Result<Self, Error> {
        check_nodes_max(nodes_max)?;
        let capacity = nodes_max as usize;
        let identity: Vec<u32> = (0..nodes_max).collect();
        Ok(Self {
            // Every bucket starts removed, the last first, so bucket 0 is added first.
            removed_at: identity.clone(),
            successor: identity.clone(),
            working: identity.clone(),
            location: identity,
            removed: (0..nodes_max).rev().collect(),
            size: 0,
            bucket_nodes: vec![None; capacity],
            node_buckets: HashMap::new(),
        })
    }

    /// The anchor bucket of a key hash: the paper's `GETBUCKET`. There must be a member.
    #[inline]
    fn bucket(&self, hash: u64) -> u32 {
        let mut bucket = reduce(hash, self.removed_at.len() as u32);
        // `removed_at` strictly decreases along both loops, so each ends within `a` turns.
        while self.removed_at[bucket as usize] > 0 {
            let seed = u64::from(bucket).wrapping_add(1).wrapping_mul(BUCKET_SEED);
            let mut next = reduce(mix(hash ^ seed), self.removed_at[bucket as usize]);
            while self.removed_at[next as usize] >= self.removed_at[bucket as usize] {
                next = self.successor[next as usize];
            }
            bucket = next;
        }
        bucket
    }

    pub(crate) fn node_for(&self, hash: u64) -> NodeId {
        self.bucket_nodes[self.bucket(hash) as usize].expect("a working bucket holds a node")
    }

    pub(crate) fn working(&self) -> usize {
        self.size as usize
    }

    pub(crate) fn working_member(&self, position: usize) -> NodeId {
        self.bucket_nodes[self.working[position] as usize].expect("a working bucket holds a node")
    }
}

impl ConsistentHash for Anchor {
    type Probes<'a> = RehashProbes<'a>;

    fn name(&self) -> &'static str {
        "anchor"
    }

    fn len(&self) -> usize {
        self.size as usize
    }

    fn contains(&self, node: NodeId) -> bool {
        self.node_buckets.contains_key(&node)
    }

    #[inline]
    fn get_hashed(&self, hash: u64) -> Option<NodeId> {
        (self.size > 0).then(|| self.node_for(hash))
    }

    /// The owners of independent rehashes of the key, then every member in turn.
    fn probes(&self, hash: u64) -> RehashProbes<'_> {
        RehashProbes::new(Source::Anchor(self), hash)
    }
}

impl Membership for Anchor {
    /// Puts `node` in the bucket removed last (`ADDBUCKET`); only weight 1 is accepted.
    fn add_weighted(&mut self, node: NodeId, weight: u32) -> Result<(), Error> {
        check_unweighted("anchor", node, weight)?;
        if self.node_buckets.contains_key(&node) {
            return Err(Error::DuplicateNode(node));
        }
        check_room(self.len(), self.removed_at.len() as u32)?;
        let bucket = self.removed.pop().expect("room was checked");
        let (b, n) = (bucket as usize, self.size as usize);
        self.removed_at[b] = 0;
        self.location[self.working[n] as usize] = self.size;
        self.working[self.location[b] as usize] = bucket;
        self.successor[b] = bucket;
        self.size += 1;
        self.bucket_nodes[b] = Some(node);
        self.node_buckets.insert(node, bucket);
        Ok(())
    }

    /// Frees `node`'s bucket (`REMOVEBUCKET`); only its keys move.
    fn remove(&mut self, node: NodeId) -> Result<(), Error> {
        let bucket = self
            .node_buckets
            .remove(&node)
            .ok_or(Error::UnknownNode(node))?;
        let b = bucket as usize;
        self.removed.push(bucket);
        self.size -= 1;
        let n = self.size as usize;
        self.removed_at[b] = self.size;
        let last = self.working[n];
        self.working[self.location[b] as usize] = last;
        self.successor[b] = last;
        self.location[last as usize] = self.location[b];
        self.bucket_nodes[b] = None;
        Ok(())
    }
}

//! Candidate orders shared by several algorithms.
//!
//! [`Walk`] serves the ring and Maglev: the owners of consecutive points or table entries.
//! [`RehashProbes`] serves the bucket-based algorithms (jump hashes, `AnchorHash`): the
//! buckets of independent rehashes of the key, then a sweep over every member. Each rehash is itself a consistent lookup, so when a node joins, every rehashed
//! candidate either stays or moves to the new node: replica sets change as little as the
//! primary does. The final sweep guarantees that every member is named, which a consumer
//! looking for a node that is not full or not down relies on.

use crate::hash::{mix, reduce, rehash};
use crate::{Anchor, NodeId};

/// Rehashed lookups before the sweep; enough that a replica set of a few nodes almost
/// never reaches the sweep.
const REHASHES: u32 = 16;

/// Where the buckets come from.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Source<'a> {
    /// Node `i` is bucket `i`, chosen by a bucket function.
    Numbered(&'a [NodeId], fn(u64, u32) -> u32),
    /// `AnchorHash`'s working buckets.
    Anchor(&'a Anchor),
}

impl Source<'_> {
    fn len(&self) -> usize {
        match self {
            Self::Numbered(nodes, _) => nodes.len(),
            Self::Anchor(anchor) => anchor.working(),
        }
    }

    fn lookup(&self, hash: u64) -> NodeId {
        match *self {
            Self::Numbered(nodes, bucket_of) => nodes[bucket_of(hash, nodes.len() as u32) as usize],
            Self::Anchor(anchor) => anchor.node_for(hash),
        }
    }

    fn member(&self, position: usize) -> NodeId {
        match self {
            Self::Numbered(nodes, _) => nodes[position],
            Self::Anchor(anchor) => anchor.working_member(position),
        }
    }
}

/// Candidates for a key: `REHASHES` rehashed lookups, then every member once.
#[derive(Clone, Debug)]
pub struct RehashProbes<'a> {
    source: Source<'a>,
    hash: u64,
    step: u32,
    /// Where the sweep starts, so different keys fall back on different nodes.
    sweep_start: usize,
}

impl<'a> RehashProbes<'a> {
    pub(crate) fn new(source: Source<'a>, hash: u64) -> Self {
        let len = source.len();
        Self {
            source,
            hash,
            step: 0,
            sweep_start: reduce(mix(hash), len as u32) as usize,
        }
    }
}

impl Iterator for RehashProbes<'_> {
    type Item = NodeId;

    fn next(&mut self) -> Option<NodeId> {
        let len = self.source.len();
        let step = self.step as usize;
        if len == 0 || step >= REHASHES as usize + len {
            return None;
        }
        self.step += 1;
        if self.step <= REHASHES {
            Some(
                self.source
                    .lookup(rehash(self.hash, u64::from(self.step - 1))),
            )
        } else {
            let swept = step - REHASHES as usize;
            Some(self.source.member((self.sweep_start + swept) % len))
        }
    }
}

/// The owners of consecutive ring points or table entries from a start, once round.
#[derive(Clone, Debug)]
pub struct Walk<'a> {
    owners: &'a [NodeId],
    position: usize,
    remaining: usize,
}

impl<'a> Walk<'a> {
    pub(crate) fn new(owners: &'a [NodeId], start: usize) -> Self {
        Self {
            owners,
            position: start,
            remaining: owners.len(),
        }
    }
}

impl Iterator for Walk<'_> {
    type Item = NodeId;

    fn next(&mut self) -> Option<NodeId> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        let owner = self.owners[self.position];
        self.position += 1;
        if self.position == self.owners.len() {
            self.position = 0;
        }
        Some(owner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walk_visits_every_owner_once_from_the_start() {
        let owners = [NodeId(1), NodeId(2), NodeId(3)];
        let walked: Vec<u32> = Walk::new(&owners, 1).map(|node| node.0).collect();
        assert_eq!(walked, [2, 3, 1]);
    }
}

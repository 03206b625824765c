//! Jump consistent hash (Lamping & Veach, "A Fast, Minimal Memory, Consistent Hash
//! Algorithm", arXiv:1406.2294, 2014) and `JumpBackHash` (Ertl, "`JumpBackHash`: Say Goodbye to
//! the Modulo Operation to Distribute Keys Uniformly to Buckets", Software: Practice and
//! Experience, 2025; arXiv:2403.18682, 2024).
//!
//! Both map a key to a bucket in `0..n` with no memory beyond `n`, an even split, and the
//! least possible movement: going from `n` to `n + 1` buckets moves `1/(n + 1)` of the keys,
//! all to the new bucket. Jump hash takes `O(ln n)` steps; `JumpBackHash` walks back from `n`
//! through power-of-two intervals and takes `O(1)` expected steps with no floating point.
//! Buckets are numbered, so nodes join at the end and only the last one can leave; for
//! arbitrary removals use [`Anchor`](crate::Anchor).

use std::collections::HashSet;

use crate::config::check_nodes_max;
use crate::hash::SplitMix64;
use crate::placement::{check_room, check_unweighted};
use crate::probes::{RehashProbes, Source};
use crate::{ConsistentHash, Error, Membership, NodeId};

/// Lamping and Veach's jump hash: the bucket in `0..buckets` for a key hash.
///
/// A linear congruential generator drives the key from bucket to bucket; each jump lands
/// at `(b + 1) / r` for a uniform `r`, which makes the last bucket below `buckets` uniform
/// and the sequence shared by every bucket count.
#[must_use]
pub fn jump_bucket(hash: u64, buckets: u32) -> u32 {
    let mut key = hash;
    let (mut bucket, mut next) = (0i64, 0i64);
    // `next` grows by at least one per turn, so the loop ends within `buckets` turns
    // (about `ln buckets` in expectation).
    while next < i64::from(buckets) {
        bucket = next;
        key = key.wrapping_mul(2_862_933_555_777_941_757).wrapping_add(1);
        let unit = (1u64 << 31) as f64 / ((key >> 33) + 1) as f64;
        next = ((bucket + 1) as f64 * unit) as i64;
    }
    bucket as u32
}

/// Ertl's `JumpBackHash`: the bucket in `0..buckets` for a key hash, in expected constant
/// time.
///
/// Seen from bucket count `n` going up, a key's bucket changes at "jumps". Bit `i` of one
/// random word says whether the key jumps in `[2^i, 2^(i+1))` (probability 1/2, as in jump
/// hash); the algorithm walks down from the highest interval below `buckets` to the first
/// that has a jump below `buckets`, and picks that jump's position. When the last jump of
/// an interval lies above `buckets`, earlier jumps in it are drawn by rejection.
#[must_use]
pub fn jump_back_bucket(hash: u64, buckets: u32) -> u32 {
    /// Each inner draw leaves the interval with probability 1/2, so 64 draws (128 halves)
    /// all staying has probability 2^-128: a bound that is never met in practice.
    const DRAWS_MAX: u32 = 64;
    if buckets <= 1 {
        return 0;
    }
    let mut random = SplitMix64::new(hash);
    let first = random.next_u64();
    let mut jumps = ((first ^ (first >> 32)) as u32) & (u32::MAX >> (buckets - 1).leading_zeros());
    while jumps != 0 {
        let low = 1u32 << jumps.ilog2();
        // Half of `first` chosen by the parity of the bits at and below this interval, so
        // the position depends on the key and the interval only, never on `buckets`.
        let half = if jumps.count_ones() % 2 == 1 {
            first >> 32
        } else {
            first
        };
        let bucket = low + (half as u32 & (low - 1));
        if bucket < buckets {
            return bucket;
        }
        let mask = low.wrapping_shl(1).wrapping_sub(1);
        if let Some(bucket) = earlier_jump(&mut random, low, mask, buckets, DRAWS_MAX) {
            return bucket;
        }
        jumps ^= low;
    }
    0
}

/// Draws earlier jumps in `[low, 2 low)` until one lies below `buckets` (found) or a draw
/// falls under `low` (no jump below `buckets` in this interval).
fn earlier_jump(
    random: &mut SplitMix64,
    low: u32,
    mask: u32,
    buckets: u32,
    draws_max: u32,
) -> Option<u32> {
    for _ in 0..draws_max {
        let word = random.next_u64();
        for candidate in [word as u32 & mask, (word >> 32) as u32 & mask] {
            if candidate < low {
                return None;
            }
            if candidate < buckets {
                return Some(candidate);
            }
        }
    }
    None
}

/// Numbered buckets shared by both jump hashes: node `i` is bucket `i`.
#[derive(Clone, Debug)]
struct Buckets {
    nodes_max: u32,
    nodes: Vec<NodeId>,
    members: HashSet<NodeId>,
}

impl Buckets {
    fn new(nodes_max: u32) -> Result<Self, Error> {
        check_nodes_max(nodes_max)?;
        Ok(Self {
            nodes_max,
            nodes: Vec::new(),
            members: HashSet::new(),
        })
    }

    fn add(&mut self, algorithm: &'static str, node: NodeId, weight: u32) -> Result<(), Error> {
        check_unweighted(algorithm, node, weight)?;
        if self.members.contains(&node) {
            return Err(Error::DuplicateNode(node));
        }
        check_room(self.nodes.len(), self.nodes_max)?;
        self.nodes.push(node);
        self.members.insert(node);
        Ok(())
    }

    fn remove(&mut self, algorithm: &'static str, node: NodeId) -> Result<(), Error> {
        if !self.members.contains(&node) {
            return Err(Error::UnknownNode(node));
        }
        let last = *self.nodes.last().expect("a member exists");
        if last != node {
            return Err(Error::NotLastNode {
                algorithm,
                node,
                last,
            });
        }
        self.nodes.pop();
        self.members.remove(&node);
        Ok(())
    }

    #[inline]
    fn get(&self, hash: u64, bucket_of: fn(u64, u32) -> u32) -> Option<NodeId> {
        if self.nodes.is_empty() {
            return None;
        }
        Some(self.nodes[bucket_of(hash, self.nodes.len() as u32) as usize])
    }
}

macro_rules! jump_hash {
    ($(#[$doc:meta])* $name:ident, $label:literal, $bucket_of:path) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $name {
            buckets: Buckets,
        }

        impl $name {
            /// An empty set with room for `nodes_max` nodes.
            pub fn new(nodes_max: u32) -> Result<Self, Error> {
                Ok(Self {
                    buckets: Buckets::new(nodes_max)?,
                })
            }

            /// The members in bucket order: the `i`-th node owns bucket `i`.
            #[must_use]
            pub fn nodes(&self) -> &[NodeId] {
                &self.buckets.nodes
            }
        }

        impl ConsistentHash for $name {
            type Probes<'a> = RehashProbes<'a>;

            fn name(&self) -> &'static str {
                $label
            }

            fn len(&self) -> usize {
                self.buckets.nodes.len()
            }

            fn contains(&self, node: NodeId) -> bool {
                self.buckets.members.contains(&node)
            }

            #[inline]
            fn get_hashed(&self, hash: u64) -> Option<NodeId> {
                self.buckets.get(hash, $bucket_of)
            }

            /// The buckets of independent rehashes of the key (each consistent as nodes join),
            /// then every node in turn.
            fn probes(&self, hash: u64) -> RehashProbes<'_> {
                RehashProbes::new(Source::Numbered(&self.buckets.nodes, $bucket_of), hash)
            }
        }

        impl Membership for $name {
            /// Appends `node` as bucket `len()`; only weight 1 is accepted.
            fn add_weighted(&mut self, node: NodeId, weight: u32) -> Result<(), Error> {
                self.buckets.add($label, node, weight)
            }

            /// Removes `node`, which must be the last one added.
            fn remove(&mut self, node: NodeId) -> Result<(), Error> {
                self.buckets.remove($label, node)
            }
        }
    };
}

jump_hash!(
    /// Jump consistent hash over numbered nodes ([`jump_bucket`]).
    ///
    /// ```
    /// use hashing::{ConsistentHash, Jump, Membership, NodeId};
    ///
    /// let mut jump = Jump::new(100).unwrap();
    /// for id in 0..10 {
    ///     jump.add(NodeId(id)).unwrap();
    /// }
    /// assert!(jump.get(b"user:42").is_some());
    /// // Only the last node can leave: removing another would renumber the buckets.
    /// assert!(jump.remove(NodeId(3)).is_err());
    /// jump.remove(NodeId(9)).unwrap();
    /// ```
    Jump,
    "jump",
    jump_bucket
);

jump_hash!(
    /// `JumpBackHash` over numbered nodes ([`jump_back_bucket`]): the same contract as
    /// [`Jump`], in expected constant time.
    JumpBack,
    "jump-back",
    jump_back_bucket
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jump_matches_the_papers_reference_code() {
        // Outputs of the C++ function in Lamping and Veach's paper for these inputs.
        assert_eq!(jump_bucket(0, 1), 0);
        assert_eq!(jump_bucket(0, 100), 0);
        assert_eq!(jump_bucket(1, 100), 55);
        assert_eq!(jump_bucket(0xdead_beef, 1_000), 285);
        assert_eq!(jump_bucket(12_345_678_901_234_567_890, 65_536), 46_485);
    }

    /// The defining property: one more bucket moves a key to the new bucket or nowhere.
    #[test]
    fn one_more_bucket_moves_keys_only_to_it() {
        for hash in (0..500u64).map(crate::hash::mix) {
            for buckets in 1..300u32 {
                for bucket_of in [jump_bucket, jump_back_bucket] {
                    let (before, after) = (bucket_of(hash, buckets), bucket_of(hash, buckets + 1));
                    assert!(after == before || after == buckets, "{hash} {buckets}");
                }
            }
        }
    }

    #[test]
    fn both_split_keys_evenly() {
        for buckets in [10u32, 37, 100] {
            for bucket_of in [jump_bucket, jump_back_bucket] {
                let mut counts = vec![0u32; buckets as usize];
                for hash in (0..200_000u64).map(crate::hash::mix) {
                    counts[bucket_of(hash, buckets) as usize] += 1;
                }
                let mean = 200_000.0 / f64::from(buckets);
                // Five binomial standard deviations.
                let bound = 5.0 * mean.sqrt();
                for count in counts {
                    assert!(
                        (f64::from(count) - mean).abs() < bound,
                        "{buckets}: {count} vs {mean}"
                    );
                }
            }
        }
    }

    #[test]
    fn both_stay_in_range() {
        for buckets in [1u32, 2, 3, 7, 64, 65, 1_000, 65_536] {
            for hash in (0..2_000u64).map(crate::hash::mix) {
                assert!(jump_bucket(hash, buckets) < buckets);
                assert!(jump_back_bucket(hash, buckets) < buckets);
            }
        }
    }
}

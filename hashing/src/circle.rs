//! Points on the 64-bit hash circle, stored for fast successor search: the sorted hashes in
//! one array, their owners in a parallel one (so a search touches only the hashes), and an
//! index from the top bits of a hash to the first point at or after them, so a search is a
//! table read and a few comparisons instead of a binary search over the whole array.

use std::ops::RangeInclusive;

use crate::NodeId;

/// Largest index: 2^22 buckets, 16 MiB, about one bucket per point at the largest ring.
const INDEX_BITS_MAX: u32 = 22;

/// Sorts points by hash, and equal hashes by owner. Hashes almost never collide, so the
/// sort compares hashes only and a pass puts the rare runs of equal hashes in owner order.
fn sort_points(points: &mut [(u64, NodeId)]) {
    points.sort_unstable_by_key(|&(point, _)| point);
    let mut start = 0;
    while start < points.len() {
        let mut end = start + 1;
        while end < points.len() && points[end].0 == points[start].0 {
            end += 1;
        }
        if end - start > 1 {
            points[start..end].sort_unstable_by_key(|&(_, owner)| owner);
        }
        start = end;
    }
}

/// Sorted points and their owners. Equal points are ordered by owner id, and a search
/// returns the first of them, so the lowest id wins a collision whatever the order in
/// which nodes were added.
#[derive(Clone, Debug, Default)]
pub(crate) struct Circle {
    points: Vec<u64>,
    owners: Vec<NodeId>,
    /// `index[t]` is the position of the first point whose top bits are at least `t`.
    index: Vec<u32>,
    /// `64 - index bits`: a hash shifted right by this is its bucket.
    shift: u32,
}

impl Circle {
    pub(crate) fn len(&self) -> usize {
        self.points.len()
    }

    pub(crate) fn point(&self, position: usize) -> u64 {
        self.points[position]
    }

    pub(crate) fn owner(&self, position: usize) -> NodeId {
        self.owners[position]
    }

    pub(crate) fn owners(&self) -> &[NodeId] {
        &self.owners
    }

    /// Adds points; the circle is rebuilt in one merge, `O(points)`.
    pub(crate) fn insert(&mut self, mut added: Vec<(u64, NodeId)>) {
        sort_points(&mut added);
        if self.points.is_empty() {
            (self.points, self.owners) = added.into_iter().unzip();
            self.reindex();
            return;
        }
        let total = self.points.len() + added.len();
        let mut points = Vec::with_capacity(total);
        let mut owners = Vec::with_capacity(total);
        let mut old = self
            .points
            .iter()
            .copied()
            .zip(self.owners.iter().copied())
            .peekable();
        let mut new = added.into_iter().peekable();
        loop {
            let take_old = match (old.peek(), new.peek()) {
                (Some(a), Some(b)) => a <= b,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            let next = if take_old { old.next() } else { new.next() };
            let (point, owner) = next.expect("peeked above");
            points.push(point);
            owners.push(owner);
        }
        self.points = points;
        self.owners = owners;
        self.reindex();
    }

    /// Removes every point of `node`, `O(points)`.
    pub(crate) fn remove(&mut self, node: NodeId) {
        let mut kept = 0;
        for position in 0..self.points.len() {
            if self.owners[position] != node {
                self.points[kept] = self.points[position];
                self.owners[kept] = self.owners[position];
                kept += 1;
            }
        }
        self.points.truncate(kept);
        self.owners.truncate(kept);
        self.reindex();
    }

    /// Rebuilds the index: `index[t]`, the number of points whose top bits are below `t`, is
    /// a prefix sum of the points' counts per bucket (two passes without a data-dependent
    /// branch).
    fn reindex(&mut self) {
        let bits = self
            .points
            .len()
            .next_power_of_two()
            .trailing_zeros()
            .clamp(1, INDEX_BITS_MAX);
        self.shift = 64 - bits;
        self.index.clear();
        self.index.resize(1 << bits, 0);
        for &point in &self.points {
            self.index[(point >> self.shift) as usize] += 1;
        }
        let mut below = 0;
        for slot in &mut self.index {
            (*slot, below) = (below, below + *slot);
        }
    }

    /// The position of the first point at or after `hash`, wrapping past the top of the
    /// circle to position 0. The circle must not be empty.
    #[inline]
    pub(crate) fn successor(&self, hash: u64) -> usize {
        let bucket = (hash >> self.shift) as usize;
        let mut position = self.index[bucket] as usize;
        // The answer is `position` plus the number of points below `hash` from there on. A
        // bucket holds about one point, so whether the key lies past it is a coin toss that
        // a branch predictor loses, at some fifteen cycles a time: the next two points are
        // counted without a branch instead (they are sorted, so the count is how far to
        // step). Counting past the bucket's end is harmless, since every point there is
        // above `hash`; the loop runs only for a crowded bucket.
        position +=
            usize::from(self.below(position, hash)) + usize::from(self.below(position + 1, hash));
        while self.below(position, hash) {
            position += 1;
        }
        if position == self.points.len() {
            0
        } else {
            position
        }
    }

    /// Whether there is a point at `position` and it lies below `hash`.
    #[inline]
    fn below(&self, position: usize, hash: u64) -> bool {
        self.points.get(position).is_some_and(|&point| point < hash)
    }

    /// The arcs of the hash space whose keys `node` owns, as inclusive ranges in ascending
    /// order; the arc that wraps past the top of the circle comes as two ranges, the one
    /// starting at 0 first and the one ending at `u64::MAX` last.
    pub(crate) fn ranges(&self, node: NodeId) -> impl Iterator<Item = RangeInclusive<u64>> + '_ {
        let len = self.points.len();
        let wraps = len > 0 && self.owners[0] == node && self.points[len - 1] < u64::MAX;
        let tail = wraps.then(|| self.points[len - 1] + 1..=u64::MAX);
        (0..len)
            .filter(move |&position| {
                self.owners[position] == node
                    && (position == 0 || self.points[position - 1] != self.points[position])
            })
            .map(move |position| {
                let start = if position == 0 {
                    0
                } else {
                    self.points[position - 1] + 1
                };
                start..=self.points[position]
            })
            .chain(tail)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn circle(pairs: &[(u64, u32)]) -> Circle {
        let mut circle = Circle::default();
        circle.insert(pairs.iter().map(|&(p, n)| (p, NodeId(n))).collect());
        circle
    }

    /// The successor by definition: the smallest (point, owner) at or after the hash.
    fn brute_successor(pairs: &[(u64, u32)], hash: u64) -> u32 {
        let mut sorted = pairs.to_vec();
        sorted.sort_unstable();
        sorted
            .iter()
            .find(|(point, _)| *point >= hash)
            .unwrap_or(&sorted[0])
            .1
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Points drawn from a tiny range collide all the time: the owner of every hash is
        /// the same whatever order the points were inserted in, one batch or one at a time.
        #[test]
        fn insertion_order_never_matters_even_when_points_collide(
            pairs in proptest::collection::vec((0u64..8, 0u32..6), 1..24),
            hashes in proptest::collection::vec(0u64..10, 1..20),
        ) {
            let batch = circle(&pairs);
            let mut one_by_one = Circle::default();
            for &(point, node) in pairs.iter().rev() {
                one_by_one.insert(vec![(point, NodeId(node))]);
            }
            for hash in hashes.into_iter().chain([u64::MAX]) {
                let want = brute_successor(&pairs, hash);
                prop_assert_eq!(batch.owner(batch.successor(hash)), NodeId(want));
                prop_assert_eq!(one_by_one.owner(one_by_one.successor(hash)), NodeId(want));
            }
        }

        /// The ranges a node owns are exactly the hashes whose successor it is.
        #[test]
        fn ranges_cover_exactly_the_owned_hashes(
            pairs in proptest::collection::vec((prop_oneof![0u64..16, Just(u64::MAX)], 0u32..4), 1..12),
            hashes in proptest::collection::vec(prop_oneof![0u64..20, Just(u64::MAX)], 1..30),
        ) {
            let circle = circle(&pairs);
            for hash in hashes {
                let owner = circle.owner(circle.successor(hash));
                for node in 0..4 {
                    let inside = circle.ranges(NodeId(node)).any(|range| range.contains(&hash));
                    prop_assert_eq!(inside, owner == NodeId(node), "hash {} node {}", hash, node);
                }
            }
        }
    }

    #[test]
    fn removing_a_node_leaves_the_others_in_place() {
        let mut circle = circle(&[(10, 1), (20, 2), (30, 1), (40, 3)]);
        circle.remove(NodeId(1));
        assert_eq!(circle.len(), 2);
        assert_eq!(circle.owner(circle.successor(5)), NodeId(2));
        assert_eq!(circle.owner(circle.successor(25)), NodeId(3));
        assert_eq!(circle.owner(circle.successor(41)), NodeId(2));
    }
}

//! Consistent hashing with bounded loads (Mirrokni, Thorup and Zadimoghaddam, "Consistent
//! Hashing with Bounded Loads", SODA 2018; arXiv:1608.01350): no node takes more than
//! `ceil(c * m / n)` of the `m` items placed on `n` nodes. An item goes to the first node in
//! its candidate order that is below the cap, so a hot or unlucky node overflows to the
//! next candidates instead of growing without bound.
//!
//! The paper walks the ring; here any algorithm's [`probes`](ConsistentHash::probes) serve,
//! since every one names every node. With `c = 1 + ε` the paper bounds the expected
//! number of items that move when a node joins or leaves by `O(1/ε²)` times the minimum.

use std::collections::HashMap;

use crate::{ConsistentHash, Error, Membership, NodeId, key_hash};

/// Largest balance factor accepted: beyond it the cap never binds.
pub const BALANCE_MAX: f64 = 16.0;

/// An algorithm wrapped so that no node takes more than `ceil(balance * (m + 1) / n)` of
/// the items, counting the one being placed.
///
/// Items are counted, not remembered: call [`assign`](Self::assign) when an item (a
/// connection, a request, a cache fill) starts and [`release`](Self::release) when it ends.
/// A release can leave a node above the cap as the cap shrinks; it drains as its items end.
///
/// ```
/// use hashing::{BoundedLoads, Membership, NodeId, Ring};
///
/// let mut ring = Ring::new(100, 16).unwrap();
/// ring.add_all((0..4).map(|id| (NodeId(id), 1))).unwrap();
/// let mut bounded = BoundedLoads::new(ring, 1.25).unwrap();
/// // The same key a thousand times: its owner fills to the cap, then the rest overflow.
/// for _ in 0..1_000 {
///     bounded.assign(b"hot-key").unwrap();
/// }
/// assert!((0..4).all(|id| bounded.load(NodeId(id)) <= bounded.cap()));
/// ```
#[derive(Clone, Debug)]
pub struct BoundedLoads<P> {
    inner: P,
    balance: f64,
    loads: HashMap<NodeId, u64>,
    total: u64,
}

impl<P: ConsistentHash> BoundedLoads<P> {
    /// Wraps `inner` with a balance factor `c` in `(1, BALANCE_MAX]`.
    pub fn new(inner: P, balance: f64) -> Result<Self, Error> {
        if !(balance > 1.0 && balance <= BALANCE_MAX) {
            return Err(Error::InvalidConfig {
                field: "balance",
                rule: "must be in (1, 16]",
            });
        }
        Ok(Self {
            inner,
            balance,
            loads: HashMap::new(),
            total: 0,
        })
    }

    /// The most items a node may hold once one more is placed: `ceil(c * (m + 1) / n)`.
    /// Zero when there are no nodes.
    #[must_use]
    pub fn cap(&self) -> u64 {
        let nodes = self.inner.len();
        if nodes == 0 {
            return 0;
        }
        (self.balance * (self.total + 1) as f64 / nodes as f64).ceil() as u64
    }

    /// Places an item with a hashed key on the first candidate below the cap, counts it,
    /// and returns the node; `None` when there are no nodes. Some node is always below
    /// the cap (`n * cap >= c * (m + 1) > m`), and every candidate order names every node.
    pub fn assign_hashed(&mut self, hash: u64) -> Option<NodeId> {
        let cap = self.cap();
        let loads = &self.loads;
        let node = self
            .inner
            .probes(hash)
            .find(|node| loads.get(node).copied().unwrap_or(0) < cap)?;
        *self.loads.entry(node).or_insert(0) += 1;
        self.total += 1;
        Some(node)
    }

    /// Places an item with key `key`; see [`assign_hashed`](Self::assign_hashed).
    pub fn assign(&mut self, key: &[u8]) -> Option<NodeId> {
        self.assign_hashed(key_hash(key))
    }

    /// Counts the end of an item that was placed on `node`.
    pub fn release(&mut self, node: NodeId) -> Result<(), Error> {
        match self.loads.get_mut(&node) {
            Some(load) if *load > 0 => {
                *load -= 1;
                self.total -= 1;
                Ok(())
            }
            _ => Err(Error::NothingToRelease(node)),
        }
    }

    /// Items placed on `node` and not yet released.
    #[must_use]
    pub fn load(&self, node: NodeId) -> u64 {
        self.loads.get(&node).copied().unwrap_or(0)
    }

    /// Items placed and not yet released, on all nodes.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The wrapped algorithm.
    pub fn inner(&self) -> &P {
        &self.inner
    }
}

impl<P: ConsistentHash + Membership> Membership for BoundedLoads<P> {
    fn add_weighted(&mut self, node: NodeId, weight: u32) -> Result<(), Error> {
        self.inner.add_weighted(node, weight)
    }

    /// Removes `node` and forgets its items: the caller places them again.
    fn remove(&mut self, node: NodeId) -> Result<(), Error> {
        self.inner.remove(node)?;
        self.total -= self.loads.remove(&node).unwrap_or(0);
        Ok(())
    }
}

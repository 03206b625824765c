//! Any algorithm, chosen at run time from a [`Config`](crate::Config).

use crate::multi_probe::MultiProbeProbes;
use crate::probes::{RehashProbes, Walk};
use crate::rendezvous::RendezvousProbes;
use crate::{
    Anchor, ConsistentHash, Error, Jump, JumpBack, Maglev, Membership, MultiProbe, NodeId,
    Rendezvous, Ring,
};

/// One of the crate's algorithms, so a deployment can pick one in configuration and a
/// benchmark or report can compare them through the same calls.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Placer {
    /// A ring with virtual nodes.
    Ring(Ring),
    /// Jump consistent hash.
    Jump(Jump),
    /// `JumpBackHash`.
    JumpBack(JumpBack),
    /// Weighted rendezvous hashing.
    Rendezvous(Rendezvous),
    /// Maglev's lookup table.
    Maglev(Maglev),
    /// Multi-probe consistent hashing.
    MultiProbe(MultiProbe),
    /// `AnchorHash`.
    Anchor(Anchor),
}

/// The candidate order of whichever algorithm a [`Placer`] holds.
#[derive(Clone, Debug)]
#[non_exhaustive]
#[allow(
    clippy::large_enum_variant,
    reason = "boxing the multi-probe walks would allocate on every lookup"
)]
pub enum PlacerProbes<'a> {
    /// A walk over ring points or table entries.
    Walk(Walk<'a>),
    /// Rehashed lookups, then every member.
    Rehash(RehashProbes<'a>),
    /// Members by descending rendezvous score.
    Rendezvous(RendezvousProbes<'a>),
    /// Merged walks of several probes.
    MultiProbe(MultiProbeProbes<'a>),
}

impl Iterator for PlacerProbes<'_> {
    type Item = NodeId;

    fn next(&mut self) -> Option<NodeId> {
        match self {
            Self::Walk(walk) => walk.next(),
            Self::Rehash(probes) => probes.next(),
            Self::Rendezvous(probes) => probes.next(),
            Self::MultiProbe(probes) => probes.next(),
        }
    }
}

/// Calls `$body` with `$inner` bound to the algorithm inside `$placer`.
macro_rules! each {
    ($placer:expr, $inner:ident => $body:expr) => {
        match $placer {
            Placer::Ring($inner) => $body,
            Placer::Jump($inner) => $body,
            Placer::JumpBack($inner) => $body,
            Placer::Rendezvous($inner) => $body,
            Placer::Maglev($inner) => $body,
            Placer::MultiProbe($inner) => $body,
            Placer::Anchor($inner) => $body,
        }
    };
}

impl ConsistentHash for Placer {
    type Probes<'a> = PlacerProbes<'a>;

    fn name(&self) -> &'static str {
        each!(self, inner => inner.name())
    }

    fn len(&self) -> usize {
        each!(self, inner => inner.len())
    }

    fn contains(&self, node: NodeId) -> bool {
        each!(self, inner => inner.contains(node))
    }

    #[inline]
    fn get_hashed(&self, hash: u64) -> Option<NodeId> {
        each!(self, inner => inner.get_hashed(hash))
    }

    fn probes(&self, hash: u64) -> PlacerProbes<'_> {
        match self {
            Self::Ring(ring) => PlacerProbes::Walk(ring.probes(hash)),
            Self::Maglev(maglev) => PlacerProbes::Walk(maglev.probes(hash)),
            Self::Jump(jump) => PlacerProbes::Rehash(jump.probes(hash)),
            Self::JumpBack(jump) => PlacerProbes::Rehash(jump.probes(hash)),
            Self::Anchor(anchor) => PlacerProbes::Rehash(anchor.probes(hash)),
            Self::Rendezvous(hrw) => PlacerProbes::Rendezvous(hrw.probes(hash)),
            Self::MultiProbe(multi) => PlacerProbes::MultiProbe(multi.probes(hash)),
        }
    }

    fn replicas_hashed<'o>(&self, hash: u64, out: &'o mut [NodeId]) -> &'o [NodeId] {
        each!(self, inner => inner.replicas_hashed(hash, out))
    }
}

impl Membership for Placer {
    fn add_weighted(&mut self, node: NodeId, weight: u32) -> Result<(), Error> {
        each!(self, inner => inner.add_weighted(node, weight))
    }

    fn remove(&mut self, node: NodeId) -> Result<(), Error> {
        each!(self, inner => inner.remove(node))
    }
}

impl Placer {
    /// Adds many `(node, weight)` pairs; the ring and Maglev rebuild once for the lot,
    /// the others add one at a time. Either every node is added or, on an error, none is.
    pub fn add_all(&mut self, nodes: impl IntoIterator<Item = (NodeId, u32)>) -> Result<(), Error> {
        match self {
            Self::Ring(ring) => ring.add_all(nodes),
            Self::Maglev(maglev) => maglev.add_all(nodes),
            _ => {
                let before = self.clone();
                for (node, weight) in nodes {
                    if let Err(error) = self.add_weighted(node, weight) {
                        *self = before;
                        return Err(error);
                    }
                }
                Ok(())
            }
        }
    }
}

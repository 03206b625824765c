//! Multi-probe consistent hashing (Appleton and O'Reilly, "Multi-probe consistent hashing",
//! arXiv:1505.00062, 2015): one point per node on the circle, and `k` probes per key; the
//! key goes to the node whose point follows one of its probes most closely.
//!
//! It trades lookup time for memory: with 21 probes the paper reports a peak-to-mean load
//! of 1.05, which a ring reaches only with hundreds of points per node, while storing one
//! point per node. Only the keys of a leaving node move, and a new node takes keys only for
//! itself.

use std::collections::BTreeSet;

use crate::circle::Circle;
use crate::config::{PROBES_MAX, check_nodes_max, check_probes};
use crate::hash::{mix, rehash};
use crate::placement::{check_room, check_unweighted};
use crate::{ConsistentHash, Error, Membership, NodeId};

/// Seed of a node's point.
const POINT_SEED: u64 = 0x6a09_e667_f3bc_c909;

/// Multi-probe consistent hashing with `probes` probes per key.
///
/// ```
/// use hashing::{ConsistentHash, Membership, MultiProbe, NodeId};
///
/// let mut hashing = MultiProbe::new(21, 64).unwrap();
/// for id in 0..10 {
///     hashing.add(NodeId(id)).unwrap();
/// }
/// let mut replicas = [NodeId(0); 2];
/// assert_eq!(hashing.replicas(b"user:42", &mut replicas).len(), 2);
/// ```
#[derive(Clone, Debug)]
pub struct MultiProbe {
    probes: u32,
    nodes_max: u32,
    members: BTreeSet<NodeId>,
    circle: Circle,
}

impl MultiProbe {
    /// An empty set probing `probes` times per key, with room for `nodes_max` nodes.
    pub fn new(probes: u32, nodes_max: u32) -> Result<Self, Error> {
        check_probes(probes)?;
        check_nodes_max(nodes_max)?;
        Ok(Self {
            probes,
            nodes_max,
            members: BTreeSet::new(),
            circle: Circle::default(),
        })
    }

    /// Probes per key.
    #[must_use]
    pub fn probes_per_key(&self) -> u32 {
        self.probes
    }

    /// Clockwise distance from a probe to the point at `position`, with the owner breaking
    /// ties: the smaller wins.
    #[inline]
    fn closeness(&self, probe: u64, position: usize) -> (u64, NodeId) {
        (
            self.circle.point(position).wrapping_sub(probe),
            self.circle.owner(position),
        )
    }
}

impl ConsistentHash for MultiProbe {
    type Probes<'a> = MultiProbeProbes<'a>;

    fn name(&self) -> &'static str {
        "multi-probe"
    }

    fn len(&self) -> usize {
        self.members.len()
    }

    fn contains(&self, node: NodeId) -> bool {
        self.members.contains(&node)
    }

    #[inline]
    fn get_hashed(&self, hash: u64) -> Option<NodeId> {
        if self.circle.len() == 0 {
            return None;
        }
        (0..self.probes)
            .map(|probe| {
                let probe = rehash(hash, u64::from(probe));
                self.closeness(probe, self.circle.successor(probe))
            })
            .min()
            .map(|(_, node)| node)
    }

    /// Every probe walks clockwise from the key; the walks are merged closest point first,
    /// so the owner comes first and each node appears once per probe.
    fn probes(&self, hash: u64) -> MultiProbeProbes<'_> {
        let mut walks = MultiProbeProbes {
            multi_probe: self,
            probe_hashes: [0; PROBES_MAX as usize],
            cursors: [0; PROBES_MAX as usize],
            walked: [0; PROBES_MAX as usize],
        };
        if self.circle.len() > 0 {
            for probe in 0..self.probes as usize {
                let probe_hash = rehash(hash, probe as u64);
                walks.probe_hashes[probe] = probe_hash;
                walks.cursors[probe] = self.circle.successor(probe_hash) as u32;
            }
        }
        walks
    }
}

impl Membership for MultiProbe {
    /// Only weight 1 is accepted: every node has one point.
    fn add_weighted(&mut self, node: NodeId, weight: u32) -> Result<(), Error> {
        check_unweighted("multi-probe", node, weight)?;
        if self.members.contains(&node) {
            return Err(Error::DuplicateNode(node));
        }
        check_room(self.members.len(), self.nodes_max)?;
        self.circle
            .insert(vec![(mix(u64::from(node.0) ^ POINT_SEED), node)]);
        self.members.insert(node);
        Ok(())
    }

    fn remove(&mut self, node: NodeId) -> Result<(), Error> {
        if !self.members.remove(&node) {
            return Err(Error::UnknownNode(node));
        }
        self.circle.remove(node);
        Ok(())
    }
}

/// The merged clockwise walks of a key's probes, closest point first.
#[derive(Clone, Debug)]
pub struct MultiProbeProbes<'a> {
    multi_probe: &'a MultiProbe,
    probe_hashes: [u64; PROBES_MAX as usize],
    cursors: [u32; PROBES_MAX as usize],
    /// Points each probe has walked past; a walk ends after one turn of the circle.
    walked: [u32; PROBES_MAX as usize],
}

impl Iterator for MultiProbeProbes<'_> {
    type Item = NodeId;

    fn next(&mut self) -> Option<NodeId> {
        let multi_probe = self.multi_probe;
        let len = multi_probe.circle.len();
        let probes = multi_probe.probes as usize;
        let (probe, (_, node)) = (0..probes)
            .filter(|&probe| (self.walked[probe] as usize) < len)
            .map(|probe| {
                let closeness =
                    multi_probe.closeness(self.probe_hashes[probe], self.cursors[probe] as usize);
                (probe, closeness)
            })
            .min_by_key(|&(_, closeness)| closeness)?;
        self.walked[probe] += 1;
        let next = self.cursors[probe] as usize + 1;
        self.cursors[probe] = if next == len { 0 } else { next as u32 };
        Some(node)
    }
}

//! Rendezvous or highest-random-weight hashing (Thaler and Ravishankar, "Using name-based
//! mappings to increase hit rates", IEEE/ACM Transactions on Networking 6(1), 1998), weighted
//! with the logarithmic method (Schindelhauer and Schomaker, "Weighted distributed hash
//! tables", SPAA 2005; Resch, "New hashing algorithms for data storage", 2015): each node
//! scores the key `-w / ln(h)` for a uniform `h` in (0, 1) from hashing the key with the
//! node, and the highest score wins.
//!
//! The split is exactly proportional to the weights in expectation and only the keys of a
//! leaving node move. The price is `O(n)` per lookup: rendezvous suits tens to a few
//! thousand nodes, or small replica sets chosen among them.

use std::cmp::Reverse;

use crate::config::check_nodes_max;
use crate::hash::{GAMMA, mix, open_unit};
use crate::placement::{check_room, check_weight, fill_distinct};
use crate::{ConsistentHash, Error, Membership, NodeId};

/// Replica sets up to this size are chosen in one pass with their scores on the stack;
/// larger ones fall back on one pass per replica.
const TOP_K_STACK: usize = 32;

/// A node's score for a key, made totally ordered: the higher wins, and on equal scores
/// the lower id.
type Rank = (u64, Reverse<NodeId>);

#[derive(Clone, Debug)]
struct Member {
    node: NodeId,
    seed: u64,
    weight: f64,
}

/// Weighted rendezvous hashing.
///
/// With equal weights the score is the 64-bit hash itself (the logarithm preserves its
/// order), so the floating-point work is paid only when weights differ.
///
/// ```
/// use hashing::{ConsistentHash, Membership, NodeId, Rendezvous};
///
/// let mut hrw = Rendezvous::new(64).unwrap();
/// for id in 0..5 {
///     hrw.add_weighted(NodeId(id), if id == 0 { 3 } else { 1 }).unwrap();
/// }
/// let mut replicas = [NodeId(0); 3];
/// let chosen = hrw.replicas(b"user:42", &mut replicas);
/// assert_eq!(chosen.len(), 3);
/// assert_eq!(chosen[0], hrw.get(b"user:42").unwrap());
/// ```
#[derive(Clone, Debug)]
pub struct Rendezvous {
    nodes_max: u32,
    /// Sorted by node id.
    members: Vec<Member>,
    uniform: bool,
}

impl Rendezvous {
    /// An empty set with room for `nodes_max` nodes.
    pub fn new(nodes_max: u32) -> Result<Self, Error> {
        check_nodes_max(nodes_max)?;
        Ok(Self {
            nodes_max,
            members: Vec::new(),
            uniform: true,
        })
    }

    #[inline]
    fn rank(&self, hash: u64, member: &Member) -> Rank {
        let draw = mix(hash ^ member.seed);
        let score = if self.uniform {
            draw
        } else {
            // Positive, so its bit pattern orders like the number.
            (-member.weight / open_unit(draw).ln()).to_bits()
        };
        (score, Reverse(member.node))
    }

    /// The best-ranked member strictly below `bound`.
    fn best_below(&self, hash: u64, bound: Option<Rank>) -> Option<Rank> {
        self.members
            .iter()
            .map(|member| self.rank(hash, member))
            .filter(|rank| bound.is_none_or(|bound| *rank < bound))
            .max()
    }

    fn refresh_uniform(&mut self) {
        self.uniform = self
            .members
            .windows(2)
            .all(|pair| pair[0].weight.total_cmp(&pair[1].weight).is_eq());
    }
}

impl ConsistentHash for Rendezvous {
    type Probes<'a> = RendezvousProbes<'a>;

    fn name(&self) -> &'static str {
        "rendezvous"
    }

    fn len(&self) -> usize {
        self.members.len()
    }

    fn contains(&self, node: NodeId) -> bool {
        self.members
            .binary_search_by_key(&node, |member| member.node)
            .is_ok()
    }

    fn get_hashed(&self, hash: u64) -> Option<NodeId> {
        self.best_below(hash, None).map(|(_, Reverse(node))| node)
    }

    /// Every member once, best score first; each step is a pass over the members.
    fn probes(&self, hash: u64) -> RendezvousProbes<'_> {
        RendezvousProbes {
            rendezvous: self,
            hash,
            last: None,
            done: self.members.is_empty(),
        }
    }

    /// The top `k` scores in one pass, kept sorted on the stack: `O(n + k²)` in the worst
    /// case and about `O(n)` in practice, with no allocation.
    fn replicas_hashed<'o>(&self, hash: u64, out: &'o mut [NodeId]) -> &'o [NodeId] {
        let k = out.len().min(self.members.len());
        if k > TOP_K_STACK {
            return fill_distinct(self.probes(hash), out);
        }
        let mut top = [(0u64, Reverse(NodeId(0))); TOP_K_STACK];
        let mut filled = 0;
        for member in &self.members {
            let rank = self.rank(hash, member);
            if filled == k {
                if k == 0 || rank <= top[k - 1] {
                    continue;
                }
                filled -= 1;
            }
            let mut slot = filled;
            while slot > 0 && top[slot - 1] < rank {
                top[slot] = top[slot - 1];
                slot -= 1;
            }
            top[slot] = rank;
            filled += 1;
        }
        for (out, (_, Reverse(node))) in out.iter_mut().zip(&top[..k]) {
            *out = *node;
        }
        &out[..k]
    }
}

impl Membership for Rendezvous {
    fn add_weighted(&mut self, node: NodeId, weight: u32) -> Result<(), Error> {
        check_weight(node, weight)?;
        let Err(position) = self
            .members
            .binary_search_by_key(&node, |member| member.node)
        else {
            return Err(Error::DuplicateNode(node));
        };
        check_room(self.members.len(), self.nodes_max)?;
        let member = Member {
            node,
            seed: mix(u64::from(node.0).wrapping_mul(GAMMA) ^ 0x5bd1_e995_2f0a_4d3b),
            weight: f64::from(weight),
        };
        self.members.insert(position, member);
        self.refresh_uniform();
        Ok(())
    }

    fn remove(&mut self, node: NodeId) -> Result<(), Error> {
        let position = self
            .members
            .binary_search_by_key(&node, |member| member.node)
            .map_err(|_| Error::UnknownNode(node))?;
        self.members.remove(position);
        self.refresh_uniform();
        Ok(())
    }
}

/// A key's members in descending score order, found one pass at a time.
#[derive(Clone, Debug)]
pub struct RendezvousProbes<'a> {
    rendezvous: &'a Rendezvous,
    hash: u64,
    last: Option<Rank>,
    done: bool,
}

impl Iterator for RendezvousProbes<'_> {
    type Item = NodeId;

    fn next(&mut self) -> Option<NodeId> {
        if self.done {
            return None;
        }
        let Some(rank) = self.rendezvous.best_below(self.hash, self.last) else {
            self.done = true;
            return None;
        };
        self.last = Some(rank);
        Some((rank.1).0)
    }
}

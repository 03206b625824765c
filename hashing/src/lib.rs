//! # hashing
//!
//! Consistent hashing maps keys to nodes so that when a node joins or leaves, only the keys
//! that must move do: about `1/n` of them, and only to or from the node that changed. Caches,
//! sharded databases, load balancers and actor systems use it to spread keys over machines
//! that come and go without reshuffling everything.
//!
//! This crate implements the algorithms the literature and production systems use, behind
//! one trait, [`ConsistentHash`] (lookups) with [`Membership`] (node changes), so they can
//! be swapped and compared:
//!
//! | Algorithm | Lookup | Memory | Balance | Changes | Weights |
//! | --- | --- | --- | --- | --- | --- |
//! | [`Ring`] (Karger et al. 1997, ketama) | `O(1)` expected, indexed | `v` points a node | sd `≈ 1/√v` | any node | yes |
//! | [`Jump`] (Lamping & Veach 2014) | `O(ln n)` | none | near perfect | last node only | no |
//! | [`JumpBack`] (Ertl 2024) | `O(1)` expected | none | near perfect | last node only | no |
//! | [`Rendezvous`] (Thaler & Ravishankar 1998) | `O(n)` | `n` | near perfect | any node | yes |
//! | [`Maglev`] (Eisenbud et al., NSDI 2016) | `O(1)`, one read | table of `M > 100 n` | near perfect | any node, a little extra movement | yes |
//! | [`MultiProbe`] (Appleton & O'Reilly 2015) | `O(k)` probes | one point a node | peak/mean 1.05 at `k = 21` | any node | no |
//! | [`Anchor`] (Mendelson et al. 2021) | `O(1)` expected | `nodes_max` | near perfect | any node | no |
//!
//! [`BoundedLoads`] (Mirrokni, Thorup & Zadimoghaddam, SODA 2018) wraps any of them so that no
//! node takes more than `c` times the mean load: hot keys overflow along the key's candidate
//! order instead of overloading one node.
//!
//! Every algorithm answers `get` (the owner) and `replicas` (`k` distinct nodes in order of
//! preference, written into the caller's buffer without allocating, the answer for `k` a
//! prefix of the one for `k + 1`). Keys are hashed with [`key_hash`] (XXH3-64 over the key's
//! bytes), whose output is pinned by golden vectors, so placement never changes across
//! releases or platforms; std's `Hash` is never used for placement. [`Ring::ranges`] lists the
//! hash ranges a node owns, for moving data.
//!
//! ## When to use it, and when not
//!
//! Use it when keys live on (or are best served by) one of a changing set of nodes and moving
//! a key is expensive: cache fills, shard data, sticky connections. Pick by what changes:
//! numbered shards that only grow suit [`JumpBack`]; nodes that fail at random suit
//! [`Anchor`], [`Maglev`] or [`Ring`]; small weighted sets and replica placement suit
//! [`Rendezvous`]; a load balancer's per-packet lookup suits [`Maglev`]. Do not use it when
//! the node set never changes (`hash % n` is simpler and perfectly even), or when every node
//! must agree on placement during membership changes without a shared view of the members
//! (consistent hashing assumes every client sees the same node set; that needs membership
//! from consensus or gossip).
//!
//! ## Shape
//!
//! Sans-IO and synchronous: plain data structures, no threads, no clocks, no randomness
//! beyond fixed hash functions. Node ids are [`NodeId`]s (a `u32` the caller maps to an
//! address). Every structure is bounded by a validated `nodes_max` ([`Config`]), and every
//! node change is checked and reported as an [`Error`] that names the problem.
//!
//! ## Example
//!
//! ```
//! use hashing::{BoundedLoads, Config, ConsistentHash, Membership, NodeId, Ring};
//!
//! // A ring of four caches with 160 points each, as memcached's ketama does.
//! let mut ring = Ring::new(160, 64).unwrap();
//! ring.add_all((0..4).map(|id| (NodeId(id), 1))).unwrap();
//!
//! // The owner of a key, and three replicas, owner first, with no allocation.
//! let owner = ring.get(b"user:42").unwrap();
//! let mut replicas = [NodeId(0); 3];
//! let chosen = ring.replicas(b"user:42", &mut replicas);
//! assert_eq!(chosen[0], owner);
//! assert!(chosen[1] != chosen[0] && chosen[2] != chosen[1] && chosen[2] != chosen[0]);
//!
//! // A fifth cache takes keys only for itself.
//! ring.add(NodeId(4)).unwrap();
//! let now = ring.get(b"user:42").unwrap();
//! assert!(now == owner || now == NodeId(4));
//!
//! // The same, chosen from configuration: any algorithm, through the same calls.
//! let config: Config = toml::from_str(r#"
//!     nodes_max = 64
//!     algorithm = { kind = "multi_probe", probes = 21 }
//! "#).unwrap();
//! let mut placer = config.build().unwrap();
//! placer.add_all((0..5).map(|id| (NodeId(id), 1))).unwrap();
//! assert!(placer.get(b"user:42").is_some());
//!
//! // Bounded loads: no cache takes more than 1.25 times its share of open connections.
//! let mut bounded = BoundedLoads::new(ring, 1.25).unwrap();
//! for connection in 0..100u32 {
//!     bounded.assign(&connection.to_le_bytes()).unwrap();
//! }
//! assert!((0..5).all(|id| bounded.load(NodeId(id)) <= bounded.cap()));
//! ```
//!
//! ## Episodes
//!
//! - E09, *Performance and Scale*: consistent hashing as the way to scale out caches.
//! - E16, *Data Management Mastery*: sharding, and the ranges a node owns when data moves.
//! - E22, *Uber's Real-Time Impossibility Engine*: Ringpop's ring with virtual nodes.
//! - E26, *Discord's Real-Time Communication Infrastructure*: routing each guild to one
//!   server of a changing set, and bounded loads for the hot ones.
//! - E31, *Meta's Social Graph Infrastructure*: TAO's shards, placement of replicas.

mod anchor;
mod bounded;
mod circle;
mod config;
mod error;
mod hash;
mod jump;
mod maglev;
mod multi_probe;
mod placement;
mod placer;
mod probes;
mod rendezvous;
mod ring;
mod stats;

pub use anchor::Anchor;
pub use bounded::{BALANCE_MAX, BoundedLoads};
pub use config::{
    Algorithm, Config, NODES_MAX, PROBES_MAX, RING_POINTS_MAX, TABLE_SIZE_MAX, VNODES_MAX,
    WEIGHT_MAX,
};
pub use error::Error;
pub use hash::key_hash;
pub use jump::{Jump, JumpBack, jump_back_bucket, jump_bucket};
pub use maglev::Maglev;
pub use multi_probe::{MultiProbe, MultiProbeProbes};
pub use placement::{ConsistentHash, Membership, NodeId};
pub use placer::{Placer, PlacerProbes};
pub use probes::{RehashProbes, Walk};
pub use rendezvous::{Rendezvous, RendezvousProbes};
pub use ring::Ring;
pub use stats::LoadStats;

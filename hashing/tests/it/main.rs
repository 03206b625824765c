//! Behaviour of the hashing algorithms: one integration binary, one module per concern.

mod alloc;
mod bounded;
mod config;
mod golden;
mod model;
mod properties;

use hashing::{Algorithm, Config, ConsistentHash, NodeId, Placer, key_hash};

/// Room for every node the tests add.
pub(crate) const NODES_MAX: u32 = 64;

/// One configuration of every algorithm, small enough for debug-build property tests.
pub(crate) fn algorithms() -> Vec<Algorithm> {
    vec![
        Algorithm::Ring { vnodes: 100 },
        Algorithm::Jump,
        Algorithm::JumpBack,
        Algorithm::Rendezvous,
        Algorithm::Maglev { table_size: None },
        Algorithm::MultiProbe { probes: 21 },
        Algorithm::Anchor,
    ]
}

/// An empty placer running `algorithm`.
pub(crate) fn empty(algorithm: &Algorithm) -> Placer {
    Config {
        nodes_max: NODES_MAX,
        algorithm: algorithm.clone(),
    }
    .build()
    .expect("the test configurations are valid")
}

/// A placer running `algorithm` with nodes `0..n`, added in order.
pub(crate) fn with_nodes(algorithm: &Algorithm, n: u32) -> Placer {
    let mut placer = empty(algorithm);
    placer
        .add_all((0..n).map(|id| (NodeId(id), 1)))
        .expect("n is within nodes_max");
    placer
}

/// `count` key hashes, the same every run.
pub(crate) fn keys(count: u32) -> Vec<u64> {
    (0..count)
        .map(|i| key_hash(format!("key-{i}").as_bytes()))
        .collect()
}

/// The owner of every key.
pub(crate) fn owners(placer: &impl ConsistentHash, keys: &[u64]) -> Vec<NodeId> {
    keys.iter()
        .map(|&key| placer.get_hashed(key).expect("the placer has members"))
        .collect()
}

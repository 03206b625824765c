//! Model-based tests: random sequences of changes checked against a plain model of the
//! member set, and fast paths checked against brute-force references.

use std::collections::BTreeSet;

use hashing::{Algorithm, ConsistentHash, Error, Membership, NodeId, Placer, Rendezvous, Ring};
use proptest::prelude::*;

use crate::{algorithms, empty, keys, owners};

#[derive(Clone, Debug)]
enum Op {
    Add(u32),
    Remove(u32),
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    proptest::collection::vec(
        prop_oneof![
            (0u32..12).prop_map(Op::Add),
            (0u32..12).prop_map(Op::Remove)
        ],
        1..40,
    )
}

/// What the model expects an operation to do.
fn expected(algorithm: &Algorithm, model: &[u32], op: &Op) -> Result<(), Error> {
    let numbered = matches!(algorithm, Algorithm::Jump | Algorithm::JumpBack);
    match *op {
        Op::Add(id) if model.contains(&id) => Err(Error::DuplicateNode(NodeId(id))),
        Op::Remove(id) if !model.contains(&id) => Err(Error::UnknownNode(NodeId(id))),
        Op::Remove(id) if numbered && model.last() != Some(&id) => Err(Error::NotLastNode {
            algorithm: if matches!(algorithm, Algorithm::Jump) {
                "jump"
            } else {
                "jump-back"
            },
            node: NodeId(id),
            last: NodeId(*model.last().expect("a member exists")),
        }),
        Op::Add(_) | Op::Remove(_) => Ok(()),
    }
}

fn apply_to_model(model: &mut Vec<u32>, op: &Op) {
    match *op {
        Op::Add(id) => model.push(id),
        Op::Remove(id) => model.retain(|&m| m != id),
    }
}

/// A fresh build with the model's members, in the model's order.
fn fresh(algorithm: &Algorithm, model: &[u32]) -> Placer {
    let mut placer = empty(algorithm);
    placer
        .add_all(model.iter().map(|&id| (NodeId(id), 1)))
        .unwrap();
    placer
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Every change succeeds or fails exactly as the model says and, when it fails, leaves
    /// the set unchanged; lookups only ever name members; and except for `AnchorHash` (whose
    /// mapping depends on the order of changes) the mapping equals a fresh build.
    #[test]
    fn changes_follow_the_model(ops in ops()) {
        let keys = keys(300);
        for algorithm in algorithms() {
            let mut placer = empty(&algorithm);
            let mut model: Vec<u32> = Vec::new();
            for op in &ops {
                let want = expected(&algorithm, &model, op);
                let got = match *op {
                    Op::Add(id) => placer.add(NodeId(id)),
                    Op::Remove(id) => placer.remove(NodeId(id)),
                };
                prop_assert_eq!(&got, &want, "{:?} {:?}", algorithm, op);
                if got.is_ok() {
                    apply_to_model(&mut model, op);
                }
                prop_assert_eq!(placer.len(), model.len());
                for id in 0..12 {
                    prop_assert_eq!(placer.contains(NodeId(id)), model.contains(&id));
                }
                for &key in &keys[..20] {
                    match placer.get_hashed(key) {
                        Some(node) => prop_assert!(model.contains(&node.0)),
                        None => prop_assert!(model.is_empty()),
                    }
                }
            }
            if !matches!(algorithm, Algorithm::Anchor) && !model.is_empty() {
                prop_assert_eq!(owners(&placer, &keys), owners(&fresh(&algorithm, &model), &keys));
            }
        }
    }

    /// `replicas` equals the brute-force reference: the first distinct nodes of the
    /// candidate order, collected and deduplicated.
    #[test]
    fn replicas_match_a_brute_force_reference(ids in proptest::collection::btree_set(0u32..500, 1..40), k in 0usize..40, key in any::<u64>()) {
        for algorithm in algorithms() {
            let placer = fresh(&algorithm, &ids.iter().copied().collect::<Vec<_>>());
            let mut reference: Vec<NodeId> = Vec::new();
            for node in placer.probes(key) {
                if reference.len() == k {
                    break;
                }
                if !reference.contains(&node) {
                    reference.push(node);
                }
            }
            let mut out = vec![NodeId(0); k];
            prop_assert_eq!(placer.replicas_hashed(key, &mut out), &reference[..], "{:?}", algorithm);
        }
    }

    /// The ring's indexed search agrees with its ownership ranges: every key hash lies in
    /// exactly one range, the owner's.
    #[test]
    fn the_ring_lookup_matches_its_ranges(ids in proptest::collection::btree_set(0u32..500, 1..10), hashes in proptest::collection::vec(any::<u64>(), 1..50)) {
        let mut ring = Ring::new(16, 64).unwrap();
        ring.add_all(ids.iter().map(|&id| (NodeId(id), 1))).unwrap();
        for hash in hashes.into_iter().chain([0, u64::MAX]) {
            let holders: BTreeSet<NodeId> = ids
                .iter()
                .map(|&id| NodeId(id))
                .filter(|&node| ring.ranges(node).any(|range| range.contains(&hash)))
                .collect();
            prop_assert_eq!(holders.into_iter().collect::<Vec<_>>(), vec![ring.get_hashed(hash).unwrap()]);
        }
    }

    /// Weighted rendezvous: the one-pass top-k equals sorting every member by the score
    /// order the candidate iterator defines.
    #[test]
    fn rendezvous_top_k_matches_a_full_ranking(weights in proptest::collection::vec(1u32..10, 1..40), k in 0usize..40, key in any::<u64>()) {
        let mut hrw = Rendezvous::new(64).unwrap();
        for (id, &weight) in weights.iter().enumerate() {
            hrw.add_weighted(NodeId(id as u32), weight).unwrap();
        }
        let ranking: Vec<NodeId> = hrw.probes(key).collect();
        prop_assert_eq!(ranking.len(), weights.len());
        let mut out = vec![NodeId(0); k];
        let top = hrw.replicas_hashed(key, &mut out);
        prop_assert_eq!(top, &ranking[..k.min(weights.len())]);
    }
}

/// Every ring range ends at a point, and the ranges of all nodes tile the hash space.
#[test]
fn ring_ranges_tile_the_hash_space() {
    let mut ring = Ring::new(50, 64).unwrap();
    ring.add_all((0..7).map(|id| (NodeId(id), 1 + id % 3)))
        .unwrap();
    let mut ranges: Vec<_> = (0..7)
        .flat_map(|id| ring.ranges(NodeId(id)).collect::<Vec<_>>())
        .collect();
    ranges.sort_by_key(|range| *range.start());
    assert_eq!(*ranges[0].start(), 0);
    assert_eq!(*ranges.last().unwrap().end(), u64::MAX);
    for pair in ranges.windows(2) {
        assert_eq!(*pair[0].end() + 1, *pair[1].start());
    }
}

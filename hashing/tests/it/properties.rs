//! The properties that make a hash consistent, for every algorithm where they apply.

use hashing::{Algorithm, ConsistentHash, Membership, NodeId};
use proptest::prelude::*;

use crate::{algorithms, empty, keys, owners, with_nodes};

/// Keys sampled per check: enough that sampling noise is a few percent of a node's share.
const KEYS: u32 = 4_000;

/// Algorithms whose mapping depends only on the member set, not on the order of changes.
fn history_free(algorithm: &Algorithm) -> bool {
    !matches!(
        algorithm,
        Algorithm::Jump | Algorithm::JumpBack | Algorithm::Anchor
    )
}

/// Bounds on the fraction of keys that move when a node joins, relative to the ideal
/// `1/(n + 1)`. The jump hashes, rendezvous and `AnchorHash` split evenly, so only the noise of
/// 4000 sampled keys (under 8% at 20 nodes) widens the band. A ring node's share varies by
/// about 10% at 100 points. A multi-probe node's share depends on the gap before its one
/// point: 21 probes cap it near the mean, but a node that lands just after another gets
/// little. Maglev moves more than the minimum by design (the fill order shifts); measured
/// at 1.1 to 2.4 times the ideal for these sizes.
fn movement_bounds(algorithm: &Algorithm) -> (f64, f64) {
    match algorithm {
        Algorithm::Ring { .. } => (0.5, 1.5),
        Algorithm::MultiProbe { .. } => (0.0, 1.5),
        Algorithm::Maglev { .. } => (0.65, 3.0),
        _ => (0.65, 1.35),
    }
}

fn cases() -> ProptestConfig {
    ProptestConfig::with_cases(24)
}

proptest! {
    #![proptest_config(cases())]

    /// Adding the same nodes in any order gives the same mapping.
    #[test]
    fn adds_in_any_order_give_the_same_mapping(
        ids in proptest::collection::btree_set(0u32..1_000, 1..20),
        seed in any::<u64>(),
    ) {
        let keys = keys(500);
        let mut shuffled: Vec<u32> = ids.iter().copied().collect();
        // A deterministic shuffle from the case's seed.
        shuffled.sort_by_key(|id| (u64::from(*id) ^ seed).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        for algorithm in algorithms().iter().filter(|a| history_free(a)) {
            let mut forward = empty(algorithm);
            let mut scrambled = empty(algorithm);
            for &id in &ids {
                forward.add(NodeId(id)).unwrap();
            }
            for &id in &shuffled {
                scrambled.add(NodeId(id)).unwrap();
            }
            prop_assert_eq!(owners(&forward, &keys), owners(&scrambled, &keys), "{:?}", algorithm);
        }
    }

    /// A new node takes keys only for itself, about `1/(n + 1)` of them; Maglev moves
    /// more than the minimum by design, so for it only the fraction is checked.
    #[test]
    fn adding_a_node_moves_keys_only_to_it(n in 2u32..20) {
        let keys = keys(KEYS);
        for algorithm in algorithms() {
            let mut placer = with_nodes(&algorithm, n);
            let before = owners(&placer, &keys);
            placer.add(NodeId(n)).unwrap();
            let after = owners(&placer, &keys);
            let moved: Vec<_> = before.iter().zip(&after).filter(|(b, a)| b != a).collect();
            if !matches!(algorithm, Algorithm::Maglev { .. }) {
                prop_assert!(moved.iter().all(|(_, a)| **a == NodeId(n)), "{:?}", algorithm);
            }
            let ratio = moved.len() as f64 / keys.len() as f64 * f64::from(n + 1);
            let (low, high) = movement_bounds(&algorithm);
            prop_assert!(
                (low..=high).contains(&ratio),
                "{:?}: moved {:.3} of the ideal", algorithm, ratio
            );
        }
    }

    /// Removing a node moves only the keys it owned. Jump hashes can only remove the
    /// last node; the others remove any.
    #[test]
    fn removing_a_node_moves_only_its_keys(n in 2u32..20, pick in any::<u32>()) {
        let keys = keys(KEYS);
        for algorithm in algorithms() {
            let numbered = matches!(algorithm, Algorithm::Jump | Algorithm::JumpBack);
            let leaving = NodeId(if numbered { n - 1 } else { pick % n });
            let mut placer = with_nodes(&algorithm, n);
            let before = owners(&placer, &keys);
            placer.remove(leaving).unwrap();
            let after = owners(&placer, &keys);
            for (b, a) in before.iter().zip(&after) {
                if matches!(algorithm, Algorithm::Maglev { .. }) {
                    prop_assert_ne!(*a, leaving);
                } else {
                    prop_assert!(b == a || *b == leaving, "{:?}: {} -> {}", algorithm, b, a);
                }
            }
        }
    }

    /// Adding a node and removing it again restores every key's owner.
    #[test]
    fn add_then_remove_restores_the_mapping(n in 1u32..20, removed_first in any::<u32>()) {
        let keys = keys(1_000);
        for algorithm in algorithms() {
            let mut placer = with_nodes(&algorithm, n);
            // Anchor and the history-free algorithms also start from a removal.
            if !matches!(algorithm, Algorithm::Jump | Algorithm::JumpBack) && n > 1 {
                placer.remove(NodeId(removed_first % n)).unwrap();
            }
            let before = owners(&placer, &keys);
            placer.add(NodeId(n)).unwrap();
            placer.remove(NodeId(n)).unwrap();
            prop_assert_eq!(&before, &owners(&placer, &keys), "{:?}", algorithm);
        }
    }

    /// `replicas` returns distinct members, the owner first, and the answer for `k` is a
    /// prefix of the answer for `k + 1`.
    #[test]
    fn replicas_are_distinct_and_prefix_stable(n in 1u32..12, key in any::<u64>()) {
        for algorithm in algorithms() {
            let placer = with_nodes(&algorithm, n);
            let mut longest = [NodeId(0); 13];
            let all = placer.replicas_hashed(key, &mut longest).to_vec();
            prop_assert_eq!(all.len(), n as usize);
            prop_assert_eq!(all[0], placer.get_hashed(key).unwrap());
            let mut sorted = all.clone();
            sorted.sort_unstable();
            sorted.dedup();
            prop_assert_eq!(sorted.len(), all.len(), "{:?}", algorithm);
            for k in 0..=all.len() {
                let mut out = vec![NodeId(u32::MAX); k];
                prop_assert_eq!(placer.replicas_hashed(key, &mut out), &all[..k]);
            }
        }
    }
}

/// Weighted algorithms give a node of weight `w` a share `w / Σw`.
#[test]
fn weights_give_proportional_shares() {
    let keys = keys(40_000);
    let weights = [1u32, 2, 3, 4];
    let total: u32 = weights.iter().sum();
    let weighted = [
        Algorithm::Ring { vnodes: 400 },
        Algorithm::Rendezvous,
        Algorithm::Maglev { table_size: None },
    ];
    for algorithm in weighted {
        let mut placer = empty(&algorithm);
        placer
            .add_all(
                weights
                    .iter()
                    .enumerate()
                    .map(|(id, &w)| (NodeId(id as u32), w)),
            )
            .unwrap();
        let owners = owners(&placer, &keys);
        for (id, &weight) in weights.iter().enumerate() {
            let share = owners.iter().filter(|&&o| o == NodeId(id as u32)).count() as f64
                / keys.len() as f64;
            let want = f64::from(weight) / f64::from(total);
            assert!(
                (share / want - 1.0).abs() < 0.1,
                "{algorithm:?}: node {id} has {share:.3}, want {want:.3}"
            );
        }
    }
}

/// With no members every lookup answers "nobody", and nothing panics.
#[test]
fn an_empty_set_returns_none_and_never_panics() {
    for algorithm in algorithms() {
        let mut placer = empty(&algorithm);
        assert!(placer.is_empty());
        assert_eq!(placer.get(b"key"), None, "{algorithm:?}");
        let mut out = [NodeId(7); 3];
        assert!(placer.replicas(b"key", &mut out).is_empty());
        assert_eq!(placer.probes(42).count(), 0);
        assert!(placer.remove(NodeId(1)).is_err());
        // Emptied again after a member came and went.
        placer.add(NodeId(1)).unwrap();
        placer.remove(NodeId(1)).unwrap();
        assert_eq!(placer.get(b"key"), None, "{algorithm:?}");
        assert!(placer.replicas(b"key", &mut out).is_empty());
    }
}

/// Every candidate order starts with the owner and names every member.
#[test]
fn probes_start_with_the_owner_and_name_every_member() {
    for algorithm in algorithms() {
        let placer = with_nodes(&algorithm, 9);
        for key in keys(200) {
            let probes: Vec<NodeId> = placer.probes(key).collect();
            assert_eq!(probes.first().copied(), placer.get_hashed(key));
            for id in 0..9 {
                assert!(probes.contains(&NodeId(id)), "{algorithm:?} misses {id}");
            }
        }
    }
}

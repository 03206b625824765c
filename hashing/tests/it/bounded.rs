//! Bounded loads: the cap holds over every algorithm's candidate order.

use hashing::{BoundedLoads, ConsistentHash, Error, Membership, NodeId, Placer};
use proptest::prelude::*;

use crate::{algorithms, with_nodes};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// However skewed the keys (a handful of hot keys repeated), after every assignment
    /// no node holds more than the cap that applied to it.
    #[test]
    fn the_cap_is_never_exceeded(
        n in 1u32..12,
        hot in proptest::collection::vec(0u64..6, 1..300),
        balance in 1.01f64..2.0,
    ) {
        for algorithm in algorithms() {
            let mut bounded = BoundedLoads::new(with_nodes(&algorithm, n), balance).unwrap();
            for &key in &hot {
                let cap = bounded.cap();
                let node = bounded.assign_hashed(key).unwrap();
                prop_assert!(bounded.load(node) <= cap, "{:?}", algorithm);
                for id in 0..n {
                    prop_assert!(bounded.load(NodeId(id)) <= cap);
                }
            }
            prop_assert_eq!(bounded.total(), hot.len() as u64);
        }
    }
}

#[test]
fn a_key_goes_to_its_owner_while_the_owner_is_below_the_cap() {
    let placer = with_nodes(&algorithms()[0], 8);
    let owner = placer.get(b"k").unwrap();
    let mut bounded = BoundedLoads::new(placer, 1.5).unwrap();
    assert_eq!(bounded.assign(b"k"), Some(owner));
    // The cap for the second item is ceil(1.5 * 2 / 8) = 1: the owner is full.
    assert_eq!(bounded.cap(), 1);
    assert_ne!(bounded.assign(b"k"), Some(owner));
}

#[test]
fn releases_are_counted_and_checked() {
    let mut bounded = BoundedLoads::new(with_nodes(&algorithms()[0], 3), 1.25).unwrap();
    let node = bounded.assign(b"a").unwrap();
    bounded.release(node).unwrap();
    assert_eq!(bounded.load(node), 0);
    assert_eq!(bounded.release(node), Err(Error::NothingToRelease(node)));
}

#[test]
fn removing_a_node_forgets_its_items() {
    let mut bounded = BoundedLoads::new(with_nodes(&algorithms()[0], 3), 1.25).unwrap();
    for i in 0..30u32 {
        bounded.assign(&i.to_le_bytes()).unwrap();
    }
    let load = bounded.load(NodeId(1));
    bounded.remove(NodeId(1)).unwrap();
    assert_eq!(bounded.total(), 30 - load);
    assert_eq!(bounded.load(NodeId(1)), 0);
    assert_eq!(bounded.inner().len(), 2);
}

#[test]
fn an_empty_set_assigns_nothing() {
    let placer: Placer = crate::empty(&algorithms()[0]);
    let mut bounded = BoundedLoads::new(placer, 1.25).unwrap();
    assert_eq!(bounded.cap(), 0);
    assert_eq!(bounded.assign(b"a"), None);
    assert_eq!(bounded.total(), 0);
}

#[test]
fn the_balance_factor_is_validated() {
    for balance in [1.0, 0.5, f64::NAN, 16.5] {
        let placer = with_nodes(&algorithms()[0], 2);
        assert_eq!(
            BoundedLoads::new(placer, balance).unwrap_err(),
            Error::InvalidConfig {
                field: "balance",
                rule: "must be in (1, 16]"
            }
        );
    }
}

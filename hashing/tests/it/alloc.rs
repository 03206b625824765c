//! Lookups allocate nothing: proven with a counting global allocator.

use hashing::{BoundedLoads, ConsistentHash, NodeId, Ring};

use crate::{algorithms, keys, with_nodes};

/// Allocations made by the current thread while `work` runs (the dev-dependency
/// `allocation-counter` installs a counting global allocator in this test binary).
fn allocations_during(work: impl FnOnce()) -> u64 {
    allocation_counter::measure(work).count_total
}

#[test]
fn get_replicas_and_probes_allocate_nothing() {
    let keys = keys(1_000);
    for algorithm in algorithms() {
        let placer = with_nodes(&algorithm, 50);
        let mut out = [NodeId(0); 5];
        let count = allocations_during(|| {
            for &key in &keys {
                std::hint::black_box(placer.get_hashed(key));
                std::hint::black_box(placer.replicas_hashed(key, &mut out));
                std::hint::black_box(placer.probes(key).take(60).count());
                std::hint::black_box(placer.get(b"user:42"));
            }
        });
        assert_eq!(count, 0, "{algorithm:?}");
    }
}

#[test]
fn bounded_assignment_allocates_nothing_once_every_node_has_a_load() {
    let mut ring = Ring::new(100, 16).unwrap();
    ring.add_all((0..8).map(|id| (NodeId(id), 1))).unwrap();
    let mut bounded = BoundedLoads::new(ring, 1.25).unwrap();
    let keys = keys(2_000);
    for &key in &keys[..1_000] {
        bounded.assign_hashed(key).unwrap();
    }
    let count = allocations_during(|| {
        for &key in &keys[1_000..] {
            std::hint::black_box(bounded.assign_hashed(key));
        }
    });
    assert_eq!(count, 0);
}

#[test]
fn the_counter_sees_allocations() {
    // The oracle above is only meaningful if the counter counts.
    let count = allocations_during(|| drop(std::hint::black_box(vec![1u8; 64])));
    assert_eq!(count, 1);
}

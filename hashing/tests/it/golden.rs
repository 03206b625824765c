//! Placement golden vectors: the owner of fixed keys for fixed members, per algorithm.
//! A change here means an upgrade would move data between nodes. Never edit these to make
//! a test pass; a deliberate change of placement is a breaking release.

use hashing::{ConsistentHash, NodeId};

use crate::{algorithms, with_nodes};

#[test]
fn placement_never_changes() {
    // Jump's row is also the output of the paper's reference code on the reference XXH3.
    let golden: [(&str, [u32; 8]); 7] = [
        ("ring", [3, 8, 6, 1, 9, 5, 9, 4]),
        ("jump", [9, 1, 9, 7, 8, 3, 6, 2]),
        ("jump-back", [3, 0, 8, 3, 7, 8, 2, 8]),
        ("rendezvous", [8, 2, 1, 7, 4, 6, 8, 9]),
        ("maglev", [1, 9, 8, 0, 4, 7, 4, 9]),
        ("multi-probe", [7, 9, 6, 3, 5, 4, 0, 5]),
        ("anchor", [1, 8, 8, 8, 4, 4, 3, 0]),
    ];
    for (algorithm, (name, want)) in algorithms().iter().zip(golden) {
        let placer = with_nodes(algorithm, 10);
        assert_eq!(placer.name(), name);
        let got: Vec<u32> = (0..8)
            .map(|i| {
                placer
                    .get(format!("user:{i}").as_bytes())
                    .map_or(u32::MAX, |NodeId(id)| id)
            })
            .collect();
        assert_eq!(got, want, "{name}");
    }
}

#![allow(
    missing_docs,
    reason = "criterion_group! generates undocumented functions"
)]

//! Consistent hashing: lookups, replica sets and builds against the `hashring` crate.
//!
//! Both rings get the same nodes with 100 points each (`hashring` has no virtual nodes of
//! its own, so it is given `(node, replica)` entries, as its documentation suggests) and
//! are asked for the same string keys. `hashring` hashes with `SipHash` through `Hash`;
//! ours hashes the key's bytes with XXH3. Every structure is built outside the timed loop.
//! The other algorithms of this workspace run the same lookups for comparison.

use std::hint::black_box;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, criterion_group, criterion_main};
use hashing::{Algorithm, Config, ConsistentHash, Maglev, NodeId, Placer, Ring};

const SIZES: [u32; 4] = [10, 100, 1_000, 10_000];
const VNODES: u32 = 100;
/// Keys cycled through by the lookups: more than the caches hold at the larger sizes, so
/// lookups pay for the memory they touch.
const KEYS: usize = 1 << 14;

/// A node of `hashring`'s ring: its documented way of giving a node several points.
#[derive(Clone, Copy, Debug, Hash, PartialEq)]
struct VNode {
    id: u32,
    replica: u32,
}

fn keys() -> Vec<String> {
    (0..KEYS).map(|i| format!("user:{i}")).collect()
}

fn vnodes(n: u32) -> Vec<VNode> {
    (0..n)
        .flat_map(|id| (0..VNODES).map(move |replica| VNode { id, replica }))
        .collect()
}

fn peer(n: u32) -> hashring::HashRing<VNode> {
    let mut ring = hashring::HashRing::new();
    ring.batch_add(vnodes(n));
    ring
}

fn ring(n: u32) -> Ring {
    let mut ring = Ring::new(VNODES, n).expect("valid");
    ring.add_all((0..n).map(|id| (NodeId(id), 1)))
        .expect("n nodes fit");
    ring
}

/// Any of the algorithms, through the run-time [`Placer`].
fn ours(algorithm: Algorithm, n: u32) -> Placer {
    let config = Config {
        nodes_max: n,
        algorithm,
    };
    let mut placer = config.build().expect("valid config");
    placer
        .add_all((0..n).map(|id| (NodeId(id), 1)))
        .expect("n nodes fit");
    placer
}

/// The algorithms of this workspace benchmarked beside the ring; rendezvous is `O(n)` per
/// lookup, so it stops at 1000 nodes.
fn others(n: u32) -> Vec<(&'static str, Placer)> {
    let mut others = vec![
        ("ours-jump", ours(Algorithm::Jump, n)),
        ("ours-jump-back", ours(Algorithm::JumpBack, n)),
        (
            "ours-maglev",
            ours(Algorithm::Maglev { table_size: None }, n),
        ),
        (
            "ours-multi-probe",
            ours(Algorithm::MultiProbe { probes: 21 }, n),
        ),
        ("ours-anchor", ours(Algorithm::Anchor, n)),
    ];
    if n <= 1_000 {
        others.push(("ours-rendezvous", ours(Algorithm::Rendezvous, n)));
    }
    others
}

/// Benchmarks `lookup` on each key in turn.
fn bench_keys<T>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    n: u32,
    keys: &[String],
    lookup: impl Fn(&str) -> T,
) {
    group.bench_function(BenchmarkId::new(name, n), |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % KEYS;
            black_box(lookup(black_box(&keys[i])))
        });
    });
}

fn get(c: &mut Criterion) {
    let keys = keys();
    let mut group = c.benchmark_group("hashing/get");
    for n in SIZES {
        let ring = ring(n);
        bench_keys(&mut group, "ours-ring", n, &keys, |key| {
            ring.get(key.as_bytes())
        });
        let peer = peer(n);
        bench_keys(&mut group, "hashring", n, &keys, |key| {
            peer.get(&key).map(|v| v.id)
        });
        for (name, placer) in others(n) {
            bench_keys(&mut group, name, n, &keys, |key| placer.get(key.as_bytes()));
        }
    }
    group.finish();
}

/// Three replicas: ours writes three distinct nodes into a stack array; `hashring`'s
/// `get_with_replicas(key, 2)` returns the key's point and the next two (which may be
/// points of the same node) in a new `Vec`, after cloning the whole ring.
fn replicas(c: &mut Criterion) {
    let keys = keys();
    let mut group = c.benchmark_group("hashing/replicas-3");
    for n in SIZES {
        let ring = ring(n);
        bench_keys(&mut group, "ours-ring", n, &keys, |key| {
            let mut out = [NodeId(0); 3];
            ring.replicas(key.as_bytes(), &mut out).len()
        });
        let peer = peer(n);
        bench_keys(&mut group, "hashring", n, &keys, |key| {
            peer.get_with_replicas(&key, 2).map(|nodes| nodes.len())
        });
        for (name, placer) in others(n) {
            bench_keys(&mut group, name, n, &keys, |key| {
                let mut out = [NodeId(0); 3];
                placer.replicas(key.as_bytes(), &mut out).len()
            });
        }
    }
    group.finish();
}

/// Building a ring of `n` nodes with 100 points each from nothing, in one batch for both.
fn build(c: &mut Criterion) {
    let mut group = c.benchmark_group("hashing/build");
    group.sample_size(10);
    for n in SIZES {
        group.bench_function(BenchmarkId::new("ours-ring", n), |b| {
            b.iter(|| black_box(ring(n).points()));
        });
        group.bench_function(BenchmarkId::new("hashring", n), |b| {
            b.iter(|| {
                let mut ring = hashring::HashRing::new();
                ring.batch_add(vnodes(n));
                black_box(ring.len())
            });
        });
    }
    group.finish();
}

/// The Maglev paper's measurement: a 65537-entry table for 1000 backends (1.8 ms there).
fn maglev_build(c: &mut Criterion) {
    let mut group = c.benchmark_group("hashing/maglev-build");
    group.sample_size(20);
    let nodes: Vec<(NodeId, u32)> = (0..1_000).map(|id| (NodeId(id), 1)).collect();
    group.bench_function(BenchmarkId::new("ours-maglev", "65537x1000"), |b| {
        b.iter(|| {
            let mut maglev = Maglev::with_table_size(65_537, 1_000).expect("valid");
            maglev.add_all(nodes.iter().copied()).expect("fits");
            black_box(maglev.len())
        });
    });
    group.finish();
}

criterion_group!(benches, get, replicas, build, maglev_build);
criterion_main!(benches);

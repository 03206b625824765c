//! Consistent hashing: nodes join and leave a cache tier, and a hot key arrives.
//!
//! Every claim of the crate's guide, measured: a joining node takes about `1/(n+1)` of the
//! keys and only for itself (ring, `JumpBackHash`); a failing node gives up only its own keys
//! (`AnchorHash`, a node picked by the seed); a ring with 100 points per node spreads load
//! with the standard deviation the literature gives; and bounded loads keep a hot key from
//! overloading its owner. Keys and the failing node come from the seed.

use chaos::Seed;
use hashing::{Algorithm, BoundedLoads, ConsistentHash, LoadStats, Membership, NodeId, Placer};

use super::Finding;
use crate::hashing::{Keys, exact_shares, placer};

const SCENARIO: &str = "hashing";
const KEYS: u64 = 200_000;
const NODES: u32 = 10;
/// A join moves `1/(n+1)` of the keys give or take this fraction of it: a ring node's share
/// varies by about 8% at 160 points, and 200k keys add 1%.
const JOIN_TOLERANCE: f64 = 0.3;

pub(crate) fn run(seed: u64) -> anyhow::Result<Vec<Finding>> {
    let keys = Keys { seed, count: KEYS };
    let mut findings = Vec::new();
    for algorithm in [Algorithm::Ring { vnodes: 160 }, Algorithm::JumpBack] {
        findings.push(join(&algorithm, &keys)?);
    }
    let leaving = NodeId(
        Seed::new(seed)
            .stream("hashing/leaving")
            .below(u64::from(NODES)) as u32,
    );
    findings.push(leave(leaving, &keys)?);
    findings.push(ring_spread()?);
    findings.push(hot_key(seed)?);
    Ok(findings)
}

/// Node `NODES` joins `NODES` nodes.
fn join(algorithm: &Algorithm, keys: &Keys) -> anyhow::Result<Finding> {
    let before = placer(algorithm, NODES)?;
    let mut after = before.clone();
    after.add(NodeId(NODES))?;
    let (old, new) = (keys.owners(&before), keys.owners(&after));
    let moved = old.iter().zip(&new).filter(|(o, n)| o != n).count();
    let elsewhere = old
        .iter()
        .zip(&new)
        .filter(|&(o, n)| o != n && *n != NODES)
        .count();
    let fraction = moved as f64 / KEYS as f64;
    let ideal = 1.0 / f64::from(NODES + 1);
    Ok(finding(
        format!(
            "{}: a node joining {NODES} takes 1/{} of the keys (±{:.0}%), all for itself",
            before.name(),
            NODES + 1,
            JOIN_TOLERANCE * 100.0
        ),
        format!(
            "{:.2}% moved (ideal {:.2}%), {elsewhere} to other nodes",
            fraction * 100.0,
            ideal * 100.0
        ),
        (fraction / ideal - 1.0).abs() <= JOIN_TOLERANCE && elsewhere == 0,
    ))
}

/// `leaving` fails out of `NODES` nodes under `AnchorHash`.
fn leave(leaving: NodeId, keys: &Keys) -> anyhow::Result<Finding> {
    let before = placer(&Algorithm::Anchor, NODES)?;
    let mut after = before.clone();
    after.remove(leaving)?;
    let (old, new) = (keys.owners(&before), keys.owners(&after));
    let owned = old.iter().filter(|&&o| o == leaving.0).count();
    let moved = old.iter().zip(&new).filter(|(o, n)| o != n).count();
    let innocent = old
        .iter()
        .zip(&new)
        .filter(|&(o, n)| o != n && *o != leaving.0)
        .count();
    Ok(finding(
        format!("anchor: when node {leaving} fails, only its own keys move"),
        format!("{moved} keys moved, {owned} were its own, {innocent} were not"),
        innocent == 0 && moved == owned,
    ))
}

/// The exact spread of a 100-node ring with 100 points per node.
fn ring_spread() -> anyhow::Result<Finding> {
    let nodes = 100;
    let ring = placer(&Algorithm::Ring { vnodes: 100 }, nodes)?;
    let shares = exact_shares(&ring, nodes).expect("a ring has exact shares");
    let stats = LoadStats::from_loads(&shares).expect("every node has a share");
    // 100 nodes estimate the deviation to within about 7% of itself.
    let (low, high) = (0.075, 0.125);
    Ok(finding(
        "ring, 100 points a node: load sd ≈ 10% of the mean, as published (7.5–12.5%)".into(),
        format!(
            "sd {:.1}%, peak/mean {:.2}, min/mean {:.2} over {nodes} nodes",
            stats.relative_sd * 100.0,
            stats.peak_to_mean,
            stats.min_to_mean
        ),
        (low..=high).contains(&stats.relative_sd),
    ))
}

/// A third of the requests ask for one hot key; the rest are spread.
fn hot_key(seed: u64) -> anyhow::Result<Finding> {
    const REQUESTS: u32 = 100_000;
    const BALANCE: f64 = 1.25;
    let nodes = 20;
    let ring = placer(&Algorithm::Ring { vnodes: 160 }, nodes)?;
    let mut plain = vec![0u64; nodes as usize];
    let mut bounded = BoundedLoads::new(ring.clone(), BALANCE)?;
    let mut random = Seed::new(seed).stream("hashing/requests");
    let mut over_cap = 0;
    for _ in 0..REQUESTS {
        let key = if random.chance(1.0 / 3.0) {
            u64::MAX
        } else {
            random.next_u64()
        };
        plain[owner(&ring, key)] += 1;
        let cap = bounded.cap();
        let node = bounded.assign_hashed(key).expect("there are nodes");
        over_cap += usize::from(bounded.load(node) > cap);
    }
    let peak = |loads: &[f64]| LoadStats::from_loads(loads).map_or(0.0, |s| s.peak_to_mean);
    let plain_peak = peak(&plain.iter().map(|&l| l as f64).collect::<Vec<_>>());
    let bounded_loads: Vec<f64> = (0..nodes)
        .map(|id| bounded.load(NodeId(id)) as f64)
        .collect();
    let bounded_peak = peak(&bounded_loads);
    Ok(finding(
        format!("bounded loads (c = {BALANCE}) cap a hot key's node, which a plain ring overloads"),
        format!(
            "peak/mean {plain_peak:.2} plain, {bounded_peak:.2} bounded; {over_cap} assignments over the cap"
        ),
        over_cap == 0 && bounded_peak <= BALANCE + 0.01 && plain_peak > 2.0,
    ))
}

fn owner(placer: &Placer, key: u64) -> usize {
    placer.get_hashed(key).expect("there are nodes").0 as usize
}

fn finding(hypothesis: String, measured: String, holds: bool) -> Finding {
    Finding::new(SCENARIO, hypothesis, measured, holds)
}

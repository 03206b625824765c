//! `lab hashing report`: load balance and key movement of every consistent-hashing
//! algorithm, measured beside the figures their papers publish, written as a markdown table.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context as _, bail};
use hashing::{
    Algorithm, BoundedLoads, Config, ConsistentHash, LoadStats, Membership, NODES_MAX, NodeId,
    Placer, key_hash,
};

/// Most keys a report may sample: 10^9 owners take 4 GB.
const KEYS_MAX: u64 = 1_000_000_000;

/// Consistent-hashing analysis.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Measure peak-to-mean, min-to-mean and standard deviation of load, and the keys moved
    /// when a node joins or leaves, for every algorithm, beside the published figures.
    Report {
        /// Node counts to measure, comma-separated.
        #[arg(long, value_delimiter = ',', default_values_t = [10u32, 100, 1_000])]
        nodes: Vec<u32>,
        /// Keys sampled per measurement (balance is exact where ownership is known).
        #[arg(long, default_value_t = 10_000_000)]
        keys: u64,
        /// Seed of the sampled keys; printed in the report, so a run can be replayed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write the markdown; `-` for standard output.
        #[arg(long, default_value = "docs/hashing.md")]
        output: PathBuf,
    },
}

pub(crate) fn run(command: Command) -> ExitCode {
    match command {
        Command::Report {
            nodes,
            keys,
            seed,
            output,
        } => match report(&nodes, keys, seed, &output) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("error: {error:#}");
                ExitCode::from(2)
            }
        },
    }
}

fn report(nodes: &[u32], keys: u64, seed: u64, output: &Path) -> anyhow::Result<()> {
    if nodes.is_empty() {
        bail!("--nodes needs at least one node count");
    }
    if let Some(&n) = nodes.iter().find(|&&n| !(2..NODES_MAX).contains(&n)) {
        bail!("--nodes: {n} is outside 2..{NODES_MAX} (one more node must fit)");
    }
    if !(1..=KEYS_MAX).contains(&keys) {
        bail!("--keys must be in 1..={KEYS_MAX}");
    }
    let keys = Keys { seed, count: keys };
    let started = Instant::now();
    let mut rows = Vec::new();
    for &n in nodes {
        for variant in variants() {
            eprintln!("measuring {} with {n} nodes", variant.label);
            rows.push(measure(&variant, n, &keys)?);
        }
    }
    let markdown = render(&rows, &keys);
    if output.as_os_str() == "-" {
        print!("{markdown}");
    } else {
        std::fs::write(output, markdown)
            .with_context(|| format!("writing {}", output.display()))?;
        eprintln!(
            "wrote {} ({:.0} s, seed {seed})",
            output.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// One algorithm configuration in the report.
struct Variant {
    label: &'static str,
    algorithm: Algorithm,
    /// The balance factor when wrapped in bounded loads.
    bounded: Option<f64>,
    published: &'static str,
}

fn variants() -> Vec<Variant> {
    let variant = |label, algorithm, published| Variant {
        label,
        algorithm,
        bounded: None,
        published,
    };
    vec![
        variant(
            "ring, 100 vnodes",
            Algorithm::Ring { vnodes: 100 },
            "sd ≈ 10%, 99% of nodes in 0.76–1.28 [1]",
        ),
        variant(
            "ring, 1000 vnodes",
            Algorithm::Ring { vnodes: 1_000 },
            "sd ≈ 3.2%, 99% of nodes in 0.92–1.09 [1]",
        ),
        variant(
            "jump",
            Algorithm::Jump,
            "even split; moves 1/(n+1) on add [2]",
        ),
        variant(
            "jump-back",
            Algorithm::JumpBack,
            "same distribution as jump [3]",
        ),
        variant(
            "rendezvous",
            Algorithm::Rendezvous,
            "even split; moves only the changed node's keys [4]",
        ),
        variant(
            "maglev, M > 100 n",
            Algorithm::Maglev { table_size: None },
            "M > 100 n: at most ~1% difference in hash space [5]",
        ),
        variant(
            "multi-probe, 21 probes",
            Algorithm::MultiProbe { probes: 21 },
            "peak-to-mean 1.05 [6]",
        ),
        variant(
            "anchor",
            Algorithm::Anchor,
            "even split; minimal disruption [7]",
        ),
        Variant {
            label: "bounded loads c = 1.25, ring 100",
            algorithm: Algorithm::Ring { vnodes: 100 },
            bounded: Some(1.25),
            published: "peak-to-mean ≤ c by construction [8]",
        },
    ]
}

/// The sampled keys: `count` hashes of `(seed, i)`.
pub(crate) struct Keys {
    pub(crate) seed: u64,
    pub(crate) count: u64,
}

impl Keys {
    fn hash(&self, i: u64) -> u64 {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.seed.to_le_bytes());
        bytes[8..].copy_from_slice(&i.to_le_bytes());
        key_hash(&bytes)
    }

    /// The owner of every key, computed on every core.
    pub(crate) fn owners(&self, placer: &Placer) -> Vec<u32> {
        let threads = std::thread::available_parallelism().map_or(1, usize::from) as u64;
        let chunk = self.count.div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let range = t * chunk..((t + 1) * chunk).min(self.count);
                    scope.spawn(move || {
                        range
                            .map(|i| owner(placer.get_hashed(self.hash(i))))
                            .collect::<Vec<u32>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|handle| handle.join().expect("a lookup never panics"))
                .collect()
        })
    }

    /// The node each key is assigned to, one after the other, under bounded loads.
    fn bounded_owners(&self, placer: Placer, balance: f64) -> anyhow::Result<Vec<u32>> {
        let mut bounded = BoundedLoads::new(placer, balance)?;
        Ok((0..self.count)
            .map(|i| owner(bounded.assign_hashed(self.hash(i))))
            .collect())
    }
}

fn owner(node: Option<NodeId>) -> u32 {
    node.expect("the placer has members").0
}

/// What one row of the report measured.
struct Row {
    label: &'static str,
    n: u32,
    exact: bool,
    stats: LoadStats,
    moved_on_add: f64,
    /// Keys that moved on add to a node other than the new one.
    moved_elsewhere: f64,
    moved_on_remove: f64,
    /// The removed node's share before it left: the least that must move.
    removed_share: f64,
    published: &'static str,
}

/// A placer running `algorithm` with nodes `0..n` and room for one more.
pub(crate) fn placer(algorithm: &Algorithm, n: u32) -> anyhow::Result<Placer> {
    let config = Config {
        nodes_max: n + 1,
        algorithm: algorithm.clone(),
    };
    let mut placer = config.build()?;
    placer.add_all((0..n).map(|id| (NodeId(id), 1)))?;
    Ok(placer)
}

fn measure(variant: &Variant, n: u32, keys: &Keys) -> anyhow::Result<Row> {
    let before = placer(&variant.algorithm, n)?;
    let mut added = before.clone();
    added.add(NodeId(n))?;
    // The last node, so that jump hashes can remove it too.
    let leaving = NodeId(n - 1);
    let mut removed = before.clone();
    removed.remove(leaving)?;
    let owners = |placer: Placer| match variant.bounded {
        Some(balance) => keys.bounded_owners(placer, balance),
        None => Ok(keys.owners(&placer)),
    };
    let exact = exact_shares(&before, n).filter(|_| variant.bounded.is_none());
    let owners_before = owners(before)?;
    let sampled = counts(&owners_before, n);
    let shares = exact.clone().unwrap_or(sampled);
    let stats = LoadStats::from_loads(&shares).context("every node has a share")?;
    let owners_added = owners(added)?;
    let owners_removed = owners(removed)?;
    let total = keys.count as f64;
    let moved = |after: &[u32], allowed: &dyn Fn(u32, u32) -> bool| {
        owners_before
            .iter()
            .zip(after)
            .filter(|&(&b, &a)| b != a && !allowed(b, a))
            .count() as f64
            / total
    };
    Ok(Row {
        label: variant.label,
        n,
        exact: exact.is_some(),
        stats,
        moved_on_add: moved(&owners_added, &|_, _| false),
        moved_elsewhere: moved(&owners_added, &|_, a| a == n),
        moved_on_remove: moved(&owners_removed, &|_, _| false),
        removed_share: shares[leaving.0 as usize] / shares.iter().sum::<f64>(),
        published: variant.published,
    })
}

/// Keys per node.
fn counts(owners: &[u32], n: u32) -> Vec<f64> {
    let mut counts = vec![0.0; n as usize];
    for &owner in owners {
        counts[owner as usize] += 1.0;
    }
    counts
}

/// Exact shares of the hash space where the algorithm has them: a ring's arcs, Maglev's
/// table entries.
pub(crate) fn exact_shares(placer: &Placer, n: u32) -> Option<Vec<f64>> {
    match placer {
        Placer::Ring(ring) => Some(
            (0..n)
                .map(|id| {
                    let width: u128 = ring
                        .ranges(NodeId(id))
                        .map(|range| u128::from(range.end() - range.start()) + 1)
                        .sum();
                    width as f64 / 2f64.powi(64)
                })
                .collect(),
        ),
        Placer::Maglev(maglev) => {
            let mut entries = vec![0.0; n as usize];
            for node in maglev.table() {
                entries[node.0 as usize] += 1.0;
            }
            Some(entries)
        }
        _ => None,
    }
}

fn percent(fraction: f64) -> String {
    format!("{:.2}%", fraction * 100.0)
}

fn render(rows: &[Row], keys: &Keys) -> String {
    let mut out = String::new();
    let count = keys.count;
    let seed = keys.seed;
    let _ = writeln!(
        out,
        "# Consistent hashing: balance and movement\n\n\
         Generated by `cargo run --release -p lab -- hashing report` ({count} keys, seed {seed}). \
         Do not edit by hand.\n\n\
         For each algorithm and node count `n`: the most and least loaded node over the mean, \
         the standard deviation of the loads over the mean, the fraction of keys that move when \
         node `n` joins (ideal: `1/(n+1)`, all of them to the new node) and when node `n-1` \
         leaves (ideal: the leaving node's own share, and nothing else). Balance is exact where \
         ownership is known (a ring's arcs, Maglev's table entries) and otherwise counted over \
         the sampled keys, whose binomial noise alone gives a standard deviation of about \
         `sqrt(n / keys)`: {} at 1000 nodes with these keys. Movement is always counted over \
         the keys.\n",
        percent((1_000.0 / count as f64).sqrt())
    );
    let _ = writeln!(
        out,
        "| algorithm | n | balance from | peak/mean | min/mean | sd | moved on add (ideal) | \
         moved on remove (ideal) | published |\n| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |"
    );
    for row in rows {
        let elsewhere = if row.moved_elsewhere > 0.0 {
            format!(", {} elsewhere", percent(row.moved_elsewhere))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.3} | {:.3} | {} | {} ({}){elsewhere} | {} ({}) | {} |",
            row.label,
            row.n,
            if row.exact { "exact" } else { "keys" },
            row.stats.peak_to_mean,
            row.stats.min_to_mean,
            percent(row.stats.relative_sd),
            percent(row.moved_on_add),
            percent(1.0 / f64::from(row.n + 1)),
            percent(row.moved_on_remove),
            percent(row.removed_share),
            row.published,
        );
    }
    out.push_str(SOURCES);
    out
}

const SOURCES: &str = r#"
Sources of the published figures:

1. D. Karger, E. Lehman, T. Leighton, R. Panigrahy, M. Levine, D. Lewin, "Consistent hashing
   and random trees", STOC 1997. The figures for 100 and 1000 points per node are those
   quoted in D. Gryski, "Consistent Hashing: Algorithmic Tradeoffs", 2018; the standard
   deviation of a node's share is about `1/sqrt(v)` for `v` points.
2. J. Lamping, E. Veach, "A Fast, Minimal Memory, Consistent Hash Algorithm",
   arXiv:1406.2294, 2014.
3. O. Ertl, "JumpBackHash: Say Goodbye to the Modulo Operation to Distribute Keys Uniformly
   to Buckets", Software: Practice and Experience, 2025 (arXiv:2403.18682, 2024).
4. D. Thaler, C. Ravishankar, "Using name-based mappings to increase hit rates", IEEE/ACM
   Transactions on Networking 6(1), 1998.
5. D. Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load Balancer",
   NSDI 2016, §3.4. Maglev trades some extra movement for balance by design.
6. B. Appleton, M. O'Reilly, "Multi-probe consistent hashing", arXiv:1505.00062, 2015. The
   paper's claim is the peak; a node whose one point lands just after another's gets a small
   share, hence the low min/mean.
7. G. Mendelson, S. Vargaftik, K. Barabash, D. Lorenz, I. Keslassy, A. Orda, "AnchorHash: A
   Scalable Consistent Hash", IEEE/ACM Transactions on Networking 29(2), 2021.
8. V. Mirrokni, M. Thorup, M. Zadimoghaddam, "Consistent Hashing with Bounded Loads",
   SODA 2018. Keys are assigned one after the other, each counted as a load; movement then
   includes keys displaced by the cap.
"#;

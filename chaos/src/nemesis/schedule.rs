//! Nemesis schedules: seeded timelines of faults and recoveries, bounded in time and count.

use std::collections::VecDeque;
use std::time::Duration;

use serde::Deserialize;

use super::fault::{Fault, NodeId, Partition, TimedFault, majority, shuffled};
use crate::Rng;

/// The most nodes a schedule accepts; partitions are sets of links, quadratic in the nodes.
pub const NODES_MAX: usize = 1024;

/// A kind of fault, named as in Jepsen's `jepsen.nemesis` and `jepsen.nemesis.combined`.
///
/// In TOML, the partitions are strings (`"bridge"`) and the node faults tables naming their
/// targets (`{ kill = "minority" }`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Nemesis {
    /// The first half of the nodes (the smaller, when odd) against the rest.
    PartitionHalves,
    /// Two randomly chosen halves.
    PartitionRandomHalves,
    /// Every node sees a different majority ([`Partition::majorities_ring`]).
    MajoritiesRing,
    /// Two halves joined by one node that talks to both ([`Partition::bridge`]).
    Bridge,
    /// One random node cut off from the rest.
    IsolateOne,
    /// Kill nodes, then restart them.
    Kill(Targets),
    /// Pause nodes, then resume them.
    Pause(Targets),
}

/// Which nodes a node fault hits, chosen afresh each time (Jepsen's node specs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Targets {
    /// One random node.
    One,
    /// A random minority: one fewer than a majority.
    Minority,
    /// A random majority.
    Majority,
    /// Every node.
    All,
}

impl Targets {
    fn count(self, nodes: usize) -> usize {
        match self {
            Self::One => 1,
            Self::Minority => majority(nodes) - 1,
            Self::Majority => majority(nodes),
            Self::All => nodes,
        }
    }
}

impl Nemesis {
    /// The fewest nodes for which this nemesis does something, and why.
    fn nodes_min(self) -> (usize, &'static str) {
        match self {
            Self::PartitionHalves | Self::PartitionRandomHalves | Self::IsolateOne => {
                (2, "a partition needs two sides")
            }
            Self::Bridge => (3, "a bridge needs a node between two sides"),
            Self::MajoritiesRing => (
                4,
                "with fewer, symmetric links cannot give each node a majority of its own",
            ),
            Self::Kill(Targets::Minority) | Self::Pause(Targets::Minority) => {
                (2, "a minority of one node is empty")
            }
            Self::Kill(_) | Self::Pause(_) => (1, "there must be a node to hit"),
        }
    }

    /// The faults that start this nemesis on nodes `0..nodes`, drawing any random choice
    /// from `rng`. Undo each with [`Fault::recovery`]. With no nodes there is nothing to break,
    /// and no fault.
    pub fn start(self, nodes: usize, rng: &mut Rng) -> Vec<Fault> {
        if nodes == 0 {
            return Vec::new();
        }
        let partition = match self {
            Self::PartitionHalves => Partition::halves(nodes),
            Self::PartitionRandomHalves => Partition::random_halves(nodes, rng),
            Self::MajoritiesRing => Partition::majorities_ring(nodes, rng),
            Self::Bridge => Partition::bridge(nodes, rng),
            Self::IsolateOne => {
                let node = NodeId(rng.below(nodes as u64) as usize);
                Partition::isolate(node, nodes)
            }
            Self::Kill(targets) => return hit(nodes, targets, rng, Fault::Kill),
            Self::Pause(targets) => return hit(nodes, targets, rng, Fault::Pause),
        };
        vec![Fault::Partition(partition)]
    }
}

/// One fault per target node, in node order.
fn hit(nodes: usize, targets: Targets, rng: &mut Rng, fault: fn(NodeId) -> Fault) -> Vec<Fault> {
    let mut chosen = shuffled(nodes, rng);
    chosen.truncate(targets.count(nodes));
    chosen.sort_unstable();
    chosen.into_iter().map(fault).collect()
}

/// A schedule's parameters, loadable from TOML:
///
/// ```
/// let config: chaos::ScheduleConfig = toml::from_str(r#"
///     nodes = 5
///     nemeses = ["partition-random-halves", "bridge", { kill = "one" }]
///     interval = "5s"
///     duration = "2m"
///     faults_max = 10
/// "#).unwrap();
/// config.validate().unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScheduleConfig {
    /// Nodes in the system under test, numbered `0..nodes`.
    pub nodes: usize,
    /// The nemeses to draw from, uniformly, for each fault; list one twice to make it twice
    /// as likely.
    pub nemeses: Vec<Nemesis>,
    /// The mean time between a recovery and the next fault, and the mean time a fault lasts;
    /// each gap is drawn uniformly from half to one and a half times it, so faults neither
    /// line up with periodic timers nor vanish.
    #[serde(with = "humantime_serde")]
    pub interval: Duration,
    /// The time bound: no fault starts at or after it, and any fault still in effect is
    /// undone at it, so the system ends healthy.
    #[serde(with = "humantime_serde")]
    pub duration: Duration,
    /// The count bound: at most this many faults (each with its recovery).
    pub faults_max: usize,
}

impl Default for ScheduleConfig {
    /// Five nodes; Jepsen's partitions and one-node kills and pauses; a fault every 10
    /// seconds (Jepsen's default interval) for a minute.
    fn default() -> Self {
        Self {
            nodes: 5,
            nemeses: vec![
                Nemesis::PartitionRandomHalves,
                Nemesis::MajoritiesRing,
                Nemesis::Bridge,
                Nemesis::IsolateOne,
                Nemesis::Kill(Targets::One),
                Nemesis::Pause(Targets::One),
            ],
            interval: Duration::from_secs(10),
            duration: Duration::from_mins(1),
            faults_max: 100,
        }
    }
}

/// Why a [`ScheduleConfig`] was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NemesisError {
    /// A field breaks a rule; both are named.
    #[error("invalid nemesis schedule: `{field}` {rule}")]
    InvalidConfig {
        /// The offending field, as written in TOML.
        field: &'static str,
        /// The rule it breaks.
        rule: String,
    },
}

impl ScheduleConfig {
    /// Checks every field; the error names the first field that breaks a rule, and the rule.
    pub fn validate(&self) -> Result<(), NemesisError> {
        let invalid = |field, rule: String| Err(NemesisError::InvalidConfig { field, rule });
        if !(1..=NODES_MAX).contains(&self.nodes) {
            return invalid("nodes", format!("must be between 1 and {NODES_MAX}"));
        }
        if self.nemeses.is_empty() {
            return invalid("nemeses", "must name at least one nemesis".to_owned());
        }
        for nemesis in &self.nemeses {
            let (nodes_min, why) = nemesis.nodes_min();
            if self.nodes < nodes_min {
                return invalid(
                    "nodes",
                    format!("must be at least {nodes_min} for {nemesis:?}: {why}"),
                );
            }
        }
        if self.interval.is_zero() {
            return invalid("interval", "must be positive".to_owned());
        }
        // Gaps are drawn in nanoseconds, up to 1.5 intervals, and added to times up to the
        // duration: keep both well inside a u64 of nanoseconds.
        let nanos_max = Duration::from_nanos(u64::MAX / 4);
        if self.interval > nanos_max {
            return invalid("interval", "must be under 146 years".to_owned());
        }
        if self.duration.is_zero() {
            return invalid("duration", "must be positive".to_owned());
        }
        if self.duration > nanos_max {
            return invalid("duration", "must be under 146 years".to_owned());
        }
        if self.faults_max == 0 {
            return invalid("faults_max", "must be at least 1".to_owned());
        }
        Ok(())
    }
}

/// A seeded timeline of faults: an iterator of [`TimedFault`]s in time order.
///
/// It alternates, like Jepsen's `flip-flop` under `stagger`: a quiet gap, one fault from a
/// nemesis drawn from the config, a gap while it lasts, its recovery, and so on, one fault at
/// a time. It ends at `faults_max` faults or when the next fault would start at or after
/// `duration`; a recovery that would come after `duration` comes at `duration`. The same
/// config and seed give the same schedule.
///
/// ```
/// use std::time::Duration;
///
/// use chaos::{Fault, Nemesis, Schedule, ScheduleConfig, Seed};
///
/// let config = ScheduleConfig {
///     nemeses: vec![Nemesis::IsolateOne],
///     interval: Duration::from_secs(10),
///     duration: Duration::from_secs(60),
///     ..ScheduleConfig::default()
/// };
/// let schedule = Schedule::new(&config, Seed::new(7).stream("nemesis"))?;
/// let faults: Vec<_> = schedule.collect();
/// assert!(matches!(faults[0].fault, Fault::Partition(_)));
/// assert_eq!(faults[1].fault, Fault::Heal);
/// assert!(faults.iter().all(|step| step.at <= config.duration));
/// # Ok::<(), chaos::NemesisError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Schedule {
    config: ScheduleConfig,
    rng: Rng,
    /// When the last recovery happens.
    now: Duration,
    faults: usize,
    /// Faults and recoveries decided but not yet returned: at most two per node.
    queue: VecDeque<TimedFault>,
}

impl Schedule {
    /// A schedule following `config`, drawing every choice from `rng`.
    pub fn new(config: &ScheduleConfig, rng: Rng) -> Result<Self, NemesisError> {
        config.validate()?;
        Ok(Self {
            config: config.clone(),
            rng,
            now: Duration::ZERO,
            faults: 0,
            queue: VecDeque::new(),
        })
    }

    /// A gap uniformly distributed in `[interval / 2, 3 * interval / 2)`.
    fn gap(&mut self) -> Duration {
        let interval = self.config.interval.as_nanos() as u64;
        Duration::from_nanos(interval / 2 + self.rng.below(interval))
    }

    /// Decides the next fault and its recovery, or returns `false` when a bound is reached.
    fn plan_next(&mut self) -> bool {
        if self.faults == self.config.faults_max {
            return false;
        }
        let start = self.now + self.gap();
        if start >= self.config.duration {
            return false;
        }
        let pick = self.rng.below(self.config.nemeses.len() as u64) as usize;
        let faults = self.config.nemeses[pick].start(self.config.nodes, &mut self.rng);
        let end = (start + self.gap()).min(self.config.duration);
        let recoveries: Vec<Fault> = faults.iter().filter_map(Fault::recovery).collect();
        let timed = |at| move |fault| TimedFault { at, fault };
        self.queue.extend(faults.into_iter().map(timed(start)));
        self.queue.extend(recoveries.into_iter().map(timed(end)));
        self.now = end;
        self.faults += 1;
        true
    }
}

impl Iterator for Schedule {
    type Item = TimedFault;

    fn next(&mut self) -> Option<TimedFault> {
        if self.queue.is_empty() && !self.plan_next() {
            return None;
        }
        self.queue.pop_front()
    }
}

//! Nemeses: the shape of each partition (as Jepsen defines it), and schedules that stay within
//! their time and count bounds, undo every fault, and replay from their seed.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use chaos::{
    Fault, Nemesis, NemesisError, NodeId, Partition, Rng, Schedule, ScheduleConfig, Seed, Targets,
    TimedFault,
};
use proptest::prelude::*;

use crate::support;

/// The components of a partition: groups of nodes that all reach each other and nobody else.
/// `None` if reachability is not an equivalence (a bridge, a ring).
fn components(partition: &Partition, nodes: usize) -> Option<BTreeSet<BTreeSet<NodeId>>> {
    let groups: BTreeSet<BTreeSet<NodeId>> = (0..nodes)
        .map(|node| {
            partition
                .reachable(NodeId(node), nodes)
                .into_iter()
                .collect()
        })
        .collect();
    let disjoint = groups.iter().map(BTreeSet::len).sum::<usize>() == nodes;
    disjoint.then_some(groups)
}

fn sizes(groups: &BTreeSet<BTreeSet<NodeId>>) -> Vec<usize> {
    let mut sizes: Vec<usize> = groups.iter().map(BTreeSet::len).collect();
    sizes.sort_unstable();
    sizes
}

#[test]
fn halves_put_the_smaller_first_half_against_the_rest() {
    let partition = Partition::halves(5);
    let groups = components(&partition, 5).expect("two clean halves");
    let first: BTreeSet<NodeId> = [NodeId(0), NodeId(1)].into();
    let rest: BTreeSet<NodeId> = [NodeId(2), NodeId(3), NodeId(4)].into();
    assert_eq!(groups, [first, rest].into());
    assert_eq!(partition.cut_links().count(), 6);
    assert!(
        partition.is_cut(NodeId(4), NodeId(0)),
        "links are symmetric"
    );
}

proptest! {
    #[test]
    fn every_partition_has_its_defining_shape(seed: u64, nodes in 4_usize..12) {
        let mut rng = Rng::new(seed);

        let halves = components(&Partition::random_halves(nodes, &mut rng), nodes).unwrap();
        prop_assert_eq!(sizes(&halves), [nodes / 2, nodes - nodes / 2]);

        let node = NodeId(rng.below(nodes as u64) as usize);
        let isolated = components(&Partition::isolate(node, nodes), nodes).unwrap();
        prop_assert_eq!(sizes(&isolated), [1, nodes - 1]);
        prop_assert!(isolated.contains(&BTreeSet::from([node])));

        // A bridge: one node reaches everyone; without it, two halves that cannot meet.
        let bridge = Partition::bridge(nodes, &mut rng);
        let hubs: Vec<usize> = (0..nodes)
            .filter(|&node| bridge.reachable(NodeId(node), nodes).len() == nodes)
            .collect();
        prop_assert_eq!(hubs.len(), 1);
        let sides: BTreeSet<BTreeSet<NodeId>> = (0..nodes)
            .filter(|&node| node != hubs[0])
            .map(|node| {
                bridge
                    .reachable(NodeId(node), nodes)
                    .into_iter()
                    .filter(|&other| other != NodeId(hubs[0]))
                    .collect()
            })
            .collect();
        let mut expected = [nodes / 2, nodes - nodes / 2 - 1];
        expected.sort_unstable();
        prop_assert_eq!(sizes(&sides), expected);

        // A majorities ring: every node sees a majority, and no two see the same one.
        let ring = Partition::majorities_ring(nodes, &mut rng);
        let views: BTreeSet<Vec<NodeId>> =
            (0..nodes).map(|node| ring.reachable(NodeId(node), nodes)).collect();
        prop_assert_eq!(views.len(), nodes);
        for view in &views {
            prop_assert!(view.len() > nodes / 2 && view.len() < nodes, "{:?}", view);
        }
    }
}

#[test]
fn a_five_node_majorities_ring_leaves_each_node_its_two_neighbours() {
    let ring = Partition::majorities_ring(5, &mut Rng::new(3));
    for node in 0..5 {
        assert_eq!(ring.reachable(NodeId(node), 5).len(), 3);
    }
    assert_eq!(
        ring.cut_links().count(),
        5,
        "a pentagram of cuts inside the pentagon"
    );
}

#[test]
fn partitions_are_built_from_components() {
    let partition =
        Partition::components(&[vec![NodeId(0)], vec![NodeId(1), NodeId(2)], vec![NodeId(3)]]);
    let cut: Vec<(usize, usize)> = partition.cut_links().map(|(a, b)| (a.0, b.0)).collect();
    assert_eq!(cut, [(0, 1), (0, 2), (0, 3), (1, 3), (2, 3)]);
}

#[test]
fn each_fault_has_its_recovery() {
    let partition = Fault::Partition(Partition::halves(2));
    assert_eq!(partition.recovery(), Some(Fault::Heal));
    assert_eq!(
        Fault::Kill(NodeId(1)).recovery(),
        Some(Fault::Restart(NodeId(1)))
    );
    assert_eq!(
        Fault::Pause(NodeId(2)).recovery(),
        Some(Fault::Resume(NodeId(2)))
    );
    for recovery in [
        Fault::Heal,
        Fault::Restart(NodeId(1)),
        Fault::Resume(NodeId(2)),
    ] {
        assert_eq!(recovery.recovery(), None);
    }
    assert_eq!(NodeId(3).to_string(), "n3");
}

#[test]
fn node_faults_hit_the_targeted_number_of_distinct_nodes() {
    let mut rng = Rng::new(9);
    let killed = |faults: Vec<Fault>| -> BTreeSet<NodeId> {
        faults
            .into_iter()
            .map(|fault| match fault {
                Fault::Kill(node) | Fault::Pause(node) => node,
                fault => panic!("not a node fault: {fault:?}"),
            })
            .collect()
    };
    for (targets, count) in [
        (Targets::One, 1),
        (Targets::Minority, 3),
        (Targets::Majority, 4),
        (Targets::All, 7),
    ] {
        assert_eq!(
            killed(Nemesis::Kill(targets).start(7, &mut rng)).len(),
            count
        );
        assert_eq!(
            killed(Nemesis::Pause(targets).start(7, &mut rng)).len(),
            count
        );
    }
    assert!(Nemesis::IsolateOne.start(0, &mut rng).is_empty());
}

/// What is broken after applying `faults` in order, checking that each recovery undoes a
/// fault in effect and that only one fault is in effect at a time.
#[derive(Debug, Default)]
struct Cluster {
    partitioned: bool,
    killed: BTreeSet<NodeId>,
    paused: BTreeSet<NodeId>,
}

impl Cluster {
    fn healthy(&self) -> bool {
        !self.partitioned && self.killed.is_empty() && self.paused.is_empty()
    }

    fn apply(&mut self, step: &TimedFault) {
        match &step.fault {
            Fault::Partition(_) => {
                assert!(self.healthy(), "one fault at a time: {step:?}");
                self.partitioned = true;
            }
            Fault::Heal => assert!(std::mem::take(&mut self.partitioned), "{step:?}"),
            Fault::Kill(node) => {
                assert!(!self.partitioned && self.paused.is_empty(), "{step:?}");
                assert!(self.killed.insert(*node), "{step:?}");
            }
            Fault::Restart(node) => assert!(self.killed.remove(node), "{step:?}"),
            Fault::Pause(node) => {
                assert!(!self.partitioned && self.killed.is_empty(), "{step:?}");
                assert!(self.paused.insert(*node), "{step:?}");
            }
            Fault::Resume(node) => assert!(self.paused.remove(node), "{step:?}"),
        }
    }
}

fn is_recovery(fault: &Fault) -> bool {
    matches!(fault, Fault::Heal | Fault::Restart(_) | Fault::Resume(_))
}

#[test]
fn a_schedule_stays_in_bounds_undoes_every_fault_and_ends_healthy() {
    let seed = support::seed();
    let config = ScheduleConfig {
        nodes: 7,
        nemeses: vec![
            Nemesis::PartitionHalves,
            Nemesis::Bridge,
            Nemesis::Kill(Targets::Minority),
            Nemesis::Pause(Targets::All),
        ],
        interval: Duration::from_secs(4),
        duration: Duration::from_mins(5),
        faults_max: 1000,
    };
    let steps: Vec<TimedFault> = Schedule::new(&config, seed.stream("nemesis"))
        .unwrap()
        .collect();
    let mut cluster = Cluster::default();
    let mut previous = Duration::ZERO;
    // (start of the fault in effect, end of the last recovery)
    let mut last_recovery = Duration::ZERO;
    let mut started = None;
    let mut faults = 0;
    for step in &steps {
        assert!(step.at >= previous, "in time order");
        assert!(
            step.at <= config.duration,
            "within the time bound: {step:?}"
        );
        let was_healthy = cluster.healthy();
        cluster.apply(step);
        if was_healthy {
            // A new fault: it starts after a quiet gap of half to one and a half intervals.
            let gap = step.at.checked_sub(last_recovery).expect("in time order");
            assert!(
                gap >= config.interval / 2 && gap < config.interval * 3 / 2,
                "{gap:?}"
            );
            started = Some(step.at);
            faults += 1;
        } else if is_recovery(&step.fault) {
            let lasted = step
                .at
                .saturating_sub(started.expect("a fault is in effect"));
            let truncated = step.at == config.duration;
            assert!(
                truncated || (lasted >= config.interval / 2 && lasted < config.interval * 3 / 2),
                "{lasted:?}"
            );
            last_recovery = step.at;
        }
        previous = step.at;
    }
    assert!(cluster.healthy(), "every fault is undone by the end");
    // Each fault and its quiet gap take at least an interval: at most 75 in five minutes.
    assert!(faults > 0 && faults <= 75, "{faults} faults");
}

#[test]
fn the_count_bound_ends_a_long_schedule() {
    let config = ScheduleConfig {
        nemeses: vec![Nemesis::IsolateOne],
        duration: Duration::from_hours(24),
        faults_max: 3,
        ..ScheduleConfig::default()
    };
    let steps: Vec<TimedFault> = Schedule::new(&config, support::seed().stream("nemesis"))
        .unwrap()
        .collect();
    let kinds: Vec<bool> = steps.iter().map(|step| is_recovery(&step.fault)).collect();
    assert_eq!(kinds, [false, true, false, true, false, true]);
}

#[test]
fn the_same_seed_gives_the_same_schedule_and_another_seed_another() {
    let config = ScheduleConfig::default();
    let schedule = |seed| -> Vec<TimedFault> {
        Schedule::new(&config, Seed::new(seed).stream("nemesis"))
            .unwrap()
            .collect()
    };
    assert_eq!(schedule(1), schedule(1));
    assert_ne!(schedule(1), schedule(2));
}

#[test]
fn every_example_config_loads_and_validates() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let mut loaded = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("nemesis-") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let config: ScheduleConfig =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        config.validate().unwrap_or_else(|e| panic!("{name}: {e}"));
        if name == "nemesis-default.toml" {
            assert_eq!(config, ScheduleConfig::default());
        }
        loaded += 1;
    }
    assert_eq!(loaded, 3, "update the count when adding an example");
}

#[test]
fn a_bad_config_is_refused_naming_the_field_and_the_rule() {
    let valid = ScheduleConfig::default();
    let cases = [
        (
            ScheduleConfig {
                nodes: 0,
                ..valid.clone()
            },
            "nodes",
            "between 1 and 1024",
        ),
        (
            ScheduleConfig {
                nodes: 1025,
                ..valid.clone()
            },
            "nodes",
            "between 1 and 1024",
        ),
        (
            ScheduleConfig {
                nemeses: vec![],
                ..valid.clone()
            },
            "nemeses",
            "at least one",
        ),
        (
            ScheduleConfig {
                nodes: 3,
                nemeses: vec![Nemesis::MajoritiesRing],
                ..valid.clone()
            },
            "nodes",
            "at least 4 for MajoritiesRing",
        ),
        (
            ScheduleConfig {
                nodes: 2,
                nemeses: vec![Nemesis::Bridge],
                ..valid.clone()
            },
            "nodes",
            "at least 3 for Bridge",
        ),
        (
            ScheduleConfig {
                nodes: 1,
                nemeses: vec![Nemesis::Kill(Targets::Minority)],
                ..valid.clone()
            },
            "nodes",
            "at least 2",
        ),
        (
            ScheduleConfig {
                interval: Duration::ZERO,
                ..valid.clone()
            },
            "interval",
            "positive",
        ),
        (
            ScheduleConfig {
                duration: Duration::ZERO,
                ..valid.clone()
            },
            "duration",
            "positive",
        ),
        (
            ScheduleConfig {
                duration: Duration::from_secs(u64::MAX),
                ..valid.clone()
            },
            "duration",
            "under 146 years",
        ),
        (
            ScheduleConfig {
                faults_max: 0,
                ..valid.clone()
            },
            "faults_max",
            "at least 1",
        ),
    ];
    for (config, field, rule) in cases {
        let error = config.validate().expect_err(field);
        let NemesisError::InvalidConfig { field: named, .. } = &error else {
            panic!("{error:?}");
        };
        assert_eq!(*named, field);
        assert!(error.to_string().contains(rule), "{error}");
        assert!(
            Schedule::new(&config, Rng::new(0)).is_err(),
            "Schedule::new validates"
        );
    }
}

#[test]
fn unknown_fields_and_nemeses_are_refused_when_loading() {
    let error = toml::from_str::<ScheduleConfig>("nodez = 5").expect_err("typo");
    assert!(
        error.to_string().contains("unknown field `nodez`"),
        "{error}"
    );
    let error = toml::from_str::<ScheduleConfig>(r#"nemeses = ["partition-everything"]"#)
        .expect_err("no such nemesis");
    assert!(
        error.to_string().contains("partition-everything"),
        "{error}"
    );
}

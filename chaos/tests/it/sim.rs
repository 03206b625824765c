//! `sim::Simulation`: partitions, holds, crashes and nemesis faults really block and unblock
//! traffic on turmoil's simulated TCP, composed, bounded, and replayed from the seed.

use std::net::Ipv4Addr;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chaos::sim::turmoil::net::{TcpListener, TcpStream};
use chaos::sim::{SimConfig, SimError, Simulation, turmoil};
use chaos::{
    Fault, Nemesis, NodeId, Partition, Schedule, ScheduleConfig, Seed, Targets, TimedFault,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support;

const PORT: u16 = 9_000;
const SECOND: Duration = Duration::from_secs(1);
/// Probes start at 50 ms past each 100 ms and give up after 40 ms, so none straddles a fault
/// applied on a whole second.
const PROBE_EVERY: Duration = Duration::from_millis(100);
const PROBE_OFFSET: Duration = Duration::from_millis(50);
const PROBE_TIMEOUT: Duration = Duration::from_millis(40);

/// Fixed 1 ms links, so that probes land well inside the second they start in.
fn config(duration: Duration) -> SimConfig {
    SimConfig {
        duration,
        latency_min: Duration::from_millis(1),
        latency_max: Duration::from_millis(1),
        ..SimConfig::default()
    }
}

/// One attempt by `from` to reach `to`, started `at`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Probe {
    at: Duration,
    from: String,
    to: String,
    ok: bool,
}

impl Probe {
    /// The whole second the probe started in.
    fn second(&self) -> u64 {
        self.at.as_secs()
    }
}

type Log = Arc<Mutex<Vec<Probe>>>;

/// Accepts connections and echoes one byte on each.
async fn echo_server() -> std::io::Result<()> {
    let listener = TcpListener::bind((Ipv4Addr::UNSPECIFIED, PORT)).await?;
    loop {
        let (mut stream, _) = listener.accept().await?;
        tokio::spawn(async move {
            if let Ok(byte) = stream.read_u8().await {
                let _ = stream.write_u8(byte).await;
            }
        });
    }
}

/// A host that only echoes.
async fn echo_host() -> turmoil::Result {
    Ok(echo_server().await?)
}

/// Connects to `to`, sends a byte and waits for its echo, within the probe timeout.
async fn reach(to: &str) -> bool {
    let exchange = async {
        let mut stream = TcpStream::connect((to, PORT)).await?;
        stream.write_u8(7).await?;
        Ok::<_, std::io::Error>(stream.read_u8().await? == 7)
    };
    matches!(
        tokio::time::timeout(PROBE_TIMEOUT, exchange).await,
        Ok(Ok(true))
    )
}

/// Probes `to` every 100 ms, logging each attempt, until `until`.
async fn probe_loop(from: String, to: String, log: Log, until: Duration) {
    let now = || turmoil::sim_elapsed().expect("inside the simulation");
    let first = PROBE_OFFSET + PROBE_EVERY * (now().as_millis() / PROBE_EVERY.as_millis()) as u32;
    let mut at = first;
    while at < until {
        tokio::time::sleep(at.saturating_sub(now())).await;
        let ok = reach(&to).await;
        let probe = Probe {
            at,
            from: from.clone(),
            to: to.clone(),
            ok,
        };
        log.lock().expect("no panic while held").push(probe);
        at += PROBE_EVERY;
    }
}

/// Nodes `n0..` that serve echoes and probe each other; returns the simulation, the probe log
/// and how many times each node's software started.
fn cluster(
    nodes: usize,
    config: &SimConfig,
    seed: Seed,
) -> (Simulation<'static>, Log, Vec<Arc<AtomicU32>>) {
    let mut sim = Simulation::new(config, seed).expect("a valid config");
    let log = Log::default();
    let names: Vec<String> = (0..nodes).map(|node| format!("n{node}")).collect();
    let mut starts = Vec::new();
    for (index, name) in names.iter().enumerate() {
        let started = Arc::new(AtomicU32::new(0));
        starts.push(Arc::clone(&started));
        let peers: Vec<String> = names.iter().filter(|peer| *peer != name).cloned().collect();
        let (name, log, until) = (name.clone(), Arc::clone(&log), config.duration);
        let node = sim
            .host(&name.clone(), move || {
                started.fetch_add(1, Ordering::SeqCst);
                let (name, peers, log) = (name.clone(), peers.clone(), Arc::clone(&log));
                async move {
                    tokio::spawn(echo_server());
                    for peer in peers {
                        tokio::spawn(probe_loop(name.clone(), peer, Arc::clone(&log), until));
                    }
                    std::future::pending().await
                }
            })
            .expect("a new name");
        assert_eq!(node, NodeId(index));
    }
    (sim, log, starts)
}

fn probes(log: &Log) -> Vec<Probe> {
    log.lock().expect("no panic while held").clone()
}

/// Asserts that each probe succeeded exactly when `reachable(second, from, to)` says.
fn assert_reachability(log: &Log, reachable: impl Fn(u64, &str, &str) -> bool) {
    let probes = probes(log);
    assert!(!probes.is_empty());
    for probe in &probes {
        assert_eq!(
            probe.ok,
            reachable(probe.second(), &probe.from, &probe.to),
            "{probe:?}"
        );
    }
}

#[test]
fn a_partition_blocks_traffic_and_healing_restores_it() {
    let seed = support::test_seed();
    let (mut sim, log, _) = cluster(3, &config(3 * SECOND), seed.seed());
    sim.run_until(SECOND).expect("runs");
    sim.partition("n0", "n1").expect("known hosts");
    sim.run_until(2 * SECOND).expect("runs");
    sim.heal();
    sim.run_until(3 * SECOND).expect("runs");
    let cut = |a: &str, b: &str| (a, b) == ("n0", "n1") || (a, b) == ("n1", "n0");
    assert_reachability(&log, |second, from, to| second != 1 || !cut(from, to));
}

#[test]
fn a_repair_restores_one_link_and_leaves_the_others_cut() {
    let seed = support::test_seed();
    let (mut sim, log, _) = cluster(3, &config(3 * SECOND), seed.seed());
    sim.run_until(SECOND).expect("runs");
    sim.partition("n0", "n1").expect("known");
    sim.partition("n0", "n2").expect("known");
    sim.run_until(2 * SECOND).expect("runs");
    sim.repair("n1", "n0").expect("known, either order");
    sim.run_until(3 * SECOND).expect("runs");
    assert_reachability(&log, |second, from, to| {
        let involves = |node| from == node || to == node;
        match second {
            1 => !involves("n0"),
            2 => !(involves("n0") && involves("n2")),
            _ => true,
        }
    });
}

#[test]
fn a_hold_delays_messages_and_a_release_delivers_them() {
    let seed = support::test_seed();
    let mut sim = Simulation::new(&config(5 * SECOND), seed.seed()).expect("valid");
    sim.host("server", echo_host).expect("new");
    let answered_at = Arc::new(Mutex::new(None));
    let answered = Arc::clone(&answered_at);
    sim.client("client", async move {
        let mut stream = TcpStream::connect(("server", PORT)).await?;
        tokio::time::sleep(SECOND).await;
        // Sent at about 1 s, during the hold, answered once it is released at 2 s.
        stream.write_u8(1).await?;
        assert_eq!(stream.read_u8().await?, 1);
        *answered.lock().expect("unpoisoned") = turmoil::sim_elapsed();
        Ok(())
    })
    .expect("new");
    sim.run_until(SECOND / 2).expect("runs");
    sim.hold("client", "server").expect("known");
    sim.run_until(2 * SECOND).expect("runs");
    assert_eq!(*answered_at.lock().expect("unpoisoned"), None, "held");
    sim.release("client", "server").expect("known");
    sim.run().expect("the client finishes");
    assert!(
        sim.run_until(3 * SECOND).expect("runs"),
        "the client has finished"
    );
    let at = answered_at.lock().expect("unpoisoned").expect("answered");
    assert!(
        (2 * SECOND..2 * SECOND + Duration::from_millis(10)).contains(&at),
        "answered at {at:?}"
    );
}

#[test]
fn a_crashed_host_refuses_connections_until_it_is_bounced() {
    let seed = support::test_seed();
    let (mut sim, log, starts) = cluster(2, &config(3 * SECOND), seed.seed());
    sim.run_until(SECOND).expect("runs");
    sim.crash("n1").expect("a host");
    assert!(!sim.is_running("n1").expect("a host"));
    sim.run_until(2 * SECOND).expect("runs");
    sim.bounce("n1").expect("a host");
    assert!(sim.is_running("n1").expect("a host"));
    sim.run_until(3 * SECOND).expect("runs");
    assert_reachability(&log, |second, _, _| second != 1);
    let from_n1: Vec<u64> = probes(&log)
        .iter()
        .filter(|probe| probe.from == "n1")
        .map(Probe::second)
        .collect();
    assert!(!from_n1.contains(&1), "a crashed host runs nothing");
    assert_eq!(
        starts[1].load(Ordering::SeqCst),
        2,
        "started, then restarted"
    );
}

#[test]
fn nemesis_faults_cut_hold_and_kill_exactly_what_they_name() {
    let seed = support::test_seed();
    let (mut sim, log, starts) = cluster(5, &config(7 * SECOND), seed.seed());
    let at = |second| TimedFault {
        at: second * SECOND,
        fault: Fault::Heal,
    };
    let schedule = [
        TimedFault {
            fault: Fault::Partition(Partition::halves(5)),
            ..at(1)
        },
        at(2),
        TimedFault {
            fault: Fault::Pause(NodeId(4)),
            ..at(3)
        },
        TimedFault {
            fault: Fault::Resume(NodeId(4)),
            ..at(4)
        },
        TimedFault {
            fault: Fault::Kill(NodeId(3)),
            ..at(5)
        },
        TimedFault {
            fault: Fault::Restart(NodeId(3)),
            ..at(6)
        },
    ];
    sim.run_schedule(schedule).expect("every node exists");
    sim.run_until(7 * SECOND).expect("runs");
    let smaller_half = |node: &str| ["n0", "n1"].contains(&node);
    assert_reachability(&log, |second, from, to| match second {
        1 => smaller_half(from) == smaller_half(to),
        3 => from != "n4" && to != "n4",
        5 => to != "n3",
        _ => true,
    });
    assert_eq!(starts[3].load(Ordering::SeqCst), 2);
}

#[test]
fn a_partition_outlasts_a_pause_on_the_same_link() {
    let seed = support::test_seed();
    let (mut sim, log, _) = cluster(3, &config(4 * SECOND), seed.seed());
    sim.run_until(SECOND).expect("runs");
    sim.partition("n0", "n1").expect("known");
    sim.apply(&Fault::Pause(NodeId(0))).expect("a node");
    sim.run_until(2 * SECOND).expect("runs");
    // The pause ends; the partition it overlapped stays.
    sim.apply(&Fault::Resume(NodeId(0))).expect("a node");
    sim.run_until(3 * SECOND).expect("runs");
    sim.apply(&Fault::Heal).expect("heals");
    sim.run_until(4 * SECOND).expect("runs");
    let link =
        |from: &str, to: &str, a: &str, b: &str| (from, to) == (a, b) || (from, to) == (b, a);
    assert_reachability(&log, |second, from, to| match second {
        1 => from != "n0" && to != "n0",
        2 => !link(from, to, "n0", "n1"),
        _ => true,
    });
}

/// Runs a seeded nemesis schedule against three nodes with random link latencies.
fn nemesis_run(seed: Seed) -> (Vec<TimedFault>, Vec<Probe>) {
    let config = SimConfig {
        latency_min: Duration::from_millis(1),
        latency_max: Duration::from_millis(15),
        ..config(8 * SECOND)
    };
    let (mut sim, log, _) = cluster(3, &config, seed);
    let nemesis = ScheduleConfig {
        nodes: 3,
        nemeses: vec![
            Nemesis::PartitionRandomHalves,
            Nemesis::Kill(Targets::One),
            Nemesis::Pause(Targets::One),
        ],
        interval: SECOND,
        duration: 7 * SECOND,
        faults_max: 10,
    };
    let faults: Vec<TimedFault> = Schedule::new(&nemesis, seed.stream("nemesis"))
        .expect("a valid schedule")
        .collect();
    sim.run_schedule(faults.clone()).expect("every node exists");
    sim.run_until(8 * SECOND).expect("runs");
    (faults, probes(&log))
}

#[test]
fn a_nemesis_run_replays_exactly_from_its_seed() {
    let seed = support::test_seed();
    let (faults, probes) = nemesis_run(seed.seed());
    assert!(faults.len() >= 2, "{faults:?}");
    assert!(probes.iter().any(|probe| probe.ok));
    assert!(
        probes.iter().any(|probe| !probe.ok),
        "the faults cut something"
    );
    assert_eq!(nemesis_run(seed.seed()), (faults, probes));
}

#[test]
fn bad_names_and_nodes_are_errors_naming_them() {
    let mut sim = Simulation::new(&config(SECOND), Seed::new(1)).expect("valid");
    sim.host("server", echo_host).expect("new");
    sim.client("client", async { Ok(()) }).expect("new");
    let taken = sim.host("server", echo_host).unwrap_err();
    assert_eq!(
        taken,
        SimError::BadHostName {
            name: "server".into()
        }
    );
    assert!(matches!(
        sim.client("", async { Ok(()) }),
        Err(SimError::BadHostName { .. })
    ));
    assert_eq!(
        sim.partition("server", "nowhere").unwrap_err(),
        SimError::UnknownHost {
            name: "nowhere".into()
        }
    );
    let client = sim.crash("client").unwrap_err();
    assert_eq!(
        client,
        SimError::NotAHost {
            name: "client".into()
        }
    );
    assert_eq!(
        client.to_string(),
        "\"client\" is a client; only hosts can crash and restart"
    );
    assert_eq!(
        sim.apply(&Fault::Kill(NodeId(3))).unwrap_err(),
        SimError::UnknownNode {
            node: NodeId(3),
            nodes: 1
        }
    );
    assert_eq!(sim.host_name(NodeId(0)), Ok("server"));
}

#[test]
fn runs_are_bounded_by_the_configured_duration() {
    let mut sim = Simulation::new(&config(SECOND), Seed::new(1)).expect("valid");
    sim.client("forever", std::future::pending()).expect("new");
    assert!(!sim.run_until(SECOND / 2).expect("within the bound"));
    assert_eq!(
        sim.run_until(2 * SECOND).unwrap_err(),
        SimError::PastBound {
            at: 2 * SECOND,
            duration: SECOND
        }
    );
    assert_eq!(
        sim.run().unwrap_err(),
        SimError::DurationExceeded { duration: SECOND }
    );
    assert_eq!(sim.elapsed(), SECOND);
}

#[test]
fn a_failing_client_fails_the_run_with_its_error() {
    let mut sim = Simulation::new(&config(SECOND), Seed::new(1)).expect("valid");
    sim.client("client", async { Err("the server said no".into()) })
        .expect("new");
    let err = sim.run().unwrap_err();
    assert_eq!(
        err,
        SimError::Software {
            message: "the server said no".into()
        }
    );
}

#[test]
fn a_bad_config_is_refused_naming_the_field_and_the_rule() {
    let valid = SimConfig::default();
    let cases = [
        (
            SimConfig {
                tick: Duration::ZERO,
                ..valid.clone()
            },
            "tick",
            "must be positive",
        ),
        (
            SimConfig {
                duration: Duration::from_micros(10),
                ..valid.clone()
            },
            "duration",
            "must be at least one tick",
        ),
        (
            SimConfig {
                duration: Duration::from_hours(10),
                ..valid.clone()
            },
            "duration",
            "must be at most 10000000 ticks, to bound the cost of a run",
        ),
        (
            SimConfig {
                latency_max: Duration::ZERO,
                ..valid.clone()
            },
            "latency_max",
            "must be at least latency_min",
        ),
    ];
    for (config, field, rule) in cases {
        let err = config.validate().unwrap_err();
        assert_eq!(
            err,
            SimError::InvalidConfig {
                field,
                rule: rule.into()
            }
        );
        assert_eq!(
            err.to_string(),
            format!("invalid simulation config: `{field}` {rule}")
        );
        assert!(Simulation::new(&config, Seed::new(1)).is_err());
    }
}

#[test]
fn every_example_config_loads_and_validates() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let mut loaded = 0;
    for entry in std::fs::read_dir(&dir).expect("the config folder") {
        let path = entry.expect("an entry").path();
        let name = path
            .file_name()
            .expect("a file")
            .to_string_lossy()
            .into_owned();
        if !name.starts_with("sim-") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable");
        let config: SimConfig = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        config.validate().unwrap_or_else(|e| panic!("{name}: {e}"));
        if name == "sim-default.toml" {
            assert_eq!(config, SimConfig::default());
        }
        loaded += 1;
    }
    assert_eq!(loaded, 1, "update the count when adding an example");
    let unknown = toml::from_str::<SimConfig>("latency = \"1ms\"").unwrap_err();
    assert!(
        unknown.to_string().contains("unknown field `latency`"),
        "{unknown}"
    );
}

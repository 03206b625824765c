//! Client workloads: bounds, determinism, mix, and histories of a correct key-value store
//! driven by one, which the checker must find linearizable.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chaos::{Call, Checker, HistoryError, Model, Recorder, Rng, Seed, Workload, WorkloadConfig};
use tokio::time::{Instant, sleep};

use crate::support;

fn workload(config: &WorkloadConfig, seed: Seed) -> Workload {
    Workload::new(config, seed.stream("workload")).expect("valid config")
}

#[test]
fn stops_at_the_count_bound_and_stays_stopped() {
    let config = WorkloadConfig {
        operations_max: 10,
        ..WorkloadConfig::default()
    };
    let mut workload = workload(&config, Seed::new(1));
    let issued = std::iter::from_fn(|| workload.next_op(Duration::ZERO)).count();
    assert_eq!(issued, 10);
    assert_eq!(workload.next_op(Duration::ZERO), None);
    assert_eq!(workload.issued(), 10);
}

#[test]
fn stops_at_the_time_bound_and_stays_stopped() {
    let config = WorkloadConfig {
        duration: Duration::from_secs(5),
        ..WorkloadConfig::default()
    };
    let mut workload = workload(&config, Seed::new(1));
    assert!(workload.next_op(Duration::from_millis(4_999)).is_some());
    assert_eq!(workload.next_op(Duration::from_secs(5)), None);
    // Time does not run backwards for a stopped workload.
    assert_eq!(workload.next_op(Duration::ZERO), None);
}

#[test]
fn the_same_seed_gives_the_same_operations() {
    let config = WorkloadConfig {
        keys: 3,
        ..WorkloadConfig::default()
    };
    let seed = support::seed();
    let ops = |seed| {
        let mut workload = workload(&config, seed);
        std::iter::from_fn(|| workload.next_op(Duration::ZERO)).collect::<Vec<_>>()
    };
    assert_eq!(ops(seed), ops(seed));
    assert_ne!(ops(seed), ops(Seed::new(seed.value() ^ 1)));
}

#[test]
fn the_mix_follows_the_weights_and_values_stay_in_range() {
    let config = WorkloadConfig {
        keys: 4,
        operations_max: 20_000,
        ..WorkloadConfig::default()
    };
    let mut workload = workload(&config, support::seed());
    let mut counts = [0_u32; 3];
    while let Some(op) = workload.next_op(Duration::ZERO) {
        let key = op.key.expect("a keyed workload gives every op a key");
        assert!(["k0", "k1", "k2", "k3"].contains(&key.as_str()), "{key}");
        let in_range = |value: i64| (0..config.values).contains(&value);
        match op.call {
            Call::Read => counts[0] += 1,
            Call::Write(value) => {
                assert!(in_range(value));
                counts[1] += 1;
            }
            Call::Cas { from, to } => {
                assert!(in_range(from) && in_range(to));
                counts[2] += 1;
            }
        }
    }
    // Weights 2:1:1 over 20 000 draws: each share within 2 points (over 8 standard errors).
    let share = |count: u32| f64::from(count) / 20_000.0;
    assert!((share(counts[0]) - 0.5).abs() < 0.02, "{counts:?}");
    assert!((share(counts[1]) - 0.25).abs() < 0.02, "{counts:?}");
    assert!((share(counts[2]) - 0.25).abs() < 0.02, "{counts:?}");
}

#[test]
fn a_single_register_workload_has_no_keys() {
    let mut workload = workload(&WorkloadConfig::default(), Seed::new(3));
    while let Some(op) = workload.next_op(Duration::ZERO) {
        assert_eq!(op.key, None);
    }
}

#[test]
fn invalid_configs_name_their_field() {
    let cases = [
        (
            WorkloadConfig {
                reads: 0,
                writes: 0,
                cas: 0,
                ..WorkloadConfig::default()
            },
            "reads",
        ),
        (
            WorkloadConfig {
                values: 0,
                ..WorkloadConfig::default()
            },
            "values",
        ),
        (
            WorkloadConfig {
                operations_max: 0,
                ..WorkloadConfig::default()
            },
            "operations_max",
        ),
        (
            WorkloadConfig {
                duration: Duration::ZERO,
                ..WorkloadConfig::default()
            },
            "duration",
        ),
        (
            WorkloadConfig {
                keys: chaos::KEYS_MAX + 1,
                ..WorkloadConfig::default()
            },
            "keys",
        ),
    ];
    for (config, field) in cases {
        match Workload::new(&config, Rng::new(0)) {
            Err(HistoryError::InvalidWorkload { field: named, .. }) => assert_eq!(named, field),
            other => panic!("expected `{field}` to be rejected, got {other:?}"),
        }
    }
}

#[test]
fn workload_config_loads_from_toml() {
    let config: WorkloadConfig = toml::from_str(
        r#"
        keys = 8
        reads = 1
        writes = 1
        cas = 0
        values = 10
        operations_max = 500
        duration = "30s"
        "#,
    )
    .expect("valid TOML");
    assert_eq!(config.duration, Duration::from_secs(30));
    assert!(config.validate().is_ok());
}

/// Five clients share one workload against an atomic map of registers; each operation takes
/// effect at a random instant inside its call interval. The history must be linearizable.
#[tokio::test(start_paused = true)]
async fn a_correct_store_driven_by_a_workload_is_linearizable() {
    let seed = support::seed();
    let config = WorkloadConfig {
        keys: 3,
        operations_max: 600,
        duration: Duration::from_secs(30),
        ..WorkloadConfig::default()
    };
    let workload = Arc::new(Mutex::new(workload(&config, seed)));
    let store: Arc<Mutex<HashMap<String, i64>>> = Arc::default();
    let recorder = Recorder::new(2 * config.operations_max);
    let start = Instant::now();
    let mut clients = tokio::task::JoinSet::new();
    for process in 0..5_u64 {
        let (workload, store, recorder) = (workload.clone(), store.clone(), recorder.clone());
        let mut rng = seed.stream(&format!("client-{process}"));
        clients.spawn(async move {
            loop {
                let next = workload.lock().expect("no panics").next_op(start.elapsed());
                let Some(op) = next else { return };
                let key = op.key.expect("keyed workload");
                perform(&recorder, process, &key, op.call, &store, &mut rng).await;
            }
        });
    }
    clients.join_all().await;

    let history = recorder.history().expect("well formed");
    assert_eq!(history.operations().len(), 600);
    let report = Checker::new(Model::Kv).check(&history).expect("checkable");
    assert!(report.verdict.is_linearizable(), "{:?}", report.verdict);
}

async fn perform(
    recorder: &Recorder,
    process: u64,
    key: &str,
    call: Call,
    store: &Mutex<HashMap<String, i64>>,
    rng: &mut Rng,
) {
    let mut pause = || sleep(Duration::from_millis(1 + rng.below(20)));
    let key_ref = Some(key);
    match call {
        Call::Read => {
            let pending = recorder.read(process, key_ref).expect("capacity suffices");
            pause().await;
            let value = store.lock().expect("no panics").get(key).copied();
            pause().await;
            pending.ok(value);
        }
        Call::Write(value) => {
            let pending = recorder
                .write(process, key_ref, value)
                .expect("capacity suffices");
            pause().await;
            store
                .lock()
                .expect("no panics")
                .insert(key.to_owned(), value);
            pause().await;
            pending.ok();
        }
        Call::Cas { from, to } => {
            let pending = recorder
                .cas(process, key_ref, from, to)
                .expect("capacity suffices");
            pause().await;
            let swapped = {
                let mut store = store.lock().expect("no panics");
                let current = store.get(key).copied();
                if current == Some(from) {
                    store.insert(key.to_owned(), to);
                }
                current == Some(from)
            };
            pause().await;
            if swapped {
                pending.ok();
            } else {
                pending.fail();
            }
        }
    }
}

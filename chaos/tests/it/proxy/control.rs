//! The proxy's controls: enable and disable, guards, partitions, bounds, configuration.

use std::io::ErrorKind;
use std::time::Duration;

use chaos::{
    Cut, Direction, Mesh, NodeId, Partition, PartitionGuard, Proxies, ProxyConfig, ProxyError,
    Toxic, ToxicKind,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::support::{
    addr, bounded, connect, echo_server, proxies, proxy_to, read_until_closed, round_trip, seed,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabling_closes_connections_and_refuses_new_ones() {
    let proxies = proxies();
    let proxy = proxy_to(&proxies, "echo", echo_server().await);
    let address = addr(&proxy);
    let mut client = connect(address).await;
    round_trip(&mut client, b"ping").await;

    proxy.disable();
    assert!(!proxy.is_enabled());
    let received = read_until_closed(&mut client).await;
    assert_eq!(received.bytes, b"", "the open connection is closed");
    let refused = TcpStream::connect(address)
        .await
        .expect_err("nothing listens");
    assert_eq!(refused.kind(), ErrorKind::ConnectionRefused);

    assert_eq!(
        proxy.enable().expect("the port is free"),
        address,
        "same address"
    );
    let mut client = connect(address).await;
    round_trip(&mut client, b"ping").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_guard_removes_its_toxic_and_a_kept_one_stays() {
    let proxies = proxies();
    let proxy = proxy_to(&proxies, "echo", echo_server().await);
    let guard = proxy
        .add_toxic(Toxic::new(ToxicKind::Noop).named("dropped"))
        .expect("a valid toxic");
    proxy
        .add_toxic(Toxic::new(ToxicKind::Noop).named("kept"))
        .expect("a valid toxic")
        .keep();
    assert_eq!(guard.name(), "dropped");
    assert_eq!(names(&proxy.toxics()), ["dropped", "kept"]);

    drop(guard);
    assert_eq!(names(&proxy.toxics()), ["kept"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guard_leaves_a_namesake_alone() {
    let proxies = proxies();
    let proxy = proxy_to(&proxies, "echo", echo_server().await);
    let guard = proxy
        .add_toxic(Toxic::new(ToxicKind::Noop))
        .expect("a valid toxic");
    proxies.reset().expect("every proxy listens");
    proxy
        .add_toxic(Toxic::new(ToxicKind::Noop))
        .expect("the name is free again")
        .keep();
    drop(guard);
    assert_eq!(
        names(&proxy.toxics()),
        ["noop_downstream"],
        "the new toxic stays"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updating_a_toxic_keeps_its_name_type_and_direction() {
    let proxies = proxies();
    let proxy = proxy_to(&proxies, "echo", echo_server().await);
    proxy
        .add_toxic(Toxic::new(ToxicKind::LimitData { bytes: 10 }).on(Direction::Upstream))
        .expect("a valid toxic")
        .keep();
    let updated = proxy
        .update_toxic(
            "limit_data_upstream",
            ToxicKind::LimitData { bytes: 20 },
            0.5,
        )
        .expect("the toxic exists");
    assert_eq!(updated.kind(), &ToxicKind::LimitData { bytes: 20 });
    assert_eq!(updated.direction(), Direction::Upstream);
    assert!((updated.toxicity() - 0.5).abs() < f64::EPSILON);

    let retyped = proxy.update_toxic("limit_data_upstream", ToxicKind::Noop, 1.0);
    assert!(matches!(retyped, Err(ProxyError::Invalid { ref field, .. }) if field == "type"));
    let missing = proxy.update_toxic("nope", ToxicKind::Noop, 1.0);
    assert!(matches!(missing, Err(ProxyError::ToxicNotFound { .. })));
}

/// Three nodes, each reaching the others through its own proxy.
async fn mesh_of_three(proxies: &Proxies) -> Mesh {
    let mut mesh = Mesh::new();
    for to in 0..3 {
        let node = echo_server().await;
        for from in (0..3).filter(|&from| from != to) {
            let proxy = proxy_to(proxies, &format!("n{from}-n{to}"), node);
            mesh.insert(NodeId(from), NodeId(to), proxy)
                .expect("nodes below NODES_MAX");
        }
    }
    mesh
}

fn link(mesh: &Mesh, from: usize, to: usize) -> std::net::SocketAddr {
    addr(mesh.get(NodeId(from), NodeId(to)).expect("a link"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusing_partition_cuts_between_groups_and_heals_on_drop() {
    let proxies = proxies();
    let mesh = mesh_of_three(&proxies).await;
    let split = Partition::components(&[vec![NodeId(0)], vec![NodeId(1), NodeId(2)]]);

    let guard = mesh.partition(&split, Cut::Refuse).expect("proxies to cut");
    for (from, to) in [(0, 1), (1, 0), (0, 2), (2, 0)] {
        let refused = TcpStream::connect(link(&mesh, from, to)).await;
        assert!(refused.is_err(), "n{from} -> n{to} is cut");
    }
    for (from, to) in [(1, 2), (2, 1)] {
        round_trip(&mut connect(link(&mesh, from, to)).await, b"ping").await;
    }

    drop(guard);
    for (from, to) in [(0, 1), (1, 0), (0, 2), (2, 0)] {
        round_trip(&mut connect(link(&mesh, from, to)).await, b"ping").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blackhole_partition_swallows_bytes_and_healing_closes_connections() {
    let proxies = proxies();
    let mesh = mesh_of_three(&proxies).await;
    let mut before = connect(link(&mesh, 0, 1)).await;
    round_trip(&mut before, b"ping").await;

    let guard = mesh
        .partition(&Partition::isolate(NodeId(0), 3), Cut::Blackhole)
        .expect("proxies to cut");
    let cut = mesh.get(NodeId(0), NodeId(1)).expect("a link");
    assert_eq!(
        cut.toxics().len(),
        2,
        "a timeout each way: {:?}",
        cut.toxics()
    );
    let spared = mesh.get(NodeId(1), NodeId(2)).expect("a link");
    assert!(spared.toxics().is_empty());
    // A connection opened during the partition is accepted, and its bytes vanish.
    let mut during = connect(link(&mesh, 0, 1)).await;
    during
        .write_all(b"lost")
        .await
        .expect("the connection is open");
    let mut reply = [0; 4];
    let swallowed = tokio::time::timeout(Duration::from_millis(50), during.read(&mut reply)).await;
    assert!(swallowed.is_err(), "no reply, no close: {swallowed:?}");

    guard.heal().expect("nothing to re-enable");
    assert!(cut.toxics().is_empty(), "healed");
    for client in [&mut before, &mut during] {
        let received = read_until_closed(client).await;
        assert_eq!(
            received.bytes, b"",
            "closed: the swallowed bytes are gone for good"
        );
    }
    round_trip(&mut connect(link(&mesh, 0, 1)).await, b"ping").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusing_cut_leaves_disabled_proxies_disabled() {
    let proxies = proxies();
    let up = proxy_to(&proxies, "up", echo_server().await);
    let down = proxy_to(&proxies, "down", echo_server().await);
    down.disable();
    let guard = PartitionGuard::cut([&up, &down], Cut::Refuse).expect("proxies to cut");
    assert!(!up.is_enabled());
    drop(guard);
    assert!(up.is_enabled(), "re-enabled");
    assert!(!down.is_enabled(), "was disabled before, stays so");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bound_is_enforced_and_named() {
    let config = ProxyConfig {
        proxies_max: 1,
        toxics_max: 1,
        connections_max: 1,
        ..ProxyConfig::default()
    };
    let proxies = Proxies::with_config(seed(), config).expect("valid bounds");
    let proxy = proxy_to(&proxies, "echo", echo_server().await);

    let second = proxies.create("second", "127.0.0.1:0", "127.0.0.1:1");
    assert!(
        matches!(
            second,
            Err(ProxyError::LimitReached {
                limit: "proxies_max",
                max: 1
            })
        ),
        "{second:?}"
    );
    proxy
        .add_toxic(Toxic::new(ToxicKind::Noop))
        .expect("the first toxic")
        .keep();
    let error = proxy
        .add_toxic(Toxic::new(ToxicKind::Noop).named("second"))
        .expect_err("one toxic at most");
    assert_eq!(error.to_string(), "limit reached: at most 1 toxics_max");

    let mut first = connect(addr(&proxy)).await;
    round_trip(&mut first, b"ping").await;
    let mut second = connect(addr(&proxy)).await;
    let refused = read_until_closed(&mut second).await;
    assert_eq!(
        refused.bytes, b"",
        "the connection beyond the bound is closed"
    );
    round_trip(&mut first, b"ping").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_proxies_and_toxics_are_refused_with_the_field_named() {
    let proxies = proxies();
    let cases = [
        (
            "",
            "127.0.0.1:0",
            "127.0.0.1:1",
            "missing required field: name",
        ),
        ("a", "127.0.0.1:0", "", "missing required field: upstream"),
        ("a", "127.0.0.1:0", "localhost", "invalid upstream"),
        ("a", "local373", "127.0.0.1:1", "invalid listen"),
    ];
    for (name, listen, upstream, message) in cases {
        let error = proxies
            .create(name, listen, upstream)
            .expect_err("malformed");
        assert!(error.to_string().starts_with(message), "{error}");
    }
    let proxy = proxy_to(&proxies, "echo", echo_server().await);
    let latency = ToxicKind::Latency {
        latency_ms: chaos::TOXIC_MS_MAX + 1,
        jitter_ms: 0,
    };
    let error = proxy.add_toxic(Toxic::new(latency)).expect_err("too long");
    assert!(error.to_string().contains("\"latency\""), "{error}");
    let unnamed = proxy.add_toxic(Toxic::new(ToxicKind::Noop).named(""));
    assert!(matches!(unnamed, Err(ProxyError::MissingField { .. })));
    assert!(proxy.toxics().is_empty(), "nothing half-installed");
}

#[test]
fn proxies_need_a_runtime() {
    let error = Proxies::new(seed()).expect_err("no runtime here");
    assert!(matches!(error, ProxyError::NoRuntime));
}

#[test]
fn the_example_config_holds_the_defaults() {
    let text = include_str!("../../../config/proxy.toml");
    let config: ProxyConfig = toml::from_str(text).expect("valid TOML");
    config.validate().expect("valid bounds");
    assert_eq!(
        config,
        ProxyConfig::default(),
        "the file documents the defaults"
    );
}

#[test]
fn invalid_bounds_name_the_field_and_the_rule() {
    let zero = ProxyConfig {
        connections_max: 0,
        ..ProxyConfig::default()
    };
    let error = zero.validate().expect_err("zero connections");
    assert_eq!(
        error.to_string(),
        "invalid connections_max: must be at least 1, got 0"
    );
    let unknown = toml::from_str::<ProxyConfig>("conections_max = 3");
    assert!(unknown.is_err(), "a typo is an error");
    let timeout = ProxyConfig {
        upstream_connect_timeout: Duration::ZERO,
        ..ProxyConfig::default()
    };
    assert!(timeout.validate().is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_connection_draws_from_the_seed() {
    // The same seed and the same connection order give the same toxicity draws.
    let outcomes = || async {
        let proxies = Proxies::new(chaos::Seed::new(42)).expect("inside a runtime");
        let proxy = proxy_to(&proxies, "echo", echo_server().await);
        proxy
            .add_toxic(Toxic::new(ToxicKind::LimitData { bytes: 0 }).with_toxicity(0.5))
            .expect("a valid toxic")
            .keep();
        let mut outcomes = Vec::new();
        for _ in 0..16 {
            let mut client = connect(addr(&proxy)).await;
            client.write_all(b"ping").await.expect("the proxy is up");
            // The echo server closes once the client has: either way the stream ends.
            client.shutdown().await.expect("half-close");
            outcomes.push(read_until_closed(&mut client).await.bytes.is_empty());
        }
        outcomes
    };
    let first = bounded(outcomes()).await;
    let second = bounded(outcomes()).await;
    assert_eq!(first, second);
}

fn names(toxics: &[Toxic]) -> Vec<String> {
    toxics.iter().map(Toxic::name).collect()
}

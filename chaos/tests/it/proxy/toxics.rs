//! Each toxic, measured on loopback sockets.
//!
//! Timings are wall-clock, so the bounds allow for a busy machine the way the issue allows:
//! a toxic never acts early (a strict lower bound), and its lateness is small (an upper bound
//! with room for scheduling noise, and the minimum of several trials where that helps).

use std::io::ErrorKind;
use std::time::Duration;

use chaos::{Direction, Toxic, ToxicKind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

use super::support::{
    addr, bounded, connect, echo_server, min_round_trip, proxies, proxy_to, read_until_closed,
    round_trip, sending_server, serve,
};

const MS: Duration = Duration::from_millis(1);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latency_adds_its_delay_within_2_ms() {
    let proxies = proxies();
    let proxy = proxy_to(&proxies, "echo", echo_server().await);
    let mut client = connect(addr(&proxy)).await;
    let baseline = min_round_trip(&mut client, 5).await;

    let latency = ToxicKind::Latency {
        latency_ms: 30,
        jitter_ms: 0,
    };
    let _toxic = proxy.add_toxic(Toxic::new(latency)).expect("a valid toxic");
    // The toxic applies to the open connection too.
    let delayed = min_round_trip(&mut client, 5).await;

    assert!(delayed >= 30 * MS, "never early: {delayed:?}");
    let added = delayed.saturating_sub(baseline);
    assert!(
        added.abs_diff(30 * MS) <= 2 * MS,
        "added {added:?} (baseline {baseline:?}, delayed {delayed:?})"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jitter_spreads_the_delay_around_the_latency() {
    let proxies = proxies();
    let proxy = proxy_to(&proxies, "echo", echo_server().await);
    let latency = ToxicKind::Latency {
        latency_ms: 20,
        jitter_ms: 10,
    };
    let _toxic = proxy
        .add_toxic(Toxic::new(latency).on(Direction::Upstream))
        .expect("a valid toxic");
    let mut client = connect(addr(&proxy)).await;
    let mut delays = Vec::new();
    for _ in 0..12 {
        delays.push(round_trip(&mut client, b"ping").await);
    }
    let (fastest, slowest) = (
        *delays.iter().min().expect("samples"),
        *delays.iter().max().expect("samples"),
    );
    assert!(
        fastest >= 10 * MS,
        "never below latency - jitter: {delays:?}"
    );
    // Twelve uniform draws from [10, 30) ms all within 3 ms of each other: about 1 in 10^7.
    assert!(
        slowest.saturating_sub(fastest) >= 3 * MS,
        "the delay varies: {delays:?}"
    );
    assert!(
        slowest < 30 * MS + 50 * MS,
        "latency + jitter, plus room for load: {delays:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bandwidth_holds_the_rate_within_10_percent() {
    const BYTES: usize = 600_000;
    const RATE_KB_PER_S: u64 = 2000;
    let proxies = proxies();
    let proxy = proxy_to(&proxies, "bulk", sending_server(vec![7; BYTES]).await);
    let bandwidth = ToxicKind::Bandwidth {
        rate_kb_per_s: RATE_KB_PER_S,
    };
    let _toxic = proxy
        .add_toxic(Toxic::new(bandwidth))
        .expect("a valid toxic");

    let started = Instant::now();
    let mut client = connect(addr(&proxy)).await;
    let received = read_until_closed(&mut client).await;
    let elapsed = started.elapsed();

    assert_eq!(received.bytes.len(), BYTES, "every byte arrives");
    let rate_bytes_per_s = BYTES as f64 / elapsed.as_secs_f64();
    let target = (RATE_KB_PER_S * 1000) as f64;
    assert!(
        (rate_bytes_per_s / target - 1.0).abs() <= 0.10,
        "{rate_bytes_per_s:.0} B/s against {target:.0} B/s ({elapsed:?})"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limit_data_lets_exactly_its_bytes_through() {
    let proxies = proxies();
    let sent: Vec<u8> = (0..10_000_u32).map(|i| i as u8).collect();
    let proxy = proxy_to(&proxies, "limited", sending_server(sent.clone()).await);
    let _toxic = proxy
        .add_toxic(Toxic::new(ToxicKind::LimitData { bytes: 1234 }))
        .expect("a valid toxic");

    let mut client = connect(addr(&proxy)).await;
    let received = read_until_closed(&mut client).await;

    assert_eq!(received.error, None, "a clean close");
    assert_eq!(received.bytes, sent[..1234], "exactly the first 1234 bytes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_peer_resets_the_client_after_its_timeout() {
    let proxies = proxies();
    let proxy = proxy_to(&proxies, "echo", echo_server().await);
    let _toxic = proxy
        .add_toxic(Toxic::new(ToxicKind::ResetPeer { timeout_ms: 20 }))
        .expect("a valid toxic");

    let mut client = connect(addr(&proxy)).await;
    let started = Instant::now();
    client.write_all(b"ping").await.expect("the proxy is up");
    let mut echoed = [0; 4];
    let error = bounded(client.read(&mut echoed))
        .await
        .expect_err("the echo is dropped and the connection reset");

    assert_eq!(error.kind(), ErrorKind::ConnectionReset, "{error}");
    assert!(started.elapsed() >= 20 * MS, "not before its timeout");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_close_delays_the_close() {
    let proxies = proxies();
    let proxy = proxy_to(&proxies, "bye", sending_server(b"bye".to_vec()).await);
    let _toxic = proxy
        .add_toxic(Toxic::new(ToxicKind::SlowClose { delay_ms: 100 }))
        .expect("a valid toxic");

    let started = Instant::now();
    let mut client = connect(addr(&proxy)).await;
    let mut greeting = [0; 3];
    bounded(client.read_exact(&mut greeting))
        .await
        .expect("data is not delayed");
    let data_at = started.elapsed();
    let received = read_until_closed(&mut client).await;
    let closed_at = started.elapsed();

    assert_eq!(&greeting, b"bye");
    assert_eq!(
        (received.bytes.len(), received.error),
        (0, None),
        "then a clean close"
    );
    assert!(data_at < 100 * MS, "the data came at once: {data_at:?}");
    assert!(closed_at >= 100 * MS, "the close waited: {closed_at:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeout_stops_data_and_closes_after_its_timeout() {
    let proxies = proxies();
    let proxy = proxy_to(&proxies, "echo", echo_server().await);
    let _toxic = proxy
        .add_toxic(Toxic::new(ToxicKind::Timeout { timeout_ms: 100 }))
        .expect("a valid toxic");

    let started = Instant::now();
    let mut client = connect(addr(&proxy)).await;
    client.write_all(b"ping").await.expect("the proxy is up");
    let received = read_until_closed(&mut client).await;

    assert_eq!(received.bytes, b"", "no data gets through");
    assert_eq!(received.error, None, "a clean close");
    let elapsed = started.elapsed();
    assert!(
        elapsed >= 100 * MS && elapsed < 100 * MS + 900 * MS,
        "{elapsed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zero_timeout_holds_until_removed_and_removal_closes() {
    let proxies = proxies();
    let proxy = proxy_to(&proxies, "echo", echo_server().await);
    let toxic = proxy
        .add_toxic(Toxic::new(ToxicKind::Timeout { timeout_ms: 0 }))
        .expect("a valid toxic");

    let mut client = connect(addr(&proxy)).await;
    client.write_all(b"ping").await.expect("the proxy is up");
    let mut echoed = [0; 4];
    // Nothing arrives while the toxic holds the connection (a bounded check of an absence).
    let held = tokio::time::timeout(50 * MS, client.read(&mut echoed)).await;
    assert!(held.is_err(), "held, neither data nor close: {held:?}");

    drop(toxic);
    let received = read_until_closed(&mut client).await;
    assert_eq!(
        (received.bytes.len(), received.error),
        (0, None),
        "removal closes the held connection, its data lost"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slicer_splits_a_write_into_many_reads() {
    let sent: Vec<u8> = (0..200_u8).collect();
    let proxies = proxies();
    let proxy = proxy_to(&proxies, "sliced", sending_server(sent.clone()).await);
    let slicer = ToxicKind::Slicer {
        average_size_bytes: 20,
        size_variation_bytes: 5,
        delay_us: 5000,
    };
    let _toxic = proxy.add_toxic(Toxic::new(slicer)).expect("a valid toxic");

    let mut client = connect(addr(&proxy)).await;
    let received = read_until_closed(&mut client).await;

    assert_eq!(received.bytes, sent, "every byte, in order");
    // About ten pieces 5 ms apart: a loaded client may merge a few, never most.
    assert!(received.reads >= 4, "{} reads", received.reads);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn toxicity_decides_per_connection() {
    let proxies = proxies();
    let proxy = proxy_to(&proxies, "echo", echo_server().await);
    // Applied, it closes the connection before any reply.
    let closing = ToxicKind::LimitData { bytes: 0 };

    let never = proxy
        .add_toxic(Toxic::new(closing).with_toxicity(0.0))
        .expect("a valid toxic");
    for _ in 0..20 {
        let mut client = connect(addr(&proxy)).await;
        round_trip(&mut client, b"ping").await;
    }
    drop(never);

    let _half = proxy
        .add_toxic(Toxic::new(closing).with_toxicity(0.5))
        .expect("a valid toxic");
    let mut closed = 0;
    for _ in 0..40 {
        let mut client = connect(addr(&proxy)).await;
        client.write_all(b"ping").await.expect("the proxy is up");
        let mut echoed = [0; 4];
        match bounded(client.read_exact(&mut echoed)).await {
            Ok(_) => assert_eq!(&echoed, b"ping"),
            Err(_) => closed += 1,
        }
    }
    // All 40 one way with probability 2^-39 for a random seed.
    assert!(0 < closed && closed < 40, "{closed} of 40 closed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_close_passes_through() {
    // Reads the whole request, then answers with its length: needs the client's FIN.
    let upstream = serve(|mut stream| async move {
        let mut request = Vec::new();
        if stream.read_to_end(&mut request).await.is_ok() {
            let _ = stream.write_all(request.len().to_string().as_bytes()).await;
        }
    })
    .await;
    let proxies = proxies();
    let proxy = proxy_to(&proxies, "counter", upstream);

    let mut client = connect(addr(&proxy)).await;
    client.write_all(&[1; 5000]).await.expect("the proxy is up");
    client.shutdown().await.expect("half-close");
    let received = read_until_closed(&mut client).await;
    assert_eq!(received.bytes, b"5000");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_upstream_closes_the_client() {
    let gone = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.local_addr().expect("bound")
    };
    let proxies = proxies();
    let proxy = proxy_to(&proxies, "nowhere", gone);
    let mut client = connect(addr(&proxy)).await;
    let received = read_until_closed(&mut client).await;
    assert_eq!(received.bytes, b"", "closed without data");
}

#![allow(
    missing_docs,
    reason = "criterion_group! generates undocumented functions"
)]

//! What the chaos proxy costs with no toxic installed, against a direct loopback connection:
//!
//! - `chaos_proxy/throughput/{direct,proxy}`: an 8 MiB transfer, written in 64 KiB pieces and
//!   acknowledged by the receiver (target: the proxy keeps at least 50% of direct throughput);
//! - `chaos_proxy/round_trip/{direct,proxy}`: a 64-byte message echoed back (target: the proxy
//!   adds at most 100 us at the median).
//!
//! After Criterion's groups, a last pass times 20 000 round trips each way, interleaved, and
//! prints the added latency's percentiles and the throughput ratio. No Rust peer: Toxiproxy
//! (Go) is the tool this proxy stands in for.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use chaos::{Proxies, Seed};
use criterion::measurement::WallTime;
use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;

/// Bytes per transfer.
const BATCH_BYTES: usize = 8 << 20;
/// Bytes per write: the proxy's default read buffer.
const WRITE_BYTES: usize = 64 << 10;
/// The echoed message.
const MESSAGE: [u8; 64] = [7; 64];

/// The servers, the proxies in front of them, and a runtime to drive them: two workers for the
/// two cores this is measured on.
struct Setup {
    runtime: Runtime,
    sink: Route,
    echo: Route,
    _proxies: Proxies,
}

/// The direct address of a server and the proxy's address in front of it.
#[derive(Clone, Copy)]
struct Route {
    direct: SocketAddr,
    proxy: SocketAddr,
}

impl Route {
    fn targets(self) -> [(&'static str, SocketAddr); 2] {
        [("direct", self.direct), ("proxy", self.proxy)]
    }
}

impl Setup {
    fn new() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let (sink, echo, proxies) = runtime.block_on(async {
            let proxies = Proxies::new(Seed::new(1)).expect("inside the runtime");
            let sink = sink_server().await;
            let echo = echo_server().await;
            let route = |name: &str, direct: SocketAddr| {
                let proxy = proxies
                    .create(name, "127.0.0.1:0", &direct.to_string())
                    .expect("a free port");
                Route {
                    direct,
                    proxy: proxy.listen_addr().expect("listening"),
                }
            };
            (route("sink", sink), route("echo", echo), proxies.clone())
        });
        Self {
            runtime,
            sink,
            echo,
            _proxies: proxies,
        }
    }

    fn connect(&self, addr: SocketAddr) -> TcpStream {
        self.runtime.block_on(async {
            let stream = TcpStream::connect(addr).await.expect("listening");
            stream.set_nodelay(true).expect("connected");
            stream
        })
    }
}

/// Reads everything, and acknowledges each full batch with one byte.
async fn sink_server() -> SocketAddr {
    serve(|mut stream| async move {
        let mut buffer = vec![0; WRITE_BYTES];
        let mut unacknowledged = 0;
        while let Ok(n @ 1..) = stream.read(&mut buffer).await {
            unacknowledged += n;
            while unacknowledged >= BATCH_BYTES {
                unacknowledged -= BATCH_BYTES;
                if stream.write_all(&[1]).await.is_err() {
                    return;
                }
            }
        }
    })
    .await
}

async fn echo_server() -> SocketAddr {
    serve(|mut stream| async move {
        let (mut reader, mut writer) = stream.split();
        let _ = tokio::io::copy(&mut reader, &mut writer).await;
    })
    .await
}

async fn serve<F, Fut>(handle: F) -> SocketAddr
where
    F: Fn(TcpStream) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let addr = listener.local_addr().expect("bound");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            stream.set_nodelay(true).expect("connected");
            tokio::spawn(handle(stream));
        }
    });
    addr
}

/// Sends one batch and waits for its acknowledgement.
async fn transfer(stream: &mut TcpStream, payload: &[u8]) {
    for _ in 0..BATCH_BYTES / WRITE_BYTES {
        stream.write_all(payload).await.expect("the sink reads");
    }
    let mut ack = [0; 1];
    stream
        .read_exact(&mut ack)
        .await
        .expect("the sink acknowledges");
}

async fn round_trip(stream: &mut TcpStream) {
    stream.write_all(&MESSAGE).await.expect("the echo reads");
    let mut echoed = [0; MESSAGE.len()];
    stream
        .read_exact(&mut echoed)
        .await
        .expect("the echo answers");
}

fn throughput(c: &mut Criterion, setup: &Setup) {
    let payload = vec![3; WRITE_BYTES];
    let mut group = c.benchmark_group("chaos_proxy/throughput");
    group.throughput(Throughput::Bytes(BATCH_BYTES as u64));
    group.sample_size(20);
    bench_targets(&mut group, setup, setup.sink, async |stream| {
        transfer(stream, &payload).await;
    });
    group.finish();
}

fn round_trips(c: &mut Criterion, setup: &Setup) {
    let mut group = c.benchmark_group("chaos_proxy/round_trip");
    bench_targets(&mut group, setup, setup.echo, round_trip);
    group.finish();
}

/// Times `work` over one connection to each of `route`'s targets, direct and proxied.
fn bench_targets(
    group: &mut BenchmarkGroup<'_, WallTime>,
    setup: &Setup,
    route: Route,
    mut work: impl AsyncFnMut(&mut TcpStream),
) {
    for (name, addr) in route.targets() {
        let mut stream = setup.connect(addr);
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter_custom(|iterations| {
                setup.runtime.block_on(async {
                    let started = Instant::now();
                    for _ in 0..iterations {
                        work(&mut stream).await;
                    }
                    started.elapsed()
                })
            });
        });
    }
}

/// Percentiles of single round trips and the throughput ratio, direct and proxied runs
/// interleaved so that both see the same machine.
fn report(setup: &Setup) {
    const ROUND_TRIPS: usize = 20_000;
    const TRANSFERS: usize = 10;
    let [mut direct, mut proxied] = setup.echo.targets().map(|(_, addr)| setup.connect(addr));
    let (direct_times, proxied_times) = setup.runtime.block_on(async {
        let mut times = (
            Vec::with_capacity(ROUND_TRIPS),
            Vec::with_capacity(ROUND_TRIPS),
        );
        for _ in 0..ROUND_TRIPS {
            times.0.push(timed(round_trip(&mut direct)).await);
            times.1.push(timed(round_trip(&mut proxied)).await);
        }
        times
    });
    let (direct, proxied) = (percentiles(direct_times), percentiles(proxied_times));
    println!(
        "round trip of {} bytes, {ROUND_TRIPS} each way:",
        MESSAGE.len()
    );
    println!("  direct  p50 {:>8.1?}  p99 {:>8.1?}", direct.0, direct.1);
    println!("  proxy   p50 {:>8.1?}  p99 {:>8.1?}", proxied.0, proxied.1);
    println!(
        "  added   p50 {:>8.1?}  (target <= 100us)",
        proxied.0.saturating_sub(direct.0)
    );

    let payload = vec![3; WRITE_BYTES];
    let [mut direct, mut proxied] = setup.sink.targets().map(|(_, addr)| setup.connect(addr));
    let (direct_time, proxied_time) = setup.runtime.block_on(async {
        let mut totals = (Duration::ZERO, Duration::ZERO);
        for _ in 0..TRANSFERS {
            totals.0 += timed(transfer(&mut direct, &payload)).await;
            totals.1 += timed(transfer(&mut proxied, &payload)).await;
        }
        totals
    });
    let rate = |time: Duration| (TRANSFERS * BATCH_BYTES) as f64 / time.as_secs_f64() / 1e9;
    println!(
        "throughput, {TRANSFERS} transfers of {} MiB each way:",
        BATCH_BYTES >> 20
    );
    println!(
        "  direct {:.2} GB/s, proxy {:.2} GB/s: proxy/direct = {:.0}% (target >= 50%)",
        rate(direct_time),
        rate(proxied_time),
        100.0 * direct_time.as_secs_f64() / proxied_time.as_secs_f64()
    );
}

async fn timed(future: impl Future<Output = ()>) -> Duration {
    let started = Instant::now();
    future.await;
    started.elapsed()
}

/// The 50th and 99th percentiles.
fn percentiles(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort_unstable();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    (at(0.50), at(0.99))
}

fn benches(c: &mut Criterion) {
    let setup = Setup::new();
    throughput(c, &setup);
    round_trips(c, &setup);
    report(&setup);
}

criterion_group!(chaos_proxy, benches);
criterion_main!(chaos_proxy);

//! Fixtures for the proxy tests: upstream servers, a client, a raw HTTP/1.1 client, bounds.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use chaos::{ChaosProxy, Proxies, Seed};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

/// Every wait in these tests ends within this, loaded machine or not.
pub(crate) const BOUND: Duration = Duration::from_secs(10);

/// This run's seed: `CHAOS_SEED` if set, else fresh; printed so that a failure can be replayed.
pub(crate) fn seed() -> Seed {
    let seed = Seed::from_env_or_random().expect("CHAOS_SEED must be a decimal or 0x-hex u64");
    eprintln!("CHAOS_SEED={seed}");
    seed
}

/// Awaits `future`, failing the test if it takes longer than [`BOUND`].
pub(crate) async fn bounded<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(BOUND, future)
        .await
        .expect("the wait is bounded")
}

/// A set of proxies with this run's seed.
pub(crate) fn proxies() -> Proxies {
    Proxies::new(seed()).expect("inside a runtime, default bounds")
}

/// A proxy named `name` in front of `upstream`, listening on a free loopback port.
pub(crate) fn proxy_to(proxies: &Proxies, name: &str, upstream: SocketAddr) -> ChaosProxy {
    proxies
        .create(name, "127.0.0.1:0", &upstream.to_string())
        .expect("a valid proxy")
}

/// Where the proxy listens.
pub(crate) fn addr(proxy: &ChaosProxy) -> SocketAddr {
    proxy.listen_addr().expect("the proxy has listened")
}

/// A server that echoes every byte back, on a free loopback port.
pub(crate) async fn echo_server() -> SocketAddr {
    serve(|mut stream| async move {
        let (mut reader, mut writer) = stream.split();
        // Ends when the client closes or the proxy resets; either is fine for an echo.
        let _ = tokio::io::copy(&mut reader, &mut writer).await;
    })
    .await
}

/// A server that writes `bytes` to each client, then closes.
pub(crate) async fn sending_server(bytes: Vec<u8>) -> SocketAddr {
    serve(move |mut stream| {
        let bytes = bytes.clone();
        async move {
            // The proxy may close first (limit_data); what it read is what counts.
            let _ = stream.write_all(&bytes).await;
        }
    })
    .await
}

/// A server running `handle` on each client it accepts.
pub(crate) async fn serve<F, Fut>(handle: F) -> SocketAddr
where
    F: Fn(TcpStream) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let addr = listener.local_addr().expect("bound");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(handle(stream));
        }
    });
    addr
}

/// A client connected to `addr`, with Nagle's algorithm off so small writes leave at once.
pub(crate) async fn connect(addr: SocketAddr) -> TcpStream {
    let stream = bounded(TcpStream::connect(addr))
        .await
        .expect("the proxy accepts");
    stream.set_nodelay(true).expect("a connected socket");
    stream
}

/// Sends `message` and reads back as many bytes; returns how long that took.
pub(crate) async fn round_trip(client: &mut TcpStream, message: &[u8]) -> Duration {
    let started = Instant::now();
    client.write_all(message).await.expect("the proxy is up");
    let mut echoed = vec![0; message.len()];
    bounded(client.read_exact(&mut echoed))
        .await
        .expect("the echo comes back");
    assert_eq!(echoed, message, "bytes arrive intact");
    started.elapsed()
}

/// The fastest of `n` round trips: the one least disturbed by everything else on the machine.
pub(crate) async fn min_round_trip(client: &mut TcpStream, n: usize) -> Duration {
    let mut fastest = Duration::MAX;
    for _ in 0..n {
        fastest = fastest.min(round_trip(client, b"ping").await);
    }
    fastest
}

/// Reads until the peer closes; returns what arrived, in how many reads, and the error that
/// ended the stream, if it was not a clean close.
pub(crate) async fn read_until_closed(client: &mut TcpStream) -> Received {
    let mut received = Received::default();
    let mut buffer = vec![0; 64 << 10];
    loop {
        match bounded(client.read(&mut buffer)).await {
            Ok(0) => return received,
            Ok(n) => {
                received.bytes.extend_from_slice(&buffer[..n]);
                received.reads += 1;
            }
            Err(error) => {
                received.error = Some(error.kind());
                return received;
            }
        }
    }
}

/// What a client read before the connection closed.
#[derive(Debug, Default)]
pub(crate) struct Received {
    pub(crate) bytes: Vec<u8>,
    pub(crate) reads: usize,
    pub(crate) error: Option<std::io::ErrorKind>,
}

/// A status and a JSON body (`Value::Null` when there is none).
pub(crate) type HttpResponse = (u16, Value);

/// One HTTP/1.1 request, written by hand so the test speaks exactly what a client sends.
pub(crate) async fn http(
    api: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> HttpResponse {
    http_as(api, method, path, body, "chaos-tests").await
}

/// [`http`] with a chosen `User-Agent`.
pub(crate) async fn http_as(
    api: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&str>,
    user_agent: &str,
) -> HttpResponse {
    let body = body.unwrap_or("");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {api}\r\nUser-Agent: {user_agent}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = connect(api).await;
    stream
        .write_all(request.as_bytes())
        .await
        .expect("the API reads requests");
    let mut response = Vec::new();
    bounded(stream.read_to_end(&mut response))
        .await
        .expect("the API answers and closes");
    parse_response(&response)
}

fn parse_response(response: &[u8]) -> HttpResponse {
    let text = std::str::from_utf8(response).expect("UTF-8 response");
    let (head, body) = text.split_once("\r\n\r\n").expect("headers end");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .expect("a status line");
    let body = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(body).expect("a JSON body")
    };
    (status, body)
}

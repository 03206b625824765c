//! One proxied connection: a client socket, an upstream socket, and a pipe each way that drives
//! a [`Chain`] of toxics between them.

use std::collections::VecDeque;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::{Instant, sleep_until, timeout};

use super::ProxyConfig;
use super::stage::{Chain, Installed, Item, Timed};
use super::toxic::Direction;
use crate::Rng;

/// What a proxy tells its open connections: its toxics, and when they must close.
#[derive(Debug, Clone, Default)]
pub(crate) struct Published {
    pub(crate) toxics: Arc<[Installed]>,
    /// How many times a `timeout` toxic has been removed. Each removal closes every connection
    /// open at that moment, as in Toxiproxy, where removing a timeout closes the links it was
    /// holding: the data it dropped cannot be recovered, so the stream cannot go on.
    pub(crate) timeouts_removed: u64,
}

/// How a connection ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// Not yet, or gracefully: each side closed its half.
    Open,
    /// Both sockets closed, after what was written before.
    Close,
    /// Both sockets reset (TCP RST).
    Reset,
}

/// One of a proxy's bounded connection slots, given back when the connection ends.
#[derive(Debug)]
pub(crate) struct Slot(Arc<AtomicUsize>);

impl Slot {
    /// Takes a slot from `open`, unless `max` are taken already.
    pub(crate) fn take(open: &Arc<AtomicUsize>, max: usize) -> Option<Self> {
        if open.fetch_add(1, Ordering::AcqRel) >= max {
            open.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        Some(Self(Arc::clone(open)))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Everything a connection needs from its proxy; it holds no reference to the proxy itself,
/// so a proxy that is dropped closes its connections rather than being kept alive by them.
#[derive(Debug)]
pub(crate) struct Link {
    pub(crate) upstream: Arc<str>,
    pub(crate) toxics: watch::Receiver<Published>,
    /// Becomes `true` (or its sender is dropped) when the proxy stops listening.
    pub(crate) closing: watch::Receiver<bool>,
    /// Draws for the client-to-upstream direction.
    pub(crate) rng_upstream: Rng,
    /// Draws for the upstream-to-client direction.
    pub(crate) rng_downstream: Rng,
    pub(crate) config: ProxyConfig,
    pub(crate) slot: Slot,
}

/// Connects to the upstream and pumps both directions until the connection ends.
pub(crate) async fn run(mut client: TcpStream, link: Link) {
    let Link {
        upstream: upstream_address,
        mut toxics,
        mut closing,
        rng_upstream,
        rng_downstream,
        config,
        slot: _slot,
    } = link;
    let mut upstream = tokio::select! {
        biased;
        _ = closing.changed() => return,
        connected = connect(&upstream_address, config) => match connected {
            Some(stream) => stream,
            None => return,
        },
    };
    // Small writes leave at once: the proxy adds only what its toxics say.
    for stream in [&client, &upstream] {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "cannot disable Nagle's algorithm");
        }
    }

    let (end, _) = watch::channel(Ending::Open);
    {
        let now = Instant::now();
        // Marked seen, so that the pipes wake only for later changes.
        let initial = toxics.borrow_and_update().clone();
        let (up, down) = (
            Pipe::new(Direction::Upstream, &initial, now, rng_upstream, config),
            Pipe::new(Direction::Downstream, &initial, now, rng_downstream, config),
        );
        let (client_read, client_write) = client.split();
        let (upstream_read, upstream_write) = upstream.split();
        tokio::join!(
            up.run(
                client_read,
                upstream_write,
                toxics.clone(),
                closing.clone(),
                &end
            ),
            down.run(upstream_read, client_write, toxics, closing, &end),
        );
    }
    if *end.borrow() == Ending::Reset {
        // No linger: closing sends RST at once instead of FIN, as a peer that crashed would.
        for stream in [&client, &upstream] {
            if let Err(error) = stream.set_zero_linger() {
                tracing::debug!(%error, "cannot set zero linger; the close will be a FIN");
            }
        }
    }
    tracing::debug!(ending = ?*end.borrow(), "connection closed");
}

/// Connects to the upstream within the configured time; a failure is logged, and closes the
/// client (as in Toxiproxy).
async fn connect(address: &str, config: ProxyConfig) -> Option<TcpStream> {
    let timeout_after = config.upstream_connect_timeout;
    match timeout(timeout_after, TcpStream::connect(address)).await {
        Ok(Ok(stream)) => Some(stream),
        Ok(Err(error)) => {
            tracing::warn!(
                upstream = %address, %error,
                "cannot reach the upstream; closing the client"
            );
            None
        }
        Err(_) => {
            tracing::warn!(
                upstream = %address, ?timeout_after,
                "the upstream did not accept in time; closing the client"
            );
            None
        }
    }
}

/// What the pipe does next.
enum Flow {
    /// Keep pumping.
    Go,
    /// Stop: this direction is finished, or the connection ended elsewhere.
    Stop,
    /// Stop, and end the whole connection this way.
    End(Ending),
}

/// What a pipe listens to besides its sockets.
struct Signals {
    toxics: watch::Receiver<Published>,
    /// False once the proxy is gone: its toxics can change no more.
    watching_toxics: bool,
    /// The connection ended, from the other direction.
    ended: watch::Receiver<Ending>,
    /// The proxy stopped listening.
    closing: watch::Receiver<bool>,
}

/// One direction of a connection.
struct Pipe {
    chain: Chain,
    /// Items out of the chain, in order, each waiting for its time.
    queue: VecDeque<Timed>,
    queued_bytes: usize,
    queued_bytes_max: usize,
    read_buffer_bytes: usize,
    rng: Rng,
    read_done: bool,
    /// [`Published::timeouts_removed`] when this connection last looked.
    timeouts_removed: u64,
}

impl Pipe {
    fn new(
        direction: Direction,
        published: &Published,
        now: Instant,
        mut rng: Rng,
        config: ProxyConfig,
    ) -> Self {
        Self {
            chain: Chain::new(direction, &published.toxics, now, &mut rng),
            timeouts_removed: published.timeouts_removed,
            queue: VecDeque::new(),
            queued_bytes: 0,
            queued_bytes_max: config.queued_bytes_max,
            read_buffer_bytes: config.read_buffer_bytes,
            rng,
            read_done: false,
        }
    }

    /// Pumps from `source` through the chain to `sink` until this direction finishes or the
    /// connection ends; announces on `end` an ending it causes.
    async fn run<R, W>(
        mut self,
        mut source: R,
        mut sink: W,
        toxics: watch::Receiver<Published>,
        closing: watch::Receiver<bool>,
        end: &watch::Sender<Ending>,
    ) where
        R: AsyncRead + Unpin,
        W: AsyncWrite + Unpin,
    {
        let mut signals = Signals {
            toxics,
            watching_toxics: true,
            ended: end.subscribe(),
            closing,
        };
        let mut buffer = vec![0; self.read_buffer_bytes];
        loop {
            let flow = match self.write_due(&mut sink, &mut signals).await {
                Flow::Go => {
                    self.wait(&mut source, &mut sink, &mut buffer, &mut signals)
                        .await
                }
                stop => stop,
            };
            match flow {
                Flow::Go => {}
                Flow::Stop => return,
                Flow::End(ending) => {
                    end.send_replace(ending);
                    return;
                }
            }
        }
    }

    /// Waits for the next thing to do, and does it: a read, a change of toxics, a deadline.
    async fn wait<R, W>(
        &mut self,
        source: &mut R,
        sink: &mut W,
        buffer: &mut [u8],
        signals: &mut Signals,
    ) -> Flow
    where
        R: AsyncRead + Unpin,
        W: AsyncWrite + Unpin,
    {
        let wake = self.next_wake();
        let can_read = self.can_read();
        tokio::select! {
            biased;
            _ = signals.ended.changed() => Flow::Stop,
            _ = signals.closing.changed() => Flow::Stop,
            changed = signals.toxics.changed(), if signals.watching_toxics => {
                if changed.is_ok() {
                    self.rebuild(&signals.toxics.borrow_and_update(), Instant::now());
                } else {
                    // The proxy is gone; `closing` ends the connection.
                    signals.watching_toxics = false;
                }
                Flow::Go
            }
            () = sleep_until_some(wake) => {
                self.fire(Instant::now());
                Flow::Go
            }
            read = source.read(buffer), if can_read => {
                // Bytes read after a change of toxics see the change, even when the change
                // landed while this read was pending.
                if signals.toxics.has_changed().unwrap_or(false) {
                    self.rebuild(&signals.toxics.borrow_and_update(), Instant::now());
                }
                self.take(read, buffer, sink, signals).await
            }
        }
    }

    /// Handles the outcome of a read of `buffer`.
    async fn take<W: AsyncWrite + Unpin>(
        &mut self,
        read: io::Result<usize>,
        buffer: &[u8],
        sink: &mut W,
        signals: &mut Signals,
    ) -> Flow {
        match read {
            Ok(0) => {
                self.read_done = true;
                self.push(Timed {
                    at: Instant::now(),
                    item: Item::Fin,
                });
                Flow::Go
            }
            // No toxic applies and nothing waits: straight through, without a copy.
            Ok(n) if self.queue.is_empty() && self.chain.is_transparent() => {
                write_unless_ended(sink, &buffer[..n], signals).await
            }
            Ok(n) => {
                self.push(Timed {
                    at: Instant::now(),
                    item: Item::Data(buffer[..n].to_vec()),
                });
                Flow::Go
            }
            Err(error) => Flow::End(ending_after(&error)),
        }
    }

    /// Writes every item whose time has come, in order.
    async fn write_due<W: AsyncWrite + Unpin>(
        &mut self,
        sink: &mut W,
        signals: &mut Signals,
    ) -> Flow {
        while self
            .queue
            .front()
            .is_some_and(|head| head.at <= Instant::now())
        {
            let Some(Timed { item, .. }) = self.queue.pop_front() else {
                break;
            };
            match item {
                Item::Data(bytes) => {
                    self.queued_bytes -= bytes.len();
                    match write_unless_ended(sink, &bytes, signals).await {
                        Flow::Go => {}
                        stop => return stop,
                    }
                }
                Item::Fin => {
                    // A failed shutdown means the peer is gone; the other direction will see it.
                    if let Err(error) = sink.shutdown().await {
                        tracing::debug!(%error, "cannot shut down the write half");
                    }
                    return Flow::Stop;
                }
                Item::Close => return Flow::End(Ending::Close),
                Item::Reset => return Flow::End(Ending::Reset),
            }
        }
        Flow::Go
    }

    fn can_read(&self) -> bool {
        !self.read_done && self.queued_bytes < self.queued_bytes_max
    }

    /// The earliest of the next item's time and the chain's next deadline.
    fn next_wake(&self) -> Option<Instant> {
        let head = self.queue.front().map(|head| head.at);
        match (head, self.chain.deadline()) {
            (Some(head), Some(deadline)) => Some(head.min(deadline)),
            (head, deadline) => head.or(deadline),
        }
    }

    fn push(&mut self, input: Timed) {
        let before = self.queue.len();
        self.chain.push(input, &mut self.rng, &mut self.queue);
        self.count_queued_from(before);
    }

    fn fire(&mut self, now: Instant) {
        let before = self.queue.len();
        self.chain.fire(now, &mut self.rng, &mut self.queue);
        self.count_queued_from(before);
    }

    fn count_queued_from(&mut self, index: usize) {
        self.queued_bytes += self
            .queue
            .range(index..)
            .map(|timed| match &timed.item {
                Item::Data(bytes) => bytes.len(),
                Item::Fin | Item::Close | Item::Reset => 0,
            })
            .sum::<usize>();
    }

    fn rebuild(&mut self, published: &Published, now: Instant) {
        if self.chain.rebuild(&published.toxics, now, &mut self.rng) {
            for timed in &mut self.queue {
                timed.at = timed.at.min(now);
            }
        }
        if published.timeouts_removed != self.timeouts_removed {
            self.timeouts_removed = published.timeouts_removed;
            self.queue.push_back(Timed {
                at: now,
                item: Item::Close,
            });
        }
    }
}

/// Writes `bytes`, unless the connection ends first.
async fn write_unless_ended<W: AsyncWrite + Unpin>(
    sink: &mut W,
    bytes: &[u8],
    signals: &mut Signals,
) -> Flow {
    tokio::select! {
        biased;
        _ = signals.ended.changed() => Flow::Stop,
        _ = signals.closing.changed() => Flow::Stop,
        written = sink.write_all(bytes) => match written {
            Ok(()) => Flow::Go,
            Err(error) => Flow::End(ending_after(&error)),
        },
    }
}

/// A peer that reset its socket gets its reset passed on; any other failure closes.
fn ending_after(error: &io::Error) -> Ending {
    match error.kind() {
        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted => Ending::Reset,
        _ => Ending::Close,
    }
}

async fn sleep_until_some(at: Option<Instant>) {
    match at {
        Some(at) => sleep_until(at).await,
        None => std::future::pending().await,
    }
}

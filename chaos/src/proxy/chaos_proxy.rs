//! One chaos proxy: a listener, the connections it accepted, and the toxics they pass through.

use std::future::poll_fn;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicU64, AtomicUsize};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::Poll;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::runtime::Handle;
use tokio::sync::watch;
use tokio::task::AbortHandle;

use super::link::{self, Link, Published, Slot};
use super::stage::Installed;
use super::toxic::{Toxic, ToxicKind};
use super::{ProxyConfig, ProxyError};
use crate::Seed;

/// How long the accept loop pauses after a failed accept (out of file descriptors, say), so
/// that a persistent failure does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// A TCP proxy between clients and one upstream address, with toxics on the way.
///
/// Created by [`Proxies::create`](crate::Proxies::create); cheap to clone (all clones are the
/// same proxy). While enabled it listens, and for each client it accepts it opens a connection
/// to the upstream and pumps bytes both ways through the toxics of each direction. Toxics
/// added, updated or removed apply to open connections too. Disabling it closes its listener
/// (new clients are refused) and every open connection; enabling it listens again on the same
/// address.
///
/// ```
/// use chaos::{Proxies, Seed, Toxic, ToxicKind};
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
/// use tokio::net::{TcpListener, TcpStream};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// // An upstream that greets each client.
/// let upstream = TcpListener::bind("127.0.0.1:0").await?;
/// let upstream_addr = upstream.local_addr()?;
/// tokio::spawn(async move {
///     while let Ok((mut stream, _)) = upstream.accept().await {
///         let _ = stream.write_all(b"hello").await;
///     }
/// });
///
/// let proxies = Proxies::new(Seed::new(7))?;
/// let proxy = proxies.create("greeter", "127.0.0.1:0", &upstream_addr.to_string())?;
/// let addr = proxy.listen_addr().expect("enabled on creation");
///
/// // Only the first 3 bytes get through, then the connection closes.
/// let limit = proxy.add_toxic(Toxic::new(ToxicKind::LimitData { bytes: 3 }))?;
/// let mut received = Vec::new();
/// TcpStream::connect(addr).await?.read_to_end(&mut received).await?;
/// assert_eq!(received, b"hel");
///
/// drop(limit); // the guard removes the toxic
/// let mut client = TcpStream::connect(addr).await?;
/// let mut greeting = [0; 5];
/// client.read_exact(&mut greeting).await?;
/// assert_eq!(&greeting, b"hello");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct ChaosProxy {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    name: String,
    seed: Seed,
    config: ProxyConfig,
    runtime: Handle,
    /// What open connections see of the toxics; republished on every change.
    published: watch::Sender<Published>,
    /// Open connections, bounded by `connections_max`.
    open: Arc<AtomicUsize>,
    /// Connections accepted so far: numbers each connection's random stream.
    accepted: Arc<AtomicU64>,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// As Toxiproxy reports it: the address bound, once it was; before that, as given.
    listen: String,
    /// The address most recently bound.
    bound: Option<SocketAddr>,
    upstream: String,
    /// Present while enabled.
    session: Option<Session>,
    /// Upstream toxics first, then downstream ones, each in the order they were added.
    toxics: Vec<Entry>,
    next_key: u64,
    /// See [`Published::timeouts_removed`].
    timeouts_removed: u64,
}

/// An installed toxic: `id` stays for its lifetime, `installed.key` changes with each update.
#[derive(Debug)]
struct Entry {
    id: u64,
    installed: Installed,
}

/// A listening period, from enable to disable. Dropping it closes the listener at once (so
/// new clients are refused before `disable` returns) and every connection it accepted.
#[derive(Debug)]
struct Session {
    listener: Arc<Mutex<Option<TcpListener>>>,
    accept: AbortHandle,
    closing: watch::Sender<bool>,
}

impl Drop for Session {
    fn drop(&mut self) {
        drop(lock(&self.listener).take());
        self.accept.abort();
        self.closing.send_replace(true);
    }
}

impl ChaosProxy {
    /// A disabled proxy; validated by the caller.
    pub(crate) fn new(
        name: &str,
        listen: &str,
        upstream: &str,
        seed: Seed,
        config: ProxyConfig,
        runtime: Handle,
    ) -> Self {
        let (published, _) = watch::channel(Published::default());
        Self {
            shared: Arc::new(Shared {
                name: name.to_owned(),
                seed,
                config,
                runtime,
                published,
                open: Arc::new(AtomicUsize::new(0)),
                accepted: Arc::new(AtomicU64::new(0)),
                state: Mutex::new(State {
                    listen: listen.to_owned(),
                    bound: None,
                    upstream: upstream.to_owned(),
                    session: None,
                    toxics: Vec::new(),
                    next_key: 0,
                    timeouts_removed: 0,
                }),
            }),
        }
    }

    /// The proxy's name, unique in its set.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// The listen address as Toxiproxy reports it: the address bound (with the real port when
    /// `:0` was asked for) once the proxy has listened; until then, as given.
    #[must_use]
    pub fn listen(&self) -> String {
        self.state().listen.clone()
    }

    /// The address the proxy listens on, or listened on last if it is disabled now; `None` if
    /// it never listened.
    #[must_use]
    pub fn listen_addr(&self) -> Option<SocketAddr> {
        self.state().bound
    }

    /// The upstream address, as given.
    #[must_use]
    pub fn upstream(&self) -> String {
        self.state().upstream.clone()
    }

    /// Whether the proxy is listening.
    #[must_use]
    pub fn is_enabled(&self) -> bool {
        self.state().session.is_some()
    }

    /// Open connections through the proxy.
    #[must_use]
    pub fn connections(&self) -> usize {
        self.shared.open.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Starts listening, on the address it listened on before if it did; returns that address.
    /// A proxy that is enabled already stays as it is.
    pub fn enable(&self) -> Result<SocketAddr, ProxyError> {
        let mut state = self.state();
        self.start(&mut state)
    }

    /// Stops listening and closes every open connection. New clients are refused from the
    /// moment this returns; open connections close as their tasks next run.
    pub fn disable(&self) {
        self.state().session = None;
    }

    /// The installed toxics: upstream ones first, then downstream ones, each in the order they
    /// were added (the order Toxiproxy lists them in).
    #[must_use]
    pub fn toxics(&self) -> Vec<Toxic> {
        self.state()
            .toxics
            .iter()
            .map(|entry| toxic_of(&entry.installed))
            .collect()
    }

    /// The toxic named `name`.
    #[must_use]
    pub fn toxic(&self, name: &str) -> Option<Toxic> {
        let state = self.state();
        state
            .toxics
            .iter()
            .find(|entry| entry.installed.name == name)
            .map(|entry| toxic_of(&entry.installed))
    }

    /// Installs a toxic, on open connections too; the guard removes it when dropped.
    pub fn add_toxic(&self, toxic: Toxic) -> Result<ToxicGuard, ProxyError> {
        let (name, id) = self.insert_toxic(toxic)?;
        Ok(ToxicGuard {
            proxy: Some(self.clone()),
            name,
            id,
        })
    }

    /// Installs a toxic with no guard: it stays until removed. Returns its name and identity.
    pub(crate) fn insert_toxic(&self, toxic: Toxic) -> Result<(String, u64), ProxyError> {
        toxic.validate()?;
        let toxic = toxic.with_resolved_name();
        let name = toxic.name();
        let mut state = self.state();
        if state
            .toxics
            .iter()
            .any(|entry| entry.installed.name == name)
        {
            return Err(ProxyError::ToxicExists {
                proxy: self.shared.name.clone(),
                toxic: name,
            });
        }
        if state.toxics.len() >= self.shared.config.toxics_max {
            return Err(ProxyError::LimitReached {
                limit: "toxics_max",
                max: self.shared.config.toxics_max,
            });
        }
        let key = state.next_key();
        let entry = Entry {
            id: key,
            installed: installed(&toxic, key),
        };
        // Upstream toxics before downstream ones; within a direction, in the order added.
        let position = state
            .toxics
            .iter()
            .rposition(|other| other.installed.direction <= toxic.direction())
            .map_or(0, |index| index + 1);
        state.toxics.insert(position, entry);
        self.publish(&state);
        Ok((name, key))
    }

    /// Changes what the toxic named `name` does and how often; its type and direction stay.
    /// Open connections draw its toxicity again, as in Toxiproxy.
    pub fn update_toxic(
        &self,
        name: &str,
        kind: ToxicKind,
        toxicity: f64,
    ) -> Result<Toxic, ProxyError> {
        let mut state = self.state();
        let Some(index) = state
            .toxics
            .iter()
            .position(|entry| entry.installed.name == name)
        else {
            return Err(self.toxic_not_found(name));
        };
        let current = toxic_of(&state.toxics[index].installed);
        if kind.type_name() != current.kind().type_name() {
            return Err(ProxyError::Invalid {
                field: "type".to_owned(),
                rule: format!(
                    "cannot change from {} to {}; remove the toxic and add it again",
                    current.kind().type_name(),
                    kind.type_name()
                ),
            });
        }
        let mut updated = current.with_toxicity(toxicity);
        updated.set_kind(kind);
        updated.validate()?;
        let key = state.next_key();
        state.toxics[index].installed = installed(&updated, key);
        self.publish(&state);
        Ok(updated)
    }

    /// Removes the toxic named `name`, from open connections too. Removing a `timeout` toxic
    /// closes every open connection, as in Toxiproxy (the data it dropped is gone for good).
    pub fn remove_toxic(&self, name: &str) -> Result<(), ProxyError> {
        self.remove_where(|entry| entry.installed.name == name)
            .then_some(())
            .ok_or_else(|| self.toxic_not_found(name))
    }

    /// Removes every toxic.
    pub fn remove_all_toxics(&self) {
        let mut state = self.state();
        for entry in std::mem::take(&mut state.toxics) {
            state.count_removal(&entry);
        }
        self.publish(&state);
    }

    /// Toxiproxy's `POST /proxies/{name}`: a changed listen or upstream address restarts the
    /// proxy (closing its connections); `enabled` then says whether it listens.
    pub(crate) fn update(
        &self,
        listen: Option<&str>,
        upstream: Option<&str>,
        enabled: Option<bool>,
    ) -> Result<(), ProxyError> {
        let mut state = self.state();
        let listen = listen.map_or_else(|| state.listen.clone(), str::to_owned);
        let upstream = upstream.map_or_else(|| state.upstream.clone(), str::to_owned);
        check_address("upstream", &upstream)?;
        let enabled = enabled.unwrap_or(state.session.is_some());
        if differs(&state, &listen, &upstream)? {
            state.session = None;
            state.listen = listen;
            state.upstream = upstream;
        }
        if enabled {
            self.start(&mut state)?;
        } else {
            state.session = None;
        }
        Ok(())
    }

    /// Whether `listen` and `upstream` differ from the proxy's (Toxiproxy's test, used when
    /// populating: the same addresses leave a proxy untouched).
    pub(crate) fn differs_from(&self, listen: &str, upstream: &str) -> Result<bool, ProxyError> {
        differs(&self.state(), listen, upstream)
    }

    /// Removes the toxic this guard installed, if it is still there.
    fn remove_guarded(&self, id: u64) {
        self.remove_where(|entry| entry.id == id);
    }

    fn remove_where(&self, matches: impl Fn(&Entry) -> bool) -> bool {
        let mut state = self.state();
        let Some(index) = state.toxics.iter().position(matches) else {
            return false;
        };
        let entry = state.toxics.remove(index);
        state.count_removal(&entry);
        self.publish(&state);
        true
    }

    fn publish(&self, state: &State) {
        self.shared.published.send_replace(Published {
            toxics: state
                .toxics
                .iter()
                .map(|entry| entry.installed.clone())
                .collect(),
            timeouts_removed: state.timeouts_removed,
        });
    }

    fn toxic_not_found(&self, name: &str) -> ProxyError {
        ProxyError::ToxicNotFound {
            proxy: self.shared.name.clone(),
            toxic: name.to_owned(),
        }
    }

    /// Binds the listener and starts accepting, unless already listening.
    fn start(&self, state: &mut State) -> Result<SocketAddr, ProxyError> {
        if let (Some(_), Some(bound)) = (&state.session, state.bound) {
            return Ok(bound);
        }
        let listen_error = |source| ProxyError::Listen {
            address: state.listen.clone(),
            source,
        };
        // Bound synchronously, so that a proxy is listening when `enable` returns, even when
        // called from a guard's `drop`.
        let listener = std::net::TcpListener::bind(state.listen.as_str()).map_err(listen_error)?;
        listener.set_nonblocking(true).map_err(listen_error)?;
        let bound = listener.local_addr().map_err(listen_error)?;
        let listener = {
            let _runtime = self.shared.runtime.enter();
            TcpListener::from_std(listener).map_err(listen_error)?
        };
        let listener = Arc::new(Mutex::new(Some(listener)));
        let (closing, closing_receiver) = watch::channel(false);
        let acceptor = Acceptor {
            name: self.shared.name.clone(),
            seed: self.shared.seed,
            config: self.shared.config,
            upstream: Arc::from(state.upstream.as_str()),
            toxics: self.shared.published.subscribe(),
            closing: closing_receiver,
            open: Arc::clone(&self.shared.open),
            accepted: Arc::clone(&self.shared.accepted),
        };
        let accept = self
            .shared
            .runtime
            .spawn(accept_loop(Arc::clone(&listener), acceptor));
        state.session = Some(Session {
            listener,
            accept: accept.abort_handle(),
            closing,
        });
        state.listen = bound.to_string();
        state.bound = Some(bound);
        tracing::info!(
            proxy = %self.shared.name, listen = %bound, upstream = %state.upstream,
            "proxy listening"
        );
        Ok(bound)
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.shared.state)
    }
}

impl State {
    fn next_key(&mut self) -> u64 {
        self.next_key += 1;
        self.next_key
    }

    fn count_removal(&mut self, removed: &Entry) {
        if matches!(removed.installed.kind, ToxicKind::Timeout { .. }) {
            self.timeouts_removed += 1;
        }
    }
}

/// Removes its toxic from the proxy when dropped; returned by [`ChaosProxy::add_toxic`].
///
/// A toxic removed by other means first (by name, by a reset) is not touched again, even if a
/// new toxic took its name.
#[derive(Debug)]
#[must_use = "dropping the guard removes the toxic at once"]
pub struct ToxicGuard {
    proxy: Option<ChaosProxy>,
    name: String,
    id: u64,
}

impl ToxicGuard {
    /// The toxic's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Leaves the toxic installed for good.
    pub fn keep(mut self) {
        self.proxy = None;
    }
}

impl Drop for ToxicGuard {
    fn drop(&mut self) {
        if let Some(proxy) = self.proxy.take() {
            proxy.remove_guarded(self.id);
        }
    }
}

/// What the accept loop hands each connection.
struct Acceptor {
    name: String,
    seed: Seed,
    config: ProxyConfig,
    upstream: Arc<str>,
    toxics: watch::Receiver<Published>,
    closing: watch::Receiver<bool>,
    open: Arc<AtomicUsize>,
    accepted: Arc<AtomicU64>,
}

/// Accepts clients until the session's listener is taken away.
async fn accept_loop(listener: Arc<Mutex<Option<TcpListener>>>, acceptor: Acceptor) {
    loop {
        let accepted = poll_fn(|cx| match lock(&listener).as_ref() {
            Some(listener) => listener.poll_accept(cx).map(Some),
            None => Poll::Ready(None),
        })
        .await;
        match accepted {
            None => return,
            Some(Ok((client, peer))) => acceptor.spawn(client, peer),
            Some(Err(error)) => {
                tracing::warn!(proxy = %acceptor.name, %error, "accept failed; retrying");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
            }
        }
    }
}

impl Acceptor {
    fn spawn(&self, client: tokio::net::TcpStream, peer: SocketAddr) {
        let Some(slot) = Slot::take(&self.open, self.config.connections_max) else {
            tracing::warn!(
                proxy = %self.name, %peer, connections_max = self.config.connections_max,
                "limit reached: closing the new client"
            );
            return;
        };
        let number = self
            .accepted
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // One stream per connection and direction: which toxics apply to a connection, and
        // their jitter and slices, depend only on the seed and the connection's number.
        let site = format!("proxy/{}/{number}", self.name);
        tracing::debug!(proxy = %self.name, %peer, number, "accepted");
        let link = Link {
            upstream: Arc::clone(&self.upstream),
            toxics: self.toxics.clone(),
            closing: self.closing.clone(),
            rng_upstream: self.seed.stream(&format!("{site}/upstream")),
            rng_downstream: self.seed.stream(&format!("{site}/downstream")),
            config: self.config,
            slot,
        };
        tokio::spawn(link::run(client, link));
    }
}

/// Checks that `address` is `host:port` (a hostname, an IPv4 address or a bracketed IPv6
/// address, and a port number), without resolving it.
pub(crate) fn check_address(field: &str, address: &str) -> Result<(), ProxyError> {
    let valid = address
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
    if valid {
        Ok(())
    } else {
        Err(ProxyError::Invalid {
            field: field.to_owned(),
            rule: format!("must be host:port, got {address:?}"),
        })
    }
}

/// Toxiproxy's test for a changed proxy: the listen address, resolved, differs from the one
/// reported, or the upstream differs as written.
fn differs(state: &State, listen: &str, upstream: &str) -> Result<bool, ProxyError> {
    check_address("listen", listen)?;
    let resolved = listen
        .to_socket_addrs()
        .and_then(|mut addresses| {
            addresses.next().ok_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::NotFound, "resolves to no address")
            })
        })
        .map_err(|source| ProxyError::Listen {
            address: listen.to_owned(),
            source,
        })?;
    Ok(resolved.to_string() != state.listen || upstream != state.upstream)
}

fn installed(toxic: &Toxic, key: u64) -> Installed {
    Installed {
        key,
        name: toxic.name(),
        kind: *toxic.kind(),
        direction: toxic.direction(),
        toxicity: toxic.toxicity(),
    }
}

fn toxic_of(installed: &Installed) -> Toxic {
    Toxic::new(installed.kind)
        .named(installed.name.clone())
        .on(installed.direction)
        .with_toxicity(installed.toxicity)
}

/// Locks a mutex whose data stays consistent even if a holder panicked: every critical section
/// here completes its change before anything that can panic.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

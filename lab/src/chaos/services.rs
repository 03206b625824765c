//! The workspace's own services, stood up in-process as a chaos-experiment target.
//!
//! ```text
//!   load ──> front end ──(circuit breaker, timeout)──> proxy "dependency" ──> dependency
//! ```
//!
//! The dependency answers each `ping` line with `ok` after its service time. The front end
//! opens a connection per call through a chaos proxy named `dependency`, so an experiment's
//! toxics act on that hop. A probe sends a burst of calls through the front end and measures
//! it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use chaos::experiment::{Action, Target, ToxicSpec};
use chaos::{ChaosProxy, Proxies, Seed, Toxic, ToxicKind};
use circuit_breaker::{CallNotPermitted, CircuitBreaker, CircuitBreakerLayer};
use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tower::util::BoxCloneSyncService;
use tower::{BoxError, ServiceBuilder, ServiceExt};

/// Most calls one probe may send.
const REQUESTS_MAX: u32 = 100_000;
/// Most calls in flight at once during a probe.
const CONCURRENCY_MAX: u32 = 1_024;
/// Most connections the dependency serves at once; more wait in the listen backlog.
const DEPENDENCY_CONNECTIONS_MAX: usize = 1_024;
/// The name of the proxy in front of the dependency, as experiments refer to it.
const DEPENDENCY: &str = "dependency";

/// The `[target]` table of an experiment run by `lab chaos run`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ServicesConfig {
    /// Calls per probe.
    #[serde(default = "default_requests")]
    requests: u32,
    /// Calls in flight at once during a probe.
    #[serde(default = "default_concurrency")]
    concurrency: u32,
    /// The front end's timeout on each call to the dependency.
    #[serde(default = "default_timeout", with = "humantime_serde")]
    timeout: Duration,
    /// How long the dependency takes to answer, before any toxic.
    #[serde(default = "default_service_time", with = "humantime_serde")]
    service_time: Duration,
    /// The front end's breaker, in the circuit-breaker crate's own configuration format;
    /// absent means the front end calls the dependency unprotected.
    #[serde(default)]
    circuit_breaker: Option<circuit_breaker::Config>,
}

fn default_requests() -> u32 {
    200
}

fn default_concurrency() -> u32 {
    8
}

fn default_timeout() -> Duration {
    Duration::from_millis(100)
}

fn default_service_time() -> Duration {
    Duration::from_millis(1)
}

impl ServicesConfig {
    /// Reads and checks the experiment's `[target]` table.
    pub(crate) fn from_table(table: &toml::Table) -> anyhow::Result<Self> {
        let config: Self = table
            .clone()
            .try_into()
            .context("experiment field `target`")?;
        let bounds = [
            ("target.requests", config.requests, REQUESTS_MAX),
            ("target.concurrency", config.concurrency, CONCURRENCY_MAX),
        ];
        for (field, value, max) in bounds {
            anyhow::ensure!(
                (1..=max).contains(&value),
                "experiment field `{field}` must be in 1..={max}, got {value}"
            );
        }
        anyhow::ensure!(
            !config.timeout.is_zero(),
            "experiment field `target.timeout` must be more than zero"
        );
        Ok(config)
    }
}

/// What one burst of calls through the front end saw.
#[derive(Debug, Default)]
struct Burst {
    latencies: Vec<Duration>,
    succeeded: u64,
    shed: u64,
    dependency_calls: u64,
}

impl Burst {
    fn measure(&self, measure: &str) -> Result<f64, BoxError> {
        let calls = self.latencies.len() as f64;
        let value = match measure {
            "success_ratio" => self.succeeded as f64 / calls,
            "shed_ratio" => self.shed as f64 / calls,
            "dependency_calls" => self.dependency_calls as f64,
            "latency_p50_ms" => self.percentile_ms(50),
            "latency_p99_ms" => self.percentile_ms(99),
            "latency_max_ms" => self.percentile_ms(100),
            other => {
                return Err(format!(
                    "unknown measure `{other}`; known: success_ratio, shed_ratio, \
                     dependency_calls, latency_p50_ms, latency_p99_ms, latency_max_ms"
                )
                .into());
            }
        };
        Ok(value)
    }

    fn percentile_ms(&self, percent: usize) -> f64 {
        // A burst makes at least one call (`target.requests` >= 1).
        crate::percentile::nearest_rank(&self.latencies, percent)
            .unwrap_or_default()
            .as_secs_f64()
            * 1e3
    }
}

type FrontEnd = BoxCloneSyncService<(), (), BoxError>;

/// The running services; dropping it stops them.
pub(crate) struct Services {
    config: ServicesConfig,
    front_end: FrontEnd,
    proxies: Proxies,
    dependency_calls: Arc<AtomicU64>,
    tasks: JoinSet<()>,
}

impl Services {
    /// Starts the dependency, its proxy and the front end on loopback ports; the proxy draws
    /// its random choices (toxicity, jitter) from `seed`.
    pub(crate) async fn start(config: ServicesConfig, seed: Seed) -> anyhow::Result<Self> {
        let mut tasks = JoinSet::new();
        let dependency_calls = Arc::new(AtomicU64::new(0));
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let dependency = listener.local_addr()?;
        tasks.spawn(serve_dependency(
            listener,
            config.service_time,
            Arc::clone(&dependency_calls),
        ));
        let proxies = Proxies::new(seed)?;
        let proxy = proxies.create(DEPENDENCY, "127.0.0.1:0", &dependency.to_string())?;
        let listen = proxy
            .listen_addr()
            .context("the dependency's proxy has no address")?;
        let front_end = front_end(&config, listen)?;
        Ok(Self {
            config,
            front_end,
            proxies,
            dependency_calls,
            tasks,
        })
    }

    /// Sends one burst of calls through the front end.
    async fn burst(&self) -> Burst {
        let calls_before = self.dependency_calls.load(Ordering::Relaxed);
        let next = Arc::new(AtomicU64::new(0));
        let mut workers = JoinSet::new();
        for _ in 0..self.config.concurrency {
            let front_end = self.front_end.clone();
            let next = Arc::clone(&next);
            let requests = u64::from(self.config.requests);
            workers.spawn(async move {
                let mut burst = Burst::default();
                while next.fetch_add(1, Ordering::Relaxed) < requests {
                    let started = Instant::now();
                    let outcome = front_end.clone().oneshot(()).await;
                    burst.latencies.push(started.elapsed());
                    match outcome {
                        Ok(()) => burst.succeeded += 1,
                        Err(error) if error.is::<CallNotPermitted>() => burst.shed += 1,
                        Err(_) => {}
                    }
                }
                burst
            });
        }
        let mut total = Burst::default();
        for part in workers.join_all().await {
            total.latencies.extend(part.latencies);
            total.succeeded += part.succeeded;
            total.shed += part.shed;
        }
        total.dependency_calls = self.dependency_calls.load(Ordering::Relaxed) - calls_before;
        total
    }
}

impl Services {
    fn proxy(&self, name: &str) -> Result<ChaosProxy, BoxError> {
        self.proxies.get(name).ok_or_else(|| {
            format!("no proxy named `{name}`; this target has `{DEPENDENCY}`").into()
        })
    }
}

/// The toxic an experiment describes, in the proxy's terms.
fn toxic_of(spec: &ToxicSpec) -> Result<Toxic, BoxError> {
    let mut kind = ToxicKind::with_defaults(&spec.kind)?;
    for (attribute, &value) in &spec.attributes {
        let value = u64::try_from(value).map_err(|_| {
            format!("toxic attribute `{attribute}` must not be negative, got {value}")
        })?;
        kind.set_attribute(attribute, value)?;
    }
    Ok(Toxic::from_parts(
        kind,
        spec.stream.as_deref(),
        spec.toxicity,
        spec.name.as_deref(),
    )?)
}

impl Drop for Services {
    fn drop(&mut self) {
        self.tasks.abort_all();
    }
}

impl Target for Services {
    async fn probe(&mut self, measure: &str) -> Result<f64, BoxError> {
        self.burst().await.measure(measure)
    }

    async fn act(&mut self, action: &Action) -> Result<(), BoxError> {
        match action {
            Action::AddToxic { proxy, toxic } => {
                // The toxic stays until a later action removes it: the experiment owns it.
                self.proxy(proxy)?.add_toxic(toxic_of(toxic)?)?.keep();
            }
            Action::RemoveToxic { proxy, toxic } => self.proxy(proxy)?.remove_toxic(toxic)?,
            Action::DisableProxy { proxy } => self.proxy(proxy)?.disable(),
            Action::EnableProxy { proxy } => {
                self.proxy(proxy)?.enable()?;
            }
            Action::Reset => self.proxies.reset()?,
            other => return Err(format!("this target cannot apply {other:?}").into()),
        }
        Ok(())
    }
}

/// The front end's call path: per call, a connection to the dependency's proxy, a `ping`, an `ok`;
/// bounded by the timeout and, when configured, guarded by a circuit breaker.
fn front_end(
    config: &ServicesConfig,
    dependency: std::net::SocketAddr,
) -> anyhow::Result<FrontEnd> {
    let call = tower::service_fn(move |()| ping(dependency));
    let timed = ServiceBuilder::new().timeout(config.timeout).service(call);
    let Some(breaker_config) = &config.circuit_breaker else {
        return Ok(BoxCloneSyncService::new(timed));
    };
    let breaker = Arc::new(CircuitBreaker::new("dependency", breaker_config.clone())?);
    Ok(BoxCloneSyncService::new(
        ServiceBuilder::new()
            .layer(CircuitBreakerLayer::new(breaker))
            .service(timed),
    ))
}

async fn ping(dependency: std::net::SocketAddr) -> Result<(), BoxError> {
    let mut stream = BufReader::new(TcpStream::connect(dependency).await?);
    stream.get_mut().write_all(b"ping\n").await?;
    let mut answer = String::new();
    stream.read_line(&mut answer).await?;
    if answer == "ok\n" {
        Ok(())
    } else {
        Err(format!("dependency answered {answer:?}, expected \"ok\\n\"").into())
    }
}

/// The dependency: answers every `ping` line with `ok` after `service_time`.
async fn serve_dependency(listener: TcpListener, service_time: Duration, calls: Arc<AtomicU64>) {
    let slots = Arc::new(tokio::sync::Semaphore::new(DEPENDENCY_CONNECTIONS_MAX));
    let mut connections = JoinSet::new();
    loop {
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        let Ok((stream, _)) = listener.accept().await else {
            // Out of descriptors, most likely: back off instead of spinning on the error.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        // Reap finished connections so the set stays bounded by the semaphore.
        while connections.try_join_next().is_some() {}
        let calls = Arc::clone(&calls);
        connections.spawn(async move {
            let _slot = slot;
            let mut stream = BufReader::new(stream);
            let mut line = String::new();
            while matches!(stream.read_line(&mut line).await, Ok(read) if read > 0) {
                calls.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(service_time).await;
                if stream.get_mut().write_all(b"ok\n").await.is_err() {
                    return;
                }
                line.clear();
            }
        });
    }
}

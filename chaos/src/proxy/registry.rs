//! A named set of proxies: what Toxiproxy's server holds, and what its HTTP API drives.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::runtime::Handle;

use super::chaos_proxy::{check_address, lock};
use super::{ChaosProxy, ProxyConfig, ProxyError};
use crate::Seed;

/// The longest proxy name accepted, in bytes.
pub const NAME_BYTES_MAX: usize = 256;

/// Where a proxy listens when no address is given: loopback, on a port the system picks.
/// (Toxiproxy listens on every interface; a chaos proxy reachable from the network by accident
/// is worse than one that has to be asked for.)
pub const LISTEN_DEFAULT: &str = "127.0.0.1:0";

/// A set of chaos proxies with unique names, sharing a seed and bounds.
///
/// This is what a Toxiproxy server holds; [`ApiServer`](crate::ApiServer) serves it over
/// Toxiproxy's HTTP API, and tests use it directly. Cheap to clone: clones share the set.
/// Created inside a tokio runtime, whose tasks then run the proxies.
#[derive(Debug, Clone)]
pub struct Proxies {
    inner: Arc<Registry>,
}

#[derive(Debug)]
struct Registry {
    seed: Seed,
    config: ProxyConfig,
    runtime: Handle,
    proxies: Mutex<BTreeMap<String, ChaosProxy>>,
}

/// A proxy as Toxiproxy's API describes one to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProxySpec {
    pub(crate) name: String,
    /// Empty for [`LISTEN_DEFAULT`].
    pub(crate) listen: String,
    pub(crate) upstream: String,
    pub(crate) enabled: bool,
}

impl Proxies {
    /// An empty set with the default bounds. Toxicity draws, jitter and slice sizes all come
    /// from `seed`, per proxy and per connection.
    pub fn new(seed: Seed) -> Result<Self, ProxyError> {
        Self::with_config(seed, ProxyConfig::default())
    }

    /// An empty set with the given bounds.
    pub fn with_config(seed: Seed, config: ProxyConfig) -> Result<Self, ProxyError> {
        config.validate()?;
        let runtime = Handle::try_current().map_err(|_| ProxyError::NoRuntime)?;
        Ok(Self {
            inner: Arc::new(Registry {
                seed,
                config,
                runtime,
                proxies: Mutex::new(BTreeMap::new()),
            }),
        })
    }

    /// The seed every proxy in the set draws from.
    #[must_use]
    pub fn seed(&self) -> Seed {
        self.inner.seed
    }

    /// The bounds.
    #[must_use]
    pub fn config(&self) -> &ProxyConfig {
        &self.inner.config
    }

    /// Creates a proxy from `listen` (`host:port`; port 0 picks a free one) to `upstream`, and
    /// starts it listening.
    pub fn create(
        &self,
        name: &str,
        listen: &str,
        upstream: &str,
    ) -> Result<ChaosProxy, ProxyError> {
        self.add(&ProxySpec {
            name: name.to_owned(),
            listen: listen.to_owned(),
            upstream: upstream.to_owned(),
            enabled: true,
        })
    }

    /// The proxy named `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<ChaosProxy> {
        self.proxies().get(name).cloned()
    }

    /// The proxy named `name`, or Toxiproxy's `proxy not found`.
    pub(crate) fn require(&self, name: &str) -> Result<ChaosProxy, ProxyError> {
        self.get(name).ok_or_else(|| not_found(name))
    }

    /// Every proxy, by name.
    #[must_use]
    pub fn list(&self) -> Vec<ChaosProxy> {
        self.proxies().values().cloned().collect()
    }

    /// Disables the proxy named `name` and forgets it.
    pub fn remove(&self, name: &str) -> Result<(), ProxyError> {
        let proxy = self.proxies().remove(name).ok_or_else(|| not_found(name))?;
        proxy.disable();
        Ok(())
    }

    /// Toxiproxy's reset: removes every toxic and enables every proxy. All proxies are reset
    /// even if one fails to listen; the first failure is returned.
    pub fn reset(&self) -> Result<(), ProxyError> {
        let mut first_error = None;
        for proxy in self.list() {
            proxy.remove_all_toxics();
            if let Err(error) = proxy.enable() {
                first_error.get_or_insert(error);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Toxiproxy's `POST /proxies`: creates a proxy, listening if `enabled`.
    pub(crate) fn add(&self, spec: &ProxySpec) -> Result<ChaosProxy, ProxyError> {
        check_spec(spec, None)?;
        let mut proxies = self.proxies();
        if proxies.contains_key(&spec.name) {
            return Err(ProxyError::ProxyExists {
                name: spec.name.clone(),
            });
        }
        let proxy = self.start(&proxies, spec)?;
        proxies.insert(spec.name.clone(), proxy.clone());
        Ok(proxy)
    }

    /// Toxiproxy's `POST /populate`: checks every spec, then creates each proxy, or replaces
    /// the one of that name if its listen or upstream address differs (one with the same
    /// addresses is left as it is, toxics and all). Stops at the first failure, returning
    /// the proxies handled before it.
    pub(crate) fn populate(&self, specs: &[ProxySpec]) -> (Vec<ChaosProxy>, Option<ProxyError>) {
        for (index, spec) in specs.iter().enumerate() {
            if let Err(error) = check_spec(spec, Some(index + 1)) {
                return (Vec::new(), Some(error));
            }
        }
        let mut done = Vec::with_capacity(specs.len());
        for spec in specs {
            match self.add_or_replace(spec) {
                Ok(proxy) => done.push(proxy),
                Err(error) => return (done, Some(error)),
            }
        }
        (done, None)
    }

    fn add_or_replace(&self, spec: &ProxySpec) -> Result<ChaosProxy, ProxyError> {
        let mut proxies = self.proxies();
        if let Some(existing) = proxies.get(&spec.name) {
            if !existing.differs_from(listen_or_default(&spec.listen), &spec.upstream)? {
                return Ok(existing.clone());
            }
            // Stopped first, so that the replacement can take over its address.
            existing.disable();
        }
        let proxy = self.start(&proxies, spec)?;
        proxies.insert(spec.name.clone(), proxy.clone());
        Ok(proxy)
    }

    /// A new proxy for `spec`, listening if it says so; `proxies` is the locked set, checked
    /// against its bound (a proxy being replaced does not count).
    fn start(
        &self,
        proxies: &BTreeMap<String, ChaosProxy>,
        spec: &ProxySpec,
    ) -> Result<ChaosProxy, ProxyError> {
        let max = self.inner.config.proxies_max;
        if proxies.len() >= max && !proxies.contains_key(&spec.name) {
            return Err(ProxyError::LimitReached {
                limit: "proxies_max",
                max,
            });
        }
        let proxy = ChaosProxy::new(
            &spec.name,
            listen_or_default(&spec.listen),
            &spec.upstream,
            self.inner.seed,
            self.inner.config,
            self.inner.runtime.clone(),
        );
        if spec.enabled {
            proxy.enable()?;
        }
        Ok(proxy)
    }

    fn proxies(&self) -> MutexGuard<'_, BTreeMap<String, ChaosProxy>> {
        lock(&self.inner.proxies)
    }
}

/// Checks a spec's fields; `position` (from 1) is named in errors from a populate request,
/// as Toxiproxy does (`missing required field: name at proxy 2`).
fn check_spec(spec: &ProxySpec, position: Option<usize>) -> Result<(), ProxyError> {
    let at = |field: &str| match position {
        Some(position) => format!("{field} at proxy {position}"),
        None => field.to_owned(),
    };
    if spec.name.is_empty() {
        return Err(ProxyError::MissingField { field: at("name") });
    }
    if spec.upstream.is_empty() {
        return Err(ProxyError::MissingField {
            field: at("upstream"),
        });
    }
    if spec.name.len() > NAME_BYTES_MAX {
        return Err(ProxyError::Invalid {
            field: at("name"),
            rule: format!("must be at most {NAME_BYTES_MAX} bytes"),
        });
    }
    check_address(&at("upstream"), &spec.upstream)?;
    check_address(&at("listen"), listen_or_default(&spec.listen))
}

fn listen_or_default(listen: &str) -> &str {
    if listen.is_empty() {
        LISTEN_DEFAULT
    } else {
        listen
    }
}

fn not_found(name: &str) -> ProxyError {
    ProxyError::ProxyNotFound {
        name: name.to_owned(),
    }
}

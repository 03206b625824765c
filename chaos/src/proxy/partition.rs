//! Network partitions made of proxies: cut the links between groups of nodes, heal on drop.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use super::toxic::{Direction, Toxic, ToxicKind};
use super::{ChaosProxy, ProxyError, ToxicGuard};
use crate::{NODES_MAX, NodeId, Partition};

/// How a partition cuts a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cut {
    /// Disable the proxy: new connections are refused and open ones closed, as when a host is
    /// down or a firewall rejects. Failures are quick and explicit.
    Refuse,
    /// Install a `timeout` toxic with no timeout in both directions: connections open, but
    /// bytes vanish and nothing closes, as when packets are silently dropped. Failures take as
    /// long as the client's own timeouts, the harder case for most code. Healing removes the
    /// toxics, which closes every connection through the cut proxies (the bytes they swallowed
    /// are lost, so those streams cannot go on).
    Blackhole,
}

/// Undoes a partition when dropped: re-enables the proxies it disabled, removes the toxics it
/// installed. [`PartitionGuard::heal`] does the same and reports failures, which `drop` can
/// only log.
#[derive(Debug)]
#[must_use = "dropping the guard heals the partition at once"]
pub struct PartitionGuard {
    disabled: Vec<ChaosProxy>,
    toxics: Vec<ToxicGuard>,
}

impl PartitionGuard {
    /// Cuts every link through `proxies`. With [`Cut::Refuse`], proxies that were disabled
    /// already are left alone, and stay disabled after healing.
    pub fn cut<'a>(
        proxies: impl IntoIterator<Item = &'a ChaosProxy>,
        cut: Cut,
    ) -> Result<Self, ProxyError> {
        // Numbers this partition's toxics, so that overlapping partitions do not collide.
        static PARTITIONS: AtomicU64 = AtomicU64::new(0);
        let number = PARTITIONS.fetch_add(1, Ordering::Relaxed);
        // On an error, dropping the partial guard heals what was cut so far.
        let mut guard = Self {
            disabled: Vec::new(),
            toxics: Vec::new(),
        };
        for proxy in proxies {
            match cut {
                Cut::Refuse if proxy.is_enabled() => {
                    proxy.disable();
                    guard.disabled.push(proxy.clone());
                }
                Cut::Refuse => {}
                Cut::Blackhole => {
                    for direction in [Direction::Upstream, Direction::Downstream] {
                        let toxic = Toxic::new(ToxicKind::Timeout { timeout_ms: 0 })
                            .named(format!("partition{number}_{direction}"))
                            .on(direction);
                        guard.toxics.push(proxy.add_toxic(toxic)?);
                    }
                }
            }
        }
        Ok(guard)
    }

    /// Heals the partition, returning the first proxy that could not listen again (its
    /// address taken meanwhile); the others are healed regardless.
    pub fn heal(mut self) -> Result<(), ProxyError> {
        self.heal_all()
    }

    fn heal_all(&mut self) -> Result<(), ProxyError> {
        self.toxics.clear();
        let mut first_error = None;
        for proxy in self.disabled.drain(..) {
            if let Err(error) = proxy.enable() {
                first_error.get_or_insert(error);
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

impl Drop for PartitionGuard {
    fn drop(&mut self) {
        if let Err(error) = self.heal_all() {
            tracing::warn!(%error, "partition not fully healed");
        }
    }
}

/// The proxies between the nodes of a cluster: one per ordered pair of nodes, the way node
/// `from` reaches node `to`.
///
/// Pairs the nemesis's [`Partition`]s (sets of cut links) with real sockets: a cut link
/// `(a, b)` cuts both the proxy from `a` to `b` and the one from `b` to `a`.
///
/// ```
/// use chaos::{Cut, Mesh, NodeId, Partition, Proxies, Seed};
/// use tokio::net::{TcpListener, TcpStream};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let node = TcpListener::bind("127.0.0.1:0").await?; // stands in for each node's port
/// let target = node.local_addr()?.to_string();
/// let proxies = Proxies::new(Seed::new(1))?;
/// let mut mesh = Mesh::new();
/// for from in 0..3 {
///     for to in (0..3).filter(|&to| to != from) {
///         let proxy = proxies.create(&format!("n{from}-n{to}"), "127.0.0.1:0", &target)?;
///         mesh.insert(NodeId(from), NodeId(to), proxy)?;
///     }
/// }
///
/// // n0 alone, n1 and n2 together.
/// let split = Partition::components(&[vec![NodeId(0)], vec![NodeId(1), NodeId(2)]]);
/// let guard = mesh.partition(&split, Cut::Refuse)?;
/// let cut = mesh.get(NodeId(0), NodeId(1)).and_then(|proxy| proxy.listen_addr()).unwrap();
/// let kept = mesh.get(NodeId(1), NodeId(2)).and_then(|proxy| proxy.listen_addr()).unwrap();
/// assert!(TcpStream::connect(cut).await.is_err());
/// assert!(TcpStream::connect(kept).await.is_ok());
///
/// drop(guard); // heals
/// assert!(TcpStream::connect(cut).await.is_ok());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Mesh {
    links: BTreeMap<(NodeId, NodeId), ChaosProxy>,
}

impl Mesh {
    /// A mesh with no links.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the proxy through which `from` reaches `to`, returning the one it replaces. Nodes
    /// are numbered below [`NODES_MAX`], as in nemesis schedules.
    pub fn insert(
        &mut self,
        from: NodeId,
        to: NodeId,
        proxy: ChaosProxy,
    ) -> Result<Option<ChaosProxy>, ProxyError> {
        if let Some(node) = [from, to].into_iter().find(|node| node.0 >= NODES_MAX) {
            return Err(ProxyError::Invalid {
                field: "node".to_owned(),
                rule: format!("must be below {NODES_MAX}, got {node}"),
            });
        }
        Ok(self.links.insert((from, to), proxy))
    }

    /// The proxy through which `from` reaches `to`.
    #[must_use]
    pub fn get(&self, from: NodeId, to: NodeId) -> Option<&ChaosProxy> {
        self.links.get(&(from, to))
    }

    /// Cuts every link that `partition` cuts, in both directions, until the guard drops.
    pub fn partition(&self, partition: &Partition, cut: Cut) -> Result<PartitionGuard, ProxyError> {
        PartitionGuard::cut(
            self.links
                .iter()
                .filter(|((from, to), _)| partition.is_cut(*from, *to))
                .map(|(_, proxy)| proxy),
            cut,
        )
    }
}

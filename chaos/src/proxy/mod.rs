//! A TCP chaos proxy with Toxiproxy's toxics and Toxiproxy's HTTP API (feature `proxy`).
//!
//! A proxy sits between a client and a service it depends on, on real sockets, and makes the
//! network misbehave: latency, limited bandwidth, slow closes, black holes, resets, sliced
//! writes, truncated streams ([`ToxicKind`]), each on one direction and applied to a seeded
//! share of connections. Tests drive it in-process ([`Proxies`], [`ChaosProxy`], RAII
//! [`ToxicGuard`]s, [`PartitionGuard`]s over a [`Mesh`]); people and Toxiproxy's clients drive
//! it over HTTP ([`ApiServer`], or `lab chaos proxy`).
//!
//! Layers, from the bottom:
//!
//! - `stage`: each toxic as a sans-IO transform of a timed byte stream;
//! - `link`: a connection's two directions, each a chain of stages between two sockets;
//! - `chaos_proxy`, `registry`, `partition`: the proxies, a named set of them, partitions;
//! - `api`, `http`: Toxiproxy's API as a function from request to response, and its server.

mod api;
mod chaos_proxy;
mod config;
mod error;
mod http;
mod link;
mod partition;
mod registry;
mod stage;
mod toxic;

pub use api::VERSION as API_VERSION;
pub use chaos_proxy::{ChaosProxy, ToxicGuard};
pub use config::ProxyConfig;
pub use error::ProxyError;
pub use http::{API_CONNECTIONS_MAX, ApiServer, REQUEST_BODY_BYTES_MAX};
pub use partition::{Cut, Mesh, PartitionGuard};
pub use registry::{LISTEN_DEFAULT, NAME_BYTES_MAX, Proxies};
pub use toxic::{Direction, RATE_KB_PER_S_MAX, TOXIC_MS_MAX, Toxic, ToxicKind};

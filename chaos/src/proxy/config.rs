//! The proxy's bounds: how many proxies, toxics and connections, and how many bytes each holds.

use std::time::Duration;

use serde::Deserialize;

use super::ProxyError;

/// The bounds every proxy in a [`Proxies`](crate::Proxies) set lives within.
///
/// Toxiproxy has no such limits; a chaos tool that anyone on the machine can drive over HTTP
/// needs them, so that a runaway script exhausts a limit (and gets an error naming it) rather
/// than memory or file descriptors. Loaded from TOML (see `config/proxy.toml`), with durations
/// written as `"10s"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProxyConfig {
    /// Proxies in one set.
    pub proxies_max: usize,
    /// Toxics on one proxy, both directions together.
    pub toxics_max: usize,
    /// Open connections through one proxy; a client beyond it is accepted and closed at once.
    pub connections_max: usize,
    /// Bytes read from a socket at a time, per direction of a connection.
    pub read_buffer_bytes: usize,
    /// Bytes that toxics may hold back (delayed, not yet written) per direction of a connection.
    /// When it is full the proxy stops reading, and TCP flow control slows the sender down.
    pub queued_bytes_max: usize,
    /// How long a new connection waits for the upstream to accept before it is closed.
    #[serde(with = "humantime_serde")]
    pub upstream_connect_timeout: Duration,
}

impl ProxyConfig {
    /// The largest read buffer accepted: 16 MiB.
    pub const READ_BUFFER_BYTES_MAX: usize = 16 << 20;

    /// Checks every field against its rule.
    pub fn validate(&self) -> Result<(), ProxyError> {
        let positive = [
            ("proxies_max", self.proxies_max),
            ("toxics_max", self.toxics_max),
            ("connections_max", self.connections_max),
            ("read_buffer_bytes", self.read_buffer_bytes),
            ("queued_bytes_max", self.queued_bytes_max),
        ];
        if let Some((field, _)) = positive.iter().find(|(_, value)| *value == 0) {
            return Err(invalid(field, "must be at least 1, got 0".to_owned()));
        }
        if self.read_buffer_bytes > Self::READ_BUFFER_BYTES_MAX {
            return Err(invalid(
                "read_buffer_bytes",
                format!(
                    "must be at most {}, got {}",
                    Self::READ_BUFFER_BYTES_MAX,
                    self.read_buffer_bytes
                ),
            ));
        }
        if self.upstream_connect_timeout.is_zero() {
            return Err(invalid(
                "upstream_connect_timeout",
                "must be longer than zero".to_owned(),
            ));
        }
        Ok(())
    }
}

impl Default for ProxyConfig {
    fn default() -> Self {
        Self {
            proxies_max: 256,
            toxics_max: 32,
            connections_max: 256,
            read_buffer_bytes: 64 << 10,
            queued_bytes_max: 1 << 20,
            upstream_connect_timeout: Duration::from_secs(10),
        }
    }
}

fn invalid(field: &str, rule: String) -> ProxyError {
    ProxyError::Invalid {
        field: field.to_owned(),
        rule,
    }
}

//! The proxy's one error type, shared by the in-process API and the HTTP API.

use std::io;

/// Why a proxy operation was refused.
///
/// The messages begin with Toxiproxy's own wording (`proxy not found`, `toxic already exists`,
/// `missing required field`), so tools written against Toxiproxy read them as they expect.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProxyError {
    /// No proxy has this name.
    #[error("proxy not found: {name}")]
    ProxyNotFound {
        /// The name looked up.
        name: String,
    },
    /// A proxy with this name exists already; names are unique.
    #[error("proxy already exists: {name}")]
    ProxyExists {
        /// The duplicate name.
        name: String,
    },
    /// The proxy has no toxic with this name.
    #[error("toxic not found: {toxic} on proxy {proxy}")]
    ToxicNotFound {
        /// The proxy searched.
        proxy: String,
        /// The toxic name looked up.
        toxic: String,
    },
    /// The proxy has a toxic with this name already, in either direction.
    #[error("toxic already exists: {toxic} on proxy {proxy}")]
    ToxicExists {
        /// The proxy.
        proxy: String,
        /// The duplicate toxic name.
        toxic: String,
    },
    /// A required field is absent or empty.
    #[error("missing required field: {field}")]
    MissingField {
        /// The field, as named in Toxiproxy's JSON (`name`, `upstream`, ...), with its position
        /// in a populate request when there is one (`name at proxy 2`).
        field: String,
    },
    /// A field has a value outside its rule.
    #[error("invalid {field}: {rule}")]
    Invalid {
        /// The field, as named in Toxiproxy's JSON or in [`ProxyConfig`](crate::ProxyConfig).
        field: String,
        /// The rule it breaks, with the offending value.
        rule: String,
    },
    /// The toxic type is none of Toxiproxy's.
    #[error(
        "invalid toxic type: {kind:?} (expected latency, bandwidth, slow_close, timeout, \
         reset_peer, slicer, limit_data or noop)"
    )]
    InvalidToxicType {
        /// The rejected type.
        kind: String,
    },
    /// The stream is neither `upstream` nor `downstream`.
    #[error("stream was invalid, can be either upstream or downstream: {stream:?}")]
    InvalidStream {
        /// The rejected value.
        stream: String,
    },
    /// A toxic attribute is unknown for the toxic's type, or out of range.
    #[error("invalid attribute {attribute:?} of a {kind} toxic: {rule}")]
    InvalidAttribute {
        /// The toxic type.
        kind: &'static str,
        /// The attribute, as named in Toxiproxy's JSON.
        attribute: String,
        /// What is wrong with it.
        rule: String,
    },
    /// A configured bound would be exceeded.
    #[error("limit reached: at most {max} {limit}")]
    LimitReached {
        /// The bound, as named in [`ProxyConfig`](crate::ProxyConfig) (`proxies_max`, ...).
        limit: &'static str,
        /// Its value.
        max: usize,
    },
    /// The proxy could not listen on its address (in use, not local, unresolvable).
    #[error("listen {address}: {source}")]
    Listen {
        /// The address it tried.
        address: String,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// Proxies run tasks on a tokio runtime, and none was running where they were created.
    #[error("no tokio runtime: create proxies from within a tokio runtime")]
    NoRuntime,
}

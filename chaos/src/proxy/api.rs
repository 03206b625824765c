//! Toxiproxy's HTTP API (version 2), as a function from a request to a response.
//!
//! Routes, methods, JSON shapes and status codes follow Toxiproxy's `api.go` and its tests:
//!
//! | route                              | methods                 | success            |
//! |------------------------------------|-------------------------|--------------------|
//! | `/proxies`                         | GET, POST               | 200 map, 201 proxy |
//! | `/populate`                        | POST                    | 201 `{"proxies"}`  |
//! | `/proxies/{proxy}`                 | GET, POST/PATCH, DELETE | 200, 200, 204      |
//! | `/proxies/{proxy}/toxics`          | GET, POST               | 200 list, 200      |
//! | `/proxies/{proxy}/toxics/{toxic}`  | GET, POST/PATCH, DELETE | 200, 200, 204      |
//! | `/reset`                           | POST                    | 204                |
//! | `/version`                         | GET                     | 200                |
//!
//! Errors are `{"error": "...", "status": N}`: 400 for a malformed body or field, 404 for a
//! missing proxy or toxic, 409 for a duplicate name (and here, for a full set), 500 when a
//! proxy cannot listen (as Toxiproxy reports it). Beyond Toxiproxy, unknown fields are refused
//! (a typo is an error, not a silent no-op), and so are negative or fractional attributes.
//! Like Toxiproxy, requests from browsers (a `User-Agent` starting `Mozilla/`) get 403, so a
//! web page cannot drive a local proxy.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde::de::IgnoredAny;
use serde_json::{Map, Value, json};

use super::registry::{Proxies, ProxySpec};
use super::toxic::{Toxic, ToxicKind};
use super::{ChaosProxy, ProxyError};

/// The version `GET /version` reports: this crate's.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A response: a status and, except for 204, a JSON body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) body: Option<Value>,
}

impl Response {
    fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            body: Some(body),
        }
    }

    const fn no_content() -> Self {
        Self {
            status: 204,
            body: None,
        }
    }

    /// Toxiproxy's error shape.
    pub(crate) fn error(status: u16, message: impl Into<String>) -> Self {
        Self::json(status, json!({ "error": message.into(), "status": status }))
    }
}

impl From<ProxyError> for Response {
    fn from(error: ProxyError) -> Self {
        Self::error(status_of(&error), error.to_string())
    }
}

/// The status Toxiproxy gives each error.
fn status_of(error: &ProxyError) -> u16 {
    match error {
        ProxyError::ProxyNotFound { .. } | ProxyError::ToxicNotFound { .. } => 404,
        ProxyError::ProxyExists { .. }
        | ProxyError::ToxicExists { .. }
        | ProxyError::LimitReached { .. } => 409,
        ProxyError::Listen { .. } | ProxyError::NoRuntime => 500,
        _ => 400,
    }
}

/// Handles one request. `path` is the request's path, still percent-encoded.
pub(crate) fn handle(
    proxies: &Proxies,
    method: &str,
    path: &str,
    user_agent: Option<&str>,
    body: &[u8],
) -> Response {
    if user_agent.is_some_and(|agent| agent.starts_with("Mozilla/")) {
        return Response::error(403, "User agent not allowed");
    }
    let segments = match segments(path) {
        Ok(segments) => segments,
        Err(response) => return response,
    };
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let outcome = match (segments.as_slice(), method) {
        (["version"], "GET") => Ok(Response::json(200, json!({ "version": VERSION }))),
        (["reset"], "POST") => proxies.reset().map(|()| Response::no_content()),
        (["populate"], "POST") => Ok(populate(proxies, body)),
        (["proxies"], "GET") => Ok(list(proxies)),
        (["proxies"], "POST") => create(proxies, body),
        (["proxies", name], "GET") => proxies
            .require(name)
            .map(|proxy| Response::json(200, proxy_json(&proxy))),
        (["proxies", name], "POST" | "PATCH") => update_proxy(proxies, name, body),
        (["proxies", name], "DELETE") => proxies.remove(name).map(|()| Response::no_content()),
        (["proxies", name, "toxics"], "GET") => proxies
            .require(name)
            .map(|proxy| Response::json(200, Value::Array(toxics_json(&proxy)))),
        (["proxies", name, "toxics"], "POST") => create_toxic(proxies, name, body),
        (["proxies", name, "toxics", toxic], "GET") => proxies.require(name).and_then(|proxy| {
            proxy
                .toxic(toxic)
                .map(|toxic| Response::json(200, toxic_json(&toxic)))
                .ok_or_else(|| toxic_not_found(name, toxic))
        }),
        (["proxies", name, "toxics", toxic], "POST" | "PATCH") => {
            update_toxic(proxies, name, toxic, body)
        }
        (["proxies", name, "toxics", toxic], "DELETE") => proxies
            .require(name)
            .and_then(|proxy| proxy.remove_toxic(toxic))
            .map(|()| Response::no_content()),
        (route, _) if is_route(route) => {
            return Response::error(405, format!("method {method} not allowed on {path}"));
        }
        _ => return Response::error(404, format!("no such endpoint: {path}")),
    };
    outcome.unwrap_or_else(Response::from)
}

/// Whether `segments` name an endpoint (with some method).
fn is_route(segments: &[&str]) -> bool {
    matches!(
        segments,
        ["version" | "reset" | "populate" | "proxies"]
            | ["proxies", _]
            | ["proxies", _, "toxics"]
            | ["proxies", _, "toxics", _]
    )
}

/// The path's segments, percent-decoded; an empty one (`/proxies/`) matches no route.
fn segments(path: &str) -> Result<Vec<String>, Response> {
    let Some(rest) = path.strip_prefix('/') else {
        return Err(Response::error(404, format!("no such endpoint: {path}")));
    };
    rest.split('/')
        .map(|segment| match percent_decode(segment) {
            Some(decoded) if decoded.is_empty() => {
                Err(Response::error(404, format!("no such endpoint: {path}")))
            }
            Some(decoded) => Ok(decoded),
            None => Err(Response::error(
                400,
                format!("malformed percent-encoding in path {path:?}"),
            )),
        })
        .collect()
}

/// Decodes `%XX` escapes; `None` for a malformed escape or a result that is not UTF-8.
fn percent_decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = std::str::from_utf8(bytes.get(index + 1..index + 3)?).ok()?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

/// A proxy as Toxiproxy's JSON describes it in requests. `toxics` is accepted and ignored, as
/// Toxiproxy does, because clients post back proxies they read (toxics included).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProxyInput {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    listen: Option<String>,
    #[serde(default)]
    upstream: Option<String>,
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default, rename = "toxics")]
    _toxics: Option<IgnoredAny>,
}

impl ProxyInput {
    fn into_spec(self) -> ProxySpec {
        ProxySpec {
            name: self.name.unwrap_or_default(),
            listen: self.listen.unwrap_or_default(),
            upstream: self.upstream.unwrap_or_default(),
            enabled: self.enabled.unwrap_or(true),
        }
    }
}

/// A toxic as Toxiproxy's JSON describes it in requests.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ToxicInput {
    #[serde(default)]
    name: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    stream: Option<String>,
    #[serde(default)]
    toxicity: Option<f64>,
    #[serde(default)]
    attributes: Option<Map<String, Value>>,
}

/// Parses a body holding one JSON object.
fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Response> {
    serde_json::from_slice(body)
        .map_err(|error| error.to_string())
        .and_then(from_object)
        .map_err(|error| Response::error(400, format!("bad request body: {error}")))
}

/// Parses a body holding an array of JSON objects.
fn parse_all<T: DeserializeOwned>(body: &[u8]) -> Result<Vec<T>, String> {
    let values: Vec<Value> = serde_json::from_slice(body).map_err(|error| error.to_string())?;
    values.into_iter().map(from_object).collect()
}

/// `value` as a `T`, if it is an object: serde would also take a struct from an array of its
/// fields in order, which no Toxiproxy client sends and which hides mistakes.
fn from_object<T: DeserializeOwned>(value: Value) -> Result<T, String> {
    if !value.is_object() {
        return Err(format!("expected a JSON object, got {value}"));
    }
    serde_json::from_value(value).map_err(|error| error.to_string())
}

fn list(proxies: &Proxies) -> Response {
    let map: Map<String, Value> = proxies
        .list()
        .iter()
        .map(|proxy| (proxy.name().to_owned(), proxy_json(proxy)))
        .collect();
    Response::json(200, Value::Object(map))
}

fn create(proxies: &Proxies, body: &[u8]) -> Result<Response, ProxyError> {
    let input: ProxyInput = match parse(body) {
        Ok(input) => input,
        Err(response) => return Ok(response),
    };
    let proxy = proxies.add(&input.into_spec())?;
    Ok(Response::json(201, proxy_json(&proxy)))
}

fn populate(proxies: &Proxies, body: &[u8]) -> Response {
    let inputs: Vec<ProxyInput> = match parse_all(body) {
        Ok(inputs) => inputs,
        Err(error) => return Response::error(400, format!("bad request body: {error}")),
    };
    let specs: Vec<ProxySpec> = inputs.into_iter().map(ProxyInput::into_spec).collect();
    let (done, error) = proxies.populate(&specs);
    let done: Vec<Value> = done.iter().map(proxy_json).collect();
    match error {
        None => Response::json(201, json!({ "proxies": done })),
        Some(error) => {
            let status = status_of(&error);
            Response::json(
                status,
                json!({ "error": error.to_string(), "status": status, "proxies": done }),
            )
        }
    }
}

fn update_proxy(proxies: &Proxies, name: &str, body: &[u8]) -> Result<Response, ProxyError> {
    let proxy = proxies.require(name)?;
    let input: ProxyInput = match parse(body) {
        Ok(input) => input,
        Err(response) => return Ok(response),
    };
    if let Some(other) = input.name.as_deref().filter(|other| *other != name) {
        return Err(ProxyError::Invalid {
            field: "name".to_owned(),
            rule: format!("cannot rename {name} to {other}; delete the proxy and create it again"),
        });
    }
    proxy.update(
        input.listen.as_deref(),
        input.upstream.as_deref(),
        input.enabled,
    )?;
    Ok(Response::json(200, proxy_json(&proxy)))
}

fn create_toxic(proxies: &Proxies, name: &str, body: &[u8]) -> Result<Response, ProxyError> {
    let proxy = proxies.require(name)?;
    let input: ToxicInput = match parse(body) {
        Ok(input) => input,
        Err(response) => return Ok(response),
    };
    let mut kind = ToxicKind::with_defaults(input.kind.as_deref().unwrap_or_default())?;
    set_attributes(&mut kind, input.attributes.as_ref())?;
    let toxic = Toxic::from_parts(
        kind,
        input.stream.as_deref(),
        input.toxicity,
        input.name.as_deref(),
    )?;
    let (toxic_name, _) = proxy.insert_toxic(toxic)?;
    let created = proxy
        .toxic(&toxic_name)
        .ok_or_else(|| toxic_not_found(name, &toxic_name))?;
    // Toxiproxy answers 200 here, not 201.
    Ok(Response::json(200, toxic_json(&created)))
}

/// Toxiproxy's toxic update: the attributes given replace those of the toxic, the others stay;
/// the toxicity changes only if given. Name, type and stream may be repeated, not changed.
fn update_toxic(
    proxies: &Proxies,
    name: &str,
    toxic_name: &str,
    body: &[u8],
) -> Result<Response, ProxyError> {
    let proxy = proxies.require(name)?;
    let current = proxy
        .toxic(toxic_name)
        .ok_or_else(|| toxic_not_found(name, toxic_name))?;
    let input: ToxicInput = match parse(body) {
        Ok(input) => input,
        Err(response) => return Ok(response),
    };
    let unchanged = [
        ("name", input.name.as_deref(), current.name()),
        (
            "type",
            input.kind.as_deref(),
            current.kind().type_name().to_owned(),
        ),
        (
            "stream",
            input.stream.as_deref(),
            current.direction().to_string(),
        ),
    ];
    for (field, given, current) in unchanged {
        if given.is_some_and(|given| given != current) {
            return Err(ProxyError::Invalid {
                field: field.to_owned(),
                rule: format!("cannot change from {current:?}; remove the toxic and add it again"),
            });
        }
    }
    let mut kind = *current.kind();
    set_attributes(&mut kind, input.attributes.as_ref())?;
    let toxicity = input.toxicity.unwrap_or(current.toxicity());
    let updated = proxy.update_toxic(toxic_name, kind, toxicity)?;
    Ok(Response::json(200, toxic_json(&updated)))
}

fn set_attributes(
    kind: &mut ToxicKind,
    attributes: Option<&Map<String, Value>>,
) -> Result<(), ProxyError> {
    for (attribute, value) in attributes.into_iter().flatten() {
        let value = value.as_u64().ok_or_else(|| ProxyError::InvalidAttribute {
            kind: kind.type_name(),
            attribute: attribute.clone(),
            rule: format!("must be a non-negative integer, got {value}"),
        })?;
        kind.set_attribute(attribute, value)?;
    }
    Ok(())
}

fn toxic_not_found(proxy: &str, toxic: &str) -> ProxyError {
    ProxyError::ToxicNotFound {
        proxy: proxy.to_owned(),
        toxic: toxic.to_owned(),
    }
}

/// A proxy as Toxiproxy's JSON shows it.
fn proxy_json(proxy: &ChaosProxy) -> Value {
    json!({
        "name": proxy.name(),
        "listen": proxy.listen(),
        "upstream": proxy.upstream(),
        "enabled": proxy.is_enabled(),
        "toxics": toxics_json(proxy),
    })
}

fn toxics_json(proxy: &ChaosProxy) -> Vec<Value> {
    proxy.toxics().iter().map(toxic_json).collect()
}

/// A toxic as Toxiproxy's JSON shows it.
fn toxic_json(toxic: &Toxic) -> Value {
    let attributes: Map<String, Value> = toxic
        .kind()
        .attributes()
        .into_iter()
        .map(|(name, value)| (name.to_owned(), Value::from(value)))
        .collect();
    json!({
        "name": toxic.name(),
        "type": toxic.kind().type_name(),
        "stream": toxic.direction().as_str(),
        "toxicity": toxic.toxicity(),
        "attributes": attributes,
    })
}

impl Proxies {
    /// Creates or replaces proxies from a JSON array in Toxiproxy's populate format, the format
    /// of its `-config` file: `[{"name": ..., "listen": ..., "upstream": ..., "enabled": ...}]`.
    pub fn populate_json(&self, json: &[u8]) -> Result<Vec<ChaosProxy>, ProxyError> {
        let inputs: Vec<ProxyInput> = parse_all(json).map_err(|error| ProxyError::Invalid {
            field: "config".to_owned(),
            rule: format!("must be a JSON array of proxies: {error}"),
        })?;
        let specs: Vec<ProxySpec> = inputs.into_iter().map(ProxyInput::into_spec).collect();
        match self.populate(&specs) {
            (done, None) => Ok(done),
            (_, Some(error)) => Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{percent_decode, segments};

    #[test]
    fn paths_split_into_decoded_segments() {
        assert_eq!(
            segments("/proxies/my%20db/toxics").expect("well formed"),
            ["proxies", "my db", "toxics"]
        );
        assert_eq!(
            segments("/proxies/").map_err(|response| response.status),
            Err(404)
        );
    }

    #[test]
    fn malformed_escapes_are_refused() {
        assert_eq!(percent_decode("a%2"), None);
        assert_eq!(percent_decode("a%zz"), None);
        assert_eq!(percent_decode("%ff"), None, "not UTF-8");
        assert_eq!(percent_decode("100%25").as_deref(), Some("100%"));
    }
}

//! Toxics as Toxiproxy defines them: a type with its attributes, a direction and a toxicity.

use std::fmt;
use std::str::FromStr;

use super::ProxyError;

/// The longest time any toxic attribute may ask for: one day, in milliseconds.
///
/// Far beyond any test, and it keeps every deadline the proxy computes far from overflow.
pub const TOXIC_MS_MAX: u64 = 86_400_000;

/// The fastest `bandwidth` rate accepted, in kilobytes per second (1 TB/s).
pub const RATE_KB_PER_S_MAX: u64 = 1_000_000_000;

/// Which way through the proxy a toxic acts, named as in Toxiproxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// Client to upstream: requests.
    Upstream,
    /// Upstream to client: responses. Toxiproxy's default.
    Downstream,
}

impl Direction {
    /// `"upstream"` or `"downstream"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Upstream => "upstream",
            Self::Downstream => "downstream",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Direction {
    type Err = ProxyError;

    /// Parses `upstream` or `downstream`, in any case, as Toxiproxy does.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("upstream") {
            Ok(Self::Upstream)
        } else if s.eq_ignore_ascii_case("downstream") {
            Ok(Self::Downstream)
        } else {
            Err(ProxyError::InvalidStream {
                stream: s.to_owned(),
            })
        }
    }
}

/// What a toxic does, with its attributes in Toxiproxy's units.
///
/// Each variant is one of Toxiproxy's toxic types; the field names add the unit to Toxiproxy's
/// attribute name (`latency` becomes `latency_ms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ToxicKind {
    /// `latency`: delays every chunk of data by `latency_ms`, plus or minus up to `jitter_ms`
    /// (uniformly drawn per chunk). Chunks keep their order.
    Latency {
        /// The delay, in milliseconds.
        latency_ms: u64,
        /// The largest deviation from `latency_ms`, in milliseconds.
        jitter_ms: u64,
    },
    /// `bandwidth`: lets data through at `rate_kb_per_s` kilobytes (1000 bytes) per second;
    /// 0 means no limit.
    Bandwidth {
        /// The rate, in kilobytes per second.
        rate_kb_per_s: u64,
    },
    /// `slow_close`: delays the close of the connection by `delay_ms`.
    SlowClose {
        /// The delay, in milliseconds.
        delay_ms: u64,
    },
    /// `timeout`: lets no data through, and closes the connection after `timeout_ms`; with 0,
    /// it never closes and holds the connection. As in Toxiproxy, removing a `timeout` toxic
    /// closes every connection through the proxy: the bytes it swallowed are gone for good.
    Timeout {
        /// Time until the close, in milliseconds; 0 for never.
        timeout_ms: u64,
    },
    /// `reset_peer`: when data first arrives, drops it and resets the connection (TCP RST,
    /// "connection reset by peer") after `timeout_ms`.
    ResetPeer {
        /// Time from the first data to the reset, in milliseconds.
        timeout_ms: u64,
    },
    /// `slicer`: cuts data into pieces of `average_size_bytes`, give or take up to
    /// `size_variation_bytes`, written `delay_us` apart.
    Slicer {
        /// The mean piece, in bytes; at least 1.
        average_size_bytes: u64,
        /// The largest deviation from the mean; less than `average_size_bytes`.
        size_variation_bytes: u64,
        /// The pause after each piece, in microseconds (the proxy's timers wake in whole
        /// milliseconds, so pauses below one round up).
        delay_us: u64,
    },
    /// `limit_data`: lets `bytes` bytes through, then closes the connection.
    LimitData {
        /// Bytes to let through before the close.
        bytes: u64,
    },
    /// `noop`: does nothing (Toxiproxy's placeholder toxic, accepted for compatibility).
    Noop,
}

impl ToxicKind {
    /// Every type's name, as Toxiproxy's `type` field spells it.
    pub const TYPES: [&'static str; 8] = [
        "latency",
        "bandwidth",
        "slow_close",
        "timeout",
        "reset_peer",
        "slicer",
        "limit_data",
        "noop",
    ];

    /// The type's name, as Toxiproxy's `type` field spells it.
    #[must_use]
    pub const fn type_name(&self) -> &'static str {
        match self {
            Self::Latency { .. } => "latency",
            Self::Bandwidth { .. } => "bandwidth",
            Self::SlowClose { .. } => "slow_close",
            Self::Timeout { .. } => "timeout",
            Self::ResetPeer { .. } => "reset_peer",
            Self::Slicer { .. } => "slicer",
            Self::LimitData { .. } => "limit_data",
            Self::Noop => "noop",
        }
    }

    /// The type named `type_name`, every attribute zero (Toxiproxy's defaults), or an error
    /// for an unknown type.
    pub fn with_defaults(type_name: &str) -> Result<Self, ProxyError> {
        Ok(match type_name {
            "latency" => Self::Latency {
                latency_ms: 0,
                jitter_ms: 0,
            },
            "bandwidth" => Self::Bandwidth { rate_kb_per_s: 0 },
            "slow_close" => Self::SlowClose { delay_ms: 0 },
            "timeout" => Self::Timeout { timeout_ms: 0 },
            "reset_peer" => Self::ResetPeer { timeout_ms: 0 },
            "slicer" => Self::Slicer {
                average_size_bytes: 0,
                size_variation_bytes: 0,
                delay_us: 0,
            },
            "limit_data" => Self::LimitData { bytes: 0 },
            "noop" => Self::Noop,
            other => {
                return Err(ProxyError::InvalidToxicType {
                    kind: other.to_owned(),
                });
            }
        })
    }

    /// The attributes as Toxiproxy names them, with their values in its units.
    #[must_use]
    pub fn attributes(&self) -> Vec<(&'static str, u64)> {
        match *self {
            Self::Latency {
                latency_ms,
                jitter_ms,
            } => vec![("latency", latency_ms), ("jitter", jitter_ms)],
            Self::Bandwidth { rate_kb_per_s } => vec![("rate", rate_kb_per_s)],
            Self::SlowClose { delay_ms } => vec![("delay", delay_ms)],
            Self::Timeout { timeout_ms } | Self::ResetPeer { timeout_ms } => {
                vec![("timeout", timeout_ms)]
            }
            Self::Slicer {
                average_size_bytes,
                size_variation_bytes,
                delay_us,
            } => vec![
                ("average_size", average_size_bytes),
                ("size_variation", size_variation_bytes),
                ("delay", delay_us),
            ],
            Self::LimitData { bytes } => vec![("bytes", bytes)],
            Self::Noop => Vec::new(),
        }
    }

    /// Sets the attribute Toxiproxy names `name`; an error names the attributes this type has.
    pub fn set_attribute(&mut self, name: &str, value: u64) -> Result<(), ProxyError> {
        let kind = self.type_name();
        let expected = self.attributes();
        let slot = match (self, name) {
            (Self::Latency { latency_ms, .. }, "latency") => latency_ms,
            (Self::Latency { jitter_ms, .. }, "jitter") => jitter_ms,
            (Self::Bandwidth { rate_kb_per_s }, "rate") => rate_kb_per_s,
            (Self::SlowClose { delay_ms }, "delay") => delay_ms,
            (Self::Timeout { timeout_ms } | Self::ResetPeer { timeout_ms }, "timeout") => {
                timeout_ms
            }
            (
                Self::Slicer {
                    average_size_bytes, ..
                },
                "average_size",
            ) => average_size_bytes,
            (
                Self::Slicer {
                    size_variation_bytes,
                    ..
                },
                "size_variation",
            ) => size_variation_bytes,
            (Self::Slicer { delay_us, .. }, "delay") => delay_us,
            (Self::LimitData { bytes }, "bytes") => bytes,
            _ => {
                let names: Vec<&str> = expected.iter().map(|(name, _)| *name).collect();
                return Err(ProxyError::InvalidAttribute {
                    kind,
                    attribute: name.to_owned(),
                    rule: if names.is_empty() {
                        "this type has no attributes".to_owned()
                    } else {
                        format!("unknown; expected one of {}", names.join(", "))
                    },
                });
            }
        };
        *slot = value;
        Ok(())
    }

    /// Checks the attributes against their rules: times within [`TOXIC_MS_MAX`], a `slicer`
    /// that can cut (a positive size, a variation smaller than it), a bounded `bandwidth`.
    pub fn validate(&self) -> Result<(), ProxyError> {
        let kind = self.type_name();
        let invalid = |attribute: &str, rule: String| ProxyError::InvalidAttribute {
            kind,
            attribute: attribute.to_owned(),
            rule,
        };
        let at_most = |attribute: &str, value: u64, max: u64, unit: &str| {
            if value > max {
                Err(invalid(
                    attribute,
                    format!("must be at most {max} {unit}, got {value}"),
                ))
            } else {
                Ok(())
            }
        };
        match *self {
            Self::Latency {
                latency_ms,
                jitter_ms,
            } => {
                at_most("latency", latency_ms, TOXIC_MS_MAX, "ms")?;
                at_most("jitter", jitter_ms, TOXIC_MS_MAX, "ms")
            }
            Self::Bandwidth { rate_kb_per_s } => {
                at_most("rate", rate_kb_per_s, RATE_KB_PER_S_MAX, "KB/s")
            }
            Self::SlowClose { delay_ms } => at_most("delay", delay_ms, TOXIC_MS_MAX, "ms"),
            Self::Timeout { timeout_ms } | Self::ResetPeer { timeout_ms } => {
                at_most("timeout", timeout_ms, TOXIC_MS_MAX, "ms")
            }
            Self::Slicer {
                average_size_bytes,
                size_variation_bytes,
                delay_us,
            } => {
                if average_size_bytes == 0 {
                    return Err(invalid(
                        "average_size",
                        "must be at least 1 byte".to_owned(),
                    ));
                }
                if size_variation_bytes >= average_size_bytes {
                    return Err(invalid(
                        "size_variation",
                        format!(
                            "must be smaller than average_size ({average_size_bytes}), \
                             got {size_variation_bytes}"
                        ),
                    ));
                }
                at_most("delay", delay_us, TOXIC_MS_MAX * 1000, "us")
            }
            Self::LimitData { .. } | Self::Noop => Ok(()),
        }
    }
}

/// A toxic to install on a proxy: what it does, which way, how often, under which name.
///
/// ```
/// use chaos::{Direction, Toxic, ToxicKind};
///
/// let toxic = Toxic::new(ToxicKind::Latency { latency_ms: 100, jitter_ms: 10 })
///     .on(Direction::Upstream)
///     .with_toxicity(0.5);
/// assert_eq!(toxic.name(), "latency_upstream"); // Toxiproxy's default: <type>_<stream>
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Toxic {
    name: Option<String>,
    kind: ToxicKind,
    direction: Direction,
    toxicity: f64,
}

impl Toxic {
    /// A toxic of this kind on the downstream, always applied, named `<type>_downstream`.
    #[must_use]
    pub const fn new(kind: ToxicKind) -> Self {
        Self {
            name: None,
            kind,
            direction: Direction::Downstream,
            toxicity: 1.0,
        }
    }

    /// A toxic from the optional fields of Toxiproxy's JSON shape, with Toxiproxy's defaults:
    /// the downstream, toxicity 1, the name `<type>_<stream>` (also when the name is empty).
    /// The HTTP API and chaos experiments both describe toxics this way.
    pub fn from_parts(
        kind: ToxicKind,
        stream: Option<&str>,
        toxicity: Option<f64>,
        name: Option<&str>,
    ) -> Result<Self, ProxyError> {
        let direction = stream.map_or(Ok(Direction::Downstream), str::parse)?;
        let toxic = Self::new(kind)
            .on(direction)
            .with_toxicity(toxicity.unwrap_or(1.0));
        Ok(match name.filter(|name| !name.is_empty()) {
            Some(name) => toxic.named(name),
            None => toxic,
        })
    }

    /// Names the toxic; names are unique per proxy, across both directions.
    #[must_use]
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Acts on `direction` instead of the downstream.
    #[must_use]
    pub const fn on(mut self, direction: Direction) -> Self {
        self.direction = direction;
        self
    }

    /// The probability, from 0 to 1, that the toxic applies to a connection (drawn once per
    /// connection and direction, from the proxy's seed).
    #[must_use]
    pub const fn with_toxicity(mut self, toxicity: f64) -> Self {
        self.toxicity = toxicity;
        self
    }

    /// The name: the one given, or Toxiproxy's default `<type>_<stream>`.
    #[must_use]
    pub fn name(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| format!("{}_{}", self.kind.type_name(), self.direction.as_str()))
    }

    /// What the toxic does.
    #[must_use]
    pub const fn kind(&self) -> &ToxicKind {
        &self.kind
    }

    /// Which way it acts.
    #[must_use]
    pub const fn direction(&self) -> Direction {
        self.direction
    }

    /// The probability that it applies to a connection.
    #[must_use]
    pub const fn toxicity(&self) -> f64 {
        self.toxicity
    }

    /// Replaces what the toxic does; its name, direction and toxicity stay.
    pub(crate) const fn set_kind(&mut self, kind: ToxicKind) {
        self.kind = kind;
    }

    /// Checks the name, the toxicity and the attributes.
    pub fn validate(&self) -> Result<(), ProxyError> {
        if self.name.as_deref() == Some("") {
            return Err(ProxyError::MissingField {
                field: "name".to_owned(),
            });
        }
        if !(0.0..=1.0).contains(&self.toxicity) {
            return Err(ProxyError::Invalid {
                field: "toxicity".to_owned(),
                rule: format!("must be between 0 and 1, got {}", self.toxicity),
            });
        }
        self.kind.validate()
    }

    /// The same toxic with its name fixed, so a later change of direction keeps it.
    pub(crate) fn with_resolved_name(self) -> Self {
        let name = self.name();
        self.named(name)
    }
}

#[cfg(test)]
mod tests {
    use super::{Direction, Toxic, ToxicKind};
    use crate::ProxyError;

    #[test]
    fn every_type_round_trips_through_its_name_and_attributes() {
        for name in ToxicKind::TYPES {
            let mut kind = ToxicKind::with_defaults(name).expect("a known type");
            assert_eq!(kind.type_name(), name);
            for (index, (attribute, value)) in kind.attributes().into_iter().enumerate() {
                assert_eq!(value, 0, "Toxiproxy's defaults are zero");
                kind.set_attribute(attribute, index as u64 + 1)
                    .expect("its own attribute");
            }
            let values: Vec<u64> = kind.attributes().iter().map(|(_, value)| *value).collect();
            let expected: Vec<u64> = (1..=values.len() as u64).collect();
            assert_eq!(
                values, expected,
                "{name}: each attribute lands in its own field"
            );
        }
    }

    #[test]
    fn an_unknown_attribute_names_the_expected_ones() {
        let mut kind = ToxicKind::with_defaults("latency").expect("a known type");
        let error = kind.set_attribute("latncy", 5).expect_err("a typo");
        assert!(
            error
                .to_string()
                .contains("expected one of latency, jitter"),
            "{error}"
        );
    }

    #[test]
    fn an_unknown_type_is_an_error() {
        let error = ToxicKind::with_defaults("lag").expect_err("not a type");
        assert!(matches!(error, ProxyError::InvalidToxicType { kind } if kind == "lag"));
    }

    #[test]
    fn a_slicer_must_be_able_to_cut() {
        let zero = ToxicKind::Slicer {
            average_size_bytes: 0,
            size_variation_bytes: 0,
            delay_us: 0,
        };
        assert!(zero.validate().is_err());
        let too_varied = ToxicKind::Slicer {
            average_size_bytes: 10,
            size_variation_bytes: 10,
            delay_us: 0,
        };
        let error = too_varied.validate().expect_err("variation >= average");
        assert!(error.to_string().contains("size_variation"), "{error}");
    }

    #[test]
    fn toxicity_outside_zero_to_one_is_refused() {
        for toxicity in [-0.1, 1.5, f64::NAN] {
            let toxic = Toxic::new(ToxicKind::Noop).with_toxicity(toxicity);
            assert!(toxic.validate().is_err(), "{toxicity}");
        }
    }

    #[test]
    fn streams_parse_in_any_case() {
        assert_eq!(
            "UpStream".parse::<Direction>().ok(),
            Some(Direction::Upstream)
        );
        assert!("walrustream".parse::<Direction>().is_err());
    }
}

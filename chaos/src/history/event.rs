//! One line of a history: who did what, and whether it was the call or its outcome.

use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeTuple, Serializer};
use serde::{Deserialize, Serialize};

/// One event of a history, and one line of its JSON Lines form:
///
/// ```json
/// {"process":0,"type":"invoke","f":"cas","key":"k","value":[1,2]}
/// ```
///
/// A process is a single-threaded client: it invokes an operation, later completes it (`ok`,
/// `fail` or `info`), and only then invokes the next one. Events are listed in real-time order:
/// an operation whose completion comes before another's invocation happened before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// The client that issued the operation.
    pub process: u64,
    /// The call or how it ended (`"type"` in JSON).
    #[serde(rename = "type")]
    pub kind: EventKind,
    /// The operation.
    pub f: Function,
    /// The register the operation acts on, in a map of registers; `None` for a lone register.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The argument (on `invoke`) or the result (an `ok` read's value).
    pub value: Value,
}

/// Whether an event is a call or one of the three ways a call ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    /// The client called the operation.
    Invoke,
    /// The operation took effect; for a read, `value` is what it read.
    Ok,
    /// The operation did not take effect. For a `cas`, the compare did not match.
    Fail,
    /// Indeterminate: the operation may or may not have taken effect, now or at any later
    /// time (a timeout, a lost connection).
    Info,
}

/// The operations of a register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Function {
    /// Reads the register: the `ok` event's value is what was read (`null` when absent).
    Read,
    /// Writes the invoked value.
    Write,
    /// Compare-and-set, `[from, to]`: writes `to` if the register holds `from`.
    Cas,
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Cas => "cas",
        })
    }
}

/// An event's value: `null`, an integer, or a `[from, to]` pair (a `cas` argument).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Value {
    /// `null`: no argument, or an absent value read.
    #[default]
    Nil,
    /// A register value.
    Int(i64),
    /// A `cas` argument: expected value, then new value.
    Pair(i64, i64),
}

impl From<Option<i64>> for Value {
    fn from(value: Option<i64>) -> Self {
        value.map_or(Self::Nil, Self::Int)
    }
}

impl fmt::Display for Value {
    /// Formats as in JSON: `null`, `3`, `[1, 2]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Nil => f.write_str("null"),
            Self::Int(value) => write!(f, "{value}"),
            Self::Pair(from, to) => write!(f, "[{from}, {to}]"),
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            Self::Nil => serializer.serialize_unit(),
            Self::Int(value) => serializer.serialize_i64(value),
            Self::Pair(from, to) => {
                let mut pair = serializer.serialize_tuple(2)?;
                pair.serialize_element(&from)?;
                pair.serialize_element(&to)?;
                pair.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

/// Accepts exactly the three JSON shapes, so anything else (a float, a string, a triple) is
/// an error that says what was expected instead of a silently different value.
struct ValueVisitor;

const EXPECTED: &str = "null, an integer, or [from, to]";

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTED)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Nil)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Nil)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Int(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Value, E> {
        i64::try_from(value)
            .map(Value::Int)
            .map_err(|_| E::custom(format!("{value} does not fit in a signed 64-bit integer")))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let pair = "[from, to]: exactly two integers";
        let from = seq
            .next_element::<i64>()?
            .ok_or_else(|| de::Error::invalid_length(0, &pair))?;
        let to = seq
            .next_element::<i64>()?
            .ok_or_else(|| de::Error::invalid_length(1, &pair))?;
        if seq.next_element::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_length(3, &pair));
        }
        Ok(Value::Pair(from, to))
    }
}

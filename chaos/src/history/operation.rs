//! A validated history, and its operations: each call paired with how it ended.

use std::collections::HashMap;
use std::fmt;

use super::{Event, EventKind, Function, HistoryError, Value};

/// What an operation asked of its register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Call {
    /// Read the value.
    Read,
    /// Write this value.
    Write(i64),
    /// Compare-and-set: write `to` if the register holds `from`.
    Cas {
        /// The value the register must hold.
        from: i64,
        /// The value written if it does.
        to: i64,
    },
}

impl Call {
    /// The call an `invoke` event describes, if its value has the shape its function needs.
    fn from_invoke(f: Function, value: Value) -> Result<Self, String> {
        match (f, value) {
            (Function::Read, Value::Nil) => Ok(Self::Read),
            (Function::Write, Value::Int(value)) => Ok(Self::Write(value)),
            (Function::Cas, Value::Pair(from, to)) => Ok(Self::Cas { from, to }),
            (Function::Read, value) => Err(format!("a read is invoked with null, not {value}")),
            (Function::Write, value) => {
                Err(format!("a write is invoked with an integer, not {value}"))
            }
            (Function::Cas, value) => Err(format!("a cas is invoked with [from, to], not {value}")),
        }
    }

    /// The function, as written in the `f` field.
    #[must_use]
    pub fn function(self) -> Function {
        match self {
            Self::Read => Function::Read,
            Self::Write(_) => Function::Write,
            Self::Cas { .. } => Function::Cas,
        }
    }

    /// The argument, as written in the `value` field of the `invoke` event.
    #[must_use]
    pub fn argument(self) -> Value {
        match self {
            Self::Read => Value::Nil,
            Self::Write(value) => Value::Int(value),
            Self::Cas { from, to } => Value::Pair(from, to),
        }
    }
}

/// How an operation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// It took effect.
    Ok,
    /// It did not take effect (for a `cas`: the compare did not match).
    Fail,
    /// Indeterminate: it may or may not have taken effect, at any time after its call. An
    /// operation still pending when the history ends is indeterminate too.
    Info,
}

/// One operation: a call and how it ended, with the lines of both events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// The client that issued it.
    pub process: u64,
    /// The register it acted on, if the history is a map of registers.
    pub key: Option<String>,
    /// What it did.
    pub call: Call,
    /// What an `ok` read returned (`None`: the register was absent); `None` for anything else.
    pub read: Option<i64>,
    /// How it ended.
    pub outcome: Outcome,
    /// The line of its `invoke` event.
    pub invoke_line: usize,
    /// The line of its completion; `None` if the history ends before it completes.
    pub complete_line: Option<usize>,
}

impl fmt::Display for Operation {
    /// A one-line summary: `process 2: read -> 5 (lines 7-9)`, `process 0: write 3, info
    /// (line 4, never completed)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "process {}: ", self.process)?;
        match self.call {
            Call::Read if self.outcome == Outcome::Ok => {
                write!(f, "read -> {}", Value::from(self.read))?;
            }
            Call::Read => f.write_str("read")?,
            Call::Write(value) => write!(f, "write {value}")?,
            Call::Cas { from, to } => write!(f, "cas {from} -> {to}")?,
        }
        match self.outcome {
            Outcome::Ok => {}
            Outcome::Fail => f.write_str(", failed")?,
            Outcome::Info => f.write_str(", indeterminate")?,
        }
        match self.complete_line {
            Some(line) => write!(f, " (lines {}-{line})", self.invoke_line),
            None => write!(f, " (line {}, never completed)", self.invoke_line),
        }
    }
}

/// A well-formed history: its events in real-time order, and the operations they describe.
///
/// Build one with [`History::from_events`], [`History::read_jsonl`] or
/// [`Recorder::history`](crate::Recorder::history); all three check that every completion
/// follows a call from the same process, that no process calls again before its previous
/// operation completes, and that every value has the shape its operation needs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct History {
    events: Vec<Event>,
    operations: Vec<Operation>,
}

impl History {
    /// Validates `events`, listed in real-time order, into a history.
    pub fn from_events(events: Vec<Event>) -> Result<Self, HistoryError> {
        let mut builder = Builder::default();
        for (index, event) in events.into_iter().enumerate() {
            builder.push(index + 1, event)?;
        }
        Ok(builder.finish())
    }

    /// The events, in real-time order.
    #[must_use]
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The operations, in the order of their calls.
    #[must_use]
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }
}

/// Pairs events into operations one at a time, so the JSON Lines reader can validate as it
/// reads and name the line of the first problem.
#[derive(Debug, Default)]
pub(super) struct Builder {
    events: Vec<Event>,
    operations: Vec<Operation>,
    /// Each process's operation still waiting for its completion, as an index in `operations`.
    pending: HashMap<u64, usize>,
}

impl Builder {
    /// How many events have been accepted.
    pub(super) fn len(&self) -> usize {
        self.events.len()
    }

    /// Accepts the next event, found at `line`.
    pub(super) fn push(&mut self, line: usize, event: Event) -> Result<(), HistoryError> {
        match event.kind {
            EventKind::Invoke => self.invoke(line, &event)?,
            kind => self.complete(line, &event, kind)?,
        }
        self.events.push(event);
        Ok(())
    }

    /// The history; operations still pending are indeterminate.
    pub(super) fn finish(self) -> History {
        History {
            events: self.events,
            operations: self.operations,
        }
    }

    fn invoke(&mut self, line: usize, event: &Event) -> Result<(), HistoryError> {
        let malformed = |problem| Err(HistoryError::Malformed { line, problem });
        if let Some(&index) = self.pending.get(&event.process) {
            let waiting = &self.operations[index];
            return malformed(format!(
                "process {} invokes a {} while its {} from line {} is still pending: a process \
                 waits for each operation to complete before it invokes the next",
                event.process,
                event.f,
                waiting.call.function(),
                waiting.invoke_line
            ));
        }
        let call = Call::from_invoke(event.f, event.value)
            .map_err(|problem| HistoryError::Malformed { line, problem })?;
        self.pending.insert(event.process, self.operations.len());
        self.operations.push(Operation {
            process: event.process,
            key: event.key.clone(),
            call,
            read: None,
            outcome: Outcome::Info,
            invoke_line: line,
            complete_line: None,
        });
        Ok(())
    }

    fn complete(
        &mut self,
        line: usize,
        event: &Event,
        kind: EventKind,
    ) -> Result<(), HistoryError> {
        let malformed = |problem| Err(HistoryError::Malformed { line, problem });
        let Some(index) = self.pending.remove(&event.process) else {
            return malformed(format!(
                "process {} completes a {} it has not invoked",
                event.process, event.f
            ));
        };
        let operation = &mut self.operations[index];
        if operation.call.function() != event.f {
            return malformed(format!(
                "process {} completes a {} but invoked a {} at line {}",
                event.process,
                event.f,
                operation.call.function(),
                operation.invoke_line
            ));
        }
        if operation.key != event.key {
            return malformed(format!(
                "the completion has {} but the call at line {} has {}",
                describe_key(event.key.as_deref()),
                operation.invoke_line,
                describe_key(operation.key.as_deref())
            ));
        }
        let outcome = match kind {
            EventKind::Ok => Outcome::Ok,
            EventKind::Fail => Outcome::Fail,
            EventKind::Info | EventKind::Invoke => Outcome::Info,
        };
        let argument = operation.call.argument();
        match (operation.call, outcome, event.value) {
            (Call::Read, Outcome::Ok, Value::Nil) => {}
            (Call::Read, Outcome::Ok, Value::Int(read)) => operation.read = Some(read),
            (Call::Read, Outcome::Ok, value) => {
                return malformed(format!(
                    "an ok read carries the value read, null or an integer, not {value}"
                ));
            }
            (Call::Read, _, Value::Nil) => {}
            (Call::Read, _, value) => {
                return malformed(format!(
                    "a read that did not complete ok carries no value (null), not {value}"
                ));
            }
            // A write or cas completion may echo its argument, as Jepsen's clients do.
            (_, _, value) if value == Value::Nil || value == argument => {}
            (_, _, value) => {
                return malformed(format!(
                    "the {} completes with {value}, but was invoked with {argument} at line {}",
                    event.f, operation.invoke_line
                ));
            }
        }
        operation.outcome = outcome;
        operation.complete_line = Some(line);
        Ok(())
    }
}

/// `key "k"`, or `no key`, for messages.
pub(crate) fn describe_key(key: Option<&str>) -> String {
    key.map_or_else(|| "no key".to_owned(), |key| format!("key {key:?}"))
}

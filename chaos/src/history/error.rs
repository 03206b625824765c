//! Why a history could not be read, recorded or checked.

use std::io;

/// Why a history could not be read, recorded or checked. Lines are numbered from 1; for a
/// history built from events in memory, line `n` is the `n`-th event, the line it would have
/// in the JSON Lines file [`History::write_jsonl`](crate::History::write_jsonl) writes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HistoryError {
    /// Reading the input failed.
    #[error("reading line {line} failed: {source}")]
    Io {
        /// The line being read.
        line: usize,
        /// What the reader reported.
        #[source]
        source: io::Error,
    },
    /// A line is not one JSON event of the expected shape.
    #[error("line {line}: {problem}")]
    Parse {
        /// The offending line.
        line: usize,
        /// What is wrong with it.
        problem: String,
    },
    /// The events do not form a history: a completion without a call, a second call from a
    /// process that is still waiting, a value of the wrong shape for its operation.
    #[error("line {line}: {problem}")]
    Malformed {
        /// The offending event's line.
        line: usize,
        /// What is wrong with it.
        problem: String,
    },
    /// The history does not fit the model it is checked against (several keys under the
    /// register model).
    #[error("line {line}: {problem}")]
    ModelMismatch {
        /// The first event that does not fit.
        line: usize,
        /// Why, and what to use instead.
        problem: String,
    },
    /// A line is longer than the reader accepts.
    #[error("line {line} is longer than {bytes_max} bytes")]
    LineTooLong {
        /// The offending line.
        line: usize,
        /// The bound.
        bytes_max: usize,
    },
    /// The input holds more events than the reader accepts.
    #[error("the history has more than {events_max} events")]
    TooManyEvents {
        /// The bound.
        events_max: usize,
    },
    /// A [`Recorder`](crate::Recorder) has no room for another operation's two events.
    #[error(
        "the recorder is full: it holds at most {capacity} events; do not perform the operation"
    )]
    RecorderFull {
        /// The recorder's capacity, in events.
        capacity: usize,
    },
    /// A [`WorkloadConfig`](crate::WorkloadConfig) field breaks a rule; both are named.
    #[error("invalid workload: `{field}` {rule}")]
    InvalidWorkload {
        /// The offending field, as written in TOML.
        field: &'static str,
        /// The rule it breaks.
        rule: String,
    },
}

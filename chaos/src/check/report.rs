//! What a check found: a verdict, with a witness order or a counterexample.

use std::fmt;

use crate::history::{History, Value};

/// The result of [`Checker::check`](crate::Checker::check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The verdict.
    pub verdict: Verdict,
    /// Operations the search had to place: reads that did not complete ok, failed writes
    /// (and failed cas under [`CasFailure::NoEffect`](crate::CasFailure::NoEffect)) cannot
    /// affect the verdict and are left out.
    pub operations: usize,
    /// Registers checked separately: one per key under the kv model.
    pub keys: usize,
    /// Search steps spent, the measure the step budget is counted in.
    pub steps: u64,
}

/// Whether a history is linearizable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// It is: here is a witness order for each key.
    Linearizable(Vec<Linearization>),
    /// It is not: here is where every attempt at an order got stuck.
    NotLinearizable(Box<Counterexample>),
    /// The search ran out of budget before deciding.
    Unknown(Exhausted),
}

impl Verdict {
    /// Whether the verdict is [`Verdict::Linearizable`].
    #[must_use]
    pub fn is_linearizable(&self) -> bool {
        matches!(self, Self::Linearizable(_))
    }
}

/// A witness: one key's operations in an order that is legal for a register and respects
/// real time (an operation that completed before another was called comes first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linearization {
    /// The key, `None` for the register without one.
    pub key: Option<String>,
    /// Indices into [`History::operations`], in linearization order. Indeterminate operations
    /// that appear took effect at that point; those that do not, never did.
    pub order: Vec<usize>,
}

/// Which budget ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exhausted {
    /// The search visited this many entries without deciding.
    Steps {
        /// The step budget.
        steps_max: u64,
    },
    /// The memo of explored configurations reached its memory bound.
    CacheBytes {
        /// The memory bound.
        bytes_max: usize,
    },
}

impl fmt::Display for Exhausted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Steps { steps_max } => {
                write!(f, "the search spent its budget of {steps_max} steps")
            }
            Self::CacheBytes { bytes_max } => {
                write!(
                    f,
                    "the search's memo reached its bound of {bytes_max} bytes"
                )
            }
        }
    }
}

/// Why one key's operations cannot be linearized, Porcupine-style: the longest linearizable
/// prefix the search found, and the operations that could not come after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counterexample {
    /// The key, `None` for the register without one.
    pub key: Option<String>,
    /// The longest prefix of a linearization the search found, as indices into
    /// [`History::operations`].
    pub prefix: Vec<usize>,
    /// The register's value after the prefix (`None`: absent).
    pub value: Option<i64>,
    /// The operations called but not yet placed after the prefix, in call order; none of them
    /// can come next.
    pub pending: Vec<Candidate>,
    /// The operation that had already returned without being placed, which is what ended
    /// the prefix: it had to come next, or something before it did.
    pub blocked: usize,
}

/// An operation that could not be placed after a counterexample's prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// Index into [`History::operations`].
    pub operation: usize,
    /// Whether the model allows it next: `false` when the value rules it out (a read of
    /// another value, a cas whose compare fails), `true` when it is allowed but every
    /// continuation after it fails.
    pub allowed: bool,
}

impl Counterexample {
    /// How many prefix operations [`Counterexample::display`] lists (the last ones).
    pub const PREFIX_SHOWN: usize = 10;

    /// A readable account of the counterexample, with the operations of `history` (the one
    /// that was checked) described and located by line.
    #[must_use]
    pub fn display<'a>(&'a self, history: &'a History) -> impl fmt::Display + 'a {
        Described {
            counterexample: self,
            history,
        }
    }
}

struct Described<'a> {
    counterexample: &'a Counterexample,
    history: &'a History,
}

impl fmt::Display for Described<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Counterexample {
            key,
            prefix,
            value,
            pending,
            blocked,
        } = self.counterexample;
        let operations = self.history.operations();
        match key {
            Some(key) => writeln!(f, "key {key:?} is not linearizable.")?,
            None => writeln!(f, "the register is not linearizable.")?,
        }
        let shown = prefix.len().min(Counterexample::PREFIX_SHOWN);
        writeln!(
            f,
            "The longest linearizable prefix found places {} operation{}{}",
            prefix.len(),
            if prefix.len() == 1 { "" } else { "s" },
            match shown {
                0 => ".".to_owned(),
                _ if shown == prefix.len() => ":".to_owned(),
                _ => format!("; the last {shown}:"),
            }
        )?;
        for &index in &prefix[prefix.len() - shown..] {
            writeln!(f, "  {}", operations[index])?;
        }
        writeln!(
            f,
            "After it the register holds {}, and none of the operations pending then can \
             come next:",
            Value::from(*value)
        )?;
        for candidate in pending {
            let operation = &operations[candidate.operation];
            let why = if candidate.allowed {
                "allowed, but nothing linearizable follows it"
            } else {
                "impossible on this value"
            };
            write!(f, "  {operation}: {why}")?;
            match operation.complete_line {
                Some(line) if candidate.operation == *blocked => {
                    writeln!(
                        f,
                        "; it completed at line {line}, so it had to be placed by then"
                    )?;
                }
                _ => writeln!(f)?,
            }
        }
        Ok(())
    }
}

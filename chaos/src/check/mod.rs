//! Linearizability checking: is there an order of the operations, legal for a register, that
//! respects real time?
//!
//! The search is Wing & Gong's with Lowe's memoisation, as in Porcupine (Athalye, 2017): see
//! `search` for the algorithm and `cache` for the memo. A map of registers is checked one key
//! at a time, which is sound and complete because linearizability is compositional
//! (Herlihy & Wing, 1990: a history is linearizable if and only if each object's is), and makes
//! the search exponential only in the concurrency of one key.
//!
//! The register starts absent (`null`). How each outcome is read:
//!
//! | operation | `ok` | `fail` | `info` (or never completed) |
//! |---|---|---|---|
//! | read | saw its value | left out | left out |
//! | write | took effect | left out: did not happen | may take effect at any time after its call, or never |
//! | cas | compare matched, wrote | the compare did not match: a read that saw another value ([`CasFailure`]) | may take effect at any time after its call, or never |

mod cache;
mod model;
mod report;
mod search;

use std::collections::BTreeMap;

pub use model::CasFailure;
pub use report::{Candidate, Counterexample, Exhausted, Linearization, Report, Verdict};

use crate::history::{History, HistoryError, Operation, Outcome, describe_key};
use model::Step;
use search::{Budget, Entry, Found, Stuck, search};

/// What the operations act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Model {
    /// One register; every operation must have the same key, or none.
    #[default]
    Register,
    /// A map of registers, one per key (operations without a key share one more register),
    /// each checked on its own.
    Kv,
}

/// Decides whether histories are linearizable, within a budget.
///
/// ```
/// use chaos::{Checker, Model, Recorder, Verdict};
///
/// let recorder = Recorder::new(100);
/// // Process 0 writes 1; process 1 reads while the write is in flight, and sees it.
/// let write = recorder.write(0, None, 1)?;
/// let read = recorder.read(1, None)?;
/// read.ok(Some(1));
/// write.ok();
/// // Process 1 reads again, after the write completed, and sees nothing: a stale read.
/// recorder.read(1, None)?.ok(None);
///
/// let history = recorder.history()?;
/// let report = Checker::new(Model::Register).check(&history)?;
/// let Verdict::NotLinearizable(counterexample) = &report.verdict else {
///     panic!("a read after a completed write must see it");
/// };
/// assert_eq!(counterexample.value, Some(1));
/// println!("{}", counterexample.display(&history));
/// # Ok::<(), chaos::HistoryError>(())
/// ```
///
/// The budget is counted in search steps, not time, so a verdict is reproducible: the same
/// history and budget give the same answer on any machine. A step is one entry visited. Each
/// placement scans the operations concurrent with it, so the steps an operation costs grow
/// with the processes (about 3 with five, about 35 with ten) but not with the length of the
/// history; a release build runs ten to twenty million steps a second, so the default budget
/// is a few seconds. Indeterminate operations stay concurrent with everything after them and
/// are the usual reason a search runs out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checker {
    model: Model,
    cas_failure: CasFailure,
    steps_max: u64,
    cache_bytes_max: usize,
}

impl Default for Checker {
    fn default() -> Self {
        Self::new(Model::default())
    }
}

impl Checker {
    /// The default step budget.
    pub const STEPS_MAX_DEFAULT: u64 = 100_000_000;
    /// The default bound on the memo's memory, per key.
    pub const CACHE_BYTES_MAX_DEFAULT: usize = 1 << 30;

    /// A checker for `model` with the default budget and [`CasFailure::CompareMismatch`].
    #[must_use]
    pub fn new(model: Model) -> Self {
        Self {
            model,
            cas_failure: CasFailure::default(),
            steps_max: Self::STEPS_MAX_DEFAULT,
            cache_bytes_max: Self::CACHE_BYTES_MAX_DEFAULT,
        }
    }

    /// Sets what a failed cas means.
    #[must_use]
    pub fn cas_failure(mut self, cas_failure: CasFailure) -> Self {
        self.cas_failure = cas_failure;
        self
    }

    /// Sets the step budget, shared by all keys.
    #[must_use]
    pub fn steps_max(mut self, steps_max: u64) -> Self {
        self.steps_max = steps_max;
        self
    }

    /// Sets the bound on the memo's memory, per key.
    #[must_use]
    pub fn cache_bytes_max(mut self, cache_bytes_max: usize) -> Self {
        self.cache_bytes_max = cache_bytes_max;
        self
    }

    /// Checks `history`. The error is [`HistoryError::ModelMismatch`] when the register model
    /// meets a second key.
    ///
    /// Keys are checked in order and the first one found not linearizable ends the check; a
    /// key whose budget runs out does not stop the others, since one of them may still be
    /// decided not linearizable.
    pub fn check(&self, history: &History) -> Result<Report, HistoryError> {
        let keys = self.split(history)?;
        let operations = keys.values().map(|(_, entries)| entries.len()).sum();
        let mut budget = Budget {
            steps_left: self.steps_max,
            cache_bytes_max: self.cache_bytes_max,
        };
        let mut linearizations = Vec::with_capacity(keys.len());
        let mut exhausted = None;
        for (key, (indices, entries)) in &keys {
            let key = key.map(str::to_owned);
            let found = search(entries, &mut budget);
            let verdict = match found {
                Found::Linearization(order) => {
                    let order = order.iter().map(|&local| indices[local]).collect();
                    linearizations.push(Linearization { key, order });
                    continue;
                }
                Found::Stuck(stuck) => {
                    let counterexample = self.counterexample(history, key, indices, &stuck);
                    Verdict::NotLinearizable(Box::new(counterexample))
                }
                Found::OutOfSteps => {
                    let steps_max = self.steps_max;
                    exhausted.get_or_insert(Exhausted::Steps { steps_max });
                    continue;
                }
                Found::OutOfMemory => {
                    let bytes_max = self.cache_bytes_max;
                    exhausted.get_or_insert(Exhausted::CacheBytes { bytes_max });
                    continue;
                }
            };
            return Ok(self.report(verdict, operations, keys.len(), budget));
        }
        let verdict = match exhausted {
            Some(exhausted) => Verdict::Unknown(exhausted),
            None => Verdict::Linearizable(linearizations),
        };
        Ok(self.report(verdict, operations, keys.len(), budget))
    }

    /// Splits the operations that matter into one list per key, each operation with its
    /// index in the history.
    fn split<'h>(&self, history: &'h History) -> Result<Keys<'h>, HistoryError> {
        let mut keys: Keys<'h> = BTreeMap::new();
        let mut first: Option<&Operation> = None;
        for (index, operation) in history.operations().iter().enumerate() {
            if self.model == Model::Register {
                let first = *first.get_or_insert(operation);
                if operation.key != first.key {
                    return Err(HistoryError::ModelMismatch {
                        line: operation.invoke_line,
                        problem: format!(
                            "{} differs from the {} at line {}: the register model checks one \
                             register; check a map of registers with the kv model",
                            describe_key(operation.key.as_deref()),
                            describe_key(first.key.as_deref()),
                            first.invoke_line
                        ),
                    });
                }
            }
            let Some(step) = Step::of(operation, self.cas_failure) else {
                continue;
            };
            let (indices, entries) = keys.entry(operation.key.as_deref()).or_default();
            indices.push(index);
            // An indeterminate operation may take effect after its `info` completion too.
            let ret = match operation.outcome {
                Outcome::Info => None,
                Outcome::Ok | Outcome::Fail => operation.complete_line,
            };
            entries.push(Entry {
                step,
                call: operation.invoke_line,
                ret,
            });
        }
        Ok(keys)
    }

    fn counterexample(
        &self,
        history: &History,
        key: Option<String>,
        indices: &[usize],
        stuck: &Stuck,
    ) -> Counterexample {
        let operations = history.operations();
        let pending = stuck
            .pending
            .iter()
            .map(|&local| {
                let operation = indices[local];
                let step = Step::of(&operations[operation], self.cas_failure)
                    .expect("only operations with a step are searched");
                Candidate {
                    operation,
                    allowed: step.apply(stuck.value).is_some(),
                }
            })
            .collect();
        Counterexample {
            key,
            prefix: stuck.prefix.iter().map(|&local| indices[local]).collect(),
            value: stuck.value,
            pending,
            blocked: indices[stuck.blocked],
        }
    }

    fn report(&self, verdict: Verdict, operations: usize, keys: usize, budget: Budget) -> Report {
        Report {
            verdict,
            operations,
            keys,
            steps: self.steps_max - budget.steps_left,
        }
    }
}

/// Per key: the indices of its operations in the history, and their search entries.
type Keys<'h> = BTreeMap<Option<&'h str>, (Vec<usize>, Vec<Entry>)>;

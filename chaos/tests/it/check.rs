//! The linearizability checker: verdicts on known histories, on histories generated from
//! sequential executions, and on histories of correct and broken registers run as concurrent
//! tasks. Every "linearizable" verdict is confirmed by replaying its witness.

pub(crate) mod generate;
mod known;
mod properties;
mod scale;
mod simulated;

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use chaos::{Call, CasFailure, History, Linearization, Operation, Outcome, Report, Verdict};

/// A file under `tests/data`.
pub(crate) fn data_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Reads a history from `tests/data`.
pub(crate) fn load(name: &str) -> History {
    let file = File::open(data_path(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    History::read_jsonl(BufReader::new(file), 1_000_000).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The witness orders of a linearizable verdict; panics with the report otherwise.
pub(crate) fn witness(report: &Report) -> &[Linearization] {
    match &report.verdict {
        Verdict::Linearizable(linearizations) => linearizations,
        verdict => panic!("expected linearizable, got {verdict:?}"),
    }
}

/// Checks a witness independently of the checker: each key's order must hold every operation
/// that took effect, respect real time, and replay legally on a register that starts absent.
pub(crate) fn assert_witness(history: &History, report: &Report, cas_failure: CasFailure) {
    let operations = history.operations();
    let mut placed = vec![false; operations.len()];
    for linearization in witness(report) {
        let mut value: Option<i64> = None;
        // The latest call among the operations placed so far.
        let mut latest_call = 0;
        for &index in &linearization.order {
            let operation = &operations[index];
            assert_eq!(
                operation.key, linearization.key,
                "{operation} under another key"
            );
            assert!(
                in_witness(operation, cas_failure),
                "{operation} had no effect"
            );
            assert!(!placed[index], "{operation} placed twice");
            placed[index] = true;
            if let Some(complete) = returned(operation) {
                assert!(
                    complete > latest_call,
                    "{operation} completed before an operation placed ahead of it was called \
                     (line {latest_call})"
                );
            }
            latest_call = latest_call.max(operation.invoke_line);
            value = replay(operation, value, cas_failure)
                .unwrap_or_else(|| panic!("{operation} cannot follow value {value:?}"));
        }
    }
    for (index, operation) in operations.iter().enumerate() {
        if must_take_effect(operation, cas_failure) {
            assert!(
                placed[index],
                "{operation} took effect but is not in the witness"
            );
        }
    }
}

/// The register's value: `None` while absent.
type State = Option<i64>;

/// The register after `operation`, or `None` if it cannot happen on `value`. Written apart from
/// the checker's model, from the semantics its documentation states.
fn replay(operation: &Operation, value: State, cas_failure: CasFailure) -> Option<State> {
    match (operation.call, operation.outcome) {
        (Call::Read, Outcome::Ok) => (operation.read == value).then_some(value),
        (Call::Write(written), Outcome::Ok | Outcome::Info) => Some(Some(written)),
        (Call::Cas { from, to }, Outcome::Ok) => (value == Some(from)).then_some(Some(to)),
        (Call::Cas { from, to }, Outcome::Info) => {
            Some(if value == Some(from) { Some(to) } else { value })
        }
        (Call::Cas { from, .. }, Outcome::Fail) if cas_failure == CasFailure::CompareMismatch => {
            (value != Some(from)).then_some(value)
        }
        // Failed writes, failed cas without a compare, reads that did not complete ok.
        _ => unreachable!("{operation} is in no witness"),
    }
}

fn must_take_effect(operation: &Operation, cas_failure: CasFailure) -> bool {
    match (operation.call, operation.outcome) {
        (_, Outcome::Ok) => true,
        (Call::Cas { .. }, Outcome::Fail) => cas_failure == CasFailure::CompareMismatch,
        _ => false,
    }
}

/// Whether a witness may hold `operation`: anything that may have taken effect.
fn in_witness(operation: &Operation, cas_failure: CasFailure) -> bool {
    match (operation.call, operation.outcome) {
        (_, Outcome::Ok) | (Call::Write(_) | Call::Cas { .. }, Outcome::Info) => true,
        (Call::Cas { .. }, Outcome::Fail) => cas_failure == CasFailure::CompareMismatch,
        _ => false,
    }
}

/// When an operation returned, for real-time order: an indeterminate one never does, since it
/// may take effect at any time after its call.
fn returned(operation: &Operation) -> Option<usize> {
    match operation.outcome {
        Outcome::Info => None,
        Outcome::Ok | Outcome::Fail => operation.complete_line,
    }
}

//! Histories built from a sequential execution with random real-time overlaps: every operation
//! takes effect at one instant inside its call interval (an indeterminate one possibly later,
//! or never), one at a time, on a true map of registers. Without a flaw such a history is
//! linearizable by construction; a flaw makes some reads stale or some writes vanish.
//!
//! Times are integers: calls and completions at even times, effects at odd ones, so no effect
//! ever ties with a call or a completion and the event order decides nothing by accident.

use std::fs;

use chaos::{CasFailure, Checker, Event, EventKind, Function, History, Model, Rng, Seed, Value};

use super::{assert_witness, data_path, load};

/// The size and mix of a generated history.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    /// Concurrent clients at any time.
    pub(crate) processes: usize,
    /// Operations in total.
    pub(crate) operations: usize,
    /// Registers; with one, operations carry no key.
    pub(crate) keys: usize,
    /// Chance that an operation's outcome is unknown to its client.
    pub(crate) info: f64,
}

/// A bug planted in the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flaw {
    /// A correct register.
    None,
    /// Some reads return the value from before the latest write.
    StaleReads,
    /// Some acknowledged writes are not applied.
    LostWrites,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Read,
    Write,
    Cas,
}

/// One operation as planned: who, when, and whether its effect and completion happen.
#[derive(Debug)]
struct Planned {
    process: u64,
    key: usize,
    kind: Kind,
    call: u64,
    complete: u64,
    effect: u64,
    info: bool,
    takes_effect: bool,
    recorded_completion: bool,
    /// Decided when the operation takes effect.
    value: Value,
    outcome: EventKind,
}

/// A history of `shape` with `flaw`, every choice drawn from `rng`.
pub(crate) fn history(shape: Shape, flaw: Flaw, rng: &mut Rng) -> History {
    let mut planned = plan(shape, rng);
    execute(&mut planned, shape.keys, flaw, rng);
    History::from_events(events(&planned, shape.keys)).expect("generated histories are well formed")
}

fn plan(shape: Shape, rng: &mut Rng) -> Vec<Planned> {
    // Each slot is a client: its current process id and when it is next free. A client whose
    // outcome was lost is replaced by a fresh process id, as Jepsen does.
    let mut slots: Vec<(u64, u64)> = (0..shape.processes as u64).map(|id| (id, 0)).collect();
    let mut next_id = shape.processes as u64;
    let mut planned = Vec::with_capacity(shape.operations);
    for _ in 0..shape.operations {
        let slot = (0..slots.len())
            .min_by_key(|&slot| slots[slot].1)
            .expect("at least one process");
        let call = slots[slot].1 + 2 * (1 + rng.below(4));
        let length = 2 * (1 + rng.below(6));
        let complete = call + length;
        let mut effect = call + 1 + 2 * rng.below(length / 2);
        let info = rng.chance(shape.info);
        let takes_effect = !info || rng.chance(0.5);
        if info && rng.chance(0.5) {
            // Lost outcomes may take effect long after the client gave up.
            effect = complete + 1 + 2 * rng.below(20);
        }
        let kind = match rng.below(10) {
            0..4 => Kind::Read,
            4..8 => Kind::Write,
            _ => Kind::Cas,
        };
        planned.push(Planned {
            process: slots[slot].0,
            key: rng.below(shape.keys as u64) as usize,
            kind,
            call,
            complete,
            effect,
            info,
            takes_effect,
            recorded_completion: !info || rng.chance(0.8),
            value: Value::Nil,
            outcome: EventKind::Ok,
        });
        slots[slot].1 = complete;
        if info {
            slots[slot].0 = next_id;
            next_id += 1;
        }
    }
    planned
}

/// Applies the operations one at a time in effect order, deciding what each returned.
fn execute(planned: &mut [Planned], keys: usize, flaw: Flaw, rng: &mut Rng) {
    let mut order: Vec<usize> = (0..planned.len()).collect();
    order.sort_by_key(|&index| (planned[index].effect, index));
    let mut values: Vec<Option<i64>> = vec![None; keys];
    let mut previous: Vec<Option<i64>> = vec![None; keys];
    let mut written = 0_i64;
    for index in order {
        let operation = &mut planned[index];
        let key = operation.key;
        let current = values[key];
        match operation.kind {
            Kind::Read => {
                let stale = flaw == Flaw::StaleReads && rng.chance(0.3);
                operation.value = Value::from(if stale { previous[key] } else { current });
            }
            Kind::Write => {
                written += 1;
                operation.value = Value::Int(written);
                let lost = flaw == Flaw::LostWrites && rng.chance(0.3);
                if operation.takes_effect && !lost {
                    previous[key] = current;
                    values[key] = Some(written);
                }
            }
            Kind::Cas => {
                written += 1;
                let from = match current {
                    Some(value) if rng.chance(0.5) => value,
                    _ => rng.below(written.cast_unsigned()).cast_signed(),
                };
                operation.value = Value::Pair(from, written);
                if current == Some(from) {
                    if operation.takes_effect {
                        previous[key] = current;
                        values[key] = Some(written);
                    }
                } else {
                    operation.outcome = EventKind::Fail;
                }
            }
        }
        if operation.info {
            operation.outcome = EventKind::Info;
        }
    }
}

fn events(planned: &[Planned], keys: usize) -> Vec<Event> {
    let mut timed: Vec<(u64, Event)> = Vec::with_capacity(2 * planned.len());
    for operation in planned {
        let f = match operation.kind {
            Kind::Read => Function::Read,
            Kind::Write => Function::Write,
            Kind::Cas => Function::Cas,
        };
        let key = (keys > 1).then(|| format!("k{}", operation.key));
        let argument = if f == Function::Read {
            Value::Nil
        } else {
            operation.value
        };
        let event = |kind, value| Event {
            process: operation.process,
            kind,
            f,
            key: key.clone(),
            value,
        };
        timed.push((operation.call, event(EventKind::Invoke, argument)));
        if operation.recorded_completion {
            let value = match (f, operation.outcome) {
                (Function::Read, EventKind::Ok) => operation.value,
                (Function::Read, _) => Value::Nil,
                _ => argument,
            };
            timed.push((operation.complete, event(operation.outcome, value)));
        }
    }
    // Stable: a call and a completion at the same time keep their generation order, and
    // either order is consistent with the effects, which lie strictly inside the intervals.
    timed.sort_by_key(|&(time, _)| time);
    timed.into_iter().map(|(_, event)| event).collect()
}

/// The generated files under `tests/data`, their generator's parameters, and their verdicts.
const GENERATED: [(&str, Shape, Flaw, u64, bool); 3] = [
    (
        "generated-5p-2000ops.jsonl",
        Shape {
            processes: 5,
            operations: 2000,
            keys: 1,
            info: 0.02,
        },
        Flaw::None,
        1,
        true,
    ),
    (
        "generated-kv-10p-2000ops.jsonl",
        Shape {
            processes: 10,
            operations: 2000,
            keys: 4,
            info: 0.02,
        },
        Flaw::None,
        2,
        true,
    ),
    (
        "generated-stale-reads-5p-500ops.jsonl",
        Shape {
            processes: 5,
            operations: 500,
            keys: 1,
            info: 0.02,
        },
        Flaw::StaleReads,
        3,
        false,
    ),
];

#[test]
fn generated_data_files_match_their_generator_and_verdict() {
    // `UPDATE_DATA=1 cargo test -p chaos generated_data` rewrites the files after a change to
    // the generator.
    let update = std::env::var_os("UPDATE_DATA").is_some();
    for (name, shape, flaw, seed, linearizable) in GENERATED {
        let history = history(shape, flaw, &mut Seed::new(seed).stream("generate"));
        let mut text = Vec::new();
        history.write_jsonl(&mut text).expect("writing to memory");
        if update {
            fs::write(data_path(name), &text).expect("the data directory is writable");
        }
        let file = fs::read(data_path(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(file == text, "{name} differs from its generator's output");

        let history = load(name);
        let model = if shape.keys > 1 {
            Model::Kv
        } else {
            Model::Register
        };
        let report = Checker::new(model).check(&history).expect("fits the model");
        assert_eq!(
            report.verdict.is_linearizable(),
            linearizable,
            "{name}: {report:?}"
        );
        if linearizable {
            assert_witness(&history, &report, CasFailure::CompareMismatch);
        }
    }
}

#![allow(
    missing_docs,
    reason = "criterion_group! generates undocumented functions"
)]

//! Time to decide linearizability of register histories of 1k, 5k and 10k operations from 5
//! and 10 concurrent processes.
//!
//! No Rust peer: Porcupine (Go) and Knossos (Clojure) are the usual checkers. The histories
//! are linearizable by construction (a sequential execution with random real-time overlaps,
//! 1% of outcomes lost), the hardest case for the search: it must place every operation,
//! where a broken history is usually refused after a short prefix.

use std::hint::black_box;

use chaos::{Checker, Event, EventKind, Function, History, Rng, Value};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

/// Builds a linearizable register history: each process runs operations back to back, each
/// taking effect at an odd instant strictly inside its even-timed call interval; the effects
/// are then applied in time order to decide what reads returned and which cas matched.
fn history(processes: usize, operations: usize, rng: &mut Rng) -> History {
    // (process, function, call, complete, effect, outcome known)
    let mut planned = Vec::with_capacity(operations);
    let mut free_at = vec![0_u64; processes];
    for _ in 0..operations {
        let process = (0..processes)
            .min_by_key(|&p| free_at[p])
            .expect("processes > 0");
        let call = free_at[process] + 2 * (1 + rng.below(4));
        let length = 2 * (1 + rng.below(6));
        let effect = call + 1 + 2 * rng.below(length / 2);
        let f = match rng.below(10) {
            0..4 => Function::Read,
            4..8 => Function::Write,
            _ => Function::Cas,
        };
        planned.push((process, f, call, call + length, effect, !rng.chance(0.01)));
        free_at[process] = call + length;
    }
    let mut by_effect: Vec<usize> = (0..operations).collect();
    by_effect.sort_by_key(|&index| planned[index].4);
    let mut outcomes = vec![(EventKind::Ok, Value::Nil, Value::Nil); operations];
    let mut register: Option<i64> = None;
    for (written, &index) in (1_i64..).zip(&by_effect) {
        let (_, f, ..) = planned[index];
        outcomes[index] = match f {
            Function::Read => (EventKind::Ok, Value::Nil, Value::from(register)),
            Function::Write => {
                register = Some(written);
                (EventKind::Ok, Value::Int(written), Value::Int(written))
            }
            Function::Cas => {
                let from = register.filter(|_| rng.chance(0.5)).unwrap_or(written - 1);
                let argument = Value::Pair(from, written);
                if register == Some(from) {
                    register = Some(written);
                    (EventKind::Ok, argument, argument)
                } else {
                    (EventKind::Fail, argument, argument)
                }
            }
        };
    }
    let mut events: Vec<(u64, Event)> = Vec::with_capacity(2 * operations);
    for (&(process, f, call, complete, _, known), &(kind, argument, result)) in
        planned.iter().zip(&outcomes)
    {
        let event = |kind, value| Event {
            process: process as u64,
            kind,
            f,
            key: None,
            value,
        };
        events.push((call, event(EventKind::Invoke, argument)));
        let (kind, result) = if known {
            (kind, result)
        } else {
            (
                EventKind::Info,
                if f == Function::Read {
                    Value::Nil
                } else {
                    argument
                },
            )
        };
        events.push((complete, event(kind, result)));
    }
    events.sort_by_key(|&(time, _)| time);
    History::from_events(events.into_iter().map(|(_, event)| event).collect())
        .expect("generated histories are well formed")
}

fn check(c: &mut Criterion) {
    let mut group = c.benchmark_group("chaos_check");
    group.sample_size(10);
    let checker = Checker::default();
    for processes in [5, 10] {
        for operations in [1_000, 5_000, 10_000] {
            let history = history(processes, operations, &mut Rng::new(42));
            let report = checker.check(&history).expect("one register");
            assert!(report.verdict.is_linearizable(), "{report:?}");
            let label = format!("{operations}ops-{processes}procs");
            group.bench_function(BenchmarkId::new("chaos", label), |b| {
                b.iter(|| checker.check(black_box(&history)));
            });
        }
    }
    group.finish();
}

criterion_group!(benches, check);
criterion_main!(benches);

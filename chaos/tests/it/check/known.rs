//! Verdicts on small hand-written histories whose answer is known, each a classic case.

use chaos::{
    CasFailure, Checker, Counterexample, Event, EventKind, Function, History, HistoryError, Model,
    Value, Verdict,
};

use super::{assert_witness, load};

/// The counterexample of a verdict that must be "not linearizable".
fn counterexample(verdict: &Verdict) -> &Counterexample {
    match verdict {
        Verdict::NotLinearizable(counterexample) => counterexample,
        verdict => panic!("expected not linearizable, got {verdict:?}"),
    }
}

#[test]
fn linearizable_histories_are_accepted_with_a_valid_witness() {
    let cases = [
        ("concurrent-reads.jsonl", Model::Register),
        ("info-write-seen-late.jsonl", Model::Register),
        ("info-write-never-seen.jsonl", Model::Register),
        ("pending-at-end.jsonl", Model::Register),
        ("cas-race.jsonl", Model::Register),
        ("info-cas-applied.jsonl", Model::Register),
        ("kv-independent-keys.jsonl", Model::Kv),
    ];
    for (name, model) in cases {
        let history = load(name);
        let report = Checker::new(model).check(&history).expect(name);
        assert!(report.verdict.is_linearizable(), "{name}: {report:?}");
        assert_witness(&history, &report, CasFailure::CompareMismatch);
    }
}

#[test]
fn a_read_concurrent_with_a_write_may_see_either_value_in_a_consistent_order() {
    // Reads of null and of 1 overlap the write: null is placed before it, 1 after.
    let history = load("concurrent-reads.jsonl");
    let report = Checker::default().check(&history).unwrap();
    let order = &super::witness(&report)[0].order;
    let calls: Vec<String> = order
        .iter()
        .map(|&index| history.operations()[index].to_string())
        .collect();
    assert_eq!(
        calls,
        [
            "process 1: read -> null (lines 2-3)",
            "process 0: write 1 (lines 1-6)",
            "process 2: read -> 1 (lines 4-5)",
        ]
    );
}

#[test]
fn a_stale_read_is_refused_and_the_counterexample_names_it() {
    let history = load("stale-read.jsonl");
    let report = Checker::default().check(&history).unwrap();
    let counterexample = counterexample(&report.verdict);
    let operations = history.operations();
    assert_eq!(counterexample.key, None);
    assert_eq!(counterexample.prefix, [0], "the write");
    assert_eq!(counterexample.value, Some(1));
    assert_eq!(counterexample.blocked, 1, "the read of null");
    assert_eq!(operations[1].invoke_line, 3);
    assert_eq!(counterexample.pending.len(), 1);
    assert!(!counterexample.pending[0].allowed);

    let text = counterexample.display(&history).to_string();
    assert!(text.contains("the register is not linearizable"), "{text}");
    assert!(text.contains("process 0: write 1 (lines 1-2)"), "{text}");
    assert!(text.contains("After it the register holds 1"), "{text}");
    assert!(
        text.contains(
            "process 1: read -> null (lines 3-4): impossible on this value; it completed at line 4"
        ),
        "{text}"
    );
}

#[test]
fn non_linearizable_histories_are_refused() {
    // (file, the operation that cannot be placed: its invoke line, the value before it)
    let cases = [
        ("new-old-inversion.jsonl", 4, Some(1)),
        ("read-from-the-future.jsonl", 1, None),
        ("lost-cas.jsonl", 5, Some(1)),
        ("info-cas-cannot-match.jsonl", 5, Some(1)),
        ("failed-cas-that-matched.jsonl", 3, Some(1)),
    ];
    for (name, blocked_line, value) in cases {
        let history = load(name);
        let report = Checker::default().check(&history).expect(name);
        let counterexample = counterexample(&report.verdict);
        let blocked = &history.operations()[counterexample.blocked];
        assert_eq!(
            blocked.invoke_line, blocked_line,
            "{name}: {counterexample:?}"
        );
        assert_eq!(counterexample.value, value, "{name}");
    }
}

#[test]
fn a_failed_cas_is_a_compare_that_did_not_match_unless_told_otherwise() {
    // The register holds 1 when a cas from 1 fails, with nothing concurrent.
    let history = load("failed-cas-that-matched.jsonl");
    let strict = Checker::default().check(&history).unwrap();
    assert!(matches!(strict.verdict, Verdict::NotLinearizable(_)));

    let lenient = Checker::default()
        .cas_failure(CasFailure::NoEffect)
        .check(&history)
        .unwrap();
    assert!(lenient.verdict.is_linearizable());
    assert_witness(&history, &lenient, CasFailure::NoEffect);
    assert_eq!(lenient.operations, 1, "the failed cas is left out");
}

#[test]
fn the_kv_model_checks_each_key_and_names_the_broken_one() {
    let history = load("kv-one-stale-key.jsonl");
    let report = Checker::new(Model::Kv).check(&history).unwrap();
    assert_eq!(report.keys, 2);
    let counterexample = counterexample(&report.verdict);
    assert_eq!(counterexample.key.as_deref(), Some("b"));
    let text = counterexample.display(&history).to_string();
    assert!(text.starts_with("key \"b\" is not linearizable."), "{text}");
}

#[test]
fn the_register_model_refuses_a_second_key_and_points_to_kv() {
    let history = load("kv-independent-keys.jsonl");
    let error = Checker::new(Model::Register)
        .check(&history)
        .expect_err("two keys");
    assert!(
        matches!(error, HistoryError::ModelMismatch { line: 2, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("kv model"), "{error}");
}

#[test]
fn an_empty_history_is_linearizable() {
    let report = Checker::default().check(&History::default()).unwrap();
    assert_eq!(report.verdict, Verdict::Linearizable(Vec::new()));
    assert_eq!((report.operations, report.keys), (0, 0));
}

#[test]
fn a_tiny_budget_gives_unknown_not_a_wrong_answer() {
    let history = load("concurrent-reads.jsonl");
    let report = Checker::default().steps_max(2).check(&history).unwrap();
    assert_eq!(
        report.verdict,
        Verdict::Unknown(chaos::Exhausted::Steps { steps_max: 2 })
    );
    assert_eq!(report.steps, 2);
    let report = Checker::default()
        .cache_bytes_max(0)
        .check(&history)
        .unwrap();
    assert_eq!(
        report.verdict,
        Verdict::Unknown(chaos::Exhausted::CacheBytes { bytes_max: 0 })
    );
}

#[test]
fn an_exhausted_key_does_not_hide_a_broken_one() {
    // Key "a" cannot be decided without memo space; key "b" is refused before any memo use,
    // since its first operation already cannot be placed.
    let event = |process, kind, f, key: &str, value| Event {
        process,
        kind,
        f,
        key: Some(key.to_owned()),
        value,
    };
    let history = History::from_events(vec![
        event(0, EventKind::Invoke, Function::Write, "a", Value::Int(1)),
        event(0, EventKind::Ok, Function::Write, "a", Value::Int(1)),
        event(1, EventKind::Invoke, Function::Read, "b", Value::Nil),
        event(1, EventKind::Ok, Function::Read, "b", Value::Int(9)),
    ])
    .unwrap();
    let report = Checker::new(Model::Kv)
        .cache_bytes_max(0)
        .check(&history)
        .unwrap();
    assert_eq!(counterexample(&report.verdict).key.as_deref(), Some("b"));
}

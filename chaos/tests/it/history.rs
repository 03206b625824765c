//! Histories: the JSON Lines format, its errors, and the recorder.

use std::io::{self, BufRead, Read};
use std::sync::mpsc;
use std::thread;

use chaos::{
    Call, Event, EventKind, Function, History, HistoryError, Outcome, Recorder, Rng, Value,
};
use proptest::prelude::*;

use crate::check::generate::{self, Flaw, Shape};

fn read(text: &str) -> Result<History, HistoryError> {
    History::read_jsonl(text.as_bytes(), 1000)
}

fn write_lines(history: &History) -> String {
    let mut out = Vec::new();
    history.write_jsonl(&mut out).expect("writing to memory");
    String::from_utf8(out).expect("JSON is UTF-8")
}

#[test]
fn the_issue_s_format_is_read_and_written_back_compactly() {
    let text = r#"{"process": 0, "type": "invoke", "f": "cas", "key": "k", "value": [1, 2]}
{"process": 0, "type": "fail", "f": "cas", "key": "k", "value": [1, 2]}
{"process": 1, "type": "invoke", "f": "read", "value": null}
{"process": 1, "type": "ok", "f": "read", "value": 3}
{"process": 2, "type": "invoke", "f": "write", "value": 3}
{"process": 2, "type": "info", "f": "write", "value": 3}
"#;
    let history = read(text).unwrap();
    assert_eq!(history.events().len(), 6);
    assert_eq!(
        history.events()[0],
        Event {
            process: 0,
            kind: EventKind::Invoke,
            f: Function::Cas,
            key: Some("k".to_owned()),
            value: Value::Pair(1, 2),
        }
    );
    let outcomes: Vec<(Call, Outcome, Option<i64>)> = history
        .operations()
        .iter()
        .map(|operation| (operation.call, operation.outcome, operation.read))
        .collect();
    assert_eq!(
        outcomes,
        [
            (Call::Cas { from: 1, to: 2 }, Outcome::Fail, None),
            (Call::Read, Outcome::Ok, Some(3)),
            (Call::Write(3), Outcome::Info, None),
        ]
    );
    let written = write_lines(&history);
    let first = written.lines().next().unwrap();
    assert_eq!(
        first,
        r#"{"process":0,"type":"invoke","f":"cas","key":"k","value":[1,2]}"#
    );
    assert_eq!(
        written.lines().nth(2).unwrap(),
        r#"{"process":1,"type":"invoke","f":"read","value":null}"#,
        "no key, no key field"
    );
    assert_eq!(read(&written).unwrap(), history);
}

#[test]
fn blank_lines_and_crlf_are_accepted_and_lines_still_count() {
    let text = "\r\n{\"process\": 0, \"type\": \"invoke\", \"f\": \"read\", \"value\": null}\r\n\n\
                {\"process\": 0, \"type\": \"ok\", \"f\": \"read\", \"value\": null}\n";
    let history = read(text).unwrap();
    let operation = &history.operations()[0];
    assert_eq!(
        (operation.invoke_line, operation.complete_line),
        (2, Some(4))
    );
}

#[test]
fn a_line_that_is_not_an_event_is_an_error_naming_the_line_and_the_problem() {
    let good = r#"{"process": 0, "type": "invoke", "f": "read", "value": null}"#;
    let cases = [
        (r#"{"process": 0, "type": "invoke""#, "EOF while parsing"),
        (
            r#"{"process": 0, "type": "begin", "f": "read", "value": null}"#,
            "unknown variant `begin`",
        ),
        (
            r#"{"process": 0, "type": "ok", "f": "reed", "value": null}"#,
            "unknown variant `reed`",
        ),
        (
            r#"{"process": 0, "type": "ok", "f": "read"}"#,
            "missing field `value`",
        ),
        (
            r#"{"process": 0, "type": "ok", "f": "read", "value": 1, "time": 5}"#,
            "unknown field `time`",
        ),
        (
            r#"{"process": 0, "type": "ok", "f": "read", "value": 1.5}"#,
            "expected null, an integer, or [from, to]",
        ),
        (
            r#"{"process": 0, "type": "ok", "f": "read", "value": "x"}"#,
            "invalid type: string",
        ),
        (
            r#"{"process": 0, "type": "ok", "f": "cas", "value": [1, 2, 3]}"#,
            "invalid length 3",
        ),
        (
            r#"{"process": 0, "type": "ok", "f": "cas", "value": [1]}"#,
            "invalid length 1",
        ),
        (
            r#"{"process": -1, "type": "ok", "f": "read", "value": null}"#,
            "invalid value",
        ),
        (
            r#"{"process": 0, "type": "ok", "f": "read", "value": 9223372036854775808}"#,
            "does not fit",
        ),
        (
            r#"[0, "invoke", "read", null, null]"#,
            "expected a JSON object",
        ),
        (r"  42", "expected a JSON object"),
    ];
    for (line, expected) in cases {
        let text = format!("{good}\n{line}\n");
        let error = read(&text).expect_err(line);
        assert!(
            matches!(error, HistoryError::Parse { line: 2, .. }),
            "{line}: {error:?}"
        );
        let message = error.to_string();
        assert!(message.starts_with("line 2: "), "{message}");
        assert!(message.contains(expected), "{line}: {message}");
        assert!(message.contains("column "), "{message}");
    }
}

#[test]
fn events_that_do_not_form_a_history_are_an_error_naming_the_line_and_the_problem() {
    let event = |process, kind: &str, f: &str, value: &str| {
        format!(r#"{{"process": {process}, "type": "{kind}", "f": "{f}", "value": {value}}}"#)
    };
    let invoke_write = event(0, "invoke", "write", "1");
    let cases = [
        (
            vec![event(0, "ok", "read", "null")],
            "process 0 completes a read it has not invoked",
        ),
        (
            vec![invoke_write.clone(), event(0, "invoke", "read", "null")],
            "process 0 invokes a read while its write from line 1 is still pending",
        ),
        (
            vec![invoke_write.clone(), event(0, "ok", "read", "null")],
            "process 0 completes a read but invoked a write at line 1",
        ),
        (
            vec![
                invoke_write.clone(),
                r#"{"process": 0, "type": "ok", "f": "write", "key": "k", "value": 1}"#.to_owned(),
            ],
            "the completion has key \"k\" but the call at line 1 has no key",
        ),
        (
            vec![event(0, "invoke", "read", "1")],
            "a read is invoked with null, not 1",
        ),
        (
            vec![event(0, "invoke", "write", "null")],
            "a write is invoked with an integer, not null",
        ),
        (
            vec![event(0, "invoke", "cas", "1")],
            "a cas is invoked with [from, to], not 1",
        ),
        (
            vec![
                event(0, "invoke", "read", "null"),
                event(0, "ok", "read", "[1, 2]"),
            ],
            "an ok read carries the value read, null or an integer, not [1, 2]",
        ),
        (
            vec![
                event(0, "invoke", "read", "null"),
                event(0, "fail", "read", "4"),
            ],
            "a read that did not complete ok carries no value (null), not 4",
        ),
        (
            vec![invoke_write, event(0, "ok", "write", "2")],
            "the write completes with 2, but was invoked with 1 at line 1",
        ),
    ];
    for (lines, expected) in cases {
        let text = lines.join("\n");
        let error = read(&text).expect_err(expected);
        let line = lines.len();
        assert!(
            matches!(&error, HistoryError::Malformed { line: l, .. } if *l == line),
            "{expected}: {error:?}"
        );
        let message = error.to_string();
        assert!(message.starts_with(&format!("line {line}: ")), "{message}");
        assert!(message.contains(expected), "{message}");
    }
}

#[test]
fn in_memory_events_are_validated_with_their_position_as_the_line() {
    let completion_first = Event {
        process: 3,
        kind: EventKind::Ok,
        f: Function::Write,
        key: None,
        value: Value::Int(1),
    };
    let error = History::from_events(vec![completion_first]).expect_err("no invoke");
    assert!(
        matches!(error, HistoryError::Malformed { line: 1, .. }),
        "{error:?}"
    );
}

#[test]
fn an_operation_never_completed_is_indeterminate() {
    let history = read(r#"{"process": 4, "type": "invoke", "f": "write", "value": 9}"#).unwrap();
    let operation = &history.operations()[0];
    assert_eq!(
        (operation.outcome, operation.complete_line),
        (Outcome::Info, None)
    );
    assert_eq!(
        operation.to_string(),
        "process 4: write 9, indeterminate (line 1, never completed)"
    );
}

#[test]
fn reading_is_bounded_in_line_length_and_event_count() {
    let long = format!("{}\n", " ".repeat(History::LINE_BYTES_MAX + 1));
    let error = read(&long).expect_err("too long");
    assert!(
        matches!(error, HistoryError::LineTooLong { line: 1, bytes_max } if bytes_max == History::LINE_BYTES_MAX)
    );

    let invoke = "{\"process\": 0, \"type\": \"invoke\", \"f\": \"read\", \"value\": null}\n";
    let ok = "{\"process\": 0, \"type\": \"ok\", \"f\": \"read\", \"value\": null}\n";
    let text = [invoke, ok, invoke].concat();
    assert!(History::read_jsonl(text.as_bytes(), 3).is_ok());
    let error = History::read_jsonl(text.as_bytes(), 2).expect_err("three events");
    assert!(
        matches!(error, HistoryError::TooManyEvents { events_max: 2 }),
        "{error:?}"
    );
}

/// A reader that fails on its second line.
struct Failing {
    served: bool,
}

impl Read for Failing {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        unreachable!("read through BufRead only")
    }
}

impl BufRead for Failing {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.served {
            return Err(io::Error::other("disk on fire"));
        }
        Ok(b"{\"process\": 0, \"type\": \"invoke\", \"f\": \"read\", \"value\": null}\n")
    }

    fn consume(&mut self, _: usize) {
        self.served = true;
    }
}

#[test]
fn a_failing_reader_is_an_io_error_naming_the_line() {
    let error = History::read_jsonl(Failing { served: false }, 10).expect_err("fails");
    assert!(
        matches!(error, HistoryError::Io { line: 2, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("disk on fire"));
}

#[test]
fn the_recorder_pairs_calls_with_outcomes_and_echoes_update_arguments() {
    let recorder = Recorder::new(100);
    let write = recorder.write(0, Some("k"), 5).unwrap();
    let read = recorder.read(1, Some("k")).unwrap();
    write.ok();
    read.ok(Some(5));
    recorder.cas(0, Some("k"), 5, 6).unwrap().fail();
    recorder.read(2, None).unwrap().fail();
    recorder.write(3, None, 1).unwrap().info();
    let history = recorder.history().unwrap();
    let lines = write_lines(&history);
    let expected = [
        r#"{"process":0,"type":"invoke","f":"write","key":"k","value":5}"#,
        r#"{"process":1,"type":"invoke","f":"read","key":"k","value":null}"#,
        r#"{"process":0,"type":"ok","f":"write","key":"k","value":5}"#,
        r#"{"process":1,"type":"ok","f":"read","key":"k","value":5}"#,
        r#"{"process":0,"type":"invoke","f":"cas","key":"k","value":[5,6]}"#,
        r#"{"process":0,"type":"fail","f":"cas","key":"k","value":[5,6]}"#,
        r#"{"process":2,"type":"invoke","f":"read","value":null}"#,
        r#"{"process":2,"type":"fail","f":"read","value":null}"#,
        r#"{"process":3,"type":"invoke","f":"write","value":1}"#,
        r#"{"process":3,"type":"info","f":"write","value":1}"#,
    ];
    assert_eq!(lines.lines().collect::<Vec<_>>(), expected);
}

#[test]
fn a_dropped_ticket_records_info() {
    let recorder = Recorder::new(10);
    drop(recorder.cas(7, None, 1, 2).unwrap());
    let history = recorder.history().unwrap();
    let operation = &history.operations()[0];
    assert_eq!(
        (operation.outcome, operation.complete_line),
        (Outcome::Info, Some(2))
    );
}

#[test]
fn the_recorder_refuses_a_call_it_could_not_complete_but_always_records_completions() {
    let recorder = Recorder::new(3);
    assert_eq!(recorder.capacity(), 3);
    let first = recorder.write(0, None, 1).unwrap();
    // One event recorded and one slot reserved: a second operation needs two more.
    let error = recorder.read(1, None).expect_err("full");
    assert!(
        matches!(error, HistoryError::RecorderFull { capacity: 3 }),
        "{error:?}"
    );
    assert!(error.to_string().contains("do not perform the operation"));
    first.ok();
    assert_eq!(
        recorder.events().len(),
        2,
        "the reserved completion was recorded"
    );
    assert!(
        recorder.read(1, None).is_err(),
        "two events and two more would exceed three"
    );
    assert!(recorder.history().unwrap().operations()[0].outcome == Outcome::Ok);
}

#[test]
fn threads_record_concurrently_in_real_time_order() {
    const THREADS: u64 = 8;
    const OPERATIONS: u64 = 500;
    // Every thread's operations, and the two of the second part.
    let recorder = Recorder::new(2 * (THREADS * OPERATIONS) as usize + 4);
    thread::scope(|scope| {
        for process in 0..THREADS {
            let recorder = recorder.clone();
            scope.spawn(move || {
                for value in 0..OPERATIONS.cast_signed() {
                    recorder.write(process, None, value).unwrap().ok();
                }
            });
        }
    });
    let history = recorder
        .history()
        .expect("every thread's operations pair up");
    assert_eq!(history.operations().len(), (THREADS * OPERATIONS) as usize);

    // An operation that completes before another is called is recorded before it: the second
    // thread calls only after the first signals that its operation completed.
    let (done, completed) = mpsc::channel();
    thread::scope(|scope| {
        let first = recorder.clone();
        scope.spawn(move || {
            first.write(100, None, 1).unwrap().ok();
            done.send(()).unwrap();
        });
        let second = recorder.clone();
        scope.spawn(move || {
            completed.recv().unwrap();
            second.read(101, None).unwrap().ok(Some(1));
        });
    });
    let history = recorder.history().unwrap();
    let operations = history.operations();
    let write = operations
        .iter()
        .find(|operation| operation.process == 100)
        .unwrap();
    let read = operations
        .iter()
        .find(|operation| operation.process == 101)
        .unwrap();
    assert!(write.complete_line.unwrap() < read.invoke_line);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn json_lines_round_trip(seed: u64, operations in 0_usize..200, keys in 1_usize..4) {
        let shape = Shape { processes: 4, operations, keys, info: 0.1 };
        let history = generate::history(shape, Flaw::None, &mut Rng::new(seed));
        let text = write_lines(&history);
        prop_assert_eq!(text.lines().count(), history.events().len());
        prop_assert_eq!(read(&text).unwrap(), history);
    }
}

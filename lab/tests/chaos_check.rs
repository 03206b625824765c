//! `lab chaos check`: the verdict is the exit status, and the report says why.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A history shipped with the `chaos` crate's tests.
fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../chaos/tests/data")
        .join(name)
}

fn check(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lab"))
        .args(["chaos", "check"])
        .args(args)
        .output()
        .expect("the lab binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path(name: &str) -> String {
    data(name).to_string_lossy().into_owned()
}

#[test]
fn a_linearizable_history_exits_0() {
    let output = check(&[&path("generated-5p-2000ops.jsonl")]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("2000 operations"), "{stdout}");
    assert!(stdout.contains("linearizable."), "{stdout}");
}

#[test]
fn a_map_of_registers_is_checked_with_the_kv_model() {
    let kv = path("generated-kv-10p-2000ops.jsonl");
    let output = check(&[&kv, "--model", "kv"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("across 4 keys"));

    let output = check(&[&kv]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "the register model refuses several keys"
    );
    assert!(
        text(&output.stderr).contains("kv model"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn a_non_linearizable_history_exits_1_with_a_counterexample() {
    let output = check(&[&path("stale-read.jsonl")]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("the register is not linearizable."),
        "{stdout}"
    );
    assert!(
        stdout.contains("process 0: write 1 (lines 1-2)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("process 1: read -> null (lines 3-4): impossible"),
        "{stdout}"
    );

    let output = check(&[&path("generated-stale-reads-5p-500ops.jsonl")]);
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn the_cas_failure_reading_can_be_chosen() {
    let history = path("failed-cas-that-matched.jsonl");
    assert_eq!(check(&[&history]).status.code(), Some(1));
    assert_eq!(
        check(&[&history, "--cas-fail", "no-effect"]).status.code(),
        Some(0)
    );
}

#[test]
fn unreadable_input_exits_2_naming_the_problem() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let malformed = dir.join("chaos-check-malformed.jsonl");
    std::fs::write(
        &malformed,
        "{\"process\": 0, \"type\": \"invoke\", \"f\": \"read\", \"value\": null}\n\
         {\"process\": 0, \"type\": \"ok\", \"f\": \"read\", \"value\": [1, 2]}\n",
    )
    .unwrap();
    let output = check(&[&malformed.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("line 2: an ok read carries the value read"),
        "{stderr}"
    );

    let missing = dir.join("chaos-check-no-such-file.jsonl");
    let output = check(&[&missing.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("cannot open"),
        "{}",
        text(&output.stderr)
    );

    let output = check(&[&path("stale-read.jsonl"), "--model", "graph"]);
    assert_eq!(output.status.code(), Some(2), "bad usage");
}

#[test]
fn an_exhausted_budget_exits_3_and_says_so() {
    let output = check(&[&path("generated-5p-2000ops.jsonl"), "--steps-max", "100"]);
    assert_eq!(output.status.code(), Some(3));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("undecided: the search spent its budget of 100 steps"),
        "{stdout}"
    );
}

//! `lab chaos run`: the shipped experiments, run for real on loopback, end as documented.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn experiment(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("experiments")
        .join(name)
}

/// Runs `lab chaos run` on `file`, with the journal written to a file of this test's own.
fn run(file: &Path, journal: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lab"))
        .args(["chaos", "run"])
        .arg(file)
        .arg("--journal")
        .arg(journal)
        .output()
        .expect("the lab binary runs")
}

fn journal_path(test: &str) -> PathBuf {
    std::env::temp_dir().join(format!("lab-chaos-run-{test}-{}.json", std::process::id()))
}

/// Runs a shipped experiment and returns its exit code, stdout and parsed journal.
fn run_shipped(name: &str) -> (Option<i32>, String, serde_json::Value) {
    let journal = journal_path(name);
    let output = run(&experiment(name), &journal);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let text = std::fs::read_to_string(&journal)
        .unwrap_or_else(|error| panic!("{name}: no journal ({error}); stdout: {stdout}"));
    std::fs::remove_file(&journal).expect("the journal is ours to remove");
    let parsed = serde_json::from_str(&text).expect("the journal is JSON");
    (output.status.code(), stdout, parsed)
}

#[test]
fn the_breaker_withstands_a_slow_dependency() {
    let (code, stdout, journal) = run_shipped("slow-dependency.toml");
    assert_eq!(journal["status"], "completed", "{stdout}");
    assert_eq!(code, Some(0), "{stdout}");
    // While the dependency was slow, the breaker shed most calls locally.
    let shed = journal["method"][2]["value"]
        .as_f64()
        .expect("a measured ratio");
    assert!(shed >= 0.9, "{stdout}");
}

#[test]
fn without_a_breaker_the_same_fault_deviates() {
    let (code, stdout, journal) = run_shipped("slow-dependency-without-breaker.toml");
    assert_eq!(journal["status"], "deviated", "{stdout}");
    assert_eq!(code, Some(1), "{stdout}");
    // Every call waited out the 100 ms timeout.
    let median_ms = journal["method"][1]["value"]
        .as_f64()
        .expect("a measured latency");
    assert!(median_ms >= 100.0, "{stdout}");
    assert!(stdout.contains("deviated"), "{stdout}");
}

#[test]
fn a_dependency_that_is_down_is_shed_and_used_again() {
    let (code, stdout, journal) = run_shipped("dependency-down.toml");
    assert_eq!(journal["status"], "completed", "{stdout}");
    assert_eq!(code, Some(0), "{stdout}");
    assert_eq!(journal["method"][2]["value"], 0.0, "{stdout}");
}

#[test]
fn an_invalid_experiment_exits_2_naming_the_field() {
    let file = std::env::temp_dir().join(format!("lab-bad-experiment-{}.toml", std::process::id()));
    let shipped = std::fs::read_to_string(experiment("slow-dependency.toml")).expect("shipped");
    std::fs::write(&file, shipped.replace("requests = 100", "requests = 0")).expect("temp file");
    let output = run(&file, &journal_path("invalid"));
    std::fs::remove_file(&file).expect("ours to remove");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("target.requests"), "{stderr}");
}

#[test]
fn a_missing_file_exits_2() {
    let output = run(
        Path::new("no-such-experiment.toml"),
        &journal_path("missing"),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no-such-experiment.toml"));
}

//! Experiments: parsing and validation, and the runner's control flow against a simulated
//! target, in paused time.

use chaos::Seed;
use chaos::experiment::{self, Action, Experiment, ExperimentError, Journal, Status, Target};
use tower::BoxError;

/// A service whose p99 latency is 10 ms, plus whatever latency toxics add; it records every
/// action it receives.
#[derive(Debug, Default)]
struct Simulated {
    added_latency_ms: f64,
    actions: Vec<String>,
    /// Makes `add_toxic` fail, as a proxy that does not exist would.
    refuse_toxics: bool,
    /// Makes probes hang, as a service that never answers would.
    hang: bool,
}

impl Target for Simulated {
    async fn probe(&mut self, measure: &str) -> Result<f64, BoxError> {
        if self.hang {
            std::future::pending::<()>().await;
        }
        match measure {
            "latency_p99_ms" => Ok(10.0 + self.added_latency_ms),
            other => Err(format!("unknown measure `{other}`").into()),
        }
    }

    async fn act(&mut self, action: &Action) -> Result<(), BoxError> {
        self.actions.push(format!("{action:?}"));
        match action {
            Action::AddToxic { .. } if self.refuse_toxics => Err("no such proxy".into()),
            Action::AddToxic { toxic, .. } => {
                self.added_latency_ms +=
                    toxic.attributes.get("latency").copied().unwrap_or(0) as f64;
                Ok(())
            }
            _ => {
                self.added_latency_ms = 0.0;
                Ok(())
            }
        }
    }
}

/// An experiment whose method adds `latency_ms` for 5 s and probes with a 100 ms ceiling.
fn slowdown(latency_ms: u32) -> String {
    format!(
        r#"
title = "p99 stays under 100 ms while the dependency slows"
seed = 7
activity_timeout = "30s"

[steady_state]
title = "p99 under 50 ms"
probes = [{{ measure = "latency_p99_ms", tolerance = {{ max = 50 }} }}]

[[method]]
name = "slow the dependency"
pause_after = "5s"
action = {{ kind = "add_toxic", proxy = "dependency", toxic = {{ type = "latency", attributes = {{ latency = {latency_ms} }} }} }}

[[method]]
name = "p99 during the slowdown"
probe = {{ measure = "latency_p99_ms", tolerance = {{ max = 100 }} }}

[[rollbacks]]
name = "undo"
pause_before = "1s"
action = {{ kind = "reset" }}
"#
    )
}

async fn run(text: &str, target: &mut Simulated) -> Journal {
    let experiment = Experiment::from_toml(text).expect("experiment is valid");
    experiment::run(&experiment, Seed::new(7), target)
        .await
        .expect("validated above")
}

#[tokio::test(start_paused = true)]
async fn a_tolerated_fault_completes_with_every_phase_recorded() {
    let mut target = Simulated::default();
    let journal = run(&slowdown(40), &mut target).await;

    assert_eq!(journal.status, Status::Completed);
    assert!(journal.steady_state_before.holds);
    assert_eq!(journal.method.len(), 2);
    assert_eq!(journal.method[1].value, Some(50.0));
    // The second check sees the toxic still in place: 50 ms is within its 50 ms ceiling.
    assert!(
        journal
            .steady_state_after
            .as_ref()
            .is_some_and(|after| after.holds)
    );
    assert_eq!(journal.rollbacks.len(), 1);
    assert!(target.actions.last().is_some_and(|last| last == "Reset"));
    assert_eq!(journal.seed, Seed::new(7).to_string());
}

#[tokio::test(start_paused = true)]
async fn pauses_place_activities_on_the_timeline() {
    let journal = run(&slowdown(40), &mut Simulated::default()).await;
    // The probe follows the 5 s pause after the toxic; the rollback waits 1 s before acting.
    assert!((journal.method[1].started_ms - 5_000.0).abs() < 1e-6);
    assert!((journal.rollbacks[0].started_ms - 6_000.0).abs() < 1e-6);
    assert!((journal.duration_ms - 6_000.0).abs() < 1e-6);
}

#[tokio::test(start_paused = true)]
async fn a_probe_out_of_tolerance_is_a_deviation_and_rollbacks_still_run() {
    let mut target = Simulated::default();
    let journal = run(&slowdown(200), &mut target).await;

    assert_eq!(journal.status, Status::Deviated);
    assert!(!journal.method[1].ok, "210 ms is above the 100 ms ceiling");
    assert!(
        journal
            .steady_state_after
            .as_ref()
            .is_some_and(|after| !after.holds)
    );
    assert!(journal.rollbacks[0].ok);
    assert!(
        target.added_latency_ms.abs() < f64::EPSILON,
        "the rollback removed the toxic"
    );
}

#[tokio::test(start_paused = true)]
async fn no_fault_is_injected_when_the_steady_state_does_not_hold_first() {
    let mut target = Simulated {
        added_latency_ms: 60.0,
        ..Simulated::default()
    };
    let journal = run(&slowdown(40), &mut target).await;

    assert_eq!(journal.status, Status::Failed);
    assert!(!journal.steady_state_before.holds);
    assert!(journal.method.is_empty() && journal.rollbacks.is_empty());
    assert!(target.actions.is_empty(), "no action may reach the target");
}

#[tokio::test(start_paused = true)]
async fn a_failed_action_aborts_the_method_but_not_the_rollbacks() {
    let mut target = Simulated {
        refuse_toxics: true,
        ..Simulated::default()
    };
    let journal = run(&slowdown(40), &mut target).await;

    assert_eq!(journal.status, Status::Aborted);
    assert_eq!(
        journal.method.len(),
        1,
        "the probe after the failed action never ran"
    );
    assert_eq!(journal.method[0].error.as_deref(), Some("no such proxy"));
    assert!(journal.steady_state_after.is_none());
    assert_eq!(journal.rollbacks.len(), 1);
    assert_eq!(
        target.actions.len(),
        2,
        "the toxic attempt, then the rollback"
    );
}

#[tokio::test(start_paused = true)]
async fn a_hung_probe_is_cut_off_by_the_activity_timeout() {
    let mut target = Simulated {
        hang: true,
        ..Simulated::default()
    };
    let journal = run(&slowdown(40), &mut target).await;

    assert_eq!(journal.status, Status::Failed);
    let probe = &journal.steady_state_before.probes[0];
    assert_eq!(probe.error.as_deref(), Some("timed out after 30s"));
    assert!((probe.ended_ms - 30_000.0).abs() < 1e-6);
}

#[tokio::test(start_paused = true)]
async fn the_journal_serialises_with_snake_case_statuses() {
    let journal = run(&slowdown(200), &mut Simulated::default()).await;
    let json: serde_json::Value = serde_json::to_value(&journal).expect("journal serialises");
    assert_eq!(json["status"], "deviated");
    assert_eq!(json["method"][0]["kind"], "action");
    assert_eq!(json["method"][1]["value"], 210.0);
    assert_eq!(json["method"][1]["tolerance"]["max"], 100.0);
    let report = journal.to_string();
    assert!(report.contains("deviated"), "{report}");
    assert!(
        report.contains(&format!("CHAOS_SEED={}", Seed::new(7))),
        "{report}"
    );
}

/// Asserts that `text` is rejected with an error naming `field`.
fn rejects(text: &str, field: &str) {
    match Experiment::from_toml(text) {
        Err(ExperimentError::Invalid { field: named, rule }) => {
            assert_eq!(named, field, "rule: {rule}");
        }
        other => panic!("expected a rejection naming `{field}`, got {other:?}"),
    }
}

#[test]
fn validation_names_the_offending_field() {
    let valid = slowdown(40);
    rejects(
        &valid.replace("tolerance = { max = 50 }", "tolerance = { }"),
        "steady_state.probes[0].tolerance",
    );
    rejects(
        &valid.replace(
            "tolerance = { max = 50 }",
            "tolerance = { min = 60, max = 50 }",
        ),
        "steady_state.probes[0].tolerance",
    );
    rejects(
        &valid.replace(r#"pause_after = "5s""#, r#"pause_after = "11m""#),
        "method[0].pause_after",
    );
    rejects(
        &valid.replace(
            r#"type = "latency","#,
            r#"type = "latency", toxicity = 1.5,"#,
        ),
        "method[0].action.toxic.toxicity",
    );
    rejects(
        &valid.replace(
            r#"name = "undo""#,
            "name = \"undo\"\nprobe = { measure = \"x\" }",
        ),
        "rollbacks[0]",
    );
    rejects(
        &valid.replace(r#"activity_timeout = "30s""#, r#"activity_timeout = "0s""#),
        "activity_timeout",
    );
}

#[test]
fn unknown_fields_and_actions_are_parse_errors() {
    let valid = slowdown(40);
    for broken in [
        valid.replace("seed = 7", "seed = 7\nseeed = 8"),
        valid.replace(r#"kind = "reset""#, r#"kind = "reboot""#),
    ] {
        assert!(matches!(
            Experiment::from_toml(&broken),
            Err(ExperimentError::Parse(_))
        ));
    }
}

#[tokio::test(start_paused = true)]
async fn the_runner_validates_experiments_built_in_code() {
    let mut experiment = Experiment::from_toml(&slowdown(40)).expect("valid");
    experiment.method[0].probe = experiment.method[1].probe.clone();
    let mut target = Simulated::default();
    let outcome = experiment::run(&experiment, Seed::new(7), &mut target).await;
    assert!(matches!(outcome, Err(ExperimentError::Invalid { field, .. }) if field == "method[0]"));
    assert!(
        target.actions.is_empty(),
        "nothing may run before validation passes"
    );
}

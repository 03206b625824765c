//! Running an experiment against a target, and the journal it leaves.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use serde::Serialize;
use tokio::time::Instant;
use tower::BoxError;

use super::format::{Action, Activity, Experiment, ExperimentError, Probe, SteadyState, Tolerance};
use crate::Seed;

/// The system an experiment runs against: it takes measurements and applies actions.
///
/// Each call must bound its own work; the runner also cuts any call off after the
/// experiment's `activity_timeout`.
pub trait Target {
    /// Takes the measurement named `measure` (such as `latency_p99_ms`) and returns its value.
    fn probe(&mut self, measure: &str) -> impl Future<Output = Result<f64, BoxError>>;

    /// Applies `action` to the target's network.
    fn act(&mut self, action: &Action) -> impl Future<Output = Result<(), BoxError>>;
}

/// How an experiment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every step ran and every probe stayed within its tolerance: the system withstood the
    /// faults.
    Completed,
    /// Every step ran, but a probe left its tolerance during or after the method: the
    /// experiment found a weakness.
    Deviated,
    /// The steady state did not hold before any fault was injected, so nothing was learned
    /// and the method did not run.
    Failed,
    /// An action failed or timed out, so the method stopped early (rollbacks still ran).
    Aborted,
}

/// What one activity did, for the journal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityRecord {
    /// The activity's name (for steady-state probes, the measure).
    pub name: String,
    /// `action` or `probe`.
    pub kind: &'static str,
    /// When the activity started, in milliseconds since the experiment started.
    pub started_ms: f64,
    /// When it ended.
    pub ended_ms: f64,
    /// The measured value, for a probe that succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// The probe's tolerance, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<Tolerance>,
    /// Whether the activity did what it should: an action succeeded, a probe's value was taken
    /// and fell within its tolerance (if any).
    pub ok: bool,
    /// Why the action or the probe failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The steady-state hypothesis as checked at one moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HypothesisRecord {
    /// The hypothesis, in words.
    pub title: String,
    /// Whether every probe was within its tolerance.
    pub holds: bool,
    /// Each probe's record.
    pub probes: Vec<ActivityRecord>,
}

/// Everything an experiment run did and measured; serialise it to JSON for the record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Journal {
    /// The experiment's title.
    pub title: String,
    /// The seed the target drew its random choices from, as `CHAOS_SEED` accepts it.
    pub seed: String,
    /// How the run ended.
    pub status: Status,
    /// The steady state before the method.
    pub steady_state_before: HypothesisRecord,
    /// The method's activities, up to the one that aborted it, if any.
    pub method: Vec<ActivityRecord>,
    /// The steady state after the method, when the method ran to its end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steady_state_after: Option<HypothesisRecord>,
    /// The rollbacks' activities.
    pub rollbacks: Vec<ActivityRecord>,
    /// How long the whole run took, in milliseconds.
    pub duration_ms: f64,
}

/// Runs `experiment` against `target`: steady state, method, steady state, rollbacks.
///
/// The experiment is validated first. The method runs only when the steady state holds
/// first; the rollbacks run whenever the method started, even when an action aborted it.
/// Pauses use `tokio::time`, so under paused time an experiment runs instantly and
/// deterministically.
pub async fn run<T: Target>(
    experiment: &Experiment,
    seed: Seed,
    target: &mut T,
) -> Result<Journal, ExperimentError> {
    experiment.validate()?;
    let clock = Clock {
        start: Instant::now(),
        timeout: experiment.activity_timeout,
    };
    let before = check(&clock, target, &experiment.steady_state).await;
    let mut journal = Journal {
        title: experiment.title.clone(),
        seed: seed.to_string(),
        status: Status::Failed,
        steady_state_before: before,
        method: Vec::new(),
        steady_state_after: None,
        rollbacks: Vec::new(),
        duration_ms: 0.0,
    };
    if journal.steady_state_before.holds {
        journal.status = run_method(&clock, target, experiment, &mut journal).await;
        journal.rollbacks = run_all(&clock, target, &experiment.rollbacks).await;
    }
    journal.duration_ms = clock.now_ms();
    Ok(journal)
}

/// Runs the method and, when it completes, the second steady-state check.
async fn run_method<T: Target>(
    clock: &Clock,
    target: &mut T,
    experiment: &Experiment,
    journal: &mut Journal,
) -> Status {
    let mut deviated = false;
    for activity in &experiment.method {
        let record = perform(clock, target, activity).await;
        let ok = record.ok;
        journal.method.push(record);
        match (ok, &activity.action) {
            (false, Some(_)) => return Status::Aborted,
            (false, None) => deviated = true,
            (true, _) => {}
        }
    }
    let after = check(clock, target, &experiment.steady_state).await;
    deviated |= !after.holds;
    journal.steady_state_after = Some(after);
    if deviated {
        Status::Deviated
    } else {
        Status::Completed
    }
}

/// Runs every activity in order, whatever each one's outcome: rollbacks must all be tried.
async fn run_all<T: Target>(
    clock: &Clock,
    target: &mut T,
    activities: &[Activity],
) -> Vec<ActivityRecord> {
    let mut records = Vec::with_capacity(activities.len());
    for activity in activities {
        records.push(perform(clock, target, activity).await);
    }
    records
}

async fn check<T: Target>(clock: &Clock, target: &mut T, state: &SteadyState) -> HypothesisRecord {
    let mut probes = Vec::with_capacity(state.probes.len());
    for probe in &state.probes {
        probes.push(measure(clock, target, &probe.measure, probe).await);
    }
    HypothesisRecord {
        title: state.title.clone(),
        holds: probes.iter().all(|record| record.ok),
        probes,
    }
}

async fn perform<T: Target>(clock: &Clock, target: &mut T, activity: &Activity) -> ActivityRecord {
    tokio::time::sleep(activity.pause_before).await;
    let record = match (&activity.action, &activity.probe) {
        (Some(action), _) => {
            let started_ms = clock.now_ms();
            let outcome = clock.bounded(target.act(action)).await;
            ActivityRecord {
                name: activity.name.clone(),
                kind: "action",
                started_ms,
                ended_ms: clock.now_ms(),
                value: None,
                tolerance: None,
                ok: outcome.is_ok(),
                error: outcome.err(),
            }
        }
        (None, Some(probe)) => measure(clock, target, &activity.name, probe).await,
        (None, None) => unreachable!("run() validated that each activity has an action or a probe"),
    };
    tokio::time::sleep(activity.pause_after).await;
    record
}

async fn measure<T: Target>(
    clock: &Clock,
    target: &mut T,
    name: &str,
    probe: &Probe,
) -> ActivityRecord {
    let started_ms = clock.now_ms();
    let outcome = clock.bounded(target.probe(&probe.measure)).await;
    let (value, error) = match outcome {
        Ok(value) => (Some(value), None),
        Err(error) => (None, Some(error)),
    };
    let within = value.is_some_and(|value| probe.tolerance.is_none_or(|t| t.admits(value)));
    ActivityRecord {
        name: name.to_owned(),
        kind: "probe",
        started_ms,
        ended_ms: clock.now_ms(),
        value,
        tolerance: probe.tolerance,
        ok: within,
        error,
    }
}

/// The run's time origin and per-activity time limit.
struct Clock {
    start: Instant,
    timeout: Duration,
}

impl Clock {
    fn now_ms(&self) -> f64 {
        self.start.elapsed().as_secs_f64() * 1e3
    }

    /// Awaits `work` for at most the activity timeout; errors become their message.
    async fn bounded<V>(
        &self,
        work: impl Future<Output = Result<V, BoxError>>,
    ) -> Result<V, String> {
        match tokio::time::timeout(self.timeout, work).await {
            Ok(outcome) => outcome.map_err(|error| error.to_string()),
            Err(_) => Err(format!("timed out after {:?}", self.timeout)),
        }
    }
}

impl fmt::Display for Journal {
    /// A readable report: each phase, each activity with its value and verdict, the outcome.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "experiment: {}", self.title)?;
        writeln!(
            f,
            "seed:       {} (replay with CHAOS_SEED={})",
            self.seed, self.seed
        )?;
        write_hypothesis(f, "steady state before", &self.steady_state_before)?;
        if !self.method.is_empty() {
            writeln!(f, "method:")?;
            write_records(f, &self.method)?;
        }
        if let Some(after) = &self.steady_state_after {
            write_hypothesis(f, "steady state after", after)?;
        }
        if !self.rollbacks.is_empty() {
            writeln!(f, "rollbacks:")?;
            write_records(f, &self.rollbacks)?;
        }
        let verdict = match self.status {
            Status::Completed => "completed: the steady state held throughout",
            Status::Deviated => "deviated: the system left its steady state (a weakness found)",
            Status::Failed => "failed: the steady state did not hold before the method",
            Status::Aborted => "aborted: an action failed, the method stopped early",
        };
        writeln!(f, "outcome:    {verdict} ({:.1} s)", self.duration_ms / 1e3)
    }
}

fn write_hypothesis(
    f: &mut fmt::Formatter<'_>,
    phase: &str,
    record: &HypothesisRecord,
) -> fmt::Result {
    let verdict = if record.holds {
        "holds"
    } else {
        "DOES NOT HOLD"
    };
    writeln!(f, "{phase}: {} -> {verdict}", record.title)?;
    write_records(f, &record.probes)
}

fn write_records(f: &mut fmt::Formatter<'_>, records: &[ActivityRecord]) -> fmt::Result {
    for record in records {
        let verdict = if record.ok { "ok" } else { "FAILED" };
        write!(
            f,
            "  [{:>8.1} s] {:<6} {:<40} ",
            record.started_ms / 1e3,
            record.kind,
            record.name
        )?;
        if let Some(value) = record.value {
            write!(f, "= {value:.3} ")?;
        }
        if let Some(tolerance) = record.tolerance {
            write!(f, "({tolerance}) ")?;
        }
        if let Some(error) = &record.error {
            write!(f, "error: {error} ")?;
        }
        writeln!(f, "{verdict}")?;
    }
    Ok(())
}

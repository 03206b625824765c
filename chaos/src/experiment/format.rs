//! The experiment file: what a steady state is, which faults to inject, how to undo them.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::{Seed, SeedError};

/// Most probes a steady-state hypothesis may hold.
pub const PROBES_MAX: usize = 64;
/// Most activities in a method, and most actions in the rollbacks.
pub const ACTIVITIES_MAX: usize = 256;
/// Longest pause before or after an activity, and longest activity timeout.
pub const PAUSE_MAX: Duration = Duration::from_mins(10);

/// A chaos experiment, in the spirit of the Chaos Toolkit's: check a steady state, inject
/// faults over time, check the steady state again, undo the faults.
///
/// Read it from TOML with [`Experiment::from_toml`], which also validates it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Experiment {
    /// One line saying what the experiment shows.
    pub title: String,
    /// Why it matters, what the reader should take from it.
    #[serde(default)]
    pub description: String,
    /// Root seed for every random choice the target makes; when absent the runner draws one
    /// (from `CHAOS_SEED` or fresh) and records it in the journal.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Longest any one probe or action may take before it counts as failed.
    #[serde(default = "default_activity_timeout", with = "humantime_serde")]
    pub activity_timeout: Duration,
    /// Target-specific settings (which services to start, how much load a probe sends),
    /// passed through to the target untouched.
    #[serde(default)]
    pub target: toml::Table,
    /// What "working normally" means, checked before and after the method.
    pub steady_state: SteadyState,
    /// The faults, and the probes taken while they act, in order.
    pub method: Vec<Activity>,
    /// Actions that undo the method, run whenever the method started, even when it aborted.
    #[serde(default)]
    pub rollbacks: Vec<Activity>,
}

fn default_activity_timeout() -> Duration {
    Duration::from_mins(1)
}

/// The steady-state hypothesis: probes whose values must fall within their tolerances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SteadyState {
    /// What the hypothesis claims, in words.
    pub title: String,
    /// The measurements that make the claim.
    pub probes: Vec<Probe>,
}

/// A measurement the target knows how to take, with the range it should fall in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Probe {
    /// The target's name for the measurement (`success_ratio`, `latency_p99_ms`, ...).
    pub measure: String,
    /// The acceptable range; required in a steady state, optional in a method, where a probe
    /// without one is only recorded.
    #[serde(default)]
    pub tolerance: Option<Tolerance>,
}

/// An inclusive range a measurement must fall in; either end may be open.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tolerance {
    /// Smallest acceptable value.
    #[serde(default)]
    pub min: Option<f64>,
    /// Largest acceptable value.
    #[serde(default)]
    pub max: Option<f64>,
}

impl Tolerance {
    /// Whether `value` is within the range (NaN never is).
    #[must_use]
    pub fn admits(&self, value: f64) -> bool {
        !value.is_nan()
            && self.min.is_none_or(|min| value >= min)
            && self.max.is_none_or(|max| value <= max)
    }
}

impl std::fmt::Display for Tolerance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.min, self.max) {
            (Some(min), Some(max)) => write!(f, "in [{min}, {max}]"),
            (Some(min), None) => write!(f, ">= {min}"),
            (None, Some(max)) => write!(f, "<= {max}"),
            (None, None) => f.write_str("any value"),
        }
    }
}

/// One step of a method or of the rollbacks: an action or a probe, with pauses around it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Activity {
    /// What the step does, in words; shown in the report.
    pub name: String,
    /// Wait this long before the step.
    #[serde(default, with = "humantime_serde")]
    pub pause_before: Duration,
    /// Wait this long after the step: how long a fault is left to act.
    #[serde(default, with = "humantime_serde")]
    pub pause_after: Duration,
    /// The fault or repair to apply; exactly one of `action` and `probe` is set.
    #[serde(default)]
    pub action: Option<Action>,
    /// The measurement to take; exactly one of `action` and `probe` is set.
    #[serde(default)]
    pub probe: Option<Probe>,
}

/// A change made to the target's network, through its chaos proxies.
///
/// The vocabulary is Toxiproxy's, so an experiment reads the same whether the target runs the
/// workspace's in-process proxy or a Toxiproxy server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Action {
    /// Add a toxic to a proxy.
    AddToxic {
        /// The proxy's name.
        proxy: String,
        /// The toxic, as Toxiproxy's API describes one.
        toxic: ToxicSpec,
    },
    /// Remove a toxic from a proxy, by name.
    RemoveToxic {
        /// The proxy's name.
        proxy: String,
        /// The toxic's name (Toxiproxy's default is `<type>_<stream>`).
        toxic: String,
    },
    /// Disable a proxy: close its connections and refuse new ones.
    DisableProxy {
        /// The proxy's name.
        proxy: String,
    },
    /// Enable a disabled proxy.
    EnableProxy {
        /// The proxy's name.
        proxy: String,
    },
    /// Enable every proxy and remove every toxic (Toxiproxy's `POST /reset`).
    Reset,
}

/// A toxic in Toxiproxy's JSON shape: `{"name", "type", "stream", "toxicity", "attributes"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToxicSpec {
    /// The toxic's name; defaults to `<type>_<stream>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `latency`, `bandwidth`, `slow_close`, `timeout`, `reset_peer`, `slicer` or `limit_data`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `upstream` or `downstream` (the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<String>,
    /// Probability that the toxic applies to a connection; defaults to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toxicity: Option<f64>,
    /// The type's attributes, such as `latency` and `jitter` in milliseconds.
    #[serde(default)]
    pub attributes: BTreeMap<String, i64>,
}

/// Why an experiment file was rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExperimentError {
    /// The file is not valid TOML, or not an experiment's shape.
    #[error("experiment file: {0}")]
    Parse(#[from] toml::de::Error),
    /// A field breaks a rule; `field` is its path (`method[2].pause_after`).
    #[error("experiment field `{field}` {rule}")]
    Invalid {
        /// Path to the offending field.
        field: String,
        /// The rule it breaks.
        rule: String,
    },
}

impl Experiment {
    /// Parses and validates an experiment written in TOML.
    pub fn from_toml(text: &str) -> Result<Self, ExperimentError> {
        let experiment: Self = toml::from_str(text)?;
        experiment.validate()?;
        Ok(experiment)
    }

    /// The seed the experiment names, or else `CHAOS_SEED`, or else a fresh one.
    pub fn resolve_seed(&self) -> Result<Seed, SeedError> {
        self.seed
            .map_or_else(Seed::from_env_or_random, |value| Ok(Seed::new(value)))
    }

    /// Checks the rules serde cannot: bounds, non-empty names, tolerances that can be met.
    pub fn validate(&self) -> Result<(), ExperimentError> {
        if self.title.trim().is_empty() {
            return Err(invalid("title", "must not be empty"));
        }
        check_pause("activity_timeout", self.activity_timeout)?;
        if self.activity_timeout.is_zero() {
            return Err(invalid("activity_timeout", "must be more than zero"));
        }
        let probes = &self.steady_state.probes;
        if probes.is_empty() || probes.len() > PROBES_MAX {
            return Err(invalid(
                "steady_state.probes",
                format!("must hold 1 to {PROBES_MAX} probes, has {}", probes.len()),
            ));
        }
        for (index, probe) in probes.iter().enumerate() {
            let field = format!("steady_state.probes[{index}]");
            if probe.tolerance.is_none() {
                return Err(invalid(
                    field,
                    "needs a tolerance: it is what the hypothesis claims",
                ));
            }
            check_probe(&field, probe)?;
        }
        if self.method.is_empty() {
            return Err(invalid("method", "must hold at least one activity"));
        }
        check_activities("method", &self.method)?;
        check_activities("rollbacks", &self.rollbacks)
    }
}

fn check_activities(list: &str, activities: &[Activity]) -> Result<(), ExperimentError> {
    if activities.len() > ACTIVITIES_MAX {
        return Err(invalid(
            list,
            format!(
                "holds {} activities, at most {ACTIVITIES_MAX} allowed",
                activities.len()
            ),
        ));
    }
    for (index, activity) in activities.iter().enumerate() {
        let field = format!("{list}[{index}]");
        if activity.name.trim().is_empty() {
            return Err(invalid(format!("{field}.name"), "must not be empty"));
        }
        check_pause(&format!("{field}.pause_before"), activity.pause_before)?;
        check_pause(&format!("{field}.pause_after"), activity.pause_after)?;
        match (&activity.action, &activity.probe) {
            (Some(action), None) => check_action(&format!("{field}.action"), action)?,
            (None, Some(probe)) => check_probe(&format!("{field}.probe"), probe)?,
            _ => {
                return Err(invalid(
                    field,
                    "must set exactly one of `action` and `probe`",
                ));
            }
        }
    }
    Ok(())
}

fn check_pause(field: &str, pause: Duration) -> Result<(), ExperimentError> {
    if pause > PAUSE_MAX {
        return Err(invalid(
            field,
            format!("is {pause:?}, at most {PAUSE_MAX:?} allowed"),
        ));
    }
    Ok(())
}

fn check_probe(field: &str, probe: &Probe) -> Result<(), ExperimentError> {
    if probe.measure.trim().is_empty() {
        return Err(invalid(format!("{field}.measure"), "must not be empty"));
    }
    let Some(tolerance) = probe.tolerance else {
        return Ok(());
    };
    let field = format!("{field}.tolerance");
    let bounds = [tolerance.min, tolerance.max];
    if bounds.iter().flatten().any(|bound| !bound.is_finite()) {
        return Err(invalid(field, "bounds must be finite numbers"));
    }
    match (tolerance.min, tolerance.max) {
        (None, None) => Err(invalid(field, "must set `min`, `max` or both")),
        (Some(min), Some(max)) if min > max => {
            Err(invalid(field, format!("has min {min} above max {max}")))
        }
        _ => Ok(()),
    }
}

fn check_action(field: &str, action: &Action) -> Result<(), ExperimentError> {
    let proxy = match action {
        Action::AddToxic { proxy, toxic } => {
            if let Some(toxicity) = toxic.toxicity
                && !(0.0..=1.0).contains(&toxicity)
            {
                return Err(invalid(
                    format!("{field}.toxic.toxicity"),
                    format!("must be a probability in [0, 1], got {toxicity}"),
                ));
            }
            proxy
        }
        Action::RemoveToxic { proxy, .. }
        | Action::DisableProxy { proxy }
        | Action::EnableProxy { proxy } => proxy,
        Action::Reset => return Ok(()),
    };
    if proxy.trim().is_empty() {
        return Err(invalid(format!("{field}.proxy"), "must name a proxy"));
    }
    Ok(())
}

fn invalid(field: impl Into<String>, rule: impl Into<String>) -> ExperimentError {
    ExperimentError::Invalid {
        field: field.into(),
        rule: rule.into(),
    }
}

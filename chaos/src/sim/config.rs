//! [`SimConfig`]: the bounds and the network of a simulation.

use std::time::Duration;

use serde::Deserialize;

use super::error::SimError;

/// The most steps (`duration / tick`) a simulation may take: a bound on the wall-clock cost of
/// one run.
pub const STEPS_MAX: u128 = 10_000_000;

/// How a [`Simulation`](super::Simulation) runs: how long at most, in what steps, and how slow
/// its network is. Loadable from TOML, with durations written as `"10s"`:
///
/// ```
/// let config: chaos::sim::SimConfig = toml::from_str(r#"
///     duration = "2m"
///     tick = "1ms"
///     latency_min = "1ms"
///     latency_max = "20ms"
/// "#)?;
/// config.validate()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimConfig {
    /// The bound on simulated time: running a simulation past it is an error, so a test whose
    /// clients never finish fails instead of hanging.
    #[serde(with = "humantime_serde")]
    pub duration: Duration,
    /// Simulated time per step. Every host runs once per step, and messages are delivered at
    /// step boundaries, so latencies are rounded up to whole ticks.
    #[serde(with = "humantime_serde")]
    pub tick: Duration,
    /// The fastest a message crosses a link.
    #[serde(with = "humantime_serde")]
    pub latency_min: Duration,
    /// The slowest a message crosses a link. Each message's latency is drawn between the two,
    /// skewed towards the minimum (turmoil's exponential distribution), from the seed.
    #[serde(with = "humantime_serde")]
    pub latency_max: Duration,
}

impl Default for SimConfig {
    /// A minute at most, in 1 ms steps, over links of 1 to 10 ms.
    fn default() -> Self {
        Self {
            duration: Duration::from_mins(1),
            tick: Duration::from_millis(1),
            latency_min: Duration::from_millis(1),
            latency_max: Duration::from_millis(10),
        }
    }
}

impl SimConfig {
    /// Checks every field; the error names the first field that breaks a rule, and the rule.
    pub fn validate(&self) -> Result<(), SimError> {
        let invalid = |field, rule: String| Err(SimError::InvalidConfig { field, rule });
        if self.tick.is_zero() {
            return invalid("tick", "must be positive".to_owned());
        }
        if self.duration < self.tick {
            return invalid("duration", "must be at least one tick".to_owned());
        }
        if self.duration.as_nanos() / self.tick.as_nanos() > STEPS_MAX {
            return invalid(
                "duration",
                format!("must be at most {STEPS_MAX} ticks, to bound the cost of a run"),
            );
        }
        if self.latency_max < self.latency_min {
            return invalid("latency_max", "must be at least latency_min".to_owned());
        }
        Ok(())
    }
}

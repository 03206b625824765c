//! Configuration: plain structs with resilience4j's defaults, loadable from TOML, validated.

use std::time::Duration;

use serde::Deserialize;

use crate::{Error, State};

/// Largest sliding window accepted, in calls (count-based) or seconds (time-based).
///
/// The count-based window keeps one 8-byte slot per call and the time-based one a 32-byte
/// bucket per second; the bound keeps a breaker under 32 MiB even when a config file has
/// a typo in it.
pub const WINDOW_SIZE_MAX: u32 = 1 << 20;

/// Largest event buffer accepted, in events per subscriber.
pub const EVENT_CAPACITY_MAX: usize = 1 << 16;

/// How a breaker decides, from recent calls, whether the protected dependency is unhealthy.
///
/// Field names follow resilience4j's `CircuitBreakerConfig`, and so do the defaults, so a
/// configuration carries over from a JVM service. Durations are written as in
/// `"250ms"`, `"60s"` or `"2m"`.
///
/// ```
/// let config: circuit_breaker::Config = toml::from_str(r#"
///     failure_rate_threshold = 25.0
///     minimum_calls = 20
///     wait_in_open = { kind = "fixed", duration = "5s" }
///     sliding_window = { kind = "count", size = 50 }
/// "#).unwrap();
/// config.validate().unwrap();
/// assert_eq!(config.minimum_calls, 20);
/// ```
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Failure rate, in percent of the calls in the window, at or above which the breaker opens.
    pub failure_rate_threshold: f32,
    /// Slow-call rate, in percent, at or above which the breaker opens.
    pub slow_call_rate_threshold: f32,
    /// A call that takes at least this long is slow. `None` (`"off"` in TOML) turns
    /// slow-call detection off, and with a count-based window the breaker then never reads
    /// the clock on the closed path.
    #[serde(deserialize_with = "duration_or_off")]
    pub slow_call_duration: Option<Duration>,
    /// Calls that must be in the window before the rates are judged. For a count-based window
    /// the effective minimum is at most the window size, as in resilience4j.
    pub minimum_calls: u32,
    /// Probe calls admitted in half-open; the breaker decides after all of them report.
    pub permitted_calls_in_half_open: u32,
    /// Longest time to stay half-open waiting for probes; `None` (`"off"`) waits for ever.
    #[serde(deserialize_with = "duration_or_off")]
    pub max_wait_in_half_open: Option<Duration>,
    /// Where the breaker goes when `max_wait_in_half_open` runs out: `open` or `closed`.
    pub state_after_max_wait_in_half_open: State,
    /// The window of recent calls the rates are computed over.
    pub sliding_window: SlidingWindow,
    /// How long the breaker stays open before it admits probes.
    pub wait_in_open: WaitInOpen,
    /// Seed for the jitter of `wait_in_open`; logged when the breaker is built.
    pub seed: u64,
    /// Events buffered per subscriber before the slowest subscriber starts missing them.
    pub event_capacity: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            failure_rate_threshold: 50.0,
            slow_call_rate_threshold: 100.0,
            slow_call_duration: Some(Duration::from_mins(1)),
            minimum_calls: 100,
            permitted_calls_in_half_open: 10,
            max_wait_in_half_open: None,
            state_after_max_wait_in_half_open: State::Open,
            sliding_window: SlidingWindow::default(),
            wait_in_open: WaitInOpen::default(),
            seed: 0x5eed,
            event_capacity: 64,
        }
    }
}

/// The window of recent calls over which failure and slow-call rates are computed.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum SlidingWindow {
    /// The last `size` calls.
    Count {
        /// Number of calls in the window.
        size: u32,
    },
    /// The calls of the last `size` whole seconds, kept in one-second buckets.
    Time {
        /// Length of the window in seconds.
        size: u32,
    },
}

impl Default for SlidingWindow {
    fn default() -> Self {
        Self::Count { size: 100 }
    }
}

impl SlidingWindow {
    /// The window's size: calls for a count-based window, seconds for a time-based one.
    #[must_use]
    pub fn size(self) -> u32 {
        match self {
            Self::Count { size } | Self::Time { size } => size,
        }
    }
}

/// How long an open breaker waits before it lets probe calls through.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum WaitInOpen {
    /// The same wait every time.
    Fixed {
        /// The wait.
        #[serde(with = "humantime_serde")]
        duration: Duration,
    },
    /// `initial * multiplier^n` after the n-th consecutive reopening, randomised by
    /// `± randomization` of itself, and never more than `max`.
    Exponential {
        /// The first wait.
        #[serde(with = "humantime_serde")]
        initial: Duration,
        /// Growth factor per consecutive reopening, at least 1.
        multiplier: f64,
        /// Cap on the wait, jitter included.
        #[serde(with = "humantime_serde")]
        max: Duration,
        /// Jitter as a fraction of the wait, in `[0, 1)`; 0 turns jitter off.
        #[serde(default)]
        randomization: f64,
    },
}

impl Default for WaitInOpen {
    fn default() -> Self {
        Self::Fixed {
            duration: Duration::from_mins(1),
        }
    }
}

impl WaitInOpen {
    /// The wait after `reopenings` consecutive failed probes; `unit` is a uniform draw in
    /// `[0, 1)` that sets the jitter.
    #[must_use]
    pub fn wait(&self, reopenings: u32, unit: f64) -> Duration {
        match *self {
            Self::Fixed { duration } => duration,
            Self::Exponential {
                initial,
                multiplier,
                max,
                randomization,
            } => {
                let exponent = i32::try_from(reopenings).unwrap_or(i32::MAX);
                let base = initial.as_secs_f64() * multiplier.powi(exponent);
                let jittered = base * (1.0 + randomization * (2.0 * unit - 1.0));
                Duration::try_from_secs_f64(jittered.min(max.as_secs_f64())).unwrap_or(max)
            }
        }
    }
}

impl Config {
    /// Checks every field; the error names the first field that breaks a rule, and the rule.
    pub fn validate(&self) -> Result<(), Error> {
        percent("failure_rate_threshold", self.failure_rate_threshold)?;
        percent("slow_call_rate_threshold", self.slow_call_rate_threshold)?;
        if self.slow_call_duration == Some(Duration::ZERO) {
            return invalid(
                "slow_call_duration",
                "must be positive (omit it to disable)",
            );
        }
        if self.minimum_calls == 0 {
            return invalid("minimum_calls", "must be at least 1");
        }
        if self.permitted_calls_in_half_open == 0 {
            return invalid("permitted_calls_in_half_open", "must be at least 1");
        }
        if self.permitted_calls_in_half_open > WINDOW_SIZE_MAX {
            return invalid("permitted_calls_in_half_open", "must be at most 1048576");
        }
        if self.max_wait_in_half_open == Some(Duration::ZERO) {
            return invalid(
                "max_wait_in_half_open",
                "must be positive (omit it to wait for ever)",
            );
        }
        if !matches!(
            self.state_after_max_wait_in_half_open,
            State::Open | State::Closed
        ) {
            return invalid(
                "state_after_max_wait_in_half_open",
                "must be `open` or `closed`",
            );
        }
        let size = self.sliding_window.size();
        if size == 0 || size > WINDOW_SIZE_MAX {
            return invalid("sliding_window.size", "must be in 1..=1048576");
        }
        self.validate_wait()?;
        if self.event_capacity == 0 || self.event_capacity > EVENT_CAPACITY_MAX {
            return invalid("event_capacity", "must be in 1..=65536");
        }
        Ok(())
    }

    fn validate_wait(&self) -> Result<(), Error> {
        match self.wait_in_open {
            WaitInOpen::Fixed { duration } if duration.is_zero() => {
                invalid("wait_in_open.duration", "must be positive")
            }
            WaitInOpen::Fixed { .. } => Ok(()),
            WaitInOpen::Exponential {
                initial,
                multiplier,
                max,
                randomization,
            } => {
                if initial.is_zero() {
                    invalid("wait_in_open.initial", "must be positive")
                } else if !(multiplier.is_finite() && multiplier >= 1.0) {
                    invalid("wait_in_open.multiplier", "must be a finite number >= 1")
                } else if max < initial {
                    invalid("wait_in_open.max", "must be at least `initial`")
                } else if !(0.0..1.0).contains(&randomization) {
                    invalid("wait_in_open.randomization", "must be in [0, 1)")
                } else {
                    Ok(())
                }
            }
        }
    }

    /// The minimum number of calls actually applied: at most the window size for a
    /// count-based window.
    pub(crate) fn effective_minimum_calls(&self) -> u32 {
        match self.sliding_window {
            SlidingWindow::Count { size } => self.minimum_calls.min(size),
            SlidingWindow::Time { .. } => self.minimum_calls,
        }
    }
}

/// Reads `"250ms"`-style durations, or `"off"` for none.
fn duration_or_off<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Duration>, D::Error> {
    let text = String::deserialize(deserializer)?;
    if text == "off" {
        return Ok(None);
    }
    humantime::parse_duration(&text)
        .map(Some)
        .map_err(|error| serde::de::Error::custom(format!("{error} (or \"off\")")))
}

fn percent(field: &'static str, value: f32) -> Result<(), Error> {
    if value > 0.0 && value <= 100.0 {
        Ok(())
    } else {
        invalid(field, "must be a percentage in (0, 100]")
    }
}

fn invalid(field: &'static str, rule: &'static str) -> Result<(), Error> {
    Err(Error::InvalidConfig { field, rule })
}

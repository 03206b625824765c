//! Client workloads: seeded streams of register operations, bounded in count and time.

use std::time::Duration;

use serde::Deserialize;

use super::{Call, HistoryError};
use crate::Rng;

/// The most keys a workload spreads its operations over.
pub const KEYS_MAX: usize = 1 << 16;

/// A workload's mix and bounds, loadable from TOML with durations such as `"30s"`.
///
/// The mix is three weights: with the defaults, half the operations are reads and a quarter
/// each writes and compare-and-sets, as in Jepsen's register workloads. Written values are
/// drawn from `0..values`; a small range makes compare-and-sets succeed often enough to be
/// interesting.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkloadConfig {
    /// Registers to spread operations over; 0 means one register without a key.
    pub keys: usize,
    /// Weight of reads in the mix.
    pub reads: u32,
    /// Weight of writes in the mix.
    pub writes: u32,
    /// Weight of compare-and-sets in the mix.
    pub cas: u32,
    /// Values written and compared are drawn from `0..values`.
    pub values: i64,
    /// The count bound: no more operations than this.
    pub operations_max: usize,
    /// The time bound: no operation is issued at or after this much time into the run.
    #[serde(with = "humantime_serde")]
    pub duration: Duration,
}

impl Default for WorkloadConfig {
    fn default() -> Self {
        Self {
            keys: 0,
            reads: 2,
            writes: 1,
            cas: 1,
            values: 5,
            operations_max: 1_000,
            duration: Duration::from_mins(1),
        }
    }
}

impl WorkloadConfig {
    /// Checks every field; the error names the first field that breaks a rule.
    pub fn validate(&self) -> Result<(), HistoryError> {
        let invalid = |field, rule: String| Err(HistoryError::InvalidWorkload { field, rule });
        if self.keys > KEYS_MAX {
            return invalid("keys", format!("must be at most {KEYS_MAX}"));
        }
        if u64::from(self.reads) + u64::from(self.writes) + u64::from(self.cas) == 0 {
            return invalid(
                "reads",
                "reads, writes and cas weights cannot all be 0".into(),
            );
        }
        if self.values < 1 {
            return invalid("values", format!("must be at least 1, got {}", self.values));
        }
        if self.operations_max == 0 {
            return invalid("operations_max", "must be at least 1".into());
        }
        if self.duration.is_zero() {
            return invalid("duration", "must be positive".into());
        }
        Ok(())
    }
}

/// One operation a client should perform next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    /// The register's key; `None` for a workload over one register.
    pub key: Option<String>,
    /// What to do to it.
    pub call: Call,
}

/// A seeded, sans-IO generator of client operations, like Jepsen's generators under its
/// `limit` and `time-limit` combinators.
///
/// The caller passes how long the run has lasted, so the generator works under any clock
/// (paused tokio time, a turmoil simulation, the wall clock). The same config and seed give
/// the same operations.
///
/// ```
/// use std::time::Duration;
///
/// use chaos::{Call, Seed, Workload, WorkloadConfig};
///
/// let config = WorkloadConfig { operations_max: 3, ..WorkloadConfig::default() };
/// let mut workload = Workload::new(&config, Seed::new(7).stream("workload"))?;
/// let mut issued = 0;
/// while let Some(op) = workload.next_op(Duration::from_secs(issued)) {
///     assert!(matches!(op.call, Call::Read | Call::Write(0..5) | Call::Cas { .. }));
///     issued += 1;
/// }
/// assert_eq!(issued, 3);
/// # Ok::<(), chaos::HistoryError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Workload {
    config: WorkloadConfig,
    rng: Rng,
    issued: usize,
}

impl Workload {
    /// A workload following `config`, drawing every choice from `rng`.
    pub fn new(config: &WorkloadConfig, rng: Rng) -> Result<Self, HistoryError> {
        config.validate()?;
        Ok(Self {
            config: config.clone(),
            rng,
            issued: 0,
        })
    }

    /// The next operation, or `None` once `operations_max` were issued or `elapsed` has
    /// reached the duration. After `None`, it stays `None`.
    pub fn next_op(&mut self, elapsed: Duration) -> Option<Op> {
        if self.issued >= self.config.operations_max || elapsed >= self.config.duration {
            self.issued = self.config.operations_max;
            return None;
        }
        self.issued += 1;
        let key =
            (self.config.keys > 0).then(|| format!("k{}", self.rng.below(self.config.keys as u64)));
        Some(Op {
            key,
            call: self.call(),
        })
    }

    /// How many operations were issued so far.
    #[must_use]
    pub fn issued(&self) -> usize {
        self.issued
    }

    fn call(&mut self) -> Call {
        let (reads, writes, cas) = (
            u64::from(self.config.reads),
            u64::from(self.config.writes),
            u64::from(self.config.cas),
        );
        let pick = self.rng.below(reads + writes + cas);
        if pick < reads {
            Call::Read
        } else if pick < reads + writes {
            Call::Write(self.value())
        } else {
            Call::Cas {
                from: self.value(),
                to: self.value(),
            }
        }
    }

    fn value(&mut self) -> i64 {
        // `values` is validated positive, so the draw is below it and fits an i64.
        self.rng
            .below(self.config.values.unsigned_abs())
            .cast_signed()
    }
}

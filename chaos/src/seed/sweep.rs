//! Sweeps: one test body run under many seeds, each failure reported with its own replay
//! command.

use std::future::Future;
use std::panic::{self, AssertUnwindSafe};

use tower::BoxError;

use super::{Seed, TestSeed};

/// The most cases one sweep runs: enough for a thorough search, few enough that a slip such as
/// `u32::MAX` is an error instead of a test that never ends.
pub const SWEEP_CASES_MAX: u32 = 100_000;

/// The site whose stream gives the seeds of a sweep's cases after the first.
const SWEEP_SITE: &str = "chaos::sweep";

/// Why a sweep failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SweepError {
    /// The number of cases is zero or above [`SWEEP_CASES_MAX`].
    #[error("a sweep runs between 1 and {SWEEP_CASES_MAX} cases, got {cases}")]
    InvalidCases {
        /// The rejected number of cases.
        cases: u32,
    },
    /// A case returned an error; the sweep stopped there.
    #[error(
        "sweep case {case} of {cases} failed with CHAOS_SEED={seed}: {source}; replay it with: {command}"
    )]
    Failed {
        /// The failing case, numbered from 0.
        case: u32,
        /// The number of cases the sweep was to run.
        cases: u32,
        /// The failing case's seed.
        seed: Seed,
        /// The command that replays the failing case first.
        command: String,
        /// The case's error.
        #[source]
        source: BoxError,
    },
}

impl TestSeed {
    /// Runs `case` once per seed, `cases` times, stopping at the first failure.
    ///
    /// Case 0 runs with the root seed and case `i` with the `i`-th draw of the root's
    /// `chaos::sweep` stream, so the same root replays the same sweep. A failing case is reported
    /// with its seed and a command that sets `CHAOS_SEED` to it: the rerun's case 0 is then the
    /// failing case. An error returned by `case` becomes [`SweepError::Failed`]; a panic is
    /// reported the same way on stderr and then resumed, failing the test as a panic.
    ///
    /// ```
    /// let seed = chaos::test_seed!()?;
    /// seed.sweep(100, |seed| {
    ///     let mut rng = seed.stream("dice");
    ///     let roll = rng.below(6) + 1;
    ///     if (1..=6).contains(&roll) { Ok(()) } else { Err(format!("rolled {roll}")) }
    /// })?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sweep<E>(
        &self,
        cases: u32,
        mut case: impl FnMut(Seed) -> Result<(), E>,
    ) -> Result<(), SweepError>
    where
        E: Into<BoxError>,
    {
        if !(1..=SWEEP_CASES_MAX).contains(&cases) {
            return Err(SweepError::InvalidCases { cases });
        }
        let mut derived = self.seed().stream(SWEEP_SITE);
        for index in 0..cases {
            let seed = if index == 0 {
                self.seed()
            } else {
                Seed::new(derived.next_u64())
            };
            // The closure is not used again after a panic: the panic is resumed at once.
            match panic::catch_unwind(AssertUnwindSafe(|| case(seed))) {
                Ok(Ok(())) => {}
                Ok(Err(error)) => {
                    self.mark_reported();
                    return Err(SweepError::Failed {
                        case: index,
                        cases,
                        seed,
                        command: self.replay_command_with(seed),
                        source: error.into(),
                    });
                }
                Err(payload) => {
                    self.mark_reported();
                    eprintln!(
                        "chaos: sweep case {index} of {cases} panicked with {}={seed}; replay it with:\n    {}",
                        Seed::ENV_VAR,
                        self.replay_command_with(seed)
                    );
                    panic::resume_unwind(payload);
                }
            }
        }
        Ok(())
    }

    /// [`sweep`](Self::sweep) for async test bodies: each case runs on a fresh single-threaded
    /// tokio runtime whose clock starts paused, as under `#[tokio::test(start_paused = true)]`.
    ///
    /// A fresh runtime per case means each case's clock starts at zero and no task outlives its
    /// case. Call it from a plain `#[test]`: a runtime cannot be started inside another, so it
    /// panics under `#[tokio::test]`.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let seed = chaos::test_seed!()?;
    /// seed.sweep_async(20, |seed| async move {
    ///     let delay = Duration::from_millis(seed.stream("delay").below(1_000));
    ///     let start = tokio::time::Instant::now();
    ///     tokio::time::sleep(delay).await;
    ///     if start.elapsed() == delay { Ok(()) } else { Err("the paused clock drifted") }
    /// })?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sweep_async<E, F, Fut>(&self, cases: u32, mut case: F) -> Result<(), SweepError>
    where
        F: FnMut(Seed) -> Fut,
        Fut: Future<Output = Result<(), E>>,
        E: Into<BoxError>,
    {
        self.sweep(cases, |seed| -> Result<(), BoxError> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .start_paused(true)
                .build()?;
            runtime.block_on(case(seed)).map_err(Into::into)
        })
    }
}

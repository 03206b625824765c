//! [`TestSeed`]: a test's root seed, printed at the start and turned into a replay command if
//! the test fails.

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use super::{Seed, SeedError};
use crate::Rng;

/// Creates the [`TestSeed`] of the calling test: `CHAOS_SEED` if set, else a fresh seed.
///
/// Expands to [`TestSeed::from_env`] with the calling crate's package and target names, which
/// only the caller's build knows; they make the replay command exact.
///
/// ```
/// let seed = chaos::test_seed!()?;
/// let mut backend = seed.stream("backend");
/// # let _ = backend.next_u64();
/// # Ok::<(), chaos::SeedError>(())
/// ```
#[macro_export]
macro_rules! test_seed {
    () => {
        $crate::TestSeed::from_env(
            ::core::env!("CARGO_PKG_NAME"),
            ::core::env!("CARGO_CRATE_NAME"),
        )
    };
}

/// The root seed of one test, which prints how to replay the test if it fails.
///
/// Create it first thing in a test with [`test_seed!`](crate::test_seed) and keep it alive to
/// the end: it prints `CHAOS_SEED=...` when created, and if the test panics while it is alive
/// (checked on drop with [`std::thread::panicking`]) it prints the command that reruns exactly
/// this test with exactly this seed:
///
/// ```text
/// chaos: breaker::opens_under_partition failed; replay it with:
///     CHAOS_SEED=0x9f3c27d1b04e8a65 cargo test -p circuit-breaker --test it -- breaker::opens_under_partition --exact
/// ```
///
/// The test's name is the name of the thread it runs on, which is how the standard test harness
/// names its threads; `#[tokio::test]` bodies run on that thread too. Add the `--features` the
/// test needs, if any, to the printed command.
#[derive(Debug)]
pub struct TestSeed {
    seed: Seed,
    package: &'static str,
    /// The compiled target: the library's crate name for unit tests, the test binary's name for
    /// integration tests.
    crate_name: &'static str,
    /// The running test's name, or `None` outside the test harness.
    test: Option<String>,
    /// Set once a failure has been reported, so the drop does not report it again.
    reported: AtomicBool,
}

impl TestSeed {
    /// Reads `CHAOS_SEED` (see [`Seed::from_env_or_random`]) and prints the seed.
    ///
    /// `package` and `crate_name` are the values of `CARGO_PKG_NAME` and `CARGO_CRATE_NAME` for
    /// the test's crate; [`test_seed!`](crate::test_seed) fills them in.
    pub fn from_env(package: &'static str, crate_name: &'static str) -> Result<Self, SeedError> {
        Ok(Self::new(Seed::from_env_or_random()?, package, crate_name))
    }

    /// Wraps a given seed, for a test that must replay one particular run.
    #[must_use]
    pub fn new(seed: Seed, package: &'static str, crate_name: &'static str) -> Self {
        let test = thread::current()
            .name()
            .filter(|name| *name != "main")
            .map(str::to_owned);
        let this = Self {
            seed,
            package,
            crate_name,
            test,
            reported: AtomicBool::new(false),
        };
        eprintln!("chaos: {}={seed} for {}", Seed::ENV_VAR, this.test_label());
        this
    }

    /// The root seed.
    #[must_use]
    pub fn seed(&self) -> Seed {
        self.seed
    }

    /// The independent stream of one fault site: [`Seed::stream`] of the root seed.
    #[must_use]
    pub fn stream(&self, site: &str) -> Rng {
        self.seed.stream(site)
    }

    /// The shell command that reruns this test with the root seed.
    #[must_use]
    pub fn replay_command(&self) -> String {
        self.replay_command_with(self.seed)
    }

    /// The shell command that reruns this test with `seed` in `CHAOS_SEED`.
    pub(super) fn replay_command_with(&self, seed: Seed) -> String {
        let target = if self.crate_name == self.package.replace('-', "_") {
            "--lib".to_owned()
        } else {
            format!("--test {}", self.crate_name)
        };
        let filter = self
            .test
            .as_ref()
            .map(|test| format!(" -- {test} --exact"))
            .unwrap_or_default();
        format!(
            "{}={seed} cargo test -p {} {target}{filter}",
            Seed::ENV_VAR,
            self.package
        )
    }

    /// Records that a failure has been reported with its own replay command.
    pub(super) fn mark_reported(&self) {
        self.reported.store(true, Ordering::Relaxed);
    }

    fn test_label(&self) -> &str {
        self.test.as_deref().unwrap_or(self.crate_name)
    }
}

impl Drop for TestSeed {
    fn drop(&mut self) {
        if thread::panicking() && !self.reported.load(Ordering::Relaxed) {
            eprintln!(
                "chaos: {} failed; replay it with:\n    {}",
                self.test_label(),
                self.replay_command()
            );
        }
    }
}

//! Root seeds: where a test's randomness comes from, and how to replay it.
//!
//! [`Seed`] is the value; [`TestSeed`] ties one to a running test and prints its replay command
//! if the test fails; [`TestSeed::sweep`] runs a test body under many seeds.

use std::env::{self, VarError};
use std::ffi::OsString;
use std::fmt;
use std::num::ParseIntError;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::rng::{Rng, mix64};

mod sweep;
mod test_seed;

pub use sweep::{SWEEP_CASES_MAX, SweepError};
pub use test_seed::TestSeed;

/// The root seed of a test run, from which every fault site derives its own [`Rng`] stream.
///
/// Print it with `Display` (`eprintln!("CHAOS_SEED={seed}")`) and a failing run can be replayed
/// by setting that environment variable: the output parses back to the same seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Seed(u64);

impl Seed {
    /// The environment variable read by [`Seed::from_env_or_random`].
    pub const ENV_VAR: &'static str = "CHAOS_SEED";

    /// Wraps a fixed seed, for tests that must see the same faults on every run.
    #[must_use]
    pub const fn new(value: u64) -> Self {
        Self(value)
    }

    /// Returns the seed's value.
    #[must_use]
    pub const fn value(self) -> u64 {
        self.0
    }

    /// Reads the seed from `CHAOS_SEED`, or draws a fresh one when the variable is unset.
    ///
    /// The value is a decimal `u64` (`42`) or `0x`-prefixed hexadecimal (`0x2a`); anything else,
    /// including an empty value, is an error rather than a silently random run.
    pub fn from_env_or_random() -> Result<Self, SeedError> {
        Self::from_var(env::var(Self::ENV_VAR))
    }

    /// Derives the independent stream for one named fault site.
    ///
    /// The stream depends only on the root seed and `site`, so adding, removing or reordering
    /// other sites never changes it.
    #[must_use]
    pub fn stream(&self, site: &str) -> Rng {
        // `Rng::new` runs the combined value through SplitMix64, whose mixing spreads the
        // few bits in which two site hashes differ over the whole generator state.
        Rng::new(self.0 ^ fnv1a(site.as_bytes()))
    }

    /// Resolves a lookup of [`Seed::ENV_VAR`]; separate from the lookup so tests need not
    /// mutate the process environment.
    fn from_var(var: Result<String, VarError>) -> Result<Self, SeedError> {
        match var {
            Ok(value) => value.parse(),
            Err(VarError::NotPresent) => Ok(Self::fresh()),
            Err(VarError::NotUnicode(value)) => Err(SeedError::NotUnicode { value }),
        }
    }

    /// Draws a seed that differs between calls, runs and concurrent processes.
    fn fresh() -> Self {
        // The clock separates runs; the counter separates seeds drawn within one clock tick;
        // the process id separates test binaries started at the same instant.
        static DRAWN: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos() as u64);
        let count = DRAWN.fetch_add(1, Ordering::Relaxed);
        let process = u64::from(std::process::id()) << 32;
        Self(mix64(nanos ^ mix64(count ^ process)))
    }
}

impl fmt::Display for Seed {
    /// Formats as fixed-width hexadecimal, a form that [`Seed::from_str`] parses back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#018x}", self.0)
    }
}

impl FromStr for Seed {
    type Err = SeedError;

    /// Parses a decimal `u64` (`42`) or `0x`-prefixed hexadecimal (`0x2a`, `0X2A`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parsed = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
            Some(hex) => u64::from_str_radix(hex, 16),
            None => s.parse(),
        };
        parsed.map(Self).map_err(|source| SeedError::Invalid {
            value: s.to_owned(),
            source,
        })
    }
}

/// Why a seed could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SeedError {
    /// The value is neither a decimal nor a `0x`-prefixed hexadecimal `u64`.
    #[error(
        "invalid seed {value:?}: CHAOS_SEED must be a decimal u64 (like 42) or 0x-prefixed hex (like 0x2a)"
    )]
    Invalid {
        /// The rejected text.
        value: String,
        /// Why it did not parse (empty, bad digit, too large).
        #[source]
        source: ParseIntError,
    },
    /// `CHAOS_SEED` is set but is not valid Unicode, so it cannot be a number.
    #[error("CHAOS_SEED is not valid Unicode: {value:?}")]
    NotUnicode {
        /// The raw value of the variable.
        value: OsString,
    },
}

/// FNV-1a, 64-bit (Fowler, Noll and Vo, <http://www.isthe.com/chongo/tech/comp/fnv/>).
///
/// A fixed, published hash, unlike `std`'s `DefaultHasher`, whose algorithm may change between
/// Rust releases and would silently change every site's stream.
fn fnv1a(bytes: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET_BASIS, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    })
}

#[cfg(test)]
mod tests {
    use std::env::VarError;
    use std::ffi::OsString;

    use super::{Seed, SeedError, fnv1a};

    #[test]
    fn fnv1a_matches_the_reference_values() {
        // Test vectors from the FNV reference suite.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn a_set_variable_is_parsed() {
        assert_eq!(Seed::from_var(Ok("0x2a".into())), Ok(Seed::new(42)));
    }

    #[test]
    fn a_malformed_variable_is_an_error_not_a_random_seed() {
        let err = Seed::from_var(Ok("forty-two".into())).expect_err("not a number");
        assert!(matches!(err, SeedError::Invalid { ref value, .. } if value == "forty-two"));
    }

    #[test]
    fn a_non_unicode_variable_is_an_error() {
        // `from_var` passes the raw value through untouched, so any `OsString` can stand in
        // for a non-Unicode one (which cannot be built portably without `unsafe`).
        let raw = OsString::from("stand-in");
        let err = Seed::from_var(Err(VarError::NotUnicode(raw.clone()))).expect_err("rejected");
        assert_eq!(err, SeedError::NotUnicode { value: raw });
        assert!(err.to_string().contains("CHAOS_SEED"));
    }

    #[test]
    fn an_unset_variable_draws_a_different_seed_each_time() {
        let first = Seed::from_var(Err(VarError::NotPresent)).expect("fresh seed");
        let second = Seed::from_var(Err(VarError::NotPresent)).expect("fresh seed");
        // The counter differs between the two draws and the mixers are bijections, so the seeds
        // can only collide if the clock moved by exactly the XOR of the two mixed counters.
        assert_ne!(first, second);
    }
}

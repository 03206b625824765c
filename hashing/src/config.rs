//! Configuration: which algorithm, with which bounds, loadable from TOML and validated.

use serde::Deserialize;

use crate::{Anchor, Error, Jump, JumpBack, Maglev, MultiProbe, Placer, Rendezvous, Ring};

/// Largest `nodes_max` accepted.
pub const NODES_MAX: u32 = 1 << 16;

/// Largest node weight accepted.
pub const WEIGHT_MAX: u32 = 1_000;

/// Largest number of ring points per unit of weight.
pub const VNODES_MAX: u32 = 4_096;

/// Largest number of points a ring holds: 28 bytes each (hash, owner and the replica set
/// of up to four nodes that starts there) plus its index, about 128 MiB.
pub const RING_POINTS_MAX: usize = 1 << 22;

/// Largest number of probes per key for multi-probe hashing.
pub const PROBES_MAX: u32 = 64;

/// Largest Maglev table: 4 bytes an entry, 64 MiB.
pub const TABLE_SIZE_MAX: u32 = 1 << 24;

/// Which algorithm to build, and its bounds.
///
/// ```
/// let config: hashing::Config = toml::from_str(r#"
///     nodes_max = 1000
///     algorithm = { kind = "maglev", table_size = 65537 }
/// "#).unwrap();
/// let placer = config.build().unwrap();
/// assert_eq!(hashing::ConsistentHash::name(&placer), "maglev");
/// ```
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The most nodes the set may hold; memory is bounded by it. At most [`NODES_MAX`].
    pub nodes_max: u32,
    /// The algorithm and its parameters.
    pub algorithm: Algorithm,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            nodes_max: 1_024,
            algorithm: Algorithm::default(),
        }
    }
}

/// A consistent-hashing algorithm and its parameters.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Algorithm {
    /// A ring with virtual nodes ([`Ring`]).
    Ring {
        /// Points per unit of weight; ketama uses 160. At most [`VNODES_MAX`], and
        /// `vnodes * nodes_max` at most [`RING_POINTS_MAX`].
        vnodes: u32,
    },
    /// Jump consistent hash ([`Jump`]).
    Jump,
    /// `JumpBackHash` ([`JumpBack`]).
    JumpBack,
    /// Weighted rendezvous hashing ([`Rendezvous`]).
    Rendezvous,
    /// Maglev's lookup table ([`Maglev`]).
    Maglev {
        /// Entries in the table: a prime above `nodes_max`, at most [`TABLE_SIZE_MAX`].
        /// Omitted, it is the smallest prime above `100 * nodes_max`, the paper's advice
        /// for an imbalance under about 1%.
        #[serde(default)]
        table_size: Option<u32>,
    },
    /// Multi-probe consistent hashing ([`MultiProbe`]).
    MultiProbe {
        /// Probes per key, in `1..=PROBES_MAX`; the paper's 21 gives a peak-to-mean of 1.05.
        probes: u32,
    },
    /// `AnchorHash` ([`Anchor`]), with `nodes_max` as its anchor set.
    Anchor,
}

impl Default for Algorithm {
    fn default() -> Self {
        Self::Ring { vnodes: 160 }
    }
}

impl Config {
    /// Checks every field; the error names the first field that breaks a rule, and the rule.
    pub fn validate(&self) -> Result<(), Error> {
        check_nodes_max(self.nodes_max)?;
        match self.algorithm {
            Algorithm::Ring { vnodes } => check_vnodes(vnodes, self.nodes_max),
            Algorithm::Maglev { table_size } => {
                table_size.map_or(Ok(()), |size| check_table_size(size, self.nodes_max))
            }
            Algorithm::MultiProbe { probes } => check_probes(probes),
            Algorithm::Jump | Algorithm::JumpBack | Algorithm::Rendezvous | Algorithm::Anchor => {
                Ok(())
            }
        }
    }

    /// Builds the configured algorithm with no members.
    pub fn build(&self) -> Result<Placer, Error> {
        let nodes_max = self.nodes_max;
        Ok(match self.algorithm {
            Algorithm::Ring { vnodes } => Placer::Ring(Ring::new(vnodes, nodes_max)?),
            Algorithm::Jump => Placer::Jump(Jump::new(nodes_max)?),
            Algorithm::JumpBack => Placer::JumpBack(JumpBack::new(nodes_max)?),
            Algorithm::Rendezvous => Placer::Rendezvous(Rendezvous::new(nodes_max)?),
            Algorithm::Maglev { table_size } => Placer::Maglev(match table_size {
                Some(size) => Maglev::with_table_size(size, nodes_max)?,
                None => Maglev::new(nodes_max)?,
            }),
            Algorithm::MultiProbe { probes } => {
                Placer::MultiProbe(MultiProbe::new(probes, nodes_max)?)
            }
            Algorithm::Anchor => Placer::Anchor(Anchor::new(nodes_max)?),
        })
    }
}

pub(crate) fn check_nodes_max(nodes_max: u32) -> Result<(), Error> {
    if (1..=NODES_MAX).contains(&nodes_max) {
        Ok(())
    } else {
        invalid("nodes_max", "must be in 1..=65536")
    }
}

pub(crate) fn check_vnodes(vnodes: u32, nodes_max: u32) -> Result<(), Error> {
    check_nodes_max(nodes_max)?;
    if !(1..=VNODES_MAX).contains(&vnodes) {
        return invalid("algorithm.vnodes", "must be in 1..=4096");
    }
    if vnodes as usize * nodes_max as usize > RING_POINTS_MAX {
        return invalid(
            "algorithm.vnodes",
            "times `nodes_max` must be at most 4194304 points",
        );
    }
    Ok(())
}

pub(crate) fn check_table_size(table_size: u32, nodes_max: u32) -> Result<(), Error> {
    check_nodes_max(nodes_max)?;
    if table_size > TABLE_SIZE_MAX {
        invalid("algorithm.table_size", "must be at most 16777216")
    } else if table_size <= nodes_max {
        invalid("algorithm.table_size", "must be greater than `nodes_max`")
    } else if !is_prime(table_size) {
        invalid("algorithm.table_size", "must be prime")
    } else {
        Ok(())
    }
}

pub(crate) fn check_probes(probes: u32) -> Result<(), Error> {
    if (1..=PROBES_MAX).contains(&probes) {
        Ok(())
    } else {
        invalid("algorithm.probes", "must be in 1..=64")
    }
}

/// Trial division; table sizes are at most 2^24, so at most 2^11 odd divisors.
pub(crate) fn is_prime(n: u32) -> bool {
    if n < 4 {
        return n >= 2;
    }
    if n.is_multiple_of(2) {
        return false;
    }
    let n = u64::from(n);
    (3..)
        .step_by(2)
        .take_while(|d| d * d <= n)
        .all(|d| n % d != 0)
}

/// The smallest prime greater than `n`.
pub(crate) fn prime_above(n: u32) -> u32 {
    // Bertrand's postulate bounds the search by `n` more numbers.
    (n + 1..=n.saturating_mul(2).max(3))
        .find(|&candidate| is_prime(candidate))
        .expect("there is a prime between n and 2n")
}

fn invalid(field: &'static str, rule: &'static str) -> Result<(), Error> {
    Err(Error::InvalidConfig { field, rule })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primes_are_recognised() {
        let primes: Vec<u32> = (0..30).filter(|&n| is_prime(n)).collect();
        assert_eq!(primes, [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
        assert!(is_prime(65_537));
        assert!(!is_prime(65_535));
        assert_eq!(prime_above(100_000), 100_003);
        assert_eq!(prime_above(65_536), 65_537);
        assert_eq!(prime_above(0), 2);
    }
}

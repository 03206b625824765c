//! Hash functions. Every placement decision is a function of these, so they are part of the
//! crate's compatibility contract: the golden vectors in the tests below must never change,
//! or an upgrade would move data between nodes.
//!
//! - Keys are hashed with XXH3-64 (seed 0) over their bytes — never with std's `Hash` and
//!   `DefaultHasher`, whose output is not specified and may change between Rust releases.
//! - Node ids, probe numbers and seeds are mixed into 64-bit values with the `SplitMix64`
//!   finaliser (Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
//!   OOPSLA 2014): a bijection on `u64` with full avalanche, so distinct inputs never
//!   collide.

/// `SplitMix64`'s increment, the golden ratio in 64 bits.
pub(crate) const GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// The stable hash of a key's bytes: XXH3-64 with seed 0.
///
/// Every `get`, `replicas` and `probes` call on bytes goes through this function; call it
/// yourself and use the `*_hashed` methods to hash a key once for several lookups.
///
/// ```
/// assert_eq!(hashing::key_hash(b""), 0x2d06_8005_38d3_94c2);
/// ```
#[must_use]
#[inline]
pub fn key_hash(key: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(key)
}

/// `SplitMix64`'s output function: a bijective mixer with full avalanche.
#[must_use]
#[inline]
pub(crate) fn mix(value: u64) -> u64 {
    let mut z = value;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The `attempt`-th independent hash of a key hash; attempt 0 is the hash itself, so the
/// first probe of a rehashing sequence is the plain lookup.
#[must_use]
#[inline]
pub(crate) fn rehash(hash: u64, attempt: u64) -> u64 {
    if attempt == 0 {
        hash
    } else {
        mix(hash ^ attempt.wrapping_mul(GAMMA))
    }
}

/// Maps a uniform 64-bit hash to `0..range` without a division (Lemire, "Fast random integer
/// generation in an interval", ACM TOMACS 2019): the high half of a 128-bit product.
#[must_use]
#[inline]
pub(crate) fn reduce(hash: u64, range: u32) -> u32 {
    ((u128::from(hash) * u128::from(range)) >> 64) as u32
}

/// A uniform draw in the open interval (0, 1) from 52 bits of a hash: `(i + 0.5) / 2^52`
/// is exact for every `i < 2^52`, so neither end is ever reached (with 53 bits the top value
/// would round to 1.0).
#[must_use]
#[inline]
pub(crate) fn open_unit(hash: u64) -> f64 {
    ((hash >> 12) as f64 + 0.5) / (1u64 << 52) as f64
}

/// A `SplitMix64` stream seeded by a key hash, for algorithms that draw several numbers per
/// lookup (`JumpBackHash`).
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    #[inline]
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GAMMA);
        mix(self.state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Golden vectors, the outputs of the reference C implementation of XXH3-64 (seed 0).
    /// They pin placement across releases: if one of them changes, every deployment that
    /// upgrades moves data. Never edit them to make a test pass.
    #[test]
    fn key_hash_golden_vectors_never_change() {
        let golden: [(&[u8], u64); 5] = [
            (b"", 0x2d06_8005_38d3_94c2),
            (b"a", 0xe6c6_32b6_1e96_4e1f),
            (b"user:42", 0x9fc1_e605_fa71_74aa),
            (
                b"The quick brown fox jumps over the lazy dog",
                0xce7d_19a5_418f_b365,
            ),
            // Past 240 bytes XXH3 switches to its long-input loop.
            (&[0u8; 300], 0x56d0_762b_2008_5f91),
        ];
        for (key, want) in golden {
            assert_eq!(key_hash(key), want, "key {key:?}");
        }
    }

    #[test]
    fn mix_matches_the_splitmix64_reference_sequence() {
        // First outputs of the reference C `splitmix64()` seeded with 0.
        let mut stream = SplitMix64::new(0);
        assert_eq!(stream.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(stream.next_u64(), 0x6e78_9e6a_a1b9_65f4);
    }

    #[test]
    fn rehash_starts_with_the_hash_itself() {
        assert_eq!(rehash(12_345, 0), 12_345);
        assert_ne!(rehash(12_345, 1), 12_345);
        assert_ne!(rehash(12_345, 1), rehash(12_345, 2));
    }

    #[test]
    fn reduce_covers_the_range_and_nothing_else() {
        assert_eq!(reduce(0, 7), 0);
        assert_eq!(reduce(u64::MAX, 7), 6);
        assert_eq!(reduce(u64::MAX / 2, 2), 0);
        assert_eq!(reduce(u64::MAX / 2 + 1, 2), 1);
    }

    #[test]
    fn open_unit_never_reaches_either_end() {
        for hash in [0, 1, u64::MAX, u64::MAX / 2] {
            let unit = open_unit(hash);
            assert!(unit > 0.0 && unit < 1.0, "{unit}");
        }
    }
}

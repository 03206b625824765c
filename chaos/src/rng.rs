//! A small deterministic PRNG: `xoshiro256**` seeded through `SplitMix64`.
//!
//! Both algorithms are written here from their published descriptions, so a seed means the same
//! sequence on every platform and with every dependency version:
//!
//! - `SplitMix64`: Steele, Lea and Flood, "Fast Splittable Pseudorandom Number Generators"
//!   (OOPSLA 2014), in the form of Vigna's reference `splitmix64.c`
//!   (<https://prng.di.unimi.it/splitmix64.c>).
//! - `xoshiro256**`: Blackman and Vigna, "Scrambled Linear Pseudorandom Number Generators"
//!   (ACM TOMS 47(4), 2021), reference `xoshiro256starstar.c`
//!   (<https://prng.di.unimi.it/xoshiro256starstar.c>), seeded with `SplitMix64` output as the
//!   authors recommend.
//! - `below` uses Lemire's multiply-and-reject method, "Fast Random Integer Generation in an
//!   Interval" (ACM TOMACS 29(1), 2019).

/// The `SplitMix64` state increment: 2^64 divided by the golden ratio, rounded to odd.
const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// `SplitMix64`'s output function: a bijective 64-bit mixer, so distinct inputs never collide.
pub(crate) const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The `SplitMix64` generator, used only to expand one `u64` into xoshiro's 256-bit state.
struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        mix64(self.state)
    }
}

/// A seeded `xoshiro256**` pseudo-random number generator.
///
/// Fast and statistically strong enough for fault injection; not cryptographic. Two `Rng`s
/// built from the same seed produce the same sequence forever. In tests, prefer
/// [`Seed::stream`](crate::Seed::stream) to `Rng::new`, so each fault site draws from its own
/// stream and one printed seed replays them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// Creates a generator whose whole sequence is determined by `seed`.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        // Four consecutive SplitMix64 outputs are distinct (the mixer is a bijection of distinct
        // states), so the state is never all zeros, the one state xoshiro cannot leave.
        let mut expand = SplitMix64 { state: seed };
        Self {
            s: [
                expand.next_u64(),
                expand.next_u64(),
                expand.next_u64(),
                expand.next_u64(),
            ],
        }
    }

    /// Returns the next 64 uniformly distributed bits.
    pub fn next_u64(&mut self) -> u64 {
        let [s0, s1, s2, s3] = &mut self.s;
        let result = s1.wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = *s1 << 17;
        *s2 ^= *s0;
        *s3 ^= *s1;
        *s1 ^= *s2;
        *s0 ^= *s3;
        *s2 ^= t;
        *s3 = s3.rotate_left(45);
        result
    }

    /// Returns a uniformly distributed float in `[0, 1)`.
    pub fn next_f64(&mut self) -> f64 {
        // The top 53 bits fill an f64 mantissa exactly; scaling by 2^-53 keeps 1.0 out of range.
        (self.next_u64() >> 11) as f64 * (1.0 / (1_u64 << 53) as f64)
    }

    /// Returns a uniformly distributed integer in `[0, n)`, without modulo bias.
    ///
    /// # Panics
    ///
    /// If `n` is zero: the range `[0, 0)` is empty, like `rand`'s `random_range(0..0)`.
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "Rng::below(0): the range [0, 0) is empty");
        // The high word of x * n is x scaled into [0, n). Low words under 2^64 mod n mark the
        // few x values that would make some results more likely; redraw those.
        let mut product = u128::from(self.next_u64()) * u128::from(n);
        if (product as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (product as u64) < threshold {
                product = u128::from(self.next_u64()) * u128::from(n);
            }
        }
        (product >> 64) as u64
    }

    /// Returns `true` with probability `p`, consuming exactly one draw.
    ///
    /// `p <= 0` (and NaN) is never true and `p >= 1` is always true; the draw is consumed either
    /// way, so changing one probability does not shift the rest of the sequence.
    pub fn chance(&mut self, p: f64) -> bool {
        self.next_f64() < p
    }
}

#[cfg(test)]
mod tests {
    use super::{Rng, SplitMix64};

    #[test]
    fn splitmix64_matches_the_reference_outputs() {
        // Rosetta Code, "Pseudo-random numbers/Splitmix64": the first five outputs for 1234567.
        let mut sm = SplitMix64 { state: 1_234_567 };
        let outputs: Vec<u64> = (0..5).map(|_| sm.next_u64()).collect();
        assert_eq!(
            outputs,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423,
                4_593_380_528_125_082_431,
                16_408_922_859_458_223_821,
            ]
        );
    }

    #[test]
    fn xoshiro256starstar_matches_the_reference_outputs() {
        // Outputs of the reference xoshiro256starstar.c from state {1, 2, 3, 4}, as published in
        // the rand_xoshiro crate's test suite.
        let mut rng = Rng { s: [1, 2, 3, 4] };
        let outputs: Vec<u64> = (0..10).map(|_| rng.next_u64()).collect();
        assert_eq!(
            outputs,
            [
                11_520,
                0,
                1_509_978_240,
                1_215_971_899_390_074_240,
                1_216_172_134_540_287_360,
                607_988_272_756_665_600,
                16_172_922_978_634_559_625,
                8_476_171_486_693_032_832,
                10_595_114_339_597_558_777,
                2_904_607_092_377_533_576,
            ]
        );
    }

    #[test]
    fn new_expands_the_seed_with_splitmix64() {
        let mut expand = SplitMix64 { state: 1_234_567 };
        let expected: [u64; 4] = std::array::from_fn(|_| expand.next_u64());
        assert_eq!(Rng::new(1_234_567).s, expected);
    }

    #[test]
    fn next_f64_is_uniform_on_the_unit_interval() {
        let mut rng = Rng::new(7);
        let mut sum = 0.0;
        for _ in 0..10_000 {
            let x = rng.next_f64();
            assert!((0.0..1.0).contains(&x), "{x} outside [0, 1)");
            sum += x;
        }
        // A uniform draw has variance 1/12, so the mean of 10,000 has standard deviation
        // 0.0029; six of them is 0.0173.
        let mean = sum / 10_000.0;
        assert!((mean - 0.5).abs() < 0.0173, "mean {mean}");
    }

    #[test]
    fn below_stays_in_range_and_hits_every_value() {
        let mut rng = Rng::new(11);
        let mut seen = [false; 7];
        for _ in 0..1_000 {
            let k = rng.below(7);
            seen[usize::try_from(k).expect("k < 7")] = true;
        }
        // Missing any one value in 1,000 draws has probability 7 * (6/7)^1000 < 1e-60.
        assert_eq!(seen, [true; 7]);
    }

    #[test]
    fn below_one_is_always_zero_and_below_max_stays_in_range() {
        let mut rng = Rng::new(3);
        for _ in 0..1_000 {
            assert_eq!(rng.below(1), 0);
            assert!(rng.below(u64::MAX) < u64::MAX);
        }
    }

    #[test]
    fn chance_is_certain_at_the_ends_and_consumes_one_draw() {
        let mut rng = Rng::new(5);
        let mut twin = rng.clone();
        for p in [0.0, -1.0, f64::NAN, 1.0, 2.0] {
            let expected = p >= 1.0;
            assert_eq!(rng.chance(p), expected, "chance({p})");
            twin.next_u64();
        }
        assert_eq!(rng, twin, "each chance() call consumed exactly one draw");
    }
}

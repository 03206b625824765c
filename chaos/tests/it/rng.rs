//! `Rng` through its public API: reference outputs and distribution bounds.

use chaos::Rng;
use proptest::prelude::*;

#[test]
fn a_seed_expands_as_in_independent_implementations() {
    // `xoshiro256**` seeded with four `SplitMix64` outputs of 42, as computed by separate
    // implementations of the two published algorithms.
    let mut rng = Rng::new(42);
    let outputs: Vec<u64> = (0..4).map(|_| rng.next_u64()).collect();
    assert_eq!(
        outputs,
        [
            1_546_998_764_402_558_742,
            6_990_951_692_964_543_102,
            12_544_586_762_248_559_009,
            17_057_574_109_182_124_193,
        ]
    );
}

proptest! {
    #[test]
    fn the_same_seed_gives_the_same_sequence(seed: u64) {
        let (mut a, mut b) = (Rng::new(seed), Rng::new(seed));
        for _ in 0..100 {
            prop_assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn below_stays_below_its_bound(seed: u64, n in 1_u64..) {
        let mut rng = Rng::new(seed);
        for _ in 0..100 {
            prop_assert!(rng.below(n) < n);
        }
    }

    #[test]
    fn chance_hits_at_its_probability(seed: u64, p in 0.01_f64..0.99) {
        // Hits are Binomial(10_000, p); six standard deviations bound a correct generator's
        // false-failure chance at about 2e-9 per case.
        const DRAWS: u32 = 10_000;
        let mut rng = Rng::new(seed);
        let hits = (0..DRAWS).filter(|_| rng.chance(p)).count();
        let expected = f64::from(DRAWS) * p;
        let sigma = (f64::from(DRAWS) * p * (1.0 - p)).sqrt();
        prop_assert!((hits as f64 - expected).abs() <= 6.0 * sigma, "{} hits, p {}", hits, p);
    }
}

//! The speed-of-light floor and the bandwidth-delay product against published figures.

use formulas::{
    FIBRE_REFRACTIVE_INDEX, bandwidth_delay_product_bits, parse_bit_rate, parse_duration,
    propagation_delay_seconds, rtt_lower_bound_seconds,
};
use proptest::prelude::*;

use crate::{close, rounds_to};

/// Grigorik, *High Performance Browser Networking* (O'Reilly, 2013), table 1-1, "Signal
/// latencies in vacuum and fiber": distance, one way in vacuum, one way in fibre, round trip
/// in fibre, in milliseconds rounded to whole numbers (fibre at a refractive index of 1.5).
#[test]
fn round_trips_match_hpbn_table_1_1() {
    for (route, km, vacuum_ms, fibre_ms, rtt_ms) in [
        ("New York to San Francisco", 4148.0, 14.0, 21.0, 42.0),
        ("New York to London", 5585.0, 19.0, 28.0, 56.0),
        ("New York to Sydney", 15_993.0, 53.0, 80.0, 160.0),
    ] {
        let vacuum = propagation_delay_seconds(km, 1.0).unwrap() * 1000.0;
        let fibre = propagation_delay_seconds(km, FIBRE_REFRACTIVE_INDEX).unwrap() * 1000.0;
        let rtt = rtt_lower_bound_seconds(km, FIBRE_REFRACTIVE_INDEX).unwrap() * 1000.0;
        rounds_to(&format!("{route}, vacuum"), vacuum, vacuum_ms, 0);
        rounds_to(&format!("{route}, fibre"), fibre, fibre_ms, 0);
        rounds_to(&format!("{route}, round trip"), rtt, rtt_ms, 0);
    }
}

/// Wikipedia, "Bandwidth-delay product", examples: residential ADSL2+ at 20 Mbit/s with a
/// 50 ms round trip: "B x D = 20 x 10^6 b/s x 50 x 10^-3 s = 10^6 b, or 1 Mb, or 125 kB".
#[test]
fn bandwidth_delay_product_matches_the_adsl_example() {
    let bandwidth = parse_bit_rate("bandwidth", "20Mbit/s").unwrap();
    let rtt = parse_duration("rtt", "50ms").unwrap().as_secs_f64();
    let bits = bandwidth_delay_product_bits(bandwidth, rtt).unwrap();
    close("bits", bits, 1e6, 1e-6);
    close("bytes", bits / 8.0, 125_000.0, 1e-6);
}

#[test]
fn impossible_inputs_are_refused_by_name() {
    assert_eq!(
        propagation_delay_seconds(-1.0, 1.5).unwrap_err().argument(),
        Some("distance_km")
    );
    assert_eq!(
        propagation_delay_seconds(1.0, 0.9).unwrap_err().argument(),
        Some("refractive_index")
    );
    assert_eq!(
        bandwidth_delay_product_bits(0.0, 0.1)
            .unwrap_err()
            .argument(),
        Some("bandwidth")
    );
    assert_eq!(
        bandwidth_delay_product_bits(1e9, -0.1)
            .unwrap_err()
            .argument(),
        Some("rtt")
    );
}

proptest! {
    /// Farther or slower media never make the floor lower; a round trip is two one-way trips.
    #[test]
    fn the_floor_is_monotone(km in 0.0f64..40_075.0, n in 1.0f64..2.0) {
        let rtt = rtt_lower_bound_seconds(km, n).unwrap();
        prop_assert!(rtt_lower_bound_seconds(km + 1.0, n).unwrap() > rtt);
        prop_assert!(rtt_lower_bound_seconds(km, n + 0.01).unwrap() >= rtt);
        prop_assert!((rtt - 2.0 * propagation_delay_seconds(km, n).unwrap()).abs() < 1e-15);
        prop_assert!(rtt >= rtt_lower_bound_seconds(km, 1.0).unwrap());
    }
}

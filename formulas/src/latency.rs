//! Latency physics: the floor the speed of light puts under a round trip, and how much data
//! must be in flight to keep a long link busy.

use crate::Error;
use crate::error::check;

/// The speed of light in vacuum, exactly, by the SI definition of the metre.
pub const SPEED_OF_LIGHT_M_PER_S: f64 = 299_792_458.0;

/// The refractive index used for optical fibre unless told otherwise: 1.5, the rule of thumb
/// in Grigorik's *High Performance Browser Networking* (2013), chapter 1, which puts light in
/// fibre at about 200,000 km/s. Real single-mode fibre is nearer 1.47; pass that for a
/// slightly lower floor.
pub const FIBRE_REFRACTIVE_INDEX: f64 = 1.5;

/// The one-way propagation delay over `distance_km` in a medium of `refractive_index`
/// (1 for vacuum), in seconds: `d / (c / n)`.
///
/// This is a lower bound: real paths are longer than the great circle and add queueing,
/// serialisation and processing delays on top.
pub fn propagation_delay_seconds(distance_km: f64, refractive_index: f64) -> Result<f64, Error> {
    check::non_negative("distance_km", distance_km)?;
    if !(refractive_index.is_finite() && refractive_index >= 1.0) {
        return Err(Error::domain(
            "refractive_index",
            "must be a finite number at or above 1 (vacuum)",
            refractive_index,
        ));
    }
    Ok(distance_km * 1000.0 * refractive_index / SPEED_OF_LIGHT_M_PER_S)
}

/// The lower bound on a round trip over `distance_km`: twice the
/// [one-way delay](propagation_delay_seconds), `RTT >= 2d / (c / n)`.
///
/// ```
/// // New York to London, 5,585 km: 56 ms in fibre at best (HPBN, table 1-1).
/// let rtt = formulas::rtt_lower_bound_seconds(5585.0, formulas::FIBRE_REFRACTIVE_INDEX)?;
/// assert_eq!((rtt * 1000.0).round(), 56.0);
/// # Ok::<(), formulas::Error>(())
/// ```
pub fn rtt_lower_bound_seconds(distance_km: f64, refractive_index: f64) -> Result<f64, Error> {
    Ok(2.0 * propagation_delay_seconds(distance_km, refractive_index)?)
}

/// The bandwidth-delay product, in bits: how much data is in flight when a link of
/// `bandwidth_bits_per_second` is kept full over a round trip of `rtt_seconds`. A sender
/// whose window (TCP's, or an application's in-flight limit) is smaller cannot fill the link.
pub fn bandwidth_delay_product_bits(
    bandwidth_bits_per_second: f64,
    rtt_seconds: f64,
) -> Result<f64, Error> {
    check::positive("bandwidth", bandwidth_bits_per_second)?;
    check::non_negative("rtt", rtt_seconds)?;
    Ok(bandwidth_bits_per_second * rtt_seconds)
}

//! `lab calc rtt` and `lab calc bdp`: the physics of distance.

use clap::Args;
use formulas::FIBRE_REFRACTIVE_INDEX;

use super::input::{self, Failure};
use super::report::{Report, Unit};
use super::{Calculator, Output};

/// The lower bound on a round trip over a distance, in vacuum and in fibre.
#[derive(Debug, Args)]
pub(crate) struct RttArgs {
    /// Great-circle distance between the two ends, in kilometres.
    #[arg(long, value_name = "KM", value_parser = input::number)]
    distance_km: f64,
    /// Refractive index of the fibre (1.5 is the usual rule of thumb; real fibre is nearer 1.47).
    #[arg(long, value_name = "N", default_value_t = FIBRE_REFRACTIVE_INDEX, value_parser = input::number)]
    refractive_index: f64,
    #[command(flatten)]
    output: Output,
}

impl Calculator for RttArgs {
    fn output(&self) -> Output {
        self.output
    }

    fn compute(&self) -> Result<Report, Failure> {
        let vacuum = formulas::propagation_delay_seconds(self.distance_km, 1.0)?;
        let fibre = formulas::propagation_delay_seconds(self.distance_km, self.refractive_index)?;
        Ok(Report::titled(format!(
            "Speed-of-light floor over {} km (fibre at refractive index {})",
            self.distance_km, self.refractive_index
        ))
        .number("distance_km", self.distance_km, Unit::Plain)
        .number("refractive_index", self.refractive_index, Unit::Plain)
        .number("one_way_vacuum_seconds", vacuum, Unit::Seconds)
        .number("rtt_vacuum_seconds", 2.0 * vacuum, Unit::Seconds)
        .number("one_way_fibre_seconds", fibre, Unit::Seconds)
        .number("rtt_fibre_seconds", 2.0 * fibre, Unit::Seconds))
    }
}

/// The bandwidth-delay product: the data in flight needed to keep a link full.
#[derive(Debug, Args)]
pub(crate) struct BdpArgs {
    /// Link bandwidth with a unit: 100Mbit/s, 1Gbps, 10Gbit/s.
    #[arg(long, value_name = "RATE", value_parser = input::bit_rate)]
    bandwidth: f64,
    /// Round-trip time with a unit: 80ms, 0.2s.
    #[arg(long, value_name = "DURATION", value_parser = input::duration)]
    rtt: std::time::Duration,
    #[command(flatten)]
    output: Output,
}

impl Calculator for BdpArgs {
    fn output(&self) -> Output {
        self.output
    }

    fn compute(&self) -> Result<Report, Failure> {
        let rtt = self.rtt.as_secs_f64();
        let bits = formulas::bandwidth_delay_product_bits(self.bandwidth, rtt)?;
        Ok(
            Report::titled("Bandwidth-delay product: the window that keeps the link full")
                .number("bandwidth_bits_per_second", self.bandwidth, Unit::Plain)
                .number("rtt_seconds", rtt, Unit::Seconds)
                .number("bdp_bits", bits, Unit::Bits)
                .number("bdp_bytes", bits / 8.0, Unit::Bytes),
        )
    }
}

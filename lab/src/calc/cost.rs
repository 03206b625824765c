//! `lab calc cost`: what going active-active in several regions costs.

use std::path::PathBuf;

use clap::Args;
use formulas::CostProfile;

use super::input::{self, Failure};
use super::report::{Report, Unit};
use super::{Calculator, Output};

/// A multi-region cost profile: from a TOML file, the defaults, or flags overriding either.
#[derive(Debug, Args)]
pub(crate) struct CostArgs {
    /// A TOML cost profile (see formulas/config/); flags override its fields.
    #[arg(long, value_name = "FILE.toml")]
    profile: Option<PathBuf>,
    /// Regions serving traffic.
    #[arg(long, value_name = "N", value_parser = input::whole)]
    regions: Option<u32>,
    /// Regions that may fail while the rest carry the full load.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32))]
    region_failures_tolerated: Option<u32>,
    /// Monthly cost of the compute that carries the full load in one region.
    #[arg(long, value_name = "AMOUNT", value_parser = input::number)]
    compute_per_month: Option<f64>,
    /// Data stored, GB.
    #[arg(long, value_name = "GB", value_parser = input::number)]
    storage_gb: Option<f64>,
    /// Storage price per GB-month.
    #[arg(long, value_name = "PRICE", value_parser = input::number)]
    storage_price_per_gb_month: Option<f64>,
    /// Fraction of the data stored in every region.
    #[arg(long, value_name = "FRACTION", value_parser = input::number)]
    replicated_fraction: Option<f64>,
    /// GB written per month to replicated data.
    #[arg(long, value_name = "GB", value_parser = input::number)]
    writes_gb_per_month: Option<f64>,
    /// Price per GB sent between regions.
    #[arg(long, value_name = "PRICE", value_parser = input::number)]
    cross_region_price_per_gb: Option<f64>,
    /// Compression ratio of replication traffic (2 halves it).
    #[arg(long, value_name = "RATIO", value_parser = input::number)]
    replication_compression_ratio: Option<f64>,
    #[command(flatten)]
    output: Output,
}

impl CostArgs {
    fn profile(&self) -> Result<CostProfile, Failure> {
        let mut profile = match &self.profile {
            Some(path) => toml::from_str(&input::read("--profile", path)?).map_err(|error| {
                Failure::Input(format!("--profile {}: {error}", path.display()))
            })?,
            None => CostProfile::default(),
        };
        let overrides = [
            (&mut profile.compute_per_month, self.compute_per_month),
            (&mut profile.storage_gb, self.storage_gb),
            (
                &mut profile.storage_price_per_gb_month,
                self.storage_price_per_gb_month,
            ),
            (&mut profile.replicated_fraction, self.replicated_fraction),
            (&mut profile.writes_gb_per_month, self.writes_gb_per_month),
            (
                &mut profile.cross_region_price_per_gb,
                self.cross_region_price_per_gb,
            ),
            (
                &mut profile.replication_compression_ratio,
                self.replication_compression_ratio,
            ),
        ];
        for (field, value) in overrides {
            if let Some(value) = value {
                *field = value;
            }
        }
        if let Some(regions) = self.regions {
            profile.regions = regions;
        }
        if let Some(tolerated) = self.region_failures_tolerated {
            profile.region_failures_tolerated = tolerated;
        }
        Ok(profile)
    }
}

impl Calculator for CostArgs {
    fn output(&self) -> Output {
        self.output
    }

    fn compute(&self) -> Result<Report, Failure> {
        let profile = self.profile()?;
        let cost = profile.cost()?;
        Ok(Report::titled(format!(
            "{} regions, surviving the loss of {}, per month",
            profile.regions, profile.region_failures_tolerated
        ))
        .number("compute_multiplier", cost.compute_multiplier, Unit::Plain)
        .number("compute", cost.compute, Unit::Money)
        .number("storage", cost.storage, Unit::Money)
        .number("transfer", cost.transfer, Unit::Money)
        .number("total", cost.total, Unit::Money)
        .number("single_region_total", cost.single_region_total, Unit::Money)
        .number(
            "ratio_to_single_region",
            cost.ratio_to_single_region(),
            Unit::Plain,
        ))
    }
}

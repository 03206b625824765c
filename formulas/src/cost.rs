//! A small cost model for running active-active in several regions.
//!
//! Going multi-region multiplies three bills. Compute: every region must keep enough headroom
//! to absorb a failed region's share. Storage: replicated data is stored once per region.
//! Transfer: every replicated write crosses a region boundary once per other region, and cloud
//! providers charge for that. The model is deliberately small; its value is in making those
//! three multipliers, and the levers that shrink them, explicit.

use serde::Deserialize;

use crate::Error;

/// The most regions a profile may have.
pub const REGIONS_MAX: u32 = 64;

/// A deployment to be costed, per month. Prices are in whatever currency you use.
///
/// The levers are `regions_failures_tolerated` (headroom), `replicated_fraction` (replicate
/// only what must be everywhere), and `replication_compression_ratio`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CostProfile {
    /// Regions serving traffic. 1 is the single-region baseline.
    pub regions: u32,
    /// Regions that may fail while the rest still carry the full load. Each surviving region
    /// must then be sized for `1 / (regions - tolerated)` of the load.
    pub region_failures_tolerated: u32,
    /// Monthly cost of the compute that carries the full load in one region, at the
    /// utilisation you run at, without failover headroom.
    pub compute_per_month: f64,
    /// Data stored, in GB.
    pub storage_gb: f64,
    /// Storage price per GB-month.
    pub storage_price_per_gb_month: f64,
    /// Fraction of the data that must be in every region; the rest stays in one home region.
    pub replicated_fraction: f64,
    /// GB written per month to replicated data: each write is sent to every other region.
    pub writes_gb_per_month: f64,
    /// Price per GB sent between regions.
    pub cross_region_price_per_gb: f64,
    /// How much replication traffic is compressed: 2 halves the bytes sent. At least 1.
    pub replication_compression_ratio: f64,
}

impl Default for CostProfile {
    /// Two regions, each able to carry everything alone. The prices are round illustrative
    /// numbers, not any provider's list prices: put yours in a profile.
    fn default() -> Self {
        Self {
            regions: 2,
            region_failures_tolerated: 1,
            compute_per_month: 10_000.0,
            storage_gb: 5_000.0,
            storage_price_per_gb_month: 0.10,
            replicated_fraction: 1.0,
            writes_gb_per_month: 2_000.0,
            cross_region_price_per_gb: 0.02,
            replication_compression_ratio: 1.0,
        }
    }
}

/// What a [`CostProfile`] costs per month, and against what.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostBreakdown {
    /// Total compute capacity relative to one region without headroom:
    /// `regions / (regions - failures tolerated)`.
    pub compute_multiplier: f64,
    /// Compute, per month.
    pub compute: f64,
    /// Storage, per month.
    pub storage: f64,
    /// Cross-region replication transfer, per month.
    pub transfer: f64,
    /// The sum of the three.
    pub total: f64,
    /// The same workload in one region, no failover headroom, no replication.
    pub single_region_total: f64,
}

impl CostBreakdown {
    /// How many times the single-region bill this deployment costs.
    #[must_use]
    pub fn ratio_to_single_region(&self) -> f64 {
        self.total / self.single_region_total
    }
}

impl CostProfile {
    /// Checks every field, naming the first one that breaks a rule.
    pub fn validate(&self) -> Result<(), Error> {
        let invalid = |field, rule| Err(Error::InvalidConfig { field, rule });
        if self.regions == 0 || self.regions > REGIONS_MAX {
            return invalid("regions", "must be between 1 and 64");
        }
        if self.region_failures_tolerated >= self.regions {
            return invalid(
                "region_failures_tolerated",
                "must be fewer than the regions: someone has to carry the load",
            );
        }
        for (field, value) in [
            ("compute_per_month", self.compute_per_month),
            ("storage_gb", self.storage_gb),
            (
                "storage_price_per_gb_month",
                self.storage_price_per_gb_month,
            ),
            ("writes_gb_per_month", self.writes_gb_per_month),
            ("cross_region_price_per_gb", self.cross_region_price_per_gb),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return invalid(field, "must be a finite number at or above 0");
            }
        }
        if !(0.0..=1.0).contains(&self.replicated_fraction) {
            return invalid("replicated_fraction", "must be between 0 and 1");
        }
        if !(self.replication_compression_ratio.is_finite()
            && self.replication_compression_ratio >= 1.0)
        {
            return invalid(
                "replication_compression_ratio",
                "must be a finite number at or above 1",
            );
        }
        if self.compute_per_month + self.storage_gb * self.storage_price_per_gb_month <= 0.0 {
            return invalid(
                "compute_per_month",
                "and storage cannot both cost nothing: there is no baseline to compare with",
            );
        }
        Ok(())
    }

    /// Costs the profile.
    pub fn cost(&self) -> Result<CostBreakdown, Error> {
        self.validate()?;
        let regions = f64::from(self.regions);
        let compute_multiplier = regions / f64::from(self.regions - self.region_failures_tolerated);
        let compute = self.compute_per_month * compute_multiplier;
        let copies = self.replicated_fraction * regions + (1.0 - self.replicated_fraction);
        let storage_single = self.storage_gb * self.storage_price_per_gb_month;
        let storage = storage_single * copies;
        let transfer = self.writes_gb_per_month
            * self.replicated_fraction
            * (regions - 1.0)
            * self.cross_region_price_per_gb
            / self.replication_compression_ratio;
        Ok(CostBreakdown {
            compute_multiplier,
            compute,
            storage,
            transfer,
            total: compute + storage + transfer,
            single_region_total: self.compute_per_month + storage_single,
        })
    }
}

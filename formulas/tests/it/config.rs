//! The cost profiles under `config/` load and validate; the cost model's arithmetic and its
//! levers; bad profiles are refused by field.

use std::path::Path;

use formulas::{CostProfile, Error};
use proptest::prelude::*;

use crate::close;

fn load(name: &str) -> CostProfile {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("config")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn every_example_profile_loads_and_validates() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let mut loaded = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        load(&name)
            .validate()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        loaded += 1;
    }
    assert_eq!(loaded, 4, "update the count when adding an example");
}

#[test]
fn the_default_file_is_the_default_profile() {
    assert_eq!(load("default.toml"), CostProfile::default());
}

/// The arithmetic, by hand: two regions each carrying everything double compute; storage is
/// doubled; 2000 GB of writes cross once at 0.02 a GB.
#[test]
fn two_regions_cost_what_the_arithmetic_says() {
    let cost = CostProfile::default().cost().unwrap();
    close("multiplier", cost.compute_multiplier, 2.0, 1e-12);
    close("compute", cost.compute, 20_000.0, 1e-9);
    close("storage", cost.storage, 1_000.0, 1e-9);
    close("transfer", cost.transfer, 40.0, 1e-9);
    close("total", cost.total, 21_040.0, 1e-9);
    close("baseline", cost.single_region_total, 10_500.0, 1e-9);
    close(
        "ratio",
        cost.ratio_to_single_region(),
        21_040.0 / 10_500.0,
        1e-12,
    );
}

#[test]
fn the_single_region_profile_is_its_own_baseline() {
    let cost = load("single-region.toml").cost().unwrap();
    close("ratio", cost.ratio_to_single_region(), 1.0, 1e-12);
    close("transfer", cost.transfer, 0.0, 0.0);
}

/// Three regions surviving one loss need 1.5x compute; the levers then cut storage from 3x to
/// 1.6x and transfer by a factor of ten.
#[test]
fn the_levers_shrink_the_bill() {
    let plain = load("three-regions.toml").cost().unwrap();
    let levers = load("three-regions-levers.toml").cost().unwrap();
    close("multiplier", plain.compute_multiplier, 1.5, 1e-12);
    close("plain storage", plain.storage, 1_500.0, 1e-9);
    close("lever storage", levers.storage, 500.0 * 1.6, 1e-9);
    close("plain transfer", plain.transfer, 80.0, 1e-9);
    close("lever transfer", levers.transfer, 8.0, 1e-9);
    assert!(levers.total < plain.total);
}

#[test]
fn bad_profiles_are_refused_by_field() {
    let cases = [
        (
            CostProfile {
                regions: 0,
                ..CostProfile::default()
            },
            "regions",
        ),
        (
            CostProfile {
                region_failures_tolerated: 2,
                ..CostProfile::default()
            },
            "region_failures_tolerated",
        ),
        (
            CostProfile {
                replicated_fraction: 1.5,
                ..CostProfile::default()
            },
            "replicated_fraction",
        ),
        (
            CostProfile {
                replication_compression_ratio: 0.5,
                ..CostProfile::default()
            },
            "replication_compression_ratio",
        ),
        (
            CostProfile {
                cross_region_price_per_gb: -1.0,
                ..CostProfile::default()
            },
            "cross_region_price_per_gb",
        ),
        (
            CostProfile {
                storage_gb: f64::NAN,
                ..CostProfile::default()
            },
            "storage_gb",
        ),
    ];
    for (profile, field) in cases {
        match profile.validate() {
            Err(Error::InvalidConfig { field: got, .. }) => assert_eq!(got, field),
            other => panic!("{field}: expected a config error, got {other:?}"),
        }
    }
    let unknown = toml::from_str::<CostProfile>("regions = 2\negress = 1.0\n").unwrap_err();
    assert!(unknown.to_string().contains("egress"), "{unknown}");
}

proptest! {
    /// More regions tolerating the same failures need less headroom each; tolerating more
    /// failures needs more; compression and partial replication never cost more.
    #[test]
    fn the_levers_are_monotone(regions in 2u32..=32, fraction in 0.0f64..=1.0, ratio in 1.0f64..10.0) {
        let base = CostProfile { regions, replicated_fraction: fraction, ..CostProfile::default() };
        let cost = base.cost().unwrap();
        let more_regions = CostProfile { regions: regions + 1, ..base.clone() }.cost().unwrap();
        prop_assert!(more_regions.compute_multiplier <= cost.compute_multiplier);
        let tolerant = CostProfile { region_failures_tolerated: 2.min(regions - 1), ..base.clone() }.cost().unwrap();
        prop_assert!(tolerant.compute >= cost.compute);
        let compressed = CostProfile { replication_compression_ratio: ratio, ..base.clone() }.cost().unwrap();
        prop_assert!(compressed.transfer <= cost.transfer);
        let everything = CostProfile { replicated_fraction: 1.0, ..base }.cost().unwrap();
        prop_assert!(everything.storage >= cost.storage && everything.transfer >= cost.transfer);
    }
}

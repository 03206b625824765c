//! Every formula against published worked examples (the source cited beside each vector) and
//! against its own properties. One integration binary, one module per area.

mod availability;
mod config;
mod fit;
mod latency;
mod plot;
mod queueing;
mod scaling;
mod slo;

/// Asserts `actual` is within `tolerance` of `expected`, naming the quantity on failure.
#[track_caller]
pub(crate) fn close(what: &str, actual: f64, expected: f64, tolerance: f64) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "{what}: got {actual}, expected {expected} +/- {tolerance}"
    );
}

/// Asserts `actual` rounds to `expected` at `decimals` decimal places, for figures published
/// rounded.
#[track_caller]
pub(crate) fn rounds_to(what: &str, actual: f64, expected: f64, decimals: i32) {
    let scale = 10f64.powi(decimals);
    assert!(
        ((actual * scale).round() - expected * scale).abs() < 0.5,
        "{what}: got {actual}, published {expected} (to {decimals} decimals)"
    );
}

/// Asserts `actual` truncates to `expected` at `decimals` decimal places, for figures
/// published truncated rather than rounded.
#[track_caller]
pub(crate) fn truncates_to(what: &str, actual: f64, expected: f64, decimals: i32) {
    let scale = 10f64.powi(decimals);
    assert!(
        ((actual * scale).floor() - expected * scale).abs() < 0.5,
        "{what}: got {actual}, published {expected} (truncated to {decimals} decimals)"
    );
}

/// Reads one of the published data sets under `data/`.
pub(crate) fn data_set(name: &str) -> Vec<formulas::Point> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    formulas::parse_points(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

//! Load statistics, the figures the literature compares algorithms by.

/// How evenly load is spread over nodes, relative to the mean load.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoadStats {
    /// The most loaded node over the mean: 1.0 is perfect balance.
    pub peak_to_mean: f64,
    /// The least loaded node over the mean: 1.0 is perfect balance.
    pub min_to_mean: f64,
    /// The standard deviation of the loads over the mean (coefficient of variation).
    pub relative_sd: f64,
}

impl LoadStats {
    /// Statistics of per-node loads (keys, requests, shares of the hash space, in any
    /// unit). `None` for no nodes or no load.
    ///
    /// ```
    /// let stats = hashing::LoadStats::from_loads(&[90.0, 100.0, 110.0]).unwrap();
    /// assert!((stats.peak_to_mean - 1.1).abs() < 1e-12);
    /// assert!((stats.min_to_mean - 0.9).abs() < 1e-12);
    /// assert!((stats.relative_sd - (200.0f64 / 3.0).sqrt() / 100.0).abs() < 1e-12);
    /// ```
    #[must_use]
    pub fn from_loads(loads: &[f64]) -> Option<Self> {
        let count = loads.len() as f64;
        let mean = loads.iter().sum::<f64>() / count;
        if loads.is_empty() || mean <= 0.0 {
            return None;
        }
        let peak = loads.iter().copied().fold(f64::MIN, f64::max);
        let min = loads.iter().copied().fold(f64::MAX, f64::min);
        let variance = loads.iter().map(|load| (load - mean).powi(2)).sum::<f64>() / count;
        Some(Self {
            peak_to_mean: peak / mean,
            min_to_mean: min / mean,
            relative_sd: variance.sqrt() / mean,
        })
    }
}

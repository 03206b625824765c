//! Percentiles of measured latencies, for the tour and the chaos experiments alike.

use std::time::Duration;

/// The nearest-rank `percent`-th percentile of `samples` (`percent` in 1..=100; 100 is the
/// maximum), or `None` when there are no samples.
pub(crate) fn nearest_rank(samples: &[Duration], percent: usize) -> Option<Duration> {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let rank = (sorted.len() * percent).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

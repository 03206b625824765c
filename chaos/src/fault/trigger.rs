//! When an injected fault fires: a probability per call and an optional cap on the count.
//!
//! Shared by the fault layer's injections and the failpoints, so both read a probability and a
//! count the same way and draw from their streams the same way.

use crate::Rng;

/// Fires with `probability` on each call, at most `count_max` times.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Trigger {
    pub(crate) probability: f64,
    /// `None` for no cap.
    pub(crate) count_max: Option<u64>,
}

/// What is wrong with a [`Trigger`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum InvalidTrigger {
    /// The probability is NaN or outside `[0, 1]`.
    Probability(f64),
    /// A cap of zero, which would never let the fault fire.
    ZeroCount,
}

impl Trigger {
    /// Fires on every call, without a cap.
    pub(crate) const ALWAYS: Self = Self {
        probability: 1.0,
        count_max: None,
    };

    /// Whether to fire now, having fired `fired` times so far.
    ///
    /// Draws exactly once either way, so a cap running out never shifts the draws that follow.
    pub(crate) fn fires(&self, fired: u64, rng: &mut Rng) -> bool {
        let hit = rng.chance(self.probability);
        hit && self.count_max.is_none_or(|max| fired < max)
    }

    pub(crate) fn check(&self) -> Result<(), InvalidTrigger> {
        // `contains` is false for NaN, so NaN is rejected with the out-of-range values.
        if !(0.0..=1.0).contains(&self.probability) {
            return Err(InvalidTrigger::Probability(self.probability));
        }
        if self.count_max == Some(0) {
            return Err(InvalidTrigger::ZeroCount);
        }
        Ok(())
    }
}

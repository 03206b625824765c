//! Sliding windows: a count-based ring whose steady state is written without a lock, and
//! time-based one-second buckets.

use std::sync::atomic::{AtomicU64, Ordering};

/// One recorded call, as the window sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Sample {
    pub(crate) failed: bool,
    pub(crate) slow: bool,
}

impl Sample {
    /// Non-zero for every sample, so an empty slot (0) never equals a recorded one.
    fn bits(self) -> u64 {
        1 | (u64::from(self.failed) << 1) | (u64::from(self.slow) << 2)
    }

    fn from_bits(bits: u64) -> Self {
        Self {
            failed: bits & 0b10 != 0,
            slow: bits & 0b100 != 0,
        }
    }
}

/// Aggregate counts over a set of samples.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    // u64: a long time-based window of a busy service can hold more than 2^32 calls.
    pub(crate) calls: u64,
    pub(crate) failures: u64,
    pub(crate) slow: u64,
}

impl Tally {
    pub(crate) fn add(&mut self, sample: Sample) {
        self.calls += 1;
        self.failures += u64::from(sample.failed);
        self.slow += u64::from(sample.slow);
    }

    fn remove(&mut self, sample: Sample) {
        self.calls -= 1;
        self.failures -= u64::from(sample.failed);
        self.slow -= u64::from(sample.slow);
    }

    fn merge(&mut self, other: Tally) {
        self.calls += other.calls;
        self.failures += other.failures;
        self.slow += other.slow;
    }

    /// Failure rate in percent; 0 for an empty tally.
    pub(crate) fn failure_rate(self) -> f32 {
        percent(self.failures, self.calls)
    }

    /// Slow-call rate in percent; 0 for an empty tally.
    pub(crate) fn slow_rate(self) -> f32 {
        percent(self.slow, self.calls)
    }
}

fn percent(part: u64, whole: u64) -> f32 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 * 100.0 / whole as f64) as f32
    }
}

/// The last `size` calls, as a ring of slots tagged with the generation that wrote them.
///
/// Writers claim an index with a CAS on `head` (which also rejects writers from an older
/// generation). When the slot already holds the same sample from the same generation —
/// the steady state of a healthy dependency — nothing changes and no lock is taken: the
/// write would be a no-op, so skipping it is linearisable. Every other write goes through
/// [`CountRing::replace`] under the breaker's lock, which keeps the tally exact.
///
/// Under concurrency the window is the last `size` outcomes in the order they were
/// written, which can differ slightly from the order the calls were admitted in (a writer
/// delayed between its claim and the lock lands after faster ones). resilience4j's window,
/// a `synchronized` ring, has the same property for calls that finish out of order.
#[derive(Debug)]
pub(crate) struct CountRing {
    /// `generation << 32 | claimed`, where `claimed` stays below `2 * size` (it is folded
    /// back by `size`, which preserves `claimed % size`) so it never overflows.
    head: AtomicU64,
    slots: Box<[AtomicU64]>,
}

impl CountRing {
    pub(crate) fn new(size: u32) -> Self {
        Self {
            head: AtomicU64::new(0),
            slots: (0..size).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    /// Number of slots.
    pub(crate) fn size(&self) -> u32 {
        self.slots.len() as u32
    }

    /// Claims the next slot for a sample of `generation`; `None` when the ring has moved on
    /// to a newer generation and the sample must be dropped.
    pub(crate) fn claim(&self, generation: u32) -> Option<usize> {
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            if (head >> 32) as u32 != generation {
                return None;
            }
            let claimed = head & u64::from(u32::MAX);
            let mut next = claimed + 1;
            let size = u64::from(self.size());
            if next >= 2 * size {
                next -= size;
            }
            let new_head = (head & !u64::from(u32::MAX)) | next;
            match self.head.compare_exchange_weak(
                head,
                new_head,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Some((claimed % u64::from(self.size())) as usize),
                Err(current) => head = current,
            }
        }
    }

    /// Whether slot `index` already holds `sample` from `generation`.
    pub(crate) fn holds(&self, index: usize, generation: u32, sample: Sample) -> bool {
        self.slots[index].load(Ordering::Relaxed) == tag(generation, sample)
    }

    /// Writes `sample` into slot `index` and returns the sample of the same generation it
    /// displaced, if any. Call with the breaker's lock held.
    pub(crate) fn replace(&self, index: usize, generation: u32, sample: Sample) -> Option<Sample> {
        let old = self.slots[index].swap(tag(generation, sample), Ordering::Relaxed);
        ((old >> 32) as u32 == generation && old != 0).then(|| Sample::from_bits(old))
    }

    /// Starts an empty window for `generation`. Slots keep their old tags, which no longer
    /// match and so count as empty.
    pub(crate) fn restart(&self, generation: u32) {
        self.head
            .store(u64::from(generation) << 32, Ordering::Relaxed);
    }
}

fn tag(generation: u32, sample: Sample) -> u64 {
    (u64::from(generation) << 32) | sample.bits()
}

/// The calls of the last `size` whole seconds, one bucket per second.
#[derive(Debug)]
pub(crate) struct TimeBuckets {
    /// `(second + 1, tally)`; second 0 of the clock is stored as 1 so that 0 marks empty.
    buckets: Box<[(u64, Tally)]>,
}

impl TimeBuckets {
    pub(crate) fn new(size: u32) -> Self {
        Self {
            buckets: vec![(0, Tally::default()); size as usize].into_boxed_slice(),
        }
    }

    pub(crate) fn record(&mut self, second: u64, sample: Sample) {
        let len = self.buckets.len() as u64;
        let bucket = &mut self.buckets[(second % len) as usize];
        if bucket.0 != second + 1 {
            *bucket = (second + 1, Tally::default());
        }
        bucket.1.add(sample);
    }

    /// The tally of the window that ends in `second`.
    pub(crate) fn total(&self, second: u64) -> Tally {
        let oldest = (second + 2).saturating_sub(self.buckets.len() as u64);
        let mut total = Tally::default();
        for (stamp, tally) in &self.buckets {
            if *stamp >= oldest && *stamp <= second + 1 {
                total.merge(*tally);
            }
        }
        total
    }

    pub(crate) fn clear(&mut self) {
        self.buckets.fill((0, Tally::default()));
    }
}

/// Applies a replacement reported by [`CountRing::replace`] to a tally.
pub(crate) fn apply(tally: &mut Tally, displaced: Option<Sample>, added: Sample) {
    if let Some(old) = displaced {
        tally.remove(old);
    }
    tally.add(added);
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: Sample = Sample {
        failed: false,
        slow: false,
    };
    const FAIL: Sample = Sample {
        failed: true,
        slow: false,
    };

    #[test]
    fn ring_indices_wrap_and_the_head_stays_bounded() {
        let ring = CountRing::new(3);
        let indices: Vec<_> = (0..10).map(|_| ring.claim(0).unwrap()).collect();
        assert_eq!(indices, [0, 1, 2, 0, 1, 2, 0, 1, 2, 0]);
        assert!(ring.head.load(Ordering::Relaxed) < 6);
    }

    #[test]
    fn a_stale_generation_cannot_claim() {
        let ring = CountRing::new(4);
        ring.restart(1);
        assert_eq!(ring.claim(0), None);
        assert_eq!(ring.claim(1), Some(0));
    }

    #[test]
    fn replacing_reports_only_samples_of_the_same_generation() {
        let ring = CountRing::new(1);
        assert_eq!(ring.replace(0, 0, FAIL), None);
        assert!(ring.holds(0, 0, FAIL));
        assert_eq!(ring.replace(0, 0, OK), Some(FAIL));
        ring.restart(1);
        assert!(!ring.holds(0, 1, OK));
        assert_eq!(ring.replace(0, 1, OK), None);
    }

    #[test]
    fn time_buckets_forget_seconds_that_left_the_window() {
        let mut buckets = TimeBuckets::new(3);
        buckets.record(0, FAIL);
        buckets.record(1, OK);
        buckets.record(2, OK);
        assert_eq!(buckets.total(2).calls, 3);
        assert_eq!(buckets.total(3).calls, 2);
        assert_eq!(buckets.total(3).failures, 0);
        buckets.record(5, FAIL);
        assert_eq!(
            buckets.total(5),
            Tally {
                calls: 1,
                failures: 1,
                slow: 0
            }
        );
    }
}

//! Toxics as sans-IO stream transforms.
//!
//! One direction of a connection is a [`Chain`] of [`Stage`]s, one per toxic, in the order the
//! toxics were added (as in Toxiproxy, where each toxic is a goroutine between two channels).
//! An item read from the source enters the first stage at the time it was read; each stage
//! passes on zero or more items, each stamped with the time it may leave. The driver writes the
//! chain's output in order, each item no earlier than its time. No stage reads a clock, sleeps
//! or touches a socket, so the schedule of any input can be computed and tested exactly.
//!
//! A stage keeps its outputs in order: an item never leaves before the one ahead of it. Delays
//! therefore pipeline like a real link's: with 100 ms of latency, a stream of chunks arrives
//! 100 ms late, not 100 ms apart.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

use super::toxic::{Direction, ToxicKind};
use crate::Rng;

/// What flows through one direction of a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Item {
    /// Bytes for the destination.
    Data(Vec<u8>),
    /// The source finished sending: shut down the destination's write half (TCP FIN).
    Fin,
    /// Close the whole connection, both sockets, after what was written before.
    Close,
    /// Abort the whole connection: both sockets reset (TCP RST).
    Reset,
}

/// An item and the earliest time it may be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Timed {
    pub(crate) at: Instant,
    pub(crate) item: Item,
}

/// A toxic installed on a proxy: its identity and its definition.
///
/// `key` changes whenever the toxic is added or updated, so a connection can tell which of
/// its stages still match the proxy's toxics.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Installed {
    pub(crate) key: u64,
    pub(crate) name: String,
    pub(crate) kind: ToxicKind,
    pub(crate) direction: Direction,
    pub(crate) toxicity: f64,
}

/// One toxic's transform on one direction of one connection.
#[derive(Debug)]
pub(crate) struct Stage {
    key: u64,
    name: String,
    effect: Effect,
    /// No output leaves before the previous one.
    floor: Instant,
    /// Set once the stage has closed or reset the connection: it passes nothing more.
    done: bool,
}

#[derive(Debug)]
enum Effect {
    /// A `noop`, or a toxic whose toxicity draw said it does not apply to this connection.
    Pass,
    Latency {
        latency_ms: u64,
        jitter_ms: u64,
    },
    Bandwidth {
        bytes_per_s: u64,
        /// Large chunks leave in slices of 100 ms worth of bytes, as in Toxiproxy.
        slice_bytes: usize,
    },
    SlowClose {
        delay: Duration,
    },
    Timeout {
        /// When the connection closes; `None` holds it forever.
        deadline: Option<Instant>,
    },
    ResetPeer {
        timeout: Duration,
    },
    Slicer {
        average: u64,
        variation: u64,
        delay: Duration,
    },
    LimitData {
        limit: u64,
        sent: u64,
    },
}

impl Stage {
    /// The stage for `toxic` on a connection, installed at `now`; `rng` draws whether the toxic
    /// applies (its toxicity) and, later, its jitter and slice sizes.
    pub(crate) fn new(toxic: &Installed, now: Instant, rng: &mut Rng) -> Self {
        // The draw is consumed even when the toxicity is 0 or 1, so that changing a toxicity
        // does not shift the draws that follow it on this connection.
        let applies = rng.chance(toxic.toxicity);
        Self {
            key: toxic.key,
            name: toxic.name.clone(),
            effect: if applies {
                Effect::of(toxic.kind, now)
            } else {
                Effect::Pass
            },
            floor: now,
            done: false,
        }
    }

    /// Carries state that survives an update of the toxic over from the stage it replaces: the
    /// bytes a `limit_data` toxic has let through.
    fn inherit(&mut self, old: &Self) {
        if let (Effect::LimitData { sent, .. }, Effect::LimitData { sent: before, .. }) =
            (&mut self.effect, &old.effect)
        {
            *sent = *before;
        }
    }

    /// Passes `input` through, appending what comes out to `out`.
    fn push(&mut self, input: Timed, rng: &mut Rng, out: &mut Vec<Timed>) {
        if self.done {
            return;
        }
        let Timed { at, item } = input;
        match (&mut self.effect, item) {
            (
                Effect::Latency {
                    latency_ms,
                    jitter_ms,
                },
                Item::Data(bytes),
            ) => {
                let delay_ms = jittered(*latency_ms, *jitter_ms, rng);
                self.emit(at + Duration::from_millis(delay_ms), Item::Data(bytes), out);
            }
            (
                Effect::Bandwidth {
                    bytes_per_s,
                    slice_bytes,
                },
                Item::Data(bytes),
            ) if *bytes_per_s > 0 => {
                let (bytes_per_s, slice_bytes) = (*bytes_per_s, *slice_bytes);
                // A token bucket that never holds credit: each slice leaves when the link
                // would have finished sending it, counted from the later of its arrival and
                // the previous slice's departure.
                let mut free = at.max(self.floor);
                for slice in slices(bytes, slice_bytes) {
                    free += transmission_time(slice.len(), bytes_per_s);
                    self.emit(free, Item::Data(slice), out);
                }
            }
            (Effect::SlowClose { delay }, item @ (Item::Fin | Item::Close | Item::Reset)) => {
                let delay = *delay;
                self.emit(at.max(self.floor) + delay, item, out);
            }
            (Effect::Timeout { .. }, Item::Data(_)) => {}
            (Effect::ResetPeer { timeout }, _) => {
                // The first thing to arrive, data or close, arms the reset; all of it is lost.
                let timeout = *timeout;
                self.emit(at.max(self.floor) + timeout, Item::Reset, out);
                self.done = true;
            }
            (
                Effect::Slicer {
                    average,
                    variation,
                    delay,
                },
                Item::Data(bytes),
            ) => {
                let (average, variation, delay) = (*average, *variation, *delay);
                let mut cuts = Vec::new();
                cut(0, bytes.len() as u64, average, variation, rng, &mut cuts);
                let mut next = at.max(self.floor);
                let mut start = 0;
                for end in cuts {
                    self.emit(next, Item::Data(bytes[start..end as usize].to_vec()), out);
                    start = end as usize;
                    next += delay;
                }
                // The pause after the last piece holds the next chunk back, as in Toxiproxy.
                self.floor = next;
            }
            (Effect::LimitData { limit, sent }, Item::Data(mut bytes)) => {
                let remaining = *limit - *sent;
                bytes.truncate(usize::try_from(remaining).unwrap_or(usize::MAX));
                *sent += bytes.len() as u64;
                let reached = *sent >= *limit;
                if !bytes.is_empty() {
                    self.emit(at, Item::Data(bytes), out);
                }
                if reached {
                    self.emit(at, Item::Close, out);
                    self.done = true;
                }
            }
            (_, item) => self.emit(at, item, out),
        }
    }

    /// When this stage next acts on its own, without input: a `timeout` toxic's close.
    fn deadline(&self) -> Option<Instant> {
        match self.effect {
            Effect::Timeout { deadline } if !self.done => deadline,
            _ => None,
        }
    }

    /// Acts on a deadline that has come, appending what comes out to `out`.
    fn fire(&mut self, now: Instant, out: &mut Vec<Timed>) {
        if let Some(deadline) = self.deadline()
            && deadline <= now
        {
            self.emit(deadline, Item::Close, out);
            self.done = true;
        }
    }

    fn is_transparent(&self) -> bool {
        matches!(self.effect, Effect::Pass) && !self.done
    }

    fn emit(&mut self, at: Instant, item: Item, out: &mut Vec<Timed>) {
        self.floor = self.floor.max(at);
        out.push(Timed {
            at: self.floor,
            item,
        });
    }
}

impl Effect {
    fn of(kind: ToxicKind, now: Instant) -> Self {
        match kind {
            ToxicKind::Latency {
                latency_ms,
                jitter_ms,
            } => Self::Latency {
                latency_ms,
                jitter_ms,
            },
            ToxicKind::Bandwidth { rate_kb_per_s } => Self::Bandwidth {
                // KB/s is bytes per millisecond; a slice carries 100 of them.
                bytes_per_s: rate_kb_per_s * 1000,
                slice_bytes: usize::try_from(rate_kb_per_s.saturating_mul(100))
                    .unwrap_or(usize::MAX)
                    .max(1),
            },
            ToxicKind::SlowClose { delay_ms } => Self::SlowClose {
                delay: Duration::from_millis(delay_ms),
            },
            ToxicKind::Timeout { timeout_ms } => Self::Timeout {
                deadline: (timeout_ms > 0).then(|| now + Duration::from_millis(timeout_ms)),
            },
            ToxicKind::ResetPeer { timeout_ms } => Self::ResetPeer {
                timeout: Duration::from_millis(timeout_ms),
            },
            ToxicKind::Slicer {
                average_size_bytes,
                size_variation_bytes,
                delay_us,
            } => Self::Slicer {
                average: average_size_bytes,
                variation: size_variation_bytes,
                delay: Duration::from_micros(delay_us),
            },
            ToxicKind::LimitData { bytes } => Self::LimitData {
                limit: bytes,
                sent: 0,
            },
            ToxicKind::Noop => Self::Pass,
        }
    }
}

/// `latency_ms` plus a uniform draw from `[-jitter_ms, jitter_ms)`, never below zero (the
/// distribution Toxiproxy draws from).
fn jittered(latency_ms: u64, jitter_ms: u64, rng: &mut Rng) -> u64 {
    if jitter_ms == 0 {
        return latency_ms;
    }
    (latency_ms + rng.below(2 * jitter_ms)).saturating_sub(jitter_ms)
}

/// How long `bytes` take at `bytes_per_s`.
fn transmission_time(bytes: usize, bytes_per_s: u64) -> Duration {
    let nanos = u128::from(bytes as u64) * 1_000_000_000 / u128::from(bytes_per_s);
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

/// `bytes` in pieces of at most `slice_bytes`; one allocation-free piece when it fits.
fn slices(bytes: Vec<u8>, slice_bytes: usize) -> Vec<Vec<u8>> {
    if bytes.len() <= slice_bytes {
        return vec![bytes];
    }
    bytes.chunks(slice_bytes).map(<[u8]>::to_vec).collect()
}

/// The end offsets of the pieces that `[start, end)` is sliced into: split near the middle
/// (moved by up to `variation`) until every piece is within `variation` of `average`, which
/// gives evenly varying pieces with no small one bunched at either end (Toxiproxy's algorithm).
///
/// Terminates, and never yields an empty piece: a piece is split only when longer than
/// `average + variation`, so its half is longer than `variation` (given `variation < average`,
/// which `validate` checks) and moving the middle by less than that leaves both sides
/// non-empty and shorter.
fn cut(start: u64, end: u64, average: u64, variation: u64, rng: &mut Rng, ends: &mut Vec<u64>) {
    if end - start <= average + variation {
        if end > start {
            ends.push(end);
        }
        return;
    }
    let mut mid = start + (end - start) / 2;
    if variation > 0 {
        mid = (mid + rng.below(2 * variation)) - variation;
    }
    cut(start, mid, average, variation, rng, ends);
    cut(mid, end, average, variation, rng, ends);
}

/// The toxics of one direction of one connection, in the order they were added.
#[derive(Debug)]
pub(crate) struct Chain {
    direction: Direction,
    stages: Vec<Stage>,
}

impl Chain {
    /// The chain for `direction` of a connection opened at `now`.
    pub(crate) fn new(
        direction: Direction,
        toxics: &[Installed],
        now: Instant,
        rng: &mut Rng,
    ) -> Self {
        let mut chain = Self {
            direction,
            stages: Vec::new(),
        };
        chain.rebuild(toxics, now, rng);
        chain
    }

    /// Whether items pass through unchanged and at once: no toxic applies.
    pub(crate) fn is_transparent(&self) -> bool {
        self.stages.iter().all(Stage::is_transparent)
    }

    /// Passes `input` through every stage, appending what comes out to `out`.
    pub(crate) fn push(&mut self, input: Timed, rng: &mut Rng, out: &mut VecDeque<Timed>) {
        out.extend(feed(&mut self.stages, vec![input], rng));
    }

    /// The earliest time a stage acts on its own.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.stages.iter().filter_map(Stage::deadline).min()
    }

    /// Lets every stage whose deadline has come act, appending what comes out to `out`.
    pub(crate) fn fire(&mut self, now: Instant, rng: &mut Rng, out: &mut VecDeque<Timed>) {
        for index in 0..self.stages.len() {
            let mut fired = Vec::new();
            self.stages[index].fire(now, &mut fired);
            if !fired.is_empty() {
                out.extend(feed(&mut self.stages[index + 1..], fired, rng));
            }
        }
    }

    /// Matches the chain to the proxy's current toxics: stages of unchanged toxics stay (with
    /// their state and their toxicity draw); new and updated toxics get new stages, drawn now.
    /// Returns whether a toxic was removed or updated: then the data it held should leave at
    /// once, as in Toxiproxy, where an interrupted toxic flushes what it holds.
    pub(crate) fn rebuild(&mut self, toxics: &[Installed], now: Instant, rng: &mut Rng) -> bool {
        let mut old = std::mem::take(&mut self.stages);
        let mut flush = false;
        for toxic in toxics
            .iter()
            .filter(|toxic| toxic.direction == self.direction)
        {
            if let Some(index) = old.iter().position(|stage| stage.key == toxic.key) {
                self.stages.push(old.swap_remove(index));
                continue;
            }
            let mut stage = Stage::new(toxic, now, rng);
            if let Some(index) = old.iter().position(|stage| stage.name == toxic.name) {
                // Same name, new key: an update of a toxic this connection already had.
                stage.inherit(&old.swap_remove(index));
                flush = true;
            }
            self.stages.push(stage);
        }
        flush || !old.is_empty()
    }
}

/// Passes `items` through `stages` in order.
fn feed(stages: &mut [Stage], mut items: Vec<Timed>, rng: &mut Rng) -> Vec<Timed> {
    for stage in stages {
        let mut next = Vec::with_capacity(items.len());
        for item in items {
            stage.push(item, rng, &mut next);
        }
        items = next;
    }
    items
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::time::Duration;

    use proptest::prelude::*;
    use tokio::time::Instant;

    use super::{Chain, Installed, Item, Timed};
    use crate::{Direction, Rng, ToxicKind};

    fn installed(key: u64, kind: ToxicKind) -> Installed {
        Installed {
            key,
            name: format!("t{key}"),
            kind,
            direction: Direction::Downstream,
            toxicity: 1.0,
        }
    }

    fn chain(toxics: &[Installed], now: Instant) -> Chain {
        Chain::new(Direction::Downstream, toxics, now, &mut Rng::new(7))
    }

    /// Pushes each item at its time and returns everything that came out.
    fn run(chain: &mut Chain, inputs: Vec<Timed>) -> Vec<Timed> {
        let mut rng = Rng::new(11);
        let mut out = VecDeque::new();
        for input in inputs {
            chain.push(input, &mut rng, &mut out);
        }
        out.into()
    }

    fn data(at: Instant, bytes: &[u8]) -> Timed {
        Timed {
            at,
            item: Item::Data(bytes.to_vec()),
        }
    }

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn latency_delays_each_chunk_from_its_own_arrival() {
        let t0 = Instant::now();
        let latency = ToxicKind::Latency {
            latency_ms: 100,
            jitter_ms: 0,
        };
        let mut chain = chain(&[installed(1, latency)], t0);
        let out = run(&mut chain, vec![data(t0, b"a"), data(t0 + 10 * MS, b"b")]);
        // Pipelined: 100 ms after each arrival, not 100 ms apart.
        assert_eq!(
            out,
            vec![data(t0 + 100 * MS, b"a"), data(t0 + 110 * MS, b"b")]
        );
    }

    #[test]
    fn jitter_stays_within_its_bounds_and_keeps_order() {
        let t0 = Instant::now();
        let latency = ToxicKind::Latency {
            latency_ms: 50,
            jitter_ms: 20,
        };
        let mut chain = chain(&[installed(1, latency)], t0);
        let out = run(&mut chain, (0..200).map(|_| data(t0, b"x")).collect());
        let delays: Vec<Duration> = out.iter().map(|timed| timed.at - t0).collect();
        assert!(delays.windows(2).all(|pair| pair[0] <= pair[1]), "in order");
        assert!(
            delays
                .iter()
                .all(|&delay| delay >= 30 * MS && delay < 70 * MS)
        );
        assert!(delays.first() != delays.last(), "jitter varies the delay");
    }

    #[test]
    fn bandwidth_spaces_bytes_at_the_rate() {
        let t0 = Instant::now();
        // 10 KB/s: a slice is 1000 bytes (100 ms worth).
        let bandwidth = ToxicKind::Bandwidth { rate_kb_per_s: 10 };
        let mut chain = chain(&[installed(1, bandwidth)], t0);
        let out = run(&mut chain, vec![data(t0, &[0; 2500])]);
        let shape: Vec<(Duration, usize)> = out
            .iter()
            .map(|timed| match &timed.item {
                Item::Data(bytes) => (timed.at - t0, bytes.len()),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(
            shape,
            vec![(100 * MS, 1000), (200 * MS, 1000), (250 * MS, 500)]
        );
    }

    #[test]
    fn slow_close_delays_the_close_not_the_data() {
        let t0 = Instant::now();
        let slow = ToxicKind::SlowClose { delay_ms: 30 };
        let mut chain = chain(&[installed(1, slow)], t0);
        let fin = Timed {
            at: t0,
            item: Item::Fin,
        };
        let out = run(&mut chain, vec![data(t0, b"x"), fin]);
        assert_eq!(out[0], data(t0, b"x"));
        assert_eq!(out[1].item, Item::Fin);
        assert_eq!(out[1].at, t0 + 30 * MS);
    }

    #[test]
    fn timeout_drops_data_and_closes_at_its_deadline() {
        let t0 = Instant::now();
        let timeout = ToxicKind::Timeout { timeout_ms: 50 };
        let mut chain = chain(&[installed(1, timeout)], t0);
        assert!(run(&mut chain, vec![data(t0, b"lost")]).is_empty());
        assert_eq!(chain.deadline(), Some(t0 + 50 * MS));
        let mut out = VecDeque::new();
        chain.fire(t0 + 49 * MS, &mut Rng::new(1), &mut out);
        assert!(out.is_empty(), "not yet");
        chain.fire(t0 + 60 * MS, &mut Rng::new(1), &mut out);
        assert_eq!(
            Vec::from(out),
            vec![Timed {
                at: t0 + 50 * MS,
                item: Item::Close
            }]
        );
        assert_eq!(chain.deadline(), None, "fires once");
    }

    #[test]
    fn a_zero_timeout_never_closes_on_its_own() {
        let t0 = Instant::now();
        let mut chain = chain(&[installed(1, ToxicKind::Timeout { timeout_ms: 0 })], t0);
        assert!(run(&mut chain, vec![data(t0, b"lost")]).is_empty());
        assert_eq!(chain.deadline(), None);
        assert!(chain.rebuild(&[], t0, &mut Rng::new(1)), "removal flushes");
        assert_eq!(run(&mut chain, vec![data(t0, b"x")]), vec![data(t0, b"x")]);
    }

    #[test]
    fn reset_peer_resets_after_the_first_data() {
        let t0 = Instant::now();
        let reset = ToxicKind::ResetPeer { timeout_ms: 20 };
        let mut chain = chain(&[installed(1, reset)], t0);
        let out = run(
            &mut chain,
            vec![data(t0 + MS, b"x"), data(t0 + 2 * MS, b"y")],
        );
        assert_eq!(
            out,
            vec![Timed {
                at: t0 + 21 * MS,
                item: Item::Reset
            }]
        );
    }

    #[test]
    fn limit_data_lets_exactly_its_bytes_through_then_closes() {
        let t0 = Instant::now();
        let mut chain = chain(&[installed(1, ToxicKind::LimitData { bytes: 5 })], t0);
        let out = run(
            &mut chain,
            vec![data(t0, b"abc"), data(t0, b"defg"), data(t0, b"h")],
        );
        assert_eq!(
            out,
            vec![
                data(t0, b"abc"),
                data(t0, b"de"),
                Timed {
                    at: t0,
                    item: Item::Close
                }
            ]
        );
    }

    #[test]
    fn an_updated_limit_keeps_counting() {
        let t0 = Instant::now();
        let first = installed(1, ToxicKind::LimitData { bytes: 5 });
        let mut chain = chain(std::slice::from_ref(&first), t0);
        run(&mut chain, vec![data(t0, b"abc")]);
        let updated = Installed {
            key: 2,
            kind: ToxicKind::LimitData { bytes: 4 },
            ..first
        };
        assert!(
            chain.rebuild(&[updated], t0, &mut Rng::new(1)),
            "an update flushes"
        );
        let out = run(&mut chain, vec![data(t0, b"defg")]);
        assert_eq!(
            out[0],
            data(t0, b"d"),
            "3 sent before the update, 1 more allowed"
        );
    }

    #[test]
    fn toxicity_zero_never_applies() {
        let t0 = Instant::now();
        let mut rng = Rng::new(3);
        for _ in 0..1000 {
            let toxic = Installed {
                toxicity: 0.0,
                ..installed(1, ToxicKind::LimitData { bytes: 0 })
            };
            let chain = Chain::new(Direction::Downstream, &[toxic], t0, &mut rng);
            assert!(chain.is_transparent());
        }
    }

    #[test]
    fn toxics_act_only_on_their_direction() {
        let t0 = Instant::now();
        let upstream = Installed {
            direction: Direction::Upstream,
            ..installed(1, ToxicKind::Timeout { timeout_ms: 0 })
        };
        let mut chain = chain(&[upstream], t0);
        assert!(chain.is_transparent());
        assert_eq!(run(&mut chain, vec![data(t0, b"x")]), vec![data(t0, b"x")]);
    }

    fn toxics_that_keep_bytes() -> impl Strategy<Value = ToxicKind> {
        prop_oneof![
            (0..50_u64, 0..20_u64).prop_map(|(latency_ms, jitter_ms)| ToxicKind::Latency {
                latency_ms,
                jitter_ms
            }),
            (0..100_u64).prop_map(|rate_kb_per_s| ToxicKind::Bandwidth { rate_kb_per_s }),
            (0..50_u64).prop_map(|delay_ms| ToxicKind::SlowClose { delay_ms }),
            (1..40_u64, 0..40_u64, 0..1000_u64).prop_map(|(average, variation, delay_us)| {
                ToxicKind::Slicer {
                    average_size_bytes: average,
                    size_variation_bytes: variation % average,
                    delay_us,
                }
            }),
            Just(ToxicKind::Noop),
        ]
    }

    proptest! {
        /// Latency, bandwidth, slow_close, slicer and noop, chained in any order, deliver every
        /// byte in order, never before it arrived, and never out of time order.
        #[test]
        fn chains_that_keep_bytes_deliver_them_in_order(
            kinds in proptest::collection::vec(toxics_that_keep_bytes(), 0..4),
            chunks in proptest::collection::vec(
                (proptest::collection::vec(any::<u8>(), 1..300), 0..20_u64), 0..20),
            seed in any::<u64>(),
        ) {
            let t0 = Instant::now();
            let toxics: Vec<Installed> = kinds
                .into_iter()
                .enumerate()
                .map(|(key, kind)| installed(key as u64, kind))
                .collect();
            let mut rng = Rng::new(seed);
            let mut chain = Chain::new(Direction::Downstream, &toxics, t0, &mut rng);
            let mut out = VecDeque::new();
            let mut now = t0;
            let mut sent = Vec::new();
            for (bytes, gap_ms) in chunks {
                now += Duration::from_millis(gap_ms);
                sent.extend_from_slice(&bytes);
                chain.push(data(now, &bytes), &mut rng, &mut out);
            }
            chain.push(Timed { at: now, item: Item::Fin }, &mut rng, &mut out);

            let out = Vec::from(out);
            prop_assert!(out.windows(2).all(|pair| pair[0].at <= pair[1].at));
            prop_assert!(out.iter().all(|timed| timed.at >= t0));
            prop_assert_eq!(&out.last().expect("the fin").item, &Item::Fin);
            prop_assert!(out.last().expect("the fin").at >= now);
            let received: Vec<u8> = out.iter().flat_map(|timed| match &timed.item {
                Item::Data(bytes) => bytes.clone(),
                _ => Vec::new(),
            }).collect();
            prop_assert_eq!(received, sent);
        }

        /// Slicer pieces stay within the variation of the average, except a shorter last one.
        #[test]
        fn slicer_pieces_stay_near_the_average(
            average in 2..64_u64, variation_seed in any::<u64>(), len in 1..5000_usize,
            seed in any::<u64>(),
        ) {
            let variation = variation_seed % average;
            let t0 = Instant::now();
            let slicer = ToxicKind::Slicer {
                average_size_bytes: average,
                size_variation_bytes: variation,
                delay_us: 0,
            };
            let mut rng = Rng::new(seed);
            let toxics = [installed(1, slicer)];
            let mut chain = Chain::new(Direction::Downstream, &toxics, t0, &mut rng);
            let mut out = VecDeque::new();
            chain.push(data(t0, &vec![1; len]), &mut rng, &mut out);
            let sizes: Vec<usize> = out.iter().map(|timed| match &timed.item {
                Item::Data(bytes) => bytes.len(),
                _ => 0,
            }).collect();
            prop_assert_eq!(sizes.iter().sum::<usize>(), len);
            prop_assert!(sizes.iter().all(|&size| size > 0 && size as u64 <= average + variation));
        }
    }
}

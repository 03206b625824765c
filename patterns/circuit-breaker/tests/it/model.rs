//! Model-based property test: the breaker against a plain, single-threaded reference.
//!
//! The reference keeps the window as a `VecDeque` and the state as an enum, with none of
//! the generations, packed words or lock-free shortcuts of the real thing. Arbitrary
//! sequences of calls, outcomes, releases and clock moves must produce the same decisions
//! and the same states in both.

use std::collections::VecDeque;
use std::time::Duration;

use circuit_breaker::{
    CircuitBreaker, Config, ManualClock, Outcome, Permit, SlidingWindow, State, WaitInOpen,
};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Acquire,
    Complete { index: usize, outcome: Outcome },
    Release { index: usize },
    Advance { millis: u64 },
    Tick,
}

fn op() -> impl Strategy<Value = Op> {
    let outcome = prop_oneof![
        3 => Just(Outcome::Success),
        3 => Just(Outcome::Failure),
        1 => Just(Outcome::Ignored),
    ];
    prop_oneof![
        4 => Just(Op::Acquire),
        4 => (any::<usize>(), outcome).prop_map(|(index, outcome)| Op::Complete { index, outcome }),
        1 => any::<usize>().prop_map(|index| Op::Release { index }),
        2 => (0u64..4_000).prop_map(|millis| Op::Advance { millis }),
        1 => Just(Op::Tick),
    ]
}

fn config() -> impl Strategy<Value = Config> {
    (
        1u32..8,
        1u32..10,
        1u32..4,
        prop_oneof![Just(25.0f32), Just(50.0), Just(100.0)],
        prop_oneof![Just(None), (200u64..2_000).prop_map(Some)],
        prop_oneof![Just(None), (500u64..5_000).prop_map(Some)],
        1u64..5_000,
    )
        .prop_map(
            |(size, minimum, permitted, threshold, slow, max_wait, wait)| Config {
                failure_rate_threshold: threshold,
                slow_call_rate_threshold: 50.0,
                slow_call_duration: slow.map(Duration::from_millis),
                minimum_calls: minimum,
                permitted_calls_in_half_open: permitted,
                max_wait_in_half_open: max_wait.map(Duration::from_millis),
                sliding_window: SlidingWindow::Count { size },
                wait_in_open: WaitInOpen::Fixed {
                    duration: Duration::from_millis(wait),
                },
                ..Config::default()
            },
        )
}

/// A sample: (failed, slow).
type Sample = (bool, bool);

struct Model {
    config: Config,
    now: u64,
    state: State,
    epoch: u64,
    window: VecDeque<Sample>,
    open_until: u64,
    probes_left: u32,
    probes: Vec<Sample>,
    since: u64,
}

#[derive(Clone, Copy, Debug)]
struct ModelPermit {
    epoch: u64,
    probe: bool,
    start: u64,
}

fn millis(duration: Duration) -> u64 {
    duration.as_millis() as u64
}

fn rate(part: usize, whole: usize) -> f32 {
    part as f32 * 100.0 / whole as f32
}

impl Model {
    fn new(config: Config) -> Self {
        Self {
            config,
            now: 0,
            state: State::Closed,
            epoch: 0,
            window: VecDeque::new(),
            open_until: 0,
            probes_left: 0,
            probes: Vec::new(),
            since: 0,
        }
    }

    fn enter(&mut self, state: State) {
        self.epoch += 1;
        self.state = state;
        self.window.clear();
        self.since = self.now;
        match state {
            State::Open => {
                let WaitInOpen::Fixed { duration } = self.config.wait_in_open else {
                    unreachable!()
                };
                self.open_until = self.now + millis(duration);
            }
            State::HalfOpen => {
                self.probes_left = self.config.permitted_calls_in_half_open;
                self.probes.clear();
            }
            _ => {}
        }
    }

    fn apply_due(&mut self) {
        if self.state == State::Open && self.now >= self.open_until {
            self.enter(State::HalfOpen);
        } else if self.state == State::HalfOpen
            && let Some(max) = self.config.max_wait_in_half_open
            && self.now - self.since >= millis(max)
        {
            self.enter(self.config.state_after_max_wait_in_half_open);
        }
    }

    fn acquire(&mut self) -> Option<ModelPermit> {
        if self.state == State::Open && self.now < self.open_until {
            return None;
        }
        self.apply_due();
        let permit = |probe| ModelPermit {
            epoch: self.epoch,
            probe,
            start: self.now,
        };
        match self.state {
            State::Closed => Some(permit(false)),
            State::HalfOpen if self.probes_left > 0 => {
                self.probes_left -= 1;
                Some(permit(true))
            }
            _ => None,
        }
    }

    fn exceeds(&self, samples: &[Sample]) -> bool {
        let failures = samples.iter().filter(|s| s.0).count();
        let slow = samples.iter().filter(|s| s.1).count();
        rate(failures, samples.len()) >= self.config.failure_rate_threshold
            || rate(slow, samples.len()) >= self.config.slow_call_rate_threshold
    }

    fn complete(&mut self, permit: ModelPermit, outcome: Outcome) {
        if outcome == Outcome::Ignored {
            return self.release(permit);
        }
        if permit.epoch != self.epoch {
            return;
        }
        let slow = self
            .config
            .slow_call_duration
            .is_some_and(|limit| self.now - permit.start >= millis(limit));
        let sample = (outcome == Outcome::Failure, slow);
        if permit.probe {
            self.probes.push(sample);
            if self.probes.len() as u32 >= self.config.permitted_calls_in_half_open {
                let verdict = if self.exceeds(&self.probes.clone()) {
                    State::Open
                } else {
                    State::Closed
                };
                self.enter(verdict);
            }
            return;
        }
        let size = self.config.sliding_window.size() as usize;
        self.window.push_back(sample);
        if self.window.len() > size {
            self.window.pop_front();
        }
        let minimum = self.config.minimum_calls.min(size as u32) as usize;
        let samples: Vec<_> = self.window.iter().copied().collect();
        if self.window.len() >= minimum && self.exceeds(&samples) {
            self.enter(State::Open);
        }
    }

    fn release(&mut self, permit: ModelPermit) {
        if permit.probe && permit.epoch == self.epoch {
            self.probes_left += 1;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_breaker_behaves_like_the_reference_model(
        config in config(),
        ops in proptest::collection::vec(op(), 1..300),
    ) {
        let clock = ManualClock::new();
        let breaker = CircuitBreaker::with_clock("model", config.clone(), clock.clone()).unwrap();
        let mut model = Model::new(config.clone());
        let mut outstanding: Vec<(Permit, ModelPermit)> = Vec::new();
        for op in ops {
            match op {
                Op::Acquire => {
                    let open_and_waiting = model.state == State::Open && model.now < model.open_until;
                    let expected = model.acquire();
                    let actual = breaker.try_acquire();
                    prop_assert_eq!(actual.is_ok(), expected.is_some());
                    if open_and_waiting {
                        prop_assert!(actual.is_err(), "open must refuse until the wait elapses");
                    }
                    if let (Ok(permit), Some(expected)) = (actual, expected) {
                        outstanding.push((permit, expected));
                    }
                }
                Op::Complete { index, outcome } if !outstanding.is_empty() => {
                    let (permit, expected) = outstanding.swap_remove(index % outstanding.len());
                    breaker.on_result(permit, outcome);
                    model.complete(expected, outcome);
                }
                Op::Release { index } if !outstanding.is_empty() => {
                    let (permit, expected) = outstanding.swap_remove(index % outstanding.len());
                    breaker.release(permit);
                    model.release(expected);
                }
                Op::Advance { millis } => {
                    clock.advance(Duration::from_millis(millis));
                    model.now += millis;
                }
                Op::Tick => {
                    breaker.tick();
                    model.apply_due();
                }
                Op::Complete { .. } | Op::Release { .. } => {}
            }
            prop_assert_eq!(breaker.state(), model.state);
            let metrics = breaker.metrics();
            let bound = if model.state == State::HalfOpen {
                config.permitted_calls_in_half_open
            } else {
                config.sliding_window.size()
            };
            prop_assert!(metrics.calls <= u64::from(bound), "window over its size");
            if model.state == State::Closed {
                prop_assert_eq!(metrics.calls as usize, model.window.len());
            }
            let probes_in_flight = outstanding
                .iter()
                .filter(|(_, p)| p.probe && p.epoch == model.epoch)
                .count() as u32;
            prop_assert!(probes_in_flight <= config.permitted_calls_in_half_open);
        }
    }
}

//! [`Fail`]: what a failpoint does when it fires, and how often it fires.

use std::time::Duration;

use crate::fault::Trigger;

/// What a configured failpoint does, with a probability and a cap on how many times.
///
/// ```
/// use std::time::Duration;
///
/// use chaos::Fail;
///
/// // Every other write fails, three times at most.
/// let flaky = Fail::error("disk full").with_probability(0.5).at_most(3);
/// // The first append stops until the test releases it (or 10 s pass: then it panics).
/// let stuck = Fail::pause(Duration::from_secs(10)).at_most(1);
/// # let _ = (flaky, stuck);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Fail {
    pub(super) action: Action,
    pub(super) trigger: Trigger,
}

/// The action of a [`Fail`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Action {
    Error(String),
    Panic(String),
    Sleep(Duration),
    Pause { bound: Duration },
}

impl Fail {
    /// The site returns an error built from `message` by its closure (see
    /// [`fail_point!`](crate::fail_point)).
    pub fn error(message: impl Into<String>) -> Self {
        Self::always(Action::Error(message.into()))
    }

    /// The site panics with `message`, as a bug or a crash in the middle of an operation would.
    pub fn panic(message: impl Into<String>) -> Self {
        Self::always(Action::Panic(message.into()))
    }

    /// The site sleeps for `duration` on the `tokio::time` clock, then goes on.
    #[must_use]
    pub fn sleep(duration: Duration) -> Self {
        Self::always(Action::Sleep(duration))
    }

    /// The site waits until the test calls
    /// [`FailpointHandle::release`](crate::FailpointHandle::release), then goes on.
    ///
    /// The wait is bounded: a task still paused after `bound` (on the `tokio::time` clock)
    /// panics, naming the failpoint, because a pause nobody releases is a bug in the test and
    /// would otherwise hang it.
    #[must_use]
    pub fn pause(bound: Duration) -> Self {
        Self::always(Action::Pause { bound })
    }

    /// Fires on each hit with probability `probability`, in `[0, 1]`.
    #[must_use]
    pub fn with_probability(mut self, probability: f64) -> Self {
        self.trigger.probability = probability;
        self
    }

    /// Fires at most `count` times; `count` must be at least 1.
    #[must_use]
    pub fn at_most(mut self, count: u64) -> Self {
        self.trigger.count_max = Some(count);
        self
    }

    fn always(action: Action) -> Self {
        Self {
            action,
            trigger: Trigger::ALWAYS,
        }
    }
}

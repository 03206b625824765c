//! The breaker's states and the packed word that publishes the current one lock-free.

use serde::Deserialize;

/// A circuit breaker's state.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Calls flow; outcomes are recorded and judged.
    Closed,
    /// Calls are refused until the wait in open elapses.
    Open,
    /// A bounded number of probe calls decide between closed and open.
    HalfOpen,
    /// Calls flow and nothing is recorded (set by an operator).
    Disabled,
    /// Calls flow and are recorded, thresholds raise events, the state never changes
    /// (set by an operator, to try a configuration on live traffic).
    MetricsOnly,
    /// Every call is refused (set by an operator).
    ForcedOpen,
}

impl State {
    const ALL: [Self; 6] = [
        Self::Closed,
        Self::Open,
        Self::HalfOpen,
        Self::Disabled,
        Self::MetricsOnly,
        Self::ForcedOpen,
    ];

    /// The state's name as written in config and logs.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Closed => "closed",
            Self::Open => "open",
            Self::HalfOpen => "half_open",
            Self::Disabled => "disabled",
            Self::MetricsOnly => "metrics_only",
            Self::ForcedOpen => "forced_open",
        }
    }
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A state together with the generation it was entered in and whether its count window
/// is full of plain successes, packed in one `u64` so that all three are read with one
/// atomic load.
///
/// Every transition starts a new generation. A permit remembers the generation it was
/// issued in, which is how an outcome that arrives after a transition is recognised as
/// belonging to a state that no longer exists, and dropped.
///
/// `clean` means the count window holds `size` successes, none of them slow. Recording one
/// more success then changes nothing (the window is a multiset of identical samples), so
/// it is skipped without touching shared memory: the healthy steady state is read-only,
/// and threads do not contend on it. Only the breaker's lock writes this word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Epoch {
    pub(crate) state: State,
    pub(crate) generation: u32,
    pub(crate) clean: bool,
}

impl Epoch {
    pub(crate) fn pack(self) -> u64 {
        (u64::from(self.generation) << 16)
            | if self.clean { Self::CLEAN } else { 0 }
            | self.state as u64
    }

    const CLEAN: u64 = 0x100;

    /// Whether a packed word is in state `Closed`, without unpacking it.
    #[inline]
    pub(crate) fn is_closed(word: u64) -> bool {
        word & 0xff == State::Closed as u64
    }

    /// The generation of a packed word.
    #[inline]
    pub(crate) fn generation_of(word: u64) -> u32 {
        (word >> 16) as u32
    }

    /// Whether a packed word says "clean, in `generation`", in any recording state.
    #[inline]
    pub(crate) fn is_clean_in(word: u64, generation: u32) -> bool {
        word & Self::CLEAN != 0 && Self::generation_of(word) == generation
    }

    pub(crate) fn unpack(word: u64) -> Self {
        Self {
            state: State::ALL[(word & 0xff) as usize],
            generation: Self::generation_of(word),
            clean: word & Self::CLEAN != 0,
        }
    }
}

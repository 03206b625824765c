//! The register model: what each operation does to the value, as the search sees it.

use crate::history::{Call, Operation, Outcome};

/// What a failed `cas` says about the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CasFailure {
    /// A failed cas compared and found another value: it took effect as a read that saw
    /// something other than `from`, at some point between its call and its completion. This
    /// is what `fail` means for a cas in this crate's history format, and it catches a cas
    /// that fails although the register held `from`.
    #[default]
    CompareMismatch,
    /// A failed cas did not happen at all and says nothing (Knossos's reading of `fail`). Use
    /// it for a system whose cas can also fail for other reasons, like a lock conflict.
    NoEffect,
}

/// The register's value: `None` while absent, which is how it starts.
pub(crate) type State = Option<i64>;

/// One operation's effect on the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// An ok read: legal only if the register holds this value.
    Read(Option<i64>),
    /// A write, ok or indeterminate: always legal.
    Write(i64),
    /// An ok cas: legal only if the register holds `from`.
    Cas { from: i64, to: i64 },
    /// An indeterminate cas: writes `to` if the register holds `from`, else changes nothing.
    /// Always legal, so it can also be placed after every other operation, where it does not
    /// matter: that is the "did not take effect" case.
    CasIfMatch { from: i64, to: i64 },
    /// A failed cas under [`CasFailure::CompareMismatch`]: legal only if the register does not
    /// hold this value.
    Mismatch(i64),
}

impl Step {
    /// The operation's step, or `None` when it cannot affect the verdict: a read that did
    /// not complete ok observed nothing, and a failed write (or a failed cas under
    /// [`CasFailure::NoEffect`]) did not happen.
    pub(crate) fn of(operation: &Operation, cas_failure: CasFailure) -> Option<Self> {
        match (operation.call, operation.outcome) {
            (Call::Read, Outcome::Ok) => Some(Self::Read(operation.read)),
            (Call::Read | Call::Write(_), Outcome::Fail) | (Call::Read, Outcome::Info) => None,
            (Call::Write(value), Outcome::Ok | Outcome::Info) => Some(Self::Write(value)),
            (Call::Cas { from, to }, Outcome::Ok) => Some(Self::Cas { from, to }),
            (Call::Cas { from, to }, Outcome::Info) => Some(Self::CasIfMatch { from, to }),
            (Call::Cas { from, .. }, Outcome::Fail) => match cas_failure {
                CasFailure::CompareMismatch => Some(Self::Mismatch(from)),
                CasFailure::NoEffect => None,
            },
        }
    }

    /// The register's value after this step from `value`, or `None` if the step cannot
    /// happen when the register holds `value`.
    pub(crate) fn apply(self, value: State) -> Option<State> {
        match self {
            Self::Read(read) => (read == value).then_some(value),
            Self::Write(written) => Some(Some(written)),
            Self::Cas { from, to } => (value == Some(from)).then_some(Some(to)),
            Self::CasIfMatch { from, to } => {
                Some(if value == Some(from) { Some(to) } else { value })
            }
            Self::Mismatch(from) => (value != Some(from)).then_some(value),
        }
    }
}

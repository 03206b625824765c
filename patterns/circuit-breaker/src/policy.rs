//! The contract between a call-admission policy and the code that makes calls.

use std::ops::Deref;

use crate::CallNotPermitted;

/// How a call went, as the caller classifies it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The dependency did its job.
    Success,
    /// The dependency failed; this counts against it.
    Failure,
    /// Neither: say, a 404 or a validation error that says nothing about the dependency's
    /// health. Ignored calls are not recorded.
    Ignored,
}

/// A policy that admits or refuses calls and learns from their outcomes: the
/// [`CircuitBreaker`](crate::CircuitBreaker) and the [`AdaptiveThrottle`](crate::AdaptiveThrottle).
pub trait Policy: Send + Sync + 'static {
    /// Proof of admission, handed back with the outcome.
    type Permit: Send + std::fmt::Debug + 'static;

    /// Asks to make a call.
    fn try_acquire(&self) -> Result<Self::Permit, CallNotPermitted>;

    /// Reports how an admitted call went.
    fn on_result(&self, permit: Self::Permit, outcome: Outcome);

    /// Hands back a permit whose call was never completed (for example, cancelled).
    fn release(&self, permit: Self::Permit);
}

/// How a service holds its policy: `Arc<P>`, or `&'static P` for a policy that lives as
/// long as the program (say, in a `static` `LazyLock`), which makes cloning it free.
pub trait PolicyHandle: Deref<Target: Policy> + Clone + Send + Sync + 'static {}

impl<H> PolicyHandle for H where H: Deref<Target: Policy> + Clone + Send + Sync + 'static {}

/// Turns a call's result into an [`Outcome`]. Any `Fn(&Result<T, E>) -> Outcome` is one.
pub trait Classify<T, E> {
    /// Classifies one result.
    fn classify(&self, result: &Result<T, E>) -> Outcome;
}

impl<T, E, F> Classify<T, E> for F
where
    F: Fn(&Result<T, E>) -> Outcome,
{
    fn classify(&self, result: &Result<T, E>) -> Outcome {
        self(result)
    }
}

/// The default classification: `Ok` is a success, `Err` a failure.
#[derive(Clone, Copy, Debug, Default)]
pub struct ErrorIsFailure;

impl<T, E> Classify<T, E> for ErrorIsFailure {
    fn classify(&self, result: &Result<T, E>) -> Outcome {
        if result.is_ok() {
            Outcome::Success
        } else {
            Outcome::Failure
        }
    }
}

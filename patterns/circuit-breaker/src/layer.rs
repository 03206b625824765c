//! The tower [`Layer`] that puts a [`Policy`] in front of a service.

use tower::Layer;

use crate::{CircuitBreakerService, ErrorIsFailure, PolicyHandle};

/// Wraps services so that every call asks a policy first and reports its outcome after.
///
/// Works for any [`Policy`](crate::Policy): a [`CircuitBreaker`](crate::CircuitBreaker), an
/// [`AdaptiveThrottle`](crate::AdaptiveThrottle), or one of your own. The policy is held
/// through a [`PolicyHandle`]: an `Arc<P>`, or a `&'static P` for a breaker that lives as
/// long as the program, which spares each call an `Arc` clone (a contended atomic when
/// several threads share the breaker).
#[derive(Clone, Debug)]
pub struct CircuitBreakerLayer<H, K = ErrorIsFailure> {
    policy: H,
    classifier: K,
}

impl<H: PolicyHandle> CircuitBreakerLayer<H> {
    /// A layer that counts every `Err` as a failure.
    pub fn new(policy: H) -> Self {
        Self {
            policy,
            classifier: ErrorIsFailure,
        }
    }
}

impl<H: PolicyHandle, K> CircuitBreakerLayer<H, K> {
    /// Replaces the classifier: any `Fn(&Result<Response, Error>) -> Outcome`.
    pub fn with_classifier<K2>(self, classifier: K2) -> CircuitBreakerLayer<H, K2> {
        CircuitBreakerLayer {
            policy: self.policy,
            classifier,
        }
    }
}

impl<S, H: PolicyHandle, K: Clone> Layer<S> for CircuitBreakerLayer<H, K> {
    type Service = CircuitBreakerService<S, H, K>;

    fn layer(&self, inner: S) -> Self::Service {
        CircuitBreakerService::new(inner, self.policy.clone(), self.classifier.clone())
    }
}

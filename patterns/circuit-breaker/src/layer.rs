//! The tower [`Layer`] that puts a [`Policy`] in front of a service.

use std::sync::Arc;

use tower::Layer;

use crate::{CircuitBreakerService, ErrorIsFailure, Policy};

/// Wraps services so that every call asks `policy` first and reports its outcome after.
///
/// Works for any policy: a [`CircuitBreaker`](crate::CircuitBreaker), an
/// [`AdaptiveThrottle`](crate::AdaptiveThrottle), or one of your own.
#[derive(Debug)]
pub struct CircuitBreakerLayer<P, K = ErrorIsFailure> {
    policy: Arc<P>,
    classifier: K,
}

impl<P, K: Clone> Clone for CircuitBreakerLayer<P, K> {
    fn clone(&self) -> Self {
        Self {
            policy: Arc::clone(&self.policy),
            classifier: self.classifier.clone(),
        }
    }
}

impl<P: Policy> CircuitBreakerLayer<P> {
    /// A layer that counts every `Err` as a failure.
    pub fn new(policy: Arc<P>) -> Self {
        Self {
            policy,
            classifier: ErrorIsFailure,
        }
    }
}

impl<P: Policy, K> CircuitBreakerLayer<P, K> {
    /// Replaces the classifier: any `Fn(&Result<Response, Error>) -> Outcome`.
    pub fn with_classifier<K2>(self, classifier: K2) -> CircuitBreakerLayer<P, K2> {
        CircuitBreakerLayer {
            policy: self.policy,
            classifier,
        }
    }
}

impl<S, P: Policy, K: Clone> Layer<S> for CircuitBreakerLayer<P, K> {
    type Service = CircuitBreakerService<S, P, K>;

    fn layer(&self, inner: S) -> Self::Service {
        CircuitBreakerService::new(inner, Arc::clone(&self.policy), self.classifier.clone())
    }
}

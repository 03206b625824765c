//! The tower [`Service`] that asks a [`Policy`] before each call.

use std::sync::Arc;
use std::task::{Context, Poll};

use tower::{BoxError, Service};

use crate::future::ResponseFuture;
use crate::{Classify, Policy};

/// A service guarded by a [`Policy`]; built by [`CircuitBreakerLayer`](crate::CircuitBreakerLayer).
///
/// A refused call fails inside the response future with a boxed
/// [`CallNotPermitted`](crate::CallNotPermitted), never in `poll_ready`: in tower an error
/// from `poll_ready` means the service is gone for good, and an open circuit is not that.
#[derive(Debug)]
pub struct CircuitBreakerService<S, P, K> {
    inner: S,
    policy: Arc<P>,
    classifier: K,
}

impl<S: Clone, P, K: Clone> Clone for CircuitBreakerService<S, P, K> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            policy: Arc::clone(&self.policy),
            classifier: self.classifier.clone(),
        }
    }
}

impl<S, P, K> CircuitBreakerService<S, P, K> {
    /// Guards `inner` with `policy`, classifying results with `classifier`.
    pub fn new(inner: S, policy: Arc<P>, classifier: K) -> Self {
        Self {
            inner,
            policy,
            classifier,
        }
    }

    /// The policy guarding this service.
    pub fn policy(&self) -> &Arc<P> {
        &self.policy
    }
}

impl<S, P, K, Req> Service<Req> for CircuitBreakerService<S, P, K>
where
    S: Service<Req>,
    S::Error: Into<BoxError>,
    P: Policy,
    K: Classify<S::Response, S::Error> + Clone,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = ResponseFuture<S::Future, P, K>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: Req) -> Self::Future {
        match self.policy.try_acquire() {
            Ok(permit) => ResponseFuture::admitted(
                self.inner.call(request),
                Arc::clone(&self.policy),
                permit,
                self.classifier.clone(),
            ),
            Err(refused) => ResponseFuture::refused(refused),
        }
    }
}

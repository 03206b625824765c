//! The tower [`Service`] that asks a [`Policy`] before each call.

use std::task::{Context, Poll};

use tower::{BoxError, Service};

use crate::future::{PermitGuard, ResponseFuture};
use crate::{Classify, Policy, PolicyHandle};

/// A service guarded by a [`Policy`]; built by [`CircuitBreakerLayer`](crate::CircuitBreakerLayer).
///
/// A refused call fails inside the response future with a boxed
/// [`CallNotPermitted`](crate::CallNotPermitted), never in `poll_ready`: in tower an error
/// from `poll_ready` means the service is gone for good, and an open circuit is not that.
#[derive(Clone, Debug)]
pub struct CircuitBreakerService<S, H, K> {
    inner: S,
    policy: H,
    classifier: K,
}

impl<S, H, K> CircuitBreakerService<S, H, K> {
    /// Guards `inner` with `policy`, classifying results with `classifier`.
    pub fn new(inner: S, policy: H, classifier: K) -> Self {
        Self {
            inner,
            policy,
            classifier,
        }
    }

    /// The policy guarding this service.
    pub fn policy(&self) -> &H {
        &self.policy
    }
}

impl<S, H, K, Req> Service<Req> for CircuitBreakerService<S, H, K>
where
    S: Service<Req>,
    S::Error: Into<BoxError>,
    H: PolicyHandle,
    K: Classify<S::Response, S::Error> + Clone,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = ResponseFuture<S::Future, H, K>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: Req) -> Self::Future {
        match self.policy.try_acquire() {
            Ok(permit) => {
                // Guard first: if the inner `call` panics, the permit is still handed back.
                let guard = PermitGuard::new(self.policy.clone(), permit);
                ResponseFuture::admitted(self.inner.call(request), guard, self.classifier.clone())
            }
            Err(refused) => ResponseFuture::refused(refused),
        }
    }
}

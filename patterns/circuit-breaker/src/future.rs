//! The response future of [`CircuitBreakerService`](crate::CircuitBreakerService).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use pin_project_lite::pin_project;
use tower::BoxError;

use crate::{CallNotPermitted, Classify, Policy};

pin_project! {
    /// Resolves to the inner service's response, or to a refusal; reports the outcome to
    /// the policy when the inner future completes, and hands the permit back if it is
    /// dropped before that.
    #[derive(Debug)]
    pub struct ResponseFuture<F, P: Policy, K> {
        #[pin]
        inner: Option<F>,
        guard: Option<PermitGuard<P>>,
        refused: Option<CallNotPermitted>,
        classifier: Option<K>,
    }
}

impl<F, P: Policy, K> ResponseFuture<F, P, K> {
    pub(crate) fn admitted(inner: F, policy: Arc<P>, permit: P::Permit, classifier: K) -> Self {
        Self {
            inner: Some(inner),
            guard: Some(PermitGuard {
                policy,
                permit: Some(permit),
            }),
            refused: None,
            classifier: Some(classifier),
        }
    }

    pub(crate) fn refused(refused: CallNotPermitted) -> Self {
        Self {
            inner: None,
            guard: None,
            refused: Some(refused),
            classifier: None,
        }
    }
}

impl<F, T, E, P, K> Future for ResponseFuture<F, P, K>
where
    F: Future<Output = Result<T, E>>,
    E: Into<BoxError>,
    P: Policy,
    K: Classify<T, E>,
{
    type Output = Result<T, BoxError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Some(inner) = this.inner.as_pin_mut() else {
            let refused = this.refused.take().expect("a refused future is polled to completion once");
            return Poll::Ready(Err(refused.into()));
        };
        let result = ready!(inner.poll(cx));
        if let (Some(mut guard), Some(classifier)) = (this.guard.take(), this.classifier.as_ref()) {
            guard.finish(classifier.classify(&result));
        }
        Poll::Ready(result.map_err(Into::into))
    }
}

/// Holds a permit until the call's outcome is known, and releases it if that never happens.
#[derive(Debug)]
struct PermitGuard<P: Policy> {
    policy: Arc<P>,
    permit: Option<P::Permit>,
}

impl<P: Policy> PermitGuard<P> {
    fn finish(&mut self, outcome: crate::Outcome) {
        if let Some(permit) = self.permit.take() {
            self.policy.on_result(permit, outcome);
        }
    }
}

impl<P: Policy> Drop for PermitGuard<P> {
    fn drop(&mut self) {
        if let Some(permit) = self.permit.take() {
            self.policy.release(permit);
        }
    }
}

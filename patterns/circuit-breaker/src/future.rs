//! The response future of [`CircuitBreakerService`](crate::CircuitBreakerService).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use pin_project_lite::pin_project;
use tower::BoxError;

use crate::{CallNotPermitted, Classify, Outcome, Policy, PolicyHandle};

pin_project! {
    /// Resolves to the inner service's response, or to a refusal; reports the outcome to
    /// the policy when the inner future completes, and hands the permit back if it is
    /// dropped before that.
    pub struct ResponseFuture<F, H: PolicyHandle, K> {
        #[pin]
        kind: Kind<F, H, K>,
    }
}

pin_project! {
    #[project = KindProjection]
    enum Kind<F, H: PolicyHandle, K> {
        Admitted {
            #[pin]
            inner: F,
            guard: PermitGuard<H>,
            classifier: K,
        },
        Refused {
            refused: Option<CallNotPermitted>,
        },
    }
}

impl<F, H: PolicyHandle, K> ResponseFuture<F, H, K> {
    pub(crate) fn admitted(inner: F, guard: PermitGuard<H>, classifier: K) -> Self {
        Self {
            kind: Kind::Admitted {
                inner,
                guard,
                classifier,
            },
        }
    }

    pub(crate) fn refused(refused: CallNotPermitted) -> Self {
        Self {
            kind: Kind::Refused {
                refused: Some(refused),
            },
        }
    }
}

impl<F, T, E, H, K> Future for ResponseFuture<F, H, K>
where
    F: Future<Output = Result<T, E>>,
    E: Into<BoxError>,
    H: PolicyHandle,
    K: Classify<T, E>,
{
    type Output = Result<T, BoxError>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            KindProjection::Admitted {
                inner,
                guard,
                classifier,
            } => {
                let result = ready!(inner.poll(cx));
                guard.finish(classifier.classify(&result));
                Poll::Ready(result.map_err(Into::into))
            }
            KindProjection::Refused { refused } => {
                let refused = refused
                    .take()
                    .expect("a future is not polled after completion");
                Poll::Ready(Err(refused.into()))
            }
        }
    }
}

impl<F, H: PolicyHandle, K> std::fmt::Debug for ResponseFuture<F, H, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match &self.kind {
            Kind::Admitted { .. } => "admitted",
            Kind::Refused { .. } => "refused",
        };
        f.debug_struct("ResponseFuture")
            .field("state", &state)
            .finish()
    }
}

/// Holds a permit until the call's outcome is known, and releases it if that never happens.
pub(crate) struct PermitGuard<H: PolicyHandle> {
    policy: H,
    permit: Option<<H::Target as Policy>::Permit>,
}

impl<H: PolicyHandle> PermitGuard<H> {
    pub(crate) fn new(policy: H, permit: <H::Target as Policy>::Permit) -> Self {
        Self {
            policy,
            permit: Some(permit),
        }
    }

    #[inline]
    fn finish(&mut self, outcome: Outcome) {
        if let Some(permit) = self.permit.take() {
            self.policy.on_result(permit, outcome);
        }
    }
}

impl<H: PolicyHandle> Drop for PermitGuard<H> {
    fn drop(&mut self) {
        if let Some(permit) = self.permit.take() {
            self.policy.release(permit);
        }
    }
}

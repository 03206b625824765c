//! [`FaultService`]: decides each call's fault and returns the matching future.

use std::mem;
use std::task::{Context, Poll};

use tokio::time::Instant;
use tower::{BoxError, Service};

use super::future::FaultFuture;
use super::injector::SharedInjector;
use super::plan::Decision;

/// A service that injects errors, latency, timeouts and lost responses into calls to `S`, made
/// by a [`FaultLayer`](crate::FaultLayer).
///
/// Readiness is the inner service's; the fault is decided when `call` is made. `S` must be
/// `Clone` because a delayed call takes the ready service along into its future. Calls must be
/// made inside a tokio runtime with time enabled, since delays and timeouts are
/// `tokio::time::sleep`s.
#[derive(Debug, Clone)]
pub struct FaultService<S> {
    inner: S,
    injector: SharedInjector,
}

impl<S> FaultService<S> {
    pub(super) fn new(inner: S, injector: SharedInjector) -> Self {
        Self { inner, injector }
    }
}

impl<S, Req> Service<Req> for FaultService<S>
where
    S: Service<Req> + Clone,
    S::Error: Into<BoxError>,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = FaultFuture<S, Req>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: Req) -> Self::Future {
        match self.injector.on_call(Instant::now()) {
            Decision::Pass => FaultFuture::inner(self.inner.call(request)),
            Decision::Error => FaultFuture::injected_error(),
            Decision::Timeout(after) => FaultFuture::timing_out(after),
            Decision::DropResponse(after) => {
                FaultFuture::dropping_response(self.inner.call(request), after)
            }
            Decision::Delay(delay) => {
                // `poll_ready` readied `self.inner`, not its clones: the ready one goes into the
                // future and a fresh clone stays here, to be readied before the next call.
                let fresh = self.inner.clone();
                let ready = mem::replace(&mut self.inner, fresh);
                FaultFuture::delayed(delay, ready, request)
            }
        }
    }
}

//! [`FaultFuture`]: the response future of a [`FaultService`](crate::FaultService).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use pin_project_lite::pin_project;
use tokio::time::Sleep;
use tower::{BoxError, Service};

use super::error::InjectedFault;

pin_project! {
    /// The response future of a [`FaultService`](crate::FaultService): an injected error, a
    /// delayed call, or the inner service's own future, unboxed.
    pub struct FaultFuture<S, Req>
    where
        S: Service<Req>,
    {
        #[pin]
        state: State<S, Req>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<S, Req>
    where
        S: Service<Req>,
    {
        InjectedError,
        Sleeping {
            #[pin]
            sleep: Sleep,
            // The ready service and its request; taken when the sleep ends.
            call: Option<(S, Req)>,
        },
        Inner {
            #[pin]
            future: S::Future,
        },
    }
}

impl<S: Service<Req>, Req> FaultFuture<S, Req> {
    pub(super) fn injected_error() -> Self {
        Self {
            state: State::InjectedError,
        }
    }

    /// Sleeps for `delay`, then calls `service`, which must already be ready.
    pub(super) fn delayed(delay: Duration, service: S, request: Req) -> Self {
        Self {
            state: State::Sleeping {
                sleep: tokio::time::sleep(delay),
                call: Some((service, request)),
            },
        }
    }

    pub(super) fn inner(future: S::Future) -> Self {
        Self {
            state: State::Inner { future },
        }
    }
}

impl<S, Req> Future for FaultFuture<S, Req>
where
    S: Service<Req>,
    S::Error: Into<BoxError>,
{
    type Output = Result<S::Response, BoxError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        loop {
            match state.as_mut().project() {
                StateProj::InjectedError => return Poll::Ready(Err(InjectedFault.into())),
                StateProj::Sleeping { sleep, call } => {
                    ready!(sleep.poll(cx));
                    // The state becomes `Inner` right after the take, so `call` is never
                    // observed empty.
                    let (mut service, request) =
                        call.take().expect("a sleeping call is taken once");
                    state.set(State::Inner {
                        future: service.call(request),
                    });
                }
                StateProj::Inner { future } => return future.poll(cx).map_err(Into::into),
            }
        }
    }
}

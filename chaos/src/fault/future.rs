//! [`FaultFuture`]: the response future of a [`FaultService`](crate::FaultService).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use pin_project_lite::pin_project;
use tokio::time::Sleep;
use tower::{BoxError, Service};

use super::error::{InjectedFault, InjectedTimeout, ResponseDropped};

pin_project! {
    /// The response future of a [`FaultService`](crate::FaultService): an injected error, a
    /// delayed call, a call that times out, a call whose response is lost, or the inner
    /// service's own future, unboxed.
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
        TimingOut {
            #[pin]
            sleep: Sleep,
            after: Duration,
        },
        DroppingResponse {
            // `None` once the inner call has completed and its result was discarded.
            #[pin]
            future: Option<S::Future>,
            #[pin]
            sleep: Sleep,
            after: Duration,
        },
        Inner {
            #[pin]
            future: S::Future,
        },
    }
}

impl<S: Service<Req>, Req> FaultFuture<S, Req> {
    pub(super) fn injected_error() -> Self {
        Self::new(State::InjectedError)
    }

    /// Sleeps for `delay`, then calls `service`, which must already be ready.
    pub(super) fn delayed(delay: Duration, service: S, request: Req) -> Self {
        Self::new(State::Sleeping {
            sleep: tokio::time::sleep(delay),
            call: Some((service, request)),
        })
    }

    /// Fails with [`InjectedTimeout`] after `after`.
    pub(super) fn timing_out(after: Duration) -> Self {
        Self::new(State::TimingOut {
            sleep: tokio::time::sleep(after),
            after,
        })
    }

    /// Drives `future` to completion, discards its result, and fails with [`ResponseDropped`]
    /// no earlier than `after` from now.
    pub(super) fn dropping_response(future: S::Future, after: Duration) -> Self {
        Self::new(State::DroppingResponse {
            future: Some(future),
            sleep: tokio::time::sleep(after),
            after,
        })
    }

    pub(super) fn inner(future: S::Future) -> Self {
        Self::new(State::Inner { future })
    }

    fn new(state: State<S, Req>) -> Self {
        Self { state }
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
                StateProj::TimingOut { sleep, after } => {
                    ready!(sleep.poll(cx));
                    return Poll::Ready(Err(InjectedTimeout { after: *after }.into()));
                }
                StateProj::DroppingResponse {
                    mut future,
                    sleep,
                    after,
                } => {
                    // The inner call runs to completion first, so its side effects happen
                    // whether or not the caller could have seen them.
                    if let Some(inner) = future.as_mut().as_pin_mut() {
                        let _discarded = ready!(inner.poll(cx));
                        future.set(None);
                    }
                    ready!(sleep.poll(cx));
                    return Poll::Ready(Err(ResponseDropped { after: *after }.into()));
                }
                StateProj::Inner { future } => return future.poll(cx).map_err(Into::into),
            }
        }
    }
}

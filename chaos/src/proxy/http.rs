//! The HTTP server for Toxiproxy's API: hyper's HTTP/1 server over [`api::handle`].

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderValue, USER_AGENT};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};

use super::api::{self, Response};
use super::{Proxies, ProxyError};

/// API connections served at once; a client beyond it is closed at once.
pub const API_CONNECTIONS_MAX: usize = 64;

/// The largest request body read, in bytes; a larger one gets 413.
pub const REQUEST_BODY_BYTES_MAX: usize = 1 << 20;

/// How long a client may take to send a request's headers.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long the accept loop pauses after a failed accept, so that a persistent failure does
/// not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Serves a [`Proxies`] set over Toxiproxy's HTTP API (version 2), so that Toxiproxy's clients
/// and tools can drive it.
///
/// Stops when [`ApiServer::shutdown`] is called or the server is dropped; the proxies keep
/// running, since they belong to the set.
#[derive(Debug)]
pub struct ApiServer {
    local_addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl ApiServer {
    /// Listens on `address` (Toxiproxy's default is `127.0.0.1:8474`; port 0 picks a free one)
    /// and serves `proxies`.
    pub async fn bind(address: impl ToSocketAddrs, proxies: Proxies) -> Result<Self, ProxyError> {
        let listener = TcpListener::bind(address)
            .await
            .map_err(|source| ProxyError::Listen {
                address: "the API address".to_owned(),
                source,
            })?;
        let local_addr = listener.local_addr().map_err(|source| ProxyError::Listen {
            address: "the API address".to_owned(),
            source,
        })?;
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(serve(listener, proxies, stopped));
        tracing::info!(api = %local_addr, "Toxiproxy-compatible API listening");
        Ok(Self {
            local_addr,
            stop: Some(stop),
            task,
        })
    }

    /// The address the API listens on.
    #[must_use]
    pub const fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting, closes open API connections, and waits until the server is gone.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            // The loop may be gone already (its receiver dropped); either way it stops.
            let _ = stop.send(());
        }
        if let Err(error) = (&mut self.task).await {
            tracing::warn!(%error, "API server task failed");
        }
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Accepts API clients until told to stop; dropping the set of connections aborts them.
async fn serve(listener: TcpListener, proxies: Proxies, mut stopped: oneshot::Receiver<()>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            biased;
            _ = &mut stopped => return,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) if connections.len() >= API_CONNECTIONS_MAX => {
                    tracing::warn!(
                        %peer, API_CONNECTIONS_MAX, "limit reached: closing the API client"
                    );
                    drop(stream);
                }
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(stream, proxies.clone()));
                }
                Err(error) => {
                    tracing::warn!(%error, "API accept failed; retrying");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
            },
        }
    }
}

async fn serve_connection(stream: TcpStream, proxies: Proxies) {
    let service = service_fn(move |request| {
        let proxies = proxies.clone();
        async move { Ok::<_, Infallible>(respond(&proxies, request).await) }
    });
    let served = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .serve_connection(TokioIo::new(stream), service)
        .await;
    if let Err(error) = served {
        tracing::debug!(%error, "API connection ended with an error");
    }
}

async fn respond(proxies: &Proxies, request: Request<Incoming>) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let response = match Limited::new(body, REQUEST_BODY_BYTES_MAX).collect().await {
        Ok(body) => {
            let user_agent = parts
                .headers
                .get(USER_AGENT)
                .and_then(|agent| agent.to_str().ok());
            api::handle(
                proxies,
                parts.method.as_str(),
                parts.uri.path(),
                user_agent,
                &body.to_bytes(),
            )
        }
        Err(error) if error.is::<LengthLimitError>() => Response::error(
            413,
            format!("request body larger than {REQUEST_BODY_BYTES_MAX} bytes"),
        ),
        Err(error) => Response::error(400, format!("bad request body: {error}")),
    };
    into_http(response)
}

fn into_http(response: Response) -> hyper::Response<Full<Bytes>> {
    let body = response
        .body
        .map(|body| Bytes::from(body.to_string()))
        .unwrap_or_default();
    let mut http = hyper::Response::new(Full::new(body));
    *http.status_mut() =
        StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if response.status != 204 {
        http.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    http
}

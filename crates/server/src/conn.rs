//! The listener's connections: hyper's HTTP/1 server with read timeouts, so that a client that
//! sends its headers or its body slowly (slowloris) is disconnected rather than held for as
//! long as it likes. A request's headers must arrive within [`Timeouts::header`] (hyper's
//! `header_read_timeout`, which also closes an idle kept-alive connection that begins a
//! request and stalls); its whole body within [`Timeouts::body`] of the headers, or reading it
//! fails, the request is answered with an error and the connection is closed.

use std::io;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use futures_util::StreamExt;
use hyper::body::{Body as _, Incoming};
use hyper_util::rt::{TokioIo, TokioTimer};
use tower::ServiceExt;

use crate::tls::Tls;

/// How long a client may take to send a request.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// To send a request's headers.
    pub header: Duration,
    /// To send a request's whole body, counted from its headers (a scan of 8 MiB at 150 kB/s).
    pub body: Duration,
}

impl Default for Timeouts {
    /// 10 seconds for the headers, 60 for the body.
    fn default() -> Timeouts {
        Timeouts {
            header: Duration::from_secs(10),
            body: Duration::from_secs(60),
        }
    }
}

/// Serves `app` on every connection `listener` accepts, until the process ends, over TLS if
/// `tls` is given; the handlers find the client's address as axum's `ConnectInfo<SocketAddr>`,
/// and a request that came over TLS carries [`Https`].
pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    t: Timeouts,
    tls: Option<Tls>,
) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(c) => c,
            Err(_) => {
                // Out of file descriptors, or a connection reset before it was accepted: wait
                // a moment rather than spin.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // Headers and body leave in separate writes: with Nagle's algorithm, the second waits
        // for the client's delayed acknowledgement of the first on a kept-alive connection
        // (measured: 25 ms a tile of a published log; `axum::serve` sets this too).
        let _ = stream.set_nodelay(true);
        let https = tls.is_some();
        let app = app.clone();
        let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            let mut req = req.map(|b| {
                if b.is_end_stream() {
                    Body::new(b)
                } else {
                    deadline(Body::new(b), t.body)
                }
            });
            req.extensions_mut().insert(ConnectInfo(peer));
            if https {
                req.extensions_mut().insert(Https);
            }
            app.clone().oneshot(req)
        });
        let http = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(t.header)
            .clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            // A connection's errors (a timeout, a reset, a failed handshake) end that
            // connection only.
            match tls {
                None => {
                    let _ = http.serve_connection(TokioIo::new(stream), service).await;
                }
                Some(tls) => {
                    // The handshake within the headers' time, as a slow client's headers.
                    let shake = tokio::time::timeout(t.header, tls.acceptor.accept(stream)).await;
                    if let Ok(Ok(stream)) = shake {
                        let _ = http.serve_connection(TokioIo::new(stream), service).await;
                    }
                }
            }
        });
    }
}

/// Marks a request that reached the service over its own TLS (`serve --tls-cert`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Https;

/// `body`, failing with `TimedOut` if it has not all arrived within `limit` from now.
fn deadline(body: Body, limit: Duration) -> Body {
    let end = tokio::time::Instant::now() + limit;
    let frames = futures_util::stream::unfold(Some(body.into_data_stream()), move |s| async move {
        let mut s = s?;
        match tokio::time::timeout_at(end, s.next()).await {
            Ok(Some(Ok(bytes))) => Some((Ok(bytes), Some(s))),
            Ok(Some(Err(e))) => Some((Err(io::Error::other(e)), None)),
            Ok(None) => None,
            Err(_) => Some((
                Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "the request's body was not sent within {} seconds",
                        limit.as_secs()
                    ),
                )),
                None,
            )),
        }
    });
    Body::from_stream(frames)
}

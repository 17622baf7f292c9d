//! The HTTP server loop of both binaries, in place of `axum::serve`, which has neither a
//! header-read timeout nor a connection cap: reached without nginx, a few hundred clients that
//! open connections and trickle their headers (slowloris) would hold the process forever.
//!
//! - At most `MAX_CONNECTIONS` connections are served at once; the next ones wait in the
//!   kernel's listen queue until one closes (the loop accepts only with a free slot).
//! - A client has `HEADER_READ_TIMEOUT_SECS` to send a request's headers, from the moment the
//!   connection opens or the previous answer was sent (so it is also the idle keep-alive time):
//!   hyper's HTTP/1 timer, plus a deadline on the first request that also covers the sniffing
//!   of the protocol version (HTTP/1 or HTTP/2 with prior knowledge).
//! - `ConnectInfo<SocketAddr>` is in every request's extensions, as with
//!   `into_make_service_with_connect_info` (the client address rule, `client_addr`).
//! - On the shutdown token, the loop stops accepting, every connection finishes the request in
//!   flight and closes, and [`serve`] returns once all are closed.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use crate::body_limit::DEFAULT_MAX_BODY_BYTES;

/// Default of `MAX_CONNECTIONS`.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// Default of `HEADER_READ_TIMEOUT_SECS`: nginx's `client_header_timeout`.
pub const DEFAULT_HEADER_TIMEOUT_SECS: u64 = 15;

/// The HTTP limits both binaries flatten into their command line.
#[derive(clap::Args, Debug, Clone)]
pub struct ServeArgs {
    /// Largest request body in bytes; a bigger one is answered 413.
    #[arg(
        long = "max-body-bytes",
        env = "MAX_BODY_BYTES",
        default_value_t = DEFAULT_MAX_BODY_BYTES,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..)
    )]
    pub max_body_bytes: usize,
    /// Connections served at once; further clients wait in the listen queue.
    #[arg(
        long = "max-connections",
        env = "MAX_CONNECTIONS",
        default_value_t = DEFAULT_MAX_CONNECTIONS,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000)
    )]
    pub max_connections: usize,
    /// Seconds a client has to send a request's headers (also how long an idle keep-alive
    /// connection stays open); then the connection is closed.
    #[arg(
        long = "header-timeout-secs",
        value_name = "HEADER_READ_TIMEOUT_SECS",
        env = "HEADER_READ_TIMEOUT_SECS",
        default_value_t = DEFAULT_HEADER_TIMEOUT_SECS,
        value_parser = clap::value_parser!(u64).range(1..=3600)
    )]
    pub header_timeout_secs: u64,
}

impl Default for ServeArgs {
    fn default() -> Self {
        ServeArgs {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_timeout_secs: DEFAULT_HEADER_TIMEOUT_SECS,
        }
    }
}

impl ServeArgs {
    pub fn header_timeout(&self) -> Duration {
        Duration::from_secs(self.header_timeout_secs)
    }
}

/// The limits of [`serve`].
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_connections: usize,
    pub header_timeout: Duration,
}

impl From<&ServeArgs> for Limits {
    fn from(args: &ServeArgs) -> Self {
        Limits {
            max_connections: args.max_connections,
            header_timeout: args.header_timeout(),
        }
    }
}

/// Serves `router` on `listener` until `shutdown` is cancelled and every connection is closed.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let max = limits.max_connections.clamp(1, Semaphore::MAX_PERMITS);
    let slots = Arc::new(Semaphore::new(max));
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    builder.http2().timer(TokioTimer::new());
    let builder = Arc::new(builder);
    loop {
        let slot = tokio::select! {
            () = shutdown.cancelled() => break,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break, // never closed
            },
        };
        let (stream, peer) = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_error(e).await;
                    continue;
                }
            },
        };
        let connection = Connection {
            builder: builder.clone(),
            router: router.clone(),
            header_timeout: limits.header_timeout,
            shutdown: shutdown.clone(),
        };
        tokio::spawn(async move {
            connection.run(stream, peer).await;
            drop(slot);
        });
    }
    // every slot back: every connection closed
    let all = u32::try_from(max).unwrap_or(u32::MAX);
    let _ = slots.acquire_many(all).await;
    Ok(())
}

/// A failed `accept`: a connection reset before it was taken is nothing; anything else (out of
/// file descriptors) is logged and waited out, as `axum::serve` does.
async fn accept_error(e: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "accept failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

struct Connection {
    builder: Arc<auto::Builder<TokioExecutor>>,
    router: Router,
    header_timeout: Duration,
    shutdown: CancellationToken,
}

impl Connection {
    async fn run(self, stream: TcpStream, peer: SocketAddr) {
        let _ = stream.set_nodelay(true);
        let first_request = Arc::new(Notify::new());
        let seen = first_request.clone();
        let service = self
            .router
            .map_request(move |mut req: axum::http::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                seen.notify_one();
                req
            });
        let conn = self.builder.serve_connection_with_upgrades(
            TokioIo::new(stream),
            TowerToHyperService::new(service),
        );
        tokio::pin!(conn);
        let first = first_request.notified();
        tokio::pin!(first);
        let deadline = tokio::time::sleep(self.header_timeout);
        tokio::pin!(deadline);
        let (mut started, mut stopping) = (false, false);
        loop {
            tokio::select! {
                done = conn.as_mut() => {
                    if let Err(e) = done {
                        tracing::debug!(error = %e, %peer, "connection ended");
                    }
                    return;
                }
                () = &mut first, if !started => started = true,
                () = &mut deadline, if !started => {
                    tracing::debug!(%peer, "no request within the header timeout: closed");
                    return;
                }
                () = self.shutdown.cancelled(), if !stopping => {
                    stopping = true;
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use std::time::Instant;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A server on a random port with the given limits; its address and shutdown token.
    async fn start(limits: Limits) -> (SocketAddr, CancellationToken, tokio::task::JoinHandle<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = Router::new().route(
            "/",
            get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.ip().to_string() }),
        );
        let shutdown = CancellationToken::new();
        let token = shutdown.clone();
        let task = tokio::spawn(async move {
            serve(listener, router, limits, token).await.unwrap();
        });
        (addr, shutdown, task)
    }

    /// A whole request on a new connection: the status line and body, or an error.
    async fn get_root(addr: SocketAddr) -> std::io::Result<String> {
        let mut stream = TcpStream::connect(addr).await?;
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            .await?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await?;
        Ok(answer)
    }

    /// A slow client: half a request line, then one more byte a second.
    async fn slow_client(addr: SocketAddr) -> Option<TcpStream> {
        let mut stream = TcpStream::connect(addr).await.ok()?;
        stream.write_all(b"GET / HTTP/1.1\r\nX-Slow: ").await.ok()?;
        Some(stream)
    }

    /// Whether the server closed the connection (reads EOF or a reset) within `within`,
    /// while the client keeps trickling.
    async fn closed_within(mut stream: TcpStream, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        let mut buf = [0u8; 256];
        while Instant::now() < deadline {
            if stream.write_all(b"a").await.is_err() {
                return true;
            }
            match tokio::time::timeout(Duration::from_millis(200), stream.read(&mut buf)).await {
                Ok(Ok(0) | Err(_)) => return true,
                Ok(Ok(_)) => {} // a 408 before the close
                Err(_) => {}
            }
        }
        false
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn slow_clients_do_not_starve_a_normal_request_and_are_closed() {
        let limits = Limits {
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_timeout: Duration::from_secs(1),
        };
        let (addr, shutdown, task) = start(limits).await;
        let mut slow = Vec::new();
        for _ in 0..200 {
            slow.push(slow_client(addr).await.expect("a slow client connects"));
        }
        let started = Instant::now();
        let answer = get_root(addr).await.unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "served in {:?}",
            started.elapsed()
        );
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(
            answer.ends_with("127.0.0.1"),
            "the peer's address: {answer}"
        );

        let closed = futures::future::join_all(
            slow.into_iter()
                .map(|s| closed_within(s, Duration::from_secs(4))),
        )
        .await;
        assert!(
            closed.iter().all(|c| *c),
            "{} slow connections still open after the header timeout",
            closed.iter().filter(|c| !**c).count()
        );
        shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .expect("the server stops")
            .unwrap();
    }

    #[tokio::test]
    async fn a_silent_connection_is_closed_after_the_header_timeout() {
        let limits = Limits {
            max_connections: 4,
            header_timeout: Duration::from_millis(300),
        };
        let (addr, _shutdown, _task) = start(limits).await;
        let mut silent = TcpStream::connect(addr).await.unwrap();
        let mut buf = [0u8; 16];
        let read = tokio::time::timeout(Duration::from_secs(3), silent.read(&mut buf)).await;
        assert!(
            matches!(read, Ok(Ok(0) | Err(_))),
            "closed without a byte: {read:?}"
        );
    }

    #[tokio::test]
    async fn connections_beyond_the_cap_wait_for_a_free_slot() {
        let limits = Limits {
            max_connections: 2,
            header_timeout: Duration::from_millis(800),
        };
        let (addr, _shutdown, _task) = start(limits).await;
        let _held = [
            slow_client(addr).await.unwrap(),
            slow_client(addr).await.unwrap(),
        ];
        // give the loop time to take both
        tokio::time::sleep(Duration::from_millis(100)).await;
        let started = Instant::now();
        let answer = tokio::time::timeout(Duration::from_secs(5), get_root(addr))
            .await
            .expect("served once a slot frees")
            .unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(
            started.elapsed() >= Duration::from_millis(500),
            "the third connection waited for a slot ({:?})",
            started.elapsed()
        );
    }

    #[tokio::test]
    async fn shutdown_ends_the_loop_and_idle_connections() {
        let (addr, shutdown, task) = start(Limits {
            max_connections: 8,
            header_timeout: Duration::from_secs(30),
        })
        .await;
        assert!(get_root(addr).await.unwrap().starts_with("HTTP/1.1 200"));
        let _idle = TcpStream::connect(addr).await.unwrap();
        shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .expect("stops without waiting for the idle connection's timeout")
            .unwrap();
    }
}

//! Graceful shutdown: one token, cancelled on Ctrl-C or SIGTERM, that the HTTP server (stops
//! accepting, finishes the requests in flight) and the background tasks (stop at their next
//! await) all watch. `serve()` creates it and spawns [`cancel_on_signal`] next to the server.

pub use tokio_util::sync::CancellationToken;

/// Resolves on Ctrl-C or SIGTERM.
pub async fn signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Cancels `token` on Ctrl-C or SIGTERM; returns early if the token is cancelled otherwise.
pub async fn cancel_on_signal(token: CancellationToken) {
    tokio::select! {
        _ = signal() => {
            tracing::info!("shutting down, finishing in-flight requests");
            token.cancel();
        }
        _ = token.cancelled() => {}
    }
}

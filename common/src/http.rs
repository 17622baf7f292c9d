//! HTTP plumbing both binaries put in front of their routes: `X-Instance-Id`, `X-Response-Time`
//! and `X-Request-Id` on every response, a request span (method, route, request id) around the
//! handler so errors logged inside carry their context, and one request-log event per request.
//! A client's own `X-Request-Id` is kept only when short and made of safe characters.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// Who made the request, put in the response extensions by the authentication layer so the
/// request log can name them.
#[derive(Clone, Debug)]
pub struct ClientName(pub String);

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest `X-Request-Id` taken from a client.
pub const MAX_REQUEST_ID_LEN: usize = 64;

/// A client's `X-Request-Id` is kept only when it is 1 to 64 of `A-Z a-z 0-9 . _ -`: anything
/// else could forge log columns or lines, and is replaced by a new id.
pub fn acceptable_request_id(id: &str) -> bool {
    (1..=MAX_REQUEST_ID_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The middleware; its state is the instance id.
pub async fn stamp(State(instance): State<Arc<str>>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| req.uri().path().to_owned());
    let request_id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable_request_id(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        req.headers_mut().insert(REQUEST_ID, v);
    }
    let span =
        tracing::info_span!("request", method = %method, route = %route, request_id = %request_id);
    let mut response = next.run(req).instrument(span).await;
    let elapsed = started.elapsed();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&instance) {
        headers.insert(HeaderName::from_static("x-instance-id"), v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("{:.2}ms", elapsed.as_secs_f64() * 1000.0)) {
        headers.insert(HeaderName::from_static("x-response-time"), v);
    }
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        headers.insert(REQUEST_ID, v);
    }
    let client = response
        .extensions()
        .get::<ClientName>()
        .map(|c| c.0.clone())
        .unwrap_or_else(|| "-".into());
    tracing::info!(
        target: crate::telemetry::REQUEST_TARGET,
        method = %method,
        route = %route,
        status = response.status().as_u16(),
        duration_ms = elapsed.as_secs_f64() * 1000.0,
        client = %client,
        request_id = %request_id,
        "request"
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    async fn id_answered_for(sent: &str) -> String {
        let app = Router::new()
            .route("/", get(|| async { "ok" }))
            .layer(axum::middleware::from_fn_with_state(Arc::from("t"), stamp));
        let req = axum::http::Request::get("/")
            .header(REQUEST_ID, HeaderValue::from_str(sent).unwrap())
            .body(Body::empty())
            .unwrap();
        let response = app.oneshot(req).await.unwrap();
        response.headers()[&REQUEST_ID].to_str().unwrap().to_owned()
    }

    #[tokio::test]
    async fn only_short_safe_request_ids_are_kept() {
        let longest = "a".repeat(MAX_REQUEST_ID_LEN);
        for kept in ["abc-123_X.y", longest.as_str()] {
            assert_eq!(id_answered_for(kept).await, kept);
        }
        let too_long = "a".repeat(MAX_REQUEST_ID_LEN + 1);
        for replaced in ["two words", "a\tb", "k=v", "\"quoted\"", too_long.as_str()] {
            let answered = id_answered_for(replaced).await;
            assert_ne!(answered, replaced);
            assert!(uuid::Uuid::parse_str(&answered).is_ok(), "{answered}");
        }
    }
}

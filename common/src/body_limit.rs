//! The request body limit of both binaries (`MAX_BODY_BYTES`): a bigger body is answered 413
//! before any handler reads it, in each binary's own words (the API's problem document, the web
//! UI's French text). A declared `Content-Length` over the limit is refused at once; a body
//! without one (chunked) is read up to the limit, then refused. axum's own extractor limit is
//! raised to the same value by [`layer`]'s callers, so this is the one bound.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Default of `MAX_BODY_BYTES`: nginx's `client_max_body_size 1m`.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// The limit and how a binary says "too large".
#[derive(Clone, Copy, Debug)]
pub struct BodyLimit {
    pub max_bytes: usize,
    pub too_large: fn(usize) -> Response,
}

impl BodyLimit {
    /// The web UI's answer: plain French text.
    pub fn plain(max_bytes: usize) -> Self {
        BodyLimit {
            max_bytes,
            too_large: plain_too_large,
        }
    }
}

fn plain_too_large(max_bytes: usize) -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("Requête trop volumineuse : au plus {max_bytes} octets."),
    )
        .into_response()
}

/// The middleware; its state is the limit.
pub async fn limit(State(limit): State<BodyLimit>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(length) if length > limit.max_bytes as u64 => {
            tracing::warn!(length, max = limit.max_bytes, "request body too large");
            (limit.too_large)(limit.max_bytes)
        }
        // the server reads no more than the declared length
        Some(_) => next.run(req).await,
        None => {
            let (parts, body) = req.into_parts();
            match axum::body::to_bytes(body, limit.max_bytes).await {
                Ok(bytes) => {
                    next.run(Request::from_parts(parts, Body::from(bytes)))
                        .await
                }
                Err(e) if is_length_limit(&e) => {
                    tracing::warn!(max = limit.max_bytes, "request body too large (chunked)");
                    (limit.too_large)(limit.max_bytes)
                }
                Err(e) => {
                    tracing::debug!(error = %e, "request body could not be read");
                    (StatusCode::BAD_REQUEST, "Corps de requête illisible.").into_response()
                }
            }
        }
    }
}

fn is_length_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Bytes;
    use axum::routing::post;
    use tower::ServiceExt;

    async fn status_of(body: Body, length: Option<usize>) -> StatusCode {
        let app = Router::new()
            .route("/", post(|b: Bytes| async move { b.len().to_string() }))
            .layer(axum::middleware::from_fn_with_state(
                BodyLimit::plain(10),
                limit,
            ));
        let mut req = axum::http::Request::post("/");
        if let Some(n) = length {
            req = req.header(header::CONTENT_LENGTH, n);
        }
        app.oneshot(req.body(body).unwrap()).await.unwrap().status()
    }

    fn chunked(parts: &'static [&'static str]) -> Body {
        let chunks = parts
            .iter()
            .map(|p| Ok::<_, std::io::Error>(Bytes::from_static(p.as_bytes())));
        Body::from_stream(futures::stream::iter(chunks))
    }

    #[tokio::test]
    async fn bodies_over_the_limit_are_413_declared_or_not() {
        assert_eq!(status_of(Body::from("0123456789"), Some(10)).await, 200);
        assert_eq!(status_of(Body::from("0123456789a"), Some(11)).await, 413);
        assert_eq!(status_of(chunked(&["01234", "56789"]), None).await, 200);
        assert_eq!(
            status_of(chunked(&["01234", "56789", "a"]), None).await,
            413
        );
    }
}

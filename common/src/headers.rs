//! The security headers both binaries put on every response, and their Content-Security-Policy
//! texts. Each header is added only when the handler did not set its own (a page's CSP with its
//! nonce, the long cache of a vendored script), so a response never carries two copies; nginx
//! in front adds its defaults only when the instance sent none (deploy/nginx).
//!
//! - `Content-Security-Policy`: [`NO_CONTENT_CSP`] by default (JSON, text, redirects: nothing
//!   to load, never framed); the web pages set [`page_csp`] with the request's nonce, the API's
//!   documentation page [`DOCS_CSP`].
//! - `X-Frame-Options: DENY` (old browsers; the CSP's `frame-ancestors 'none'` for the rest),
//!   `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin`.
//! - `Cache-Control: no-store` on everything but the site's static files (`/pkg/`), whose
//!   caching is the file server's and nginx's business: pages, server functions and API
//!   answers carry business data, sometimes one employee's.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The policy of a response that loads nothing: an API answer, a server function's, `/health`.
pub const NO_CONTENT_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The policy of the API's documentation page (RapiDoc, served by the API itself): its own
/// script, the styles RapiDoc puts in its shadow DOM, the document and "try it" requests to
/// this origin only.
pub const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
     connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The policy of a web page: scripts only from this site or inline with this response's nonce
/// (Leptos' hydration script), WebAssembly compiled from this site's bundle, styles from the
/// site's stylesheet (plus `style` attributes: the width of a report's bars), requests to this
/// origin only, never framed.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// The static files' path prefix of the web UI (cargo-leptos' `site-pkg-dir`): cacheable.
pub const STATIC_PREFIX: &str = "/pkg/";

/// What [`apply`] adds: the default CSP of the binary and the paths left cacheable.
#[derive(Clone, Debug)]
pub struct SecurityHeaders {
    csp: HeaderValue,
    cacheable_prefix: Option<&'static str>,
}

impl SecurityHeaders {
    /// The API's: no content anywhere unless a route says otherwise, nothing cacheable.
    pub fn api() -> Arc<Self> {
        Arc::new(SecurityHeaders {
            csp: HeaderValue::from_static(NO_CONTENT_CSP),
            cacheable_prefix: None,
        })
    }

    /// The web UI's: pages set their own policy (with their nonce), `/pkg/` stays cacheable.
    pub fn web() -> Arc<Self> {
        Arc::new(SecurityHeaders {
            csp: HeaderValue::from_static(NO_CONTENT_CSP),
            cacheable_prefix: Some(STATIC_PREFIX),
        })
    }
}

const REFERRER_POLICY: &str = "same-origin";

/// The middleware; its state says what to add.
pub async fn apply(
    State(policy): State<Arc<SecurityHeaders>>,
    req: Request,
    next: Next,
) -> Response {
    let cacheable = policy
        .cacheable_prefix
        .is_some_and(|prefix| req.uri().path().starts_with(prefix));
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    add(headers, header::CONTENT_SECURITY_POLICY, policy.csp.clone());
    add(
        headers,
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("DENY"),
    );
    add(
        headers,
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    add(
        headers,
        header::REFERRER_POLICY,
        HeaderValue::from_static(REFERRER_POLICY),
    );
    if !cacheable {
        add(
            headers,
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        );
    }
    response
}

fn add(headers: &mut HeaderMap, name: HeaderName, value: HeaderValue) {
    headers.entry(name).or_insert(value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    async fn headers_of(policy: Arc<SecurityHeaders>, path: &str) -> HeaderMap {
        let app = Router::new()
            .route("/data", get(|| async { "{}" }))
            .route("/pkg/site.js", get(|| async { "js" }))
            .route(
                "/own",
                get(|| async {
                    (
                        [
                            (header::CONTENT_SECURITY_POLICY, "default-src 'self'"),
                            (header::CACHE_CONTROL, "public, max-age=60"),
                        ],
                        "own",
                    )
                }),
            )
            .layer(axum::middleware::from_fn_with_state(policy, apply));
        let req = axum::http::Request::get(path).body(Body::empty()).unwrap();
        app.oneshot(req).await.unwrap().headers().clone()
    }

    #[tokio::test]
    async fn every_response_gets_the_headers_once() {
        let h = headers_of(SecurityHeaders::api(), "/data").await;
        assert_eq!(h[header::CONTENT_SECURITY_POLICY], NO_CONTENT_CSP);
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(h[header::REFERRER_POLICY], "same-origin");
        assert_eq!(h[header::CACHE_CONTROL], "no-store");
        let missing = headers_of(SecurityHeaders::api(), "/nothing").await;
        assert_eq!(missing[header::CACHE_CONTROL], "no-store", "404s too");
    }

    #[tokio::test]
    async fn a_handler_s_own_values_win_and_static_files_stay_cacheable() {
        let own = headers_of(SecurityHeaders::api(), "/own").await;
        assert_eq!(
            own.get_all(header::CONTENT_SECURITY_POLICY).iter().count(),
            1
        );
        assert_eq!(own[header::CONTENT_SECURITY_POLICY], "default-src 'self'");
        assert_eq!(own[header::CACHE_CONTROL], "public, max-age=60");
        let web_static = headers_of(SecurityHeaders::web(), "/pkg/site.js").await;
        assert!(web_static.get(header::CACHE_CONTROL).is_none());
        assert_eq!(web_static[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        let api_pkg = headers_of(SecurityHeaders::api(), "/pkg/site.js").await;
        assert_eq!(api_pkg[header::CACHE_CONTROL], "no-store");
    }

    #[test]
    fn a_page_policy_allows_its_nonce_and_no_inline_script() {
        let csp = page_csp("abc123");
        assert!(csp.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"));
        let script_src = csp
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap();
        assert!(!script_src.contains("unsafe-inline"), "{script_src}");
        assert!(!script_src.contains("'unsafe-eval'"), "{script_src}");
        assert!(csp.contains("frame-ancestors 'none'"));
    }
}

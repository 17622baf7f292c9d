//! The web UI server: shared state and the router (Leptos pages, server functions, static
//! files, `/health` and `/metrics` from `common`, and the web's own middleware). `main.rs`
//! parses the command line and runs the server with its background tasks.

pub mod security;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use domain::db::PgPool;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use serde_json::json;

/// Everything a request handler may need.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub instance_id: Arc<str>,
    pub started: Instant,
    /// Sign-in throttling, sessions, cookies and trusted proxies.
    pub security: security::WebSecurity,
    /// Largest request body (`MAX_BODY_BYTES`); beyond, 413.
    pub max_body_bytes: usize,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The pool, for the handlers `common` shares between the binaries (`/metrics`).
impl FromRef<AppState> for PgPool {
    fn from_ref(state: &AppState) -> Self {
        state.pool.clone()
    }
}

/// The whole web application: pages, server functions, the site's static files, `/health` and
/// `/metrics`, with `X-Instance-Id`, `X-Response-Time`, `X-Request-Id` and the security headers
/// (`common::headers`; pages set their CSP with their nonce, `app::shell`) on every response,
/// and bodies over `max_body_bytes` answered 413.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(app::App);
    let pool = state.pool.clone();
    // what the till's quotes are priced with, one per instance (kept current by the database)
    let price_book = domain::sales::PriceBook::new();
    let sign_in = state.security.sign_in.clone();
    let hsts = sign_in.secure_cookies;
    let body_limit = common::body_limit::BodyLimit::plain(state.max_body_bytes);
    let router = Router::new()
        .route("/health", get(health))
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(pool.clone());
                provide_context(price_book.clone());
                provide_context(app::server::SessionMemo::default());
                provide_context(sign_in.clone());
            },
            {
                let options = state.leptos_options.clone();
                move || app::shell(options.clone())
            },
        )
        .route("/metrics", get(common::metrics::endpoint))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(
            app::shell,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(body_limit.max_bytes))
        .layer(axum::middleware::from_fn_with_state(
            body_limit,
            common::body_limit::limit,
        ))
        .layer(axum::middleware::from_fn(same_origin_posts))
        .layer(axum::middleware::from_fn_with_state(
            state.security.trusted_proxies.clone(),
            security::client_address,
        ))
        .layer(axum::middleware::from_fn_with_state(
            ServerFnNames::registered(),
            count_server_fns,
        ))
        .layer(common::metrics::layer())
        .layer(axum::middleware::from_fn_with_state(
            state.instance_id.clone(),
            common::http::stamp,
        ))
        .layer(axum::middleware::from_fn_with_state(
            common::headers::SecurityHeaders::web(),
            common::headers::apply,
        ))
        .with_state(state);
    if hsts {
        router.layer(axum::middleware::from_fn(security::strict_transport))
    } else {
        router
    }
}

/// The paths of the registered server functions (`/api/login`, ...), read once when the router
/// is built: only these become metric labels, so made-up paths cannot grow the series.
#[derive(Clone, Debug)]
pub struct ServerFnNames(Arc<HashSet<&'static str>>);

impl ServerFnNames {
    pub fn registered() -> Self {
        Self(Arc::new(
            leptos::server_fn::axum::server_fn_paths()
                .map(|(path, _method)| path)
                .collect(),
        ))
    }

    /// The metric label of a request path: the server function's name, `unmatched` for any
    /// other `/api/` path, `None` outside `/api/`.
    pub fn label(&self, path: &str) -> Option<&'static str> {
        path.strip_prefix("/api/")?;
        Some(
            self.0
                .get(path)
                .and_then(|known| known.strip_prefix("/api/"))
                .unwrap_or("unmatched"),
        )
    }
}

/// Counts server-function calls by name and outcome (`ok`, `redirect`, `error`).
async fn count_server_fns(
    State(names): State<ServerFnNames>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let name = names.label(req.uri().path());
    let response = next.run(req).await;
    if let Some(name) = name {
        let status = response.status();
        let outcome =
            if status.is_redirection() || response.headers().contains_key("serverfnredirect") {
                "redirect"
            } else if status.is_success() {
                "ok"
            } else {
                "error"
            };
        axum_prometheus::metrics::counter!("server_fn_calls_total", "name" => name, "outcome" => outcome)
            .increment(1);
    }
    response
}

/// Refuses a state-changing request sent by a page of another site (besides the session's CSRF
/// token): the browser's `Origin` must name this host, and `Sec-Fetch-Site` must not say
/// `cross-site`. Requests without these headers (scripts, old browsers) rely on the token.
async fn same_origin_posts(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    use axum::http::{Method, header};
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let host = text(header::HOST).map(host_name);
    let cross_site = text(header::HeaderName::from_static("sec-fetch-site")) == Some("cross-site");
    let foreign_origin = match text(header::ORIGIN) {
        None => false,
        // `null`: sandboxed frames, `file:` pages, privacy redirects: never our own pages
        Some("null") => true,
        Some(origin) => {
            let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
            Some(host_name(origin_host)) != host
        }
    };
    if cross_site || foreign_origin {
        tracing::warn!(
            origin = text(header::ORIGIN).unwrap_or("-"),
            path = %req.uri().path(),
            "cross-site request refused"
        );
        return (
            StatusCode::FORBIDDEN,
            "Requête refusée : elle ne vient pas d'une page de Multi-Magasin.",
        )
            .into_response();
    }
    next.run(req).await
}

/// `Example.com:8080` -> `example.com`; `[::1]:80` -> `[::1]`.
fn host_name(authority: &str) -> String {
    let authority = authority.trim_end_matches('/');
    let host = if authority.starts_with('[') {
        authority.split_inclusive(']').next().unwrap_or(authority)
    } else {
        authority.split(':').next().unwrap_or(authority)
    };
    host.to_ascii_lowercase()
}

async fn health(State(state): State<AppState>) -> Response {
    let database_up = domain::db::is_up(&state.pool).await;
    common::health::Health::new(
        &state.instance_id,
        state.started,
        env!("CARGO_PKG_VERSION"),
        database_up,
        // the web UI's own member, beside those both binaries report: which service answered
        json!({ "service": "web" }),
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::host_name;

    #[test]
    fn host_names_ignore_ports_and_case() {
        assert_eq!(
            host_name("Magasins.example.com:9080"),
            "magasins.example.com"
        );
        assert_eq!(host_name("127.0.0.1"), "127.0.0.1");
        assert_eq!(host_name("[::1]:8080"), "[::1]");
    }
}

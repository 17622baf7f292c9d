//! Health, metrics and documentation: no token needed.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::ApiState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` when PostgreSQL answers, else `degraded`.
    #[schema(example = "ok")]
    pub status: &'static str,
    #[schema(example = "api-1")]
    pub instance_id: String,
    #[schema(example = "0.1.0")]
    pub version: &'static str,
    #[schema(example = 3600)]
    pub uptime_seconds: u64,
    /// `up` or `down`.
    #[schema(example = "up")]
    pub database: &'static str,
    /// `up`, `down` or `disabled`.
    #[schema(example = "up")]
    pub redis: &'static str,
}

pub fn router() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .route("/metrics", get(metrics))
}

/// State of this instance and of what it depends on.
#[utoipa::path(
    get,
    path = "/health",
    tag = "système",
    responses(
        (status = 200, description = "PostgreSQL answers", body = Health),
        (status = 503, description = "PostgreSQL does not answer", body = Health),
    )
)]
async fn health(State(state): State<ApiState>) -> Response {
    let (database, redis) = tokio::join!(domain::db::is_up(&state.pool), state.cache.ping());
    let body = Health {
        status: if database { "ok" } else { "degraded" },
        instance_id: state.instance_id.to_string(),
        version: env!("CARGO_PKG_VERSION"),
        uptime_seconds: state.started.elapsed().as_secs(),
        database: if database { "up" } else { "down" },
        redis: match (state.cache.is_enabled(), redis) {
            (false, _) => "disabled",
            (true, true) => "up",
            (true, false) => "down",
        },
    };
    let status = if database {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let mut response = (status, axum::Json(body)).into_response();
    if !database {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    response
}

/// Prometheus text format.
async fn metrics(State(state): State<ApiState>) -> impl IntoResponse {
    let (size, idle) = (state.pool.size(), state.pool.num_idle() as u32);
    axum_prometheus::metrics::gauge!("db_pool_connections", "state" => "idle").set(f64::from(idle));
    axum_prometheus::metrics::gauge!("db_pool_connections", "state" => "active")
        .set(f64::from(size.saturating_sub(idle)));
    axum_prometheus::metrics::gauge!("db_pool_max_connections")
        .set(f64::from(state.config.pool_size));
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        common::metrics::handle().render(),
    )
}

static RAPIDOC_JS: &[u8] = include_bytes!("../../assets/rapidoc-min.js");

const DOCS_HTML: &str = r#"<!doctype html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Multi-Magasin API</title>
  <script type="module" src="/docs/rapidoc-min.js"></script>
</head>
<body>
  <rapi-doc spec-url="/openapi.json" render-style="read" show-header="false"
            allow-authentication="true" schema-style="table" theme="light"></rapi-doc>
</body>
</html>"#;

/// `/docs` (RapiDoc, served from this binary) and `/openapi.json`.
pub fn docs(openapi: utoipa::openapi::OpenApi) -> Router<ApiState> {
    let json = openapi.to_pretty_json().unwrap_or_else(|_| "{}".into());
    Router::new()
        .route(
            "/openapi.json",
            get(move || async move { ([(header::CONTENT_TYPE, "application/json")], json) }),
        )
        .route("/docs", get(|| async { Html(DOCS_HTML) }))
        .route(
            "/docs/rapidoc-min.js",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                        (header::CACHE_CONTROL, "public, max-age=86400"),
                    ],
                    RAPIDOC_JS,
                )
            }),
        )
}

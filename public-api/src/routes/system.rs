//! Health, metrics and documentation: no token needed. `/health` and `/metrics` are the
//! handlers both binaries share (`common::health`, `common::metrics`) plus the API's Redis state.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::ApiState;

// The documented shape of `/health` (the OpenAPI schema `Health`; a doc comment here would show
// in the document): the body itself is `common::health::Health` with `ApiParts`, and a test
// keeps the two alike.
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
        .route("/metrics", get(common::metrics::endpoint))
}

/// The API's own members of `/health`, beside those `common::health` reports for both binaries.
#[derive(Serialize)]
struct ApiParts {
    redis: &'static str,
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
    let redis = match (state.cache.is_enabled(), redis) {
        (false, _) => "disabled",
        (true, up) => common::health::up_or_down(up),
    };
    common::health::Health::new(
        &state.instance_id,
        state.started,
        env!("CARGO_PKG_VERSION"),
        database,
        ApiParts { redis },
    )
    .into_response()
}

static RAPIDOC_JS: &[u8] = include_bytes!("../../assets/rapidoc-min.js");

// Under `common::headers::DOCS_CSP`: the script is this binary's own file, and `load-fonts`
// off keeps RapiDoc from fetching its font from Google (the system's fonts serve); the empty
// icon spares the browser a /favicon.ico request (a 404 in the console).

const DOCS_HTML: &str = r#"<!doctype html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Multi-Magasin API</title>
  <link rel="icon" href="data:,">
  <script type="module" src="/docs/rapidoc-min.js"></script>
</head>
<body>
  <rapi-doc spec-url="/openapi.json" render-style="read" show-header="false" load-fonts="false"
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
        .route(
            "/docs",
            get(|| async {
                (
                    [(header::CONTENT_SECURITY_POLICY, common::headers::DOCS_CSP)],
                    Html(DOCS_HTML),
                )
            }),
        )
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The documented schema names the members the handler serves, no more, no less.
    #[test]
    fn the_documented_health_is_the_served_one() {
        let served = common::health::Health::new(
            "api-1",
            std::time::Instant::now(),
            "0.1.0",
            true,
            ApiParts { redis: "up" },
        );
        let served = serde_json::to_value(&served).unwrap();
        let mut served: Vec<&str> = served
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let schema = serde_json::to_value(<Health as utoipa::PartialSchema>::schema()).unwrap();
        let mut documented: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        served.sort_unstable();
        documented.sort_unstable();
        assert_eq!(served, documented);
    }
}

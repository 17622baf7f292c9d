//! Cache statistics and clearing (admin scope).

use axum::extract::State;
use axum::response::Response;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::json;
use crate::ApiState;
use crate::cache::CacheStats;
use crate::error::{ApiResult, AuthErrors, InputErrors};
use crate::extract::NoQuery;

pub fn router() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(stats))
        .routes(routes!(clear, clear_post))
}

/// Hits and misses of this instance, and the keys and memory of the shared cache.
#[utoipa::path(
    get,
    path = "/cache/stats",
    tag = "cache",
    security(("bearer" = []), ("api_key" = [])),
    responses(
        (status = 200, description = "Statistics", body = CacheStats),
        InputErrors, AuthErrors
    )
)]
async fn stats(State(state): State<ApiState>, _: NoQuery) -> ApiResult<Response> {
    json(axum::http::StatusCode::OK, &state.cache.stats().await)
}

#[derive(Serialize, ToSchema)]
pub struct Cleared {
    /// Keys of this API removed (other applications' keys are left alone).
    #[schema(example = 42)]
    pub supprimees: u64,
}

/// Removes this API's keys only (SCAN on its namespace; never KEYS or FLUSHDB). Admin scope.
#[utoipa::path(
    delete,
    path = "/cache/clear",
    tag = "cache",
    security(("bearer" = []), ("api_key" = [])),
    responses(
        (status = 200, description = "Cleared", body = Cleared),
        InputErrors, AuthErrors
    )
)]
async fn clear(State(state): State<ApiState>, _: NoQuery) -> ApiResult<Response> {
    let removed = state.cache.clear_namespace().await.unwrap_or(0);
    tracing::info!(target: "business", operation = "cache_clear", removed, "cache cleared");
    json(
        axum::http::StatusCode::OK,
        &Cleared {
            supprimees: removed,
        },
    )
}

/// Same as `DELETE /cache/clear`, for older clients.
#[utoipa::path(
    post,
    path = "/cache/clear",
    tag = "cache",
    security(("bearer" = []), ("api_key" = [])),
    responses(
        (status = 200, description = "Cleared", body = Cleared),
        InputErrors, AuthErrors
    )
)]
async fn clear_post(state: State<ApiState>, no_query: NoQuery) -> ApiResult<Response> {
    clear(state, no_query).await
}

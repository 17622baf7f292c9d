//! The public REST API: configuration, shared state and the router. The documented contract of
//! SPEC section 3 is built on this skeleton by its own issue; today it answers `/health`.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use domain::db::PgPool;
use serde_json::json;

#[derive(Clone)]
pub struct ApiState {
    pub pool: PgPool,
    pub instance_id: Arc<str>,
    pub started: Instant,
}

pub fn router(state: ApiState) -> Router {
    Router::new()
        .route("/health", get(health))
        .with_state(state)
}

async fn health(State(state): State<ApiState>) -> impl IntoResponse {
    let database_up = domain::db::is_up(&state.pool).await;
    let status = if database_up {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if database_up { "ok" } else { "degraded" },
        "service": "api",
        "instance_id": &*state.instance_id,
        "version": env!("CARGO_PKG_VERSION"),
        "uptime_seconds": state.started.elapsed().as_secs(),
        "database": if database_up { "up" } else { "down" },
    });
    (status, Json(body))
}

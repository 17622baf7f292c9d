//! The web UI server: configuration, shared state and the router (Leptos pages, server
//! functions, static files and `/health`). `main.rs` only parses the command line.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json};
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
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The whole web application: pages, server functions, the site's static files and `/health`.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(app::App);
    let pool = state.pool.clone();
    Router::new()
        .route("/health", get(health))
        .leptos_routes_with_context(&state, routes, move || provide_context(pool.clone()), {
            let options = state.leptos_options.clone();
            move || app::shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(
            app::shell,
        ))
        .with_state(state)
}

async fn health(State(state): State<AppState>) -> impl IntoResponse {
    let database_up = domain::db::is_up(&state.pool).await;
    let status = if database_up {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if database_up { "ok" } else { "degraded" },
        "service": "web",
        "instance_id": &*state.instance_id,
        "version": env!("CARGO_PKG_VERSION"),
        "uptime_seconds": state.started.elapsed().as_secs(),
        "database": if database_up { "up" } else { "down" },
    });
    (status, Json(body))
}

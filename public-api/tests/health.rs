//! The API skeleton in-process, with a real database: `/health` reports PostgreSQL's state.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use http::{Request, StatusCode};
use public_api::ApiState;
use sqlx::PgPool;
use tower::ServiceExt;

async fn health(pool: PgPool) -> (StatusCode, serde_json::Value) {
    let state = ApiState {
        pool,
        instance_id: Arc::from("api-test"),
        started: Instant::now(),
    };
    let response = public_api::router(state)
        .oneshot(Request::get("/health").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, serde_json::from_slice(&bytes).unwrap())
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn health_is_200_when_postgres_answers(pool: PgPool) {
    let (status, body) = health(pool).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["database"], "up");
    assert_eq!(body["instance_id"], "api-test");
}

#[tokio::test]
async fn health_is_503_when_postgres_is_down() {
    let pool = domain::db::connect_lazy("postgres://postgres@127.0.0.1:1/none", 1).unwrap();
    let (status, body) = health(pool).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["database"], "down");
}

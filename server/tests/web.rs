//! The web server in-process, with a real database: health, and the home page rendered on the
//! server with data from `domain`.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use http::{Request, StatusCode};
use leptos::prelude::LeptosOptions;
use server::AppState;
use sqlx::PgPool;
use tower::ServiceExt;

fn state(pool: PgPool) -> AppState {
    AppState {
        leptos_options: LeptosOptions::builder().output_name("multimagasin").build(),
        pool,
        instance_id: Arc::from("web-test"),
        started: Instant::now(),
    }
}

async fn get(app: axum::Router, uri: &str) -> (StatusCode, String) {
    let response = app
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn health_reports_the_database(pool: PgPool) {
    let (status, body) = get(server::router(state(pool)), "/health").await;
    assert_eq!(status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["database"], "up");
    assert_eq!(json["instance_id"], "web-test");
}

#[tokio::test]
async fn health_is_503_when_the_database_is_down() {
    // nothing listens on port 1
    let pool = domain::db::connect_lazy("postgres://postgres@127.0.0.1:1/none", 1).unwrap();
    let (status, body) = get(server::router(state(pool)), "/health").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("\"database\":\"down\""), "{body}");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_home_page_is_rendered_on_the_server_with_the_stores(pool: PgPool) {
    domain::stores::create_store(
        &pool,
        &domain::Actor::System,
        &domain::stores::NewStore {
            name: "Centre-Ville".into(),
            address: "1200, rue Sainte-Catherine".into(),
            phone: String::new(),
            email: None,
            time_zone: None,
            registers: 3,
        },
    )
    .await
    .unwrap();
    let (status, body) = get(server::router(state(pool)), "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<html lang=\"fr\""), "{body}");
    assert!(
        body.contains("Centre-Ville"),
        "the store list is in the server-rendered HTML: {body}"
    );
    assert!(
        body.contains("/pkg/multimagasin.js"),
        "the page loads the hydration bundle"
    );
    assert!(
        !body.contains("Chargement"),
        "no loading placeholder: the data is in the HTML"
    );
}

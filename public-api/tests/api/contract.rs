//! The contract as a whole: the OpenAPI snapshot, headers on every response, health, metrics.

use http::{Method, StatusCode};

use crate::helpers::*;

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/openapi.json");

/// Any change of the contract shows up as a diff of `tests/snapshots/openapi.json`. After an
/// intended change: `UPDATE_SNAPSHOTS=1 cargo test -p public-api` and commit the new file.
#[test]
fn the_openapi_document_matches_its_snapshot() {
    let current = public_api::routes::openapi().to_pretty_json().unwrap() + "\n";
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(SNAPSHOT, &current).unwrap();
    }
    let stored = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
    assert!(
        stored == current,
        "the OpenAPI document changed; review and run UPDATE_SNAPSHOTS=1 cargo test -p public-api"
    );
}

#[test]
fn every_operation_is_documented_with_responses_and_examples() {
    let doc = serde_json::to_value(public_api::routes::openapi()).unwrap();
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    assert!(schemes.contains_key("bearer") && schemes.contains_key("api_key"));
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(
                op.get("summary").is_some() || op.get("description").is_some(),
                "{method} {path}: no description"
            );
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{method} {path}: no success response"
            );
            if op.get("security").is_some() {
                for status in ["401", "403", "429", "500"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path}: {status} undocumented"
                    );
                }
            }
        }
    }
    for path in [
        "/api/v1/products",
        "/api/v1/products/{id}",
        "/api/v1/products/by-code/{code}",
        "/api/v1/categories",
        "/api/v1/stores",
        "/api/v1/stores/{id}",
        "/api/v1/stores/{id}/stock",
        "/api/v1/stock/central",
        "/api/v1/stores/{id}/sales",
        "/api/v1/sales/{id}",
        "/api/v1/promotions",
        "/api/v1/promotions/{id}",
        "/api/v1/gift-cards/{code}",
        "/api/v1/reports/sales",
        "/api/v1/reports/inventory",
        "/api/v1/reports/kpis",
        "/api/v1/reports/custom",
        "/api/v1/cache/stats",
        "/api/v1/cache/clear",
        "/api/v1/customers",
        "/api/v1/customers/{id}",
        "/api/v1/customers/{id}/anonymize",
        "/api/v1/customers/{id}/sales",
        "/health",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the document"
        );
    }
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn every_response_carries_the_instance_and_response_time(pool: sqlx::PgPool) {
    let api = TestApi::new(pool);
    for (method, path, token) in [
        (Method::GET, "/health", None),
        (Method::GET, "/api/v1/stores", Some(ADMIN)),
        (Method::GET, "/api/v1/stores", None),
        (Method::GET, "/api/v1/nowhere", Some(ADMIN)),
    ] {
        let reply = api.call(method, path, token, None).await;
        assert_eq!(reply.header("x-instance-id"), Some("api-test"), "{path}");
        assert!(
            reply
                .header("x-response-time")
                .is_some_and(|t| t.ends_with("ms")),
            "{path}"
        );
    }
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn health_reports_instance_version_uptime_database_and_redis(pool: sqlx::PgPool) {
    let api = TestApi::new(pool);
    let health = api.call(Method::GET, "/health", None, None).await;
    assert_eq!(health.status, StatusCode::OK);
    for (field, value) in [
        ("status", "ok"),
        ("database", "up"),
        ("redis", "up"),
        ("instance_id", "api-test"),
    ] {
        assert_eq!(health.body[field], value);
    }
    assert!(health.body["uptime_seconds"].is_u64() && health.body["version"].is_string());
}

#[tokio::test]
async fn health_is_503_when_postgres_is_down() {
    let pool = domain::db::connect_lazy("postgres://postgres@127.0.0.1:1/none", 1, 0).unwrap();
    let api = TestApi::new(pool);
    let health = api.call(Method::GET, "/health", None, None).await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(health.body["database"], "down");
    assert!(health.header("retry-after").is_some());
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn metrics_name_routes_by_template_and_count_business_events(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool);
    api.get(&format!("/api/v1/products/{}", w.bread)).await;
    api.get(&format!("/api/v1/products/{}", w.bread)).await;
    let body = serde_json::json!({"lignes": [{"produit_id": w.cola, "quantite": 1}], "mode_paiement": "carte"});
    api.sell(w.store, "m1", body).await;
    api.sell(w.store, "m2", serde_json::json!({"lignes": [{"produit_id": w.cola, "quantite": 999}], "mode_paiement": "carte"})).await;
    api.get("/api/v1/no/such/route/12345").await;
    let metrics = api.call(Method::GET, "/metrics", None, None).await;
    let text = metrics.body.as_str().unwrap();
    for name in [
        "axum_http_requests_total",
        "axum_http_requests_duration_seconds_bucket",
        "cache_operations_total",
        "cache_requests_total",
        "cache_hit_ratio",
        "sales_recorded_total",
        "sales_refused_total",
        "db_pool_connections",
        "db_pool_max_connections",
    ] {
        assert!(text.contains(name), "{name} missing from /metrics");
    }
    assert!(
        text.contains("endpoint=\"/api/v1/products/{id}\""),
        "routes are labelled by template"
    );
    assert!(
        text.contains(&format!("store_id=\"{}\"", w.store)),
        "sales are counted per store (the sales-per-store dashboard)"
    );
    assert!(
        !text.contains(&format!("endpoint=\"/api/v1/products/{}\"", w.bread)),
        "never by raw path"
    );
    assert!(!text.contains("12345"), "unmatched paths are not labels");
}

//! Regressions found by schemathesis (deploy/local/schemathesis.sh) and by the resilience drills
//! (deploy/local/drills.sh): every answer is a documented problem, and an unavailable database
//! is a 503 with `Retry-After`, never a 500 or a hang.

use http::{Method, StatusCode};
use sqlx::postgres::PgPoolOptions;

use crate::helpers::*;

fn assert_problem(reply: &Reply, status: StatusCode) {
    assert_eq!(reply.status, status, "{:?}", reply.body);
    assert_eq!(
        reply.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(reply.body["status"], status.as_u16());
}

/// schemathesis: `/products/9223372036854775808` answered axum's plain-text 400, which the
/// contract does not document. An id that does not parse names no resource: a 404 problem.
#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn an_id_that_does_not_parse_is_a_404_problem(pool: sqlx::PgPool) {
    let api = TestApi::new(pool);
    for path in [
        "/api/v1/products/9223372036854775808",
        "/api/v1/products/abc",
        "/api/v1/stores/%C3%BFs/stock",
        "/api/v1/sales/1.5",
    ] {
        assert_problem(&api.get(path).await, StatusCode::NOT_FOUND);
    }
    let reply = api
        .call(
            Method::DELETE,
            "/api/v1/stores/-99999999999999999999",
            Some(ADMIN),
            None,
        )
        .await;
    assert_problem(&reply, StatusCode::NOT_FOUND);
}

/// schemathesis: routes reading a JSON body answered 400 (`malformed_json`) and 415 without
/// documenting them; every authenticated route may now answer 503 as well.
#[test]
fn body_errors_and_unavailability_are_documented() {
    let doc = serde_json::to_value(public_api::routes::openapi()).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            if op.get("requestBody").is_some() {
                for status in ["400", "415"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path}: no {status}"
                    );
                }
            }
            if op.get("security").is_some() {
                assert!(responses.contains_key("503"), "{method} {path}: no 503");
            }
        }
    }
}

/// Drill "PostgreSQL restarted": a data route answered 500 while the database was down.
#[tokio::test]
async fn a_data_route_is_503_with_retry_after_when_postgres_is_down() {
    let pool = domain::db::connect_lazy("postgres://postgres@127.0.0.1:1/none", 1, 0).unwrap();
    let api = TestApi::new(pool);
    let reply = api.get("/api/v1/stores").await;
    assert_problem(&reply, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.body["error_code"], "service_unavailable");
    assert_eq!(reply.header("retry-after"), Some("5"));
}

/// Drill "slow database": a statement stuck behind a lock held by another session is cancelled
/// by `statement_timeout` and answers a 503 problem quickly, instead of hanging the request.
#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_statement_past_the_timeout_is_a_503(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let options = (*pool.connect_options())
        .clone()
        .options([("statement_timeout", "300")]);
    let slow = PgPoolOptions::new()
        .max_connections(2)
        .connect_with(options)
        .await
        .unwrap();
    let mut config = config(&redis_url());
    config.redis_url = String::new(); // no cache: the request must reach PostgreSQL
    let api = TestApi::with_config(slow, config);

    let mut locker = pool.begin().await.unwrap();
    sqlx::query("LOCK TABLE stores IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *locker)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let reply = api.get(&format!("/api/v1/stores/{}", w.store)).await;
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_problem(&reply, StatusCode::SERVICE_UNAVAILABLE);
    assert!(reply.header("retry-after").is_some());
    locker.rollback().await.unwrap();

    let reply = api.get(&format!("/api/v1/stores/{}", w.store)).await;
    assert_eq!(reply.status, StatusCode::OK);
}

/// schemathesis: a store named with a NUL character reached PostgreSQL (whose text refuses it)
/// and answered 500; every JSON body with `\u0000` is now a 422.
#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_nul_character_in_a_body_is_a_422_not_a_500(pool: sqlx::PgPool) {
    let api = TestApi::new(pool);
    let reply = api
        .send(
            Method::POST,
            "/api/v1/stores",
            serde_json::json!({"nom": "a\u{0}b", "fuseau_horaire": "America/Montreal"}),
        )
        .await;
    assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.body["error_code"], "validation_failed");
}

//! Regressions found by schemathesis (deploy/local/schemathesis.sh): every answer is a
//! documented problem.

use http::{Method, StatusCode};

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
/// documenting them.
#[test]
fn body_errors_are_documented() {
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
        }
    }
}

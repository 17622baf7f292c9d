//! HTTP hardening of the API (issue 13): the security headers on every kind of answer, the
//! documentation page under its own CSP (RapiDoc from this binary, nothing inline), and a 413
//! problem for a body over `MAX_BODY_BYTES`, declared or streamed.

use axum::body::Body;
use common::headers::{DOCS_CSP, NO_CONTENT_CSP};
use http::{HeaderMap, Method, Request, StatusCode, header};
use serde_json::json;
use sqlx::PgPool;
use tower::ServiceExt;

use crate::helpers::*;

fn assert_security_headers(headers: &HeaderMap, csp: &str, what: &str) {
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, csp),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
    ] {
        let values: Vec<_> = headers.get_all(&name).iter().collect();
        assert_eq!(values, [value], "{what}: {name}");
    }
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn every_answer_carries_the_security_headers_and_business_data_is_not_stored(pool: PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool);
    let cases = [
        ("products", api.get("/api/v1/products").await),
        (
            "a product",
            api.get(&format!("/api/v1/products/{}", w.bread)).await,
        ),
        ("health", api.call(Method::GET, "/health", None, None).await),
        (
            "401",
            api.call(Method::GET, "/api/v1/products", None, None).await,
        ),
        ("404", api.get("/api/v1/products/999999").await),
        (
            "openapi",
            api.call(Method::GET, "/openapi.json", None, None).await,
        ),
    ];
    for (what, reply) in &cases {
        assert_security_headers(&reply.headers, NO_CONTENT_CSP, what);
        assert_eq!(reply.header("cache-control"), Some("no-store"), "{what}");
    }
    // the cache's own header is unchanged
    assert!(cases[0].1.header("x-cache").is_some());
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_docs_page_loads_only_its_own_script_under_its_policy(pool: PgPool) {
    let api = TestApi::new(pool);
    let docs = api.call(Method::GET, "/docs", None, None).await;
    assert_eq!(docs.status, StatusCode::OK);
    assert_security_headers(&docs.headers, DOCS_CSP, "docs");
    let html = docs.body.as_str().unwrap();
    // one script, by URL on this origin (allowed by script-src 'self'), none inline
    let scripts: Vec<&str> = html.split("<script").skip(1).collect();
    assert_eq!(scripts.len(), 1, "{html}");
    assert!(
        scripts[0].contains("src=\"/docs/rapidoc-min.js\""),
        "{html}"
    );
    assert!(
        scripts[0]
            .split('>')
            .nth(1)
            .unwrap()
            .starts_with("</script")
    );
    assert!(DOCS_CSP.contains("script-src 'self';"));
    assert!(!DOCS_CSP.contains("script-src 'self' 'unsafe"));
    assert!(html.contains("load-fonts=\"false\""), "no font from Google");

    let script = api
        .call(Method::GET, "/docs/rapidoc-min.js", None, None)
        .await;
    assert_eq!(script.status, StatusCode::OK);
    assert_eq!(
        script.header("cache-control"),
        Some("public, max-age=86400"),
        "the vendored script stays cacheable"
    );
    assert_eq!(script.header("x-content-type-options"), Some("nosniff"));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_body_over_the_limit_is_a_413_problem(pool: PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool);
    let big = json!({
        "code": "BIG001", "nom": "x".repeat(common::body_limit::DEFAULT_MAX_BODY_BYTES),
        "prix": 1.0, "categorie_id": w.category,
    })
    .to_string();
    let declared = Request::post("/api/v1/products")
        .header("authorization", format!("Bearer {ADMIN}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, big.len())
        .body(Body::from(big.clone()))
        .unwrap();
    let chunks = big
        .into_bytes()
        .chunks(64 * 1024)
        .map(|c| Ok::<_, std::io::Error>(axum::body::Bytes::copy_from_slice(c)))
        .collect::<Vec<_>>();
    let streamed = Request::post("/api/v1/products")
        .header("authorization", format!("Bearer {ADMIN}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(futures::stream::iter(chunks)))
        .unwrap();
    for (what, req) in [("declared", declared), ("streamed", streamed)] {
        let response = api.router.clone().oneshot(req).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{what}: {body}");
        assert_eq!(
            headers[header::CONTENT_TYPE],
            "application/problem+json",
            "{what}"
        );
        assert_eq!(body["error_code"], "payload_too_large", "{what}");
        assert_eq!(body["instance"], "/api/v1/products", "{what}");
        assert_security_headers(&headers, NO_CONTENT_CSP, what);
    }
    let small = api
        .send(
            Method::POST,
            "/api/v1/products",
            json!({"code": "SMA001", "nom": "Petit", "prix": 1.0, "categorie_id": w.category, "quantite_stock": 1}),
        )
        .await;
    assert_eq!(small.status, StatusCode::CREATED, "{:?}", small.body);
}

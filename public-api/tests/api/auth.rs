//! Every route of the OpenAPI document refuses a missing or wrong token (401) and a token
//! without the needed scope (403); the list comes from the document, so a new route cannot be
//! forgotten.

use http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

/// `(method, concrete path)` of every operation that declares a security requirement.
fn secured_operations() -> Vec<(Method, String)> {
    let doc = serde_json::to_value(public_api::routes::openapi()).unwrap();
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op.get("security").is_none() {
                continue;
            }
            let concrete = path.replace("{id}", "1").replace("{code}", "ALI001");
            ops.push((method.to_uppercase().parse().unwrap(), concrete));
        }
    }
    ops
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn every_secured_route_needs_a_token_and_the_right_scope(pool: sqlx::PgPool) {
    let _w = world(&pool).await;
    let api = TestApi::new(pool.clone());
    let ops = secured_operations();
    assert!(
        ops.len() >= 20,
        "the document lists the contract's routes: {ops:?}"
    );
    let (_, reader) =
        domain::access::create_client(&pool, "lecteur", &[domain::access::Scope::Read])
            .await
            .unwrap();
    let (_, writer) = domain::access::create_client(
        &pool,
        "ecrivain",
        &[domain::access::Scope::Read, domain::access::Scope::Write],
    )
    .await
    .unwrap();
    // a partner limited to the other store, with every scope it may have
    let (_, partner) = domain::access::create_client_for(
        &pool,
        "partenaire",
        &[domain::access::Scope::Read, domain::access::Scope::Write],
        Some(&[_w.other_store]),
    )
    .await
    .unwrap();
    assert_eq!(_w.store, 1, "the paths name the first store");
    for (method, path) in &ops {
        let body = (*method != Method::GET && *method != Method::DELETE).then(|| json!({}));
        let as_partner = api
            .call(method.clone(), path, Some(&partner), body.clone())
            .await;
        // webhooks are head office's alone, reads included
        let webhooks = path.starts_with("/api/v1/webhooks");
        let chain_read = (*method == Method::GET
            || path.ends_with("/reports/custom")
            || path.ends_with("/sales/quote"))
            && !webhooks;
        if path.contains("/stores/1") {
            // anything of another store is not found, whatever the method
            assert_problem(&as_partner, StatusCode::NOT_FOUND, "not_found");
        } else if !chain_read && !path.starts_with("/api/v1/customers") {
            assert_problem(&as_partner, StatusCode::FORBIDDEN, "forbidden");
        } else {
            assert!(
                ![401, 403].contains(&as_partner.status.as_u16()) || path.ends_with("/anonymize"),
                "{method} {path}: {:?}",
                as_partner.body
            );
        }
        let none = api.call(method.clone(), path, None, body.clone()).await;
        assert_problem(&none, StatusCode::UNAUTHORIZED, "unauthorized");
        assert_eq!(
            none.header("www-authenticate"),
            Some("Bearer"),
            "{method} {path}"
        );
        let wrong = api
            .call(method.clone(), path, Some("not-a-token"), body.clone())
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{method} {path}");

        let as_reader = api
            .call(method.clone(), path, Some(&reader), body.clone())
            .await;
        let as_writer = api
            .call(method.clone(), path, Some(&writer), body.clone())
            .await;
        let admin_only = *method == Method::DELETE
            || webhooks
            || path.ends_with("/cache/clear")
            || path.ends_with("/anonymize");
        // the custom report and the quote are reads sent as a POST
        if chain_read {
            assert!(
                ![401, 403].contains(&as_reader.status.as_u16()),
                "{method} {path}: {:?}",
                as_reader.body
            );
        } else {
            assert_problem(&as_reader, StatusCode::FORBIDDEN, "forbidden");
        }
        if admin_only {
            assert_problem(&as_writer, StatusCode::FORBIDDEN, "forbidden");
        } else {
            assert!(
                ![401, 403].contains(&as_writer.status.as_u16()),
                "{method} {path}: {:?}",
                as_writer.body
            );
        }
    }
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn both_headers_work_and_revoked_tokens_stop_at_once(pool: sqlx::PgPool) {
    let api = TestApi::new(pool.clone());
    let (client, token) =
        domain::access::create_client(&pool, "boutique", &[domain::access::Scope::Read])
            .await
            .unwrap();
    let bearer = api
        .call(Method::GET, "/api/v1/stores", Some(&token), None)
        .await;
    assert_eq!(bearer.status, StatusCode::OK);
    let header = api
        .call_with(
            Method::GET,
            "/api/v1/stores",
            None,
            None,
            &[("x-api-token", &token)],
        )
        .await;
    assert_eq!(header.status, StatusCode::OK);
    let stored: String = sqlx::query_scalar("SELECT token_hash FROM api_clients WHERE id = $1")
        .bind(client.id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_ne!(stored, token, "only the hash is stored");
    assert_eq!(stored, domain::access::hash_token(&token));
    revoke(&api, "boutique").await;
    let revoked = api
        .call(Method::GET, "/api/v1/stores", Some(&token), None)
        .await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_client_over_its_rate_limit_gets_429_with_retry_after(pool: sqlx::PgPool) {
    let mut config = config(&redis_url());
    config.rate_limit_per_minute = 3;
    let api = TestApi::with_config(pool, config);
    for _ in 0..3 {
        assert_eq!(api.get("/api/v1/stores").await.status, StatusCode::OK);
    }
    let limited = api.get("/api/v1/stores").await;
    assert_problem(&limited, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    // the limit is per client: another token is not affected
    let (_, other) =
        domain::access::create_client(&api.pool, "autre", &[domain::access::Scope::Read])
            .await
            .unwrap();
    assert_eq!(
        api.call(Method::GET, "/api/v1/stores", Some(&other), None)
            .await
            .status,
        StatusCode::OK
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn open_routes_need_no_token(pool: sqlx::PgPool) {
    let api = TestApi::new(pool);
    for path in [
        "/health",
        "/metrics",
        "/docs",
        "/openapi.json",
        "/docs/rapidoc-min.js",
    ] {
        let reply = api.call(Method::GET, path, None, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
    }
}

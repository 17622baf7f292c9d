//! HTTP hardening of the web UI (issue 13): the security headers on every kind of response,
//! the page's CSP allowing exactly its own inline scripts (by nonce), and 413 for a body over
//! `MAX_BODY_BYTES`, declared or streamed.

use axum::body::Body;
use common::headers::{NO_CONTENT_CSP, page_csp};
use http::{HeaderMap, Request, StatusCode, header};
use sqlx::PgPool;
use tower::ServiceExt;

use crate::support::*;

async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let response = app.clone().oneshot(req).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

fn assert_common_headers(headers: &HeaderMap, what: &str) {
    for (name, value) in [
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::CACHE_CONTROL, "no-store"),
    ] {
        let values: Vec<_> = headers.get_all(&name).iter().collect();
        assert_eq!(values, [value], "{what}: {name}");
    }
    assert_eq!(
        headers
            .get_all(header::CONTENT_SECURITY_POLICY)
            .iter()
            .count(),
        1,
        "{what}: one CSP"
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_page_allows_only_its_own_nonced_scripts(pool: PgPool) {
    let app = app(pool);
    let req = Request::get("/connexion")
        .header(header::ACCEPT, "text/html")
        .body(Body::empty())
        .unwrap();
    let (status, headers, html) = send(&app, req).await;
    assert_eq!(status, StatusCode::OK);
    assert_common_headers(&headers, "page");
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the page's policy");
    assert_eq!(csp, page_csp(nonce));
    assert!(nonce.len() >= 16, "{nonce}");
    // every inline script carries the nonce, and there is no inline handler
    let scripts: Vec<&str> = html.split("<script").skip(1).collect();
    assert!(!scripts.is_empty(), "the hydration script is inline");
    for script in scripts {
        let tag = script.split('>').next().unwrap();
        assert!(
            tag.contains(&format!("nonce=\"{nonce}\"")) || tag.contains("src="),
            "a script without the nonce: <script{tag}>"
        );
    }
    for handler in ["onclick=", "onload=", "onerror=", "onsubmit="] {
        assert!(!html.contains(handler), "an inline {handler} handler");
    }

    let again = Request::get("/connexion").body(Body::empty()).unwrap();
    let (_, other, _) = send(&app, again).await;
    assert_ne!(
        other[header::CONTENT_SECURITY_POLICY],
        headers[header::CONTENT_SECURITY_POLICY],
        "a new nonce per response"
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn server_functions_health_and_errors_carry_the_headers(pool: PgPool) {
    let app = app(pool);
    let login = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("login=nobody&password=wrong-password-1"))
        .unwrap();
    let health = Request::get("/health").body(Body::empty()).unwrap();
    let unknown_fn = Request::post("/api/nothing_here")
        .body(Body::empty())
        .unwrap();
    for (what, req) in [("server function", login), ("health", health)] {
        let (_, headers, _) = send(&app, req).await;
        assert_common_headers(&headers, what);
        assert_eq!(
            headers[header::CONTENT_SECURITY_POLICY],
            NO_CONTENT_CSP,
            "{what}"
        );
    }
    // an unknown path is the "not found" page: a page, with its nonce
    let (status, headers, _) = send(&app, unknown_fn).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_common_headers(&headers, "not found");
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("'nonce-"), "{csp}");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_body_over_the_limit_is_413_declared_or_streamed(pool: PgPool) {
    let app = app(pool);
    let big = format!(
        "login=x&password={}",
        "a".repeat(common::body_limit::DEFAULT_MAX_BODY_BYTES)
    );
    let declared = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::CONTENT_LENGTH, big.len())
        .body(Body::from(big.clone()))
        .unwrap();
    let chunks = big
        .into_bytes()
        .chunks(64 * 1024)
        .map(|c| Ok::<_, std::io::Error>(axum::body::Bytes::copy_from_slice(c)))
        .collect::<Vec<_>>();
    let streamed = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from_stream(futures::stream::iter(chunks)))
        .unwrap();
    for (what, req) in [("declared", declared), ("streamed", streamed)] {
        let (status, headers, body) = send(&app, req).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{what}: {body}");
        assert!(body.contains("trop volumineuse"), "{what}: {body}");
        assert_common_headers(&headers, what);
    }
    // a normal sign-in still works after them
    let reply = sign_in(&app, "nobody", "wrong-password-1").await;
    assert!(reply.status.is_redirection(), "{}", reply.status);
}

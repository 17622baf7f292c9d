//! The web server in-process, with a real database: health, sign-in and sign-out, sessions
//! shared by instances, and pages rendered on the server with data from `domain`.

use crate::support::*;
use axum::body::Body;
use http::{Request, StatusCode};
use sqlx::PgPool;
use tower::ServiceExt;

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn health_reports_the_database(pool: PgPool) {
    let reply = call(&app(pool), "GET", "/health", None, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(json["database"], "up");
    assert_eq!(json["instance_id"], "web-test");
}

#[tokio::test]
async fn health_is_503_when_the_database_is_down() {
    let pool = domain::db::connect_lazy("postgres://postgres@127.0.0.1:1/none", 1, 0).unwrap();
    let reply = call(&app(pool), "GET", "/health", None, None).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        reply.body.contains("\"database\":\"down\""),
        "{}",
        reply.body
    );
}

/// Drill "PostgreSQL restarted" (deploy/local/drills.sh): while the database is down, health
/// and pages needing data answer 503 with `Retry-After`, not 500, so clients and load balancers
/// know to come back.
#[tokio::test]
async fn pages_and_server_functions_are_503_with_retry_after_when_the_database_is_down() {
    let pool = domain::db::connect_lazy("postgres://postgres@127.0.0.1:1/none", 1, 0).unwrap();
    let app = app(pool);
    for (method, uri) in [("GET", "/health"), ("GET", "/"), ("POST", "/api/whoami")] {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("accept", "text/html")
            .header("cookie", format!("mm_session={}", "a".repeat(43)))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::empty())
            .unwrap();
        let response = app.clone().oneshot(req).await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "{method} {uri}"
        );
        assert_eq!(
            response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()),
            Some("5"),
            "{method} {uri}"
        );
    }
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn visitors_are_sent_to_sign_in_and_a_wrong_password_says_so(pool: PgPool) {
    demo_store_and_employee(&pool).await;
    let app = app(pool);
    let home = call(&app, "GET", "/", None, None).await;
    assert_eq!(
        (home.status, home.location.as_deref()),
        (StatusCode::FOUND, Some("/connexion"))
    );
    let page = call(&app, "GET", "/connexion", None, None).await;
    assert!(page.body.contains("<form") && page.body.contains("name=\"password\""));
    let wrong = sign_in(&app, "gerant1", "nope").await;
    assert_eq!(
        wrong.location.as_deref(),
        Some("/connexion?erreur=identifiants")
    );
    assert!(wrong.set_cookie.is_none());
    let message = call(&app, "GET", "/connexion?erreur=identifiants", None, None).await;
    assert!(
        message
            .body
            .contains("Identifiant ou mot de passe incorrect.")
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_signed_in_employee_sees_the_server_rendered_dashboard_on_any_instance(pool: PgPool) {
    demo_store_and_employee(&pool).await;
    let first = app(pool.clone());
    let signed = sign_in(&first, "gerant1", "demo").await;
    assert_eq!(
        (signed.status, signed.location.as_deref()),
        (StatusCode::FOUND, Some("/"))
    );
    let set_cookie = signed.set_cookie.unwrap();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    let cookie = cookie_pair(&set_cookie);

    // a second instance on the same database accepts the session
    let second = app(pool);
    let page = call(&second, "GET", "/", Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<html lang=\"fr\""));
    assert!(
        page.body.contains("Centre-Ville"),
        "the data is in the HTML: {}",
        page.body
    );
    assert!(page.body.contains("Sophie Tremblay"));
    assert!(!page.body.contains("Chargement"), "no loading placeholder");
    assert!(
        page.body.contains("/pkg/multimagasin.js"),
        "the page loads the hydration bundle"
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn signing_out_needs_the_session_csrf_token(pool: PgPool) {
    demo_store_and_employee(&pool).await;
    let app = app(pool);
    let cookie = cookie_pair(&sign_in(&app, "gerant1", "demo").await.set_cookie.unwrap());
    let page = call(&app, "GET", "/", Some(&cookie), None).await;
    let csrf = attribute(&page.body, "name=\"csrf\" value=\"");

    call(
        &app,
        "POST",
        "/api/logout",
        Some(&cookie),
        Some("csrf=forged"),
    )
    .await;
    assert_eq!(
        call(&app, "GET", "/", Some(&cookie), None).await.status,
        StatusCode::OK,
        "still signed in"
    );

    let out = call(
        &app,
        "POST",
        "/api/logout",
        Some(&cookie),
        Some(&format!("csrf={csrf}")),
    )
    .await;
    assert_eq!(out.location.as_deref(), Some("/connexion"));
    assert!(out.set_cookie.unwrap().contains("Max-Age=0"));
    let after = call(&app, "GET", "/", Some(&cookie), None).await;
    assert_eq!(
        after.location.as_deref(),
        Some("/connexion"),
        "the old cookie no longer works"
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn metrics_count_requests_by_route_and_server_function_calls(pool: PgPool) {
    demo_store_and_employee(&pool).await;
    let app = app(pool);
    sign_in(&app, "gerant1", "demo").await;
    sign_in(&app, "gerant1", "wrong").await;
    let metrics = call(&app, "GET", "/metrics", None, None).await;
    for name in [
        "axum_http_requests_total",
        "server_fn_calls_total",
        "db_pool_connections",
    ] {
        assert!(metrics.body.contains(name), "{name} missing from /metrics");
    }
    assert!(metrics.body.contains("name=\"login\""), "{}", metrics.body);
    let response = app
        .clone()
        .oneshot(Request::get("/health").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.headers()["x-instance-id"], "web-test");
    assert!(response.headers().contains_key("x-request-id"));
    assert!(response.headers().contains_key("x-response-time"));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn only_registered_server_functions_become_metric_labels(pool: PgPool) {
    demo_store_and_employee(&pool).await;
    let app = app(pool);
    for n in 0..30 {
        let made_up = call(
            &app,
            "POST",
            &format!("/api/made_up_{n}"),
            None,
            Some("x=1"),
        )
        .await;
        assert!(!made_up.status.is_success(), "{}", made_up.status);
    }
    sign_in(&app, "gerant1", "demo").await;
    let metrics = call(&app, "GET", "/metrics", None, None).await;
    assert!(!metrics.body.contains("made_up_"), "{}", metrics.body);
    assert!(
        metrics
            .body
            .lines()
            .any(|l| l.starts_with("server_fn_calls_total") && l.contains("name=\"unmatched\"")),
        "{}",
        metrics.body
    );
    assert!(
        metrics
            .body
            .lines()
            .any(|l| l.starts_with("server_fn_calls_total") && l.contains("name=\"login\"")),
        "{}",
        metrics.body
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_store_page_lists_its_registers_for_its_staff_only(pool: PgPool) {
    demo_store_and_employee(&pool).await;
    let manager = domain::staff::authenticate(&pool, "gerant1", "demo")
        .await
        .unwrap()
        .unwrap();
    let store = manager.store_id.unwrap();
    let register = domain::stores::list_registers(&pool, store).await.unwrap()[0].id;
    domain::stores::open_session(
        &pool,
        &manager.actor(),
        register,
        rust_decimal::Decimal::new(10000, 2),
    )
    .await
    .unwrap();
    let other = add_store(&pool, "Nord", "", "", 1).await;
    let app = app(pool);
    let cookie = cookie_pair(&sign_in(&app, "gerant1", "demo").await.set_cookie.unwrap());
    let page = call(
        &app,
        "GET",
        &format!("/magasins/{store}"),
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Caisse 1") && page.body.contains("Caisse 3"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Ouverte par Sophie Tremblay"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Fermée"));
    let forbidden = call(
        &app,
        "GET",
        &format!("/magasins/{}", other.id),
        Some(&cookie),
        None,
    )
    .await;
    assert!(
        forbidden
            .body
            .contains("Vous ne travaillez pas dans ce magasin."),
        "{}",
        forbidden.body
    );
    assert!(!forbidden.body.contains("Caisse 1"));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn forms_posted_from_another_site_are_refused_even_with_the_token(pool: PgPool) {
    demo_store_and_employee(&pool).await;
    let app = app(pool);
    let cookie = cookie_pair(&sign_in(&app, "gerant1", "demo").await.set_cookie.unwrap());
    let page = call(&app, "GET", "/", Some(&cookie), None).await;
    let csrf = attribute(&page.body, "name=\"csrf\" value=\"");
    let form = format!("csrf={csrf}");
    for headers in [
        &[
            ("host", "magasins.example.com"),
            ("origin", "https://evil.example"),
        ][..],
        &[("host", "magasins.example.com"), ("origin", "null")][..],
        &[
            ("host", "magasins.example.com"),
            ("sec-fetch-site", "cross-site"),
        ][..],
    ] {
        let refused = call_with(
            &app,
            "POST",
            "/api/logout",
            Some(&cookie),
            Some(&form),
            headers,
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{headers:?}");
    }
    assert_eq!(
        call(&app, "GET", "/", Some(&cookie), None).await.status,
        StatusCode::OK,
        "still signed in"
    );
    // the same form from our own pages (any port of this host: behind nginx or not) is accepted
    let accepted = call_with(
        &app,
        "POST",
        "/api/logout",
        Some(&cookie),
        Some(&form),
        &[
            ("host", "magasins.example.com:9080"),
            ("origin", "http://magasins.example.com:9080"),
            ("sec-fetch-site", "same-origin"),
        ],
    )
    .await;
    assert_eq!(accepted.location.as_deref(), Some("/connexion"));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn head_office_sees_the_network_figures_of_the_day_and_store_staff_do_not(pool: PgPool) {
    demo_store_and_employee(&pool).await;
    let app = app(pool.clone());
    let admin = employee_session(&app, &pool, "siege", domain::Role::Admin, None).await;
    let page = call(&app, "GET", "/", Some(&admin), None).await;
    assert!(
        page.body.contains("Réseau aujourd&#x27;hui") || page.body.contains("Réseau aujourd'hui")
    );
    assert!(
        page.body.contains("data-kpi=\"sales\">0<"),
        "no sale yet today"
    );
    let manager = cookie_pair(&sign_in(&app, "gerant1", "demo").await.set_cookie.unwrap());
    let page = call(&app, "GET", "/", Some(&manager), None).await;
    assert!(page.body.contains("Centre-Ville"));
    assert!(
        !page.body.contains("data-kpi="),
        "store staff see their store only"
    );
}

//! Refusals as people see them: a page another store's employee may not see, or that does not
//! exist, is a French page with its status (403, 404) and no technical prefix; server functions
//! called by the hydrated pages answer the status of their error; a register's past sessions
//! and their Z reports are there for the store's manager and head office.

use crate::support::*;
use axum::body::Body;
use http::{Request, StatusCode, header};
use rust_decimal::Decimal;
use sqlx::PgPool;
use tower::ServiceExt;

/// What no page may show: the server-function plumbing's own words.
fn assert_no_technical_prefix(body: &str) {
    for prefix in [
        "error running server function",
        "ServerFnError",
        "server function",
        "ServerError",
    ] {
        assert!(!body.contains(prefix), "{prefix:?} in {body}");
    }
}

/// A server function called as the hydrated page calls it (`Accept: */*`, not HTML).
async fn fetch(
    app: &axum::Router,
    endpoint: &str,
    cookie: Option<&str>,
    form: &str,
) -> (StatusCode, String) {
    let mut req = Request::post(format!("/api/{endpoint}"))
        .header(header::ACCEPT, "*/*")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let response = app
        .clone()
        .oneshot(req.body(Body::from(form.to_owned())).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn another_store_s_page_is_a_french_403_page_and_a_missing_one_a_404(pool: PgPool) {
    demo_store_and_employee(&pool).await;
    let other = add_store(&pool, "Nord", "", "", 1).await;
    let app = app(pool.clone());
    let manager = cookie_pair(&sign_in(&app, "gerant1", "demo").await.set_cookie.unwrap());

    let refused = call(
        &app,
        "GET",
        &format!("/magasins/{}", other.id),
        Some(&manager),
        None,
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("Accès refusé"), "{}", refused.body);
    assert!(
        refused
            .body
            .contains("Vous ne travaillez pas dans ce magasin."),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("href=\"/\""), "a way home");
    assert_no_technical_prefix(&refused.body);

    let admin = employee_session(&app, &pool, "siege", domain::Role::Admin, None).await;
    let missing = call(&app, "GET", "/magasins/999999", Some(&admin), None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing.body.contains("Page introuvable"),
        "{}",
        missing.body
    );
    assert!(
        missing.body.contains("introuvable (999999)"),
        "{}",
        missing.body
    );
    assert_no_technical_prefix(&missing.body);

    let missing_report = call(&app, "GET", "/sessions/999999", Some(&manager), None).await;
    assert_eq!(missing_report.status, StatusCode::NOT_FOUND);
    assert_no_technical_prefix(&missing_report.body);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn server_functions_answer_the_status_of_their_error_not_500(pool: PgPool) {
    demo_store_and_employee(&pool).await;
    let other = add_store(&pool, "Nord", "", "", 1).await;
    let app = app(pool);
    let manager = cookie_pair(&sign_in(&app, "gerant1", "demo").await.set_cookie.unwrap());
    let (status, body) = fetch(
        &app,
        "store_view",
        Some(&manager),
        &format!("store_id={}", other.id),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body.contains("Vous ne travaillez pas dans ce magasin."),
        "{body}"
    );
    assert_no_technical_prefix(&body);
    // signed out (the session ended while the page polls): 401, not 500
    let (status, body) = fetch(&app, "store_view", None, &format!("store_id={}", other.id)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, body) = fetch(&app, "dashboard", Some(&manager), "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_register_s_past_sessions_and_z_reports_are_there_for_its_manager(pool: PgPool) {
    demo_store_and_employee(&pool).await;
    let manager = domain::staff::authenticate(&pool, "gerant1", "demo")
        .await
        .unwrap()
        .unwrap();
    let store = manager.store_id.unwrap();
    let register = domain::stores::list_registers(&pool, store).await.unwrap()[0].id;
    let other = add_store(&pool, "Nord", "", "", 1).await;
    let app = app(pool.clone());
    let cashier = employee_session(
        &app,
        &pool,
        "caissier1",
        domain::Role::Caissier,
        Some(store),
    )
    .await;
    let stranger =
        employee_session(&app, &pool, "gerant2", domain::Role::Gerant, Some(other.id)).await;
    let admin = employee_session(&app, &pool, "siege", domain::Role::Admin, None).await;
    let session =
        domain::stores::open_session(&pool, &manager.actor(), register, Decimal::new(10000, 2))
            .await
            .unwrap()
            .id;
    domain::stores::close_session(&pool, &manager.actor(), session, Decimal::new(10000, 2))
        .await
        .unwrap();
    let cookie = cookie_pair(&sign_in(&app, "gerant1", "demo").await.set_cookie.unwrap());

    let store_page = call(
        &app,
        "GET",
        &format!("/magasins/{store}"),
        Some(&cookie),
        None,
    )
    .await;
    let history = format!("/caisses/{register}/sessions");
    assert!(
        store_page.body.contains(&format!("href=\"{history}\"")),
        "{}",
        store_page.body
    );
    let cashier_store_page = call(
        &app,
        "GET",
        &format!("/magasins/{store}"),
        Some(&cashier),
        None,
    )
    .await;
    assert!(
        !cashier_store_page.body.contains(&history),
        "cashiers have no link"
    );

    for who in [&cookie, &admin] {
        let list = call(&app, "GET", &history, Some(who), None).await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        assert!(
            list.body
                .contains(&format!("data-session-id=\"{session}\"")),
            "{}",
            list.body
        );
        assert!(list.body.contains("Sophie Tremblay"), "the opener");
        assert!(
            list.body.contains(&format!("href=\"/sessions/{session}\"")),
            "{}",
            list.body
        );
        let report = call(
            &app,
            "GET",
            &format!("/sessions/{session}"),
            Some(who),
            None,
        )
        .await;
        assert_eq!(report.status, StatusCode::OK);
        assert!(report.body.contains("Rapport Z") && report.body.contains("Imprimer"));
        assert!(
            report.body.contains("data-z=\"counted_cash\""),
            "the final figures"
        );
    }
    let refused = call(&app, "GET", &history, Some(&cashier), None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_no_technical_prefix(&refused.body);
    let report = call(
        &app,
        "GET",
        &format!("/sessions/{session}"),
        Some(&cashier),
        None,
    )
    .await;
    assert_eq!(
        report.status,
        StatusCode::FORBIDDEN,
        "a cashier who did not open it"
    );
    assert!(!report.body.contains("data-z="));
    for path in [history.clone(), format!("/sessions/{session}")] {
        let hidden = call(&app, "GET", &path, Some(&stranger), None).await;
        assert_eq!(
            hidden.status,
            StatusCode::NOT_FOUND,
            "{path}: another store's"
        );
        assert_no_technical_prefix(&hidden.body);
    }
}

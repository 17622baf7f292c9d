//! What the web tests share: the router in-process on a test database, browser-like requests,
//! and demo employees signed in. Re-exports `test-support`, so `use crate::support::*` brings
//! every fixture.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use http::{Request, StatusCode, header};
use leptos::prelude::LeptosOptions;
use server::AppState;
use sqlx::PgPool;
use tower::ServiceExt;

pub use test_support::*;

pub fn app(pool: PgPool) -> axum::Router {
    server::router(AppState {
        leptos_options: LeptosOptions::builder().output_name("multimagasin").build(),
        pool,
        instance_id: Arc::from("web-test"),
        started: Instant::now(),
        security: Default::default(),
        max_body_bytes: common::body_limit::DEFAULT_MAX_BODY_BYTES,
    })
}

pub struct Reply {
    pub status: StatusCode,
    pub location: Option<String>,
    pub set_cookie: Option<String>,
    pub body: String,
}

/// A browser-like request: `Accept: text/html`, optional cookie, optional form body.
pub async fn call(
    app: &axum::Router,
    method: &str,
    uri: &str,
    cookie: Option<&str>,
    form: Option<&str>,
) -> Reply {
    call_with(app, method, uri, cookie, form, &[]).await
}

/// [`call`] with more request headers.
pub async fn call_with(
    app: &axum::Router,
    method: &str,
    uri: &str,
    cookie: Option<&str>,
    form: Option<&str>,
    headers: &[(&str, &str)],
) -> Reply {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::ACCEPT, "text/html");
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let req = match form {
        Some(f) => req
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(f.to_owned())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let response = app.clone().oneshot(req).await.unwrap();
    let status = response.status();
    let get = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (location, set_cookie) = (get(header::LOCATION), get(header::SET_COOKIE));
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    Reply {
        status,
        location,
        set_cookie,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// The value of the first HTML attribute that follows `prefix` (e.g. `name="csrf" value="`).
pub fn attribute(body: &str, prefix: &str) -> String {
    body.split(prefix)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

/// The demo's first store and its manager `gerant1` (password `demo`).
pub async fn demo_store_and_employee(pool: &PgPool) {
    let store = add_store(pool, "Centre-Ville", "1200, rue Sainte-Catherine", "", 3).await;
    add_employee(
        pool,
        "gerant1",
        "Sophie Tremblay",
        "demo",
        domain::Role::Gerant,
        Some(store.id),
    )
    .await;
}

/// Signs in and returns the `mm_session=...` cookie pair.
pub async fn sign_in(app: &axum::Router, login: &str, password: &str) -> Reply {
    call(
        app,
        "POST",
        "/api/login",
        None,
        Some(&format!("login={login}&password={password}")),
    )
    .await
}

pub fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

/// Creates an employee (password `demo`) and returns the session cookie after signing in.
pub async fn employee_session(
    app: &axum::Router,
    pool: &PgPool,
    login: &str,
    role: domain::Role,
    store_id: Option<i64>,
) -> String {
    let full_name = format!("Employé {login}");
    add_employee(pool, login, &full_name, "demo", role, store_id).await;
    let reply = sign_in(app, login, "demo").await;
    cookie_pair(reply.set_cookie.as_deref().expect("signed in"))
}

/// The session's CSRF token, read from the sign-out form of the top bar of any page.
pub async fn csrf_of(app: &axum::Router, cookie: &str) -> String {
    let page = call(app, "GET", "/produits", Some(cookie), None).await;
    attribute(&page.body, "name=\"csrf\" value=\"")
}

/// A form posted to a server function by a signed-in employee.
pub async fn post(app: &axum::Router, cookie: &str, endpoint: &str, form: &str) -> Reply {
    call(
        app,
        "POST",
        &format!("/api/{endpoint}"),
        Some(cookie),
        Some(form),
    )
    .await
}

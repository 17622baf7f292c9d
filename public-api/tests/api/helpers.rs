//! Building a test API and calling it, and the small world the API tests sell in. Re-exports
//! `test-support`, so `use crate::helpers::*` brings every fixture.

use axum::Router;
use axum::body::Body;
use domain::catalog::NewProduct;
use http::{HeaderMap, Method, Request, StatusCode};
use public_api::{ApiState, Config};
use serde_json::Value;
use sqlx::PgPool;
use tower::ServiceExt;

pub use test_support::*;

pub const ADMIN: &str = "test-admin-token";

pub struct TestApi {
    pub router: Router,
    pub pool: PgPool,
    pub namespace: String,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    /// The body as sent (for what parsing would lose, such as `1.80`).
    pub raw: String,
}

impl Reply {
    pub fn text(&self) -> &str {
        &self.raw
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub fn config(redis_url: &str) -> Config {
    let mut config = Config::for_database("postgres://unused");
    config.api_token = Some(ADMIN.into());
    config.redis_url = redis_url.into();
    config.cache_namespace = format!("test:{}:", uuid_like());
    config.rate_limit_per_minute = 0;
    config.instance.id = Some("api-test".into());
    config
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        chrono::Utc::now().timestamp_micros()
    )
}

impl TestApi {
    pub fn with_config(pool: PgPool, config: Config) -> Self {
        let namespace = config.cache_namespace.clone();
        let state = ApiState::new(config, pool.clone());
        TestApi {
            router: public_api::router(state),
            pool,
            namespace,
        }
    }

    pub fn new(pool: PgPool) -> Self {
        Self::with_config(pool, config(&redis_url()))
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        self.call_with(method, path, token, body, &[]).await
    }

    pub async fn call_with(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        self.call_from(None, method, path, token, body, headers)
            .await
    }

    /// A call from the TCP peer `peer` (as `axum::serve` with connect info gives it), or from
    /// no known peer.
    pub async fn call_from(
        &self,
        peer: Option<&str>,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(peer) = peer {
            let addr: std::net::SocketAddr = format!("{peer}:40000").parse().unwrap();
            req = req.extension(axum::extract::ConnectInfo(addr));
        }
        if let Some(token) = token {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = match body {
            Some(body) => req
                .header("content-type", "application/json")
                .body(Body::from(body.to_string())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let response = self.router.clone().oneshot(req).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        Reply {
            status,
            headers,
            body,
            raw: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, Some(ADMIN), None).await
    }

    pub async fn send(&self, method: Method, path: &str, body: Value) -> Reply {
        self.call(method, path, Some(ADMIN), Some(body)).await
    }

    /// Sells through the API with an idempotency key.
    pub async fn sell(&self, store: i64, key: &str, body: Value) -> Reply {
        self.call_with(
            Method::POST,
            &format!("/api/v1/stores/{store}/sales"),
            Some(ADMIN),
            Some(body),
            &[("idempotency-key", key)],
        )
        .await
    }
}

/// Ids of a small world: two stores, a category, three products with stock in store 1.
pub struct World {
    pub store: i64,
    pub other_store: i64,
    pub category: i64,
    pub bread: i64,
    pub soap: i64,
    pub cola: i64,
}

pub async fn world(pool: &PgPool) -> World {
    let category = add_category(pool, "Alimentaire").await;
    let mut stores = Vec::new();
    for name in ["Centre-Ville", "Nord"] {
        stores.push(add_store(pool, name, "1 rue", "514-555-0101", 2).await.id);
    }
    let product = async |code: &str, name: &str, cents: i64, taxable: bool, qty: i32| {
        let new = NewProduct {
            name: name.into(),
            description: format!("{name} de test"),
            warehouse_quantity: 500,
            ..new_product(code, cents, taxable, category)
        };
        product_with_stock(pool, &new, stores[0], qty).await
    };
    let bread = product("ALI001", "Pain", 120, false, 50).await;
    let soap = product("HYG002", "Savon", 120, true, 50).await;
    let cola = product("BOI003", "Soda cola", 180, true, 20).await;
    World {
        store: stores[0],
        other_store: stores[1],
        category,
        bread,
        soap,
        cola,
    }
}

/// Revokes a client as `tokens revoke` does: in PostgreSQL, then every instance forgets the
/// clients it remembers.
pub async fn revoke(api: &TestApi, client: &str) {
    domain::access::revoke_client(&api.pool, client)
        .await
        .unwrap();
    let cache = public_api::cache::Cache::new(
        &redis_url(),
        &api.namespace,
        1,
        std::time::Duration::from_millis(500),
        0,
    );
    cache.forget_clients().await;
}

pub fn assert_problem(reply: &Reply, status: StatusCode, code: &str) {
    assert_eq!(reply.status, status, "{:?}", reply.body);
    assert_eq!(
        reply.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(reply.body["error_code"], code, "{:?}", reply.body);
    assert_eq!(reply.body["status"], status.as_u16());
    for field in ["type", "title", "detail", "instance"] {
        assert!(
            reply.body.get(field).is_some(),
            "problem without {field}: {:?}",
            reply.body
        );
    }
}

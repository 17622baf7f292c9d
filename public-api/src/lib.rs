//! The public REST API (SPEC section 3): configuration, shared state, middleware and the router.
//! Routes and the OpenAPI document are generated together (utoipa-axum) in `routes`; business
//! rules and SQL live in `domain`. `main.rs` only parses the command line.

pub mod auth;
pub mod auth_failures;
pub mod cache;
pub mod config;
pub mod dto;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod report_gate;
pub mod routes;
pub mod sales;
pub mod webhooks;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRef, Request};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use domain::db::PgPool;
use tower::Layer;
use tower_http::normalize_path::NormalizePathLayer;

pub use config::Config;

/// Everything a handler may need; cheap to clone.
#[derive(Clone)]
pub struct ApiState {
    pub pool: PgPool,
    pub cache: cache::Cache,
    pub config: Arc<Config>,
    pub instance_id: Arc<str>,
    pub started: Instant,
    pub limiter: Option<auth::Limiter>,
    /// Wrong tokens per client address (`AUTH_FAILURES_PER_MINUTE`), or no limit.
    pub auth_failures: Option<auth_failures::AuthFailures>,
    /// Reports each caller may compute at once (`REPORT_CONCURRENCY`).
    pub reports: report_gate::ReportGate,
    pub rules: domain::Rules,
    /// What quotes are priced with, kept current by the database's `pricing_version`.
    pub price_book: domain::sales::PriceBook,
    /// `POST /stores/{id}/sales`, with its lanes (started here, ended when the state is dropped).
    pub(crate) sales: sales::SaleService,
    last_seen: Arc<Mutex<HashMap<i64, Instant>>>,
}

impl ApiState {
    pub fn new(config: Config, pool: PgPool) -> Self {
        let cache = cache::Cache::new(
            &config.redis_url,
            &config.cache_namespace,
            config.redis_pool_size,
            Duration::from_millis(config.redis_timeout_ms),
            config.local_cache_mb,
        );
        let rules = domain::Rules::default();
        // a setting of the process, like the pool's statement timeout
        domain::reporting::set_statement_timeout(Duration::from_millis(
            config.report_statement_timeout_ms,
        ));
        ApiState {
            auth_failures: auth_failures::AuthFailures::new(
                config.auth_failures_per_minute,
                cache.clone(),
            ),
            reports: report_gate::ReportGate::new(config.report_concurrency),
            instance_id: Arc::from(config.instance.resolved_id().as_str()),
            limiter: auth::limiter(config.rate_limit_per_minute),
            sales: sales::SaleService::start(pool.clone(), rules, cache.clone()),
            cache,
            pool,
            config: Arc::new(config),
            started: Instant::now(),
            rules,
            price_book: domain::sales::PriceBook::new(),
            last_seen: Arc::default(),
        }
    }

    /// Records a client's use at most once a minute, in the background.
    pub(crate) fn touch_client(&self, id: i64) {
        let now = Instant::now();
        {
            let Ok(mut seen) = self.last_seen.lock() else {
                return;
            };
            if seen
                .get(&id)
                .is_some_and(|t| now.duration_since(*t) < Duration::from_secs(60))
            {
                return;
            }
            seen.insert(id, now);
        }
        let pool = self.pool.clone();
        tokio::spawn(async move {
            if let Err(e) = domain::access::touch(&pool, id).await {
                tracing::warn!(error = %e, client = id, "could not record API client use");
            }
        });
    }
}

/// The pool, for the handlers `common` shares between the binaries (`/metrics`).
impl FromRef<ApiState> for PgPool {
    fn from_ref(state: &ApiState) -> Self {
        state.pool.clone()
    }
}

/// The whole API: `/api/v1` (token required), `/health`, `/metrics`, `/docs`, `/openapi.json`.
/// Paths answer with and without a trailing slash, without redirects. Every response carries
/// the security headers (`common::headers`; `no-store`: answers are business data), and a body
/// over `MAX_BODY_BYTES` is a 413 problem.
pub fn router(state: ApiState) -> Router {
    let max_body_bytes = state.config.http.max_body_bytes;
    let body_limit = common::body_limit::BodyLimit {
        max_bytes: max_body_bytes,
        too_large: |max_bytes| error::ApiError::PayloadTooLarge { max_bytes }.into_response(),
    };
    let inner = routes::router(state.clone())
        .layer(axum::extract::DefaultBodyLimit::max(max_body_bytes))
        .layer(middleware::from_fn_with_state(
            body_limit,
            common::body_limit::limit,
        ))
        .layer(common::metrics::layer())
        .layer(middleware::from_fn(problem_instance))
        .layer(middleware::from_fn_with_state(
            state.instance_id.clone(),
            common::http::stamp,
        ))
        .layer(middleware::from_fn_with_state(
            common::headers::SecurityHeaders::api(),
            common::headers::apply,
        ));
    let normalized = NormalizePathLayer::trim_trailing_slash().layer(inner);
    Router::new().fallback_service(normalized)
}

/// Fills the `instance` member of problem documents with the request path.
async fn problem_instance(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let response = next.run(req).await;
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| {
            v.as_bytes()
                .starts_with(error::PROBLEM_CONTENT_TYPE.as_bytes())
        });
    if !is_problem {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut map)) => {
            map.insert("instance".into(), serde_json::Value::String(path));
            serde_json::to_vec(&map).unwrap_or_else(|_| bytes.to_vec())
        }
        _ => bytes.to_vec(),
    };
    let mut response = Response::from_parts(parts, Body::from(body));
    response.headers_mut().remove(header::CONTENT_LENGTH);
    response
}

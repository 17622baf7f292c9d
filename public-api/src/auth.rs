//! Token authentication and scopes. A request carries `Authorization: Bearer <token>` or
//! `X-API-Token: <token>`; the `API_TOKEN` of the environment is an admin token (compared in
//! constant time), other tokens are API clients stored as SHA-256 hashes. The scope a route
//! needs follows from its method: GET reads, DELETE and the cache administration need `admin`,
//! every other write needs `write`.

use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::access::Scope;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use subtle::ConstantTimeEq;

use crate::ApiState;
use crate::error::ApiError;

/// Who is calling, attached to the request for handlers and logs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// `None` for the environment's admin token.
    pub client_id: Option<i64>,
    pub name: String,
    pub scopes: Vec<Scope>,
}

impl Caller {
    pub fn actor(&self) -> domain::Actor {
        domain::Actor::ApiClient { id: self.client_id }
    }

    /// The namespace of this caller's idempotency keys.
    pub fn key(&self) -> String {
        match self.client_id {
            Some(id) => format!("client:{id}"),
            None => "env".to_owned(),
        }
    }

    fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&Scope::Admin) || self.scopes.contains(&scope)
    }
}

/// The scope a request needs.
pub fn required_scope(method: &Method, path: &str) -> Scope {
    if *method == Method::DELETE || path.trim_end_matches('/').ends_with("/cache/clear") {
        Scope::Admin
    } else if *method == Method::GET || *method == Method::HEAD {
        Scope::Read
    } else {
        Scope::Write
    }
}

fn token(headers: &HeaderMap) -> Option<&str> {
    if let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let mut parts = value.splitn(2, ' ');
        if let (Some(scheme), Some(token)) = (parts.next(), parts.next())
            && scheme.eq_ignore_ascii_case("bearer")
        {
            return Some(token.trim()).filter(|t| !t.is_empty());
        }
        return None;
    }
    headers
        .get("x-api-token")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

async fn authenticate(state: &ApiState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let token = token(headers).ok_or(ApiError::Unauthorized)?;
    if let Some(admin) = state.config.api_token.as_deref().filter(|t| !t.is_empty())
        && bool::from(admin.as_bytes().ct_eq(token.as_bytes()))
    {
        return Ok(Caller {
            client_id: None,
            name: "api-token".into(),
            scopes: vec![Scope::Admin],
        });
    }
    let client = domain::access::find_by_token(&state.pool, token)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    state.touch_client(client.id);
    Ok(Caller {
        client_id: Some(client.id),
        name: client.name.clone(),
        scopes: client.scopes(),
    })
}

/// Middleware for `/api/v1`: authenticates, checks the scope and the rate limit, and hands the
/// [`Caller`] to the handler.
pub async fn require_token(
    State(state): State<ApiState>,
    mut req: Request,
    next: Next,
) -> Response {
    let caller = match authenticate(&state, req.headers()).await {
        Ok(caller) => caller,
        Err(e) => return e.into_response(),
    };
    let needed = required_scope(req.method(), req.uri().path());
    if !caller.allows(needed) {
        return ApiError::Forbidden(format!(
            "Ce jeton n'a pas la portée « {} » requise pour cette opération.",
            needed.as_str()
        ))
        .into_response();
    }
    if let Some(limiter) = &state.limiter
        && let Err(not_until) = limiter.check_key(&caller.key())
    {
        let wait = not_until.wait_time_from(governor::clock::Clock::now(
            &governor::clock::DefaultClock::default(),
        ));
        return ApiError::RateLimited {
            retry_after_secs: wait.as_secs() + 1,
        }
        .into_response();
    }
    req.extensions_mut().insert(caller.clone());
    let mut response = next.run(req).await;
    // for the request log line
    response
        .extensions_mut()
        .insert(common::http::ClientName(caller.name));
    response
}

pub type Limiter = Arc<DefaultKeyedRateLimiter<String>>;

/// A per-client limiter allowing `per_minute` requests a minute (with that much burst), or none.
pub fn limiter(per_minute: u32) -> Option<Limiter> {
    let per_minute = NonZeroU32::new(per_minute)?;
    Some(Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))))
}

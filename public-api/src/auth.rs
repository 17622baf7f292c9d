//! Token authentication and scopes. A request carries `Authorization: Bearer <token>` or
//! `X-API-Token: <token>`; the `API_TOKEN` of the environment is an admin token (compared in
//! constant time), other tokens are API clients stored as SHA-256 hashes. The scope a route
//! needs follows from what it does: reads need `read` (every GET, and `POST /reports/custom`,
//! a read whose request is a body), DELETE, the cache administration and anonymising a
//! customer need `admin`, every other write needs `write`. A client address that sent too many
//! wrong tokens is refused before its token is looked up (`auth_failures`). A client's token is
//! checked from memory once seen (`clients`); a client limited to some stores sees only those
//! (`stores`).

mod clients;
mod stores;

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
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
    /// The stores a client is limited to; `None`: the whole chain.
    pub stores: Option<Arc<[i64]>>,
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

/// The routes of head office alone besides deletes: emptying the cache and anonymising a
/// customer (a privacy request, SPEC section 6).
const ADMIN_POSTS: [&str; 2] = ["/cache/clear", "/anonymize"];

/// The POST routes that only read.
const READ_POSTS: [&str; 2] = ["/reports/custom", "/sales/quote"];

/// Webhooks (their URLs, secrets and delivery log) are head office's alone, reads included.
fn is_webhooks(path: &str) -> bool {
    let local = path.strip_prefix("/api/v1").unwrap_or(path);
    local == "/webhooks" || local.starts_with("/webhooks/")
}

/// The scope a request needs.
pub fn required_scope(method: &Method, path: &str) -> Scope {
    let path = path.trim_end_matches('/');
    if *method == Method::DELETE
        || is_webhooks(path)
        || ADMIN_POSTS.iter().any(|r| path.ends_with(r))
    {
        Scope::Admin
    } else if *method == Method::GET
        || *method == Method::HEAD
        || (*method == Method::POST && READ_POSTS.iter().any(|r| path.ends_with(r)))
    {
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

/// Why a request was not authenticated.
enum Refusal {
    /// No token at all: cheap, not counted against the address.
    Missing,
    /// A token that is not the admin token nor an active client's.
    Wrong,
    Failed(ApiError),
}

async fn authenticate(state: &ApiState, headers: &HeaderMap) -> Result<Caller, Refusal> {
    let token = token(headers).ok_or(Refusal::Missing)?;
    if let Some(admin) = state.config.api_token.as_deref().filter(|t| !t.is_empty())
        && bool::from(admin.as_bytes().ct_eq(token.as_bytes()))
    {
        return Ok(Caller {
            client_id: None,
            name: "api-token".into(),
            scopes: vec![Scope::Admin],
            stores: None,
        });
    }
    // a string that cannot be a client's token is not hashed nor looked up
    if !domain::access::looks_like_token(token) {
        return Err(Refusal::Wrong);
    }
    let caller = clients::find(state, token)
        .await
        .map_err(Refusal::Failed)?
        .ok_or(Refusal::Wrong)?;
    if let Some(id) = caller.client_id {
        state.touch_client(id);
    }
    Ok(caller)
}

/// The client's address: the TCP peer, or `X-Real-IP` from a trusted proxy
/// (`common::client_addr`); `None` when the router runs without the peer (in-process tests).
pub fn client_address(state: &ApiState, req: &Request) -> Option<IpAddr> {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    state
        .config
        .proxies
        .trusted_proxies
        .client_address(peer, req.headers())
}

/// Middleware for `/api/v1`: refuses an address over its failure budget, authenticates, checks
/// the scope and the rate limit, and hands the [`Caller`] to the handler.
pub async fn require_token(
    State(state): State<ApiState>,
    mut req: Request,
    next: Next,
) -> Response {
    let address = client_address(&state, &req);
    let failures = state.auth_failures.as_ref().zip(address);
    if let Some((failures, address)) = failures
        && let Err(wait) = failures.check(address)
    {
        return ApiError::RateLimited {
            retry_after_secs: wait,
        }
        .into_response();
    }
    let caller = match authenticate(&state, req.headers()).await {
        Ok(caller) => caller,
        Err(Refusal::Missing) => return ApiError::Unauthorized.into_response(),
        Err(Refusal::Failed(e)) => return e.into_response(),
        Err(Refusal::Wrong) => {
            if let Some((failures, address)) = failures
                && let Some(wait) = failures.failed(address).await
            {
                tracing::warn!(client_address = %address, "authentication failures over the limit");
                return ApiError::RateLimited {
                    retry_after_secs: wait,
                }
                .into_response();
            }
            return ApiError::Unauthorized.into_response();
        }
    };
    // another store's resource is not found before anything is said about scopes
    if let Err(refused) = stores::check_path(&caller, req.method(), req.uri().path()) {
        return refused.into_response();
    }
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

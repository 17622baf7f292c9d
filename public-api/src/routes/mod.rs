//! Routes and the OpenAPI document, generated together: each resource file declares its
//! handlers with `#[utoipa::path]` and registers them with `routes!`, so a route cannot exist
//! without its documentation. Merged here under `/api/v1`, behind the token middleware.

mod cache;
mod catalog;
mod customers;
mod events;
mod gift_cards;
mod promotions;
mod reports;
mod sales;
mod stores;
mod system;
mod webhooks;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::ApiState;
use crate::cache::Policy;
use crate::error::{ApiError, ApiResult};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Multi-Magasin API",
        version = "1.0.0",
        description = "API publique de la chaîne Multi-Magasin : catalogue, magasins, stock, ventes et rapports.\n\n\
            Authentification : `Authorization: Bearer <jeton>` ou `X-API-Token: <jeton>`. \
            Portées : `read` (lectures : les GET et `POST /reports/custom`, dont la requête est un corps), `write` (créations, modifications, ventes), `admin` (suppressions, vidage du cache, anonymisation d'un client).\n\n\
            Limites : 429 avec `Retry-After` au-delà de `RATE_LIMIT_PER_MINUTE` requêtes par minute et par client (par instance), de `AUTH_FAILURES_PER_MINUTE` jetons invalides par minute et par adresse (toutes instances), ou de `REPORT_CONCURRENCY` rapports calculés à la fois par client. Un paramètre de requête non documenté est refusé (422 nommant le paramètre).\n\n\
            Erreurs : `application/problem+json` (RFC 9457) avec `error_code` et, pour la validation, `errors`."
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "produits", description = "Catalogue"),
        (name = "magasins", description = "Magasins et leur stock"),
        (name = "stock", description = "Entrepôt central"),
        (name = "ventes", description = "Ventes des canaux externes"),
        (name = "clients", description = "Clients, fidélité et crédit en magasin"),
        (name = "promotions", description = "Promotions du siège"),
        (name = "cartes-cadeaux", description = "Solde des cartes-cadeaux"),
        (name = "rapports", description = "Rapports calculés en base"),
        (name = "événements", description = "Flux des changements (ventes, stock, catalogue, clients)"),
        (name = "webhooks", description = "Abonnements aux événements, livrés signés (portée admin)"),
        (name = "cache", description = "Cache partagé (Redis)"),
        (name = "système", description = "Santé et métriques"),
    )
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("Jeton d'API"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-API-Token",
                "Jeton d'API",
            ))),
        );
    }
}

/// `/api/v1` with its documentation.
fn api() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .merge(catalog::router())
        .merge(stores::router())
        .merge(customers::router())
        .merge(sales::router())
        .merge(promotions::router())
        .merge(gift_cards::router())
        .merge(reports::router())
        .merge(events::router())
        .merge(webhooks::router())
        .merge(cache::router())
}

/// `/api/v1`, `/health` and `/metrics` with the document they make.
fn assemble(v1: OpenApiRouter<ApiState>) -> (Router<ApiState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", v1)
        .merge(system::router())
        .split_for_parts()
}

/// The OpenAPI document (served at `/openapi.json`, snapshotted by the tests).
pub fn openapi() -> utoipa::openapi::OpenApi {
    assemble(api()).1
}

pub fn router(state: ApiState) -> Router {
    let v1 = api().route_layer(middleware::from_fn_with_state(
        state.clone(),
        crate::auth::require_token,
    ));
    let (routes, openapi) = assemble(v1);
    routes.merge(system::docs(openapi)).with_state(state)
}

/// A JSON response from bytes, with `X-Cache` when it went through the cache.
fn json_bytes(
    status: StatusCode,
    bytes: impl Into<Bytes>,
    cache: Option<&'static str>,
) -> Response {
    let mut response = (status, bytes.into()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some(state) = cache {
        headers.insert("x-cache", HeaderValue::from_static(state));
    }
    response
}

pub(crate) fn json<T: Serialize>(status: StatusCode, value: &T) -> ApiResult<Response> {
    let bytes =
        serde_json::to_vec(value).map_err(|e| ApiError::Internal(format!("serialisation: {e}")))?;
    Ok(json_bytes(status, bytes, None))
}

/// A 201 with the new resource and its `Location`.
pub(crate) fn created<T: Serialize>(location: String, value: &T) -> ApiResult<Response> {
    let mut response = json(StatusCode::CREATED, value)?;
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

/// Cache-aside: the cached answer if memory or Redis has it, else `load` from PostgreSQL and cache it.
pub(crate) async fn cached<T, F>(
    state: &ApiState,
    policy: Policy,
    key_part: &str,
    load: F,
) -> ApiResult<Response>
where
    T: Serialize,
    F: std::future::Future<Output = ApiResult<T>>,
{
    let key = policy.key(key_part);
    let mut lookup = state.cache.get(policy, &key).await;
    if let Some(bytes) = lookup.value.take() {
        return Ok(json_bytes(StatusCode::OK, bytes, Some("HIT")));
    }
    let value = load.await?;
    let bytes = Bytes::from(
        serde_json::to_vec(&value)
            .map_err(|e| ApiError::Internal(format!("serialisation: {e}")))?,
    );
    if state.cache.is_enabled() {
        state.cache.put(lookup, policy, &key, bytes.clone()).await;
    }
    Ok(json_bytes(StatusCode::OK, bytes, Some("MISS")))
}

/// The cache key of a parsed, normalised request (never its raw text): the hex SHA-256 of its
/// JSON form, so that two spellings of one request share an entry, anything a handler ignores
/// cannot make a new one, and a key has a bounded length whatever the request.
pub(crate) fn request_key<T: Serialize>(request: &T) -> String {
    let canonical = serde_json::to_vec(request).unwrap_or_default();
    Sha256::digest(&canonical)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

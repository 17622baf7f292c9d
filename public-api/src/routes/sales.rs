//! `POST /stores/{id}/sales` (idempotent with `Idempotency-Key`) and `GET /sales/{id}`.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::idempotency::{self, Claim, SavedResponse};
use domain::sales::SaleOutcome;
use sha2::{Digest, Sha256};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::json;
use super::sale_batches::{Job, Reply};
use crate::ApiState;
use crate::auth::Caller;
use crate::cache::Change;
use crate::dto::sales::{Sale, SaleInput};
use crate::error::{
    ApiError, ApiResult, AuthErrors, InputErrors, MediaTypeError, NotFoundError,
    PROBLEM_CONTENT_TYPE, Problem,
};
use crate::extract::{ValidPath, parse_json};

pub fn router() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(create_sale))
        .routes(routes!(get_sale))
}

/// One sale with its lines, taxes, payment and returns.
#[utoipa::path(
    get,
    path = "/sales/{id}",
    tag = "ventes",
    params(("id" = i64, Path, description = "Sale id", example = 1)),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The sale", body = Sale), NotFoundError, AuthErrors)
)]
async fn get_sale(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ValidPath(id): ValidPath<i64>,
) -> ApiResult<Response> {
    let sale = domain::sales::get_sale(&state.pool, &caller.actor(), id).await?;
    json(StatusCode::OK, &Sale::from(sale))
}

const MAX_KEY_LEN: usize = 255;

/// Hex SHA-256 of what makes two requests "the same": the route and the JSON body, with its
/// keys in a canonical order.
fn request_hash(path: &str, body: &serde_json::Value) -> String {
    let mut hasher = Sha256::new();
    hasher.update(Method::POST.as_str());
    hasher.update(b" ");
    hasher.update(path.as_bytes());
    hasher.update(b"\n");
    hasher.update(body.to_string().as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Records a sale from an external channel (e-commerce, partner) in a store's stock.
///
/// `Idempotency-Key` is required: the same key and body replay the first answer (same status
/// and body, even for two requests at once); the same key with another body is a 409. A line
/// without enough stock refuses the whole sale with a 409 naming the product and what remains.
/// Prices come from the catalogue, never from the request.
#[utoipa::path(
    post,
    path = "/stores/{id}/sales",
    tag = "ventes",
    params(
        ("id" = i64, Path, description = "Store id", example = 1),
        ("Idempotency-Key" = String, Header, description = "Unique per sale; send it again on every retry", example = "commande-2026-11-23-0042"),
    ),
    request_body = SaleInput,
    security(("bearer" = []), ("api_key" = [])),
    responses(
        (status = 201, description = "Recorded (or replayed: `Idempotent-Replayed: true`)", body = Sale,
         headers(("Location" = String, description = "/api/v1/sales/{id}"))),
        (status = 400, description = "Missing `Idempotency-Key` or malformed JSON", body = Problem, content_type = "application/problem+json",
         example = json!({"type": "https://multimagasin.example/problems/idempotency_key_missing", "title": "Requête invalide", "status": 400, "detail": "L'en-tête Idempotency-Key est obligatoire.", "instance": "/api/v1/stores/1/sales", "error_code": "idempotency_key_missing"})),
        (status = 409, description = "Insufficient stock, or the key was used with another body", body = Problem, content_type = "application/problem+json",
         example = json!({"type": "https://multimagasin.example/problems/insufficient_stock", "title": "Stock insuffisant", "status": 409, "detail": "Stock insuffisant pour Pain (ALI001) : 5 demandé(s), 3 disponible(s)", "instance": "/api/v1/stores/1/sales", "error_code": "insufficient_stock", "produit_id": 1, "quantite_disponible": 3, "quantite_demandee": 5})),
        NotFoundError, InputErrors, MediaTypeError, AuthErrors
    )
)]
async fn create_sale(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ValidPath(store_id): ValidPath<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| ApiError::BadRequest {
            code: "idempotency_key_missing",
            detail: "L'en-tête Idempotency-Key est obligatoire.".into(),
        })?
        .to_owned();
    if key.len() > MAX_KEY_LEN {
        return Err(ApiError::BadRequest {
            code: "idempotency_key_invalid",
            detail: format!("Idempotency-Key : {MAX_KEY_LEN} caractères au plus."),
        });
    }
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        });
    if !is_json {
        return Err(ApiError::UnsupportedMediaType);
    }
    let value: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| ApiError::BadRequest {
            code: "malformed_json",
            detail: format!("JSON invalide : {e}"),
        })?;
    let path = format!("/api/v1/stores/{store_id}/sales");
    let hash = request_hash(&path, &value);
    let client = caller.key();
    // A valid cart joins its store's batch; anything else (and whatever the batch hands back)
    // takes the request's own path, where the key is checked before the input.
    let cart = parse_json::<SaleInput>(&body).ok().and_then(|input| {
        input
            .into_sale(store_id, format!("api:{client}:{key}"))
            .ok()
    });
    if let Some(new) = cart {
        let job = Job {
            caller: caller.clone(),
            store_id,
            key: key.clone(),
            hash: hash.clone(),
            new,
        };
        match state.sales.submit(&state, job).await {
            Reply::Answer(status, body) => return Ok(respond(status, body, false)),
            Reply::Refused(refused) => return Err(refused),
            Reply::Alone => {}
        }
    }

    let mut tx = match idempotency::claim(&state.pool, &client, &key, &hash).await? {
        Claim::Replay(saved) => return Ok(replay(saved)),
        Claim::Mismatch => {
            return Err(ApiError::Conflict {
                code: "idempotency_key_reused",
                detail: "Cette Idempotency-Key a déjà servi pour une autre requête.".into(),
            });
        }
        Claim::New(tx) => tx,
    };
    // Input errors are not stored: the same bad request gets the same answer anyway.
    let input: SaleInput = parse_json(&body)?;
    let new = input.into_sale(store_id, format!("api:{client}:{key}"))?;
    let outcome = domain::sales::record_sale_in(&mut tx, &caller.actor(), &state.taxes, &new).await;
    let (status, body) = render(outcome).await?;
    let saved = SavedResponse { status, body };
    idempotency::complete(tx, &client, &key, &hash, &saved).await?;
    let status = StatusCode::from_u16(saved.status).unwrap_or(StatusCode::OK);
    if counted(status, store_id) {
        state.cache.invalidate(Change::Sales).await;
    }
    Ok(respond(status, saved.body, false))
}

/// The answer to a sale attempt that is kept for its key's retries: the sale (201), or the
/// refusal for lack of stock (409), which is as final. Other refusals are errors, not kept.
pub(super) async fn render(outcome: domain::Result<SaleOutcome>) -> ApiResult<(u16, Vec<u8>)> {
    match outcome {
        Ok(outcome) => {
            let sale = Sale::from(outcome.sale);
            let body = serde_json::to_vec(&sale).map_err(|e| ApiError::Internal(e.to_string()))?;
            Ok((StatusCode::CREATED.as_u16(), body))
        }
        Err(err @ domain::Error::InsufficientStock { .. }) => {
            let response = ApiError::Domain(err).into_response();
            let status = response.status();
            let body = axum::body::to_bytes(response.into_body(), 64 * 1024)
                .await
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            Ok((status.as_u16(), body.to_vec()))
        }
        Err(other) => Err(other.into()),
    }
}

/// Counts a committed answer in the metrics; true when it recorded a sale (the reports it
/// makes stale must then be invalidated).
pub(super) fn counted(status: StatusCode, store_id: i64) -> bool {
    let name = if status == StatusCode::CREATED {
        "sales_recorded_total"
    } else {
        "sales_refused_total"
    };
    axum_prometheus::metrics::counter!(name, "channel" => "api", "store_id" => store_id.to_string())
        .increment(1);
    status == StatusCode::CREATED
}

fn replay(saved: SavedResponse) -> Response {
    let status = StatusCode::from_u16(saved.status).unwrap_or(StatusCode::OK);
    respond(status, saved.body, true)
}

fn respond(status: StatusCode, body: Vec<u8>, replayed: bool) -> Response {
    let location = (status == StatusCode::CREATED)
        .then(|| serde_json::from_slice::<serde_json::Value>(&body).ok())
        .flatten()
        .and_then(|v| v["id"].as_i64())
        .map(|id| format!("/api/v1/sales/{id}"));
    let content_type = if status.is_success() {
        "application/json"
    } else {
        PROBLEM_CONTENT_TYPE
    };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Some(location) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        headers.insert(header::LOCATION, location);
    }
    if replayed {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

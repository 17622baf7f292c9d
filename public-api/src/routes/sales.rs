//! `POST /stores/{id}/sales` (idempotent with `Idempotency-Key`; recorded by the sale service,
//! `crate::sales`), `GET /sales/{id}`, and `GET /sales`, the sales list for accounting (never
//! cached: a cursor read must see the latest sales).

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::json;
use crate::ApiState;
use crate::auth::Caller;
use crate::dto::sales::{Sale, SaleInput, SaleQuote, SalesListQuery, SalesPage};
use crate::error::{
    ApiResult, AuthErrors, BodyErrors, InputErrors, MediaTypeError, NotFoundError, Problem,
};
use crate::extract::{NoQuery, ValidJson, ValidPath, ValidQuery};
use crate::sales::SaleRequest;

pub fn router() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(create_sale))
        .routes(routes!(quote_sale))
        .routes(routes!(get_sale))
        .routes(routes!(list_sales))
}

/// The sales of a period, whole (lines, taxes, tenders, returns), by increasing id.
///
/// A day is the store's own day in its time zone, as in the reports. Pages follow a cursor:
/// pass the `next_after` of a page as `after` to read the next one, until it is `null`; a
/// sale recorded meanwhile never shifts nor repeats a page.
#[utoipa::path(
    get,
    path = "/sales",
    tag = "ventes",
    params(SalesListQuery),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "A page of sales", body = SalesPage), NotFoundError, InputErrors, AuthErrors)
)]
async fn list_sales(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ValidQuery(query): ValidQuery<SalesListQuery>,
) -> ApiResult<Response> {
    let request = query.request(caller.store_filter())?;
    let list = domain::sales::list_sales(&state.pool, &caller.actor(), &request).await?;
    json(StatusCode::OK, &SalesPage::from(list))
}

/// One sale with its lines, taxes, payment and returns.
#[utoipa::path(
    get,
    path = "/sales/{id}",
    tag = "ventes",
    params(("id" = i64, Path, description = "Sale id", example = 1)),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The sale", body = Sale), NotFoundError, InputErrors, AuthErrors)
)]
async fn get_sale(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ValidPath(id): ValidPath<i64>,
    _: NoQuery,
) -> ApiResult<Response> {
    let sale = domain::sales::get_sale(&state.pool, &caller.actor(), id).await?;
    if !caller.sees_store(sale.store_id) {
        return Err(domain::Error::not_found("Vente", id).into());
    }
    json(StatusCode::OK, &Sale::from(sale))
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
        ("Idempotency-Key" = String, Header, description = "Unique per sale; send it again on every retry. 1 to 168 printable ASCII characters (a longer key or another character is a 422 naming `Idempotency-Key`)", example = "commande-2026-11-23-0042"),
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
    _: NoQuery,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let request = SaleRequest::read(&caller, store_id, &headers, &body)?;
    Ok(state.sales.submit(request).await.into_response())
}

/// Prices a cart exactly as `POST /stores/{id}/sales` would sell it (promotions of the day,
/// discounts, taxes, tenders, change, points), and writes nothing: no key, no stock taken.
/// The balances a tender would spend (gift card, points, credit) are checked by the sale.
#[utoipa::path(
    post,
    path = "/stores/{id}/sales/quote",
    tag = "ventes",
    params(("id" = i64, Path, description = "Store id", example = 1)),
    request_body = SaleInput,
    security(("bearer" = []), ("api_key" = [])),
    responses(
        (status = 200, description = "The cart as it would be sold", body = SaleQuote),
        NotFoundError, InputErrors, BodyErrors, AuthErrors
    )
)]
async fn quote_sale(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ValidPath(store_id): ValidPath<i64>,
    _: NoQuery,
    ValidJson(input): ValidJson<SaleInput>,
) -> ApiResult<Response> {
    let new = input
        .into_sale(store_id, "quote".into())
        .map_err(crate::error::ApiError::Validation)?;
    let sale = domain::sales::quote_sale(
        &state.pool,
        &state.price_book,
        &caller.actor(),
        &state.rules,
        &new,
    )
    .await?;
    json(StatusCode::OK, &SaleQuote::from(sale))
}

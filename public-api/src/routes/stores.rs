//! `/stores`, their stock, and the warehouse at `/stock/central`.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{cached, created, json};
use crate::ApiState;
use crate::auth::Caller;
use crate::cache::{Change, Policy};
use crate::dto::Page;
use crate::dto::stores::{StockItem, StockQuery, Store, StoreInput, StorePatch};
use crate::error::{ApiResult, AuthErrors, BodyErrors, ConflictError, InputErrors, NotFoundError};
use crate::extract::{NoQuery, ValidJson, ValidPath, ValidQuery};
use domain::inventory::Location;

pub fn router() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(list_stores, create_store))
        .routes(routes!(get_store, replace_store, patch_store, delete_store))
        .routes(routes!(store_stock))
        .routes(routes!(central_stock))
}

/// Every store. Cached 30 minutes.
#[utoipa::path(
    get,
    path = "/stores",
    tag = "magasins",
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Every store", body = Vec<Store>), InputErrors, AuthErrors)
)]
async fn list_stores(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    _: NoQuery,
) -> ApiResult<Response> {
    if let Some(own) = caller.store_filter() {
        // a client limited to stores lists its own (not cached: few, and per client)
        let stores: Vec<Store> = domain::stores::list_stores(&state.pool)
            .await?
            .into_iter()
            .filter(|s| own.contains(&s.id))
            .map(Store::from)
            .collect();
        return json(StatusCode::OK, &stores);
    }
    cached(&state, Policy::StoreList, "all", async {
        Ok(domain::stores::list_stores(&state.pool)
            .await?
            .into_iter()
            .map(Store::from)
            .collect::<Vec<_>>())
    })
    .await
}

/// One store. Cached 30 minutes.
#[utoipa::path(
    get,
    path = "/stores/{id}",
    tag = "magasins",
    params(("id" = i64, Path, description = "Store id", example = 1)),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The store", body = Store), NotFoundError, InputErrors, AuthErrors)
)]
async fn get_store(
    State(state): State<ApiState>,
    ValidPath(id): ValidPath<i64>,
    _: NoQuery,
) -> ApiResult<Response> {
    cached(&state, Policy::Store, &id.to_string(), async {
        Ok(Store::from(
            domain::stores::get_store(&state.pool, id).await?,
        ))
    })
    .await
}

/// Opens a store: its registers and a stock row for every product come with it.
#[utoipa::path(
    post,
    path = "/stores",
    tag = "magasins",
    request_body = StoreInput,
    security(("bearer" = []), ("api_key" = [])),
    responses(
        (status = 201, description = "Created; `Location` gives its URL", body = Store,
         headers(("Location" = String, description = "/api/v1/stores/{id}"))),
        ConflictError, InputErrors, BodyErrors, AuthErrors
    )
)]
async fn create_store(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    _: NoQuery,
    ValidJson(input): ValidJson<StoreInput>,
) -> ApiResult<Response> {
    let actor = caller.actor();
    let numbers = input.tax_numbers();
    // the numbers are checked before the store is created, so that a bad one creates nothing
    if let Some(numbers) = &numbers {
        domain::stores::check_store_changes(numbers)?;
    }
    let mut store = domain::stores::create_store(&state.pool, &actor, &input.into_new()).await?;
    if let Some(numbers) = &numbers {
        store = domain::stores::update_store(&state.pool, &actor, store.id, numbers).await?;
    }
    state.cache.invalidate(Change::Store { id: store.id }).await;
    created(format!("/api/v1/stores/{}", store.id), &Store::from(store))
}

async fn apply(
    state: &ApiState,
    caller: &Caller,
    id: i64,
    changes: domain::stores::StoreChanges,
) -> ApiResult<Response> {
    let store = domain::stores::update_store(&state.pool, &caller.actor(), id, &changes).await?;
    state.cache.invalidate(Change::Store { id }).await;
    json(StatusCode::OK, &Store::from(store))
}

/// Replaces a store's details.
#[utoipa::path(
    put,
    path = "/stores/{id}",
    tag = "magasins",
    params(("id" = i64, Path, description = "Store id", example = 1)),
    request_body = StoreInput,
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Replaced", body = Store), NotFoundError, ConflictError, InputErrors, BodyErrors, AuthErrors)
)]
async fn replace_store(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ValidPath(id): ValidPath<i64>,
    _: NoQuery,
    ValidJson(input): ValidJson<StoreInput>,
) -> ApiResult<Response> {
    apply(&state, &caller, id, input.into_replacement()).await
}

/// Changes some details; `null` on `nom` is a 422, `null` on `email` removes it.
#[utoipa::path(
    patch,
    path = "/stores/{id}",
    tag = "magasins",
    params(("id" = i64, Path, description = "Store id", example = 1)),
    request_body = StorePatch,
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Changed", body = Store), NotFoundError, ConflictError, InputErrors, BodyErrors, AuthErrors)
)]
async fn patch_store(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ValidPath(id): ValidPath<i64>,
    _: NoQuery,
    ValidJson(patch): ValidJson<StorePatch>,
) -> ApiResult<Response> {
    apply(&state, &caller, id, patch.into_changes()?).await
}

/// Deletes a store without history (no sale, session, movement or employee); else 409.
#[utoipa::path(
    delete,
    path = "/stores/{id}",
    tag = "magasins",
    params(("id" = i64, Path, description = "Store id", example = 1)),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 204, description = "Deleted"), NotFoundError, ConflictError, InputErrors, AuthErrors)
)]
async fn delete_store(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ValidPath(id): ValidPath<i64>,
    _: NoQuery,
) -> ApiResult<Response> {
    domain::stores::delete_store(&state.pool, &caller.actor(), id).await?;
    state.cache.invalidate(Change::Store { id }).await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A store's stock: alerts first (rupture, then bas), then by name. Not cached: always live.
#[utoipa::path(
    get,
    path = "/stores/{id}/stock",
    tag = "magasins",
    params(("id" = i64, Path, description = "Store id", example = 1), StockQuery),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "A page of stock levels", body = Page<StockItem>), NotFoundError, InputErrors, AuthErrors)
)]
async fn store_stock(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ValidPath(id): ValidPath<i64>,
    ValidQuery(query): ValidQuery<StockQuery>,
) -> ApiResult<Response> {
    let (filter, page) = query.parse()?;
    let levels = domain::inventory::list_stock(
        &state.pool,
        &caller.actor(),
        Location::Store(id),
        &filter,
        page,
    )
    .await?;
    json(StatusCode::OK, &Page::from_domain(levels, StockItem::from))
}

/// The central warehouse's stock, same shape. Not cached.
#[utoipa::path(
    get,
    path = "/stock/central",
    tag = "stock",
    params(StockQuery),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "A page of stock levels", body = Page<StockItem>), InputErrors, AuthErrors)
)]
async fn central_stock(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ValidQuery(query): ValidQuery<StockQuery>,
) -> ApiResult<Response> {
    let (filter, page) = query.parse()?;
    let levels = domain::inventory::list_stock(
        &state.pool,
        &caller.actor(),
        Location::Warehouse,
        &filter,
        page,
    )
    .await?;
    json(StatusCode::OK, &Page::from_domain(levels, StockItem::from))
}

//! `/products` and `/categories`.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{cached, created, json, request_key};
use crate::ApiState;
use crate::auth::Caller;
use crate::cache::{Change, Policy};
use crate::dto::Page;
use crate::dto::catalog::{Category, Product, ProductInput, ProductPatch, ProductQuery};
use crate::error::{ApiResult, AuthErrors, BodyErrors, ConflictError, InputErrors, NotFoundError};
use crate::extract::{NoQuery, ValidJson, ValidPath, ValidQuery};

pub fn router() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(list_products, create_product))
        .routes(routes!(
            get_product,
            replace_product,
            patch_product,
            delete_product
        ))
        .routes(routes!(get_product_by_code))
        .routes(routes!(list_categories))
}

/// Products, filtered, sorted and paginated. Cached 5 minutes.
#[utoipa::path(
    get,
    path = "/products",
    tag = "produits",
    params(ProductQuery),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "A page of products", body = Page<Product>), InputErrors, AuthErrors)
)]
async fn list_products(
    State(state): State<ApiState>,
    ValidQuery(query): ValidQuery<ProductQuery>,
) -> ApiResult<Response> {
    let (filter, sort, page) = query.parse()?;
    cached(
        &state,
        Policy::ProductList,
        &request_key(&(&filter, sort, page)),
        async {
            let found = domain::catalog::list_products(&state.pool, &filter, sort, page).await?;
            Ok(Page::from_domain(found, Product::from))
        },
    )
    .await
}

/// One product; `quantite_stock` is the warehouse quantity. Cached 10 minutes.
#[utoipa::path(
    get,
    path = "/products/{id}",
    tag = "produits",
    params(("id" = i64, Path, description = "Product id", example = 1)),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The product", body = Product), NotFoundError, InputErrors, AuthErrors)
)]
async fn get_product(
    State(state): State<ApiState>,
    ValidPath(id): ValidPath<i64>,
    _: NoQuery,
) -> ApiResult<Response> {
    cached(&state, Policy::Product, &id.to_string(), async {
        Ok(Product::from(
            domain::catalog::get_product(&state.pool, id).await?,
        ))
    })
    .await
}

/// Barcode or SKU lookup. Cached 10 minutes.
///
/// Spaces around the code are ignored (`ALI001 ` is `ALI001`); a string that cannot be a code
/// is a 404.
#[utoipa::path(
    get,
    path = "/products/by-code/{code}",
    tag = "produits",
    params(("code" = String, Path, description = "Barcode or SKU: 1 to 64 letters, digits, `.`, `_` or `-`", example = "ALI001")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The product", body = Product), NotFoundError, InputErrors, AuthErrors)
)]
async fn get_product_by_code(
    State(state): State<ApiState>,
    ValidPath(code): ValidPath<String>,
    _: NoQuery,
) -> ApiResult<Response> {
    // the code as writes store it and invalidations name it: one cache entry per product
    let Some(code) = domain::catalog::normalize_code(&code) else {
        return Err(domain::Error::not_found("Produit", code.trim()).into());
    };
    cached(&state, Policy::Product, &format!("code:{code}"), async {
        Ok(Product::from(
            domain::catalog::get_product_by_code(&state.pool, code).await?,
        ))
    })
    .await
}

/// Creates a product, with a stock row in every store and in the warehouse.
#[utoipa::path(
    post,
    path = "/products",
    tag = "produits",
    request_body = ProductInput,
    security(("bearer" = []), ("api_key" = [])),
    responses(
        (status = 201, description = "Created; `Location` gives its URL", body = Product,
         headers(("Location" = String, description = "/api/v1/products/{id}"))),
        NotFoundError, ConflictError, InputErrors, BodyErrors, AuthErrors
    )
)]
async fn create_product(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    _: NoQuery,
    ValidJson(input): ValidJson<ProductInput>,
) -> ApiResult<Response> {
    let new = input.into_new()?;
    let product = domain::catalog::create_product(&state.pool, &caller.actor(), &new).await?;
    state
        .cache
        .invalidate(Change::Product {
            id: product.id,
            codes: &[product.code.as_str()],
        })
        .await;
    created(
        format!("/api/v1/products/{}", product.id),
        &Product::from(product),
    )
}

async fn apply(
    state: &ApiState,
    caller: &Caller,
    id: i64,
    changes: domain::catalog::ProductChanges,
) -> ApiResult<Response> {
    let before = domain::catalog::get_product(&state.pool, id).await?;
    let product =
        domain::catalog::update_product(&state.pool, &caller.actor(), id, &changes).await?;
    state
        .cache
        .invalidate(Change::Product {
            id,
            codes: &[before.code.as_str(), product.code.as_str()],
        })
        .await;
    json(StatusCode::OK, &Product::from(product))
}

/// Replaces a product (every required field given).
#[utoipa::path(
    put,
    path = "/products/{id}",
    tag = "produits",
    params(("id" = i64, Path, description = "Product id", example = 1)),
    request_body = ProductInput,
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Replaced", body = Product), NotFoundError, ConflictError, InputErrors, BodyErrors, AuthErrors)
)]
async fn replace_product(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ValidPath(id): ValidPath<i64>,
    _: NoQuery,
    ValidJson(input): ValidJson<ProductInput>,
) -> ApiResult<Response> {
    let changes = input.into_replacement()?;
    apply(&state, &caller, id, changes).await
}

/// Changes some fields; `null` on a required field is a 422.
#[utoipa::path(
    patch,
    path = "/products/{id}",
    tag = "produits",
    params(("id" = i64, Path, description = "Product id", example = 1)),
    request_body = ProductPatch,
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Changed", body = Product), NotFoundError, ConflictError, InputErrors, BodyErrors, AuthErrors)
)]
async fn patch_product(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ValidPath(id): ValidPath<i64>,
    _: NoQuery,
    ValidJson(patch): ValidJson<ProductPatch>,
) -> ApiResult<Response> {
    let changes = patch.into_changes()?;
    apply(&state, &caller, id, changes).await
}

/// Deletes a product without history; one that was sold or moved is a 409 (deactivate it
/// with `PATCH {"actif": false}` instead). Admin scope.
#[utoipa::path(
    delete,
    path = "/products/{id}",
    tag = "produits",
    params(("id" = i64, Path, description = "Product id", example = 1)),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 204, description = "Deleted"), NotFoundError, ConflictError, InputErrors, AuthErrors)
)]
async fn delete_product(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ValidPath(id): ValidPath<i64>,
    _: NoQuery,
) -> ApiResult<Response> {
    let before = domain::catalog::get_product(&state.pool, id).await?;
    domain::catalog::delete_product(&state.pool, &caller.actor(), id).await?;
    state
        .cache
        .invalidate(Change::Product {
            id,
            codes: &[before.code.as_str()],
        })
        .await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Product categories. Cached 30 minutes.
#[utoipa::path(
    get,
    path = "/categories",
    tag = "produits",
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Every category", body = Vec<Category>), InputErrors, AuthErrors)
)]
async fn list_categories(State(state): State<ApiState>, _: NoQuery) -> ApiResult<Response> {
    cached(&state, Policy::Categories, "all", async {
        let categories = domain::catalog::list_categories(&state.pool).await?;
        Ok(categories
            .into_iter()
            .map(Category::from)
            .collect::<Vec<_>>())
    })
    .await
}

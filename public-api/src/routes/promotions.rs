//! `/promotions`: head office's price rules. Not cached: a promotion changed through the API
//! must price the very next quote and sale, which read PostgreSQL directly, and the list is
//! small and cheap.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{created, json};
use crate::ApiState;
use crate::auth::Caller;
use crate::dto::Page;
use crate::dto::promotions::{Promotion, PromotionInput, PromotionPatch, PromotionQuery};
use crate::error::{ApiResult, AuthErrors, BodyErrors, ConflictError, InputErrors, NotFoundError};
use crate::extract::{NoQuery, ValidJson, ValidPath, ValidQuery};

pub fn router() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(list_promotions, create_promotion))
        .routes(routes!(get_promotion, patch_promotion, delete_promotion))
}

/// Promotions, newest start first, filtered and paginated.
#[utoipa::path(
    get,
    path = "/promotions",
    tag = "promotions",
    params(PromotionQuery),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "A page of promotions", body = Page<Promotion>), InputErrors, AuthErrors)
)]
async fn list_promotions(
    State(state): State<ApiState>,
    ValidQuery(query): ValidQuery<PromotionQuery>,
) -> ApiResult<Response> {
    let (filter, page) = query.parse()?;
    let found = domain::promotions::list_promotions(&state.pool, &filter, page).await?;
    json(StatusCode::OK, &Page::from_domain(found, Promotion::from))
}

/// One promotion.
#[utoipa::path(
    get,
    path = "/promotions/{id}",
    tag = "promotions",
    params(("id" = i64, Path, description = "Promotion id", example = 1)),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The promotion", body = Promotion), NotFoundError, InputErrors, AuthErrors)
)]
async fn get_promotion(
    State(state): State<ApiState>,
    ValidPath(id): ValidPath<i64>,
    _: NoQuery,
) -> ApiResult<Response> {
    let promotion = domain::promotions::get_promotion(&state.pool, id).await?;
    json(StatusCode::OK, &Promotion::from(promotion))
}

/// Creates a promotion on products and/or categories, in every store or those listed.
/// `valeur` for `pourcentage` (0 < x <= 100), `montant` (> 0) and `prix_fixe` (>= 0), two decimals;
/// `achat` >= 2 and 1 <= `paye` < `achat` for a `lot`. Unknown ids are a 422 naming them.
#[utoipa::path(
    post,
    path = "/promotions",
    tag = "promotions",
    request_body = PromotionInput,
    security(("bearer" = []), ("api_key" = [])),
    responses(
        (status = 201, description = "Created; `Location` gives its URL", body = Promotion,
         headers(("Location" = String, description = "/api/v1/promotions/{id}"))),
        InputErrors, BodyErrors, AuthErrors
    )
)]
async fn create_promotion(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    _: NoQuery,
    ValidJson(input): ValidJson<PromotionInput>,
) -> ApiResult<Response> {
    let promotion =
        domain::promotions::create_promotion(&state.pool, &caller.actor(), &input.into_new())
            .await?;
    created(
        format!("/api/v1/promotions/{}", promotion.id),
        &Promotion::from(promotion),
    )
}

/// Changes some fields; the result is checked as a whole. Changing `type` drops the fields of
/// the old kind that the body does not mention.
#[utoipa::path(
    patch,
    path = "/promotions/{id}",
    tag = "promotions",
    params(("id" = i64, Path, description = "Promotion id", example = 1)),
    request_body = PromotionPatch,
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Changed", body = Promotion), NotFoundError, InputErrors, BodyErrors, AuthErrors)
)]
async fn patch_promotion(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ValidPath(id): ValidPath<i64>,
    _: NoQuery,
    ValidJson(patch): ValidJson<PromotionPatch>,
) -> ApiResult<Response> {
    let changes = patch.into_changes()?;
    let promotion =
        domain::promotions::update_promotion(&state.pool, &caller.actor(), id, &changes).await?;
    json(StatusCode::OK, &Promotion::from(promotion))
}

/// Deletes a promotion never applied to a sale; one that was is a 409 (deactivate it with
/// `PATCH {"actif": false}` instead). Admin scope.
#[utoipa::path(
    delete,
    path = "/promotions/{id}",
    tag = "promotions",
    params(("id" = i64, Path, description = "Promotion id", example = 1)),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 204, description = "Deleted"), NotFoundError, ConflictError, InputErrors, AuthErrors)
)]
async fn delete_promotion(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ValidPath(id): ValidPath<i64>,
    _: NoQuery,
) -> ApiResult<Response> {
    domain::promotions::delete_promotion(&state.pool, &caller.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

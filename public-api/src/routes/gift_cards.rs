//! `/gift-cards/{code}`: a gift card's balance, for the channels that accept them. Never
//! cached: a balance changes with every sale paid by the card.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::json;
use crate::ApiState;
use crate::auth::Caller;
use crate::dto::promotions::GiftCard;
use crate::error::{ApiResult, AuthErrors, InputErrors, NotFoundError};
use crate::extract::{NoQuery, ValidPath};

pub fn router() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new().routes(routes!(get_gift_card))
}

/// A gift card by its 16-digit code (spaces and dashes ignored). A code that cannot be one
/// (wrong length or check digit) is a 404 like an unknown one.
#[utoipa::path(
    get,
    path = "/gift-cards/{code}",
    tag = "cartes-cadeaux",
    params(("code" = String, Path, description = "The card's 16 digits", example = "4539148803436467")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The card and its balance", body = GiftCard), NotFoundError, InputErrors, AuthErrors)
)]
async fn get_gift_card(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ValidPath(code): ValidPath<String>,
    _: NoQuery,
) -> ApiResult<Response> {
    let card = domain::gift_cards::get_gift_card(&state.pool, &caller.actor(), &code).await?;
    json(StatusCode::OK, &GiftCard::from(card))
}

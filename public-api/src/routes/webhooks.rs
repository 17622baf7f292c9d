//! `/webhooks` (admin scope): the subscriptions to the events, their delivery log and the replay
//! of a delivery. The deliveries themselves are made by each instance's worker
//! (`crate::webhooks`). A secret is shown once, in the answer that creates it; never cached.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{created, json};
use crate::ApiState;
use crate::dto::webhooks::{
    CreatedWebhook, DeliveryPage, DeliveryQuery, Webhook, WebhookDelivery, WebhookInput,
    WebhookPatch,
};
use crate::dto::{Page, PageParams};
use crate::error::{ApiResult, AuthErrors, BodyErrors, ConflictError, InputErrors, NotFoundError};
use crate::extract::{NoQuery, ValidJson, ValidPath, ValidQuery};

pub fn router() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(list_webhooks, create_webhook))
        .routes(routes!(get_webhook, patch_webhook, delete_webhook))
        .routes(routes!(webhook_deliveries))
        .routes(routes!(replay_delivery))
}

/// The subscriptions, oldest first.
#[utoipa::path(
    get,
    path = "/webhooks",
    tag = "webhooks",
    params(PageParams),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "A page of subscriptions (never their secret)", body = Page<Webhook>), InputErrors, AuthErrors)
)]
async fn list_webhooks(
    State(state): State<ApiState>,
    ValidQuery(page): ValidQuery<PageParams>,
) -> ApiResult<Response> {
    let page = page.request()?;
    let found = domain::webhooks::list_subscriptions(&state.pool, page).await?;
    json(StatusCode::OK, &Page::from_domain(found, Webhook::from))
}

/// Subscribes `url` to the events of `types` (all without them) put in the feed from now on.
/// Each is POSTed with `X-Webhook-Id` (the event id), `X-Webhook-Timestamp` (unix seconds) and
/// `X-Webhook-Signature: sha256=<hex HMAC-SHA256 of "timestamp.body">` keyed with the secret;
/// the body is the event as `GET /events` gives it. A non-2xx answer or none within 5 s is
/// retried with exponential back-off for 24 h; then the delivery is `abandonnee`. Deliveries are
/// at least once and not in order: dedupe and order by `X-Webhook-Id`. The secret is in this
/// answer only.
#[utoipa::path(
    post,
    path = "/webhooks",
    tag = "webhooks",
    request_body = WebhookInput,
    security(("bearer" = []), ("api_key" = [])),
    responses(
        (status = 201, description = "Created, with its secret; `Location` gives its URL", body = CreatedWebhook,
         headers(("Location" = String, description = "/api/v1/webhooks/{id}"))),
        InputErrors, BodyErrors, AuthErrors
    )
)]
async fn create_webhook(
    State(state): State<ApiState>,
    _: NoQuery,
    ValidJson(input): ValidJson<WebhookInput>,
) -> ApiResult<Response> {
    let new = input.into_new()?;
    let (subscription, secret) = domain::webhooks::create_subscription(&state.pool, &new).await?;
    created(
        format!("/api/v1/webhooks/{}", subscription.id),
        &CreatedWebhook {
            webhook: Webhook::from(subscription),
            secret: secret.expose().to_owned(),
        },
    )
}

/// One subscription; a disabled one says when and why.
#[utoipa::path(
    get,
    path = "/webhooks/{id}",
    tag = "webhooks",
    params(("id" = i64, Path, description = "Subscription id", example = 3)),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The subscription (never its secret)", body = Webhook), NotFoundError, InputErrors, AuthErrors)
)]
async fn get_webhook(
    State(state): State<ApiState>,
    ValidPath(id): ValidPath<i64>,
    _: NoQuery,
) -> ApiResult<Response> {
    let subscription = domain::webhooks::get_subscription(&state.pool, id).await?;
    json(StatusCode::OK, &Webhook::from(subscription))
}

/// Changes the URL, the types, or whether it is active. Re-activating a disabled subscription
/// forgets its failures and sends its pending deliveries at once; events put in the feed while
/// it was inactive are not sent (`GET /events` has them).
#[utoipa::path(
    patch,
    path = "/webhooks/{id}",
    tag = "webhooks",
    params(("id" = i64, Path, description = "Subscription id", example = 3)),
    request_body = WebhookPatch,
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Changed", body = Webhook), NotFoundError, InputErrors, BodyErrors, AuthErrors)
)]
async fn patch_webhook(
    State(state): State<ApiState>,
    ValidPath(id): ValidPath<i64>,
    _: NoQuery,
    ValidJson(patch): ValidJson<WebhookPatch>,
) -> ApiResult<Response> {
    let changes = patch.into_changes()?;
    let subscription = domain::webhooks::update_subscription(&state.pool, id, &changes).await?;
    json(StatusCode::OK, &Webhook::from(subscription))
}

/// Deletes the subscription with its deliveries and their log.
#[utoipa::path(
    delete,
    path = "/webhooks/{id}",
    tag = "webhooks",
    params(("id" = i64, Path, description = "Subscription id", example = 3)),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 204, description = "Deleted"), NotFoundError, InputErrors, AuthErrors)
)]
async fn delete_webhook(
    State(state): State<ApiState>,
    ValidPath(id): ValidPath<i64>,
    _: NoQuery,
) -> ApiResult<Response> {
    domain::webhooks::delete_subscription(&state.pool, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The delivery log of a subscription, by cursor: each delivery with every attempt (time, HTTP
/// status or error, duration). `statut=abandonnee` is its dead-letter list. Kept as long as the
/// events (30 days).
#[utoipa::path(
    get,
    path = "/webhooks/{id}/deliveries",
    tag = "webhooks",
    params(("id" = i64, Path, description = "Subscription id", example = 3), DeliveryQuery),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "A page of deliveries", body = DeliveryPage), NotFoundError, InputErrors, AuthErrors)
)]
async fn webhook_deliveries(
    State(state): State<ApiState>,
    ValidPath(id): ValidPath<i64>,
    ValidQuery(query): ValidQuery<DeliveryQuery>,
) -> ApiResult<Response> {
    let request = query.request(id)?;
    let log = domain::webhooks::deliveries(&state.pool, &request).await?;
    json(StatusCode::OK, &DeliveryPage::from(log))
}

/// Sends a delivery again (`abandonnee` or `livree`): pending at once, its attempts counted from
/// zero with a new 24 h window; its log is kept. A pending delivery is a 409.
#[utoipa::path(
    post,
    path = "/webhooks/deliveries/{id}/replay",
    tag = "webhooks",
    params(("id" = i64, Path, description = "Delivery id", example = 77)),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 202, description = "Pending again", body = WebhookDelivery), NotFoundError, ConflictError, InputErrors, AuthErrors)
)]
async fn replay_delivery(
    State(state): State<ApiState>,
    ValidPath(id): ValidPath<i64>,
    _: NoQuery,
) -> ApiResult<Response> {
    let delivery = domain::webhooks::replay(&state.pool, id).await?;
    json(StatusCode::ACCEPTED, &WebhookDelivery::from(delivery))
}

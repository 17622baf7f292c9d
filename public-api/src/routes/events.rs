//! `/events`: the feed of business changes, for integrators that poll (and the fallback of
//! webhooks). Never cached: a cursor read is cheap and must see the latest commit.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::json;
use crate::ApiState;
use crate::auth::Caller;
use crate::dto::events::{Event, EventPage, EventQuery};
use crate::error::{ApiResult, AuthErrors, InputErrors};
use crate::extract::ValidQuery;

pub fn router() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new().routes(routes!(list_events))
}

/// The events after `after`, in the order they were committed; 30 days are kept. A client that
/// polls with the `next_after` it was given never misses nor reorders an event, whatever the
/// number of API instances and of concurrent writers.
#[utoipa::path(
    get,
    path = "/events",
    tag = "événements",
    params(EventQuery),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "A page of the feed", body = EventPage), InputErrors, AuthErrors)
)]
async fn list_events(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ValidQuery(query): ValidQuery<EventQuery>,
) -> ApiResult<Response> {
    // a client limited to stores reads theirs and the chain's (catalogue, customers)
    let request = query.parse(caller.store_filter())?;
    let feed = domain::outbox::feed(&state.pool, &request).await?;
    json(
        StatusCode::OK,
        &EventPage {
            events: feed.events.into_iter().map(Event::from).collect(),
            next_after: feed.next_after,
        },
    )
}

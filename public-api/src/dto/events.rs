//! The event feed (SPEC section 9): its query and its page. The envelope's names are the SPEC's
//! (`id`, `type`, `occurred_at`, `store_id`, `data`), as integrators of webhooks expect them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;

/// The query of `GET /events`.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// The cursor: the `next_after` of the previous page, or the last id seen (0 at first).
    #[param(example = 0, minimum = 0)]
    pub after: Option<i64>,
    /// Only these types, comma-separated (all without it), e.g.
    /// `sale.created,stock.changed`.
    #[param(example = "sale.created,stock.changed")]
    pub types: Option<String>,
    /// Events per page, 1 to 1,000 (default 100).
    #[param(example = 100, minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

impl EventQuery {
    pub fn parse(&self, stores: Option<Vec<i64>>) -> Result<domain::outbox::FeedRequest, ApiError> {
        let types = match self.types.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(list) => Some(domain::outbox::parse_types(list)?),
        };
        // checked by the domain (a number that fits no page is 0 there, named like the rest)
        let limit = self.limit.map_or(domain::outbox::DEFAULT_LIMIT, |l| {
            u32::try_from(l).unwrap_or(0)
        });
        Ok(domain::outbox::FeedRequest {
            after: self.after.unwrap_or(0),
            types,
            limit,
            stores,
        })
    }
}

/// One business change.
#[derive(Serialize, ToSchema)]
pub struct Event {
    /// Its place in the feed: strictly increasing in commit order, the id to dedupe on.
    #[schema(example = 1042)]
    pub id: i64,
    /// What happened: `sale.created`, `return.created`, `stock.changed`,
    /// `replenishment.{requested,approved,refused,delivered,cancelled}`,
    /// `product.{created,updated,deleted}`, `price.changed`,
    /// `customer.{created,updated,anonymized}`, `promotion.{created,updated,deleted}`.
    #[serde(rename = "type")]
    #[schema(example = "sale.created")]
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    /// The store it belongs to; absent for the whole chain (catalogue, customers, warehouse).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 1)]
    pub store_id: Option<i64>,
    /// The change: the sale with its lines and tenders; a change of stock with its rows
    /// (`items`: product, delta, quantity left); the product as it now is; ...
    #[schema(value_type = Object, example = json!({"location": "store", "store_id": 1, "reason": "sale", "sale_id": 7401, "return_id": null, "request_id": null, "items": [{"movement_id": 90211, "product_id": 12, "delta": -2, "quantity": 40}]}))]
    pub data: Box<RawValue>,
}

impl From<domain::outbox::Event> for Event {
    fn from(e: domain::outbox::Event) -> Self {
        Event {
            id: e.id,
            kind: e.kind,
            occurred_at: e.occurred_at,
            store_id: e.store_id,
            data: e.data,
        }
    }
}

/// A page of the feed.
#[derive(Serialize, ToSchema)]
pub struct EventPage {
    /// In id order; empty when nothing new happened.
    pub events: Vec<Event>,
    /// The `after` of the next call. Poll again with it: no event is ever skipped or reordered.
    #[schema(example = 1042)]
    pub next_after: i64,
}

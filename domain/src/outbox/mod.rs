//! The integration events (SPEC section 9): a transactional outbox. Every business change writes
//! its event in its own transaction, by the triggers of `migrations/20261205000001_events.sql`
//! (sales, returns, stock movements, replenishment steps, products and prices, customers,
//! promotions), so no write path can forget one. This module gives the committed events their
//! place in the feed ([`sequence`]), reads the feed ([`feed`]) and forgets what is older than 30
//! days ([`purge_expired`]).

mod feed;
mod sequence;

pub use feed::{DEFAULT_LIMIT, Feed, FeedRequest, MAX_LIMIT, feed, parse_types};
pub use sequence::{purge_expired, sequence, try_sequence};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How long the feed keeps an event.
pub const RETENTION_DAYS: i64 = 30;

/// Every event type, in the order the documentation lists them.
pub const EVENT_TYPES: [&str; 18] = [
    "sale.created",
    "return.created",
    "stock.changed",
    "replenishment.requested",
    "replenishment.approved",
    "replenishment.refused",
    "replenishment.delivered",
    "replenishment.cancelled",
    "product.created",
    "product.updated",
    "product.deleted",
    "price.changed",
    "customer.created",
    "customer.updated",
    "customer.anonymized",
    "promotion.created",
    "promotion.updated",
    "promotion.deleted",
];

/// One event of the feed: `id` is its place, strictly increasing in commit order.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Event {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    /// The store it belongs to; `None` for the whole chain (catalogue, customers, warehouse).
    pub store_id: Option<i64>,
    /// The change, as the trigger wrote it (its JSON text kept as is: money keeps two decimals).
    pub data: Box<serde_json::value::RawValue>,
}

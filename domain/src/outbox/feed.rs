//! Reading the feed: the events after a cursor, in id order, of some types and stores.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use super::{EVENT_TYPES, Event, sequence};
use crate::{Error, Result};

pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 1000;

#[derive(Clone, Debug, PartialEq)]
pub struct FeedRequest {
    /// The last id the client has seen (0 at first).
    pub after: i64,
    /// Only these types; all when `None`.
    pub types: Option<Vec<String>>,
    pub limit: u32,
    /// Only the events of these stores and of the whole chain; all when `None` (head office).
    pub stores: Option<Vec<i64>>,
}

/// A page of the feed. `next_after` is the cursor of the next call: the last event's id, or,
/// when the page is not full, the last id given so far (filtered out events are not read
/// again).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Feed {
    pub events: Vec<Event>,
    pub next_after: i64,
}

/// The horizon (the last id given) beside each event; one row without an event when none is left.
#[derive(sqlx::FromRow)]
struct FeedRow {
    horizon: i64,
    id: Option<i64>,
    kind: Option<String>,
    occurred_at: Option<DateTime<Utc>>,
    store_id: Option<i64>,
    data: Option<String>,
}

impl FeedRow {
    fn event(self) -> Option<Event> {
        Some(Event {
            id: self.id?,
            kind: self.kind?,
            occurred_at: self.occurred_at?,
            store_id: self.store_id,
            data: serde_json::value::RawValue::from_string(self.data?).ok()?,
        })
    }
}

/// Parses `sale.created,stock.changed`: each type must be one of [`EVENT_TYPES`].
pub fn parse_types(list: &str) -> Result<Vec<String>> {
    let mut types = Vec::new();
    for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if !EVENT_TYPES.contains(&part) {
            return Err(Error::invalid(
                "types",
                format!(
                    "type d'événement inconnu « {part} » (types : {})",
                    EVENT_TYPES.join(", ")
                ),
            ));
        }
        if !types.iter().any(|t| t == part) {
            types.push(part.to_owned());
        }
    }
    if types.is_empty() {
        return Err(Error::invalid("types", "au moins un type d'événement"));
    }
    Ok(types)
}

impl FeedRequest {
    fn validate(&self) -> Result<()> {
        let mut v = crate::error::Validator::default();
        crate::page::check_cursor(&mut v, self.after, self.limit, MAX_LIMIT);
        v.finish()
    }
}

/// The events after `request.after`. What committed before the call is numbered first, so a
/// client that reads right after a change sees it.
pub async fn feed(db: &PgPool, request: &FeedRequest) -> Result<Feed> {
    request.validate()?;
    sequence(db).await?;
    // one statement, one snapshot: the horizon and the events agree
    let rows: Vec<FeedRow> = sqlx::query_as(
            "SELECT h.last_id AS horizon, e.id, e.type AS kind, e.occurred_at, e.store_id, e.data::TEXT AS data
             FROM event_sequencer h
             LEFT JOIN LATERAL (
                 SELECT id, type, occurred_at, store_id, data FROM events
                 WHERE id > $1
                   AND ($2::TEXT[] IS NULL OR type = ANY($2))
                   AND ($3::BIGINT[] IS NULL OR store_id IS NULL OR store_id = ANY($3))
                 ORDER BY id LIMIT $4
             ) e ON TRUE
             ORDER BY e.id",
        )
        .bind(request.after)
        .bind(request.types.as_deref())
        .bind(request.stores.as_deref())
        .bind(i64::from(request.limit))
        .fetch_all(db)
        .await?;
    let horizon = rows.first().map_or(0, |r| r.horizon);
    let events: Vec<Event> = rows.into_iter().filter_map(FeedRow::event).collect();
    let next_after = match events.last() {
        Some(last) if events.len() as u32 == request.limit => last.id,
        _ => horizon.max(request.after),
    };
    Ok(Feed { events, next_after })
}

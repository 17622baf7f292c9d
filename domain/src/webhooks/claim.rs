//! Claiming due deliveries. A claim locks due rows with `FOR UPDATE SKIP LOCKED` (concurrent
//! claimers take different rows, never waiting on each other) and leases them: it pushes their
//! `next_attempt_at` to the lease's end. So a leased delivery is nobody else's until its lease
//! expires, and a delivery whose worker died (or hung past the lease) is simply due again.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::{Secret, millis};
use crate::Result;
use crate::outbox::Event;

/// Who holds a claimed delivery, and until when: the proof a worker shows when it records the
/// outcome (a worker whose lease expired and was taken over does not overwrite the new holder's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    pub owner: String,
    pub until: DateTime<Utc>,
}

/// A delivery to attempt, with what is needed to attempt it.
#[derive(Debug)]
pub struct Claimed {
    pub delivery_id: i64,
    pub subscription_id: i64,
    /// Attempts made before this one.
    pub attempts: i32,
    pub url: String,
    pub secret: Secret,
    /// The event, as the feed gives it.
    pub event: Event,
    pub lease: Lease,
}

#[derive(sqlx::FromRow)]
struct ClaimedRow {
    delivery_id: i64,
    subscription_id: i64,
    attempts: i32,
    leased_until: DateTime<Utc>,
    url: String,
    secret: String,
    event_id: i64,
    kind: String,
    occurred_at: DateTime<Utc>,
    store_id: Option<i64>,
    data: String,
}

/// Claims at most `limit` due deliveries of active subscriptions for `owner`, leased for `lease`
/// (longer than an attempt takes), the longest overdue first.
pub async fn claim(db: &PgPool, owner: &str, limit: u32, lease: Duration) -> Result<Vec<Claimed>> {
    let rows: Vec<ClaimedRow> = sqlx::query_as(
        "WITH due AS (
             SELECT d.id FROM webhook_deliveries d
             WHERE d.status = 'pending' AND d.next_attempt_at <= now()
               AND EXISTS (SELECT 1 FROM webhook_subscriptions s
                           WHERE s.id = d.subscription_id AND s.active)
             ORDER BY d.next_attempt_at
             LIMIT $1
             FOR UPDATE OF d SKIP LOCKED
         ),
         leased AS (
             UPDATE webhook_deliveries d
             SET leased_by = $2, leased_until = now() + $3 * interval '1 millisecond',
                 next_attempt_at = now() + $3 * interval '1 millisecond'
             FROM due WHERE d.id = due.id
             RETURNING d.id, d.subscription_id, d.event_id, d.attempts, d.leased_until
         )
         SELECT l.id AS delivery_id, l.subscription_id, l.attempts, l.leased_until, s.url, s.secret,
                e.id AS event_id, e.type AS kind, e.occurred_at, e.store_id, e.data::TEXT AS data
         FROM leased l
         JOIN webhook_subscriptions s ON s.id = l.subscription_id
         JOIN events e ON e.id = l.event_id
         ORDER BY e.id",
    )
    .bind(i64::from(limit))
    .bind(owner)
    .bind(millis(lease))
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|r| {
            let data = serde_json::value::RawValue::from_string(r.data)
                .map_err(|e| crate::Error::Internal(format!("event {}: {e}", r.event_id)))?;
            Ok(Claimed {
                delivery_id: r.delivery_id,
                subscription_id: r.subscription_id,
                attempts: r.attempts,
                url: r.url,
                secret: Secret::new(r.secret),
                event: Event {
                    id: r.event_id,
                    kind: r.kind,
                    occurred_at: r.occurred_at,
                    store_id: r.store_id,
                    data,
                },
                lease: Lease {
                    owner: owner.to_owned(),
                    until: r.leased_until,
                },
            })
        })
        .collect()
}

//! The delivery log of a subscription (each delivery with its attempts, by cursor, optionally
//! of one status: the dead-letter list is its dead ones), and the replay of a delivery.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::DeliveryStatus;
use crate::{Error, Result};

pub const DEFAULT_LOG_LIMIT: u32 = 50;
pub const MAX_LOG_LIMIT: u32 = 200;

#[derive(Clone, Debug, PartialEq)]
pub struct DeliveryLogRequest {
    pub subscription_id: i64,
    /// Only the deliveries of this status; all when `None`.
    pub status: Option<DeliveryStatus>,
    /// The last delivery id already seen (0 at first).
    pub after: i64,
    pub limit: u32,
}

/// One attempt of a delivery.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct Attempt {
    pub attempted_at: DateTime<Utc>,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i32,
    /// The worker that made it (instance and worker id).
    pub worker: String,
}

/// A delivery of an event to a subscription, with its attempts, oldest first.
#[derive(Clone, Debug, PartialEq)]
pub struct Delivery {
    pub id: i64,
    pub subscription_id: i64,
    pub event_id: i64,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// When a pending delivery is due (or its current lease ends); `None` otherwise, and while
    /// its subscription is inactive.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub first_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub log: Vec<Attempt>,
}

/// A page of the log; `next_after` is `None` on the last page.
#[derive(Clone, Debug, PartialEq)]
pub struct DeliveryLog {
    pub items: Vec<Delivery>,
    pub next_after: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: i64,
    subscription_id: i64,
    event_id: i64,
    event_type: String,
    status: String,
    attempts: i32,
    next_attempt_at: Option<DateTime<Utc>>,
    first_attempt_at: Option<DateTime<Utc>>,
    last_attempt_at: Option<DateTime<Utc>>,
    last_status_code: Option<i32>,
    last_error: Option<String>,
    delivered_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct AttemptRow {
    delivery_id: i64,
    #[sqlx(flatten)]
    attempt: Attempt,
}

/// Which deliveries to read.
struct Selection {
    subscription_id: Option<i64>,
    delivery_id: Option<i64>,
    status: Option<DeliveryStatus>,
    after: i64,
    limit: i64,
}

/// The deliveries selected, by id, each with its attempts.
async fn load(db: &PgPool, selection: &Selection) -> Result<Vec<Delivery>> {
    let rows: Vec<DeliveryRow> = sqlx::query_as(
        "SELECT d.id, d.subscription_id, d.event_id, e.type AS event_type, d.status, d.attempts,
                CASE WHEN d.status = 'pending' AND d.next_attempt_at <> 'infinity'
                     THEN d.next_attempt_at END AS next_attempt_at,
                d.first_attempt_at, d.last_attempt_at, d.last_status_code, d.last_error,
                d.delivered_at, d.created_at
         FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
         WHERE ($1::BIGINT IS NULL OR d.subscription_id = $1)
           AND ($2::BIGINT IS NULL OR d.id = $2)
           AND ($3::TEXT IS NULL OR d.status = $3)
           AND d.id > $4
         ORDER BY d.id LIMIT $5",
    )
    .bind(selection.subscription_id)
    .bind(selection.delivery_id)
    .bind(selection.status.map(DeliveryStatus::as_str))
    .bind(selection.after)
    .bind(selection.limit)
    .fetch_all(db)
    .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let attempts: Vec<AttemptRow> = sqlx::query_as(
        "SELECT delivery_id, attempted_at, status_code, error, duration_ms, worker
         FROM webhook_attempts WHERE delivery_id = ANY($1) ORDER BY delivery_id, id",
    )
    .bind(&ids)
    .fetch_all(db)
    .await?;
    let mut attempts = attempts.into_iter().peekable();
    let mut deliveries = Vec::with_capacity(rows.len());
    for row in rows {
        let status = DeliveryStatus::parse(&row.status)
            .ok_or_else(|| Error::Internal(format!("delivery status {}", row.status)))?;
        let mut log = Vec::new();
        while let Some(a) = attempts.next_if(|a| a.delivery_id <= row.id) {
            if a.delivery_id == row.id {
                log.push(a.attempt);
            }
        }
        deliveries.push(Delivery {
            id: row.id,
            subscription_id: row.subscription_id,
            event_id: row.event_id,
            event_type: row.event_type,
            status,
            attempts: row.attempts,
            next_attempt_at: row.next_attempt_at,
            first_attempt_at: row.first_attempt_at,
            last_attempt_at: row.last_attempt_at,
            last_status_code: row.last_status_code,
            last_error: row.last_error,
            delivered_at: row.delivered_at,
            created_at: row.created_at,
            log,
        });
    }
    Ok(deliveries)
}

impl DeliveryLogRequest {
    fn validate(&self) -> Result<()> {
        let mut v = crate::error::Validator::default();
        crate::page::check_cursor(&mut v, self.after, self.limit, MAX_LOG_LIMIT);
        v.finish()
    }
}

/// A subscription's deliveries after `request.after`, by id.
pub async fn deliveries(db: &PgPool, request: &DeliveryLogRequest) -> Result<DeliveryLog> {
    request.validate()?;
    super::get_subscription(db, request.subscription_id).await?;
    let mut items = load(
        db,
        &Selection {
            subscription_id: Some(request.subscription_id),
            delivery_id: None,
            status: request.status,
            after: request.after,
            limit: i64::from(request.limit) + 1,
        },
    )
    .await?;
    let next_after = if items.len() > request.limit as usize {
        items.truncate(request.limit as usize);
        items.last().map(|d| d.id)
    } else {
        None
    };
    Ok(DeliveryLog { items, next_after })
}

/// Sends a dead or delivered delivery again: pending, due at once (once its subscription is
/// active), its attempts counted from zero and a new retry window; its log is kept. A pending
/// delivery is a conflict.
pub async fn replay(db: &PgPool, delivery_id: i64) -> Result<Delivery> {
    let replayed: Option<i64> = sqlx::query_scalar(
        "UPDATE webhook_deliveries d
         SET status = 'pending', attempts = 0, first_attempt_at = NULL, delivered_at = NULL,
             leased_by = NULL, leased_until = NULL,
             next_attempt_at = CASE WHEN s.active THEN now() ELSE 'infinity' END
         FROM webhook_subscriptions s
         WHERE d.id = $1 AND s.id = d.subscription_id AND d.status IN ('dead', 'delivered')
         RETURNING d.id",
    )
    .bind(delivery_id)
    .fetch_optional(db)
    .await?;
    let selection = Selection {
        subscription_id: None,
        delivery_id: Some(delivery_id),
        status: None,
        after: 0,
        limit: 1,
    };
    let delivery = load(db, &selection)
        .await?
        .pop()
        .ok_or_else(|| Error::not_found("Livraison", delivery_id))?;
    if replayed.is_none() {
        return Err(Error::Conflict(
            "Cette livraison est encore en attente : elle sera tentée sans relance.".into(),
        ));
    }
    Ok(delivery)
}

//! Recording an attempt: its line in the log, and what it means for the delivery (delivered,
//! retried after a back-off, or dead once the retry window is over) and for its subscription
//! (failing since when; disabled once it has failed every delivery for `disable_after`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::{Claimed, DeliveryStatus, RetryPolicy, millis, next_delay};
use crate::Result;

/// What an attempt gave.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub attempted_at: DateTime<Utc>,
    pub duration: Duration,
    /// The receiver's HTTP status, when it answered.
    pub status_code: Option<u16>,
    /// Why it failed without an answer (timeout, connection refused), or what was wrong with the
    /// answer.
    pub error: Option<String>,
    /// Did the receiver take it (2xx)?
    pub delivered: bool,
}

/// What recording an outcome did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// The delivery's status now; `None` when it was no longer this worker's to change (its
    /// lease expired and another worker took it, or it was deleted with its subscription).
    pub status: Option<DeliveryStatus>,
    /// This failure disabled the subscription.
    pub disabled: bool,
}

/// Longest error text kept in the log.
const MAX_ERROR_CHARS: usize = 500;

/// Why a subscription was disabled automatically.
fn disabled_reason(policy: &RetryPolicy) -> String {
    format!(
        "désactivé automatiquement : chaque livraison a échoué pendant {}",
        human(policy.disable_after)
    )
}

fn human(duration: Duration) -> String {
    let secs = duration.as_secs();
    if secs >= 3600 && secs.is_multiple_of(3600) {
        format!("{} h", secs / 3600)
    } else if secs >= 60 && secs.is_multiple_of(60) {
        format!("{} min", secs / 60)
    } else {
        format!("{} s", duration.as_secs_f64())
    }
}

/// Records the outcome of an attempt of a claimed delivery. A success is recorded even if the
/// claim's lease was lost (the receiver has the event: that is the truth), a failure only by the
/// lease's holder. Either way the attempt is logged.
pub async fn record(
    db: &PgPool,
    claimed: &Claimed,
    outcome: &Outcome,
    policy: &RetryPolicy,
) -> Result<Recorded> {
    let attempt = Attempt {
        error: outcome
            .error
            .as_deref()
            .map(|e| e.chars().take(MAX_ERROR_CHARS).collect()),
        status_code: outcome.status_code.map(i32::from),
        duration_ms: i32::try_from(outcome.duration.as_millis()).unwrap_or(i32::MAX),
    };
    if outcome.delivered {
        delivered(db, claimed, outcome, &attempt).await
    } else {
        failed(db, claimed, outcome, &attempt, policy).await
    }
}

/// An attempt's columns in the log.
struct Attempt {
    status_code: Option<i32>,
    error: Option<String>,
    duration_ms: i32,
}

/// A 2xx: delivered, whoever holds the lease now, and the subscription's failures forgotten.
async fn delivered(
    db: &PgPool,
    claimed: &Claimed,
    outcome: &Outcome,
    attempt: &Attempt,
) -> Result<Recorded> {
    let (delivery_id, subscription_id, lease) =
        (claimed.delivery_id, claimed.subscription_id, &claimed.lease);
    let (status_code, error, duration_ms) = (
        attempt.status_code,
        attempt.error.as_deref(),
        attempt.duration_ms,
    );
    let delivered: Option<i64> = sqlx::query_scalar(
        "WITH attempt AS (
             INSERT INTO webhook_attempts
                 (delivery_id, attempted_at, status_code, error, duration_ms, worker)
             SELECT id, $2, $3, $4, $5, $6 FROM webhook_deliveries WHERE id = $1
         ),
         delivery AS (
             UPDATE webhook_deliveries d
             SET status = 'delivered', delivered_at = now(), attempts = d.attempts + 1,
                 first_attempt_at = coalesce(d.first_attempt_at, $2), last_attempt_at = $2,
                 last_status_code = $3, last_error = $4, leased_by = NULL, leased_until = NULL
             WHERE d.id = $1 AND d.status = 'pending'
             RETURNING d.id
         ),
         recovered AS (
             UPDATE webhook_subscriptions SET failing_since = NULL
             WHERE id = $7 AND failing_since IS NOT NULL
         )
         SELECT id FROM delivery",
    )
    .bind(delivery_id)
    .bind(outcome.attempted_at)
    .bind(status_code)
    .bind(error)
    .bind(duration_ms)
    .bind(&lease.owner)
    .bind(subscription_id)
    .fetch_optional(db)
    .await?;
    Ok(Recorded {
        status: delivered.map(|_| DeliveryStatus::Delivered),
        disabled: false,
    })
}

/// A failure, recorded by the lease's holder only: retried after the back-off, dead once the
/// window is over, and the subscription failing since then (disabled after `disable_after`).
async fn failed(
    db: &PgPool,
    claimed: &Claimed,
    outcome: &Outcome,
    attempt: &Attempt,
    policy: &RetryPolicy,
) -> Result<Recorded> {
    let (delivery_id, subscription_id, lease) =
        (claimed.delivery_id, claimed.subscription_id, &claimed.lease);
    let (status_code, error, duration_ms) = (
        attempt.status_code,
        attempt.error.as_deref(),
        attempt.duration_ms,
    );
    let failed = u32::try_from(claimed.attempts).unwrap_or(0) + 1;
    let delay = next_delay(failed, policy);
    // the failures of a subscription are recorded one at a time, each in a snapshot taken after
    // the one before committed: an attempt that failed while another disabled the subscription
    // sees it disabled, and parks its delivery (no key lock: the sequencer's inserts of new
    // deliveries, which only check the key, never wait)
    let mut tx = db.begin().await?;
    sqlx::query("SELECT 1 FROM webhook_subscriptions WHERE id = $1 FOR NO KEY UPDATE")
        .bind(subscription_id)
        .execute(&mut *tx)
        .await?;
    let (status, disabled): (Option<String>, bool) = sqlx::query_as(
        "WITH attempt AS (
             INSERT INTO webhook_attempts
                 (delivery_id, attempted_at, status_code, error, duration_ms, worker)
             SELECT id, $2, $3, $4, $5, $6 FROM webhook_deliveries WHERE id = $1
         ),
         -- failing since this attempt if it was not yet; disabled if failing for long enough
         sub AS (
             UPDATE webhook_subscriptions s
             SET failing_since = coalesce(s.failing_since, $2),
                 active = coalesce(s.failing_since, $2) > now() - $10 * interval '1 millisecond',
                 disabled_at = CASE
                     WHEN coalesce(s.failing_since, $2) <= now() - $10 * interval '1 millisecond'
                     THEN now() END,
                 disabled_reason = CASE
                     WHEN coalesce(s.failing_since, $2) <= now() - $10 * interval '1 millisecond'
                     THEN $11 END
             WHERE s.id = $8 AND s.active
               AND (s.failing_since IS NULL
                    OR s.failing_since <= now() - $10 * interval '1 millisecond')
             RETURNING s.active
         ),
         active AS (
             SELECT coalesce((SELECT active FROM sub),
                             (SELECT active FROM webhook_subscriptions WHERE id = $8),
                             FALSE) AS active
         ),
         -- retried after the back-off, at the latest when the window ends; dead when an attempt
         -- made at or after the window's end fails; parked (never due) while its subscription
         -- is inactive
         delivery AS (
             UPDATE webhook_deliveries d
             SET attempts = d.attempts + 1,
                 first_attempt_at = coalesce(d.first_attempt_at, $2), last_attempt_at = $2,
                 last_status_code = $3, last_error = $4, leased_by = NULL, leased_until = NULL,
                 status = CASE
                     WHEN $2 >= coalesce(d.first_attempt_at, $2) + $9 * interval '1 millisecond'
                     THEN 'dead' ELSE 'pending' END,
                 next_attempt_at = CASE
                     WHEN NOT (SELECT active FROM active) THEN 'infinity'
                     ELSE least(now() + $7 * interval '1 millisecond',
                                coalesce(d.first_attempt_at, $2) + $9 * interval '1 millisecond')
                     END
             FROM active
             WHERE d.id = $1 AND d.status = 'pending' AND d.leased_by = $6
               AND d.leased_until = $12
             RETURNING d.status
         ),
         -- a subscription just disabled: its other pending deliveries wait for its re-activation
         -- (those being recorded right now are skipped: a success is delivered, a failure waits
         -- for this commit and parks its own)
         parked AS (
             UPDATE webhook_deliveries d SET next_attempt_at = 'infinity'
             WHERE d.id IN (
                 SELECT p.id FROM webhook_deliveries p
                 WHERE EXISTS (SELECT 1 FROM sub WHERE NOT sub.active)
                   AND p.subscription_id = $8 AND p.status = 'pending' AND p.id <> $1
                 FOR UPDATE SKIP LOCKED)
         )
         SELECT (SELECT status FROM delivery),
                coalesce((SELECT NOT active FROM sub), FALSE)",
    )
    .bind(delivery_id)
    .bind(outcome.attempted_at)
    .bind(status_code)
    .bind(error)
    .bind(duration_ms)
    .bind(&lease.owner)
    .bind(millis(delay))
    .bind(subscription_id)
    .bind(millis(policy.retry_window))
    .bind(millis(policy.disable_after))
    .bind(disabled_reason(policy))
    .bind(lease.until)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Recorded {
        status: status.as_deref().and_then(DeliveryStatus::parse),
        disabled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reason_says_how_long() {
        let policy = RetryPolicy::default();
        assert!(disabled_reason(&policy).ends_with("pendant 24 h"));
        let short = RetryPolicy {
            disable_after: Duration::from_millis(1500),
            ..policy
        };
        assert!(disabled_reason(&short).ends_with("pendant 1.5 s"));
        assert_eq!(human(Duration::from_secs(120)), "2 min");
    }
}

//! The sequencer: gives the committed events their place in the feed (see the migration's
//! header for why the place is given after commit). One sequencer runs at a time, whatever the
//! number of instances: each holds a transaction-level advisory lock while it numbers, and the
//! lock is released by its commit, so the next one starts from the ids it committed.

use chrono::{Duration, Utc};
use sqlx::{PgConnection, PgPool};

use super::RETENTION_DAYS;
use crate::Result;

/// The advisory lock of the sequencer (the ASCII of "events").
const LOCK: i64 = 0x6576_656e_7473;

/// Events numbered per transaction: a backlog is numbered in several short ones.
const BATCH: i64 = 10_000;

/// Numbers the committed events that have no id yet, waiting for a sequencer of another
/// instance to finish first. Returns how many it numbered.
pub async fn sequence(db: &PgPool) -> Result<u64> {
    let mut total = 0;
    loop {
        let mut tx = db.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(LOCK)
            .execute(&mut *tx)
            .await?;
        let numbered = number(&mut tx).await?;
        tx.commit().await?;
        total += numbered;
        if numbered < BATCH as u64 {
            return Ok(total);
        }
    }
}

/// As [`sequence`], but gives up at once (`None`) when another sequencer is running: the
/// background task of an instance has nothing to do then.
pub async fn try_sequence(db: &PgPool) -> Result<Option<u64>> {
    let mut total = 0;
    loop {
        let mut tx = db.begin().await?;
        let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
            .bind(LOCK)
            .fetch_one(&mut *tx)
            .await?;
        if !locked {
            return Ok((total > 0).then_some(total));
        }
        let numbered = number(&mut tx).await?;
        tx.commit().await?;
        total += numbered;
        if numbered < BATCH as u64 {
            return Ok(Some(total));
        }
    }
}

/// One batch, under the lock: a statement of its own, so that its snapshot, taken after the
/// lock was granted, sees the ids the previous sequencer committed. The same statement makes
/// the webhook deliveries of the events it numbers (`crate::webhooks`): one per active
/// subscription whose types match, so a delivery exists exactly when its event is in the feed.
async fn number(conn: &mut PgConnection) -> Result<u64> {
    let numbered: i64 = sqlx::query_scalar(
        "WITH pending AS (
             SELECT seq, row_number() OVER (ORDER BY seq) AS n
             FROM (SELECT seq FROM events WHERE id IS NULL ORDER BY seq LIMIT $1) AS p
         ),
         bump AS (
             UPDATE event_sequencer SET last_id = last_id + (SELECT count(*) FROM pending)
             WHERE EXISTS (SELECT 1 FROM pending)
             RETURNING last_id - (SELECT count(*) FROM pending) AS base
         ),
         numbered AS (
             UPDATE events e SET id = bump.base + pending.n
             FROM pending, bump WHERE e.seq = pending.seq
             RETURNING e.id, e.type
         ),
         fan_out AS (
             INSERT INTO webhook_deliveries (subscription_id, event_id)
             SELECT s.id, n.id FROM numbered n
             JOIN webhook_subscriptions s
               ON s.active AND (s.types = '{}' OR n.type = ANY (s.types))
             ORDER BY n.id, s.id
         )
         SELECT count(*) FROM numbered",
    )
    .bind(BATCH)
    .fetch_one(&mut *conn)
    .await?;
    Ok(numbered as u64)
}

/// Deletes the numbered events older than the retention period; returns how many.
pub async fn purge_expired(db: &PgPool) -> Result<u64> {
    let cutoff = Utc::now() - Duration::days(RETENTION_DAYS);
    let mut total = 0;
    loop {
        let deleted = sqlx::query(
            // the oldest in writing order (the primary key), which is their order in time
            "DELETE FROM events WHERE seq IN (
                 SELECT seq FROM (SELECT seq, occurred_at, id FROM events ORDER BY seq LIMIT $2) o
                 WHERE o.occurred_at < $1 AND o.id IS NOT NULL)",
        )
        .bind(cutoff)
        .bind(BATCH)
        .execute(db)
        .await?
        .rows_affected();
        total += deleted;
        if deleted < BATCH as u64 {
            return Ok(total);
        }
    }
}

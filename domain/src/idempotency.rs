//! Stored answers of idempotent requests. A caller claims `(client, key)` inside a transaction:
//! the row it inserts stays locked until that transaction ends, so a concurrent request with the
//! same key waits, then reads the stored answer instead of running the operation twice. The
//! operation itself runs in the same transaction, so the answer and its effects commit together.

use chrono::{Duration, Utc};
use sqlx::{PgPool, Postgres, Transaction};

use crate::Result;

/// How long answers are kept for replay.
pub const RETENTION_HOURS: i64 = 24;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

pub enum Claim {
    /// First time for this key: run the operation in this transaction, then [`complete`].
    New(Transaction<'static, Postgres>),
    /// Same key, same request: the first answer.
    Replay(SavedResponse),
    /// Same key, another request: the client reused a key by mistake.
    Mismatch,
}

/// Claims `key` for `client`. `request_hash` identifies the request (method, path, body).
pub async fn claim(db: &PgPool, client: &str, key: &str, request_hash: &str) -> Result<Claim> {
    let mut tx = crate::db::begin_hot_path(db).await?;
    // A placeholder answer that `complete` replaces before the commit; other transactions never
    // see it because they block on the row until this one ends.
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (client, key, request_hash, status_code, response_body)
         VALUES ($1, $2, $3, 102, '') ON CONFLICT (client, key) DO NOTHING",
    )
    .bind(client)
    .bind(key)
    .bind(request_hash)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(Claim::New(tx));
    }
    tx.rollback().await?;
    let row: Option<(String, i16, Vec<u8>)> = sqlx::query_as(
        "SELECT request_hash, status_code, response_body FROM idempotency_keys
         WHERE client = $1 AND key = $2",
    )
    .bind(client)
    .bind(key)
    .fetch_optional(db)
    .await?;
    Ok(match row {
        Some((hash, _, _)) if hash != request_hash => Claim::Mismatch,
        Some((_, status, body)) => Claim::Replay(SavedResponse {
            status: status as u16,
            body,
        }),
        // purged between the insert and the read: treat as new on the caller's retry
        None => Claim::Mismatch,
    })
}

/// Records the answer in the claiming transaction and commits it.
pub async fn complete(
    mut tx: Transaction<'static, Postgres>,
    client: &str,
    key: &str,
    response: &SavedResponse,
) -> Result<()> {
    sqlx::query(
        "UPDATE idempotency_keys SET status_code = $3, response_body = $4
         WHERE client = $1 AND key = $2",
    )
    .bind(client)
    .bind(key)
    .bind(response.status as i16)
    .bind(&response.body)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes answers older than the retention period; returns how many.
pub async fn purge_expired(db: &PgPool) -> Result<u64> {
    let cutoff = Utc::now() - Duration::hours(RETENTION_HOURS);
    Ok(
        sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(cutoff)
            .execute(db)
            .await?
            .rows_affected(),
    )
}

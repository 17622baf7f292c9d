//! Stored answers of idempotent requests. A caller claims `(client, key)` inside a transaction:
//! the row it inserts stays locked until that transaction ends, so a concurrent request with the
//! same key waits, then reads the stored answer instead of running the operation twice. The
//! operation itself runs in the same transaction, so the answer and its effects commit together.

use chrono::{Duration, Utc};
use std::collections::HashSet;

use sqlx::{PgConnection, PgPool, Postgres, Transaction};

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
    if claim_in(&mut tx, &[(client, key, request_hash)]).await? == [true] {
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
    request_hash: &str,
    response: &SavedResponse,
) -> Result<()> {
    complete_in(&mut tx, &[(client, key, request_hash, response)]).await?;
    tx.commit().await?;
    Ok(())
}

/// Claims several keys at once inside the caller's transaction: `true` where this transaction
/// now holds the key (its answer must be stored with [`complete_in`] or the claim dropped with
/// [`release_in`] before the commit), `false` where the key was answered already, is being
/// answered by another transaction (the claim waited for it to end), or repeats an earlier
/// entry of `claims`. Keys are locked in one order, so two batches never deadlock on them.
pub async fn claim_in(conn: &mut PgConnection, claims: &[(&str, &str, &str)]) -> Result<Vec<bool>> {
    let clients: Vec<&str> = claims.iter().map(|c| c.0).collect();
    let keys: Vec<&str> = claims.iter().map(|c| c.1).collect();
    let hashes: Vec<&str> = claims.iter().map(|c| c.2).collect();
    // A placeholder answer that `complete_in` replaces before the commit; other transactions
    // never see it because they block on the row until this one ends.
    let inserted: Vec<(String, String)> = sqlx::query_as(
        "INSERT INTO idempotency_keys (client, key, request_hash, status_code, response_body)
         SELECT DISTINCT ON (c.client, c.key) c.client, c.key, c.hash, 102, ''::BYTEA
         FROM unnest($1::TEXT[], $2::TEXT[], $3::TEXT[]) AS c(client, key, hash)
         ORDER BY c.client, c.key
         ON CONFLICT (client, key) DO NOTHING
         RETURNING client, key",
    )
    .bind(&clients)
    .bind(&keys)
    .bind(&hashes)
    .fetch_all(&mut *conn)
    .await?;
    let mut held: HashSet<(String, String)> = inserted.into_iter().collect();
    Ok(claims
        .iter()
        .map(|(client, key, _)| held.remove(&((*client).to_owned(), (*key).to_owned())))
        .collect())
}

/// Stores the answers of keys claimed by this transaction (they commit with it): `(client, key,
/// request hash, answer)`. Written as an upsert on the key, so the key's index finds each row
/// whatever the size the table had when the statement was first planned.
pub async fn complete_in(
    conn: &mut PgConnection,
    answers: &[(&str, &str, &str, &SavedResponse)],
) -> Result<()> {
    if answers.is_empty() {
        return Ok(());
    }
    let clients: Vec<&str> = answers.iter().map(|a| a.0).collect();
    let keys: Vec<&str> = answers.iter().map(|a| a.1).collect();
    let hashes: Vec<&str> = answers.iter().map(|a| a.2).collect();
    let statuses: Vec<i16> = answers.iter().map(|a| a.3.status as i16).collect();
    let bodies: Vec<&[u8]> = answers.iter().map(|a| a.3.body.as_slice()).collect();
    sqlx::query(
        "INSERT INTO idempotency_keys AS k (client, key, request_hash, status_code, response_body)
         SELECT * FROM unnest($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::SMALLINT[], $5::BYTEA[])
         ON CONFLICT (client, key) DO UPDATE
         SET status_code = EXCLUDED.status_code, response_body = EXCLUDED.response_body",
    )
    .bind(&clients)
    .bind(&keys)
    .bind(&hashes)
    .bind(&statuses)
    .bind(&bodies)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Drops keys claimed by this transaction whose answer is not kept (a request refused for its
/// input gets the same answer again anyway), so the transaction can still commit the others.
pub async fn release_in(conn: &mut PgConnection, claims: &[(&str, &str)]) -> Result<()> {
    if claims.is_empty() {
        return Ok(());
    }
    let clients: Vec<&str> = claims.iter().map(|c| c.0).collect();
    let keys: Vec<&str> = claims.iter().map(|c| c.1).collect();
    // not kept prepared: planned each time for the table's current size (a plan cached while
    // the table was small would scan all of it once it has grown)
    sqlx::query(
        "DELETE FROM idempotency_keys k USING unnest($1::TEXT[], $2::TEXT[]) AS c(client, key)
         WHERE k.client = c.client AND k.key = c.key",
    )
    .persistent(false)
    .bind(&clients)
    .bind(&keys)
    .execute(&mut *conn)
    .await?;
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

//! Stored answers of idempotent requests. A caller claims a client's key inside a transaction:
//! the row it inserts stays locked until that transaction ends, so a concurrent request with the
//! same key waits, then reads the stored answer instead of running the operation twice. The
//! operation itself runs in the same transaction, so the answer and its effects commit together.
//!
//! One transaction may claim several keys at once ([`claim_in`]); before it commits, each key it
//! holds gets its answer ([`complete_in`]) or is let go ([`release_in`]).

use std::collections::{HashMap, HashSet};

use chrono::{Duration, Utc};
use sqlx::{PgConnection, PgPool};

use crate::Result;

/// How long answers are kept for replay.
pub const RETENTION_HOURS: i64 = 24;

/// The status of the placeholder a claim inserts, replaced by [`complete_in`] before the commit.
const PLACEHOLDER_STATUS: i16 = 102;

/// An answer as it is replayed: its status and body, byte for byte.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

/// One client's key: keys of different clients never collide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyRef<'a> {
    pub client: &'a str,
    pub key: &'a str,
}

/// A request claiming its key: the key, and the hash of what makes two requests "the same".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyClaim<'a> {
    pub key: KeyRef<'a>,
    pub request_hash: &'a str,
}

/// The answer to keep for a key this transaction holds.
#[derive(Clone, Copy, Debug)]
pub struct Completion<'a> {
    pub claim: KeyClaim<'a>,
    pub response: &'a SavedResponse,
}

/// What a claim found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claimed {
    /// First time for this key: this transaction holds it until it ends; run the operation in
    /// it, then [`complete_in`] or [`release_in`] the key before the commit.
    New,
    /// Same key, same request, answered before: the first answer.
    Replay(SavedResponse),
    /// Same key, another request: the client reused a key by mistake.
    Mismatch,
    /// The key repeats an earlier claim of the same call, or its answer vanished between the
    /// claim and the read (purged): claim it again once this transaction has ended.
    Again,
}

/// Claims several keys at once inside the caller's transaction, one [`Claimed`] per entry of
/// `claims`, in order. A key being answered by another transaction is waited for, then read.
/// Keys are locked in one order, so two callers never deadlock on them.
pub async fn claim_in(conn: &mut PgConnection, claims: &[KeyClaim<'_>]) -> Result<Vec<Claimed>> {
    let clients: Vec<&str> = claims.iter().map(|c| c.key.client).collect();
    let keys: Vec<&str> = claims.iter().map(|c| c.key.key).collect();
    let hashes: Vec<&str> = claims.iter().map(|c| c.request_hash).collect();
    // A placeholder answer that `complete_in` replaces before the commit; other transactions
    // never see it because they block on the row until this one ends.
    let inserted: Vec<(String, String)> = sqlx::query_as(
        "INSERT INTO idempotency_keys (client, key, request_hash, status_code, response_body)
         SELECT DISTINCT ON (c.client, c.key) c.client, c.key, c.hash, $4, ''::BYTEA
         FROM unnest($1::TEXT[], $2::TEXT[], $3::TEXT[]) AS c(client, key, hash)
         ORDER BY c.client, c.key
         ON CONFLICT (client, key) DO NOTHING
         RETURNING client, key",
    )
    .bind(&clients)
    .bind(&keys)
    .bind(&hashes)
    .bind(PLACEHOLDER_STATUS)
    .fetch_all(&mut *conn)
    .await?;
    let mut held: HashSet<(String, String)> = inserted.into_iter().collect();
    let mut seen = HashSet::new();
    let mut taken = Vec::new();
    let mut verdicts: Vec<Option<Claimed>> = claims
        .iter()
        .map(|c| {
            let owned = (c.key.client.to_owned(), c.key.key.to_owned());
            if !seen.insert(c.key) {
                Some(Claimed::Again)
            } else if held.remove(&owned) {
                Some(Claimed::New)
            } else {
                taken.push(c.key);
                None
            }
        })
        .collect();
    let mut stored = stored_in(conn, &taken).await?;
    for (verdict, claim) in verdicts.iter_mut().zip(claims) {
        if verdict.is_some() {
            continue;
        }
        *verdict = Some(match stored.remove(&claim.key) {
            Some((hash, _)) if hash != claim.request_hash => Claimed::Mismatch,
            Some((_, saved)) if saved.status != PLACEHOLDER_STATUS as u16 => Claimed::Replay(saved),
            _ => Claimed::Again,
        });
    }
    Ok(verdicts
        .into_iter()
        .map(|v| v.unwrap_or(Claimed::Again))
        .collect())
}

/// The request hashes and answers stored for these keys (committed by other transactions).
async fn stored_in<'a>(
    conn: &mut PgConnection,
    keys: &[KeyRef<'a>],
) -> Result<HashMap<KeyRef<'a>, (String, SavedResponse)>> {
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let clients: Vec<&str> = keys.iter().map(|k| k.client).collect();
    let names: Vec<&str> = keys.iter().map(|k| k.key).collect();
    let rows: Vec<(String, String, String, i16, Vec<u8>)> = sqlx::query_as(
        "SELECT k.client, k.key, k.request_hash, k.status_code, k.response_body
         FROM idempotency_keys k JOIN unnest($1::TEXT[], $2::TEXT[]) AS c(client, key)
           ON k.client = c.client AND k.key = c.key",
    )
    .bind(&clients)
    .bind(&names)
    .fetch_all(&mut *conn)
    .await?;
    let mut found = HashMap::new();
    for (client, key, hash, status, body) in rows {
        let Some(wanted) = keys.iter().find(|k| k.client == client && k.key == key) else {
            continue;
        };
        let saved = SavedResponse {
            status: status as u16,
            body,
        };
        found.insert(*wanted, (hash, saved));
    }
    Ok(found)
}

/// Stores the answers of keys claimed by this transaction (they commit with it). Written as an
/// upsert on the key, so the key's index finds each row whatever the size the table had when
/// the statement was first planned.
pub async fn complete_in(conn: &mut PgConnection, answers: &[Completion<'_>]) -> Result<()> {
    if answers.is_empty() {
        return Ok(());
    }
    let clients: Vec<&str> = answers.iter().map(|a| a.claim.key.client).collect();
    let keys: Vec<&str> = answers.iter().map(|a| a.claim.key.key).collect();
    let hashes: Vec<&str> = answers.iter().map(|a| a.claim.request_hash).collect();
    let statuses: Vec<i16> = answers.iter().map(|a| a.response.status as i16).collect();
    let bodies: Vec<&[u8]> = answers.iter().map(|a| a.response.body.as_slice()).collect();
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
pub async fn release_in(conn: &mut PgConnection, keys: &[KeyRef<'_>]) -> Result<()> {
    if keys.is_empty() {
        return Ok(());
    }
    let clients: Vec<&str> = keys.iter().map(|k| k.client).collect();
    let names: Vec<&str> = keys.iter().map(|k| k.key).collect();
    // not kept prepared: planned each time for the table's current size (a plan cached while
    // the table was small would scan all of it once it has grown)
    sqlx::query(
        "DELETE FROM idempotency_keys k USING unnest($1::TEXT[], $2::TEXT[]) AS c(client, key)
         WHERE k.client = c.client AND k.key = c.key",
    )
    .persistent(false)
    .bind(&clients)
    .bind(&names)
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

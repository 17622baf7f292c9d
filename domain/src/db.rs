//! Connecting to PostgreSQL, creating the database when it is missing, and migrating it.

use std::time::Duration;

pub use sqlx::PgPool;
use sqlx::Postgres;
use sqlx::migrate::MigrateDatabase;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::{Error, Result};

/// Creates the database named in `url` if it does not exist yet.
pub async fn create_if_missing(url: &str) -> Result<bool> {
    if Postgres::database_exists(url).await? {
        return Ok(false);
    }
    Postgres::create_database(url).await?;
    Ok(true)
}

/// A pool that fails fast when PostgreSQL is unreachable instead of hanging a request.
pub async fn connect(url: &str, max_connections: u32) -> Result<PgPool> {
    let options: PgConnectOptions = url
        .parse()
        .map_err(|e| Error::Internal(format!("DATABASE_URL invalide : {e}")))?;
    Ok(PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await?)
}

/// A pool that connects on first use, so a binary can start while PostgreSQL is down and
/// report it on `/health`. Each connection gets PostgreSQL's `statement_timeout` (milliseconds,
/// 0 = none): a statement stuck behind a lock or a slow plan is cancelled by the server and
/// surfaces as an unavailable database ([`Error::is_unavailable`]) instead of holding a
/// request and a connection forever.
pub fn connect_lazy(url: &str, max_connections: u32, statement_timeout_ms: u64) -> Result<PgPool> {
    let mut options: PgConnectOptions = url
        .parse()
        .map_err(|e| Error::Internal(format!("DATABASE_URL invalide : {e}")))?;
    if statement_timeout_ms > 0 {
        let timeout = statement_timeout_ms.to_string();
        options = options.options([("statement_timeout", timeout.as_str())]);
    }
    Ok(PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(3))
        .connect_lazy_with(options))
}

/// Begins a transaction for the sale path (the claim of an idempotency key, then the sale),
/// whose statements run a thousand times a second with the same shapes: PostgreSQL then reuses
/// one generic plan per statement, its own and those of the aggregate triggers, instead of
/// planning each execution again (`make bench`: about 14 % more sales per second). Set in the
/// `BEGIN` round trip, for this transaction only.
pub async fn begin_hot_path(db: &PgPool) -> Result<sqlx::Transaction<'static, Postgres>> {
    Ok(db
        .begin_with("BEGIN; SET LOCAL plan_cache_mode = force_generic_plan")
        .await?)
}

pub async fn migrate(pool: &PgPool) -> Result<()> {
    crate::MIGRATOR
        .run(pool)
        .await
        .map_err(|e| Error::Internal(format!("migrations : {e}")))
}

/// True when PostgreSQL answers a trivial query within two seconds (a health check must answer
/// quickly even when the database hangs).
pub async fn is_up(pool: &PgPool) -> bool {
    let probe = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(pool);
    matches!(
        tokio::time::timeout(Duration::from_secs(2), probe).await,
        Ok(Ok(1))
    )
}

/// `VACUUM ANALYZE` of the whole database, after a bulk load (outside any transaction). The
/// session's statement timeout does not apply: a large database takes longer.
pub async fn vacuum_analyze(pool: &PgPool) -> Result<()> {
    let mut conn = pool.acquire().await?;
    sqlx::query("SET statement_timeout = 0")
        .execute(&mut *conn)
        .await?;
    sqlx::query("VACUUM ANALYZE").execute(&mut *conn).await?;
    Ok(())
}

//! Reports for managers and head office: KPIs, sales performance (per store, register, day and
//! product), stock analysis with days of cover, and custom groupings. Every figure is aggregated
//! by PostgreSQL, and a period is a range of local dates read in each store's own time zone
//! (`period`: the range, its presets and the default scope).

mod custom;
mod dashboard;
mod months;
mod period;
mod promotions;
mod sales;
mod selling;
mod stock;
mod top;

pub use custom::*;
pub use dashboard::*;
pub use period::*;
pub use promotions::*;
pub use sales::*;
pub use selling::*;
pub use stock::*;
pub use top::*;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::{PgConnection, PgPool, Postgres, Transaction};

use crate::{Actor, Error, Result};

/// The common head of the report queries on the daily aggregates. Binds `$1` (first local
/// date), `$2` (last local date) and `$3` (store ids, `NULL` for every store). A day of the
/// aggregates is already the store's local date, as in `SCOPE_CTES`.
pub(crate) const DAILY_CTES: &str = "scope_stores AS (
        SELECT st.id, st.name FROM stores st
        WHERE $3::BIGINT[] IS NULL OR st.id = ANY($3::BIGINT[])),
    day_sales AS (
        SELECT d.* FROM scope_stores ss
        JOIN daily_sales d ON d.store_id = ss.id AND d.day BETWEEN $1::DATE AND $2::DATE),
    day_returns AS (
        SELECT d.* FROM scope_stores ss
        JOIN daily_returns d ON d.store_id = ss.id AND d.day BETWEEN $1::DATE AND $2::DATE)";

/// Longest a report statement may run, by default: shorter than the pool's general timeout,
/// since a report that takes longer is one nobody waits for, and it holds a connection.
pub const DEFAULT_STATEMENT_TIMEOUT_MS: u64 = 5_000;

/// The report statement timeout of this process (milliseconds, 0: the pool's own).
static STATEMENT_TIMEOUT_MS: AtomicU64 = AtomicU64::new(DEFAULT_STATEMENT_TIMEOUT_MS);

/// Sets how long a report statement may run in this process (zero: the pool's own timeout). A
/// setting of the process, like the pool's statement timeout: each binary sets it once at start
/// from its configuration.
pub fn set_statement_timeout(timeout: Duration) {
    let ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
    STATEMENT_TIMEOUT_MS.store(ms, Ordering::Relaxed);
}

/// The report statement timeout in force (zero: the pool's own).
pub fn statement_timeout() -> Duration {
    Duration::from_millis(STATEMENT_TIMEOUT_MS.load(Ordering::Relaxed))
}

/// Checks who may read figures about these stores, and that the stores exist. An empty list is
/// the whole network (head office only); store managers read their own store's figures.
/// Returns the store filter to bind: `None` for the network.
pub(crate) async fn authorize(
    db: &mut PgConnection,
    actor: &Actor,
    store_ids: &[i64],
) -> Result<Option<Vec<i64>>> {
    if store_ids.is_empty() {
        actor.ensure_head_office()?;
        return Ok(None);
    }
    let mut ids = store_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for id in &ids {
        actor.ensure_manager_of(*id)?;
    }
    let missing: Option<i64> = sqlx::query_scalar(
        "SELECT min(wanted) FROM unnest($1::BIGINT[]) AS wanted
         WHERE NOT EXISTS (SELECT 1 FROM stores WHERE id = wanted)",
    )
    .bind(&ids)
    .fetch_one(&mut *db)
    .await?;
    if let Some(id) = missing {
        return Err(Error::not_found("Magasin", id));
    }
    Ok(Some(ids))
}

/// A read-only transaction with one snapshot, so the parts of a report (totals, per store, per
/// day) add up even while tills keep selling, and with the report statement timeout (see
/// [`set_statement_timeout`]): past it, PostgreSQL cancels the statement and the report fails
/// as unavailable.
pub(crate) async fn snapshot(db: &PgPool) -> Result<Transaction<'static, Postgres>> {
    let mut tx = db.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    // JIT compilation costs about 100 ms per large report query and gains nothing on queries
    // that run well under a second (measured with loadtest/bench-reports.sh). Both settings
    // are the transaction's only (SET LOCAL), in one round trip.
    let timeout_ms = STATEMENT_TIMEOUT_MS.load(Ordering::Relaxed);
    sqlx::query(
        "SELECT set_config('jit', 'off', true),
                set_config('statement_timeout',
                           COALESCE($1, current_setting('statement_timeout')), true)",
    )
    .bind((timeout_ms > 0).then(|| timeout_ms.to_string()))
    .execute(&mut *tx)
    .await?;
    Ok(tx)
}

/// The common head of the period queries. Binds `$1` (first local date), `$2` (last local
/// date) and `$3` (store ids, `NULL` for every store).
///
/// Each store's period becomes a half-open range of instants computed in its time zone, so the
/// `(store_id, sold_at)` index answers and a sale at 23:30 local time stays on its local day.
pub(crate) const SCOPE_CTES: &str = "scope_stores AS (
        SELECT st.id, st.name, st.time_zone,
               ($1::DATE::TIMESTAMP AT TIME ZONE st.time_zone) AS starts_at,
               (($2::DATE + 1)::TIMESTAMP AT TIME ZONE st.time_zone) AS ends_at
        FROM stores st
        WHERE $3::BIGINT[] IS NULL OR st.id = ANY($3::BIGINT[])),
    scoped_sales AS (
        SELECT sa.id, sa.store_id, sa.register_id, sa.subtotal, sa.tps, sa.tvq, sa.total,
               (sa.sold_at AT TIME ZONE ss.time_zone)::DATE AS day,
               (SELECT COALESCE(sum(l.quantity), 0) FROM sale_lines l WHERE l.sale_id = sa.id)
                   AS units
        FROM scope_stores ss
        JOIN sales sa ON sa.store_id = ss.id
                     AND sa.sold_at >= ss.starts_at AND sa.sold_at < ss.ends_at),
    scoped_returns AS (
        SELECT rt.id, rt.sale_id, rt.store_id, rt.subtotal, rt.tps, rt.tvq, rt.refund_amount,
               (rt.returned_at AT TIME ZONE ss.time_zone)::DATE AS day
        FROM scope_stores ss
        JOIN returns rt ON rt.store_id = ss.id
                       AND rt.returned_at >= ss.starts_at AND rt.returned_at < ss.ends_at)";

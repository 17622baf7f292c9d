//! A register's past sessions, newest first, for its store's manager and head office: who
//! opened and closed each one, when, and its totals, so that any Z report can be found again
//! and reprinted (`z_report_for` reads one).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgPool};

use super::get_register;
use crate::page::{Page, PageRequest};
use crate::{Actor, Result};

/// One session of a register as the history lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct SessionSummary {
    pub id: i64,
    pub opened_by_name: String,
    pub opened_at: DateTime<Utc>,
    pub closed_by_name: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub sales_count: i64,
    /// Sales of the session, taxes included.
    pub sales_total: Decimal,
    pub counted_cash: Option<Decimal>,
    pub cash_difference: Option<Decimal>,
}

/// The sessions of a register, newest first. Another store's register is "not found"; the
/// store's cashiers are refused (each reads the report of the sessions they opened).
pub async fn register_sessions(
    db: &PgPool,
    actor: &Actor,
    register_id: i64,
    page: PageRequest,
) -> Result<Page<SessionSummary>> {
    let register = get_register(db, actor, register_id).await?;
    actor.ensure_manager_of(register.store_id)?;
    let total: i64 =
        sqlx::query_scalar("SELECT count(*) FROM register_sessions WHERE register_id = $1")
            .bind(register_id)
            .fetch_one(db)
            .await?;
    let items = sqlx::query_as(
        "SELECT rs.id, o.full_name AS opened_by_name, rs.opened_at,
                c.full_name AS closed_by_name, rs.closed_at,
                s.sales_count, s.sales_total, rs.counted_cash, rs.cash_difference
         FROM register_sessions rs
         JOIN employees o ON o.id = rs.opened_by
         LEFT JOIN employees c ON c.id = rs.closed_by
         CROSS JOIN LATERAL (
             SELECT count(*) AS sales_count, COALESCE(sum(total), 0) AS sales_total
             FROM sales WHERE session_id = rs.id) s
         WHERE rs.register_id = $1
         ORDER BY rs.opened_at DESC, rs.id DESC
         LIMIT $2 OFFSET $3",
    )
    .bind(register_id)
    .bind(page.limit())
    .bind(page.offset())
    .fetch_all(db)
    .await?;
    Ok(Page::new(items, total, page))
}

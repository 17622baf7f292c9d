//! The dashboard's live figures: for each store, today's sales (in the store's time zone), open
//! registers and stock alerts. Store staff see their store; head office sees every store.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgPool};

use crate::{Actor, Result};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct StoreToday {
    pub store_id: i64,
    pub name: String,
    pub address: String,
    /// Today in the store's time zone.
    pub day: NaiveDate,
    pub sales: i64,
    /// Before tax.
    pub revenue: Decimal,
    pub open_registers: i64,
    pub registers: i64,
    pub stock_alerts: i64,
}

/// Today's figures of the stores this actor may see, in store order.
pub async fn stores_today(db: &PgPool, actor: &Actor) -> Result<Vec<StoreToday>> {
    let only: Option<i64> = match actor {
        Actor::Employee { store_id, .. } if !actor.is_head_office() => {
            let id = store_id.ok_or_else(|| {
                crate::Error::Forbidden("Aucun magasin ne vous est attribué.".into())
            })?;
            actor.ensure_store(id)?;
            Some(id)
        }
        _ => None,
    };
    Ok(sqlx::query_as(
        "SELECT st.id AS store_id, st.name, st.address,
                (now() AT TIME ZONE st.time_zone)::DATE AS day,
                t.sales, t.revenue,
                (SELECT count(*) FROM register_sessions rs JOIN registers r ON r.id = rs.register_id
                 WHERE r.store_id = st.id AND rs.closed_at IS NULL) AS open_registers,
                (SELECT count(*) FROM registers r WHERE r.store_id = st.id) AS registers,
                (SELECT count(*) FROM store_stock k
                 WHERE k.store_id = st.id AND k.quantity <= k.alert_threshold) AS stock_alerts
         FROM stores st
         CROSS JOIN LATERAL (
             -- the day's pre-aggregates (one row per register), kept exact by the sales' triggers
             SELECT COALESCE(sum(d.sales), 0)::BIGINT AS sales,
                    COALESCE(sum(d.subtotal), 0) AS revenue
             FROM daily_sales d
             WHERE d.store_id = st.id
               AND d.day = (now() AT TIME ZONE st.time_zone)::DATE) t
         WHERE $1::BIGINT IS NULL OR st.id = $1
         ORDER BY st.id",
    )
    .bind(only)
    .fetch_all(db)
    .await?)
}

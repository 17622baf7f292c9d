//! Sales figures of a period: the KPIs, and the performance report that breaks them down per
//! store, per register, per day and per product.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgConnection, PgPool};

use super::top::{ProductSales, TopMethod, check_top, query_top};
use super::{DAILY_CTES, ReportScope, authorize, snapshot};
use crate::{Actor, Result};

/// The headline figures of a period. Amounts are before tax unless named otherwise.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct Kpis {
    /// Revenue before tax: the sum of the sales' subtotals.
    pub revenue: Decimal,
    pub tps: Decimal,
    pub tvq: Decimal,
    /// TPS + TVQ.
    pub taxes: Decimal,
    /// What customers paid, taxes included.
    pub total: Decimal,
    pub sales: i64,
    /// Revenue per sale, rounded to the cent; 0 without sales.
    pub average_ticket: Decimal,
    pub units: i64,
    /// Returns made during the period (whenever the sale was).
    pub returns: i64,
    /// Value before tax of the goods returned during the period.
    pub returned_subtotal: Decimal,
    /// What those returns paid back, taxes included.
    pub refunded: Decimal,
    /// Revenue minus the returned value before tax.
    pub net_revenue: Decimal,
    /// Stock rows at or under their alert threshold right now, in the stores of the scope.
    pub stock_alerts: i64,
}

/// The KPIs of a period for one store (its manager or head office) or the network (head office).
pub async fn kpis(db: &PgPool, actor: &Actor, scope: &ReportScope) -> Result<Kpis> {
    scope.period.validate()?;
    let mut tx = snapshot(db).await?;
    let stores = authorize(&mut tx, actor, scope.store_id.as_slice()).await?;
    let kpis = query_kpis(&mut tx, scope, &stores).await?;
    tx.commit().await?;
    Ok(kpis)
}

async fn query_kpis(
    conn: &mut PgConnection,
    scope: &ReportScope,
    stores: &Option<Vec<i64>>,
) -> Result<Kpis> {
    Ok(sqlx::query_as(&format!(
        "WITH {DAILY_CTES},
         s AS (SELECT COALESCE(sum(sales), 0)::BIGINT AS sales,
                      COALESCE(sum(subtotal), 0) AS revenue,
                      COALESCE(sum(tps), 0) AS tps, COALESCE(sum(tvq), 0) AS tvq,
                      COALESCE(sum(total), 0) AS total, COALESCE(sum(units), 0) AS units
               FROM day_sales),
         r AS (SELECT COALESCE(sum(returns), 0)::BIGINT AS returns,
                      COALESCE(sum(subtotal), 0) AS returned,
                      COALESCE(sum(refunded), 0) AS refunded
               FROM day_returns),
         a AS (SELECT count(*) AS alerts FROM store_stock k JOIN scope_stores ss ON ss.id = k.store_id
               WHERE k.quantity <= k.alert_threshold)
         SELECT round(s.revenue, 2) AS revenue, round(s.tps, 2) AS tps, round(s.tvq, 2) AS tvq,
                round(s.tps + s.tvq, 2) AS taxes, round(s.total, 2) AS total, s.sales,
                COALESCE(round(s.revenue / NULLIF(s.sales, 0), 2), 0) AS average_ticket,
                s.units::BIGINT AS units, r.returns, round(r.returned, 2) AS returned_subtotal,
                round(r.refunded, 2) AS refunded, round(s.revenue - r.returned, 2) AS net_revenue,
                a.alerts AS stock_alerts
         FROM s, r, a"
    ))
    .bind(scope.period.from)
    .bind(scope.period.to)
    .bind(stores)
    .fetch_one(&mut *conn)
    .await?)
}

/// One store's line in the performance table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct StoreSales {
    pub store_id: i64,
    pub name: String,
    pub sales: i64,
    pub revenue: Decimal,
    pub total: Decimal,
    pub units: i64,
    pub average_ticket: Decimal,
    /// Refunds (taxes included) of the returns taken in this store during the period.
    pub refunded: Decimal,
    /// Part of the scope's revenue, 0..=1.
    pub share: f64,
}

/// One register's line; the row without a register gathers the external channels' sales, so
/// the lines add up to the store's total.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct RegisterSales {
    pub register_id: Option<i64>,
    pub number: Option<i32>,
    pub name: String,
    pub sales: i64,
    pub revenue: Decimal,
    pub total: Decimal,
    pub units: i64,
    pub average_ticket: Decimal,
}

/// One day of the trend; days without sales are present with zeros so a chart has no gaps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct DaySales {
    pub day: NaiveDate,
    pub sales: i64,
    pub revenue: Decimal,
    pub total: Decimal,
    pub units: i64,
}

/// The performance report of a period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SalesReport {
    pub scope: ReportScope,
    pub totals: Kpis,
    /// Every store of the scope, by revenue; stores without sales last, then by name.
    pub stores: Vec<StoreSales>,
    /// For a one-store report: every register by number (idle ones too). Empty for the network.
    pub registers: Vec<RegisterSales>,
    /// Every day of the period, in order.
    pub days: Vec<DaySales>,
    /// By units sold; products without sales only after every product with sales.
    pub top_by_units: Vec<ProductSales>,
    /// By revenue, with the same rule.
    pub top_by_revenue: Vec<ProductSales>,
}

/// The performance report: totals, per store, per register (one store), per day, top products
/// (`top` of each list, [`DEFAULT_TOP`] when `None`, at most [`MAX_TOP`]).
pub async fn sales_report(
    db: &PgPool,
    actor: &Actor,
    scope: &ReportScope,
    top: Option<u32>,
) -> Result<SalesReport> {
    scope.period.validate()?;
    let top = check_top(top)?;
    let mut tx = snapshot(db).await?;
    let stores = authorize(&mut tx, actor, scope.store_id.as_slice()).await?;
    let totals = query_kpis(&mut tx, scope, &stores).await?;
    let per_store = query_stores(&mut tx, scope, &stores).await?;
    let registers = match scope.store_id {
        Some(_) => query_registers(&mut tx, scope, &stores).await?,
        None => Vec::new(),
    };
    let days = query_days(&mut tx, scope, &stores).await?;
    let top = query_top(&mut tx, scope, &stores, top, TopMethod::Auto).await?;
    tx.commit().await?;
    Ok(SalesReport {
        scope: *scope,
        totals,
        stores: per_store,
        registers,
        days,
        top_by_units: top.by_units,
        top_by_revenue: top.by_revenue,
    })
}

async fn query_stores(
    conn: &mut PgConnection,
    scope: &ReportScope,
    stores: &Option<Vec<i64>>,
) -> Result<Vec<StoreSales>> {
    Ok(sqlx::query_as(&format!(
        "WITH {DAILY_CTES},
         s AS (SELECT store_id, sum(sales)::BIGINT AS sales, sum(subtotal) AS revenue,
                      sum(total) AS total, sum(units) AS units
               FROM day_sales GROUP BY store_id HAVING sum(sales) > 0),
         r AS (SELECT store_id, sum(refunded) AS refunded FROM day_returns
               GROUP BY store_id HAVING sum(returns) > 0)
         SELECT ss.id AS store_id, ss.name, COALESCE(s.sales, 0) AS sales,
                round(COALESCE(s.revenue, 0), 2) AS revenue,
                round(COALESCE(s.total, 0), 2) AS total,
                COALESCE(s.units, 0)::BIGINT AS units,
                COALESCE(round(s.revenue / NULLIF(s.sales, 0), 2), 0) AS average_ticket,
                round(COALESCE(r.refunded, 0), 2) AS refunded,
                COALESCE(s.revenue / NULLIF(sum(s.revenue) OVER (), 0), 0)::FLOAT8 AS share
         FROM scope_stores ss
         LEFT JOIN s ON s.store_id = ss.id
         LEFT JOIN r ON r.store_id = ss.id
         ORDER BY s.sales IS NULL, COALESCE(s.revenue, 0) DESC, ss.name, ss.id"
    ))
    .bind(scope.period.from)
    .bind(scope.period.to)
    .bind(stores)
    .fetch_all(&mut *conn)
    .await?)
}

async fn query_registers(
    conn: &mut PgConnection,
    scope: &ReportScope,
    stores: &Option<Vec<i64>>,
) -> Result<Vec<RegisterSales>> {
    Ok(sqlx::query_as(&format!(
        "WITH {DAILY_CTES},
         s AS (SELECT register_id, sum(sales)::BIGINT AS sales, sum(subtotal) AS revenue,
                      sum(total) AS total, sum(units) AS units
               FROM day_sales GROUP BY register_id HAVING sum(sales) > 0)
         SELECT r.id AS register_id, r.number, r.name, COALESCE(s.sales, 0) AS sales,
                round(COALESCE(s.revenue, 0), 2) AS revenue,
                round(COALESCE(s.total, 0), 2) AS total,
                COALESCE(s.units, 0)::BIGINT AS units,
                COALESCE(round(s.revenue / NULLIF(s.sales, 0), 2), 0) AS average_ticket
         FROM registers r JOIN scope_stores ss ON ss.id = r.store_id
         LEFT JOIN s ON s.register_id = r.id
         UNION ALL
         SELECT NULL, NULL, 'Canal externe', s.sales, round(s.revenue, 2), round(s.total, 2),
                s.units::BIGINT, round(s.revenue / NULLIF(s.sales, 0), 2)
         FROM s WHERE s.register_id IS NULL
         ORDER BY number NULLS LAST, register_id"
    ))
    .bind(scope.period.from)
    .bind(scope.period.to)
    .bind(stores)
    .fetch_all(&mut *conn)
    .await?)
}

async fn query_days(
    conn: &mut PgConnection,
    scope: &ReportScope,
    stores: &Option<Vec<i64>>,
) -> Result<Vec<DaySales>> {
    Ok(sqlx::query_as(&format!(
        "WITH {DAILY_CTES},
         s AS (SELECT day, sum(sales)::BIGINT AS sales, sum(subtotal) AS revenue,
                      sum(total) AS total, sum(units) AS units
               FROM day_sales GROUP BY day HAVING sum(sales) > 0)
         SELECT d.day::DATE AS day, COALESCE(s.sales, 0) AS sales,
                round(COALESCE(s.revenue, 0), 2) AS revenue,
                round(COALESCE(s.total, 0), 2) AS total,
                COALESCE(s.units, 0)::BIGINT AS units
         FROM generate_series($1::DATE::TIMESTAMP, $2::DATE::TIMESTAMP, INTERVAL '1 day') AS d(day)
         LEFT JOIN s ON s.day = d.day::DATE
         ORDER BY d.day"
    ))
    .bind(scope.period.from)
    .bind(scope.period.to)
    .bind(stores)
    .fetch_all(&mut *conn)
    .await?)
}

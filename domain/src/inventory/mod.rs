//! Stock in the stores and in the warehouse, the movement journal that explains every change,
//! stock alerts and days of cover. Every stock change in the platform goes through
//! [`change_stock`], which refuses to go below zero and writes the movement row, except a sale's
//! decrements: the checkout writes them with the sale in one statement, under the same rules
//! (`domain/src/sales/sell.rs`), and names there what a refused cart lacks.

mod replenishment;

pub use replenishment::*;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgConnection, PgPool, Postgres, QueryBuilder};

use crate::catalog::escape_like;
use crate::{Actor, Error, Page, PageRequest, Result};

/// Where stock is held.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Location {
    Store(i64),
    Warehouse,
}

/// Why stock changed, with the record that caused it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MovementReason {
    Return(i64),
    ReplenishmentOut(i64),
    ReplenishmentIn(i64),
    Adjustment,
    Initial,
}

impl MovementReason {
    /// The reason, the return and the replenishment request it refers to.
    fn parts(self) -> (&'static str, Option<i64>, Option<i64>) {
        match self {
            MovementReason::Return(id) => ("return", Some(id), None),
            MovementReason::ReplenishmentOut(id) => ("replenishment_out", None, Some(id)),
            MovementReason::ReplenishmentIn(id) => ("replenishment_in", None, Some(id)),
            MovementReason::Adjustment => ("adjustment", None, None),
            MovementReason::Initial => ("initial", None, None),
        }
    }
}

pub(crate) struct StockChange<'a> {
    pub location: Location,
    pub product_id: i64,
    pub delta: i32,
    pub reason: MovementReason,
    pub actor: &'a Actor,
    pub note: &'a str,
    pub at: DateTime<Utc>,
}

/// Applies a signed change to one stock row, only if it stays at or above zero, and journals it
/// in the same statement (one round trip). Returns the new quantity; `InsufficientStock`
/// (nothing changed) when there is not enough.
pub(crate) async fn change_stock(conn: &mut PgConnection, change: &StockChange<'_>) -> Result<i32> {
    let (reason, return_id, request_id) = change.reason.parts();
    let (location, store_id, update) = match change.location {
        Location::Store(id) => (
            "store",
            Some(id),
            "UPDATE store_stock SET quantity = quantity + $4, updated_at = $11
             WHERE store_id = $2 AND product_id = $3 AND quantity + $4 >= 0
             RETURNING quantity",
        ),
        Location::Warehouse => (
            "warehouse",
            None,
            "UPDATE central_stock SET quantity = quantity + $4, updated_at = $11
             WHERE product_id = $3 AND quantity + $4 >= 0 AND $2::BIGINT IS NULL
             RETURNING quantity",
        ),
    };
    let updated: Option<i32> = sqlx::query_scalar(&format!(
        "WITH changed AS ({update}),
         journal AS (
             INSERT INTO stock_movements (location, store_id, product_id, delta, reason,
                 return_id, request_id, employee_id, api_client_id, note, created_at)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM changed)
         SELECT quantity FROM changed"
    ))
    .bind(location)
    .bind(store_id)
    .bind(change.product_id)
    .bind(change.delta)
    .bind(reason)
    .bind(return_id)
    .bind(request_id)
    .bind(change.actor.employee_id())
    .bind(change.actor.api_client_id())
    .bind(change.note)
    .bind(change.at)
    .fetch_optional(&mut *conn)
    .await?;
    match updated {
        Some(quantity) => Ok(quantity),
        None => Err(shortage(
            conn,
            change.location,
            change.product_id,
            -i64::from(change.delta),
        )
        .await),
    }
}

/// The error for a refused decrement: which product, how many were asked, how many remain.
async fn shortage(
    conn: &mut PgConnection,
    location: Location,
    product_id: i64,
    requested: i64,
) -> Error {
    let row: std::result::Result<Option<(String, String, i32)>, sqlx::Error> = match location {
        Location::Store(store_id) => {
            sqlx::query_as(
                "SELECT p.code, p.name, s.quantity FROM store_stock s
                 JOIN products p ON p.id = s.product_id WHERE s.store_id = $1 AND s.product_id = $2",
            )
            .bind(store_id)
            .bind(product_id)
            .fetch_optional(&mut *conn)
            .await
        }
        Location::Warehouse => {
            sqlx::query_as(
                "SELECT p.code, p.name, s.quantity FROM central_stock s
                 JOIN products p ON p.id = s.product_id WHERE s.product_id = $1",
            )
            .bind(product_id)
            .fetch_optional(&mut *conn)
            .await
        }
    };
    match row {
        Ok(Some((product_code, product_name, available))) => Error::InsufficientStock {
            product_id,
            product_code,
            product_name,
            requested,
            available: i64::from(available),
        },
        Ok(None) => Error::not_found("Stock du produit", product_id),
        Err(e) => e.into(),
    }
}

async fn current_quantity(
    conn: &mut PgConnection,
    location: Location,
    product_id: i64,
) -> Result<i32> {
    let quantity: Option<i32> = match location {
        Location::Store(store_id) => {
            sqlx::query_scalar(
                "SELECT quantity FROM store_stock WHERE store_id = $1 AND product_id = $2",
            )
            .bind(store_id)
            .bind(product_id)
            .fetch_optional(&mut *conn)
            .await?
        }
        Location::Warehouse => {
            sqlx::query_scalar("SELECT quantity FROM central_stock WHERE product_id = $1")
                .bind(product_id)
                .fetch_optional(&mut *conn)
                .await?
        }
    };
    quantity.ok_or_else(|| Error::not_found("Stock du produit", product_id))
}

/// Sets a stock row to a counted quantity, journaling the difference as an adjustment.
pub(crate) async fn set_quantity(
    conn: &mut PgConnection,
    location: Location,
    product_id: i64,
    target: i32,
    actor: &Actor,
    note: &str,
    at: DateTime<Utc>,
) -> Result<i32> {
    if target < 0 {
        return Err(Error::invalid(
            "quantity",
            "La quantité ne peut pas être négative.",
        ));
    }
    let current: Option<i32> = match location {
        Location::Store(store_id) => sqlx::query_scalar(
            "SELECT quantity FROM store_stock WHERE store_id = $1 AND product_id = $2 FOR UPDATE",
        )
        .bind(store_id)
        .bind(product_id)
        .fetch_optional(&mut *conn)
        .await?,
        Location::Warehouse => {
            sqlx::query_scalar(
                "SELECT quantity FROM central_stock WHERE product_id = $1 FOR UPDATE",
            )
            .bind(product_id)
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    let current = current.ok_or_else(|| Error::not_found("Stock du produit", product_id))?;
    if current == target {
        return Ok(current);
    }
    let change = StockChange {
        location,
        product_id,
        delta: target - current,
        reason: MovementReason::Adjustment,
        actor,
        note,
        at,
    };
    change_stock(conn, &change).await
}

/// Alert status of a stock row, the same rule for stores and the warehouse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StockStatus {
    Rupture,
    Bas,
    Normal,
}

impl StockStatus {
    pub fn of(quantity: i32, threshold: i32) -> Self {
        if quantity <= 0 {
            StockStatus::Rupture
        } else if quantity <= threshold {
            StockStatus::Bas
        } else {
            StockStatus::Normal
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StockStatus::Rupture => "rupture",
            StockStatus::Bas => "bas",
            StockStatus::Normal => "normal",
        }
    }
}

/// Days the stock lasts at the average daily sales of the last 30 days; `None` when nothing
/// sold (the stock does not run out).
pub fn days_of_cover(quantity: i32, units_sold_30_days: i64) -> Option<f64> {
    (units_sold_30_days > 0).then(|| f64::from(quantity) * 30.0 / units_sold_30_days as f64)
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct StockLevel {
    pub product_id: i64,
    pub code: String,
    pub name: String,
    pub category_id: i64,
    pub price: rust_decimal::Decimal,
    pub quantity: i32,
    pub alert_threshold: i32,
    pub units_sold_30_days: i64,
}

impl StockLevel {
    pub fn status(&self) -> StockStatus {
        StockStatus::of(self.quantity, self.alert_threshold)
    }

    pub fn days_of_cover(&self) -> Option<f64> {
        days_of_cover(self.quantity, self.units_sold_30_days)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockFilter {
    /// Only `rupture` and `bas`.
    pub alerts_only: bool,
    pub category_id: Option<i64>,
    pub q: Option<String>,
    /// Also compute `units_sold_30_days` (else 0): the stock screens show days of cover, the
    /// API's stock lists do not.
    pub with_pace: bool,
}

/// A store's stock (for its staff and head office) or the warehouse's (head office only),
/// alerts first (rupture, then bas), then by name.
pub async fn list_stock(
    db: &PgPool,
    actor: &Actor,
    location: Location,
    filter: &StockFilter,
    page: PageRequest,
) -> Result<Page<StockLevel>> {
    let (table, store_id) = match location {
        Location::Store(id) => {
            actor.ensure_store(id)?;
            ("store_stock", Some(id))
        }
        Location::Warehouse => {
            actor.ensure_head_office()?;
            ("central_stock", None)
        }
    };
    let push_where = |qb: &mut QueryBuilder<'_, Postgres>| {
        qb.push(" FROM ")
            .push(table)
            .push(" s JOIN products p ON p.id = s.product_id WHERE TRUE");
        if let Some(id) = store_id {
            qb.push(" AND s.store_id = ").push_bind(id);
        }
        if filter.alerts_only {
            qb.push(" AND s.quantity <= s.alert_threshold");
        }
        if let Some(c) = filter.category_id {
            qb.push(" AND p.category_id = ").push_bind(c);
        }
        if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let pattern = format!("%{}%", escape_like(q));
            qb.push(" AND (p.name ILIKE ").push_bind(pattern.clone());
            qb.push(" OR p.code ILIKE ").push_bind(pattern).push(")");
        }
    };
    // One round trip: the page with the total (a window over the filtered rows), then the
    // 30-day sales of just that page's products.
    let mut qb = QueryBuilder::new(
        "SELECT pg.product_id, pg.code, pg.name, pg.category_id, pg.price, pg.quantity,
                pg.alert_threshold, COALESCE(u.units, 0)::BIGINT AS units_sold_30_days, pg.total
         FROM (SELECT p.id AS product_id, p.code, p.name, p.category_id, p.price, s.quantity,
                      s.alert_threshold, count(*) OVER () AS total,
                      CASE WHEN s.quantity <= 0 THEN 0
                           WHEN s.quantity <= s.alert_threshold THEN 1 ELSE 2 END AS rank",
    );
    push_where(&mut qb);
    qb.push(" ORDER BY rank, p.name, p.id LIMIT ")
        .push_bind(page.limit());
    qb.push(" OFFSET ").push_bind(page.offset());
    // from the daily aggregates (a few rows per product), not the raw sale lines: the last 30
    // days of each store's calendar, today included
    qb.push(") pg LEFT JOIN LATERAL (");
    match store_id {
        _ if !filter.with_pace => qb.push("SELECT NULL::BIGINT AS units"),
        // the store's date computed once (an InitPlan), not per aggregate row
        Some(id) => qb
            .push(
                "SELECT sum(d.units) AS units FROM daily_product_sales d
                 WHERE d.product_id = pg.product_id AND d.store_id = ",
            )
            .push_bind(id)
            .push(
                " AND d.day > (SELECT (now() AT TIME ZONE st.time_zone)::DATE FROM stores st
                               WHERE st.id = ",
            )
            .push_bind(id)
            .push(") - 30"),
        None => qb.push(
            "SELECT sum(d.units) AS units FROM daily_product_sales d
             JOIN stores st ON st.id = d.store_id
             WHERE d.product_id = pg.product_id
               AND d.day > (now() AT TIME ZONE st.time_zone)::DATE - 30",
        ),
    };
    qb.push(") u ON TRUE ORDER BY pg.rank, pg.name, pg.product_id");
    let rows: Vec<Counted<StockLevel>> = qb.build_query_as().fetch_all(db).await?;
    let total = match rows.first() {
        Some(row) => row.total,
        // an empty page: a store that does not exist, or a page past the end
        None => {
            if let Some(id) = store_id {
                crate::stores::get_store(db, id).await?;
            }
            let mut count = QueryBuilder::new("SELECT count(*)");
            push_where(&mut count);
            count.build_query_scalar().fetch_one(db).await?
        }
    };
    Ok(Page::new(
        rows.into_iter().map(|r| r.item).collect(),
        total,
        page,
    ))
}

/// A row of a page with the total of the filtered rows (`count(*) OVER ()`).
#[derive(FromRow)]
struct Counted<T> {
    #[sqlx(flatten)]
    item: T,
    total: i64,
}

/// A counted quantity entered by a manager (store) or the warehouse (admin).
pub async fn adjust_stock(
    db: &PgPool,
    actor: &Actor,
    location: Location,
    product_id: i64,
    counted: i32,
    note: &str,
) -> Result<i32> {
    match location {
        Location::Store(id) => actor.ensure_manager_of(id)?,
        Location::Warehouse => actor.ensure_head_office()?,
    }
    let note = note.trim();
    if note.is_empty() {
        return Err(Error::invalid(
            "note",
            "Indiquez la raison de la correction.",
        ));
    }
    let mut tx = db.begin().await?;
    let before = current_quantity(&mut tx, location, product_id).await?;
    let quantity = set_quantity(
        &mut tx,
        location,
        product_id,
        counted,
        actor,
        note,
        Utc::now(),
    )
    .await?;
    tx.commit().await?;
    if quantity != before {
        crate::events::movement(actor, location, product_id, quantity - before, "adjustment");
    }
    Ok(quantity)
}

/// Changes the alert threshold of one stock row.
pub async fn set_alert_threshold(
    db: &PgPool,
    actor: &Actor,
    location: Location,
    product_id: i64,
    threshold: i32,
) -> Result<()> {
    if threshold < 0 {
        return Err(Error::invalid(
            "alert_threshold",
            "Le seuil ne peut pas être négatif.",
        ));
    }
    let updated = match location {
        Location::Store(id) => {
            actor.ensure_manager_of(id)?;
            sqlx::query("UPDATE store_stock SET alert_threshold = $3 WHERE store_id = $1 AND product_id = $2")
                .bind(id)
                .bind(product_id)
                .bind(threshold)
                .execute(db)
                .await?
        }
        Location::Warehouse => {
            actor.ensure_head_office()?;
            sqlx::query("UPDATE central_stock SET alert_threshold = $2 WHERE product_id = $1")
                .bind(product_id)
                .bind(threshold)
                .execute(db)
                .await?
        }
    };
    if updated.rows_affected() == 0 {
        return Err(Error::not_found("Stock du produit", product_id));
    }
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct Movement {
    pub id: i64,
    pub location: String,
    pub store_id: Option<i64>,
    pub product_id: i64,
    pub delta: i32,
    pub reason: String,
    pub sale_id: Option<i64>,
    pub return_id: Option<i64>,
    pub request_id: Option<i64>,
    pub employee_id: Option<i64>,
    pub api_client_id: Option<i64>,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

/// The journal of one stock row, newest first.
pub async fn list_movements(
    db: &PgPool,
    location: Location,
    product_id: i64,
    page: PageRequest,
) -> Result<Page<Movement>> {
    let store_id = match location {
        Location::Store(id) => Some(id),
        Location::Warehouse => None,
    };
    let total: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM stock_movements
         WHERE store_id IS NOT DISTINCT FROM $1 AND product_id = $2",
    )
    .bind(store_id)
    .bind(product_id)
    .fetch_one(db)
    .await?;
    let items = sqlx::query_as(
        "SELECT id, location, store_id, product_id, delta, reason, sale_id, return_id, request_id,
                employee_id, api_client_id, note, created_at
         FROM stock_movements WHERE store_id IS NOT DISTINCT FROM $1 AND product_id = $2
         ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4",
    )
    .bind(store_id)
    .bind(product_id)
    .bind(page.limit())
    .bind(page.offset())
    .fetch_all(db)
    .await?;
    Ok(Page::new(items, total, page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_follows_the_threshold() {
        assert_eq!(StockStatus::of(0, 10), StockStatus::Rupture);
        assert_eq!(StockStatus::of(10, 10), StockStatus::Bas);
        assert_eq!(StockStatus::of(11, 10), StockStatus::Normal);
    }

    #[test]
    fn cover_is_quantity_over_daily_average() {
        assert_eq!(days_of_cover(30, 60), Some(15.0));
        assert_eq!(days_of_cover(30, 0), None);
    }
}

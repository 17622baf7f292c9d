//! Stock analysis: levels, alert statuses, stock value, and days of cover at the pace of the last
//! 30 days, with the products about to run out.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgConnection, PgPool};

use super::{authorize, snapshot};
use crate::inventory::{StockStatus, days_of_cover};
use crate::{Actor, PageRequest, Result};

/// Days of cover under which a product is listed as about to run out.
pub const RUN_OUT_DAYS: f64 = 14.0;

/// Days of sales that set the pace for days of cover (the same window as the stock pages).
pub const PACE_DAYS: i32 = 30;

/// Products about to run out listed by a paginated report: the soonest ones.
pub const MAX_RUN_OUT: i64 = 100;

/// One product's stock in the scope: a store's row, or for the network the sum over the stores
/// (the warehouse is reported beside it, because its stock is not yet on any shelf).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductStock {
    pub product_id: i64,
    pub code: String,
    pub name: String,
    pub category: String,
    pub price: Decimal,
    pub active: bool,
    pub quantity: i64,
    /// For the network, the sum of the stores' thresholds.
    pub alert_threshold: i64,
    pub status: StockStatus,
    /// Quantity at today's price.
    pub stock_value: Decimal,
    pub units_sold_30_days: i64,
    pub average_daily_units: f64,
    /// `None` when nothing sold in 30 days: at that pace the stock never runs out.
    pub days_of_cover: Option<f64>,
    /// Network report only.
    pub warehouse_quantity: Option<i32>,
    pub warehouse_threshold: Option<i32>,
    pub warehouse_status: Option<StockStatus>,
}

/// How many stock rows are in each status. For the network a row is one product in one store,
/// so `rupture + bas` is the KPIs' `stock_alerts`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, FromRow)]
pub struct StatusCounts {
    pub rupture: i64,
    pub bas: i64,
    pub normal: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarehouseSummary {
    pub counts: StatusCounts,
    pub stock_value: Decimal,
}

/// A product that runs out within [`RUN_OUT_DAYS`] in a store at its recent pace. Listed per
/// store even in the network report: stock cannot move between stores, so a network total
/// would hide the store whose shelf empties.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct RunOut {
    pub store_id: i64,
    pub store_name: String,
    pub product_id: i64,
    pub code: String,
    pub name: String,
    pub quantity: i32,
    pub alert_threshold: i32,
    pub units_sold_30_days: i64,
    pub average_daily_units: f64,
    pub days_of_cover: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InventoryReport {
    pub store_id: Option<i64>,
    /// The instant the 30-day pace ends at.
    pub as_of: DateTime<Utc>,
    /// Alerts first (rupture, then bas), then by name; one page of them when paginated.
    pub products: Vec<ProductStock>,
    /// Products in all (more than `products` holds when paginated).
    pub products_total: i64,
    pub counts: StatusCounts,
    /// Value of the stores' stock in the scope.
    pub stock_value: Decimal,
    /// Network report only.
    pub warehouse: Option<WarehouseSummary>,
    /// Soonest first; the first [`MAX_RUN_OUT`] when paginated.
    pub running_out: Vec<RunOut>,
}

/// The stock report of one store (its manager or head office) or of the network (head office),
/// with every product (the report screen).
pub async fn inventory_report(
    db: &PgPool,
    actor: &Actor,
    store_id: Option<i64>,
) -> Result<InventoryReport> {
    report(db, actor, store_id, None).await
}

/// The stock report with one page of its products and the [`MAX_RUN_OUT`] products that run
/// out soonest (the API: a catalogue of any size answers in bounded time and size). Counts and
/// stock value cover every product.
pub async fn inventory_page(
    db: &PgPool,
    actor: &Actor,
    store_id: Option<i64>,
    page: PageRequest,
) -> Result<InventoryReport> {
    report(db, actor, store_id, Some(page)).await
}

async fn report(
    db: &PgPool,
    actor: &Actor,
    store_id: Option<i64>,
    page: Option<PageRequest>,
) -> Result<InventoryReport> {
    let mut tx = snapshot(db).await?;
    let stores = authorize(&mut tx, actor, store_id.as_slice()).await?;
    let as_of = Utc::now();
    let (products, products_total) = query_products(&mut tx, &stores, as_of, page).await?;
    let (counts, stock_value) = query_counts(&mut tx, &stores).await?;
    let warehouse = match stores {
        None => Some(query_warehouse(&mut tx).await?),
        Some(_) => None,
    };
    let running_out_limit = page.map(|_| MAX_RUN_OUT);
    let running_out = query_running_out(&mut tx, &stores, as_of, running_out_limit).await?;
    tx.commit().await?;
    Ok(InventoryReport {
        store_id,
        as_of,
        products,
        products_total,
        counts,
        stock_value,
        warehouse,
        running_out,
    })
}

#[derive(FromRow)]
struct ProductRow {
    product_id: i64,
    code: String,
    name: String,
    category: String,
    price: Decimal,
    active: bool,
    quantity: i64,
    alert_threshold: i64,
    stock_value: Decimal,
    units_sold_30_days: i64,
    warehouse_quantity: Option<i32>,
    warehouse_threshold: Option<i32>,
    /// Products in all, before the page.
    total: i64,
}

/// A network sum fits an `i32` in practice; saturating keeps the status right if it did not.
fn saturate(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(if n < 0 { i32::MIN } else { i32::MAX })
}

impl From<ProductRow> for ProductStock {
    fn from(r: ProductRow) -> Self {
        let (quantity, threshold) = (saturate(r.quantity), saturate(r.alert_threshold));
        Self {
            status: StockStatus::of(quantity, threshold),
            average_daily_units: r.units_sold_30_days as f64 / f64::from(PACE_DAYS),
            days_of_cover: days_of_cover(quantity, r.units_sold_30_days),
            warehouse_status: r
                .warehouse_quantity
                .zip(r.warehouse_threshold)
                .map(|(q, t)| StockStatus::of(q, t)),
            product_id: r.product_id,
            code: r.code,
            name: r.name,
            category: r.category,
            price: r.price,
            active: r.active,
            quantity: r.quantity,
            alert_threshold: r.alert_threshold,
            stock_value: r.stock_value,
            units_sold_30_days: r.units_sold_30_days,
            warehouse_quantity: r.warehouse_quantity,
            warehouse_threshold: r.warehouse_threshold,
        }
    }
}

/// Binds `$1` (store ids, `NULL` for every store), `$2` (the end of the pace window) and `$3`
/// ([`PACE_DAYS`]).
const STOCK_CTES: &str = "scope_stores AS (
        SELECT id, name FROM stores WHERE $1::BIGINT[] IS NULL OR id = ANY($1::BIGINT[])),
    sold AS (
        SELECT sa.store_id, l.product_id, sum(l.quantity) AS units
        FROM scope_stores ss
        JOIN sales sa ON sa.store_id = ss.id
                     AND sa.sold_at > $2 - make_interval(days => $3::INT)
                     AND sa.sold_at <= $2
        JOIN sale_lines l ON l.sale_id = sa.id
        GROUP BY sa.store_id, l.product_id)";

/// The products in report order, one page of them (`None`: all), and how many there are.
async fn query_products(
    conn: &mut PgConnection,
    stores: &Option<Vec<i64>>,
    as_of: DateTime<Utc>,
    page: Option<PageRequest>,
) -> Result<(Vec<ProductStock>, i64)> {
    let rows: Vec<ProductRow> = sqlx::query_as(&format!(
        "WITH {STOCK_CTES},
         stock AS (SELECT k.product_id, sum(k.quantity) AS quantity,
                          sum(k.alert_threshold) AS alert_threshold
                   FROM store_stock k JOIN scope_stores ss ON ss.id = k.store_id
                   GROUP BY k.product_id),
         pace AS (SELECT product_id, sum(units) AS units FROM sold GROUP BY product_id)
         SELECT p.id AS product_id, p.code, p.name, c.name AS category, p.price, p.active,
                COALESCE(k.quantity, 0)::BIGINT AS quantity,
                COALESCE(k.alert_threshold, 0)::BIGINT AS alert_threshold,
                round(COALESCE(k.quantity, 0) * p.price, 2) AS stock_value,
                COALESCE(pace.units, 0)::BIGINT AS units_sold_30_days,
                cs.quantity AS warehouse_quantity, cs.alert_threshold AS warehouse_threshold,
                count(*) OVER () AS total
         FROM products p JOIN categories c ON c.id = p.category_id
         LEFT JOIN stock k ON k.product_id = p.id
         LEFT JOIN pace ON pace.product_id = p.id
         LEFT JOIN central_stock cs ON cs.product_id = p.id AND $1::BIGINT[] IS NULL
         ORDER BY CASE WHEN COALESCE(k.quantity, 0) <= 0 THEN 0
                       WHEN k.quantity <= k.alert_threshold THEN 1 ELSE 2 END,
                  p.name, p.id
         LIMIT $4 OFFSET $5"
    ))
    .bind(stores)
    .bind(as_of)
    .bind(PACE_DAYS)
    .bind(page.map(|p| p.limit()))
    .bind(page.map_or(0, |p| p.offset()))
    .fetch_all(&mut *conn)
    .await?;
    let total = match rows.first() {
        Some(row) => row.total,
        // past the last page: the count alone
        None if page.is_some_and(|p| p.page > 1) => {
            sqlx::query_scalar("SELECT count(*) FROM products")
                .fetch_one(&mut *conn)
                .await?
        }
        None => 0,
    };
    Ok((rows.into_iter().map(ProductStock::from).collect(), total))
}

#[derive(FromRow)]
struct CountsRow {
    #[sqlx(flatten)]
    counts: StatusCounts,
    stock_value: Decimal,
}

/// The status rule of `StockStatus::of`, counted by the database over every row of the scope.
const COUNT_COLUMNS: &str = "count(*) FILTER (WHERE k.quantity <= 0) AS rupture,
        count(*) FILTER (WHERE k.quantity > 0 AND k.quantity <= k.alert_threshold) AS bas,
        count(*) FILTER (WHERE k.quantity > k.alert_threshold) AS normal,
        round(COALESCE(sum(k.quantity * p.price), 0), 2) AS stock_value";

async fn query_counts(
    conn: &mut PgConnection,
    stores: &Option<Vec<i64>>,
) -> Result<(StatusCounts, Decimal)> {
    let row: CountsRow = sqlx::query_as(&format!(
        "SELECT {COUNT_COLUMNS}
         FROM store_stock k JOIN products p ON p.id = k.product_id
         WHERE $1::BIGINT[] IS NULL OR k.store_id = ANY($1::BIGINT[])"
    ))
    .bind(stores)
    .fetch_one(&mut *conn)
    .await?;
    Ok((row.counts, row.stock_value))
}

async fn query_warehouse(conn: &mut PgConnection) -> Result<WarehouseSummary> {
    let row: CountsRow = sqlx::query_as(&format!(
        "SELECT {COUNT_COLUMNS} FROM central_stock k JOIN products p ON p.id = k.product_id"
    ))
    .fetch_one(&mut *conn)
    .await?;
    Ok(WarehouseSummary {
        counts: row.counts,
        stock_value: row.stock_value,
    })
}

/// Cover is computed as `days_of_cover` does (quantity × 30 / units, in `f64`), so the list and
/// the product lines agree to the last bit.
async fn query_running_out(
    conn: &mut PgConnection,
    stores: &Option<Vec<i64>>,
    as_of: DateTime<Utc>,
    limit: Option<i64>,
) -> Result<Vec<RunOut>> {
    Ok(sqlx::query_as(&format!(
        "WITH {STOCK_CTES},
         cover AS (
             SELECT ss.id AS store_id, ss.name AS store_name, p.id AS product_id, p.code, p.name,
                    k.quantity, k.alert_threshold, sold.units::BIGINT AS units_sold_30_days,
                    sold.units::FLOAT8 / $3::INT AS average_daily_units,
                    k.quantity::FLOAT8 * $3::INT / sold.units::FLOAT8 AS days_of_cover
             FROM sold
             JOIN scope_stores ss ON ss.id = sold.store_id
             JOIN store_stock k ON k.store_id = sold.store_id AND k.product_id = sold.product_id
             JOIN products p ON p.id = sold.product_id
             WHERE p.active AND sold.units > 0)
         SELECT * FROM cover WHERE days_of_cover < $4
         ORDER BY days_of_cover, name, product_id, store_name, store_id
         LIMIT $5"
    ))
    .bind(stores)
    .bind(as_of)
    .bind(PACE_DAYS)
    .bind(RUN_OUT_DAYS)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?)
}

//! The demo data set of SPEC section 1, produced deterministically (fixed random seed) through
//! the same operations the tills and the warehouse use, so stock, movements, sessions and totals
//! agree exactly: 5 stores with 3 registers, 4 categories, 13 products, 90 days of sales,
//! returns and replenishment, requests in every status, and the demo employees.
//!
//! Outside the business core on purpose: `domain` has no seed data. Everything is written
//! through `domain`'s public API (the stores, staff and catalogue as an administrator would
//! create them, the past days through `domain::backfill`, the live operations at a given
//! instant). The few reads that decide what the story does next (what runs low, what a
//! customer brings back) are plain SQL in `history`: seed policy, used by no business path.
//!
//! `stores` holds the stores and their staff, `catalogue` the categories and products,
//! `history` the 90 days (`history/days.rs` the tills, `history/warehouse.rs` replenishment).

mod catalogue;
mod history;
mod selling;
mod stores;

pub use catalogue::{CATEGORIES, PRODUCTS};
pub use stores::STORES;

use chrono::{DateTime, Utc};
use domain::{Error, Result, Rules};
use serde::Serialize;
use sqlx::PgPool;

/// Password of every demo account.
pub const DEMO_PASSWORD: &str = "demo";
/// Days of history.
pub const HISTORY_DAYS: i64 = 90;

/// What was loaded, for the `server seed` summary.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DemoReport {
    pub stores: usize,
    pub products: usize,
    pub employees: usize,
    pub sales: usize,
    pub returns: usize,
    pub requests: usize,
}

/// True when the database holds no store, product or employee yet.
pub async fn is_empty(db: &PgPool) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT NOT EXISTS (SELECT 1 FROM stores) AND NOT EXISTS (SELECT 1 FROM products)
            AND NOT EXISTS (SELECT 1 FROM employees)",
    )
    .fetch_one(db)
    .await?)
}

/// Fills an empty database with the demo set. Refuses (`Conflict`) when data already exists.
pub async fn seed_demo(db: &PgPool, rules: &Rules) -> Result<DemoReport> {
    seed_demo_at(db, rules, Utc::now()).await
}

/// The demo set as of `now`: the same `now` always gives the same data.
pub async fn seed_demo_at(db: &PgPool, rules: &Rules, now: DateTime<Utc>) -> Result<DemoReport> {
    if !is_empty(db).await? {
        return Err(Error::Conflict(
            "La base contient déjà des données : démo non chargée.".into(),
        ));
    }
    let mut conn = db.acquire().await?;
    // Demo data can be regenerated: no need to wait for each commit to reach the disk.
    sqlx::query("SET synchronous_commit TO off")
        .execute(&mut *conn)
        .await?;
    // The order of creation fixes every id: categories, each store with its manager and
    // cashier, the administrator, then the products.
    let category_ids = catalogue::create_categories(db).await?;
    let stores = stores::create_stores_and_staff(db).await?;
    let admin = stores::create_admin(db).await?;
    let products = catalogue::create_products(db, &category_ids).await?;
    let report = DemoReport {
        stores: STORES.len(),
        products: PRODUCTS.len(),
        employees: 2 * STORES.len() + 1,
        ..Default::default()
    };
    let product_ids: Vec<i64> = products.iter().map(|(id, _)| *id).collect();
    let report = history::write(&mut conn, *rules, now, admin, stores, products, report).await?;
    // after the history, so that its ids stay what they were
    selling::create(db, &admin, &product_ids, now).await?;
    Ok(report)
}

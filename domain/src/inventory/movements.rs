//! Reading the movement journal of one stock row.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgPool};

use super::Location;
use crate::{Page, PageRequest, Result};

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

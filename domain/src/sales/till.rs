//! What the till shows before a sale is recorded: products found as the cashier types (with the
//! store's stock), and the cart priced with the same prices and tax rules as
//! [`record_sale`](super::record_sale), so the total on screen is the total charged.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgPool};

use super::cart::{CartLine, merge_lines};
use crate::catalog::escape_like;
use crate::money::{TaxRates, Totals};
use crate::{Actor, Result};

/// A product as the till lists it: price, tax flag and what the store has on its shelves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct TillProduct {
    pub product_id: i64,
    pub code: String,
    pub name: String,
    pub price: Decimal,
    pub taxable: bool,
    /// The store's stock (0 when the store never had it).
    pub in_stock: i32,
}

/// Active products whose code or name matches `q`, an exact code first (a barcode scan), then
/// codes that start with it, then by name.
pub async fn search_till_products(
    db: &PgPool,
    actor: &Actor,
    store_id: i64,
    q: &str,
    limit: i64,
) -> Result<Vec<TillProduct>> {
    actor.ensure_store(store_id)?;
    let q = q.trim();
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let escaped = escape_like(q);
    Ok(sqlx::query_as(
        "SELECT p.id AS product_id, p.code, p.name, p.price, p.taxable,
                COALESCE(s.quantity, 0) AS in_stock
         FROM products p
         LEFT JOIN store_stock s ON s.product_id = p.id AND s.store_id = $1
         WHERE p.active AND (p.code ILIKE $2 OR p.name ILIKE $3)
         ORDER BY (lower(p.code) = lower($4)) DESC, (p.code ILIKE $2) DESC, p.name, p.id
         LIMIT $5",
    )
    .bind(store_id)
    .bind(format!("{escaped}%"))
    .bind(format!("%{escaped}%"))
    .bind(q)
    .bind(limit.clamp(1, 50))
    .fetch_all(db)
    .await?)
}

/// One priced line of a cart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuoteLine {
    pub product: TillProduct,
    pub quantity: i32,
    pub line_total: Decimal,
}

/// A cart priced for a store: lines in the order products were first added, quantities of the
/// same product summed, and the sale's totals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    pub lines: Vec<QuoteLine>,
    pub totals: Totals,
}

/// Prices a cart. Products that no longer exist or are no longer sold are left out (the till
/// drops them from the cart); quantities must be at least 1.
pub async fn quote_cart(
    db: &PgPool,
    actor: &Actor,
    taxes: &TaxRates,
    store_id: i64,
    lines: &[CartLine],
) -> Result<Quote> {
    actor.ensure_store(store_id)?;
    let merged = if lines.is_empty() {
        Vec::new()
    } else {
        merge_lines(lines)?
    };
    let ids: Vec<i64> = merged.iter().map(|(p, _)| *p).collect();
    let found: Vec<TillProduct> = sqlx::query_as(
        "SELECT p.id AS product_id, p.code, p.name, p.price, p.taxable,
                COALESCE(s.quantity, 0) AS in_stock
         FROM products p
         LEFT JOIN store_stock s ON s.product_id = p.id AND s.store_id = $1
         WHERE p.id = ANY($2) AND p.active",
    )
    .bind(store_id)
    .bind(&ids)
    .fetch_all(db)
    .await?;
    let lines: Vec<QuoteLine> = merged
        .into_iter()
        .filter_map(|(id, quantity)| {
            let product = found.iter().find(|p| p.product_id == id)?.clone();
            Some(QuoteLine {
                line_total: product.price * Decimal::from(quantity),
                product,
                quantity,
            })
        })
        .collect();
    let totals = taxes.totals(lines.iter().map(|l| (l.line_total, l.product.taxable)));
    Ok(Quote { lines, totals })
}

/// The store's most sold active products of the last 30 days (units sold at the till and
/// online, returns not deducted), most sold first: the till's one-tap buttons for the items a
/// cashier keys in most, barcode or not. One query over the store's recent sales (the
/// `(store_id, sold_at)` index bounds it).
pub async fn best_sellers(
    db: &PgPool,
    actor: &Actor,
    store_id: i64,
    limit: i64,
) -> Result<Vec<TillProduct>> {
    actor.ensure_store(store_id)?;
    Ok(sqlx::query_as(
        "SELECT p.id AS product_id, p.code, p.name, p.price, p.taxable,
                COALESCE(st.quantity, 0) AS in_stock
         FROM (SELECT l.product_id, sum(l.quantity) AS units
               FROM sales s JOIN sale_lines l ON l.sale_id = s.id
               WHERE s.store_id = $1 AND s.sold_at >= now() - INTERVAL '30 days'
               GROUP BY l.product_id) sold
         JOIN products p ON p.id = sold.product_id AND p.active
         LEFT JOIN store_stock st ON st.product_id = p.id AND st.store_id = $1
         ORDER BY sold.units DESC, p.name, p.id
         LIMIT $2",
    )
    .bind(store_id)
    .bind(limit.clamp(1, 50))
    .fetch_all(db)
    .await?)
}

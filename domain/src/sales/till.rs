//! What the till shows before a sale is recorded: products found as the cashier types (with the
//! store's stock), and the cart priced with the same prices and tax rules as
//! [`record_sale`](super::record_sale), so the total on screen is the total charged.

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgPool};

use super::PriceBook;
use super::cart::{CartLine, SaleOptions, merge_lines};
use super::lookup::Wanted;
use super::price::priced_cart;
use crate::catalog::escape_like;
use crate::money::Totals;
use crate::{Actor, Result};
use chrono::Utc;
use pricing::{PricedLine, Rules};

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
    /// What the line costs before tax, after its promotion and discounts.
    pub line_total: Decimal,
    /// The money order's detail: original price, promotion, discounts.
    pub priced: PricedLine,
}

/// A cart priced for a store: lines in the order products were first added, quantities of the
/// same product summed, promotions and discounts applied, and the sale's totals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    pub lines: Vec<QuoteLine>,
    pub totals: Totals,
    pub promotion_savings: Decimal,
    pub manual_discounts: Decimal,
    /// The largest manual discount in percent, which may need a manager's approval.
    pub manual_discount_rate: Decimal,
    /// Points the customer would earn.
    pub points_earned: i64,
}

/// Prices a cart as [`record_sale`](super::record_sale) would. Products that no longer exist
/// or are no longer sold are left out (the till drops them from the cart); quantities must be
/// at least 1; a discount that the rules refuse is refused naming it. What rarely changes comes
/// from the instance's price book, the store's stock of the lines from the database.
pub async fn quote_cart(
    db: &PgPool,
    book: &PriceBook,
    actor: &Actor,
    rules: &Rules,
    store_id: i64,
    lines: &[CartLine],
    options: &SaleOptions,
) -> Result<Quote> {
    actor.ensure_store(store_id)?;
    let merged = if lines.is_empty() {
        Vec::new()
    } else {
        merge_lines(lines)?
    };
    let mut conn = db.acquire().await?;
    let wanted = Wanted {
        store_id,
        lines: &merged,
        options,
        payment: None,
    };
    let looked = book.lookup(&mut conn, &wanted, Utc::now()).await?.found;
    let kept: Vec<(i64, i32)> = merged
        .iter()
        .copied()
        .filter(|(id, _)| looked.product(*id).is_ok_and(|p| p.active))
        .collect();
    let ids: Vec<i64> = kept.iter().map(|(id, _)| *id).collect();
    let stock: HashMap<i64, i32> = sqlx::query_as::<_, (i64, i32)>(
        "SELECT product_id, quantity FROM store_stock WHERE store_id = $1 AND product_id = ANY($2)",
    )
    .bind(store_id)
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    let found: Vec<TillProduct> = kept
        .iter()
        .filter_map(|(id, _)| looked.product(*id).ok())
        .map(|p| TillProduct {
            product_id: p.id,
            code: p.code.clone(),
            name: p.name.clone(),
            price: p.price,
            taxable: p.taxable,
            in_stock: stock.get(&p.id).copied().unwrap_or(0),
        })
        .collect();
    let mut options = options.clone();
    options
        .line_discounts
        .retain(|(p, _)| kept.iter().any(|(id, _)| id == p));
    let (_, cart) = priced_cart(store_id, &kept, &options, &looked, rules)?;
    let lines = cart
        .lines
        .iter()
        .filter_map(|priced| {
            let product = found.iter().find(|p| p.product_id == priced.product_id)?;
            Some(QuoteLine {
                product: product.clone(),
                quantity: priced.quantity,
                line_total: priced.total,
                priced: priced.clone(),
            })
        })
        .collect();
    Ok(Quote {
        lines,
        totals: cart.totals,
        promotion_savings: cart.promotion_savings,
        manual_discounts: cart.manual_discounts,
        manual_discount_rate: cart.manual_discount_rate,
        points_earned: match options.customer_id {
            Some(_) => pricing::points_earned(cart.totals.subtotal, rules),
            None => 0,
        },
    })
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

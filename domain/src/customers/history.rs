//! A customer's history: their loyalty and store credit movements and their sales, newest
//! first, page by page. A customer shops anywhere in the chain, so store staff see all of it.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgPool};

use super::get_customer;
use crate::{Page, PageRequest, Result};

/// One change of a balance (points or credit), with who made it and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct Movement<T> {
    pub id: i64,
    pub delta: T,
    /// `earned`, `redeemed`, `reversed`, `refunded`, `adjusted` (points); `refund`, `spent`,
    /// `refunded`, `adjusted` (credit).
    pub reason: String,
    pub sale_id: Option<i64>,
    pub return_id: Option<i64>,
    pub employee_name: Option<String>,
    pub api_client_id: Option<i64>,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

pub type LoyaltyMovement = Movement<i64>;
pub type CreditMovement = Movement<Decimal>;

impl<T> Movement<T> {
    /// The reason in French, for the pages.
    pub fn reason_label(&self) -> &'static str {
        match self.reason.as_str() {
            "earned" => "Gagnés (vente)",
            "redeemed" => "Utilisés (vente)",
            "reversed" => "Repris (retour)",
            "refunded" => "Rendus (retour)",
            "refund" => "Remboursement (retour)",
            "spent" => "Utilisé (vente)",
            "adjusted" => "Ajustement",
            _ => "Autre",
        }
    }
}

async fn movements<T>(
    db: &PgPool,
    table: &'static str,
    customer_id: i64,
    page: PageRequest,
) -> Result<Page<Movement<T>>>
where
    T: Send + Unpin + for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    get_customer(db, customer_id).await?;
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT count(*) FROM {table} WHERE customer_id = $1"
    ))
    .bind(customer_id)
    .fetch_one(db)
    .await?;
    let items = sqlx::query_as(&format!(
        "SELECT m.id, m.delta, m.reason, m.sale_id, m.return_id, e.full_name AS employee_name,
                m.api_client_id, m.note, m.created_at
         FROM {table} m LEFT JOIN employees e ON e.id = m.employee_id
         WHERE m.customer_id = $1
         ORDER BY m.created_at DESC, m.id DESC LIMIT $2 OFFSET $3"
    ))
    .bind(customer_id)
    .bind(page.limit())
    .bind(page.offset())
    .fetch_all(db)
    .await?;
    Ok(Page::new(items, total, page))
}

/// The customer's points movements, newest first.
pub async fn loyalty_movements(
    db: &PgPool,
    customer_id: i64,
    page: PageRequest,
) -> Result<Page<LoyaltyMovement>> {
    movements(db, "loyalty_movements", customer_id, page).await
}

/// The customer's store credit movements, newest first.
pub async fn credit_movements(
    db: &PgPool,
    customer_id: i64,
    page: PageRequest,
) -> Result<Page<CreditMovement>> {
    movements(db, "store_credit_movements", customer_id, page).await
}

/// One sale of a customer's history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct CustomerSale {
    pub id: i64,
    pub store_id: i64,
    pub store_name: String,
    pub sold_at: DateTime<Utc>,
    pub total: Decimal,
    /// The main tender (`especes`, `carte`, `carte_cadeau`, `credit`, `points`).
    pub payment_method: String,
    pub points_earned: i64,
    /// Units bought.
    pub items: i64,
}

/// The customer's sales in every store (or in `stores` only), newest first.
pub async fn customer_sales(
    db: &PgPool,
    customer_id: i64,
    stores: Option<&[i64]>,
    page: PageRequest,
) -> Result<Page<CustomerSale>> {
    get_customer(db, customer_id).await?;
    let total: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sales
         WHERE customer_id = $1 AND ($2::BIGINT[] IS NULL OR store_id = ANY($2))",
    )
    .bind(customer_id)
    .bind(stores)
    .fetch_one(db)
    .await?;
    let items = sqlx::query_as(
        "SELECT sa.id, sa.store_id, st.name AS store_name, sa.sold_at, sa.total,
                sa.payment_method, sa.points_earned,
                (SELECT COALESCE(sum(quantity), 0) FROM sale_lines WHERE sale_id = sa.id)::BIGINT
                    AS items
         FROM sales sa JOIN stores st ON st.id = sa.store_id
         WHERE sa.customer_id = $1 AND ($4::BIGINT[] IS NULL OR sa.store_id = ANY($4))
         ORDER BY sa.sold_at DESC, sa.id DESC LIMIT $2 OFFSET $3",
    )
    .bind(customer_id)
    .bind(page.limit())
    .bind(page.offset())
    .bind(stores)
    .fetch_all(db)
    .await?;
    Ok(Page::new(items, total, page))
}

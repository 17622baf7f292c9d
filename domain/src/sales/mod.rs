//! Sales and returns: recording a sale atomically at a till or from an external channel
//! ([`record_sale`]), reading it back as a receipt, and returning part or all of it
//! ([`create_return`]). One file per verb: `cart` (what a sale asks for and its rules),
//! `price` (locate and price a cart), `checkout` (record carts), `sell` (the write statement),
//! `returns`, `till` (what the till shows before the sale), `ids` (each channel's client sale
//! ids).

mod cart;
mod checkout;
mod ids;
mod price;
mod return_preview;
mod returns;
mod sell;
mod till;

pub use cart::*;
pub use checkout::*;
pub use ids::*;
pub use return_preview::*;
pub use returns::*;
pub use till::*;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgConnection, PgPool};

use crate::{Actor, Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PaymentMethod {
    Especes,
    Carte,
}

impl PaymentMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Especes => "especes",
            PaymentMethod::Carte => "carte",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "especes" => Some(PaymentMethod::Especes),
            "carte" => Some(PaymentMethod::Carte),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PaymentMethod::Especes => "Espèces",
            PaymentMethod::Carte => "Carte",
        }
    }
}

impl TryFrom<String> for PaymentMethod {
    type Error = String;
    fn try_from(s: String) -> std::result::Result<Self, String> {
        PaymentMethod::parse(&s).ok_or_else(|| format!("unknown payment method {s}"))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct SaleLine {
    pub id: i64,
    pub line_no: i32,
    pub product_id: i64,
    pub product_code: String,
    pub product_name: String,
    pub quantity: i32,
    pub unit_price: Decimal,
    pub taxable: bool,
    pub line_total: Decimal,
    pub returned_quantity: i32,
}

impl SaleLine {
    pub fn returnable(&self) -> i32 {
        self.quantity - self.returned_quantity
    }
}

/// A recorded sale with everything its receipt shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct Sale {
    pub id: i64,
    pub client_sale_id: String,
    pub store_id: i64,
    pub store_name: String,
    pub store_address: String,
    pub register_id: Option<i64>,
    pub register_name: Option<String>,
    pub session_id: Option<i64>,
    pub employee_id: Option<i64>,
    pub employee_name: Option<String>,
    pub api_client_id: Option<i64>,
    pub sold_at: DateTime<Utc>,
    pub subtotal: Decimal,
    pub tps: Decimal,
    pub tvq: Decimal,
    pub total: Decimal,
    #[sqlx(try_from = "String")]
    pub payment_method: PaymentMethod,
    pub amount_tendered: Option<Decimal>,
    pub change_given: Option<Decimal>,
    #[sqlx(skip)]
    pub lines: Vec<SaleLine>,
    #[sqlx(skip)]
    pub returns: Vec<Return>,
}

const SALE_SELECT: &str = "SELECT sa.id, sa.client_sale_id, sa.store_id, st.name AS store_name,
        st.address AS store_address, sa.register_id, r.name AS register_name, sa.session_id,
        sa.employee_id, e.full_name AS employee_name, sa.api_client_id, sa.sold_at, sa.subtotal,
        sa.tps, sa.tvq, sa.total, sa.payment_method, sa.amount_tendered, sa.change_given
     FROM sales sa JOIN stores st ON st.id = sa.store_id
     LEFT JOIN registers r ON r.id = sa.register_id
     LEFT JOIN employees e ON e.id = sa.employee_id";

pub(crate) async fn load_sale(conn: &mut PgConnection, id: i64) -> Result<Sale> {
    let mut sale: Sale = sqlx::query_as(&format!("{SALE_SELECT} WHERE sa.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| Error::not_found("Vente", id))?;
    sale.lines = sqlx::query_as(
        "SELECT l.id, l.line_no, l.product_id, p.code AS product_code, p.name AS product_name,
                l.quantity, l.unit_price, l.taxable, l.line_total, l.returned_quantity
         FROM sale_lines l JOIN products p ON p.id = l.product_id
         WHERE l.sale_id = $1 ORDER BY l.line_no",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    sale.returns = load_returns_of_sale(conn, id).await?;
    Ok(sale)
}

/// A sale with its lines and returns. Store staff may read their own store's sales only.
pub async fn get_sale(db: &PgPool, actor: &Actor, id: i64) -> Result<Sale> {
    let mut conn = db.acquire().await?;
    let sale = load_sale(&mut conn, id).await?;
    actor.ensure_visible(sale.store_id, "Vente", id)?;
    Ok(sale)
}

/// One line of a sales list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct SaleSummary {
    pub id: i64,
    pub store_id: i64,
    pub register_id: Option<i64>,
    pub register_name: Option<String>,
    pub employee_name: Option<String>,
    pub sold_at: DateTime<Utc>,
    pub total: Decimal,
    #[sqlx(try_from = "String")]
    pub payment_method: PaymentMethod,
    pub items: i64,
}

/// The `limit` latest sales of a store, newest first (the returns screen offers the last few).
/// Not counted: a busy store's count grows with every sale.
pub async fn recent_sales(
    db: &PgPool,
    actor: &Actor,
    store_id: i64,
    limit: i64,
) -> Result<Vec<SaleSummary>> {
    actor.ensure_store(store_id)?;
    Ok(sqlx::query_as(
        "SELECT sa.id, sa.store_id, sa.register_id, r.name AS register_name,
                e.full_name AS employee_name, sa.sold_at, sa.total, sa.payment_method,
                (SELECT COALESCE(sum(quantity), 0) FROM sale_lines WHERE sale_id = sa.id)::BIGINT
                    AS items
         FROM sales sa LEFT JOIN registers r ON r.id = sa.register_id
         LEFT JOIN employees e ON e.id = sa.employee_id
         WHERE sa.store_id = $1
         ORDER BY sa.sold_at DESC, sa.id DESC LIMIT $2",
    )
    .bind(store_id)
    .bind(limit.clamp(1, 100))
    .fetch_all(db)
    .await?)
}

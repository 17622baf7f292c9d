//! Sales and returns: recording a sale atomically at a till or from an external channel
//! ([`record_sale`]), reading it back as a receipt, and returning part or all of it
//! ([`create_return`]). One file per verb: `cart` (what a sale asks for and its rules),
//! `lookup` (what pricing reads), `price` (locate and price a cart), `checkout` (record
//! carts), `sell` (the write statement), `balances` (gift cards, points and credit a sale
//! moves), `returns`, `till` (what the till shows before the sale), `ids` (each channel's client
//! sale ids), `list` (a period's sales, whole, a page at a time for accounting).

mod balances;
mod book;
mod cart;
mod checkout;
mod ids;
mod list;
mod lookup;
mod parked;
mod price;
mod refunds;
mod return_preview;
mod returns;
mod sell;
mod till;

pub use book::PriceBook;
pub use cart::*;
pub use checkout::*;
pub use ids::*;
pub use list::*;
pub use parked::*;
pub use refunds::RefundTender;
pub use return_preview::*;
pub use returns::*;
pub use till::*;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgConnection, PgPool};

use crate::{Actor, Error, Result};

pub use pricing::{Discount, Rules, Tender, TenderKind};

/// How a sale (or one of its tenders, or a refund) is paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Especes,
    Carte,
    CarteCadeau,
    Credit,
    Points,
}

impl PaymentMethod {
    pub fn as_str(self) -> &'static str {
        TenderKind::from(self).as_str()
    }

    pub fn parse(s: &str) -> Option<Self> {
        TenderKind::parse(s).map(Self::from)
    }

    pub fn label(self) -> &'static str {
        match self {
            PaymentMethod::Especes => "Espèces",
            PaymentMethod::Carte => "Carte",
            PaymentMethod::CarteCadeau => "Carte-cadeau",
            PaymentMethod::Credit => "Crédit en magasin",
            PaymentMethod::Points => "Points",
        }
    }
}

impl From<TenderKind> for PaymentMethod {
    fn from(kind: TenderKind) -> Self {
        match kind {
            TenderKind::Cash => PaymentMethod::Especes,
            TenderKind::Card => PaymentMethod::Carte,
            TenderKind::GiftCard => PaymentMethod::CarteCadeau,
            TenderKind::Credit => PaymentMethod::Credit,
            TenderKind::Points => PaymentMethod::Points,
        }
    }
}

impl From<PaymentMethod> for TenderKind {
    fn from(method: PaymentMethod) -> Self {
        match method {
            PaymentMethod::Especes => TenderKind::Cash,
            PaymentMethod::Carte => TenderKind::Card,
            PaymentMethod::CarteCadeau => TenderKind::GiftCard,
            PaymentMethod::Credit => TenderKind::Credit,
            PaymentMethod::Points => TenderKind::Points,
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
    /// What the line really cost before tax: after the promotion and both discounts.
    pub line_total: Decimal,
    pub returned_quantity: i32,
    /// The catalogue's unit price (`unit_price` is the price after the promotion).
    pub original_price: Decimal,
    pub promotion_id: Option<i64>,
    pub promotion_name: Option<String>,
    pub promotion_saving: Decimal,
    pub line_discount: Decimal,
    /// The line's share of the cart discount.
    pub cart_discount: Decimal,
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
    pub customer_id: Option<i64>,
    pub promotion_savings: Decimal,
    /// Line and cart discounts given by hand.
    pub manual_discounts: Decimal,
    pub cart_discount: Decimal,
    /// The manager who approved discounts above the cashier's limit.
    pub discount_approved_by: Option<i64>,
    pub points_earned: i64,
    /// Gift cards sold with the sale: paid with it, but outside its subtotal and total.
    pub gift_cards_sold: Decimal,
    #[sqlx(skip)]
    pub lines: Vec<SaleLine>,
    #[sqlx(skip)]
    pub returns: Vec<Return>,
    /// Every tender, in the order given (what each paid of the sale, cash net of change).
    #[sqlx(skip)]
    pub payments: Vec<SalePayment>,
    #[sqlx(skip)]
    pub gift_cards: Vec<SoldGiftCard>,
    /// The customer as the receipt shows them (their balances now).
    #[sqlx(skip)]
    pub customer: Option<SaleCustomer>,
}

impl Sale {
    /// What the customer saved: promotions and discounts.
    pub fn savings(&self) -> Decimal {
        self.promotion_savings + self.manual_discounts
    }

    /// What the customer handed over in all: the total, the gift cards bought and the change.
    pub fn amount_due(&self) -> Decimal {
        self.total + self.gift_cards_sold
    }
}

/// One tender of a sale.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct SalePayment {
    pub seq: i32,
    #[sqlx(try_from = "String")]
    pub mode: PaymentMethod,
    pub amount: Decimal,
    pub reference: Option<String>,
    pub points: Option<i64>,
}

/// A gift card sold by a sale, with the code printed on its receipt.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct SoldGiftCard {
    pub code: String,
    pub amount: Decimal,
}

/// A sale's customer as its receipt shows them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct SaleCustomer {
    pub id: i64,
    pub name: Option<String>,
    pub loyalty_card: String,
    pub points: i64,
    pub credit: Decimal,
}

/// A sale's own row, as every read of a whole sale starts (completed by [`attach_details`]).
const SALE_SELECT: &str = "SELECT sa.id, sa.client_sale_id, sa.store_id, st.name AS store_name,
        st.address AS store_address, sa.register_id, r.name AS register_name, sa.session_id,
        sa.employee_id, e.full_name AS employee_name, sa.api_client_id, sa.sold_at, sa.subtotal,
        sa.tps, sa.tvq, sa.total, sa.payment_method, sa.amount_tendered, sa.change_given,
        sa.customer_id, sa.promotion_savings, sa.manual_discounts, sa.cart_discount,
        sa.discount_approved_by, sa.points_earned, sa.gift_cards_sold
     FROM sales sa JOIN stores st ON st.id = sa.store_id
     LEFT JOIN registers r ON r.id = sa.register_id
     LEFT JOIN employees e ON e.id = sa.employee_id";

/// A sale's lines. Binds `$1`: the sale ids.
const LINES_SELECT: &str = "SELECT l.sale_id, l.id, l.line_no, l.product_id,
        p.code AS product_code, p.name AS product_name, l.quantity, l.unit_price, l.taxable,
        l.line_total, l.returned_quantity,
        COALESCE(l.original_price, l.unit_price) AS original_price, l.promotion_id,
        pr.name AS promotion_name, l.promotion_saving, l.line_discount, l.cart_discount
     FROM sale_lines l JOIN products p ON p.id = l.product_id
     LEFT JOIN promotions pr ON pr.id = l.promotion_id
     WHERE l.sale_id = ANY($1) ORDER BY l.sale_id, l.line_no";

/// A sale's tenders, in the order given. Binds `$1`: the sale ids.
const PAYMENTS_SELECT: &str = "SELECT sale_id, seq, mode, amount, reference, points
     FROM sale_payments WHERE sale_id = ANY($1) ORDER BY sale_id, seq";

/// The gift cards a sale sold. Binds `$1`: the sale ids.
const GIFT_CARDS_SELECT: &str = "SELECT s.sale_id, g.code, s.amount
     FROM sale_gift_cards s JOIN gift_cards g ON g.id = s.gift_card_id
     WHERE s.sale_id = ANY($1) ORDER BY s.sale_id, g.id";

const CUSTOMER_SELECT: &str = "SELECT id, name, loyalty_card, points, credit FROM customers";

/// A row of one of a sale's parts (a line, a tender, a gift card), with the sale it belongs to.
#[derive(FromRow)]
struct OfSale<T> {
    sale_id: i64,
    #[sqlx(flatten)]
    part: T,
}

/// Hands each part to its sale (`index`: a sale's id to its position in `sales`), keeping the
/// order the query gave.
fn distribute<T>(
    sales: &mut [Sale],
    index: &HashMap<i64, usize>,
    rows: Vec<OfSale<T>>,
    parts: impl Fn(&mut Sale) -> &mut Vec<T>,
) {
    for row in rows {
        if let Some(&i) = index.get(&row.sale_id) {
            parts(&mut sales[i]).push(row.part);
        }
    }
}

/// Completes sales read with [`SALE_SELECT`] into what a receipt shows: lines, tenders, gift
/// cards sold, customer and returns. A constant number of queries whatever the number of
/// sales, so a page of sales costs what one sale does.
pub(crate) async fn attach_details(conn: &mut PgConnection, sales: &mut [Sale]) -> Result<()> {
    if sales.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = sales.iter().map(|s| s.id).collect();
    let index: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let lines = sqlx::query_as(LINES_SELECT)
        .bind(&ids)
        .fetch_all(&mut *conn)
        .await?;
    distribute(sales, &index, lines, |s| &mut s.lines);
    let payments = sqlx::query_as(PAYMENTS_SELECT)
        .bind(&ids)
        .fetch_all(&mut *conn)
        .await?;
    distribute(sales, &index, payments, |s| &mut s.payments);
    let gift_cards = sqlx::query_as(GIFT_CARDS_SELECT)
        .bind(&ids)
        .fetch_all(&mut *conn)
        .await?;
    distribute(sales, &index, gift_cards, |s| &mut s.gift_cards);

    let mut customer_ids: Vec<i64> = sales.iter().filter_map(|s| s.customer_id).collect();
    customer_ids.sort_unstable();
    customer_ids.dedup();
    if !customer_ids.is_empty() {
        let customers: Vec<SaleCustomer> =
            sqlx::query_as(&format!("{CUSTOMER_SELECT} WHERE id = ANY($1)"))
                .bind(&customer_ids)
                .fetch_all(&mut *conn)
                .await?;
        let customers: HashMap<i64, SaleCustomer> =
            customers.into_iter().map(|c| (c.id, c)).collect();
        for sale in sales.iter_mut() {
            sale.customer = sale.customer_id.and_then(|id| customers.get(&id).cloned());
        }
    }

    for ret in load_returns_of_sales(conn, &ids).await? {
        if let Some(&i) = index.get(&ret.sale_id) {
            sales[i].returns.push(ret);
        }
    }
    Ok(())
}

pub(crate) async fn load_sale(conn: &mut PgConnection, id: i64) -> Result<Sale> {
    let sale: Sale = sqlx::query_as(&format!("{SALE_SELECT} WHERE sa.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| Error::not_found("Vente", id))?;
    let mut one = [sale];
    attach_details(conn, &mut one).await?;
    let [sale] = one;
    Ok(sale)
}

/// A customer as a receipt shows them.
pub(crate) async fn sale_customer(
    conn: &mut PgConnection,
    id: i64,
) -> Result<Option<SaleCustomer>> {
    Ok(sqlx::query_as(&format!("{CUSTOMER_SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?)
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

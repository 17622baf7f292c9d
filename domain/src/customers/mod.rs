//! Customers (SPEC section 6): who they are (name, email, phone, each optional and unique when
//! present), their loyalty card, their points and store credit, and their history. Staff of any
//! store and API clients look customers up, create and edit them (a customer shops anywhere in
//! the chain); only head office anonymises. Split by verb: `fields` (what may be typed), `card`
//! (the card's code), `write` (create, edit, anonymise), `find` (search, scan, read),
//! `balances` (points and credit: the sale's building blocks), `adjust` (by hand), `history`
//! (movements and sales).

mod adjust;
pub mod balances;
pub mod card;
mod fields;
mod find;
mod history;
mod write;

pub use adjust::*;
pub use balances::*;
pub use fields::{normalize_email, normalize_name, normalize_phone};
pub use find::*;
pub use history::*;
pub use write::*;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgExecutor};

use crate::{Error, Result};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct Customer {
    pub id: i64,
    pub name: Option<String>,
    pub email: Option<String>,
    /// Digits only (`15145551234`).
    pub phone: Option<String>,
    /// The 13 digits printed as the card's barcode.
    pub loyalty_card: String,
    pub marketing_consent: bool,
    pub points: i64,
    /// Store credit, in dollars.
    pub credit: Decimal,
    pub created_at: DateTime<Utc>,
    /// Set once the personal fields were blanked on the customer's request.
    pub anonymized_at: Option<DateTime<Utc>>,
}

impl Customer {
    pub fn is_anonymized(&self) -> bool {
        self.anonymized_at.is_some()
    }
}

pub(crate) const CUSTOMER_COLUMNS: &str = "id, name, email, phone, loyalty_card, \
     marketing_consent, points, credit, created_at, anonymized_at";

/// The customer, whoever asks: any employee and any API client may read a customer.
pub async fn get_customer(db: impl PgExecutor<'_>, id: i64) -> Result<Customer> {
    sqlx::query_as(&format!(
        "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await?
    .ok_or_else(|| Error::not_found("Client", id))
}

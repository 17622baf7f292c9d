//! Gift cards (SPEC section 6): a 16-digit code, the amount it was sold for, its balance, the
//! store that issued it; no expiry (Quebec law). Selling one is a liability, not revenue. The
//! balance lives on the card's row under `CHECK (balance >= 0)` and every change writes a
//! `gift_card_movements` row, so balance = sum of movements. `code` makes and checks codes;
//! `balance` holds the building blocks a sale or a return calls inside its own transaction
//! (issue, redeem, refund).

// the sale and the return call these inside their transactions
mod balance;
mod code;

#[allow(unused_imports)]
pub(crate) use balance::{issue_in, redeem_in, refund_in};
pub use code::{CODE_LEN, generate_code, normalize_code};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgExecutor, PgPool};

use crate::{Actor, Error, Result};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct GiftCard {
    pub id: i64,
    pub code: String,
    pub initial_amount: Decimal,
    pub balance: Decimal,
    /// The store that sold it (the card is accepted in every store).
    pub store_id: i64,
    pub created_at: DateTime<Utc>,
}

/// One change of a card's balance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct GiftCardMovement {
    pub id: i64,
    /// Signed: issued and refunded add, redeemed takes away.
    pub delta: Decimal,
    /// `issued`, `redeemed`, `refunded` or `adjusted`.
    pub reason: String,
    pub sale_id: Option<i64>,
    pub return_id: Option<i64>,
    pub employee_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl GiftCardMovement {
    /// For people (French).
    pub fn reason_label(&self) -> &'static str {
        match self.reason.as_str() {
            "issued" => "Émission",
            "redeemed" => "Paiement",
            "refunded" => "Remboursement",
            _ => "Correction",
        }
    }
}

/// A card and its movements, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GiftCardHistory {
    pub card: GiftCard,
    pub movements: Vec<GiftCardMovement>,
}

pub(crate) const CARD_COLUMNS: &str = "id, code, initial_amount, balance, store_id, created_at";

async fn find(db: impl PgExecutor<'_>, code: &str) -> Result<GiftCard> {
    let Some(normalized) = normalize_code(code) else {
        return Err(Error::not_found("Carte-cadeau", code.trim()));
    };
    sqlx::query_as(&format!(
        "SELECT {CARD_COLUMNS} FROM gift_cards WHERE code = $1"
    ))
    .bind(&normalized)
    .fetch_optional(db)
    .await?
    .ok_or_else(|| Error::not_found("Carte-cadeau", normalized))
}

/// The card of a code as typed or scanned. Any employee of any store may check a card (it is
/// accepted everywhere), and so may API clients; a code that cannot be one is not found
/// without a query.
pub async fn get_gift_card(db: &PgPool, _actor: &Actor, code: &str) -> Result<GiftCard> {
    find(db, code).await
}

/// The card and every change of its balance.
pub async fn gift_card_history(db: &PgPool, _actor: &Actor, code: &str) -> Result<GiftCardHistory> {
    let card = find(db, code).await?;
    let movements = sqlx::query_as(
        "SELECT id, delta, reason, sale_id, return_id, employee_id, created_at
         FROM gift_card_movements WHERE gift_card_id = $1 ORDER BY created_at, id",
    )
    .bind(card.id)
    .fetch_all(db)
    .await?;
    Ok(GiftCardHistory { card, movements })
}

/// An amount as French text with a plain space before the dollar sign (`1 234,50 $`), for
/// messages of the domain.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn french_amount(amount: Decimal) -> String {
    let text = format!("{:.2}", crate::money::round_cents(amount));
    let (units, cents) = text.split_once('.').unwrap_or((&text, "00"));
    let (sign, digits) = match units.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", units),
    };
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped},{cents} $")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn amounts_read_the_french_way() {
        assert_eq!(french_amount(dec!(12.5)), "12,50 $");
        assert_eq!(french_amount(dec!(0)), "0,00 $");
        assert_eq!(french_amount(dec!(1234567.891)), "1 234 567,89 $");
    }
}

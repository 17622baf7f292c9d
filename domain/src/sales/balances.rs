//! The balances a sale moves besides the stock, written after its statement under the same
//! savepoint (`sell.rs`): the gift cards, points and store credit its tenders spend, and the
//! gift cards it sells. Each spend is one conditional UPDATE (`balance >= amount`) on the
//! balance's row, so two tills spending the same card or points at once never take it below
//! zero: the second finds too little and its sale is refused, naming what is left. Every change
//! writes its movement row, so a balance is always the sum of its movements.

use chrono::{DateTime, Utc};
use rand::Rng;
use rust_decimal::Decimal;
use sqlx::PgConnection;

use super::price::Priced;
use super::{Sale, SoldGiftCard};
use crate::{Error, Result};
use pricing::TenderKind;
use pricing::error::fr_money;

/// Spends the cart's tenders and issues its gift cards; the refusal names the balance.
pub(super) async fn apply(
    conn: &mut PgConnection,
    cart: &Priced<'_, '_>,
    sale: &mut Sale,
    at: DateTime<Utc>,
) -> Result<()> {
    let (employee, api_client) = (cart.actor.employee_id(), cart.actor.api_client_id());
    for tender in &cart.tenders {
        match (tender.kind, tender.gift_card_id, cart.customer_id) {
            (TenderKind::GiftCard, Some(card), _) => {
                let spent: Option<Decimal> = sqlx::query_scalar(
                    "WITH spent AS (
                         UPDATE gift_cards SET balance = balance - $2
                         WHERE id = $1 AND balance >= $2 RETURNING id)
                     INSERT INTO gift_card_movements (gift_card_id, delta, reason, sale_id,
                                                      employee_id, api_client_id, created_at)
                     SELECT id, -$2, 'redeemed', $3, $4, $5, $6 FROM spent
                     RETURNING -delta",
                )
                .bind(card)
                .bind(tender.amount)
                .bind(sale.id)
                .bind(employee)
                .bind(api_client)
                .bind(at)
                .fetch_optional(&mut *conn)
                .await?;
                if spent.is_none() {
                    let left: Decimal =
                        sqlx::query_scalar("SELECT balance FROM gift_cards WHERE id = $1")
                            .bind(card)
                            .fetch_one(&mut *conn)
                            .await?;
                    return Err(Error::Conflict(format!(
                        "Solde de la carte-cadeau insuffisant : {} disponibles.",
                        fr_money(left)
                    )));
                }
            }
            (TenderKind::Points, _, Some(customer)) => {
                let points = tender.points.unwrap_or_default();
                let spent: Option<i64> = sqlx::query_scalar(
                    "WITH spent AS (
                         UPDATE customers SET points = points - $2
                         WHERE id = $1 AND points >= $2 RETURNING id)
                     INSERT INTO loyalty_movements (customer_id, delta, reason, sale_id,
                                                    employee_id, api_client_id, created_at)
                     SELECT id, -$2, 'redeemed', $3, $4, $5, $6 FROM spent
                     RETURNING -delta",
                )
                .bind(customer)
                .bind(points)
                .bind(sale.id)
                .bind(employee)
                .bind(api_client)
                .bind(at)
                .fetch_optional(&mut *conn)
                .await?;
                if spent.is_none() {
                    let left: i64 =
                        sqlx::query_scalar("SELECT points FROM customers WHERE id = $1")
                            .bind(customer)
                            .fetch_one(&mut *conn)
                            .await?;
                    // without the points this very sale earns (undone with it)
                    let left = (left - cart.points_earned).max(0);
                    return Err(Error::Conflict(format!(
                        "Solde de points insuffisant : {left} points disponibles."
                    )));
                }
            }
            (TenderKind::Credit, _, Some(customer)) => {
                let spent: Option<Decimal> = sqlx::query_scalar(
                    "WITH spent AS (
                         UPDATE customers SET credit = credit - $2
                         WHERE id = $1 AND credit >= $2 RETURNING id)
                     INSERT INTO store_credit_movements (customer_id, delta, reason, sale_id,
                                                         employee_id, api_client_id, created_at)
                     SELECT id, -$2, 'spent', $3, $4, $5, $6 FROM spent
                     RETURNING -delta",
                )
                .bind(customer)
                .bind(tender.amount)
                .bind(sale.id)
                .bind(employee)
                .bind(api_client)
                .bind(at)
                .fetch_optional(&mut *conn)
                .await?;
                if spent.is_none() {
                    let left: Decimal =
                        sqlx::query_scalar("SELECT credit FROM customers WHERE id = $1")
                            .bind(customer)
                            .fetch_one(&mut *conn)
                            .await?;
                    return Err(Error::Conflict(format!(
                        "Crédit en magasin insuffisant : {} disponibles.",
                        fr_money(left)
                    )));
                }
            }
            _ => {}
        }
    }
    for amount in &cart.gift_cards {
        let code = issue(conn, cart, sale.id, *amount, at).await?;
        sale.gift_cards.push(SoldGiftCard {
            code,
            amount: *amount,
        });
    }
    Ok(())
}

/// Creates a gift card sold by the sale, with its issue movement; a code already taken (one
/// chance in 10^15 per card) draws another.
async fn issue(
    conn: &mut PgConnection,
    cart: &Priced<'_, '_>,
    sale_id: i64,
    amount: Decimal,
    at: DateTime<Utc>,
) -> Result<String> {
    for _ in 0..5 {
        let code = gift_card_code(&mut rand::thread_rng());
        let issued: Option<String> = sqlx::query_scalar(
            "WITH card AS (
                 INSERT INTO gift_cards (code, initial_amount, balance, store_id, created_at)
                 VALUES ($1, $2, $2, $3, $4)
                 ON CONFLICT (code) DO NOTHING
                 RETURNING id, code),
             sold AS (
                 INSERT INTO sale_gift_cards (sale_id, gift_card_id, amount)
                 SELECT $5, id, $2 FROM card),
             moved AS (
                 INSERT INTO gift_card_movements (gift_card_id, delta, reason, sale_id,
                                                  employee_id, api_client_id, created_at)
                 SELECT id, $2, 'issued', $5, $6, $7, $4 FROM card)
             SELECT code FROM card",
        )
        .bind(&code)
        .bind(amount)
        .bind(cart.store_id)
        .bind(at)
        .bind(sale_id)
        .bind(cart.actor.employee_id())
        .bind(cart.actor.api_client_id())
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(code) = issued {
            return Ok(code);
        }
    }
    Err(Error::Internal("aucun numéro de carte-cadeau libre".into()))
}

/// A 16-digit gift card number whose last digit is the Luhn check digit of the other 15, so a
/// mistyped digit is caught before any lookup.
pub(crate) fn gift_card_code(rng: &mut impl Rng) -> String {
    let mut digits: Vec<u32> = (0..15).map(|_| rng.gen_range(0..10)).collect();
    // never a leading zero: spreadsheets and some scanners drop it
    if digits[0] == 0 {
        digits[0] = 1 + rng.gen_range(0..9);
    }
    digits.push(luhn_check_digit(&digits));
    digits.iter().map(|d| char::from(b'0' + *d as u8)).collect()
}

/// The digit that makes the Luhn sum of `digits` followed by it a multiple of 10.
pub(crate) fn luhn_check_digit(digits: &[u32]) -> u32 {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                *d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn luhn_valid(code: &str) -> bool {
        let digits: Vec<u32> = code.chars().filter_map(|c| c.to_digit(10)).collect();
        let (body, check) = digits.split_at(digits.len() - 1);
        luhn_check_digit(body) == check[0]
    }

    #[test]
    fn gift_card_codes_are_16_digits_with_a_luhn_check_digit() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..200 {
            let code = gift_card_code(&mut rng);
            assert_eq!(code.len(), 16);
            assert!(code.chars().all(|c| c.is_ascii_digit()));
            assert_ne!(&code[..1], "0");
            assert!(luhn_valid(&code), "{code}");
        }
        // the classic example: 7992739871 has check digit 3
        assert_eq!(luhn_check_digit(&[7, 9, 9, 2, 7, 3, 9, 8, 7, 1]), 3);
    }
}

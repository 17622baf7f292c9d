//! The changes of a gift card's balance, as building blocks of a sale or a return: each runs on
//! the caller's connection (inside its transaction) and writes its movement row, so the sale
//! and the card change together or not at all. A redemption is one conditional `UPDATE ...
//! WHERE balance >= amount`: two tills spending the same card at once cannot take it below
//! zero, the second finds too little and its sale is refused.

use rust_decimal::Decimal;
use sqlx::PgConnection;

use super::{CARD_COLUMNS, GiftCard, french_amount, generate_code, normalize_code};
use crate::money::is_valid_amount;
use crate::{Actor, Error, Result};

/// How many fresh codes an issue tries before giving up: with 10^15 codes a collision is
/// already unlikely, several in a row mean something else is wrong.
const CODE_ATTEMPTS: usize = 5;

fn check_amount(amount: Decimal) -> Result<()> {
    if amount > Decimal::ZERO && is_valid_amount(amount) {
        Ok(())
    } else {
        Err(Error::invalid(
            "montant",
            "Le montant doit être positif, au cent près.",
        ))
    }
}

async fn record_movement(
    conn: &mut PgConnection,
    card_id: i64,
    delta: Decimal,
    reason: &str,
    sale_id: Option<i64>,
    return_id: Option<i64>,
    actor: &Actor,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO gift_card_movements
             (gift_card_id, delta, reason, sale_id, return_id, employee_id, api_client_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(card_id)
    .bind(delta)
    .bind(reason)
    .bind(sale_id)
    .bind(return_id)
    .bind(actor.employee_id())
    .bind(actor.api_client_id())
    .execute(conn)
    .await?;
    Ok(())
}

/// Issues a card of `amount` sold by `sale_id` in `store_id`: a new unique code, the card, its
/// link to the sale (`sale_gift_cards`) and its `issued` movement. A code already taken is
/// skipped with `ON CONFLICT DO NOTHING` (a unique violation would abort the sale's
/// transaction) and another one drawn.
pub(crate) async fn issue_in(
    conn: &mut PgConnection,
    store_id: i64,
    amount: Decimal,
    sale_id: i64,
    actor: &Actor,
) -> Result<GiftCard> {
    check_amount(amount)?;
    let mut card: Option<GiftCard> = None;
    for _ in 0..CODE_ATTEMPTS {
        card = sqlx::query_as(&format!(
            "INSERT INTO gift_cards (code, initial_amount, balance, store_id)
             VALUES ($1, $2, $2, $3) ON CONFLICT (code) DO NOTHING RETURNING {CARD_COLUMNS}"
        ))
        .bind(generate_code())
        .bind(amount)
        .bind(store_id)
        .fetch_optional(&mut *conn)
        .await?;
        if card.is_some() {
            break;
        }
    }
    let card = card.ok_or_else(|| {
        Error::Internal("aucun code de carte-cadeau libre après plusieurs tirages".into())
    })?;
    sqlx::query("INSERT INTO sale_gift_cards (sale_id, gift_card_id, amount) VALUES ($1, $2, $3)")
        .bind(sale_id)
        .bind(card.id)
        .bind(amount)
        .execute(&mut *conn)
        .await?;
    record_movement(conn, card.id, amount, "issued", Some(sale_id), None, actor).await?;
    Ok(card)
}

/// Pays `amount` of `sale_id` with the card of `code`: its balance goes down by `amount`, or
/// nothing changes and the error says what is left. An unknown code is not found.
pub(crate) async fn redeem_in(
    conn: &mut PgConnection,
    code: &str,
    amount: Decimal,
    sale_id: i64,
    actor: &Actor,
) -> Result<GiftCard> {
    check_amount(amount)?;
    let Some(code) = normalize_code(code) else {
        return Err(Error::not_found("Carte-cadeau", code.trim()));
    };
    let spent: Option<GiftCard> = sqlx::query_as(&format!(
        "UPDATE gift_cards SET balance = balance - $2 WHERE code = $1 AND balance >= $2
         RETURNING {CARD_COLUMNS}"
    ))
    .bind(&code)
    .bind(amount)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(card) = spent else {
        let balance: Option<Decimal> =
            sqlx::query_scalar("SELECT balance FROM gift_cards WHERE code = $1")
                .bind(&code)
                .fetch_optional(&mut *conn)
                .await?;
        return Err(match balance {
            None => Error::not_found("Carte-cadeau", code),
            Some(balance) => Error::Conflict(format!(
                "Solde de la carte-cadeau insuffisant : {} disponibles.",
                french_amount(balance)
            )),
        });
    };
    record_movement(
        conn,
        card.id,
        -amount,
        "redeemed",
        Some(sale_id),
        None,
        actor,
    )
    .await?;
    Ok(card)
}

/// Gives `amount` back to the card `gift_card_id` for the return `return_id` (what the card
/// paid of the returned goods).
pub(crate) async fn refund_in(
    conn: &mut PgConnection,
    gift_card_id: i64,
    amount: Decimal,
    return_id: i64,
    actor: &Actor,
) -> Result<GiftCard> {
    check_amount(amount)?;
    let card: GiftCard = sqlx::query_as(&format!(
        "UPDATE gift_cards SET balance = balance + $2 WHERE id = $1 RETURNING {CARD_COLUMNS}"
    ))
    .bind(gift_card_id)
    .bind(amount)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| Error::not_found("Carte-cadeau", gift_card_id))?;
    record_movement(
        conn,
        card.id,
        amount,
        "refunded",
        None,
        Some(return_id),
        actor,
    )
    .await?;
    Ok(card)
}

#[cfg(test)]
#[path = "balance_tests.rs"]
mod tests;

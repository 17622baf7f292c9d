//! Manual corrections of a customer's points or store credit: managers and head office, with a
//! required reason, never below zero, one transaction each.

use rust_decimal::Decimal;
use sqlx::PgPool;

use super::balances::{CreditReason, PointsReason, Source, move_credit_in, move_points_in};
use super::{Customer, get_customer};
use crate::{Actor, Error, Result, Role};

/// Managers and head office correct balances by hand; cashiers do not.
fn ensure_may_adjust(actor: &Actor) -> Result<()> {
    match actor {
        Actor::Employee {
            role: Role::Caissier,
            ..
        } => Err(Error::Forbidden(
            "Réservé au gérant ou au siège : demandez à un gérant.".into(),
        )),
        _ => Ok(()),
    }
}

/// The reason of a manual correction: required, so the history explains it.
fn checked_note(note: &str) -> Result<&str> {
    let note = note.trim();
    if note.is_empty() || note.chars().count() > 500 {
        Err(Error::invalid(
            "note",
            "Indiquez la raison de l'ajustement (500 caractères au plus).",
        ))
    } else {
        Ok(note)
    }
}

/// Adds (or, negative, removes) points by hand, never below zero. The customer after.
pub async fn adjust_points(
    db: &PgPool,
    actor: &Actor,
    customer_id: i64,
    delta: i64,
    note: &str,
) -> Result<Customer> {
    ensure_may_adjust(actor)?;
    let note = checked_note(note)?;
    let mut tx = db.begin().await?;
    let balance = move_points_in(
        &mut tx,
        customer_id,
        delta,
        PointsReason::Adjusted,
        Source::default(),
        actor,
        note,
    )
    .await?;
    let customer = get_customer(&mut *tx, customer_id).await?;
    tx.commit().await?;
    crate::events::emit(
        "adjust_points",
        "customer",
        customer_id,
        actor,
        serde_json::json!({"delta": delta, "balance": balance}),
    );
    Ok(customer)
}

/// Adds (or, negative, removes) store credit by hand, never below zero. The customer after.
pub async fn adjust_credit(
    db: &PgPool,
    actor: &Actor,
    customer_id: i64,
    delta: Decimal,
    note: &str,
) -> Result<Customer> {
    ensure_may_adjust(actor)?;
    let note = checked_note(note)?;
    let mut tx = db.begin().await?;
    let balance = move_credit_in(
        &mut tx,
        customer_id,
        delta,
        CreditReason::Adjusted,
        Source::default(),
        actor,
        note,
    )
    .await?;
    let customer = get_customer(&mut *tx, customer_id).await?;
    tx.commit().await?;
    crate::events::emit(
        "adjust_credit",
        "customer",
        customer_id,
        actor,
        serde_json::json!({"delta": delta, "balance": balance}),
    );
    Ok(customer)
}

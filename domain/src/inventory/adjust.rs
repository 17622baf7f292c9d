//! Corrections by people: a counted quantity entered by a manager or the warehouse, and the
//! alert threshold of a stock row.

use chrono::Utc;
use sqlx::{PgExecutor, PgPool};

use super::Location;
use super::change::{current_quantity, set_quantity};
use crate::{Actor, Error, Result};

/// A counted quantity entered by a manager (store) or the warehouse (admin).
pub async fn adjust_stock(
    db: &PgPool,
    actor: &Actor,
    location: Location,
    product_id: i64,
    counted: i32,
    note: &str,
) -> Result<i32> {
    ensure_may_correct(actor, location)?;
    let note = note.trim();
    if note.is_empty() {
        return Err(Error::invalid(
            "note",
            "Indiquez la raison de la correction.",
        ));
    }
    let mut tx = db.begin().await?;
    let before = current_quantity(&mut tx, location, product_id).await?;
    let quantity = set_quantity(
        &mut tx,
        location,
        product_id,
        counted,
        actor,
        note,
        Utc::now(),
    )
    .await?;
    tx.commit().await?;
    if quantity != before {
        crate::events::movement(actor, location, product_id, quantity - before, "adjustment");
    }
    Ok(quantity)
}

/// Changes the alert threshold of one stock row.
pub async fn set_alert_threshold(
    db: &PgPool,
    actor: &Actor,
    location: Location,
    product_id: i64,
    threshold: i32,
) -> Result<()> {
    if threshold < 0 {
        return Err(Error::invalid(
            "alert_threshold",
            "Le seuil ne peut pas être négatif.",
        ));
    }
    ensure_may_correct(actor, location)?;
    write_threshold(db, location, product_id, threshold).await
}

/// Who may correct a stock row: the store's manager (or head office) for a store's stock, head
/// office alone for the warehouse's.
pub(crate) fn ensure_may_correct(actor: &Actor, location: Location) -> Result<()> {
    match location {
        Location::Store(id) => actor.ensure_manager_of(id),
        Location::Warehouse => actor.ensure_head_office(),
    }
}

/// Writes the alert threshold of one stock row; `NotFound` when the row does not exist.
pub(crate) async fn write_threshold(
    db: impl PgExecutor<'_>,
    location: Location,
    product_id: i64,
    threshold: i32,
) -> Result<()> {
    let updated = match location {
        Location::Store(id) => sqlx::query(
            "UPDATE store_stock SET alert_threshold = $3 WHERE store_id = $1 AND product_id = $2",
        )
        .bind(id)
        .bind(product_id)
        .bind(threshold)
        .execute(db)
        .await?,
        Location::Warehouse => {
            sqlx::query("UPDATE central_stock SET alert_threshold = $2 WHERE product_id = $1")
                .bind(product_id)
                .bind(threshold)
                .execute(db)
                .await?
        }
    };
    if updated.rows_affected() == 0 {
        return Err(Error::not_found("Stock du produit", product_id));
    }
    Ok(())
}

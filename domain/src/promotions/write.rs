//! Creating, changing and deleting promotions: head office only (admins, API clients, the
//! platform), each in one transaction with its link tables, each logged as a business event
//! once committed. A promotion already applied to a sale line is history: it cannot be
//! deleted, only deactivated.

use chrono::Utc;
use sqlx::{PgConnection, PgPool};

use super::validate::{check_references, validate_promotion};
use super::{NewPromotion, Promotion, PromotionChanges, get_promotion};
use crate::{Actor, Error, Result};

/// Creates a promotion; every problem of its fields at once, unknown ids included.
pub async fn create_promotion(db: &PgPool, actor: &Actor, new: &NewPromotion) -> Result<Promotion> {
    actor.ensure_head_office()?;
    let new = new.clone().normalized();
    validate_promotion(&new)?;
    let mut tx = db.begin().await?;
    check_references(&mut tx, &new).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO promotions (name, kind, value, buy, pay, starts_on, ends_on, active)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(&new.name)
    .bind(&new.kind)
    .bind(new.value)
    .bind(new.buy)
    .bind(new.pay)
    .bind(new.starts_on)
    .bind(new.ends_on)
    .bind(new.active)
    .fetch_one(&mut *tx)
    .await?;
    write_links(&mut tx, id, &new, false).await?;
    let promotion = get_promotion(&mut *tx, id).await?;
    tx.commit().await?;
    emit("create", &promotion, actor);
    Ok(promotion)
}

/// Changes some fields of a promotion; the result is checked as a whole, as a creation is.
pub async fn update_promotion(
    db: &PgPool,
    actor: &Actor,
    id: i64,
    changes: &PromotionChanges,
) -> Result<Promotion> {
    actor.ensure_head_office()?;
    let mut tx = db.begin().await?;
    // locked: two concurrent patches of one promotion apply one after the other
    let locked: Option<i64> =
        sqlx::query_scalar("SELECT id FROM promotions WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    if locked.is_none() {
        return Err(Error::not_found("Promotion", id));
    }
    let before = get_promotion(&mut *tx, id).await?;
    let after = NewPromotion::from(before).with(changes).normalized();
    validate_promotion(&after)?;
    check_references(&mut tx, &after).await?;
    sqlx::query(
        "UPDATE promotions SET name = $2, kind = $3, value = $4, buy = $5, pay = $6,
                starts_on = $7, ends_on = $8, active = $9, updated_at = $10
         WHERE id = $1",
    )
    .bind(id)
    .bind(&after.name)
    .bind(&after.kind)
    .bind(after.value)
    .bind(after.buy)
    .bind(after.pay)
    .bind(after.starts_on)
    .bind(after.ends_on)
    .bind(after.active)
    .bind(Utc::now())
    .execute(&mut *tx)
    .await?;
    write_links(&mut tx, id, &after, true).await?;
    let promotion = get_promotion(&mut *tx, id).await?;
    tx.commit().await?;
    emit("update", &promotion, actor);
    Ok(promotion)
}

/// Deletes a promotion never applied to a sale; one that was is a `Conflict` (deactivate it
/// instead: its sales keep naming it).
pub async fn delete_promotion(db: &PgPool, actor: &Actor, id: i64) -> Result<()> {
    actor.ensure_head_office()?;
    let deleted = sqlx::query("DELETE FROM promotions WHERE id = $1")
        .bind(id)
        .execute(db)
        .await
        .map_err(|e| {
            if e.as_database_error()
                .is_some_and(|db| db.is_foreign_key_violation())
            {
                Error::Conflict(
                    "Cette promotion a déjà été appliquée à des ventes : désactivez-la plutôt."
                        .into(),
                )
            } else {
                e.into()
            }
        })?;
    if deleted.rows_affected() == 0 {
        return Err(Error::not_found("Promotion", id));
    }
    crate::events::emit("delete", "promotion", id, actor, serde_json::json!({}));
    Ok(())
}

/// Writes the products, categories and stores of a promotion (replacing the old ones on an
/// update): one statement per table.
async fn write_links(
    conn: &mut PgConnection,
    id: i64,
    p: &NewPromotion,
    replace: bool,
) -> Result<()> {
    for (table, column, ids) in [
        ("promotion_products", "product_id", &p.product_ids),
        ("promotion_categories", "category_id", &p.category_ids),
        ("promotion_stores", "store_id", &p.store_ids),
    ] {
        if replace {
            sqlx::query(&format!("DELETE FROM {table} WHERE promotion_id = $1"))
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
        if !ids.is_empty() {
            sqlx::query(&format!(
                "INSERT INTO {table} (promotion_id, {column}) SELECT $1, unnest($2::BIGINT[])"
            ))
            .bind(id)
            .bind(ids)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

fn emit(operation: &str, p: &Promotion, actor: &Actor) {
    crate::events::emit(
        operation,
        "promotion",
        p.id,
        actor,
        serde_json::json!({
            "name": p.name, "kind": p.kind.as_str(), "value": p.value, "buy": p.buy,
            "pay": p.pay, "starts_on": p.starts_on, "ends_on": p.ends_on, "active": p.active,
            "products": p.product_ids.len(), "categories": p.category_ids.len(),
            "stores": p.store_ids,
        }),
    );
}

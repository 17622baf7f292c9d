//! Changing stock: the one write path ([`change_stock`]: never below zero, journaled in the
//! same statement), the error that names what is missing, and setting a row to a counted
//! quantity.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::{Location, MovementReason};
use crate::{Actor, Error, Result};

/// One signed change of one stock row, with what caused it and who made it.
pub(crate) struct StockChange<'a> {
    pub location: Location,
    pub product_id: i64,
    pub delta: i32,
    pub reason: MovementReason,
    pub actor: &'a Actor,
    pub note: &'a str,
    pub at: DateTime<Utc>,
}

/// Applies a signed change to one stock row, only if it stays at or above zero, and journals it
/// in the same statement (one round trip). Returns the new quantity; `InsufficientStock`
/// (nothing changed) when there is not enough.
pub(crate) async fn change_stock(conn: &mut PgConnection, change: &StockChange<'_>) -> Result<i32> {
    let (reason, return_id, request_id) = change.reason.parts();
    let (location, store_id, update) = match change.location {
        Location::Store(id) => (
            "store",
            Some(id),
            "UPDATE store_stock SET quantity = quantity + $4, updated_at = $11
             WHERE store_id = $2 AND product_id = $3 AND quantity + $4 >= 0
             RETURNING quantity",
        ),
        Location::Warehouse => (
            "warehouse",
            None,
            "UPDATE central_stock SET quantity = quantity + $4, updated_at = $11
             WHERE product_id = $3 AND quantity + $4 >= 0 AND $2::BIGINT IS NULL
             RETURNING quantity",
        ),
    };
    let updated: Option<i32> = sqlx::query_scalar(&format!(
        "WITH changed AS ({update}),
         journal AS (
             INSERT INTO stock_movements (location, store_id, product_id, delta, reason,
                 return_id, request_id, employee_id, api_client_id, note, created_at)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM changed)
         SELECT quantity FROM changed"
    ))
    .bind(location)
    .bind(store_id)
    .bind(change.product_id)
    .bind(change.delta)
    .bind(reason)
    .bind(return_id)
    .bind(request_id)
    .bind(change.actor.employee_id())
    .bind(change.actor.api_client_id())
    .bind(change.note)
    .bind(change.at)
    .fetch_optional(&mut *conn)
    .await?;
    match updated {
        Some(quantity) => Ok(quantity),
        None => Err(shortage(
            conn,
            change.location,
            change.product_id,
            -i64::from(change.delta),
        )
        .await),
    }
}

/// The error for a refused decrement: which product, how many were asked, how many remain.
async fn shortage(
    conn: &mut PgConnection,
    location: Location,
    product_id: i64,
    requested: i64,
) -> Error {
    let row: std::result::Result<Option<(String, String, i32)>, sqlx::Error> = match location {
        Location::Store(store_id) => {
            sqlx::query_as(
                "SELECT p.code, p.name, s.quantity FROM store_stock s
                 JOIN products p ON p.id = s.product_id WHERE s.store_id = $1 AND s.product_id = $2",
            )
            .bind(store_id)
            .bind(product_id)
            .fetch_optional(&mut *conn)
            .await
        }
        Location::Warehouse => {
            sqlx::query_as(
                "SELECT p.code, p.name, s.quantity FROM central_stock s
                 JOIN products p ON p.id = s.product_id WHERE s.product_id = $1",
            )
            .bind(product_id)
            .fetch_optional(&mut *conn)
            .await
        }
    };
    match row {
        Ok(Some((product_code, product_name, available))) => Error::InsufficientStock {
            product_id,
            product_code,
            product_name,
            requested,
            available: i64::from(available),
        },
        Ok(None) => Error::not_found("Stock du produit", product_id),
        Err(e) => e.into(),
    }
}

pub(super) async fn current_quantity(
    conn: &mut PgConnection,
    location: Location,
    product_id: i64,
) -> Result<i32> {
    let quantity: Option<i32> = match location {
        Location::Store(store_id) => {
            sqlx::query_scalar(
                "SELECT quantity FROM store_stock WHERE store_id = $1 AND product_id = $2",
            )
            .bind(store_id)
            .bind(product_id)
            .fetch_optional(&mut *conn)
            .await?
        }
        Location::Warehouse => {
            sqlx::query_scalar("SELECT quantity FROM central_stock WHERE product_id = $1")
                .bind(product_id)
                .fetch_optional(&mut *conn)
                .await?
        }
    };
    quantity.ok_or_else(|| Error::not_found("Stock du produit", product_id))
}

/// Sets a stock row to a counted quantity, journaling the difference as an adjustment.
pub(crate) async fn set_quantity(
    conn: &mut PgConnection,
    location: Location,
    product_id: i64,
    target: i32,
    actor: &Actor,
    note: &str,
    at: DateTime<Utc>,
) -> Result<i32> {
    if target < 0 {
        return Err(Error::invalid(
            "quantity",
            "La quantité ne peut pas être négative.",
        ));
    }
    let current: Option<i32> = match location {
        Location::Store(store_id) => sqlx::query_scalar(
            "SELECT quantity FROM store_stock WHERE store_id = $1 AND product_id = $2 FOR UPDATE",
        )
        .bind(store_id)
        .bind(product_id)
        .fetch_optional(&mut *conn)
        .await?,
        Location::Warehouse => {
            sqlx::query_scalar(
                "SELECT quantity FROM central_stock WHERE product_id = $1 FOR UPDATE",
            )
            .bind(product_id)
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    let current = current.ok_or_else(|| Error::not_found("Stock du produit", product_id))?;
    if current == target {
        return Ok(current);
    }
    let change = StockChange {
        location,
        product_id,
        delta: target - current,
        reason: MovementReason::Adjustment,
        actor,
        note,
        at,
    };
    change_stock(conn, &change).await
}

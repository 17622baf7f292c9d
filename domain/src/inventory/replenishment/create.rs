//! Asking the warehouse: one product, or several in one transaction (all or none).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};

use super::{ReplenishmentRequest, get_request};
use crate::{Actor, Error, FieldError, Result};

/// Largest quantity of one request: a delivery adds it to a store's stock, which must still fit
/// its column (and a request this large is a typing mistake).
pub const MAX_REQUEST_QUANTITY: i32 = 100_000;

/// The message of a quantity out of `1..=MAX_REQUEST_QUANTITY`.
fn quantity_problem(quantity: i32) -> Option<&'static str> {
    if quantity < 1 {
        Some("La quantité doit être d'au moins 1.")
    } else if quantity > MAX_REQUEST_QUANTITY {
        Some("La quantité demandée est de 100 000 au plus.")
    } else {
        None
    }
}

/// A store manager (or head office) asks the warehouse for a product.
pub async fn create_request(
    db: &PgPool,
    actor: &Actor,
    store_id: i64,
    product_id: i64,
    quantity: i32,
    note: &str,
) -> Result<ReplenishmentRequest> {
    let mut conn = db.acquire().await?;
    let request = create_request_at(
        &mut conn,
        actor,
        store_id,
        product_id,
        quantity,
        note,
        Utc::now(),
    )
    .await?;
    crate::events::emit(
        "create",
        "replenishment_request",
        request.id,
        actor,
        serde_json::json!({"store_id": store_id, "product_id": product_id, "quantity": quantity}),
    );
    Ok(request)
}

/// One product of a request for several products.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestLine {
    pub product_id: i64,
    pub quantity: i32,
}

/// The field a problem with one line is reported on: `quantity.<product id>` (or
/// `product.<product id>`), so a form with one input per product can show it next to the input.
pub fn line_field(kind: &str, product_id: i64) -> String {
    format!("{kind}.{product_id}")
}

/// A store manager (or head office) asks the warehouse for several products at once: one
/// request per product, all created in one transaction or none (a wrong line refuses the whole
/// batch, so the manager fixes it and sends again without duplicates). Requests come back in
/// the order of `lines`.
pub async fn create_requests(
    db: &PgPool,
    actor: &Actor,
    store_id: i64,
    lines: &[RequestLine],
    note: &str,
) -> Result<Vec<ReplenishmentRequest>> {
    actor.ensure_manager_of(store_id)?;
    let mut errors = Vec::new();
    if lines.is_empty() {
        errors.push(FieldError::new(
            "lines",
            "Indiquez une quantité pour au moins un produit.",
        ));
    }
    for (i, line) in lines.iter().enumerate() {
        if let Some(problem) = quantity_problem(line.quantity) {
            errors.push(FieldError::new(
                line_field("quantity", line.product_id),
                problem,
            ));
        }
        if lines[..i].iter().any(|l| l.product_id == line.product_id) {
            errors.push(FieldError::new(
                line_field("product", line.product_id),
                "Ce produit figure deux fois dans la demande.",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let at = Utc::now();
    let mut tx = db.begin().await?;
    let mut requests = Vec::with_capacity(lines.len());
    for line in lines {
        requests.push(
            create_request_at(
                &mut tx,
                actor,
                store_id,
                line.product_id,
                line.quantity,
                note,
                at,
            )
            .await?,
        );
    }
    tx.commit().await?;
    for request in &requests {
        crate::events::emit(
            "create",
            "replenishment_request",
            request.id,
            actor,
            serde_json::json!({"store_id": store_id, "product_id": request.product_id,
                "quantity": request.quantity}),
        );
    }
    Ok(requests)
}

pub(crate) async fn create_request_at(
    conn: &mut PgConnection,
    actor: &Actor,
    store_id: i64,
    product_id: i64,
    quantity: i32,
    note: &str,
    at: DateTime<Utc>,
) -> Result<ReplenishmentRequest> {
    actor.ensure_manager_of(store_id)?;
    if let Some(problem) = quantity_problem(quantity) {
        return Err(Error::invalid("quantity", problem));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO replenishment_requests (store_id, product_id, quantity, note, requested_by,
                                             requested_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(store_id)
    .bind(product_id)
    .bind(quantity)
    .bind(note.trim())
    .bind(actor.employee_id())
    .bind(at)
    .fetch_one(&mut *conn)
    .await?;
    get_request(&mut *conn, id).await
}

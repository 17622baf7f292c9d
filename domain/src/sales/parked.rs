//! Parked carts: a till puts a customer's cart aside under a name (« Mettre en attente ») to
//! serve the next one, and takes it back later (« Reprendre »). A parked cart belongs to the
//! open session of its register: it is listed and resumed there only, resuming deletes it,
//! and closing the session deletes those left (`stores::sessions`). The cart itself is the
//! till's own JSON, kept as it was given.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use crate::{Actor, Error, Result};

/// Longest name of a parked cart (the column's CHECK).
pub const MAX_PARKED_NAME_LEN: usize = 60;

/// Most carts parked on one session: a till is not a store room.
pub const MAX_PARKED_PER_SESSION: i64 = 50;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParkedCart {
    pub id: i64,
    pub name: String,
    pub employee_name: String,
    pub parked_at: DateTime<Utc>,
    pub cart: serde_json::Value,
}

/// The register's open session, after checking the actor may use the register; `session_id`
/// when given must be that session (a page shown before the till was closed and reopened).
async fn open_session_of(
    db: &PgPool,
    actor: &Actor,
    register_id: i64,
    session_id: Option<i64>,
) -> Result<i64> {
    crate::stores::get_register(db, actor, register_id).await?;
    let open = crate::stores::current_session(db, register_id).await?;
    match open {
        Some(s) if session_id.is_none_or(|id| id == s.id) => Ok(s.id),
        _ => Err(Error::Conflict(
            "Cette session de caisse est fermée : les paniers en attente ne sont plus disponibles."
                .into(),
        )),
    }
}

/// Parks `cart` under `name` on the register's open session `session_id`.
pub async fn park_cart(
    db: &PgPool,
    actor: &Actor,
    register_id: i64,
    session_id: i64,
    name: &str,
    cart: &serde_json::Value,
) -> Result<ParkedCart> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_PARKED_NAME_LEN {
        return Err(Error::invalid(
            "name",
            format!("Nommez le panier mis en attente (1 à {MAX_PARKED_NAME_LEN} caractères)."),
        ));
    }
    let employee = actor.employee_id().ok_or_else(|| {
        Error::Forbidden("Seul un employé peut mettre un panier en attente.".into())
    })?;
    let session = open_session_of(db, actor, register_id, Some(session_id)).await?;
    let parked: i64 = sqlx::query_scalar("SELECT count(*) FROM parked_carts WHERE session_id = $1")
        .bind(session)
        .fetch_one(db)
        .await?;
    if parked >= MAX_PARKED_PER_SESSION {
        return Err(Error::Conflict(format!(
            "Déjà {MAX_PARKED_PER_SESSION} paniers en attente sur cette caisse : reprenez-en un d'abord."
        )));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO parked_carts (session_id, name, cart, employee_id)
         VALUES ($1, $2, $3::TEXT::JSONB, $4) RETURNING id",
    )
    .bind(session)
    .bind(name)
    .bind(cart.to_string())
    .bind(employee)
    .fetch_one(db)
    .await?;
    let mut all = list_parked(db, actor, register_id).await?;
    all.retain(|p| p.id == id);
    all.pop()
        .ok_or_else(|| Error::not_found("Panier en attente", id))
}

/// The carts parked on the register's open session, oldest first; none when it is closed.
pub async fn list_parked(db: &PgPool, actor: &Actor, register_id: i64) -> Result<Vec<ParkedCart>> {
    let session = match open_session_of(db, actor, register_id, None).await {
        Ok(id) => id,
        Err(Error::Conflict(_)) => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let rows: Vec<(i64, String, String, DateTime<Utc>, String)> = sqlx::query_as(
        "SELECT p.id, p.name, e.full_name, p.parked_at, p.cart::TEXT
         FROM parked_carts p JOIN employees e ON e.id = p.employee_id
         WHERE p.session_id = $1 ORDER BY p.parked_at, p.id",
    )
    .bind(session)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, employee_name, parked_at, cart)| ParkedCart {
            id,
            name,
            employee_name,
            parked_at,
            cart: serde_json::from_str(&cart).unwrap_or(serde_json::Value::Null),
        })
        .collect())
}

/// Takes a parked cart back: returns its cart and deletes it, once (two tills resuming it at
/// the same time: one gets it, the other a not found). Only from the register's open session.
pub async fn resume_parked(
    db: &PgPool,
    actor: &Actor,
    register_id: i64,
    parked_id: i64,
) -> Result<serde_json::Value> {
    let session = open_session_of(db, actor, register_id, None).await?;
    let cart: Option<String> = sqlx::query_scalar(
        "DELETE FROM parked_carts WHERE id = $1 AND session_id = $2 RETURNING cart::TEXT",
    )
    .bind(parked_id)
    .bind(session)
    .fetch_optional(db)
    .await?;
    let cart = cart.ok_or_else(|| Error::not_found("Panier en attente", parked_id))?;
    Ok(serde_json::from_str(&cart).unwrap_or(serde_json::Value::Null))
}

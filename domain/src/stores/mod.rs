//! Stores and their registers. Creating a store gives it a stock row for every product and its
//! numbered registers; a store with history cannot be deleted.

mod cash;
mod history;
mod sessions;

pub use cash::*;
pub use history::*;
pub use sessions::*;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgExecutor, PgPool};

use crate::catalog::DEFAULT_STORE_THRESHOLD;
use crate::error::Validator;
use crate::{Actor, Error, Result};

pub const DEFAULT_TIME_ZONE: &str = "America/Montreal";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct Store {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub phone: String,
    pub email: Option<String>,
    pub time_zone: String,
    /// The chain's GST (TPS) registration number printed on receipts (`123456789 RT0001`),
    /// empty until head office enters it.
    pub gst_number: String,
    /// The QST (TVQ) registration number (`1234567890 TQ0001`), empty until entered.
    pub qst_number: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Store {
    pub fn tz(&self) -> chrono_tz::Tz {
        self.time_zone
            .parse()
            .unwrap_or(chrono_tz::America::Montreal)
    }
}

const STORE_COLUMNS: &str =
    "id, name, address, phone, email, time_zone, gst_number, qst_number, created_at, updated_at";

pub async fn list_stores(db: impl PgExecutor<'_>) -> Result<Vec<Store>> {
    Ok(
        sqlx::query_as(&format!("SELECT {STORE_COLUMNS} FROM stores ORDER BY id"))
            .fetch_all(db)
            .await?,
    )
}

pub async fn get_store(db: impl PgExecutor<'_>, id: i64) -> Result<Store> {
    sqlx::query_as(&format!("SELECT {STORE_COLUMNS} FROM stores WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or_else(|| Error::not_found("Magasin", id))
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewStore {
    pub name: String,
    pub address: String,
    pub phone: String,
    pub email: Option<String>,
    pub time_zone: Option<String>,
    /// Registers numbered 1..=n are created with the store.
    pub registers: u8,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StoreChanges {
    pub name: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    /// `Some(None)` clears the email.
    pub email: Option<Option<String>>,
    pub time_zone: Option<String>,
    /// GST (TPS) number; `Some("")` clears it.
    pub gst_number: Option<String>,
    /// QST (TVQ) number; `Some("")` clears it.
    pub qst_number: Option<String>,
}

/// A GST (TPS) registration number as printed: 9 digits, `RT` and a 4-digit account
/// (`123456789 RT0001`), spaces and case as typed ignored. `None` when it is not one.
pub fn normalize_gst_number(text: &str) -> Option<String> {
    normalize_tax_number(text, 9, "RT")
}

/// A QST (TVQ) registration number as printed: 10 digits, `TQ` and a 4-digit file number
/// (`1234567890 TQ0001`). `None` when it is not one.
pub fn normalize_qst_number(text: &str) -> Option<String> {
    normalize_tax_number(text, 10, "TQ")
}

fn normalize_tax_number(text: &str, digits: usize, program: &str) -> Option<String> {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let (number, rest) = compact.split_at_checked(digits)?;
    let account = rest.strip_prefix(program)?;
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    (all_digits(number) && account.len() == 4 && all_digits(account))
        .then(|| format!("{number} {program}{account}"))
}

/// The tax numbers of a change: normalized, empty to clear; a malformed one is a field error.
fn tax_numbers(v: &mut Validator, changes: &StoreChanges) -> (Option<String>, Option<String>) {
    let mut read = |typed: Option<&String>,
                    field: &str,
                    normalize: fn(&str) -> Option<String>,
                    message: &str| {
        let typed = typed?.trim();
        if typed.is_empty() {
            return Some(String::new());
        }
        let normalized = normalize(typed);
        v.check(normalized.is_some(), field, message);
        normalized
    };
    let gst = read(
        changes.gst_number.as_ref(),
        "gst_number",
        normalize_gst_number,
        "Numéro de TPS invalide : 9 chiffres puis RT et 4 chiffres (ex. 123456789 RT0001).",
    );
    let qst = read(
        changes.qst_number.as_ref(),
        "qst_number",
        normalize_qst_number,
        "Numéro de TVQ invalide : 10 chiffres puis TQ et 4 chiffres (ex. 1234567890 TQ0001).",
    );
    (gst, qst)
}

/// A plausible email: one `@`, something before, a dot in the domain, no spaces.
pub fn is_valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
        && email.len() <= 254
}

fn validate_store(
    v: &mut Validator,
    name: Option<&str>,
    email: Option<Option<&str>>,
    time_zone: Option<&str>,
) {
    if let Some(name) = name {
        let n = name.trim().chars().count();
        v.check(
            (1..=120).contains(&n),
            "name",
            "Le nom est obligatoire (120 caractères au plus).",
        );
    }
    if let Some(Some(email)) = email {
        v.check(
            is_valid_email(email.trim()),
            "email",
            "Adresse courriel invalide.",
        );
    }
    if let Some(tz) = time_zone {
        v.check(
            tz.parse::<chrono_tz::Tz>().is_ok(),
            "time_zone",
            "Fuseau horaire inconnu.",
        );
    }
}

pub async fn create_store(db: &PgPool, actor: &Actor, new: &NewStore) -> Result<Store> {
    actor.ensure_head_office()?;
    let email = new
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    let mut v = Validator::default();
    validate_store(
        &mut v,
        Some(&new.name),
        Some(email),
        new.time_zone.as_deref(),
    );
    v.check(new.registers <= 50, "registers", "50 caisses au plus.");
    v.finish()?;

    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO stores (name, address, phone, email, time_zone)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(new.name.trim())
    .bind(new.address.trim())
    .bind(new.phone.trim())
    .bind(email)
    .bind(new.time_zone.as_deref().unwrap_or(DEFAULT_TIME_ZONE))
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO store_stock (store_id, product_id, alert_threshold)
         SELECT $1, id, $2 FROM products",
    )
    .bind(id)
    .bind(DEFAULT_STORE_THRESHOLD)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO registers (store_id, number, name)
         SELECT $1, n, 'Caisse ' || n FROM generate_series(1, $2) AS n",
    )
    .bind(id)
    .bind(i32::from(new.registers))
    .execute(&mut *tx)
    .await?;
    let store = get_store(&mut *tx, id).await?;
    tx.commit().await?;
    crate::events::emit(
        "create",
        "store",
        id,
        actor,
        serde_json::json!({"name": store.name, "registers": new.registers}),
    );
    Ok(store)
}

/// The checks of [`update_store`] without writing: a caller that creates a store and then sets
/// more of it checks everything first.
pub fn check_store_changes(changes: &StoreChanges) -> Result<()> {
    let mut v = Validator::default();
    validate_store(
        &mut v,
        changes.name.as_deref(),
        changes
            .email
            .as_ref()
            .map(|e| e.as_deref().map(str::trim).filter(|e| !e.is_empty())),
        changes.time_zone.as_deref(),
    );
    tax_numbers(&mut v, changes);
    v.finish()
}

pub async fn update_store(
    db: &PgPool,
    actor: &Actor,
    id: i64,
    changes: &StoreChanges,
) -> Result<Store> {
    actor.ensure_head_office()?;
    let email = changes
        .email
        .as_ref()
        .map(|e| e.as_deref().map(str::trim).filter(|e| !e.is_empty()));
    let mut v = Validator::default();
    validate_store(
        &mut v,
        changes.name.as_deref(),
        email,
        changes.time_zone.as_deref(),
    );
    let (gst, qst) = tax_numbers(&mut v, changes);
    v.finish()?;
    let row = sqlx::query_as(&format!(
        "UPDATE stores SET
            name = COALESCE($2, name),
            address = COALESCE($3, address),
            phone = COALESCE($4, phone),
            email = CASE WHEN $5 THEN $6 ELSE email END,
            time_zone = COALESCE($7, time_zone),
            gst_number = COALESCE($8, gst_number),
            qst_number = COALESCE($9, qst_number),
            updated_at = now()
         WHERE id = $1 RETURNING {STORE_COLUMNS}"
    ))
    .bind(id)
    .bind(changes.name.as_deref().map(str::trim))
    .bind(changes.address.as_deref().map(str::trim))
    .bind(changes.phone.as_deref().map(str::trim))
    .bind(email.is_some())
    .bind(email.flatten())
    .bind(changes.time_zone.as_deref())
    .bind(gst)
    .bind(qst)
    .fetch_optional(db)
    .await?;
    let store: Store = row.ok_or_else(|| Error::not_found("Magasin", id))?;
    crate::events::emit(
        "update",
        "store",
        id,
        actor,
        serde_json::json!({"name": store.name}),
    );
    Ok(store)
}

/// Deletes a store without history (no sale, session, movement or request); otherwise a
/// `Conflict`.
pub async fn delete_store(db: &PgPool, actor: &Actor, id: i64) -> Result<()> {
    actor.ensure_head_office()?;
    let deleted = sqlx::query("DELETE FROM stores WHERE id = $1")
        .bind(id)
        .execute(db)
        .await
        .map_err(|e| crate::error::history_conflict(e, "Ce magasin"))?;
    if deleted.rows_affected() == 0 {
        return Err(Error::not_found("Magasin", id));
    }
    crate::events::emit("delete", "store", id, actor, serde_json::json!({}));
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct Register {
    pub id: i64,
    pub store_id: i64,
    pub number: i32,
    pub name: String,
}

pub async fn list_registers(db: impl PgExecutor<'_>, store_id: i64) -> Result<Vec<Register>> {
    Ok(sqlx::query_as(
        "SELECT id, store_id, number, name FROM registers WHERE store_id = $1 ORDER BY number",
    )
    .bind(store_id)
    .fetch_all(db)
    .await?)
}

/// A register, for an actor who may work at its store: the store's own staff or head office.
/// The check lives here so that no caller can read a register of another store by forgetting it;
/// another store's register is "not found", as a missing one is.
pub async fn get_register(db: impl PgExecutor<'_>, actor: &Actor, id: i64) -> Result<Register> {
    let register = find_register(db, id).await?;
    actor.ensure_visible(register.store_id, "Caisse", id)?;
    Ok(register)
}

/// A register by id, with no permission check: for operations that check the actor against
/// another store first (a return is refunded at a register of the sale's store).
pub(crate) async fn find_register(db: impl PgExecutor<'_>, id: i64) -> Result<Register> {
    sqlx::query_as("SELECT id, store_id, number, name FROM registers WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or_else(|| Error::not_found("Caisse", id))
}

/// Adds the next-numbered register to a store.
pub async fn add_register(db: &PgPool, actor: &Actor, store_id: i64) -> Result<Register> {
    actor.ensure_head_office()?;
    get_store(db, store_id).await?;
    Ok(sqlx::query_as(
        "INSERT INTO registers (store_id, number, name)
         SELECT $1, n, 'Caisse ' || n
         FROM (SELECT COALESCE(max(number), 0) + 1 AS n FROM registers WHERE store_id = $1) next
         RETURNING id, store_id, number, name",
    )
    .bind(store_id)
    .fetch_one(db)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::is_valid_email;

    #[test]
    fn emails() {
        assert!(is_valid_email("centre@exemple.ca"));
        assert!(!is_valid_email("centre@exemple"));
        assert!(!is_valid_email("centre exemple.ca"));
        assert!(!is_valid_email("a@b@c.ca"));
        assert!(!is_valid_email("@exemple.ca"));
    }
}

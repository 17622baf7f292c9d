//! Creating, editing and anonymising customers. Any employee and any API client creates and
//! edits; anonymising (a privacy request) is head office's: it blanks the personal fields and
//! keeps the sales, points and credit, and asking twice is fine.

use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use super::fields::{check, unique_problem};
use super::{CUSTOMER_COLUMNS, Customer, card, get_customer};
use crate::{Actor, Error, Result};

/// How many fresh card codes creating a customer tries before giving up: with 10^10 codes a
/// collision is rare, two in a row would mean something else is wrong.
const CARD_ATTEMPTS: usize = 5;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NewCustomer {
    /// Blank fields are left empty (NULL).
    pub name: String,
    pub email: String,
    pub phone: String,
    pub marketing_consent: bool,
}

/// Changes to a customer: `None` leaves a field as it is, `Some("")` blanks it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerPatch {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub marketing_consent: Option<bool>,
}

/// Checks a form's fields with the rules of [`create_customer`], without the database, so a
/// form shows every problem at once.
pub fn validate_customer(name: &str, email: &str, phone: &str) -> Result<()> {
    check(Some(name), Some(email), Some(phone)).map(|_| ())
}

/// Creates a customer with a new loyalty card (a fresh code is drawn when one collides).
pub async fn create_customer(db: &PgPool, actor: &Actor, new: &NewCustomer) -> Result<Customer> {
    let fields = check(Some(&new.name), Some(&new.email), Some(&new.phone))?;
    let (name, email, phone) = (
        fields.name.flatten(),
        fields.email.flatten(),
        fields.phone.flatten(),
    );
    for _ in 0..CARD_ATTEMPTS {
        let inserted = sqlx::query_as::<_, Customer>(&format!(
            "INSERT INTO customers (name, email, phone, loyalty_card, marketing_consent)
             VALUES ($1, $2, $3, $4, $5) RETURNING {CUSTOMER_COLUMNS}"
        ))
        .bind(&name)
        .bind(&email)
        .bind(&phone)
        .bind(card::generate())
        .bind(new.marketing_consent)
        .fetch_one(db)
        .await;
        match inserted {
            Ok(customer) => {
                // no personal data in the business log: the id and the card say who
                crate::events::emit(
                    "create",
                    "customer",
                    customer.id,
                    actor,
                    serde_json::json!({"loyalty_card": customer.loyalty_card}),
                );
                return Ok(customer);
            }
            Err(err)
                if err
                    .as_database_error()
                    .and_then(|db| db.constraint())
                    .is_some_and(|c| c == "customers_loyalty_card_key") =>
            {
                tracing::warn!("loyalty card code collision, drawing another");
            }
            Err(err) => return Err(unique_problem(err)),
        }
    }
    Err(Error::Internal(
        "no free loyalty card code after several attempts".into(),
    ))
}

/// Edits a customer's personal fields and consent. An anonymised customer cannot be given
/// personal data again (a new customer is created instead).
pub async fn update_customer(
    db: &PgPool,
    actor: &Actor,
    id: i64,
    patch: &CustomerPatch,
) -> Result<Customer> {
    let fields = check(
        patch.name.as_deref(),
        patch.email.as_deref(),
        patch.phone.as_deref(),
    )?;
    let mut tx = db.begin().await?;
    let before = sqlx::query_as::<_, Customer>(&format!(
        "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id = $1 FOR UPDATE"
    ))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| Error::not_found("Client", id))?;
    if before.is_anonymized() {
        return Err(Error::Conflict(
            "Ce client a été anonymisé : ses données personnelles ne peuvent plus être modifiées."
                .into(),
        ));
    }
    let customer = sqlx::query_as::<_, Customer>(&format!(
        "UPDATE customers SET
            name = CASE WHEN $2 THEN $3 ELSE name END,
            email = CASE WHEN $4 THEN $5 ELSE email END,
            phone = CASE WHEN $6 THEN $7 ELSE phone END,
            marketing_consent = COALESCE($8, marketing_consent),
            updated_at = now()
         WHERE id = $1 RETURNING {CUSTOMER_COLUMNS}"
    ))
    .bind(id)
    .bind(fields.name.is_some())
    .bind(fields.name.clone().flatten())
    .bind(fields.email.is_some())
    .bind(fields.email.clone().flatten())
    .bind(fields.phone.is_some())
    .bind(fields.phone.clone().flatten())
    .bind(patch.marketing_consent)
    .fetch_one(&mut *tx)
    .await
    .map_err(unique_problem)?;
    tx.commit().await?;
    let changed: Vec<&str> = [
        ("name", before.name != customer.name),
        ("email", before.email != customer.email),
        ("phone", before.phone != customer.phone),
        (
            "marketing_consent",
            before.marketing_consent != customer.marketing_consent,
        ),
    ]
    .into_iter()
    .filter_map(|(field, changed)| changed.then_some(field))
    .collect();
    crate::events::emit(
        "update",
        "customer",
        id,
        actor,
        serde_json::json!({"changed": changed}),
    );
    Ok(customer)
}

/// Blanks the customer's name, email, phone and marketing consent (a privacy request), keeping
/// their sales, points and credit. Head office only; anonymising again changes nothing and
/// keeps the first date.
pub async fn anonymize_customer(db: &PgPool, actor: &Actor, id: i64) -> Result<Customer> {
    actor.ensure_head_office()?;
    let before = get_customer(db, id).await?;
    let customer = sqlx::query_as::<_, Customer>(&format!(
        "UPDATE customers SET name = NULL, email = NULL, phone = NULL,
            marketing_consent = FALSE, anonymized_at = COALESCE(anonymized_at, now()),
            updated_at = now()
         WHERE id = $1 RETURNING {CUSTOMER_COLUMNS}"
    ))
    .bind(id)
    .fetch_optional(db)
    .await?
    .ok_or_else(|| Error::not_found("Client", id))?;
    crate::events::emit(
        "anonymize",
        "customer",
        id,
        actor,
        serde_json::json!({"already_anonymized": before.is_anonymized()}),
    );
    Ok(customer)
}

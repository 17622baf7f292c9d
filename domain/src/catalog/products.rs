//! Products: search, read, create, change, deactivate, delete (only without history).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgExecutor, PgPool, Postgres, QueryBuilder};

use super::normalize_code;
use crate::error::Validator;
use crate::inventory::{self, Location, MovementReason, StockChange};
use crate::money::is_valid_amount;
use crate::{Actor, Error, Page, PageRequest, Result};

/// Default alert thresholds given to the stock rows of a new product.
pub const DEFAULT_STORE_THRESHOLD: i32 = 10;
pub const DEFAULT_WAREHOUSE_THRESHOLD: i32 = 100;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct Product {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub description: String,
    pub price: Decimal,
    pub category_id: i64,
    pub category_name: String,
    pub taxable: bool,
    pub active: bool,
    /// The warehouse quantity (`quantite_stock` in the REST contract).
    pub warehouse_quantity: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const PRODUCT_COLUMNS: &str = "p.id, p.code, p.name, p.description, p.price, p.category_id, \
     c.name AS category_name, p.taxable, p.active, COALESCE(cs.quantity, 0) AS warehouse_quantity, \
     p.created_at, p.updated_at";
const PRODUCT_FROM: &str = " FROM products p JOIN categories c ON c.id = p.category_id \
     LEFT JOIN central_stock cs ON cs.product_id = p.id";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProductSortKey {
    Name,
    Price,
    Code,
    #[default]
    Id,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductSort {
    pub key: ProductSortKey,
    pub descending: bool,
}

impl ProductSort {
    /// Parses the contract's `sort` parameter: `nom`, `prix`, `code`, `id`, `-` for descending.
    pub fn parse(s: &str) -> Option<Self> {
        let (descending, key) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let key = match key {
            "nom" | "name" => ProductSortKey::Name,
            "prix" | "price" => ProductSortKey::Price,
            "code" => ProductSortKey::Code,
            "id" => ProductSortKey::Id,
            _ => return None,
        };
        Some(Self { key, descending })
    }

    fn sql(&self) -> String {
        let column = match self.key {
            ProductSortKey::Name => "p.name",
            ProductSortKey::Price => "p.price",
            ProductSortKey::Code => "p.code",
            ProductSortKey::Id => "p.id",
        };
        let dir = if self.descending { "DESC" } else { "ASC" };
        // the id breaks ties so pages are stable
        format!(" ORDER BY {column} {dir}, p.id {dir}")
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductFilter {
    pub category_id: Option<i64>,
    pub price_min: Option<Decimal>,
    pub price_max: Option<Decimal>,
    /// Matches name, code or description, case- and accent-insensitively as far as ILIKE goes.
    pub q: Option<String>,
    pub active: Option<bool>,
}

fn push_filter(qb: &mut QueryBuilder<'_, Postgres>, filter: &ProductFilter) {
    qb.push(" WHERE TRUE");
    if let Some(category) = filter.category_id {
        qb.push(" AND p.category_id = ").push_bind(category);
    }
    if let Some(min) = filter.price_min {
        qb.push(" AND p.price >= ").push_bind(min);
    }
    if let Some(max) = filter.price_max {
        qb.push(" AND p.price <= ").push_bind(max);
    }
    if let Some(active) = filter.active {
        qb.push(" AND p.active = ").push_bind(active);
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", escape_like(q));
        qb.push(" AND (p.name ILIKE ")
            .push_bind(pattern.clone())
            .push(" OR p.code ILIKE ")
            .push_bind(pattern.clone())
            .push(" OR p.description ILIKE ")
            .push_bind(pattern)
            .push(")");
    }
}

/// Escapes `%`, `_` and `\` so user text matches literally inside an ILIKE pattern.
pub(crate) fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub async fn list_products(
    db: &PgPool,
    filter: &ProductFilter,
    sort: ProductSort,
    page: PageRequest,
) -> Result<Page<Product>> {
    let mut count = QueryBuilder::new("SELECT count(*) FROM products p");
    push_filter(&mut count, filter);
    let total: i64 = count.build_query_scalar().fetch_one(db).await?;

    let mut qb = QueryBuilder::new(format!("SELECT {PRODUCT_COLUMNS}{PRODUCT_FROM}"));
    push_filter(&mut qb, filter);
    qb.push(sort.sql());
    qb.push(" LIMIT ")
        .push_bind(page.limit())
        .push(" OFFSET ")
        .push_bind(page.offset());
    let items = qb.build_query_as().fetch_all(db).await?;
    Ok(Page::new(items, total, page))
}

pub async fn get_product(db: impl PgExecutor<'_>, id: i64) -> Result<Product> {
    sqlx::query_as(&format!(
        "SELECT {PRODUCT_COLUMNS}{PRODUCT_FROM} WHERE p.id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await?
    .ok_or_else(|| Error::not_found("Produit", id))
}

/// The product of a barcode or SKU (see [`normalize_code`]); a string that cannot be a code is
/// not found without a query.
pub async fn get_product_by_code(db: impl PgExecutor<'_>, code: &str) -> Result<Product> {
    let Some(normalized) = normalize_code(code) else {
        return Err(Error::not_found("Produit", code.trim()));
    };
    sqlx::query_as(&format!(
        "SELECT {PRODUCT_COLUMNS}{PRODUCT_FROM} WHERE p.code = $1"
    ))
    .bind(normalized)
    .fetch_optional(db)
    .await?
    .ok_or_else(|| Error::not_found("Produit", normalized))
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewProduct {
    pub code: String,
    pub name: String,
    pub description: String,
    pub price: Decimal,
    pub category_id: i64,
    pub taxable: bool,
    pub active: bool,
    /// Initial warehouse quantity (recorded as an `initial` movement).
    pub warehouse_quantity: i32,
}

/// Changes to a product; `None` leaves a field as it is (a full replacement sets them all).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductChanges {
    pub code: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub price: Option<Decimal>,
    pub category_id: Option<i64>,
    pub taxable: Option<bool>,
    pub active: Option<bool>,
    /// New warehouse quantity, recorded as an `adjustment` movement of the difference.
    pub warehouse_quantity: Option<i32>,
}

fn validate_fields(
    v: &mut Validator,
    code: Option<&str>,
    name: Option<&str>,
    description: Option<&str>,
    price: Option<Decimal>,
    warehouse_quantity: Option<i32>,
) {
    if let Some(code) = code {
        v.check(
            normalize_code(code) == Some(code),
            "code",
            "Code invalide : 1 à 64 lettres, chiffres, « . », « _ » ou « - ».",
        );
    }
    if let Some(name) = name {
        let n = name.trim().chars().count();
        v.check(
            (1..=200).contains(&n),
            "name",
            "Le nom est obligatoire (200 caractères au plus).",
        );
    }
    if let Some(description) = description {
        v.check(
            description.chars().count() <= 2000,
            "description",
            "2000 caractères au plus.",
        );
    }
    if let Some(price) = price {
        v.check(
            is_valid_amount(price),
            "price",
            "Le prix doit être positif, au cent près.",
        );
        v.check(
            price < Decimal::new(10_000_000_000, 0),
            "price",
            "Prix trop élevé.",
        );
    }
    if let Some(q) = warehouse_quantity {
        v.check(
            q >= 0,
            "warehouse_quantity",
            "La quantité ne peut pas être négative.",
        );
    }
}

/// Checks the fields a form typed, with the rules of [`create_product`] and [`update_product`],
/// without touching the database: a form whose other fields could not even be read (a price
/// that is not a number) still shows every problem at once.
pub fn validate_changes(changes: &ProductChanges) -> Result<()> {
    let mut v = Validator::default();
    validate_fields(
        &mut v,
        changes.code.as_deref().map(str::trim),
        changes.name.as_deref(),
        changes.description.as_deref(),
        changes.price,
        changes.warehouse_quantity,
    );
    v.finish()
}

pub async fn create_product(db: &PgPool, actor: &Actor, new: &NewProduct) -> Result<Product> {
    actor.ensure_head_office()?;
    let code = new.code.trim();
    let mut v = Validator::default();
    validate_fields(
        &mut v,
        Some(code),
        Some(&new.name),
        Some(&new.description),
        Some(new.price),
        Some(new.warehouse_quantity),
    );
    v.finish()?;

    let now = Utc::now();
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO products (code, name, description, price, category_id, taxable, active,
                               created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(code)
    .bind(new.name.trim())
    .bind(new.description.trim())
    .bind(new.price)
    .bind(new.category_id)
    .bind(new.taxable)
    .bind(new.active)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO store_stock (store_id, product_id, alert_threshold)
         SELECT id, $1, $2 FROM stores",
    )
    .bind(id)
    .bind(DEFAULT_STORE_THRESHOLD)
    .execute(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO central_stock (product_id, alert_threshold) VALUES ($1, $2)")
        .bind(id)
        .bind(DEFAULT_WAREHOUSE_THRESHOLD)
        .execute(&mut *tx)
        .await?;
    if new.warehouse_quantity > 0 {
        inventory::change_stock(
            &mut tx,
            &StockChange {
                location: Location::Warehouse,
                product_id: id,
                delta: new.warehouse_quantity,
                reason: MovementReason::Initial,
                actor,
                note: "Stock initial",
                at: now,
            },
        )
        .await?;
    }
    let product = get_product(&mut *tx, id).await?;
    tx.commit().await?;
    crate::events::emit(
        "create",
        "product",
        id,
        actor,
        serde_json::json!({"code": product.code, "name": product.name, "price": product.price}),
    );
    if new.warehouse_quantity > 0 {
        crate::events::movement(
            actor,
            Location::Warehouse,
            id,
            new.warehouse_quantity,
            "initial",
        );
    }
    Ok(product)
}

pub async fn update_product(
    db: &PgPool,
    actor: &Actor,
    id: i64,
    changes: &ProductChanges,
) -> Result<Product> {
    actor.ensure_head_office()?;
    let code = changes.code.as_deref().map(str::trim);
    let mut v = Validator::default();
    validate_fields(
        &mut v,
        code,
        changes.name.as_deref(),
        changes.description.as_deref(),
        changes.price,
        changes.warehouse_quantity,
    );
    v.finish()?;

    let now = Utc::now();
    let mut tx = db.begin().await?;
    let before = get_product(&mut *tx, id).await?;
    let updated = sqlx::query(
        "UPDATE products SET
            code = COALESCE($2, code),
            name = COALESCE($3, name),
            description = COALESCE($4, description),
            price = COALESCE($5, price),
            category_id = COALESCE($6, category_id),
            taxable = COALESCE($7, taxable),
            active = COALESCE($8, active),
            updated_at = $9
         WHERE id = $1",
    )
    .bind(id)
    .bind(code)
    .bind(changes.name.as_deref().map(str::trim))
    .bind(changes.description.as_deref().map(str::trim))
    .bind(changes.price)
    .bind(changes.category_id)
    .bind(changes.taxable)
    .bind(changes.active)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(Error::not_found("Produit", id));
    }
    if let Some(target) = changes.warehouse_quantity {
        inventory::set_quantity(
            &mut tx,
            Location::Warehouse,
            id,
            target,
            actor,
            "Correction via le catalogue",
            now,
        )
        .await?;
    }
    let product = get_product(&mut *tx, id).await?;
    tx.commit().await?;
    crate::events::emit(
        "update",
        "product",
        id,
        actor,
        serde_json::json!({"price_before": before.price, "price": product.price, "active": product.active,
            "code": product.code}),
    );
    if product.warehouse_quantity != before.warehouse_quantity {
        let delta = product.warehouse_quantity - before.warehouse_quantity;
        crate::events::movement(actor, Location::Warehouse, id, delta, "adjustment");
    }
    Ok(product)
}

/// Deactivating keeps the history and hides the product from the till.
pub async fn set_product_active(
    db: &PgPool,
    actor: &Actor,
    id: i64,
    active: bool,
) -> Result<Product> {
    update_product(
        db,
        actor,
        id,
        &ProductChanges {
            active: Some(active),
            ..Default::default()
        },
    )
    .await
}

/// Deletes a product that has no history; one that was ever sold, moved or requested is a
/// `Conflict` (deactivate it instead).
pub async fn delete_product(db: &PgPool, actor: &Actor, id: i64) -> Result<()> {
    actor.ensure_head_office()?;
    let deleted = sqlx::query("DELETE FROM products WHERE id = $1")
        .bind(id)
        .execute(db)
        .await
        .map_err(|e| crate::error::history_conflict(e, "Ce produit"))?;
    if deleted.rows_affected() == 0 {
        return Err(Error::not_found("Produit", id));
    }
    crate::events::emit("delete", "product", id, actor, serde_json::json!({}));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_gets_every_field_problem_at_once() {
        let changes = ProductChanges {
            code: Some(" bad code! ".into()),
            name: Some("  ".into()),
            price: Some(Decimal::new(-100, 2)),
            warehouse_quantity: Some(-1),
            ..Default::default()
        };
        match validate_changes(&changes) {
            Err(Error::Validation(errors)) => {
                let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, ["code", "name", "price", "warehouse_quantity"]);
            }
            other => panic!("{other:?}"),
        }
        let fine = ProductChanges {
            code: Some(" ALI009 ".into()),
            name: Some("Riz".into()),
            price: Some(Decimal::new(199, 2)),
            ..Default::default()
        };
        assert!(validate_changes(&fine).is_ok());
        assert!(validate_changes(&ProductChanges::default()).is_ok());
    }
}

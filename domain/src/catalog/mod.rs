//! The catalogue: categories and products. Creating a product gives it a stock row in every
//! store and in the warehouse, so stock lists and sales never meet a missing row.

mod code;
mod products;

pub use code::normalize_code;
pub use products::*;

use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgExecutor, PgPool};

use crate::error::Validator;
use crate::{Actor, Result};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct Category {
    pub id: i64,
    pub name: String,
    pub description: String,
}

pub async fn list_categories(db: impl PgExecutor<'_>) -> Result<Vec<Category>> {
    Ok(
        sqlx::query_as("SELECT id, name, description FROM categories ORDER BY name, id")
            .fetch_all(db)
            .await?,
    )
}

pub async fn get_category(db: impl PgExecutor<'_>, id: i64) -> Result<Category> {
    sqlx::query_as("SELECT id, name, description FROM categories WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or_else(|| crate::Error::not_found("Catégorie", id))
}

pub async fn create_category(
    db: &PgPool,
    actor: &Actor,
    name: &str,
    description: &str,
) -> Result<Category> {
    actor.ensure_head_office()?;
    let name = name.trim();
    Validator::default()
        .check(
            !name.is_empty() && name.chars().count() <= 120,
            "name",
            "Le nom est obligatoire (120 caractères au plus).",
        )
        .finish()?;
    Ok(sqlx::query_as(
        "INSERT INTO categories (name, description) VALUES ($1, $2)
         RETURNING id, name, description",
    )
    .bind(name)
    .bind(description.trim())
    .fetch_one(db)
    .await?)
}

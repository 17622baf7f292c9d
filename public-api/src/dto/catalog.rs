//! Products and categories.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::money_out;
use crate::error::{ApiError, FieldProblem};
use crate::extract::{Patch, check_money, finish, money, money_opt};

#[derive(Serialize, ToSchema)]
pub struct Product {
    #[schema(example = 1)]
    pub id: i64,
    #[schema(example = "ALI001")]
    pub code: String,
    #[schema(example = "Pain")]
    pub nom: String,
    #[schema(example = "Baguette tradition")]
    pub description: String,
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64, example = 1.20)]
    pub prix: Decimal,
    #[schema(example = 1)]
    pub categorie_id: i64,
    #[schema(example = "Alimentaire")]
    pub categorie: String,
    /// Subject to TPS and TVQ.
    #[schema(example = false)]
    pub taxable: bool,
    #[schema(example = true)]
    pub actif: bool,
    /// Quantity in the central warehouse (store stock is at `/stores/{id}/stock`).
    #[schema(example = 1200)]
    pub quantite_stock: i32,
    pub date_creation: DateTime<Utc>,
    pub date_modification: DateTime<Utc>,
}

impl From<domain::catalog::Product> for Product {
    fn from(p: domain::catalog::Product) -> Self {
        Product {
            id: p.id,
            code: p.code,
            nom: p.name,
            description: p.description,
            prix: p.price,
            categorie_id: p.category_id,
            categorie: p.category_name,
            taxable: p.taxable,
            actif: p.active,
            quantite_stock: p.warehouse_quantity,
            date_creation: p.created_at,
            date_modification: p.updated_at,
        }
    }
}

/// A new product (POST) or a full replacement (PUT).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "ALI006", "nom": "Riz", "description": "Riz basmati 1kg", "prix": 3.49, "categorie_id": 1, "quantite_stock": 500}))]
pub struct ProductInput {
    pub code: String,
    pub nom: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(deserialize_with = "money")]
    #[schema(value_type = f64)]
    pub prix: Decimal,
    pub categorie_id: i64,
    /// Warehouse quantity (default 0).
    #[serde(default)]
    pub quantite_stock: Option<i64>,
    /// Default true.
    #[serde(default)]
    pub taxable: Option<bool>,
    /// Default true.
    #[serde(default)]
    pub actif: Option<bool>,
}

fn check_quantity(errors: &mut Vec<FieldProblem>, field: &str, q: i64) -> i32 {
    if !(0..=i64::from(i32::MAX)).contains(&q) {
        errors.push(FieldProblem {
            field: field.into(),
            message: "quantité entière positive attendue".into(),
        });
        0
    } else {
        q as i32
    }
}

impl ProductInput {
    pub fn into_new(self) -> Result<domain::catalog::NewProduct, ApiError> {
        let mut errors = Vec::new();
        check_money(&mut errors, "prix", self.prix);
        let quantity = check_quantity(
            &mut errors,
            "quantite_stock",
            self.quantite_stock.unwrap_or(0),
        );
        finish(errors)?;
        Ok(domain::catalog::NewProduct {
            code: self.code,
            name: self.nom,
            description: self.description.unwrap_or_default(),
            price: self.prix,
            category_id: self.categorie_id,
            taxable: self.taxable.unwrap_or(true),
            active: self.actif.unwrap_or(true),
            warehouse_quantity: quantity,
        })
    }

    /// A PUT: every field set (absent optional ones take their defaults, the warehouse
    /// quantity stays as it is unless given).
    pub fn into_replacement(self) -> Result<domain::catalog::ProductChanges, ApiError> {
        let quantity_given = self.quantite_stock.is_some();
        let new = self.into_new()?;
        Ok(domain::catalog::ProductChanges {
            code: Some(new.code),
            name: Some(new.name),
            description: Some(new.description),
            price: Some(new.price),
            category_id: Some(new.category_id),
            taxable: Some(new.taxable),
            active: Some(new.active),
            warehouse_quantity: quantity_given.then_some(new.warehouse_quantity),
        })
    }
}

/// A partial update: absent fields stay as they are; `null` on a required field is refused.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"prix": 1.25}))]
pub struct ProductPatch {
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub code: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub nom: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub description: Patch<String>,
    #[serde(default, deserialize_with = "patch_money")]
    #[schema(value_type = Option<f64>)]
    pub prix: Patch<Decimal>,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub categorie_id: Patch<i64>,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub quantite_stock: Patch<i64>,
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub taxable: Patch<bool>,
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub actif: Patch<bool>,
}

fn patch_money<'de, D: serde::Deserializer<'de>>(de: D) -> Result<Patch<Decimal>, D::Error> {
    #[derive(Deserialize)]
    struct Wrapper(#[serde(deserialize_with = "money_opt")] Option<Decimal>);
    let value: Option<serde_json::Value> = Option::deserialize(de)?;
    match value {
        None => Ok(Patch::Null),
        Some(v) => serde_json::from_value::<Wrapper>(v)
            .map(|w| w.0.map_or(Patch::Null, Patch::Value))
            .map_err(serde::de::Error::custom),
    }
}

impl ProductPatch {
    pub fn into_changes(self) -> Result<domain::catalog::ProductChanges, ApiError> {
        let mut errors = Vec::new();
        let code = self.code.required("code", &mut errors);
        let name = self.nom.required("nom", &mut errors);
        let description = match self.description {
            Patch::Null => Some(String::new()),
            other => other.required("description", &mut errors),
        };
        let price = self.prix.required("prix", &mut errors);
        if let Some(p) = price {
            check_money(&mut errors, "prix", p);
        }
        let category_id = self.categorie_id.required("categorie_id", &mut errors);
        let quantity = self
            .quantite_stock
            .required("quantite_stock", &mut errors)
            .map(|q| check_quantity(&mut errors, "quantite_stock", q));
        let taxable = self.taxable.required("taxable", &mut errors);
        let active = self.actif.required("actif", &mut errors);
        finish(errors)?;
        Ok(domain::catalog::ProductChanges {
            code,
            name,
            description,
            price,
            category_id,
            taxable,
            active,
            warehouse_quantity: quantity,
        })
    }
}

/// Filters, sort and page of `GET /products`.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ProductQuery {
    /// Only this category.
    #[param(example = 1)]
    pub categorie_id: Option<i64>,
    /// Minimum price.
    #[param(value_type = Option<f64>, example = 1.0)]
    pub prix_min: Option<String>,
    /// Maximum price.
    #[param(value_type = Option<f64>, example = 3.0)]
    pub prix_max: Option<String>,
    /// Text searched in the name, code and description (at most 100 characters).
    #[param(example = "lait", max_length = 100)]
    pub q: Option<String>,
    /// Only active (`true`) or inactive (`false`) products.
    #[param(value_type = Option<bool>, example = true)]
    pub actif: Option<String>,
    /// `nom`, `prix`, `code` or `id`; `-` for descending (`-prix`).
    #[param(example = "nom")]
    pub sort: Option<String>,
    /// Page number, from 1 (at most 1,000,000).
    #[param(example = 1, minimum = 1, maximum = 1_000_000)]
    pub page: Option<i64>,
    /// Items per page, 1 to 100 (default 20).
    #[param(example = 20, minimum = 1, maximum = 100)]
    pub size: Option<i64>,
    /// Alias of `size`.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// Longest search text.
pub const MAX_SEARCH_LEN: usize = 100;

impl ProductQuery {
    pub fn parse(
        &self,
    ) -> Result<
        (
            domain::catalog::ProductFilter,
            domain::catalog::ProductSort,
            domain::PageRequest,
        ),
        ApiError,
    > {
        let mut errors = Vec::new();
        let mut price = |field: &str, v: &Option<String>| -> Option<Decimal> {
            let v = v.as_deref()?.trim();
            match v.parse::<Decimal>() {
                Ok(d) => {
                    check_money(&mut errors, field, d);
                    // 1, 1.0 and 1.00 are one filter (and one cache entry)
                    Some(d.normalize())
                }
                Err(_) => {
                    errors.push(FieldProblem {
                        field: field.into(),
                        message: "montant invalide".into(),
                    });
                    None
                }
            }
        };
        let price_min = price("prix_min", &self.prix_min);
        let price_max = price("prix_max", &self.prix_max);
        let sort = match self.sort.as_deref() {
            None | Some("") => domain::catalog::ProductSort::default(),
            Some(s) => domain::catalog::ProductSort::parse(s).unwrap_or_else(|| {
                errors.push(FieldProblem {
                    field: "sort".into(),
                    message: "tri inconnu : nom, prix, code ou id, avec - pour décroissant".into(),
                });
                Default::default()
            }),
        };
        let active = match self.actif.as_deref() {
            None | Some("") => None,
            Some(v) => match super::parse_bool("actif", v) {
                Ok(b) => Some(b),
                Err(_) => {
                    errors.push(FieldProblem {
                        field: "actif".into(),
                        message: "true ou false".into(),
                    });
                    None
                }
            },
        };
        // the domain searches the trimmed text, and nothing for an empty one
        let q = self
            .q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_owned);
        if q.as_ref()
            .is_some_and(|q| q.chars().count() > MAX_SEARCH_LEN)
        {
            errors.push(FieldProblem {
                field: "q".into(),
                message: format!("{MAX_SEARCH_LEN} caractères au plus"),
            });
        }
        finish(errors)?;
        let page = super::PageParams {
            page: self.page,
            size: self.size,
            limit: self.limit,
        }
        .request()?;
        Ok((
            domain::catalog::ProductFilter {
                category_id: self.categorie_id,
                price_min,
                price_max,
                q,
                active,
            },
            sort,
            page,
        ))
    }
}

#[derive(Serialize, ToSchema)]
pub struct Category {
    #[schema(example = 1)]
    pub id: i64,
    #[schema(example = "Alimentaire")]
    pub nom: String,
    #[schema(example = "Produits alimentaires de base (non taxables)")]
    pub description: String,
}

impl From<domain::catalog::Category> for Category {
    fn from(c: domain::catalog::Category) -> Self {
        Category {
            id: c.id,
            nom: c.name,
            description: c.description,
        }
    }
}

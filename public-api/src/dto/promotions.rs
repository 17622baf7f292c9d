//! Promotions and gift cards (SPEC section 6): `{id, nom, type, valeur, achat, paye,
//! produit_ids, categorie_ids, magasin_ids, debut, fin, actif}` and `{code, solde,
//! montant_initial, magasin_id, creee_le}`. The rules of a promotion are the domain's; its
//! problems already carry these field names.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{money_out, money_out_opt};
use crate::error::{ApiError, FieldProblem};
use crate::extract::{Patch, finish, money_opt};

#[derive(Serialize, ToSchema)]
pub struct Promotion {
    #[schema(example = 1)]
    pub id: i64,
    #[schema(example = "3 pour 2 sur les pâtes")]
    pub nom: String,
    /// `pourcentage` (x % de rabais), `montant` (x $ de rabais par unité), `prix_fixe` (prix
    /// unitaire x) or `lot` (acheter `achat`, payer `paye`).
    #[serde(rename = "type")]
    #[schema(example = "lot")]
    pub kind: String,
    /// The percent, the $ off each unit or the unit price; `null` for a `lot`.
    #[serde(serialize_with = "money_out_opt")]
    #[schema(value_type = Option<f64>, example = json!(null))]
    pub valeur: Option<Decimal>,
    /// `lot` only: units bought.
    #[schema(example = 3)]
    pub achat: Option<i32>,
    /// `lot` only: units paid.
    #[schema(example = 2)]
    pub paye: Option<i32>,
    #[schema(example = json!([5]))]
    pub produit_ids: Vec<i64>,
    #[schema(example = json!([]))]
    pub categorie_ids: Vec<i64>,
    /// Empty: every store.
    #[schema(example = json!([]))]
    pub magasin_ids: Vec<i64>,
    /// First day, in the store's time zone.
    #[schema(example = "2026-03-01")]
    pub debut: NaiveDate,
    /// Last day, included.
    #[schema(example = "2026-03-31")]
    pub fin: NaiveDate,
    #[schema(example = true)]
    pub actif: bool,
}

impl From<domain::promotions::Promotion> for Promotion {
    fn from(p: domain::promotions::Promotion) -> Self {
        Promotion {
            id: p.id,
            nom: p.name,
            kind: p.kind.as_str().to_owned(),
            valeur: p.value,
            achat: p.buy,
            paye: p.pay,
            produit_ids: p.product_ids,
            categorie_ids: p.category_ids,
            magasin_ids: p.store_ids,
            debut: p.starts_on,
            fin: p.ends_on,
            actif: p.active,
        }
    }
}

/// `null` or a money number (`money_opt` alone refuses `null`).
fn nullable_money<'de, D: Deserializer<'de>>(de: D) -> Result<Option<Decimal>, D::Error> {
    #[derive(Deserialize)]
    struct Wrapper(#[serde(deserialize_with = "money_opt")] Option<Decimal>);
    let value: Option<serde_json::Value> = Option::deserialize(de)?;
    match value {
        None => Ok(None),
        Some(v) => serde_json::from_value::<Wrapper>(v)
            .map(|w| w.0)
            .map_err(serde::de::Error::custom),
    }
}

fn patch_money<'de, D: Deserializer<'de>>(de: D) -> Result<Patch<Decimal>, D::Error> {
    Ok(match nullable_money(de)? {
        None => Patch::Null,
        Some(v) => Patch::Value(v),
    })
}

/// A new promotion.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"nom": "Printemps", "type": "pourcentage", "valeur": 20, "categorie_ids": [2], "debut": "2026-03-01", "fin": "2026-03-31"}))]
pub struct PromotionInput {
    pub nom: String,
    #[serde(rename = "type")]
    #[schema(example = "pourcentage")]
    pub kind: String,
    #[serde(default, deserialize_with = "nullable_money")]
    #[schema(value_type = Option<f64>)]
    pub valeur: Option<Decimal>,
    #[serde(default)]
    pub achat: Option<i32>,
    #[serde(default)]
    pub paye: Option<i32>,
    #[serde(default)]
    pub produit_ids: Vec<i64>,
    #[serde(default)]
    pub categorie_ids: Vec<i64>,
    /// Empty or absent: every store.
    #[serde(default)]
    pub magasin_ids: Vec<i64>,
    #[schema(value_type = String, format = Date)]
    pub debut: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub fin: NaiveDate,
    /// Default true.
    #[serde(default)]
    pub actif: Option<bool>,
}

impl PromotionInput {
    pub fn into_new(self) -> domain::promotions::NewPromotion {
        domain::promotions::NewPromotion {
            name: self.nom,
            kind: self.kind,
            value: self.valeur,
            buy: self.achat,
            pay: self.paye,
            product_ids: self.produit_ids,
            category_ids: self.categorie_ids,
            store_ids: self.magasin_ids,
            starts_on: self.debut,
            ends_on: self.fin,
            active: self.actif.unwrap_or(true),
        }
    }
}

/// A partial update: absent fields stay as they are; `null` clears `valeur`, `achat`, `paye`
/// and the id lists (no store listed: every store) and is refused on the other fields.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"actif": false}))]
pub struct PromotionPatch {
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub nom: Patch<String>,
    #[serde(default, rename = "type")]
    #[schema(value_type = Option<String>)]
    pub kind: Patch<String>,
    #[serde(default, deserialize_with = "patch_money")]
    #[schema(value_type = Option<f64>)]
    pub valeur: Patch<Decimal>,
    #[serde(default)]
    #[schema(value_type = Option<i32>)]
    pub achat: Patch<i32>,
    #[serde(default)]
    #[schema(value_type = Option<i32>)]
    pub paye: Patch<i32>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<i64>>)]
    pub produit_ids: Patch<Vec<i64>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<i64>>)]
    pub categorie_ids: Patch<Vec<i64>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<i64>>)]
    pub magasin_ids: Patch<Vec<i64>>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub debut: Patch<NaiveDate>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub fin: Patch<NaiveDate>,
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub actif: Patch<bool>,
}

/// A clearable field: `null` clears it.
fn clearable<T>(patch: Patch<T>) -> Option<Option<T>> {
    match patch {
        Patch::Absent => None,
        Patch::Null => Some(None),
        Patch::Value(v) => Some(Some(v)),
    }
}

/// An id list: `null` is the empty list.
fn ids(patch: Patch<Vec<i64>>) -> Option<Vec<i64>> {
    clearable(patch).map(Option::unwrap_or_default)
}

impl PromotionPatch {
    pub fn into_changes(self) -> Result<domain::promotions::PromotionChanges, ApiError> {
        let mut errors: Vec<FieldProblem> = Vec::new();
        let name = self.nom.required("nom", &mut errors);
        let kind = self.kind.required("type", &mut errors);
        let starts_on = self.debut.required("debut", &mut errors);
        let ends_on = self.fin.required("fin", &mut errors);
        let active = self.actif.required("actif", &mut errors);
        finish(errors)?;
        Ok(domain::promotions::PromotionChanges {
            name,
            kind,
            value: clearable(self.valeur),
            buy: clearable(self.achat),
            pay: clearable(self.paye),
            product_ids: ids(self.produit_ids),
            category_ids: ids(self.categorie_ids),
            store_ids: ids(self.magasin_ids),
            starts_on,
            ends_on,
            active,
        })
    }
}

/// Filters and page of `GET /promotions`.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct PromotionQuery {
    /// Only active (`true`) or inactive (`false`) promotions.
    #[param(value_type = Option<bool>, example = true)]
    pub actif: Option<String>,
    /// Only promotions whose dates include this day (`AAAA-MM-JJ`).
    #[param(value_type = Option<String>, format = Date, example = "2026-03-15")]
    pub date: Option<String>,
    /// Only promotions that apply in this store (listed, or every store).
    #[param(example = 1)]
    pub magasin_id: Option<i64>,
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

impl PromotionQuery {
    pub fn parse(
        &self,
    ) -> Result<(domain::promotions::PromotionFilter, domain::PageRequest), ApiError> {
        let mut errors = Vec::new();
        let active = match self.actif.as_deref().map(str::trim) {
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
        let current_on = match self.date.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(v) => match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
                Ok(day) => Some(day),
                Err(_) => {
                    errors.push(FieldProblem {
                        field: "date".into(),
                        message: "date invalide (AAAA-MM-JJ)".into(),
                    });
                    None
                }
            },
        };
        finish(errors)?;
        let page = super::PageParams {
            page: self.page,
            size: self.size,
            limit: self.limit,
        }
        .request()?;
        Ok((
            domain::promotions::PromotionFilter {
                active,
                current_on,
                store_id: self.magasin_id,
            },
            page,
        ))
    }
}

/// A gift card's balance.
#[derive(Serialize, ToSchema)]
pub struct GiftCard {
    #[schema(example = "4539148803436467")]
    pub code: String,
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64, example = 12.50)]
    pub solde: Decimal,
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64, example = 50.00)]
    pub montant_initial: Decimal,
    /// The store that sold it (accepted in every store).
    #[schema(example = 1)]
    pub magasin_id: i64,
    pub creee_le: DateTime<Utc>,
}

impl From<domain::gift_cards::GiftCard> for GiftCard {
    fn from(c: domain::gift_cards::GiftCard) -> Self {
        GiftCard {
            code: c.code,
            solde: c.balance,
            montant_initial: c.initial_amount,
            magasin_id: c.store_id,
            creee_le: c.created_at,
        }
    }
}

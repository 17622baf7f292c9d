//! Promotions (SPEC section 6): price rules head office sets on products and categories, in
//! every store or a list of them, between two local dates. This module owns the promotions as
//! stored and their rules of who may manage them; one file per verb: `validate` (the rules of
//! a promotion's fields), `write` (create, update, delete), `current` (the promotions a sale
//! applies, on the hot path of every sale and quote).
//!
//! Which promotion wins on a line is not decided here: that is the pure `pricing` crate's rule,
//! fed by [`current_promotions`].

mod current;
mod validate;
mod write;

pub use current::*;
pub use validate::*;
pub use write::*;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgExecutor, PgPool, Postgres, QueryBuilder};

use crate::{Error, Page, PageRequest, Result};

/// What a promotion does to the unit price of the lines it applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromotionKind {
    /// `valeur` % off, in (0, 100].
    Pourcentage,
    /// `valeur` $ off each unit.
    Montant,
    /// The unit price becomes `valeur` $.
    PrixFixe,
    /// Buy `achat` units, pay `paye` (3 for 2).
    Lot,
}

impl PromotionKind {
    pub const ALL: [PromotionKind; 4] = [
        PromotionKind::Pourcentage,
        PromotionKind::Montant,
        PromotionKind::PrixFixe,
        PromotionKind::Lot,
    ];

    /// The contract's and the database's name (`pourcentage`, `montant`, `prix_fixe`, `lot`).
    pub fn as_str(self) -> &'static str {
        match self {
            PromotionKind::Pourcentage => "pourcentage",
            PromotionKind::Montant => "montant",
            PromotionKind::PrixFixe => "prix_fixe",
            PromotionKind::Lot => "lot",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// For people (French).
    pub fn label(self) -> &'static str {
        match self {
            PromotionKind::Pourcentage => "Pourcentage de rabais",
            PromotionKind::Montant => "Montant de rabais par unité",
            PromotionKind::PrixFixe => "Prix fixe",
            PromotionKind::Lot => "Lot (x pour y)",
        }
    }
}

impl TryFrom<String> for PromotionKind {
    type Error = String;

    fn try_from(value: String) -> std::result::Result<Self, String> {
        Self::parse(&value).ok_or(value)
    }
}

/// A promotion as stored. `store_ids` empty means every store; dates are local dates of the
/// store where the sale happens, both included.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct Promotion {
    pub id: i64,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub kind: PromotionKind,
    /// `pourcentage`: the percent; `montant`: $ off each unit; `prix_fixe`: the unit price;
    /// `None` for a `lot`.
    pub value: Option<Decimal>,
    /// `lot` only: units bought.
    pub buy: Option<i32>,
    /// `lot` only: units paid.
    pub pay: Option<i32>,
    pub product_ids: Vec<i64>,
    pub category_ids: Vec<i64>,
    pub store_ids: Vec<i64>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Where a promotion stands on a given day, for the lists of the UI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PromotionStatus {
    Current,
    Upcoming,
    Ended,
    Inactive,
}

impl Promotion {
    pub fn status_on(&self, day: NaiveDate) -> PromotionStatus {
        if !self.active {
            PromotionStatus::Inactive
        } else if day < self.starts_on {
            PromotionStatus::Upcoming
        } else if day > self.ends_on {
            PromotionStatus::Ended
        } else {
            PromotionStatus::Current
        }
    }
}

/// The columns of a [`Promotion`], its link tables gathered in arrays (one statement).
pub(crate) const PROMOTION_COLUMNS: &str = "p.id, p.name, p.kind, p.value, p.buy, p.pay, \
     p.starts_on, p.ends_on, p.active, p.created_at, p.updated_at, \
     ARRAY(SELECT pp.product_id FROM promotion_products pp WHERE pp.promotion_id = p.id \
           ORDER BY pp.product_id) AS product_ids, \
     ARRAY(SELECT pc.category_id FROM promotion_categories pc WHERE pc.promotion_id = p.id \
           ORDER BY pc.category_id) AS category_ids, \
     ARRAY(SELECT ps.store_id FROM promotion_stores ps WHERE ps.promotion_id = p.id \
           ORDER BY ps.store_id) AS store_ids";

/// Any employee or API client may read the promotions (a cashier explains a price); only head
/// office changes them.
pub async fn get_promotion(db: impl PgExecutor<'_>, id: i64) -> Result<Promotion> {
    sqlx::query_as(&format!(
        "SELECT {PROMOTION_COLUMNS} FROM promotions p WHERE p.id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await?
    .ok_or_else(|| Error::not_found("Promotion", id))
}

/// Filters of the promotions' list; each `None` lets everything through.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PromotionFilter {
    pub active: Option<bool>,
    /// Only promotions whose dates include this day (active or not: combine with `active`).
    pub current_on: Option<NaiveDate>,
    /// Only promotions that apply in this store (it is listed, or none is).
    pub store_id: Option<i64>,
}

fn push_filter(qb: &mut QueryBuilder<'_, Postgres>, filter: &PromotionFilter) {
    qb.push(" WHERE TRUE");
    if let Some(active) = filter.active {
        qb.push(" AND p.active = ").push_bind(active);
    }
    if let Some(day) = filter.current_on {
        qb.push(" AND p.starts_on <= ")
            .push_bind(day)
            .push(" AND p.ends_on >= ")
            .push_bind(day);
    }
    if let Some(store) = filter.store_id {
        qb.push(
            " AND (NOT EXISTS (SELECT 1 FROM promotion_stores ps WHERE ps.promotion_id = p.id) \
             OR EXISTS (SELECT 1 FROM promotion_stores ps WHERE ps.promotion_id = p.id \
             AND ps.store_id = ",
        )
        .push_bind(store)
        .push("))");
    }
}

/// The promotions, newest start first (the id breaks ties, so pages are stable).
pub async fn list_promotions(
    db: &PgPool,
    filter: &PromotionFilter,
    page: PageRequest,
) -> Result<Page<Promotion>> {
    let mut count = QueryBuilder::new("SELECT count(*) FROM promotions p");
    push_filter(&mut count, filter);
    let total: i64 = count.build_query_scalar().fetch_one(db).await?;
    let mut qb = QueryBuilder::new(format!("SELECT {PROMOTION_COLUMNS} FROM promotions p"));
    push_filter(&mut qb, filter);
    qb.push(" ORDER BY p.starts_on DESC, p.id DESC LIMIT ")
        .push_bind(page.limit())
        .push(" OFFSET ")
        .push_bind(page.offset());
    let items = qb.build_query_as().fetch_all(db).await?;
    Ok(Page::new(items, total, page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_their_contract_names() {
        for kind in PromotionKind::ALL {
            assert_eq!(PromotionKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(PromotionKind::parse("solde"), None);
        assert_eq!(
            serde_json::to_string(&PromotionKind::PrixFixe).unwrap(),
            "\"prix_fixe\""
        );
    }
}

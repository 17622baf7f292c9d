//! The rules of a promotion's fields, checked before anything is written, every problem at
//! once and named with the REST contract's field names (`nom`, `type`, `valeur`, `achat`,
//! `paye`, `produit_ids`, `categorie_ids`, `magasin_ids`, `debut`, `fin`), which the web form
//! uses too. The database's CHECKs repeat the essential ones as a last line.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;

use super::PromotionKind;
use crate::error::Validator;
use crate::money::is_valid_amount;
use crate::reporting::{MAX_DATE, MIN_DATE};
use crate::{Error, FieldError, Result};

/// Most products, categories or stores one promotion lists: a promotion on more products is
/// one on their category.
pub const MAX_TARGETS: usize = 1000;

/// A promotion to create, or the whole of one after a change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewPromotion {
    pub name: String,
    /// `pourcentage`, `montant`, `prix_fixe` or `lot` (checked, so that a form's or a
    /// client's typo is a field problem like the others).
    pub kind: String,
    pub value: Option<Decimal>,
    pub buy: Option<i32>,
    pub pay: Option<i32>,
    pub product_ids: Vec<i64>,
    pub category_ids: Vec<i64>,
    /// Empty: every store.
    pub store_ids: Vec<i64>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub active: bool,
}

/// A partial change: `None` leaves a field as it is; `Some(None)` clears an optional one.
/// When the kind changes and the fields of the old kind are not mentioned, they are dropped
/// (a `pourcentage` turned into a `lot` loses its `valeur`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PromotionChanges {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub value: Option<Option<Decimal>>,
    pub buy: Option<Option<i32>>,
    pub pay: Option<Option<i32>>,
    pub product_ids: Option<Vec<i64>>,
    pub category_ids: Option<Vec<i64>>,
    pub store_ids: Option<Vec<i64>>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub active: Option<bool>,
}

impl NewPromotion {
    /// The promotion once `changes` are applied to it.
    pub fn with(mut self, changes: &PromotionChanges) -> Self {
        let old_kind = self.kind.clone();
        if let Some(name) = &changes.name {
            self.name = name.clone();
        }
        if let Some(kind) = &changes.kind {
            self.kind = kind.clone();
        }
        if self.kind != old_kind {
            let is_lot = PromotionKind::parse(&self.kind) == Some(PromotionKind::Lot);
            if is_lot && changes.value.is_none() {
                self.value = None;
            }
            if !is_lot && changes.buy.is_none() && changes.pay.is_none() {
                self.buy = None;
                self.pay = None;
            }
        }
        if let Some(value) = changes.value {
            self.value = value;
        }
        if let Some(buy) = changes.buy {
            self.buy = buy;
        }
        if let Some(pay) = changes.pay {
            self.pay = pay;
        }
        if let Some(ids) = &changes.product_ids {
            self.product_ids = ids.clone();
        }
        if let Some(ids) = &changes.category_ids {
            self.category_ids = ids.clone();
        }
        if let Some(ids) = &changes.store_ids {
            self.store_ids = ids.clone();
        }
        if let Some(day) = changes.starts_on {
            self.starts_on = day;
        }
        if let Some(day) = changes.ends_on {
            self.ends_on = day;
        }
        if let Some(active) = changes.active {
            self.active = active;
        }
        self
    }

    /// Sorted, without duplicates: the link tables' primary keys refuse a repeated id, and a
    /// client that lists a product twice means it once.
    pub(crate) fn normalized(mut self) -> Self {
        for ids in [
            &mut self.product_ids,
            &mut self.category_ids,
            &mut self.store_ids,
        ] {
            ids.sort_unstable();
            ids.dedup();
        }
        self.name = self.name.trim().to_owned();
        self.kind = self.kind.trim().to_owned();
        self
    }
}

impl From<super::Promotion> for NewPromotion {
    fn from(p: super::Promotion) -> Self {
        NewPromotion {
            name: p.name,
            kind: p.kind.as_str().to_owned(),
            value: p.value,
            buy: p.buy,
            pay: p.pay,
            product_ids: p.product_ids,
            category_ids: p.category_ids,
            store_ids: p.store_ids,
            starts_on: p.starts_on,
            ends_on: p.ends_on,
            active: p.active,
        }
    }
}

/// Checks the fields that need no database, every problem at once.
pub fn validate_promotion(p: &NewPromotion) -> Result<()> {
    let mut v = Validator::default();
    let name_len = p.name.trim().chars().count();
    v.check(
        (1..=120).contains(&name_len),
        "nom",
        "Le nom est obligatoire (120 caractères au plus).",
    );
    let kind = PromotionKind::parse(&p.kind);
    v.check(
        kind.is_some(),
        "type",
        "Type inconnu : pourcentage, montant, prix_fixe ou lot.",
    );
    match kind {
        Some(PromotionKind::Lot) => check_lot(&mut v, p),
        Some(kind) => check_value(&mut v, kind, p),
        None => {}
    }
    v.check(
        !(p.product_ids.is_empty() && p.category_ids.is_empty()),
        "produit_ids",
        "Choisissez au moins un produit ou une catégorie.",
    );
    for (field, ids) in [
        ("produit_ids", &p.product_ids),
        ("categorie_ids", &p.category_ids),
        ("magasin_ids", &p.store_ids),
    ] {
        v.check(
            ids.len() <= MAX_TARGETS,
            field,
            "1000 éléments au plus : visez plutôt une catégorie.",
        );
    }
    let in_range = |d: NaiveDate| (MIN_DATE..=MAX_DATE).contains(&d);
    v.check(
        in_range(p.starts_on),
        "debut",
        "Date hors de la plage acceptée (1900-01-01 à 9999-12-31).",
    );
    v.check(
        in_range(p.ends_on),
        "fin",
        "Date hors de la plage acceptée (1900-01-01 à 9999-12-31).",
    );
    v.check(
        p.ends_on >= p.starts_on,
        "fin",
        "La date de fin précède la date de début.",
    );
    v.finish()
}

fn check_lot(v: &mut Validator, p: &NewPromotion) {
    v.check(
        p.value.is_none(),
        "valeur",
        "Un lot n'a pas de valeur : indiquez « achat » et « paye ».",
    );
    match p.buy {
        None => {
            v.check(false, "achat", "Indiquez combien d'unités sont achetées.");
        }
        Some(buy) => {
            v.check(
                (2..=1000).contains(&buy),
                "achat",
                "Un lot compte de 2 à 1000 unités.",
            );
        }
    }
    match (p.pay, p.buy) {
        (None, _) => {
            v.check(false, "paye", "Indiquez combien d'unités sont payées.");
        }
        (Some(pay), buy) => {
            v.check(
                pay >= 1 && buy.is_none_or(|buy| pay < buy),
                "paye",
                "Les unités payées vont de 1 à une de moins que les unités achetées.",
            );
        }
    }
}

fn check_value(v: &mut Validator, kind: PromotionKind, p: &NewPromotion) {
    v.check(
        p.buy.is_none(),
        "achat",
        "Seul un lot a des unités achetées.",
    );
    v.check(p.pay.is_none(), "paye", "Seul un lot a des unités payées.");
    let Some(value) = p.value else {
        v.check(false, "valeur", "La valeur est obligatoire.");
        return;
    };
    let cents = value.normalize().scale() <= 2;
    if kind == PromotionKind::Pourcentage {
        v.check(
            value > Decimal::ZERO && value <= Decimal::ONE_HUNDRED && cents,
            "valeur",
            "Le pourcentage va de 0,01 à 100, deux décimales au plus.",
        );
    } else if kind == PromotionKind::Montant {
        // a rabais of 0 saves nothing: it would never apply to a line
        v.check(
            is_valid_amount(value) && value > Decimal::ZERO,
            "valeur",
            "Le rabais doit être d'au moins 0,01 $, au cent près.",
        );
    } else {
        v.check(
            is_valid_amount(value),
            "valeur",
            "Le montant doit être positif, au cent près.",
        );
    }
}

/// The products, categories and stores a promotion lists must exist: one round trip, each
/// unknown id named under its field.
pub(crate) async fn check_references(conn: &mut PgConnection, p: &NewPromotion) -> Result<()> {
    let (products, categories, stores): (Vec<i64>, Vec<i64>, Vec<i64>) = sqlx::query_as(
        "SELECT
            ARRAY(SELECT w FROM unnest($1::BIGINT[]) w
                  WHERE NOT EXISTS (SELECT 1 FROM products WHERE id = w) ORDER BY w),
            ARRAY(SELECT w FROM unnest($2::BIGINT[]) w
                  WHERE NOT EXISTS (SELECT 1 FROM categories WHERE id = w) ORDER BY w),
            ARRAY(SELECT w FROM unnest($3::BIGINT[]) w
                  WHERE NOT EXISTS (SELECT 1 FROM stores WHERE id = w) ORDER BY w)",
    )
    .bind(&p.product_ids)
    .bind(&p.category_ids)
    .bind(&p.store_ids)
    .fetch_one(conn)
    .await?;
    let mut errors = Vec::new();
    for (field, what, missing) in [
        ("produit_ids", "Produit(s) inconnu(s)", products),
        ("categorie_ids", "Catégorie(s) inconnue(s)", categories),
        ("magasin_ids", "Magasin(s) inconnu(s)", stores),
    ] {
        if !missing.is_empty() {
            let ids: Vec<String> = missing.iter().take(10).map(i64::to_string).collect();
            errors.push(FieldError::new(
                field,
                format!("{what} : {}.", ids.join(", ")),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn promo(kind: &str) -> NewPromotion {
        NewPromotion {
            name: "Rentrée".into(),
            kind: kind.into(),
            value: Some(dec!(10)),
            buy: None,
            pay: None,
            product_ids: vec![1],
            category_ids: vec![],
            store_ids: vec![],
            starts_on: NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
            ends_on: NaiveDate::from_ymd_opt(2026, 9, 30).unwrap(),
            active: true,
        }
    }

    fn fields(p: &NewPromotion) -> Vec<String> {
        match validate_promotion(p) {
            Ok(()) => vec![],
            Err(Error::Validation(errors)) => errors.into_iter().map(|e| e.field).collect(),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn valid_promotions_of_each_kind_pass() {
        assert!(fields(&promo("pourcentage")).is_empty());
        assert!(fields(&promo("montant")).is_empty());
        assert!(
            fields(&NewPromotion {
                value: Some(dec!(0)),
                ..promo("prix_fixe")
            })
            .is_empty()
        );
        let lot = NewPromotion {
            value: None,
            buy: Some(3),
            pay: Some(2),
            ..promo("lot")
        };
        assert!(fields(&lot).is_empty());
    }

    #[test]
    fn every_problem_is_named_with_the_contract_field() {
        let bad = NewPromotion {
            name: "  ".into(),
            value: Some(dec!(100.5)),
            product_ids: vec![],
            ends_on: NaiveDate::from_ymd_opt(2026, 8, 1).unwrap(),
            ..promo("pourcentage")
        };
        assert_eq!(fields(&bad), ["nom", "valeur", "produit_ids", "fin"]);
        assert_eq!(fields(&promo("solde")), ["type"]);
        let cents = NewPromotion {
            value: Some(dec!(1.005)),
            ..promo("montant")
        };
        assert_eq!(fields(&cents), ["valeur"]);
        let negative = NewPromotion {
            value: Some(dec!(-1)),
            ..promo("prix_fixe")
        };
        assert_eq!(fields(&negative), ["valeur"]);
        assert_eq!(
            fields(&NewPromotion {
                value: Some(dec!(0)),
                ..promo("pourcentage")
            }),
            ["valeur"]
        );
        assert_eq!(
            fields(&NewPromotion {
                value: Some(dec!(0)),
                ..promo("montant")
            }),
            ["valeur"]
        );
        let no_value = NewPromotion {
            value: None,
            buy: Some(3),
            ..promo("montant")
        };
        assert_eq!(fields(&no_value), ["achat", "valeur"]);
    }

    #[test]
    fn a_lot_needs_buy_at_least_two_and_pay_below_it() {
        let lot = |buy, pay| NewPromotion {
            value: None,
            buy,
            pay,
            ..promo("lot")
        };
        assert_eq!(fields(&lot(Some(1), Some(1))), ["achat", "paye"]);
        assert_eq!(fields(&lot(Some(3), Some(3))), ["paye"]);
        assert_eq!(fields(&lot(Some(3), Some(0))), ["paye"]);
        assert_eq!(fields(&lot(None, None)), ["achat", "paye"]);
        let with_value = NewPromotion {
            value: Some(dec!(5)),
            ..lot(Some(3), Some(2))
        };
        assert_eq!(fields(&with_value), ["valeur"]);
    }

    #[test]
    fn changing_the_kind_drops_the_old_kind_s_fields() {
        let to_lot = PromotionChanges {
            kind: Some("lot".into()),
            buy: Some(Some(3)),
            pay: Some(Some(2)),
            ..Default::default()
        };
        let lot = promo("pourcentage").with(&to_lot);
        assert_eq!((lot.value, lot.buy, lot.pay), (None, Some(3), Some(2)));
        assert!(fields(&lot).is_empty());
        let back = lot.with(&PromotionChanges {
            kind: Some("montant".into()),
            value: Some(Some(dec!(0.50))),
            ..Default::default()
        });
        assert_eq!(
            (back.value, back.buy, back.pay),
            (Some(dec!(0.50)), None, None)
        );
        let same = promo("montant").with(&PromotionChanges {
            active: Some(false),
            ..Default::default()
        });
        assert_eq!((same.value, same.active), (Some(dec!(10)), false));
    }
}

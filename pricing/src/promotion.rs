//! Promotions set by head office: what they are, when they are valid, which lines they apply to
//! and the amount a line costs under one (step 1 of the money order).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::cart::item::Item;
use crate::money::round_cents;

/// The four kinds of the SPEC, named by their REST `type` in the comments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PromotionKind {
    /// `pourcentage`: x % off the unit price.
    Percent(Decimal),
    /// `montant`: x $ off each unit.
    AmountOff(Decimal),
    /// `prix_fixe`: each unit sells at x $ (never more than its price).
    FixedPrice(Decimal),
    /// `lot`: buy `buy` units, pay `pay` of them (3 for 2).
    Lot { buy: i32, pay: i32 },
}

impl PromotionKind {
    /// What `quantity` units of `unit` cost under this kind, or `None` when the kind's values
    /// make no sense (a promotion that was never validated must not price a line, nor panic on
    /// a lot of 0). Never negative and never more than the original amount.
    pub fn line_amount(&self, unit: Decimal, quantity: i32) -> Option<Decimal> {
        let q = Decimal::from(quantity);
        let original = unit * q;
        let amount = match *self {
            Self::Percent(x) if x > Decimal::ZERO && x <= Decimal::ONE_HUNDRED => {
                (unit - round_cents(unit * x / Decimal::ONE_HUNDRED)) * q
            }
            Self::AmountOff(x) if x >= Decimal::ZERO => (unit - x).max(Decimal::ZERO) * q,
            Self::FixedPrice(x) if x >= Decimal::ZERO => x.min(unit) * q,
            Self::Lot { buy, pay } if pay >= 1 && pay < buy => {
                let (lots, rest) = (quantity / buy, quantity % buy);
                Decimal::from(lots) * Decimal::from(pay) * unit + Decimal::from(rest) * unit
            }
            _ => return None,
        };
        Some(amount.clamp(Decimal::ZERO, original))
    }
}

/// A promotion as head office configures it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promotion {
    pub id: i64,
    pub name: String,
    pub kind: PromotionKind,
    pub product_ids: Vec<i64>,
    pub category_ids: Vec<i64>,
    /// Empty: every store.
    pub store_ids: Vec<i64>,
    /// First day, in the store's local date.
    pub starts_on: NaiveDate,
    /// Last day included, in the store's local date.
    pub ends_on: NaiveDate,
    pub active: bool,
}

impl Promotion {
    /// True when the promotion is a candidate for the line: active, `local_date` (the store's
    /// date, not UTC: a promotion ending Sunday still runs Sunday evening in Montreal) between its
    /// first and last day included, the store listed (or none listed), and the product listed or
    /// its category listed.
    pub fn applies(&self, store_id: i64, local_date: NaiveDate, item: &Item) -> bool {
        self.active
            && self.starts_on <= local_date
            && local_date <= self.ends_on
            && (self.store_ids.is_empty() || self.store_ids.contains(&store_id))
            && (self.product_ids.contains(&item.product_id)
                || item
                    .category_id
                    .is_some_and(|c| self.category_ids.contains(&c)))
    }
}

/// The promotion that saves the customer most on the line, with the line's promoted amount:
/// only a saving above zero counts, ties go to the lowest id.
pub fn best_promotion<'a>(
    promotions: &'a [Promotion],
    store_id: i64,
    local_date: NaiveDate,
    item: &Item,
) -> Option<(&'a Promotion, Decimal)> {
    let original = item.unit_price * Decimal::from(item.quantity);
    promotions
        .iter()
        .filter(|p| p.applies(store_id, local_date, item))
        .filter_map(|p| {
            let amount = p.kind.line_amount(item.unit_price, item.quantity)?;
            (amount < original).then_some((p, amount))
        })
        .min_by(|(a, amount_a), (b, amount_b)| amount_a.cmp(amount_b).then(a.id.cmp(&b.id)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap_or_default()
    }

    fn promo(kind: PromotionKind) -> Promotion {
        Promotion {
            id: 1,
            name: "Trois pour deux".into(),
            kind,
            product_ids: vec![10],
            category_ids: vec![7],
            store_ids: vec![2, 3],
            starts_on: day(5),
            ends_on: day(12),
            active: true,
        }
    }

    fn item(product_id: i64, category_id: Option<i64>) -> Item {
        Item {
            product_id,
            category_id,
            unit_price: dec!(1.80),
            quantity: 3,
            taxable: true,
            discount: None,
        }
    }

    #[test]
    fn applies_in_its_dates_stores_products_and_categories() {
        let p = promo(PromotionKind::Lot { buy: 3, pay: 2 });
        let product = item(10, None);
        assert!(p.applies(2, day(5), &product), "first day included");
        assert!(p.applies(3, day(12), &product), "last day included");
        assert!(!p.applies(2, day(4), &product));
        assert!(!p.applies(2, day(13), &product));
        assert!(!p.applies(1, day(6), &product), "store not listed");
        assert!(p.applies(2, day(6), &item(99, Some(7))), "by its category");
        assert!(!p.applies(2, day(6), &item(99, Some(8))));
        assert!(!p.applies(2, day(6), &item(99, None)));
        let everywhere = Promotion {
            store_ids: vec![],
            ..p.clone()
        };
        assert!(everywhere.applies(42, day(6), &product));
        let off = Promotion { active: false, ..p };
        assert!(!off.applies(2, day(6), &product));
    }

    #[test]
    fn an_invalid_kind_prices_nothing_rather_than_panicking() {
        assert_eq!(
            PromotionKind::Lot { buy: 0, pay: 0 }.line_amount(dec!(1), 3),
            None
        );
        assert_eq!(
            PromotionKind::Percent(dec!(150)).line_amount(dec!(1), 3),
            None
        );
        assert_eq!(
            PromotionKind::AmountOff(dec!(-1)).line_amount(dec!(1), 3),
            None
        );
    }
}

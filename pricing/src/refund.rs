//! Returns: what returned units refund (their real paid share, discounts and taxes included),
//! spread back over the tenders the sale was paid with, and the loyalty points taken back.
//!
//! Every share is computed cumulatively (what everything returned so far is worth, minus what
//! was returned before), so returning a whole sale in any number of returns, in any order,
//! refunds exactly its total and takes back exactly its points.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use crate::error::{FieldError, PricingError, fr_money};
use crate::money::{Totals, is_valid_amount, returned_share, round_cents};
use crate::spread::largest_remainders;

/// A line as it was sold: its quantity and its net total (after every discount, before tax).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SoldLine {
    pub quantity: i32,
    pub total: Decimal,
    pub taxable: bool,
}

impl SoldLine {
    /// The net value of the first `returned` units: their share of the line's total, rounded to
    /// the cent; all of them are the total itself (the last unit takes the rest).
    pub fn value(&self, returned: i32) -> Decimal {
        if returned >= self.quantity {
            self.total
        } else {
            round_cents(self.total * Decimal::from(returned) / Decimal::from(self.quantity))
        }
    }
}

/// What returning `now[i]` more units of each line refunds, taxes included, when `already[i]`
/// were returned before. Refused when the lists do not match the lines or a line would be
/// returned more than it was sold.
pub fn refund(
    lines: &[SoldLine],
    sale: &Totals,
    already: &[i32],
    now: &[i32],
) -> Result<Totals, PricingError> {
    if already.len() != lines.len() || now.len() != lines.len() {
        return Err(PricingError::new(
            "lignes",
            "Chaque ligne de la vente doit avoir sa quantité retournée.",
        ));
    }
    let mut errors = Vec::new();
    for (i, ((line, before), asked)) in lines.iter().zip(already).zip(now).enumerate() {
        let field = format!("lignes[{i}]");
        if *before < 0 || *asked < 0 {
            errors.push(FieldError::new(
                field,
                "Une quantité retournée ne peut être négative.",
            ));
        } else if i64::from(*before) + i64::from(*asked) > i64::from(line.quantity) {
            errors.push(FieldError::new(
                field,
                format!(
                    "Au plus {} article(s) de cette ligne peuvent encore être retournés.",
                    (line.quantity - before).max(0)
                ),
            ));
        }
    }
    PricingError::check(errors)?;

    let value = |returned: &dyn Fn(usize) -> i32| {
        let (mut all, mut taxable) = (Decimal::ZERO, Decimal::ZERO);
        for (i, line) in lines.iter().enumerate() {
            let amount = line.value(returned(i));
            all += amount;
            if line.taxable {
                taxable += amount;
            }
        }
        (all, taxable)
    };
    let taxable_base = value(&|i| lines[i].quantity).1;
    let (before, before_taxable) = value(&|i| already[i]);
    let (after, after_taxable) = value(&|i| already[i] + now[i]);
    let share_before = returned_share(sale, taxable_base, before, before_taxable);
    let share_after = returned_share(sale, taxable_base, after, after_taxable);
    Ok(Totals {
        subtotal: share_after.subtotal - share_before.subtotal,
        tps: share_after.tps - share_before.tps,
        tvq: share_after.tvq - share_before.tvq,
        total: share_after.total - share_before.total,
    })
}

/// Spreads a refund over the sale's tenders pro rata to what each has left (paid minus already
/// refunded to it), to the cent by largest remainders: never more than a tender has left, and
/// summing exactly to `amount`. Refused when `amount` is more than everything left.
pub fn split_refund(amount: Decimal, remaining: &[Decimal]) -> Result<Vec<Decimal>, PricingError> {
    let mut errors = Vec::new();
    if !is_valid_amount(amount) {
        errors.push(FieldError::new(
            "montant",
            "Le remboursement doit être un montant positif avec au plus deux décimales.",
        ));
    }
    for (i, r) in remaining.iter().enumerate() {
        if !is_valid_amount(*r) {
            errors.push(FieldError::new(
                format!("paiements[{i}]"),
                "Le reste d'un paiement doit être un montant positif avec au plus deux décimales.",
            ));
        }
    }
    PricingError::check(errors)?;
    let left: Decimal = remaining.iter().sum();
    if amount > left {
        return Err(PricingError::new(
            "montant",
            format!(
                "Le remboursement ({}) dépasse ce qui reste à rembourser sur les paiements de la vente ({}).",
                fr_money(amount),
                fr_money(left)
            ),
        ));
    }
    Ok(largest_remainders(amount, remaining))
}

/// The points a return takes back of the `earned` points of a sale whose net total (before tax)
/// is `net_total`, when the value returned goes from `returned_before` to `returned_after`: the
/// floor of the cumulative share, everything returned being every point earned.
pub fn points_reversed(
    earned: i64,
    net_total: Decimal,
    returned_before: Decimal,
    returned_after: Decimal,
) -> i64 {
    let share = |returned: Decimal| -> i64 {
        if returned >= net_total {
            return earned;
        }
        if returned <= Decimal::ZERO {
            return 0;
        }
        let points = Decimal::from(earned);
        // Exact when it fits (it always does for real sales); the ratio first otherwise.
        let exact = points
            .checked_mul(returned)
            .map(|p| p / net_total)
            .unwrap_or_else(|| points * (returned / net_total));
        exact.floor().to_i64().unwrap_or(0)
    };
    share(returned_after) - share(returned_before)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::TaxRates;
    use rust_decimal_macros::dec;

    fn sold() -> (Vec<SoldLine>, Totals) {
        // 3 units for 3.60 after a lot (taxable), 2 units for 2.25 after a discount (not taxed).
        let lines = vec![
            SoldLine {
                quantity: 3,
                total: dec!(3.60),
                taxable: true,
            },
            SoldLine {
                quantity: 2,
                total: dec!(2.25),
                taxable: false,
            },
        ];
        let totals = TaxRates::default().totals(lines.iter().map(|l| (l.total, l.taxable)));
        (lines, totals)
    }

    #[test]
    fn returns_refund_the_paid_share_and_all_of_them_the_total() -> Result<(), PricingError> {
        let (lines, sale) = sold();
        assert_eq!(sale.total, dec!(6.39)); // 5.85 + 0.18 + 0.36
        let first = refund(&lines, &sale, &[0, 0], &[1, 1])?;
        // 1.20 + 1.13 (2.25 / 2 = 1.125 -> 1.13); taxes: a third of 0.18 and 0.36.
        assert_eq!(first.subtotal, dec!(2.33));
        assert_eq!((first.tps, first.tvq), (dec!(0.06), dec!(0.12)));
        assert_eq!(first.total, dec!(2.51));
        let second = refund(&lines, &sale, &[1, 1], &[1, 0])?;
        let last = refund(&lines, &sale, &[2, 1], &[1, 1])?;
        assert_eq!(
            last.subtotal,
            dec!(3.60) - dec!(2.40) + dec!(2.25) - dec!(1.13)
        );
        assert_eq!(first.total + second.total + last.total, sale.total);
        Ok(())
    }

    #[test]
    fn refuses_returning_more_than_was_sold() {
        let (lines, sale) = sold();
        let fields = |r: Result<Totals, PricingError>| -> Vec<String> {
            r.err()
                .map(|e| e.errors.into_iter().map(|f| f.field).collect())
                .unwrap_or_default()
        };
        assert_eq!(
            fields(refund(&lines, &sale, &[2, 0], &[2, 0])),
            ["lignes[0]"]
        );
        assert_eq!(
            fields(refund(&lines, &sale, &[0, 0], &[0, -1])),
            ["lignes[1]"]
        );
        assert_eq!(fields(refund(&lines, &sale, &[0], &[1])), ["lignes"]);
    }

    #[test]
    fn a_refund_goes_back_to_the_tenders_pro_rata() -> Result<(), PricingError> {
        let parts = split_refund(dec!(2.51), &[dec!(5.00), dec!(1.39)])?;
        // 2.51 x 5 / 6.39 = 1.9640 -> 1.96; 2.51 x 1.39 / 6.39 = 0.5459 -> 0.55
        assert_eq!(parts, vec![dec!(1.96), dec!(0.55)]);
        assert_eq!(
            split_refund(dec!(6.39), &[dec!(5.00), dec!(1.39)])?,
            vec![dec!(5.00), dec!(1.39)]
        );
        let over = split_refund(dec!(6.40), &[dec!(5.00), dec!(1.39)]);
        assert_eq!(
            over.map_err(|e| e.errors[0].field.clone()),
            Err("montant".into())
        );
        assert_eq!(split_refund(dec!(0), &[])?, Vec::<Decimal>::new());
        Ok(())
    }

    #[test]
    fn points_are_reversed_by_cumulative_floors() {
        // 24 points on 24.99: returning a third, then the rest.
        assert_eq!(points_reversed(24, dec!(24.99), dec!(0), dec!(8.33)), 8);
        assert_eq!(
            points_reversed(24, dec!(24.99), dec!(8.33), dec!(24.99)),
            16
        );
        assert_eq!(points_reversed(5, dec!(3.00), dec!(0), dec!(1.00)), 1);
        assert_eq!(points_reversed(5, dec!(3.00), dec!(1.00), dec!(2.00)), 2);
        assert_eq!(points_reversed(5, dec!(3.00), dec!(2.00), dec!(3.00)), 2);
        assert_eq!(points_reversed(0, dec!(0), dec!(0), dec!(0)), 0);
    }
}

//! Exact money: rounding to the cent and the Quebec sales taxes (TPS and TVQ), computed per sale.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// Rounds to the cent, half away from zero (the way a till rounds 0.125 to 0.13).
pub fn round_cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// The largest amount a `NUMERIC(12,2)` column holds: 9,999,999,999.99.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(0xD4A5_0FFF, 0xE8, 0, false, 2);

/// True when the amount is a valid price or payment: not negative, at most two decimals, and
/// storable (at most [`MAX_AMOUNT`]), so that a typed amount is refused as such instead of
/// failing in the database.
pub fn is_valid_amount(amount: Decimal) -> bool {
    !amount.is_sign_negative() && amount.normalize().scale() <= 2 && amount <= MAX_AMOUNT
}

/// Tax rates, configurable (the defaults are Quebec's: TPS 5 %, TVQ 9.975 %).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaxRates {
    pub tps: Decimal,
    pub tvq: Decimal,
}

impl Default for TaxRates {
    fn default() -> Self {
        Self {
            tps: Decimal::new(5, 2),
            tvq: Decimal::new(9975, 5),
        }
    }
}

/// Subtotal and taxes of a whole sale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub subtotal: Decimal,
    pub tps: Decimal,
    pub tvq: Decimal,
    pub total: Decimal,
}

impl TaxRates {
    /// Totals of a sale from its lines `(line_total, taxable)`: taxes are computed once on the
    /// taxable part of the sale and rounded to the cent.
    pub fn totals(&self, lines: impl IntoIterator<Item = (Decimal, bool)>) -> Totals {
        let (mut subtotal, mut taxable) = (Decimal::ZERO, Decimal::ZERO);
        for (amount, is_taxable) in lines {
            subtotal += amount;
            if is_taxable {
                taxable += amount;
            }
        }
        let tps = round_cents(taxable * self.tps);
        let tvq = round_cents(taxable * self.tvq);
        Totals {
            subtotal,
            tps,
            tvq,
            total: subtotal + tps + tvq,
        }
    }
}

/// The part of a sale's paid amount that a set of returned goods represents, taxes included.
///
/// `sale` is what was paid; `taxable_base` the sale's taxable subtotal; `returned` and
/// `returned_taxable` the value (before tax) of everything returned so far. The taxes of the
/// returned goods are their share of the taxes actually paid, so returning everything refunds
/// exactly the total, and cumulative refunds never exceed it.
pub fn returned_share(
    sale: &Totals,
    taxable_base: Decimal,
    returned: Decimal,
    returned_taxable: Decimal,
) -> Totals {
    let share = |tax: Decimal| {
        if taxable_base.is_zero() {
            Decimal::ZERO
        } else {
            round_cents(tax * returned_taxable / taxable_base)
        }
    };
    let (tps, tvq) = (share(sale.tps), share(sale.tvq));
    Totals {
        subtotal: returned,
        tps,
        tvq,
        total: returned + tps + tvq,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(round_cents(dec!(0.125)), dec!(0.13));
        assert_eq!(round_cents(dec!(0.124)), dec!(0.12));
    }

    #[test]
    fn validates_amounts() {
        assert!(is_valid_amount(dec!(29.99)));
        assert!(is_valid_amount(dec!(1.200)));
        assert!(!is_valid_amount(dec!(1.205)));
        assert!(!is_valid_amount(dec!(-0.01)));
        assert_eq!(MAX_AMOUNT, dec!(9999999999.99));
        assert!(is_valid_amount(MAX_AMOUNT));
        assert!(!is_valid_amount(dec!(10000000000)));
        assert!(!is_valid_amount(dec!(1e15)));
    }

    #[test]
    fn taxes_only_the_taxable_part() {
        let totals = TaxRates::default().totals([(dec!(3.50), true), (dec!(2.40), false)]);
        assert_eq!(totals.subtotal, dec!(5.90));
        assert_eq!(totals.tps, dec!(0.18)); // 0.175 -> 0.18
        assert_eq!(totals.tvq, dec!(0.35)); // 0.349125 -> 0.35
        assert_eq!(totals.total, dec!(6.43));
    }

    #[test]
    fn returning_everything_refunds_the_total_exactly() {
        let sale = TaxRates::default().totals([
            (dec!(1.80), true),
            (dec!(1.80), true),
            (dec!(1.10), false),
        ]);
        let taxable = dec!(3.60);
        let one = returned_share(&sale, taxable, dec!(1.80), dec!(1.80));
        let all = returned_share(&sale, taxable, dec!(4.70), taxable);
        assert_eq!(all, sale);
        assert!(one.total <= sale.total);
        let rest = all.total - one.total;
        assert_eq!(one.total + rest, sale.total);
    }
}

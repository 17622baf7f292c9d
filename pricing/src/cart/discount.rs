//! Manual discounts, on a line or on the whole cart (steps 2 and 3 of the money order): their
//! checks and the dollars they take off.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{FieldError, fr_money};
use crate::money::{MAX_AMOUNT, round_cents};

/// A discount the cashier types: a percentage or an amount in dollars.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Discount {
    Percent(Decimal),
    Amount(Decimal),
}

/// At most two decimals, as every amount and percentage of a sale.
fn two_decimals(value: Decimal) -> bool {
    value.normalize().scale() <= 2
}

impl Discount {
    /// The dollars this discount takes off `base` (the amount it applies to), or the French
    /// reason it cannot, on `field`: zero or less, more than two decimals, over 100 %, or more
    /// than the amount it applies to.
    pub fn amount_on(&self, base: Decimal, field: &str) -> Result<Decimal, FieldError> {
        let fail = |message: String| Err(FieldError::new(field, message));
        match *self {
            Discount::Percent(p) => {
                if p <= Decimal::ZERO || p > Decimal::ONE_HUNDRED || !two_decimals(p) {
                    return fail(
                        "La remise doit être un pourcentage supérieur à 0 et au plus 100, avec au plus deux décimales."
                            .into(),
                    );
                }
                Ok(round_cents(base * p / Decimal::ONE_HUNDRED))
            }
            Discount::Amount(a) => {
                if a <= Decimal::ZERO || !two_decimals(a) || a > MAX_AMOUNT {
                    return fail(
                        "La remise doit être un montant supérieur à 0 avec au plus deux décimales."
                            .into(),
                    );
                }
                if a > base {
                    return fail(format!(
                        "La remise ({}) dépasse le montant auquel elle s'applique ({}).",
                        fr_money(a),
                        fr_money(base)
                    ));
                }
                Ok(a)
            }
        }
    }

    /// The discount in percent of `base`, as compared with the cashier's limit: the percentage
    /// typed, or the amount over its base (unrounded, so 1,00 $ on 9,99 $ is over 10 %). Zero when
    /// it takes nothing off (a percentage of a free line gives nothing to approve).
    pub fn rate(&self, base: Decimal, taken: Decimal) -> Decimal {
        if taken.is_zero() || base.is_zero() {
            return Decimal::ZERO;
        }
        match *self {
            Discount::Percent(p) => p,
            Discount::Amount(a) => a * Decimal::ONE_HUNDRED / base,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn ten_percent_of_two_fifty_is_a_quarter() {
        let d = Discount::Percent(dec!(10));
        assert_eq!(d.amount_on(dec!(2.50), "f"), Ok(dec!(0.25)));
        assert_eq!(d.rate(dec!(2.50), dec!(0.25)), dec!(10));
        // 15 % of 0.99 = 0.1485 -> 0.15
        assert_eq!(
            Discount::Percent(dec!(15)).amount_on(dec!(0.99), "f"),
            Ok(dec!(0.15))
        );
    }

    #[test]
    fn refuses_what_cannot_be_given() {
        for bad in [
            Discount::Percent(dec!(0)),
            Discount::Percent(dec!(100.01)),
            Discount::Percent(dec!(-5)),
            Discount::Percent(dec!(12.345)),
            Discount::Amount(dec!(0)),
            Discount::Amount(dec!(-1)),
            Discount::Amount(dec!(0.001)),
            Discount::Amount(dec!(2.51)),
        ] {
            let err = bad.amount_on(dec!(2.50), "lines[0].discount");
            assert_eq!(
                err.map_err(|e| e.field),
                Err("lines[0].discount".to_string()),
                "{bad:?}"
            );
        }
        assert_eq!(
            Discount::Amount(dec!(2.50)).amount_on(dec!(2.50), "f"),
            Ok(dec!(2.50))
        );
        assert_eq!(
            Discount::Percent(dec!(100)).amount_on(dec!(2.50), "f"),
            Ok(dec!(2.50))
        );
    }

    #[test]
    fn an_amount_is_rated_against_its_base() {
        let d = Discount::Amount(dec!(1.00));
        assert!(d.rate(dec!(9.99), dec!(1.00)) > dec!(10));
        assert_eq!(d.rate(dec!(10.00), dec!(1.00)), dec!(10));
        assert_eq!(Discount::Percent(dec!(50)).rate(dec!(0), dec!(0)), dec!(0));
    }
}

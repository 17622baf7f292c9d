//! Spreading an amount over parts pro rata to the cent, by the largest-remainder method: the
//! cart discount over the lines, a refund over the tenders it came from.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// Whole cents of an amount already checked to have at most two decimals and to fit a
/// `NUMERIC(12,2)` (so the products below fit an `i128`).
pub(crate) fn to_cents(amount: Decimal) -> i128 {
    (amount * Decimal::ONE_HUNDRED)
        .trunc()
        .to_i128()
        .unwrap_or(0)
}

pub(crate) fn from_cents(cents: i128) -> Decimal {
    Decimal::from_i128_with_scale(cents, 2)
}

/// Spreads `amount` over `weights` pro rata: each part gets the floor of its exact share, in
/// cents, and the cents left go one each to the largest remainders (ties: the earlier part).
///
/// With `0 <= amount <= sum(weights)` and weights >= 0 (the callers check it), the parts sum
/// exactly to `amount` and no part exceeds its weight: a part rounded up had a fractional exact
/// share, strictly below its whole-cent weight. With all weights 0 every part is 0.
pub(crate) fn largest_remainders(amount: Decimal, weights: &[Decimal]) -> Vec<Decimal> {
    let amount = to_cents(amount);
    let weights: Vec<i128> = weights.iter().map(|w| to_cents(*w).max(0)).collect();
    let total: i128 = weights.iter().sum();
    if total == 0 {
        return vec![Decimal::ZERO; weights.len()];
    }
    let mut parts: Vec<i128> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let exact = amount * w;
        parts.push(exact / total);
        remainders.push((exact % total, i));
    }
    let left = amount - parts.iter().sum::<i128>();
    // Largest remainder first; among equals the earlier part.
    remainders.sort_by(|(ra, ia), (rb, ib)| rb.cmp(ra).then(ia.cmp(ib)));
    for (_, i) in remainders
        .into_iter()
        .take(usize::try_from(left).unwrap_or(0))
    {
        parts[i] += 1;
    }
    parts.into_iter().map(from_cents).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn a_dollar_over_three_lines() {
        // 1.00 over 3.00: exact shares 0.2333, 0.3666, 0.40 -> floors 0.23/0.36/0.40, the
        // missing cent to the largest remainder (the second line).
        let parts = largest_remainders(dec!(1.00), &[dec!(0.70), dec!(1.10), dec!(1.20)]);
        assert_eq!(parts, vec![dec!(0.23), dec!(0.37), dec!(0.40)]);
    }

    #[test]
    fn ties_go_to_the_earlier_part() {
        let parts = largest_remainders(dec!(0.01), &[dec!(1), dec!(1), dec!(1)]);
        assert_eq!(parts, vec![dec!(0.01), dec!(0), dec!(0)]);
        let parts = largest_remainders(dec!(0.02), &[dec!(1), dec!(1), dec!(1)]);
        assert_eq!(parts, vec![dec!(0.01), dec!(0.01), dec!(0)]);
    }

    #[test]
    fn all_of_it_is_every_weight() {
        let weights = [dec!(0.01), dec!(5.55), dec!(0)];
        assert_eq!(largest_remainders(dec!(5.56), &weights), weights.to_vec());
        assert_eq!(
            largest_remainders(dec!(0), &[dec!(0), dec!(0)]),
            vec![dec!(0), dec!(0)]
        );
    }
}

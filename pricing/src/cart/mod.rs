//! Pricing a cart in the money order: promotion, then the line discount, then the cart discount
//! spread over the lines, then the taxes of the sale.

mod discount;
pub(crate) mod item;
#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use discount::Discount;
pub use item::Item;

use crate::error::{FieldError, PricingError};
use crate::money::{MAX_AMOUNT, Totals, is_valid_amount, round_cents};
use crate::promotion::{Promotion, best_promotion};
use crate::rules::Rules;
use crate::spread::largest_remainders;

/// A cart: its lines and an optional manual discount on the whole of it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cart {
    pub items: Vec<Item>,
    pub discount: Option<Discount>,
}

/// A line once priced: everything a receipt prints and a sale line records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedLine {
    pub product_id: i64,
    pub quantity: i32,
    pub taxable: bool,
    pub original_unit_price: Decimal,
    /// The applied promotion's id and name (the receipt prints the name).
    pub promotion: Option<(i64, String)>,
    /// The unit price after the promotion; for a lot, the promoted line amount over the quantity
    /// rounded to the cent (informative: `total` is what counts).
    pub unit_price: Decimal,
    /// Original line amount minus the promoted line amount.
    pub promotion_saving: Decimal,
    /// The manual line discount, in dollars.
    pub line_discount: Decimal,
    /// This line's share of the cart discount.
    pub cart_discount: Decimal,
    /// What the line really costs before tax (never negative).
    pub total: Decimal,
}

/// A priced cart: its lines, the savings and the totals of the sale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedCart {
    pub lines: Vec<PricedLine>,
    /// Sum of the original line amounts.
    pub gross: Decimal,
    pub promotion_savings: Decimal,
    /// Line discounts plus the cart discount.
    pub manual_discounts: Decimal,
    /// Subtotal = sum of the line totals; taxes on the taxable lines, rounded once per sale.
    pub totals: Totals,
    /// Sum of the taxable lines' totals (what a return's taxes are a share of).
    pub taxable_base: Decimal,
    /// The largest manual discount given, in percent of what it applied to (the line's promoted
    /// amount, or the cart before its discount): compared with
    /// [`Rules::cashier_max_discount`] to ask for a manager's approval.
    pub manual_discount_rate: Decimal,
}

impl PricedCart {
    /// True when a manager must approve the manual discounts of this cart.
    pub fn needs_approval(&self, rules: &Rules) -> bool {
        rules.needs_approval(self.manual_discount_rate)
    }
}

/// The quantity and price checks of the lines, and that the whole cart fits a stored amount
/// (which also keeps the cent arithmetic of the spreading far from any overflow).
fn check_items(items: &[Item]) -> Result<(), PricingError> {
    let mut errors = Vec::new();
    let mut gross = Decimal::ZERO;
    for (i, item) in items.iter().enumerate() {
        if item.quantity < 1 {
            errors.push(FieldError::new(
                format!("lines[{i}].quantity"),
                "La quantité doit être d'au moins 1.",
            ));
        }
        if !is_valid_amount(item.unit_price) {
            errors.push(FieldError::new(
                format!("lines[{i}].unit_price"),
                "Le prix doit être un montant positif avec au plus deux décimales.",
            ));
        }
        if errors.is_empty() {
            gross += item.unit_price * Decimal::from(item.quantity);
            if gross > MAX_AMOUNT {
                errors.push(FieldError::new(
                    "lines",
                    "Le montant de la vente dépasse le maximum permis.",
                ));
                break;
            }
        }
    }
    PricingError::check(errors)
}

/// Prices `cart` at `store_id` on the store's `local_date` under `promotions` and `rules`.
///
/// Each line takes the promotion that saves most, then its manual discount; the cart discount is
/// then spread over the lines pro rata to what they cost, to the cent; taxes are computed once
/// on the taxable lines. Refused, with every faulty field, when a quantity, a price or a discount
/// is not acceptable.
pub fn price_cart(
    cart: &Cart,
    promotions: &[Promotion],
    store_id: i64,
    local_date: NaiveDate,
    rules: &Rules,
) -> Result<PricedCart, PricingError> {
    check_items(&cart.items)?;
    let mut lines = Vec::with_capacity(cart.items.len());
    let mut errors = Vec::new();
    let mut rate = Decimal::ZERO;
    for (i, item) in cart.items.iter().enumerate() {
        let original = item.unit_price * Decimal::from(item.quantity);
        let (promotion, promoted) = match best_promotion(promotions, store_id, local_date, item) {
            Some((p, amount)) => (Some((p.id, p.name.clone())), amount),
            None => (None, original),
        };
        let unit_price = if promotion.is_some() {
            round_cents(promoted / Decimal::from(item.quantity))
        } else {
            item.unit_price
        };
        let line_discount = match &item.discount {
            None => Decimal::ZERO,
            Some(d) => match d.amount_on(promoted, &format!("lines[{i}].discount")) {
                Ok(taken) => {
                    rate = rate.max(d.rate(promoted, taken));
                    taken
                }
                Err(e) => {
                    errors.push(e);
                    Decimal::ZERO
                }
            },
        };
        lines.push(PricedLine {
            product_id: item.product_id,
            quantity: item.quantity,
            taxable: item.taxable,
            original_unit_price: item.unit_price,
            promotion,
            unit_price,
            promotion_saving: original - promoted,
            line_discount,
            cart_discount: Decimal::ZERO,
            total: promoted - line_discount,
        });
    }
    PricingError::check(errors)?;

    if let Some(d) = &cart.discount {
        let base: Decimal = lines.iter().map(|l| l.total).sum();
        let taken = d
            .amount_on(base, "discount")
            .map_err(|e| PricingError { errors: vec![e] })?;
        rate = rate.max(d.rate(base, taken));
        let weights: Vec<Decimal> = lines.iter().map(|l| l.total).collect();
        for (line, share) in lines.iter_mut().zip(largest_remainders(taken, &weights)) {
            line.cart_discount = share;
            line.total -= share;
        }
    }

    let totals = rules
        .taxes
        .totals(lines.iter().map(|l| (l.total, l.taxable)));
    Ok(PricedCart {
        gross: lines
            .iter()
            .map(|l| l.original_unit_price * Decimal::from(l.quantity))
            .sum(),
        promotion_savings: lines.iter().map(|l| l.promotion_saving).sum(),
        manual_discounts: lines
            .iter()
            .map(|l| l.line_discount + l.cart_discount)
            .sum(),
        taxable_base: lines.iter().filter(|l| l.taxable).map(|l| l.total).sum(),
        totals,
        manual_discount_rate: rate,
        lines,
    })
}

//! One line of a cart as it comes in, before pricing: what promotions are matched against
//! ([`crate::promotion`]) and what the money order prices ([`super::price_cart`]).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::discount::Discount;

/// One line of a cart, as the till or the API sends it (the price is the catalog's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub product_id: i64,
    pub category_id: Option<i64>,
    pub unit_price: Decimal,
    pub quantity: i32,
    pub taxable: bool,
    /// The manual discount on this line.
    pub discount: Option<Discount>,
}

//! The configurable selling rules: tax rates, loyalty rates and the cashier's discount limit.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::TaxRates;

/// What a sale is priced with; `Default` is the SPEC's (Quebec taxes, 1 point per dollar,
/// 100 points = 1,00 $, a cashier gives up to 10 % alone).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rules {
    pub taxes: TaxRates,
    /// Points earned per whole dollar of the subtotal (before tax).
    pub points_per_dollar: u32,
    /// Points that pay 1,00 $ when the customer pays in points.
    pub points_per_dollar_redeemed: u32,
    /// The largest manual discount, in percent, a cashier gives without a manager's approval.
    pub cashier_max_discount: Decimal,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            taxes: TaxRates::default(),
            points_per_dollar: 1,
            points_per_dollar_redeemed: 100,
            cashier_max_discount: Decimal::TEN,
        }
    }
}

impl Rules {
    /// True when a manual discount of `rate` percent needs a manager of the store: strictly over
    /// the cashier's limit (10 % is still the cashier's to give).
    pub fn needs_approval(&self, rate: Decimal) -> bool {
        rate > self.cashier_max_discount
    }
}

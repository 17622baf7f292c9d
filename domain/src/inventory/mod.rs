//! Stock in the stores and in the warehouse, the movement journal that explains every change,
//! stock alerts and days of cover. Every stock change in the platform goes through
//! [`change_stock`], which refuses to go below zero and writes the movement row, except a sale's
//! decrements: the checkout writes them with the sale in one statement, under the same rules
//! (`domain/src/sales/sell.rs`), and names there what a refused cart lacks.
//!
//! This file holds the vocabulary (locations, movement reasons, the alert rule); one file per
//! verb holds the rest: `change` (the write path), `adjust` (counts and thresholds entered by
//! people), `levels` (reading stock), `movements` (reading the journal) and `replenishment`.

mod adjust;
mod change;
mod levels;
mod movements;
mod replenishment;

pub use adjust::*;
pub(crate) use change::{StockChange, change_stock, set_quantity};
pub use levels::*;
pub use movements::*;
pub use replenishment::*;

use serde::{Deserialize, Serialize};

/// Where stock is held.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Location {
    Store(i64),
    Warehouse,
}

/// Why stock changed, with the record that caused it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MovementReason {
    Return(i64),
    ReplenishmentOut(i64),
    ReplenishmentIn(i64),
    Adjustment,
    Initial,
}

impl MovementReason {
    /// The reason, the return and the replenishment request it refers to.
    fn parts(self) -> (&'static str, Option<i64>, Option<i64>) {
        match self {
            MovementReason::Return(id) => ("return", Some(id), None),
            MovementReason::ReplenishmentOut(id) => ("replenishment_out", None, Some(id)),
            MovementReason::ReplenishmentIn(id) => ("replenishment_in", None, Some(id)),
            MovementReason::Adjustment => ("adjustment", None, None),
            MovementReason::Initial => ("initial", None, None),
        }
    }
}

/// Alert status of a stock row, the same rule for stores and the warehouse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StockStatus {
    Rupture,
    Bas,
    Normal,
}

impl StockStatus {
    pub fn of(quantity: i32, threshold: i32) -> Self {
        if quantity <= 0 {
            StockStatus::Rupture
        } else if quantity <= threshold {
            StockStatus::Bas
        } else {
            StockStatus::Normal
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StockStatus::Rupture => "rupture",
            StockStatus::Bas => "bas",
            StockStatus::Normal => "normal",
        }
    }
}

/// Days the stock lasts at the average daily sales of the last 30 days; `None` when nothing
/// sold (the stock does not run out).
pub fn days_of_cover(quantity: i32, units_sold_30_days: i64) -> Option<f64> {
    (units_sold_30_days > 0).then(|| f64::from(quantity) * 30.0 / units_sold_30_days as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_follows_the_threshold() {
        assert_eq!(StockStatus::of(0, 10), StockStatus::Rupture);
        assert_eq!(StockStatus::of(10, 10), StockStatus::Bas);
        assert_eq!(StockStatus::of(11, 10), StockStatus::Normal);
    }

    #[test]
    fn cover_is_quantity_over_daily_average() {
        assert_eq!(days_of_cover(30, 60), Some(15.0));
        assert_eq!(days_of_cover(30, 0), None);
    }
}

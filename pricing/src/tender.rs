//! Paying a sale: the tenders, the change (cash only) and the loyalty points, earned and spent.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use crate::error::{FieldError, PricingError, fr_money};
use crate::money::is_valid_amount;
use crate::rules::Rules;

/// How a payment is made; the REST `mode` is [`TenderKind::as_str`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenderKind {
    #[serde(rename = "especes")]
    Cash,
    #[serde(rename = "carte")]
    Card,
    #[serde(rename = "carte_cadeau")]
    GiftCard,
    #[serde(rename = "credit")]
    Credit,
    #[serde(rename = "points")]
    Points,
}

impl TenderKind {
    pub const ALL: [TenderKind; 5] = [
        Self::Cash,
        Self::Card,
        Self::GiftCard,
        Self::Credit,
        Self::Points,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cash => "especes",
            Self::Card => "carte",
            Self::GiftCard => "carte_cadeau",
            Self::Credit => "credit",
            Self::Points => "points",
        }
    }

    pub fn parse(mode: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == mode)
    }
}

/// One payment of a sale: `{mode, montant, reference?}` (a gift card's code, a card's
/// authorisation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tender {
    pub kind: TenderKind,
    pub amount: Decimal,
    pub reference: Option<String>,
}

/// How the tenders pay the total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    /// Cash given back.
    pub change: Decimal,
    /// Cash handed over, before the change.
    pub cash_tendered: Decimal,
    /// Per tender, what it pays of the total: its amount, cash net of the change; sums to the
    /// total (what a return refunds to each tender is a share of this).
    pub paid: Vec<Decimal>,
}

/// Checks that `tenders` pay `total` and works out the change.
///
/// At least one tender (none is fine for a zero total); each amount above zero with at most two
/// decimals; the sum reaches the total; only cash may exceed what is due, so the other tenders
/// together stay within the total and the change never exceeds the cash given. The change comes
/// out of the last cash tenders first.
pub fn settle(total: Decimal, tenders: &[Tender]) -> Result<Settlement, PricingError> {
    if !is_valid_amount(total) {
        return Err(PricingError::new(
            "total",
            "Le total doit être un montant positif avec au plus deux décimales.",
        ));
    }
    if tenders.is_empty() {
        if total.is_zero() {
            return Ok(Settlement {
                change: Decimal::ZERO,
                cash_tendered: Decimal::ZERO,
                paid: Vec::new(),
            });
        }
        return Err(PricingError::new(
            "paiements",
            "Au moins un paiement est requis.",
        ));
    }
    let mut errors = Vec::new();
    for (i, t) in tenders.iter().enumerate() {
        if t.amount.is_zero() || !is_valid_amount(t.amount) {
            errors.push(FieldError::new(
                format!("paiements[{i}].montant"),
                "Le montant doit être supérieur à 0 avec au plus deux décimales.",
            ));
        }
    }
    PricingError::check(errors)?;

    let sum: Decimal = tenders.iter().map(|t| t.amount).sum();
    let cash_tendered: Decimal = tenders
        .iter()
        .filter(|t| t.kind == TenderKind::Cash)
        .map(|t| t.amount)
        .sum();
    if sum < total {
        return Err(PricingError::new(
            "paiements",
            format!("Il manque {} pour payer le total.", fr_money(total - sum)),
        ));
    }
    let change = sum - total;
    if change > cash_tendered {
        return Err(PricingError::new(
            "paiements",
            format!(
                "Seules les espèces peuvent dépasser le montant dû : les autres paiements dépassent le total de {}.",
                fr_money(change - cash_tendered)
            ),
        ));
    }
    let mut to_give = change;
    let mut paid: Vec<Decimal> = tenders.iter().map(|t| t.amount).collect();
    for (amount, t) in paid.iter_mut().zip(tenders).rev() {
        if t.kind == TenderKind::Cash && !to_give.is_zero() {
            let taken = to_give.min(*amount);
            *amount -= taken;
            to_give -= taken;
        }
    }
    Ok(Settlement {
        change,
        cash_tendered,
        paid,
    })
}

/// The points an amount paid in points costs; refused unless it is a whole number of points
/// (at 100 points = 1,00 $, 0,01 $ is 1 point; at 50, 0,01 $ is half a point).
pub fn points_for_amount(amount: Decimal, rules: &Rules) -> Result<i64, PricingError> {
    let rate = rules.points_per_dollar_redeemed;
    if amount.is_zero() || !is_valid_amount(amount) {
        return Err(PricingError::new(
            "montant",
            "Le montant doit être supérieur à 0 avec au plus deux décimales.",
        ));
    }
    let points = amount * Decimal::from(rate);
    match points.normalize().scale() {
        0 if rate > 0 => points
            .to_i64()
            .ok_or_else(|| PricingError::new("montant", "Le montant en points est trop grand.")),
        _ => Err(PricingError::new(
            "montant",
            format!(
                "Un paiement en points doit valoir un nombre entier de points ({rate} points = 1,00 $)."
            ),
        )),
    }
}

/// The points a sale earns: so many per whole dollar of the subtotal (before tax); none for a
/// zero or negative subtotal.
pub fn points_earned(subtotal: Decimal, rules: &Rules) -> i64 {
    if subtotal <= Decimal::ZERO {
        return 0;
    }
    let dollars = subtotal.floor().to_i64().unwrap_or(i64::MAX);
    dollars.saturating_mul(i64::from(rules.points_per_dollar))
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn tender(kind: TenderKind, amount: Decimal) -> Tender {
        Tender {
            kind,
            amount,
            reference: None,
        }
    }

    fn fields(result: Result<Settlement, PricingError>) -> Vec<String> {
        result
            .err()
            .map(|e| e.errors.into_iter().map(|f| f.field).collect())
            .unwrap_or_default()
    }

    #[test]
    fn modes_round_trip_their_rest_names() {
        for kind in TenderKind::ALL {
            assert_eq!(TenderKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(TenderKind::parse("cheque"), None);
        assert_eq!(
            serde_json::to_string(&TenderKind::GiftCard).ok(),
            Some("\"carte_cadeau\"".to_string())
        );
    }

    #[test]
    fn cash_over_the_total_gives_change() -> Result<(), PricingError> {
        let s = settle(
            dec!(17.25),
            &[
                tender(TenderKind::GiftCard, dec!(5.00)),
                tender(TenderKind::Cash, dec!(20.00)),
            ],
        )?;
        assert_eq!(s.change, dec!(7.75));
        assert_eq!(s.cash_tendered, dec!(20.00));
        assert_eq!(s.paid, vec![dec!(5.00), dec!(12.25)]);
        // Exact payment by card and points.
        let s = settle(
            dec!(10.00),
            &[
                tender(TenderKind::Card, dec!(9.00)),
                tender(TenderKind::Points, dec!(1.00)),
            ],
        )?;
        assert_eq!((s.change, s.paid), (dec!(0), vec![dec!(9.00), dec!(1.00)]));
        // The change comes out of the last cash tender first.
        let s = settle(
            dec!(3.00),
            &[
                tender(TenderKind::Cash, dec!(2.00)),
                tender(TenderKind::Cash, dec!(5.00)),
            ],
        )?;
        assert_eq!(
            (s.change, s.paid),
            (dec!(4.00), vec![dec!(2.00), dec!(1.00)])
        );
        Ok(())
    }

    #[test]
    fn refuses_what_does_not_pay_or_overpays_without_cash() {
        assert_eq!(fields(settle(dec!(1), &[])), ["paiements"]);
        assert!(settle(dec!(0), &[]).is_ok());
        let short = settle(dec!(10), &[tender(TenderKind::Card, dec!(9.99))]);
        assert_eq!(
            short.err().map(|e| e.errors[0].message.clone()),
            Some("Il manque 0,01 $ pour payer le total.".to_string())
        );
        assert_eq!(
            fields(settle(dec!(10), &[tender(TenderKind::Card, dec!(10.01))])),
            ["paiements"]
        );
        // 2 $ of cash cannot give 3 $ of change on a card overpaying by 1 $.
        assert_eq!(
            fields(settle(
                dec!(10),
                &[
                    tender(TenderKind::Card, dec!(11)),
                    tender(TenderKind::Cash, dec!(2))
                ]
            )),
            ["paiements"]
        );
        assert_eq!(
            fields(settle(
                dec!(10),
                &[
                    tender(TenderKind::Cash, dec!(0)),
                    tender(TenderKind::Card, dec!(-1)),
                    tender(TenderKind::Card, dec!(10.001))
                ]
            )),
            [
                "paiements[0].montant",
                "paiements[1].montant",
                "paiements[2].montant"
            ]
        );
    }

    #[test]
    fn points_pay_in_whole_points_and_are_earned_per_whole_dollar() {
        let rules = Rules::default();
        assert_eq!(points_for_amount(dec!(1.00), &rules), Ok(100));
        assert_eq!(points_for_amount(dec!(2.37), &rules), Ok(237));
        assert!(points_for_amount(dec!(0), &rules).is_err());
        let half = Rules {
            points_per_dollar_redeemed: 50,
            ..rules
        };
        assert_eq!(points_for_amount(dec!(0.02), &half), Ok(1));
        assert!(points_for_amount(dec!(0.01), &half).is_err());
        assert_eq!(points_earned(dec!(24.99), &rules), 24);
        assert_eq!(points_earned(dec!(0.99), &rules), 0);
        assert_eq!(points_earned(dec!(-5), &rules), 0);
        let double = Rules {
            points_per_dollar: 2,
            ..rules
        };
        assert_eq!(points_earned(dec!(10.50), &double), 20);
    }
}

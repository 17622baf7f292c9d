//! The validation error of the money order: a list of `{field, message}` in French, shaped like
//! the domain's validation error so a caller maps one onto the other field by field.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One problem with one input field (`lines[2].discount`, `paiements[0].montant`, ...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Why a cart, a payment or a refund cannot be computed: every problem found, not only the first,
/// so a form shows them all at once.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("Données invalides : {}", summary(.errors))]
pub struct PricingError {
    pub errors: Vec<FieldError>,
}

fn summary(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{} : {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl PricingError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            errors: vec![FieldError::new(field, message)],
        }
    }

    /// `Ok(())` when nothing was found, so a validation collects and then returns in one step.
    pub fn check(errors: Vec<FieldError>) -> Result<(), Self> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Self { errors })
        }
    }
}

/// An amount as a French-speaking customer reads it: `12,50 $`.
pub fn fr_money(amount: Decimal) -> String {
    format!("{amount:.2} $").replace('.', ",")
}

//! Customers (SPEC section 6): the customer as the contract shows it, what creating and changing
//! one accepts, the search, and a customer's sales.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::money_out;
use crate::error::{ApiError, FieldProblem};
use crate::extract::{Patch, finish};

#[derive(Serialize, ToSchema)]
pub struct Customer {
    #[schema(example = 42)]
    pub id: i64,
    /// `null` when not given or anonymised.
    #[schema(example = "Marie Roy")]
    pub nom: Option<String>,
    #[schema(example = "marie.roy@exemple.ca")]
    pub courriel: Option<String>,
    /// Digits only, as stored (`+1 (514) 555-1234` is `15145551234`).
    #[schema(example = "15145551234")]
    pub telephone: Option<String>,
    /// The 13 digits of the loyalty card's barcode (EAN-13).
    #[schema(example = "2912345678906")]
    pub carte_fidelite: String,
    #[schema(example = true)]
    pub consentement_marketing: bool,
    #[schema(example = 120)]
    pub points: i64,
    /// Store credit in dollars.
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64, example = 12.5)]
    pub credit: Decimal,
    pub cree_le: DateTime<Utc>,
    /// When the personal fields were blanked (privacy request); `null` otherwise.
    pub anonymise_le: Option<DateTime<Utc>>,
}

impl From<domain::customers::Customer> for Customer {
    fn from(c: domain::customers::Customer) -> Self {
        Customer {
            id: c.id,
            nom: c.name,
            courriel: c.email,
            telephone: c.phone,
            carte_fidelite: c.loyalty_card,
            consentement_marketing: c.marketing_consent,
            points: c.points,
            credit: c.credit,
            cree_le: c.created_at,
            anonymise_le: c.anonymized_at,
        }
    }
}

/// A new customer: every field optional; the loyalty card is generated.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"nom": "Marie Roy", "courriel": "marie.roy@exemple.ca", "telephone": "+1 (514) 555-1234", "consentement_marketing": true}))]
pub struct CustomerInput {
    #[serde(default)]
    pub nom: Option<String>,
    #[serde(default)]
    pub courriel: Option<String>,
    /// 10 to 15 digits; spaces, `+`, `-`, `.` and parentheses are ignored.
    #[serde(default)]
    pub telephone: Option<String>,
    #[serde(default)]
    pub consentement_marketing: Option<bool>,
}

impl CustomerInput {
    pub fn into_new(self) -> domain::customers::NewCustomer {
        domain::customers::NewCustomer {
            name: self.nom.unwrap_or_default(),
            email: self.courriel.unwrap_or_default(),
            phone: self.telephone.unwrap_or_default(),
            marketing_consent: self.consentement_marketing.unwrap_or(false),
        }
    }
}

/// Changes to a customer; `null` on `nom`, `courriel` or `telephone` removes it, `null` on
/// `consentement_marketing` is a 422.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"telephone": "514 555-9876", "consentement_marketing": false}))]
pub struct CustomerPatch {
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub nom: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub courriel: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub telephone: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub consentement_marketing: Patch<bool>,
}

impl CustomerPatch {
    pub fn into_changes(self) -> Result<domain::customers::CustomerPatch, ApiError> {
        let mut errors: Vec<FieldProblem> = Vec::new();
        // the domain blanks a field given as an empty text
        let optional_text = |p: Patch<String>| match p {
            Patch::Absent => None,
            Patch::Null => Some(String::new()),
            Patch::Value(v) => Some(v),
        };
        let name = optional_text(self.nom);
        let email = optional_text(self.courriel);
        let phone = optional_text(self.telephone);
        let consent = self
            .consentement_marketing
            .required("consentement_marketing", &mut errors);
        finish(errors)?;
        Ok(domain::customers::CustomerPatch {
            name,
            email,
            phone,
            marketing_consent: consent,
        })
    }
}

/// The search of `GET /customers`.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct CustomerQuery {
    /// Part of the name or the email, a phone number (its digits) or a loyalty card (at most
    /// 100 characters).
    #[param(example = "Roy", max_length = 100)]
    pub q: Option<String>,
    /// Page number, from 1 (at most 1,000,000).
    #[param(example = 1, minimum = 1, maximum = 1_000_000)]
    pub page: Option<i64>,
    /// Items per page, 1 to 100 (default 20).
    #[param(example = 20, minimum = 1, maximum = 100)]
    pub size: Option<i64>,
    /// Alias of `size`.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

impl CustomerQuery {
    pub fn parse(&self) -> Result<(Option<String>, domain::PageRequest), ApiError> {
        let q = self
            .q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_owned);
        if q.as_deref()
            .is_some_and(|q| q.chars().count() > super::catalog::MAX_SEARCH_LEN)
        {
            return Err(ApiError::invalid("q", "100 caractères au plus"));
        }
        let page = super::PageParams {
            page: self.page,
            size: self.size,
            limit: self.limit,
        }
        .request()?;
        Ok((q, page))
    }
}

/// One sale of a customer, in any store.
#[derive(Serialize, ToSchema)]
pub struct CustomerSale {
    #[schema(example = 7401)]
    pub id: i64,
    #[schema(example = 1)]
    pub magasin_id: i64,
    #[schema(example = "Centre-Ville")]
    pub magasin: String,
    pub date_heure: DateTime<Utc>,
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64, example = 3.21)]
    pub total: Decimal,
    /// The main tender.
    #[schema(example = "carte")]
    pub mode_paiement: String,
    #[schema(example = 3)]
    pub points_gagnes: i64,
    /// Units bought.
    #[schema(example = 2)]
    pub articles: i64,
}

impl From<domain::customers::CustomerSale> for CustomerSale {
    fn from(s: domain::customers::CustomerSale) -> Self {
        CustomerSale {
            id: s.id,
            magasin_id: s.store_id,
            magasin: s.store_name,
            date_heure: s.sold_at,
            total: s.total,
            mode_paiement: s.payment_method,
            points_gagnes: s.points_earned,
            articles: s.items,
        }
    }
}

/// Domain field names of a customer in the contract's vocabulary.
pub fn contract_field(field: &str) -> &str {
    match field {
        "name" => "nom",
        "email" => "courriel",
        "phone" => "telephone",
        "marketing_consent" => "consentement_marketing",
        other => other,
    }
}

//! The contract's request and response types (SPEC section 3), separate from the domain types:
//! French field names, money as JSON numbers with at most two decimals, unknown input fields
//! rejected. These are the only types in the OpenAPI document.

pub mod catalog;
pub mod customers;
pub mod events;
pub mod promotions;
pub mod reports;
pub mod sales;
pub mod stores;
pub mod webhooks;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize, Serializer};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, FieldProblem};

/// Serializes exact money as a JSON number (`29.99`).
pub fn money_out<S: Serializer>(amount: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(amount.round_dp(2).to_f64().unwrap_or(0.0))
}

pub fn money_out_opt<S: Serializer>(amount: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match amount {
        Some(a) => money_out(a, s),
        None => s.serialize_none(),
    }
}

/// The pagination envelope of every list.
#[derive(Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    #[schema(example = 13)]
    pub total: i64,
    #[schema(example = 1)]
    pub page: u32,
    #[schema(example = 20)]
    pub size: u32,
    #[schema(example = 1)]
    pub pages: u32,
}

impl<T> Page<T> {
    pub fn from_domain<U>(page: domain::Page<U>, f: impl FnMut(U) -> T) -> Self {
        let page = page.map(f);
        Page {
            items: page.items,
            total: page.total,
            page: page.page,
            size: page.size,
            pages: page.pages,
        }
    }
}

/// Highest page number accepted: beyond, a list is read further than any client pages.
pub const MAX_PAGE: i64 = 1_000_000;

/// `page` from 1 to [`MAX_PAGE`], `size` 1..100 (default 20; `limit` is accepted as an alias).
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, from 1 (at most 1,000,000).
    #[param(example = 1, minimum = 1, maximum = 1_000_000)]
    pub page: Option<i64>,
    /// Items per page, 1 to 100 (default 20).
    #[param(example = 20, minimum = 1, maximum = 100)]
    pub size: Option<i64>,
    /// Alias of `size`.
    #[param(example = 20, minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

impl PageParams {
    pub fn request(&self) -> Result<domain::PageRequest, ApiError> {
        if self.page.is_some_and(|page| page > MAX_PAGE) {
            return Err(ApiError::invalid("page", "La page va de 1 à 1 000 000."));
        }
        let size = self
            .size
            .or(self.limit)
            .unwrap_or(i64::from(domain::page::DEFAULT_PAGE_SIZE));
        domain::PageRequest::validate(self.page.unwrap_or(1), size).map_err(|e| match e {
            domain::Error::Validation(errors) => ApiError::Validation(
                errors
                    .into_iter()
                    .map(|e| FieldProblem {
                        field: e.field,
                        message: e.message,
                    })
                    .collect(),
            ),
            other => ApiError::Domain(other),
        })
    }
}

/// `true`/`false` in a query string, also `1`/`0`, `oui`/`non`.
pub fn parse_bool(field: &str, value: &str) -> Result<bool, ApiError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "oui" | "yes" => Ok(true),
        "false" | "0" | "non" | "no" => Ok(false),
        _ => Err(ApiError::invalid(
            field,
            "valeur booléenne attendue (true ou false)",
        )),
    }
}

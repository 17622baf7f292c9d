//! The customers' pages' data: the search page and a customer's page (details, balances,
//! movements, sales) as server functions, the form they share, and how phones and cards are
//! written; the changes made from them are in `actions`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub const CUSTOMERS_PER_PAGE: u32 = 20;
/// Movements and sales shown on a customer's page (the latest).
pub const HISTORY_ROWS: u32 = 20;

/// The flash codes and facts of the customers' pages.
pub mod codes {
    /// `erreur=champs`: the customer form comes back with its problems.
    pub const FIELDS_REFUSED: &str = "champs";
    /// `erreur=droits`: not this employee's to do.
    pub const FORBIDDEN: &str = "droits";
    /// `erreur=ajustement`: the adjustment's problems are next to its fields.
    pub const ADJUST_REFUSED: &str = "ajustement";
    /// `erreur=confirmation`: anonymising was not confirmed.
    pub const NOT_CONFIRMED: &str = "confirmation";
    /// `erreur=anonymise`: an anonymised customer is not edited.
    pub const ANONYMIZED: &str = "anonymise";
    /// `cree=1`: the customer was just created.
    pub const CREATED: &str = "cree";
    /// `enregistre=1`: the edit was saved.
    pub const SAVED: &str = "enregistre";
    /// `fait=points|credit|anonymise`.
    pub const POINTS: &str = "points";
    pub const CREDIT: &str = "credit";
    pub const ANONYMIZE: &str = "anonymise";
    /// `balance=<points or amount>` after an adjustment; `message=<text>` of a refusal.
    pub const BALANCE: &str = "solde";
    pub const MESSAGE: &str = "message";
}

/// The customer form, shared by creating and editing; every field arrives as text so what was
/// typed can come back next to its problems.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerForm {
    pub csrf: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    /// A ticked checkbox posts `on`; an unticked one posts nothing.
    pub marketing_consent: Option<String>,
}

/// A phone number's digits as people read them: `514 555-1234`, `+1 514 555-1234`.
pub fn phone_display(digits: &str) -> String {
    let local = |d: &str| format!("{} {}-{}", &d[..3], &d[3..6], &d[6..]);
    match digits.len() {
        10 => local(digits),
        11 if digits.starts_with('1') => format!("+1 {}", local(&digits[1..])),
        _ => digits.to_owned(),
    }
}

/// A card's 13 digits grouped as printed under an EAN-13 barcode: `2 912345 678906`.
pub fn card_display(code: &str) -> String {
    if code.len() == 13 && code.is_ascii() {
        format!("{} {} {}", &code[..1], &code[1..7], &code[7..])
    } else {
        code.to_owned()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerRow {
    pub id: i64,
    /// `Client anonymisé` or `Sans nom` when there is none.
    pub name: String,
    pub email: String,
    pub phone: String,
    pub card: String,
    pub points: String,
    pub credit: String,
    pub anonymized: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomersView {
    pub rows: Vec<CustomerRow>,
    pub total: i64,
    pub page: u32,
    pub pages: u32,
}

/// One movement of points or credit, written for people.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MovementRow {
    pub when: String,
    pub reason: String,
    /// With its sign: `+120`, `-30`, `+12,50 $`.
    pub delta: String,
    pub note: String,
    pub who: String,
    pub sale_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaleRow {
    pub id: i64,
    pub when: String,
    pub store: String,
    pub total: String,
    pub items: String,
    pub points: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerView {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub marketing_consent: bool,
    pub card: String,
    pub points: String,
    pub credit: String,
    pub created: String,
    /// When the customer was anonymised.
    pub anonymized: Option<String>,
    pub points_moves: Vec<MovementRow>,
    pub points_moves_total: i64,
    pub credit_moves: Vec<MovementRow>,
    pub credit_moves_total: i64,
    pub sales: Vec<SaleRow>,
    pub sales_total: i64,
    /// Managers and head office adjust balances.
    pub can_adjust: bool,
    /// Head office anonymises.
    pub can_anonymize: bool,
}

#[cfg(feature = "ssr")]
fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    crate::format::date_time(&at.with_timezone(&domain::reporting::CHAIN_TIME_ZONE))
}

#[cfg(feature = "ssr")]
fn movement_row<T>(m: domain::customers::Movement<T>, delta: String) -> MovementRow {
    MovementRow {
        when: when(m.created_at),
        reason: m.reason_label().to_owned(),
        who: match (&m.employee_name, m.api_client_id) {
            (Some(name), _) => name.clone(),
            (None, Some(_)) => "API".to_owned(),
            (None, None) => String::new(),
        },
        delta,
        note: m.note,
        sale_id: m.sale_id,
    }
}

#[server(endpoint = "customers_list")]
pub async fn load_customers(q: String, page: u32) -> Result<CustomersView, AppError> {
    use crate::format::{count, money};
    use crate::server::{failure, pool, require_session};
    require_session().await?;
    let found = domain::customers::search_customers(
        &pool()?,
        Some(&q),
        domain::PageRequest::new(page, CUSTOMERS_PER_PAGE),
    )
    .await
    .map_err(failure)?;
    Ok(CustomersView {
        total: found.total,
        page: found.page,
        pages: found.pages,
        rows: found
            .items
            .into_iter()
            .map(|c| CustomerRow {
                id: c.id,
                anonymized: c.is_anonymized(),
                name: c.name.clone().unwrap_or_else(|| {
                    if c.is_anonymized() {
                        "Client anonymisé".to_owned()
                    } else {
                        "Sans nom".to_owned()
                    }
                }),
                email: c.email.unwrap_or_default(),
                phone: c.phone.as_deref().map(phone_display).unwrap_or_default(),
                card: c.loyalty_card,
                points: count(c.points),
                credit: money(c.credit),
            })
            .collect(),
    })
}

#[server(endpoint = "customer_page")]
pub async fn load_customer(id: i64) -> Result<CustomerView, AppError> {
    use crate::format::{count, money, signed};
    use crate::server::{failure, pool, require_session};
    use domain::customers;
    let session = require_session().await?;
    let actor = session.employee.actor();
    let pool = pool()?;
    let c = customers::get_customer(&pool, id).await.map_err(failure)?;
    let recent = domain::PageRequest::new(1, HISTORY_ROWS);
    let points = customers::loyalty_movements(&pool, id, recent)
        .await
        .map_err(failure)?;
    let credit = customers::credit_movements(&pool, id, recent)
        .await
        .map_err(failure)?;
    let sales = customers::customer_sales(&pool, id, None, recent)
        .await
        .map_err(failure)?;
    let signed_money = |d: rust_decimal::Decimal| {
        if d.is_sign_positive() {
            format!("+{}", money(d))
        } else {
            money(d)
        }
    };
    Ok(CustomerView {
        id: c.id,
        name: c.name.unwrap_or_default(),
        email: c.email.unwrap_or_default(),
        phone: c.phone.as_deref().map(phone_display).unwrap_or_default(),
        marketing_consent: c.marketing_consent,
        card: c.loyalty_card,
        points: count(c.points),
        credit: money(c.credit),
        created: when(c.created_at),
        anonymized: c.anonymized_at.map(when),
        points_moves_total: points.total,
        points_moves: points
            .items
            .into_iter()
            .map(|m| {
                let delta = signed(m.delta);
                movement_row(m, delta)
            })
            .collect(),
        credit_moves_total: credit.total,
        credit_moves: credit
            .items
            .into_iter()
            .map(|m| {
                let delta = signed_money(m.delta);
                movement_row(m, delta)
            })
            .collect(),
        sales_total: sales.total,
        sales: sales
            .items
            .into_iter()
            .map(|s| SaleRow {
                id: s.id,
                when: when(s.sold_at),
                store: s.store_name,
                total: money(s.total),
                items: count(s.items),
                points: count(s.points_earned),
            })
            .collect(),
        can_adjust: !matches!(
            actor,
            domain::Actor::Employee {
                role: domain::Role::Caissier,
                ..
            }
        ),
        can_anonymize: actor.ensure_head_office().is_ok(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_and_cards_read_as_people_write_them() {
        assert_eq!(phone_display("5145551234"), "514 555-1234");
        assert_eq!(phone_display("15145551234"), "+1 514 555-1234");
        assert_eq!(phone_display("33123456789"), "33123456789");
        assert_eq!(card_display("2912345678906"), "2 912345 678906");
    }
}

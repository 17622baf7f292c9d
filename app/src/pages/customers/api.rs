//! The customers' server functions and the views they answer: the search page, a customer's
//! page (details, balances, movements, sales), and the changes made from them (create, edit,
//! adjust points or credit, anonymise), each answered by a redirect with its [`Flash`].
//!
//! [`Flash`]: crate::flash::Flash

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::flash::Flash;

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

#[cfg(feature = "ssr")]
impl CustomerForm {
    fn refused(&self, problems: &[domain::FieldError]) -> Flash {
        let mut flash = Flash::error(codes::FIELDS_REFUSED);
        for p in problems {
            flash = flash.problem(&p.field, &p.message);
        }
        flash
            .typed("name", &self.name)
            .typed("email", &self.email)
            .typed("phone", &self.phone)
            .typed(
                "marketing_consent",
                self.marketing_consent.as_ref().map_or("", |_| "on"),
            )
    }
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
    let sales = customers::customer_sales(&pool, id, recent)
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

/// The field problems of a refused create or edit; other errors as they are.
#[cfg(feature = "ssr")]
fn field_problems(err: domain::Error) -> Result<Vec<domain::FieldError>, domain::Error> {
    match err {
        domain::Error::Validation(problems) => Ok(problems),
        other => Err(other),
    }
}

#[server(endpoint = "create_customer")]
pub async fn create_customer(#[server(flatten)] form: CustomerForm) -> Result<(), AppError> {
    use crate::server::{failure, pool, require_csrf};
    let session = require_csrf(&form.csrf).await?;
    let new = domain::customers::NewCustomer {
        name: form.name.clone(),
        email: form.email.clone(),
        phone: form.phone.clone(),
        marketing_consent: form.marketing_consent.is_some(),
    };
    match domain::customers::create_customer(&pool()?, &session.employee.actor(), &new).await {
        Ok(c) => Flash::new()
            .with(codes::CREATED, 1)
            .redirect(&format!("/clients/{}", c.id)),
        Err(e) => {
            let problems = field_problems(e).map_err(failure)?;
            let back = form.refused(&problems).link("/clients");
            leptos_axum::redirect(&format!("{back}#nouveau-client"));
        }
    }
    Ok(())
}

#[server(endpoint = "update_customer")]
pub async fn update_customer(
    customer_id: i64,
    #[server(flatten)] form: CustomerForm,
) -> Result<(), AppError> {
    use crate::server::{failure, pool, require_csrf};
    let session = require_csrf(&form.csrf).await?;
    let back = format!("/clients/{customer_id}");
    let patch = domain::customers::CustomerPatch {
        name: Some(form.name.clone()),
        email: Some(form.email.clone()),
        phone: Some(form.phone.clone()),
        marketing_consent: Some(form.marketing_consent.is_some()),
    };
    let outcome = domain::customers::update_customer(
        &pool()?,
        &session.employee.actor(),
        customer_id,
        &patch,
    )
    .await;
    match outcome {
        Ok(_) => Flash::new().with(codes::SAVED, 1).redirect(&back),
        Err(domain::Error::Conflict(_)) => Flash::error(codes::ANONYMIZED).redirect(&back),
        Err(e) => {
            let problems = field_problems(e).map_err(failure)?;
            form.refused(&problems).redirect(&back);
        }
    }
    Ok(())
}

/// Adds or removes points (`what=points`, a whole number) or store credit (`what=credit`, an
/// amount like `-12,50`) by hand, with its reason.
#[server(endpoint = "adjust_customer_balance")]
pub async fn adjust_balance(
    csrf: String,
    customer_id: i64,
    what: String,
    delta: String,
    note: String,
) -> Result<(), AppError> {
    use crate::server::{failure, pool, require_csrf};
    use domain::Error;
    let session = require_csrf(&csrf).await?;
    let actor = session.employee.actor();
    let back = format!("/clients/{customer_id}");
    let refused = |field: &str, message: &str| {
        let link = Flash::error(codes::ADJUST_REFUSED)
            .with("solde_type", &what)
            .problem(field, message)
            .typed("delta", &delta)
            .typed("note", &note)
            .link(&back);
        leptos_axum::redirect(&format!("{link}#ajuster"));
    };
    let pool = pool()?;
    let outcome = if what == codes::CREDIT {
        match crate::format::parse_decimal(&delta) {
            Some(amount) => {
                domain::customers::adjust_credit(&pool, &actor, customer_id, amount, &note)
                    .await
                    .map(|c| crate::format::money(c.credit))
            }
            None => {
                refused("delta", "Indiquez un montant comme 12,50 ou -5.");
                return Ok(());
            }
        }
    } else {
        match delta.trim().parse::<i64>() {
            Ok(points) => {
                domain::customers::adjust_points(&pool, &actor, customer_id, points, &note)
                    .await
                    .map(|c| crate::format::count(c.points))
            }
            Err(_) => {
                refused(
                    "delta",
                    "Indiquez un nombre entier de points, comme 100 ou -50.",
                );
                return Ok(());
            }
        }
    };
    match outcome {
        Ok(balance) => Flash::done(if what == codes::CREDIT {
            codes::CREDIT
        } else {
            codes::POINTS
        })
        .with(codes::BALANCE, balance)
        .redirect(&back),
        Err(Error::Forbidden(_)) => Flash::error(codes::FORBIDDEN).redirect(&back),
        Err(Error::Validation(problems)) => {
            let p = problems.into_iter().next();
            let (field, message) = p
                .map(|p| {
                    let field = if p.field == "note" { "note" } else { "delta" };
                    (field, p.message)
                })
                .unwrap_or(("delta", String::new()));
            refused(field, &message);
        }
        Err(Error::Conflict(message)) => refused("delta", &message),
        Err(e) => return Err(failure(e)),
    }
    Ok(())
}

/// Anonymises a customer once the box confirming it is ticked (head office only).
#[server(endpoint = "anonymize_customer")]
pub async fn anonymize_customer(
    csrf: String,
    customer_id: i64,
    /// The confirmation checkbox: `on` when ticked, absent otherwise.
    confirm: Option<String>,
) -> Result<(), AppError> {
    use crate::server::{failure, pool, require_csrf};
    let session = require_csrf(&csrf).await?;
    let back = format!("/clients/{customer_id}");
    if confirm.is_none() {
        Flash::error(codes::NOT_CONFIRMED).redirect(&format!("{back}#anonymiser"));
        return Ok(());
    }
    match domain::customers::anonymize_customer(&pool()?, &session.employee.actor(), customer_id)
        .await
    {
        Ok(_) => Flash::done(codes::ANONYMIZE).redirect(&back),
        Err(domain::Error::Forbidden(_)) => Flash::error(codes::FORBIDDEN).redirect(&back),
        Err(e) => return Err(failure(e)),
    }
    Ok(())
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

    #[test]
    fn the_forms_read_the_plain_field_names_of_the_html_forms() {
        let decode = |body: &str| -> UpdateCustomer {
            serde_qs::Config::new(5, false)
                .deserialize_str(body)
                .unwrap_or_else(|e| panic!("{body}: {e}"))
        };
        let update = decode(
            "customer_id=7&csrf=t&name=Marie+Roy&email=&phone=514+555-1234&marketing_consent=on",
        );
        assert_eq!(update.customer_id, 7);
        assert_eq!(update.form.name, "Marie Roy");
        assert_eq!(update.form.phone, "514 555-1234");
        assert!(update.form.marketing_consent.is_some());
        let unticked = decode("customer_id=7&csrf=t&name=&email=&phone=");
        assert_eq!(unticked.form.marketing_consent, None);
        let anonymize: AnonymizeCustomer = serde_qs::Config::new(5, false)
            .deserialize_str("csrf=t&customer_id=3")
            .unwrap();
        assert_eq!(anonymize.confirm, None);
    }
}

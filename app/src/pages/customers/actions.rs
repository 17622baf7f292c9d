//! The changes made from the customers' pages (create, edit, adjust points or credit,
//! anonymise), each answered by a redirect with its [`Flash`], so the forms work without
//! JavaScript.

use leptos::prelude::*;

use super::api::CustomerForm;
#[cfg(feature = "ssr")]
use super::api::codes;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::flash::Flash;

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

//! The report's server function: it reads the form, applies the defaults and answers the
//! [`ReportView`] of `view.rs`. Who may read what is `domain::reporting`'s rule.

use leptos::prelude::*;

use crate::error::AppError;

pub use super::view::*;

#[server(endpoint = "report_view")]
pub async fn load_report(
    periode: Option<String>,
    magasin: Option<String>,
    du: Option<String>,
    au: Option<String>,
) -> Result<ReportView, AppError> {
    use super::figures::body;
    use super::period::{choices, chosen, period_of};
    use crate::server::{failure, pool, require_session};
    use domain::reporting::{self, ReportScope};
    let session = require_session().await?;
    let pool = pool()?;
    let actor = session.employee.actor();
    let network_allowed = actor.ensure_head_office().is_ok();
    let stores: Vec<StoreChoice> = domain::stores::list_stores(&pool)
        .await
        .map_err(failure)?
        .into_iter()
        .filter(|s| actor.ensure_manager_of(s.id).is_ok())
        .map(|s| StoreChoice {
            id: s.id,
            name: s.name,
        })
        .collect();
    let choice = chosen(
        periode,
        magasin,
        du,
        au,
        network_allowed,
        session.employee.store_id,
    );
    let store_id = choice.magasin.parse::<i64>().ok();
    let mut view = ReportView {
        choice,
        stores,
        network_allowed,
        field_errors: Vec::new(),
        periods: choices(),
        denied: None,
        denied_status: None,
        body: None,
    };
    let store = match store_id {
        Some(id) => match domain::stores::get_store(&pool, id).await {
            Ok(store) => Some(store),
            Err(e) if e.is_client_error() => {
                view.deny(crate::server::business_error(&e));
                return Ok(view);
            }
            Err(e) => return Err(failure(e)),
        },
        None => None,
    };
    let today = reporting::today_for(store.as_ref());
    let outcome = match period_of(&view.choice, today) {
        Ok(period) => {
            if view.choice.periode != reporting::Preset::Custom.key() {
                view.choice.du = period.from.to_string();
                view.choice.au = period.to.to_string();
            }
            let scope = ReportScope { period, store_id };
            match reporting::sales_report(&pool, &actor, &scope, Some(TOP)).await {
                Ok(sales) => match reporting::inventory_report(&pool, &actor, store_id).await {
                    Ok(stock) => reporting::selling_report(&pool, &actor, &scope)
                        .await
                        .map(|floor| (sales, stock, floor)),
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok((sales, stock, floor)) => {
            let subject = store.map_or_else(|| "Réseau".to_owned(), |s| s.name);
            view.body = Some(body(subject, sales, stock, floor));
        }
        Err(domain::Error::Validation(errors)) => {
            view.field_errors = errors
                .into_iter()
                .map(|e| {
                    let field = if e.field == "date_fin" { "au" } else { "du" };
                    (field.to_owned(), e.message)
                })
                .collect();
        }
        Err(e) if e.is_client_error() => view.deny(crate::server::business_error(&e)),
        Err(e) => return Err(failure(e)),
    }
    Ok(view)
}

impl ReportView {
    /// The report is refused (or its store missing): the message and its status, no figures.
    #[cfg(feature = "ssr")]
    fn deny(&mut self, error: AppError) {
        self.denied_status = Some(error.status());
        self.denied = Some(error.message);
    }
}

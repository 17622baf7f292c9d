//! Magasin: a store's registers with their status (open by whom since when, today's total),
//! refreshed every 10 seconds (until refused or signed out), and the way to the store's other
//! screens; managers and head office reach each register's past sessions. Head office enters
//! the GST/QST registration numbers printed on the store's receipts.

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::components::{Failure, Notice};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::flash::Flash;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegisterRow {
    pub id: i64,
    pub name: String,
    /// `Ouverte par X depuis 8 h 02`, or `Fermée`.
    pub status: String,
    pub open: bool,
    pub today_sales: i64,
    pub today_total: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoreView {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub registers: Vec<RegisterRow>,
    /// The store's manager and head office read its report and its registers' past sessions.
    pub can_report: bool,
}

/// The GST/QST numbers printed on the store's receipts, for head office (who edits them);
/// `None` for store staff. Read once, not with the page's polling, so that typing survives.
#[server(endpoint = "store_tax_numbers_view")]
pub async fn load_tax_numbers(store_id: i64) -> Result<Option<(String, String)>, AppError> {
    use crate::server::{failure, pool, require_session};
    let session = require_session().await?;
    if !session.employee.actor().is_head_office() {
        return Ok(None);
    }
    let store = domain::stores::get_store(&pool()?, store_id)
        .await
        .map_err(failure)?;
    Ok(Some((store.gst_number, store.qst_number)))
}

/// Sets the store's GST/QST numbers (head office); an empty field removes one.
#[server(endpoint = "store_tax_numbers")]
pub async fn save_tax_numbers(
    csrf: String,
    store_id: i64,
    #[server(default)] tps: String,
    #[server(default)] tvq: String,
) -> Result<(), AppError> {
    use crate::server::{failure, pool, require_csrf};
    let session = require_csrf(&csrf).await?;
    let back = format!("/magasins/{store_id}");
    let changes = domain::stores::StoreChanges {
        gst_number: Some(tps.clone()),
        qst_number: Some(tvq.clone()),
        ..Default::default()
    };
    match domain::stores::update_store(&pool()?, &session.employee.actor(), store_id, &changes)
        .await
    {
        Ok(_) => Flash::done("taxes").redirect(&back),
        Err(domain::Error::Validation(fields)) => {
            let mut flash = Flash::error("taxes").typed("tps", &tps).typed("tvq", &tvq);
            for f in &fields {
                let field = if f.field == "gst_number" {
                    "tps"
                } else {
                    "tvq"
                };
                flash = flash.problem(field, &f.message);
            }
            flash.redirect(&back)
        }
        Err(e) if e.is_client_error() => Flash::error("refus").redirect(&back),
        Err(e) => return Err(failure(e)),
    }
    Ok(())
}

#[server(endpoint = "store_view")]
pub async fn load_store(store_id: i64) -> Result<StoreView, AppError> {
    use crate::server::{failure, pool, require_session};
    let session = require_session().await?;
    let pool = pool()?;
    let actor = session.employee.actor();
    let statuses = domain::stores::register_statuses(&pool, &actor, store_id)
        .await
        .map_err(failure)?;
    let store = domain::stores::get_store(&pool, store_id)
        .await
        .map_err(failure)?;
    let tz = store.tz();
    Ok(StoreView {
        can_report: actor.ensure_manager_of(store.id).is_ok(),
        id: store.id,
        name: store.name,
        address: store.address,
        registers: statuses
            .into_iter()
            .map(|r| RegisterRow {
                id: r.register_id,
                name: r.name,
                open: r.session_id.is_some(),
                status: match (r.opened_by_name, r.opened_at) {
                    (Some(who), Some(at)) => {
                        format!(
                            "Ouverte par {who} depuis {}",
                            crate::format::time(&at.with_timezone(&tz))
                        )
                    }
                    _ => "Fermée".to_owned(),
                },
                today_sales: r.today_sales,
                today_total: crate::format::money(r.today_total),
            })
            .collect(),
    })
}

#[component]
pub fn StorePage() -> impl IntoView {
    let store_id = crate::links::route_id("id");
    let page = Resource::new(store_id, load_store);
    crate::components::poll(page, std::time::Duration::from_secs(10));
    // read again after its form is answered (the outcome is in the address)
    let query = leptos_router::hooks::use_query_map();
    let numbers = Resource::new(
        move || {
            let q = query.read();
            (store_id(), q.get("fait"), q.get("erreur"))
        },
        |(id, _, _)| load_tax_numbers(id),
    );
    let user = expect_context::<crate::auth::UserResource>();
    let numbers = move || {
        Suspend::new(async move {
            let csrf = user
                .await
                .ok()
                .flatten()
                .map(|u| u.csrf)
                .unwrap_or_default();
            numbers.await.ok().flatten().map(|(gst, qst)| {
                view! { <TaxNumbers store_id=store_id() csrf gst qst /> }
            })
        })
    };
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! {
                        <Title text=format!("{} — Multi-Magasin", p.name) />
                        <h1>{p.name.clone()}</h1>
                        <p class="address">{p.address.clone()}</p>
                        <nav class="store-links">
                            <a href=format!("/magasins/{}/stock", p.id)>"Stock du magasin"</a>
                            <a href=format!("/magasins/{}/retours", p.id)>"Retours"</a>
                            <a href=format!("/magasins/{}/stock#demandes", p.id)>"Demandes de réassort"</a>
                            {p.can_report.then(|| view! {
                                <a href=format!("/rapports?magasin={}", p.id)>"Rapport du magasin"</a>
                            })}
                        </nav>
                        <h2>"Caisses"</h2>
                        <table class="registers">
                            <thead><tr>
                                <th>"Caisse"</th><th>"État"</th><th>"Ventes du jour"</th><th>"Total du jour"</th>
                                {p.can_report.then(|| view! { <th>"Sessions passées"</th> })}
                            </tr></thead>
                            <tbody>
                                {p.registers.into_iter().map(|r| view! {
                                    <tr data-register-id=r.id class=if r.open { "open" } else { "closed" }>
                                        <td><a href=format!("/caisses/{}", r.id)>{r.name}</a></td>
                                        <td class="status">{r.status}</td>
                                        <td class="num">{crate::format::count(r.today_sales)}</td>
                                        <td class="num">{r.today_total}</td>
                                        // the store's manager and head office reprint past Z reports
                                        {p.can_report.then(|| view! {
                                            <td><a class="sessions" href=format!("/caisses/{}/sessions", r.id)>"Sessions et rapports Z"</a></td>
                                        })}
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <Failure error=e /> }.into_any(),
                }
            })}
        </Transition>
        <Transition fallback=|| ()>{numbers}</Transition>
    }
}

/// Head office's form for the numbers printed on receipts: a plain form, with or without
/// JavaScript; a refused number comes back as typed with its reason next to it.
#[component]
fn TaxNumbers(store_id: i64, csrf: String, gst: String, qst: String) -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let flash = crate::flash::Flash::read(&query.read_untracked());
    let action = ServerAction::<SaveTaxNumbers>::new();
    let typed = |field: &str, saved: String| flash.typed_of(field).map_or(saved, str::to_owned);
    let (gst, qst) = (typed("tps", gst), typed("tvq", qst));
    let problem = |field: &str| {
        flash
            .problem_of(field)
            .map(|m| view! { <p class="error" role="alert" id=format!("{field}-error")>{m.to_owned()}</p> })
    };
    let (gst_problem, qst_problem) = (problem("tps"), problem("tvq"));
    let notice = match (flash.done_code(), flash.error_code()) {
        (Some("taxes"), _) => Some(Notice::success("Numéros de taxes enregistrés.")),
        (_, Some("refus")) => Some(Notice::error("Réservé au siège (administrateur).")),
        _ => None,
    };
    view! {
        <section class="tax-numbers" aria-labelledby="taxes-title">
            <h2 id="taxes-title">"Numéros de taxes (imprimés sur les reçus)"</h2>
            {notice.map(Notice::view)}
            <ActionForm action=action attr:class="form narrow">
                <input type="hidden" name="csrf" value=csrf />
                <input type="hidden" name="store_id" value=store_id />
                <label for="tps">"Numéro de TPS (ex. 123456789 RT0001)"</label>
                <input id="tps" name="tps" maxlength="30" autocomplete="off" value=gst />
                {gst_problem}
                <label for="tvq">"Numéro de TVQ (ex. 1234567890 TQ0001)"</label>
                <input id="tvq" name="tvq" maxlength="30" autocomplete="off" value=qst />
                {qst_problem}
                <button type="submit">"Enregistrer"</button>
            </ActionForm>
        </section>
    }
}

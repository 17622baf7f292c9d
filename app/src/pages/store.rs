//! Magasin: a store's registers with their status (open by whom since when, today's total),
//! refreshed every 10 seconds (until refused or signed out), and the way to the store's other
//! screens; managers and head office reach each register's past sessions.

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::components::Failure;
use crate::error::AppError;

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
    }
}

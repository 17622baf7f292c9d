//! Tableau de bord: each store's figures of the day (sales, revenue, open registers, stock
//! alerts), refreshed every 10 seconds once the page is interactive (until signed out). Store
//! staff see their store, head office every store. Store staff also get the way to their till
//! in one tap: the register they opened (« Reprendre ma caisse »), else the ones to open.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::Failure;
use crate::error::AppError;
use crate::format::count;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoreCard {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub sales: i64,
    /// Already written for people (`1 234,56 $`).
    pub revenue: String,
    pub open_registers: i64,
    pub registers: i64,
    pub stock_alerts: i64,
}

/// Head office's figures of the day for the whole network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkCard {
    pub revenue: String,
    pub sales: i64,
    pub average_ticket: String,
    pub units: i64,
    pub returns: i64,
    pub open_registers: i64,
    pub registers: i64,
    pub stock_alerts: i64,
}

/// The store employee's way to a till from the dashboard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum TillShortcut {
    /// The register whose session the employee opened: `(register id, name)`.
    Resume(i64, String),
    /// No session of theirs is open: the store's registers without an open session.
    Open(Vec<(i64, String)>),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardView {
    pub stores: Vec<StoreCard>,
    /// Only for head office.
    pub network: Option<NetworkCard>,
    /// Only for a store's employees.
    pub till: Option<TillShortcut>,
}

/// The register the employee resumes, else their store's closed registers.
#[cfg(feature = "ssr")]
async fn till_shortcut(
    pool: &domain::db::PgPool,
    actor: &domain::Actor,
    store_id: Option<i64>,
) -> Result<Option<TillShortcut>, AppError> {
    use crate::server::failure;
    let Some(store_id) = store_id else {
        return Ok(None);
    };
    if let Some(r) = domain::stores::own_open_register(pool, actor)
        .await
        .map_err(failure)?
    {
        return Ok(Some(TillShortcut::Resume(r.id, r.name)));
    }
    let closed = domain::stores::register_statuses(pool, actor, store_id)
        .await
        .map_err(failure)?
        .into_iter()
        .filter(|r| r.session_id.is_none())
        .map(|r| (r.register_id, r.name))
        .collect();
    Ok(Some(TillShortcut::Open(closed)))
}

#[server(endpoint = "dashboard")]
pub async fn dashboard() -> Result<DashboardView, AppError> {
    use crate::format::money;
    use crate::server::failure;
    let session = crate::server::require_session().await?;
    let pool = crate::server::pool()?;
    let actor = session.employee.actor();
    let stores = domain::reporting::stores_today(&pool, &actor)
        .await
        .map_err(failure)?;
    let network = if actor.is_head_office() {
        let today = domain::reporting::chain_today();
        let scope = domain::reporting::ReportScope::new(today, today, None).map_err(failure)?;
        let k = domain::reporting::kpis(&pool, &actor, &scope)
            .await
            .map_err(failure)?;
        Some(NetworkCard {
            revenue: money(k.revenue),
            sales: k.sales,
            average_ticket: money(k.average_ticket),
            units: k.units,
            returns: k.returns,
            open_registers: stores.iter().map(|s| s.open_registers).sum(),
            registers: stores.iter().map(|s| s.registers).sum(),
            stock_alerts: k.stock_alerts,
        })
    } else {
        None
    };
    let till = till_shortcut(&pool, &actor, session.employee.store_id).await?;
    let stores = stores
        .into_iter()
        .map(|s| StoreCard {
            id: s.store_id,
            name: s.name,
            address: s.address,
            sales: s.sales,
            revenue: money(s.revenue),
            open_registers: s.open_registers,
            registers: s.registers,
            stock_alerts: s.stock_alerts,
        })
        .collect();
    Ok(DashboardView {
        stores,
        network,
        till,
    })
}

/// How often the figures refresh in the browser.
const REFRESH: std::time::Duration = std::time::Duration::from_secs(10);

#[component]
pub fn HomePage() -> impl IntoView {
    let stores = Resource::new(|| (), |_| dashboard());
    crate::components::poll(stores, REFRESH);
    view! {
        <h1>"Tableau de bord"</h1>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match stores.await {
                    Ok(d) => view! {
                        {d.till.map(|t| view! { <Till shortcut=t /> })}
                        {d.network.map(|n| view! { <Network n /> })}
                        <ul class="store-list">
                            {d.stores.into_iter().map(|s| view! { <StoreTile store=s /> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <Failure error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn StoreTile(store: StoreCard) -> impl IntoView {
    let alert_class = if store.stock_alerts > 0 {
        "figure alert"
    } else {
        "figure"
    };
    view! {
        <li class="store" data-store-id=store.id>
            <a class="store-name" href=format!("/magasins/{}", store.id)><strong>{store.name}</strong></a>
            <span class="address">{store.address}</span>
            <dl class="figures">
                <div class="figure"><dt>"Ventes du jour"</dt><dd class="sales">{count(store.sales)}</dd></div>
                <div class="figure"><dt>"Chiffre d'affaires"</dt><dd class="revenue">{store.revenue}</dd></div>
                <div class="figure">
                    <dt>"Caisses ouvertes"</dt>
                    <dd class="registers">{format!("{} / {}", count(store.open_registers), count(store.registers))}</dd>
                </div>
                <div class=alert_class><dt>"Alertes de stock"</dt><dd class="alerts">{count(store.stock_alerts)}</dd></div>
            </dl>
        </li>
    }
}

/// The way to the employee's till: plain links, one tap with or without JavaScript.
#[component]
fn Till(shortcut: TillShortcut) -> impl IntoView {
    view! {
        <nav class="my-till" aria-label="Ma caisse">
            {match shortcut {
                TillShortcut::Resume(id, name) => view! {
                    <a class="button primary" href=format!("/caisses/{id}") data-register-id=id>
                        "Reprendre ma caisse"
                    </a>
                    <span class="muted">" " {name}</span>
                }.into_any(),
                TillShortcut::Open(registers) if registers.is_empty() => view! {
                    <p class="muted">"Toutes les caisses du magasin sont ouvertes."</p>
                }.into_any(),
                TillShortcut::Open(registers) => view! {
                    <span class="label">"Ouvrir une caisse : "</span>
                    {registers.into_iter().map(|(id, name)| view! {
                        <a class="button primary" href=format!("/caisses/{id}") data-register-id=id>{name}</a>
                    }).collect_view()}
                }.into_any(),
            }}
        </nav>
    }
}

/// The network's figures of the day (head office).
#[component]
fn Network(n: NetworkCard) -> impl IntoView {
    view! {
        <section class="network" aria-label="Réseau aujourd'hui">
            <h2>"Réseau aujourd'hui"</h2>
            <dl class="kpis-today">
                <div><dt>"Chiffre d'affaires (HT)"</dt><dd data-kpi="revenue">{n.revenue}</dd></div>
                <div><dt>"Ventes"</dt><dd data-kpi="sales">{count(n.sales)}</dd></div>
                <div><dt>"Panier moyen"</dt><dd>{n.average_ticket}</dd></div>
                <div><dt>"Articles vendus"</dt><dd>{count(n.units)}</dd></div>
                <div><dt>"Retours"</dt><dd>{count(n.returns)}</dd></div>
                <div><dt>"Caisses ouvertes"</dt><dd>{format!("{} / {}", count(n.open_registers), count(n.registers))}</dd></div>
                <div class:alert={n.stock_alerts > 0}><dt>"Alertes de stock"</dt><dd>{count(n.stock_alerts)}</dd></div>
            </dl>
        </section>
    }
}

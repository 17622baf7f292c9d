//! Closing a register: the running figures of the session, the counted cash, then the Z report
//! (sales, returns, expected cash and the difference).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use super::actions::CloseTill;
use super::{codes, route_id};
use crate::auth::UserResource;
use crate::components::{Failure, Notice};
use crate::error::AppError;
use crate::flash::Flash;

/// A session's Z report as the page shows it (amounts already written).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ZView {
    pub session_id: i64,
    pub register_id: i64,
    pub register_name: String,
    pub store_name: String,
    pub opened_by: String,
    pub opened_at: String,
    pub closed_at: Option<String>,
    pub sales_count: String,
    pub sales_total: String,
    pub cash_sales: String,
    pub card_sales: String,
    pub tps: String,
    pub tvq: String,
    pub returns_count: String,
    pub refunds_total: String,
    pub cash_refunds: String,
    pub opening_float: String,
    pub expected_cash: String,
    pub counted_cash: Option<String>,
    pub difference: Option<String>,
}

#[cfg(feature = "ssr")]
async fn z_view(
    pool: &domain::db::PgPool,
    actor: &domain::Actor,
    session_id: i64,
) -> Result<ZView, AppError> {
    use crate::format::{count, date_time, money};
    use crate::server::failure;
    // who may read it (the opener, the store's manager, head office) is domain's rule
    let domain::stores::SessionReport { session, z } =
        domain::stores::z_report_for(pool, actor, session_id)
            .await
            .map_err(failure)?;
    let register = domain::stores::get_register(pool, actor, session.register_id)
        .await
        .map_err(failure)?;
    let store = domain::stores::get_store(pool, session.store_id)
        .await
        .map_err(failure)?;
    let tz = store.tz();
    let when = |at: chrono::DateTime<chrono::Utc>| date_time(&at.with_timezone(&tz));
    Ok(ZView {
        session_id,
        register_id: register.id,
        register_name: register.name,
        store_name: store.name,
        opened_by: session.opened_by_name,
        opened_at: when(session.opened_at),
        closed_at: session.closed_at.map(when),
        sales_count: count(z.sales_count),
        sales_total: money(z.sales_total),
        cash_sales: money(z.cash_sales_total),
        card_sales: money(z.card_sales_total),
        tps: money(z.tps_total),
        tvq: money(z.tvq_total),
        returns_count: count(z.returns_count),
        refunds_total: money(z.refunds_total),
        cash_refunds: money(z.cash_refunds_total),
        opening_float: money(z.opening_float),
        expected_cash: money(z.expected_cash),
        counted_cash: z.counted_cash.map(money),
        difference: z.cash_difference.map(money),
    })
}

/// The open session of a register with its running figures, or `None` when it is closed.
#[server(endpoint = "till_closing")]
pub async fn load_closing(register_id: i64) -> Result<Option<ZView>, AppError> {
    use crate::server::{failure, pool, require_session};
    let session = require_session().await?;
    let pool = pool()?;
    let actor = session.employee.actor();
    // the register must exist and be one of the employee's store
    domain::stores::get_register(&pool, &actor, register_id)
        .await
        .map_err(failure)?;
    match domain::stores::current_session(&pool, register_id)
        .await
        .map_err(failure)?
    {
        Some(open) => Ok(Some(z_view(&pool, &actor, open.id).await?)),
        None => Ok(None),
    }
}

#[server(endpoint = "session_report")]
pub async fn load_session_report(session_id: i64) -> Result<ZView, AppError> {
    let session = crate::server::require_session().await?;
    z_view(
        &crate::server::pool()?,
        &session.employee.actor(),
        session_id,
    )
    .await
}

/// The figures of a Z report, shared by the closing form and the final report.
#[component]
fn Figures(z: ZView) -> impl IntoView {
    view! {
        <dl class="z-report">
            <div><dt>"Ventes"</dt><dd data-z="sales_count">{z.sales_count}</dd></div>
            <div><dt>"Total des ventes"</dt><dd data-z="sales_total">{z.sales_total}</dd></div>
            <div><dt>"dont espèces"</dt><dd>{z.cash_sales}</dd></div>
            <div><dt>"dont carte"</dt><dd>{z.card_sales}</dd></div>
            <div><dt>"TPS perçue"</dt><dd>{z.tps}</dd></div>
            <div><dt>"TVQ perçue"</dt><dd>{z.tvq}</dd></div>
            <div><dt>"Retours"</dt><dd data-z="returns_count">{z.returns_count}</dd></div>
            <div><dt>"Remboursements"</dt><dd>{z.refunds_total}</dd></div>
            <div><dt>"dont espèces"</dt><dd>{z.cash_refunds}</dd></div>
            <div><dt>"Fonds de caisse"</dt><dd>{z.opening_float}</dd></div>
            <div class="grand"><dt>"Espèces attendues"</dt><dd data-z="expected_cash">{z.expected_cash}</dd></div>
            {z.counted_cash.map(|c| view! { <div><dt>"Espèces comptées"</dt><dd data-z="counted_cash">{c}</dd></div> })}
            {z.difference.map(|d| view! { <div class="grand"><dt>"Écart"</dt><dd data-z="difference">{d}</dd></div> })}
        </dl>
    }
}

#[component]
pub fn ClosingPage() -> impl IntoView {
    let register_id = route_id("id");
    let query = use_query_map();
    let closing = Resource::new(register_id, load_closing);
    let user = expect_context::<UserResource>();
    let close = ServerAction::<CloseTill>::new();
    let error = move || {
        let text = match Flash::read(&query.read()).error_code()? {
            codes::AMOUNT => {
                "Le montant compté doit être positif, au cent près, sans dépasser 9 999 999 999,99 $ (ex. 812,35)."
            }
            _ => {
                "Fermeture refusée : seul l'employé qui a ouvert la caisse ou un gérant du magasin peut la fermer."
            }
        };
        Some(Notice::error(text))
    };
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let csrf = user.await.ok().flatten().map(|u| u.csrf).unwrap_or_default();
                match closing.await {
                    Ok(Some(z)) => view! {
                        <Title text=format!("Fermeture — {}", z.register_name) />
                        <h1>"Fermer " {z.register_name.clone()} " — " {z.store_name.clone()}</h1>
                        <p>"Session ouverte par " {z.opened_by.clone()} " le " {z.opened_at.clone()} "."</p>
                        {error().map(Notice::view)}
                        <Figures z=z.clone() />
                        <ActionForm action=close attr:class="form narrow">
                            <input type="hidden" name="csrf" value=csrf />
                            <input type="hidden" name="register_id" value=z.register_id />
                            <input type="hidden" name="session_id" value=z.session_id />
                            <label for="compte">"Espèces comptées dans le tiroir ($)"</label>
                            <input id="compte" name="compte" inputmode="decimal" autocomplete="off" required />
                            <button type="submit">"Fermer la caisse et imprimer le rapport Z"</button>
                        </ActionForm>
                        <p><a href=format!("/caisses/{}", z.register_id)>"Retour à la vente"</a></p>
                    }.into_any(),
                    Ok(None) => view! {
                        <h1>"Caisse fermée"</h1>
                        <p>"Cette caisse n'a pas de session ouverte."</p>
                        <p><a href=format!("/caisses/{}", register_id())>"Ouvrir la caisse"</a></p>
                    }.into_any(),
                    Err(e) => view! { <Failure error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn SessionReportPage() -> impl IntoView {
    let session_id = route_id("id");
    let report = Resource::new(session_id, load_session_report);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(z) => view! {
                        <Title text=format!("Rapport Z — session {}", z.session_id) />
                        <article class="ticket">
                            <h1>"Rapport Z"</h1>
                            <p>{z.store_name.clone()} " — " {z.register_name.clone()}</p>
                            <p>"Session n° " {z.session_id} ", ouverte par " {z.opened_by.clone()}
                               " le " {z.opened_at.clone()}</p>
                            {z.closed_at.clone().map(|c| view! { <p>"Fermée le " {c}</p> })}
                            <Figures z=z.clone() />
                        </article>
                        <p class="no-print">
                            <crate::components::PrintButton label="Imprimer" />
                            " "
                            <a href=format!("/caisses/{}", z.register_id)>"Retour à la caisse"</a>
                        </p>
                    }.into_any(),
                    Err(e) => view! { <Failure error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

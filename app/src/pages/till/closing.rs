//! Closing a register: the running figures of the session, paid-outs and top-ups, the counted
//! cash (by denomination, see [`super::cash`]), then the Z report (sales, returns, cash
//! movements, expected cash and the difference, the count, and the sales of each cashier).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use super::cash::{CashMoveForm, CountForm};
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
    pub top_ups: String,
    pub paid_outs: String,
    pub expected_cash: String,
    pub counted_cash: Option<String>,
    pub difference: Option<String>,
    /// Each paid-out or top-up: what, how much, why, who and when.
    pub movements: Vec<MovementView>,
    /// The closing count: `(label, pieces, worth)` of each denomination counted.
    pub denominations: Vec<(String, String, String)>,
    /// `(employee, sales, total)` of each employee who sold on the session.
    pub cashiers: Vec<(String, String, String)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MovementView {
    pub kind: String,
    pub amount: String,
    pub reason: String,
    pub employee: String,
    pub at: String,
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
    let movements = domain::stores::cash_movements(pool, session_id)
        .await
        .map_err(failure)?
        .into_iter()
        .map(|m| MovementView {
            kind: m.kind.label().to_owned(),
            amount: money(m.amount),
            reason: m.reason,
            employee: m.employee_name,
            at: crate::format::time(&m.created_at.with_timezone(&tz)),
        })
        .collect();
    let cashiers = domain::stores::sales_by_cashier(pool, session_id)
        .await
        .map_err(failure)?
        .into_iter()
        .map(|c| (c.employee_name, count(c.sales_count), money(c.sales_total)))
        .collect();
    let denominations = match &z.counted_denominations.0 {
        None => Vec::new(),
        Some(counted) => super::cash::DENOMINATIONS
            .iter()
            .filter(|(key, _, _)| counted.pieces(key) > 0)
            .map(|(key, _, label)| {
                let pieces = counted.pieces(key);
                let worth = key.parse::<rust_decimal::Decimal>().unwrap_or_default()
                    * rust_decimal::Decimal::from(pieces);
                ((*label).to_owned(), count(pieces), money(worth))
            })
            .collect(),
    };
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
        top_ups: money(z.top_ups_total),
        paid_outs: money(z.paid_outs_total),
        expected_cash: money(z.expected_cash),
        counted_cash: z.counted_cash.map(money),
        difference: z.cash_difference.map(money),
        movements,
        denominations,
        cashiers,
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
            <div><dt>"Apports au fonds"</dt><dd data-z="top_ups">{z.top_ups}</dd></div>
            <div><dt>"Sorties de caisse"</dt><dd data-z="paid_outs">{z.paid_outs}</dd></div>
            <div class="grand"><dt>"Espèces attendues"</dt><dd data-z="expected_cash">{z.expected_cash}</dd></div>
            {z.counted_cash.map(|c| view! { <div><dt>"Espèces comptées"</dt><dd data-z="counted_cash">{c}</dd></div> })}
            {z.difference.map(|d| view! { <div class="grand"><dt>"Écart"</dt><dd data-z="difference">{d}</dd></div> })}
        </dl>
        {(!z.movements.is_empty()).then(|| view! {
            <h2>"Sorties et apports"</h2>
            <table class="list z-moves">
                <thead><tr><th>"Heure"</th><th>"Mouvement"</th><th>"Raison"</th><th>"Employé"</th><th class="num">"Montant"</th></tr></thead>
                <tbody>
                    {z.movements.into_iter().map(|m| view! {
                        <tr><td>{m.at}</td><td>{m.kind}</td><td>{m.reason}</td><td>{m.employee}</td><td class="num">{m.amount}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
        {(!z.denominations.is_empty()).then(|| view! {
            <h2>"Comptage par coupure"</h2>
            <table class="list z-count">
                <thead><tr><th>"Coupure"</th><th class="num">"Nombre"</th><th class="num">"Valeur"</th></tr></thead>
                <tbody>
                    {z.denominations.into_iter().map(|(label, n, worth)| view! {
                        <tr><td>{label}</td><td class="num">{n}</td><td class="num">{worth}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
        {(!z.cashiers.is_empty()).then(|| view! {
            <h2>"Ventes par caissier"</h2>
            <table class="list z-cashiers">
                <thead><tr><th>"Employé"</th><th class="num">"Ventes"</th><th class="num">"Total"</th></tr></thead>
                <tbody>
                    {z.cashiers.into_iter().map(|(name, n, total)| view! {
                        <tr data-cashier=name.clone()><td>{name.clone()}</td><td class="num">{n}</td><td class="num">{total}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
    }
}

/// What the last form of the closing page did, or why it was refused.
fn closing_notice(flash: &Flash) -> Option<Notice> {
    use super::cash::codes as cash;
    if flash.done_code() == Some(cash::MOVED) {
        return Some(Notice::success(
            if flash.fact(cash::KIND) == Some("apport") {
                "Apport au fonds enregistré."
            } else {
                "Sortie de caisse enregistrée."
            },
        ));
    }
    let text = match flash.error_code()? {
        codes::AMOUNT => {
            "Le montant compté doit être positif, au cent près, sans dépasser 9 999 999 999,99 $ (ex. 812,35)."
        }
        cash::PIECES => "Chaque nombre de billets ou de pièces doit être un entier de 0 à 99 999.",
        cash::MOVE if flash.fact(cash::FIELD) == Some("raison") => {
            "Indiquez la raison du mouvement (200 caractères au plus)."
        }
        cash::MOVE => {
            "Le montant doit être positif, au cent près, sans dépasser 9 999 999 999,99 $ (ex. 45,00)."
        }
        codes::CLOSED => "Cette session de caisse est déjà fermée.",
        _ => {
            "Refusé : seul l'employé qui a ouvert la caisse ou un gérant du magasin peut la fermer ou en sortir des espèces."
        }
    };
    Some(Notice::error(text))
}

#[component]
pub fn ClosingPage() -> impl IntoView {
    let register_id = route_id("id");
    let query = use_query_map();
    let closing = Resource::new(register_id, load_closing);
    let user = expect_context::<UserResource>();
    let error = move || closing_notice(&Flash::read(&query.read()));
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
                        <CashMoveForm csrf=csrf.clone() register_id=z.register_id session_id=z.session_id />
                        <h2>"Compter le tiroir"</h2>
                        <CountForm csrf register_id=z.register_id session_id=z.session_id />
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

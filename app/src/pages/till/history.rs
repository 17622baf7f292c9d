//! Sessions d'une caisse: a register's past sessions, newest first and by pages, for the store's
//! manager and head office (`domain::stores::register_sessions` says who), each with a link to
//! its Z report, which can be printed again.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use super::route_id;
use crate::components::{Failure, Pager};
use crate::error::AppError;

/// Sessions per page.
#[cfg(feature = "ssr")]
const PAGE_SIZE: u32 = 20;

/// One session as the list shows it (times and amounts already written).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionRow {
    pub id: i64,
    pub opened_by: String,
    pub opened_at: String,
    /// `None` while the session is open.
    pub closed: Option<String>,
    pub sales: String,
    pub total: String,
    pub difference: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionsView {
    pub register_id: i64,
    pub register_name: String,
    pub store_id: i64,
    pub store_name: String,
    pub rows: Vec<SessionRow>,
    pub total: i64,
    pub page: u32,
    pub pages: u32,
}

#[server(endpoint = "register_sessions")]
pub async fn load_register_sessions(register_id: i64, page: u32) -> Result<SessionsView, AppError> {
    use crate::format::{count, date_time, money};
    use crate::server::{failure, pool, require_session};
    use domain::page::PageRequest;
    let session = require_session().await?;
    let pool = pool()?;
    let actor = session.employee.actor();
    let listed = domain::stores::register_sessions(
        &pool,
        &actor,
        register_id,
        PageRequest::new(page, PAGE_SIZE),
    )
    .await
    .map_err(failure)?;
    let register = domain::stores::get_register(&pool, &actor, register_id)
        .await
        .map_err(failure)?;
    let store = domain::stores::get_store(&pool, register.store_id)
        .await
        .map_err(failure)?;
    let tz = store.tz();
    let when = |at: chrono::DateTime<chrono::Utc>| date_time(&at.with_timezone(&tz));
    Ok(SessionsView {
        register_id,
        register_name: register.name,
        store_id: store.id,
        store_name: store.name,
        total: listed.total,
        page: listed.page,
        pages: listed.pages,
        rows: listed
            .items
            .into_iter()
            .map(|s| SessionRow {
                id: s.id,
                opened_by: s.opened_by_name,
                opened_at: when(s.opened_at),
                closed: s.closed_at.map(|at| match s.closed_by_name {
                    Some(who) => format!("{} par {who}", when(at)),
                    None => when(at),
                }),
                sales: count(s.sales_count),
                total: money(s.sales_total),
                difference: s.cash_difference.map(money),
            })
            .collect(),
    })
}

#[component]
pub fn RegisterSessionsPage() -> impl IntoView {
    let register_id = route_id("id");
    let query = use_query_map();
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1)
    };
    let sessions = Resource::new(
        move || (register_id(), page()),
        |(id, page)| load_register_sessions(id, page),
    );
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match sessions.await {
                    Ok(v) => sessions_view(v).into_any(),
                    Err(e) => view! { <Failure error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn sessions_view(v: SessionsView) -> impl IntoView {
    let link = move |page: u32| format!("/caisses/{}/sessions?page={page}", v.register_id);
    let prev = (v.page > 1).then(|| link(v.page - 1));
    let next = (v.page < v.pages).then(|| link(v.page + 1));
    view! {
        <Title text=format!("Sessions — {} — {}", v.register_name, v.store_name) />
        <h1>"Sessions de " {v.register_name.clone()} " — " {v.store_name.clone()}</h1>
        <p class="back"><a href=format!("/magasins/{}", v.store_id)>"← Retour au magasin"</a></p>
        <p class="count">{crate::format::count(v.total)} {if v.total > 1 { " sessions" } else { " session" }}</p>
        {if v.rows.is_empty() {
            view! { <p>"Cette caisse n'a encore jamais été ouverte."</p> }.into_any()
        } else {
            view! {
                <table class="sessions">
                    <thead><tr>
                        <th>"Session"</th><th>"Ouverte par"</th><th>"Ouverte le"</th><th>"Fermée"</th>
                        <th>"Ventes"</th><th>"Total"</th><th>"Écart"</th><th>"Rapport Z"</th>
                    </tr></thead>
                    <tbody>
                        {v.rows.into_iter().map(|s| {
                            let class = if s.closed.is_some() { "closed" } else { "open" };
                            view! {
                            <tr data-session-id=s.id class=class>
                                <td>{format!("n° {}", s.id)}</td>
                                <td>{s.opened_by}</td>
                                <td>{s.opened_at}</td>
                                <td>{s.closed.unwrap_or_else(|| "En cours".to_owned())}</td>
                                <td class="num">{s.sales}</td>
                                <td class="num">{s.total}</td>
                                <td class="num">{s.difference.unwrap_or_default()}</td>
                                <td><a href=format!("/sessions/{}", s.id)>"Voir et imprimer"</a></td>
                            </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
        <Pager page=v.page pages=v.pages prev next />
    }
}

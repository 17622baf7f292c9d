//! Rapports: a period (today, 7 days, 30 days, this month or chosen dates) and a store or the
//! whole network, picked with a GET form that works without JavaScript; KPI cards, the
//! performance per store (network) or per register (one store), the top products, the daily
//! trend as an SVG drawn on the server, and the stock analysis (days of cover, products that
//! run out within 14 days). Every figure comes from `domain::reporting`, which also decides who
//! may read what: a store's manager their store, head office any store and the network.

pub mod api;
#[cfg(feature = "ssr")]
mod figures;
mod filters;
pub mod period;
mod sales;
mod stock;
mod view;

pub use api::{STOCK_LINES, TOP};

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::Failure;

use api::{ReportBody, ReportView, load_report};
use filters::ReportFilters;

#[component]
pub fn ReportsPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || {
        let q = query.read();
        (q.get("periode"), q.get("magasin"), q.get("du"), q.get("au"))
    };
    let report = Resource::new(args, |(periode, magasin, du, au)| {
        load_report(periode, magasin, du, au)
    });
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(page) => view! { <ReportScreen page /> }.into_any(),
                    Err(e) => view! { <Failure error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ReportScreen(page: ReportView) -> impl IntoView {
    let title = match &page.body {
        Some(b) => format!("Rapport — {} — Multi-Magasin", b.subject),
        None => "Rapports — Multi-Magasin".to_owned(),
    };
    let heading = page.body.as_ref().map_or_else(
        || "Rapports".to_owned(),
        |b| format!("Rapport — {}", b.subject),
    );
    let period = page.body.as_ref().map(|b| b.period_label.clone());
    // a refused report answers 403 (404: no such store), the page still offering the form
    #[cfg(feature = "ssr")]
    if let (Some(status), Some(res)) = (
        page.denied_status
            .and_then(|s| http::StatusCode::from_u16(s).ok()),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        res.set_status(status);
    }
    view! {
        <Title text=title />
        <div class="report-head">
            <h1>{heading}</h1>
            {period.map(|p| view! {
                <p class="report-period">"Période : "{p}</p>
                <crate::components::PrintButton label="Imprimer" />
            })}
        </div>
        {(!page.stores.is_empty() || page.network_allowed).then(|| view! {
            <ReportFilters
                choice=page.choice.clone()
                stores=page.stores.clone()
                network_allowed=page.network_allowed
                errors=page.field_errors.clone()
                periods=page.periods.clone()
            />
        })}
        {page.denied.map(|d| view! { <p class="error" role="alert">{d}</p> })}
        {page.body.map(|b| view! { <ReportContent body=b /> })}
    }
}

/// The report under the form, section by section.
#[component]
fn ReportContent(body: ReportBody) -> impl IntoView {
    let network = body.network;
    view! {
        {sales::kpi_section(body.kpis)}
        {sales::chart_section(body.chart)}
        {sales::perf_section(network, body.perf)}
        {sales::top_section(body.top_units, body.top_revenue)}
        {sales::floor_section(body.floor)}
        {stock::stock_section(network, body.stock, body.stock_lines, body.stock_hidden, body.running_out)}
    }
}

//! The sales half of a report: KPI cards, the daily trend, the performance per store (network)
//! or per register (one store), and the top products. Each section is its own type-erased
//! view: one nested view type for the whole page would be deeper than the compiler's limit.

use leptos::prelude::*;

use super::view::{FloorFigures, KpiCard, PerfRow, TopRow};

pub fn kpi_section(kpis: Vec<KpiCard>) -> AnyView {
    view! {
        <section class="report-section" aria-labelledby="kpi-title">
            <h2 id="kpi-title" class="sr-only">"Indicateurs clés"</h2>
            <dl class="kpis">
                {kpis.into_iter().map(|k| view! {
                    <div class="kpi" data-kpi=k.key>
                        <dt>{k.label}</dt>
                        <dd class="value">{k.value}</dd>
                        <dd class="detail">{k.detail}</dd>
                    </div>
                }).collect_view()}
            </dl>
        </section>
    }
    .into_any()
}

pub fn chart_section(chart: String) -> AnyView {
    view! {
        <section class="report-section" aria-labelledby="trend-title">
            <h2 id="trend-title">"Tendance quotidienne"</h2>
            <figure class="chart" inner_html=chart></figure>
        </section>
    }
    .into_any()
}

pub fn perf_section(network: bool, perf: Vec<PerfRow>) -> AnyView {
    view! {
        <section class="report-section" aria-labelledby="perf-title">
            <h2 id="perf-title">{if network { "Performance par magasin" } else { "Performance par caisse" }}</h2>
            <div class="table-wrap">
                <table class="report perf">
                    <thead><tr>
                        <th scope="col">{if network { "Magasin" } else { "Caisse" }}</th>
                        <th scope="col" class="num">"Ventes"</th>
                        <th scope="col" class="num">"Chiffre d'affaires"</th>
                        <th scope="col" class="num opt">"Panier moyen"</th>
                        <th scope="col" class="num opt">"Unités"</th>
                        {network.then(|| view! { <th scope="col" class="num">"Part"</th> })}
                    </tr></thead>
                    <tbody>
                        {perf.into_iter().map(|r| view! {
                            <tr>
                                <th scope="row">{match r.link {
                                    Some(href) => view! { <a href=href>{r.name}</a> }.into_any(),
                                    None => view! { <span>{r.name}</span> }.into_any(),
                                }}</th>
                                <td class="num">{r.sales}</td>
                                <td class="num">{r.revenue}</td>
                                <td class="num opt">{r.average}</td>
                                <td class="num opt">{r.units}</td>
                                {r.share.map(|s| view! {
                                    <td class="num share">
                                        // a CSS length, not a figure for people
                                        <span class="share-bar" style=format!("width: {:.1}%", r.share_pct)></span>
                                        <span class="share-text">{s}</span>
                                    </td>
                                })}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}

pub fn top_section(top_units: Vec<TopRow>, top_revenue: Vec<TopRow>) -> AnyView {
    view! {
        <section class="report-section tops" aria-label="Meilleurs produits">
            <TopTable id="top-units" title="Meilleurs produits — unités" rows=top_units />
            <TopTable id="top-revenue" title="Meilleurs produits — chiffre d'affaires" rows=top_revenue />
        </section>
    }
    .into_any()
}

#[component]
fn TopTable(id: &'static str, title: &'static str, rows: Vec<TopRow>) -> impl IntoView {
    view! {
        <div class="top">
            <h2 id=id>{title}</h2>
            <div class="table-wrap">
                <table class="report top-products" aria-labelledby=id>
                    <thead><tr>
                        <th scope="col" class="num">"Rang"</th>
                        <th scope="col">"Produit"</th>
                        <th scope="col" class="num">"Unités"</th>
                        <th scope="col" class="num">"Chiffre d'affaires"</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().enumerate().map(|(i, r)| view! {
                            <tr class:unsold=!r.sold>
                                <td class="num">{i + 1}</td>
                                <td><span class="code">{r.code}</span>" "{r.name}</td>
                                <td class="num">{r.units}</td>
                                <td class="num">{r.revenue}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </div>
    }
}

/// Discounts, tenders, promotions and what the chain owes its customers.
pub fn floor_section(floor: FloorFigures) -> AnyView {
    view! {
        <section class="report-section" aria-labelledby="floor-title">
            <h2 id="floor-title">"Remises, paiements et fidélité"</h2>
            <dl class="facts floor">
                {floor.facts.into_iter().map(|(label, value)| view! {
                    <div><dt>{label}</dt><dd>{value}</dd></div>
                }).collect_view()}
            </dl>
            <div class="table-wrap">
                <table class="report tenders">
                    <caption>"Ventes par mode de paiement"</caption>
                    <thead><tr>
                        <th scope="col">"Mode"</th>
                        <th scope="col" class="num">"Paiements"</th>
                        <th scope="col" class="num">"Montant"</th>
                    </tr></thead>
                    <tbody>
                        {floor.tenders.into_iter().map(|(mode, n, amount)| view! {
                            <tr><th scope="row">{mode}</th><td class="num">{n}</td><td class="num">{amount}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {(!floor.promotions.is_empty()).then(|| view! {
                <div class="table-wrap">
                    <table class="report promotions">
                        <caption>"Promotions appliquées"</caption>
                        <thead><tr>
                            <th scope="col">"Promotion"</th>
                            <th scope="col" class="num">"Unités"</th>
                            <th scope="col" class="num">"Chiffre d'affaires"</th>
                            <th scope="col" class="num">"Coût (économies)"</th>
                        </tr></thead>
                        <tbody>
                            {floor.promotions.into_iter().map(|p| view! {
                                <tr><th scope="row">{p.name}</th><td class="num">{p.units}</td>
                                    <td class="num">{p.revenue}</td><td class="num">{p.cost}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
    }
    .into_any()
}

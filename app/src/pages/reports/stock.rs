//! The stock half of a report: counts by status and the stock's value (and the warehouse's for
//! the network), the products likely to run out within 14 days, and the levels, alerts first.

use leptos::prelude::*;

use super::view::{RunOutLine, StockLine, StockSummary};

fn status_badge(status: &str) -> (&'static str, &'static str) {
    match status {
        "rupture" => ("badge rupture", "Rupture"),
        "bas" => ("badge bas", "Bas"),
        _ => ("badge normal", "Normal"),
    }
}

fn run_out_table(network: bool, running_out: Vec<RunOutLine>) -> AnyView {
    if running_out.is_empty() {
        return view! { <p class="muted">"Aucun produit ne devrait manquer dans les 14 prochains jours au rythme des 30 derniers jours."</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="report runout" aria-labelledby="runout-title">
                <thead><tr>
                    {network.then(|| view! { <th scope="col">"Magasin"</th> })}
                    <th scope="col">"Produit"</th>
                    <th scope="col" class="num">"Quantité"</th>
                    <th scope="col" class="num">"Ventes / jour"</th>
                    <th scope="col" class="num">"Couverture"</th>
                </tr></thead>
                <tbody>
                    {running_out.into_iter().map(|r| view! {
                        <tr>
                            {network.then(|| view! { <td>{r.store.clone()}</td> })}
                            <td><span class="code">{r.code}</span>" "{r.name}</td>
                            <td class="num">{r.quantity}</td>
                            <td class="num">{r.pace}</td>
                            <td class="num">{r.cover}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

fn levels_table(network: bool, stock_lines: Vec<StockLine>) -> AnyView {
    view! {
        <div class="table-wrap">
            <table class="report levels" aria-labelledby="levels-title">
                <thead><tr>
                    <th scope="col">"Produit"</th>
                    <th scope="col" class="num">"Quantité"</th>
                    <th scope="col" class="num opt">"Seuil"</th>
                    <th scope="col">"État"</th>
                    <th scope="col" class="num">"Couverture"</th>
                    <th scope="col" class="num opt">"Valeur"</th>
                    {network.then(|| view! { <th scope="col" class="num opt">"Entrepôt"</th> })}
                </tr></thead>
                <tbody>
                    {stock_lines.into_iter().map(|l| {
                        let (class, label) = status_badge(&l.status);
                        view! {
                            <tr data-status=l.status.clone()>
                                <td><span class="code">{l.code}</span>" "{l.name}</td>
                                <td class="num">{l.quantity}</td>
                                <td class="num opt">{l.threshold}</td>
                                <td><span class=class>{label}</span></td>
                                <td class="num">{l.cover}</td>
                                <td class="num opt">{l.value}</td>
                                {l.warehouse.map(|w| view! { <td class="num opt">{w}</td> })}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

pub fn stock_section(
    network: bool,
    stock: StockSummary,
    stock_lines: Vec<StockLine>,
    stock_hidden: Option<String>,
    running_out: Vec<RunOutLine>,
) -> AnyView {
    let stores = stock.stores;
    view! {
        <section class="report-section" aria-labelledby="stock-title">
            <h2 id="stock-title">"Analyse du stock"</h2>
            <dl class="stock-counts">
                <div><dt>"En rupture"</dt><dd class="rupture">{stores.rupture}</dd></div>
                <div><dt>"Stock bas"</dt><dd class="bas">{stores.bas}</dd></div>
                <div><dt>"Normal"</dt><dd>{stores.normal}</dd></div>
                <div><dt>"Valeur en magasin"</dt><dd>{stores.value}</dd></div>
                {stock.warehouse.map(|w| view! {
                    <div><dt>"Entrepôt : alertes"</dt><dd>{format!("{} rupture, {} bas", w.rupture, w.bas)}</dd></div>
                    <div><dt>"Valeur à l'entrepôt"</dt><dd>{w.value}</dd></div>
                })}
            </dl>
            <h3 id="runout-title">"Ruptures probables sous 14 jours"</h3>
            {run_out_table(network, running_out)}
            <h3 id="levels-title">{if network { "Niveaux (somme des magasins)" } else { "Niveaux" }}</h3>
            {levels_table(network, stock_lines)}
            {stock_hidden.map(|text| view! { <p class="muted">{text}</p> })}
        </section>
    }
    .into_any()
}

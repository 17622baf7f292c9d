//! Rapports: a period (today, 7 days, 30 days, this month or chosen dates) and a store or the
//! whole network, picked with a GET form that works without JavaScript; KPI cards, the
//! performance per store (network) or per register (one store), the top products, the daily
//! trend as an SVG drawn on the server, and the stock analysis (days of cover, products that
//! run out within 14 days). Every figure comes from `domain::reporting`, which also decides who
//! may read what: a store's manager their store, head office any store and the network.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

/// The period picker's choices, in order: `(value in the URL, label)`.
pub const PERIODS: [(&str, &str); 5] = [
    ("jour", "Aujourd'hui"),
    ("7j", "7 derniers jours"),
    ("30j", "30 derniers jours"),
    ("mois", "Ce mois-ci"),
    ("perso", "Dates choisies"),
];

/// The period when the URL names none.
pub const DEFAULT_PERIOD: &str = "30j";

/// What the form shows as chosen (after defaults: an employee's own store, 30 days).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportChoice {
    pub periode: String,
    /// A store id, or empty for the network.
    pub magasin: String,
    /// `YYYY-MM-DD`: the period's first and last days (typed ones are kept as typed).
    pub du: String,
    pub au: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoreChoice {
    pub id: i64,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KpiCard {
    /// Stable name for styles and tests: `revenue`, `sales`...
    pub key: String,
    pub label: String,
    pub value: String,
    pub detail: String,
}

/// A line of the performance table: a store (network) or a register (one store).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PerfRow {
    /// The store's own report, for network lines.
    pub link: Option<String>,
    pub name: String,
    pub sales: String,
    pub revenue: String,
    pub average: String,
    pub units: String,
    /// Part of the network's revenue (`23,4 %`), network lines only.
    pub share: Option<String>,
    /// The same part, 0..=100, for the bar behind it.
    pub share_pct: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopRow {
    pub code: String,
    pub name: String,
    pub units: String,
    pub revenue: String,
    pub sold: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StockLine {
    pub code: String,
    pub name: String,
    pub quantity: String,
    pub threshold: String,
    /// `rupture`, `bas` or `normal`.
    pub status: String,
    pub cover: String,
    pub value: String,
    /// Network report: the warehouse's quantity.
    pub warehouse: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunOutLine {
    pub store: String,
    pub code: String,
    pub name: String,
    pub quantity: String,
    pub pace: String,
    pub cover: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StockSummary {
    pub rupture: i64,
    pub bas: i64,
    pub normal: i64,
    pub value: String,
    /// Network report: the warehouse's `(rupture, bas, normal, value)`.
    pub warehouse: Option<(i64, i64, i64, String)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportBody {
    /// `Réseau` or the store's name.
    pub subject: String,
    /// `du 1er au 30 janvier 2025`.
    pub period_label: String,
    pub network: bool,
    pub kpis: Vec<KpiCard>,
    pub perf: Vec<PerfRow>,
    pub top_units: Vec<TopRow>,
    pub top_revenue: Vec<TopRow>,
    /// The daily trend, an `<svg>` element built on the server.
    pub chart: String,
    pub stock: StockSummary,
    pub stock_lines: Vec<StockLine>,
    /// Products left out of the stock table (it shows at most [`STOCK_LINES`]).
    pub stock_hidden: usize,
    pub running_out: Vec<RunOutLine>,
}

/// The page: the form as chosen, and the report, or why there is none.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportView {
    pub choice: ReportChoice,
    /// The stores this employee may pick.
    pub stores: Vec<StoreChoice>,
    pub network_allowed: bool,
    /// `(du|au, message)`: dates to fix, shown next to their field.
    pub field_errors: Vec<(String, String)>,
    /// Not allowed, or no such store.
    pub denied: Option<String>,
    pub body: Option<ReportBody>,
}

/// Longest stock table (alerts come first, so nothing urgent is cut).
pub const STOCK_LINES: usize = 100;

/// Products in each top list.
pub const TOP: u32 = 10;

#[server(endpoint = "report_view")]
pub async fn load_report(
    periode: Option<String>,
    magasin: Option<String>,
    du: Option<String>,
    au: Option<String>,
) -> Result<ReportView, ServerFnError> {
    build::report(periode, magasin, du, au).await
}

#[cfg(feature = "ssr")]
mod build {
    use chrono::{Datelike, NaiveDate, Utc};
    use domain::reporting::{self, Period, ReportScope};
    use leptos::prelude::ServerFnError;

    use super::*;
    use crate::chart::{ChartDay, daily_revenue_svg};
    use crate::format::{count, money};
    use crate::server::{failure, pool, require_session};

    const MONTHS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    const MONTHS_SHORT: [&str; 12] = [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
        "déc.",
    ];
    const WEEKDAYS: [&str; 7] = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."];

    fn day_number(d: NaiveDate) -> String {
        if d.day() == 1 {
            "1er".to_owned()
        } else {
            d.day().to_string()
        }
    }

    /// `15 janvier 2025`.
    pub(super) fn long_date(d: NaiveDate) -> String {
        format!(
            "{} {} {}",
            day_number(d),
            MONTHS[d.month0() as usize],
            d.year()
        )
    }

    /// `le 15 janvier 2025`, `du 1er au 30 janvier 2025`, `du 20 décembre 2024 au 5 janvier 2025`.
    pub(super) fn period_label(p: &Period) -> String {
        let (from, to) = (p.from, p.to);
        if from == to {
            format!("le {}", long_date(to))
        } else if from.year() != to.year() {
            format!("du {} au {}", long_date(from), long_date(to))
        } else if from.month() != to.month() {
            format!(
                "du {} {} au {}",
                day_number(from),
                MONTHS[from.month0() as usize],
                long_date(to)
            )
        } else {
            format!("du {} au {}", day_number(from), long_date(to))
        }
    }

    fn chart_day(d: &reporting::DaySales) -> ChartDay {
        ChartDay {
            short: d.day.format("%d/%m").to_string(),
            long: format!(
                "{} {} {} {}",
                WEEKDAYS[d.day.weekday().num_days_from_monday() as usize],
                day_number(d.day),
                MONTHS_SHORT[d.day.month0() as usize],
                d.day.year()
            ),
            revenue: d.revenue,
            sales: d.sales,
        }
    }

    /// `12,5 j`, or `—` when nothing sold in 30 days.
    fn cover(days: Option<f64>) -> String {
        days.map_or("—".to_owned(), |d| {
            format!("{d:.1}\u{a0}j").replace('.', ",")
        })
    }

    fn decimal1(x: f64) -> String {
        format!("{x:.1}").replace('.', ",")
    }

    /// The period a choice means; `today` is the store's day (or the chain's for the network).
    fn period_of(
        choice: &str,
        today: NaiveDate,
        du: &str,
        au: &str,
    ) -> Result<Period, domain::Error> {
        match choice {
            "jour" => Ok(Period::ending(today, 1)),
            "7j" => Ok(Period::ending(today, 7)),
            "mois" => Ok(Period::month_to_date(today)),
            "perso" => Period::parse(du, au),
            _ => Ok(Period::ending(today, 30)),
        }
    }

    pub async fn report(
        periode: Option<String>,
        magasin: Option<String>,
        du: Option<String>,
        au: Option<String>,
    ) -> Result<ReportView, ServerFnError> {
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
        // no store named: head office sees the network, store staff their own store
        let store_id = match magasin.as_deref().map(str::trim) {
            Some("") => None,
            Some(id) => match id.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) if network_allowed => None,
                Err(_) => session.employee.store_id,
            },
            None if network_allowed => None,
            None => session.employee.store_id,
        };
        let periode = periode
            .filter(|p| PERIODS.iter().any(|(v, _)| v == p))
            .unwrap_or_else(|| DEFAULT_PERIOD.to_owned());
        let (du, au) = (du.unwrap_or_default(), au.unwrap_or_default());
        let mut view = ReportView {
            choice: ReportChoice {
                periode: periode.clone(),
                magasin: store_id.map(|id| id.to_string()).unwrap_or_default(),
                du: du.clone(),
                au: au.clone(),
            },
            stores,
            network_allowed,
            field_errors: Vec::new(),
            denied: None,
            body: None,
        };
        let store = match store_id {
            Some(id) => match domain::stores::get_store(&pool, id).await {
                Ok(store) => Some(store),
                Err(e) if e.is_client_error() => {
                    view.denied = Some(e.to_string());
                    return Ok(view);
                }
                Err(e) => return Err(failure(e)),
            },
            None => None,
        };
        let today = store.as_ref().map_or_else(reporting::chain_today, |s| {
            Utc::now().with_timezone(&s.tz()).date_naive()
        });
        let outcome = match period_of(&periode, today, &du, &au) {
            Ok(period) => {
                if periode != "perso" {
                    view.choice.du = period.from.to_string();
                    view.choice.au = period.to.to_string();
                }
                let scope = ReportScope { period, store_id };
                match reporting::sales_report(&pool, &actor, &scope, Some(TOP)).await {
                    Ok(sales) => reporting::inventory_report(&pool, &actor, store_id)
                        .await
                        .map(|stock| (sales, stock)),
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        };
        match outcome {
            Ok((sales, stock)) => {
                let subject = store.map_or_else(|| "Réseau".to_owned(), |s| s.name);
                view.body = Some(body(subject, sales, stock));
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
            Err(e) if e.is_client_error() => view.denied = Some(e.to_string()),
            Err(e) => return Err(failure(e)),
        }
        Ok(view)
    }

    fn kpi(key: &str, label: &str, value: String, detail: String) -> KpiCard {
        KpiCard {
            key: key.to_owned(),
            label: label.to_owned(),
            value,
            detail,
        }
    }

    /// The report's figures, written for people. The KPI cards are the report's totals, which
    /// `domain::reporting` computes with the same query as `kpis()`, in the same snapshot as
    /// the tables below them.
    fn body(
        subject: String,
        sales: reporting::SalesReport,
        stock: reporting::InventoryReport,
    ) -> ReportBody {
        let network = sales.scope.store_id.is_none();
        let k = &sales.totals;
        let kpis = vec![
            kpi(
                "revenue",
                "Chiffre d'affaires",
                money(k.revenue),
                format!("avant taxes ; {} taxes comprises", money(k.total)),
            ),
            kpi(
                "sales",
                "Ventes",
                count(k.sales),
                format!("{} unités vendues", count(k.units)),
            ),
            kpi(
                "average_ticket",
                "Panier moyen",
                money(k.average_ticket),
                "avant taxes".to_owned(),
            ),
            kpi(
                "units",
                "Unités vendues",
                count(k.units),
                if k.sales > 0 {
                    format!("{} par vente", decimal1(k.units as f64 / k.sales as f64))
                } else {
                    "aucune vente".to_owned()
                },
            ),
            kpi(
                "returns",
                "Retours",
                count(k.returns),
                format!("{} remboursés", money(k.refunded)),
            ),
            kpi(
                "net_revenue",
                "Chiffre d'affaires net",
                money(k.net_revenue),
                "après retours, avant taxes".to_owned(),
            ),
            kpi(
                "stock_alerts",
                "Alertes de stock",
                count(k.stock_alerts),
                "produits en rupture ou bas, maintenant".to_owned(),
            ),
        ];
        let period = sales.scope.period;
        let query = |store: i64| {
            format!(
                "/rapports?periode=perso&magasin={store}&du={}&au={}",
                period.from, period.to
            )
        };
        let perf = if network {
            sales
                .stores
                .iter()
                .map(|s| PerfRow {
                    link: Some(query(s.store_id)),
                    name: s.name.clone(),
                    sales: count(s.sales),
                    revenue: money(s.revenue),
                    average: money(s.average_ticket),
                    units: count(s.units),
                    share: Some(format!("{}\u{a0}%", decimal1(s.share * 100.0))),
                    share_pct: (s.share * 100.0).clamp(0.0, 100.0),
                })
                .collect()
        } else {
            sales
                .registers
                .iter()
                .map(|r| PerfRow {
                    link: None,
                    name: r.name.clone(),
                    sales: count(r.sales),
                    revenue: money(r.revenue),
                    average: money(r.average_ticket),
                    units: count(r.units),
                    share: None,
                    share_pct: 0.0,
                })
                .collect()
        };
        let top = |list: &[reporting::ProductSales]| {
            list.iter()
                .map(|p| TopRow {
                    code: p.code.clone(),
                    name: p.name.clone(),
                    units: count(p.units),
                    revenue: money(p.revenue),
                    sold: p.units > 0,
                })
                .collect::<Vec<_>>()
        };
        let days: Vec<ChartDay> = sales.days.iter().map(chart_day).collect();
        let chart = daily_revenue_svg(
            "tendance",
            &format!(
                "Chiffre d'affaires quotidien avant taxes, {}",
                period_label(&period)
            ),
            &days,
        );
        let stock_hidden = stock.products.len().saturating_sub(STOCK_LINES);
        ReportBody {
            subject,
            period_label: period_label(&period),
            network,
            kpis,
            perf,
            top_units: top(&sales.top_by_units),
            top_revenue: top(&sales.top_by_revenue),
            chart,
            stock: StockSummary {
                rupture: stock.counts.rupture,
                bas: stock.counts.bas,
                normal: stock.counts.normal,
                value: money(stock.stock_value),
                warehouse: stock.warehouse.map(|w| {
                    (
                        w.counts.rupture,
                        w.counts.bas,
                        w.counts.normal,
                        money(w.stock_value),
                    )
                }),
            },
            stock_lines: stock
                .products
                .iter()
                .take(STOCK_LINES)
                .map(|p| StockLine {
                    code: p.code.clone(),
                    name: p.name.clone(),
                    quantity: count(p.quantity),
                    threshold: count(p.alert_threshold),
                    status: p.status.as_str().to_owned(),
                    cover: cover(p.days_of_cover),
                    value: money(p.stock_value),
                    warehouse: p.warehouse_quantity.map(|q| count(i64::from(q))),
                })
                .collect(),
            stock_hidden,
            running_out: stock
                .running_out
                .iter()
                .map(|r| RunOutLine {
                    store: r.store_name.clone(),
                    code: r.code.clone(),
                    name: r.name.clone(),
                    quantity: count(i64::from(r.quantity)),
                    pace: decimal1(r.average_daily_units),
                    cover: cover(Some(r.days_of_cover)),
                })
                .collect(),
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn date(y: i32, m: u32, d: u32) -> NaiveDate {
            NaiveDate::from_ymd_opt(y, m, d).unwrap()
        }

        #[test]
        fn periods_read_in_french() {
            let p = |a, b| Period::new(a, b).unwrap();
            assert_eq!(
                period_label(&p(date(2025, 1, 1), date(2025, 1, 30))),
                "du 1er au 30 janvier 2025"
            );
            assert_eq!(
                period_label(&p(date(2025, 1, 15), date(2025, 1, 15))),
                "le 15 janvier 2025"
            );
            assert_eq!(
                period_label(&p(date(2025, 2, 20), date(2025, 3, 5))),
                "du 20 février au 5 mars 2025"
            );
            assert_eq!(
                period_label(&p(date(2024, 12, 20), date(2025, 1, 5))),
                "du 20 décembre 2024 au 5 janvier 2025"
            );
        }

        #[test]
        fn presets_end_today() {
            let today = date(2025, 3, 12);
            assert_eq!(period_of("jour", today, "", "").unwrap().days(), 1);
            assert_eq!(
                period_of("7j", today, "", "").unwrap().from,
                date(2025, 3, 6)
            );
            assert_eq!(
                period_of("mois", today, "", "").unwrap().from,
                date(2025, 3, 1)
            );
            assert_eq!(period_of("?", today, "", "").unwrap().days(), 30);
            assert!(period_of("perso", today, "2025-03-10", "2025-03-01").is_err());
        }
    }
}

fn status_badge(status: &str) -> (&'static str, &'static str) {
    match status {
        "rupture" => ("badge rupture", "Rupture"),
        "bas" => ("badge bas", "Bas"),
        _ => ("badge normal", "Normal"),
    }
}

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
                    Err(e) => view! {
                        <Title text="Rapports — Multi-Magasin" />
                        <h1>"Rapports"</h1>
                        <p class="error">{e.to_string()}</p>
                    }.into_any(),
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
    view! {
        <Title text=title />
        <div class="report-head">
            <h1>{heading}</h1>
            {period.map(|p| view! {
                <p class="report-period">"Période : "{p}</p>
                <button type="button" class="print" onclick="window.print()">"Imprimer"</button>
            })}
        </div>
        {(!page.stores.is_empty() || page.network_allowed).then(|| view! {
            <ReportFilters
                choice=page.choice.clone()
                stores=page.stores.clone()
                network_allowed=page.network_allowed
                errors=page.field_errors.clone()
            />
        })}
        {page.denied.map(|d| view! { <p class="error" role="alert">{d}</p> })}
        {page.body.map(|b| view! { <ReportContent body=b /> })}
    }
}

#[component]
fn ReportFilters(
    choice: ReportChoice,
    stores: Vec<StoreChoice>,
    network_allowed: bool,
    errors: Vec<(String, String)>,
) -> impl IntoView {
    let periode = NodeRef::<leptos::html::Select>::new();
    // typing a date means "these dates" (in the browser; without JavaScript, pick it in the list)
    let custom = move |_| {
        if let Some(select) = periode.get() {
            select.set_value("perso");
        }
    };
    let error_of = |field: &str| {
        errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
    };
    let (du_error, au_error) = (error_of("du"), error_of("au"));
    let magasin = choice.magasin.clone();
    view! {
        <Form method="GET" action="/rapports" attr:class="report-filters">
            <div class="field">
                <label for="periode">"Période"</label>
                <select id="periode" name="periode" node_ref=periode>
                    {PERIODS.iter().map(|(value, label)| view! {
                        <option value=*value selected=choice.periode == *value>{*label}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="magasin">"Magasin"</label>
                <select id="magasin" name="magasin">
                    {network_allowed.then(|| view! {
                        <option value="" selected=magasin.is_empty()>"Tout le réseau"</option>
                    })}
                    {stores.into_iter().map(|s| {
                        let selected = magasin == s.id.to_string();
                        view! { <option value=s.id selected=selected>{s.name}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="du">"Du"</label>
                <input
                    id="du"
                    name="du"
                    type="date"
                    value=choice.du.clone()
                    on:change=custom
                    aria-invalid=du_error.is_some().then_some("true")
                    aria-describedby=du_error.is_some().then_some("du-error")
                />
                {du_error.map(|m| view! { <span class="field-error" id="du-error">{m}</span> })}
            </div>
            <div class="field">
                <label for="au">"Au"</label>
                <input
                    id="au"
                    name="au"
                    type="date"
                    value=choice.au.clone()
                    on:change=custom
                    aria-invalid=au_error.is_some().then_some("true")
                    aria-describedby=au_error.is_some().then_some("au-error")
                />
                {au_error.map(|m| view! { <span class="field-error" id="au-error">{m}</span> })}
            </div>
            <div class="actions">
                <button type="submit">"Afficher"</button>
                <p class="hint">"Les dates servent avec « Dates choisies »."</p>
            </div>
        </Form>
    }
}

/// The report under the form. Each section is its own (type-erased) view: one nested view type
/// for the whole page would be deeper than the compiler's limit.
#[component]
fn ReportContent(body: ReportBody) -> impl IntoView {
    let network = body.network;
    view! {
        {kpi_section(body.kpis)}
        {chart_section(body.chart)}
        {perf_section(network, body.perf)}
        {top_section(body.top_units, body.top_revenue)}
        {stock_section(network, body.stock, body.stock_lines, body.stock_hidden, body.running_out)}
    }
}

fn kpi_section(kpis: Vec<KpiCard>) -> AnyView {
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

fn chart_section(chart: String) -> AnyView {
    view! {
        <section class="report-section" aria-labelledby="trend-title">
            <h2 id="trend-title">"Tendance quotidienne"</h2>
            <figure class="chart" inner_html=chart></figure>
        </section>
    }
    .into_any()
}

fn perf_section(network: bool, perf: Vec<PerfRow>) -> AnyView {
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

fn top_section(top_units: Vec<TopRow>, top_revenue: Vec<TopRow>) -> AnyView {
    view! {
        <section class="report-section tops" aria-label="Meilleurs produits">
            <TopTable id="top-units" title="Meilleurs produits — unités" rows=top_units />
            <TopTable id="top-revenue" title="Meilleurs produits — chiffre d'affaires" rows=top_revenue />
        </section>
    }
    .into_any()
}

fn stock_section(
    network: bool,
    stock: StockSummary,
    stock_lines: Vec<StockLine>,
    stock_hidden: usize,
    running_out: Vec<RunOutLine>,
) -> AnyView {
    view! {
        <section class="report-section" aria-labelledby="stock-title">
            <h2 id="stock-title">"Analyse du stock"</h2>
            <dl class="stock-counts">
                <div><dt>"En rupture"</dt><dd class="rupture">{stock.rupture}</dd></div>
                <div><dt>"Stock bas"</dt><dd class="bas">{stock.bas}</dd></div>
                <div><dt>"Normal"</dt><dd>{stock.normal}</dd></div>
                <div><dt>"Valeur en magasin"</dt><dd>{stock.value}</dd></div>
                {stock.warehouse.map(|(r, b, _, value)| view! {
                    <div><dt>"Entrepôt : alertes"</dt><dd>{format!("{} rupture, {} bas", r, b)}</dd></div>
                    <div><dt>"Valeur à l'entrepôt"</dt><dd>{value}</dd></div>
                })}
            </dl>
            <h3 id="runout-title">"Ruptures probables sous 14 jours"</h3>
            {if running_out.is_empty() {
                view! { <p class="muted">"Aucun produit ne devrait manquer dans les 14 prochains jours au rythme des 30 derniers jours."</p> }.into_any()
            } else {
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
                }.into_any()
            }}
            <h3 id="levels-title">{if network { "Niveaux (somme des magasins)" } else { "Niveaux" }}</h3>
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
            {(stock_hidden > 0).then(|| view! {
                <p class="muted">{format!("{} autres produits non affichés (les alertes sont en tête).", crate::format::count(stock_hidden as i64))}</p>
            })}
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

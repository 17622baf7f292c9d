//! The report's figures written for people (on the server): KPI cards, performance lines, top
//! products, the chart, and the stock analysis, from `domain::reporting`'s reports.

use domain::reporting;

use super::view::{
    FloorFigures, KpiCard, PerfRow, PromotionRow, ReportBody, RunOutLine, STOCK_LINES, StockCounts,
    StockLine, StockSummary, TopRow,
};
use crate::chart::{ChartDay, daily_revenue_svg};
use crate::format::{count, days_of_cover, decimal1, money, percent};

fn chart_day(d: &reporting::DaySales) -> ChartDay {
    ChartDay {
        short: crate::format::day_month(d.day),
        long: crate::format::day_with_weekday(d.day),
        revenue: d.revenue,
        sales: d.sales,
    }
}

fn kpi(key: &str, label: &str, value: String, detail: String) -> KpiCard {
    KpiCard {
        key: key.to_owned(),
        label: label.to_owned(),
        value,
        detail,
    }
}

/// The KPI cards are the report's totals, which `domain::reporting` computes with the same
/// query as `kpis()`, in the same snapshot as the tables below them.
fn kpis(k: &reporting::Kpis) -> Vec<KpiCard> {
    vec![
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
    ]
}

/// A store per line for the network (each linking to its own report over the same days), a
/// register per line for one store.
fn perf(sales: &reporting::SalesReport) -> Vec<PerfRow> {
    let period = sales.scope.period;
    if sales.scope.store_id.is_none() {
        sales
            .stores
            .iter()
            .map(|s| PerfRow {
                link: Some(crate::links::with_query(
                    "/rapports",
                    &[
                        ("periode", reporting::Preset::Custom.key()),
                        ("magasin", &s.store_id.to_string()),
                        ("du", &period.from.to_string()),
                        ("au", &period.to.to_string()),
                    ],
                )),
                name: s.name.clone(),
                sales: count(s.sales),
                revenue: money(s.revenue),
                average: money(s.average_ticket),
                units: count(s.units),
                share: Some(percent(s.share)),
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
    }
}

fn top(list: &[reporting::ProductSales]) -> Vec<TopRow> {
    list.iter()
        .map(|p| TopRow {
            code: p.code.clone(),
            name: p.name.clone(),
            units: count(p.units),
            revenue: money(p.revenue),
            sold: p.units > 0,
        })
        .collect()
}

fn stock_counts(counts: &reporting::StatusCounts, value: rust_decimal::Decimal) -> StockCounts {
    StockCounts {
        rupture: count(counts.rupture),
        bas: count(counts.bas),
        normal: count(counts.normal),
        value: money(value),
    }
}

fn stock_summary(stock: &reporting::InventoryReport) -> StockSummary {
    StockSummary {
        stores: stock_counts(&stock.counts, stock.stock_value),
        warehouse: stock
            .warehouse
            .as_ref()
            .map(|w| stock_counts(&w.counts, w.stock_value)),
    }
}

/// The report's figures, written for people.
pub fn body(
    subject: String,
    sales: reporting::SalesReport,
    stock: reporting::InventoryReport,
    floor: reporting::SellingReport,
) -> ReportBody {
    let period = sales.scope.period;
    let period_label = crate::format::period(period.from, period.to);
    let days: Vec<ChartDay> = sales.days.iter().map(chart_day).collect();
    let chart = daily_revenue_svg(
        "tendance",
        &format!("Chiffre d'affaires quotidien avant taxes, {period_label}"),
        &days,
    );
    let hidden = stock.products.len().saturating_sub(STOCK_LINES);
    ReportBody {
        floor: floor_figures(&floor),
        subject,
        network: sales.scope.store_id.is_none(),
        kpis: kpis(&sales.totals),
        perf: perf(&sales),
        top_units: top(&sales.top_by_units),
        top_revenue: top(&sales.top_by_revenue),
        chart,
        stock: stock_summary(&stock),
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
                cover: days_of_cover(p.days_of_cover),
                value: money(p.stock_value),
                warehouse: p.warehouse_quantity.map(count),
            })
            .collect(),
        stock_hidden: (hidden > 0).then(|| {
            format!(
                "{} autres produits non affichés (les alertes sont en tête).",
                count(i64::try_from(hidden).unwrap_or(i64::MAX))
            )
        }),
        running_out: stock
            .running_out
            .iter()
            .map(|r| RunOutLine {
                store: r.store_name.clone(),
                code: r.code.clone(),
                name: r.name.clone(),
                quantity: count(r.quantity),
                pace: decimal1(r.average_daily_units),
                cover: days_of_cover(Some(r.days_of_cover)),
            })
            .collect(),
        period_label,
    }
}

/// The section 6 figures as the page writes them.
fn floor_figures(r: &reporting::SellingReport) -> FloorFigures {
    let facts = vec![
        (
            "Remises des promotions".to_owned(),
            money(r.promotion_savings),
        ),
        ("Remises manuelles".to_owned(), money(r.manual_discounts)),
        (
            "Remises approuvées par un gérant".to_owned(),
            count(r.approved_discounts),
        ),
        (
            "Cartes-cadeaux : solde dû".to_owned(),
            format!(
                "{} ({} cartes)",
                money(r.gift_cards.total),
                count(r.gift_cards.cards)
            ),
        ),
        (
            "Points de fidélité en circulation".to_owned(),
            count(r.points_outstanding),
        ),
        (
            "Crédit en magasin dû".to_owned(),
            money(r.credit_outstanding),
        ),
    ];
    FloorFigures {
        facts,
        tenders: r
            .tenders
            .iter()
            .map(|t| {
                let label = domain::sales::PaymentMethod::parse(&t.mode)
                    .map_or(t.mode.as_str(), |m| m.label())
                    .to_owned();
                (label, count(t.payments), money(t.amount))
            })
            .collect(),
        promotions: r
            .promotions
            .iter()
            .map(|p| PromotionRow {
                name: p.name.clone(),
                units: count(p.units),
                revenue: money(p.revenue),
                cost: money(p.cost),
            })
            .collect(),
    }
}

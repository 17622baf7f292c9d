//! Custom reports: chosen metrics of a period grouped by day, week, month, store, product or
//! category, as the API's `POST /reports/custom` asks for them.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgPool};

use super::{Period, SCOPE_CTES, authorize, snapshot};
use crate::{Actor, Error, FieldError, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Day,
    Week,
    Month,
    Store,
    Product,
    Category,
}

impl GroupBy {
    pub const ALL: [GroupBy; 6] = [
        GroupBy::Day,
        GroupBy::Week,
        GroupBy::Month,
        GroupBy::Store,
        GroupBy::Product,
        GroupBy::Category,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Day => "day",
            GroupBy::Week => "week",
            GroupBy::Month => "month",
            GroupBy::Store => "store",
            GroupBy::Product => "product",
            GroupBy::Category => "category",
        }
    }

    /// Time groupings read in order and list every bucket of the period; the others rank.
    pub fn is_time(self) -> bool {
        matches!(self, GroupBy::Day | GroupBy::Week | GroupBy::Month)
    }
}

impl fmt::Display for GroupBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for GroupBy {
    type Err = Error;

    /// An unknown grouping is a `Validation` error on `group_by`, ready for a 422.
    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim();
        GroupBy::ALL
            .into_iter()
            .find(|g| g.as_str() == s)
            .ok_or_else(|| {
                Error::invalid(
                    "group_by",
                    format!(
                        "Regroupement inconnu « {s} » : day, week, month, store, product ou \
                         category."
                    ),
                )
            })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Revenue before tax.
    Revenue,
    /// Number of sales (for a product or category: sales containing it).
    Sales,
    Units,
    /// Revenue per sale, rounded to the cent.
    AverageTicket,
    /// Amount refunded, taxes included, by the returns of the period.
    Returns,
    /// TPS + TVQ collected.
    Tax,
}

impl Metric {
    pub const ALL: [Metric; 6] = [
        Metric::Revenue,
        Metric::Sales,
        Metric::Units,
        Metric::AverageTicket,
        Metric::Returns,
        Metric::Tax,
    ];

    /// The name in requests, responses and the report's SQL columns.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Revenue => "revenue",
            Metric::Sales => "sales",
            Metric::Units => "units",
            Metric::AverageTicket => "average_ticket",
            Metric::Returns => "returns",
            Metric::Tax => "tax",
        }
    }

    /// Counts rather than amounts.
    pub fn is_count(self) -> bool {
        matches!(self, Metric::Sales | Metric::Units)
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Metric {
    type Err = Error;

    /// An unknown metric is a `Validation` error on `metrics`.
    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim();
        Metric::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| {
                Error::invalid(
                    "metrics",
                    format!(
                        "Indicateur inconnu « {s} » : revenue, sales, units, average_ticket, \
                         returns ou tax."
                    ),
                )
            })
    }
}

/// A custom report request. No store is the whole network.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomQuery {
    pub period: Period,
    pub store_ids: Vec<i64>,
    pub group_by: GroupBy,
    /// Non-empty; the first one ranks store, product and category rows.
    pub metrics: Vec<Metric>,
}

impl CustomQuery {
    /// Builds a query from the strings of a request, reporting every bad field at once.
    /// Repeated metrics count once, in their first position.
    pub fn parse<S: AsRef<str>>(
        from: NaiveDate,
        to: NaiveDate,
        store_ids: Vec<i64>,
        group_by: &str,
        metrics: &[S],
    ) -> Result<Self> {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut collect = |err: Error| match err {
            Error::Validation(list) => {
                errors.extend(list);
                Ok(())
            }
            other => Err(other),
        };
        let period = Period { from, to };
        if let Err(e) = period.validate() {
            collect(e)?;
        }
        let group_by = match group_by.parse::<GroupBy>() {
            Ok(g) => Some(g),
            Err(e) => {
                collect(e)?;
                None
            }
        };
        let mut parsed = Vec::new();
        for name in metrics {
            match name.as_ref().parse::<Metric>() {
                Ok(m) if !parsed.contains(&m) => parsed.push(m),
                Ok(_) => {}
                Err(e) => collect(e)?,
            }
        }
        if metrics.is_empty() {
            errors.push(FieldError::new(
                "metrics",
                "Choisissez au moins un indicateur.",
            ));
        }
        match group_by {
            Some(group_by) if errors.is_empty() => Ok(Self {
                period,
                store_ids,
                group_by,
                metrics: parsed,
            }),
            _ => Err(Error::Validation(errors)),
        }
    }

    pub fn validate(&self) -> Result<()> {
        self.period.validate()?;
        if self.metrics.is_empty() {
            return Err(Error::invalid(
                "metrics",
                "Choisissez au moins un indicateur.",
            ));
        }
        Ok(())
    }
}

/// One group: `key` identifies it (a date `YYYY-MM-DD`, an ISO week `YYYY-Www`, a month
/// `YYYY-MM`, or the store, product or category id), `label` is for people. `values` holds
/// exactly the requested metrics; counts are whole numbers, amounts have two decimals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomRow {
    pub key: String,
    pub label: String,
    pub values: BTreeMap<Metric, Decimal>,
}

impl CustomRow {
    /// The value of a requested metric (0 for one that was not requested).
    pub fn value(&self, metric: Metric) -> Decimal {
        self.values.get(&metric).copied().unwrap_or_default()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomReport {
    pub period: Period,
    pub store_ids: Vec<i64>,
    pub group_by: GroupBy,
    pub metrics: Vec<Metric>,
    /// Time groupings: every bucket of the period in order (a week or month that starts before
    /// the period counts only the period's days). Other groupings: by the first metric,
    /// descending; groups without any sale or return after the others, then by label.
    pub rows: Vec<CustomRow>,
}

#[derive(FromRow)]
struct GroupFigures {
    key: String,
    label: String,
    revenue: Decimal,
    sales: i64,
    units: i64,
    average_ticket: Decimal,
    returns: Decimal,
    tax: Decimal,
}

impl GroupFigures {
    fn get(&self, metric: Metric) -> Decimal {
        match metric {
            Metric::Revenue => self.revenue,
            Metric::Sales => Decimal::from(self.sales),
            Metric::Units => Decimal::from(self.units),
            Metric::AverageTicket => self.average_ticket,
            Metric::Returns => self.returns,
            Metric::Tax => self.tax,
        }
    }
}

/// Facts aggregated per sale (for time and store groupings): `{g}` is the group expression on
/// `scoped_sales sa` or `scoped_returns rt`, via the alias `x`.
const SALE_FACTS: &str = "sf AS (
        SELECT {g} AS g, count(*) AS sales, sum(x.subtotal) AS revenue,
               sum(x.tps + x.tvq) AS tax, sum(x.units) AS units
        FROM scoped_sales x GROUP BY 1),
    rf AS (SELECT {g} AS g, sum(x.refund_amount) AS refunded FROM scoped_returns x GROUP BY 1)";

/// Facts aggregated per line (for product and category groupings). A sale's taxes are shared
/// among its taxable lines by value, as they were computed, and a return's refund among its
/// lines the same way, so the groups add up to the sales' and returns' totals.
const LINE_FACTS: &str = "sale_lines_in AS (
        SELECT l.sale_id, l.product_id, p.category_id, l.quantity, l.line_total,
               CASE WHEN l.taxable THEN (sa.tps + sa.tvq) * l.line_total
                    / NULLIF(sum(l.line_total) FILTER (WHERE l.taxable)
                                 OVER (PARTITION BY l.sale_id), 0)
               END AS tax
        FROM scoped_sales sa
        JOIN sale_lines l ON l.sale_id = sa.id
        JOIN products p ON p.id = l.product_id),
    sf AS (
        SELECT {g} AS g, count(DISTINCT x.sale_id) AS sales, sum(x.line_total) AS revenue,
               COALESCE(sum(x.tax), 0) AS tax, sum(x.quantity) AS units
        FROM sale_lines_in x GROUP BY 1),
    return_lines_in AS (
        SELECT l.product_id, p.category_id, rl.quantity * l.unit_price AS value,
               CASE WHEN l.taxable THEN (rt.tps + rt.tvq) * rl.quantity * l.unit_price
                    / NULLIF(sum(rl.quantity * l.unit_price) FILTER (WHERE l.taxable)
                                 OVER (PARTITION BY rt.id), 0)
               END AS tax
        FROM scoped_returns rt
        JOIN return_lines rl ON rl.return_id = rt.id
        JOIN sale_lines l ON l.id = rl.sale_line_id
        JOIN products p ON p.id = l.product_id),
    rf AS (
        SELECT {g} AS g, sum(x.value + COALESCE(x.tax, 0)) AS refunded
        FROM return_lines_in x GROUP BY 1)";

/// The report's SQL for a grouping: the facts, their group expression, and the groups to list
/// (`g`, `key`, `label`) so that groups without activity appear too. Only static text goes into
/// it; the request's values travel as bind parameters.
fn custom_sql(group_by: GroupBy, rank_by: Metric) -> String {
    let (facts, g, groups) = match group_by {
        GroupBy::Day => (
            SALE_FACTS,
            "x.day",
            "SELECT d::DATE AS g, to_char(d, 'YYYY-MM-DD') AS key,
                    to_char(d, 'DD/MM/YYYY') AS label FROM {buckets}",
        ),
        GroupBy::Week => (
            SALE_FACTS,
            "date_trunc('week', x.day::TIMESTAMP)::DATE",
            "SELECT d::DATE AS g, to_char(d, 'IYYY-\"W\"IW') AS key,
                    'Semaine du ' || to_char(d, 'DD/MM/YYYY') AS label FROM {buckets}",
        ),
        GroupBy::Month => (
            SALE_FACTS,
            "date_trunc('month', x.day::TIMESTAMP)::DATE",
            "SELECT d::DATE AS g, to_char(d, 'YYYY-MM') AS key,
                    (ARRAY['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet',
                           'août', 'septembre', 'octobre', 'novembre', 'décembre'])
                        [EXTRACT(MONTH FROM d)::INT] || ' ' || to_char(d, 'YYYY') AS label
             FROM {buckets}",
        ),
        GroupBy::Store => (
            SALE_FACTS,
            "x.store_id",
            "SELECT id AS g, id::TEXT AS key, name AS label FROM scope_stores",
        ),
        GroupBy::Product => (
            LINE_FACTS,
            "x.product_id",
            "SELECT p.id AS g, p.id::TEXT AS key, p.name || ' (' || p.code || ')' AS label
             FROM products p
             WHERE p.active OR p.id IN (SELECT g FROM sf UNION SELECT g FROM rf)",
        ),
        GroupBy::Category => (
            LINE_FACTS,
            "x.category_id",
            "SELECT id AS g, id::TEXT AS key, name AS label FROM categories",
        ),
    };
    let unit = match group_by {
        GroupBy::Week => "week",
        GroupBy::Month => "month",
        _ => "day",
    };
    let buckets = format!(
        "generate_series(date_trunc('{unit}', $1::DATE::TIMESTAMP), $2::DATE::TIMESTAMP,
                         INTERVAL '1 {unit}') AS d"
    );
    let facts = facts.replace("{g}", g);
    let groups = groups.replace("{buckets}", &buckets);
    let order = if group_by.is_time() {
        "grp.g".to_owned()
    } else {
        format!("{} DESC, idle, label, grp.g", rank_by.as_str())
    };
    format!(
        "WITH {SCOPE_CTES}, {facts}, grp AS ({groups})
         SELECT grp.key, grp.label,
                round(COALESCE(sf.revenue, 0), 2) AS revenue,
                COALESCE(sf.sales, 0) AS sales,
                COALESCE(sf.units, 0)::BIGINT AS units,
                COALESCE(round(sf.revenue / NULLIF(sf.sales, 0), 2), 0) AS average_ticket,
                round(COALESCE(rf.refunded, 0), 2) AS returns,
                round(COALESCE(sf.tax, 0), 2) AS tax,
                (sf.g IS NULL AND rf.g IS NULL) AS idle
         FROM grp
         LEFT JOIN sf ON sf.g = grp.g
         LEFT JOIN rf ON rf.g = grp.g
         ORDER BY {order}"
    )
}

/// A custom report for the stores of the query (their managers, or head office) or the network
/// (head office).
pub async fn custom_report(
    db: &PgPool,
    actor: &Actor,
    query: &CustomQuery,
) -> Result<CustomReport> {
    query.validate()?;
    let rank_by = query.metrics[0];
    let mut tx = snapshot(db).await?;
    let stores = authorize(&mut tx, actor, &query.store_ids).await?;
    let groups: Vec<GroupFigures> = sqlx::query_as(&custom_sql(query.group_by, rank_by))
        .bind(query.period.from)
        .bind(query.period.to)
        .bind(&stores)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    let rows = groups
        .into_iter()
        .map(|group| CustomRow {
            values: query.metrics.iter().map(|m| (*m, group.get(*m))).collect(),
            key: group.key,
            label: group.label,
        })
        .collect();
    Ok(CustomReport {
        period: query.period,
        store_ids: stores.unwrap_or_default(),
        group_by: query.group_by,
        metrics: query.metrics.clone(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).expect("valid date")
    }

    fn fields(err: Error) -> Vec<String> {
        match err {
            Error::Validation(errors) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn names_round_trip() {
        for g in GroupBy::ALL {
            assert_eq!(g.as_str().parse::<GroupBy>().unwrap(), g);
        }
        for m in Metric::ALL {
            assert_eq!(m.to_string().parse::<Metric>().unwrap(), m);
        }
        assert_eq!(fields("year".parse::<GroupBy>().unwrap_err()), ["group_by"]);
        assert_eq!(fields("profit".parse::<Metric>().unwrap_err()), ["metrics"]);
    }

    #[test]
    fn a_query_reports_every_bad_field() {
        let q = CustomQuery::parse(
            date(1),
            date(31),
            vec![],
            "week",
            &["units", "revenue", "units"],
        )
        .unwrap();
        assert_eq!(q.metrics, [Metric::Units, Metric::Revenue]);
        assert_eq!(q.group_by, GroupBy::Week);
        let err = CustomQuery::parse(date(2), date(1), vec![], "hour", &["revenue", "margin"])
            .unwrap_err();
        assert_eq!(fields(err), ["date_fin", "group_by", "metrics"]);
        let none: [&str; 0] = [];
        let err = CustomQuery::parse(date(1), date(2), vec![], "day", &none).unwrap_err();
        assert_eq!(fields(err), ["metrics"]);
    }

    #[test]
    fn every_grouping_builds_its_sql_from_static_parts() {
        for g in GroupBy::ALL {
            let sql = custom_sql(g, Metric::Revenue);
            assert!(!sql.contains("{g}") && !sql.contains("{buckets}"), "{sql}");
        }
    }
}

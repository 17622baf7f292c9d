//! Custom reports: chosen metrics of a period grouped by day, week, month, store, product or
//! category, as the API's `POST /reports/custom` asks for them. Computed from the aggregates
//! (`aggregated.rs`); `raw.rs` computes the same figures from the raw sales, as the reference
//! the tests compare with. Groupings other than time list at most [`MAX_GROUPS`] groups, the
//! best first.

mod aggregated;
mod groups;
mod raw;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgPool};

use super::months::Split;
use super::{Period, authorize, snapshot};
use crate::error::Validator;
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

    /// Groupings of sale lines (products and categories) rather than of whole sales.
    pub fn is_line(self) -> bool {
        matches!(self, GroupBy::Product | GroupBy::Category)
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
    /// descending; groups without any sale or return after the others, then by label, at most
    /// the limit asked ([`DEFAULT_GROUPS`] by default).
    pub rows: Vec<CustomRow>,
    /// Groups there are in all (more than `rows` when the limit cut the list).
    pub total_groups: i64,
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
    /// Groups before the limit.
    total: i64,
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

/// Groups listed when the caller does not say (groupings other than time).
pub const DEFAULT_GROUPS: u32 = 100;
/// Most groups one report lists (groupings other than time, which list every bucket of the
/// period, at most [`super::MAX_PERIOD_DAYS`]).
pub const MAX_GROUPS: u32 = 1000;

/// Where the figures are read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustomSource {
    /// The daily and monthly aggregates: what every report uses.
    Aggregates,
    /// The raw sales and returns of the period: the reference of the tests.
    Sales,
}

/// The number of groups to list: `limit`, or [`DEFAULT_GROUPS`]; refused outside
/// 1..=[`MAX_GROUPS`]. Time groupings list every bucket.
fn check_groups(group_by: GroupBy, limit: Option<u32>) -> Result<Option<i64>> {
    let limit = limit.unwrap_or(DEFAULT_GROUPS);
    Validator::default()
        .check(
            (1..=MAX_GROUPS).contains(&limit),
            "limit",
            "Le rapport liste de 1 à 1000 groupes.",
        )
        .finish()?;
    Ok((!group_by.is_time()).then_some(i64::from(limit)))
}

/// A custom report for the stores of the query (their managers, or head office) or the network
/// (head office), with the default number of groups.
pub async fn custom_report(
    db: &PgPool,
    actor: &Actor,
    query: &CustomQuery,
) -> Result<CustomReport> {
    custom_report_with(db, actor, query, None, CustomSource::Aggregates).await
}

/// A custom report listing at most `limit` groups (see [`check_groups`]), read from `source`.
pub async fn custom_report_with(
    db: &PgPool,
    actor: &Actor,
    query: &CustomQuery,
    limit: Option<u32>,
    source: CustomSource,
) -> Result<CustomReport> {
    query.validate()?;
    let limit = check_groups(query.group_by, limit)?;
    let rank_by = query.metrics[0];
    let mut tx = snapshot(db).await?;
    let stores = authorize(&mut tx, actor, &query.store_ids).await?;
    let sql = match source {
        CustomSource::Aggregates => aggregated::sql(query.group_by, rank_by),
        CustomSource::Sales => raw::sql(query.group_by, rank_by),
    };
    let mut select = sqlx::query_as::<_, GroupFigures>(&sql)
        .bind(query.period.from)
        .bind(query.period.to)
        .bind(&stores)
        .bind(limit);
    if source == CustomSource::Aggregates && query.group_by.is_line() {
        let split = Split::of(query.period.from, query.period.to);
        select = select
            .bind(split.full.0)
            .bind(split.full.1)
            .bind(split.head.0)
            .bind(split.head.1)
            .bind(split.tail.0)
            .bind(split.tail.1);
    }
    let groups = select.fetch_all(&mut *tx).await?;
    tx.commit().await?;
    let total_groups = groups.first().map_or(0, |g| g.total);
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
        total_groups,
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
            for sql in [
                aggregated::sql(g, Metric::Revenue),
                raw::sql(g, Metric::Revenue),
            ] {
                assert!(!sql.contains("{g}") && !sql.contains("{buckets}"), "{sql}");
            }
        }
    }

    #[test]
    fn only_groupings_other_than_time_are_cut() {
        assert_eq!(check_groups(GroupBy::Day, None).unwrap(), None);
        assert_eq!(
            check_groups(GroupBy::Product, None).unwrap(),
            Some(i64::from(DEFAULT_GROUPS))
        );
        assert_eq!(check_groups(GroupBy::Store, Some(5)).unwrap(), Some(5));
        assert_eq!(
            fields(check_groups(GroupBy::Product, Some(0)).unwrap_err()),
            ["limit"]
        );
        assert_eq!(
            fields(check_groups(GroupBy::Day, Some(MAX_GROUPS + 1)).unwrap_err()),
            ["limit"]
        );
    }
}

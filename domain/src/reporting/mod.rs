//! Reports for managers and head office: KPIs, sales performance (per store, register, day and
//! product), stock analysis with days of cover, and custom groupings. Every figure is aggregated
//! by PostgreSQL, and a period is a range of local dates read in each store's own time zone.

mod custom;
mod dashboard;
mod sales;
mod stock;
mod top;

pub use custom::*;
pub use dashboard::*;
pub use sales::*;
pub use stock::*;
pub use top::*;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

use crate::error::Validator;
use crate::{Actor, Error, FieldError, Result};

/// Longest period a report covers: a leap year. Longer ranges belong to an export, not to a
/// screen that aggregates on every request.
pub const MAX_PERIOD_DAYS: i64 = 366;

/// A range of local dates, both ends included. Each store reads it in its own time zone, so a
/// sale at 23:30 in Montreal belongs to that Montreal day whatever the server's clock says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// A validated period (`date_debut` <= `date_fin`, at most [`MAX_PERIOD_DAYS`] days).
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self> {
        let period = Self { from, to };
        period.validate()?;
        Ok(period)
    }

    /// Parses the `YYYY-MM-DD` dates of a form or query string, naming the faulty field.
    pub fn parse(from: &str, to: &str) -> Result<Self> {
        let parse = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        let mut errors = Vec::new();
        let (start, end) = (parse(from), parse(to));
        if start.is_none() {
            errors.push(FieldError::new(
                "date_debut",
                "Date de début invalide (AAAA-MM-JJ).",
            ));
        }
        if end.is_none() {
            errors.push(FieldError::new(
                "date_fin",
                "Date de fin invalide (AAAA-MM-JJ).",
            ));
        }
        match (start, end) {
            (Some(from), Some(to)) => Self::new(from, to),
            _ => Err(Error::Validation(errors)),
        }
    }

    /// The `days` days ending on `last` (today's report is `Period::ending(today, 1)`).
    pub fn ending(last: NaiveDate, days: u32) -> Self {
        let days = i64::from(days.max(1)) - 1;
        Self {
            from: last - chrono::Duration::days(days),
            to: last,
        }
    }

    /// From the first of `today`'s month to `today` (the "this month" of the report pickers).
    pub fn month_to_date(today: NaiveDate) -> Self {
        Self {
            from: today.with_day(1).unwrap_or(today),
            to: today,
        }
    }

    /// Number of days covered, both ends included.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The fields are public (and deserializable), so every report checks again.
    pub fn validate(&self) -> Result<()> {
        let mut v = Validator::default();
        v.check(
            self.from <= self.to,
            "date_fin",
            "La date de fin précède la date de début.",
        );
        v.check(
            self.from > self.to || self.days() <= MAX_PERIOD_DAYS,
            "date_debut",
            "La période couvre au plus 366 jours.",
        );
        v.finish()
    }
}

/// What a standard report covers: a period, and one store or (`None`) the whole network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReportScope {
    pub period: Period,
    pub store_id: Option<i64>,
}

impl ReportScope {
    pub fn new(from: NaiveDate, to: NaiveDate, store_id: Option<i64>) -> Result<Self> {
        Ok(Self {
            period: Period::new(from, to)?,
            store_id,
        })
    }

    pub fn network(period: Period) -> Self {
        Self {
            period,
            store_id: None,
        }
    }

    pub fn store(period: Period, store_id: i64) -> Self {
        Self {
            period,
            store_id: Some(store_id),
        }
    }
}

/// Checks who may read figures about these stores, and that the stores exist. An empty list is
/// the whole network (head office only); store managers read their own store's figures.
/// Returns the store filter to bind: `None` for the network.
pub(crate) async fn authorize(
    db: &mut PgConnection,
    actor: &Actor,
    store_ids: &[i64],
) -> Result<Option<Vec<i64>>> {
    if store_ids.is_empty() {
        actor.ensure_head_office()?;
        return Ok(None);
    }
    let mut ids = store_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for id in &ids {
        actor.ensure_manager_of(*id)?;
    }
    let missing: Option<i64> = sqlx::query_scalar(
        "SELECT min(wanted) FROM unnest($1::BIGINT[]) AS wanted
         WHERE NOT EXISTS (SELECT 1 FROM stores WHERE id = wanted)",
    )
    .bind(&ids)
    .fetch_one(&mut *db)
    .await?;
    if let Some(id) = missing {
        return Err(Error::not_found("Magasin", id));
    }
    Ok(Some(ids))
}

/// A read-only transaction with one snapshot, so the parts of a report (totals, per store, per
/// day) add up even while tills keep selling.
pub(crate) async fn snapshot(db: &PgPool) -> Result<Transaction<'static, Postgres>> {
    let mut tx = db.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    // JIT compilation costs about 100 ms per large report query and gains nothing on queries
    // that run well under a second (measured with loadtest/bench-reports.sh).
    sqlx::query("SET LOCAL jit = off").execute(&mut *tx).await?;
    Ok(tx)
}

/// The common head of the period queries. Binds `$1` (first local date), `$2` (last local
/// date) and `$3` (store ids, `NULL` for every store).
///
/// Each store's period becomes a half-open range of instants computed in its time zone, so the
/// `(store_id, sold_at)` index answers and a sale at 23:30 local time stays on its local day.
pub(crate) const SCOPE_CTES: &str = "scope_stores AS (
        SELECT st.id, st.name, st.time_zone,
               ($1::DATE::TIMESTAMP AT TIME ZONE st.time_zone) AS starts_at,
               (($2::DATE + 1)::TIMESTAMP AT TIME ZONE st.time_zone) AS ends_at
        FROM stores st
        WHERE $3::BIGINT[] IS NULL OR st.id = ANY($3::BIGINT[])),
    scoped_sales AS (
        SELECT sa.id, sa.store_id, sa.register_id, sa.subtotal, sa.tps, sa.tvq, sa.total,
               (sa.sold_at AT TIME ZONE ss.time_zone)::DATE AS day,
               (SELECT COALESCE(sum(l.quantity), 0) FROM sale_lines l WHERE l.sale_id = sa.id)
                   AS units
        FROM scope_stores ss
        JOIN sales sa ON sa.store_id = ss.id
                     AND sa.sold_at >= ss.starts_at AND sa.sold_at < ss.ends_at),
    scoped_returns AS (
        SELECT rt.id, rt.sale_id, rt.store_id, rt.subtotal, rt.tps, rt.tvq, rt.refund_amount,
               (rt.returned_at AT TIME ZONE ss.time_zone)::DATE AS day
        FROM scope_stores ss
        JOIN returns rt ON rt.store_id = ss.id
                       AND rt.returned_at >= ss.starts_at AND rt.returned_at < ss.ends_at)";

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn fields(err: Error) -> Vec<String> {
        match err {
            Error::Validation(errors) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_period_runs_forward_for_at_most_a_leap_year() {
        assert_eq!(
            Period::new(date(2024, 1, 1), date(2024, 12, 31))
                .unwrap()
                .days(),
            366
        );
        assert_eq!(
            Period::new(date(2026, 5, 1), date(2026, 5, 1))
                .unwrap()
                .days(),
            1
        );
        assert_eq!(
            fields(Period::new(date(2026, 5, 2), date(2026, 5, 1)).unwrap_err()),
            ["date_fin"]
        );
        assert_eq!(
            fields(Period::new(date(2024, 1, 1), date(2025, 1, 1)).unwrap_err()),
            ["date_debut"]
        );
    }

    #[test]
    fn parsing_names_the_bad_date() {
        assert_eq!(
            Period::parse("2026-01-01", "2026-01-31").unwrap().days(),
            31
        );
        assert_eq!(
            fields(Period::parse("hier", "2026-13-01").unwrap_err()),
            ["date_debut", "date_fin"]
        );
        assert_eq!(
            Period::ending(date(2026, 3, 31), 7),
            Period {
                from: date(2026, 3, 25),
                to: date(2026, 3, 31)
            }
        );
        assert_eq!(
            Period::month_to_date(date(2026, 2, 17)),
            Period {
                from: date(2026, 2, 1),
                to: date(2026, 2, 17)
            }
        );
        assert_eq!(Period::month_to_date(date(2026, 2, 1)).days(), 1);
    }
}

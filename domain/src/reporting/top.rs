//! The top-product lists of the performance report (by units, by revenue), exact, found by
//! threshold pruning over the monthly rollups, with the full aggregation of the daily rows as
//! fallback and reference.
//!
//! Pruning (Fagin's threshold algorithm): the period's covering months, per store, are buckets
//! of `monthly_product_sales`. The best `m` rows of each bucket (an index scan) make the
//! candidates, whose exact sums over the period are read from the monthly rows of the full
//! months and the daily rows of the edge days. A product outside the candidates sold at most the
//! bucket's `m`-th value in each full bucket (nothing in a bucket of fewer than `m` rows), and a
//! period's edge days hold at most their month, since daily values are never negative: the sum
//! of those values bounds it. When the N-th candidate is strictly above the bound, no other
//! product can enter or tie into the list, so it is exact; otherwise `m` grows, and after a few
//! rounds the full aggregation answers.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgConnection, PgPool};

use super::months::Split;
use super::{DAILY_CTES, ReportScope, authorize, snapshot};
use crate::error::Validator;
use crate::{Actor, Result};

/// Products in each top list when the caller does not say.
pub const DEFAULT_TOP: u32 = 10;
/// Longest top list.
pub const MAX_TOP: u32 = 100;

/// A product's sales in the period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct ProductSales {
    pub product_id: i64,
    pub code: String,
    pub name: String,
    pub category: String,
    pub units: i64,
    /// Before tax.
    pub revenue: Decimal,
    /// Sales that contained the product.
    pub sales: i64,
}

/// The length of a top list: `top`, or [`DEFAULT_TOP`]; refused outside 1..=[`MAX_TOP`].
pub(super) fn check_top(top: Option<u32>) -> Result<u32> {
    let top = top.unwrap_or(DEFAULT_TOP);
    Validator::default()
        .check(
            (1..=MAX_TOP).contains(&top),
            "limit",
            "Le classement compte de 1 à 100 produits.",
        )
        .finish()?;
    Ok(top)
}

/// Periods shorter than this skip pruning: the bound of their covering months is loose and the
/// full aggregation of a few days is cheap (large data set, network, top 10: today before its
/// first sale 55 ms full, 71 ms with pruning tried first; 7 days 257 ms full, 32 ms pruned).
pub const PRUNE_MIN_DAYS: i64 = 7;
/// Pruning rounds before the full aggregation; each one reads 4 times more rows per bucket.
const ROUNDS: u32 = 3;

/// How [`top_products`] finds its lists. The report uses `Auto`; the others exist for the tests
/// (the full aggregation is the reference) and for measurements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TopMethod {
    /// Pruning from `max(2 * top, 32)` rows per bucket when the period spans at least
    /// [`PRUNE_MIN_DAYS`] days, else the full aggregation.
    Auto,
    /// Pruning from `first_m` rows per bucket for `rounds` rounds, then the full aggregation.
    Pruned { first_m: i64, rounds: u32 },
    /// The aggregation of every daily row of the period.
    Full,
}

/// How a list was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TopPath {
    /// Proven exact by pruning in this round (1 for the first).
    Pruned { round: u32 },
    /// By the full aggregation.
    Full,
}

/// Both top lists of a period, as the performance report shows them.
#[derive(Clone, Debug, PartialEq)]
pub struct TopProducts {
    pub by_units: Vec<ProductSales>,
    pub by_revenue: Vec<ProductSales>,
    pub units_path: TopPath,
    pub revenue_path: TopPath,
}

/// The top lists of the performance report alone ([`super::sales_report`]'s `top_by_units` and
/// `top_by_revenue`), found with `method`.
pub async fn top_products(
    db: &PgPool,
    actor: &Actor,
    scope: &ReportScope,
    top: Option<u32>,
    method: TopMethod,
) -> Result<TopProducts> {
    scope.period.validate()?;
    let top = check_top(top)?;
    let mut tx = snapshot(db).await?;
    let stores = authorize(&mut tx, actor, scope.store_id.as_slice()).await?;
    let lists = query_top(&mut tx, scope, &stores, top, method).await?;
    tx.commit().await?;
    Ok(lists)
}

#[derive(Clone, Copy)]
enum List {
    Units,
    Revenue,
}

impl List {
    fn column(self) -> &'static str {
        match self {
            Self::Units => "units",
            Self::Revenue => "revenue",
        }
    }
}

/// Active products without sales take part (a manager should see what does not sell) but rank
/// after every sold product, by name: so each list is its sold products by rank (value, then
/// name, then id), then as many unsold ones as it still lacks.
pub(super) async fn query_top(
    conn: &mut PgConnection,
    scope: &ReportScope,
    stores: &Option<Vec<i64>>,
    top: u32,
    method: TopMethod,
) -> Result<TopProducts> {
    let limit = i64::from(top);
    let days = (scope.period.to - scope.period.from).num_days() + 1;
    let pruning = match method {
        TopMethod::Full => None,
        TopMethod::Auto if days < PRUNE_MIN_DAYS => None,
        TopMethod::Auto => Some(((2 * limit).max(32), ROUNDS)),
        TopMethod::Pruned { first_m, rounds } => Some((first_m.max(1), rounds)),
    };
    let mut pruned = [None, None];
    if let Some((first_m, rounds)) = pruning {
        let ids: Vec<i64> = match stores {
            Some(ids) => ids.clone(),
            None => {
                sqlx::query_scalar("SELECT id FROM stores ORDER BY id")
                    .fetch_all(&mut *conn)
                    .await?
            }
        };
        let split = Split::of(scope.period.from, scope.period.to);
        for (found, list) in pruned.iter_mut().zip([List::Units, List::Revenue]) {
            *found = prune(conn, list, &split, &ids, limit, first_m, rounds).await?;
        }
    }
    let [units, revenue] = pruned;
    let (full_units, full_revenue) = if units.is_none() || revenue.is_none() {
        let (u, r) = full_top(conn, scope, stores, limit).await?;
        (Some(u), Some(r))
    } else {
        (None, None)
    };
    let settle =
        |pruned: Option<(Vec<ProductSales>, u32)>, full: Option<Vec<ProductSales>>| match pruned {
            Some((list, round)) => (list, TopPath::Pruned { round }),
            None => (full.unwrap_or_default(), TopPath::Full),
        };
    let (by_units, units_path) = settle(units, full_units);
    let (by_revenue, revenue_path) = settle(revenue, full_revenue);
    let missing = limit - by_units.len().min(by_revenue.len()) as i64;
    let unsold = if missing > 0 {
        query_unsold(conn, scope, stores, missing).await?
    } else {
        Vec::new()
    };
    let fill = |mut list: Vec<ProductSales>| {
        let room = (limit as usize).saturating_sub(list.len());
        list.extend(unsold.iter().take(room).cloned());
        list
    };
    Ok(TopProducts {
        by_units: fill(by_units),
        by_revenue: fill(by_revenue),
        units_path,
        revenue_path,
    })
}

#[derive(FromRow)]
struct Candidate {
    bound: Decimal,
    complete: bool,
    value: Decimal,
    #[sqlx(flatten)]
    product: ProductSales,
}

/// The sold products of one list by rank, proven exact by pruning, with the round that proved
/// it; `None` when `rounds` rounds did not.
async fn prune(
    conn: &mut PgConnection,
    list: List,
    split: &Split,
    stores: &[i64],
    limit: i64,
    first_m: i64,
    rounds: u32,
) -> Result<Option<(Vec<ProductSales>, u32)>> {
    let v = list.column();
    let sql = format!(
        "WITH buckets AS (
             SELECT s.id AS store_id, m::DATE AS month
             FROM unnest($1::BIGINT[]) AS s(id)
             CROSS JOIN generate_series($2::DATE, $3::DATE, INTERVAL '1 month') AS m),
         tops AS (
             SELECT b.store_id, b.month, t.product_id, t.value
             FROM buckets b CROSS JOIN LATERAL (
                 SELECT mp.product_id, mp.{v}::NUMERIC AS value FROM monthly_product_sales mp
                 WHERE mp.store_id = b.store_id AND mp.month = b.month
                 ORDER BY mp.{v} DESC LIMIT $4) t),
         bound AS (
             SELECT COALESCE(sum(GREATEST(last, 0)) FILTER (WHERE n = $4), 0) AS bound,
                    COALESCE(bool_and(n < $4), TRUE) AS complete
             FROM (SELECT count(*) AS n, min(value) AS last FROM tops
                   GROUP BY store_id, month) x),
         exact AS (
             SELECT c.product_id, sum(x.units)::BIGINT AS units, sum(x.revenue) AS revenue,
                    sum(x.sales)::BIGINT AS sales
             FROM (SELECT DISTINCT product_id FROM tops) c
             CROSS JOIN LATERAL (
                 SELECT m.units, m.revenue, m.sales FROM monthly_product_sales m
                 WHERE m.product_id = c.product_id AND m.store_id = ANY($1::BIGINT[])
                   AND m.month >= $5::DATE AND m.month < $6::DATE
                 UNION ALL
                 SELECT d.units, d.revenue, d.sales FROM daily_product_sales d
                 WHERE d.product_id = c.product_id AND d.store_id = ANY($1::BIGINT[])
                   AND d.day BETWEEN $7::DATE AND $8::DATE
                 UNION ALL
                 SELECT d.units, d.revenue, d.sales FROM daily_product_sales d
                 WHERE d.product_id = c.product_id AND d.store_id = ANY($1::BIGINT[])
                   AND d.day BETWEEN $9::DATE AND $10::DATE) x
             GROUP BY c.product_id HAVING sum(x.sales) > 0)
         SELECT b.bound, b.complete, e.{v}::NUMERIC AS value, p.id AS product_id, p.code,
                p.name, c.name AS category, e.units, round(e.revenue, 2) AS revenue, e.sales
         FROM exact e JOIN products p ON p.id = e.product_id
         JOIN categories c ON c.id = p.category_id CROSS JOIN bound b
         ORDER BY e.{v} DESC, p.name, p.id
         LIMIT $11"
    );
    let mut m = first_m;
    for round in 1..=rounds {
        let rows: Vec<Candidate> = sqlx::query_as(&sql)
            .bind(stores)
            .bind(split.covering.0)
            .bind(split.covering.1)
            .bind(m)
            .bind(split.full.0)
            .bind(split.full.1)
            .bind(split.head.0)
            .bind(split.head.1)
            .bind(split.tail.0)
            .bind(split.tail.1)
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?;
        if proven(&rows, limit) {
            return Ok(Some((rows.into_iter().map(|r| r.product).collect(), round)));
        }
        m = m.saturating_mul(4);
    }
    Ok(None)
}

/// Every product with sales in the period is a candidate (no bucket was cut), or the last of
/// the list is strictly above what any other product can reach: a product at the bound could
/// tie with it and win on its name.
fn proven(rows: &[Candidate], limit: i64) -> bool {
    match (rows.first(), rows.last()) {
        (Some(first), Some(last)) => {
            first.complete || (rows.len() as i64 == limit && last.value > first.bound)
        }
        _ => false,
    }
}

#[derive(FromRow)]
struct RankedProduct {
    list: String,
    #[sqlx(flatten)]
    product: ProductSales,
}

/// Both lists' sold products from every daily row of the period: the fallback, and the
/// reference of the tests.
async fn full_top(
    conn: &mut PgConnection,
    scope: &ReportScope,
    stores: &Option<Vec<i64>>,
    limit: i64,
) -> Result<(Vec<ProductSales>, Vec<ProductSales>)> {
    // Over 90 days on a large catalogue the aggregation groups ~100,000 products: keep it in
    // memory rather than spilling to disk at the default 4 MB.
    sqlx::query("SET LOCAL work_mem = '64MB'")
        .execute(&mut *conn)
        .await?;
    let ranked: Vec<RankedProduct> = sqlx::query_as(&format!(
        "WITH {DAILY_CTES},
         sold AS MATERIALIZED (
             SELECT d.product_id, sum(d.units)::BIGINT AS units, sum(d.revenue) AS revenue,
                    sum(d.sales)::BIGINT AS sales
             FROM scope_stores ss
             JOIN daily_product_sales d ON d.store_id = ss.id AND d.day BETWEEN $1 AND $2
             GROUP BY d.product_id HAVING sum(d.sales) > 0),
         best AS (
             (SELECT 'units' AS list, units AS value, * FROM sold
              ORDER BY units DESC FETCH FIRST $4 ROWS WITH TIES)
             UNION ALL
             (SELECT 'revenue', revenue, * FROM sold
              ORDER BY revenue DESC FETCH FIRST $4 ROWS WITH TIES)),
         ranked AS (
             SELECT b.list, p.id AS product_id, p.code, p.name, c.name AS category, b.units,
                    round(b.revenue, 2) AS revenue, b.sales,
                    row_number() OVER (PARTITION BY b.list ORDER BY b.value DESC, p.name, p.id)
                        AS rank
             FROM best b JOIN products p ON p.id = b.product_id
             JOIN categories c ON c.id = p.category_id)
         SELECT * FROM ranked WHERE rank <= $4 ORDER BY list, rank"
    ))
    .bind(scope.period.from)
    .bind(scope.period.to)
    .bind(stores)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let pick = |list: &str| -> Vec<ProductSales> {
        ranked
            .iter()
            .filter(|r| r.list == list)
            .map(|r| r.product.clone())
            .collect()
    };
    Ok((pick("units"), pick("revenue")))
}

/// The first `count` active products without sales in the period, by name.
async fn query_unsold(
    conn: &mut PgConnection,
    scope: &ReportScope,
    stores: &Option<Vec<i64>>,
    count: i64,
) -> Result<Vec<ProductSales>> {
    Ok(sqlx::query_as(&format!(
        "WITH {DAILY_CTES}
         SELECT p.id AS product_id, p.code, p.name, c.name AS category, 0::BIGINT AS units,
                0::NUMERIC(12, 2) AS revenue, 0::BIGINT AS sales
         FROM products p JOIN categories c ON c.id = p.category_id
         WHERE p.active AND NOT EXISTS (
             SELECT 1 FROM scope_stores ss
             JOIN daily_product_sales d ON d.store_id = ss.id AND d.day BETWEEN $1 AND $2
             WHERE d.product_id = p.id AND d.sales > 0)
         ORDER BY p.name, p.id LIMIT $4"
    ))
    .bind(scope.period.from)
    .bind(scope.period.to)
    .bind(stores)
    .bind(count)
    .fetch_all(&mut *conn)
    .await?)
}

//! The custom report computed from the raw sales and returns of the period, line by line: what
//! the report computed before the aggregates carried its figures. Kept as the reference the
//! aggregates are tested against ([`super::CustomSource::Sales`]); requests never use it, since
//! it reads every sale of up to a year.

use super::groups::{group_expr, groups_sql, select_sql};
use super::{GroupBy, Metric};
use crate::reporting::SCOPE_CTES;

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

/// The report's SQL over the raw tables. Binds `$1`, `$2` (the period), `$3` (the stores) and
/// `$4` (the most groups, `NULL` for all).
pub(super) fn sql(group_by: GroupBy, rank_by: Metric) -> String {
    let facts = if group_by.is_line() {
        LINE_FACTS
    } else {
        SALE_FACTS
    };
    let g = match group_by {
        GroupBy::Product => "x.product_id",
        GroupBy::Category => "x.category_id",
        other => group_expr(other),
    };
    format!(
        "WITH {SCOPE_CTES}, {}, grp AS ({}) {}",
        facts.replace("{g}", g),
        groups_sql(group_by),
        select_sql(group_by, rank_by)
    )
}

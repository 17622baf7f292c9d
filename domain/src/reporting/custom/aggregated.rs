//! The custom report computed from the aggregates: the daily figures of the stores (time and
//! store groupings), and for products and categories the monthly rollups of the period's full
//! months plus the daily rows of the days around them, the products' daily refunds and the
//! categories' daily sale counts (migrations `..._daily_aggregates`, `..._monthly_product_sales`
//! and `..._custom_report_aggregates`). A period of a year reads a few thousand rows per store
//! instead of its sales; the figures are the raw computation's (`raw.rs`) to the cent.

use super::groups::{group_expr, groups_sql, select_sql};
use super::{GroupBy, Metric};
use crate::reporting::DAILY_CTES;

/// Time and store groupings: a bucket has sales when its daily rows count some (rows whose
/// figures fell back to zero after a correction do not make a group active).
const SALE_FACTS: &str = "sf AS (
        SELECT {g} AS g, sum(x.sales)::BIGINT AS sales, sum(x.subtotal) AS revenue,
               sum(x.tps + x.tvq) AS tax, sum(x.units) AS units
        FROM day_sales x GROUP BY 1 HAVING sum(x.sales) > 0),
    rf AS (
        SELECT {g} AS g, sum(x.refunded) AS refunded
        FROM day_returns x GROUP BY 1 HAVING sum(x.returns) > 0)";

/// The products' figures of the period: monthly rows of the full months (`[$5, $6)`), daily
/// rows of the edge days (`$7..=$8` and `$9..=$10`).
const PRODUCT_FACTS: &str = "pf AS (
        SELECT m.product_id, m.units, m.revenue, m.sales, m.tax
        FROM scope_stores ss
        JOIN monthly_product_sales m ON m.store_id = ss.id
                                    AND m.month >= $5::DATE AND m.month < $6::DATE
        UNION ALL
        SELECT d.product_id, d.units, d.revenue, d.sales, d.tax
        FROM scope_stores ss
        JOIN daily_product_sales d ON d.store_id = ss.id
                                  AND (d.day BETWEEN $7::DATE AND $8::DATE
                                       OR d.day BETWEEN $9::DATE AND $10::DATE)),
    sold AS (
        SELECT {g} AS g, sum(x.sales)::BIGINT AS sales, sum(x.revenue) AS revenue,
               sum(x.tax) AS tax, sum(x.units) AS units
        FROM pf x JOIN products p ON p.id = x.product_id
        GROUP BY 1 HAVING sum(x.sales) > 0),
    rf AS (
        SELECT {g} AS g, sum(x.refunded) AS refunded
        FROM scope_stores ss
        JOIN daily_product_returns x ON x.store_id = ss.id AND x.day BETWEEN $1 AND $2
        JOIN products p ON p.id = x.product_id
        GROUP BY 1 HAVING sum(x.units) > 0)";

/// A product's sales are the sales containing it; a category's are counted apart, since a sale
/// with two of its products counts once.
const PRODUCT_SALES: &str = "sf AS (SELECT * FROM sold)";
const CATEGORY_SALES: &str = "cs AS (
        SELECT c.category_id AS g, sum(c.sales)::BIGINT AS sales
        FROM scope_stores ss
        JOIN daily_category_sales c ON c.store_id = ss.id AND c.day BETWEEN $1 AND $2
        GROUP BY 1 HAVING sum(c.sales) > 0),
    sf AS (
        SELECT cs.g, cs.sales, s.revenue, s.tax, s.units FROM cs JOIN sold s ON s.g = cs.g)";

/// The report's SQL over the aggregates. Binds `$1`, `$2` (the period), `$3` (the stores), `$4`
/// (the most groups, `NULL` for all) and, for products and categories, `$5` to `$10` (the
/// period's split along months, [`crate::reporting::months::Split`]).
pub(super) fn sql(group_by: GroupBy, rank_by: Metric) -> String {
    let facts = match group_by {
        GroupBy::Product => format!(
            "{}, {PRODUCT_SALES}",
            PRODUCT_FACTS.replace("{g}", "x.product_id")
        ),
        GroupBy::Category => format!(
            "{}, {CATEGORY_SALES}",
            PRODUCT_FACTS.replace("{g}", "p.category_id")
        ),
        other => SALE_FACTS.replace("{g}", group_expr(other)),
    };
    format!(
        "WITH {DAILY_CTES}, {facts}, grp AS ({}) {}",
        groups_sql(group_by),
        select_sql(group_by, rank_by)
    )
}

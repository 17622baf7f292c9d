//! The SQL both sources of a custom report share: the group expressions, the groups to list
//! (so that groups without activity appear too), and the final ranking and cut.

use super::{GroupBy, Metric};

/// The group expression of a time or store grouping on daily rows or sales (alias `x`).
pub(super) fn group_expr(group_by: GroupBy) -> &'static str {
    match group_by {
        GroupBy::Day => "x.day",
        GroupBy::Week => "date_trunc('week', x.day::TIMESTAMP)::DATE",
        GroupBy::Month => "date_trunc('month', x.day::TIMESTAMP)::DATE",
        GroupBy::Store => "x.store_id",
        GroupBy::Product => "x.product_id",
        GroupBy::Category => "p.category_id",
    }
}

/// The groups to list (`g`, `key`, `label`), so that groups without activity appear too: every
/// bucket of the period, every store of the scope, every category, and the active products plus
/// those with sales or returns (`sf`, `rf`).
pub(super) fn groups_sql(group_by: GroupBy) -> String {
    let unit = match group_by {
        GroupBy::Week => "week",
        GroupBy::Month => "month",
        _ => "day",
    };
    let buckets = format!(
        "generate_series(date_trunc('{unit}', $1::DATE::TIMESTAMP), $2::DATE::TIMESTAMP,
                         INTERVAL '1 {unit}') AS d"
    );
    match group_by {
        GroupBy::Day => format!(
            "SELECT d::DATE AS g, to_char(d, 'YYYY-MM-DD') AS key,
                    to_char(d, 'DD/MM/YYYY') AS label FROM {buckets}"
        ),
        GroupBy::Week => format!(
            "SELECT d::DATE AS g, to_char(d, 'IYYY-\"W\"IW') AS key,
                    'Semaine du ' || to_char(d, 'DD/MM/YYYY') AS label FROM {buckets}"
        ),
        GroupBy::Month => format!(
            "SELECT d::DATE AS g, to_char(d, 'YYYY-MM') AS key,
                    (ARRAY['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet',
                           'août', 'septembre', 'octobre', 'novembre', 'décembre'])
                        [EXTRACT(MONTH FROM d)::INT] || ' ' || to_char(d, 'YYYY') AS label
             FROM {buckets}"
        ),
        GroupBy::Store => {
            "SELECT id AS g, id::TEXT AS key, name AS label FROM scope_stores".to_owned()
        }
        GroupBy::Product => {
            "SELECT p.id AS g, p.id::TEXT AS key, p.name || ' (' || p.code || ')' AS label
             FROM products p
             WHERE p.active OR p.id IN (SELECT g FROM sf UNION SELECT g FROM rf)"
                .to_owned()
        }
        GroupBy::Category => {
            "SELECT id AS g, id::TEXT AS key, name AS label FROM categories".to_owned()
        }
    }
}

/// The figures of each group (`grp`) from its sales (`sf`) and returns (`rf`), ranked and cut
/// at `$4` groups (`NULL`: all), with the count of groups before the cut.
pub(super) fn select_sql(group_by: GroupBy, rank_by: Metric) -> String {
    let order = if group_by.is_time() {
        "grp.g".to_owned()
    } else {
        format!("{} DESC, idle, label, grp.g", rank_by.as_str())
    };
    format!(
        "SELECT grp.key, grp.label,
                round(COALESCE(sf.revenue, 0), 2) AS revenue,
                COALESCE(sf.sales, 0) AS sales,
                COALESCE(sf.units, 0)::BIGINT AS units,
                COALESCE(round(sf.revenue / NULLIF(sf.sales, 0), 2), 0) AS average_ticket,
                round(COALESCE(rf.refunded, 0), 2) AS returns,
                round(COALESCE(sf.tax, 0), 2) AS tax,
                (sf.g IS NULL AND rf.g IS NULL) AS idle,
                count(*) OVER () AS total
         FROM grp
         LEFT JOIN sf ON sf.g = grp.g
         LEFT JOIN rf ON rf.g = grp.g
         ORDER BY {order}
         LIMIT $4"
    )
}

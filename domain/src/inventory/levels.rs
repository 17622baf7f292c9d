//! Reading stock levels: a store's or the warehouse's stock, alerts first, with the 30-day
//! pace that gives days of cover.

use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgPool, Postgres, QueryBuilder};

use super::{Location, StockStatus, days_of_cover};
use crate::catalog::escape_like;
use crate::{Actor, Page, PageRequest, Result};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct StockLevel {
    pub product_id: i64,
    pub code: String,
    pub name: String,
    pub category_id: i64,
    pub price: rust_decimal::Decimal,
    pub quantity: i32,
    pub alert_threshold: i32,
    pub units_sold_30_days: i64,
}

impl StockLevel {
    pub fn status(&self) -> StockStatus {
        StockStatus::of(self.quantity, self.alert_threshold)
    }

    pub fn days_of_cover(&self) -> Option<f64> {
        days_of_cover(self.quantity, self.units_sold_30_days)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockFilter {
    /// Only `rupture` and `bas`.
    pub alerts_only: bool,
    pub category_id: Option<i64>,
    pub q: Option<String>,
    /// Also compute `units_sold_30_days` (else 0): the stock screens show days of cover, the
    /// API's stock lists do not.
    pub with_pace: bool,
}

/// A store's stock (for its staff and head office) or the warehouse's (head office only),
/// alerts first (rupture, then bas), then by name.
pub async fn list_stock(
    db: &PgPool,
    actor: &Actor,
    location: Location,
    filter: &StockFilter,
    page: PageRequest,
) -> Result<Page<StockLevel>> {
    let (table, store_id) = match location {
        Location::Store(id) => {
            actor.ensure_store(id)?;
            ("store_stock", Some(id))
        }
        Location::Warehouse => {
            actor.ensure_head_office()?;
            ("central_stock", None)
        }
    };
    let push_where = |qb: &mut QueryBuilder<'_, Postgres>| {
        qb.push(" FROM ")
            .push(table)
            .push(" s JOIN products p ON p.id = s.product_id WHERE TRUE");
        if let Some(id) = store_id {
            qb.push(" AND s.store_id = ").push_bind(id);
        }
        if filter.alerts_only {
            qb.push(" AND s.quantity <= s.alert_threshold");
        }
        if let Some(c) = filter.category_id {
            qb.push(" AND p.category_id = ").push_bind(c);
        }
        if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let pattern = format!("%{}%", escape_like(q));
            qb.push(" AND (p.name ILIKE ").push_bind(pattern.clone());
            qb.push(" OR p.code ILIKE ").push_bind(pattern).push(")");
        }
    };
    // One round trip: the page with the total (a window over the filtered rows), then the
    // 30-day sales of just that page's products.
    let mut qb = QueryBuilder::new(
        "SELECT pg.product_id, pg.code, pg.name, pg.category_id, pg.price, pg.quantity,
                pg.alert_threshold, COALESCE(u.units, 0)::BIGINT AS units_sold_30_days, pg.total
         FROM (SELECT p.id AS product_id, p.code, p.name, p.category_id, p.price, s.quantity,
                      s.alert_threshold, count(*) OVER () AS total,
                      CASE WHEN s.quantity <= 0 THEN 0
                           WHEN s.quantity <= s.alert_threshold THEN 1 ELSE 2 END AS rank",
    );
    push_where(&mut qb);
    qb.push(" ORDER BY rank, p.name, p.id LIMIT ")
        .push_bind(page.limit());
    qb.push(" OFFSET ").push_bind(page.offset());
    // from the daily aggregates (a few rows per product), not the raw sale lines: the last 30
    // days of each store's calendar, today included
    qb.push(") pg LEFT JOIN LATERAL (");
    match store_id {
        _ if !filter.with_pace => qb.push("SELECT NULL::BIGINT AS units"),
        // the store's date computed once (an InitPlan), not per aggregate row
        Some(id) => qb
            .push(
                "SELECT sum(d.units) AS units FROM daily_product_sales d
                 WHERE d.product_id = pg.product_id AND d.store_id = ",
            )
            .push_bind(id)
            .push(
                " AND d.day > (SELECT (now() AT TIME ZONE st.time_zone)::DATE FROM stores st
                               WHERE st.id = ",
            )
            .push_bind(id)
            .push(") - 30"),
        None => qb.push(
            "SELECT sum(d.units) AS units FROM daily_product_sales d
             JOIN stores st ON st.id = d.store_id
             WHERE d.product_id = pg.product_id
               AND d.day > (now() AT TIME ZONE st.time_zone)::DATE - 30",
        ),
    };
    qb.push(") u ON TRUE ORDER BY pg.rank, pg.name, pg.product_id");
    let rows: Vec<Counted<StockLevel>> = qb.build_query_as().fetch_all(db).await?;
    let total = match rows.first() {
        Some(row) => row.total,
        // an empty page: a store that does not exist, or a page past the end
        None => {
            if let Some(id) = store_id {
                crate::stores::get_store(db, id).await?;
            }
            let mut count = QueryBuilder::new("SELECT count(*)");
            push_where(&mut count);
            count.build_query_scalar().fetch_one(db).await?
        }
    };
    Ok(Page::new(
        rows.into_iter().map(|r| r.item).collect(),
        total,
        page,
    ))
}

/// A row of a page with the total of the filtered rows (`count(*) OVER ()`).
#[derive(FromRow)]
struct Counted<T> {
    #[sqlx(flatten)]
    item: T,
    total: i64,
}

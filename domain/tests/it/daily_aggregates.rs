//! The daily pre-aggregates (daily_sales, daily_product_sales, daily_returns) and the monthly
//! rollup of the products (monthly_product_sales) that the period reports read stay equal to the
//! raw sales and returns: after sales at a till and from an external channel, partial returns,
//! concurrent sales and returns, a sale or return re-dated (to another month too), a store moved
//! to another time zone, a rebuild, and on the demo data; and the reports read from them give
//! the figures of the raw tables.

use crate::world::*;
use chrono::{Duration, NaiveDate, Utc};
use domain::reporting::{self, Period, ReportScope};
use domain::sales::{self, Channel, NewSale, Payment, Sale};
use domain::{Actor, Rules};
use rust_decimal::Decimal;
use sqlx::PgPool;

/// The aggregates computed again from the raw tables, compared with the maintained ones (rows
/// whose counts fell back to zero are ignored, as the reports do). Returns the differences.
async fn aggregate_drift(db: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "WITH raw_sales AS (
             SELECT sa.store_id, (sa.sold_at AT TIME ZONE st.time_zone)::DATE AS day,
                    sa.register_id, count(*)::BIGINT AS sales, sum(sa.subtotal) AS subtotal,
                    sum(sa.tps) AS tps, sum(sa.tvq) AS tvq, sum(sa.total) AS total,
                    COALESCE(sum((SELECT sum(l.quantity) FROM sale_lines l WHERE l.sale_id = sa.id)),
                             0)::BIGINT AS units
             FROM sales sa JOIN stores st ON st.id = sa.store_id GROUP BY 1, 2, 3),
         -- a day's figures are spread over slots (sale id modulo 16): their sums must match
         agg_sales AS (
             SELECT store_id, day, register_id, sum(sales)::BIGINT AS sales,
                    sum(subtotal) AS subtotal, sum(tps) AS tps, sum(tvq) AS tvq,
                    sum(total) AS total, sum(units)::BIGINT AS units
             FROM daily_sales GROUP BY 1, 2, 3
             HAVING sum(sales) <> 0 OR sum(units) <> 0 OR sum(subtotal) <> 0 OR sum(total) <> 0),
         raw_products AS (
             SELECT sa.store_id, (sa.sold_at AT TIME ZONE st.time_zone)::DATE AS day,
                    l.product_id, sum(l.quantity)::BIGINT AS units, sum(l.line_total) AS revenue,
                    count(DISTINCT l.sale_id)::BIGINT AS sales
             FROM sales sa JOIN stores st ON st.id = sa.store_id
             JOIN sale_lines l ON l.sale_id = sa.id GROUP BY 1, 2, 3),
         agg_products AS (
             SELECT store_id, day, product_id, units, revenue, sales FROM daily_product_sales
             WHERE units <> 0 OR revenue <> 0 OR sales <> 0),
         raw_months AS (
             SELECT sa.store_id,
                    date_trunc('month', (sa.sold_at AT TIME ZONE st.time_zone)::DATE)::DATE
                        AS month,
                    l.product_id, sum(l.quantity)::BIGINT AS units, sum(l.line_total) AS revenue,
                    count(DISTINCT l.sale_id)::BIGINT AS sales
             FROM sales sa JOIN stores st ON st.id = sa.store_id
             JOIN sale_lines l ON l.sale_id = sa.id GROUP BY 1, 2, 3),
         agg_months AS (
             SELECT store_id, month, product_id, units, revenue, sales FROM monthly_product_sales
             WHERE units <> 0 OR revenue <> 0 OR sales <> 0),
         raw_returns AS (
             SELECT rt.store_id, (rt.returned_at AT TIME ZONE st.time_zone)::DATE AS day,
                    count(*)::BIGINT AS returns, sum(rt.subtotal) AS subtotal, sum(rt.tps) AS tps,
                    sum(rt.tvq) AS tvq, sum(rt.refund_amount) AS refunded
             FROM returns rt JOIN stores st ON st.id = rt.store_id GROUP BY 1, 2),
         agg_returns AS (
             SELECT store_id, day, returns, subtotal, tps, tvq, refunded FROM daily_returns
             WHERE returns <> 0 OR subtotal <> 0 OR refunded <> 0)
         SELECT 'sales only raw: ' || x::TEXT FROM (TABLE raw_sales EXCEPT TABLE agg_sales) x
         UNION ALL
         SELECT 'sales only aggregated: ' || x::TEXT FROM (TABLE agg_sales EXCEPT TABLE raw_sales) x
         UNION ALL
         SELECT 'products only raw: ' || x::TEXT
         FROM (TABLE raw_products EXCEPT TABLE agg_products) x
         UNION ALL
         SELECT 'products only aggregated: ' || x::TEXT
         FROM (TABLE agg_products EXCEPT TABLE raw_products) x
         UNION ALL
         SELECT 'months only raw: ' || x::TEXT FROM (TABLE raw_months EXCEPT TABLE agg_months) x
         UNION ALL
         SELECT 'months only aggregated: ' || x::TEXT
         FROM (TABLE agg_months EXCEPT TABLE raw_months) x
         UNION ALL
         SELECT 'returns only raw: ' || x::TEXT FROM (TABLE raw_returns EXCEPT TABLE agg_returns) x
         UNION ALL
         SELECT 'returns only aggregated: ' || x::TEXT
         FROM (TABLE agg_returns EXCEPT TABLE raw_returns) x",
    )
    .fetch_all(db)
    .await
    .unwrap()
}

async fn assert_exact(db: &PgPool, when: &str) {
    let drift = aggregate_drift(db).await;
    assert!(drift.is_empty(), "after {when}: {drift:#?}");
}

async fn sell(db: &PgPool, actor: &Actor, new: &NewSale) -> Sale {
    sales::record_sale(db, actor, &Rules::default(), new)
        .await
        .unwrap()
        .sale
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn sales_and_returns_keep_the_aggregates_exact(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let bread = product(&db, &w, "ALI001", 125, false, 100, 0).await;
    let soap = product(&db, &w, "HYG001", 399, true, 100, 0).await;
    assert_exact(&db, "nothing").await;

    let first = sell(
        &db,
        &w.cashier,
        &till_sale("t1", w.register, &[(bread, 2), (soap, 1)], Payment::Card),
    )
    .await;
    let cash = sell(
        &db,
        &w.cashier,
        &till_sale(
            "t2",
            w.register,
            &[(soap, 3), (bread, 1), (soap, 1)],
            Payment::Cash { tendered: None },
        ),
    )
    .await;
    let external = NewSale {
        client_sale_id: "web-1".into(),
        channel: Channel::External { store_id: w.store },
        lines: vec![domain::sales::CartLine {
            product_id: bread,
            quantity: 4,
        }],
        payment: Payment::Card,
        options: Default::default(),
    };
    sell(&db, &Actor::ApiClient { id: None }, &external).await;
    // a replayed sale counts once
    sell(&db, &Actor::ApiClient { id: None }, &external).await;
    assert_exact(&db, "till, cash, external and replayed sales").await;

    sales::create_return(&db, &w.cashier, &return_of(&first, soap, 1))
        .await
        .unwrap();
    sales::create_return(&db, &w.cashier, &return_of(&cash, soap, 2))
        .await
        .unwrap();
    sales::create_return(&db, &w.cashier, &return_of(&cash, soap, 2))
        .await
        .unwrap();
    assert_exact(&db, "full and partial returns").await;

    // corrections of the past move the figures to their new day, store or time zone
    sqlx::query("UPDATE sales SET sold_at = sold_at - interval '3 days' WHERE id = $1")
        .bind(first.id)
        .execute(&db)
        .await
        .unwrap();
    sqlx::query("UPDATE returns SET returned_at = returned_at - interval '1 day'")
        .execute(&db)
        .await
        .unwrap();
    sqlx::query("UPDATE sales SET sold_at = date_trunc('day', sold_at) + interval '4 hours'")
        .execute(&db)
        .await
        .unwrap();
    assert_exact(&db, "re-dated sales and returns").await;
    // into another month (the monthly rollup moves too), then a full rebuild
    sqlx::query("UPDATE sales SET sold_at = sold_at - interval '40 days' WHERE id = $1")
        .bind(cash.id)
        .execute(&db)
        .await
        .unwrap();
    assert_exact(&db, "a sale re-dated to another month").await;
    let months: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT month) FROM monthly_product_sales WHERE sales > 0",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(months >= 2, "the sales are in several months");
    sqlx::query("SELECT daily_aggregates_rebuild()")
        .execute(&db)
        .await
        .unwrap();
    assert_exact(&db, "a rebuild").await;
    sqlx::query("UPDATE stores SET time_zone = 'America/Vancouver' WHERE id = $1")
        .bind(w.store)
        .execute(&db)
        .await
        .unwrap();
    assert_exact(&db, "a store moved to another time zone").await;
    let days: i64 =
        sqlx::query_scalar("SELECT count(DISTINCT day) FROM daily_sales WHERE sales > 0")
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(days >= 2, "the sales are on several local days");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn carts_recorded_together_keep_the_aggregates_exact(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let bread = product(&db, &w, "ALI001", 125, false, 100, 0).await;
    let soap = product(&db, &w, "HYG001", 399, true, 100, 0).await;
    let api = Actor::ApiClient { id: None };
    // several sales of one product, day and store in one statement: one aggregate row each
    let carts = [
        (api, external_sale("b1", w.store, &[(bread, 2), (soap, 1)])),
        (api, external_sale("b2", w.store, &[(bread, 1)])),
        (
            w.cashier,
            till_sale("b3", w.register, &[(soap, 3), (bread, 1)], Payment::Card),
        ),
        (api, external_sale("b4", w.store, &[(soap, 1)])),
        // refused (no stock in the other store): counts nowhere
        (api, external_sale("b5", w.other_store, &[(soap, 1)])),
        // replays the first: counts once
        (api, external_sale("b1", w.store, &[(bread, 2), (soap, 1)])),
    ];
    let outcomes = sell_together(&db, &carts).await;
    let sold = outcomes
        .iter()
        .filter(|o| matches!(o, Ok(o) if !o.replayed))
        .count();
    assert_eq!(sold, 4, "{outcomes:?}");
    assert_exact(&db, "carts recorded together").await;
    let units: i64 = sqlx::query_scalar(
        "SELECT sum(units)::BIGINT FROM daily_product_sales WHERE product_id = $1",
    )
    .bind(bread)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(units, 4);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn concurrent_sales_and_returns_keep_the_aggregates_exact(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    stores_other_register(&db, &w).await;
    let a = product(&db, &w, "ALI001", 125, false, 500, 0).await;
    let b = product(&db, &w, "HYG001", 399, true, 500, 0).await;
    let c = product(&db, &w, "BOI001", 250, true, 500, 0).await;
    for (product_id, quantity) in [(a, 500), (b, 500), (c, 500)] {
        shelve(&db, w.other_store, product_id, quantity).await;
    }

    // 60 sales at once: two tills of two stores and the external channel, carts in any order
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..60_i32 {
        let db = db.clone();
        let (actor, new) = match i % 3 {
            0 => (
                w.cashier,
                till_sale(
                    &format!("s{i}"),
                    w.register,
                    &[(a, 1), (b, 2), (c, 1)],
                    Payment::Card,
                ),
            ),
            1 => (
                w.other_cashier,
                till_sale(
                    &format!("s{i}"),
                    w.other_register,
                    &[(c, 2), (a, 1)],
                    Payment::Cash { tendered: None },
                ),
            ),
            _ => (
                Actor::ApiClient { id: None },
                NewSale {
                    client_sale_id: format!("s{i}"),
                    channel: Channel::External { store_id: w.store },
                    lines: vec![
                        domain::sales::CartLine {
                            product_id: b,
                            quantity: 1,
                        },
                        domain::sales::CartLine {
                            product_id: a,
                            quantity: 3,
                        },
                    ],
                    payment: Payment::Card,
                    options: Default::default(),
                },
            ),
        };
        tasks.spawn(async move {
            sales::record_sale(&db, &actor, &Rules::default(), &new)
                .await
                .map(|o| o.sale)
        });
    }
    let sold: Vec<Sale> = tasks
        .join_all()
        .await
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(sold.len(), 60);
    assert_exact(&db, "60 concurrent sales").await;
    // the sales of a day are spread over 16 rows per register (sale id modulo 16), so concurrent
    // sales do not queue on one row; the external channel's 20 sales use several of them
    let slots: Vec<i64> = sqlx::query_scalar(
        "SELECT count(DISTINCT slot) FROM daily_sales WHERE sales > 0
         UNION ALL
         SELECT count(DISTINCT slot) FROM daily_sales
         WHERE store_id = $1 AND register_id IS NULL AND sales > 0",
    )
    .bind(w.store)
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(
        slots[0], 16,
        "60 sales with consecutive ids fill the 16 slots"
    );
    assert!(slots[1] > 1, "external sales in {} slot(s)", slots[1]);

    // concurrent returns, several of the same sale (they queue on the sale's lock)
    let mut tasks = tokio::task::JoinSet::new();
    for sale in sold.iter().take(30) {
        for _ in 0..2 {
            let db = db.clone();
            let product_id = sale.lines[0].product_id;
            let new = return_of(sale, product_id, 1);
            tasks.spawn(async move {
                sales::create_return(&db, &Actor::System, &new)
                    .await
                    .is_ok()
            });
        }
    }
    let accepted = tasks.join_all().await.into_iter().filter(|ok| *ok).count();
    assert!(accepted >= 30, "{accepted} returns accepted");
    assert_exact(&db, "concurrent returns").await;
}

async fn stores_other_register(db: &PgPool, w: &World) {
    domain::stores::open_session(
        db,
        &w.other_cashier,
        w.other_register,
        Decimal::new(5000, 2),
    )
    .await
    .unwrap();
}

/// The demo data (90 days of sales and returns in 5 stores, loaded through the services): the
/// aggregates are exact, and the reports read from them equal the raw sums.
#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn reports_from_the_aggregates_equal_the_raw_figures_on_the_demo_data(db: PgPool) {
    demo::seed_demo_at(&db, &Rules::default(), Utc::now())
        .await
        .unwrap();
    assert_exact(&db, "the demo data").await;

    let today = reporting::chain_today();
    let store: i64 = sqlx::query_scalar("SELECT min(id) FROM stores")
        .fetch_one(&db)
        .await
        .unwrap();
    for (period, store_id) in [
        (Period::ending(today, 90), None),
        (Period::ending(today, 30), Some(store)),
        (Period::ending(today - Duration::days(10), 7), None),
    ] {
        let scope = ReportScope { period, store_id };
        let report = reporting::sales_report(&db, &Actor::System, &scope, Some(5))
            .await
            .unwrap();
        let raw = raw_totals(&db, period.from, period.to, store_id).await;
        let got = (
            report.totals.sales,
            report.totals.revenue,
            report.totals.total,
            report.totals.units,
            report.totals.returns,
            report.totals.refunded,
        );
        assert_eq!(got, raw, "{scope:?}");
        assert_eq!(report.days.len() as i64, period.days());
        assert_eq!(
            report.days.iter().map(|d| d.sales).sum::<i64>(),
            report.totals.sales
        );
        let raw_top: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT l.product_id, sum(l.quantity)::BIGINT AS units
             FROM sales sa JOIN stores st ON st.id = sa.store_id
             JOIN sale_lines l ON l.sale_id = sa.id
             JOIN products p ON p.id = l.product_id
             WHERE (sa.sold_at AT TIME ZONE st.time_zone)::DATE BETWEEN $1 AND $2
               AND ($3::BIGINT IS NULL OR sa.store_id = $3)
             GROUP BY l.product_id, p.name ORDER BY units DESC, p.name, l.product_id LIMIT 5",
        )
        .bind(period.from)
        .bind(period.to)
        .bind(store_id)
        .fetch_all(&db)
        .await
        .unwrap();
        let got: Vec<(i64, i64)> = report
            .top_by_units
            .iter()
            .map(|p| (p.product_id, p.units))
            .collect();
        assert_eq!(got, raw_top, "{scope:?}");
    }
}

async fn raw_totals(
    db: &PgPool,
    from: NaiveDate,
    to: NaiveDate,
    store: Option<i64>,
) -> (i64, Decimal, Decimal, i64, i64, Decimal) {
    sqlx::query_as(
        "WITH s AS (SELECT count(*) AS sales, COALESCE(sum(sa.subtotal), 0) AS revenue,
                           COALESCE(sum(sa.total), 0) AS total,
                           COALESCE(sum((SELECT sum(quantity) FROM sale_lines l
                                         WHERE l.sale_id = sa.id)), 0)::BIGINT AS units
                    FROM sales sa JOIN stores st ON st.id = sa.store_id
                    WHERE (sa.sold_at AT TIME ZONE st.time_zone)::DATE BETWEEN $1 AND $2
                      AND ($3::BIGINT IS NULL OR sa.store_id = $3)),
              r AS (SELECT count(*) AS returns, COALESCE(sum(rt.refund_amount), 0) AS refunded
                    FROM returns rt JOIN stores st ON st.id = rt.store_id
                    WHERE (rt.returned_at AT TIME ZONE st.time_zone)::DATE BETWEEN $1 AND $2
                      AND ($3::BIGINT IS NULL OR rt.store_id = $3))
         SELECT s.sales, s.revenue, s.total, s.units, r.returns, r.refunded FROM s, r",
    )
    .bind(from)
    .bind(to)
    .bind(store)
    .fetch_one(db)
    .await
    .unwrap()
}

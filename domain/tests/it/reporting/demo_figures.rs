//! The reports over the 90 days of the demo data set equal the sums of the sales tables.

use super::*;

#[derive(sqlx::FromRow, Debug, PartialEq)]
struct DirectSums {
    sales: i64,
    revenue: Decimal,
    tps: Decimal,
    tvq: Decimal,
    total: Decimal,
    units: i64,
    returns: i64,
    returned: Decimal,
    refunded: Decimal,
    alerts: i64,
    all_sales: i64,
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_demo_kpis_over_90_days_match_the_sales_table(db: PgPool) {
    demo::seed_demo(&db, &Rules::default()).await.unwrap();
    let today = Utc::now()
        .with_timezone(&chrono_tz::America::Montreal)
        .date_naive();
    let days = u32::try_from(demo::HISTORY_DAYS).unwrap();
    let scope = ReportScope::network(Period::ending(today, days));
    let admin = Actor::System;
    let k = reporting::kpis(&db, &admin, &scope).await.unwrap();

    let direct: DirectSums = sqlx::query_as(
        "WITH s AS (SELECT sa.* FROM sales sa JOIN stores st ON st.id = sa.store_id
                    WHERE (sa.sold_at AT TIME ZONE st.time_zone)::DATE BETWEEN $1 AND $2),
              r AS (SELECT rt.* FROM returns rt JOIN stores st ON st.id = rt.store_id
                    WHERE (rt.returned_at AT TIME ZONE st.time_zone)::DATE BETWEEN $1 AND $2)
         SELECT (SELECT count(*) FROM s) AS sales,
                (SELECT sum(subtotal) FROM s) AS revenue,
                (SELECT sum(tps) FROM s) AS tps,
                (SELECT sum(tvq) FROM s) AS tvq,
                (SELECT sum(total) FROM s) AS total,
                (SELECT sum(l.quantity) FROM sale_lines l JOIN s ON s.id = l.sale_id)::BIGINT
                    AS units,
                (SELECT count(*) FROM r) AS returns,
                (SELECT sum(subtotal) FROM r) AS returned,
                (SELECT sum(refund_amount) FROM r) AS refunded,
                (SELECT count(*) FROM store_stock WHERE quantity <= alert_threshold) AS alerts,
                (SELECT count(*) FROM sales) AS all_sales",
    )
    .bind(scope.period.from)
    .bind(scope.period.to)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(
        direct.sales, direct.all_sales,
        "the 90 days hold the whole history"
    );
    assert!(direct.sales > 3000 && direct.returns > 20, "{direct:?}");
    assert_eq!(k.sales, direct.sales);
    assert_eq!(k.revenue, direct.revenue);
    assert_eq!((k.tps, k.tvq), (direct.tps, direct.tvq));
    assert_eq!(k.taxes, direct.tps + direct.tvq);
    assert_eq!(k.total, direct.total);
    assert_eq!(k.units, direct.units);
    assert_eq!(
        k.average_ticket,
        domain::money::round_cents(direct.revenue / Decimal::from(direct.sales))
    );
    assert_eq!(
        (k.returns, k.returned_subtotal),
        (direct.returns, direct.returned)
    );
    assert_eq!(k.refunded, direct.refunded);
    assert_eq!(k.net_revenue, direct.revenue - direct.returned);
    assert_eq!(k.stock_alerts, direct.alerts);

    // the breakdowns add up to the totals
    let report = reporting::sales_report(&db, &admin, &scope, None)
        .await
        .unwrap();
    assert_eq!(report.totals, k);
    assert_eq!(report.stores.len(), 5);
    assert!(
        report
            .stores
            .windows(2)
            .all(|p| p[0].revenue >= p[1].revenue)
    );
    let by_store: Decimal = report.stores.iter().map(|s| s.revenue).sum();
    assert_eq!(by_store, k.revenue);
    assert_eq!(report.days.len(), 90);
    let by_day: Decimal = report.days.iter().map(|d| d.revenue).sum();
    assert_eq!(by_day, k.revenue);
    let before_today = &report.days[..report.days.len() - 1];
    assert!(
        before_today.iter().all(|d| d.sales > 0),
        "the demo sells every day"
    );
    let units: i64 = report.days.iter().map(|d| d.units).sum();
    assert_eq!(units, k.units);
    assert_eq!(report.top_by_units.len(), 10);
    assert!(
        report
            .top_by_units
            .windows(2)
            .all(|p| p[0].units >= p[1].units)
    );
    let mut per_store = Decimal::ZERO;
    for store in &report.stores {
        let one = ReportScope::store(scope.period, store.store_id);
        per_store += reporting::kpis(&db, &admin, &one).await.unwrap().revenue;
    }
    assert_eq!(per_store, k.revenue);

    // per category, shared taxes and refunds add up to the totals within the groups' rounding
    let by_category = reporting::custom_report(
        &db,
        &admin,
        &CustomQuery {
            period: scope.period,
            store_ids: vec![],
            group_by: GroupBy::Category,
            metrics: vec![Metric::Revenue, Metric::Units, Metric::Tax, Metric::Returns],
        },
    )
    .await
    .unwrap();
    let sum = |m: Metric| -> Decimal { by_category.rows.iter().map(|r| r.value(m)).sum() };
    assert_eq!(sum(Metric::Revenue), k.revenue);
    assert_eq!(sum(Metric::Units), Decimal::from(k.units));
    assert!((sum(Metric::Tax) - k.taxes).abs() <= dec!(0.02));
    assert!((sum(Metric::Returns) - k.refunded).abs() <= dec!(0.02));
    let by_week = reporting::custom_report(
        &db,
        &admin,
        &CustomQuery {
            period: scope.period,
            store_ids: vec![],
            group_by: GroupBy::Week,
            metrics: vec![Metric::Sales, Metric::Returns],
        },
    )
    .await
    .unwrap();
    let weekly_sales: Decimal = by_week.rows.iter().map(|r| r.value(Metric::Sales)).sum();
    assert_eq!(weekly_sales, Decimal::from(k.sales));
    let weekly_refunds: Decimal = by_week.rows.iter().map(|r| r.value(Metric::Returns)).sum();
    assert_eq!(weekly_refunds, k.refunded);

    let stock = reporting::inventory_report(&db, &admin, None)
        .await
        .unwrap();
    assert_eq!(stock.counts.rupture + stock.counts.bas, k.stock_alerts);
    assert_eq!(stock.products.len(), 13);
}

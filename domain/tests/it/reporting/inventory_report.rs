//! The inventory report: days of cover and what runs out within 14 days.

use super::*;
use domain::inventory::StockStatus;

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_inventory_report_gives_days_of_cover_and_what_runs_out_within_14_days(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let steady = product(&db, &w, "ALI001", 120, false, 100, 500).await;
    let low = product(&db, &w, "BOI001", 70, true, 20, 0).await;
    let empty = product(&db, &w, "HYG002", 120, true, 10, 0).await;
    let dormant = product(&db, &w, "MEN001", 210, true, 50, 0).await;
    let (c, r) = (w.cashier, w.register);
    sell(
        &db,
        &c,
        r,
        "a",
        &[(steady, 30), (low, 15), (empty, 10)],
        None,
    )
    .await;
    // sold 40 days ago: lowers the stock, not the recent pace
    sell(
        &db,
        &c,
        r,
        "old",
        &[(steady, 20)],
        Some(Utc::now() - Duration::days(40)),
    )
    .await;

    let report = reporting::inventory_report(&db, &w.manager, Some(w.store))
        .await
        .unwrap();
    let rows: Vec<(i64, i64, StockStatus, i64, Option<f64>)> = report
        .products
        .iter()
        .map(|p| {
            (
                p.product_id,
                p.quantity,
                p.status,
                p.units_sold_30_days,
                p.days_of_cover,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (empty, 0, StockStatus::Rupture, 10, Some(0.0)),
            (low, 5, StockStatus::Bas, 15, Some(10.0)),
            (steady, 50, StockStatus::Normal, 30, Some(50.0)),
            (dormant, 50, StockStatus::Normal, 0, None),
        ],
        "alerts first, then by name"
    );
    let steady_row = &report.products[2];
    assert_eq!(steady_row.average_daily_units, 1.0);
    assert_eq!(steady_row.stock_value, dec!(60.00));
    assert_eq!(
        steady_row.warehouse_quantity, None,
        "a store report has no warehouse"
    );
    assert_eq!(report.stock_value, dec!(168.50)); // 60 + 3.50 + 0 + 105
    assert_eq!(
        (
            report.counts.rupture,
            report.counts.bas,
            report.counts.normal
        ),
        (1, 1, 2)
    );
    assert!(report.warehouse.is_none());
    let running_out: Vec<(i64, i64, f64)> = report
        .running_out
        .iter()
        .map(|r| (r.store_id, r.product_id, r.days_of_cover))
        .collect();
    assert_eq!(running_out, [(w.store, empty, 0.0), (w.store, low, 10.0)]);
    assert_eq!(report.running_out[1].average_daily_units, 0.5);

    // the network: store sums, the warehouse beside them
    let network = reporting::inventory_report(&db, &w.admin, None)
        .await
        .unwrap();
    let steady_net = network
        .products
        .iter()
        .find(|p| p.product_id == steady)
        .unwrap();
    assert_eq!((steady_net.quantity, steady_net.alert_threshold), (50, 20));
    assert_eq!(steady_net.days_of_cover, Some(50.0));
    assert_eq!(steady_net.warehouse_quantity, Some(500));
    assert_eq!(steady_net.warehouse_status, Some(StockStatus::Normal));
    // the second store holds nothing: 4 more rows in rupture
    assert_eq!(
        (
            network.counts.rupture,
            network.counts.bas,
            network.counts.normal
        ),
        (5, 1, 2)
    );
    let warehouse = network.warehouse.unwrap();
    assert_eq!(warehouse.stock_value, dec!(600.00));
    assert_eq!((warehouse.counts.rupture, warehouse.counts.normal), (3, 1));
    assert_eq!(network.running_out.len(), 2);

    let k = reporting::kpis(
        &db,
        &w.admin,
        &ReportScope::network(Period::ending(Utc::now().date_naive(), 7)),
    )
    .await
    .unwrap();
    assert_eq!(k.stock_alerts, network.counts.rupture + network.counts.bas);
}

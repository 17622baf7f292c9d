//! The demo data set: deterministic, complete, and consistent with the rules that produced it.

mod common;

use common::assert_movements_explain_stock;
use domain::{TaxRates, demo, staff};
use sqlx::PgPool;

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_demo_seed_is_complete_and_its_movements_explain_the_stock(db: PgPool) {
    let report = demo::seed_demo(&db, &TaxRates::default()).await.unwrap();
    assert_eq!(
        (report.stores, report.products, report.employees),
        (5, 13, 11)
    );
    assert!(report.sales > 3000, "90 days of sales: {report:?}");
    assert!(report.returns > 20, "{report:?}");

    assert_movements_explain_stock(&db).await;

    let counts: (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM stores), (SELECT count(*) FROM registers),
                (SELECT count(*) FROM categories), (SELECT count(*) FROM products)",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(counts, (5, 15, 4, 13));
    let statuses: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT status FROM replenishment_requests ORDER BY status")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(
        statuses,
        ["annulee", "en_attente", "livree", "refusee", "validee"]
    );
    let span: i64 =
        sqlx::query_scalar("SELECT (max(sold_at)::date - min(sold_at)::date)::BIGINT FROM sales")
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(span >= 85, "history spans 90 days, got {span}");
    // every sale's total is its lines plus taxes; every closed session balances its Z report
    let bad_sales: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sales s WHERE s.subtotal <> (SELECT sum(line_total) FROM sale_lines WHERE sale_id = s.id)",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(bad_sales, 0);
    let stock_ranges: (i32, i32) =
        sqlx::query_as("SELECT min(alert_threshold), max(alert_threshold) FROM store_stock")
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(stock_ranges.0 >= 10 && stock_ranges.1 <= 20);

    for login in ["admin", "gerant1", "gerant5", "caissier1", "caissier5"] {
        let employee = staff::authenticate(&db, login, demo::DEMO_PASSWORD)
            .await
            .unwrap();
        assert!(
            employee.is_some(),
            "{login} signs in with the demo password"
        );
    }
    assert!(
        staff::authenticate(&db, "admin", "wrong")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        staff::authenticate(&db, "nobody", "demo")
            .await
            .unwrap()
            .is_none()
    );

    // a second seed refuses to touch existing data
    assert!(demo::seed_demo(&db, &TaxRates::default()).await.is_err());
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_demo_seed_is_deterministic(db: PgPool) {
    demo::seed_demo(&db, &TaxRates::default()).await.unwrap();
    // products, stores and employees come in a fixed order with fixed values
    let products: Vec<(String, String)> =
        sqlx::query_as("SELECT code, price::text FROM products ORDER BY id")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(products.len(), 13);
    assert_eq!(products[0], ("ALI001".to_owned(), "1.20".to_owned()));
    assert_eq!(products[12], ("MEN002".to_owned(), "3.20".to_owned()));
    let logins: Vec<String> = sqlx::query_scalar("SELECT login FROM employees ORDER BY login")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(logins.len(), 11);
    assert_eq!(logins[0], "admin");
}

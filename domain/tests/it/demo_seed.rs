//! The demo data set: deterministic, complete, and consistent with the rules that produced it.

use crate::world::assert_movements_explain_stock;
use domain::{Rules, staff};
use sqlx::PgPool;

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_demo_seed_is_complete_and_its_movements_explain_the_stock(db: PgPool) {
    let report = demo::seed_demo(&db, &Rules::default()).await.unwrap();
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
    let numbers: Vec<(String, String)> =
        sqlx::query_as("SELECT DISTINCT gst_number, qst_number FROM stores")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(
        numbers,
        [("123456789 RT0001".into(), "1234567890 TQ0001".into())],
        "every receipt of the chain prints its registration numbers"
    );
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

    let alerts: (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE quantity = 0), count(*) FILTER (WHERE quantity <= alert_threshold)
         FROM store_stock",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(
        alerts.0 >= 1 && alerts.1 >= 4,
        "the demo shows stock alerts today: {alerts:?}"
    );
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
    assert!(demo::seed_demo(&db, &Rules::default()).await.is_err());
}

/// What two seeds must agree on: every sale, line, return, request and stock row.
async fn fingerprint(db: &PgPool) -> String {
    sqlx::query_scalar(
        "SELECT md5(concat_ws('|',
            (SELECT string_agg(concat_ws(',', client_sale_id, store_id, register_id, sold_at, total,
                                         payment_method, amount_tendered), ';' ORDER BY id) FROM sales),
            (SELECT string_agg(concat_ws(',', sale_id, product_id, quantity, returned_quantity), ';'
                               ORDER BY id) FROM sale_lines),
            (SELECT string_agg(concat_ws(',', sale_id, refund_amount, reason), ';' ORDER BY id) FROM returns),
            (SELECT string_agg(concat_ws(',', store_id, product_id, quantity, status), ';' ORDER BY id)
               FROM replenishment_requests),
            (SELECT string_agg(concat_ws(',', store_id, product_id, quantity, alert_threshold), ';'
                               ORDER BY store_id, product_id) FROM store_stock),
            (SELECT string_agg(concat_ws(',', product_id, quantity), ';' ORDER BY product_id)
               FROM central_stock)))",
    )
    .fetch_one(db)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_demo_seed_is_deterministic(db: PgPool) {
    let now = chrono::Utc::now();
    demo::seed_demo_at(&db, &Rules::default(), now)
        .await
        .unwrap();

    // a twin database, seeded as of the same instant, holds exactly the same data
    // (a short name: PostgreSQL truncates identifiers to 63 bytes)
    let twin = format!("demo_twin_{}", std::process::id());
    sqlx::query(&format!("DROP DATABASE IF EXISTS \"{twin}\" WITH (FORCE)"))
        .execute(&db)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE \"{twin}\""))
        .execute(&db)
        .await
        .unwrap();
    let options = db.connect_options().as_ref().clone().database(&twin);
    let twin_db = sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect_with(options)
        .await
        .unwrap();
    domain::MIGRATOR.run(&twin_db).await.unwrap();
    demo::seed_demo_at(&twin_db, &Rules::default(), now)
        .await
        .unwrap();
    let (a, b) = (fingerprint(&db).await, fingerprint(&twin_db).await);
    twin_db.close().await;
    sqlx::query(&format!("DROP DATABASE \"{twin}\" WITH (FORCE)"))
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(a, b);
}

//! Reports hold a connection for a bounded time and answer in a bounded size: a report
//! statement past the report timeout is cancelled (an unavailable error, never a hang), and
//! the API's inventory report lists one page of products.

use std::time::{Duration, Instant};

use crate::world::*;
use domain::PageRequest;
use domain::reporting::{self, Period, ReportScope};
use sqlx::PgPool;

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_report_past_its_statement_timeout_is_cancelled(db: PgPool) {
    let w = world(&db).await;
    let mut locker = db.begin().await.unwrap();
    sqlx::query("LOCK TABLE daily_sales IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *locker)
        .await
        .unwrap();
    reporting::set_statement_timeout(Duration::from_millis(300));
    let today = chrono::Utc::now().date_naive();
    let started = Instant::now();
    let err = reporting::kpis(
        &db,
        &w.admin,
        &ReportScope::network(Period::ending(today, 7)),
    )
    .await
    .unwrap_err();
    reporting::set_statement_timeout(Duration::from_millis(
        reporting::DEFAULT_STATEMENT_TIMEOUT_MS,
    ));
    assert!(err.is_unavailable(), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
    locker.rollback().await.unwrap();
    assert_eq!(
        reporting::statement_timeout(),
        Duration::from_millis(reporting::DEFAULT_STATEMENT_TIMEOUT_MS)
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_inventory_report_comes_a_page_at_a_time(db: PgPool) {
    let w = world(&db).await;
    for i in 0..5 {
        product(&db, &w, &format!("P{i:02}"), 100, false, 10 + i, 0).await;
    }
    let full = reporting::inventory_report(&db, &w.admin, Some(w.store))
        .await
        .unwrap();
    assert_eq!((full.products.len(), full.products_total), (5, 5));
    let page = |n, size| {
        reporting::inventory_page(&db, &w.admin, Some(w.store), PageRequest::new(n, size))
    };
    let second = page(2, 2).await.unwrap();
    assert_eq!(second.products_total, 5);
    assert_eq!(second.products, full.products[2..4]);
    assert_eq!(
        (second.counts, second.stock_value),
        (full.counts, full.stock_value)
    );
    let past = page(9, 2).await.unwrap();
    assert!(past.products.is_empty());
    assert_eq!(past.products_total, 5);
}

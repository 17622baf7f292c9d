//! Times the 90-day reports and the product search on a database (the large data set of
//! `make seed-large`), calling the same domain functions as the API and the web UI, without the
//! API's Redis cache. Prints p50/p95/p99 as a markdown table, then how the top lists were found
//! and whether they equal the full aggregation's.
//!
//! `cargo run -p domain --example bench_reports -- [iterations]` with DATABASE_URL set;
//! `loadtest/bench-reports.sh` wraps it.

use std::error::Error;
use std::future::Future;
use std::time::{Duration, Instant};

use domain::Actor;
use domain::catalog::{self, ProductFilter, ProductSort};
use domain::page::PageRequest;
use domain::reporting::{self, Period, ReportScope};

type BoxResult<T> = Result<T, Box<dyn Error>>;

async fn time<F, Fut, T>(iterations: usize, mut run: F) -> BoxResult<Vec<Duration>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = domain::Result<T>>,
{
    run().await?; // warm-up: plans and buffers, as on a running server
    let mut times = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let started = Instant::now();
        run().await?;
        times.push(started.elapsed());
    }
    times.sort_unstable();
    Ok(times)
}

/// Nearest-rank percentile of sorted durations, in milliseconds.
fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> BoxResult<()> {
    let iterations: usize = match std::env::args().nth(1) {
        Some(n) => n.parse()?,
        None => 50,
    };
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/multimagasin_large".into());
    let db = domain::db::connect(&url, 2).await?;
    let head_office = Actor::System;
    let store: i64 = sqlx::query_scalar("SELECT min(id) FROM stores")
        .fetch_one(&db)
        .await?;
    let today = reporting::chain_today();
    let days90 = Period::ending(today, 90);
    let network = ReportScope::network(days90);
    let one_store = ReportScope::store(days90, store);

    let mut rows: Vec<(String, Vec<Duration>)> = Vec::new();
    rows.push((
        "kpis, network, 90 days".into(),
        time(iterations, || reporting::kpis(&db, &head_office, &network)).await?,
    ));
    rows.push((
        "kpis, one store, 90 days".into(),
        time(iterations, || {
            reporting::kpis(&db, &head_office, &one_store)
        })
        .await?,
    ));
    rows.push((
        "sales_report, network, 90 days".into(),
        time(iterations, || {
            reporting::sales_report(&db, &head_office, &network, None)
        })
        .await?,
    ));
    rows.push((
        "sales_report, one store, 90 days".into(),
        time(iterations, || {
            reporting::sales_report(&db, &head_office, &one_store, None)
        })
        .await?,
    ));
    for q in [
        "chocolat",
        "érable",
        "LG-04217",
        "Laurentides bio",
        "zzz-absent",
    ] {
        let filter = ProductFilter {
            q: Some(q.into()),
            ..ProductFilter::default()
        };
        rows.push((
            format!("product search q={q}"),
            time(iterations, || {
                catalog::list_products(&db, &filter, ProductSort::default(), PageRequest::default())
            })
            .await?,
        ));
    }

    let products: i64 = sqlx::query_scalar("SELECT count(*) FROM products")
        .fetch_one(&db)
        .await?;
    let sales: i64 = sqlx::query_scalar("SELECT count(*) FROM sales")
        .fetch_one(&db)
        .await?;
    println!(
        "{products} products, {sales} sales; period {} to {}; {iterations} runs after one warm-up\n",
        days90.from, days90.to
    );
    println!("| query | p50 ms | p95 ms | p99 ms | max ms |");
    println!("|---|---:|---:|---:|---:|");
    for (name, times) in &rows {
        println!(
            "| {name} | {:.1} | {:.1} | {:.1} | {:.1} |",
            pct(times, 50.0),
            pct(times, 95.0),
            pct(times, 99.0),
            pct(times, 100.0)
        );
    }
    // the top lists of the report, checked against the full aggregation of the daily rows
    println!();
    for (label, scope) in [("network", &network), ("one store", &one_store)] {
        for top in [10, 100] {
            let fast = reporting::top_products(
                &db,
                &head_office,
                scope,
                Some(top),
                reporting::TopMethod::Auto,
            )
            .await?;
            let full = reporting::top_products(
                &db,
                &head_office,
                scope,
                Some(top),
                reporting::TopMethod::Full,
            )
            .await?;
            let same = fast.by_units == full.by_units && fast.by_revenue == full.by_revenue;
            println!(
                "top {top}, {label}: units {:?}, revenue {:?}; equal to the full aggregation: {}",
                fast.units_path,
                fast.revenue_path,
                if same { "yes" } else { "NO" }
            );
        }
    }
    Ok(())
}

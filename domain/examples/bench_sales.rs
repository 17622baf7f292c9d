//! Times the checkout's write path (`domain::sales::record_sale`, with the aggregates' triggers)
//! under concurrency: sales per second and latency percentiles of external-channel sales of 1
//! to 4 lines spread over 1,000 products and every store.
//!
//! `cargo run -p domain --example bench_sales -- [sales] [connections]` with DATABASE_URL set to
//! a scratch database: it applies the migrations and, the first time, adds 1,000 products with
//! ample stock in every store. Never point it at a database you care about.

use std::error::Error;
use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::sales::{self, CartLine, Channel, NewSale, Payment};
use domain::{Actor, Rules};

type BoxResult<T> = Result<T, Box<dyn Error + Send + Sync>>;

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> BoxResult<()> {
    let mut args = std::env::args().skip(1);
    let total: usize = args.next().map_or(Ok(5000), |n| n.parse())?;
    let connections: usize = args.next().map_or(Ok(32), |n| n.parse())?;
    let url = std::env::var("DATABASE_URL")?;
    let db = domain::db::connect(&url, connections as u32).await?;
    domain::MIGRATOR.run(&db).await?;
    let stores: i64 = sqlx::query_scalar("SELECT count(*) FROM stores")
        .fetch_one(&db)
        .await?;
    if stores == 0 {
        sqlx::query(
            "INSERT INTO stores (name, address, phone)
             SELECT 'Banc ' || i, '1 rue', '514' FROM generate_series(1, 5) AS i",
        )
        .execute(&db)
        .await?;
    }
    let products: i64 = sqlx::query_scalar("SELECT count(*) FROM products WHERE code LIKE 'BS-%'")
        .fetch_one(&db)
        .await?;
    if products == 0 {
        sqlx::query(
            "INSERT INTO categories (name) VALUES ('Banc d''essai') ON CONFLICT DO NOTHING",
        )
        .execute(&db)
        .await?;
        sqlx::query(
            "INSERT INTO products (code, name, price, category_id)
             SELECT 'BS-' || i, 'Produit ' || i, 1 + i % 50,
                    (SELECT id FROM categories WHERE name = 'Banc d''essai')
             FROM generate_series(1, 1000) AS i",
        )
        .execute(&db)
        .await?;
        sqlx::query(
            "INSERT INTO store_stock (store_id, product_id, quantity, alert_threshold)
             SELECT st.id, p.id, 100000000, 0 FROM stores st
             CROSS JOIN products p WHERE p.code LIKE 'BS-%'
             ON CONFLICT (store_id, product_id) DO UPDATE SET quantity = 100000000",
        )
        .execute(&db)
        .await?;
    }
    let store_ids: Arc<Vec<i64>> = Arc::new(
        sqlx::query_scalar("SELECT id FROM stores ORDER BY id")
            .fetch_all(&db)
            .await?,
    );
    let product_ids: Arc<Vec<i64>> = Arc::new(
        sqlx::query_scalar("SELECT id FROM products WHERE code LIKE 'BS-%' ORDER BY id")
            .fetch_all(&db)
            .await?,
    );
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis();
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..connections {
        let (db, store_ids, product_ids) = (db.clone(), store_ids.clone(), product_ids.clone());
        tasks.spawn(async move {
            let mut times = Vec::new();
            let mut i = worker;
            while i < total {
                // a mild skew over the products, as in the large data set
                let r = ((i * 2_654_435_761) % 1_000_003) as f64 / 1_000_003.0;
                let base = (r.powi(3) * product_ids.len() as f64) as usize;
                let lines = (0..1 + i % 4)
                    .map(|k| CartLine {
                        product_id: product_ids[(base + k * 397) % product_ids.len()],
                        quantity: 1 + (i + k) as i32 % 3,
                    })
                    .collect();
                let new = NewSale {
                    client_sale_id: format!("bench-{run}-{i}"),
                    channel: Channel::External {
                        store_id: store_ids[i % store_ids.len()],
                    },
                    lines,
                    payment: Payment::Card,
                    options: Default::default(),
                };
                let t = Instant::now();
                sales::record_sale(&db, &Actor::ApiClient { id: None }, &Rules::default(), &new)
                    .await?;
                times.push(t.elapsed());
                i += connections;
            }
            Ok::<_, domain::Error>(times)
        });
    }
    let mut times = Vec::with_capacity(total);
    while let Some(done) = tasks.join_next().await {
        times.extend(done??);
    }
    let elapsed = started.elapsed();
    times.sort_unstable();
    println!(
        "{total} sales, {connections} connections: {:.0} sales/s, latency p50 {:.1} ms, \
         p95 {:.1} ms, p99 {:.1} ms",
        total as f64 / elapsed.as_secs_f64(),
        pct(&times, 50.0),
        pct(&times, 95.0),
        pct(&times, 99.0)
    );
    Ok(())
}

//! The 90 days before `now`: opening stock, then day after day the supplier, the warehouse and
//! each store's tills, then today's inventory findings and a request in every status. One
//! random generator with a fixed seed drives every choice, in a fixed order, so the same `now`
//! always gives the same data.

mod days;
mod warehouse;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use domain::inventory::Location;
use domain::{Actor, Result, Rules, backfill};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sqlx::{Acquire, PgConnection};

use crate::stores::StoreCtx;
use crate::{DemoReport, HISTORY_DAYS};

struct Seeder<'a> {
    conn: &'a mut PgConnection,
    rng: ChaCha8Rng,
    rules: Rules,
    now: DateTime<Utc>,
    admin: Actor,
    stores: Vec<StoreCtx>,
    products: Vec<(i64, u32)>,
    /// Sales of the last days per store, candidates for returns.
    recent_sales: BTreeMap<i64, Vec<i64>>,
    /// Requests waiting for the warehouse: (request id, day it was made).
    pending: Vec<(i64, i64)>,
    /// Approved requests waiting for delivery.
    approved: Vec<(i64, i64)>,
    report: DemoReport,
}

fn local(tz: chrono_tz::Tz, day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    let naive = day.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN));
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&naive))
}

/// Writes the history on `conn` and completes the report with what it wrote.
pub(crate) async fn write(
    conn: &mut PgConnection,
    rules: Rules,
    now: DateTime<Utc>,
    admin: Actor,
    stores: Vec<StoreCtx>,
    products: Vec<(i64, u32)>,
    report: DemoReport,
) -> Result<DemoReport> {
    let mut seeder = Seeder {
        conn,
        rng: ChaCha8Rng::seed_from_u64(20_261_123),
        rules,
        now,
        admin,
        stores,
        products,
        recent_sales: BTreeMap::new(),
        pending: Vec::new(),
        approved: Vec::new(),
        report,
    };
    seeder.run().await?;
    Ok(seeder.report)
}

impl Seeder<'_> {
    async fn run(&mut self) -> Result<()> {
        let tz = self.stores[0].tz;
        let today = self.now.with_timezone(&tz).date_naive();
        let first = today - Duration::days(HISTORY_DAYS);
        self.initial_stock(local(tz, first, 6, 0)).await?;
        for offset in 1..=HISTORY_DAYS {
            let day = first + Duration::days(offset);
            self.warehouse_receipts(local(tz, day, 6, 0)).await?;
            self.warehouse_work(day, offset).await?;
            for s in 0..self.stores.len() {
                self.store_day(s, day, offset, day == today).await?;
            }
            // the tables grow from nothing in one session: without fresh statistics the sale
            // triggers' cached plans keep scanning `sales` and `sale_lines` whole, and each
            // seeded sale costs more than the one before
            if offset % 10 == 0 {
                sqlx::query("ANALYZE sales, sale_lines, sale_payments, stock_movements")
                    .execute(&mut *self.conn)
                    .await?;
            }
        }
        self.inventory_count_findings().await?;
        self.requests_in_every_status().await
    }

    async fn initial_stock(&mut self, at: DateTime<Utc>) -> Result<()> {
        let mut tx = self.conn.begin().await?;
        for &(product, _) in &self.products.clone() {
            let (quantity, threshold) = (
                self.rng.gen_range(500..=2000),
                self.rng.gen_range(100..=200),
            );
            backfill::initial_stock(
                &mut tx,
                Location::Warehouse,
                product,
                quantity,
                threshold,
                at,
            )
            .await?;
            for store in self.stores.iter().map(|s| s.id).collect::<Vec<_>>() {
                let (quantity, threshold) =
                    (self.rng.gen_range(60..=100), self.rng.gen_range(10..=20));
                backfill::initial_stock(
                    &mut tx,
                    Location::Store(store),
                    product,
                    quantity,
                    threshold,
                    at,
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

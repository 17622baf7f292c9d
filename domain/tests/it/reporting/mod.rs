//! Reports computed from real sales and returns: exact totals, zero-filled days, rankings that put
//! what did not sell last, periods read in each store's time zone, days of cover, custom
//! groupings, validation and who may read what.
//!
//! This module holds what the subjects share (dates, selling and returning at a given time,
//! stocking the second store); one file per subject holds the tests.

mod custom;
mod demo_figures;
mod inventory_report;
mod kpis;
mod rankings;
mod refusals;
mod top_lists;

use crate::world::*;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use domain::catalog;
use domain::reporting::{self, CustomQuery, GroupBy, Metric, Period, ReportScope, SalesReport};
use domain::sales::{self, CartLine, Channel, NewSale, Payment, Sale};
use domain::stores;
use domain::{Actor, Error, Rules};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use sqlx::PgPool;

/// A Wednesday in winter (Montreal is UTC-5), well before any test runs.
fn d0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 15).unwrap()
}

fn plus(days: i64) -> NaiveDate {
    d0() + Duration::days(days)
}

fn local(tz: Tz, day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    tz.from_local_datetime(&day.and_hms_opt(hour, minute, 0).unwrap())
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn montreal(day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    local(chrono_tz::America::Montreal, day, hour, minute)
}

fn period(from: NaiveDate, to: NaiveDate) -> Period {
    Period::new(from, to).unwrap()
}

/// Records a card sale through the real checkout, then dates it `at` when given.
async fn sell(
    db: &PgPool,
    actor: &Actor,
    register: i64,
    id: &str,
    lines: &[(i64, i32)],
    at: Option<DateTime<Utc>>,
) -> Sale {
    let new = till_sale(id, register, lines, Payment::Card);
    let sale = sales::record_sale(db, actor, &Rules::default(), &new)
        .await
        .unwrap()
        .sale;
    if let Some(at) = at {
        sqlx::query("UPDATE sales SET sold_at = $2 WHERE id = $1")
            .bind(sale.id)
            .bind(at)
            .execute(db)
            .await
            .unwrap();
    }
    sale
}

/// Returns `quantity` of the sale's line of `product` through the real rules, dated `at`.
async fn give_back(
    db: &PgPool,
    actor: &Actor,
    sale: &Sale,
    product: i64,
    quantity: i32,
    at: DateTime<Utc>,
) -> Decimal {
    let ret = sales::create_return(db, actor, &return_of(sale, product, quantity))
        .await
        .unwrap();
    sqlx::query("UPDATE returns SET returned_at = $2 WHERE id = $1")
        .bind(ret.id)
        .bind(at)
        .execute(db)
        .await
        .unwrap();
    ret.refund_amount
}

/// Puts stock in the second store and opens its register, so it can sell too.
async fn open_other_store(db: &PgPool, w: &World, stock: &[(i64, i32)]) {
    for &(product, quantity) in stock {
        shelve(db, w.other_store, product, quantity).await;
    }
    stores::open_session(db, &w.other_cashier, w.other_register, dec!(50))
        .await
        .unwrap();
}

async fn product_in(
    db: &PgPool,
    w: &World,
    code: &str,
    cents: i64,
    taxable: bool,
    category: i64,
    store_qty: i32,
) -> i64 {
    product_with_stock(
        db,
        &new_product(code, cents, taxable, category),
        w.store,
        store_qty,
    )
    .await
}

fn fields(err: Error) -> Vec<String> {
    match err {
        Error::Validation(errors) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// The ids of a top list, in its order.
fn ids(list: &[reporting::ProductSales]) -> Vec<i64> {
    list.iter().map(|p| p.product_id).collect()
}

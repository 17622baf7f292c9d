//! Reports computed from real sales and returns: exact totals, zero-filled days, rankings that put
//! what did not sell last, periods read in each store's time zone, days of cover, custom
//! groupings, validation and who may read what.

mod common;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use common::*;
use domain::catalog::{self, NewProduct};
use domain::inventory::{self, Location, StockStatus};
use domain::reporting::{self, CustomQuery, GroupBy, Metric, Period, ReportScope, SalesReport};
use domain::sales::{self, CartLine, Channel, NewReturn, NewSale, Payment, ReturnLineInput, Sale};
use domain::stores::{self, NewStore};
use domain::{Actor, Error, TaxRates};
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
    let sale = sales::record_sale(db, actor, &TaxRates::default(), &new)
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
    let line = sale.lines.iter().find(|l| l.product_id == product).unwrap();
    let ret = sales::create_return(
        db,
        actor,
        &NewReturn {
            sale_id: sale.id,
            lines: vec![ReturnLineInput {
                sale_line_id: line.id,
                quantity,
            }],
            reason: "Défectueux".into(),
            register_id: None,
        },
    )
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
        inventory::adjust_stock(
            db,
            &w.admin,
            Location::Store(w.other_store),
            product,
            quantity,
            "mise en place",
        )
        .await
        .unwrap();
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
    let id = catalog::create_product(
        db,
        &Actor::System,
        &NewProduct {
            code: code.into(),
            name: format!("Produit {code}"),
            description: String::new(),
            price: Decimal::new(cents, 2),
            category_id: category,
            taxable,
            active: true,
            warehouse_quantity: 0,
        },
    )
    .await
    .unwrap()
    .id;
    inventory::adjust_stock(
        db,
        &w.admin,
        Location::Store(w.store),
        id,
        store_qty,
        "mise en place",
    )
    .await
    .unwrap();
    id
}

fn fields(err: Error) -> Vec<String> {
    match err {
        Error::Validation(errors) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn kpis_add_up_revenue_taxes_units_and_the_average_ticket(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let soap = product(&db, &w, "HYG002", 120, true, 10, 0).await;
    let bread = product(&db, &w, "ALI001", 120, false, 20, 0).await;
    let water = product(&db, &w, "BOI001", 70, true, 10, 0).await;
    let (c, r) = (w.cashier, w.register);
    // 3.60 + 0.12 TPS + 0.24 TVQ = 3.96
    sell(
        &db,
        &c,
        r,
        "s1",
        &[(soap, 2), (bread, 1)],
        Some(montreal(d0(), 10, 0)),
    )
    .await;
    // 3.60, not taxable
    sell(&db, &c, r, "s2", &[(bread, 3)], Some(montreal(d0(), 12, 0))).await;
    // 0.70 + 0.04 + 0.07 = 0.81
    sell(
        &db,
        &c,
        r,
        "s3",
        &[(water, 1)],
        Some(montreal(plus(1), 9, 0)),
    )
    .await;

    let scope = ReportScope::store(period(plus(-3), plus(3)), w.store);
    let k = reporting::kpis(&db, &w.manager, &scope).await.unwrap();
    assert_eq!(k.revenue, dec!(7.90));
    assert_eq!(
        (k.tps, k.tvq, k.taxes),
        (dec!(0.16), dec!(0.31), dec!(0.47))
    );
    assert_eq!(k.total, dec!(8.37));
    assert_eq!(k.sales, 3);
    assert_eq!(k.average_ticket, dec!(2.63)); // 7.90 / 3 = 2.6333
    assert_eq!(k.units, 7);
    assert_eq!(
        (k.returns, k.refunded, k.net_revenue),
        (0, dec!(0), dec!(7.90))
    );
    // soap 8 and water 9 are at or under the default threshold of 10; bread 16 is not
    assert_eq!(k.stock_alerts, 2);

    // the network adds the second store: no sales, and every product out of stock there
    let network = reporting::kpis(&db, &w.admin, &ReportScope::network(scope.period))
        .await
        .unwrap();
    assert_eq!(network.revenue, dec!(7.90));
    assert_eq!(network.sales, 3);
    assert_eq!(network.stock_alerts, 2 + 3);

    // an empty period: zeros, and an average ticket of 0 rather than a division by zero
    let empty = reporting::kpis(
        &db,
        &w.manager,
        &ReportScope::store(period(plus(10), plus(12)), w.store),
    )
    .await
    .unwrap();
    assert_eq!((empty.sales, empty.units), (0, 0));
    assert_eq!((empty.revenue, empty.average_ticket), (dec!(0), dec!(0)));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn returns_of_the_period_reduce_net_revenue(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let soap = product(&db, &w, "HYG002", 120, true, 10, 0).await;
    let bread = product(&db, &w, "ALI001", 120, false, 20, 0).await;
    let sale = sell(
        &db,
        &w.cashier,
        w.register,
        "s1",
        &[(soap, 2), (bread, 1)],
        Some(montreal(d0(), 10, 0)),
    )
    .await;
    // one soap back: 1.20 + its share of the taxes paid (0.06 + 0.12)
    let refund = give_back(&db, &w.cashier, &sale, soap, 1, montreal(plus(1), 15, 0)).await;
    assert_eq!(refund, dec!(1.38));
    // a return after the period is not the period's
    give_back(&db, &w.cashier, &sale, bread, 1, montreal(plus(9), 15, 0)).await;

    let scope = ReportScope::store(period(d0(), plus(2)), w.store);
    let k = reporting::kpis(&db, &w.manager, &scope).await.unwrap();
    assert_eq!(k.revenue, dec!(3.60));
    assert_eq!(k.returns, 1);
    assert_eq!(k.returned_subtotal, dec!(1.20));
    assert_eq!(k.refunded, dec!(1.38));
    assert_eq!(k.net_revenue, dec!(2.40));
    // units sold stay what was sold
    assert_eq!(k.units, 3);

    // a period holding only the return: no revenue, a negative net
    let later = ReportScope::store(period(plus(1), plus(1)), w.store);
    let k = reporting::kpis(&db, &w.manager, &later).await.unwrap();
    assert_eq!((k.sales, k.returns), (0, 1));
    assert_eq!(k.net_revenue, dec!(-1.20));

    let report = reporting::sales_report(&db, &w.manager, &scope, None)
        .await
        .unwrap();
    assert_eq!(report.stores[0].refunded, dec!(1.38));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_day_is_read_in_the_time_zone_of_each_store(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let bread = product(&db, &w, "ALI001", 120, false, 20, 0).await;
    open_other_store(&db, &w, &[(bread, 20)]).await;
    sqlx::query("UPDATE stores SET time_zone = 'America/Vancouver' WHERE id = $1")
        .bind(w.other_store)
        .execute(&db)
        .await
        .unwrap();

    // 23:30 in Montreal is already the next day in UTC
    let late = montreal(d0(), 23, 30);
    assert_eq!(late.date_naive(), plus(1));
    sell(
        &db,
        &w.cashier,
        w.register,
        "late",
        &[(bread, 1)],
        Some(late),
    )
    .await;
    // 00:10 the next morning belongs to the next day
    sell(
        &db,
        &w.cashier,
        w.register,
        "early",
        &[(bread, 2)],
        Some(montreal(plus(1), 0, 10)),
    )
    .await;
    // 23:30 in Vancouver is 02:30 the next day in Montreal, still the day before in Vancouver
    let vancouver = local(chrono_tz::America::Vancouver, d0(), 23, 30);
    sell(
        &db,
        &w.other_cashier,
        w.other_register,
        "west",
        &[(bread, 4)],
        Some(vancouver),
    )
    .await;

    let on = |day: NaiveDate, store: Option<i64>| ReportScope {
        period: period(day, day),
        store_id: store,
    };
    let k = reporting::kpis(&db, &w.admin, &on(d0(), Some(w.store)))
        .await
        .unwrap();
    assert_eq!((k.sales, k.units, k.revenue), (1, 1, dec!(1.20)));
    let k = reporting::kpis(&db, &w.admin, &on(plus(1), Some(w.store)))
        .await
        .unwrap();
    assert_eq!((k.sales, k.units), (1, 2));
    let k = reporting::kpis(&db, &w.admin, &on(d0(), None))
        .await
        .unwrap();
    assert_eq!((k.sales, k.units), (2, 5), "both stores' evening sales");
    let k = reporting::kpis(&db, &w.admin, &on(plus(1), None))
        .await
        .unwrap();
    assert_eq!((k.sales, k.units), (1, 2));

    let report = reporting::sales_report(
        &db,
        &w.admin,
        &ReportScope::network(period(d0(), plus(1))),
        None,
    )
    .await
    .unwrap();
    let days: Vec<(NaiveDate, i64)> = report.days.iter().map(|d| (d.day, d.units)).collect();
    assert_eq!(days, [(d0(), 5), (plus(1), 2)]);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn sales_outside_the_period_are_left_out_and_idle_days_are_zero(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let bread = product(&db, &w, "ALI001", 120, false, 20, 0).await;
    let (c, r) = (w.cashier, w.register);
    sell(
        &db,
        &c,
        r,
        "old",
        &[(bread, 5)],
        Some(montreal(plus(-40), 11, 0)),
    )
    .await;
    sell(
        &db,
        &c,
        r,
        "before",
        &[(bread, 1)],
        Some(montreal(plus(-7), 23, 59)),
    )
    .await;
    sell(
        &db,
        &c,
        r,
        "in",
        &[(bread, 2)],
        Some(montreal(plus(-3), 8, 0)),
    )
    .await;
    sell(
        &db,
        &c,
        r,
        "after",
        &[(bread, 3)],
        Some(montreal(plus(1), 0, 0)),
    )
    .await;

    let scope = ReportScope::store(period(plus(-6), d0()), w.store);
    let k = reporting::kpis(&db, &w.manager, &scope).await.unwrap();
    assert_eq!((k.sales, k.units, k.revenue), (1, 2, dec!(2.40)));

    let report = reporting::sales_report(&db, &w.manager, &scope, None)
        .await
        .unwrap();
    assert_eq!(report.days.len(), 7);
    assert_eq!(report.days[0].day, plus(-6));
    assert_eq!(report.days[6].day, d0());
    for day in &report.days {
        let expected = if day.day == plus(-3) {
            (1, 2, dec!(2.40))
        } else {
            (0, 0, dec!(0))
        };
        assert_eq!((day.sales, day.units, day.revenue), expected, "{}", day.day);
    }
}

/// Two stores sell, a third never does; a second register stays idle; one product never sells.
async fn ranked_world(db: &PgPool) -> (World, [i64; 4], i64) {
    let w = world(db).await;
    open_register(db, &w).await;
    let idle_store = stores::create_store(
        db,
        &w.admin,
        &NewStore {
            name: "Atelier".into(),
            address: String::new(),
            phone: String::new(),
            email: None,
            time_zone: None,
            registers: 1,
        },
    )
    .await
    .unwrap()
    .id;
    stores::add_register(db, &w.admin, w.store).await.unwrap();
    let soap = product(db, &w, "HYG002", 120, true, 10, 0).await;
    let bread = product(db, &w, "ALI001", 120, false, 20, 0).await;
    let water = product(db, &w, "BOI001", 70, true, 10, 0).await;
    // sorts first by name and is the dearest, yet never sells
    let unsold = product(db, &w, "AAA001", 999, true, 10, 0).await;
    let (c, r) = (w.cashier, w.register);
    sell(
        db,
        &c,
        r,
        "s1",
        &[(soap, 2), (bread, 1)],
        Some(montreal(d0(), 10, 0)),
    )
    .await;
    sell(db, &c, r, "s2", &[(bread, 3)], Some(montreal(d0(), 12, 0))).await;
    sell(
        db,
        &c,
        r,
        "s3",
        &[(water, 1)],
        Some(montreal(plus(2), 9, 0)),
    )
    .await;
    open_other_store(db, &w, &[(water, 10)]).await;
    sell(
        db,
        &w.other_cashier,
        w.other_register,
        "n1",
        &[(water, 2)],
        Some(montreal(d0(), 11, 0)),
    )
    .await;
    (w, [soap, bread, water, unsold], idle_store)
}

fn ids(list: &[reporting::ProductSales]) -> Vec<i64> {
    list.iter().map(|p| p.product_id).collect()
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_sales_report_ranks_stores_and_products_with_no_sales_last(db: PgPool) {
    let (w, [soap, bread, water, unsold], idle_store) = ranked_world(&db).await;
    let scope = ReportScope::network(period(d0(), plus(6)));
    let report: SalesReport = reporting::sales_report(&db, &w.admin, &scope, None)
        .await
        .unwrap();

    assert_eq!(report.totals.revenue, dec!(9.30));
    assert_eq!(report.totals.sales, 4);
    let stores: Vec<(i64, i64, Decimal)> = report
        .stores
        .iter()
        .map(|s| (s.store_id, s.sales, s.revenue))
        .collect();
    assert_eq!(
        stores,
        [
            (w.store, 3, dec!(7.90)),
            (w.other_store, 1, dec!(1.40)),
            (idle_store, 0, dec!(0)),
        ],
        "the idle store ranks last although its name sorts first"
    );
    assert_eq!(report.stores[0].average_ticket, dec!(2.63));
    assert_eq!(report.stores[0].units, 7);
    assert!((report.stores[0].share - 7.90 / 9.30).abs() < 1e-9);
    assert_eq!(report.stores[2].share, 0.0);
    assert!(
        report.registers.is_empty(),
        "registers are a store's detail"
    );

    assert_eq!(report.days.len(), 7);
    let days: Vec<(i64, Decimal)> = report.days.iter().map(|d| (d.sales, d.revenue)).collect();
    assert_eq!(
        days,
        [
            (3, dec!(8.60)),
            (0, dec!(0)),
            (1, dec!(0.70)),
            (0, dec!(0)),
            (0, dec!(0)),
            (0, dec!(0)),
            (0, dec!(0)),
        ]
    );

    // units: bread 4, water 3, soap 2; revenue: bread 4.80, soap 2.40, water 2.10
    assert_eq!(ids(&report.top_by_units), [bread, water, soap, unsold]);
    assert_eq!(ids(&report.top_by_revenue), [bread, soap, water, unsold]);
    let top = &report.top_by_units[0];
    assert_eq!((top.units, top.revenue, top.sales), (4, dec!(4.80), 2));
    assert_eq!(report.top_by_units[3].units, 0);

    let short = reporting::sales_report(&db, &w.admin, &scope, Some(2))
        .await
        .unwrap();
    assert_eq!(ids(&short.top_by_units), [bread, water]);
    assert_eq!(ids(&short.top_by_revenue), [bread, soap]);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_store_report_lists_every_register(db: PgPool) {
    let (w, [_, _, water, _], _) = ranked_world(&db).await;
    let scope = ReportScope::store(period(d0(), plus(6)), w.store);
    let report = reporting::sales_report(&db, &w.manager, &scope, None)
        .await
        .unwrap();
    assert_eq!(report.totals.revenue, dec!(7.90));
    assert_eq!(report.stores.len(), 1);
    assert_eq!(report.stores[0].share, 1.0);
    let registers: Vec<(Option<i32>, i64, Decimal)> = report
        .registers
        .iter()
        .map(|r| (r.number, r.sales, r.revenue))
        .collect();
    assert_eq!(registers, [(Some(1), 3, dec!(7.90)), (Some(2), 0, dec!(0))]);
    assert_eq!(report.registers[1].average_ticket, dec!(0));

    // an external channel's sale has no register: it gets its own line
    let external = NewSale {
        client_sale_id: "web-1".into(),
        channel: Channel::External { store_id: w.store },
        lines: vec![CartLine {
            product_id: water,
            quantity: 1,
        }],
        payment: Payment::Card,
    };
    let sale = sales::record_sale(&db, &Actor::System, &TaxRates::default(), &external)
        .await
        .unwrap()
        .sale;
    sqlx::query("UPDATE sales SET sold_at = $2 WHERE id = $1")
        .bind(sale.id)
        .bind(montreal(plus(3), 14, 0))
        .execute(&db)
        .await
        .unwrap();
    let report = reporting::sales_report(&db, &w.manager, &scope, None)
        .await
        .unwrap();
    let last = report.registers.last().unwrap();
    assert_eq!(
        (last.register_id, last.sales, last.revenue),
        (None, 1, dec!(0.70))
    );
    let sum: Decimal = report.registers.iter().map(|r| r.revenue).sum();
    assert_eq!(sum, report.totals.revenue);
}

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

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn custom_reports_group_by_day_and_by_category(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let drinks = catalog::create_category(&db, &w.admin, "Boissons", "")
        .await
        .unwrap()
        .id;
    catalog::create_category(&db, &w.admin, "Ménage", "")
        .await
        .unwrap();
    let bread = product(&db, &w, "ALI001", 120, false, 20, 0).await;
    let water = product_in(&db, &w, "BOI001", 70, true, drinks, 20).await;
    let (c, r) = (w.cashier, w.register);
    // 2.40 + 2.10 = 4.50; taxes on 2.10: 0.11 + 0.21
    let first = sell(
        &db,
        &c,
        r,
        "s1",
        &[(bread, 2), (water, 3)],
        Some(montreal(d0(), 10, 0)),
    )
    .await;
    assert_eq!(first.total, dec!(4.82));
    sell(
        &db,
        &c,
        r,
        "s2",
        &[(bread, 1)],
        Some(montreal(plus(1), 10, 0)),
    )
    .await;
    // 0.70 + 0.04 + 0.07
    sell(
        &db,
        &c,
        r,
        "s3",
        &[(water, 1)],
        Some(montreal(plus(1), 11, 0)),
    )
    .await;
    // one water back from the first sale: 0.70 + 0.04 + 0.07
    let refund = give_back(&db, &c, &first, water, 1, montreal(plus(1), 16, 0)).await;
    assert_eq!(refund, dec!(0.81));

    let query = CustomQuery::parse(
        d0(),
        plus(2),
        vec![w.store],
        "day",
        &["revenue", "sales", "returns"],
    )
    .unwrap();
    let by_day = reporting::custom_report(&db, &w.manager, &query)
        .await
        .unwrap();
    assert_eq!(
        by_day.metrics,
        [Metric::Revenue, Metric::Sales, Metric::Returns]
    );
    let rows: Vec<(&str, &str, Decimal, Decimal, Decimal)> = by_day
        .rows
        .iter()
        .map(|row| {
            (
                row.key.as_str(),
                row.label.as_str(),
                row.value(Metric::Revenue),
                row.value(Metric::Sales),
                row.value(Metric::Returns),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("2025-01-15", "15/01/2025", dec!(4.50), dec!(1), dec!(0)),
            ("2025-01-16", "16/01/2025", dec!(1.90), dec!(2), dec!(0.81)),
            ("2025-01-17", "17/01/2025", dec!(0), dec!(0), dec!(0)),
        ]
    );
    assert_eq!(by_day.rows[0].values.len(), 3, "only the requested metrics");

    let query = CustomQuery::parse(
        d0(),
        plus(2),
        vec![],
        "category",
        &["units", "revenue", "tax", "returns", "average_ticket"],
    )
    .unwrap();
    let by_category = reporting::custom_report(&db, &w.admin, &query)
        .await
        .unwrap();
    let rows: Vec<(&str, [Decimal; 5])> = by_category
        .rows
        .iter()
        .map(|row| {
            (
                row.label.as_str(),
                [
                    row.value(Metric::Units),
                    row.value(Metric::Revenue),
                    row.value(Metric::Tax),
                    row.value(Metric::Returns),
                    row.value(Metric::AverageTicket),
                ],
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            // all the taxes fall on the taxable drinks; 2.80 over 2 sales
            (
                "Boissons",
                [dec!(4), dec!(2.80), dec!(0.43), dec!(0.81), dec!(1.40)]
            ),
            (
                "Alimentaire",
                [dec!(3), dec!(3.60), dec!(0), dec!(0), dec!(1.80)]
            ),
            ("Ménage", [dec!(0), dec!(0), dec!(0), dec!(0), dec!(0)]),
        ]
    );
    assert_eq!(by_category.rows[0].key, drinks.to_string());

    let by_product = reporting::custom_report(
        &db,
        &w.admin,
        &CustomQuery::parse(d0(), plus(2), vec![], "product", &["revenue", "returns"]).unwrap(),
    )
    .await
    .unwrap();
    let products: Vec<(&str, &str, Decimal, Decimal)> = by_product
        .rows
        .iter()
        .map(|row| {
            (
                row.key.as_str(),
                row.label.as_str(),
                row.value(Metric::Revenue),
                row.value(Metric::Returns),
            )
        })
        .collect();
    let (bread_key, water_key) = (bread.to_string(), water.to_string());
    assert_eq!(
        products,
        [
            (
                bread_key.as_str(),
                "Produit ALI001 (ALI001)",
                dec!(3.60),
                dec!(0)
            ),
            (
                water_key.as_str(),
                "Produit BOI001 (BOI001)",
                dec!(2.80),
                dec!(0.81)
            ),
        ]
    );

    let by_month = reporting::custom_report(
        &db,
        &w.admin,
        &CustomQuery {
            period: period(d0(), plus(20)),
            store_ids: vec![],
            group_by: GroupBy::Month,
            metrics: vec![Metric::Revenue],
        },
    )
    .await
    .unwrap();
    let months: Vec<(&str, &str, Decimal)> = by_month
        .rows
        .iter()
        .map(|row| {
            (
                row.key.as_str(),
                row.label.as_str(),
                row.value(Metric::Revenue),
            )
        })
        .collect();
    assert_eq!(
        months,
        [
            ("2025-01", "janvier 2025", dec!(6.40)),
            ("2025-02", "février 2025", dec!(0)),
        ]
    );

    let by_store = reporting::custom_report(
        &db,
        &w.admin,
        &CustomQuery {
            period: period(d0(), plus(2)),
            store_ids: vec![],
            group_by: GroupBy::Store,
            metrics: vec![Metric::Sales],
        },
    )
    .await
    .unwrap();
    let stores: Vec<(String, Decimal)> = by_store
        .rows
        .iter()
        .map(|row| (row.key.clone(), row.value(Metric::Sales)))
        .collect();
    assert_eq!(
        stores,
        [
            (w.store.to_string(), dec!(3)),
            (w.other_store.to_string(), dec!(0))
        ]
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn bad_periods_and_requests_are_refused_with_the_field_named(db: PgPool) {
    let w = world(&db).await;
    let backwards = ReportScope {
        period: Period {
            from: plus(1),
            to: d0(),
        },
        store_id: None,
    };
    let err = reporting::kpis(&db, &w.admin, &backwards)
        .await
        .unwrap_err();
    assert_eq!(fields(err), ["date_fin"]);
    let too_long = ReportScope {
        period: Period {
            from: d0(),
            to: plus(366),
        },
        store_id: None,
    };
    let err = reporting::sales_report(&db, &w.admin, &too_long, None)
        .await
        .unwrap_err();
    assert_eq!(fields(err), ["date_debut"]);
    let year = ReportScope::network(period(d0(), plus(365)));
    assert_eq!(year.period.days(), 366);
    reporting::kpis(&db, &w.admin, &year).await.unwrap();

    let err = reporting::sales_report(&db, &w.admin, &year, Some(0))
        .await
        .unwrap_err();
    assert_eq!(fields(err), ["limit"]);

    let err = CustomQuery::parse(d0(), d0(), vec![], "hour", &["revenue"]).unwrap_err();
    assert_eq!(fields(err), ["group_by"]);
    let err = CustomQuery::parse(d0(), d0(), vec![], "day", &["revenue", "marge"]).unwrap_err();
    assert_eq!(fields(err), ["metrics"]);
    let no_metric = CustomQuery {
        period: period(d0(), d0()),
        store_ids: vec![],
        group_by: GroupBy::Day,
        metrics: vec![],
    };
    let err = reporting::custom_report(&db, &w.admin, &no_metric)
        .await
        .unwrap_err();
    assert_eq!(fields(err), ["metrics"]);
}

fn forbidden<T>(result: Result<T, Error>) -> bool {
    matches!(result, Err(Error::Forbidden(_)))
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn managers_read_their_own_store_and_head_office_reads_everything(db: PgPool) {
    let w = world(&db).await;
    let p = period(d0(), plus(6));
    let own = ReportScope::store(p, w.store);
    let other = ReportScope::store(p, w.other_store);
    let network = ReportScope::network(p);
    let custom = |stores: Vec<i64>| CustomQuery {
        period: p,
        store_ids: stores,
        group_by: GroupBy::Store,
        metrics: vec![Metric::Revenue],
    };

    // a cashier reads no report, not even their store's
    assert!(forbidden(reporting::kpis(&db, &w.cashier, &own).await));
    assert!(forbidden(
        reporting::sales_report(&db, &w.cashier, &own, None).await
    ));
    assert!(forbidden(
        reporting::inventory_report(&db, &w.cashier, Some(w.store)).await
    ));
    assert!(forbidden(
        reporting::custom_report(&db, &w.cashier, &custom(vec![w.store])).await
    ));

    // a manager reads their store only
    reporting::kpis(&db, &w.manager, &own).await.unwrap();
    reporting::sales_report(&db, &w.manager, &own, None)
        .await
        .unwrap();
    reporting::inventory_report(&db, &w.manager, Some(w.store))
        .await
        .unwrap();
    let mine = reporting::custom_report(&db, &w.manager, &custom(vec![w.store, w.store]))
        .await
        .unwrap();
    assert_eq!(mine.store_ids, [w.store]);
    assert_eq!(mine.rows.len(), 1);
    assert!(forbidden(reporting::kpis(&db, &w.manager, &other).await));
    assert!(forbidden(reporting::kpis(&db, &w.manager, &network).await));
    assert!(forbidden(
        reporting::sales_report(&db, &w.manager, &network, None).await
    ));
    assert!(forbidden(
        reporting::inventory_report(&db, &w.manager, None).await
    ));
    assert!(forbidden(
        reporting::inventory_report(&db, &w.manager, Some(w.other_store)).await
    ));
    assert!(forbidden(
        reporting::custom_report(&db, &w.manager, &custom(vec![w.store, w.other_store])).await
    ));
    assert!(forbidden(
        reporting::custom_report(&db, &w.manager, &custom(vec![])).await
    ));

    // head office reads everything; an unknown store is not found
    reporting::kpis(&db, &w.admin, &network).await.unwrap();
    reporting::kpis(&db, &w.admin, &other).await.unwrap();
    reporting::sales_report(&db, &w.admin, &network, None)
        .await
        .unwrap();
    reporting::inventory_report(&db, &w.admin, None)
        .await
        .unwrap();
    let all = reporting::custom_report(&db, &w.admin, &custom(vec![]))
        .await
        .unwrap();
    assert_eq!(all.rows.len(), 2);
    let missing = ReportScope::store(p, 999_999);
    assert!(matches!(
        reporting::kpis(&db, &w.admin, &missing).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        reporting::custom_report(&db, &w.admin, &custom(vec![w.store, 999_999])).await,
        Err(Error::NotFound { .. })
    ));
}

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
    demo::seed_demo(&db, &TaxRates::default()).await.unwrap();
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

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_dashboard_shows_today_per_store_and_confines_store_staff(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let bread = product(&db, &w, "ALI001", 120, false, 30, 0).await;
    let new = till_sale("today-1", w.register, &[(bread, 5)], Payment::Card);
    sales::record_sale(&db, &w.cashier, &TaxRates::default(), &new)
        .await
        .unwrap();
    let old = till_sale("yesterday", w.register, &[(bread, 1)], Payment::Card);
    let old = sales::record_sale(&db, &w.cashier, &TaxRates::default(), &old)
        .await
        .unwrap()
        .sale;
    sqlx::query("UPDATE sales SET sold_at = now() - interval '2 days' WHERE id = $1")
        .bind(old.id)
        .execute(&db)
        .await
        .unwrap();

    let all = reporting::stores_today(&db, &w.admin).await.unwrap();
    assert_eq!(all.len(), 2);
    let centre = &all[0];
    assert_eq!(
        (centre.sales, centre.revenue),
        (1, dec!(6.00)),
        "only today's sales"
    );
    assert_eq!((centre.open_registers, centre.registers), (1, 1));
    assert_eq!(all[1].sales, 0);
    assert_eq!(
        all[1].stock_alerts, 1,
        "the other store has the product at 0"
    );

    let mine = reporting::stores_today(&db, &w.cashier).await.unwrap();
    assert_eq!(
        mine.iter().map(|s| s.store_id).collect::<Vec<_>>(),
        [w.store],
        "a cashier sees their store"
    );
    let theirs = reporting::stores_today(&db, &w.other_cashier)
        .await
        .unwrap();
    assert_eq!(
        theirs.iter().map(|s| s.store_id).collect::<Vec<_>>(),
        [w.other_store]
    );
}

// The top lists: threshold pruning over the monthly rollups gives exactly the lists of the full
// aggregation of the daily rows (the reference), whatever the period, scope, length and first
// number of rows read per bucket.

/// Products written straight into the catalogue with these names and prices; ids in order.
async fn named_products(db: &PgPool, category: i64, products: &[(&str, i64)]) -> Vec<i64> {
    let mut ids = Vec::new();
    for &(name, cents) in products {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO products (code, name, price, category_id) VALUES ($1, $2, $3, $4)
             RETURNING id",
        )
        .bind(format!("TOP-{}", name.replace(' ', "-")))
        .bind(name)
        .bind(Decimal::new(cents, 2))
        .bind(category)
        .fetch_one(db)
        .await
        .unwrap();
        ids.push(id);
    }
    ids
}

/// One external-channel sale of one line per `(store, local day, product, quantity)`, at noon,
/// written straight into the tables, in order (the aggregates' triggers run as at a checkout).
async fn bulk_sales(db: &PgPool, tag: &str, sales: &[(i64, NaiveDate, i64, i32)]) {
    let stores: Vec<i64> = sales.iter().map(|s| s.0).collect();
    let days: Vec<NaiveDate> = sales.iter().map(|s| s.1).collect();
    let products: Vec<i64> = sales.iter().map(|s| s.2).collect();
    let quantities: Vec<i32> = sales.iter().map(|s| s.3).collect();
    let input = "unnest($2::BIGINT[], $3::DATE[], $4::BIGINT[], $5::INT[]) WITH ORDINALITY
                 AS t(store_id, day, product_id, quantity, n)";
    let mut tx = db.begin().await.unwrap();
    for sql in [
        format!(
            "INSERT INTO sales (client_sale_id, store_id, sold_at, subtotal, tps, tvq, total,
                                payment_method)
             SELECT $1 || '-' || t.n, t.store_id, (t.day + TIME '12:00') AT TIME ZONE st.time_zone,
                    p.price * t.quantity, 0, 0, p.price * t.quantity, 'carte'
             FROM {input} JOIN stores st ON st.id = t.store_id
             JOIN products p ON p.id = t.product_id
             ORDER BY t.n"
        ),
        format!(
            "INSERT INTO sale_lines (sale_id, line_no, product_id, quantity, unit_price, taxable,
                                     line_total)
             SELECT sa.id, 1, t.product_id, t.quantity, p.price, FALSE, p.price * t.quantity
             FROM {input} JOIN sales sa ON sa.client_sale_id = $1 || '-' || t.n
             JOIN products p ON p.id = t.product_id
             ORDER BY t.n"
        ),
    ] {
        sqlx::query(&sql)
            .bind(tag)
            .bind(&stores)
            .bind(&days)
            .bind(&products)
            .bind(&quantities)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

fn ymd(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, month, day).unwrap()
}

/// January to April 2025 in two stores: five best sellers every day (different by units and by
/// revenue), in the first store two twins that tie with "Hot C" (and one of them sorts before it
/// by name), a long tail of 30 products selling one unit now and then; one active product never
/// sells and an inactive one neither.
async fn skewed_world(db: &PgPool) -> World {
    let w = world(db).await;
    let mut catalogue = vec![
        ("Hot A", 100),
        ("Hot B", 200),
        ("Hot C", 300),
        ("Hot D", 400),
        ("Hot E", 500),
        ("Duo 2", 300),
        ("Duo 1", 300),
        ("Aaa jamais vendu", 100),
    ];
    let tails: Vec<String> = (0..30).map(|t| format!("Tail {t:02}")).collect();
    catalogue.extend(tails.iter().map(|t| (t.as_str(), 750)));
    let ids = named_products(db, w.category, &catalogue).await;
    let inactive = named_products(db, w.category, &[("Aab inactif", 100)]).await[0];
    sqlx::query("UPDATE products SET active = FALSE WHERE id = $1")
        .bind(inactive)
        .execute(db)
        .await
        .unwrap();
    let (hot, duos, tail) = (&ids[0..5], &ids[5..7], &ids[8..]);
    let mut sales = Vec::new();
    let mut day = ymd(1, 1);
    let mut k = 0;
    while day <= ymd(4, 30) {
        for (store, per_day) in [(w.store, [9, 7, 5, 4, 3]), (w.other_store, [8, 7, 6, 4, 3])] {
            for (&p, q) in hot.iter().zip(per_day) {
                sales.push((store, day, p, q));
            }
        }
        for &p in duos {
            sales.push((w.store, day, p, 5));
        }
        for (t, &p) in tail.iter().enumerate() {
            for (s, store) in [w.store, w.other_store].into_iter().enumerate() {
                if (k + 3 * t + 7 * s) % 10 == 0 {
                    sales.push((store, day, p, 1));
                }
            }
        }
        day += Duration::days(1);
        k += 1;
    }
    bulk_sales(db, "skewed", &sales).await;
    w
}

/// 20 products selling one unit every day of January to March 2025 in both stores: every
/// bucket's best rows tie with everything else.
async fn flat_world(db: &PgPool) -> World {
    let w = world(db).await;
    let names: Vec<String> = (0..20).map(|i| format!("Plat {i:02}")).collect();
    let catalogue: Vec<(&str, i64)> = names.iter().map(|n| (n.as_str(), 100)).collect();
    let ids = named_products(db, w.category, &catalogue).await;
    let mut sales = Vec::new();
    let mut day = ymd(1, 1);
    while day <= ymd(3, 31) {
        for store in [w.store, w.other_store] {
            for &p in &ids {
                sales.push((store, day, p, 1));
            }
        }
        day += Duration::days(1);
    }
    bulk_sales(db, "flat", &sales).await;
    w
}

async fn top_lists(
    db: &PgPool,
    scope: &ReportScope,
    top: u32,
    method: reporting::TopMethod,
) -> reporting::TopProducts {
    reporting::top_products(db, &Actor::System, scope, Some(top), method)
        .await
        .unwrap()
}

/// Every method gives the reference's lists over periods across and within months, single
/// days, periods partly or wholly without sales, for the network and each store, for lists of
/// 1 to 100 products.
async fn assert_pruning_is_exact(db: &PgPool, w: &World) {
    use reporting::TopMethod;
    let periods = [
        (ymd(1, 17), ymd(4, 16)),
        (ymd(2, 1), ymd(3, 31)),
        (ymd(1, 31), ymd(2, 1)),
        (ymd(2, 14), ymd(2, 14)),
        (ymd(3, 20), ymd(4, 18)),
        (ymd(1, 10), ymd(3, 20)),
        (ymd(4, 25), ymd(5, 10)),
        (ymd(6, 1), ymd(6, 30)),
    ];
    let methods = [
        TopMethod::Pruned {
            first_m: 1,
            rounds: 3,
        },
        TopMethod::Pruned {
            first_m: 4,
            rounds: 2,
        },
        TopMethod::Pruned {
            first_m: 16,
            rounds: 1,
        },
        TopMethod::Auto,
    ];
    let mut pruned = 0;
    for (from, to) in periods {
        for scope in [
            ReportScope::network(period(from, to)),
            ReportScope::store(period(from, to), w.store),
            ReportScope::store(period(from, to), w.other_store),
        ] {
            for top in [1, 3, 4, 10, 100] {
                let reference = top_lists(db, &scope, top, TopMethod::Full).await;
                assert_eq!(reference.units_path, reporting::TopPath::Full);
                assert_eq!(reference.by_units.len(), reference.by_revenue.len());
                for method in methods {
                    let lists = top_lists(db, &scope, top, method).await;
                    let case = format!("{scope:?}, top {top}, {method:?}");
                    assert_eq!(
                        ids(&lists.by_units),
                        ids(&reference.by_units),
                        "units: {case}"
                    );
                    assert_eq!(lists.by_units, reference.by_units, "units: {case}");
                    assert_eq!(lists.by_revenue, reference.by_revenue, "revenue: {case}");
                    for path in [lists.units_path, lists.revenue_path] {
                        if matches!(path, reporting::TopPath::Pruned { .. }) {
                            pruned += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(pruned > 0, "some lists are proven by pruning");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn pruned_top_lists_equal_the_full_aggregation_on_skewed_sales(db: PgPool) {
    let w = skewed_world(&db).await;
    assert_pruning_is_exact(&db, &w).await;

    use reporting::{TopMethod, TopPath};
    let days90 = period(ymd(1, 17), ymd(4, 16));
    // the buckets' 16th rows are tail products: far below the third best seller
    let once = TopMethod::Pruned {
        first_m: 16,
        rounds: 1,
    };
    for scope in [
        ReportScope::network(days90),
        ReportScope::store(days90, w.store),
    ] {
        let lists = top_lists(&db, &scope, 3, once).await;
        assert_eq!(lists.units_path, TopPath::Pruned { round: 1 }, "{scope:?}");
        assert_eq!(
            lists.revenue_path,
            TopPath::Pruned { round: 1 },
            "{scope:?}"
        );
    }
    // the first store's third place is a three-way tie at 5 units a day, won by name
    let names = |list: &[reporting::ProductSales]| -> Vec<String> {
        list.iter().map(|p| p.name.clone()).collect()
    };
    let store = top_lists(&db, &ReportScope::store(days90, w.store), 5, once).await;
    assert_eq!(
        names(&store.by_units),
        ["Hot A", "Hot B", "Duo 1", "Duo 2", "Hot C"]
    );
    assert_eq!(store.by_units[2].units, 450);
    // the first rows of the buckets tie with the third place: not proven, then proven
    let growing = top_lists(
        &db,
        &ReportScope::store(days90, w.store),
        3,
        TopMethod::Pruned {
            first_m: 4,
            rounds: 2,
        },
    )
    .await;
    assert_eq!(growing.units_path, TopPath::Pruned { round: 2 });
    assert_eq!(names(&growing.by_units), ["Hot A", "Hot B", "Duo 1"]);
    // 37 products sold: the 100 places end with the only active product without sales
    let all = top_lists(&db, &ReportScope::network(days90), 100, once).await;
    assert_eq!(all.by_units.len(), 38);
    assert_eq!(all.by_units[37].name, "Aaa jamais vendu");
    assert_eq!(all.by_revenue[37].units, 0);
    // the report itself gives the same lists
    let report = reporting::sales_report(&db, &Actor::System, &ReportScope::network(days90), None)
        .await
        .unwrap();
    let reference = top_lists(&db, &ReportScope::network(days90), 10, TopMethod::Full).await;
    assert_eq!(report.top_by_units, reference.by_units);
    assert_eq!(report.top_by_revenue, reference.by_revenue);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn flat_sales_defeat_pruning_and_fall_back_to_the_full_aggregation(db: PgPool) {
    let w = flat_world(&db).await;
    assert_pruning_is_exact(&db, &w).await;

    use reporting::{TopMethod, TopPath};
    let scope = ReportScope::network(period(ymd(1, 10), ymd(3, 20)));
    let lists = top_lists(
        &db,
        &scope,
        3,
        TopMethod::Pruned {
            first_m: 1,
            rounds: 2,
        },
    )
    .await;
    assert_eq!(lists.units_path, TopPath::Full);
    assert_eq!(lists.revenue_path, TopPath::Full);
    let names: Vec<&str> = lists.by_units.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Plat 00", "Plat 01", "Plat 02"], "ties go by name");
    assert_eq!(lists.by_units[0].units, 140);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_product_at_the_bound_may_tie_and_win_by_name_so_it_is_not_proven(db: PgPool) {
    let w = world(&db).await;
    // Zeta comes first in the bucket's index (created first) but Alpha wins the tie by name
    let made = named_products(
        &db,
        w.category,
        &[("Zeta", 100), ("Alpha", 100), ("Mid", 100)],
    )
    .await;
    let (zeta, alpha, mid) = (made[0], made[1], made[2]);
    let sales = [(zeta, 10), (alpha, 10), (mid, 5)].map(|(p, q)| (w.store, ymd(2, 10), p, q));
    bulk_sales(&db, "tie", &sales).await;
    let scope = ReportScope::store(period(ymd(2, 1), ymd(2, 28)), w.store);
    let lists = top_lists(
        &db,
        &scope,
        1,
        reporting::TopMethod::Pruned {
            first_m: 1,
            rounds: 1,
        },
    )
    .await;
    assert_eq!(ids(&lists.by_units), [alpha]);
    assert_eq!(lists.units_path, reporting::TopPath::Full);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_network_bound_adds_up_the_stores(db: PgPool) {
    let w = world(&db).await;
    // P is never among the two best of a store, yet it leads the network
    let made = named_products(
        &db,
        w.category,
        &[("Q", 100), ("X", 100), ("Y", 100), ("Z", 100), ("P", 100)],
    )
    .await;
    let (q, x, y, z, p) = (made[0], made[1], made[2], made[3], made[4]);
    let day = ymd(2, 10);
    let sales = [
        (w.store, day, q, 10),
        (w.store, day, x, 8),
        (w.store, day, p, 7),
        (w.other_store, day, y, 10),
        (w.other_store, day, z, 8),
        (w.other_store, day, p, 7),
    ];
    bulk_sales(&db, "spread", &sales).await;
    let scope = ReportScope::network(period(ymd(2, 1), ymd(2, 28)));
    for rounds in [1, 2] {
        let lists = top_lists(
            &db,
            &scope,
            1,
            reporting::TopMethod::Pruned { first_m: 2, rounds },
        )
        .await;
        assert_eq!(ids(&lists.by_units), [p], "{rounds} rounds");
    }
}

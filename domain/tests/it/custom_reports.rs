//! The custom report read from the aggregates gives, to the cent and in the same order, what the
//! raw sales and returns give: on generated sales in two stores across month boundaries, with
//! multi-line and repeated returns, corrections of the past (a sale and a return re-dated, a
//! product moved to another category), for every grouping, ranking metric, scope and period,
//! and with the list cut. The aggregates it reads stay equal to the raw tables throughout.

use crate::world::*;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use domain::catalog::{self, NewProduct, ProductChanges};
use domain::inventory::{self, Location};
use domain::reporting::{self, CustomQuery, CustomSource, GroupBy, Metric, Period};
use domain::sales::{self, NewReturn, Payment, ReturnLineInput, Sale};
use domain::stores;
use domain::{Actor, Rules};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use sqlx::PgPool;

/// A small deterministic generator (no dependency, the same sales on every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

fn d0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 15).unwrap()
}

fn montreal(day: NaiveDate, minutes: u32) -> DateTime<Utc> {
    chrono_tz::America::Montreal
        .from_local_datetime(&day.and_hms_opt(8 + minutes / 60, minutes % 60, 0).unwrap())
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

/// The new aggregates computed again from the raw tables, compared with the maintained ones:
/// the products' taxes (daily and monthly), the products' refunds and the categories' sales.
async fn drift(db: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "WITH line_taxes AS (
             SELECT sa.store_id, (sa.sold_at AT TIME ZONE st.time_zone)::DATE AS day,
                    l.product_id,
                    CASE WHEN l.taxable THEN (sa.tps + sa.tvq) * l.line_total
                         / NULLIF(sum(l.line_total) FILTER (WHERE l.taxable)
                                      OVER (PARTITION BY l.sale_id), 0) END AS tax
             FROM sales sa JOIN stores st ON st.id = sa.store_id
             JOIN sale_lines l ON l.sale_id = sa.id),
         raw_taxes AS (
             SELECT store_id, day, product_id, COALESCE(sum(tax), 0) AS tax
             FROM line_taxes GROUP BY 1, 2, 3),
         agg_taxes AS (
             SELECT store_id, day, product_id, tax FROM daily_product_sales
             WHERE units <> 0 OR sales <> 0 OR tax <> 0),
         raw_month_taxes AS (
             SELECT store_id, date_trunc('month', day::TIMESTAMP)::DATE AS month, product_id,
                    sum(tax) AS tax
             FROM raw_taxes GROUP BY 1, 2, 3),
         agg_month_taxes AS (
             SELECT store_id, month, product_id, tax FROM monthly_product_sales
             WHERE units <> 0 OR sales <> 0 OR tax <> 0),
         return_line_refunds AS (
             SELECT rt.store_id, (rt.returned_at AT TIME ZONE st.time_zone)::DATE AS day,
                    l.product_id, rl.quantity,
                    rl.quantity * l.unit_price + COALESCE(
                        CASE WHEN l.taxable THEN (rt.tps + rt.tvq) * rl.quantity * l.unit_price
                             / NULLIF(sum(rl.quantity * l.unit_price) FILTER (WHERE l.taxable)
                                          OVER (PARTITION BY rt.id), 0) END, 0) AS refunded
             FROM returns rt JOIN stores st ON st.id = rt.store_id
             JOIN return_lines rl ON rl.return_id = rt.id
             JOIN sale_lines l ON l.id = rl.sale_line_id),
         raw_refunds AS (
             SELECT store_id, day, product_id, sum(quantity)::BIGINT AS units,
                    sum(refunded) AS refunded
             FROM return_line_refunds GROUP BY 1, 2, 3),
         agg_refunds AS (
             SELECT store_id, day, product_id, units, refunded FROM daily_product_returns
             WHERE units <> 0 OR refunded <> 0),
         raw_categories AS (
             SELECT sa.store_id, (sa.sold_at AT TIME ZONE st.time_zone)::DATE AS day,
                    p.category_id, count(DISTINCT sa.id)::BIGINT AS sales
             FROM sales sa JOIN stores st ON st.id = sa.store_id
             JOIN sale_lines l ON l.sale_id = sa.id JOIN products p ON p.id = l.product_id
             GROUP BY 1, 2, 3),
         agg_categories AS (
             SELECT store_id, day, category_id, sum(sales)::BIGINT AS sales
             FROM daily_category_sales GROUP BY 1, 2, 3 HAVING sum(sales) <> 0)
         SELECT 'taxes only raw: ' || x::TEXT FROM (TABLE raw_taxes EXCEPT TABLE agg_taxes) x
         UNION ALL
         SELECT 'taxes only aggregated: ' || x::TEXT
         FROM (TABLE agg_taxes EXCEPT TABLE raw_taxes) x
         UNION ALL
         SELECT 'month taxes only raw: ' || x::TEXT
         FROM (TABLE raw_month_taxes EXCEPT TABLE agg_month_taxes) x
         UNION ALL
         SELECT 'month taxes only aggregated: ' || x::TEXT
         FROM (TABLE agg_month_taxes EXCEPT TABLE raw_month_taxes) x
         UNION ALL
         SELECT 'refunds only raw: ' || x::TEXT
         FROM (TABLE raw_refunds EXCEPT TABLE agg_refunds) x
         UNION ALL
         SELECT 'refunds only aggregated: ' || x::TEXT
         FROM (TABLE agg_refunds EXCEPT TABLE raw_refunds) x
         UNION ALL
         SELECT 'categories only raw: ' || x::TEXT
         FROM (TABLE raw_categories EXCEPT TABLE agg_categories) x
         UNION ALL
         SELECT 'categories only aggregated: ' || x::TEXT
         FROM (TABLE agg_categories EXCEPT TABLE raw_categories) x",
    )
    .fetch_all(db)
    .await
    .unwrap()
}

async fn assert_exact(db: &PgPool, when: &str) {
    let drift = drift(db).await;
    assert!(drift.is_empty(), "after {when}: {drift:#?}");
}

/// Both sources, every grouping, each metric ranking in turn, three scopes, four periods:
/// the same report, row for row.
async fn assert_reports_agree(db: &PgPool, w: &World, when: &str) {
    let periods = [
        (d0() - Duration::days(40), d0() + Duration::days(40)),
        (d0() - Duration::days(10), d0() + Duration::days(20)),
        (
            NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2025, 1, 31).unwrap(),
        ),
        (d0(), d0()),
    ];
    let scopes = [vec![], vec![w.store], vec![w.other_store, w.store]];
    let mut n = 0;
    for (from, to) in periods {
        for stores in &scopes {
            for group_by in GroupBy::ALL {
                let first = Metric::ALL[n % Metric::ALL.len()];
                n += 1;
                let mut metrics = vec![first];
                metrics.extend(Metric::ALL.into_iter().filter(|m| *m != first));
                let query = CustomQuery {
                    period: Period::new(from, to).unwrap(),
                    store_ids: stores.clone(),
                    group_by,
                    metrics,
                };
                for limit in [None, Some(3)] {
                    let report =
                        |source| reporting::custom_report_with(db, &w.admin, &query, limit, source);
                    let aggregated = report(CustomSource::Aggregates).await.unwrap();
                    let raw = report(CustomSource::Sales).await.unwrap();
                    assert_eq!(
                        aggregated, raw,
                        "{when}: {group_by} by {first} over {from}..{to} for {stores:?}, \
                         limit {limit:?}"
                    );
                }
            }
        }
    }
}

async fn new_product(db: &PgPool, category: i64, code: &str, cents: i64, taxable: bool) -> i64 {
    catalog::create_product(
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
    .id
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_report_from_the_aggregates_equals_the_raw_computation(db: PgPool) {
    let w = world(&db).await;
    let drinks = catalog::create_category(&db, &w.admin, "Boissons", "")
        .await
        .unwrap()
        .id;
    let home = catalog::create_category(&db, &w.admin, "Maison", "")
        .await
        .unwrap()
        .id;
    catalog::create_category(&db, &w.admin, "Vide", "")
        .await
        .unwrap();
    let mut products = Vec::new();
    for (i, (category, cents, taxable)) in [
        (w.category, 125, false),
        (w.category, 349, false),
        (drinks, 199, true),
        (drinks, 89, true),
        (drinks, 1099, true),
        (home, 333, true),
        (home, 1, true),
        (home, 4250, false),
    ]
    .into_iter()
    .enumerate()
    {
        let id = new_product(&db, category, &format!("GEN{i:03}"), cents, taxable).await;
        for store in [w.store, w.other_store] {
            inventory::adjust_stock(&db, &w.admin, Location::Store(store), id, 10_000, "stock")
                .await
                .unwrap();
        }
        products.push(id);
    }
    // active without any sale: listed last; inactive without any sale: not listed
    new_product(&db, home, "IDLE01", 500, true).await;
    let gone = new_product(&db, home, "GONE01", 500, true).await;
    catalog::update_product(
        &db,
        &w.admin,
        gone,
        &ProductChanges {
            active: Some(false),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    stores::open_session(&db, &w.cashier, w.register, dec!(100))
        .await
        .unwrap();
    stores::open_session(&db, &w.other_cashier, w.other_register, dec!(100))
        .await
        .unwrap();

    let mut rng = Lcg(42);
    let mut sold: Vec<(Sale, NaiveDate, Actor)> = Vec::new();
    for n in 0..90 {
        let (actor, register) = if rng.next(3) == 0 {
            (w.other_cashier, w.other_register)
        } else {
            (w.cashier, w.register)
        };
        let mut lines = Vec::new();
        for _ in 0..=rng.next(4) {
            let product = products[rng.next(products.len() as u64) as usize];
            lines.push((product, 1 + rng.next(5) as i32));
        }
        let sale = sales::record_sale(
            &db,
            &actor,
            &Rules::default(),
            &till_sale(&format!("gen-{n}"), register, &lines, Payment::Card),
        )
        .await
        .unwrap()
        .sale;
        let day = d0() - Duration::days(40) + Duration::days(rng.next(81) as i64);
        sqlx::query("UPDATE sales SET sold_at = $2 WHERE id = $1")
            .bind(sale.id)
            .bind(montreal(day, rng.next(12 * 60) as u32))
            .execute(&db)
            .await
            .unwrap();
        sold.push((sale, day, actor));
    }
    assert_exact(&db, "the sales").await;

    // returns: some of one line, some of several lines (written one line at a time), some
    // sales returned twice
    for (sale, day, actor) in &sold {
        if rng.next(3) != 0 {
            continue;
        }
        for _ in 0..=rng.next(2) {
            let lines: Vec<ReturnLineInput> = sale
                .lines
                .iter()
                .filter(|_| rng.next(2) == 0)
                .map(|l| ReturnLineInput {
                    sale_line_id: l.id,
                    quantity: 1,
                })
                .collect();
            if lines.is_empty() {
                continue;
            }
            let new = NewReturn {
                sale_id: sale.id,
                lines,
                reason: "Défectueux".into(),
                register_id: None,
                to_store_credit: false,
            };
            // a second return of a line already given back in full is refused: fine
            let Ok(ret) = sales::create_return(&db, actor, &new).await else {
                continue;
            };
            let back = *day + Duration::days(rng.next(8) as i64);
            sqlx::query("UPDATE returns SET returned_at = $2 WHERE id = $1")
                .bind(ret.id)
                .bind(montreal(back, 13 * 60))
                .execute(&db)
                .await
                .unwrap();
        }
    }
    let (returns, multi_line): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE n > 1)
         FROM (SELECT count(*) AS n FROM return_lines GROUP BY return_id) r",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(returns >= 10 && multi_line >= 3, "{returns} {multi_line}");
    assert_exact(&db, "the returns").await;
    assert_reports_agree(&db, &w, "sales and returns").await;

    // corrections of the past: a sale into another month, a return a day later, a product
    // moved to another category (its days are counted again)
    sqlx::query("UPDATE sales SET sold_at = sold_at - interval '33 days' WHERE id = $1")
        .bind(sold[3].0.id)
        .execute(&db)
        .await
        .unwrap();
    sqlx::query("UPDATE returns SET returned_at = returned_at + interval '1 day' WHERE id = (SELECT min(id) FROM returns)")
        .execute(&db)
        .await
        .unwrap();
    catalog::update_product(
        &db,
        &w.admin,
        products[2],
        &ProductChanges {
            category_id: Some(home),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_exact(&db, "corrections").await;
    assert_reports_agree(&db, &w, "corrections").await;

    sqlx::query("SELECT daily_aggregates_rebuild()")
        .execute(&db)
        .await
        .unwrap();
    assert_exact(&db, "a rebuild").await;
    assert_reports_agree(&db, &w, "a rebuild").await;
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn product_groupings_list_the_best_first_up_to_the_limit(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(product(&db, &w, &format!("TOP{i}"), 100, false, 100, 0).await);
    }
    for (i, id) in ids.iter().enumerate() {
        let new = till_sale(
            &format!("s{i}"),
            w.register,
            &[(*id, i as i32 + 1)],
            Payment::Card,
        );
        sales::record_sale(&db, &w.cashier, &Rules::default(), &new)
            .await
            .unwrap();
    }
    let today = Utc::now().date_naive();
    let query = CustomQuery {
        period: Period::new(today - Duration::days(1), today + Duration::days(1)).unwrap(),
        store_ids: vec![],
        group_by: GroupBy::Product,
        metrics: vec![Metric::Units],
    };
    let cut =
        reporting::custom_report_with(&db, &w.admin, &query, Some(2), CustomSource::Aggregates)
            .await
            .unwrap();
    let keys: Vec<String> = cut.rows.iter().map(|r| r.key.clone()).collect();
    assert_eq!(keys, [ids[4].to_string(), ids[3].to_string()]);
    assert_eq!(cut.total_groups, 5);
    let all = reporting::custom_report(&db, &w.admin, &query)
        .await
        .unwrap();
    assert_eq!((all.rows.len(), all.total_groups), (5, 5));
    let err = reporting::custom_report_with(
        &db,
        &w.admin,
        &query,
        Some(reporting::MAX_GROUPS + 1),
        CustomSource::Aggregates,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, domain::Error::Validation(ref e) if e[0].field == "limit"),
        "{err:?}"
    );
}

/// Not a single raw sale is read: changing the aggregates behind the report's back changes
/// the report (and not the raw computation), for time, store, product and category groupings.
#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_report_reads_the_aggregates_not_the_sales(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let bread = product(&db, &w, "ALI001", 100, false, 100, 0).await;
    let new = till_sale("s", w.register, &[(bread, 2)], Payment::Card);
    sales::record_sale(&db, &w.cashier, &Rules::default(), &new)
        .await
        .unwrap();
    for sql in [
        "UPDATE daily_sales SET subtotal = subtotal + 1000 WHERE sales > 0",
        "UPDATE daily_product_sales SET revenue = revenue + 1000 WHERE sales > 0",
    ] {
        sqlx::query(sql).execute(&db).await.unwrap();
    }
    let today = Utc::now().date_naive();
    for group_by in GroupBy::ALL {
        let query = CustomQuery {
            period: Period::new(today - Duration::days(1), today + Duration::days(1)).unwrap(),
            store_ids: vec![],
            group_by,
            metrics: vec![Metric::Revenue],
        };
        let revenue = |report: reporting::CustomReport| -> Decimal {
            report.rows.iter().map(|r| r.value(Metric::Revenue)).sum()
        };
        let aggregated =
            reporting::custom_report_with(&db, &w.admin, &query, None, CustomSource::Aggregates)
                .await
                .unwrap();
        let raw = reporting::custom_report_with(&db, &w.admin, &query, None, CustomSource::Sales)
            .await
            .unwrap();
        assert_eq!(revenue(raw), dec!(2.00), "{group_by}");
        assert_eq!(revenue(aggregated), dec!(1002.00), "{group_by}");
    }
}

//! The top lists: threshold pruning over the monthly rollups gives exactly the lists of the full
//! aggregation of the daily rows (the reference), whatever the period, scope, length and first
//! number of rows read per bucket.

use super::*;

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

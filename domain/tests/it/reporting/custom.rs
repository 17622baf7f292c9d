//! Custom reports grouped by day and by category.

use super::*;

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

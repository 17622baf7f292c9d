//! The KPIs: revenue, taxes, units and the average ticket add up; returns reduce net revenue;
//! a day is each store's local day; days without sales are zero; the dashboard shows today.

use super::*;

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

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_dashboard_shows_today_per_store_and_confines_store_staff(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let bread = product(&db, &w, "ALI001", 120, false, 30, 0).await;
    let new = till_sale("today-1", w.register, &[(bread, 5)], Payment::Card);
    sales::record_sale(&db, &w.cashier, &Rules::default(), &new)
        .await
        .unwrap();
    let old = till_sale("yesterday", w.register, &[(bread, 1)], Payment::Card);
    let old = sales::record_sale(&db, &w.cashier, &Rules::default(), &old)
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

//! The sales report ranks stores and products, those that did not sell last, and a store's
//! report lists every register.

use super::*;

/// Two stores sell, a third never does; a second register stays idle; one product never sells.
async fn ranked_world(db: &PgPool) -> (World, [i64; 4], i64) {
    let w = world(db).await;
    open_register(db, &w).await;
    let idle_store = add_store(db, "Atelier", "", "", 1).await.id;
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
        options: Default::default(),
    };
    let sale = sales::record_sale(&db, &Actor::System, &Rules::default(), &external)
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

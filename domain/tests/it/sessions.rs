//! Register sessions: one open session per register, and the Z report figures at closing.

use crate::world::*;
use domain::sales::{self, CartLine, Channel, NewSale, Payment};
use domain::{Error, Rules, stores};
use rust_decimal_macros::dec;
use sqlx::PgPool;

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_second_open_session_on_a_register_is_refused(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let err = stores::open_session(&db, &w.manager, w.register, dec!(50))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");

    // even when two employees race for the same closed register
    let other = w.other_register;
    let a = stores::open_session(&db, &w.admin, other, dec!(10));
    let b = stores::open_session(&db, &w.other_cashier, other, dec!(10));
    let (a, b) = tokio::join!(a, b);
    assert_eq!([a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(), 1);

    let err = stores::open_session(&db, &w.other_cashier, w.register, dec!(10))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::NotFound { .. }),
        "a cashier opens registers of their store only: another store's is not found"
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_register_is_read_by_its_store_s_staff_and_head_office_only(db: PgPool) {
    let w = world(&db).await;
    for actor in [&w.cashier, &w.manager, &w.admin] {
        let register = stores::get_register(&db, actor, w.register).await.unwrap();
        assert_eq!((register.id, register.store_id), (w.register, w.store));
    }
    let err = stores::get_register(&db, &w.other_cashier, w.register)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::NotFound { .. }),
        "another store's register is not found, as a missing one: {err:?}"
    );
    let own = stores::get_register(&db, &w.other_cashier, w.other_register)
        .await
        .unwrap();
    assert_eq!(own.store_id, w.other_store);
    let err = stores::get_register(&db, &w.admin, 999_999)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn closing_computes_the_z_report(db: PgPool) {
    let w = world(&db).await;
    let session = open_register(&db, &w).await; // float 100.00
    let bread = product(&db, &w, "ALI001", 120, false, 50, 0).await;
    let sale = |id: &str, quantity: i32, payment: Payment| NewSale {
        client_sale_id: id.into(),
        channel: Channel::Till {
            register_id: w.register,
        },
        lines: vec![CartLine {
            product_id: bread,
            quantity,
        }],
        payment,
        options: Default::default(),
    };
    let taxes = Rules::default();
    sales::record_sale(
        &db,
        &w.cashier,
        &taxes,
        &sale(
            "a",
            5,
            Payment::Cash {
                tendered: Some(dec!(10)),
            },
        ),
    )
    .await
    .unwrap();
    sales::record_sale(&db, &w.cashier, &taxes, &sale("b", 2, Payment::Card))
        .await
        .unwrap();

    let z = stores::close_session(&db, &w.cashier, session, dec!(105.50))
        .await
        .unwrap();
    assert_eq!(z.sales_count, 2);
    assert_eq!(z.sales_total, dec!(8.40));
    assert_eq!(z.cash_sales_total, dec!(6.00));
    assert_eq!(z.card_sales_total, dec!(2.40));
    assert_eq!(z.expected_cash, dec!(106.00));
    assert_eq!(z.counted_cash, Some(dec!(105.50)));
    assert_eq!(z.cash_difference, Some(dec!(-0.50)));

    let err = stores::close_session(&db, &w.cashier, session, dec!(1))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "closed once");
    let err = sales::record_sale(&db, &w.cashier, &taxes, &sale("c", 1, Payment::Card))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Conflict(_)),
        "no sale on a closed register"
    );
    assert!(
        stores::current_session(&db, w.register)
            .await
            .unwrap()
            .is_none()
    );
    stores::open_session(&db, &w.cashier, w.register, dec!(0))
        .await
        .unwrap();
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn another_cashier_cannot_close_a_session_but_the_manager_can(db: PgPool) {
    let w = world(&db).await;
    let session = stores::open_session(&db, &w.manager, w.register, dec!(20))
        .await
        .unwrap()
        .id;
    let err = stores::close_session(&db, &w.cashier, session, dec!(20))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)));
    let z = stores::close_session(&db, &w.manager, session, dec!(20))
        .await
        .unwrap();
    assert_eq!(z.cash_difference, Some(dec!(0)));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_store_page_shows_who_opened_each_register_and_today_total(db: PgPool) {
    let w = world(&db).await;
    let bread = product(&db, &w, "ALI001", 120, false, 50, 0).await;
    open_register(&db, &w).await;
    let sale = till_sale("r1", w.register, &[(bread, 2)], Payment::Card);
    sales::record_sale(&db, &w.cashier, &Rules::default(), &sale)
        .await
        .unwrap();
    let statuses = stores::register_statuses(&db, &w.manager, w.store)
        .await
        .unwrap();
    assert_eq!(statuses.len(), 1);
    let r = &statuses[0];
    assert_eq!(r.opened_by_name.as_deref(), Some("caissier"));
    assert!(r.session_id.is_some() && r.opened_at.is_some());
    assert_eq!((r.today_sales, r.today_total), (1, dec!(2.40)));
    // today only: a sale moved to yesterday leaves today's figures
    let second = till_sale("r2", w.register, &[(bread, 1)], Payment::Card);
    let second = sales::record_sale(&db, &w.cashier, &Rules::default(), &second)
        .await
        .unwrap()
        .sale;
    let statuses = stores::register_statuses(&db, &w.manager, w.store)
        .await
        .unwrap();
    assert_eq!(
        (statuses[0].today_sales, statuses[0].today_total),
        (2, dec!(3.60))
    );
    sqlx::query("UPDATE sales SET sold_at = sold_at - interval '1 day' WHERE id = $1")
        .bind(second.id)
        .execute(&db)
        .await
        .unwrap();
    let statuses = stores::register_statuses(&db, &w.manager, w.store)
        .await
        .unwrap();
    assert_eq!(
        (statuses[0].today_sales, statuses[0].today_total),
        (1, dec!(2.40))
    );
    let err = stores::register_statuses(&db, &w.other_cashier, w.store)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)));
    let closed = stores::register_statuses(&db, &w.admin, w.other_store)
        .await
        .unwrap();
    assert!(closed[0].session_id.is_none() && closed[0].opened_by_name.is_none());
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_z_report_is_read_by_its_opener_the_store_s_manager_and_head_office(db: PgPool) {
    let w = world(&db).await;
    let by_manager = stores::open_session(&db, &w.manager, w.register, dec!(50))
        .await
        .unwrap()
        .id;
    for actor in [&w.manager, &w.admin] {
        let report = stores::z_report_for(&db, actor, by_manager).await.unwrap();
        assert_eq!(
            (report.session.id, report.z.session_id),
            (by_manager, by_manager)
        );
        assert_eq!(report.z.opening_float, dec!(50));
    }
    let err = stores::z_report_for(&db, &w.cashier, by_manager)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Forbidden(_)),
        "a cashier who did not open it: {err:?}"
    );
    let err = stores::z_report_for(&db, &w.other_cashier, by_manager)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::NotFound { .. }),
        "another store's session is not found, as a missing one: {err:?}"
    );
    stores::close_session(&db, &w.manager, by_manager, dec!(50))
        .await
        .unwrap();
    let by_cashier = open_register(&db, &w).await;
    let own = stores::z_report_for(&db, &w.cashier, by_cashier)
        .await
        .unwrap();
    assert_eq!(own.session.opened_by, w.cashier.employee_id().unwrap());
    let err = stores::z_report_for(&db, &w.admin, 999_999)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_register_s_sessions_are_listed_newest_first_by_page_for_its_manager(db: PgPool) {
    use domain::page::PageRequest;
    let w = world(&db).await;
    let mut opened = Vec::new();
    for n in 0..3 {
        let id = open_register(&db, &w).await;
        opened.push(id);
        if n < 2 {
            stores::close_session(&db, &w.cashier, id, dec!(100))
                .await
                .unwrap();
        }
    }
    let first = stores::register_sessions(&db, &w.manager, w.register, PageRequest::new(1, 2))
        .await
        .unwrap();
    assert_eq!((first.total, first.pages), (3, 2));
    let ids: Vec<i64> = first.items.iter().map(|s| s.id).collect();
    assert_eq!(ids, [opened[2], opened[1]], "newest first");
    assert!(first.items[0].closed_at.is_none(), "the open one");
    assert_eq!(first.items[1].closed_by_name.as_deref(), Some("caissier"));
    assert_eq!(first.items[1].opened_by_name, "caissier");
    assert_eq!(first.items[1].counted_cash, Some(dec!(100)));
    assert_eq!(first.items[1].sales_count, 0);
    let second = stores::register_sessions(&db, &w.admin, w.register, PageRequest::new(2, 2))
        .await
        .unwrap();
    let ids: Vec<i64> = second.items.iter().map(|s| s.id).collect();
    assert_eq!(ids, [opened[0]]);

    let err = stores::register_sessions(&db, &w.cashier, w.register, PageRequest::default())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    let err = stores::register_sessions(&db, &w.other_cashier, w.register, PageRequest::default())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

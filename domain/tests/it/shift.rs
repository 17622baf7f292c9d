//! A cashier's shift: the till's best sellers, paid-outs and top-ups in the expected cash, the
//! closing count by denomination, the Z report's per-cashier sales, the dashboard's own register.

use crate::world::*;
use domain::sales::{self, Payment};
use domain::stores::{self, CashCount, CashMovementKind};
use domain::{Error, Rules};
use rust_decimal_macros::dec;
use sqlx::PgPool;

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn best_sellers_are_the_store_s_most_sold_of_the_last_30_days(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let bread = product(&db, &w, "ALI001", 120, false, 50, 0).await;
    let milk = product(&db, &w, "ALI002", 250, false, 50, 0).await;
    let old = product(&db, &w, "ALI003", 300, false, 50, 0).await;
    let withdrawn = product(&db, &w, "ALI004", 300, false, 50, 0).await;
    let taxes = Rules::default();
    for (id, lines) in [
        ("a", vec![(milk, 2), (bread, 1)]),
        ("b", vec![(milk, 3)]),
        ("c", vec![(old, 9)]),
        ("d", vec![(withdrawn, 20)]),
    ] {
        sales::record_sale(
            &db,
            &w.cashier,
            &taxes,
            &till_sale(id, w.register, &lines, Payment::Card),
        )
        .await
        .unwrap();
    }
    // 40 days ago is not the last 30 days; a withdrawn product is not sold any more
    sqlx::query(
        "UPDATE sales SET sold_at = now() - INTERVAL '40 days' WHERE client_sale_id LIKE '%c'",
    )
    .execute(&db)
    .await
    .unwrap();
    sqlx::query("UPDATE products SET active = FALSE WHERE id = $1")
        .bind(withdrawn)
        .execute(&db)
        .await
        .unwrap();
    let top = sales::best_sellers(&db, &w.cashier, w.store, 8)
        .await
        .unwrap();
    let ids: Vec<i64> = top.iter().map(|p| p.product_id).collect();
    assert_eq!(
        ids,
        vec![milk, bread],
        "most units first, recent and active only"
    );
    assert_eq!(top[0].in_stock, 45);
    let one = sales::best_sellers(&db, &w.cashier, w.store, 1)
        .await
        .unwrap();
    assert_eq!(one.len(), 1);
    // the other store sold nothing; its cashier does not read this store's
    assert!(
        sales::best_sellers(&db, &w.admin, w.other_store, 8)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        sales::best_sellers(&db, &w.other_cashier, w.store, 8)
            .await
            .is_err()
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn paid_outs_and_top_ups_change_the_expected_cash(db: PgPool) {
    let w = world(&db).await;
    let session = open_register(&db, &w).await; // float 100.00
    let bread = product(&db, &w, "ALI001", 1000, false, 50, 0).await;
    sales::record_sale(
        &db,
        &w.cashier,
        &Rules::default(),
        &till_sale(
            "cash",
            w.register,
            &[(bread, 2)],
            Payment::Cash { tendered: None },
        ),
    )
    .await
    .unwrap();
    let out = stores::record_cash_movement(
        &db,
        &w.cashier,
        session,
        CashMovementKind::PaidOut,
        dec!(45.25),
        "  Livraison de lait  ",
    )
    .await
    .unwrap();
    assert_eq!(
        (out.reason.as_str(), out.amount),
        ("Livraison de lait", dec!(45.25))
    );
    stores::record_cash_movement(
        &db,
        &w.manager,
        session,
        CashMovementKind::TopUp,
        dec!(50),
        "Monnaie",
    )
    .await
    .unwrap();

    for (amount, reason) in [
        (dec!(0), "Livraison"),
        (dec!(-5), "Livraison"),
        (dec!(1.005), "Livraison"),
        (dec!(5), "   "),
        (dec!(5), &"x".repeat(201)[..]),
    ] {
        let err = stores::record_cash_movement(
            &db,
            &w.cashier,
            session,
            CashMovementKind::PaidOut,
            amount,
            reason,
        )
        .await
        .unwrap_err();
        assert!(
            matches!(err, Error::Validation(_)),
            "{amount} {reason:?}: {err:?}"
        );
    }
    // another cashier of the store does not answer for this drawer; another store's is not found
    let other = add_employee(
        &db,
        "autre2",
        "Autre",
        "secret",
        domain::Role::Caissier,
        Some(w.store),
    )
    .await
    .actor();
    let err = stores::record_cash_movement(
        &db,
        &other,
        session,
        CashMovementKind::PaidOut,
        dec!(1),
        "x",
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    let err = stores::record_cash_movement(
        &db,
        &w.other_cashier,
        session,
        CashMovementKind::PaidOut,
        dec!(1),
        "x",
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");

    let moves = stores::cash_movements(&db, session).await.unwrap();
    assert_eq!(moves.len(), 2, "refused movements are not recorded");
    let running = stores::z_report(&db, session).await.unwrap();
    assert_eq!(running.paid_outs_total, dec!(45.25));
    assert_eq!(running.top_ups_total, dec!(50));
    // float 100 + cash sales 20 + top-up 50 - paid-out 45.25
    assert_eq!(running.expected_cash, dec!(124.75));

    let z = stores::close_session(&db, &w.cashier, session, dec!(124.75))
        .await
        .unwrap();
    assert_eq!(
        (z.expected_cash, z.cash_difference),
        (dec!(124.75), Some(dec!(0)))
    );
    let err = stores::record_cash_movement(
        &db,
        &w.cashier,
        session,
        CashMovementKind::TopUp,
        dec!(1),
        "x",
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, Error::Conflict(_)),
        "a closed session's figures are final"
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_count_by_denomination_is_the_counted_cash_and_is_kept(db: PgPool) {
    let w = world(&db).await;
    let session = open_register(&db, &w).await; // float 100.00
    let count = CashCount::new([("50", 1), ("20", 2), ("0.25", 3), ("0.05", 1), ("1", 0)]).unwrap();
    assert_eq!(count.total(), dec!(90.80));
    assert!(CashCount::new([("3", 1)]).is_err(), "no 3 $ note");
    assert!(CashCount::new([("1", -1)]).is_err());
    assert!(CashCount::new([("1", 100_000)]).is_err());

    let z = stores::close_session_counted(&db, &w.cashier, session, &count)
        .await
        .unwrap();
    assert_eq!(z.counted_cash, Some(dec!(90.80)));
    assert_eq!(z.cash_difference, Some(dec!(-9.20)));
    let kept = z.counted_denominations.0.expect("the count is kept");
    assert_eq!(
        (kept.pieces("20"), kept.pieces("0.25"), kept.pieces("1")),
        (2, 3, 0)
    );
    let stored: String = sqlx::query_scalar(
        "SELECT counted_denominations::TEXT FROM register_sessions WHERE id = $1",
    )
    .bind(session)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(stored, r#"{"20": 2, "50": 1, "0.05": 1, "0.25": 3}"#);

    // typed as one amount: no count
    let again = open_register(&db, &w).await;
    let z = stores::close_session(&db, &w.cashier, again, dec!(100))
        .await
        .unwrap();
    assert!(z.counted_denominations.0.is_none());
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_z_report_breaks_sales_down_by_cashier(db: PgPool) {
    let w = world(&db).await;
    let session = open_register(&db, &w).await;
    let bread = product(&db, &w, "ALI001", 1000, false, 50, 0).await;
    let taxes = Rules::default();
    for (actor, id, qty) in [
        (&w.cashier, "a", 1),
        (&w.manager, "b", 3),
        (&w.cashier, "c", 1),
    ] {
        sales::record_sale(
            &db,
            actor,
            &taxes,
            &till_sale(id, w.register, &[(bread, qty)], Payment::Card),
        )
        .await
        .unwrap();
    }
    let by = stores::sales_by_cashier(&db, session).await.unwrap();
    let rows: Vec<(&str, i64, rust_decimal::Decimal)> = by
        .iter()
        .map(|c| (c.employee_name.as_str(), c.sales_count, c.sales_total))
        .collect();
    assert_eq!(
        rows,
        vec![("gerant", 1, dec!(30)), ("caissier", 2, dec!(20))]
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn an_employee_finds_the_register_they_opened(db: PgPool) {
    let w = world(&db).await;
    assert!(
        stores::own_open_register(&db, &w.cashier)
            .await
            .unwrap()
            .is_none()
    );
    open_register(&db, &w).await;
    let own = stores::own_open_register(&db, &w.cashier).await.unwrap();
    assert_eq!(own.map(|r| r.id), Some(w.register));
    assert!(
        stores::own_open_register(&db, &w.manager)
            .await
            .unwrap()
            .is_none(),
        "the manager did not open it"
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_return_s_preview_is_the_refund_recorded_and_writes_nothing(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let taxed = product(&db, &w, "MAI001", 1999, true, 10, 0).await;
    let plain = product(&db, &w, "ALI001", 350, false, 10, 0).await;
    let sale = sales::record_sale(
        &db,
        &w.cashier,
        &Rules::default(),
        &till_sale("r", w.register, &[(taxed, 3), (plain, 2)], Payment::Card),
    )
    .await
    .unwrap()
    .sale;
    let mut new = return_of(&sale, taxed, 2);
    new.lines.extend(return_of(&sale, plain, 1).lines);

    let preview = sales::preview_return(&db, &w.cashier, &new).await.unwrap();
    assert_eq!(preview.lines.len(), 2);
    let line = preview
        .lines
        .iter()
        .find(|l| l.product_id == taxed)
        .unwrap();
    assert_eq!(
        (line.quantity, line.amount, line.taxable),
        (2, dec!(39.98), true)
    );
    assert_eq!(preview.refund_method, sales::PaymentMethod::Carte);
    // nothing written: no return, nothing marked returned, the stock as sold
    let returns: i64 = sqlx::query_scalar("SELECT count(*) FROM returns")
        .fetch_one(&db)
        .await
        .unwrap();
    let returned: i64 = sqlx::query_scalar("SELECT sum(returned_quantity) FROM sale_lines")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!((returns, returned), (0, 0));
    assert_eq!(store_qty(&db, w.store, taxed).await, 7);

    let recorded = sales::create_return(&db, &w.cashier, &new).await.unwrap();
    assert_eq!(
        (
            recorded.subtotal,
            recorded.tps,
            recorded.tvq,
            recorded.refund_amount
        ),
        (
            preview.refund.subtotal,
            preview.refund.tps,
            preview.refund.tvq,
            preview.refund.total
        ),
        "the preview is what is refunded"
    );
    assert_eq!(preview.refund.subtotal, dec!(43.48));

    // the same checks: no more than what is left, a reason, the store's staff
    let err = sales::preview_return(&db, &w.cashier, &return_of(&sale, taxed, 2))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    let mut no_reason = return_of(&sale, taxed, 1);
    no_reason.reason = " ".into();
    assert!(matches!(
        sales::preview_return(&db, &w.cashier, &no_reason)
            .await
            .unwrap_err(),
        Error::Validation(_)
    ));
    assert!(
        sales::preview_return(&db, &w.other_cashier, &return_of(&sale, taxed, 1))
            .await
            .is_err()
    );
}

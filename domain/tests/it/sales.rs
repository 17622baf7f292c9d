//! The atomic sale: summed quantities, conditional decrements, all or nothing, prices from the
//! database, taxes, idempotent client id; and returns bounded by what remains.

use crate::world::*;
use domain::sales::{self, CartLine, Channel, NewReturn, NewSale, Payment, ReturnLineInput};
use domain::{Error, Rules, stores};
use rust_decimal_macros::dec;
use sqlx::PgPool;

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_sale_takes_prices_from_the_database_and_computes_taxes(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let soap = product(&db, &w, "HYG002", 120, true, 10, 0).await;
    let bread = product(&db, &w, "ALI001", 120, false, 10, 0).await;
    let new = till_sale(
        "s1",
        w.register,
        &[(soap, 2), (bread, 1)],
        Payment::Cash {
            tendered: Some(dec!(10)),
        },
    );
    let out = sales::record_sale(&db, &w.cashier, &Rules::default(), &new)
        .await
        .unwrap();
    assert!(!out.replayed);
    let sale = out.sale;
    // the receipt is built from what the sale wrote: it is what a later read returns
    let stored = sales::get_sale(&db, &w.cashier, sale.id).await.unwrap();
    assert_eq!(sale, stored);
    assert_eq!(
        sale.employee_name.as_deref(),
        Some(stored.employee_name.unwrap().as_str())
    );
    assert_eq!(sale.lines[1].product_code, "ALI001");
    assert_eq!(sale.subtotal, dec!(3.60));
    assert_eq!(sale.tps, dec!(0.12)); // 2.40 * 5 %
    assert_eq!(sale.tvq, dec!(0.24)); // 2.40 * 9.975 % = 0.2394
    assert_eq!(sale.total, dec!(3.96));
    assert_eq!(sale.change_given, Some(dec!(6.04)));
    assert_eq!(sale.lines.len(), 2);
    assert_eq!(sale.lines[0].unit_price, dec!(1.20));
    assert_eq!(store_qty(&db, w.store, soap).await, 8);
    assert_eq!(store_qty(&db, w.store, bread).await, 9);
    assert_eq!(movement_count(&db, "sale", soap).await, 1);
    assert_movements_explain_stock(&db).await;
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn two_lines_of_one_product_are_checked_against_their_sum(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let milk = product(&db, &w, "ALI002", 110, false, 5, 0).await;
    let water = product(&db, &w, "BOI001", 70, true, 5, 0).await;
    let new = till_sale(
        "s1",
        w.register,
        &[(water, 1), (milk, 3), (milk, 3)],
        Payment::Card,
    );
    let err = sales::record_sale(&db, &w.cashier, &Rules::default(), &new)
        .await
        .unwrap_err();
    match err {
        Error::InsufficientStock {
            product_id,
            requested,
            available,
            ref product_code,
            ..
        } => {
            assert_eq!((product_id, requested, available), (milk, 6, 5));
            assert_eq!(product_code, "ALI002");
        }
        other => panic!("expected InsufficientStock, got {other:?}"),
    }
    // all or nothing: the water line did not move either
    assert_eq!(store_qty(&db, w.store, water).await, 5);
    assert_eq!(store_qty(&db, w.store, milk).await, 5);
    let sales: i64 = sqlx::query_scalar("SELECT count(*) FROM sales")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(sales, 0);

    let ok = till_sale("s2", w.register, &[(milk, 2), (milk, 3)], Payment::Card);
    let sale = sales::record_sale(&db, &w.cashier, &Rules::default(), &ok)
        .await
        .unwrap()
        .sale;
    assert_eq!(sale.lines.len(), 1, "lines of one product are merged");
    assert_eq!(sale.lines[0].quantity, 5);
    assert_eq!(store_qty(&db, w.store, milk).await, 0);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn fifty_concurrent_sales_of_the_last_units_never_oversell(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let cola = product(&db, &w, "BOI003", 180, true, 10, 0).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..50 {
        let (db, actor, register) = (db.clone(), w.cashier, w.register);
        tasks.spawn(async move {
            let new = till_sale(&format!("c{i}"), register, &[(cola, 1)], Payment::Card);
            sales::record_sale(&db, &actor, &Rules::default(), &new).await
        });
    }
    let (mut sold, mut refused) = (0, 0);
    while let Some(result) = tasks.join_next().await {
        match result.unwrap() {
            Ok(_) => sold += 1,
            Err(Error::InsufficientStock { available: 0, .. }) => refused += 1,
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }
    assert_eq!((sold, refused), (10, 40));
    assert_eq!(store_qty(&db, w.store, cola).await, 0);
    assert_eq!(
        movement_count(&db, "sale", cola).await,
        10,
        "one movement per sale line"
    );
    assert_movements_explain_stock(&db).await;
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_retried_sale_returns_the_first_one(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let bread = product(&db, &w, "ALI001", 120, false, 20, 0).await;
    let new = till_sale("retry-me", w.register, &[(bread, 2)], Payment::Card);
    let first = sales::record_sale(&db, &w.cashier, &Rules::default(), &new)
        .await
        .unwrap();
    let again = sales::record_sale(&db, &w.cashier, &Rules::default(), &new)
        .await
        .unwrap();
    assert!(again.replayed);
    assert_eq!(again.sale.id, first.sale.id);

    // and when the retries race each other, still one sale
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (db, actor, register) = (db.clone(), w.cashier, w.register);
        tasks.spawn(async move {
            let new = till_sale("raced", register, &[(bread, 1)], Payment::Card);
            sales::record_sale(&db, &actor, &Rules::default(), &new)
                .await
                .unwrap()
                .sale
                .id
        });
    }
    let ids: Vec<i64> = tasks.join_all().await;
    assert!(ids.iter().all(|id| *id == ids[0]));
    assert_eq!(store_qty(&db, w.store, bread).await, 17);
    assert_movements_explain_stock(&db).await;
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_till_sale_needs_an_open_session_and_the_right_store(db: PgPool) {
    let w = world(&db).await;
    let bread = product(&db, &w, "ALI001", 120, false, 20, 0).await;
    let new = till_sale("closed", w.register, &[(bread, 1)], Payment::Card);
    let err = sales::record_sale(&db, &w.cashier, &Rules::default(), &new)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");

    open_register(&db, &w).await;
    let err = sales::record_sale(&db, &w.other_cashier, &Rules::default(), &new)
        .await
        .unwrap_err();
    // another store's register is not found, like a missing one
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");

    let short = till_sale(
        "short",
        w.register,
        &[(bread, 1)],
        Payment::Cash {
            tendered: Some(dec!(1.00)),
        },
    );
    let err = sales::record_sale(&db, &w.cashier, &Rules::default(), &short)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Validation(ref e) if e[0].field == "amount_tendered"),
        "{err:?}"
    );
    assert_eq!(store_qty(&db, w.store, bread).await, 20);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn inactive_or_unknown_products_are_not_sold(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let bread = product(&db, &w, "ALI001", 120, false, 20, 0).await;
    domain::catalog::set_product_active(&db, &w.admin, bread, false)
        .await
        .unwrap();
    let new = till_sale("inactive", w.register, &[(bread, 1)], Payment::Card);
    let err = sales::record_sale(&db, &w.cashier, &Rules::default(), &new)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    let unknown = till_sale("unknown", w.register, &[(999_999, 1)], Payment::Card);
    let err = sales::record_sale(&db, &w.cashier, &Rules::default(), &unknown)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn an_external_channel_sells_from_store_stock_without_a_register(db: PgPool) {
    let w = world(&db).await;
    let bread = product(&db, &w, "ALI001", 120, false, 20, 0).await;
    let new = NewSale {
        client_sale_id: "web-1".into(),
        channel: Channel::External { store_id: w.store },
        lines: vec![CartLine {
            product_id: bread,
            quantity: 4,
        }],
        payment: Payment::Card,
        options: Default::default(),
    };
    let sale = sales::record_sale(
        &db,
        &domain::Actor::ApiClient { id: None },
        &Rules::default(),
        &new,
    )
    .await
    .unwrap()
    .sale;
    assert_eq!(sale.register_id, None);
    assert_eq!(sale.total, dec!(4.80));
    assert_eq!(store_qty(&db, w.store, bread).await, 16);
    let stored = sales::get_sale(&db, &domain::Actor::System, sale.id)
        .await
        .unwrap();
    assert_eq!(sale, stored);

    // a store that does not exist is named as such, and nothing is written
    let elsewhere = NewSale {
        client_sale_id: "web-2".into(),
        channel: Channel::External { store_id: 999 },
        ..new
    };
    let err = sales::record_sale(
        &db,
        &domain::Actor::ApiClient { id: None },
        &Rules::default(),
        &elsewhere,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotFound {
                entity: "Magasin",
                ..
            }
        ),
        "{err:?}"
    );
    assert_movements_explain_stock(&db).await;
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_retry_returns_the_first_sale_after_its_stock_is_gone_or_the_till_closed(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let cola = product(&db, &w, "BOI003", 180, true, 2, 0).await;
    let new = till_sale("last-two", w.register, &[(cola, 2)], Payment::Card);
    let first = sales::record_sale(&db, &w.cashier, &Rules::default(), &new)
        .await
        .unwrap();
    assert_eq!(store_qty(&db, w.store, cola).await, 0);
    // the stock is gone: the retry is still the recorded sale, not a refusal
    let again = sales::record_sale(&db, &w.cashier, &Rules::default(), &new)
        .await
        .unwrap();
    assert!(again.replayed);
    assert_eq!(again.sale, first.sale);
    // another sale of the same product is refused, naming what is left
    let other = till_sale("after", w.register, &[(cola, 1)], Payment::Card);
    let err = sales::record_sale(&db, &w.cashier, &Rules::default(), &other)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InsufficientStock {
                requested: 1,
                available: 0,
                ..
            }
        ),
        "{err:?}"
    );
    // the till closed since: the retry still answers with the first sale
    sqlx::query(
        "UPDATE register_sessions SET closed_at = now(), closed_by = opened_by, counted_cash = 0,
                expected_cash = 0, cash_difference = 0",
    )
    .execute(&db)
    .await
    .unwrap();
    let late = sales::record_sale(&db, &w.cashier, &Rules::default(), &new)
        .await
        .unwrap();
    assert!(late.replayed);
    assert_eq!(late.sale.id, first.sale.id);
    assert_movements_explain_stock(&db).await;
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn carts_sharing_scarce_products_in_opposite_orders_neither_deadlock_nor_oversell(
    db: PgPool,
) {
    let w = world(&db).await;
    let a = product(&db, &w, "ALI001", 120, false, 30, 0).await;
    let b = product(&db, &w, "BOI001", 70, true, 30, 0).await;
    let c = product(&db, &w, "HYG001", 399, true, 30, 0).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..60 {
        let db = db.clone();
        let lines = match i % 3 {
            0 => [(a, 1), (b, 1), (c, 1)],
            1 => [(c, 1), (b, 1), (a, 1)],
            _ => [(b, 1), (a, 1), (c, 1)],
        };
        tasks.spawn(async move {
            let new = external_sale(&format!("x{i}"), w.store, &lines);
            sales::record_sale(
                &db,
                &domain::Actor::ApiClient { id: None },
                &Rules::default(),
                &new,
            )
            .await
        });
    }
    assert_eq!(sold_and_refused(tasks.join_all().await), (30, 30));
    for p in [a, b, c] {
        assert_eq!(store_qty(&db, w.store, p).await, 0);
    }
    assert_movements_explain_stock(&db).await;
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn partial_returns_are_bounded_by_what_remains(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let soap = product(&db, &w, "HYG002", 120, true, 10, 0).await;
    let bread = product(&db, &w, "ALI001", 120, false, 10, 0).await;
    let new = till_sale(
        "s",
        w.register,
        &[(soap, 3), (bread, 1)],
        Payment::Cash { tendered: None },
    );
    let sale = sales::record_sale(&db, &w.cashier, &Rules::default(), &new)
        .await
        .unwrap()
        .sale;
    let soap_line = sale.lines.iter().find(|l| l.product_id == soap).unwrap().id;
    let bread_line = sale
        .lines
        .iter()
        .find(|l| l.product_id == bread)
        .unwrap()
        .id;

    let ret = |lines: Vec<(i64, i32)>| NewReturn {
        sale_id: sale.id,
        lines: lines
            .into_iter()
            .map(|(sale_line_id, quantity)| ReturnLineInput {
                sale_line_id,
                quantity,
            })
            .collect(),
        reason: "Produit défectueux".into(),
        register_id: Some(w.register),
        to_store_credit: false,
    };
    let first = sales::create_return(&db, &w.cashier, &ret(vec![(soap_line, 2)]))
        .await
        .unwrap();
    assert_eq!(first.subtotal, dec!(2.40));
    assert_eq!(store_qty(&db, w.store, soap).await, 9);

    let err = sales::create_return(&db, &w.cashier, &ret(vec![(soap_line, 2)]))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Validation(_)),
        "more than remains: {err:?}"
    );
    assert_eq!(
        store_qty(&db, w.store, soap).await,
        9,
        "a refused return moves nothing"
    );

    let err = sales::create_return(&db, &w.other_cashier, &ret(vec![(soap_line, 1)]))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::NotFound { .. }),
        "another store's sale is not found"
    );

    let rest = sales::create_return(&db, &w.cashier, &ret(vec![(soap_line, 1), (bread_line, 1)]))
        .await
        .unwrap();
    assert_eq!(
        first.refund_amount + rest.refund_amount,
        sale.total,
        "everything returned = total refunded"
    );
    let reread = sales::get_sale(&db, &w.cashier, sale.id).await.unwrap();
    assert_eq!(reread.returns.len(), 2);
    assert!(reread.lines.iter().all(|l| l.returnable() == 0));
    assert_eq!(store_qty(&db, w.store, soap).await, 10);
    assert_eq!(movement_count(&db, "return", soap).await, 2);
    assert_movements_explain_stock(&db).await;

    // the refunds paid at the till appear in its Z report
    let session = stores::current_session(&db, w.register)
        .await
        .unwrap()
        .unwrap();
    let z = stores::z_report(&db, session.id).await.unwrap();
    assert_eq!(z.cash_refunds_total, sale.total);
    assert_eq!(z.expected_cash, dec!(100.00));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn recent_sales_are_the_store_s_latest_first(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let bread = product(&db, &w, "ALI001", 120, false, 50, 0).await;
    let mut ids = Vec::new();
    for i in 0..4 {
        let new = till_sale(&format!("r{i}"), w.register, &[(bread, 1)], Payment::Card);
        let sale = sales::record_sale(&db, &w.cashier, &Rules::default(), &new)
            .await
            .unwrap()
            .sale;
        ids.push(sale.id);
    }
    let recent = sales::recent_sales(&db, &w.cashier, w.store, 3)
        .await
        .unwrap();
    let shown: Vec<i64> = recent.iter().map(|s| s.id).collect();
    assert_eq!(shown, vec![ids[3], ids[2], ids[1]]);
    assert_eq!(recent[0].items, 1);
    let err = sales::recent_sales(&db, &w.other_cashier, w.store, 3)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn carts_recorded_together_get_what_each_would_get_alone(db: PgPool) {
    let w = world(&db).await;
    let a = product(&db, &w, "ALI001", 120, false, 2, 0).await;
    let b = product(&db, &w, "BOI001", 70, true, 0, 0).await;
    let c = product(&db, &w, "HYG001", 399, true, 10, 0).await;
    shelve(&db, w.other_store, c, 5).await;
    open_register(&db, &w).await;
    let api = domain::Actor::ApiClient { id: None };
    let carts = vec![
        (api, external_sale("x0", w.store, &[(a, 1), (c, 2)])),
        // the carts before it already want all of `a`: tried alone, after them
        (api, external_sale("x1", w.store, &[(a, 2)])),
        (api, external_sale("x2", w.store, &[(a, 1)])),
        (api, external_sale("x3", w.store, &[(b, 1)])),
        (
            w.cashier,
            till_sale(
                "x4",
                w.register,
                &[(c, 1)],
                Payment::Cash {
                    tendered: Some(dec!(10)),
                },
            ),
        ),
        (api, external_sale("x5", w.other_store, &[(c, 1)])),
        (api, external_sale("x6", w.store, &[(999_999, 1)])),
        // the same client sale id as the first cart: its sale, once
        (api, external_sale("x0", w.store, &[(a, 1), (c, 2)])),
        (api, external_sale("x8", w.store, &[])),
        // a cashier of the other store may not sell here
        (
            w.other_cashier,
            till_sale("x9", w.register, &[(c, 1)], Payment::Card),
        ),
    ];
    let outcomes = sell_together(&db, &carts).await;
    assert_eq!(outcomes.len(), carts.len());

    let sold = |i: usize| match &outcomes[i] {
        Ok(outcome) => outcome,
        Err(e) => panic!("cart {i} refused: {e:?}"),
    };
    for i in [0, 2, 4, 5] {
        let outcome = sold(i);
        assert!(!outcome.replayed, "cart {i}");
        assert_eq!(outcome.sale.client_sale_id, carts[i].1.client_sale_id);
        let read = sales::get_sale(&db, &w.admin, outcome.sale.id)
            .await
            .unwrap();
        assert_eq!(
            read, outcome.sale,
            "the receipt of cart {i} is what was written"
        );
    }
    assert_eq!(sold(4).sale.register_id, Some(w.register));
    assert_eq!(
        sold(4).sale.change_given,
        Some(dec!(10) - sold(4).sale.total)
    );
    assert_eq!(sold(5).sale.store_id, w.other_store);
    assert!(sold(7).replayed);
    assert_eq!(sold(7).sale, sold(0).sale);
    assert!(matches!(
        &outcomes[1],
        Err(Error::InsufficientStock { product_id, requested: 2, available: 1, .. }) if *product_id == a
    ));
    assert!(matches!(
        &outcomes[3],
        Err(Error::InsufficientStock { product_id, available: 0, .. }) if *product_id == b
    ));
    assert!(matches!(
        &outcomes[6],
        Err(Error::NotFound {
            entity: "Produit",
            ..
        })
    ));
    assert!(matches!(&outcomes[8], Err(Error::Validation(_))));
    assert!(matches!(&outcomes[9], Err(Error::NotFound { .. })));

    assert_eq!(store_qty(&db, w.store, a).await, 0);
    assert_eq!(store_qty(&db, w.store, b).await, 0);
    assert_eq!(store_qty(&db, w.store, c).await, 7);
    assert_eq!(store_qty(&db, w.other_store, c).await, 4);
    let recorded: i64 = sqlx::query_scalar("SELECT count(*) FROM sales")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(recorded, 4);
    assert_movements_explain_stock(&db).await;
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn concurrent_groups_of_carts_over_scarce_products_neither_deadlock_nor_oversell(db: PgPool) {
    let w = world(&db).await;
    let a = product(&db, &w, "ALI001", 120, false, 30, 0).await;
    let b = product(&db, &w, "BOI001", 70, true, 30, 0).await;
    let c = product(&db, &w, "HYG001", 399, true, 30, 0).await;
    let mut tasks = tokio::task::JoinSet::new();
    for group in 0..20 {
        let db = db.clone();
        tasks.spawn(async move {
            let carts: Vec<_> = (0..3)
                .map(|j| {
                    let lines = match (group + j) % 3 {
                        0 => [(a, 1), (b, 1), (c, 1)],
                        1 => [(c, 1), (b, 1), (a, 1)],
                        _ => [(b, 1), (a, 1), (c, 1)],
                    };
                    let new = external_sale(&format!("g{group}-{j}"), w.store, &lines);
                    (domain::Actor::ApiClient { id: None }, new)
                })
                .collect();
            sell_together(&db, &carts).await
        });
    }
    let outcomes = tasks.join_all().await.into_iter().flatten().collect();
    assert_eq!(sold_and_refused(outcomes), (30, 30));
    for p in [a, b, c] {
        assert_eq!(store_qty(&db, w.store, p).await, 0);
    }
    assert_movements_explain_stock(&db).await;
}

/// How many attempts sold and how many were refused for stock now at zero; anything else fails.
fn sold_and_refused<T: std::fmt::Debug>(outcomes: Vec<domain::Result<T>>) -> (usize, usize) {
    let (mut sold, mut refused) = (0, 0);
    for outcome in outcomes {
        match outcome {
            Ok(_) => sold += 1,
            Err(Error::InsufficientStock { available: 0, .. }) => refused += 1,
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }
    (sold, refused)
}

//! What a caller cannot learn or break: another store's sales, returns, registers, sessions and
//! requests are not found for store staff, exactly like missing ids (role refusals inside their
//! own store stay forbidden); amounts, cart sizes and replenishment quantities are bounded, and
//! a value too large for its column is refused, never an internal error.

use crate::world::*;
use domain::inventory::{self, Location, RequestLine, Transition};
use domain::sales::{self, NewReturn, Payment, ReturnLineInput};
use domain::{Error, Rules, stores};
use rust_decimal_macros::dec;
use sqlx::PgPool;

fn not_found<T: std::fmt::Debug>(result: Result<T, Error>) -> bool {
    matches!(result, Err(Error::NotFound { .. }))
}

fn fields<T: std::fmt::Debug>(result: Result<T, Error>) -> Vec<String> {
    match result {
        Err(Error::Validation(errors)) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn another_store_s_ids_answer_like_missing_ones(db: PgPool) {
    let w = world(&db).await;
    let session = open_register(&db, &w).await;
    let bread = product(&db, &w, "ALI001", 120, false, 20, 100).await;
    let sale = sales::record_sale(
        &db,
        &w.cashier,
        &Rules::default(),
        &till_sale("v1", w.register, &[(bread, 2)], Payment::Card),
    )
    .await
    .unwrap()
    .sale;
    let give_back = NewReturn {
        sale_id: sale.id,
        lines: vec![ReturnLineInput {
            sale_line_id: sale.lines[0].id,
            quantity: 1,
        }],
        reason: "Défectueux".into(),
        register_id: None,
        to_store_credit: false,
    };
    let ret = sales::create_return(&db, &w.cashier, &give_back)
        .await
        .unwrap();
    let request = inventory::create_request(&db, &w.manager, w.store, bread, 5, "")
        .await
        .unwrap();

    let stranger = w.other_cashier;
    let missing = 999_999;
    for (what, theirs, absent) in [
        (
            "sale",
            not_found(sales::get_sale(&db, &stranger, sale.id).await),
            not_found(sales::get_sale(&db, &stranger, missing).await),
        ),
        (
            "return",
            not_found(sales::get_return(&db, &stranger, ret.id).await),
            not_found(sales::get_return(&db, &stranger, missing).await),
        ),
        (
            "return of a sale",
            not_found(sales::create_return(&db, &stranger, &give_back).await),
            not_found(
                sales::create_return(
                    &db,
                    &stranger,
                    &NewReturn {
                        sale_id: missing,
                        ..give_back.clone()
                    },
                )
                .await,
            ),
        ),
        (
            "request history",
            not_found(inventory::request_history(&db, &stranger, request.id).await),
            not_found(inventory::request_history(&db, &stranger, missing).await),
        ),
        (
            "request transition",
            not_found(
                inventory::transition(&db, &stranger, request.id, Transition::Cancel, None).await,
            ),
            not_found(
                inventory::transition(&db, &stranger, missing, Transition::Cancel, None).await,
            ),
        ),
        (
            "register",
            not_found(stores::open_session(&db, &stranger, w.register, dec!(10)).await),
            not_found(stores::open_session(&db, &stranger, missing, dec!(10)).await),
        ),
        (
            "session",
            not_found(stores::close_session(&db, &stranger, session, dec!(10)).await),
            not_found(stores::close_session(&db, &stranger, missing, dec!(10)).await),
        ),
    ] {
        assert!(
            theirs && absent,
            "{what}: another store's {theirs}, missing {absent}"
        );
    }

    // inside their own store, a role refusal is still a refusal
    assert!(matches!(
        inventory::transition(&db, &w.cashier, request.id, Transition::Cancel, None).await,
        Err(Error::Forbidden(_))
    ));
    assert!(matches!(
        inventory::transition(&db, &w.manager, request.id, Transition::Approve, None).await,
        Err(Error::Forbidden(_))
    ));
    // and head office sees every store
    sales::get_sale(&db, &w.admin, sale.id).await.unwrap();
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn replenishment_quantities_are_bounded_and_a_delivery_never_overflows(db: PgPool) {
    let w = world(&db).await;
    let oil = product(&db, &w, "EPI001", 500, false, 0, 1_000_000).await;
    let max = inventory::MAX_REQUEST_QUANTITY;
    assert_eq!(
        fields(inventory::create_request(&db, &w.manager, w.store, oil, max + 1, "").await),
        ["quantity"]
    );
    let line = |quantity| RequestLine {
        product_id: oil,
        quantity,
    };
    assert_eq!(
        fields(inventory::create_requests(&db, &w.manager, w.store, &[line(i32::MAX)], "").await),
        [format!("quantity.{oil}")]
    );
    let request = inventory::create_request(&db, &w.manager, w.store, oil, max, "")
        .await
        .unwrap();
    inventory::transition(&db, &w.admin, request.id, Transition::Approve, None)
        .await
        .unwrap();
    // a shelf counted near the column's limit: the delivery would not fit
    inventory::adjust_stock(
        &db,
        &w.admin,
        Location::Store(w.store),
        oil,
        i32::MAX - 10,
        "inventaire",
    )
    .await
    .unwrap();
    let err = inventory::transition(&db, &w.admin, request.id, Transition::Deliver, None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    assert_eq!(store_qty(&db, w.store, oil).await, i32::MAX - 10);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn amounts_beyond_what_the_database_holds_are_refused_by_field(db: PgPool) {
    let w = world(&db).await;
    let bread = product(&db, &w, "ALI001", 120, false, 20, 0).await;
    let huge = dec!(1000000000000000);
    assert_eq!(
        fields(stores::open_session(&db, &w.cashier, w.register, huge).await),
        ["opening_float"]
    );
    let session = open_register(&db, &w).await;
    let cash = till_sale(
        "cash",
        w.register,
        &[(bread, 1)],
        Payment::Cash {
            tendered: Some(huge),
        },
    );
    assert_eq!(
        fields(sales::record_sale(&db, &w.cashier, &Rules::default(), &cash).await),
        ["amount_tendered"]
    );
    assert_eq!(
        fields(stores::close_session(&db, &w.cashier, session, huge).await),
        ["counted_cash"]
    );
    // the largest storable amount is fine
    stores::close_session(&db, &w.cashier, session, domain::money::MAX_AMOUNT)
        .await
        .unwrap();
}

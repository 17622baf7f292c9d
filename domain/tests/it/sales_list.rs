//! The sales list for accounting: a period of each store's local days, store filters, cursor
//! pages that cover every sale once while tills keep selling, sales as whole as one read by id,
//! validation, and who may read which store.

use crate::world::*;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use domain::customers::{self, NewCustomer};
use domain::reporting::Period;
use domain::sales::{self, Payment, SaleOptions, SalesList, SalesListRequest};
use domain::{Actor, Error, Rules};
use rust_decimal_macros::dec;
use sqlx::PgPool;

/// A Wednesday in winter (Montreal is UTC-5), well before any test runs.
fn d0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 15).unwrap()
}

fn local(tz: Tz, day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    tz.from_local_datetime(&day.and_hms_opt(hour, minute, 0).unwrap())
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn request(from: NaiveDate, to: NaiveDate) -> SalesListRequest {
    SalesListRequest::new(Period { from, to })
}

/// Days around now wide enough to hold "now" in any store's time zone.
fn around_today() -> SalesListRequest {
    let today = Utc::now().date_naive();
    request(today - Duration::days(1), today + Duration::days(1))
}

/// Puts bread in both stores and opens both registers; the bread's id.
async fn both_stores_selling(db: &PgPool, w: &World) -> i64 {
    open_register(db, w).await;
    let bread = product(db, w, "ALI001", 120, false, 100, 0).await;
    shelve(db, w.other_store, bread, 100).await;
    domain::stores::open_session(db, &w.other_cashier, w.other_register, dec!(50))
        .await
        .unwrap();
    bread
}

/// A card sale of one bread at `register` by `actor`, dated `at` when given; its id.
async fn sell_at(
    db: &PgPool,
    actor: &Actor,
    register: i64,
    id: &str,
    bread: i64,
    at: Option<DateTime<Utc>>,
) -> i64 {
    let new = till_sale(id, register, &[(bread, 1)], Payment::Card);
    let sale = sales::record_sale(db, actor, &Rules::default(), &new)
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
    sale.id
}

fn ids(list: &SalesList) -> Vec<i64> {
    list.items.iter().map(|s| s.id).collect()
}

async fn list(db: &PgPool, actor: &Actor, request: &SalesListRequest) -> SalesList {
    sales::list_sales(db, actor, request).await.unwrap()
}

fn fields(err: Error) -> Vec<String> {
    match err {
        Error::Validation(errors) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_day_is_the_local_day_of_each_store(db: PgPool) {
    let w = world(&db).await;
    let bread = both_stores_selling(&db, &w).await;
    sqlx::query("UPDATE stores SET time_zone = 'America/Vancouver' WHERE id = $1")
        .bind(w.other_store)
        .execute(&db)
        .await
        .unwrap();
    let montreal = chrono_tz::America::Montreal;
    let next = d0() + Duration::days(1);
    // 23:30 in Montreal is already the next day in UTC: still d0 for the store
    let late = local(montreal, d0(), 23, 30);
    assert_eq!(late.date_naive(), next);
    let late = sell_at(&db, &w.cashier, w.register, "late", bread, Some(late)).await;
    let early = local(montreal, next, 0, 10);
    let early = sell_at(&db, &w.cashier, w.register, "early", bread, Some(early)).await;
    let before = local(montreal, d0(), 0, 0) - Duration::seconds(1);
    sell_at(&db, &w.cashier, w.register, "before", bread, Some(before)).await;
    // 23:30 in Vancouver is 02:30 the next day in Montreal, still d0 in Vancouver
    let west = local(chrono_tz::America::Vancouver, d0(), 23, 30);
    let west = sell_at(
        &db,
        &w.other_cashier,
        w.other_register,
        "west",
        bread,
        Some(west),
    )
    .await;

    let day = list(&db, &w.admin, &request(d0(), d0())).await;
    assert_eq!(ids(&day), [late, west]);
    assert_eq!(day.next_after, None);
    assert_eq!(
        ids(&list(&db, &w.admin, &request(next, next)).await),
        [early]
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn filters_by_store_and_by_the_stores_a_client_may_see(db: PgPool) {
    let w = world(&db).await;
    let bread = both_stores_selling(&db, &w).await;
    let here = sell_at(&db, &w.cashier, w.register, "a", bread, None).await;
    let there = sell_at(&db, &w.other_cashier, w.other_register, "b", bread, None).await;
    let api = Actor::ApiClient { id: None };

    assert_eq!(ids(&list(&db, &api, &around_today()).await), [here, there]);
    let one_store = SalesListRequest {
        store_id: Some(w.other_store),
        ..around_today()
    };
    assert_eq!(ids(&list(&db, &api, &one_store).await), [there]);

    let limited = SalesListRequest {
        stores: Some(vec![w.store]),
        ..around_today()
    };
    assert_eq!(ids(&list(&db, &api, &limited).await), [here]);
    let outside = SalesListRequest {
        store_id: Some(w.other_store),
        ..limited.clone()
    };
    let err = sales::list_sales(&db, &api, &outside).await.unwrap_err();
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
    let none = SalesListRequest {
        stores: Some(Vec::new()),
        ..around_today()
    };
    assert!(list(&db, &api, &none).await.items.is_empty());

    let missing = SalesListRequest {
        store_id: Some(w.other_store + 100),
        ..around_today()
    };
    let err = sales::list_sales(&db, &api, &missing).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn pages_cover_every_sale_once_while_tills_keep_selling(db: PgPool) {
    let w = world(&db).await;
    let bread = both_stores_selling(&db, &w).await;
    let mut sold = Vec::new();
    for i in 0..7 {
        let (actor, register) = if i % 2 == 0 {
            (&w.cashier, w.register)
        } else {
            (&w.other_cashier, w.other_register)
        };
        sold.push(sell_at(&db, actor, register, &format!("s{i}"), bread, None).await);
    }
    let page = |after: i64| SalesListRequest {
        after,
        limit: 3,
        ..around_today()
    };
    let first = list(&db, &w.admin, &page(0)).await;
    assert_eq!(ids(&first), sold[..3]);
    assert_eq!(first.next_after, Some(sold[2]));
    let cursor = first.next_after.unwrap();
    let second = list(&db, &w.admin, &page(cursor)).await;

    // a sale recorded between two pages neither shifts nor repeats the next page
    let late = sell_at(&db, &w.cashier, w.register, "late", bread, None).await;
    assert_eq!(list(&db, &w.admin, &page(cursor)).await, second);
    assert_eq!(ids(&second), sold[3..6]);

    let mut seen = ids(&first);
    let mut after = first.next_after;
    let mut pages = 1;
    while let Some(cursor) = after {
        let next = list(&db, &w.admin, &page(cursor)).await;
        assert!(next.items.len() <= 3);
        seen.extend(ids(&next));
        after = next.next_after;
        pages += 1;
    }
    let mut expected = sold.clone();
    expected.push(late);
    assert_eq!(seen, expected, "every sale once, by increasing id");
    // 8 sales in pages of 3: the third page is the last, not full
    assert_eq!(pages, 3);

    // a last page that happens to be full is followed by an empty one
    let exact = SalesListRequest {
        limit: 4,
        ..around_today()
    };
    let full = list(
        &db,
        &w.admin,
        &SalesListRequest {
            after: sold[3],
            ..exact.clone()
        },
    )
    .await;
    assert_eq!(full.next_after, Some(late));
    let empty = list(
        &db,
        &w.admin,
        &SalesListRequest {
            after: late,
            ..exact
        },
    )
    .await;
    assert_eq!((empty.items.len(), empty.next_after), (0, None));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn each_sale_comes_whole_as_read_by_id(db: PgPool) {
    let w = world(&db).await;
    let bread = both_stores_selling(&db, &w).await;
    let soap = product(&db, &w, "HYG002", 120, true, 50, 0).await;
    let customer = customers::create_customer(&db, &w.cashier, &NewCustomer::default())
        .await
        .unwrap();
    let mut new = till_sale(
        "whole",
        w.register,
        &[(soap, 3), (bread, 2)],
        Payment::Cash {
            tendered: Some(dec!(50)),
        },
    );
    new.options = SaleOptions {
        customer_id: Some(customer.id),
        gift_cards: vec![dec!(20)],
        ..Default::default()
    };
    let sale = sales::record_sale(&db, &w.cashier, &Rules::default(), &new)
        .await
        .unwrap()
        .sale;
    sales::create_return(&db, &w.cashier, &return_of(&sale, soap, 1))
        .await
        .unwrap();
    sales::create_return(&db, &w.cashier, &return_of(&sale, bread, 2))
        .await
        .unwrap();
    let plain = sell_at(
        &db,
        &w.other_cashier,
        w.other_register,
        "plain",
        bread,
        None,
    )
    .await;

    let page = list(&db, &w.admin, &around_today()).await;
    assert_eq!(ids(&page), [sale.id, plain]);
    let listed = &page.items[0];
    assert_eq!(listed.returns.len(), 2);
    assert_eq!(listed.returns[0].lines[0].product_id, soap);
    assert!(!listed.returns[0].refunds.is_empty());
    assert_eq!(listed.returns[1].lines[0].quantity, 2);
    assert_eq!(listed.payments[0].mode, sales::PaymentMethod::Especes);
    assert_eq!(listed.gift_cards.len(), 1);
    let soap_line = listed.lines.iter().find(|l| l.product_id == soap).unwrap();
    assert_eq!(soap_line.returned_quantity, 1);
    assert_eq!(listed.customer.as_ref().map(|c| c.id), Some(customer.id));
    // the same sale as one read by id: one definition of a sale
    for item in &page.items {
        assert_eq!(
            item,
            &sales::get_sale(&db, &w.admin, item.id).await.unwrap()
        );
    }
    assert!(page.items[1].returns.is_empty());
    assert_eq!(page.items[1].customer, None);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn bad_requests_name_every_problem(db: PgPool) {
    let w = world(&db).await;
    let try_list = async |r: SalesListRequest| sales::list_sales(&db, &w.admin, &r).await;
    let backwards = request(d0(), d0() - Duration::days(1));
    assert_eq!(fields(try_list(backwards).await.unwrap_err()), ["date_fin"]);
    let too_long = request(d0(), d0() + Duration::days(366));
    assert_eq!(
        fields(try_list(too_long).await.unwrap_err()),
        ["date_debut"]
    );
    let leap_year = request(d0(), d0() + Duration::days(365));
    assert!(try_list(leap_year).await.is_ok());
    for limit in [0, 501, -1] {
        let r = SalesListRequest {
            limit,
            ..request(d0(), d0())
        };
        assert_eq!(fields(try_list(r).await.unwrap_err()), ["limit"]);
    }
    let everything = SalesListRequest {
        after: -1,
        limit: 0,
        ..request(d0(), d0() - Duration::days(1))
    };
    assert_eq!(
        fields(try_list(everything).await.unwrap_err()),
        ["date_fin", "limit", "after"]
    );
    let edges = SalesListRequest {
        limit: 500,
        ..request(d0(), d0())
    };
    assert!(try_list(edges).await.is_ok());
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn store_staff_read_their_own_store_only(db: PgPool) {
    let w = world(&db).await;
    let bread = both_stores_selling(&db, &w).await;
    let here = sell_at(&db, &w.cashier, w.register, "a", bread, None).await;
    let there = sell_at(&db, &w.other_cashier, w.other_register, "b", bread, None).await;

    let of_store = |store| SalesListRequest {
        store_id: Some(store),
        ..around_today()
    };
    let err = sales::list_sales(&db, &w.other_cashier, &of_store(w.store))
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
        "another store is not found, as a missing one: {err:?}"
    );
    let err = sales::list_sales(&db, &w.manager, &of_store(w.other_store))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    // without a store: their own store's sales, never another's
    assert_eq!(
        ids(&list(&db, &w.other_cashier, &around_today()).await),
        [there]
    );
    assert_eq!(ids(&list(&db, &w.manager, &around_today()).await), [here]);
    assert_eq!(
        ids(&list(&db, &w.cashier, &of_store(w.store)).await),
        [here]
    );
    assert_eq!(
        ids(&list(&db, &w.admin, &around_today()).await),
        [here, there]
    );
}

//! Client sale ids: each channel builds its own (`ClientSaleId`), and a replay answers the
//! first sale only to the one who recorded it: same channel, store and employee or API client.

use crate::world::*;
use domain::sales::{self, ClientSaleId, Payment};
use domain::{Actor, Error, Rules, stores};
use rust_decimal::Decimal;
use sqlx::PgPool;

const PAGE_ID: &str = "0b6f3a52-7f1c-4d36-9d5e-2f1b0c9e8a41";

async fn sales_count(db: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM sales")
        .fetch_one(db)
        .await
        .unwrap()
}

fn is_taken(result: &domain::Result<sales::SaleOutcome>) -> bool {
    matches!(result, Err(Error::Conflict(msg)) if msg == sales::SALE_ID_TAKEN)
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_till_replay_answers_only_the_same_employee_in_the_same_store(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    stores::open_session(
        &db,
        &w.other_cashier,
        w.other_register,
        Decimal::new(100, 0),
    )
    .await
    .unwrap();
    let bread = product(&db, &w, "ALI001", 120, false, 20, 0).await;
    shelve(&db, w.other_store, bread, 20).await;
    let id: String = ClientSaleId::till(PAGE_ID).unwrap().into();
    let new = till_sale(&id, w.register, &[(bread, 1)], Payment::Card);
    let taxes = Rules::default();
    let first = sales::record_sale(&db, &w.cashier, &taxes, &new)
        .await
        .unwrap();
    assert!(!first.replayed);
    assert_eq!(first.sale.client_sale_id, format!("web:{PAGE_ID}"));

    // the same cashier sending it again: the first sale
    let again = sales::record_sale(&db, &w.cashier, &taxes, &new)
        .await
        .unwrap();
    assert!(again.replayed);
    assert_eq!(again.sale.id, first.sale.id);

    // another employee of the store, at the same register: refused
    assert!(is_taken(
        &sales::record_sale(&db, &w.manager, &taxes, &new).await
    ));
    // another store's cashier at their own register: refused
    let elsewhere = till_sale(&id, w.other_register, &[(bread, 1)], Payment::Card);
    assert!(is_taken(
        &sales::record_sale(&db, &w.other_cashier, &taxes, &elsewhere).await
    ));
    // an external channel with the till's id: refused
    let api = Actor::ApiClient { id: None };
    let external = external_sale(&id, w.store, &[(bread, 1)]);
    assert!(is_taken(
        &sales::record_sale(&db, &api, &taxes, &external).await
    ));
    assert_eq!(sales_count(&db).await, 1);
    assert_eq!(store_qty(&db, w.store, bread).await, 19);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn an_api_replay_answers_only_the_same_client_in_the_same_store(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let bread = product(&db, &w, "ALI001", 120, false, 20, 0).await;
    shelve(&db, w.other_store, bread, 20).await;
    let api = Actor::ApiClient { id: None };
    let id: String = ClientSaleId::api("env", "commande-42").into();
    assert_eq!(id, "api:env:commande-42");
    let taxes = Rules::default();
    let first = sales::record_sale(
        &db,
        &api,
        &taxes,
        &external_sale(&id, w.store, &[(bread, 2)]),
    )
    .await
    .unwrap();
    let again = sales::record_sale(
        &db,
        &api,
        &taxes,
        &external_sale(&id, w.store, &[(bread, 2)]),
    )
    .await
    .unwrap();
    assert!(again.replayed);
    assert_eq!(again.sale.id, first.sale.id);
    // the same key for another store: refused, not the first store's sale
    assert!(is_taken(
        &sales::record_sale(
            &db,
            &api,
            &taxes,
            &external_sale(&id, w.other_store, &[(bread, 1)])
        )
        .await
    ));
    // a cashier at the till with the API's id: refused
    let till = till_sale(&id, w.register, &[(bread, 1)], Payment::Card);
    assert!(is_taken(
        &sales::record_sale(&db, &w.cashier, &taxes, &till).await
    ));
    assert_eq!(sales_count(&db).await, 1);
}

#[test]
fn a_till_id_must_be_a_uuid() {
    for bad in ["", "vente-1", "api:env:commande-42", "web:not-a-uuid"] {
        match ClientSaleId::till(bad) {
            Err(Error::Validation(errors)) => {
                assert_eq!(errors[0].field, "client_sale_id", "{bad:?}")
            }
            other => panic!("{bad:?} gave {other:?}"),
        }
    }
    assert_eq!(
        ClientSaleId::till(PAGE_ID).unwrap().as_str(),
        format!("web:{PAGE_ID}")
    );
}

//! The integration events (`domain::outbox`): every business change writes its event in its own
//! transaction, and the feed gives them in commit order without ever skipping one, even when a
//! lower-numbered write commits after a higher one was read.

use std::collections::HashSet;
use std::time::Duration;

use domain::Rules;
use domain::catalog::{self, ProductChanges};
use domain::customers::{self, CustomerPatch, NewCustomer};
use domain::inventory::{self as replenishment, Transition};
use domain::outbox::{self, Event, FeedRequest};
use domain::sales;
use rust_decimal_macros::dec;
use serde_json::Value;
use sqlx::PgPool;

use crate::world::*;

fn request(after: i64) -> FeedRequest {
    FeedRequest {
        after,
        types: None,
        limit: 1000,
        stores: None,
    }
}

async fn all_events(db: &PgPool) -> Vec<Event> {
    outbox::feed(db, &request(0)).await.unwrap().events
}

fn data(e: &Event) -> Value {
    serde_json::from_str(e.data.get()).unwrap()
}

fn types(events: &[Event]) -> Vec<&str> {
    events.iter().map(|e| e.kind.as_str()).collect()
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn every_business_change_writes_its_event(db: PgPool) {
    let w = world(&db).await;
    let cola = product(&db, &w, "BOI003", 200, true, 20, 50).await;
    let start = all_events(&db).await;
    // the product, then its first stock in the warehouse and on the shelf
    assert_eq!(
        types(&start),
        ["product.created", "stock.changed", "stock.changed"]
    );
    assert_eq!(data(&start[0])["code"], "BOI003");
    let chips = product(&db, &w, "CHI001", 150, true, 10, 0).await;
    let after = all_events(&db).await.last().unwrap().id;
    let since = async |after: i64| outbox::feed(&db, &request(after)).await.unwrap();

    // a new price: the product as it now is, and the price change with both prices
    let changes = ProductChanges {
        price: Some(dec!(2.50)),
        ..Default::default()
    };
    catalog::update_product(&db, &w.admin, cola, &changes)
        .await
        .unwrap();
    let page = since(after).await;
    assert_eq!(types(&page.events), ["product.updated", "price.changed"]);
    // money keeps its two decimals (the JSON text is the database's)
    let price = page.events[1].data.get();
    assert!(
        price.contains(r#""old_price": 2.00"#) && price.contains(r#""price": 2.50"#),
        "{price}"
    );
    assert_eq!(page.next_after, page.events[1].id);

    // a sale: the sale with its lines and tenders, and its stock movement, in the store
    let sale = sales::record_sale(
        &db,
        &w.admin,
        &Rules::default(),
        &external_sale("e-1", w.store, &[(cola, 3), (chips, 2)]),
    )
    .await
    .unwrap()
    .sale;
    let page = since(page.next_after).await;
    assert_eq!(types(&page.events), ["sale.created", "stock.changed"]);
    assert!(page.events.iter().all(|e| e.store_id == Some(w.store)));
    let sold = data(&page.events[0]);
    assert_eq!(sold["id"], sale.id);
    let total = format!(r#""total": {}"#, sale.total);
    assert!(page.events[0].data.get().contains(&total), "{total}");
    assert_eq!(sold["lines"][0]["quantity"], 3);
    assert_eq!(sold["tenders"][0]["mode"], "carte");
    // one stock change for the sale, its rows listed with what is left of each
    let stock = data(&page.events[1]);
    assert_eq!(
        (stock["reason"].as_str(), stock["sale_id"].as_i64()),
        (Some("sale"), Some(sale.id))
    );
    let items: Vec<(i64, i64, i64)> = stock["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["product_id"].as_i64().unwrap(),
                i["delta"].as_i64().unwrap(),
                i["quantity"].as_i64().unwrap(),
            )
        })
        .collect();
    let mut items = items;
    items.sort_unstable();
    assert_eq!(items, [(cola, -3, 17), (chips, -2, 8)]);

    // a return: its lines and refunds (written after the return's row, in the same transaction)
    sales::create_return(&db, &w.admin, &return_of(&sale, cola, 1))
        .await
        .unwrap();
    let page = since(page.next_after).await;
    assert_eq!(types(&page.events), ["stock.changed", "return.created"]);
    let returned = data(&page.events[1]);
    assert_eq!(returned["lines"][0]["quantity"], 1);
    assert_eq!(returned["refunds"][0]["mode"], "carte");
    assert_eq!(data(&page.events[0])["items"][0]["quantity"], 18);

    // replenishment: the request, then its approval, which takes the warehouse's stock
    let request_row = replenishment::create_request(&db, &w.manager, w.store, cola, 5, "")
        .await
        .unwrap();
    replenishment::transition(&db, &w.admin, request_row.id, Transition::Approve, None)
        .await
        .unwrap();
    let page = since(page.next_after).await;
    assert_eq!(
        types(&page.events),
        [
            "replenishment.requested",
            "replenishment.approved",
            "stock.changed"
        ]
    );
    let warehouse = &page.events[2];
    assert_eq!(warehouse.store_id, None);
    assert_eq!(
        (
            data(warehouse)["location"].as_str(),
            data(warehouse)["items"][0]["quantity"].as_i64()
        ),
        (Some("warehouse"), Some(45))
    );

    // customers: created, their profile changed, anonymised; a change of balance alone is not
    // a customer event
    let customer = customers::create_customer(
        &db,
        &w.admin,
        &NewCustomer {
            name: "Marie Roy".into(),
            email: "marie@example.com".into(),
            phone: String::new(),
            marketing_consent: true,
        },
    )
    .await
    .unwrap();
    sqlx::query("UPDATE customers SET points = points + 10 WHERE id = $1")
        .bind(customer.id)
        .execute(&db)
        .await
        .unwrap();
    let patch = CustomerPatch {
        phone: Some("5145550199".into()),
        ..Default::default()
    };
    customers::update_customer(&db, &w.admin, customer.id, &patch)
        .await
        .unwrap();
    customers::anonymize_customer(&db, &w.admin, customer.id)
        .await
        .unwrap();
    let page = since(page.next_after).await;
    assert_eq!(
        types(&page.events),
        [
            "customer.created",
            "customer.updated",
            "customer.anonymized"
        ]
    );
    assert_eq!(data(&page.events[1])["phone"], "5145550199");
    assert_eq!(data(&page.events[2])["name"], Value::Null);

    // a product no longer sold (deleted when nothing refers to it)
    let spare = product(&db, &w, "SPARE1", 100, true, 0, 0).await;
    catalog::delete_product(&db, &w.admin, spare).await.unwrap();
    let page = since(page.next_after).await;
    assert_eq!(types(&page.events), ["product.created", "product.deleted"]);
    assert_eq!(data(&page.events[1])["code"], "SPARE1");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_refused_or_rolled_back_change_writes_no_event(db: PgPool) {
    let w = world(&db).await;
    let cola = product(&db, &w, "BOI003", 200, true, 2, 0).await;
    let before = all_events(&db).await.len();
    let refused = sales::record_sale(
        &db,
        &w.admin,
        &Rules::default(),
        &external_sale("e-1", w.store, &[(cola, 3)]),
    )
    .await;
    assert!(matches!(
        refused,
        Err(domain::Error::InsufficientStock { .. })
    ));
    let mut tx = db.begin().await.unwrap();
    sqlx::query("UPDATE products SET price = 9 WHERE id = $1")
        .bind(cola)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    // the bookkeeping of a row that changes nothing a client sees is no event either
    sqlx::query("UPDATE products SET updated_at = now() WHERE id = $1")
        .bind(cola)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(all_events(&db).await.len(), before);
}

/// The hazard the feed is built against: a change numbered first commits last. Its event must
/// come after the one a poller already read, never be skipped behind it.
#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_late_commit_is_never_skipped(db: PgPool) {
    let w = world(&db).await;
    let first = product(&db, &w, "A1", 100, true, 0, 0).await;
    let second = product(&db, &w, "A2", 100, true, 0, 0).await;
    let read = all_events(&db).await;
    let mut after = read.last().unwrap().id;

    // the slow writer writes its event first (lower seq), then waits before committing
    let mut slow = db.begin().await.unwrap();
    sqlx::query("UPDATE products SET name = 'lent' WHERE id = $1")
        .bind(first)
        .execute(&mut *slow)
        .await
        .unwrap();
    // a fast writer commits meanwhile, and a poller reads it
    sqlx::query("UPDATE products SET name = 'rapide' WHERE id = $1")
        .bind(second)
        .execute(&db)
        .await
        .unwrap();
    let page = outbox::feed(&db, &request(after)).await.unwrap();
    assert_eq!(page.events.len(), 1);
    assert_eq!(data(&page.events[0])["name"], "rapide");
    after = page.next_after;

    slow.commit().await.unwrap();
    let page = outbox::feed(&db, &request(after)).await.unwrap();
    assert_eq!(
        page.events.len(),
        1,
        "the late commit comes after the cursor"
    );
    assert_eq!(data(&page.events[0])["name"], "lent");
    assert_eq!(page.events[0].id, after + 1);
}

/// 20 writers commit changes at random moments while a poller follows the feed: it sees every
/// event exactly once, the ids 1, 2, 3, ... with no gap, and the writers really did commit out
/// of their writing order (else the test would prove nothing).
#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn twenty_writers_and_a_poller(db: PgPool) {
    const WRITERS: usize = 20;
    const CHANGES: usize = 15;
    let w = world(&db).await;
    let mut products = Vec::new();
    for i in 0..WRITERS {
        products.push(product(&db, &w, &format!("P{i}"), 100, true, 1000, 0).await);
    }
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let poller = {
        let (db, done) = (db.clone(), done.clone());
        tokio::spawn(async move {
            let mut seen: Vec<i64> = Vec::new();
            let mut after = 0;
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                let page = outbox::feed(
                    &db,
                    &FeedRequest {
                        limit: 50,
                        ..request(after)
                    },
                )
                .await
                .unwrap();
                seen.extend(page.events.iter().map(|e| e.id));
                after = page.next_after;
                if finished && page.events.is_empty() {
                    return seen;
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
    };
    let mut writers = Vec::new();
    for (i, &p) in products.iter().enumerate() {
        let (db, actor, store) = (db.clone(), w.admin, w.store);
        writers.push(tokio::spawn(async move {
            for n in 0..CHANGES {
                if n % 3 == 0 {
                    // a sale through the domain (two events: the sale, its stock)
                    let new = external_sale(&format!("w{i}-{n}"), store, &[(p, 1)]);
                    sales::record_sale(&db, &actor, &Rules::default(), &new)
                        .await
                        .unwrap();
                } else {
                    // a price change that waits before its commit
                    let mut tx = db.begin().await.unwrap();
                    sqlx::query("UPDATE products SET price = price + 0.01 WHERE id = $1")
                        .bind(p)
                        .execute(&mut *tx)
                        .await
                        .unwrap();
                    let pause = (i * 7 + n * 3) % 5;
                    tokio::time::sleep(Duration::from_millis(pause as u64)).await;
                    tx.commit().await.unwrap();
                }
            }
        }));
    }
    for writer in writers {
        writer.await.unwrap();
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let seen = poller.await.unwrap();

    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(seen.len() as i64, total, "every event seen once");
    let expected: Vec<i64> = (1..=total).collect();
    assert_eq!(seen, expected, "in order, with no gap and no repeat");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), seen.len());
    let inversions: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM events a JOIN events b ON a.seq < b.seq AND a.id > b.id",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(
        inversions > 0,
        "no write committed after a later one: the test proved nothing"
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_feed_filters_by_type_and_store_and_pages_by_cursor(db: PgPool) {
    let w = world(&db).await;
    let cola = product(&db, &w, "BOI003", 200, true, 20, 0).await;
    shelve(&db, w.other_store, cola, 20).await;
    for (i, store) in [w.store, w.other_store, w.store].into_iter().enumerate() {
        let new = external_sale(&format!("e-{i}"), store, &[(cola, 1)]);
        sales::record_sale(&db, &w.admin, &Rules::default(), &new)
            .await
            .unwrap();
    }
    let sales_only = FeedRequest {
        types: Some(outbox::parse_types("sale.created").unwrap()),
        ..request(0)
    };
    let page = outbox::feed(&db, &sales_only).await.unwrap();
    assert_eq!(page.events.len(), 3);
    // not a full page: the cursor moves past what the filter left out
    let last: i64 = sqlx::query_scalar("SELECT max(id) FROM events")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(page.next_after, last);

    // a store's client sees its store and the chain's events, never the other store's
    let first_store = FeedRequest {
        stores: Some(vec![w.store]),
        ..request(0)
    };
    let page = outbox::feed(&db, &first_store).await.unwrap();
    assert!(
        page.events
            .iter()
            .all(|e| e.store_id.is_none() || e.store_id == Some(w.store))
    );
    assert_eq!(
        page.events
            .iter()
            .filter(|e| e.kind == "sale.created")
            .count(),
        2
    );
    assert!(page.events.iter().any(|e| e.kind == "product.created"));

    // pages of two, by cursor, give the whole feed
    let mut after = 0;
    let mut ids = Vec::new();
    loop {
        let page = outbox::feed(
            &db,
            &FeedRequest {
                limit: 2,
                ..request(after)
            },
        )
        .await
        .unwrap();
        if page.events.is_empty() {
            break;
        }
        ids.extend(page.events.iter().map(|e| e.id));
        after = page.next_after;
    }
    assert_eq!(ids, (1..=last).collect::<Vec<_>>());

    // bad input is named
    let unknown = outbox::parse_types("sale.created,sale.exploded").unwrap_err();
    assert!(unknown.to_string().contains("sale.exploded"), "{unknown}");
    let zero = outbox::feed(
        &db,
        &FeedRequest {
            limit: 0,
            ..request(0)
        },
    )
    .await;
    assert!(matches!(zero, Err(domain::Error::Validation(_))));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn events_older_than_thirty_days_are_purged(db: PgPool) {
    let w = world(&db).await;
    product(&db, &w, "OLD1", 100, true, 0, 0).await;
    product(&db, &w, "NEW1", 100, true, 0, 0).await;
    outbox::sequence(&db).await.unwrap();
    sqlx::query(
        "UPDATE events SET occurred_at = now() - interval '31 days' WHERE data->>'code' = 'OLD1'",
    )
    .execute(&db)
    .await
    .unwrap();
    assert_eq!(outbox::purge_expired(&db).await.unwrap(), 1);
    let left = all_events(&db).await;
    assert_eq!(types(&left), ["product.created"]);
    assert_eq!(data(&left[0])["code"], "NEW1");
}

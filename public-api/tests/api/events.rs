//! `/events`: the feed through the API. A sale and a price change made through one instance are
//! in the very next page of another; the cursor, the type filter and bad input.

use http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

fn types(page: &Value) -> Vec<&str> {
    page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect()
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_feed_gives_each_change_once_in_order(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let (one, two) = (TestApi::new(pool.clone()), TestApi::new(pool.clone()));
    let start = two.get("/api/v1/events").await;
    assert_eq!(start.status, StatusCode::OK, "{:?}", start.body);
    // three products, each with its first stock in the warehouse and on the shelf
    assert_eq!(
        types(&start.body),
        ["product.created", "stock.changed", "stock.changed"].repeat(3)
    );
    assert_eq!(start.header("x-cache"), None, "the feed is never cached");
    let after = start.body["next_after"].as_i64().unwrap();

    let sale = one
        .sell(
            w.store,
            "order-1",
            json!({"lignes": [{"produit_id": w.soap, "quantite": 2}], "mode_paiement": "carte"}),
        )
        .await;
    assert_eq!(sale.status, StatusCode::CREATED, "{:?}", sale.body);
    let patched = one
        .send(
            Method::PATCH,
            &format!("/api/v1/products/{}", w.cola),
            json!({"prix": 1.95}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{:?}", patched.body);

    let page = two.get(&format!("/api/v1/events?after={after}")).await;
    assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
    assert_eq!(
        types(&page.body),
        [
            "sale.created",
            "stock.changed",
            "product.updated",
            "price.changed"
        ]
    );
    let events = page.body["events"].as_array().unwrap();
    let ids: Vec<i64> = events.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, (after + 1..=after + 4).collect::<Vec<_>>());
    let sold = &events[0];
    assert_eq!(sold["store_id"], w.store);
    assert_eq!(sold["data"]["id"], sale.body["id"]);
    assert_eq!(sold["data"]["lines"][0]["quantity"], 2);
    assert!(sold["occurred_at"].as_str().is_some());
    // money keeps its two decimals, as everywhere in the contract
    let raw = page.text();
    assert!(
        raw.contains(r#""price": 1.95"#) && raw.contains(r#""old_price": 1.80"#),
        "{raw}"
    );
    assert_eq!(
        events[2].get("store_id"),
        None,
        "a product belongs to the whole chain"
    );

    // nothing new: an empty page that keeps the cursor
    let next = page.body["next_after"].as_i64().unwrap();
    let empty = one.get(&format!("/api/v1/events?after={next}")).await;
    assert_eq!(types(&empty.body), Vec::<&str>::new());
    assert_eq!(empty.body["next_after"], next);

    // only some types, a page at a time
    let prices = one
        .get("/api/v1/events?types=price.changed,sale.created&limit=1")
        .await;
    assert_eq!(types(&prices.body), ["sale.created"]);
    let cursor = prices.body["next_after"].as_i64().unwrap();
    let rest = one
        .get(&format!(
            "/api/v1/events?types=price.changed,sale.created&limit=1&after={cursor}"
        ))
        .await;
    assert_eq!(types(&rest.body), ["price.changed"]);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn bad_feed_requests_are_named(pool: sqlx::PgPool) {
    world(&pool).await;
    let api = TestApi::new(pool);
    for (query, field) in [
        ("types=sale.exploded", "types"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("after=-1", "after"),
        ("after=abc", "after"),
        ("since=3", "since"),
    ] {
        let reply = api.get(&format!("/api/v1/events?{query}")).await;
        assert_problem(
            &reply,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        );
        assert!(
            reply.body.to_string().contains(field),
            "{query}: {:?}",
            reply.body
        );
    }
    let anonymous = api.call(Method::GET, "/api/v1/events", None, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

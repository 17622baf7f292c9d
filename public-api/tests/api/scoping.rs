//! API clients limited to some stores (`tokens create --stores`): anything of another store is
//! not found, lists and the feed keep the client's stores, reports stay inside them, the chain
//! is not theirs to change. Their tokens are checked from memory once seen, and a revocation
//! reaches every instance at once through the invalidation channel.

use std::time::Duration;

use domain::access::Scope;
use http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

async fn partner(pool: &sqlx::PgPool, name: &str, stores: &[i64]) -> String {
    domain::access::create_client_for(pool, name, &[Scope::Read, Scope::Write], Some(stores))
        .await
        .unwrap()
        .1
}

fn ids(list: &Value, key: &str) -> Vec<i64> {
    list[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_store_client_sees_and_sells_in_its_store_only(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    shelve(&pool, w.other_store, w.soap, 30).await;
    let api = TestApi::new(pool.clone());
    let token = partner(&pool, "boutique-nord", &[w.other_store]).await;
    let call = async |method: Method, path: &str, body: Option<Value>| {
        api.call(method, path, Some(&token), body).await
    };
    let sale = json!({"lignes": [{"produit_id": w.soap, "quantite": 1}], "mode_paiement": "carte"});

    // a sale in each store: one by head office, one by the partner in its own store
    let theirs = api.sell(w.store, "siege-1", sale.clone()).await;
    assert_eq!(theirs.status, StatusCode::CREATED);
    let own = api
        .call_with(
            Method::POST,
            &format!("/api/v1/stores/{}/sales", w.other_store),
            Some(&token),
            Some(sale.clone()),
            &[("idempotency-key", "nord-1")],
        )
        .await;
    assert_eq!(own.status, StatusCode::CREATED, "{:?}", own.body);
    let elsewhere = api
        .call_with(
            Method::POST,
            &format!("/api/v1/stores/{}/sales", w.store),
            Some(&token),
            Some(sale.clone()),
            &[("idempotency-key", "nord-2")],
        )
        .await;
    assert_problem(&elsewhere, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(
        store_qty(&pool, w.store, w.soap).await,
        49,
        "nothing sold in the other store"
    );

    // the other store and its things are not found, as if they did not exist
    for path in [
        format!("/api/v1/stores/{}", w.store),
        format!("/api/v1/stores/{}/stock", w.store),
        format!("/api/v1/sales/{}", theirs.body["id"]),
        format!(
            "/api/v1/sales?date_debut=2020-01-01&date_fin=2020-12-31&magasin_id={}",
            w.store
        ),
        format!("/api/v1/reports/kpis?magasin_id={}", w.store),
    ] {
        assert_problem(
            &call(Method::GET, &path, None).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
    }
    assert_eq!(
        call(
            Method::GET,
            &format!("/api/v1/sales/{}", own.body["id"]),
            None
        )
        .await
        .status,
        StatusCode::OK
    );

    // lists keep its store
    let stores = call(Method::GET, "/api/v1/stores", None).await;
    assert_eq!(stores.body.as_array().unwrap().len(), 1);
    assert_eq!(stores.body[0]["id"], w.other_store);
    let today = chrono::Utc::now().date_naive();
    let listed = call(
        Method::GET,
        &format!(
            "/api/v1/sales?date_debut={}&date_fin={}",
            today.pred_opt().unwrap(),
            today.succ_opt().unwrap()
        ),
        None,
    )
    .await;
    assert_eq!(
        ids(&listed.body, "items"),
        [own.body["id"].as_i64().unwrap()]
    );
    let feed = call(
        Method::GET,
        "/api/v1/events?types=sale.created,stock.changed,product.created",
        None,
    )
    .await;
    let events = feed.body["events"].as_array().unwrap();
    assert!(
        events
            .iter()
            .all(|e| e.get("store_id").is_none() || e["store_id"] == w.other_store),
        "{feed:?}",
        feed = feed.body
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| e["type"] == "sale.created")
            .count(),
        1
    );
    assert!(
        events.iter().any(|e| e["type"] == "product.created"),
        "the chain's catalogue is theirs to read"
    );

    // reports: its one store by default, never the network
    let kpis = call(Method::GET, "/api/v1/reports/kpis", None).await;
    assert_eq!(kpis.status, StatusCode::OK, "{:?}", kpis.body);
    assert_eq!(kpis.body["magasin_id"], w.other_store);
    let custom = call(
        Method::POST,
        "/api/v1/reports/custom",
        Some(json!({"date_debut": today, "date_fin": today, "group_by": "store", "metrics": ["revenue"]})),
    )
    .await;
    assert_eq!(custom.status, StatusCode::OK, "{:?}", custom.body);
    assert_eq!(custom.body["total"], 1, "{:?}", custom.body);

    // the chain is not theirs to change; their customers are
    let product = call(
        Method::PATCH,
        &format!("/api/v1/products/{}", w.soap),
        Some(json!({"prix": 0.01})),
    )
    .await;
    assert_problem(&product, StatusCode::FORBIDDEN, "forbidden");
    let customer = call(
        Method::POST,
        "/api/v1/customers",
        Some(json!({"nom": "Léa Nord"})),
    )
    .await;
    assert_eq!(customer.status, StatusCode::CREATED, "{:?}", customer.body);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_client_of_several_stores_names_the_store_of_a_report(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool.clone());
    let token = partner(&pool, "regional", &[w.store, w.other_store]).await;
    let network = api
        .call(Method::GET, "/api/v1/reports/kpis", Some(&token), None)
        .await;
    assert_problem(&network, StatusCode::FORBIDDEN, "forbidden");
    assert!(
        network.body["detail"]
            .as_str()
            .unwrap()
            .contains("magasin_id")
    );
    let one = api
        .call(
            Method::GET,
            &format!("/api/v1/reports/kpis?magasin_id={}", w.store),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(one.status, StatusCode::OK);
    let stores = api
        .call(Method::GET, "/api/v1/stores", Some(&token), None)
        .await;
    assert_eq!(stores.body.as_array().unwrap().len(), 2);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_limited_client_cannot_be_an_admin_nor_name_a_missing_store(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let admin =
        domain::access::create_client_for(&pool, "x", &[Scope::Admin], Some(&[w.store])).await;
    assert!(matches!(admin, Err(domain::Error::Validation(_))));
    let missing = domain::access::create_client_for(&pool, "y", &[Scope::Read], Some(&[999])).await;
    assert!(missing.unwrap_err().to_string().contains("999"));
    assert!(domain::access::parse_store_list("1, x").is_err());
    assert_eq!(domain::access::parse_store_list("3,1,3").unwrap(), [1, 3]);
}

/// Reads through `api` until its memory tier answers (its subscription is up).
async fn until_memory_is_live(api: &TestApi, product: i64) {
    for _ in 0..100 {
        api.get(&format!("/api/v1/products/{product}")).await;
        let stats = api.get("/api/v1/cache/stats").await;
        if stats.body["memory_hits"].as_u64().unwrap_or(0) > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the memory tier never came up");
}

/// A client's token is read from PostgreSQL once per instance, then from memory: revoked in
/// the database alone, it still works (no round trip); `tokens revoke` broadcasts, and both
/// instances refuse it at once.
#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn client_tokens_are_remembered_and_forgotten_on_revoke_across_instances(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let shared = config(&redis_url());
    let one = TestApi::with_config(pool.clone(), shared.clone());
    let mut other_config = shared;
    other_config.instance.id = Some("api-test-2".into());
    let two = TestApi::with_config(pool.clone(), other_config);
    until_memory_is_live(&one, w.bread).await;
    until_memory_is_live(&two, w.bread).await;
    let token = partner(&pool, "boutique", &[w.store]).await;
    for api in [&one, &two] {
        let read = api
            .call(Method::GET, "/api/v1/stores", Some(&token), None)
            .await;
        assert_eq!(read.status, StatusCode::OK);
    }
    // behind the instances' backs: they do not ask PostgreSQL again
    sqlx::query("UPDATE api_clients SET revoked_at = now() WHERE name = 'boutique'")
        .execute(&pool)
        .await
        .unwrap();
    for api in [&one, &two] {
        let read = api
            .call(Method::GET, "/api/v1/stores", Some(&token), None)
            .await;
        assert_eq!(read.status, StatusCode::OK, "answered from memory");
    }
    // the way operators revoke: both instances forget at once
    revoke(&one, "boutique").await;
    for api in [&one, &two] {
        let read = api
            .call(Method::GET, "/api/v1/stores", Some(&token), None)
            .await;
        assert_eq!(read.status, StatusCode::UNAUTHORIZED);
    }
}

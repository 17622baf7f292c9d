//! Idempotent sales from external channels: replay, reuse, concurrency, stock rules.

use http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_sale_is_recorded_once_per_idempotency_key(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool.clone());
    let body = json!({"lignes": [{"produit_id": w.soap, "quantite": 2}, {"produit_id": w.bread, "quantite": 1}], "mode_paiement": "especes", "montant_recu": 10});
    let first = api.sell(w.store, "order-1", body.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    let id = first.body["id"].as_i64().unwrap();
    assert_eq!(
        first.header("location"),
        Some(format!("/api/v1/sales/{id}").as_str())
    );
    assert_eq!(first.body["sous_total"], json!(3.6));
    assert_eq!(first.body["tps"], json!(0.12));
    assert_eq!(first.body["tvq"], json!(0.24));
    assert_eq!(first.body["total"], json!(3.96));
    assert_eq!(first.body["monnaie_rendue"], json!(6.04));
    assert_eq!(first.body["caisse_id"], json!(null));
    assert_eq!(store_qty(&pool, w.store, w.soap).await, 48);

    // same key, same body (keys in another order): the first answer again, nothing sold twice
    let again = api
        .sell(w.store, "order-1", json!({"mode_paiement": "especes", "montant_recu": 10, "lignes": [{"quantite": 2, "produit_id": w.soap}, {"produit_id": w.bread, "quantite": 1}]}))
        .await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(store_qty(&pool, w.store, w.soap).await, 48);

    let reused = api
        .sell(
            w.store,
            "order-1",
            json!({"lignes": [{"produit_id": w.soap, "quantite": 1}], "mode_paiement": "carte"}),
        )
        .await;
    assert_problem(&reused, StatusCode::CONFLICT, "idempotency_key_reused");
    let no_key = api
        .send(
            Method::POST,
            &format!("/api/v1/stores/{}/sales", w.store),
            body,
        )
        .await;
    assert_problem(&no_key, StatusCode::BAD_REQUEST, "idempotency_key_missing");

    let read = api.get(&format!("/api/v1/sales/{id}")).await;
    assert_eq!(read.body["lignes"][0]["prix_unitaire"], json!(1.2));
    assert_eq!(read.body["retours"], json!([]));
    assert_eq!(read.body["magasin_id"], w.store);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn two_requests_with_one_key_at_once_make_one_sale(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool.clone());
    let body =
        json!({"lignes": [{"produit_id": w.bread, "quantite": 3}], "mode_paiement": "carte"});
    let (a, b) = tokio::join!(
        api.sell(w.store, "same", body.clone()),
        api.sell(w.store, "same", body.clone())
    );
    assert_eq!(
        (a.status, b.status),
        (StatusCode::CREATED, StatusCode::CREATED)
    );
    assert_eq!(a.body["id"], b.body["id"]);
    assert_eq!(store_qty(&pool, w.store, w.bread).await, 47);
    let sales: i64 = sqlx::query_scalar("SELECT count(*) FROM sales")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(sales, 1);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn forty_concurrent_sales_for_twice_the_stock_never_oversell(pool: sqlx::PgPool) {
    let w = world(&pool).await; // 20 colas in store 1
    let api = std::sync::Arc::new(TestApi::new(pool.clone()));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..40 {
        let (api, cola, store) = (api.clone(), w.cola, w.store);
        tasks.spawn(async move {
            api.sell(
                store,
                &format!("rush-{i}"),
                json!({"lignes": [{"produit_id": cola, "quantite": 1}], "mode_paiement": "carte"}),
            )
            .await
        });
    }
    let replies = tasks.join_all().await;
    let sold = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    let refused: Vec<_> = replies
        .iter()
        .filter(|r| r.status == StatusCode::CONFLICT)
        .collect();
    assert_eq!((sold, refused.len()), (20, 20));
    for r in refused {
        assert_eq!(r.body["error_code"], "insufficient_stock");
        assert_eq!(r.body["produit_id"], w.cola);
        assert_eq!(r.body["quantite_disponible"], 0);
    }
    assert_eq!(
        store_qty(&pool, w.store, w.cola).await,
        0,
        "stock = initial - sold, never below zero"
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_refusal_names_the_product_and_is_replayed_too(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool.clone());
    let body = json!({"lignes": [{"produit_id": w.bread, "quantite": 1}, {"produit_id": w.cola, "quantite": 21}], "mode_paiement": "carte"});
    let refused = api.sell(w.store, "big", body.clone()).await;
    assert_problem(&refused, StatusCode::CONFLICT, "insufficient_stock");
    assert_eq!(
        (
            refused.body["produit_id"].clone(),
            refused.body["quantite_disponible"].clone()
        ),
        (json!(w.cola), json!(20))
    );
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("Soda cola")
    );
    assert_eq!(
        store_qty(&pool, w.store, w.bread).await,
        50,
        "all or nothing"
    );
    let again = api.sell(w.store, "big", body).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));

    let invalid = api
        .sell(
            w.store,
            "bad",
            json!({"lignes": [{"produit_id": w.bread, "quantite": 0}], "mode_paiement": "cheque"}),
        )
        .await;
    assert_problem(
        &invalid,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let unknown_store = api
        .sell(
            999,
            "nowhere",
            json!({"lignes": [{"produit_id": w.bread, "quantite": 1}], "mode_paiement": "carte"}),
        )
        .await;
    assert_problem(&unknown_store, StatusCode::NOT_FOUND, "not_found");
    let short_cash = api
        .sell(w.store, "cash", json!({"lignes": [{"produit_id": w.bread, "quantite": 1}], "mode_paiement": "especes", "montant_recu": 0.5}))
        .await;
    assert_problem(
        &short_cash,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    assert_eq!(short_cash.body["errors"][0]["field"], "montant_recu");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_burst_of_mixed_sales_gets_the_answers_each_would_get_alone(pool: sqlx::PgPool) {
    let w = world(&pool).await; // 20 colas in store 1
    let api = std::sync::Arc::new(TestApi::new(pool.clone()));
    let cola = json!({"lignes": [{"produit_id": w.cola, "quantite": 1}], "mode_paiement": "carte"});
    let bread =
        json!({"lignes": [{"produit_id": w.bread, "quantite": 2}], "mode_paiement": "carte"});
    let unknown =
        json!({"lignes": [{"produit_id": 999_999, "quantite": 1}], "mode_paiement": "carte"});
    let mut requests = Vec::new();
    for i in 0..25 {
        requests.push((format!("rush-{i}"), cola.clone()));
    }
    for i in 0..5 {
        requests.push((format!("bad-{i}"), unknown.clone()));
    }
    for _ in 0..3 {
        requests.push(("dup".to_owned(), bread.clone()));
    }
    // concurrent requests are recorded in batches; each must still get its own answer
    let mut tasks = tokio::task::JoinSet::new();
    for (key, body) in requests {
        let (api, store) = (api.clone(), w.store);
        tasks.spawn(async move {
            let reply = api.sell(store, &key, body).await;
            (key, reply)
        });
    }
    let replies = tasks.join_all().await;
    let with = |prefix: &'static str| replies.iter().filter(move |(k, _)| k.starts_with(prefix));

    let sold: Vec<_> = with("rush-")
        .filter(|(_, r)| r.status == StatusCode::CREATED)
        .collect();
    let refused: Vec<_> = with("rush-")
        .filter(|(_, r)| r.status == StatusCode::CONFLICT)
        .collect();
    assert_eq!((sold.len(), refused.len()), (20, 5));
    for (_, r) in &refused {
        assert_eq!(r.body["error_code"], "insufficient_stock");
        assert_eq!(r.body["produit_id"], w.cola);
    }
    for (_, r) in with("bad-") {
        assert_problem(r, StatusCode::NOT_FOUND, "not_found");
    }
    let dups: Vec<_> = with("dup").map(|(_, r)| r).collect();
    assert!(dups.iter().all(|r| r.status == StatusCode::CREATED));
    assert!(
        dups.iter().all(|r| r.body == dups[0].body),
        "one sale for one key"
    );
    let replayed = dups
        .iter()
        .filter(|r| r.header("idempotent-replayed") == Some("true"))
        .count();
    assert_eq!(replayed, 2);
    assert_eq!(store_qty(&pool, w.store, w.cola).await, 0);
    assert_eq!(store_qty(&pool, w.store, w.bread).await, 48);
    // the sales of one batch share their time of sale: the burst was recorded in batches
    let largest_batch: i64 = sqlx::query_scalar(
        "SELECT max(n) FROM (SELECT count(*) AS n FROM sales GROUP BY sold_at) b",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(largest_batch >= 2, "largest batch: {largest_batch}");

    // every stored answer replays as it was; no placeholder is left behind
    for (key, first) in with("rush-") {
        let again = api.sell(w.store, key, cola.clone()).await;
        assert_eq!(
            (again.status, &again.body),
            (first.status, &first.body),
            "{key}"
        );
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
    }
    let pending: i64 =
        sqlx::query_scalar("SELECT count(*) FROM idempotency_keys WHERE status_code = 102")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(pending, 0);
    // a refusal for unknown input is not kept: the key still works
    let fixed = api.sell(w.store, "bad-0", bread.clone()).await;
    assert_eq!(fixed.status, StatusCode::CREATED, "{:?}", fixed.body);
    assert_eq!(fixed.header("idempotent-replayed"), None);
    let sales: i64 = sqlx::query_scalar("SELECT count(*) FROM sales")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(sales, 22);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn every_accepted_idempotency_key_records_a_sale_and_others_are_a_422(pool: sqlx::PgPool) {
    use public_api::idempotency::MAX_KEY_LEN;
    let w = world(&pool).await;
    let api = TestApi::new(pool.clone());
    let body =
        json!({"lignes": [{"produit_id": w.bread, "quantite": 1}], "mode_paiement": "carte"});
    // the longest key, for the admin token and for an API client (a longer sale id prefix)
    let longest = "k".repeat(MAX_KEY_LEN);
    let by_admin = api.sell(w.store, &longest, body.clone()).await;
    assert_eq!(by_admin.status, StatusCode::CREATED, "{:?}", by_admin.body);
    let (_, token) =
        domain::access::create_client(&pool, "boutique", &[domain::access::Scope::Write])
            .await
            .unwrap();
    let path = format!("/api/v1/stores/{}/sales", w.store);
    let by_client = api
        .call_with(
            Method::POST,
            &path,
            Some(&token),
            Some(body.clone()),
            &[("idempotency-key", &longest)],
        )
        .await;
    assert_eq!(
        by_client.status,
        StatusCode::CREATED,
        "{:?}",
        by_client.body
    );
    assert_ne!(
        by_client.body["id"], by_admin.body["id"],
        "keys are per client"
    );

    let too_long = "k".repeat(MAX_KEY_LEN + 1);
    for key in [too_long.as_str(), "a\tb"] {
        let refused = api.sell(w.store, key, body.clone()).await;
        assert_problem(
            &refused,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        );
        assert_eq!(refused.body["errors"][0]["field"], "Idempotency-Key");
    }
    let non_ascii = axum::http::HeaderValue::from_bytes("café".as_bytes()).unwrap();
    let request = http::Request::builder()
        .method(Method::POST)
        .uri(&path)
        .header("authorization", format!("Bearer {ADMIN}"))
        .header("content-type", "application/json")
        .header("idempotency-key", non_ascii)
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    let response = tower::ServiceExt::oneshot(api.router.clone(), request)
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let sales: i64 = sqlx::query_scalar("SELECT count(*) FROM sales")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(sales, 2);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn cart_rules_are_the_domain_s_and_name_the_contract_s_fields(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool.clone());
    let fields = |reply: &Reply| -> Vec<String> {
        assert_problem(reply, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        reply.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect()
    };
    let empty = api
        .sell(
            w.store,
            "empty",
            json!({"lignes": [], "mode_paiement": "carte"}),
        )
        .await;
    assert_eq!(fields(&empty), ["lignes"]);
    assert_eq!(empty.body["errors"][0]["message"], "Le panier est vide.");
    let quantities = api
        .sell(w.store, "quantities", json!({"lignes": [{"produit_id": w.bread, "quantite": 1}, {"produit_id": w.soap, "quantite": 0}, {"produit_id": w.cola, "quantite": 3_000_000_000_i64}, {"produit_id": w.cola, "quantite": -3_000_000_000_i64}], "mode_paiement": "carte"}))
        .await;
    assert_eq!(
        fields(&quantities),
        [
            "lignes[1].quantite",
            "lignes[2].quantite",
            "lignes[3].quantite"
        ]
    );
    // what the contract adds is reported with the cart's problems, all at once
    let both = api
        .sell(
            w.store,
            "both",
            json!({"lignes": [], "mode_paiement": "carte", "montant_recu": 5}),
        )
        .await;
    assert_eq!(fields(&both), ["lignes", "montant_recu"]);
    let cash = api
        .sell(w.store, "cash", json!({"lignes": [{"produit_id": w.bread, "quantite": 1}], "mode_paiement": "especes", "montant_recu": -1}))
        .await;
    assert_eq!(fields(&cash), ["montant_recu"]);
    // refusals for the input are not kept: the key records the corrected cart
    let fixed = api
        .sell(
            w.store,
            "empty",
            json!({"lignes": [{"produit_id": w.bread, "quantite": 1}], "mode_paiement": "carte"}),
        )
        .await;
    assert_eq!(fixed.status, StatusCode::CREATED, "{:?}", fixed.body);
    assert_eq!(store_qty(&pool, w.store, w.bread).await, 49);
}

/// The till builds its own sale ids (`web:<uuid>`): a cashier can no longer record a sale under
/// an id the API will build from a key, so the API's sale with that key is its own (201), and
/// an old till sale holding such an id is a conflict, never the API's answer.
#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_till_sale_cannot_take_the_id_of_an_api_sale(pool: sqlx::PgPool) {
    use domain::sales::{self, CartLine, Channel, ClientSaleId, NewSale, Payment};
    let w = world(&pool).await;
    let api = TestApi::new(pool.clone());
    let cashier = add_employee(
        &pool,
        "caissier",
        "Caissier",
        "secret",
        domain::Role::Caissier,
        Some(w.store),
    )
    .await
    .actor();
    let register = domain::stores::list_registers(&pool, w.store)
        .await
        .unwrap()[0]
        .id;
    domain::stores::open_session(
        &pool,
        &cashier,
        register,
        rust_decimal::Decimal::new(100, 0),
    )
    .await
    .unwrap();
    let till_sale = |client_sale_id: String| NewSale {
        client_sale_id,
        channel: Channel::Till {
            register_id: register,
        },
        lines: vec![CartLine {
            product_id: w.bread,
            quantity: 1,
        }],
        payment: Payment::Card,
        options: Default::default(),
    };
    let taxes = domain::Rules::default();

    // the till refuses an id that is not a UUID, such as the API's
    assert!(matches!(
        ClientSaleId::till("api:env:order-mimic"),
        Err(domain::Error::Validation(_))
    ));
    let page_id = "5d1c2f0e-8b7a-4c3d-9e6f-1a2b3c4d5e6f";
    let till_id = ClientSaleId::till(page_id).unwrap();
    let cashier_sale =
        sales::record_sale(&pool, &cashier, &taxes, &till_sale(till_id.clone().into()))
            .await
            .unwrap()
            .sale;
    assert_eq!(cashier_sale.client_sale_id, format!("web:{page_id}"));

    let body = json!({"lignes": [{"produit_id": w.soap, "quantite": 1}], "mode_paiement": "carte"});
    for key in ["order-mimic", page_id, till_id.as_str()] {
        let sold = api.sell(w.store, key, body.clone()).await;
        assert_eq!(sold.status, StatusCode::CREATED, "{key}: {:?}", sold.body);
        assert_eq!(sold.header("idempotent-replayed"), None, "{key}");
        assert_ne!(sold.body["id"], json!(cashier_sale.id), "{key}");
    }
    assert_eq!(store_qty(&pool, w.store, w.soap).await, 47);

    // a till sale recorded before the fix under the API's id: the API's sale is refused (409),
    // it never answers with the cashier's sale
    let legacy = sales::record_sale(&pool, &cashier, &taxes, &till_sale("api:env:legacy".into()))
        .await
        .unwrap()
        .sale;
    let refused = api.sell(w.store, "legacy", body.clone()).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{:?}", refused.body);
    assert_ne!(refused.body["id"], json!(legacy.id));
    assert_eq!(store_qty(&pool, w.store, w.soap).await, 47);
}

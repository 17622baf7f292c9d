//! Selling like a store through the contract (SPEC section 6): several tenders, a customer, a
//! manual discount, the quote, and the refusals that name their field or balance.

use http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

async fn customer(pool: &sqlx::PgPool, points: i64) -> i64 {
    sqlx::query_scalar(
        "WITH c AS (INSERT INTO customers (name, loyalty_card, points)
                    VALUES ('Client', '2000000000017', $1) RETURNING id, points)
         INSERT INTO loyalty_movements (customer_id, delta, reason)
         SELECT id, points, 'adjusted' FROM c WHERE points > 0
         RETURNING customer_id",
    )
    .bind(points)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn gift_card(pool: &sqlx::PgPool, store: i64, code: &str, cents: i64) {
    sqlx::query(
        "WITH g AS (INSERT INTO gift_cards (code, initial_amount, balance, store_id)
                    VALUES ($1, $2 / 100.0, $2 / 100.0, $3) RETURNING id, balance)
         INSERT INTO gift_card_movements (gift_card_id, delta, reason)
         SELECT id, balance, 'issued' FROM g",
    )
    .bind(code)
    .bind(cents)
    .bind(store)
    .execute(pool)
    .await
    .unwrap();
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_split_tender_sale_with_a_customer_and_a_discount(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool.clone());
    let client = customer(&pool, 300).await;
    gift_card(&pool, w.store, "4000000000000002", 200).await;
    // 2 x 1.20 (bread) with 10 % off its line = 2.16; 1 x 1.80 taxable (cola) = 1.80:
    // subtotal 3.96, TPS 0.09, TVQ 0.18, total 4.23 = 2.00 gift card + 1.00 points + 1.23 card
    let body = json!({
        "lignes": [
            {"produit_id": w.bread, "quantite": 2, "remise": {"type": "pourcentage", "valeur": 10}},
            {"produit_id": w.cola, "quantite": 1}
        ],
        "client_id": client,
        "paiements": [
            {"mode": "carte_cadeau", "montant": 2.00, "reference": "4000000000000002"},
            {"mode": "points", "montant": 1.00},
            {"mode": "carte", "montant": 1.23}
        ]
    });
    let quote = api
        .send(
            Method::POST,
            &format!("/api/v1/stores/{}/sales/quote", w.store),
            body.clone(),
        )
        .await;
    assert_eq!(quote.status, StatusCode::OK, "{:?}", quote.body);
    assert_eq!(quote.body["total"], json!(4.23));
    assert_eq!(
        store_qty(&pool, w.store, w.bread).await,
        50,
        "a quote sells nothing"
    );

    let sold = api.sell(w.store, "split-1", body).await;
    assert_eq!(sold.status, StatusCode::CREATED, "{:?}", sold.body);
    for field in [
        "sous_total",
        "tps",
        "tvq",
        "total",
        "points_gagnes",
        "remise_totale",
    ] {
        assert_eq!(sold.body[field], quote.body[field], "{field}");
    }
    assert_eq!(sold.body["sous_total"], json!(3.96));
    assert_eq!(sold.body["total"], json!(4.23));
    assert_eq!(sold.body["remise_totale"], json!(0.24));
    assert_eq!(sold.body["points_gagnes"], json!(3));
    assert_eq!(sold.body["client_id"], json!(client));
    assert_eq!(sold.body["lignes"][0]["prix_original"], json!(1.2));
    assert_eq!(sold.body["lignes"][0]["remise"], json!(0.24));
    assert_eq!(sold.body["lignes"][0]["total"], json!(2.16));
    let modes: Vec<_> = sold.body["paiements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["mode"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(modes, ["carte_cadeau", "points", "carte"]);
    let points: i64 = sqlx::query_scalar("SELECT points FROM customers WHERE id = $1")
        .bind(client)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(points, 300 - 100 + 3);

    // the card is empty now: the next sale on it is a 409 naming the balance, not stored
    let again = api
        .sell(
            w.store,
            "split-2",
            json!({"lignes": [{"produit_id": w.bread, "quantite": 1}],
                   "paiements": [{"mode": "carte_cadeau", "montant": 1.20, "reference": "4000000000000002"}]}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{:?}", again.body);
    assert!(
        again.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("0,00 $ disponibles"),
        "{:?}",
        again.body
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn tenders_and_discounts_are_checked_naming_their_field(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool.clone());
    let quote = |body: serde_json::Value| {
        let api = &api;
        async move {
            api.send(
                Method::POST,
                &format!("/api/v1/stores/{}/sales/quote", w.store),
                body,
            )
            .await
        }
    };
    let line = json!([{"produit_id": w.bread, "quantite": 1}]);
    let cases = [
        // tenders that do not reach the total (1.20)
        (
            json!({"lignes": line, "paiements": [{"mode": "carte", "montant": 1.00}]}),
            "paiements",
        ),
        // only cash may exceed the total
        (
            json!({"lignes": line, "paiements": [{"mode": "carte", "montant": 5.00}]}),
            "paiements",
        ),
        // one way to pay
        (
            json!({"lignes": line, "mode_paiement": "carte", "paiements": [{"mode": "carte", "montant": 1.20}]}),
            "paiements",
        ),
        (json!({"lignes": line}), "paiements"),
        // a discount over 100 %, over the price
        (
            json!({"lignes": [{"produit_id": w.bread, "quantite": 1, "remise": {"type": "pourcentage", "valeur": 120}}], "mode_paiement": "carte"}),
            "lignes[0].remise",
        ),
        (
            json!({"lignes": line, "remise": {"type": "montant", "valeur": 2.00}, "mode_paiement": "carte"}),
            "remise",
        ),
        // points without a customer, a negative amount
        (
            json!({"lignes": line, "paiements": [{"mode": "points", "montant": 1.20}]}),
            "paiements[0].mode",
        ),
        (
            json!({"lignes": line, "paiements": [{"mode": "especes", "montant": -1}]}),
            "paiements[0].montant",
        ),
    ];
    for (body, field) in cases {
        let reply = quote(body.clone()).await;
        assert_problem(
            &reply,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        );
        let fields: Vec<_> = reply.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert!(fields.iter().any(|f| f == field), "{body}: {fields:?}");
    }
    // the contract's body of the first release keeps working, in a quote too
    let legacy =
        quote(json!({"lignes": line, "mode_paiement": "especes", "montant_recu": 5})).await;
    assert_eq!(legacy.status, StatusCode::OK, "{:?}", legacy.body);
    assert_eq!(legacy.body["monnaie_rendue"], json!(3.8));
}

/// Each instance prices quotes from its own price book: a price changed through one instance
/// is in the very next quote of both, and a new promotion too.
#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_change_reaches_the_next_quote_of_every_instance(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let (one, other) = (TestApi::new(pool.clone()), TestApi::new(pool.clone()));
    let quote_path = format!("/api/v1/stores/{}/sales/quote", w.store);
    let body =
        json!({"lignes": [{"produit_id": w.bread, "quantite": 2}], "mode_paiement": "carte"});
    for round in 0..5 {
        let price = 1.5 + f64::from(round) / 10.0;
        for api in [&one, &other] {
            let quote = api.send(Method::POST, &quote_path, body.clone()).await;
            assert_eq!(quote.status, StatusCode::OK, "{:?}", quote.body);
        }
        let changed = one
            .send(
                Method::PATCH,
                &format!("/api/v1/products/{}", w.bread),
                json!({"prix": price}),
            )
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
        for api in [&one, &other] {
            let quote = api.send(Method::POST, &quote_path, body.clone()).await;
            assert_eq!(
                quote.body["sous_total"],
                json!(price * 2.0),
                "round {round}"
            );
        }
    }
    let promotion = one
        .send(
            Method::POST,
            "/api/v1/promotions",
            json!({"nom": "Pain", "type": "prix_fixe", "valeur": 1.00, "produit_ids": [w.bread],
                   "debut": chrono::Utc::now().date_naive() - chrono::Days::new(1),
                   "fin": chrono::Utc::now().date_naive() + chrono::Days::new(1)}),
        )
        .await;
    assert_eq!(
        promotion.status,
        StatusCode::CREATED,
        "{:?}",
        promotion.body
    );
    let quote = other.send(Method::POST, &quote_path, body).await;
    assert_eq!(quote.body["sous_total"], json!(2.0), "{:?}", quote.body);
}

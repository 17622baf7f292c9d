//! Stores, their stock and the warehouse.

use http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn stores_are_created_read_changed_and_deleted(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool.clone());
    let list = api.get("/api/v1/stores/").await;
    assert_eq!(list.body.as_array().unwrap().len(), 2);
    assert_eq!(list.body[0]["nom"], "Centre-Ville");
    let created = api
        .send(Method::POST, "/api/v1/stores", json!({"nom": "Ouest", "adresse": "10 boul. des Sources", "telephone": "514-555-0106", "email": "ouest@exemple.ca"}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(
        store_qty(&pool, id, w.bread).await,
        0,
        "a new store gets a stock row per product"
    );
    let bad_email = api
        .send(
            Method::PATCH,
            &format!("/api/v1/stores/{id}"),
            json!({"email": "pas-un-courriel"}),
        )
        .await;
    assert_problem(
        &bad_email,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    assert_eq!(bad_email.body["errors"][0]["field"], "email");
    let renamed = api
        .send(
            Method::PATCH,
            &format!("/api/v1/stores/{id}"),
            json!({"nom": "Ouest-Island", "email": null}),
        )
        .await;
    assert_eq!(renamed.body["nom"], "Ouest-Island");
    assert_eq!(renamed.body["email"], json!(null));
    let duplicate = api
        .send(
            Method::PUT,
            &format!("/api/v1/stores/{id}"),
            json!({"nom": "Nord"}),
        )
        .await;
    assert_problem(&duplicate, StatusCode::CONFLICT, "conflict");
    assert_eq!(
        api.call(
            Method::DELETE,
            &format!("/api/v1/stores/{id}"),
            Some(ADMIN),
            None
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    // a store with stock movements keeps its history
    let refused = api
        .call(
            Method::DELETE,
            &format!("/api/v1/stores/{}", w.store),
            Some(ADMIN),
            None,
        )
        .await;
    assert_problem(&refused, StatusCode::CONFLICT, "conflict");
    assert_problem(
        &api.get("/api/v1/stores/999").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn store_and_warehouse_stock_have_the_contract_shape_and_filters(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool.clone());
    let stock = api.get(&format!("/api/v1/stores/{}/stock", w.store)).await;
    assert_eq!(stock.status, StatusCode::OK);
    assert_eq!(stock.body["total"], 3);
    let item = &stock.body["items"][0];
    for field in [
        "produit_id",
        "code",
        "nom",
        "quantite",
        "seuil_alerte",
        "statut",
    ] {
        assert!(
            item.get(field).is_some(),
            "stock item without {field}: {item}"
        );
    }
    let empty = api
        .get(&format!(
            "/api/v1/stores/{}/stock?alerte=true",
            w.other_store
        ))
        .await;
    assert_eq!(
        empty.body["total"], 3,
        "every product is in rupture in the empty store"
    );
    assert!(
        empty.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["statut"] == "rupture")
    );
    let alerts = api
        .get(&format!("/api/v1/stores/{}/stock?alerte=true", w.store))
        .await;
    assert_eq!(alerts.body["total"], 0);
    let central = api.get("/api/v1/stock/central?size=1").await;
    assert_eq!(
        (
            central.body["total"].clone(),
            central.body["items"][0]["quantite"].clone()
        ),
        (json!(3), json!(500))
    );
    assert_problem(
        &api.get("/api/v1/stores/999/stock").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_store_s_tax_numbers_are_optional_and_checked(pool: sqlx::PgPool) {
    world(&pool).await;
    let api = TestApi::new(pool.clone());
    let list = api.get("/api/v1/stores/").await;
    assert_eq!(
        list.body[0]["numero_tps"],
        json!(null),
        "none until entered"
    );
    let id = list.body[0]["id"].as_i64().unwrap();
    let set = api
        .send(
            Method::PATCH,
            &format!("/api/v1/stores/{id}"),
            json!({"numero_tps": "123456789rt0001", "numero_tvq": "1234567890 TQ 0001"}),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
    assert_eq!(
        set.body["numero_tps"], "123456789 RT0001",
        "written as printed"
    );
    assert_eq!(set.body["numero_tvq"], "1234567890 TQ0001");
    // a client that does not know them replaces the store without erasing them
    let replaced = api
        .send(
            Method::PUT,
            &format!("/api/v1/stores/{id}"),
            json!({"nom": "Centre-Ville"}),
        )
        .await;
    assert_eq!(replaced.body["numero_tps"], "123456789 RT0001");
    let bad = api
        .send(
            Method::PATCH,
            &format!("/api/v1/stores/{id}"),
            json!({"numero_tvq": "12345"}),
        )
        .await;
    assert_problem(&bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(bad.body["errors"][0]["field"], "numero_tvq");
    let cleared = api
        .send(
            Method::PATCH,
            &format!("/api/v1/stores/{id}"),
            json!({"numero_tps": null}),
        )
        .await;
    assert_eq!(cleared.body["numero_tps"], json!(null));
    assert_eq!(cleared.body["numero_tvq"], "1234567890 TQ0001");

    // given at creation; a bad one creates nothing
    let before = api
        .get("/api/v1/stores/")
        .await
        .body
        .as_array()
        .unwrap()
        .len();
    let refused = api
        .send(
            Method::POST,
            "/api/v1/stores",
            json!({"nom": "Ouest", "numero_tps": "RT0001"}),
        )
        .await;
    assert_problem(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    assert_eq!(
        api.get("/api/v1/stores/")
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        before
    );
    let created = api
        .send(
            Method::POST,
            "/api/v1/stores",
            json!({"nom": "Ouest", "numero_tps": "987654321 RT0002"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!(created.body["numero_tps"], "987654321 RT0002");
    assert_eq!(created.body["numero_tvq"], json!(null));
}

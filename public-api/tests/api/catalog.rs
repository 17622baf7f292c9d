//! Products and categories: the contract's fields, filters, pagination, validation and errors.

use http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn products_are_created_read_changed_and_deleted(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool.clone());
    let created = api
        .send(
            Method::POST,
            "/api/v1/products",
            json!({"code": "ALI006", "nom": "Riz", "description": "Riz basmati 1kg", "prix": 3.49, "categorie_id": w.category, "quantite_stock": 40}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/products/{id}").as_str())
    );
    assert_eq!(created.body["prix"], json!(3.49));
    assert_eq!(
        created.body["quantite_stock"], 40,
        "quantite_stock is the warehouse quantity"
    );
    assert_eq!(created.body["nom"], "Riz");
    // a stock row in every store
    assert_eq!(store_qty(&pool, w.other_store, id).await, 0);

    let by_code = api.get("/api/v1/products/by-code/ALI006").await;
    assert_eq!(by_code.body["id"], id);
    let replaced = api
        .send(
            Method::PUT,
            &format!("/api/v1/products/{id}"),
            json!({"code": "ALI006", "nom": "Riz long", "prix": 3.59, "categorie_id": w.category}),
        )
        .await;
    assert_eq!(replaced.status, StatusCode::OK, "{:?}", replaced.body);
    assert_eq!(replaced.body["nom"], "Riz long");
    assert_eq!(
        replaced.body["quantite_stock"], 40,
        "PUT without quantite_stock keeps it"
    );
    let patched = api
        .send(
            Method::PATCH,
            &format!("/api/v1/products/{id}"),
            json!({"prix": 2.99, "actif": false}),
        )
        .await;
    assert_eq!(
        (patched.body["prix"].clone(), patched.body["actif"].clone()),
        (json!(2.99), json!(false))
    );
    let null_name = api
        .send(
            Method::PATCH,
            &format!("/api/v1/products/{id}"),
            json!({"nom": null}),
        )
        .await;
    assert_problem(
        &null_name,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    assert_eq!(null_name.body["errors"][0]["field"], "nom");

    // a product with history (its initial stock movement) is deactivated, not deleted
    let refused = api
        .call(
            Method::DELETE,
            &format!("/api/v1/products/{id}"),
            Some(ADMIN),
            None,
        )
        .await;
    assert_problem(&refused, StatusCode::CONFLICT, "conflict");
    let fresh = api
        .send(
            Method::POST,
            "/api/v1/products",
            json!({"code": "TMP1", "nom": "Temporaire", "prix": 1, "categorie_id": w.category}),
        )
        .await;
    let fresh_id = fresh.body["id"].as_i64().unwrap();
    let deleted = api
        .call(
            Method::DELETE,
            &format!("/api/v1/products/{fresh_id}"),
            Some(ADMIN),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_problem(
        &api.get(&format!("/api/v1/products/{fresh_id}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_problem(
        &api.get("/api/v1/products/by-code/NOPE").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_list_filters_sorts_and_pages_with_or_without_a_trailing_slash(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool);
    let page = api.get("/api/v1/products?sort=-prix&size=2").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        (
            page.body["total"].clone(),
            page.body["pages"].clone(),
            page.body["size"].clone()
        ),
        (json!(3), json!(2), json!(2))
    );
    assert_eq!(page.body["items"][0]["code"], "BOI003");
    let slash = api.get("/api/v1/products/?sort=-prix&limit=2").await;
    assert_eq!(
        slash.status,
        StatusCode::OK,
        "trailing slash answers without a redirect"
    );
    assert_eq!(slash.body["items"], page.body["items"]);
    let second = api.get("/api/v1/products?sort=-prix&size=2&page=2").await;
    assert_eq!(second.body["items"].as_array().unwrap().len(), 1);
    let filtered = api
        .get(&format!(
            "/api/v1/products?categorie_id={}&prix_min=1.5&q=cola",
            w.category
        ))
        .await;
    assert_eq!(filtered.body["total"], 1);
    assert_eq!(filtered.body["items"][0]["id"], w.cola);
    let inactive = api.get("/api/v1/products?actif=false").await;
    assert_eq!(inactive.body["total"], 0);
    let categories = api.get("/api/v1/categories/").await;
    assert_eq!(categories.body[0]["nom"], "Alimentaire");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn bad_input_is_a_422_naming_each_field(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool);
    let cases = [
        (
            json!({"code": "A", "nom": "x", "prix": 1, "categorie_id": w.category, "couleur": "rouge"}),
            "couleur",
        ),
        (
            json!({"code": "A", "nom": null, "prix": 1, "categorie_id": w.category}),
            "nom",
        ),
        (
            json!({"code": "A", "nom": "x", "prix": -1, "categorie_id": w.category}),
            "prix",
        ),
        (
            json!({"code": "A", "nom": "x", "prix": 1.999, "categorie_id": w.category}),
            "prix",
        ),
        (
            json!({"code": "A", "nom": "x", "prix": 1, "categorie_id": w.category, "quantite_stock": -3}),
            "quantite_stock",
        ),
        (
            json!({"code": "A B", "nom": "x", "prix": 1, "categorie_id": w.category}),
            "code",
        ),
    ];
    for (body, field) in cases {
        let reply = api
            .send(Method::POST, "/api/v1/products", body.clone())
            .await;
        assert_problem(
            &reply,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        );
        let fields: Vec<&str> = reply.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(
            fields.iter().any(|f| f.contains(field)),
            "{body} -> {:?}",
            reply.body
        );
    }
    let unknown_category = api
        .send(
            Method::POST,
            "/api/v1/products",
            json!({"code": "A", "nom": "x", "prix": 1, "categorie_id": 9999}),
        )
        .await;
    assert_problem(&unknown_category, StatusCode::NOT_FOUND, "not_found");
    let duplicate = api
        .send(
            Method::POST,
            "/api/v1/products",
            json!({"code": "ALI001", "nom": "x", "prix": 1, "categorie_id": w.category}),
        )
        .await;
    assert_problem(&duplicate, StatusCode::CONFLICT, "conflict");
    for query in [
        "size=101",
        "page=0",
        "prix_min=abc",
        "sort=couleur",
        "actif=peut-etre",
    ] {
        let reply = api.get(&format!("/api/v1/products?{query}")).await;
        assert_problem(
            &reply,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        );
    }
    let malformed = api
        .call_with(
            Method::POST,
            "/api/v1/products",
            Some(ADMIN),
            None,
            &[("content-type", "application/json")],
        )
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    let not_json = api
        .call_with(Method::POST, "/api/v1/products", Some(ADMIN), None, &[])
        .await;
    assert_problem(
        &not_json,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
}

//! `/promotions` and `/gift-cards/{code}` through the real router: the contract's fields,
//! 201 + Location, problems naming the contract's fields, scopes (read, write, admin), and the
//! 409 of a promotion that priced a sale.

use http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

fn spring(products: &[i64]) -> serde_json::Value {
    json!({
        "nom": "Printemps",
        "type": "pourcentage",
        "valeur": 20,
        "produit_ids": products,
        "debut": "2026-03-01",
        "fin": "2026-03-31"
    })
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn promotions_are_created_read_listed_changed_and_deleted(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool);
    let created = api
        .send(
            Method::POST,
            "/api/v1/promotions",
            spring(&[w.bread, w.soap]),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/promotions/{id}").as_str())
    );
    let mut products = vec![w.bread, w.soap];
    products.sort();
    assert_eq!(
        created.body,
        json!({
            "id": id, "nom": "Printemps", "type": "pourcentage", "valeur": 20.0,
            "achat": null, "paye": null, "produit_ids": products, "categorie_ids": [],
            "magasin_ids": [], "debut": "2026-03-01", "fin": "2026-03-31", "actif": true
        })
    );
    let read = api.get(&format!("/api/v1/promotions/{id}")).await;
    assert_eq!(read.body, created.body);

    let lot = api
        .send(
            Method::POST,
            "/api/v1/promotions/",
            json!({
                "nom": "3 pour 2", "type": "lot", "achat": 3, "paye": 2,
                "categorie_ids": [w.category], "magasin_ids": [w.other_store],
                "debut": "2026-06-01", "fin": "2026-06-30", "actif": false
            }),
        )
        .await;
    assert_eq!(lot.status, StatusCode::CREATED, "{:?}", lot.body);
    assert_eq!(lot.body["valeur"], json!(null));
    let lot_id = lot.body["id"].as_i64().unwrap();

    let page = api.get("/api/v1/promotions").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        (page.body["total"].as_i64(), page.body["pages"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(
        page.body["items"][0]["id"].as_i64(),
        Some(lot_id),
        "newest start first"
    );
    let filtered = api
        .get(&format!(
            "/api/v1/promotions?actif=true&date=2026-03-15&magasin_id={}",
            w.store
        ))
        .await;
    assert_eq!(filtered.body["total"], 1);
    assert_eq!(filtered.body["items"][0]["id"].as_i64(), Some(id));
    let in_june = api.get("/api/v1/promotions?date=2026-06-02&size=1").await;
    assert_eq!(in_june.body["items"][0]["id"].as_i64(), Some(lot_id));

    let patched = api
        .send(
            Method::PATCH,
            &format!("/api/v1/promotions/{id}"),
            json!({"type": "montant", "valeur": 0.25, "magasin_ids": [w.store]}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{:?}", patched.body);
    assert_eq!(patched.body["type"], "montant");
    assert_eq!(patched.body["valeur"], 0.25);
    assert_eq!(patched.body["magasin_ids"], json!([w.store]));
    assert_eq!(
        patched.body["nom"], "Printemps",
        "what the patch does not name stays"
    );

    let deleted = api
        .call(
            Method::DELETE,
            &format!("/api/v1/promotions/{id}"),
            Some(ADMIN),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = api.get(&format!("/api/v1/promotions/{id}")).await;
    assert_problem(&gone, StatusCode::NOT_FOUND, "not_found");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn bad_promotions_are_422_naming_the_contract_fields(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool);
    let fields = |reply: &Reply| -> Vec<String> {
        reply.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect()
    };
    let reply = api
        .send(
            Method::POST,
            "/api/v1/promotions",
            json!({"nom": "", "type": "lot", "achat": 1, "paye": 1, "debut": "2026-03-02", "fin": "2026-03-01"}),
        )
        .await;
    assert_problem(
        &reply,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    assert_eq!(
        fields(&reply),
        ["nom", "achat", "paye", "produit_ids", "fin"]
    );

    let mut body = spring(&[w.bread]);
    body["valeur"] = json!(12.345);
    let reply = api.send(Method::POST, "/api/v1/promotions", body).await;
    assert_eq!(fields(&reply), ["valeur"]);
    let mut body = spring(&[w.bread, 424242]);
    body["magasin_ids"] = json!([989898]);
    let reply = api.send(Method::POST, "/api/v1/promotions", body).await;
    assert_eq!(fields(&reply), ["produit_ids", "magasin_ids"]);
    assert!(reply.body["detail"].as_str().unwrap().contains("424242"));
    let mut body = spring(&[w.bread]);
    body["remise"] = json!(5);
    let reply = api.send(Method::POST, "/api/v1/promotions", body).await;
    assert_problem(
        &reply,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let mut body = spring(&[w.bread]);
    body["type"] = json!("solde");
    let reply = api.send(Method::POST, "/api/v1/promotions", body).await;
    assert_eq!(fields(&reply), ["type"]);

    let created = api
        .send(Method::POST, "/api/v1/promotions", spring(&[w.bread]))
        .await;
    let path = format!("/api/v1/promotions/{}", created.body["id"]);
    let reply = api
        .send(Method::PATCH, &path, json!({"nom": null, "actif": null}))
        .await;
    assert_eq!(fields(&reply), ["nom", "actif"]);
    let reply = api
        .send(Method::PATCH, &path, json!({"valeur": null}))
        .await;
    assert_eq!(fields(&reply), ["valeur"]);
    let reply = api.get("/api/v1/promotions?date=demain").await;
    assert_eq!(fields(&reply), ["date"]);
    let reply = api.get("/api/v1/promotions?actif=peut-etre").await;
    assert_eq!(fields(&reply), ["actif"]);
    let reply = api.get("/api/v1/promotions?couleur=rouge").await;
    assert_eq!(fields(&reply), ["couleur"]);
    let reply = api.get("/api/v1/promotions/abc").await;
    assert_problem(&reply, StatusCode::NOT_FOUND, "not_found");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn reading_needs_read_writing_write_and_deleting_admin(pool: sqlx::PgPool) {
    use domain::access::{Scope, create_client};
    let w = world(&pool).await;
    let (_, reader) = create_client(&pool, "lecteur", &[Scope::Read])
        .await
        .unwrap();
    let (_, writer) = create_client(&pool, "ecrivain", &[Scope::Read, Scope::Write])
        .await
        .unwrap();
    let api = TestApi::new(pool);
    let refused = api
        .call(
            Method::POST,
            "/api/v1/promotions",
            Some(&reader),
            Some(spring(&[w.bread])),
        )
        .await;
    assert_problem(&refused, StatusCode::FORBIDDEN, "forbidden");
    let created = api
        .call(
            Method::POST,
            "/api/v1/promotions",
            Some(&writer),
            Some(spring(&[w.bread])),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let path = format!("/api/v1/promotions/{}", created.body["id"]);
    let read = api.call(Method::GET, &path, Some(&reader), None).await;
    assert_eq!(read.status, StatusCode::OK);
    let patched = api
        .call(
            Method::PATCH,
            &path,
            Some(&reader),
            Some(json!({"actif": false})),
        )
        .await;
    assert_problem(&patched, StatusCode::FORBIDDEN, "forbidden");
    let deleted = api.call(Method::DELETE, &path, Some(&writer), None).await;
    assert_problem(&deleted, StatusCode::FORBIDDEN, "forbidden");
    let anonymous = api.call(Method::GET, &path, None, None).await;
    assert_problem(&anonymous, StatusCode::UNAUTHORIZED, "unauthorized");
    let deleted = api.call(Method::DELETE, &path, Some(ADMIN), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_promotion_that_priced_a_sale_is_a_409_and_can_be_deactivated(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool.clone());
    let created = api
        .send(Method::POST, "/api/v1/promotions", spring(&[w.bread]))
        .await;
    let id = created.body["id"].as_i64().unwrap();
    let sale: i64 = sqlx::query_scalar(
        "INSERT INTO sales (client_sale_id, store_id, subtotal, tps, tvq, total, payment_method)
         VALUES ('promo-1', $1, 0.96, 0, 0, 0.96, 'carte') RETURNING id",
    )
    .bind(w.store)
    .fetch_one(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO sale_lines (sale_id, line_no, product_id, quantity, unit_price, taxable,
                                 line_total, original_price, promotion_id, promotion_saving)
         VALUES ($1, 1, $2, 1, 0.96, FALSE, 0.96, 1.20, $3, 0.24)",
    )
    .bind(sale)
    .bind(w.bread)
    .bind(id)
    .execute(&pool)
    .await
    .unwrap();
    let path = format!("/api/v1/promotions/{id}");
    let refused = api.call(Method::DELETE, &path, Some(ADMIN), None).await;
    assert_problem(&refused, StatusCode::CONFLICT, "conflict");
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("désactivez-la")
    );
    let off = api
        .send(Method::PATCH, &path, json!({"actif": false}))
        .await;
    assert_eq!(off.body["actif"], false);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_gift_card_answers_its_balance_by_code(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    sqlx::query(
        "INSERT INTO gift_cards (code, initial_amount, balance, store_id)
         VALUES ('4539148803436467', 50, 12.50, $1)",
    )
    .bind(w.store)
    .execute(&pool)
    .await
    .unwrap();
    let api = TestApi::new(pool);
    let card = api.get("/api/v1/gift-cards/4539148803436467").await;
    assert_eq!(card.status, StatusCode::OK, "{:?}", card.body);
    assert_eq!(card.body["code"], "4539148803436467");
    assert_eq!(card.body["solde"], 12.5);
    assert_eq!(card.body["montant_initial"], 50.0);
    assert_eq!(card.body["magasin_id"].as_i64(), Some(w.store));
    assert!(card.body["creee_le"].is_string());
    let spaced = api
        .get("/api/v1/gift-cards/4539%201488%200343%206467")
        .await;
    assert_eq!(spaced.status, StatusCode::OK);
    for unknown in ["5555555555554444", "4539148803436468", "nimporte"] {
        let reply = api.get(&format!("/api/v1/gift-cards/{unknown}")).await;
        assert_problem(&reply, StatusCode::NOT_FOUND, "not_found");
    }
    let reply = api.get("/api/v1/gift-cards/4539148803436467?x=1").await;
    assert_problem(
        &reply,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
}

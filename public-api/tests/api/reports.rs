//! Reports through the API: real figures from SQL, filters, validation.

use http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn reports_reflect_the_sales_made(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool);
    for (key, qty) in [("a", 2), ("b", 3)] {
        let reply = api.sell(w.store, key, json!({"lignes": [{"produit_id": w.soap, "quantite": qty}], "mode_paiement": "carte"})).await;
        assert_eq!(reply.status, StatusCode::CREATED);
    }
    let kpis = api
        .get(&format!("/api/v1/reports/kpis?magasin_id={}", w.store))
        .await;
    assert_eq!(kpis.status, StatusCode::OK, "{:?}", kpis.body);
    assert_eq!(kpis.body["nombre_ventes"], 2);
    assert_eq!(kpis.body["unites_vendues"], 5);
    assert_eq!(kpis.body["chiffre_affaires"], json!(6.0));
    assert_eq!(kpis.body["panier_moyen"], json!(3.0));

    let sales = api.get("/api/v1/reports/sales").await;
    assert_eq!(sales.body["totaux"]["nombre_ventes"], 2);
    assert_eq!(sales.body["par_magasin"][0]["magasin_id"], w.store);
    assert_eq!(
        sales.body["par_magasin"][1]["nombre_ventes"], 0,
        "a store without sales ranks last"
    );
    assert_eq!(sales.body["par_jour"].as_array().unwrap().len(), 30);
    assert_eq!(sales.body["top_produits_unites"][0]["produit_id"], w.soap);

    let inventory = api
        .get(&format!("/api/v1/reports/inventory?magasin_id={}", w.store))
        .await;
    assert_eq!(inventory.status, StatusCode::OK);
    let soap = inventory.body["produits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["produit_id"] == w.soap)
        .unwrap()
        .clone();
    assert_eq!(soap["quantite"], 45);
    assert_eq!(soap["unites_vendues_30j"], 5);

    let custom = api
        .send(
            Method::POST,
            "/api/v1/reports/custom",
            json!({"date_debut": "2026-01-01", "date_fin": chrono::Utc::now().date_naive().to_string(), "group_by": "product", "metrics": ["units", "revenue"]}),
        )
        .await;
    assert_eq!(custom.status, StatusCode::OK, "{:?}", custom.body);
    assert_eq!(
        custom.body["lignes"][0]["valeurs"]["units"],
        json!(5),
        "counts are integers"
    );
    assert_eq!(custom.body["lignes"][0]["valeurs"]["revenue"], json!(6.0));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn report_parameters_are_validated(pool: sqlx::PgPool) {
    world(&pool).await;
    let api = TestApi::new(pool);
    let bad_date = api.get("/api/v1/reports/kpis?date_debut=2026-13-01").await;
    assert_problem(
        &bad_date,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    assert_eq!(bad_date.body["errors"][0]["field"], "date_debut");
    let reversed = api
        .get("/api/v1/reports/sales?date_debut=2026-11-20&date_fin=2026-11-01")
        .await;
    assert_problem(
        &reversed,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let unknown = api.get("/api/v1/reports/kpis?magasin_id=999").await;
    assert_problem(&unknown, StatusCode::NOT_FOUND, "not_found");
    let custom = api
        .send(Method::POST, "/api/v1/reports/custom", json!({"date_debut": "2026-11-01", "date_fin": "2026-11-02", "group_by": "hour", "metrics": ["bonheur"]}))
        .await;
    assert_problem(
        &custom,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let fields: Vec<&str> = custom.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"group_by") && fields.contains(&"metrics"),
        "{fields:?}"
    );
}

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

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_default_day_is_the_store_s_own_or_montreal_s_for_the_network(pool: sqlx::PgPool) {
    use chrono::NaiveDate;
    let w = world(&pool).await;
    let api = TestApi::new(pool.clone());
    let chain_today = domain::reporting::chain_today();
    // of UTC+14 and UTC-11, one is always on another day than Montreal
    let mut far = Vec::new();
    for (name, tz) in [
        ("Kiritimati", "Pacific/Kiritimati"),
        ("Pago Pago", "Pacific/Pago_Pago"),
    ] {
        let new = domain::stores::NewStore {
            name: name.into(),
            address: "1 rue".into(),
            phone: "514-555-0199".into(),
            email: None,
            time_zone: Some(tz.into()),
            registers: 1,
        };
        far.push(
            domain::stores::create_store(&pool, &domain::Actor::System, &new)
                .await
                .unwrap(),
        );
    }
    let store = far
        .into_iter()
        .find(|s| domain::reporting::today_for(Some(s)) != chain_today)
        .unwrap();
    domain::inventory::adjust_stock(
        &pool,
        &domain::Actor::System,
        domain::inventory::Location::Store(store.id),
        w.bread,
        10,
        "test",
    )
    .await
    .unwrap();
    let sold = api
        .sell(
            store.id,
            "far",
            json!({"lignes": [{"produit_id": w.bread, "quantite": 2}], "mode_paiement": "carte"}),
        )
        .await;
    assert_eq!(sold.status, StatusCode::CREATED, "{:?}", sold.body);
    let store_today = domain::reporting::today_for(Some(&store));

    let kpis = api
        .get(&format!("/api/v1/reports/kpis?magasin_id={}", store.id))
        .await;
    assert_eq!(kpis.status, StatusCode::OK, "{:?}", kpis.body);
    let day = |v: &serde_json::Value| v.as_str().unwrap().parse::<NaiveDate>().unwrap();
    assert_eq!(day(&kpis.body["date_fin"]), store_today);
    assert_eq!(
        day(&kpis.body["date_debut"]),
        store_today - chrono::Duration::days(29)
    );
    assert_eq!(kpis.body["nombre_ventes"], 1);
    // the store's today alone holds its sale of now
    let today_only = api
        .get(&format!(
            "/api/v1/reports/sales?magasin_id={}&date_debut={store_today}",
            store.id
        ))
        .await;
    assert_eq!(today_only.status, StatusCode::OK, "{:?}", today_only.body);
    assert_eq!(today_only.body["totaux"]["nombre_ventes"], 1);

    let network = api.get("/api/v1/reports/kpis").await;
    assert_eq!(day(&network.body["date_fin"]), chain_today);
}

//! `GET /sales`, the sales list for accounting: each item is the sale `GET /sales/{id}` shows,
//! pages follow the `next_after` cursor, bad parameters are 422s naming them, and a token is
//! required.

use chrono::{Duration, Utc};
use http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

/// `GET /sales` over the days around now (wide enough for every time zone) with `extra`
/// parameters.
fn around_today(extra: &str) -> String {
    let today = Utc::now().date_naive();
    format!(
        "/api/v1/sales?date_debut={}&date_fin={}{extra}",
        today - Duration::days(1),
        today + Duration::days(1)
    )
}

/// Sells `n` breads, one per sale, in `store`; the sales' ids.
async fn sell_breads(api: &TestApi, store: i64, bread: i64, n: usize, prefix: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..n {
        let body =
            json!({"lignes": [{"produit_id": bread, "quantite": 1}], "mode_paiement": "carte"});
        let sold = api.sell(store, &format!("{prefix}-{i}"), body).await;
        assert_eq!(sold.status, StatusCode::CREATED, "{:?}", sold.body);
        ids.push(sold.body["id"].as_i64().unwrap());
    }
    ids
}

fn item_ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect()
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn each_item_is_the_sale_as_read_by_id(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    shelve(&pool, w.other_store, w.bread, 10).await;
    let api = TestApi::new(pool.clone());
    let cash = api
        .sell(w.store, "cash", json!({"lignes": [{"produit_id": w.soap, "quantite": 2}, {"produit_id": w.bread, "quantite": 1}], "mode_paiement": "especes", "montant_recu": 10}))
        .await;
    assert_eq!(cash.status, StatusCode::CREATED, "{:?}", cash.body);
    let id = cash.body["id"].as_i64().unwrap();
    let other = sell_breads(&api, w.other_store, w.bread, 1, "other").await[0];
    // a return of one soap (the API records none: the till does)
    let actor = domain::Actor::ApiClient { id: None };
    let sale = domain::sales::get_sale(&pool, &actor, id).await.unwrap();
    let line = sale.lines.iter().find(|l| l.product_id == w.soap).unwrap();
    let back = domain::sales::NewReturn {
        sale_id: id,
        lines: vec![domain::sales::ReturnLineInput {
            sale_line_id: line.id,
            quantity: 1,
        }],
        reason: "Défectueux".into(),
        register_id: None,
        to_store_credit: false,
    };
    domain::sales::create_return(&pool, &actor, &back)
        .await
        .unwrap();

    let page = api.get(&around_today("")).await;
    assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
    assert_eq!(page.header("x-cache"), None, "never cached");
    assert_eq!(page.body["next_after"], Value::Null);
    assert_eq!(item_ids(&page.body), [id, other]);
    let first = &page.body["items"][0];
    assert_eq!(first, &api.get(&format!("/api/v1/sales/{id}")).await.body);
    assert_eq!(first["magasin_id"], w.store);
    assert_eq!(first["caisse_id"], Value::Null);
    assert_eq!(first["sous_total"], json!(3.6));
    assert_eq!(first["total"], json!(3.96));
    assert_eq!(first["mode_paiement"], "especes");
    assert_eq!(first["monnaie_rendue"], json!(6.04));
    assert_eq!(first["paiements"][0]["mode"], "especes");
    assert_eq!(first["retours"][0]["lignes"][0]["produit_id"], w.soap);
    assert_eq!(first["retours"][0]["motif"], "Défectueux");
    assert!(first["date_heure"].is_string());
    assert!(first["lignes"][0]["prix_unitaire"].is_number());

    let one_store = api
        .get(&around_today(&format!("&magasin_id={}", w.other_store)))
        .await;
    assert_eq!(item_ids(&one_store.body), [other]);
    let elsewhere = api
        .get("/api/v1/sales?date_debut=2020-01-01&date_fin=2020-01-31")
        .await;
    assert_eq!(elsewhere.status, StatusCode::OK);
    assert_eq!(elsewhere.body, json!({"items": [], "next_after": null}));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn pages_follow_the_cursor_to_the_end(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool);
    let sold = sell_breads(&api, w.store, w.bread, 5, "page").await;
    let mut seen = Vec::new();
    let mut after = 0;
    let mut pages = 0;
    loop {
        // the collection answers with a trailing slash too
        let page = api
            .get(&around_today(&format!("&limit=2&after={after}")).replace("sales?", "sales/?"))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
        pages += 1;
        seen.extend(item_ids(&page.body));
        match page.body["next_after"].as_i64() {
            Some(next) => {
                assert_eq!(Some(&next), seen.last(), "the cursor is the page's last id");
                after = next;
            }
            None => break,
        }
    }
    assert_eq!((seen, pages), (sold.clone(), 3));
    let default_limit = api.get(&around_today("")).await;
    assert_eq!(item_ids(&default_limit.body), sold);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn bad_parameters_are_422_naming_them(pool: sqlx::PgPool) {
    world(&pool).await;
    let api = TestApi::new(pool);
    let field_of = |reply: &Reply| {
        assert_problem(reply, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        reply.body["errors"][0]["field"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let cases = [
        ("date_debut=2026-13-01&date_fin=2026-12-31", "date_debut"),
        ("date_debut=2026-11-01&date_fin=hier", "date_fin"),
        ("date_debut=2026-11-01", "date_fin"),
        ("date_fin=2026-11-01", "date_debut"),
        ("date_debut=2026-11-20&date_fin=2026-11-01", "date_fin"),
        ("date_debut=2025-01-01&date_fin=2026-01-02", "date_debut"),
        (
            "date_debut=2026-11-01&date_fin=2026-11-02&limit=501",
            "limit",
        ),
        ("date_debut=2026-11-01&date_fin=2026-11-02&limit=0", "limit"),
        (
            "date_debut=2026-11-01&date_fin=2026-11-02&after=-1",
            "after",
        ),
        ("date_debut=2026-11-01&date_fin=2026-11-02&page=2", "page"),
        ("date_debut=2026-11-01&date_fin=2026-11-02&size=10", "size"),
    ];
    for (query, field) in cases {
        let reply = api.get(&format!("/api/v1/sales?{query}")).await;
        assert_eq!(field_of(&reply), field, "{query}: {:?}", reply.body);
    }
    let nothing = api.get("/api/v1/sales").await;
    let fields: Vec<&str> = nothing.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["date_debut", "date_fin"]);
    let unknown_store = api
        .get("/api/v1/sales?date_debut=2026-11-01&date_fin=2026-11-02&magasin_id=999999")
        .await;
    assert_problem(&unknown_store, StatusCode::NOT_FOUND, "not_found");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_sales_list_needs_a_token(pool: sqlx::PgPool) {
    world(&pool).await;
    let api = TestApi::new(pool.clone());
    let path = "/api/v1/sales?date_debut=2026-11-01&date_fin=2026-11-02";
    let none = api.call(Method::GET, path, None, None).await;
    assert_problem(&none, StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(none.header("www-authenticate"), Some("Bearer"));
    let (_, reader) =
        domain::access::create_client(&pool, "comptable", &[domain::access::Scope::Read])
            .await
            .unwrap();
    let read = api.call(Method::GET, path, Some(&reader), None).await;
    assert_eq!(read.status, StatusCode::OK, "{:?}", read.body);
}

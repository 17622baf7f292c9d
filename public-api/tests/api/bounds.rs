//! The stricter contract: a parameter no route documents is a 422 naming it, on every route;
//! cache keys come from the parsed request, so spellings of one request share an entry and
//! junk makes none; every amount, date, size and key is bounded with a 422 naming the field;
//! codes are trimmed before they become cache keys; reads need only the `read` scope.

use http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

fn field(reply: &Reply) -> &str {
    reply.body["errors"][0]["field"]
        .as_str()
        .unwrap_or_default()
}

fn assert_invalid(reply: &Reply, name: &str) {
    assert_problem(reply, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(field(reply), name, "{:?}", reply.body);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn every_route_refuses_a_parameter_it_does_not_document(pool: sqlx::PgPool) {
    let _w = world(&pool).await;
    let api = TestApi::new(pool);
    let doc = serde_json::to_value(public_api::routes::openapi()).unwrap();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op.get("security").is_none() {
                continue;
            }
            let concrete = path.replace("{id}", "1").replace("{code}", "ALI001");
            let method: Method = method.to_uppercase().parse().unwrap();
            let body = (method != Method::GET && method != Method::DELETE).then(|| json!({}));
            let reply = api
                .call(
                    method.clone(),
                    &format!("{concrete}?zzz_inconnu=1&page=1"),
                    Some(ADMIN),
                    body,
                )
                .await;
            assert_invalid(&reply, "zzz_inconnu");
            assert_eq!(reply.header("x-cache"), None, "{method} {path}");
            // the 422 is documented on every route
            assert!(op["responses"].get("422").is_some(), "{method} {path}");
            checked += 1;
        }
    }
    assert!(checked >= 20, "{checked}");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn cache_keys_come_from_the_parsed_request(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool);
    let cache = |path: String| {
        let api = &api;
        async move { api.get(&path).await.header("x-cache").map(str::to_owned) }
    };
    let miss = Some("MISS".to_owned());
    let hit = Some("HIT".to_owned());
    assert_eq!(
        cache("/api/v1/products?size=5&prix_min=1.0".into()).await,
        miss
    );
    for same in [
        "/api/v1/products?prix_min=1&size=5",
        "/api/v1/products?prix_min=1.00&limit=5&page=1",
        "/api/v1/products?size=5&prix_min=1&q=",
    ] {
        assert_eq!(cache(same.into()).await, hit, "{same}");
    }
    assert_eq!(cache("/api/v1/products?q=pain".into()).await, miss);
    assert_eq!(cache("/api/v1/products?q=%20pain%20".into()).await, hit);

    let today = domain::reporting::chain_today();
    assert_eq!(cache("/api/v1/reports/kpis".into()).await, miss);
    let explicit = format!(
        "/api/v1/reports/kpis?date_fin={today}&date_debut={}",
        today - chrono::Duration::days(29)
    );
    assert_eq!(
        cache(explicit).await,
        hit,
        "the defaults are the same report"
    );
    let store = format!("/api/v1/reports/inventory?magasin_id={}", w.store);
    assert_eq!(cache(store.clone()).await, miss);
    assert_eq!(cache(format!("{store}&page=1&size=20")).await, hit);

    let keys = async || api.get("/api/v1/cache/stats").await.body["keys"].clone();
    let before = keys().await;
    for junk in 0..20 {
        let reply = api.get(&format!("/api/v1/products?zzz{junk}=1")).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        let reply = api
            .get(&format!(
                "/api/v1/reports/kpis?magasin_id={}&x={junk}",
                w.store
            ))
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(keys().await, before, "junk parameters make no cache entry");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn dates_amounts_sizes_and_pages_are_bounded_by_field(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool);
    for (path, name) in [
        ("/api/v1/reports/kpis?date_fin=-262143-01-01", "date_fin"),
        (
            "/api/v1/reports/sales?date_debut=+262142-12-31",
            "date_debut",
        ),
        (
            "/api/v1/reports/kpis?date_debut=0001-01-01&date_fin=0001-01-31",
            "date_debut",
        ),
        (
            "/api/v1/reports/kpis?date_debut=2024-01-01&date_fin=2025-06-01",
            "date_debut",
        ),
        ("/api/v1/reports/sales?limit=101", "limit"),
        ("/api/v1/reports/sales?limit=99999999999", "limit"),
        ("/api/v1/reports/inventory?page=0", "page"),
        ("/api/v1/reports/inventory?size=101", "size"),
        ("/api/v1/products?page=1000001", "page"),
        ("/api/v1/products?size=0", "size"),
        ("/api/v1/products?prix_max=10000000000", "prix_max"),
        ("/api/v1/stock/central?page=99999999999999999999", "page"),
    ] {
        assert_invalid(&api.get(path).await, name);
    }
    let long_search = format!("/api/v1/products?q={}", "a".repeat(101));
    assert_invalid(&api.get(&long_search).await, "q");
    let page = api.get("/api/v1/reports/inventory?page=50&size=10").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body["produits"], json!([]));
    assert_eq!(
        (page.body["total"].clone(), page.body["page"].clone()),
        (json!(3), json!(50))
    );

    let custom = |body: Value| api.send(Method::POST, "/api/v1/reports/custom", body);
    let base = json!({"date_debut": "2026-11-01", "date_fin": "2026-11-02", "group_by": "product", "metrics": ["units"]});
    let with = |key: &str, value: Value| {
        let mut body = base.clone();
        body[key] = value;
        body
    };
    for (body, name) in [
        (with("date_debut", json!("1899-12-31")), "date_debut"),
        (with("date_fin", json!("+10000-01-01")), "date_fin"),
        (with("limit", json!(0)), "limit"),
        (with("limit", json!(1001)), "limit"),
        (
            with("magasin_ids", json!((0..101).collect::<Vec<i64>>())),
            "magasin_ids",
        ),
        (with("metrics", json!(vec!["units"; 7])), "metrics"),
    ] {
        assert_invalid(&custom(body).await, name);
    }
    assert_eq!(
        custom(with("limit", json!(1000))).await.status,
        StatusCode::OK
    );

    let sale = |body: Value| api.sell(w.store, "bornes", body);
    let cash = |amount: Value| json!({"lignes": [{"produit_id": w.bread, "quantite": 1}], "mode_paiement": "especes", "montant_recu": amount});
    for amount in [
        json!(1e15),
        json!("1000000000000000"),
        json!(10_000_000_000i64),
    ] {
        assert_invalid(&sale(cash(amount)).await, "montant_recu");
    }
    for amount in [json!("NaN"), json!("inf"), json!("1e400")] {
        assert_invalid(&sale(cash(amount)).await, "montant_recu");
    }
    let many: Vec<Value> = (0..201)
        .map(|_| json!({"produit_id": w.bread, "quantite": 1}))
        .collect();
    let reply = sale(json!({"lignes": many, "mode_paiement": "carte"})).await;
    assert_invalid(&reply, "lignes");
    let reply = api
        .send(
            Method::POST,
            "/api/v1/products",
            json!({"code": "BIG001", "nom": "Or", "prix": 1e15, "categorie_id": w.category}),
        )
        .await;
    assert_invalid(&reply, "prix");
}

/// Live: `/products/by-code/ALI001%20` kept the old price after a change, because the spaced
/// code was cached under its own key, which no invalidation named.
#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_code_with_spaces_is_the_code_and_never_serves_a_stale_price(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool);
    let spaced = "/api/v1/products/by-code/%20ALI001%20";
    let first = api.get(spaced).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body["prix"], json!(1.2));
    assert_eq!(
        api.get("/api/v1/products/by-code/ALI001")
            .await
            .header("x-cache"),
        Some("HIT"),
        "one entry for the code, however it is spelled"
    );
    let changed = api
        .send(
            Method::PATCH,
            &format!("/api/v1/products/{}", w.bread),
            json!({"prix": 1.45}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK);
    for path in [
        spaced,
        "/api/v1/products/by-code/ALI001%20",
        "/api/v1/products/by-code/ALI001",
    ] {
        assert_eq!(api.get(path).await.body["prix"], json!(1.45), "{path}");
    }
    // what cannot be a code is not found, and not cached
    for path in [
        "/api/v1/products/by-code/AL%20I001",
        "/api/v1/products/by-code/%20%20",
        "/api/v1/products/by-code/ALI001%3B",
    ] {
        let reply = api.get(path).await;
        assert_problem(&reply, StatusCode::NOT_FOUND, "not_found");
        assert_eq!(reply.header("x-cache"), None);
    }
    // writes trim the same way
    let created = api
        .send(
            Method::POST,
            "/api/v1/products",
            json!({"code": "  NEW001 ", "nom": "Neuf", "prix": 2.0, "categorie_id": w.category}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!(created.body["code"], "NEW001");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn reads_need_the_read_scope_and_the_cache_is_cleared_by_admins(pool: sqlx::PgPool) {
    world(&pool).await;
    let api = TestApi::new(pool.clone());
    let (_, reader) =
        domain::access::create_client(&pool, "lecteur", &[domain::access::Scope::Read])
            .await
            .unwrap();
    let (_, writer) = domain::access::create_client(
        &pool,
        "ecrivain",
        &[domain::access::Scope::Read, domain::access::Scope::Write],
    )
    .await
    .unwrap();
    let custom = json!({"date_debut": "2026-11-01", "date_fin": "2026-11-02", "group_by": "day", "metrics": ["revenue"]});
    let as_reader = api
        .call(
            Method::POST,
            "/api/v1/reports/custom",
            Some(&reader),
            Some(custom),
        )
        .await;
    assert_eq!(as_reader.status, StatusCode::OK, "{:?}", as_reader.body);
    let stats = api
        .call(Method::GET, "/api/v1/cache/stats", Some(&reader), None)
        .await;
    assert_eq!(stats.status, StatusCode::OK);
    for token in [&reader, &writer] {
        for method in [Method::DELETE, Method::POST] {
            let reply = api
                .call(method, "/api/v1/cache/clear", Some(token), None)
                .await;
            assert_problem(&reply, StatusCode::FORBIDDEN, "forbidden");
        }
    }
    let doc = serde_json::to_string(&public_api::routes::openapi()).unwrap();
    assert!(
        doc.contains("`POST /reports/custom`"),
        "the scopes are documented"
    );
}

//! `/customers`: the contract's shape, validation and unique fields named in French field
//! names, the search, PATCH with `null`, anonymising with the admin scope only, and a
//! customer's sales in every store. Never cached.

use http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

async fn create(api: &TestApi, body: Value) -> Reply {
    api.send(Method::POST, "/api/v1/customers", body).await
}

fn marie() -> Value {
    json!({"nom": " Marie Roy ", "courriel": "marie.roy@exemple.ca",
           "telephone": "+1 (514) 555-1234", "consentement_marketing": true})
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn customers_are_created_read_found_and_changed(pool: sqlx::PgPool) {
    let api = TestApi::new(pool.clone());
    let created = create(&api, marie()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/customers/{id}").as_str())
    );
    let c = &created.body;
    assert_eq!(c["nom"], "Marie Roy");
    assert_eq!(c["telephone"], "15145551234");
    assert_eq!(c["courriel"], "marie.roy@exemple.ca");
    assert_eq!(c["consentement_marketing"], true);
    assert_eq!(
        (c["points"].clone(), c["credit"].clone()),
        (json!(0), json!(0.0))
    );
    assert_eq!(c["anonymise_le"], Value::Null);
    let card = c["carte_fidelite"].as_str().unwrap().to_owned();
    assert!(domain::customers::card::is_valid(&card), "{card}");

    let read = api.get(&format!("/api/v1/customers/{id}")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(&read.body, c);
    assert_eq!(
        read.header("x-cache"),
        None,
        "personal data is never cached"
    );

    create(&api, json!({"nom": "Jean Tremblay"})).await;
    for (q, expected) in [
        ("roy", 1),
        ("514-555-1234", 1),
        (card.as_str(), 1),
        ("MARIE.ROY", 1),
        ("tremblay", 1),
        ("personne", 0),
    ] {
        let found = api
            .get(&format!("/api/v1/customers?q={}", urlencode(q)))
            .await;
        assert_eq!(found.status, StatusCode::OK, "{:?}", found.body);
        assert_eq!(found.body["total"], expected, "{q}");
    }
    let all = api.get("/api/v1/customers/?size=1&page=2").await;
    assert_eq!(
        (all.body["total"].clone(), all.body["pages"].clone()),
        (json!(2), json!(2))
    );
    assert_eq!(all.body["items"][0]["nom"], "Marie Roy", "by name");

    let changed = api
        .send(
            Method::PATCH,
            &format!("/api/v1/customers/{id}"),
            json!({"courriel": null, "telephone": "438 555 0000", "consentement_marketing": false}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
    assert_eq!(changed.body["courriel"], Value::Null);
    assert_eq!(changed.body["telephone"], "4385550000");
    assert_eq!(changed.body["nom"], "Marie Roy", "unchanged");
    assert_eq!(changed.body["consentement_marketing"], false);
    let null_consent = api
        .send(
            Method::PATCH,
            &format!("/api/v1/customers/{id}"),
            json!({"consentement_marketing": null}),
        )
        .await;
    assert_problem(
        &null_consent,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    assert_eq!(
        null_consent.body["errors"][0]["field"],
        "consentement_marketing"
    );
    assert_problem(
        &api.get("/api/v1/customers/999999").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

fn urlencode(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn invalid_and_taken_fields_are_named_in_the_contract_s_words(pool: sqlx::PgPool) {
    let api = TestApi::new(pool.clone());
    let bad = create(
        &api,
        json!({"nom": "", "courriel": "marie@", "telephone": "555-1234"}),
    )
    .await;
    assert_problem(&bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let fields: Vec<_> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["courriel", "telephone"], "a blank name is no name");
    let unknown = create(&api, json!({"nom": "Marie", "age": 40})).await;
    assert_problem(
        &unknown,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let nul = create(&api, json!({"nom": "Ma\u{0}rie"})).await;
    assert_problem(&nul, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");

    assert_eq!(create(&api, marie()).await.status, StatusCode::CREATED);
    let taken = create(
        &api,
        json!({"nom": "Autre", "courriel": "Marie.Roy@Exemple.ca"}),
    )
    .await;
    assert_problem(
        &taken,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    assert_eq!(taken.body["errors"][0]["field"], "courriel");
    assert_eq!(
        taken.body["errors"][0]["message"],
        "Un autre client utilise déjà ce courriel."
    );
    let taken = create(&api, json!({"telephone": "514 555 1234 "})).await;
    assert_eq!(
        taken.status,
        StatusCode::CREATED,
        "10 digits are another number than the 11 stored"
    );
    let taken = create(&api, json!({"telephone": "1-514-555-1234"})).await;
    assert_eq!(taken.body["errors"][0]["field"], "telephone");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM customers")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 2);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn only_the_admin_scope_anonymises_and_the_sales_stay(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool.clone());
    let id = create(&api, marie()).await.body["id"].as_i64().unwrap();
    let sold = api
        .sell(
            w.store,
            "k1",
            json!({"lignes": [{"produit_id": w.soap, "quantite": 2}], "mode_paiement": "carte"}),
        )
        .await;
    assert_eq!(sold.status, StatusCode::CREATED, "{:?}", sold.body);
    let sale = sold.body["id"].as_i64().unwrap();
    sqlx::query("UPDATE sales SET customer_id = $2 WHERE id = $1")
        .bind(sale)
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();

    let (_, writer) = domain::access::create_client(
        &pool,
        "caisse-web",
        &[domain::access::Scope::Read, domain::access::Scope::Write],
    )
    .await
    .unwrap();
    let path = format!("/api/v1/customers/{id}/anonymize");
    let refused = api.call(Method::POST, &path, Some(&writer), None).await;
    assert_problem(&refused, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        api.get(&format!("/api/v1/customers/{id}")).await.body["nom"],
        "Marie Roy"
    );
    let done = api.call(Method::POST, &path, Some(ADMIN), None).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    for field in ["nom", "courriel", "telephone"] {
        assert_eq!(done.body[field], Value::Null, "{field}");
    }
    assert_eq!(done.body["consentement_marketing"], false);
    assert!(done.body["anonymise_le"].is_string());
    let again = api.call(Method::POST, &path, Some(ADMIN), None).await;
    assert_eq!(again.body, done.body, "anonymising twice is fine");
    let edit = api
        .send(
            Method::PATCH,
            &format!("/api/v1/customers/{id}"),
            json!({"nom": "Marie"}),
        )
        .await;
    assert_problem(&edit, StatusCode::CONFLICT, "conflict");

    let sales = api
        .call(
            Method::GET,
            &format!("/api/v1/customers/{id}/sales"),
            Some(&writer),
            None,
        )
        .await;
    assert_eq!(sales.status, StatusCode::OK, "{:?}", sales.body);
    assert_eq!(sales.body["total"], 1);
    let item = &sales.body["items"][0];
    assert_eq!(item["id"], sale);
    assert_eq!(item["magasin_id"], w.store);
    assert_eq!(item["magasin"], "Centre-Ville");
    assert_eq!(item["articles"], 2);
    assert_eq!(item["total"], sold.body["total"]);
    assert_problem(
        &api.get("/api/v1/customers/999999/sales").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_problem(
        &api.call(
            Method::POST,
            "/api/v1/customers/999999/anonymize",
            Some(ADMIN),
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

//! Promotions and gift cards in the web UI, in-process: store staff get the refusal page and
//! their posts are refused; head office creates a promotion once every field is right (each
//! problem next to its field, what was typed kept), edits and deactivates it; any employee
//! checks a gift card's balance and movements.

use crate::support::*;
use domain::Role;
use domain::catalog::NewProduct;
use domain::promotions::PromotionKind;
use http::StatusCode;
use sqlx::PgPool;

struct Setup {
    app: axum::Router,
    store: i64,
    category: i64,
    bread: i64,
}

async fn setup(pool: &PgPool) -> Setup {
    let store = add_store(pool, "Centre-Ville", "", "", 1).await;
    let category = add_category(pool, "Alimentaire").await;
    let new = NewProduct {
        name: "Pain".into(),
        ..new_product("ALI001", 120, false, category)
    };
    let bread = product_with_stock(pool, &new, store.id, 10).await;
    Setup {
        app: app(pool.clone()),
        store: store.id,
        category,
        bread,
    }
}

/// A promotion form from a valid one (20 % on ALI001 today), with these fields changed.
fn promotion_form(csrf: &str, id: &str, changes: &[(&str, &str)]) -> String {
    let today = domain::reporting::chain_today().to_string();
    let mut fields = vec![
        ("promotion_id", id.to_owned()),
        ("csrf", csrf.to_owned()),
        ("nom", "Printemps".to_owned()),
        ("type", "pourcentage".to_owned()),
        ("valeur", "20".to_owned()),
        ("achat", String::new()),
        ("paye", String::new()),
        ("produits", "ALI001".to_owned()),
        ("debut", today.clone()),
        ("fin", today),
        ("actif", "on".to_owned()),
    ];
    for (key, value) in changes {
        match fields.iter_mut().find(|(k, _)| k == key) {
            Some(field) => field.1 = (*value).to_owned(),
            None => fields.push((*key, (*value).to_owned())),
        }
    }
    fields
        .into_iter()
        .filter(|(_, v)| v != "<absent>")
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

async fn promotion_count(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM promotions")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn store_staff_get_the_refusal_page_and_their_posts_are_refused(pool: PgPool) {
    let s = setup(&pool).await;
    let cashier = employee_session(&s.app, &pool, "caissier1", Role::Caissier, Some(s.store)).await;
    let manager = employee_session(&s.app, &pool, "gerant1", Role::Gerant, Some(s.store)).await;
    for cookie in [&cashier, &manager] {
        let page = call(&s.app, "GET", "/promotions", Some(cookie), None).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert!(page.body.contains("Accès refusé") && page.body.contains("Réservé au siège"));
        assert!(
            !page.body.contains("href=\"/promotions\""),
            "no link for store staff"
        );
        let form = call(&s.app, "GET", "/promotions/nouveau", Some(cookie), None).await;
        assert_eq!(form.status, StatusCode::FORBIDDEN);
        let csrf = csrf_of(&s.app, cookie).await;
        let refused = post(
            &s.app,
            cookie,
            "save_promotion",
            &promotion_form(&csrf, "", &[]),
        )
        .await;
        assert!(refused.location.unwrap().contains("erreur=droits"));
    }
    assert_eq!(promotion_count(&pool).await, 0);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn head_office_creates_edits_and_deactivates_a_promotion(pool: PgPool) {
    let s = setup(&pool).await;
    let admin = employee_session(&s.app, &pool, "admin", Role::Admin, None).await;
    let list = call(&s.app, "GET", "/promotions", Some(&admin), None).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains("href=\"/promotions\""),
        "the admin's navigation links it"
    );
    let form_page = call(&s.app, "GET", "/promotions/nouveau", Some(&admin), None).await;
    assert!(form_page.body.contains("name=\"nom\"") && form_page.body.contains("Alimentaire"));
    let csrf = attribute(&form_page.body, "name=\"csrf\" value=\"");

    // no value and an unknown code: both said next to their fields, nothing stored
    let refused = post(
        &s.app,
        &admin,
        "save_promotion",
        &promotion_form(&csrf, "", &[("valeur", ""), ("produits", "ALI001+ZZZ999")]),
    )
    .await;
    let location = refused.location.unwrap();
    assert!(
        location.starts_with("/promotions/nouveau?erreur=champs"),
        "{location}"
    );
    assert_eq!(promotion_count(&pool).await, 0);
    let page = call(&s.app, "GET", &location, Some(&admin), None).await;
    let value_field = page.body.find("id=\"pr-valeur\"").unwrap();
    let message = page.body.find("La valeur est obligatoire.").unwrap();
    let next = page.body.find("id=\"pr-achat\"").unwrap();
    assert!(
        value_field < message && message < next,
        "the message is under its field"
    );
    assert!(
        page.body.contains("Code(s) inconnu(s) : ZZZ999."),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("ALI001 ZZZ999"),
        "what was typed is kept"
    );

    let fin_before = post(
        &s.app,
        &admin,
        "save_promotion",
        &promotion_form(&csrf, "", &[("debut", "2026-03-10"), ("fin", "2026-03-01")]),
    )
    .await;
    assert!(fin_before.location.unwrap().contains("f_fin="));

    let created = post(
        &s.app,
        &admin,
        "save_promotion",
        &promotion_form(
            &csrf,
            "",
            &[("categorie_ids%5B%5D", &s.category.to_string())],
        ),
    )
    .await;
    let location = created.location.unwrap();
    assert!(
        location.starts_with("/promotions?enregistree="),
        "{location}"
    );
    let id: i64 = location.rsplit('=').next().unwrap().parse().unwrap();
    let stored = domain::promotions::get_promotion(&pool, id).await.unwrap();
    assert_eq!(stored.product_ids, [s.bread]);
    assert_eq!(stored.category_ids, [s.category]);
    assert!(stored.store_ids.is_empty());
    let list = call(&s.app, "GET", &location, Some(&admin), None).await;
    assert!(list.body.contains("Promotion enregistrée."));
    let current = list.body.find("data-group=\"en-cours\"").unwrap();
    let row = list
        .body
        .find(&format!("data-promotion-id=\"{id}\""))
        .unwrap();
    let upcoming = list.body.find("data-group=\"a-venir\"").unwrap();
    assert!(
        current < row && row < upcoming,
        "listed among the current ones"
    );
    assert!(list.body.contains("20 % de rabais"));

    // edited into a 3-for-2 in one store
    let edit = call(
        &s.app,
        "GET",
        &format!("/promotions/{id}"),
        Some(&admin),
        None,
    )
    .await;
    assert!(edit.body.contains("value=\"Printemps\""));
    let form = promotion_form(
        &csrf,
        &id.to_string(),
        &[
            ("type", "lot"),
            ("valeur", ""),
            ("achat", "3"),
            ("paye", "2"),
            ("magasin_ids%5B%5D", &s.store.to_string()),
        ],
    );
    let saved = post(&s.app, &admin, "save_promotion", &form).await;
    assert!(
        saved
            .location
            .unwrap()
            .starts_with("/promotions?enregistree=")
    );
    let stored = domain::promotions::get_promotion(&pool, id).await.unwrap();
    assert_eq!(
        (stored.kind, stored.buy, stored.pay),
        (PromotionKind::Lot, Some(3), Some(2))
    );
    assert_eq!(stored.store_ids, [s.store]);

    let off = post(
        &s.app,
        &admin,
        "set_promotion_active",
        &format!("csrf={csrf}&promotion_id={id}&active=false"),
    )
    .await;
    let location = off.location.unwrap();
    assert!(location.contains("fait=desactivee"), "{location}");
    assert!(
        !domain::promotions::get_promotion(&pool, id)
            .await
            .unwrap()
            .active
    );
    let list = call(&s.app, "GET", &location, Some(&admin), None).await;
    let inactive = list.body.find("data-group=\"inactives\"").unwrap();
    let row = list
        .body
        .find(&format!("data-promotion-id=\"{id}\""))
        .unwrap();
    assert!(inactive < row);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn any_employee_checks_a_gift_card_s_balance_and_movements(pool: PgPool) {
    let s = setup(&pool).await;
    let card: i64 = sqlx::query_scalar(
        "INSERT INTO gift_cards (code, initial_amount, balance, store_id)
         VALUES ('4539148803436467', 50, 12.50, $1) RETURNING id",
    )
    .bind(s.store)
    .fetch_one(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO gift_card_movements (gift_card_id, delta, reason)
         VALUES ($1, 50, 'issued'), ($1, -37.50, 'redeemed')",
    )
    .bind(card)
    .execute(&pool)
    .await
    .unwrap();
    let cashier = employee_session(&s.app, &pool, "caissier1", Role::Caissier, Some(s.store)).await;
    let empty = call(&s.app, "GET", "/cartes-cadeaux", Some(&cashier), None).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(
        empty.body.contains("name=\"code\"") && empty.body.contains("href=\"/cartes-cadeaux\"")
    );
    let found = call(
        &s.app,
        "GET",
        "/cartes-cadeaux?code=4539+1488+0343+6467",
        Some(&cashier),
        None,
    )
    .await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.body.contains("12,50"), "{}", found.body);
    assert!(found.body.contains("Émission") && found.body.contains("Paiement"));
    assert!(found.body.contains("-37,50"));
    let unknown = call(
        &s.app,
        "GET",
        "/cartes-cadeaux?code=5555555555554444",
        Some(&cashier),
        None,
    )
    .await;
    assert_eq!(unknown.status, StatusCode::OK);
    let field = unknown.body.find("id=\"gc-code\"").unwrap();
    let message = unknown
        .body
        .find("Aucune carte-cadeau ne porte ce code")
        .unwrap();
    assert!(field < message);
    let signed_out = call(&s.app, "GET", "/cartes-cadeaux", None, None).await;
    assert_ne!(signed_out.status, StatusCode::OK);
}

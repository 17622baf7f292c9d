//! Stock du magasin: alerts first, and a manager asks the warehouse for several products with
//! one form (one quantity per row, empty rows not requested), all or nothing; cashiers and other
//! stores' staff are refused by the server, not only by a missing form.

use crate::support::*;
use domain::catalog::NewProduct;
use http::StatusCode;
use sqlx::PgPool;

/// Store 1 with its manager `gerant1` and three products: `PLEIN` (80 on the shelf), `VIDE` (0)
/// and `BAS` (5); returns the store id and the products' ids in that order.
async fn stocked_store(pool: &PgPool) -> (i64, [i64; 3]) {
    demo_store_and_employee(pool).await;
    let store = domain::staff::authenticate(pool, "gerant1", "demo")
        .await
        .unwrap()
        .unwrap()
        .store_id
        .unwrap();
    let category = add_category(pool, "Alimentaire").await;
    let mut ids = [0; 3];
    for (i, (code, qty)) in [("PLEIN", 80), ("VIDE", 0), ("BAS", 5)]
        .into_iter()
        .enumerate()
    {
        let new = NewProduct {
            warehouse_quantity: 100,
            ..new_product(code, 100, true, category)
        };
        ids[i] = product_with_stock(pool, &new, store, qty).await;
    }
    (store, ids)
}

async fn requests(pool: &PgPool) -> Vec<(i64, i32, String)> {
    sqlx::query_as("SELECT product_id, quantity, status FROM replenishment_requests ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap()
}

/// The form body of the stock page: `quantities[<id>]=<typed>` per row.
fn form(csrf: &str, store: i64, typed: &[(i64, &str)]) -> String {
    let mut body = format!("csrf={csrf}&store_id={store}");
    for (id, q) in typed {
        body.push_str(&format!("&quantities%5B{id}%5D={q}"));
    }
    body
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_manager_asks_for_several_products_with_one_form(pool: PgPool) {
    let (store, [full, empty, low]) = stocked_store(&pool).await;
    let app = app(pool.clone());
    let cookie = cookie_pair(&sign_in(&app, "gerant1", "demo").await.set_cookie.unwrap());
    let page = call(
        &app,
        "GET",
        &format!("/magasins/{store}/stock"),
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    let (v, b, p) = (
        page.body.find("VIDE").unwrap(),
        page.body.find("BAS").unwrap(),
        page.body.find("PLEIN").unwrap(),
    );
    assert!(v < b && b < p, "rupture, then bas, then normal");
    assert!(page.body.contains("Rupture") && page.body.contains("Envoyer la demande"));
    assert_eq!(
        page.body.matches("<form").count(),
        2,
        "sign-out and one request form"
    );
    for id in [full, empty, low] {
        assert!(
            page.body.contains(&format!("name=\"quantities[{id}]\"")),
            "{id}"
        );
    }
    let csrf = attribute(&page.body, "name=\"csrf\" value=\"");

    let asked = call(
        &app,
        "POST",
        "/api/request_replenishments",
        Some(&cookie),
        Some(&form(
            &csrf,
            store,
            &[(full, ""), (empty, "30"), (low, "12")],
        )),
    )
    .await;
    assert_eq!(asked.status, StatusCode::FOUND);
    let location = asked.location.unwrap();
    let made = requests(&pool).await;
    assert_eq!(
        made.iter()
            .map(|(p, q, s)| (*p, *q, s.as_str()))
            .collect::<Vec<_>>(),
        [(empty, 30, "en_attente"), (low, 12, "en_attente")],
        "one request per product with a quantity, none for the empty row"
    );
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM replenishment_requests ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(
        location,
        format!("/magasins/{store}/stock?demandes={},{}", ids[0], ids[1])
    );
    let done = call(&app, "GET", &location, Some(&cookie), None).await;
    assert!(
        done.body.contains(&format!(
            "Demandes n° {} et {} envoyées à l'entrepôt.",
            ids[0], ids[1]
        )),
        "{}",
        done.body
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_wrong_quantity_sends_nothing_and_comes_back_next_to_its_field(pool: PgPool) {
    let (store, [full, empty, low]) = stocked_store(&pool).await;
    let app = app(pool.clone());
    let cookie = cookie_pair(&sign_in(&app, "gerant1", "demo").await.set_cookie.unwrap());
    let page = call(
        &app,
        "GET",
        &format!("/magasins/{store}/stock"),
        Some(&cookie),
        None,
    )
    .await;
    let csrf = attribute(&page.body, "name=\"csrf\" value=\"");
    let post = |body: String| {
        let (app, cookie) = (app.clone(), cookie.clone());
        async move {
            call(
                &app,
                "POST",
                "/api/request_replenishments",
                Some(&cookie),
                Some(&body),
            )
            .await
            .location
            .unwrap()
        }
    };

    // not a number: refused before the domain, what was typed comes back
    let location = post(form(&csrf, store, &[(empty, "abc"), (low, "12")])).await;
    assert_eq!(
        location,
        format!(
            "/magasins/{store}/stock?erreur=quantites&invalides={empty}&q{empty}=abc&q{low}=12"
        )
    );
    let again = call(&app, "GET", &location, Some(&cookie), None).await;
    assert!(
        again.body.contains("Corrigez les quantités signalées"),
        "{}",
        again.body
    );
    assert!(
        again.body.contains(&format!("id=\"e-{empty}\"")),
        "the error sits next to its field"
    );
    assert!(again.body.contains("Entier d'au moins 1"));
    assert!(
        again.body.contains("value=\"12\""),
        "the other quantity is kept"
    );

    // zero: the domain's rule, reported on the same field
    let location = post(form(&csrf, store, &[(full, "5"), (low, "0")])).await;
    assert!(
        location.contains(&format!("erreur=quantites&invalides={low}&")),
        "{location}"
    );
    // nothing typed at all
    let location = post(form(&csrf, store, &[(full, ""), (empty, " ")])).await;
    assert!(location.contains("erreur=vide"), "{location}");
    // a forged form
    call(
        &app,
        "POST",
        "/api/request_replenishments",
        Some(&cookie),
        Some(&form("forged", store, &[(empty, "5")])),
    )
    .await;
    assert!(requests(&pool).await.is_empty(), "nothing was requested");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn cashiers_and_other_stores_cannot_request(pool: PgPool) {
    let (store, [_, empty, _]) = stocked_store(&pool).await;
    let other = add_store(&pool, "Nord", "", "", 1).await;
    let app = app(pool.clone());
    let cashier = employee_session(
        &app,
        &pool,
        "caissier1",
        domain::Role::Caissier,
        Some(store),
    )
    .await;
    let page = call(
        &app,
        "GET",
        &format!("/magasins/{store}/stock"),
        Some(&cashier),
        None,
    )
    .await;
    assert!(page.body.contains("VIDE"), "a cashier reads the stock");
    assert!(!page.body.contains("Envoyer la demande") && !page.body.contains("quantities["));
    let csrf = attribute(&page.body, "name=\"csrf\" value=\"");
    let refused = call(
        &app,
        "POST",
        "/api/request_replenishments",
        Some(&cashier),
        Some(&form(&csrf, store, &[(empty, "5")])),
    )
    .await;
    assert!(refused.location.unwrap().contains("erreur=refus"));

    let manager =
        employee_session(&app, &pool, "gerant9", domain::Role::Gerant, Some(other.id)).await;
    let page = call(
        &app,
        "GET",
        &format!("/magasins/{}/stock", other.id),
        Some(&manager),
        None,
    )
    .await;
    let csrf = attribute(&page.body, "name=\"csrf\" value=\"");
    let refused = call(
        &app,
        "POST",
        "/api/request_replenishments",
        Some(&manager),
        Some(&form(&csrf, store, &[(empty, "5")])),
    )
    .await;
    assert!(refused.location.unwrap().contains("erreur=refus"));
    assert!(requests(&pool).await.is_empty());
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_stock_page_writes_its_figures_and_labels_the_french_way(pool: PgPool) {
    let (store, [full, _, _]) = stocked_store(&pool).await;
    let system = domain::Actor::System;
    let shelf = domain::inventory::Location::Store(store);
    domain::inventory::adjust_stock(&pool, &system, shelf, full, 1_998_981, "test")
        .await
        .unwrap();
    let category = domain::catalog::list_categories(&pool).await.unwrap()[0].id;
    let water = domain::catalog::create_product(
        &pool,
        &system,
        &domain::catalog::NewProduct {
            code: "EAU001".into(),
            name: "Eau minérale".into(),
            description: String::new(),
            price: rust_decimal::Decimal::new(70, 2),
            category_id: category,
            taxable: true,
            active: true,
            warehouse_quantity: 100,
        },
    )
    .await
    .unwrap();
    domain::inventory::create_request(&pool, &system, store, water.id, 12, "")
        .await
        .unwrap();
    let app = app(pool.clone());
    let cookie = cookie_pair(&sign_in(&app, "gerant1", "demo").await.set_cookie.unwrap());
    let page = call(
        &app,
        "GET",
        &format!("/magasins/{store}/stock"),
        Some(&cookie),
        None,
    )
    .await;
    assert!(
        page.body.contains(">1\u{a0}998\u{a0}981<"),
        "a stock count is grouped by thousands: {}",
        page.body
    );
    assert!(
        page.body
            .contains("Quantité d&#x27;eau minérale à demander")
            || page.body.contains("Quantité d'eau minérale à demander"),
        "the screen-reader label elides: {}",
        page.body
    );
    let requested_at = page
        .body
        .split_once("<time>")
        .and_then(|(_, rest)| rest.split_once("</time>"))
        .map(|(at, _)| at)
        .unwrap();
    assert!(
        requested_at.contains("\u{a0}h\u{a0}")
            && !requested_at.contains(':')
            && !requested_at.contains('-'),
        "a French date and time, not ISO: {requested_at}"
    );
}

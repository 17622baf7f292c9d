//! Produits in-process: store staff read the catalogue but the server refuses their changes;
//! head office creates (problems next to each field, what was typed kept, nothing stored until
//! the form is right), edits, deactivates and adds categories.

use crate::support::*;
use domain::Role;
use domain::catalog::NewProduct;
use http::StatusCode;
use rust_decimal::Decimal;
use sqlx::PgPool;

struct Setup {
    app: axum::Router,
    store: i64,
    category: i64,
    product: i64,
}

async fn setup(pool: &PgPool) -> Setup {
    let store = add_store(pool, "Centre-Ville", "", "", 1).await;
    let category = add_category(pool, "Alimentaire").await;
    let new = NewProduct {
        name: "Pain".into(),
        description: "Baguette tradition".into(),
        warehouse_quantity: 500,
        ..new_product("ALI001", 120, false, category)
    };
    let product = product_with_stock(pool, &new, store.id, 0).await;
    Setup {
        app: app(pool.clone()),
        store: store.id,
        category,
        product,
    }
}

async fn product_count(pool: &PgPool, code: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM products WHERE code = $1")
        .bind(code)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// A create form with these fields changed from a valid one.
fn product_form(csrf: &str, category: i64, changes: &[(&str, &str)]) -> String {
    let mut fields = vec![
        ("csrf", csrf.to_owned()),
        ("code", "BOI009".to_owned()),
        ("name", "Jus+de+pomme".to_owned()),
        ("description", "Pur+jus+1L".to_owned()),
        ("price", "2%2C50".to_owned()),
        ("category_id", category.to_string()),
        ("taxable", "on".to_owned()),
        ("active", "on".to_owned()),
        ("warehouse_quantity", "120".to_owned()),
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

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn store_staff_read_the_catalogue_but_the_server_refuses_their_changes(pool: PgPool) {
    let s = setup(&pool).await;
    let cashier = employee_session(&s.app, &pool, "caissier1", Role::Caissier, Some(s.store)).await;
    let manager = employee_session(&s.app, &pool, "gerant1", Role::Gerant, Some(s.store)).await;
    for cookie in [&cashier, &manager] {
        let list = call(&s.app, "GET", "/produits?q=pain", Some(cookie), None).await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains("ALI001") && list.body.contains("1,20"));
        assert!(!list.body.contains("Nouveau produit") && !list.body.contains("Désactiver"));
        let form = call(&s.app, "GET", "/produits/nouveau", Some(cookie), None).await;
        assert!(form.body.contains("Réservé au siège"), "{}", form.body);
        assert!(!form.body.contains("name=\"price\""));

        let csrf = csrf_of(&s.app, cookie).await;
        let created = post(
            &s.app,
            cookie,
            "create_product",
            &product_form(&csrf, s.category, &[]),
        )
        .await;
        assert!(created.location.unwrap().contains("erreur=droits"));
        let edit = format!(
            "{}&product_id={}&warehouse_before=500",
            product_form(&csrf, s.category, &[("code", "ALI001"), ("price", "0")]),
            s.product
        );
        let edited = post(&s.app, cookie, "update_product", &edit).await;
        assert!(edited.location.unwrap().contains("erreur=droits"));
        let off = post(
            &s.app,
            cookie,
            "set_product_active",
            &format!(
                "csrf={csrf}&product_id={}&active=false&back=/produits",
                s.product
            ),
        )
        .await;
        assert!(off.location.unwrap().contains("erreur=droits"));
        post(
            &s.app,
            cookie,
            "create_category",
            &format!("csrf={csrf}&name=Jouets&description="),
        )
        .await;
    }
    assert_eq!(product_count(&pool, "BOI009").await, 0);
    let pain = domain::catalog::get_product(&pool, s.product)
        .await
        .unwrap();
    assert_eq!((pain.price, pain.active), (Decimal::new(120, 2), true));
    let categories = domain::catalog::list_categories(&pool).await.unwrap();
    assert_eq!(categories.len(), 1, "no category created by store staff");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn head_office_creates_a_product_once_every_field_is_right(pool: PgPool) {
    let s = setup(&pool).await;
    let admin = employee_session(&s.app, &pool, "admin", Role::Admin, None).await;
    let form_page = call(&s.app, "GET", "/produits/nouveau", Some(&admin), None).await;
    assert!(form_page.body.contains("name=\"price\"") && form_page.body.contains("Alimentaire"));
    let csrf = attribute(&form_page.body, "name=\"csrf\" value=\"");

    let bad_price = post(
        &s.app,
        &admin,
        "create_product",
        &product_form(&csrf, s.category, &[("price", "-3")]),
    )
    .await;
    let location = bad_price.location.unwrap();
    assert!(
        location.starts_with("/produits/nouveau?erreur=champs") && location.contains("f_price="),
        "{location}"
    );
    assert_eq!(product_count(&pool, "BOI009").await, 0, "nothing stored");
    let page = call(&s.app, "GET", &location, Some(&admin), None).await;
    let price_field = page.body.find("id=\"p-price\"").unwrap();
    let message = page
        .body
        .find("Le prix doit être positif, au cent près.")
        .unwrap();
    let next_field = page.body.find("id=\"p-taxable\"").unwrap();
    assert!(
        price_field < message && message < next_field,
        "the message is right under the price field"
    );
    assert!(
        page.body.contains("value=\"BOI009\""),
        "what was typed is kept"
    );
    assert!(page.body.contains("value=\"-3\""));
    assert!(page.body.contains("Jus de pomme"));

    // a price that is not a number and an empty name: both reported at once
    let unreadable = post(
        &s.app,
        &admin,
        "create_product",
        &product_form(&csrf, s.category, &[("price", "abc"), ("name", "")]),
    )
    .await;
    let page = call(
        &s.app,
        "GET",
        &unreadable.location.unwrap(),
        Some(&admin),
        None,
    )
    .await;
    assert!(
        page.body.contains("Indiquez un prix comme 12,50."),
        "{}",
        page.body
    );
    assert!(page.body.contains("Le nom est obligatoire"));
    assert!(page.body.contains("id=\"p-name-erreur\""));

    let created = post(
        &s.app,
        &admin,
        "create_product",
        &product_form(&csrf, s.category, &[]),
    )
    .await;
    let location = created.location.unwrap();
    assert!(
        location.starts_with("/produits?q=BOI009&cree="),
        "{location}"
    );
    let product = domain::catalog::get_product_by_code(&pool, "BOI009")
        .await
        .unwrap();
    assert_eq!(product.price, Decimal::new(250, 2));
    assert_eq!(product.name, "Jus de pomme");
    assert_eq!(product.warehouse_quantity, 120);
    assert!(product.taxable && product.active);
    let list = call(&s.app, "GET", &location, Some(&admin), None).await;
    assert!(list.body.contains("Produit créé.") && list.body.contains("Jus de pomme"));
    assert!(
        !list.body.contains("ALI001"),
        "the search shows the new product only"
    );

    let duplicate = post(
        &s.app,
        &admin,
        "create_product",
        &product_form(&csrf, s.category, &[]),
    )
    .await;
    let page = call(
        &s.app,
        "GET",
        &duplicate.location.unwrap(),
        Some(&admin),
        None,
    )
    .await;
    assert!(
        page.body.contains("Un produit porte déjà ce code.") && page.body.contains("p-code-erreur"),
        "{}",
        page.body
    );
    assert_eq!(product_count(&pool, "BOI009").await, 1);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn head_office_edits_deactivates_and_reactivates(pool: PgPool) {
    let s = setup(&pool).await;
    let admin = employee_session(&s.app, &pool, "admin", Role::Admin, None).await;
    let edit_page = call(
        &s.app,
        "GET",
        &format!("/produits/{}", s.product),
        Some(&admin),
        None,
    )
    .await;
    assert!(
        edit_page.body.contains("value=\"ALI001\"") && edit_page.body.contains("value=\"1,20\"")
    );
    let csrf = attribute(&edit_page.body, "name=\"csrf\" value=\"");
    let edit = |changes: &[(&str, &str)], before: &str| {
        let mut all = vec![("code", "ALI001"), ("name", "Pain")];
        all.extend_from_slice(changes);
        format!(
            "{}&product_id={}&warehouse_before={before}",
            product_form(&csrf, s.category, &all),
            s.product
        )
    };

    let bad = post(
        &s.app,
        &admin,
        "update_product",
        &edit(&[("price", "1.234"), ("warehouse_quantity", "500")], "500"),
    )
    .await;
    let location = bad.location.unwrap();
    assert!(location.starts_with(&format!("/produits/{}?erreur=champs", s.product)));
    let unchanged = domain::catalog::get_product(&pool, s.product)
        .await
        .unwrap();
    assert_eq!(unchanged.price, Decimal::new(120, 2));

    let saved = post(
        &s.app,
        &admin,
        "update_product",
        &edit(
            &[
                ("price", "1%2C35"),
                ("taxable", "<absent>"),
                ("warehouse_quantity", "480"),
            ],
            "500",
        ),
    )
    .await;
    assert_eq!(
        saved.location.as_deref(),
        Some(format!("/produits/{}?enregistre=1", s.product).as_str())
    );
    let pain = domain::catalog::get_product(&pool, s.product)
        .await
        .unwrap();
    assert_eq!(pain.price, Decimal::new(135, 2));
    assert!(!pain.taxable, "an unchecked box is false");
    assert_eq!(
        pain.warehouse_quantity, 480,
        "the warehouse count was corrected"
    );
    let page = call(&s.app, "GET", &saved.location.unwrap(), Some(&admin), None).await;
    assert!(
        page.body.contains("Modifications enregistrées.") && page.body.contains("value=\"1,35\"")
    );

    let off = post(
        &s.app,
        &admin,
        "set_product_active",
        &format!(
            "csrf={csrf}&product_id={}&active=false&back=%2Fproduits%3Fq%3Dpain",
            s.product
        ),
    )
    .await;
    assert_eq!(
        off.location.as_deref(),
        Some(format!("/produits?q=pain&fait=desactive&produit={}", s.product).as_str())
    );
    assert!(
        !domain::catalog::get_product(&pool, s.product)
            .await
            .unwrap()
            .active
    );
    let inactive = call(&s.app, "GET", "/produits?etat=inactifs", Some(&admin), None).await;
    assert!(inactive.body.contains("ALI001") && inactive.body.contains("Réactiver"));
    let active = call(&s.app, "GET", "/produits?etat=actifs", Some(&admin), None).await;
    assert!(!active.body.contains("ALI001"));
    post(
        &s.app,
        &admin,
        "set_product_active",
        &format!(
            "csrf={csrf}&product_id={}&active=true&back=/produits",
            s.product
        ),
    )
    .await;
    assert!(
        domain::catalog::get_product(&pool, s.product)
            .await
            .unwrap()
            .active
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn head_office_adds_categories_with_errors_next_to_the_name(pool: PgPool) {
    let s = setup(&pool).await;
    let admin = employee_session(&s.app, &pool, "admin", Role::Admin, None).await;
    let csrf = csrf_of(&s.app, &admin).await;
    let added = post(
        &s.app,
        &admin,
        "create_category",
        &format!("csrf={csrf}&name=Boissons&description=Eaux+et+jus"),
    )
    .await;
    assert!(
        added
            .location
            .unwrap()
            .starts_with("/produits?categorie_creee=")
    );
    let list = call(&s.app, "GET", "/produits", Some(&admin), None).await;
    assert!(list.body.contains("Boissons") && list.body.contains("Eaux et jus"));

    let duplicate = post(
        &s.app,
        &admin,
        "create_category",
        &format!("csrf={csrf}&name=Boissons&description=Encore"),
    )
    .await;
    let location = duplicate.location.unwrap();
    assert!(location.contains("f_cat_name="), "{location}");
    let page = call(&s.app, "GET", &location, Some(&admin), None).await;
    assert!(page.body.contains("Une catégorie porte déjà ce nom."));
    assert!(page.body.contains("id=\"cat-name-erreur\"") && page.body.contains("value=\"Encore\""));
    let names: Vec<String> = domain::catalog::list_categories(&pool)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["Alimentaire", "Boissons"]);
}

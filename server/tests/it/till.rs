//! Caisse, receipts, closing and returns through the web server's forms (server functions
//! answered by redirects, as without JavaScript), with the role rules enforced by the server.

use crate::support::*;
use domain::catalog::NewProduct;
use http::StatusCode;
use rust_decimal::Decimal;
use sqlx::PgPool;

struct Shop {
    app: axum::Router,
    store: i64,
    register: i64,
    cashier: String,
    /// `(id, code)` of a product with 5 units at 2,00 $ (taxable) and one with 100 at 3,50 $
    /// (not taxable).
    scarce: (i64, String),
    plenty: (i64, String),
}

async fn product(
    pool: &PgPool,
    store: i64,
    code: &str,
    cents: i64,
    taxable: bool,
    qty: i32,
) -> i64 {
    let category = match domain::catalog::list_categories(pool)
        .await
        .unwrap()
        .first()
    {
        Some(c) => c.id,
        None => add_category(pool, "Épicerie").await,
    };
    let new = NewProduct {
        name: format!("Article {code}"),
        warehouse_quantity: 100,
        ..new_product(code, cents, taxable, category)
    };
    product_with_stock(pool, &new, store, qty).await
}

async fn shop(pool: &PgPool) -> Shop {
    let store = add_store(pool, "Centre-Ville", "1200, rue Sainte-Catherine", "", 2).await;
    let app = app(pool.clone());
    let cashier = employee_session(
        &app,
        pool,
        "caissier1",
        domain::Role::Caissier,
        Some(store.id),
    )
    .await;
    let register = domain::stores::list_registers(pool, store.id)
        .await
        .unwrap()[0]
        .id;
    let scarce = product(pool, store.id, "4006381333931", 200, true, 5).await;
    let plenty = product(pool, store.id, "0737628064502", 350, false, 100).await;
    Shop {
        app,
        store: store.id,
        register,
        cashier,
        scarce: (scarce, "4006381333931".into()),
        plenty: (plenty, "0737628064502".into()),
    }
}

/// The query value of `key` in a redirect location.
fn param(location: &str, key: &str) -> Option<String> {
    let query = location.split_once('?')?.1;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

fn enc(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

async fn open(s: &Shop, cookie: &str, float: &str) -> Reply {
    let csrf = csrf_of(&s.app, cookie).await;
    call(
        &s.app,
        "POST",
        "/api/till_open",
        Some(cookie),
        Some(&format!(
            "csrf={csrf}&register_id={}&fonds={}",
            s.register,
            enc(float)
        )),
    )
    .await
}

/// Scans a code and returns the new `?panier=` and `?vente=` of the redirect.
async fn scan(s: &Shop, cookie: &str, cart: &str, code: &str) -> (String, String) {
    let reply = call(
        &s.app,
        "POST",
        "/api/till_add",
        Some(cookie),
        Some(&format!(
            "register_id={}&panier={}&code={}",
            s.register,
            enc(cart),
            enc(code)
        )),
    )
    .await;
    let location = reply.location.expect("redirect");
    (
        param(&location, "panier").unwrap_or_default(),
        param(&location, "vente").unwrap_or_default(),
    )
}

async fn checkout(
    s: &Shop,
    cookie: &str,
    cart: &str,
    sale_id: &str,
    mode: &str,
    tendered: &str,
) -> Reply {
    let csrf = csrf_of(&s.app, cookie).await;
    call(
        &s.app,
        "POST",
        "/api/till_checkout",
        Some(cookie),
        Some(&format!(
            "csrf={csrf}&register_id={}&panier={}&vente={}&mode={mode}&recu={}",
            s.register,
            enc(cart),
            enc(sale_id),
            enc(tendered)
        )),
    )
    .await
}

async fn store_quantity(pool: &PgPool, store: i64, product: i64) -> i32 {
    sqlx::query_scalar("SELECT quantity FROM store_stock WHERE store_id = $1 AND product_id = $2")
        .bind(store)
        .bind(product)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_cashier_opens_the_register_scans_sells_for_cash_and_gets_a_receipt(pool: PgPool) {
    let s = shop(&pool).await;
    let till = format!("/caisses/{}", s.register);
    let closed = call(&s.app, "GET", &till, Some(&s.cashier), None).await;
    assert_eq!(closed.status, StatusCode::OK);
    assert!(
        closed.body.contains("Ouvrir la caisse"),
        "closed register asks for a float"
    );

    let bad = open(&s, &s.cashier, "deux cents").await;
    assert_eq!(
        param(&bad.location.unwrap(), "erreur").as_deref(),
        Some("fonds")
    );
    let opened = open(&s, &s.cashier, "200,00").await;
    assert_eq!(opened.location.as_deref(), Some(till.as_str()));

    // a scanner types the code and Enter: twice the same product, then another one
    let (cart, _) = scan(&s, &s.cashier, "", &s.scarce.1).await;
    let (cart, _) = scan(&s, &s.cashier, &cart, &s.scarce.1).await;
    let (cart, sale_id) = scan(&s, &s.cashier, &cart, &s.plenty.1).await;
    assert_eq!(cart, format!("{}x2.{}x1", s.scarce.0, s.plenty.0));
    assert!(!sale_id.is_empty(), "the cart carries the id of its sale");

    // the sale screen shows the live totals of the cart: 2 x 2,00 taxable + 3,50 not taxable
    let screen = call(
        &s.app,
        "GET",
        &format!("{till}?panier={}&vente={sale_id}", enc(&cart)),
        Some(&s.cashier),
        None,
    )
    .await;
    assert!(screen.body.contains("Article 4006381333931"));
    for (key, amount) in [
        ("subtotal", "7,50"),
        ("tps", "0,20"),
        ("tvq", "0,40"),
        ("total", "8,10"),
    ] {
        assert!(
            screen
                .body
                .contains(&format!("data-total=\"{key}\">{amount}\u{a0}$")),
            "{key} = {amount}"
        );
    }

    let paid = checkout(&s, &s.cashier, &cart, &sale_id, "especes", "20").await;
    let receipt_path = paid.location.expect("redirect to the receipt");
    assert!(receipt_path.starts_with("/ventes/"), "{receipt_path}");
    // a double click sends the same sale id: the same sale, not a second one
    let again = checkout(&s, &s.cashier, &cart, &sale_id, "especes", "20").await;
    assert_eq!(again.location.as_deref(), Some(receipt_path.as_str()));
    let sales: i64 = sqlx::query_scalar("SELECT count(*) FROM sales")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(sales, 1);
    assert_eq!(store_quantity(&pool, s.store, s.scarce.0).await, 3);
    let (total, change): (Decimal, Decimal) =
        sqlx::query_as("SELECT total, change_given FROM sales")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (total, change),
        (Decimal::new(810, 2), Decimal::new(1190, 2))
    );

    let receipt = call(&s.app, "GET", &receipt_path, Some(&s.cashier), None).await;
    assert_eq!(receipt.status, StatusCode::OK);
    for text in [
        "Centre-Ville",
        "Caisse 1",
        "Employé caissier1",
        "Espèces",
        "11,90\u{a0}$",
        "8,10\u{a0}$",
    ] {
        assert!(receipt.body.contains(text), "receipt shows {text}");
    }

    let metrics = call(&s.app, "GET", "/metrics", None, None).await;
    assert!(
        metrics
            .body
            .lines()
            .any(|l| l.starts_with("sales_recorded_total{") && l.contains("channel=\"web\"")),
        "web sales are counted"
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_sale_beyond_the_stock_is_refused_naming_the_product_and_keeps_the_cart(pool: PgPool) {
    let s = shop(&pool).await;
    open(&s, &s.cashier, "100").await;
    let cart = format!("{}x7.{}x1", s.scarce.0, s.plenty.0);
    let refused = checkout(
        &s,
        &s.cashier,
        &cart,
        "3f1e2d4c-5b6a-4789-8a0b-1c2d3e4f5a6b",
        "carte",
        "",
    )
    .await;
    let location = refused.location.unwrap();
    assert_eq!(param(&location, "erreur").as_deref(), Some("stock"));
    assert_eq!(param(&location, "panier").as_deref(), Some(cart.as_str()));
    assert_eq!(param(&location, "reste").as_deref(), Some("5"));
    let page = call(&s.app, "GET", &location, Some(&s.cashier), None).await;
    assert!(
        page.body
            .contains("stock insuffisant pour « Article 4006381333931 », il en reste 5"),
        "the refusal names the product and what remains"
    );
    assert!(
        page.body.contains("data-quantity=\"7\""),
        "the cart is kept"
    );
    assert_eq!(store_quantity(&pool, s.store, s.scarce.0).await, 5);

    // cash that does not cover the total is refused too, nothing recorded
    let short = checkout(
        &s,
        &s.cashier,
        &format!("{}x1", s.plenty.0),
        "3f1e2d4c-5b6a-4789-8a0b-1c2d3e4f5a6c",
        "especes",
        "1,00",
    )
    .await;
    assert_eq!(
        param(&short.location.unwrap(), "erreur").as_deref(),
        Some("montant")
    );
    let sales: i64 = sqlx::query_scalar("SELECT count(*) FROM sales")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(sales, 0);
    let metrics = call(&s.app, "GET", "/metrics", None, None).await;
    assert!(
        metrics.body.contains("sales_refused_total{"),
        "refusals are counted"
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn staff_of_another_store_cannot_use_the_till_and_forms_need_the_csrf_token(pool: PgPool) {
    let s = shop(&pool).await;
    open(&s, &s.cashier, "100").await;
    let other_store = add_store(&pool, "Laval", "3000, boul. Le Carrefour", "", 1).await;
    let stranger = employee_session(
        &s.app,
        &pool,
        "caissier2",
        domain::Role::Caissier,
        Some(other_store.id),
    )
    .await;
    let page = call(
        &s.app,
        "GET",
        &format!("/caisses/{}", s.register),
        Some(&stranger),
        None,
    )
    .await;
    assert!(
        !page.body.contains("Panier"),
        "no sale screen for another store's register"
    );
    assert!(page.body.contains("class=\"error\""));

    let cart = format!("{}x1", s.plenty.0);
    let sold = checkout(
        &s,
        &stranger,
        &cart,
        "3f1e2d4c-5b6a-4789-8a0b-1c2d3e4f5a6e",
        "carte",
        "",
    )
    .await;
    assert_eq!(
        param(&sold.location.unwrap(), "erreur").as_deref(),
        Some("refus")
    );
    let found = call(
        &s.app,
        "POST",
        "/api/till_search",
        Some(&stranger),
        Some(&format!("register_id={}&q=Article", s.register)),
    )
    .await;
    assert_ne!(
        found.status,
        StatusCode::OK,
        "no search in another store's catalogue stock"
    );

    // a forged form without the session's token changes nothing
    let forged = call(
        &s.app,
        "POST",
        "/api/till_checkout",
        Some(&s.cashier),
        Some(&format!(
            "csrf=forged&register_id={}&panier={cart}&vente=x&mode=carte&recu=",
            s.register
        )),
    )
    .await;
    assert!(
        !forged.location.unwrap_or_default().starts_with("/ventes/"),
        "no receipt for a forged form"
    );
    let sales: i64 = sqlx::query_scalar("SELECT count(*) FROM sales")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(sales, 0);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn closing_asks_the_counted_cash_and_shows_the_z_report(pool: PgPool) {
    let s = shop(&pool).await;
    open(&s, &s.cashier, "200").await;
    let cart = format!("{}x2", s.plenty.0);
    checkout(
        &s,
        &s.cashier,
        &cart,
        "3f1e2d4c-5b6a-4789-8a0b-1c2d3e4f5a6d",
        "especes",
        "",
    )
    .await;
    let form = call(
        &s.app,
        "GET",
        &format!("/caisses/{}/fermeture", s.register),
        Some(&s.cashier),
        None,
    )
    .await;
    assert!(
        form.body.contains("data-z=\"expected_cash\">207,00\u{a0}$"),
        "float + cash sales"
    );
    let session_id = attribute(&form.body, "name=\"session_id\" value=\"");
    let csrf = attribute(&form.body, "name=\"csrf\" value=\"");

    // another store's manager may not close it
    let other_store = add_store(&pool, "Laval", "3000, boul. Le Carrefour", "", 1).await;
    let stranger = employee_session(
        &s.app,
        &pool,
        "gerant2",
        domain::Role::Gerant,
        Some(other_store.id),
    )
    .await;
    let stranger_csrf = csrf_of(&s.app, &stranger).await;
    let refused = call(
        &s.app,
        "POST",
        "/api/till_close",
        Some(&stranger),
        Some(&format!(
            "csrf={stranger_csrf}&register_id={}&session_id={session_id}&compte=207",
            s.register
        )),
    )
    .await;
    assert_eq!(
        param(&refused.location.unwrap(), "erreur").as_deref(),
        Some("refus")
    );
    let report = call(
        &s.app,
        "GET",
        &format!("/sessions/{session_id}"),
        Some(&stranger),
        None,
    )
    .await;
    assert!(!report.body.contains("Rapport Z"));

    let closed = call(
        &s.app,
        "POST",
        "/api/till_close",
        Some(&s.cashier),
        Some(&format!(
            "csrf={csrf}&register_id={}&session_id={session_id}&compte=205,50",
            s.register
        )),
    )
    .await;
    let report_path = closed.location.unwrap();
    assert_eq!(report_path, format!("/sessions/{session_id}"));
    let report = call(&s.app, "GET", &report_path, Some(&s.cashier), None).await;
    assert!(report.body.contains("Rapport Z"));
    assert!(report.body.contains("data-z=\"sales_count\">1<"));
    assert!(report.body.contains("data-z=\"difference\">-1,50\u{a0}$"));
    let till = call(
        &s.app,
        "GET",
        &format!("/caisses/{}", s.register),
        Some(&s.cashier),
        None,
    )
    .await;
    assert!(till.body.contains("Ouvrir la caisse"), "closed again");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_partial_return_refunds_its_share_and_puts_the_stock_back(pool: PgPool) {
    let s = shop(&pool).await;
    open(&s, &s.cashier, "100").await;
    let cart = format!("{}x3.{}x1", s.scarce.0, s.plenty.0);
    let sold = checkout(
        &s,
        &s.cashier,
        &cart,
        "3f1e2d4c-5b6a-4789-8a0b-1c2d3e4f5a6f",
        "especes",
        "",
    )
    .await;
    let sale_id: i64 = sold
        .location
        .unwrap()
        .trim_start_matches("/ventes/")
        .parse()
        .unwrap();
    assert_eq!(store_quantity(&pool, s.store, s.scarce.0).await, 2);

    let returns = format!("/magasins/{}/retours", s.store);
    let recent = call(&s.app, "GET", &returns, Some(&s.cashier), None).await;
    assert!(
        recent.body.contains(&format!("retours?vente={sale_id}")),
        "recent sales listed"
    );
    let page = call(
        &s.app,
        "GET",
        &format!("{returns}?vente={sale_id}"),
        Some(&s.cashier),
        None,
    )
    .await;
    let csrf = attribute(&page.body, "name=\"csrf\" value=\"");
    let line: i64 = attribute(&page.body, "data-line-id=\"").parse().unwrap();

    let form = |qty: &str, reason: &str| {
        format!(
            "csrf={csrf}&store_id={}&sale_id={sale_id}&quantites%5B{line}%5D={qty}&raison={}&caisse={}",
            s.store,
            enc(reason),
            s.register
        )
    };
    let too_many = call(
        &s.app,
        "POST",
        "/api/create_return",
        Some(&s.cashier),
        Some(&form("4", "abîmé")),
    )
    .await;
    assert_eq!(
        param(&too_many.location.unwrap(), "erreur").as_deref(),
        Some("quantite")
    );
    let no_reason = call(
        &s.app,
        "POST",
        "/api/create_return",
        Some(&s.cashier),
        Some(&form("1", " ")),
    )
    .await;
    assert_eq!(
        param(&no_reason.location.unwrap(), "erreur").as_deref(),
        Some("raison")
    );

    let done = call(
        &s.app,
        "POST",
        "/api/create_return",
        Some(&s.cashier),
        Some(&form("2", "Emballage abîmé")),
    )
    .await;
    let receipt_path = done.location.unwrap();
    assert!(receipt_path.starts_with("/retours/"), "{receipt_path}");
    assert_eq!(store_quantity(&pool, s.store, s.scarce.0).await, 4);
    let receipt = call(&s.app, "GET", &receipt_path, Some(&s.cashier), None).await;
    // 2 x 2,00 taxable: 4,00 + TPS 0,20 + TVQ 0,40 = 4,60
    assert!(
        receipt.body.contains("data-total=\"refund\">4,60\u{a0}$"),
        "refund shown"
    );
    assert!(receipt.body.contains("Emballage abîmé"));

    // another store's cashier cannot find nor return it
    let other_store = add_store(&pool, "Laval", "3000, boul. Le Carrefour", "", 1).await;
    let stranger = employee_session(
        &s.app,
        &pool,
        "caissier2",
        domain::Role::Caissier,
        Some(other_store.id),
    )
    .await;
    let stranger_csrf = csrf_of(&s.app, &stranger).await;
    let other_page = call(
        &s.app,
        "GET",
        &format!("{returns}?vente={sale_id}"),
        Some(&stranger),
        None,
    )
    .await;
    assert!(!other_page.body.contains("data-line-id"));
    let forced = call(
        &s.app,
        "POST",
        "/api/create_return",
        Some(&stranger),
        Some(&format!(
            "csrf={stranger_csrf}&store_id={}&sale_id={sale_id}&quantites%5B{line}%5D=1&raison=x",
            s.store
        )),
    )
    .await;
    assert_eq!(
        param(&forced.location.unwrap(), "erreur").as_deref(),
        Some("refus")
    );
    assert_eq!(store_quantity(&pool, s.store, s.scarce.0).await, 4);
}

async fn sales_count(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM sales")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_till_records_only_under_a_uuid_it_prefixes_itself(pool: PgPool) {
    let s = shop(&pool).await;
    open(&s, &s.cashier, "100").await;
    let cart = format!("{}x1", s.plenty.0);
    // an id made to look like the API's (`api:<client>:<key>`), or anything but a UUID
    for bad in ["api:env:commande-42", "vente-1", ""] {
        let refused = checkout(&s, &s.cashier, &cart, bad, "carte", "").await;
        assert_ne!(refused.status, StatusCode::INTERNAL_SERVER_ERROR);
        let location = refused.location.expect("back to the till");
        assert_eq!(
            param(&location, "erreur").as_deref(),
            Some("identifiant"),
            "{bad:?}"
        );
        assert_eq!(param(&location, "panier").as_deref(), Some(cart.as_str()));
        let fresh = param(&location, "vente").unwrap_or_default();
        assert!(
            fresh.len() == 36 && fresh.chars().all(|c| c.is_ascii_hexdigit() || c == '-'),
            "a fresh UUID: {fresh:?}"
        );
        let page = call(&s.app, "GET", &location, Some(&s.cashier), None).await;
        assert!(
            page.body.contains("Identifiant de vente invalide"),
            "the page says why"
        );
    }
    assert_eq!(sales_count(&pool).await, 0);

    // a UUID: the sale is recorded under the till's prefix
    let page_id = "3f1e2d4c-5b6a-4789-8a0b-1c2d3e4f5a70";
    let sold = checkout(&s, &s.cashier, &cart, page_id, "carte", "").await;
    assert!(sold.location.unwrap().starts_with("/ventes/"));
    let recorded: String = sqlx::query_scalar("SELECT client_sale_id FROM sales")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(recorded, format!("web:{page_id}"));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn tendered_and_counted_cash_are_bounded_amounts(pool: PgPool) {
    let s = shop(&pool).await;
    open(&s, &s.cashier, "100").await;
    let cart = format!("{}x1", s.plenty.0);
    let bad_amounts = ["1000000000000000", "-5", "1,005", "10000000000"];
    for (i, bad) in bad_amounts.iter().enumerate() {
        let sale_id = format!("3f1e2d4c-5b6a-4789-8a0b-1c2d3e4f5b0{i}");
        let refused = checkout(&s, &s.cashier, &cart, &sale_id, "especes", bad).await;
        assert_ne!(refused.status, StatusCode::INTERNAL_SERVER_ERROR, "{bad}");
        let location = refused.location.expect("back to the till");
        assert_eq!(
            param(&location, "erreur").as_deref(),
            Some("montant"),
            "{bad}"
        );
        let page = call(&s.app, "GET", &location, Some(&s.cashier), None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("Montant reçu invalide ou insuffisant"),
            "the page says why ({bad})"
        );
    }
    assert_eq!(sales_count(&pool).await, 0);

    let form = call(
        &s.app,
        "GET",
        &format!("/caisses/{}/fermeture", s.register),
        Some(&s.cashier),
        None,
    )
    .await;
    let session_id = attribute(&form.body, "name=\"session_id\" value=\"");
    let csrf = attribute(&form.body, "name=\"csrf\" value=\"");
    for bad in bad_amounts {
        let refused = call(
            &s.app,
            "POST",
            "/api/till_close",
            Some(&s.cashier),
            Some(&format!(
                "csrf={csrf}&register_id={}&session_id={session_id}&compte={}",
                s.register,
                enc(bad)
            )),
        )
        .await;
        assert_ne!(refused.status, StatusCode::INTERNAL_SERVER_ERROR, "{bad}");
        let location = refused.location.expect("back to the closing");
        assert_eq!(
            param(&location, "erreur").as_deref(),
            Some("montant"),
            "{bad}"
        );
        let page = call(&s.app, "GET", &location, Some(&s.cashier), None).await;
        assert!(
            page.body
                .contains("Le montant compté doit être positif, au cent près"),
            "the page says why ({bad})"
        );
    }
    let open_sessions: i64 =
        sqlx::query_scalar("SELECT count(*) FROM register_sessions WHERE closed_at IS NULL")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(open_sessions, 1, "nothing closed");
}

//! A return previewed before it is confirmed, and the tax registration numbers head office
//! enters on the store page, printed with the taxable-line markers on sale and return receipts,
//! through the web server's forms as without JavaScript.

use crate::support::*;
use domain::catalog::NewProduct;
use http::StatusCode;
use sqlx::PgPool;

fn enc(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

fn param(location: &str, key: &str) -> Option<String> {
    let query = location.split_once('?')?.1;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

struct Sold {
    app: axum::Router,
    store: i64,
    register: i64,
    cashier: String,
    sale: i64,
    /// The sale line of 3 taxable units at 19,99 $.
    line: i64,
}

/// A store whose cashier sold 3 taxable units at 19,99 $ and 2 untaxed at 3,50 $ by card.
async fn sold(pool: &PgPool) -> Sold {
    let store = add_store(pool, "Centre-Ville", "1200, rue Sainte-Catherine", "", 1).await;
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
    let category = add_category(pool, "Maison").await;
    let mut ids = Vec::new();
    for (code, cents, taxable) in [("MAI001", 1999, true), ("ALI001", 350, false)] {
        let new = NewProduct {
            warehouse_quantity: 100,
            ..new_product(code, cents, taxable, category)
        };
        ids.push(product_with_stock(pool, &new, store.id, 10).await);
    }
    let csrf = csrf_of(&app, &cashier).await;
    post(
        &app,
        &cashier,
        "till_open",
        &format!("csrf={csrf}&register_id={register}&fonds=100"),
    )
    .await;
    let cart = format!("{}x3.{}x2", ids[0], ids[1]);
    let sold = post(
        &app,
        &cashier,
        "till_checkout",
        &format!(
            "csrf={csrf}&register_id={register}&panier={}&vente=3f1e2d4c-5b6a-4789-8a0b-1c2d3e4f5a6d&mode=carte",
            enc(&cart)
        ),
    )
    .await;
    let sale: i64 = sold
        .location
        .unwrap()
        .trim_start_matches("/ventes/")
        .parse()
        .unwrap();
    let line: i64 =
        sqlx::query_scalar("SELECT id FROM sale_lines WHERE sale_id = $1 AND product_id = $2")
            .bind(sale)
            .bind(ids[0])
            .fetch_one(pool)
            .await
            .unwrap();
    Sold {
        app,
        store: store.id,
        register,
        cashier,
        sale,
        line,
    }
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_return_shows_its_refund_before_it_is_confirmed(pool: PgPool) {
    let s = sold(&pool).await;
    let csrf = csrf_of(&s.app, &s.cashier).await;
    let form = |qty: &str, reason: &str| {
        format!(
            "csrf={csrf}&store_id={}&sale_id={}&quantites%5B{}%5D={qty}&raison={}&caisse={}",
            s.store,
            s.sale,
            s.line,
            enc(reason),
            s.register
        )
    };
    let page = call(
        &s.app,
        "GET",
        &format!("/magasins/{}/retours?vente={}", s.store, s.sale),
        Some(&s.cashier),
        None,
    )
    .await;
    assert!(
        page.body.contains("action=\"/api/return_preview\""),
        "the sale's form asks for the preview first"
    );
    assert!(page.body.contains("Aperçu du remboursement"));

    // refused as the return itself would be, with nothing recorded
    let too_many = post(&s.app, &s.cashier, "return_preview", &form("4", "abîmé")).await;
    assert_eq!(
        param(&too_many.location.unwrap(), "erreur").as_deref(),
        Some("quantite")
    );
    let no_reason = post(&s.app, &s.cashier, "return_preview", &form("1", " ")).await;
    assert_eq!(
        param(&no_reason.location.unwrap(), "erreur").as_deref(),
        Some("raison")
    );

    let asked = post(
        &s.app,
        &s.cashier,
        "return_preview",
        &form("2", "Emballage abîmé"),
    )
    .await;
    let to = asked.location.unwrap();
    assert_eq!(param(&to, "lignes"), Some(format!("{}x2", s.line)), "{to}");
    let preview = call(&s.app, "GET", &to, Some(&s.cashier), None).await;
    assert_eq!(preview.status, StatusCode::OK);
    // 2 x 19,99 = 39,98 before taxes; 5 % and 9,975 % of it
    assert!(
        preview
            .body
            .contains("data-preview=\"subtotal\">39,98\u{a0}$"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("data-preview=\"tps\">2,00\u{a0}$"));
    assert!(preview.body.contains("data-preview=\"tvq\">3,99\u{a0}$"));
    assert!(preview.body.contains("data-preview=\"total\">45,97\u{a0}$"));
    // the refund goes back to the card it was paid with, the whole of it
    assert!(
        preview
            .body
            .contains("data-refund=\"Carte\" class=\"tender\"><dt>Carte</dt><dd>45,97\u{a0}$"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("Confirmer le retour"));
    let returns: i64 = sqlx::query_scalar("SELECT count(*) FROM returns")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(returns, 0, "a preview records nothing");

    // the confirmation carries the same choices, as hidden fields
    let confirm_csrf = attribute(&preview.body, "name=\"csrf\" value=\"");
    let hidden_qty = attribute(
        &preview.body,
        &format!("name=\"quantites[{}]\" value=\"", s.line),
    );
    let hidden_reason = attribute(&preview.body, "name=\"raison\" value=\"");
    assert_eq!(
        (hidden_qty.as_str(), hidden_reason.as_str()),
        ("2", "Emballage abîmé")
    );
    let done = post(
        &s.app,
        &s.cashier,
        "create_return",
        &format!(
            "csrf={confirm_csrf}&store_id={}&sale_id={}&quantites%5B{}%5D={hidden_qty}&raison={}&caisse={}",
            s.store,
            s.sale,
            s.line,
            enc(&hidden_reason),
            s.register
        ),
    )
    .await;
    let receipt = done.location.unwrap();
    assert!(receipt.starts_with("/retours/"), "{receipt}");
    let refunded: rust_decimal::Decimal = sqlx::query_scalar("SELECT refund_amount FROM returns")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(refunded.to_string(), "45.97", "what the preview said");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn head_office_enters_the_tax_numbers_the_receipts_print(pool: PgPool) {
    let s = sold(&pool).await;
    let store_page = format!("/magasins/{}", s.store);
    let receipt = call(
        &s.app,
        "GET",
        &format!("/ventes/{}", s.sale),
        Some(&s.cashier),
        None,
    )
    .await;
    assert!(
        !receipt.body.contains("data-tax=\"tps\""),
        "nothing printed before they are entered"
    );

    // store staff neither see the form nor may post it
    let staff_page = call(&s.app, "GET", &store_page, Some(&s.cashier), None).await;
    assert!(!staff_page.body.contains("name=\"tps\""));
    let csrf = csrf_of(&s.app, &s.cashier).await;
    let refused = post(
        &s.app,
        &s.cashier,
        "store_tax_numbers",
        &format!("csrf={csrf}&store_id={}&tps=123456789RT0001&tvq=", s.store),
    )
    .await;
    assert_eq!(
        param(&refused.location.unwrap(), "erreur").as_deref(),
        Some("refus")
    );

    let admin = employee_session(&s.app, &pool, "admin1", domain::Role::Admin, None).await;
    let page = call(&s.app, "GET", &store_page, Some(&admin), None).await;
    assert!(
        page.body.contains("name=\"tps\""),
        "head office edits them on the store page"
    );
    let csrf = csrf_of(&s.app, &admin).await;
    let bad = post(
        &s.app,
        &admin,
        "store_tax_numbers",
        &format!(
            "csrf={csrf}&store_id={}&tps=123&tvq=1234567890+TQ0001",
            s.store
        ),
    )
    .await;
    let to = bad.location.unwrap();
    let page = call(&s.app, "GET", &to, Some(&admin), None).await;
    assert!(
        page.body.contains("Numéro de TPS invalide"),
        "said next to the field"
    );
    assert!(
        page.body.contains("value=\"123\""),
        "what was typed is kept"
    );
    let saved = post(
        &s.app,
        &admin,
        "store_tax_numbers",
        &format!(
            "csrf={csrf}&store_id={}&tps=123456789+rt0001&tvq=1234567890+TQ0001",
            s.store
        ),
    )
    .await;
    assert_eq!(
        param(&saved.location.unwrap(), "fait").as_deref(),
        Some("taxes")
    );

    let receipt = call(
        &s.app,
        "GET",
        &format!("/ventes/{}", s.sale),
        Some(&s.cashier),
        None,
    )
    .await;
    assert!(
        receipt.body.contains("TPS : <!>123456789 RT0001")
            || receipt.body.contains("TPS : 123456789 RT0001"),
        "{}",
        receipt.body
    );
    assert!(receipt.body.contains("1234567890 TQ0001"));
    assert!(receipt.body.contains("T : taxable TPS/TVQ"));
    // 59,97 is the taxable line, 7,00 the other one
    assert!(
        receipt.body.contains("59,97\u{a0}$<!> T"),
        "{}",
        receipt.body
    );
    let untaxed = receipt
        .body
        .split("7,00\u{a0}$")
        .nth(1)
        .expect("the untaxed line");
    assert!(
        !untaxed.split("</td>").next().unwrap().contains('T'),
        "no marker on an untaxed line"
    );

    let csrf = csrf_of(&s.app, &s.cashier).await;
    let done = post(
        &s.app,
        &s.cashier,
        "create_return",
        &format!(
            "csrf={csrf}&store_id={}&sale_id={}&quantites%5B{}%5D=1&raison=Défectueux&caisse=",
            s.store, s.sale, s.line
        ),
    )
    .await;
    let back = call(
        &s.app,
        "GET",
        &done.location.unwrap(),
        Some(&s.cashier),
        None,
    )
    .await;
    assert!(back.body.contains("123456789 RT0001") && back.body.contains("1234567890 TQ0001"));
    assert!(back.body.contains("19,99\u{a0}$<!> T"), "{}", back.body);
}

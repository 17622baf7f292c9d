//! The till as a cashier works it, through the web server's forms as without JavaScript: the
//! dashboard's way to the till, quantities typed before a code, the best sellers' buttons, the
//! cash field hidden for a card, paid-outs and top-ups, the count by denomination and the Z
//! report that shows them.

use crate::support::*;
use domain::catalog::NewProduct;
use http::StatusCode;
use sqlx::PgPool;

struct Till {
    app: axum::Router,
    registers: Vec<i64>,
    cashier: String,
    /// A product coded `ALI001` (3,00 $, not taxable, 100 in the store).
    product: i64,
}

async fn till(pool: &PgPool) -> Till {
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
    let registers = domain::stores::list_registers(pool, store.id)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    let category = add_category(pool, "Épicerie").await;
    let new = NewProduct {
        name: "Pain de ménage".into(),
        warehouse_quantity: 100,
        ..new_product("ALI001", 300, false, category)
    };
    let product = product_with_stock(pool, &new, store.id, 100).await;
    Till {
        app,
        registers,
        cashier,
        product,
    }
}

fn enc(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

fn param(location: &str, key: &str) -> Option<String> {
    let query = location.split_once('?')?.1;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

async fn open(t: &Till, register: i64) {
    let csrf = csrf_of(&t.app, &t.cashier).await;
    let reply = post(
        &t.app,
        &t.cashier,
        "till_open",
        &format!("csrf={csrf}&register_id={register}&fonds=100"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FOUND, "{}", reply.body);
}

async fn add(t: &Till, cart: &str, code: &str) -> String {
    post(
        &t.app,
        &t.cashier,
        "till_add",
        &format!(
            "register_id={}&panier={}&code={}",
            t.registers[0],
            enc(cart),
            enc(code)
        ),
    )
    .await
    .location
    .expect("redirect")
}

/// Sells the cart by card at the first register, as the till's form does.
async fn sell_by_card(t: &Till, cart: &str) {
    let csrf = csrf_of(&t.app, &t.cashier).await;
    let sold = post(
        &t.app,
        &t.cashier,
        "till_checkout",
        &format!(
            "csrf={csrf}&register_id={}&panier={}&vente=3f1e2d4c-5b6a-4789-8a0b-1c2d3e4f5a6d&mode=carte",
            t.registers[0],
            enc(cart)
        ),
    )
    .await;
    assert!(sold.location.unwrap().starts_with("/ventes/"));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_dashboard_takes_a_cashier_to_the_till_in_one_tap(pool: PgPool) {
    let t = till(&pool).await;
    let home = call(&t.app, "GET", "/", Some(&t.cashier), None).await;
    assert!(home.body.contains("Ouvrir une caisse"), "{}", home.body);
    for register in &t.registers {
        assert!(home.body.contains(&format!("href=\"/caisses/{register}\"")));
    }
    assert!(!home.body.contains("Reprendre ma caisse"));

    open(&t, t.registers[1]).await;
    let home = call(&t.app, "GET", "/", Some(&t.cashier), None).await;
    assert!(home.body.contains("Reprendre ma caisse"));
    assert!(
        home.body
            .contains(&format!("href=\"/caisses/{}\"", t.registers[1]))
    );
    assert!(
        !home
            .body
            .contains(&format!("href=\"/caisses/{}\"", t.registers[0])),
        "only the register to resume"
    );

    // head office has no store of its own: no till shortcut
    let admin = employee_session(&t.app, &pool, "admin1", domain::Role::Admin, None).await;
    let home = call(&t.app, "GET", "/", Some(&admin), None).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(!home.body.contains("my-till"));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_quantity_typed_before_the_code_adds_that_many_units(pool: PgPool) {
    let t = till(&pool).await;
    open(&t, t.registers[0]).await;
    let p = t.product;
    let to = add(&t, "", "3*ALI001").await;
    assert_eq!(
        param(&to, "panier").as_deref(),
        Some(format!("{p}x3").as_str())
    );
    let to = add(&t, &format!("{p}x3"), "2xali001").await;
    assert_eq!(
        param(&to, "panier").as_deref(),
        Some(format!("{p}x5").as_str())
    );
    let to = add(&t, &format!("{p}x5"), "4X ALI001").await;
    assert_eq!(
        param(&to, "panier").as_deref(),
        Some(format!("{p}x9").as_str())
    );

    // a bad multiplier adds nothing and keeps the cart and what was typed
    for bad in ["0*ALI001", "-2*ALI001", "10001*ALI001", "trois*ALI001"] {
        let to = add(&t, &format!("{p}x9"), bad).await;
        assert_eq!(
            param(&to, "erreur").as_deref(),
            Some("multiplicateur"),
            "{bad}"
        );
        assert_eq!(
            param(&to, "panier").as_deref(),
            Some(format!("{p}x9").as_str())
        );
        let page = call(&t.app, "GET", &to, Some(&t.cashier), None).await;
        assert!(
            page.body.contains("id=\"code-error\""),
            "{bad}: said next to the field"
        );
        assert!(page.body.contains("Quantité invalide dans « "), "{bad}");
        let field = page
            .body
            .split("id=\"code\"")
            .nth(1)
            .unwrap()
            .split('>')
            .next()
            .unwrap();
        assert!(
            field.contains(&format!("value=\"{bad}\"")),
            "{bad} comes back in the field: {field}"
        );
        assert_eq!(
            page.body.matches("data-product-id=").count(),
            1,
            "the cart is still there"
        );
    }
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_till_offers_its_best_sellers_and_hides_cash_for_a_card(pool: PgPool) {
    let t = till(&pool).await;
    open(&t, t.registers[0]).await;
    let page = |cart: String| {
        let app = t.app.clone();
        let cookie = t.cashier.clone();
        let register = t.registers[0];
        async move {
            call(
                &app,
                "GET",
                &format!("/caisses/{register}?panier={cart}"),
                Some(&cookie),
                None,
            )
            .await
        }
    };
    let before = page(String::new()).await;
    assert!(!before.body.contains("data-quick="), "nothing sold yet");
    sell_by_card(&t, &format!("{}x2", t.product)).await;
    let after = page(String::new()).await;
    assert!(
        after
            .body
            .contains(&format!("data-quick=\"{}\"", t.product))
    );
    // one tap: a plain form adding the product
    let to = post(
        &t.app,
        &t.cashier,
        "till_add",
        &format!(
            "register_id={}&panier=&product_id={}",
            t.registers[0], t.product
        ),
    )
    .await
    .location
    .unwrap();
    assert_eq!(param(&to, "panier"), Some(format!("{}x1", t.product)));

    // the cash received sits in the block the stylesheet hides while card is checked, and the
    // shortcuts are shown on the controls
    let with_cart = page(format!("{}x1", t.product)).await;
    let cash = with_cart
        .body
        .split("class=\"cash-fields\"")
        .nth(1)
        .expect("cash block");
    assert!(
        cash.split("</div>")
            .next()
            .unwrap()
            .contains("name=\"recu\"")
    );
    let css = include_str!("../../../style/main.css");
    assert!(css.contains(
        ".pay:has(input[name=mode][value=carte]:checked) .cash-fields { display: none; }"
    ));
    for key in ["F2", "F8", "F9"] {
        assert!(
            with_cart
                .body
                .contains(&format!("<kbd class=\"shortcut\">{key}</kbd>")),
            "{key}"
        );
    }
}

/// The closing page of the first register, its session id and CSRF token.
async fn closing(t: &Till) -> (Reply, String, String) {
    let page = call(
        &t.app,
        "GET",
        &format!("/caisses/{}/fermeture", t.registers[0]),
        Some(&t.cashier),
        None,
    )
    .await;
    let session = attribute(&page.body, "name=\"session_id\" value=\"");
    let csrf = attribute(&page.body, "name=\"csrf\" value=\"");
    (page, session, csrf)
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn paid_outs_top_ups_and_the_count_by_denomination_make_the_z_report(pool: PgPool) {
    let t = till(&pool).await;
    open(&t, t.registers[0]).await; // float 100
    sell_by_card(&t, &format!("{}x2", t.product)).await;
    let (_, session, csrf) = closing(&t).await;
    let register = t.registers[0];
    let mv = |genre: &str, montant: &str, raison: &str| {
        format!(
            "csrf={csrf}&register_id={register}&session_id={session}&genre={genre}&montant={}&raison={}",
            enc(montant),
            enc(raison)
        )
    };
    let out = post(
        &t.app,
        &t.cashier,
        "till_cash_move",
        &mv("sortie", "45,25", "Livraison de lait"),
    )
    .await;
    let to = out.location.unwrap();
    assert_eq!(param(&to, "fait").as_deref(), Some("mouvement"), "{to}");
    let page = call(&t.app, "GET", &to, Some(&t.cashier), None).await;
    assert!(page.body.contains("Sortie de caisse enregistrée."));
    post(
        &t.app,
        &t.cashier,
        "till_cash_move",
        &mv("apport", "50", "Monnaie du coffre"),
    )
    .await;
    for (montant, raison, field) in [
        ("0", "x", "montant"),
        ("abc", "x", "montant"),
        ("5", " ", "raison"),
    ] {
        let to = post(
            &t.app,
            &t.cashier,
            "till_cash_move",
            &mv("sortie", montant, raison),
        )
        .await
        .location
        .unwrap();
        assert_eq!(
            param(&to, "erreur").as_deref(),
            Some("mouvement"),
            "{montant} {raison:?}"
        );
        assert_eq!(param(&to, "champ").as_deref(), Some(field));
        let page = call(&t.app, "GET", &to, Some(&t.cashier), None).await;
        assert!(
            page.body.contains("role=\"alert\" class=\"error\""),
            "{to}: said on the page"
        );
        let kept = if field == "raison" {
            "value=\"5\""
        } else {
            "value=\"x\""
        };
        assert!(page.body.contains(kept), "{to}: what was typed is kept");
    }
    let (page, _, _) = closing(&t).await;
    assert!(page.body.contains("data-z=\"paid_outs\">45,25\u{a0}$"));
    assert!(page.body.contains("data-z=\"top_ups\">50,00\u{a0}$"));
    assert!(
        page.body.contains("data-z=\"expected_cash\">104,75\u{a0}$"),
        "100 + 50 - 45,25"
    );

    // « Calculer le total » without JavaScript: the count comes back with its total, nothing closed
    let count = "n50=2&n1=4&n025=3";
    let close = |etape: &str| {
        format!(
            "csrf={csrf}&register_id={register}&session_id={session}&compte=&{}&etape={etape}",
            count
        )
    };
    let calc = post(&t.app, &t.cashier, "till_close", &close("calcul")).await;
    let to = calc.location.unwrap();
    assert_eq!(param(&to, "n50").as_deref(), Some("2"), "{to}");
    let page = call(&t.app, "GET", &to, Some(&t.cashier), None).await;
    assert!(
        page.body.contains("data-count-total=\"\">104,75\u{a0}$"),
        "computed by the server"
    );
    assert!(
        domain::stores::current_session(&pool, register)
            .await
            .unwrap()
            .is_some()
    );

    let bad = post(
        &t.app,
        &t.cashier,
        "till_close",
        &format!("csrf={csrf}&register_id={register}&session_id={session}&n20=-1&etape=fermer"),
    )
    .await;
    assert_eq!(
        param(&bad.location.unwrap(), "erreur").as_deref(),
        Some("coupures")
    );

    let closed = post(&t.app, &t.cashier, "till_close", &close("fermer")).await;
    assert_eq!(
        closed.location.as_deref(),
        Some(format!("/sessions/{session}").as_str())
    );
    let z = call(
        &t.app,
        "GET",
        &format!("/sessions/{session}"),
        Some(&t.cashier),
        None,
    )
    .await;
    assert!(z.body.contains("data-z=\"counted_cash\">104,75\u{a0}$"));
    assert!(z.body.contains("data-z=\"difference\">0,00\u{a0}$"));
    assert!(z.body.contains("Comptage par coupure") && z.body.contains("Billets de 50 $"));
    assert!(z.body.contains("Livraison de lait") && z.body.contains("Monnaie du coffre"));
    assert!(z.body.contains("Ventes par caissier"));
    let row = z
        .body
        .split("data-cashier=\"Employé caissier1\"")
        .nth(1)
        .expect("cashier row");
    assert!(
        row.split("</tr>").next().unwrap().contains("6,00\u{a0}$"),
        "{row}"
    );
}

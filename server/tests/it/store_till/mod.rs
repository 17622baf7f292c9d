//! The till selling like a store (SPEC section 6) through its forms, as without JavaScript:
//! every change a form post answered by a redirect whose address carries the cart. A customer
//! attached by card or search, a discount refused then approved by a manager, several tenders
//! with a gift card sold, a cart parked and resumed.

mod gift_card;

use crate::support::*;
use domain::catalog::NewProduct;
use sqlx::PgPool;

struct Till {
    app: axum::Router,
    store: i64,
    register: i64,
    cashier: String,
    /// 3,50 $, not taxable, 100 in stock.
    product: i64,
    code: String,
}

async fn till(pool: &PgPool) -> Till {
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
    let category = add_category(pool, "Épicerie").await;
    let new = NewProduct {
        name: "Article sucre".into(),
        warehouse_quantity: 100,
        ..new_product("SUC001", 350, false, category)
    };
    let product = product_with_stock(pool, &new, store.id, 100).await;
    let t = Till {
        app,
        store: store.id,
        register,
        cashier,
        product,
        code: "SUC001".into(),
    };
    let csrf = csrf_of(&t.app, &t.cashier).await;
    let opened = post(
        &t.app,
        &t.cashier,
        "till_open",
        &format!("csrf={csrf}&register_id={}&fonds=100", t.register),
    )
    .await;
    assert!(opened.location.is_some(), "{}", opened.body);
    t
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

/// Posts a till form (`register_id` and `panier` added) and returns the redirect's address.
async fn form(t: &Till, endpoint: &str, cart: &str, rest: &str) -> String {
    let reply = post(
        &t.app,
        &t.cashier,
        endpoint,
        &format!("register_id={}&panier={}&{rest}", t.register, enc(cart)),
    )
    .await;
    reply
        .location
        .unwrap_or_else(|| panic!("{endpoint}: no redirect: {}", reply.body))
}

fn cart_of(location: &str) -> String {
    param(location, "panier").unwrap_or_default()
}

/// The till page at a redirect's address.
async fn page(t: &Till, location: &str) -> String {
    call(&t.app, "GET", location, Some(&t.cashier), None)
        .await
        .body
}

/// Pays by card (or with the tenders, `mode=paiements`), with optional approval fields.
async fn checkout(t: &Till, location: &str, mode: &str, extra: &str) -> String {
    let csrf = csrf_of(&t.app, &t.cashier).await;
    let reply = post(
        &t.app,
        &t.cashier,
        "till_checkout",
        &format!(
            "csrf={csrf}&register_id={}&panier={}&vente={}&mode={mode}{extra}",
            t.register,
            enc(&cart_of(location)),
            enc(&param(location, "vente").unwrap_or_default())
        ),
    )
    .await;
    reply.location.expect("redirect")
}

fn sale_id(location: &str) -> i64 {
    location
        .strip_prefix("/ventes/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("not a receipt: {location}"))
}

async fn customer(pool: &PgPool, name: &str, card: &str, phone: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO customers (name, loyalty_card, phone, points) VALUES ($1, $2, $3, 40)
         RETURNING id",
    )
    .bind(name)
    .bind(card)
    .bind(phone)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_loyalty_card_or_a_search_attaches_the_customer_and_the_sale_names_them(pool: PgPool) {
    let t = till(&pool).await;
    let marie = customer(&pool, "Marie Tremblay", "2000000000015", "5145550101").await;
    let paul = customer(&pool, "Paul Gagnon", "2000000000022", "5145550202").await;
    // the scan field: a product, then the card's 13 digits attach the customer
    let at = form(&t, "till_add", "", &format!("code={}", t.code)).await;
    let at = form(&t, "till_add", &cart_of(&at), "code=2000000000015").await;
    assert!(cart_of(&at).contains(&format!("c{marie}")), "{at}");
    let shown = page(&t, &at).await;
    assert!(
        shown.contains("Marie Tremblay") && shown.contains("40 points"),
        "{shown}"
    );
    assert!(shown.contains(">Retirer<"));
    // « Retirer », then a search by phone lists Paul with « Associer »
    let at = form(&t, "till_customer", &cart_of(&at), "client_id=").await;
    assert!(!cart_of(&at).contains('c'), "{at}");
    let search = format!(
        "/caisses/{}?panier={}&client_q=5145550202",
        t.register,
        enc(&cart_of(&at))
    );
    let found = page(&t, &search).await;
    assert!(
        found.contains("Paul Gagnon") && found.contains("Associer"),
        "{found}"
    );
    assert!(!found.contains("Marie Tremblay"));
    let at = form(
        &t,
        "till_customer",
        &cart_of(&at),
        &format!("client_id={paul}"),
    )
    .await;
    assert!(cart_of(&at).contains(&format!("c{paul}")));
    // the sale is the customer's and earns their points
    let done = checkout(&t, &at, "carte", "").await;
    let (who, points): (Option<i64>, i64) =
        sqlx::query_as("SELECT customer_id, points_earned FROM sales WHERE id = $1")
            .bind(sale_id(&done))
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(who, Some(paul));
    assert_eq!(points, 3);
    let receipt = page(&t, &done).await;
    assert!(
        receipt.contains("Paul Gagnon — carte 2000000000022"),
        "{receipt}"
    );
    assert!(receipt.contains("Points gagnés : 3") && receipt.contains("43 points"));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_discount_over_the_cashier_limit_is_refused_then_approved_by_a_manager(pool: PgPool) {
    let t = till(&pool).await;
    let manager = add_employee(
        &pool,
        "gerant1",
        "Gérante",
        "demo",
        domain::Role::Gerant,
        Some(t.store),
    )
    .await
    .id;
    add_employee(
        &pool,
        "caissier2",
        "Caissier",
        "demo",
        domain::Role::Caissier,
        Some(t.store),
    )
    .await;
    let at = form(&t, "till_add", "", &format!("code=2*{}", t.code)).await;
    // 20 % on the line (7,00 $ -> 5,60 $): over the cashier's 10 %
    let at = form(
        &t,
        "till_discount",
        &cart_of(&at),
        &format!("product_id={}&valeur=20&unite=%25", t.product),
    )
    .await;
    let shown = page(&t, &at).await;
    assert!(shown.contains("Remise 20 % : −1,40"), "{shown}");
    assert!(shown.contains("5,60"));
    assert!(
        shown.contains("name=\"mot_de_passe\""),
        "approval fields shown ahead"
    );
    // a discount larger than the line is refused and not kept
    let bad = form(&t, "till_discount", &cart_of(&at), "valeur=50&unite=%24").await;
    assert_eq!(param(&bad, "erreur").as_deref(), Some("remise"));
    assert_eq!(cart_of(&bad), cart_of(&at));
    // without approval: refused, nothing recorded
    let refused = checkout(&t, &at, "carte", "").await;
    assert_eq!(
        param(&refused, "erreur").as_deref(),
        Some("approbation"),
        "{refused}"
    );
    let shown = page(&t, &refused).await;
    assert!(
        shown.contains("accord d&#x27;un gérant") || shown.contains("accord d'un gérant"),
        "{shown}"
    );
    // a cashier or a wrong password approves nothing
    for fields in [
        "&gerant=caissier2&mot_de_passe=demo",
        "&gerant=gerant1&mot_de_passe=faux",
    ] {
        let no = checkout(&t, &at, "carte", fields).await;
        assert_eq!(
            param(&no, "erreur").as_deref(),
            Some("approbation_refusee"),
            "{no}"
        );
        assert!(
            !no.contains("mot_de_passe"),
            "the password never goes in the address"
        );
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM sales")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
    // the store's manager approves: recorded with the approver
    let done = checkout(&t, &at, "carte", "&gerant=gerant1&mot_de_passe=demo").await;
    let (approver, total, discounts): (Option<i64>, rust_decimal::Decimal, rust_decimal::Decimal) =
        sqlx::query_as(
            "SELECT discount_approved_by, total, manual_discounts FROM sales WHERE id = $1",
        )
        .bind(sale_id(&done))
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(approver, Some(manager));
    assert_eq!(total, rust_decimal::Decimal::new(560, 2));
    assert_eq!(discounts, rust_decimal::Decimal::new(140, 2));
    let receipt = page(&t, &done).await;
    assert!(
        receipt.contains("Remise : −1,40") && receipt.contains("Vous avez économisé"),
        "{receipt}"
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn several_tenders_pay_the_goods_and_a_gift_card_sold_with_change_in_cash(pool: PgPool) {
    let t = till(&pool).await;
    let at = form(&t, "till_add", "", &format!("code={}", t.code)).await;
    let at = form(&t, "till_gift_card", &cart_of(&at), "montant=25").await;
    // 3,50 $ of goods and a 25,00 $ card: 28,50 $ due
    let shown = page(&t, &at).await;
    assert!(shown.contains("28,50"), "{shown}");
    let at = form(&t, "till_tender", &cart_of(&at), "mode=carte&montant=5").await;
    let shown = page(&t, &at).await;
    assert!(shown.contains("Reste à payer : 23,50"), "{shown}");
    assert!(
        !shown.contains("value=\"paiements\""),
        "no « Encaisser » before the tenders cover"
    );
    // points need a customer
    let no = form(&t, "till_tender", &cart_of(&at), "mode=points&montant=1").await;
    assert_eq!(param(&no, "erreur").as_deref(), Some("paiement"));
    let at = form(&t, "till_tender", &cart_of(&at), "mode=especes&montant=30").await;
    let shown = page(&t, &at).await;
    assert!(shown.contains("Monnaie à rendre : 6,50"), "{shown}");
    assert!(shown.contains("value=\"paiements\""));
    let done = checkout(&t, &at, "paiements", "").await;
    let id = sale_id(&done);
    let tenders: Vec<(String, rust_decimal::Decimal)> =
        sqlx::query_as("SELECT mode, amount FROM sale_payments WHERE sale_id = $1 ORDER BY seq")
            .bind(id)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        tenders,
        vec![
            ("carte".to_owned(), rust_decimal::Decimal::new(500, 2)),
            ("especes".to_owned(), rust_decimal::Decimal::new(2350, 2)),
        ]
    );
    let code: String = sqlx::query_scalar(
        "SELECT g.code FROM sale_gift_cards s JOIN gift_cards g ON g.id = s.gift_card_id
         WHERE s.sale_id = $1",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    let receipt = page(&t, &done).await;
    assert!(
        receipt.contains(&code),
        "the receipt prints the card's code: {receipt}"
    );
    assert!(receipt.contains("Monnaie rendue") && receipt.contains("6,50"));
    assert!(receipt.contains("Réimprimer"));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_parked_cart_is_listed_and_resumed_once(pool: PgPool) {
    let t = till(&pool).await;
    let session: i64 =
        sqlx::query_scalar("SELECT id FROM register_sessions WHERE closed_at IS NULL")
            .fetch_one(&pool)
            .await
            .unwrap();
    let at = form(&t, "till_add", "", &format!("code=3*{}", t.code)).await;
    let at = form(&t, "till_discount", &cart_of(&at), "valeur=5&unite=%25").await;
    let parked_cart = cart_of(&at);
    let csrf = csrf_of(&t.app, &t.cashier).await;
    let parked = post(
        &t.app,
        &t.cashier,
        "till_park",
        &format!(
            "csrf={csrf}&register_id={}&session_id={session}&panier={}&nom=Mme+Roy",
            t.register,
            enc(&parked_cart)
        ),
    )
    .await
    .location
    .expect("redirect");
    assert_eq!(parked, format!("/caisses/{}", t.register), "an empty till");
    let shown = page(&t, &parked).await;
    assert!(
        shown.contains("Mme Roy") && shown.contains("Reprendre"),
        "{shown}"
    );
    let id: i64 = sqlx::query_scalar("SELECT id FROM parked_carts")
        .fetch_one(&pool)
        .await
        .unwrap();
    let resume = |csrf: String| {
        let app = t.app.clone();
        let cookie = t.cashier.clone();
        let register = t.register;
        async move {
            post(
                &app,
                &cookie,
                "till_resume",
                &format!("csrf={csrf}&register_id={register}&parked_id={id}"),
            )
            .await
            .location
            .expect("redirect")
        }
    };
    let back = resume(csrf.clone()).await;
    assert_eq!(
        cart_of(&back),
        parked_cart,
        "the cart and its discount come back"
    );
    let again = resume(csrf).await;
    assert_eq!(
        param(&again, "erreur").as_deref(),
        Some("attente"),
        "{again}"
    );
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM parked_carts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_promotion_shows_under_its_line_and_on_the_receipt(pool: PgPool) {
    let t = till(&pool).await;
    let promotion: i64 = sqlx::query_scalar(
        "INSERT INTO promotions (name, kind, value, starts_on, ends_on)
         VALUES ('Rentrée', 'pourcentage', 25, current_date - 1, current_date + 1) RETURNING id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO promotion_products (promotion_id, product_id) VALUES ($1, $2)")
        .bind(promotion)
        .bind(t.product)
        .execute(&pool)
        .await
        .unwrap();
    // 2 × 3,50 $ = 7,00 $, 25 % off each unit (2,625 -> 2,62 $): 5,24 $
    let at = form(&t, "till_add", "", &format!("code=2*{}", t.code)).await;
    let shown = page(&t, &at).await;
    // the line's original amount, struck through
    let struck = shown.split("<s ").nth(1).unwrap_or_default();
    assert!(
        struck.contains("data-original")
            && struck
                .split("</s>")
                .next()
                .unwrap_or_default()
                .contains("7,00"),
        "{shown}"
    );
    assert!(shown.contains("Rentrée : −1,76"));
    assert!(shown.contains("data-total=\"savings\"") && shown.contains("Vous économisez"));
    let done = checkout(&t, &at, "carte", "").await;
    let receipt = page(&t, &done).await;
    assert!(
        receipt.contains("Rentrée : −1,76") && receipt.contains("data-original=\"\">7,00"),
        "{receipt}"
    );
    assert!(receipt.contains("Vous avez économisé 1,76"));
}

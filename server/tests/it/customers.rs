//! Clients in-process, as a browser without JavaScript: every employee searches and creates
//! customers (problems next to their fields, what was typed kept), edits them, sees their card,
//! balances and sales; cashiers cannot adjust balances, managers can; only head office
//! anonymises, after ticking the confirmation.

use crate::support::*;
use domain::Role;
use domain::customers::{self, NewCustomer};
use http::StatusCode;
use sqlx::PgPool;

struct Setup {
    app: axum::Router,
    store: i64,
    customer: customers::Customer,
}

async fn setup(pool: &PgPool) -> Setup {
    let store = add_store(pool, "Centre-Ville", "", "", 1).await;
    let customer = customers::create_customer(
        pool,
        &domain::Actor::System,
        &NewCustomer {
            name: "Marie Roy".into(),
            email: "marie.roy@exemple.ca".into(),
            phone: "5145551234".into(),
            marketing_consent: true,
        },
    )
    .await
    .unwrap();
    Setup {
        app: app(pool.clone()),
        store: store.id,
        customer,
    }
}

fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_cashier_finds_creates_and_edits_customers_without_javascript(pool: PgPool) {
    let s = setup(&pool).await;
    let cashier = employee_session(&s.app, &pool, "caissier1", Role::Caissier, Some(s.store)).await;
    let home = call(&s.app, "GET", "/clients", Some(&cashier), None).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(
        home.body.contains("href=\"/clients\""),
        "the navigation links the page"
    );
    assert!(home.body.contains("Marie Roy") && home.body.contains("514 555-1234"));

    for q in ["roy", "514-555-1234", s.customer.loyalty_card.as_str()] {
        let found = call(
            &s.app,
            "GET",
            &format!("/clients?q={}", encode(q)),
            Some(&cashier),
            None,
        )
        .await;
        assert!(found.body.contains("1 client."), "{q}: {}", found.body);
    }
    let none = call(&s.app, "GET", "/clients?q=personne", Some(&cashier), None).await;
    assert!(none.body.contains("Aucun client ne correspond."));

    // a bad phone: shown next to its field, what was typed kept, nothing stored
    let csrf = attribute(&home.body, "name=\"csrf\" value=\"");
    let refused = post(
        &s.app,
        &cashier,
        "create_customer",
        &format!(
            "csrf={csrf}&name=Jean+Tremblay&email=marie.roy%40exemple.ca&phone=555&marketing_consent=on"
        ),
    )
    .await;
    let location = refused.location.unwrap();
    assert!(location.starts_with("/clients?erreur=champs"), "{location}");
    let page = call(&s.app, "GET", &location, Some(&cashier), None).await;
    assert!(
        page.body.contains("Numéro de téléphone invalide"),
        "{}",
        page.body
    );
    assert!(page.body.contains("id=\"n-phone-erreur\""));
    assert!(page.body.contains("value=\"marie.roy@exemple.ca\""));
    // once the phone is right, the database finds the email taken
    let taken = post(
        &s.app,
        &cashier,
        "create_customer",
        &format!("csrf={csrf}&name=Jean+Tremblay&email=MARIE.ROY%40exemple.ca&phone="),
    )
    .await;
    let page = call(
        &s.app,
        "GET",
        &taken.location.unwrap(),
        Some(&cashier),
        None,
    )
    .await;
    assert!(
        page.body
            .contains("Un autre client utilise déjà ce courriel."),
        "{}",
        page.body
    );
    assert!(page.body.contains("id=\"n-email-erreur\""));
    assert!(
        page.body.contains("value=\"Jean Tremblay\""),
        "what was typed is kept"
    );
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM customers")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 1, "nothing stored");

    let created = post(
        &s.app,
        &cashier,
        "create_customer",
        &format!("csrf={csrf}&name=Jean+Tremblay&email=&phone=%2B1+(438)+555-0000"),
    )
    .await;
    let location = created.location.unwrap();
    assert!(
        location.starts_with("/clients/") && location.contains("cree=1"),
        "{location}"
    );
    let page = call(&s.app, "GET", &location, Some(&cashier), None).await;
    assert!(page.body.contains("Client créé"));
    assert!(page.body.contains("+1 438 555-0000"));
    let jean = customers::search_customers(&pool, Some("tremblay"), Default::default())
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(jean.phone.as_deref(), Some("14385550000"));
    assert!(!jean.marketing_consent, "an unticked box is no consent");
    let card = jean.loyalty_card.clone();
    let printed = format!("{} {} {}", &card[..1], &card[1..7], &card[7..]);
    assert!(page.body.contains(&printed), "the card's code is printed");
    // a cashier neither adjusts nor anonymises
    assert!(!page.body.contains("Ajuster un solde") && !page.body.contains("anon-confirm"));

    let edit = post(
        &s.app,
        &cashier,
        "update_customer",
        &format!(
            "customer_id={}&csrf={csrf}&name=Jean+Tremblay&email=jean%40exemple.ca&phone=4385550000&marketing_consent=on",
            jean.id
        ),
    )
    .await;
    assert!(edit.location.unwrap().contains("enregistre=1"));
    let jean = customers::get_customer(&pool, jean.id).await.unwrap();
    assert_eq!(jean.email.as_deref(), Some("jean@exemple.ca"));
    assert_eq!(jean.phone.as_deref(), Some("4385550000"));
    assert!(jean.marketing_consent);

    let adjust = post(
        &s.app,
        &cashier,
        "adjust_customer_balance",
        &format!(
            "csrf={csrf}&customer_id={}&what=points&delta=500&note=Cadeau",
            jean.id
        ),
    )
    .await;
    assert!(adjust.location.unwrap().contains("erreur=droits"));
    let anonymize = post(
        &s.app,
        &cashier,
        "anonymize_customer",
        &format!("csrf={csrf}&customer_id={}&confirm=on", jean.id),
    )
    .await;
    assert!(anonymize.location.unwrap().contains("erreur=droits"));
    let jean = customers::get_customer(&pool, jean.id).await.unwrap();
    assert_eq!((jean.points, jean.anonymized_at), (0, None));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_manager_adjusts_balances_and_sees_the_movements(pool: PgPool) {
    let s = setup(&pool).await;
    let manager = employee_session(&s.app, &pool, "gerant1", Role::Gerant, Some(s.store)).await;
    let csrf = csrf_of(&s.app, &manager).await;
    let id = s.customer.id;
    let page = format!("/clients/{id}");
    let form = |what: &str, delta: &str, note: &str| {
        format!(
            "csrf={csrf}&customer_id={id}&what={what}&delta={}&note={}",
            encode(delta),
            encode(note)
        )
    };
    let added = post(
        &s.app,
        &manager,
        "adjust_customer_balance",
        &form("points", "150", "Bienvenue"),
    )
    .await;
    let location = added.location.unwrap();
    assert!(location.contains("fait=points"), "{location}");
    let shown = call(&s.app, "GET", &location, Some(&manager), None).await;
    assert!(
        shown.body.contains("nouveau solde 150 points"),
        "{}",
        shown.body
    );
    assert!(shown.body.contains("Bienvenue") && shown.body.contains("+150"));

    // below zero: refused with the balance, what was typed kept
    let refused = post(
        &s.app,
        &manager,
        "adjust_customer_balance",
        &form("points", "-151", "Erreur"),
    )
    .await;
    let location = refused.location.unwrap();
    assert!(location.contains("erreur=ajustement"), "{location}");
    let shown = call(&s.app, "GET", &location, Some(&manager), None).await;
    assert!(
        shown
            .body
            .contains("Solde de points insuffisant : 150 points disponibles.")
    );
    assert!(shown.body.contains("value=\"-151\""));

    let credit = post(
        &s.app,
        &manager,
        "adjust_customer_balance",
        &form("credit", "12,50", "Avoir"),
    )
    .await;
    assert!(credit.location.unwrap().contains("fait=credit"));
    let no_reason = post(
        &s.app,
        &manager,
        "adjust_customer_balance",
        &form("credit", "5", " "),
    )
    .await;
    let location = no_reason.location.unwrap();
    let shown = call(&s.app, "GET", &location, Some(&manager), None).await;
    assert!(
        shown.body.contains("id=\"a-note-erreur\""),
        "{}",
        shown.body
    );
    let not_a_number = post(
        &s.app,
        &manager,
        "adjust_customer_balance",
        &form("points", "beaucoup", "x"),
    )
    .await;
    assert!(not_a_number.location.unwrap().contains("f_delta="));

    let c = customers::get_customer(&pool, id).await.unwrap();
    assert_eq!(
        (c.points, c.credit),
        (150, rust_decimal::Decimal::new(1250, 2))
    );
    let shown = call(&s.app, "GET", &page, Some(&manager), None).await;
    assert!(shown.body.contains("12,50"));
    assert!(
        !shown.body.contains("anon-confirm"),
        "a manager does not anonymise"
    );
    assert_eq!(
        call(&s.app, "GET", "/clients/999999", Some(&manager), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn head_office_anonymises_after_confirming(pool: PgPool) {
    let s = setup(&pool).await;
    let admin = employee_session(&s.app, &pool, "admin", Role::Admin, None).await;
    let id = s.customer.id;
    let page = call(&s.app, "GET", &format!("/clients/{id}"), Some(&admin), None).await;
    assert!(page.body.contains("anon-confirm"));
    let csrf = attribute(&page.body, "name=\"csrf\" value=\"");
    let unconfirmed = post(
        &s.app,
        &admin,
        "anonymize_customer",
        &format!("csrf={csrf}&customer_id={id}"),
    )
    .await;
    assert!(
        unconfirmed
            .location
            .unwrap()
            .contains("erreur=confirmation")
    );
    assert!(
        customers::get_customer(&pool, id)
            .await
            .unwrap()
            .anonymized_at
            .is_none()
    );

    let done = post(
        &s.app,
        &admin,
        "anonymize_customer",
        &format!("csrf={csrf}&customer_id={id}&confirm=on"),
    )
    .await;
    let location = done.location.unwrap();
    assert!(location.contains("fait=anonymise"), "{location}");
    let shown = call(&s.app, "GET", &location, Some(&admin), None).await;
    assert!(shown.body.contains("Client anonymisé"));
    assert!(!shown.body.contains("Marie Roy") && !shown.body.contains("marie.roy"));
    assert!(
        !shown.body.contains("id=\"customer-form\""),
        "nothing left to edit"
    );
    let c = customers::get_customer(&pool, id).await.unwrap();
    assert_eq!((c.name, c.email, c.phone), (None, None, None));
    let list = call(&s.app, "GET", "/clients", Some(&admin), None).await;
    assert!(list.body.contains("Client anonymisé"));
}

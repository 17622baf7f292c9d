//! Customers against a real PostgreSQL: validated and unique personal fields, the loyalty card,
//! search and scan, anonymising, and balances that never go below zero and always equal the sum
//! of their movements, even when two tills spend the same points at once.

use crate::world::*;
use domain::customers::{self, CreditReason, CustomerPatch, NewCustomer};
use domain::sales::{self, Payment};
use domain::{Actor, Error, PageRequest};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use sqlx::PgPool;

fn marie() -> NewCustomer {
    NewCustomer {
        name: "  Marie Roy ".into(),
        email: "marie.roy@exemple.ca".into(),
        phone: "+1 (514) 555-1234".into(),
        marketing_consent: true,
    }
}

fn fields_of(err: Error) -> Vec<(String, String)> {
    match err {
        Error::Validation(errors) => errors.into_iter().map(|e| (e.field, e.message)).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// A recorded card sale of one unit at the first store's till, attached to `customer`.
async fn sale_for(db: &PgPool, w: &World, id: &str, product: i64, customer: i64) -> i64 {
    let new = till_sale(id, w.register, &[(product, 1)], Payment::Card);
    let sale = sales::record_sale(db, &w.cashier, &domain::Rules::default(), &new)
        .await
        .unwrap()
        .sale;
    sqlx::query("UPDATE sales SET customer_id = $2 WHERE id = $1")
        .bind(sale.id)
        .bind(customer)
        .execute(db)
        .await
        .unwrap();
    sale.id
}

/// Every customer's points and credit equal the sums of their movements.
async fn assert_balances_are_their_movements(db: &PgPool) {
    let mismatches: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM customers c
         WHERE c.points <> COALESCE((SELECT sum(delta) FROM loyalty_movements
                                     WHERE customer_id = c.id), 0)
            OR c.credit <> COALESCE((SELECT sum(delta) FROM store_credit_movements
                                     WHERE customer_id = c.id), 0)",
    )
    .fetch_one(db)
    .await
    .unwrap();
    assert_eq!(mismatches, 0, "balances equal the sum of their movements");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_customer_is_created_with_normalised_fields_and_a_card(db: PgPool) {
    let w = world(&db).await;
    let c = customers::create_customer(&db, &w.cashier, &marie())
        .await
        .unwrap();
    assert_eq!(c.name.as_deref(), Some("Marie Roy"));
    assert_eq!(c.phone.as_deref(), Some("15145551234"));
    assert_eq!(c.email.as_deref(), Some("marie.roy@exemple.ca"));
    assert!(c.marketing_consent);
    assert_eq!((c.points, c.credit), (0, Decimal::ZERO));
    assert!(c.loyalty_card.starts_with("29") && customers::card::is_valid(&c.loyalty_card));
    assert_eq!(
        customers::get_customer(&db, c.id).await.unwrap(),
        c,
        "what create answers is what is stored"
    );
    // every field optional: a card without a name
    let anonymous = customers::create_customer(&db, &w.manager, &NewCustomer::default())
        .await
        .unwrap();
    assert_eq!(
        (anonymous.name, anonymous.email, anonymous.phone),
        (None, None, None)
    );
    assert_ne!(anonymous.loyalty_card, c.loyalty_card);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn invalid_or_taken_fields_are_named(db: PgPool) {
    let w = world(&db).await;
    let bad = NewCustomer {
        name: "x".repeat(201),
        email: "marie@".into(),
        phone: "555-1234".into(),
        marketing_consent: false,
    };
    let err = customers::create_customer(&db, &w.cashier, &bad)
        .await
        .unwrap_err();
    let fields: Vec<_> = fields_of(err).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["name", "email", "phone"]);

    let first = customers::create_customer(&db, &w.cashier, &marie())
        .await
        .unwrap();
    // the same email in other letters, the same phone typed differently
    let same_email = NewCustomer {
        email: "MARIE.ROY@exemple.ca".into(),
        phone: String::new(),
        ..marie()
    };
    let err = customers::create_customer(&db, &w.cashier, &same_email)
        .await
        .unwrap_err();
    assert_eq!(fields_of(err)[0].0, "email");
    let same_phone = NewCustomer {
        email: String::new(),
        phone: "15145551234".into(),
        ..marie()
    };
    let err = customers::create_customer(&db, &w.cashier, &same_phone)
        .await
        .unwrap_err();
    assert_eq!(
        fields_of(err),
        [(
            "phone".to_owned(),
            "Un autre client utilise déjà ce numéro de téléphone.".to_owned()
        )]
    );
    // another customer may not take them by an edit either
    let other = customers::create_customer(&db, &w.cashier, &NewCustomer::default())
        .await
        .unwrap();
    let patch = CustomerPatch {
        email: Some("marie.roy@exemple.ca".into()),
        ..Default::default()
    };
    let err = customers::update_customer(&db, &w.cashier, other.id, &patch)
        .await
        .unwrap_err();
    assert_eq!(fields_of(err)[0].0, "email");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM customers")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(count, 2);
    assert_eq!(customers::get_customer(&db, first.id).await.unwrap(), first);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn an_edit_changes_only_what_it_names_and_blank_removes(db: PgPool) {
    let w = world(&db).await;
    let c = customers::create_customer(&db, &w.cashier, &marie())
        .await
        .unwrap();
    let patch = CustomerPatch {
        phone: Some("514 555 9876".into()),
        email: Some("  ".into()),
        marketing_consent: Some(false),
        ..Default::default()
    };
    let edited = customers::update_customer(&db, &w.other_cashier, c.id, &patch)
        .await
        .unwrap();
    assert_eq!(edited.name.as_deref(), Some("Marie Roy"), "unchanged");
    assert_eq!(edited.phone.as_deref(), Some("5145559876"));
    assert_eq!(edited.email, None);
    assert!(!edited.marketing_consent);
    let missing = customers::update_customer(&db, &w.cashier, 999_999, &patch)
        .await
        .unwrap_err();
    assert!(matches!(missing, Error::NotFound { .. }));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn search_finds_by_name_phone_email_or_card_page_by_page(db: PgPool) {
    let w = world(&db).await;
    let m = customers::create_customer(&db, &w.cashier, &marie())
        .await
        .unwrap();
    for i in 0..4 {
        let other = NewCustomer {
            name: format!("Client {i}"),
            email: format!("client{i}@exemple.ca"),
            phone: format!("438555000{i}"),
            marketing_consent: false,
        };
        customers::create_customer(&db, &w.cashier, &other)
            .await
            .unwrap();
    }
    let find = async |q: &str| {
        customers::search_customers(&db, Some(q), PageRequest::new(1, 20))
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|c| c.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(find("roy").await, [m.id]);
    assert_eq!(find("MARIE.ROY@").await, [m.id]);
    assert_eq!(find("(514) 555-1234").await, [m.id]);
    assert_eq!(find(&m.loyalty_card).await, [m.id]);
    assert_eq!(find("100%").await, Vec::<i64>::new(), "% matches literally");
    assert_eq!(find("client").await.len(), 4);
    let page2 = customers::search_customers(&db, None, PageRequest::new(2, 2))
        .await
        .unwrap();
    assert_eq!((page2.total, page2.pages, page2.items.len()), (5, 3, 2));
    let names: Vec<_> = page2
        .items
        .iter()
        .map(|c| c.name.clone().unwrap())
        .collect();
    assert_eq!(names, ["Client 2", "Client 3"], "by name, stable");

    let scanned = customers::find_by_card(&db, &format!(" {} ", m.loyalty_card))
        .await
        .unwrap();
    assert_eq!(scanned.id, m.id);
    for unknown in ["2900000000000", "abc", ""] {
        assert!(matches!(
            customers::find_by_card(&db, unknown).await,
            Err(Error::NotFound { .. })
        ));
    }
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn only_head_office_anonymises_and_the_history_stays(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let soap = product(&db, &w, "HYG002", 120, true, 10, 0).await;
    let c = customers::create_customer(&db, &w.cashier, &marie())
        .await
        .unwrap();
    let sale = sale_for(&db, &w, "s1", soap, c.id).await;
    let mut tx = db.begin().await.unwrap();
    customers::earn_points_in(&mut tx, c.id, 120, sale, &w.cashier)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for refused in [&w.cashier, &w.manager] {
        let err = customers::anonymize_customer(&db, refused, c.id)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    }
    let gone = customers::anonymize_customer(&db, &w.admin, c.id)
        .await
        .unwrap();
    assert_eq!(
        (&gone.name, &gone.email, &gone.phone),
        (&None, &None, &None)
    );
    assert!(!gone.marketing_consent && gone.anonymized_at.is_some());
    assert_eq!(gone.points, 120, "points kept");
    assert_eq!(gone.loyalty_card, c.loyalty_card);
    let again = customers::anonymize_customer(&db, &Actor::ApiClient { id: None }, c.id)
        .await
        .unwrap();
    assert_eq!(again.anonymized_at, gone.anonymized_at, "idempotent");
    let sales = customers::customer_sales(&db, c.id, None, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(sales.items.iter().map(|s| s.id).collect::<Vec<_>>(), [sale]);
    // no personal data may come back by an edit
    let patch = CustomerPatch {
        name: Some("Marie".into()),
        ..Default::default()
    };
    assert!(matches!(
        customers::update_customer(&db, &w.admin, c.id, &patch).await,
        Err(Error::Conflict(_))
    ));
    assert!(matches!(
        customers::anonymize_customer(&db, &w.admin, 999_999).await,
        Err(Error::NotFound { .. })
    ));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_sale_earns_spends_and_a_return_reverses_points_and_credit(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let soap = product(&db, &w, "HYG002", 120, true, 10, 0).await;
    let c = customers::create_customer(&db, &w.cashier, &marie())
        .await
        .unwrap();
    let first = sale_for(&db, &w, "s1", soap, c.id).await;
    let second = sale_for(&db, &w, "s2", soap, c.id).await;

    let mut tx = db.begin().await.unwrap();
    assert_eq!(
        customers::earn_points_in(&mut tx, c.id, 150, first, &w.cashier)
            .await
            .unwrap(),
        150
    );
    assert_eq!(
        customers::spend_points_in(&mut tx, c.id, 30, second, &w.cashier)
            .await
            .unwrap(),
        120
    );
    let err = customers::spend_points_in(&mut tx, c.id, 121, second, &w.cashier)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Solde de points insuffisant : 120 points disponibles."
    );
    assert!(matches!(
        customers::spend_points_in(&mut tx, c.id, 0, second, &w.cashier).await,
        Err(Error::Validation(_))
    ));
    tx.commit().await.unwrap();

    // a return: store credit, and the points given back / taken back
    let ret = sales::create_return(&db, &w.cashier, &{
        let sale = sales::get_sale(&db, &w.cashier, first).await.unwrap();
        return_of(&sale, soap, 1)
    })
    .await
    .unwrap();
    let mut tx = db.begin().await.unwrap();
    let credit = customers::credit_in(
        &mut tx,
        c.id,
        dec!(1.38),
        ret.id,
        CreditReason::Refund,
        &w.cashier,
    )
    .await
    .unwrap();
    assert_eq!(credit, dec!(1.38));
    let err = customers::spend_credit_in(&mut tx, c.id, dec!(1.39), second, &w.cashier)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Crédit en magasin insuffisant : 1,38 $ disponibles."
    );
    assert_eq!(
        customers::spend_credit_in(&mut tx, c.id, dec!(1.00), second, &w.cashier)
            .await
            .unwrap(),
        dec!(0.38)
    );
    assert_eq!(
        customers::refund_points_in(&mut tx, c.id, 30, ret.id, &w.cashier)
            .await
            .unwrap(),
        150
    );
    // the sale earned 200 but only 150 are left: the return takes back what there is
    assert_eq!(
        customers::reverse_points_in(&mut tx, c.id, 200, ret.id, &w.cashier)
            .await
            .unwrap(),
        150
    );
    tx.commit().await.unwrap();
    let after = customers::get_customer(&db, c.id).await.unwrap();
    assert_eq!((after.points, after.credit), (0, dec!(0.38)));

    let points = customers::loyalty_movements(&db, c.id, PageRequest::default())
        .await
        .unwrap();
    let reasons: Vec<_> = points.items.iter().map(|m| m.reason.as_str()).collect();
    assert_eq!(reasons, ["reversed", "refunded", "redeemed", "earned"]);
    assert_eq!(points.items[2].sale_id, Some(second));
    assert_eq!(points.items[0].return_id, Some(ret.id));
    assert_eq!(points.items[3].employee_name.as_deref(), Some("caissier"));
    let credit = customers::credit_movements(&db, c.id, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(credit.total, 2);
    assert_eq!(credit.items[0].delta, dec!(-1.00));
    assert_balances_are_their_movements(&db).await;
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn managers_adjust_balances_by_hand_never_below_zero(db: PgPool) {
    let w = world(&db).await;
    let c = customers::create_customer(&db, &w.cashier, &marie())
        .await
        .unwrap();
    let refused = customers::adjust_points(&db, &w.cashier, c.id, 100, "Geste commercial")
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::Forbidden(_)));
    let no_reason = customers::adjust_points(&db, &w.manager, c.id, 100, "  ")
        .await
        .unwrap_err();
    assert_eq!(fields_of(no_reason)[0].0, "note");
    let after = customers::adjust_points(&db, &w.manager, c.id, 100, "Geste commercial")
        .await
        .unwrap();
    assert_eq!(after.points, 100);
    let err = customers::adjust_points(&db, &w.admin, c.id, -101, "Correction")
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Solde de points insuffisant : 100 points disponibles."
    );
    let after = customers::adjust_credit(&db, &w.admin, c.id, dec!(25.50), "Avoir")
        .await
        .unwrap();
    assert_eq!(after.credit, dec!(25.50));
    assert!(matches!(
        customers::adjust_credit(&db, &w.admin, c.id, dec!(-25.51), "Correction").await,
        Err(Error::Conflict(_))
    ));
    assert!(matches!(
        customers::adjust_credit(&db, &w.admin, c.id, dec!(0.001), "Correction").await,
        Err(Error::Validation(_))
    ));
    assert!(matches!(
        customers::adjust_points(&db, &w.admin, 999_999, 5, "Correction").await,
        Err(Error::NotFound { .. })
    ));
    let movements = customers::loyalty_movements(&db, c.id, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(movements.total, 1);
    assert_eq!(movements.items[0].note, "Geste commercial");
    assert_eq!(movements.items[0].employee_name.as_deref(), Some("gerant"));
    assert_balances_are_their_movements(&db).await;
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn two_tills_spending_the_same_points_at_once_cannot_both_succeed(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let soap = product(&db, &w, "HYG002", 120, true, 50, 0).await;
    let c = customers::create_customer(&db, &w.cashier, &marie())
        .await
        .unwrap();
    customers::adjust_points(&db, &w.manager, c.id, 500, "Bienvenue")
        .await
        .unwrap();
    for round in 0..10 {
        let a = sale_for(&db, &w, &format!("a{round}"), soap, c.id).await;
        let b = sale_for(&db, &w, &format!("b{round}"), soap, c.id).await;
        let before = customers::get_customer(&db, c.id).await.unwrap().points;
        let mut tasks = tokio::task::JoinSet::new();
        for sale in [a, b] {
            let (db, actor, customer) = (db.clone(), w.cashier, c.id);
            tasks.spawn(async move {
                let mut tx = db.begin().await?;
                // both read the same balance, then each spends all of it
                let balance = customers::get_customer(&mut *tx, customer).await?.points;
                tokio::task::yield_now().await;
                customers::spend_points_in(&mut tx, customer, balance.max(1), sale, &actor).await?;
                tx.commit().await?;
                Ok::<_, Error>(())
            });
        }
        let (mut spent, mut refused) = (0, 0);
        while let Some(result) = tasks.join_next().await {
            match result.unwrap() {
                Ok(()) => spent += 1,
                Err(Error::Conflict(message)) => {
                    assert!(
                        message.starts_with("Solde de points insuffisant"),
                        "{message}"
                    );
                    refused += 1;
                }
                Err(other) => panic!("unexpected error {other:?}"),
            }
        }
        assert_eq!((spent, refused), (1, 1), "round {round}, balance {before}");
        assert_eq!(customers::get_customer(&db, c.id).await.unwrap().points, 0);
        customers::adjust_points(&db, &w.manager, c.id, 50, "Nouvelle manche")
            .await
            .unwrap();
    }
    assert_balances_are_their_movements(&db).await;
}

//! Balances spent by sales: too little refuses the sale naming the balance and writes nothing;
//! tills spending the same gift card or points at once never take them below zero.

use domain::Error;
use domain::sales::{SaleOptions, TenderKind};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use sqlx::PgPool;

use super::*;
use crate::world::*;

async fn balance(db: &PgPool, sql: &str, id: i64) -> Decimal {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(db)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn too_little_on_a_balance_refuses_the_sale_and_writes_nothing(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let bread = product(&db, &w, "ALI001", 120, false, 20, 0).await;
    gift_card(&db, w.store, "4000000000000010", dec!(1.00)).await;
    let client = customer(&db, "2000000000031", 50, dec!(0.50)).await;
    let cases = [
        (
            tender(TenderKind::GiftCard, 120, Some("4000000000000010")),
            "Solde de la carte-cadeau insuffisant : 1,00 $",
        ),
        (
            tender(TenderKind::Points, 120, None),
            "Solde de points insuffisant : 50 points",
        ),
        (
            tender(TenderKind::Credit, 120, None),
            "Crédit en magasin insuffisant : 0,50 $",
        ),
    ];
    for (i, (t, expected)) in cases.into_iter().enumerate() {
        let new = store_sale(
            &format!("short{i}"),
            w.register,
            &[(bread, 1)],
            vec![t],
            SaleOptions {
                customer_id: Some(client),
                ..Default::default()
            },
        );
        match sell(&db, &w.cashier, &new).await {
            Err(Error::Conflict(message)) => assert!(message.starts_with(expected), "{message}"),
            other => panic!("expected a conflict, got {other:?}"),
        }
    }
    let sales: i64 = sqlx::query_scalar("SELECT count(*) FROM sales")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(sales, 0, "a refused sale writes nothing");
    assert_eq!(store_qty(&db, w.store, bread).await, 20);
    // an unknown gift card is refused naming the tender
    let new = store_sale(
        "unknown",
        w.register,
        &[(bread, 1)],
        vec![tender(TenderKind::GiftCard, 120, Some("4000000000000099"))],
        SaleOptions::default(),
    );
    match sell(&db, &w.cashier, &new).await {
        Err(Error::Validation(errors)) => assert_eq!(errors[0].field, "paiements[0].reference"),
        other => panic!("expected a validation error, got {other:?}"),
    }
    assert_movements_explain_balances(&db).await;
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn two_tills_never_take_a_gift_card_below_zero(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let bread = product(&db, &w, "ALI001", 1000, false, 100, 0).await;
    let card = gift_card(&db, w.store, "4000000000000028", dec!(35.00)).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..12 {
        let (db, cashier, register, store) = (db.clone(), w.cashier, w.register, w.store);
        tasks.spawn(async move {
            let mut new = store_sale(
                &format!("gc{i}"),
                register,
                &[(bread, 1)],
                vec![tender(TenderKind::GiftCard, 1000, Some("4000000000000028"))],
                SaleOptions::default(),
            );
            // the till and the e-commerce site take the same card at once
            let actor = if i % 2 == 0 {
                cashier
            } else {
                new.channel = domain::sales::Channel::External { store_id: store };
                domain::Actor::ApiClient { id: None }
            };
            sell(&db, &actor, &new).await
        });
    }
    let (mut sold, mut refused) = (0, 0);
    while let Some(result) = tasks.join_next().await {
        match result.unwrap() {
            Ok(_) => sold += 1,
            Err(Error::Conflict(m)) if m.contains("carte-cadeau") => refused += 1,
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((sold, refused), (3, 9));
    let left = balance(&db, "SELECT balance FROM gift_cards WHERE id = $1", card).await;
    assert_eq!(left, dec!(5.00));
    assert_eq!(store_qty(&db, w.store, bread).await, 97);
    assert_movements_explain_balances(&db).await;
    assert_movements_explain_stock(&db).await;
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_same_points_are_never_spent_twice(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let bread = product(&db, &w, "ALI001", 200, false, 100, 0).await;
    let client = customer(&db, "2000000000048", 500, dec!(0)).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8 {
        let (db, actor, register) = (db.clone(), w.cashier, w.register);
        tasks.spawn(async move {
            // 2.00 $ in points = 200 points; the sale earns 2 points back
            let new = store_sale(
                &format!("p{i}"),
                register,
                &[(bread, 1)],
                vec![tender(TenderKind::Points, 200, None)],
                SaleOptions {
                    customer_id: Some(client),
                    ..Default::default()
                },
            );
            sell(&db, &actor, &new).await
        });
    }
    let mut sold = 0;
    while let Some(result) = tasks.join_next().await {
        match result.unwrap() {
            Ok(_) => sold += 1,
            Err(Error::Conflict(m)) if m.contains("points") => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    // 500 -> 2 sales of 200 leave 100, plus 2 points earned each; a third would need 200
    assert_eq!(sold, 2);
    let points: i64 = sqlx::query_scalar("SELECT points FROM customers WHERE id = $1")
        .bind(client)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(points, 104);
    assert_movements_explain_balances(&db).await;
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn groups_earning_points_for_the_same_customers_never_deadlock(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    // each group takes its own products, so only the customers' rows are shared
    let mut products = Vec::new();
    for code in ["ALI001", "ALI002", "ALI003", "ALI004"] {
        products.push(product(&db, &w, code, 1000, false, 1000, 0).await);
    }
    let (a, b) = (
        customer(&db, "2000000000055", 0, dec!(0)).await,
        customer(&db, "2000000000062", 0, dec!(0)).await,
    );
    let cart = |id: String, product: i64, client: i64| {
        store_sale(
            &id,
            w.register,
            &[(product, 1)],
            vec![tender(TenderKind::Card, 1000, None)],
            SaleOptions {
                customer_id: Some(client),
                ..Default::default()
            },
        )
    };
    let mut tasks = tokio::task::JoinSet::new();
    for round in 0..20 {
        // one group earns for a then b, the other for b then a
        for (g, first, second) in [(0, a, b), (1, b, a)] {
            let carts = vec![
                (
                    w.cashier,
                    cart(format!("g{round}-{g}-1"), products[2 * g], first),
                ),
                (
                    w.cashier,
                    cart(format!("g{round}-{g}-2"), products[2 * g + 1], second),
                ),
            ];
            let db = db.clone();
            tasks.spawn(async move { sell_together(&db, &carts).await });
        }
    }
    let mut sold = 0;
    while let Some(outcomes) = tasks.join_next().await {
        for outcome in outcomes.unwrap() {
            outcome.unwrap();
            sold += 1;
        }
    }
    assert_eq!(sold, 80);
    // 10 $ earns 10 points: 40 sales each
    let points: Vec<i64> = sqlx::query_scalar("SELECT points FROM customers ORDER BY id")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(points, vec![400, 400]);
    assert_movements_explain_balances(&db).await;
}

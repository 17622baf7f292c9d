//! The balance building blocks against a real PostgreSQL. They are `pub(crate)` (the sale
//! calls them inside its transaction), so these tests live in the crate and build their small
//! world with SQL: a store, sales and a return to point the movements at.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use sqlx::PgPool;

use super::*;
use crate::gift_cards::gift_card_history;

async fn store(db: &PgPool) -> i64 {
    sqlx::query_scalar("INSERT INTO stores (name) VALUES ('Centre') RETURNING id")
        .fetch_one(db)
        .await
        .unwrap()
}

/// An external sale of nothing (the movements only need a sale to point at).
async fn sale(db: &PgPool, store: i64, client_id: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO sales (client_sale_id, store_id, subtotal, tps, tvq, total, payment_method)
         VALUES ($1, $2, 0, 0, 0, 0, 'carte') RETURNING id",
    )
    .bind(client_id)
    .bind(store)
    .fetch_one(db)
    .await
    .unwrap()
}

async fn return_of(db: &PgPool, store: i64, sale: i64) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO returns (sale_id, store_id, reason, subtotal, tps, tvq, refund_amount,
                              refund_method)
         VALUES ($1, $2, 'Défectueux', 0, 0, 0, 0, 'carte') RETURNING id",
    )
    .bind(sale)
    .bind(store)
    .fetch_one(db)
    .await
    .unwrap()
}

async fn issue(db: &PgPool, store: i64, amount: Decimal) -> GiftCard {
    let sold = sale(db, store, &format!("issue-{}", generate_code())).await;
    let mut tx = db.begin().await.unwrap();
    let card = issue_in(&mut tx, store, amount, sold, &Actor::System)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    card
}

async fn movements_sum(db: &PgPool, card: i64) -> Decimal {
    sqlx::query_scalar(
        "SELECT COALESCE(sum(delta), 0) FROM gift_card_movements WHERE gift_card_id = $1",
    )
    .bind(card)
    .fetch_one(db)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "crate::MIGRATOR")]
async fn issuing_makes_a_card_linked_to_its_sale_with_its_movement(db: PgPool) {
    let store = store(&db).await;
    let sold = sale(&db, store, "s1").await;
    let mut tx = db.begin().await.unwrap();
    let card = issue_in(&mut tx, store, dec!(50), sold, &Actor::System)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        normalize_code(&card.code).as_deref(),
        Some(card.code.as_str())
    );
    assert_eq!((card.initial_amount, card.balance), (dec!(50), dec!(50)));
    assert_eq!(card.store_id, store);
    let linked: Decimal = sqlx::query_scalar(
        "SELECT amount FROM sale_gift_cards WHERE sale_id = $1 AND gift_card_id = $2",
    )
    .bind(sold)
    .bind(card.id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(linked, dec!(50));
    let history = gift_card_history(&db, &Actor::System, &card.code)
        .await
        .unwrap();
    assert_eq!(history.movements.len(), 1);
    let issued = &history.movements[0];
    assert_eq!(
        (issued.delta, issued.reason.as_str(), issued.sale_id),
        (dec!(50), "issued", Some(sold))
    );
    // a refused amount changes nothing
    let mut tx = db.begin().await.unwrap();
    for bad in [dec!(0), dec!(-5), dec!(1.001)] {
        let err = issue_in(&mut tx, store, bad, sold, &Actor::System)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::Validation(e) if e[0].field == "montant"),
            "{err:?}"
        );
    }
}

#[sqlx::test(migrator = "crate::MIGRATOR")]
async fn redeeming_takes_the_balance_down_or_says_what_is_left(db: PgPool) {
    let store = store(&db).await;
    let card = issue(&db, store, dec!(20)).await;
    let paying = sale(&db, store, "pay").await;
    let mut tx = db.begin().await.unwrap();
    // typed with spaces, as printed
    let spaced = format!("{} {}", &card.code[..8], &card.code[8..]);
    let after = redeem_in(&mut tx, &spaced, dec!(7.50), paying, &Actor::System)
        .await
        .unwrap();
    assert_eq!(after.balance, dec!(12.50));
    let err = redeem_in(&mut tx, &card.code, dec!(12.51), paying, &Actor::System)
        .await
        .unwrap_err();
    match err {
        Error::Conflict(message) => assert_eq!(
            message,
            "Solde de la carte-cadeau insuffisant : 12,50 $ disponibles."
        ),
        other => panic!("{other:?}"),
    }
    // the refusal left the transaction usable: the whole balance can still be spent
    let empty = redeem_in(&mut tx, &card.code, dec!(12.50), paying, &Actor::System)
        .await
        .unwrap();
    assert_eq!(empty.balance, dec!(0));
    tx.commit().await.unwrap();
    assert_eq!(movements_sum(&db, card.id).await, dec!(0));

    let mut tx = db.begin().await.unwrap();
    let unknown = redeem_in(&mut tx, "4539148803436467", dec!(1), paying, &Actor::System)
        .await
        .unwrap_err();
    assert!(matches!(
        unknown,
        Error::NotFound {
            entity: "Carte-cadeau",
            ..
        }
    ));
    let garbled = redeem_in(&mut tx, "1234", dec!(1), paying, &Actor::System)
        .await
        .unwrap_err();
    assert!(matches!(garbled, Error::NotFound { .. }));
}

#[sqlx::test(migrator = "crate::MIGRATOR")]
async fn a_refund_gives_back_to_the_card_for_its_return(db: PgPool) {
    let store = store(&db).await;
    let card = issue(&db, store, dec!(30)).await;
    let paying = sale(&db, store, "pay").await;
    let mut tx = db.begin().await.unwrap();
    redeem_in(&mut tx, &card.code, dec!(25), paying, &Actor::System)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let returned = return_of(&db, store, paying).await;
    let mut tx = db.begin().await.unwrap();
    let after = refund_in(&mut tx, card.id, dec!(10), returned, &Actor::System)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(after.balance, dec!(15));
    let history = gift_card_history(&db, &Actor::System, &card.code)
        .await
        .unwrap();
    let reasons: Vec<_> = history
        .movements
        .iter()
        .map(|m| m.reason.as_str())
        .collect();
    assert_eq!(reasons, ["issued", "redeemed", "refunded"]);
    assert_eq!(history.movements[2].return_id, Some(returned));
    assert_eq!(movements_sum(&db, card.id).await, after.balance);
    let mut tx = db.begin().await.unwrap();
    let missing = refund_in(&mut tx, card.id + 1000, dec!(1), returned, &Actor::System)
        .await
        .unwrap_err();
    assert!(matches!(missing, Error::NotFound { .. }));
}

/// Eight tills spend 15 $ each of the same 100 $ card at the same moment, each in its own
/// transaction: exactly six succeed, the others are refused with what is left, the balance
/// never goes below zero and equals the sum of the movements.
#[sqlx::test(migrator = "crate::MIGRATOR")]
async fn concurrent_redemptions_never_overspend(db: PgPool) {
    let store = store(&db).await;
    let card = issue(&db, store, dec!(100)).await;
    let mut sales = Vec::new();
    for i in 0..8 {
        sales.push(sale(&db, store, &format!("till-{i}")).await);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for sale_id in sales {
        let (db, code) = (db.clone(), card.code.clone());
        tasks.spawn(async move {
            let mut tx = db.begin().await?;
            let out = redeem_in(&mut tx, &code, dec!(15), sale_id, &Actor::System).await;
            if out.is_ok() {
                tx.commit().await?;
            }
            out
        });
    }
    let (mut ok, mut refused) = (0, 0);
    while let Some(joined) = tasks.join_next().await {
        match joined.unwrap() {
            Ok(_) => ok += 1,
            Err(Error::Conflict(message)) => {
                assert!(message.contains("disponibles"), "{message}");
                refused += 1;
            }
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!((ok, refused), (6, 2));
    let balance: Decimal = sqlx::query_scalar("SELECT balance FROM gift_cards WHERE id = $1")
        .bind(card.id)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(balance, dec!(10));
    assert_eq!(movements_sum(&db, card.id).await, balance);
}

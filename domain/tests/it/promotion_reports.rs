//! The section 6 figures this side computes: each promotion's units, revenue and cost over a
//! period (in each store's time zone), the gift card liability per store of issue, and a gift
//! card read by its code.

use crate::promotions::{day, percent_off, sale_with_promotion};
use crate::world::*;
use domain::Error;
use domain::promotions;
use domain::reporting::{self, Period, ReportScope};
use rust_decimal_macros::dec;
use sqlx::PgPool;

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn reports_give_each_promotion_s_units_revenue_and_cost(db: PgPool) {
    let w = world(&db).await;
    let milk = product(&db, &w, "ALI002", 110, false, 10, 0).await;
    let p = promotions::create_promotion(&db, &w.admin, &percent_off(vec![milk], vec![]))
        .await
        .unwrap();
    // two sales in the first store in March, one in the other store, one in April
    sale_with_promotion(&db, w.store, milk, p.id, "2026-03-10 12:00:00-05", "a").await;
    // 23:30 in Montreal on March 31 is already April 1 in UTC: still March for the store
    sale_with_promotion(&db, w.store, milk, p.id, "2026-03-31 23:30:00-04", "b").await;
    sale_with_promotion(
        &db,
        w.other_store,
        milk,
        p.id,
        "2026-03-12 12:00:00-04",
        "c",
    )
    .await;
    sale_with_promotion(&db, w.store, milk, p.id, "2026-04-02 12:00:00-04", "d").await;
    let march = Period::new(day(1), day(31)).unwrap();
    let network = reporting::promotion_performance(
        &db,
        &w.admin,
        &ReportScope {
            period: march,
            store_id: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(network.len(), 1);
    let f = &network[0];
    assert_eq!((f.promotion_id, f.units, f.sales), (p.id, 6, 3));
    assert_eq!((f.revenue, f.cost), (dec!(5.28), dec!(1.32)));
    let store =
        reporting::promotion_performance(&db, &w.manager, &ReportScope::store(march, w.store))
            .await
            .unwrap();
    assert_eq!((store[0].units, store[0].cost), (4, dec!(0.88)));
    let err = reporting::promotion_performance(
        &db,
        &w.manager,
        &ReportScope {
            period: march,
            store_id: None,
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_gift_card_liability_is_the_sum_of_the_balances_per_store_of_issue(db: PgPool) {
    let w = world(&db).await;
    for (store, code, balance) in [
        (w.store, "4539148803436467", dec!(12.50)),
        (w.store, "0000000000000000", dec!(0)),
        (w.other_store, "1111111111111117", dec!(40)),
    ] {
        sqlx::query(
            "INSERT INTO gift_cards (code, initial_amount, balance, store_id) VALUES ($1, 50, $2, $3)",
        )
        .bind(code)
        .bind(balance)
        .bind(store)
        .execute(&db)
        .await
        .unwrap();
    }
    let all = reporting::gift_card_liability(&db, &w.admin, None)
        .await
        .unwrap();
    assert_eq!((all.total, all.cards), (dec!(52.50), 3));
    assert_eq!(all.per_store[0].store_id, w.other_store, "largest first");
    let mine = reporting::gift_card_liability(&db, &w.manager, Some(w.store))
        .await
        .unwrap();
    assert_eq!((mine.total, mine.cards), (dec!(12.50), 2));
    assert!(matches!(
        reporting::gift_card_liability(&db, &w.manager, Some(w.other_store))
            .await
            .unwrap_err(),
        Error::Forbidden(_)
    ));
    assert!(matches!(
        reporting::gift_card_liability(&db, &w.cashier, Some(w.store))
            .await
            .unwrap_err(),
        Error::Forbidden(_)
    ));
    // any employee checks a card by its code, as printed or typed
    let card = domain::gift_cards::get_gift_card(&db, &w.other_cashier, "4539 1488 0343 6467")
        .await
        .unwrap();
    assert_eq!((card.balance, card.store_id), (dec!(12.50), w.store));
    let history = domain::gift_cards::gift_card_history(&db, &w.cashier, &card.code)
        .await
        .unwrap();
    assert_eq!(history.card, card);
    for unknown in ["5555555555554444", "4539148803436468", "abc"] {
        assert!(matches!(
            domain::gift_cards::get_gift_card(&db, &w.cashier, unknown)
                .await
                .unwrap_err(),
            Error::NotFound {
                entity: "Carte-cadeau",
                ..
            }
        ));
    }
}

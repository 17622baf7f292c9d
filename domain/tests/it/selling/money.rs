//! The money of a store sale: the promotion of the day, manual discounts and their approval,
//! the tenders and the change, the points earned, and the quote that equals the sale.

use domain::sales::{self, SaleOptions, TenderKind};
use domain::{Error, Rules};
use rust_decimal_macros::dec;
use sqlx::PgPool;

use super::*;
use crate::world::*;

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_sale_with_a_customer_a_promotion_and_two_tenders(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let shampoo = product(&db, &w, "HYG001", 350, true, 20, 0).await;
    let bread = product(&db, &w, "ALI001", 120, false, 20, 0).await;
    let promo = promotion(
        &db,
        "Shampooing -20 %",
        "pourcentage",
        dec!(20),
        shampoo,
        (-1, 1),
        true,
    )
    .await;
    let client = customer(&db, "2000000000017", 0, dec!(0)).await;
    let card = gift_card(&db, w.store, "4000000000000002", dec!(5.00)).await;
    // 2 x 3.50 at -20 % = 2 x 2.80 = 5.60 (taxable), 3 x 1.20 = 3.60: subtotal 9.20,
    // TPS 0.28, TVQ 0.56, total 10.04: 5.00 on the gift card, the rest by card
    let new = store_sale(
        "s1",
        w.register,
        &[(shampoo, 2), (bread, 3)],
        vec![
            tender(TenderKind::GiftCard, 500, Some("4000000000000002")),
            tender(TenderKind::Card, 504, None),
        ],
        SaleOptions {
            customer_id: Some(client),
            ..Default::default()
        },
    );
    let sale = sell(&db, &w.cashier, &new).await.unwrap();
    assert_eq!(sale.lines[0].promotion_id, Some(promo));
    assert_eq!(sale.lines[0].original_price, dec!(3.50));
    assert_eq!(sale.lines[0].unit_price, dec!(2.80));
    assert_eq!(sale.lines[0].line_total, dec!(5.60));
    assert_eq!(sale.promotion_savings, dec!(1.40));
    assert_eq!(
        (sale.subtotal, sale.tps, sale.tvq, sale.total),
        (dec!(9.20), dec!(0.28), dec!(0.56), dec!(10.04))
    );
    assert_eq!(sale.points_earned, 9);
    assert_eq!(sale.payments.len(), 2);
    assert_eq!(sale.customer.as_ref().map(|c| c.points), Some(9));
    // a later read shows what the receipt showed
    let read = sales::get_sale(&db, &w.cashier, sale.id).await.unwrap();
    assert_eq!(read, sale);
    let balance: rust_decimal::Decimal =
        sqlx::query_scalar("SELECT balance FROM gift_cards WHERE id = $1")
            .bind(card)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(balance, dec!(0.00));
    assert_movements_explain_balances(&db).await;
    assert_movements_explain_stock(&db).await;
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn an_expired_or_inactive_promotion_is_never_applied(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let soap = product(&db, &w, "HYG002", 120, true, 20, 0).await;
    promotion(&db, "Hier", "prix_fixe", dec!(0.50), soap, (-10, -1), true).await;
    promotion(
        &db,
        "Inactive",
        "prix_fixe",
        dec!(0.40),
        soap,
        (-1, 1),
        false,
    )
    .await;
    promotion(&db, "Demain", "prix_fixe", dec!(0.30), soap, (1, 5), true).await;
    let new = till_sale("s", w.register, &[(soap, 2)], sales::Payment::Card);
    let sale = sell(&db, &w.cashier, &new).await.unwrap();
    assert_eq!(sale.lines[0].promotion_id, None);
    assert_eq!(sale.subtotal, dec!(2.40));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_cashier_needs_a_manager_beyond_ten_percent(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let cheese = product(&db, &w, "ALI004", 250, false, 20, 0).await;
    let discounted = |id: &str, p: i64, approved_by: Option<i64>| {
        let mut new = till_sale(id, w.register, &[(cheese, 4)], sales::Payment::Card);
        new.options = SaleOptions {
            line_discounts: vec![(cheese, percent(p))],
            approved_by,
            ..Default::default()
        };
        new
    };
    // 10 % is the cashier's to give
    let sale = sell(&db, &w.cashier, &discounted("a", 10, None))
        .await
        .unwrap();
    assert_eq!(
        (sale.manual_discounts, sale.subtotal),
        (dec!(1.00), dec!(9.00))
    );
    // 15 % is refused without a manager, and nothing is written
    let refused = sell(&db, &w.cashier, &discounted("b", 15, None)).await;
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");
    assert_eq!(store_qty(&db, w.store, cheese).await, 16);
    // with the manager's approval it is recorded, with who approved
    let manager = w.manager.employee_id();
    let sale = sell(&db, &w.cashier, &discounted("c", 15, manager))
        .await
        .unwrap();
    assert_eq!(sale.discount_approved_by, manager);
    assert_eq!(sale.subtotal, dec!(8.50));
    // a manager gives it alone
    sell(&db, &w.manager, &discounted("d", 15, None))
        .await
        .unwrap();
    // over 100 % or over the price: a field-named refusal
    let mut over = discounted("e", 101, manager);
    match sell(&db, &w.cashier, &over).await {
        Err(Error::Validation(errors)) => assert_eq!(errors[0].field, "lines[0].discount"),
        other => panic!("expected a validation error, got {other:?}"),
    }
    over.options.line_discounts = vec![(cheese, sales::Discount::Amount(dec!(10.01)))];
    assert!(matches!(
        sell(&db, &w.cashier, &over).await,
        Err(Error::Validation(_))
    ));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_cart_discount_spreads_to_the_cent_and_tenders_must_add_up(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let water = product(&db, &w, "BOI001", 70, false, 20, 0).await;
    let milk = product(&db, &w, "ALI002", 110, false, 20, 0).await;
    let bread = product(&db, &w, "ALI001", 120, false, 20, 0).await;
    let lines = [(water, 1), (milk, 1), (bread, 1)];
    let options = SaleOptions {
        discount: Some(sales::Discount::Amount(dec!(1.00))),
        ..Default::default()
    };
    // 3.00 - 1.00 = 2.00: too little, then card over the total, then cash with change
    let short = store_sale(
        "a",
        w.register,
        &lines,
        vec![tender(TenderKind::Card, 150, None)],
        options.clone(),
    );
    match sell(&db, &w.manager, &short).await {
        Err(Error::Validation(errors)) => assert_eq!(errors[0].field, "paiements"),
        other => panic!("expected a validation error, got {other:?}"),
    }
    let over = store_sale(
        "b",
        w.register,
        &lines,
        vec![tender(TenderKind::Card, 300, None)],
        options.clone(),
    );
    assert!(matches!(
        sell(&db, &w.manager, &over).await,
        Err(Error::Validation(_))
    ));
    let cash = store_sale(
        "c",
        w.register,
        &lines,
        vec![
            tender(TenderKind::Card, 100, None),
            tender(TenderKind::Cash, 500, None),
        ],
        options,
    );
    let sale = sell(&db, &w.manager, &cash).await.unwrap();
    let shares: Vec<_> = sale.lines.iter().map(|l| l.cart_discount).collect();
    assert_eq!(shares, [dec!(0.23), dec!(0.37), dec!(0.40)]);
    assert_eq!(sale.total, dec!(2.00));
    assert_eq!(sale.change_given, Some(dec!(4.00)));
    assert_eq!(sale.amount_tendered, Some(dec!(5.00)));
    let paid: Vec<_> = sale.payments.iter().map(|p| p.amount).collect();
    assert_eq!(paid, [dec!(1.00), dec!(1.00)]);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_quote_is_the_sale_and_writes_nothing(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let cola = product(&db, &w, "BOI003", 180, true, 20, 0).await;
    promotion(&db, "Cola", "montant", dec!(0.30), cola, (0, 0), true).await;
    let client = customer(&db, "2000000000024", 0, dec!(0)).await;
    let new = store_sale(
        "q",
        w.register,
        &[(cola, 3)],
        vec![tender(TenderKind::Cash, 1000, None)],
        SaleOptions {
            customer_id: Some(client),
            discount: Some(percent(5)),
            ..Default::default()
        },
    );
    let quote = sales::quote_sale(
        &db,
        &sales::PriceBook::new(),
        &w.cashier,
        &Rules::default(),
        &new,
    )
    .await
    .unwrap();
    assert_eq!(store_qty(&db, w.store, cola).await, 20);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM sales")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(count, 0);
    let sale = sell(&db, &w.cashier, &new).await.unwrap();
    assert_eq!(
        (
            quote.subtotal,
            quote.tps,
            quote.tvq,
            quote.total,
            quote.change_given
        ),
        (
            sale.subtotal,
            sale.tps,
            sale.tvq,
            sale.total,
            sale.change_given
        )
    );
    assert_eq!(quote.points_earned, sale.points_earned);
    assert_eq!(quote.lines[0].line_total, sale.lines[0].line_total);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_gift_card_sold_is_outside_revenue_and_pays_later(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let bread = product(&db, &w, "ALI001", 120, false, 20, 0).await;
    let mut new = store_sale(
        "gc",
        w.register,
        &[(bread, 1)],
        vec![tender(TenderKind::Cash, 2200, None)],
        SaleOptions {
            gift_cards: vec![dec!(20.00)],
            ..Default::default()
        },
    );
    let sale = sell(&db, &w.cashier, &new).await.unwrap();
    assert_eq!((sale.subtotal, sale.total), (dec!(1.20), dec!(1.20)));
    assert_eq!(sale.gift_cards_sold, dec!(20.00));
    assert_eq!(sale.change_given, Some(dec!(0.80)));
    let code = sale.gift_cards[0].code.clone();
    assert_eq!(code.len(), 16);
    // the card pays a later sale; a gift card cannot buy another one
    new = store_sale(
        "gc2",
        w.register,
        &[(bread, 2)],
        vec![tender(TenderKind::GiftCard, 240, Some(&code))],
        SaleOptions::default(),
    );
    sell(&db, &w.cashier, &new).await.unwrap();
    let balance: rust_decimal::Decimal =
        sqlx::query_scalar("SELECT balance FROM gift_cards WHERE code = $1")
            .bind(&code)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(balance, dec!(17.60));
    new.client_sale_id = "gc3".into();
    new.options.gift_cards = vec![dec!(10)];
    assert!(matches!(
        sell(&db, &w.cashier, &new).await,
        Err(Error::Validation(_))
    ));
    assert_movements_explain_balances(&db).await;
}

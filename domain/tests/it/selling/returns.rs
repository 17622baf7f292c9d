//! Returns of store sales: each returned unit refunds its real share of what was paid, back to
//! the tenders it came from (or to store credit), and takes back the points it earned.

use domain::Error;
use domain::sales::{self, PaymentMethod, SaleOptions, TenderKind};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use sqlx::PgPool;

use super::*;
use crate::world::*;

async fn points_of(db: &PgPool, customer: i64) -> i64 {
    sqlx::query_scalar("SELECT points FROM customers WHERE id = $1")
        .bind(customer)
        .fetch_one(db)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn returns_refund_the_paid_share_to_each_tender_and_all_of_it_in_the_end(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let soap = product(&db, &w, "HYG002", 333, true, 50, 0).await;
    let bread = product(&db, &w, "ALI001", 120, false, 50, 0).await;
    let client = customer(&db, "2000000000062", 0, dec!(0)).await;
    let card = gift_card(&db, w.store, "4000000000000044", dec!(5.00)).await;
    // 3 savons (9.99) + 2 pains (2.40), 7 % off the cart; paid by gift card and card
    let mut new = store_sale(
        "ret",
        w.register,
        &[(soap, 3), (bread, 2)],
        vec![],
        SaleOptions {
            customer_id: Some(client),
            discount: Some(percent(7)),
            ..Default::default()
        },
    );
    let quote = sales::quote_sale(
        &db,
        &sales::PriceBook::new(),
        &w.cashier,
        &domain::Rules::default(),
        &{
            let mut q = new.clone();
            q.payment = sales::Payment::Card;
            q
        },
    )
    .await
    .unwrap();
    let rest = quote.total - dec!(5.00);
    new.payment = sales::Payment::Tenders(vec![
        tender(TenderKind::GiftCard, 500, Some("4000000000000044")),
        sales::Tender {
            kind: TenderKind::Card,
            amount: rest,
            reference: None,
        },
    ]);
    let sale = sell(&db, &w.cashier, &new).await.unwrap();
    assert_eq!(points_of(&db, client).await, sale.points_earned);
    let line = |product: i64| sale.lines.iter().find(|l| l.product_id == product).unwrap();

    // one savon, then the rest of everything, in three returns
    let mut refunded = Decimal::ZERO;
    let mut to_card = Decimal::ZERO;
    let mut to_gift = Decimal::ZERO;
    for (lines, reason) in [
        (vec![(line(soap).id, 1)], "un"),
        (vec![(line(soap).id, 2)], "deux"),
        (vec![(line(bread).id, 2)], "pains"),
    ] {
        let ret = sales::create_return(
            &db,
            &w.cashier,
            &sales::NewReturn {
                sale_id: sale.id,
                lines: lines
                    .iter()
                    .map(|&(sale_line_id, quantity)| sales::ReturnLineInput {
                        sale_line_id,
                        quantity,
                    })
                    .collect(),
                reason: reason.into(),
                register_id: Some(w.register),
                to_store_credit: false,
            },
        )
        .await
        .unwrap();
        let sum: Decimal = ret.refunds.iter().map(|r| r.amount).sum();
        assert_eq!(sum, ret.refund_amount, "the tenders make the refund");
        for r in &ret.refunds {
            match r.mode {
                PaymentMethod::Carte => to_card += r.amount,
                PaymentMethod::CarteCadeau => to_gift += r.amount,
                other => panic!("refund to {other:?}"),
            }
        }
        refunded += ret.refund_amount;
    }
    assert_eq!(
        refunded, sale.total,
        "everything returned refunds exactly the total"
    );
    assert_eq!(
        (to_gift, to_card),
        (dec!(5.00), rest),
        "each tender gets back what it paid"
    );
    let balance: Decimal = sqlx::query_scalar("SELECT balance FROM gift_cards WHERE id = $1")
        .bind(card)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(balance, dec!(5.00));
    assert_eq!(
        points_of(&db, client).await,
        0,
        "every earned point taken back"
    );
    assert_movements_explain_balances(&db).await;
    assert_movements_explain_stock(&db).await;
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_customer_may_take_the_refund_in_store_credit(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let soap = product(&db, &w, "HYG002", 200, false, 50, 0).await;
    let client = customer(&db, "2000000000079", 0, dec!(0)).await;
    let sale = sell(
        &db,
        &w.cashier,
        &store_sale(
            "c1",
            w.register,
            &[(soap, 2)],
            vec![tender(TenderKind::Cash, 400, None)],
            SaleOptions {
                customer_id: Some(client),
                ..Default::default()
            },
        ),
    )
    .await
    .unwrap();
    let mut ret = return_of(&sale, soap, 1);
    ret.to_store_credit = true;
    let done = sales::create_return(&db, &w.cashier, &ret).await.unwrap();
    assert_eq!(done.refund_method, PaymentMethod::Credit);
    let credit: Decimal = sqlx::query_scalar("SELECT credit FROM customers WHERE id = $1")
        .bind(client)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(credit, dec!(2.00));
    // the cash it came from is spent: the last unit refunds the cash's remainder only
    let last = sales::create_return(&db, &w.cashier, &return_of(&sale, soap, 1))
        .await
        .unwrap();
    assert_eq!(last.refunds[0].mode, PaymentMethod::Especes);
    assert_eq!(last.refund_amount, dec!(2.00));
    // a sale without a customer cannot be refunded in credit
    let anonymous = sell(
        &db,
        &w.cashier,
        &till_sale("c2", w.register, &[(soap, 1)], sales::Payment::Card),
    )
    .await
    .unwrap();
    let mut ret = return_of(&anonymous, soap, 1);
    ret.to_store_credit = true;
    assert!(matches!(
        sales::create_return(&db, &w.cashier, &ret).await,
        Err(Error::Validation(_))
    ));
    assert_movements_explain_balances(&db).await;
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn sales_and_returns_on_one_loyalty_balance_stay_exact(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let soap = product(&db, &w, "HYG002", 500, false, 200, 0).await;
    let client = customer(&db, "2000000000086", 1000, dec!(0)).await;
    let earner = |id: String| {
        store_sale(
            &id,
            w.register,
            &[(soap, 2)],
            vec![tender(TenderKind::Card, 1000, None)],
            SaleOptions {
                customer_id: Some(client),
                ..Default::default()
            },
        )
    };
    let mut earned = Vec::new();
    for i in 0..6 {
        earned.push(
            sell(&db, &w.cashier, &earner(format!("e{i}")))
                .await
                .unwrap(),
        );
    }
    // at once: returns taking points back and sales spending points
    let mut tasks = tokio::task::JoinSet::new();
    for (i, sale) in earned.into_iter().enumerate() {
        let (pool, cashier, register) = (db.clone(), w.cashier, w.register);
        tasks.spawn(async move {
            let ret = return_of(&sale, soap, 2);
            sales::create_return(&pool, &cashier, &ret).await.map(drop)
        });
        let pool = db.clone();
        tasks.spawn(async move {
            let spend = store_sale(
                &format!("s{i}"),
                register,
                &[(soap, 1)],
                vec![tender(TenderKind::Points, 500, None)],
                SaleOptions {
                    customer_id: Some(client),
                    ..Default::default()
                },
            );
            match sell(&pool, &cashier, &spend).await {
                Ok(_) | Err(Error::Conflict(_)) => Ok(()),
                Err(other) => Err(other),
            }
        });
    }
    while let Some(result) = tasks.join_next().await {
        result.unwrap().unwrap();
    }
    assert!(points_of(&db, client).await >= 0);
    assert_movements_explain_balances(&db).await;
}

//! Selling like a store (SPEC section 6) through `record_sale` and `quote_sale`: promotions,
//! discounts and their approval, several tenders, gift cards, points and store credit, each
//! against the real database, and the balances under concurrency.

mod balances;
mod book;
mod money;
mod report;
mod returns;

use domain::sales::{self, Discount, NewSale, Payment, SaleOptions, Tender, TenderKind};
use domain::{Actor, Result, Rules};
use rust_decimal::Decimal;
use sqlx::PgPool;

use crate::world::*;

/// A customer with `points` and `credit` (fixture rows; the customers module has its own
/// tests).
pub async fn customer(db: &PgPool, card: &str, points: i64, credit: Decimal) -> i64 {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO customers (name, loyalty_card, points, credit) VALUES ('Client', $1, $2, $3)
         RETURNING id",
    )
    .bind(card)
    .bind(points)
    .bind(credit)
    .fetch_one(db)
    .await
    .unwrap();
    if points > 0 {
        sqlx::query(
            "INSERT INTO loyalty_movements (customer_id, delta, reason) VALUES ($1, $2, 'adjusted')",
        )
        .bind(id)
        .bind(points)
        .execute(db)
        .await
        .unwrap();
    }
    if credit > Decimal::ZERO {
        sqlx::query(
            "INSERT INTO store_credit_movements (customer_id, delta, reason)
             VALUES ($1, $2, 'adjusted')",
        )
        .bind(id)
        .bind(credit)
        .execute(db)
        .await
        .unwrap();
    }
    id
}

/// A gift card of `balance` issued by `store`, with its issue movement.
pub async fn gift_card(db: &PgPool, store: i64, code: &str, balance: Decimal) -> i64 {
    sqlx::query_scalar(
        "WITH card AS (INSERT INTO gift_cards (code, initial_amount, balance, store_id)
                       VALUES ($1, $2, $2, $3) RETURNING id)
         INSERT INTO gift_card_movements (gift_card_id, delta, reason)
         SELECT id, $2, 'issued' FROM card RETURNING gift_card_id",
    )
    .bind(code)
    .bind(balance)
    .bind(store)
    .fetch_one(db)
    .await
    .unwrap()
}

/// A promotion of `kind` (`pourcentage`, `montant`, `prix_fixe`) on one product, in every
/// store, running from `starts` to `ends` days around today.
pub async fn promotion(
    db: &PgPool,
    name: &str,
    kind: &str,
    value: Decimal,
    product: i64,
    (starts, ends): (i32, i32),
    active: bool,
) -> i64 {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO promotions (name, kind, value, starts_on, ends_on, active)
         VALUES ($1, $2, $3, current_date + $4, current_date + $5, $6) RETURNING id",
    )
    .bind(name)
    .bind(kind)
    .bind(value)
    .bind(starts)
    .bind(ends)
    .bind(active)
    .fetch_one(db)
    .await
    .unwrap();
    sqlx::query("INSERT INTO promotion_products (promotion_id, product_id) VALUES ($1, $2)")
        .bind(id)
        .bind(product)
        .execute(db)
        .await
        .unwrap();
    id
}

pub fn tender(kind: TenderKind, cents: i64, reference: Option<&str>) -> Tender {
    Tender {
        kind,
        amount: Decimal::new(cents, 2),
        reference: reference.map(str::to_owned),
    }
}

/// A till sale with options and tenders.
pub fn store_sale(
    id: &str,
    register: i64,
    lines: &[(i64, i32)],
    tenders: Vec<Tender>,
    options: SaleOptions,
) -> NewSale {
    let mut new = till_sale(id, register, lines, Payment::Tenders(tenders));
    new.options = options;
    new
}

pub async fn sell(db: &PgPool, actor: &Actor, new: &NewSale) -> Result<sales::Sale> {
    sales::record_sale(db, actor, &Rules::default(), new)
        .await
        .map(|o| o.sale)
}

pub fn percent(p: i64) -> Discount {
    Discount::Percent(Decimal::from(p))
}

/// Every balance equals the sum of its movements.
pub async fn assert_movements_explain_balances(db: &PgPool) {
    let wrong: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM customers c
                 WHERE c.points <> (SELECT COALESCE(sum(delta), 0) FROM loyalty_movements m
                                    WHERE m.customer_id = c.id)
                    OR c.credit <> (SELECT COALESCE(sum(delta), 0) FROM store_credit_movements m
                                    WHERE m.customer_id = c.id))
              + (SELECT count(*) FROM gift_cards g
                 WHERE g.balance <> (SELECT COALESCE(sum(delta), 0) FROM gift_card_movements m
                                     WHERE m.gift_card_id = g.id))",
    )
    .fetch_one(db)
    .await
    .unwrap();
    assert_eq!(wrong, 0, "every balance is the sum of its movements");
}

//! A small world for domain tests: two stores with one register each, a category, products with
//! known stock, and employees of each role; sales ready to record. Re-exports `test-support`,
//! so `use crate::world::*` brings every fixture.

use domain::catalog::NewProduct;
use domain::sales::{CartLine, Channel, NewReturn, NewSale, Payment, ReturnLineInput, Sale};
use domain::stores;
use domain::{Actor, Role};
use rust_decimal::Decimal;
use sqlx::PgPool;
pub use test_support::*;

pub struct World {
    pub store: i64,
    pub other_store: i64,
    pub register: i64,
    pub other_register: i64,
    pub category: i64,
    pub admin: Actor,
    pub manager: Actor,
    pub cashier: Actor,
    pub other_cashier: Actor,
}

pub async fn world(db: &PgPool) -> World {
    let category = add_category(db, "Alimentaire").await;
    let mut ids = Vec::new();
    for name in ["Centre", "Nord"] {
        ids.push(add_store(db, name, "1 rue", "514", 1).await.id);
    }
    let register = stores::list_registers(db, ids[0]).await.unwrap()[0].id;
    let other_register = stores::list_registers(db, ids[1]).await.unwrap()[0].id;
    let hire = async |login: &str, role: Role, store: Option<i64>| {
        add_employee(db, login, login, "secret", role, store)
            .await
            .actor()
    };
    let admin = hire("admin", Role::Admin, None).await;
    let manager = hire("gerant", Role::Gerant, Some(ids[0])).await;
    let cashier = hire("caissier", Role::Caissier, Some(ids[0])).await;
    let other_cashier = hire("autre", Role::Caissier, Some(ids[1])).await;
    World {
        store: ids[0],
        other_store: ids[1],
        register,
        other_register,
        category,
        admin,
        manager,
        cashier,
        other_cashier,
    }
}

/// Creates a product priced `cents` with `store_qty` in the first store and `warehouse_qty` in
/// the warehouse.
pub async fn product(
    db: &PgPool,
    w: &World,
    code: &str,
    cents: i64,
    taxable: bool,
    store_qty: i32,
    warehouse_qty: i32,
) -> i64 {
    let new = NewProduct {
        warehouse_quantity: warehouse_qty,
        ..new_product(code, cents, taxable, w.category)
    };
    product_with_stock(db, &new, w.store, store_qty).await
}

/// Opens the first store's register as its cashier.
pub async fn open_register(db: &PgPool, w: &World) -> i64 {
    stores::open_session(db, &w.cashier, w.register, Decimal::new(10000, 2))
        .await
        .unwrap()
        .id
}

/// For every stock row, the sum of its movements equals its quantity.
pub async fn assert_movements_explain_stock(db: &PgPool) {
    let mismatches: i64 = sqlx::query_scalar(
        "WITH m AS (SELECT store_id, product_id, sum(delta) AS total FROM stock_movements
                    GROUP BY store_id, product_id)
         SELECT (SELECT count(*) FROM store_stock s LEFT JOIN m
                   ON m.store_id = s.store_id AND m.product_id = s.product_id
                 WHERE s.quantity <> COALESCE(m.total, 0))
              + (SELECT count(*) FROM central_stock c LEFT JOIN m
                   ON m.store_id IS NULL AND m.product_id = c.product_id
                 WHERE c.quantity <> COALESCE(m.total, 0))",
    )
    .fetch_one(db)
    .await
    .unwrap();
    assert_eq!(
        mismatches, 0,
        "every stock row equals the sum of its movements"
    );
}

/// A sale at a till: `(product, quantity)` lines.
pub fn till_sale(id: &str, register: i64, lines: &[(i64, i32)], payment: Payment) -> NewSale {
    sale_through(
        Channel::Till {
            register_id: register,
        },
        id,
        lines,
        payment,
    )
}

/// A sale of an external channel (e-commerce, partner) from a store's stock, paid by card.
pub fn external_sale(id: &str, store_id: i64, lines: &[(i64, i32)]) -> NewSale {
    sale_through(Channel::External { store_id }, id, lines, Payment::Card)
}

fn sale_through(channel: Channel, id: &str, lines: &[(i64, i32)], payment: Payment) -> NewSale {
    NewSale {
        client_sale_id: id.into(),
        channel,
        lines: lines
            .iter()
            .map(|&(product_id, quantity)| CartLine {
                product_id,
                quantity,
            })
            .collect(),
        payment,
        options: Default::default(),
    }
}

/// Records carts together in one transaction, as the API's batches do.
pub async fn sell_together(
    db: &PgPool,
    carts: &[(Actor, NewSale)],
) -> Vec<domain::Result<domain::sales::SaleOutcome>> {
    let mut tx = db.begin().await.unwrap();
    let refs: Vec<_> = carts.iter().map(|(a, n)| (a, n)).collect();
    let outcomes = domain::sales::record_sales_in(&mut tx, &domain::Rules::default(), &refs)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    outcomes
}

/// The customer brings back `quantity` of the sale's line of `product` (defective, at no
/// register).
pub fn return_of(sale: &Sale, product: i64, quantity: i32) -> NewReturn {
    let line = sale.lines.iter().find(|l| l.product_id == product).unwrap();
    NewReturn {
        sale_id: sale.id,
        lines: vec![ReturnLineInput {
            sale_line_id: line.id,
            quantity,
        }],
        reason: "Défectueux".into(),
        register_id: None,
        to_store_credit: false,
    }
}

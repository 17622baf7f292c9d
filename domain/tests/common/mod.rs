//! A small world for domain tests: two stores with one register each, a category, products with
//! known stock, and employees of each role.
#![allow(dead_code)]

use domain::catalog::{self, NewProduct};
use domain::demo::create_demo_employee;
use domain::inventory::{self, Location};
use domain::sales::{CartLine, Channel, NewSale, Payment};
use domain::staff::NewEmployee;
use domain::stores::{self, NewStore};
use domain::{Actor, Role};
use rust_decimal::Decimal;
use sqlx::PgPool;

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
    let system = Actor::System;
    let category = catalog::create_category(db, &system, "Alimentaire", "")
        .await
        .unwrap()
        .id;
    let mut ids = Vec::new();
    for name in ["Centre", "Nord"] {
        let store = stores::create_store(
            db,
            &system,
            &NewStore {
                name: name.into(),
                address: "1 rue".into(),
                phone: "514".into(),
                email: None,
                time_zone: None,
                registers: 1,
            },
        )
        .await
        .unwrap();
        ids.push(store.id);
    }
    let register = stores::list_registers(db, ids[0]).await.unwrap()[0].id;
    let other_register = stores::list_registers(db, ids[1]).await.unwrap()[0].id;
    let employee = |login: &str, role: Role, store: Option<i64>| NewEmployee {
        login: login.into(),
        full_name: login.into(),
        password: "secret".into(),
        role,
        store_id: store,
    };
    // the fixtures' short password is a demo password: created as the demo data set is
    let admin = create_demo_employee(db, &employee("admin", Role::Admin, None))
        .await
        .unwrap();
    let manager = create_demo_employee(db, &employee("gerant", Role::Gerant, Some(ids[0])))
        .await
        .unwrap();
    let cashier = create_demo_employee(db, &employee("caissier", Role::Caissier, Some(ids[0])))
        .await
        .unwrap();
    let other = create_demo_employee(db, &employee("autre", Role::Caissier, Some(ids[1])))
        .await
        .unwrap();
    World {
        store: ids[0],
        other_store: ids[1],
        register,
        other_register,
        category,
        admin: admin.actor(),
        manager: manager.actor(),
        cashier: cashier.actor(),
        other_cashier: other.actor(),
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
    let p = catalog::create_product(
        db,
        &Actor::System,
        &NewProduct {
            code: code.into(),
            name: format!("Produit {code}"),
            description: String::new(),
            price: Decimal::new(cents, 2),
            category_id: w.category,
            taxable,
            active: true,
            warehouse_quantity: warehouse_qty,
        },
    )
    .await
    .unwrap();
    if store_qty > 0 {
        inventory::adjust_stock(
            db,
            &w.admin,
            Location::Store(w.store),
            p.id,
            store_qty,
            "mise en place",
        )
        .await
        .unwrap();
    }
    p.id
}

pub async fn store_qty(db: &PgPool, store: i64, product: i64) -> i32 {
    sqlx::query_scalar("SELECT quantity FROM store_stock WHERE store_id = $1 AND product_id = $2")
        .bind(store)
        .bind(product)
        .fetch_one(db)
        .await
        .unwrap()
}

pub async fn warehouse_qty(db: &PgPool, product: i64) -> i32 {
    sqlx::query_scalar("SELECT quantity FROM central_stock WHERE product_id = $1")
        .bind(product)
        .fetch_one(db)
        .await
        .unwrap()
}

pub async fn movement_count(db: &PgPool, reason: &str, product: i64) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM stock_movements WHERE reason = $1 AND product_id = $2")
        .bind(reason)
        .bind(product)
        .fetch_one(db)
        .await
        .unwrap()
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
    }
}

/// Records carts together in one transaction, as the API's batches do.
pub async fn sell_together(
    db: &PgPool,
    carts: &[(Actor, NewSale)],
) -> Vec<domain::Result<domain::sales::SaleOutcome>> {
    let mut tx = db.begin().await.unwrap();
    let refs: Vec<_> = carts.iter().map(|(a, n)| (a, n)).collect();
    let outcomes = domain::sales::record_sales_in(&mut tx, &domain::TaxRates::default(), &refs)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    outcomes
}

//! The pieces of a test world, made by the platform (`Actor::System`) through `domain`, and the
//! stock readings tests compare with what they expect.

use domain::Actor;
use domain::Role;
use domain::catalog::{self, NewProduct};
use domain::inventory::{self, Location};
use domain::staff::{self, Employee, NewEmployee};
use domain::stores::{self, NewStore, Store};
use rust_decimal::Decimal;
use sqlx::PgPool;

/// A category with an empty description; its id.
pub async fn add_category(db: &PgPool, name: &str) -> i64 {
    catalog::create_category(db, &Actor::System, name, "")
        .await
        .unwrap()
        .id
}

/// A store in the default time zone, without an email, with `registers` registers.
pub async fn add_store(
    db: &PgPool,
    name: &str,
    address: &str,
    phone: &str,
    registers: u8,
) -> Store {
    let new = NewStore {
        name: name.into(),
        address: address.into(),
        phone: phone.into(),
        email: None,
        time_zone: None,
        registers,
    };
    stores::create_store(db, &Actor::System, &new)
        .await
        .unwrap()
}

/// An active employee who signs in as `login` with `password` (any length: fixtures use demo
/// passwords, as the demo data set does).
pub async fn add_employee(
    db: &PgPool,
    login: &str,
    full_name: &str,
    password: &str,
    role: Role,
    store_id: Option<i64>,
) -> Employee {
    let new = NewEmployee {
        login: login.into(),
        full_name: full_name.into(),
        password: password.into(),
        role,
        store_id,
    };
    staff::create_demo_employee(db, &new).await.unwrap()
}

/// An active product `Produit <code>` priced `cents`, without a description, with nothing in
/// the warehouse; a test changes what it needs with `NewProduct { .., ..new_product(..) }`.
pub fn new_product(code: &str, cents: i64, taxable: bool, category_id: i64) -> NewProduct {
    NewProduct {
        code: code.into(),
        name: format!("Produit {code}"),
        description: String::new(),
        price: Decimal::new(cents, 2),
        category_id,
        taxable,
        active: true,
        warehouse_quantity: 0,
    }
}

/// Creates `new` and, when `shelf` is above zero, puts that many units on the shelf of `store`
/// (see [`shelve`]); the product's id.
pub async fn product_with_stock(db: &PgPool, new: &NewProduct, store: i64, shelf: i32) -> i64 {
    let product = catalog::create_product(db, &Actor::System, new)
        .await
        .unwrap()
        .id;
    if shelf > 0 {
        shelve(db, store, product, shelf).await;
    }
    product
}

/// Sets the shelf of `store` to `quantity` units of `product`: a stock count journaled as an
/// adjustment ("mise en place"), as a manager would enter it.
pub async fn shelve(db: &PgPool, store: i64, product: i64, quantity: i32) {
    inventory::adjust_stock(
        db,
        &Actor::System,
        Location::Store(store),
        product,
        quantity,
        "mise en place",
    )
    .await
    .unwrap();
}

/// Units of `product` on the shelf of `store`.
pub async fn store_qty(db: &PgPool, store: i64, product: i64) -> i32 {
    sqlx::query_scalar("SELECT quantity FROM store_stock WHERE store_id = $1 AND product_id = $2")
        .bind(store)
        .bind(product)
        .fetch_one(db)
        .await
        .unwrap()
}

/// Units of `product` in the warehouse.
pub async fn warehouse_qty(db: &PgPool, product: i64) -> i32 {
    sqlx::query_scalar("SELECT quantity FROM central_stock WHERE product_id = $1")
        .bind(product)
        .fetch_one(db)
        .await
        .unwrap()
}

/// Journaled movements of `product` (every location) for `reason` (`adjustment`, `return`, ...).
pub async fn movement_count(db: &PgPool, reason: &str, product: i64) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM stock_movements WHERE reason = $1 AND product_id = $2")
        .bind(reason)
        .bind(product)
        .fetch_one(db)
        .await
        .unwrap()
}

//! Catalogue, stores and stock rows: every product has a row in every store and the warehouse.

use crate::world::*;
use domain::catalog::{self, NewProduct, ProductChanges, ProductFilter, ProductSort};
use domain::inventory::{self, Location, StockFilter, StockStatus};
use domain::stores::{self, NewStore, StoreChanges};
use domain::{Actor, Error, PageRequest};
use rust_decimal_macros::dec;
use sqlx::PgPool;

/// A valid product of `category`, with 40 units in the warehouse.
fn valid_product(code: &str, category: i64) -> NewProduct {
    NewProduct {
        description: "Une description".into(),
        warehouse_quantity: 40,
        ..new_product(code, 250, true, category)
    }
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn products_and_stores_get_stock_rows_everywhere(db: PgPool) {
    let w = world(&db).await;
    let p = catalog::create_product(&db, &w.admin, &valid_product("X1", w.category))
        .await
        .unwrap();
    assert_eq!(p.warehouse_quantity, 40);
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM store_stock WHERE product_id = $1")
        .bind(p.id)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(rows, 2);
    assert_eq!(movement_count(&db, "initial", p.id).await, 1);

    let store = stores::create_store(
        &db,
        &w.admin,
        &NewStore {
            name: "Sud".into(),
            address: String::new(),
            phone: String::new(),
            email: Some("sud@exemple.ca".into()),
            time_zone: Some("America/Toronto".into()),
            registers: 3,
        },
    )
    .await
    .unwrap();
    assert_eq!(store_qty(&db, store.id, p.id).await, 0);
    assert_eq!(
        stores::list_registers(&db, store.id).await.unwrap().len(),
        3
    );
    assert_movements_explain_stock(&db).await;
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn bad_input_and_duplicates_are_business_errors(db: PgPool) {
    let w = world(&db).await;
    catalog::create_product(&db, &w.admin, &valid_product("X1", w.category))
        .await
        .unwrap();
    let err = catalog::create_product(&db, &w.admin, &valid_product("X1", w.category))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    let mut bad = valid_product("bad code!", w.category);
    bad.price = dec!(-1);
    bad.name = " ".into();
    match catalog::create_product(&db, &w.admin, &bad)
        .await
        .unwrap_err()
    {
        Error::Validation(errors) => {
            let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["code", "name", "price"]);
        }
        other => panic!("{other:?}"),
    }
    let err = catalog::create_product(&db, &w.admin, &valid_product("X2", 424242))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotFound {
                entity: "Catégorie",
                ..
            }
        ),
        "{err:?}"
    );
    let err = catalog::create_product(&db, &w.cashier, &valid_product("X3", w.category))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)));
    let err = stores::create_store(
        &db,
        &w.admin,
        &NewStore {
            name: "Centre".into(),
            address: String::new(),
            phone: String::new(),
            email: Some("pas-un-courriel".into()),
            time_zone: Some("Mars/Olympus".into()),
            registers: 1,
        },
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, Error::Validation(ref e) if e.len() == 2),
        "{err:?}"
    );
    let err = stores::update_store(
        &db,
        &w.admin,
        w.other_store,
        &StoreChanges {
            name: Some("Centre".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    // a NUL character (a web form's %00) is bad input, not a database failure
    let mut nul = valid_product("X4", w.category);
    nul.description = "avant\0après".into();
    let err = catalog::create_product(&db, &w.admin, &nul)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Validation(ref e) if e[0].message.contains("U+0000")),
        "{err:?}"
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn deleting_keeps_history(db: PgPool) {
    let w = world(&db).await;
    let mut fresh = valid_product("FRESH", w.category);
    fresh.warehouse_quantity = 0;
    let fresh = catalog::create_product(&db, &w.admin, &fresh)
        .await
        .unwrap();
    catalog::delete_product(&db, &w.admin, fresh.id)
        .await
        .unwrap();
    assert!(matches!(
        catalog::get_product(&db, fresh.id).await,
        Err(Error::NotFound { .. })
    ));

    let used = catalog::create_product(&db, &w.admin, &valid_product("USED", w.category))
        .await
        .unwrap();
    let err = catalog::delete_product(&db, &w.admin, used.id)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Conflict(_)),
        "a product with movements is deactivated, not deleted: {err:?}"
    );
    let off = catalog::set_product_active(&db, &w.admin, used.id, false)
        .await
        .unwrap();
    assert!(!off.active);

    open_register(&db, &w).await;
    let err = stores::delete_store(&db, &w.admin, w.store)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn product_search_filters_sorts_and_pages(db: PgPool) {
    let w = world(&db).await;
    for (code, name, cents) in [
        ("ALI001", "Pain", 120),
        ("ALI002", "Lait", 110),
        ("BOI003", "Soda cola", 180),
    ] {
        let mut p = valid_product(code, w.category);
        p.name = name.into();
        p.price = rust_decimal::Decimal::new(cents, 2);
        catalog::create_product(&db, &w.admin, &p).await.unwrap();
    }
    let by_price = catalog::list_products(
        &db,
        &ProductFilter::default(),
        ProductSort::parse("-prix").unwrap(),
        PageRequest::new(1, 2),
    )
    .await
    .unwrap();
    assert_eq!((by_price.total, by_price.pages), (3, 2));
    assert_eq!(
        by_price
            .items
            .iter()
            .map(|p| p.code.as_str())
            .collect::<Vec<_>>(),
        ["BOI003", "ALI001"]
    );
    let filter = ProductFilter {
        q: Some("ali".into()),
        price_max: Some(dec!(1.15)),
        ..Default::default()
    };
    let found =
        catalog::list_products(&db, &filter, ProductSort::default(), PageRequest::default())
            .await
            .unwrap();
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].name, "Lait");
    let percent = ProductFilter {
        q: Some("%".into()),
        ..Default::default()
    };
    assert_eq!(
        catalog::list_products(
            &db,
            &percent,
            ProductSort::default(),
            PageRequest::default()
        )
        .await
        .unwrap()
        .total,
        0
    );
    assert_eq!(
        catalog::get_product_by_code(&db, "BOI003")
            .await
            .unwrap()
            .name,
        "Soda cola"
    );

    let changed = catalog::update_product(
        &db,
        &w.admin,
        found.items[0].id,
        &ProductChanges {
            price: Some(dec!(1.25)),
            warehouse_quantity: Some(10),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (changed.price, changed.warehouse_quantity),
        (dec!(1.25), 10)
    );
    assert_eq!(movement_count(&db, "adjustment", changed.id).await, 1);
    assert_movements_explain_stock(&db).await;
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn store_stock_lists_alerts_first_and_checks_the_store(db: PgPool) {
    let w = world(&db).await;
    let low = product(&db, &w, "LOW", 100, true, 3, 0).await; // threshold 10: bas
    let _none = product(&db, &w, "NONE", 100, true, 0, 0).await; // rupture
    let _ok = product(&db, &w, "OK", 100, true, 50, 0).await;
    let page = inventory::list_stock(
        &db,
        &w.cashier,
        Location::Store(w.store),
        &StockFilter::default(),
        PageRequest::default(),
    )
    .await
    .unwrap();
    let statuses: Vec<_> = page.items.iter().map(|s| s.status()).collect();
    assert_eq!(
        statuses,
        [StockStatus::Rupture, StockStatus::Bas, StockStatus::Normal]
    );
    assert_eq!(page.items[1].product_id, low);
    let alerts = inventory::list_stock(
        &db,
        &w.admin,
        Location::Store(w.store),
        &StockFilter {
            alerts_only: true,
            ..Default::default()
        },
        PageRequest::default(),
    )
    .await
    .unwrap();
    assert_eq!(alerts.total, 2);
    let err = inventory::list_stock(
        &db,
        &w.other_cashier,
        Location::Store(w.store),
        &StockFilter::default(),
        PageRequest::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)));
    let err = inventory::adjust_stock(
        &db,
        &w.cashier,
        Location::Store(w.store),
        low,
        5,
        "comptage",
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, Error::Forbidden(_)),
        "a cashier cannot adjust stock"
    );
    inventory::adjust_stock(
        &db,
        &w.manager,
        Location::Store(w.store),
        low,
        5,
        "comptage",
    )
    .await
    .unwrap();
    assert_eq!(store_qty(&db, w.store, low).await, 5);
    let _ = Actor::System;
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn store_stock_counts_the_units_sold_in_the_last_30_days_of_that_store(db: PgPool) {
    let w = world(&db).await;
    let tea = product(&db, &w, "TEA", 100, true, 80, 0).await;
    open_register(&db, &w).await;
    let sell = |id: &'static str, quantity| {
        let db = db.clone();
        let cashier = w.cashier;
        let register = w.register;
        async move {
            domain::sales::record_sale(
                &db,
                &cashier,
                &domain::Rules::default(),
                &till_sale(
                    id,
                    register,
                    &[(tea, quantity)],
                    domain::sales::Payment::Card,
                ),
            )
            .await
            .unwrap()
            .sale
        }
    };
    sell("today", 3).await;
    let old = sell("long-ago", 5).await;
    let recent = sell("last-month", 7).await;
    for (sale, days) in [(old.id, 31), (recent.id, 25)] {
        sqlx::query("UPDATE sales SET sold_at = sold_at - make_interval(days => $2) WHERE id = $1")
            .bind(sale)
            .bind(days)
            .execute(&db)
            .await
            .unwrap();
    }
    let units = |location| {
        let db = db.clone();
        let admin = w.admin;
        async move {
            inventory::list_stock(
                &db,
                &admin,
                location,
                &StockFilter {
                    with_pace: true,
                    ..Default::default()
                },
                PageRequest::default(),
            )
            .await
            .unwrap()
            .items
            .into_iter()
            .find(|s| s.product_id == tea)
            .unwrap()
            .units_sold_30_days
        }
    };
    assert_eq!(
        units(Location::Store(w.store)).await,
        10,
        "today and 25 days ago"
    );
    assert_eq!(
        units(Location::Store(w.other_store)).await,
        0,
        "another store"
    );
    assert_eq!(units(Location::Warehouse).await, 10, "the network's pace");
    let without = inventory::list_stock(
        &db,
        &w.admin,
        Location::Store(w.store),
        &StockFilter::default(),
        PageRequest::default(),
    )
    .await
    .unwrap();
    assert!(
        without.items.iter().all(|s| s.units_sold_30_days == 0),
        "not computed unless asked"
    );
}

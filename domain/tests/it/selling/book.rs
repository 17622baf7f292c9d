//! The price book (`sales::book`): quotes priced from memory are never stale. Every committed
//! change to a product, a store or a promotion reaches the next quote of every instance, and
//! catalogue writers do not wait for each other over the version they bump.

use std::time::Duration;

use domain::catalog::{self, ProductChanges};
use domain::sales::{self, PriceBook, SaleOptions};
use rust_decimal_macros::dec;

use super::*;

async fn quote(db: &PgPool, book: &PriceBook, w: &World, product: i64) -> sales::Sale {
    let mut new = external_sale("q", w.store, &[(product, 3)]);
    new.options = SaleOptions::default();
    sales::quote_sale(db, book, &w.admin, &Rules::default(), &new)
        .await
        .unwrap()
}

async fn version(db: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT version FROM pricing_version")
        .fetch_one(db)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn every_committed_change_reaches_the_next_quote_of_every_instance(db: PgPool) {
    let w = world(&db).await;
    let cola = product(&db, &w, "BOI003", 200, false, 20, 0).await;
    // two instances, each with its own book, both filled
    let (one, two) = (PriceBook::new(), PriceBook::new());
    for book in [&one, &two] {
        let q = quote(&db, book, &w, cola).await;
        assert_eq!((q.subtotal, q.promotion_savings), (dec!(6.00), dec!(0)));
        assert_eq!(q.store_name, "Centre");
    }

    // a new price through the catalogue
    let changes = ProductChanges {
        code: None,
        name: Some("Cola zéro".into()),
        description: None,
        price: Some(dec!(2.50)),
        category_id: None,
        taxable: None,
        active: None,
        warehouse_quantity: None,
    };
    catalog::update_product(&db, &w.admin, cola, &changes)
        .await
        .unwrap();
    for book in [&one, &two] {
        let q = quote(&db, book, &w, cola).await;
        assert_eq!(q.subtotal, dec!(7.50));
        assert_eq!(q.lines[0].product_name, "Cola zéro");
    }

    // a promotion starting today, then switched off
    let promo = promotion(&db, "Cola", "montant", dec!(0.50), cola, (0, 0), true).await;
    for book in [&one, &two] {
        let q = quote(&db, book, &w, cola).await;
        assert_eq!((q.subtotal, q.promotion_savings), (dec!(6.00), dec!(1.50)));
        assert_eq!(q.lines[0].promotion_id, Some(promo));
    }
    sqlx::query("UPDATE promotions SET active = FALSE WHERE id = $1")
        .bind(promo)
        .execute(&db)
        .await
        .unwrap();
    let q = quote(&db, &one, &w, cola).await;
    assert_eq!((q.subtotal, q.promotion_savings), (dec!(7.50), dec!(0)));

    // a promotion on the product's category, and the store renamed
    let by_category: i64 = sqlx::query_scalar(
        "WITH p AS (INSERT INTO promotions (name, kind, value, starts_on, ends_on)
                    VALUES ('Rayon', 'pourcentage', 10, current_date - 1, current_date + 1)
                    RETURNING id)
         INSERT INTO promotion_categories (promotion_id, category_id)
         SELECT id, $1 FROM p RETURNING promotion_id",
    )
    .bind(w.category)
    .fetch_one(&db)
    .await
    .unwrap();
    sqlx::query("UPDATE stores SET name = 'Centre-ville', address = '2 rue' WHERE id = $1")
        .bind(w.store)
        .execute(&db)
        .await
        .unwrap();
    for book in [&one, &two] {
        let q = quote(&db, book, &w, cola).await;
        assert_eq!(q.lines[0].promotion_id, Some(by_category));
        assert_eq!(q.subtotal, dec!(6.75));
        assert_eq!(
            (q.store_name.as_str(), q.store_address.as_str()),
            ("Centre-ville", "2 rue")
        );
    }

    // and the quote is still the sale
    let q = quote(&db, &two, &w, cola).await;
    let sale = sell(&db, &w.admin, &external_sale("s", w.store, &[(cola, 3)]))
        .await
        .unwrap();
    assert_eq!((q.subtotal, q.total), (sale.subtotal, sale.total));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_quote_reads_balances_and_gift_cards_fresh(db: PgPool) {
    let w = world(&db).await;
    let cola = product(&db, &w, "BOI003", 200, false, 20, 0).await;
    let client = customer(&db, "2000000000024", 40, dec!(0)).await;
    gift_card(&db, w.store, "6000000000000001", dec!(50)).await;
    let book = PriceBook::new();
    let new = |client_id| {
        let mut new = external_sale("q", w.store, &[(cola, 1)]);
        new.payment = sales::Payment::Tenders(vec![tender(
            TenderKind::GiftCard,
            200,
            Some("6000000000000001"),
        )]);
        new.options.customer_id = Some(client_id);
        new
    };
    let q = sales::quote_sale(&db, &book, &w.admin, &Rules::default(), &new(client))
        .await
        .unwrap();
    assert_eq!(q.customer.as_ref().map(|c| c.points), Some(40));
    sqlx::query("UPDATE customers SET points = 70 WHERE id = $1")
        .bind(client)
        .execute(&db)
        .await
        .unwrap();
    let q = sales::quote_sale(&db, &book, &w.admin, &Rules::default(), &new(client))
        .await
        .unwrap();
    assert_eq!(q.customer.as_ref().map(|c| c.points), Some(70));
    assert_eq!(q.payments[0].amount, dec!(2.00));

    // an unknown customer, gift card or store is refused as before
    let err = sales::quote_sale(&db, &book, &w.admin, &Rules::default(), &new(client + 99))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("inconnu"), "{err}");
    let mut unknown_card = new(client);
    unknown_card.payment = sales::Payment::Tenders(vec![tender(
        TenderKind::GiftCard,
        200,
        Some("6000000000000009"),
    )]);
    let err = sales::quote_sale(&db, &book, &w.admin, &Rules::default(), &unknown_card)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Carte-cadeau inconnue"), "{err:?}");
    let nowhere = external_sale("q", w.store + 99, &[(cola, 1)]);
    let err = sales::quote_sale(&db, &book, &w.admin, &Rules::default(), &nowhere)
        .await
        .unwrap_err();
    assert!(matches!(err, domain::Error::NotFound { .. }), "{err:?}");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn catalogue_writers_bump_the_version_once_at_commit_without_waiting(db: PgPool) {
    let w = world(&db).await;
    let a = product(&db, &w, "A1", 100, true, 0, 0).await;
    let b = product(&db, &w, "B1", 100, true, 0, 0).await;
    let before = version(&db).await;

    // one transaction changing many rows of several tables: one bump
    let mut tx = db.begin().await.unwrap();
    sqlx::query("UPDATE products SET price = price + 1")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(
        "WITH p AS (INSERT INTO promotions (name, kind, value, starts_on, ends_on)
                    VALUES ('Pendant', 'montant', 0.10, current_date, current_date) RETURNING id)
         INSERT INTO promotion_products (promotion_id, product_id) SELECT id, $1 FROM p",
    )
    .bind(a)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query("UPDATE stores SET address = '3 rue'")
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(version(&db).await, before, "nothing before the commit");
    tx.commit().await.unwrap();
    assert_eq!(version(&db).await, before + 1, "one bump per transaction");

    // a writer still open does not hold back another one's commit (the bump waits for commit)
    let mut open = db.begin().await.unwrap();
    sqlx::query("UPDATE products SET price = 5 WHERE id = $1")
        .bind(a)
        .execute(&mut *open)
        .await
        .unwrap();
    let other = tokio::time::timeout(
        Duration::from_secs(5),
        sqlx::query("UPDATE products SET price = 6 WHERE id = $1")
            .bind(b)
            .execute(&db),
    )
    .await;
    assert!(other.is_ok(), "the second writer waited for the first one");
    assert_eq!(version(&db).await, before + 2);
    open.commit().await.unwrap();
    assert_eq!(version(&db).await, before + 3);

    // selling changes none of it
    let c = product(&db, &w, "C1", 100, true, 10, 0).await;
    let before = version(&db).await;
    sell(&db, &w.admin, &external_sale("s", w.store, &[(c, 2)]))
        .await
        .unwrap();
    assert_eq!(version(&db).await, before);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_till_prices_from_the_book_with_the_stores_stock(db: PgPool) {
    let w = world(&db).await;
    let cola = product(&db, &w, "BOI003", 200, false, 20, 0).await;
    let chips = product(&db, &w, "CHI001", 300, false, 4, 0).await;
    let book = PriceBook::new();
    let lines = [
        sales::CartLine {
            product_id: cola,
            quantity: 2,
        },
        sales::CartLine {
            product_id: chips,
            quantity: 1,
        },
    ];
    let till_quote = async || {
        sales::quote_cart(
            &db,
            &book,
            &w.cashier,
            &Rules::default(),
            w.store,
            &lines,
            &SaleOptions::default(),
        )
        .await
        .unwrap()
    };
    let q = till_quote().await;
    assert_eq!(q.totals.subtotal, dec!(7.00));
    let stock: Vec<_> = q.lines.iter().map(|l| l.product.in_stock).collect();
    assert_eq!(stock, [20, 4]);

    // a new price, a sale that takes stock, and a product no longer sold
    sqlx::query("UPDATE products SET price = 2.50 WHERE id = $1")
        .bind(cola)
        .execute(&db)
        .await
        .unwrap();
    sell(&db, &w.admin, &external_sale("s", w.store, &[(cola, 5)]))
        .await
        .unwrap();
    let q = till_quote().await;
    assert_eq!(q.totals.subtotal, dec!(8.00));
    assert_eq!(q.lines[0].product.in_stock, 15);
    sqlx::query("UPDATE products SET active = FALSE WHERE id = $1")
        .bind(chips)
        .execute(&db)
        .await
        .unwrap();
    let q = till_quote().await;
    let kept: Vec<_> = q.lines.iter().map(|l| l.product.product_id).collect();
    assert_eq!(kept, [cola], "the till drops a product no longer sold");
    assert_eq!(q.totals.subtotal, dec!(5.00));
}

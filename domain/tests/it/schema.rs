//! The schema keeps its promises: every foreign key is indexed and has an explicit delete rule,
//! and the constraints refuse what the business rules forbid even if a caller forgets a rule.

use sqlx::PgPool;

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn every_foreign_key_has_an_index_and_an_explicit_delete_rule(db: PgPool) {
    let unindexed: Vec<String> = sqlx::query_scalar(
        "SELECT c.conrelid::regclass || '.' || c.conname FROM pg_constraint c
         WHERE c.contype = 'f' AND NOT EXISTS (
             SELECT 1 FROM pg_index i
             WHERE i.indrelid = c.conrelid
               AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] = c.conkey)
         ORDER BY 1",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert!(
        unindexed.is_empty(),
        "foreign keys without an index: {unindexed:?}"
    );
    // 'a' is NO ACTION, the implicit default: every key says RESTRICT or CASCADE on purpose
    let implicit: Vec<String> = sqlx::query_scalar(
        "SELECT conrelid::regclass || '.' || conname FROM pg_constraint
         WHERE contype = 'f' AND confdeltype = 'a' ORDER BY 1",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert!(
        implicit.is_empty(),
        "foreign keys without an explicit ON DELETE: {implicit:?}"
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn constraints_refuse_impossible_data(db: PgPool) {
    for setup in [
        "INSERT INTO categories (name) VALUES ('A')",
        "INSERT INTO stores (name) VALUES ('S')",
        "INSERT INTO products (code, name, price, category_id) SELECT 'P', 'p', 1.20, id FROM categories",
        "INSERT INTO store_stock (store_id, product_id, quantity) SELECT s.id, p.id, 0 FROM stores s, products p",
    ] {
        sqlx::query(setup).execute(&db).await.unwrap();
    }
    // each statement is valid but for the one rule it breaks
    let refused = [
        "INSERT INTO products (code, name, price, category_id) SELECT 'X', 'x', -1, id FROM categories",
        "INSERT INTO products (code, name, price, category_id) SELECT 'P', 'dup', 1, id FROM categories",
        "INSERT INTO stores (name, email) VALUES ('T', 'not-an-email')",
        "INSERT INTO stores (name) VALUES ('S')",
        "INSERT INTO replenishment_requests (store_id, product_id, quantity)
             SELECT s.id, p.id, 0 FROM stores s, products p",
        "INSERT INTO replenishment_requests (store_id, product_id, quantity, status)
             SELECT s.id, p.id, 5, 'livree' FROM stores s, products p",
        "INSERT INTO employees (login, full_name, password_hash, role) VALUES ('c', 'c', 'h', 'caissier')",
        "INSERT INTO employees (login, full_name, password_hash, role, store_id)
             SELECT 'b', 'b', 'h', 'boss', id FROM stores",
        "UPDATE store_stock SET quantity = quantity - 1",
        "INSERT INTO store_stock (store_id, product_id) SELECT store_id, product_id FROM store_stock",
        "INSERT INTO central_stock (product_id, quantity) SELECT id, -5 FROM products",
    ];
    for sql in refused {
        let result = sqlx::query(sql).execute(&db).await;
        let err = result.expect_err(sql);
        let db_err = err.as_database_error().expect("a database error");
        assert!(
            db_err.is_check_violation() || db_err.is_unique_violation(),
            "{sql} was refused for another reason: {db_err}"
        );
    }
}

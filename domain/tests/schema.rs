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
    sqlx::query("INSERT INTO categories (name) VALUES ('A')")
        .execute(&db)
        .await
        .unwrap();
    sqlx::query("INSERT INTO stores (name) VALUES ('S')")
        .execute(&db)
        .await
        .unwrap();
    let refused = [
        "INSERT INTO products (code, name, price, category_id) VALUES ('X', 'x', -1, 1)",
        "INSERT INTO stores (name, email) VALUES ('T', 'not-an-email')",
        "INSERT INTO replenishment_requests (store_id, product_id, quantity) VALUES (1, 1, 0)",
        "INSERT INTO employees (login, full_name, password_hash, role) VALUES ('c', 'c', 'h', 'caissier')",
        "INSERT INTO employees (login, full_name, password_hash, role, store_id) VALUES ('b', 'b', 'h', 'boss', 1)",
    ];
    for sql in refused {
        assert!(
            sqlx::query(sql).execute(&db).await.is_err(),
            "accepted: {sql}"
        );
    }
    sqlx::query("INSERT INTO products (code, name, price, category_id) VALUES ('P', 'p', 1.20, 1)")
        .execute(&db)
        .await
        .unwrap();
    sqlx::query("INSERT INTO store_stock (store_id, product_id, quantity) VALUES (1, 1, 0)")
        .execute(&db)
        .await
        .unwrap();
    let negative = sqlx::query("UPDATE store_stock SET quantity = quantity - 1")
        .execute(&db)
        .await;
    assert!(negative.is_err(), "stock never goes below zero");
    let duplicate = sqlx::query("INSERT INTO store_stock (store_id, product_id) VALUES (1, 1)")
        .execute(&db)
        .await;
    assert!(duplicate.is_err(), "one stock row per (store, product)");
}

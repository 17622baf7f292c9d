//! The till's aside: a manager's approval of a discount (`staff::approve_discount`) and parked
//! carts (`sales::{park_cart, list_parked, resume_parked}`), against the real database.

use domain::Error;
use domain::sales::{list_parked, park_cart, resume_parked};
use domain::staff::approve_discount;
use rust_decimal::Decimal;
use serde_json::json;
use sqlx::PgPool;

use crate::world::*;

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_manager_of_the_store_or_an_admin_approves_no_one_else(db: PgPool) {
    let w = world(&db).await;
    let manager = approve_discount(&db, w.store, "gerant", "secret")
        .await
        .unwrap();
    assert_eq!(Some(manager), w.manager.employee_id());
    let admin = approve_discount(&db, w.store, " ADMIN ", "secret")
        .await
        .unwrap();
    assert_eq!(Some(admin), w.admin.employee_id());
    for (store, login, password, why) in [
        (w.store, "gerant", "wrong", "incorrect"),
        (w.store, "personne", "secret", "incorrect"),
        (w.store, "caissier", "secret", "seul un gérant"),
        (
            w.other_store,
            "gerant",
            "secret",
            "pas gérant de ce magasin",
        ),
        (w.store, "", "", "saisissez"),
    ] {
        match approve_discount(&db, store, login, password).await {
            Err(Error::Forbidden(m)) => assert!(m.contains(why), "{login}: {m}"),
            other => panic!("{login}/{password} on {store}: {other:?}"),
        }
    }
    // guessing a manager's password locks their login, the right one included
    for _ in 0..5 {
        assert!(
            approve_discount(&db, w.store, "gerant", "guess")
                .await
                .is_err()
        );
    }
    match approve_discount(&db, w.store, "gerant", "secret").await {
        Err(Error::Forbidden(m)) => assert!(m.contains("trop d'essais"), "{m}"),
        other => panic!("not locked: {other:?}"),
    }
    sqlx::query("DELETE FROM sign_in_throttle")
        .execute(&db)
        .await
        .unwrap();
    // an inactive manager approves nothing
    sqlx::query("UPDATE employees SET active = false WHERE login = 'gerant'")
        .execute(&db)
        .await
        .unwrap();
    assert!(matches!(
        approve_discount(&db, w.store, "gerant", "secret").await,
        Err(Error::Forbidden(_))
    ));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_parked_cart_is_listed_then_resumed_once(db: PgPool) {
    let w = world(&db).await;
    let session = open_register(&db, &w).await;
    assert!(
        list_parked(&db, &w.cashier, w.register)
            .await
            .unwrap()
            .is_empty()
    );
    let cart = json!({"panier": "3x2", "client": 7});
    let parked = park_cart(
        &db,
        &w.cashier,
        w.register,
        session,
        " Mme Tremblay ",
        &cart,
    )
    .await
    .unwrap();
    assert_eq!(parked.name, "Mme Tremblay");
    assert_eq!(parked.cart, cart);
    park_cart(
        &db,
        &w.manager,
        w.register,
        session,
        "Monsieur 2",
        &json!({"panier": "1x1"}),
    )
    .await
    .unwrap();
    let listed = list_parked(&db, &w.cashier, w.register).await.unwrap();
    assert_eq!(
        listed.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["Mme Tremblay", "Monsieur 2"]
    );
    // another store's cashier sees and takes nothing
    assert!(matches!(
        list_parked(&db, &w.other_cashier, w.register).await,
        Err(Error::Forbidden(_) | Error::NotFound { .. })
    ));
    assert!(
        resume_parked(&db, &w.other_cashier, w.register, parked.id)
            .await
            .is_err()
    );
    // resumed: the cart comes back and the row is gone; a second resume finds nothing
    let back = resume_parked(&db, &w.cashier, w.register, parked.id)
        .await
        .unwrap();
    assert_eq!(back, cart);
    assert!(matches!(
        resume_parked(&db, &w.cashier, w.register, parked.id).await,
        Err(Error::NotFound { .. })
    ));
    assert_eq!(
        list_parked(&db, &w.cashier, w.register)
            .await
            .unwrap()
            .len(),
        1
    );
    // not on another register's session, and a name is required
    assert!(
        park_cart(&db, &w.cashier, w.register, session + 1000, "X", &cart)
            .await
            .is_err()
    );
    assert!(matches!(
        park_cart(&db, &w.cashier, w.register, session, "  ", &cart).await,
        Err(Error::Validation(_))
    ));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn closing_the_session_drops_its_parked_carts(db: PgPool) {
    let w = world(&db).await;
    let session = open_register(&db, &w).await;
    let parked = park_cart(
        &db,
        &w.cashier,
        w.register,
        session,
        "A",
        &json!({"panier": "1x1"}),
    )
    .await
    .unwrap();
    domain::stores::close_session(&db, &w.cashier, session, Decimal::new(10000, 2))
        .await
        .unwrap();
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM parked_carts")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(left, 0);
    assert!(
        list_parked(&db, &w.cashier, w.register)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        resume_parked(&db, &w.cashier, w.register, parked.id).await,
        Err(Error::Conflict(_))
    ));
    // parking needs the session open
    assert!(matches!(
        park_cart(&db, &w.cashier, w.register, session, "B", &json!({})).await,
        Err(Error::Conflict(_))
    ));
}

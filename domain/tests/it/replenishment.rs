//! The replenishment state machine: each transition once, from the right state, by the right
//! role; a repeated or concurrent approval moves stock once.

use crate::world::*;
use domain::inventory::{self, RequestFilter, RequestStatus, Transition};
use domain::{Error, PageRequest};
use sqlx::PgPool;

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn approve_then_deliver_moves_both_stocks_once(db: PgPool) {
    let w = world(&db).await;
    let oil = product(&db, &w, "MEN001", 210, true, 5, 100).await;
    let request = inventory::create_request(&db, &w.manager, w.store, oil, 30, "")
        .await
        .unwrap();
    assert_eq!(request.status(), RequestStatus::EnAttente);

    let err = inventory::transition(&db, &w.admin, request.id, Transition::Deliver, None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Conflict(_)),
        "cannot deliver before approval"
    );
    let err = inventory::transition(&db, &w.manager, request.id, Transition::Approve, None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Forbidden(_)),
        "a store manager does not approve"
    );

    let approved = inventory::transition(&db, &w.admin, request.id, Transition::Approve, None)
        .await
        .unwrap();
    assert_eq!(approved.status(), RequestStatus::Validee);
    assert_eq!(warehouse_qty(&db, oil).await, 70);
    let again = inventory::transition(&db, &w.admin, request.id, Transition::Approve, None)
        .await
        .unwrap_err();
    assert!(matches!(again, Error::Conflict(_)));
    assert_eq!(
        warehouse_qty(&db, oil).await,
        70,
        "a repeated approval moves nothing"
    );
    let err = inventory::transition(&db, &w.manager, request.id, Transition::Cancel, None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Conflict(_)),
        "no cancel after approval"
    );

    let delivered = inventory::transition(&db, &w.admin, request.id, Transition::Deliver, None)
        .await
        .unwrap();
    assert_eq!(delivered.status(), RequestStatus::Livree);
    assert!(delivered.approved_at.is_some() && delivered.delivered_at.is_some());
    assert_eq!(store_qty(&db, w.store, oil).await, 35);
    assert_eq!(movement_count(&db, "replenishment_out", oil).await, 1);
    assert_eq!(movement_count(&db, "replenishment_in", oil).await, 1);
    assert_movements_explain_stock(&db).await;
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn concurrent_approvals_move_stock_once(db: PgPool) {
    let w = world(&db).await;
    let oil = product(&db, &w, "MEN001", 210, true, 0, 100).await;
    let request = inventory::create_request(&db, &w.manager, w.store, oil, 40, "")
        .await
        .unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let (db, admin, id) = (db.clone(), w.admin, request.id);
        tasks.spawn(async move {
            inventory::transition(&db, &admin, id, Transition::Approve, None).await
        });
    }
    let results = tasks.join_all().await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    assert!(
        results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .all(|e| matches!(e, Error::Conflict(_)))
    );
    assert_eq!(warehouse_qty(&db, oil).await, 60);
    assert_eq!(movement_count(&db, "replenishment_out", oil).await, 1);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn refusing_or_cancelling_moves_nothing(db: PgPool) {
    let w = world(&db).await;
    let oil = product(&db, &w, "MEN001", 210, true, 0, 100).await;
    let a = inventory::create_request(&db, &w.manager, w.store, oil, 10, "")
        .await
        .unwrap();
    let b = inventory::create_request(&db, &w.manager, w.store, oil, 10, "")
        .await
        .unwrap();
    let err = inventory::transition(&db, &w.admin, a.id, Transition::Refuse, None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Validation(_)),
        "a refusal needs a reason"
    );
    let refused = inventory::transition(
        &db,
        &w.admin,
        a.id,
        Transition::Refuse,
        Some("Rupture fournisseur"),
    )
    .await
    .unwrap();
    assert_eq!(refused.status(), RequestStatus::Refusee);
    assert_eq!(
        refused.refusal_reason.as_deref(),
        Some("Rupture fournisseur")
    );
    let err = inventory::transition(&db, &w.other_cashier, b.id, Transition::Cancel, None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::NotFound { .. }),
        "another store's request is not found"
    );
    let cancelled = inventory::transition(&db, &w.manager, b.id, Transition::Cancel, None)
        .await
        .unwrap();
    assert_eq!(cancelled.status(), RequestStatus::Annulee);
    assert_eq!(warehouse_qty(&db, oil).await, 100);
    assert_eq!(store_qty(&db, w.store, oil).await, 0);

    let page = inventory::list_requests(
        &db,
        &w.admin,
        &RequestFilter {
            status: Some(RequestStatus::Refusee),
            store_id: None,
        },
        PageRequest::default(),
    )
    .await
    .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].id, a.id);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn approval_needs_enough_warehouse_stock_and_cashiers_cannot_request(db: PgPool) {
    let w = world(&db).await;
    let oil = product(&db, &w, "MEN001", 210, true, 0, 5).await;
    let err = inventory::create_request(&db, &w.cashier, w.store, oil, 10, "")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)));
    let err = inventory::create_request(&db, &w.manager, w.store, oil, 0, "")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)));
    let request = inventory::create_request(&db, &w.manager, w.store, oil, 10, "")
        .await
        .unwrap();
    let err = inventory::transition(&db, &w.admin, request.id, Transition::Approve, None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InsufficientStock {
                available: 5,
                requested: 10,
                ..
            }
        ),
        "{err:?}"
    );
    let still = inventory::get_request(&db, request.id).await.unwrap();
    assert_eq!(
        still.status(),
        RequestStatus::EnAttente,
        "a failed approval changes nothing"
    );
    assert_eq!(warehouse_qty(&db, oil).await, 5);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn several_products_are_requested_together_or_not_at_all(db: PgPool) {
    use inventory::RequestLine;
    let w = world(&db).await;
    let oil = product(&db, &w, "MEN001", 210, true, 0, 100).await;
    let soap = product(&db, &w, "HYG002", 120, true, 3, 100).await;
    let bread = product(&db, &w, "ALI001", 120, false, 8, 100).await;
    let line = |product_id, quantity| RequestLine {
        product_id,
        quantity,
    };
    let count = |db: PgPool| async move {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM replenishment_requests")
            .fetch_one(&db)
            .await
            .unwrap()
    };

    let refused = [
        (
            inventory::create_requests(&db, &w.manager, w.store, &[], "").await,
            vec!["lines".to_owned()],
        ),
        (
            inventory::create_requests(
                &db,
                &w.manager,
                w.store,
                &[line(oil, 5), line(soap, 0), line(oil, 2)],
                "",
            )
            .await,
            vec![format!("quantity.{soap}"), format!("product.{oil}")],
        ),
    ];
    for (result, fields) in refused {
        match result.unwrap_err() {
            Error::Validation(errors) => assert_eq!(
                errors.into_iter().map(|e| e.field).collect::<Vec<_>>(),
                fields
            ),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }
    let err = inventory::create_requests(&db, &w.cashier, w.store, &[line(oil, 5)], "")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    let err = inventory::create_requests(&db, &w.manager, w.other_store, &[line(oil, 5)], "")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    let err = inventory::create_requests(
        &db,
        &w.manager,
        w.store,
        &[line(oil, 5), line(999_999, 1)],
        "",
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    assert_eq!(
        count(db.clone()).await,
        0,
        "a refused batch creates nothing"
    );

    let created = inventory::create_requests(
        &db,
        &w.manager,
        w.store,
        &[line(soap, 24), line(oil, 12), line(bread, 6)],
        "semaine 12",
    )
    .await
    .unwrap();
    assert_eq!(
        created
            .iter()
            .map(|r| (r.product_id, r.quantity, r.status(), r.store_id))
            .collect::<Vec<_>>(),
        [
            (soap, 24, RequestStatus::EnAttente, w.store),
            (oil, 12, RequestStatus::EnAttente, w.store),
            (bread, 6, RequestStatus::EnAttente, w.store),
        ]
    );
    assert!(created.iter().all(|r| r.note == "semaine 12"));
    assert_eq!(count(db.clone()).await, 3);
    let admin_batch = inventory::create_requests(&db, &w.admin, w.other_store, &[line(oil, 1)], "")
        .await
        .unwrap();
    assert_eq!(
        admin_batch[0].store_id, w.other_store,
        "head office may ask for any store"
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_request_history_names_who_did_each_step_and_its_movements(db: PgPool) {
    let w = world(&db).await;
    let oil = product(&db, &w, "MEN001", 210, true, 0, 100).await;
    let request = inventory::create_request(&db, &w.manager, w.store, oil, 30, "Rayon vide")
        .await
        .unwrap();
    inventory::transition(&db, &w.admin, request.id, Transition::Approve, None)
        .await
        .unwrap();
    inventory::transition(&db, &w.admin, request.id, Transition::Deliver, None)
        .await
        .unwrap();

    let history = inventory::request_history(&db, &w.manager, request.id)
        .await
        .unwrap();
    let steps: Vec<_> = history
        .steps
        .iter()
        .map(|s| (s.status, s.employee_name.as_deref(), s.note.as_deref()))
        .collect();
    assert_eq!(
        steps,
        vec![
            (RequestStatus::EnAttente, Some("gerant"), Some("Rayon vide")),
            (RequestStatus::Validee, Some("admin"), None),
            (RequestStatus::Livree, Some("admin"), None),
        ]
    );
    let moves: Vec<_> = history
        .movements
        .iter()
        .map(|m| (m.location.as_str(), m.delta, m.reason.as_str()))
        .collect();
    assert_eq!(
        moves,
        vec![
            ("warehouse", -30, "replenishment_out"),
            ("store", 30, "replenishment_in"),
        ]
    );

    let err = inventory::request_history(&db, &w.other_cashier, request.id)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::NotFound { .. }),
        "another store's staff cannot read it: for them it does not exist"
    );
    assert!(
        inventory::request_history(&db, &w.cashier, request.id)
            .await
            .is_ok(),
        "the requesting store's staff can"
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_refused_request_history_keeps_the_reason_and_moves_nothing(db: PgPool) {
    let w = world(&db).await;
    let oil = product(&db, &w, "MEN001", 210, true, 0, 100).await;
    let request = inventory::create_request(&db, &w.manager, w.store, oil, 10, "")
        .await
        .unwrap();
    inventory::transition(
        &db,
        &w.admin,
        request.id,
        Transition::Refuse,
        Some("Fin de série"),
    )
    .await
    .unwrap();
    let history = inventory::request_history(&db, &w.admin, request.id)
        .await
        .unwrap();
    assert_eq!(history.steps.len(), 2);
    assert_eq!(history.steps[0].note, None, "an empty note is no note");
    assert_eq!(history.steps[1].status, RequestStatus::Refusee);
    assert_eq!(history.steps[1].note.as_deref(), Some("Fin de série"));
    assert!(history.movements.is_empty());
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn only_head_office_reads_the_warehouse_stock(db: PgPool) {
    let w = world(&db).await;
    product(&db, &w, "MEN001", 210, true, 0, 100).await;
    for staff in [w.manager, w.cashier] {
        let err = inventory::list_stock(
            &db,
            &staff,
            inventory::Location::Warehouse,
            &Default::default(),
            PageRequest::default(),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    }
    let page = inventory::list_stock(
        &db,
        &w.admin,
        inventory::Location::Warehouse,
        &Default::default(),
        PageRequest::default(),
    )
    .await
    .unwrap();
    assert_eq!(page.items[0].quantity, 100);
}

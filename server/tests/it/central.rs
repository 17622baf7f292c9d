//! Stock central in-process: only head office reads it and moves requests; approving then
//! delivering moves both stocks exactly once; a stale page's transition is refused with a
//! message; filters, the history of a request, and a store's own requests on its stock page.

use crate::support::*;
use domain::catalog::NewProduct;
use domain::inventory::{self, Location};
use domain::{Actor, PageRequest, Role};
use http::StatusCode;
use sqlx::PgPool;

struct Setup {
    app: axum::Router,
    store: i64,
    other_store: i64,
    product: i64,
    request: i64,
}

/// Two stores, a product with 100 in the warehouse and none in the stores, and a request of 30
/// made by the first store's manager (`gerant1`, password `demo`).
async fn setup(pool: &PgPool) -> Setup {
    let store = add_store(pool, "Centre-Ville", "1200, rue Sainte-Catherine", "", 1).await;
    let other = add_store(pool, "Nord", "", "", 1).await;
    let category = add_category(pool, "Ménage").await;
    let new = NewProduct {
        name: "Liquide vaisselle".into(),
        warehouse_quantity: 100,
        ..new_product("MEN001", 210, true, category)
    };
    let product = product_with_stock(pool, &new, store.id, 0).await;
    let app = app(pool.clone());
    let manager = add_employee(
        pool,
        "gerant1",
        "Sophie Tremblay",
        "demo",
        Role::Gerant,
        Some(store.id),
    )
    .await;
    let request = inventory::create_request(pool, &manager.actor(), store.id, product, 30, "")
        .await
        .unwrap();
    Setup {
        app,
        store: store.id,
        other_store: other.id,
        product,
        request: request.id,
    }
}

async fn status_of(pool: &PgPool, request: i64) -> String {
    sqlx::query_scalar("SELECT status FROM replenishment_requests WHERE id = $1")
        .bind(request)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn quantity(pool: &PgPool, location: Location, product: i64) -> i32 {
    inventory::list_stock(
        pool,
        &Actor::System,
        location,
        &Default::default(),
        PageRequest::new(1, 100),
    )
    .await
    .unwrap()
    .items
    .into_iter()
    .find(|l| l.product_id == product)
    .unwrap()
    .quantity
}

async fn movements(pool: &PgPool, reason: &str, request: i64) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM stock_movements WHERE reason = $1 AND request_id = $2")
        .bind(reason)
        .bind(request)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn store_staff_can_neither_read_the_central_page_nor_move_requests(pool: PgPool) {
    let s = setup(&pool).await;
    let manager = cookie_pair(&sign_in(&s.app, "gerant1", "demo").await.set_cookie.unwrap());
    let cashier = employee_session(&s.app, &pool, "caissier1", Role::Caissier, Some(s.store)).await;
    for cookie in [&manager, &cashier] {
        let page = call(&s.app, "GET", "/entrepot", Some(cookie), None).await;
        // a refusal is a page of its own with its status (issue 13)
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert!(
            page.body.contains("Réservé au siège"),
            "refused: {}",
            page.body
        );
        assert!(!page.body.contains("data-request-id"), "no request listed");
        assert!(!page.body.contains("href=\"/entrepot\""), "no link to it");

        let csrf = csrf_of(&s.app, cookie).await;
        for endpoint in ["approve_request", "deliver_request"] {
            let reply = post(
                &s.app,
                cookie,
                endpoint,
                &format!("csrf={csrf}&request_id={}&back=/entrepot", s.request),
            )
            .await;
            assert!(
                reply.location.unwrap().contains("erreur=droits"),
                "{endpoint} refused"
            );
        }
        let reply = post(
            &s.app,
            cookie,
            "refuse_request",
            &format!(
                "csrf={csrf}&request_id={}&reason=non&back=/entrepot",
                s.request
            ),
        )
        .await;
        assert!(reply.location.unwrap().contains("erreur=droits"));
    }
    assert_eq!(status_of(&pool, s.request).await, "en_attente");
    assert_eq!(quantity(&pool, Location::Warehouse, s.product).await, 100);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn head_office_approves_then_delivers_and_both_stocks_move_once(pool: PgPool) {
    let s = setup(&pool).await;
    let admin = employee_session(&s.app, &pool, "admin", Role::Admin, None).await;
    let page = call(&s.app, "GET", "/entrepot", Some(&admin), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains(&format!("data-request-id=\"{}\"", s.request)),
        "{}",
        page.body
    );
    assert!(page.body.contains("Centre-Ville") && page.body.contains("MEN001"));
    assert!(page.body.contains("Valider") && page.body.contains("Refuser"));
    assert!(
        !page.body.contains(">Livrer<"),
        "no delivery before approval"
    );
    assert!(
        page.body.contains("Niveaux de l&#x27;entrepôt")
            || page.body.contains("Niveaux de l'entrepôt")
    );
    assert!(
        page.body.contains("href=\"/entrepot\""),
        "the top bar links to it"
    );
    let csrf = attribute(&page.body, "name=\"csrf\" value=\"");
    let form = |extra: &str| format!("csrf={csrf}&request_id={}&back=/entrepot{extra}", s.request);

    let approved = post(&s.app, &admin, "approve_request", &form("")).await;
    assert_eq!(approved.status, StatusCode::FOUND);
    assert_eq!(
        approved.location.as_deref(),
        Some(format!("/entrepot?fait=approve&demande={}", s.request).as_str())
    );
    assert_eq!(status_of(&pool, s.request).await, "validee");
    assert_eq!(quantity(&pool, Location::Warehouse, s.product).await, 70);
    assert_eq!(
        quantity(&pool, Location::Store(s.store), s.product).await,
        0
    );
    let page = call(
        &s.app,
        "GET",
        approved.location.as_deref().unwrap(),
        Some(&admin),
        None,
    )
    .await;
    assert!(
        page.body.contains("validée : le stock de l"),
        "{}",
        page.body
    );
    assert!(page.body.contains(">Livrer<"), "now it can be delivered");

    let again = post(&s.app, &admin, "approve_request", &form("")).await;
    let location = again.location.unwrap();
    assert!(
        location.contains("erreur=etat") && location.contains("statut=validee"),
        "{location}"
    );
    assert_eq!(quantity(&pool, Location::Warehouse, s.product).await, 70);

    let delivered = post(&s.app, &admin, "deliver_request", &form("")).await;
    assert!(delivered.location.unwrap().contains("fait=deliver"));
    assert_eq!(status_of(&pool, s.request).await, "livree");
    let twice = post(&s.app, &admin, "deliver_request", &form("")).await;
    assert!(twice.location.unwrap().contains("erreur=etat"));
    assert_eq!(quantity(&pool, Location::Warehouse, s.product).await, 70);
    assert_eq!(
        quantity(&pool, Location::Store(s.store), s.product).await,
        30
    );
    assert_eq!(movements(&pool, "replenishment_out", s.request).await, 1);
    assert_eq!(movements(&pool, "replenishment_in", s.request).await, 1);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_stale_page_transition_is_refused_with_a_message_and_refusal_needs_a_reason(
    pool: PgPool,
) {
    let s = setup(&pool).await;
    let admin = employee_session(&s.app, &pool, "admin", Role::Admin, None).await;
    let csrf = csrf_of(&s.app, &admin).await;
    let back = "/entrepot?statut=en_attente";
    let form = |extra: &str| {
        format!(
            "csrf={csrf}&request_id={}&back=%2Fentrepot%3Fstatut%3Den_attente{extra}",
            s.request
        )
    };

    let forged = post(
        &s.app,
        &admin,
        "approve_request",
        &format!("csrf=forged&request_id={}&back=/entrepot", s.request),
    )
    .await;
    assert!(
        !forged.location.unwrap_or_default().contains("fait="),
        "a forged form is refused"
    );
    assert_eq!(status_of(&pool, s.request).await, "en_attente");

    let no_reason = post(&s.app, &admin, "refuse_request", &form("&reason=+")).await;
    let location = no_reason.location.unwrap();
    assert!(
        location.starts_with(back) && location.contains("erreur=raison"),
        "{location}"
    );
    let page = call(&s.app, "GET", &location, Some(&admin), None).await;
    assert!(
        page.body.contains("Indiquez la raison du refus"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("aria-invalid=\"true\""),
        "next to the field"
    );
    assert_eq!(status_of(&pool, s.request).await, "en_attente");

    let refused = post(
        &s.app,
        &admin,
        "refuse_request",
        &form("&reason=Fin+de+s%C3%A9rie"),
    )
    .await;
    assert!(refused.location.unwrap().contains("fait=refuse"));
    assert_eq!(status_of(&pool, s.request).await, "refusee");

    // the page still showed the request as waiting: approving it now is refused
    let stale = post(&s.app, &admin, "approve_request", &form("")).await;
    let location = stale.location.unwrap();
    assert!(location.contains("statut=refusee"), "{location}");
    let page = call(&s.app, "GET", &location, Some(&admin), None).await;
    assert!(
        page.body.contains(&format!(
            "Impossible de valider la demande n° {} : elle est déjà « Refusée »",
            s.request
        )),
        "{}",
        page.body
    );
    assert_eq!(status_of(&pool, s.request).await, "refusee");
    assert_eq!(quantity(&pool, Location::Warehouse, s.product).await, 100);

    // a "back" link off the site is not followed
    let elsewhere = post(
        &s.app,
        &admin,
        "approve_request",
        &format!("csrf={csrf}&request_id={}&back=//evil.example/", s.request),
    )
    .await;
    assert!(elsewhere.location.unwrap().starts_with("/entrepot?"));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn filters_history_and_the_store_s_own_requests(pool: PgPool) {
    let s = setup(&pool).await;
    let admin_actor = domain::staff::create_demo_employee(
        &pool,
        &domain::staff::NewEmployee {
            login: "admin".into(),
            full_name: "Marc Siège".into(),
            password: "demo".into(),
            role: Role::Admin,
            store_id: None,
        },
    )
    .await
    .unwrap()
    .actor();
    let admin = cookie_pair(&sign_in(&s.app, "admin", "demo").await.set_cookie.unwrap());
    inventory::transition(
        &pool,
        &admin_actor,
        s.request,
        inventory::Transition::Approve,
        None,
    )
    .await
    .unwrap();
    let other_request =
        inventory::create_request(&pool, &admin_actor, s.other_store, s.product, 5, "")
            .await
            .unwrap();

    let pending = call(
        &s.app,
        "GET",
        "/entrepot?statut=en_attente",
        Some(&admin),
        None,
    )
    .await;
    assert!(
        pending
            .body
            .contains(&format!("data-request-id=\"{}\"", other_request.id))
    );
    assert!(
        !pending
            .body
            .contains(&format!("data-request-id=\"{}\"", s.request))
    );
    assert!(
        pending
            .body
            .contains("<option value=\"en_attente\" selected")
    );
    let by_store = call(
        &s.app,
        "GET",
        &format!("/entrepot?magasin={}", s.store),
        Some(&admin),
        None,
    )
    .await;
    assert!(
        by_store
            .body
            .contains(&format!("data-request-id=\"{}\"", s.request))
    );
    assert!(
        !by_store
            .body
            .contains(&format!("data-request-id=\"{}\"", other_request.id))
    );

    let history = call(
        &s.app,
        "GET",
        &format!("/entrepot/demandes/{}", s.request),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(history.status, StatusCode::OK);
    for text in [
        "Demandée",
        "Sophie Tremblay",
        "Validée",
        "Marc Siège",
        "-30",
        "Entrepôt",
    ] {
        assert!(history.body.contains(text), "{text}: {}", history.body);
    }
    assert!(history.body.contains(">Livrer<"));

    // the requesting store's staff read it, another store's do not
    let manager = cookie_pair(&sign_in(&s.app, "gerant1", "demo").await.set_cookie.unwrap());
    let own = call(
        &s.app,
        "GET",
        &format!("/entrepot/demandes/{}", s.request),
        Some(&manager),
        None,
    )
    .await;
    assert!(own.body.contains("Sophie Tremblay") && !own.body.contains(">Livrer<"));
    let stranger = employee_session(
        &s.app,
        &pool,
        "caissier3",
        Role::Caissier,
        Some(s.other_store),
    )
    .await;
    let refused = call(
        &s.app,
        "GET",
        &format!("/entrepot/demandes/{}", s.request),
        Some(&stranger),
        None,
    )
    .await;
    // another store's request is not found for them, like a missing one
    assert!(
        refused
            .body
            .contains("Demande de réapprovisionnement introuvable"),
        "{}",
        refused.body
    );
    assert!(!refused.body.contains("Sophie Tremblay"));

    // the store's stock page lists its own requests only
    let stock = call(
        &s.app,
        "GET",
        &format!("/magasins/{}/stock", s.store),
        Some(&manager),
        None,
    )
    .await;
    assert!(stock.body.contains("Demandes à l"));
    assert!(
        stock
            .body
            .contains(&format!("href=\"/entrepot/demandes/{}\"", s.request))
    );
    assert!(
        !stock
            .body
            .contains(&format!("/entrepot/demandes/{}\"", other_request.id))
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_store_manager_cancels_a_waiting_request_from_its_history(pool: PgPool) {
    let s = setup(&pool).await;
    let manager = cookie_pair(&sign_in(&s.app, "gerant1", "demo").await.set_cookie.unwrap());
    let page = call(
        &s.app,
        "GET",
        &format!("/entrepot/demandes/{}", s.request),
        Some(&manager),
        None,
    )
    .await;
    assert!(page.body.contains("Annuler la demande") && !page.body.contains(">Valider<"));
    let csrf = attribute(&page.body, "name=\"csrf\" value=\"");
    let back = format!("/entrepot/demandes/{}", s.request);
    let cancelled = post(
        &s.app,
        &manager,
        "cancel_request",
        &format!("csrf={csrf}&request_id={}&back={back}", s.request),
    )
    .await;
    assert_eq!(
        cancelled.location.as_deref(),
        Some(format!("{back}?fait=cancel&demande={}", s.request).as_str())
    );
    assert_eq!(status_of(&pool, s.request).await, "annulee");
    assert_eq!(quantity(&pool, Location::Warehouse, s.product).await, 100);
}

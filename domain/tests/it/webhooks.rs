//! Webhooks in the domain (`domain::webhooks`): the sequencer makes one delivery per event and
//! matching active subscription in the statement that numbers the event; claims never overlap
//! and an expired lease is taken again; failures back off, die after the retry window and
//! disable a subscription failing for too long; the log, the replay, the cascades.

use std::collections::HashSet;
use std::time::Duration;

use chrono::Utc;
use domain::outbox;
use domain::webhooks::{
    self, Claimed, DeliveryLogRequest, DeliveryStatus, NewSubscription, Outcome, RetryPolicy,
    Secret, SubscriptionChanges,
};
use sqlx::PgPool;

const LONG: Duration = Duration::from_secs(60);

fn policy() -> RetryPolicy {
    RetryPolicy {
        retry_window: Duration::from_secs(60),
        disable_after: Duration::from_secs(3600),
        backoff_base: Duration::from_secs(1),
        backoff_cap: Duration::from_secs(4),
    }
}

async fn subscribe(db: &PgPool, types: &[&str]) -> i64 {
    let new = NewSubscription {
        url: "http://127.0.0.1:9/hooks".into(),
        types: types.iter().map(|t| (*t).to_owned()).collect(),
        secret: None,
    };
    webhooks::create_subscription(db, &new).await.unwrap().0.id
}

/// Writes events of these types (as the triggers would) and numbers them.
async fn emit(db: &PgPool, types: &[&str]) -> Vec<i64> {
    write_events(db, types).await;
    outbox::sequence(db).await.unwrap();
    sqlx::query_scalar("SELECT id FROM events ORDER BY id DESC LIMIT $1")
        .bind(types.len() as i64)
        .fetch_all(db)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .collect()
}

async fn write_events(db: &PgPool, types: &[&str]) {
    for kind in types {
        sqlx::query("INSERT INTO events (type, data) VALUES ($1, '{\"n\": 1}')")
            .bind(kind)
            .execute(db)
            .await
            .unwrap();
    }
}

/// `(subscription, event)` of every delivery.
async fn deliveries_made(db: &PgPool) -> Vec<(i64, i64)> {
    sqlx::query_as("SELECT subscription_id, event_id FROM webhook_deliveries ORDER BY event_id, subscription_id")
        .fetch_all(db)
        .await
        .unwrap()
}

fn outcome(status_code: Option<u16>) -> Outcome {
    Outcome {
        attempted_at: Utc::now(),
        duration: Duration::from_millis(12),
        status_code,
        error: status_code
            .is_none()
            .then(|| "connexion impossible".to_owned()),
        delivered: status_code.is_some_and(|c| (200..300).contains(&c)),
    }
}

async fn claim_all(db: &PgPool, owner: &str) -> Vec<Claimed> {
    webhooks::claim(db, owner, 1000, LONG).await.unwrap()
}

/// Makes every pending delivery due now, as if its back-off had passed.
async fn time_passes(db: &PgPool) {
    sqlx::query(
        "UPDATE webhook_deliveries SET next_attempt_at = now()
         WHERE status = 'pending' AND next_attempt_at <> 'infinity'",
    )
    .execute(db)
    .await
    .unwrap();
}

async fn status_of(db: &PgPool, delivery: i64) -> (String, i32) {
    sqlx::query_as("SELECT status, attempts FROM webhook_deliveries WHERE id = $1")
        .bind(delivery)
        .fetch_one(db)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn each_numbered_event_fans_out_to_the_matching_active_subscriptions(db: PgPool) {
    emit(&db, &["sale.created"]).await;
    let all = subscribe(&db, &[]).await;
    let sales = subscribe(&db, &["sale.created", "return.created"]).await;
    let off = subscribe(&db, &[]).await;
    webhooks::update_subscription(
        &db,
        off,
        &SubscriptionChanges {
            active: Some(false),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        deliveries_made(&db).await.is_empty(),
        "an event numbered before a subscription existed is not sent to it"
    );

    // written but not yet numbered: not in the feed, so no delivery either
    write_events(&db, &["sale.created", "stock.changed"]).await;
    assert!(deliveries_made(&db).await.is_empty());
    // a subscription created now gets what is numbered after it, even if written before
    let late = subscribe(&db, &["stock.changed"]).await;
    outbox::sequence(&db).await.unwrap();
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM events ORDER BY id")
        .fetch_all(&db)
        .await
        .unwrap();
    let (sale, stock) = (ids[1], ids[2]);
    assert_eq!(
        deliveries_made(&db).await,
        [(all, sale), (sales, sale), (all, stock), (late, stock)]
    );
    // numbering again makes nothing twice
    outbox::sequence(&db).await.unwrap();
    outbox::try_sequence(&db).await.unwrap();
    assert_eq!(deliveries_made(&db).await.len(), 4);

    // a change that rolls back writes no event, hence no delivery
    let mut tx = db.begin().await.unwrap();
    sqlx::query("INSERT INTO events (type, data) VALUES ('sale.created', '{}')")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    outbox::sequence(&db).await.unwrap();
    assert_eq!(deliveries_made(&db).await.len(), 4);

    // the feed's reader numbers too, and makes the deliveries in the same statement
    write_events(&db, &["return.created"]).await;
    let request = outbox::FeedRequest {
        after: stock,
        types: None,
        limit: 10,
        stores: None,
    };
    let page = outbox::feed(&db, &request).await.unwrap();
    let ret = page.events[0].id;
    let made = deliveries_made(&db).await;
    assert_eq!(made[4..], [(all, ret), (sales, ret)]);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn claims_never_overlap_and_an_expired_lease_is_taken_again(db: PgPool) {
    subscribe(&db, &[]).await;
    emit(&db, &["product.updated"; 50]).await;
    let (a, b) = tokio::join!(
        webhooks::claim(&db, "a", 30, LONG),
        webhooks::claim(&db, "b", 30, LONG)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let ids_a: HashSet<i64> = a.iter().map(|c| c.delivery_id).collect();
    let ids_b: HashSet<i64> = b.iter().map(|c| c.delivery_id).collect();
    assert!(ids_a.is_disjoint(&ids_b), "one claimer per delivery");
    assert_eq!(ids_a.len() + ids_b.len(), 50);
    assert!(claim_all(&db, "c").await.is_empty(), "all leased");
    assert_eq!(a[0].event.kind, "product.updated");
    assert_eq!(a[0].event.data.get(), r#"{"n": 1}"#);
    assert_eq!(a[0].secret.expose().len(), 64);

    // a worker that dies: its lease expires and another takes its delivery
    let all = subscribe(&db, &[]).await;
    emit(&db, &["stock.changed"]).await;
    let dying = webhooks::claim(&db, "dying", 10, Duration::from_millis(300))
        .await
        .unwrap();
    assert_eq!(dying.len(), 2, "one per subscription");
    assert!(claim_all(&db, "heir").await.is_empty(), "still leased");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let heir = claim_all(&db, "heir").await;
    let taken: HashSet<i64> = heir.iter().map(|c| c.delivery_id).collect();
    assert_eq!(
        taken,
        dying.iter().map(|c| c.delivery_id).collect::<HashSet<_>>()
    );

    // the late worker's failure is not its to record any more (the attempt is logged)...
    let late = dying.iter().find(|c| c.subscription_id == all).unwrap();
    let recorded = webhooks::record(&db, late, &outcome(Some(500)), &policy())
        .await
        .unwrap();
    assert_eq!(recorded.status, None);
    assert_eq!(
        status_of(&db, late.delivery_id).await,
        ("pending".into(), 0)
    );
    // ... but its success is the truth, whoever holds the lease
    let recorded = webhooks::record(&db, late, &outcome(Some(204)), &policy())
        .await
        .unwrap();
    assert_eq!(recorded.status, Some(DeliveryStatus::Delivered));
    let heir_claim = heir
        .iter()
        .find(|c| c.delivery_id == late.delivery_id)
        .unwrap();
    let recorded = webhooks::record(&db, heir_claim, &outcome(Some(200)), &policy())
        .await
        .unwrap();
    assert_eq!(recorded.status, None, "already delivered");
    let attempts: i64 =
        sqlx::query_scalar("SELECT count(*) FROM webhook_attempts WHERE delivery_id = $1")
            .bind(late.delivery_id)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(attempts, 3, "every attempt is in the log");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn failures_back_off_then_die_when_the_retry_window_is_over(db: PgPool) {
    let sub = subscribe(&db, &[]).await;
    emit(&db, &["sale.created"]).await;
    let first = claim_all(&db, "w").await.pop().unwrap();
    let before = Utc::now();
    let recorded = webhooks::record(&db, &first, &outcome(Some(503)), &policy())
        .await
        .unwrap();
    assert_eq!(recorded.status, Some(DeliveryStatus::Pending));
    let (next, first_at, code): (
        chrono::DateTime<Utc>,
        Option<chrono::DateTime<Utc>>,
        Option<i32>,
    ) = sqlx::query_as(
        "SELECT next_attempt_at, first_attempt_at, last_status_code
             FROM webhook_deliveries WHERE id = $1",
    )
    .bind(first.delivery_id)
    .fetch_one(&db)
    .await
    .unwrap();
    let wait = (next - before).num_milliseconds();
    assert!(
        (400..=1200).contains(&wait),
        "half to all of the 1 s base: {wait} ms"
    );
    assert!(first_at.is_some() && code == Some(503));
    assert!(
        claim_all(&db, "w").await.is_empty(),
        "not due before its back-off"
    );
    let sub_now = webhooks::get_subscription(&db, sub).await.unwrap();
    assert!(sub_now.failing_since.is_some() && sub_now.active);

    // the second failure waits twice as long (1 to 2 s)
    time_passes(&db).await;
    let second = claim_all(&db, "w").await.pop().unwrap();
    assert_eq!(second.attempts, 1);
    webhooks::record(&db, &second, &outcome(None), &policy())
        .await
        .unwrap();
    let wait: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM next_attempt_at - now())::FLOAT8 FROM webhook_deliveries WHERE id = $1",
    )
    .bind(first.delivery_id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert!((0.9..=2.1).contains(&wait), "{wait} s");

    // the next attempt is never after the window's end
    sqlx::query(
        "UPDATE webhook_deliveries SET first_attempt_at = now() - interval '59.5 seconds',
             next_attempt_at = now() WHERE id = $1",
    )
    .bind(first.delivery_id)
    .execute(&db)
    .await
    .unwrap();
    let third = claim_all(&db, "w").await.pop().unwrap();
    webhooks::record(&db, &third, &outcome(Some(500)), &policy())
        .await
        .unwrap();
    let wait: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM next_attempt_at - (first_attempt_at + interval '60 seconds'))::FLOAT8
         FROM webhook_deliveries WHERE id = $1",
    )
    .bind(first.delivery_id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(
        wait.abs() < 0.01,
        "the last attempt at the window's end: {wait}"
    );

    // a failure once the window is over: dead, in the dead-letter list
    sqlx::query(
        "UPDATE webhook_deliveries SET first_attempt_at = now() - interval '61 seconds',
             next_attempt_at = now() WHERE id = $1",
    )
    .bind(first.delivery_id)
    .execute(&db)
    .await
    .unwrap();
    let last = claim_all(&db, "w").await.pop().unwrap();
    let recorded = webhooks::record(&db, &last, &outcome(Some(500)), &policy())
        .await
        .unwrap();
    assert_eq!(recorded.status, Some(DeliveryStatus::Dead));
    assert!(!recorded.disabled, "failing for a minute, not an hour");
    let dead = webhooks::deliveries(
        &db,
        &DeliveryLogRequest {
            subscription_id: sub,
            status: Some(DeliveryStatus::Dead),
            after: 0,
            limit: 10,
        },
    )
    .await
    .unwrap();
    assert_eq!(dead.items.len(), 1);
    let letter = &dead.items[0];
    assert_eq!((letter.attempts, letter.log.len()), (4, 4));
    assert_eq!(letter.log[1].status_code, None);
    assert_eq!(letter.log[1].error.as_deref(), Some("connexion impossible"));
    assert_eq!(letter.log[3].status_code, Some(500));
    assert_eq!(letter.next_attempt_at, None);
    assert!(
        claim_all(&db, "w").await.is_empty(),
        "a dead letter is never claimed"
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_subscription_failing_for_the_whole_window_is_disabled_until_re_activated(db: PgPool) {
    let failing = subscribe(&db, &[]).await;
    emit(&db, &["sale.created", "stock.changed", "stock.changed"]).await;
    let mut claimed = claim_all(&db, "w").await;
    let third = claimed.pop().unwrap();
    let second = claimed.pop().unwrap();
    let first = claimed.pop().unwrap();
    webhooks::record(&db, &first, &outcome(Some(500)), &policy())
        .await
        .unwrap();
    // a success forgets the failures
    webhooks::record(&db, &second, &outcome(Some(200)), &policy())
        .await
        .unwrap();
    let sub = webhooks::get_subscription(&db, failing).await.unwrap();
    assert_eq!(sub.failing_since, None);
    webhooks::record(&db, &third, &outcome(Some(500)), &policy())
        .await
        .unwrap();
    let sub = webhooks::get_subscription(&db, failing).await.unwrap();
    assert!(sub.failing_since.is_some() && sub.active);

    // failing for more than `disable_after`: the next failure disables it
    sqlx::query("UPDATE webhook_subscriptions SET failing_since = now() - interval '2 hours'")
        .execute(&db)
        .await
        .unwrap();
    time_passes(&db).await;
    let again = claim_all(&db, "w").await;
    assert_eq!(again.len(), 2);
    let recorded = webhooks::record(&db, &again[0], &outcome(Some(500)), &policy())
        .await
        .unwrap();
    assert!(recorded.disabled);
    assert_eq!(
        recorded.status,
        Some(DeliveryStatus::Pending),
        "within its own window"
    );
    let sub = webhooks::get_subscription(&db, failing).await.unwrap();
    assert!(!sub.active && sub.disabled_at.is_some());
    assert!(
        sub.disabled_reason.as_deref().unwrap().contains("1 h"),
        "{:?}",
        sub.disabled_reason
    );
    // its other attempt in flight ends; nothing of it is due any more, nor made for new events
    webhooks::record(&db, &again[1], &outcome(Some(500)), &policy())
        .await
        .unwrap();
    time_passes(&db).await;
    emit(&db, &["sale.created"]).await;
    assert!(
        claim_all(&db, "w").await.is_empty(),
        "parked while disabled"
    );
    assert_eq!(deliveries_made(&db).await.len(), 3);

    // re-activated: its failures forgotten, its pending deliveries due at once
    let sub = webhooks::update_subscription(
        &db,
        failing,
        &SubscriptionChanges {
            active: Some(true),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(sub.active);
    assert_eq!(
        (sub.failing_since, sub.disabled_at, sub.disabled_reason),
        (None, None, None)
    );
    assert_eq!(claim_all(&db, "w").await.len(), 2);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_log_pages_by_cursor_and_a_delivery_can_be_replayed(db: PgPool) {
    let sub = subscribe(&db, &[]).await;
    let other = subscribe(&db, &["customer.created"]).await;
    emit(&db, &["sale.created"; 5]).await;
    for claimed in claim_all(&db, "w").await {
        webhooks::record(&db, &claimed, &outcome(Some(200)), &policy())
            .await
            .unwrap();
    }
    let request = |after, limit| DeliveryLogRequest {
        subscription_id: sub,
        status: None,
        after,
        limit,
    };
    let page = webhooks::deliveries(&db, &request(0, 3)).await.unwrap();
    assert_eq!(page.items.len(), 3);
    assert_eq!(page.next_after, Some(page.items[2].id));
    let rest = webhooks::deliveries(&db, &request(page.items[2].id, 3))
        .await
        .unwrap();
    assert_eq!((rest.items.len(), rest.next_after), (2, None));
    let delivered = &page.items[0];
    assert_eq!(delivered.status, DeliveryStatus::Delivered);
    assert_eq!(delivered.event_type, "sale.created");
    assert!(delivered.delivered_at.is_some());
    assert_eq!(delivered.log[0].worker, "w");
    assert!(
        webhooks::deliveries(
            &db,
            &DeliveryLogRequest {
                subscription_id: other,
                ..request(0, 10)
            }
        )
        .await
        .unwrap()
        .items
        .is_empty()
    );
    for bad in [request(-1, 10), request(0, 0), request(0, 201)] {
        assert!(matches!(
            webhooks::deliveries(&db, &bad).await,
            Err(domain::Error::Validation(_))
        ));
    }
    assert!(matches!(
        webhooks::deliveries(
            &db,
            &DeliveryLogRequest {
                subscription_id: 999,
                ..request(0, 10)
            }
        )
        .await,
        Err(domain::Error::NotFound { .. })
    ));

    // a delivered delivery sent again: pending and due, attempts from zero, its log kept
    let replayed = webhooks::replay(&db, delivered.id).await.unwrap();
    assert_eq!(replayed.status, DeliveryStatus::Pending);
    assert_eq!((replayed.attempts, replayed.log.len()), (0, 1));
    assert!(replayed.next_attempt_at.is_some());
    assert!(matches!(
        webhooks::replay(&db, delivered.id).await,
        Err(domain::Error::Conflict(_))
    ));
    assert!(matches!(
        webhooks::replay(&db, 987_654).await,
        Err(domain::Error::NotFound { .. })
    ));
    let again = claim_all(&db, "w").await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].delivery_id, delivered.id);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn subscriptions_are_checked_and_their_deliveries_go_with_them(db: PgPool) {
    let bad = NewSubscription {
        url: "ftp://exemple.ca/x".into(),
        types: vec!["sale.created".into(), "sale.lost".into()],
        secret: Some(Secret::new("short".into())),
    };
    let Err(domain::Error::Validation(errors)) = webhooks::create_subscription(&db, &bad).await
    else {
        panic!("invalid subscription accepted");
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["url", "types[1]", "secret"]);

    let chosen = NewSubscription {
        url: "HTTPS://Boutique.Exemple.CA/hooks".into(),
        types: vec!["sale.created".into()],
        secret: Some(Secret::new("a-secret-of-our-own".into())),
    };
    let (sub, secret) = webhooks::create_subscription(&db, &chosen).await.unwrap();
    assert_eq!(sub.url, "https://boutique.exemple.ca/hooks");
    assert_eq!(secret.expose(), "a-secret-of-our-own");
    assert!(!format!("{sub:?}").contains("a-secret-of-our-own"));
    let changed = webhooks::update_subscription(
        &db,
        sub.id,
        &SubscriptionChanges {
            types: Some(vec![]),
            url: Some("http://exemple.ca/v2".into()),
            active: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(changed.types, Vec::<String>::new());
    assert_eq!(changed.url, "http://exemple.ca/v2");
    assert!(matches!(
        webhooks::update_subscription(&db, 4242, &SubscriptionChanges::default()).await,
        Err(domain::Error::NotFound { .. })
    ));

    // the feed's purge takes the deliveries (and their log) of the events it forgets
    emit(&db, &["sale.created", "sale.created"]).await;
    let claimed = claim_all(&db, "w").await;
    webhooks::record(&db, &claimed[0], &outcome(Some(200)), &policy())
        .await
        .unwrap();
    sqlx::query("UPDATE events SET occurred_at = now() - interval '31 days' WHERE id = $1")
        .bind(claimed[0].event.id)
        .execute(&db)
        .await
        .unwrap();
    outbox::purge_expired(&db).await.unwrap();
    assert_eq!(deliveries_made(&db).await.len(), 1);
    let log: i64 = sqlx::query_scalar("SELECT count(*) FROM webhook_attempts")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(log, 0);

    // deleting the subscription takes the rest
    webhooks::delete_subscription(&db, sub.id).await.unwrap();
    assert!(deliveries_made(&db).await.is_empty());
    assert!(matches!(
        webhooks::delete_subscription(&db, sub.id).await,
        Err(domain::Error::NotFound { .. })
    ));
}

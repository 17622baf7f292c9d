//! Webhooks end to end: the API manages subscriptions (admin scope), the real delivery worker
//! (`public_api::webhooks`, as `serve()` spawns it) POSTs to a real HTTP receiver on a random
//! local port, over the test's PostgreSQL. Delays are shortened through the settings: a retry
//! window of seconds instead of 24 h.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use common::shutdown::CancellationToken;
use common::tasks::Tasks;
use domain::webhooks::RetryPolicy;
use hmac::{Hmac, Mac};
use http::{Method, StatusCode};
use public_api::webhooks::WebhookSettings;
use serde_json::{Value, json};
use sha2::Sha256;
use sqlx::PgPool;

use crate::helpers::*;

// ---------------------------------------------------------------------------------------------
// The receiver: an integrator's endpoint, checking what a real one would.

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Received {
    id: Option<i64>,
    timestamp: Option<i64>,
    signature: Option<String>,
    content_type: Option<String>,
    body: Vec<u8>,
    /// What the receiver answered.
    answered: u16,
}

#[derive(Default)]
struct Inbox {
    /// The status to answer (200 when 0).
    answer: AtomicU16,
    /// Milliseconds to wait before answering.
    delay_ms: AtomicU64,
    received: Mutex<Vec<Received>>,
}

impl Inbox {
    fn answer(&self, status: u16) {
        self.answer.store(status, Ordering::SeqCst);
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// The event ids it took (answered 2xx), with repeats.
    fn taken(&self) -> Vec<i64> {
        self.received()
            .iter()
            .filter(|r| (200..300).contains(&r.answered))
            .filter_map(|r| r.id)
            .collect()
    }
}

async fn receive(State(inbox): State<Arc<Inbox>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let delay = inbox.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let answered = match inbox.answer.load(Ordering::SeqCst) {
        0 => 200,
        status => status,
    };
    inbox.received.lock().unwrap().push(Received {
        id: header("x-webhook-id").and_then(|v| v.parse().ok()),
        timestamp: header("x-webhook-timestamp").and_then(|v| v.parse().ok()),
        signature: header("x-webhook-signature"),
        content_type: header("content-type"),
        body: body.to_vec(),
        answered,
    });
    StatusCode::from_u16(answered).unwrap()
}

/// A receiver listening on `port` (0: any free one); its address and inbox.
async fn receiver_on(port: u16, inbox: Arc<Inbox>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new()
        .route("/hooks", axum::routing::post(receive))
        .with_state(inbox);
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

async fn receiver() -> (SocketAddr, Arc<Inbox>) {
    let inbox = Arc::new(Inbox::default());
    (receiver_on(0, inbox.clone()).await, inbox)
}

/// What the receiver checks: `sha256=` and the hex HMAC-SHA256 of "timestamp.body" keyed with
/// the secret (written here from the definition, not with the API's own code).
fn verifies(secret: &str, received: &Received) -> bool {
    let (Some(timestamp), Some(signature)) = (received.timestamp, &received.signature) else {
        return false;
    };
    let Some(hex) = signature.strip_prefix("sha256=") else {
        return false;
    };
    let Ok(bytes) = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("zz"), 16))
        .collect::<Result<Vec<u8>, _>>()
    else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(&received.body);
    mac.verify_slice(&bytes).is_ok()
}

// ---------------------------------------------------------------------------------------------
// Workers, as `serve()` starts them: one `Tasks` and one pool per "instance".

fn settings(policy: RetryPolicy) -> WebhookSettings {
    WebhookSettings {
        concurrency: 16,
        timeout: Duration::from_millis(1000),
        lease: Duration::from_millis(2000),
        poll: Duration::from_millis(50),
        policy,
    }
}

/// Retries every 100 to 400 ms for `window`; disabled after an hour of failures.
fn retrying_for(window: Duration) -> RetryPolicy {
    RetryPolicy {
        retry_window: window,
        disable_after: Duration::from_secs(3600),
        backoff_base: Duration::from_millis(100),
        backoff_cap: Duration::from_millis(400),
    }
}

struct Instance {
    tasks: Tasks,
    owner: String,
}

async fn start(pool: &PgPool, name: &str, settings: WebhookSettings) -> Instance {
    let own_pool = domain::db::connect(&database_url(pool), 8).await.unwrap();
    let mut tasks = Tasks::new(CancellationToken::new());
    let worker = public_api::webhooks::spawn(&mut tasks, own_pool, settings, name)
        .unwrap()
        .expect("a worker");
    Instance {
        tasks,
        owner: worker.owner().to_owned(),
    }
}

impl Instance {
    async fn stop(self) {
        self.tasks.stopped(Duration::from_secs(5)).await;
    }
}

/// Waits up to `limit` for `done`.
async fn eventually(what: &str, limit: Duration, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done().await {
        assert!(Instant::now() < deadline, "still waiting for {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Writes `n` events (as the triggers would) and numbers them, as the sequencer task does.
async fn emit(pool: &PgPool, n: i64) {
    sqlx::query(
        "INSERT INTO events (type, store_id, data)
         SELECT 'stock.changed', 1, jsonb_build_object('n', g, 'quantity', 10.50)
         FROM generate_series(1, $1) AS g",
    )
    .bind(n)
    .execute(pool)
    .await
    .unwrap();
    domain::outbox::sequence(pool).await.unwrap();
}

async fn subscribe(api: &TestApi, url: &str, body: Value) -> (i64, String) {
    let mut body = body;
    body["url"] = json!(url);
    let created = api.send(Method::POST, "/api/v1/webhooks", body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    (
        created.body["id"].as_i64().unwrap(),
        created.body["secret"].as_str().unwrap().to_owned(),
    )
}

async fn log(api: &TestApi, subscription: i64, query: &str) -> Vec<Value> {
    let reply = api
        .get(&format!(
            "/api/v1/webhooks/{subscription}/deliveries?limit=200{query}"
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body["items"].as_array().unwrap().clone()
}

// ---------------------------------------------------------------------------------------------

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn webhooks_arrive_signed_with_the_event_as_the_feed_gives_it(pool: PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool.clone());
    let (addr, inbox) = receiver().await;
    let (id, secret) = subscribe(
        &api,
        &format!("http://{addr}/hooks"),
        json!({"types": ["product.updated", "price.changed"]}),
    )
    .await;
    let cursor = api.get("/api/v1/events").await.body["next_after"]
        .as_i64()
        .unwrap();
    let patched = api
        .send(
            Method::PATCH,
            &format!("/api/v1/products/{}", w.cola),
            json!({"prix": 1.95}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{:?}", patched.body);
    // a sale: events of other types, not sent to this subscription
    let sale = api
        .sell(
            w.store,
            "order-1",
            json!({"lignes": [{"produit_id": w.soap, "quantite": 1}], "mode_paiement": "carte"}),
        )
        .await;
    assert_eq!(sale.status, StatusCode::CREATED, "{:?}", sale.body);
    let feed = api.get(&format!("/api/v1/events?after={cursor}")).await;
    let events = feed.body["events"].as_array().unwrap().clone();
    assert_eq!(events.len(), 4, "{events:?}");

    let instance = start(
        &pool,
        "api-1",
        settings(retrying_for(Duration::from_secs(30))),
    )
    .await;
    eventually("two deliveries", Duration::from_secs(20), async || {
        inbox.taken().len() >= 2
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    instance.stop().await;

    let received = inbox.received();
    assert_eq!(received.len(), 2, "only the subscribed types, once each");
    let now = chrono::Utc::now().timestamp();
    for r in &received {
        assert!(verifies(&secret, r), "signature of {r:?}");
        assert!(!verifies("another-secret-entirely", r));
        assert!((now - r.timestamp.unwrap()).abs() < 60);
        assert_eq!(r.content_type.as_deref(), Some("application/json"));
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(Some(body["id"].as_i64().unwrap()), r.id, "X-Webhook-Id");
        let fed = events.iter().find(|e| e["id"] == body["id"]).unwrap();
        assert_eq!(&body, fed, "the body is the event as GET /events gives it");
    }
    let price = received
        .iter()
        .find(|r| r.body.windows(13).any(|w| w == b"price.changed"))
        .unwrap();
    let text = String::from_utf8(price.body.clone()).unwrap();
    assert!(
        text.contains(r#""price": 1.95"#) && text.contains(r#""old_price": 1.80"#),
        "money keeps its two decimals: {text}"
    );

    // the delivery log says so
    let deliveries = log(&api, id, "").await;
    assert_eq!(deliveries.len(), 2);
    for d in &deliveries {
        assert_eq!(d["statut"], "livree", "{d}");
        assert_eq!(d["tentatives"], 1);
        assert_eq!(d["journal"][0]["code_http"], 200);
        assert!(
            d["journal"][0]["instance"]
                .as_str()
                .unwrap()
                .starts_with("api-1/")
        );
        assert!(d["livree_le"].is_string());
    }
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn webhooks_reach_a_receiver_that_was_down_through_retries(pool: PgPool) {
    let api = TestApi::new(pool.clone());
    let port = free_port();
    let (id, secret) = subscribe(&api, &format!("http://127.0.0.1:{port}/hooks"), json!({})).await;
    emit(&pool, 5).await;
    let instance = start(
        &pool,
        "api-1",
        settings(retrying_for(Duration::from_secs(60))),
    )
    .await;
    // nothing listens: refused, retried with back-off
    eventually(
        "a few failed attempts",
        Duration::from_secs(20),
        async || {
            log(&api, id, "")
                .await
                .iter()
                .all(|d| d["tentatives"].as_i64().unwrap() >= 3)
        },
    )
    .await;
    let failing = log(&api, id, "").await;
    assert!(failing.iter().all(|d| d["statut"] == "en_attente"));
    let first = &failing[0]["journal"][0];
    assert!(first["code_http"].is_null(), "{first}");
    assert!(
        first["erreur"]
            .as_str()
            .unwrap()
            .starts_with("connexion impossible"),
        "{first}"
    );
    let webhook = api.get(&format!("/api/v1/webhooks/{id}")).await;
    assert!(webhook.body["en_echec_depuis"].is_string());
    assert_eq!(webhook.body["actif"], true);

    // the receiver comes up: the next retries deliver
    let inbox = Arc::new(Inbox::default());
    receiver_on(port, inbox.clone()).await;
    eventually("the five events", Duration::from_secs(20), async || {
        inbox.taken().iter().collect::<HashSet<_>>().len() == 5
    })
    .await;
    eventually("the log to say so", Duration::from_secs(5), async || {
        log(&api, id, "")
            .await
            .iter()
            .all(|d| d["statut"] == "livree")
    })
    .await;
    instance.stop().await;
    assert!(inbox.received().iter().all(|r| verifies(&secret, r)));
    assert_eq!(inbox.taken().len(), 5, "once each");
    let webhook = api.get(&format!("/api/v1/webhooks/{id}")).await;
    assert!(
        webhook.body["en_echec_depuis"].is_null(),
        "a success forgets the failures"
    );
    for d in log(&api, id, "").await {
        let journal = d["journal"].as_array().unwrap();
        assert!(journal.len() >= 4, "{d}");
        assert_eq!(journal.last().unwrap()["code_http"], 200);
    }
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn webhooks_dead_after_the_retry_window_are_listed_then_replayed(pool: PgPool) {
    let api = TestApi::new(pool.clone());
    let (addr, inbox) = receiver().await;
    inbox.answer(500);
    let (id, secret) = subscribe(
        &api,
        &format!("http://{addr}/hooks"),
        json!({"types": [], "secret": "our-own-secret-of-the-shop"}),
    )
    .await;
    assert_eq!(secret, "our-own-secret-of-the-shop");
    emit(&pool, 1).await;
    let instance = start(
        &pool,
        "api-1",
        settings(retrying_for(Duration::from_secs(2))),
    )
    .await;
    eventually("the dead letter", Duration::from_secs(20), async || {
        log(&api, id, "&statut=abandonnee").await.len() == 1
    })
    .await;
    let dead = &log(&api, id, "&statut=abandonnee").await[0];
    let attempts = dead["tentatives"].as_i64().unwrap();
    assert!(attempts >= 3, "retried for the window: {dead}");
    let journal = dead["journal"].as_array().unwrap();
    assert_eq!(journal.len() as i64, attempts);
    assert!(journal.iter().all(|a| a["code_http"] == 500));
    assert!(dead["prochaine_tentative"].is_null());
    let first =
        chrono::DateTime::parse_from_rfc3339(dead["premiere_tentative"].as_str().unwrap()).unwrap();
    let last =
        chrono::DateTime::parse_from_rfc3339(dead["derniere_tentative"].as_str().unwrap()).unwrap();
    assert!(
        (last - first).num_milliseconds() >= 2000,
        "the last attempt ends the 2 s window"
    );
    assert_eq!(inbox.received().len() as i64, attempts);
    assert!(log(&api, id, "&statut=en_attente").await.is_empty());
    let metrics = api.call(Method::GET, "/metrics", None, None).await;
    for name in [
        "webhook_deliveries_total{outcome=\"failed\"}",
        "webhook_dead_letters_total",
        "webhook_delivery_duration_seconds",
    ] {
        assert!(
            metrics.text().contains(name),
            "{name} missing from /metrics"
        );
    }

    // fixed, and replayed: delivered once, with a fresh count of attempts
    inbox.answer(204);
    let delivery = dead["id"].as_i64().unwrap();
    let replayed = api
        .call(
            Method::POST,
            &format!("/api/v1/webhooks/deliveries/{delivery}/replay"),
            Some(ADMIN),
            None,
        )
        .await;
    assert_eq!(replayed.status, StatusCode::ACCEPTED, "{:?}", replayed.body);
    assert_eq!(replayed.body["statut"], "en_attente");
    assert_eq!(replayed.body["tentatives"], 0);
    eventually(
        "the replayed delivery",
        Duration::from_secs(20),
        async || !inbox.taken().is_empty(),
    )
    .await;
    eventually("the log to say so", Duration::from_secs(5), async || {
        log(&api, id, "&statut=livree").await.len() == 1
    })
    .await;
    instance.stop().await;
    assert_eq!(inbox.taken().len(), 1);
    assert!(inbox.received().iter().all(|r| verifies(&secret, r)));
    let delivered = &log(&api, id, "").await[0];
    assert_eq!(delivered["tentatives"], 1);
    let journal = delivered["journal"].as_array().unwrap();
    assert_eq!(
        journal.len() as i64,
        attempts + 1,
        "the log keeps the failures"
    );
    assert_eq!(journal.last().unwrap()["code_http"], 204);
    let webhook = api.get(&format!("/api/v1/webhooks/{id}")).await;
    assert_eq!(
        webhook.body["actif"], true,
        "failing 2 s is not failing 1 h"
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn webhooks_failing_for_the_whole_window_are_disabled_and_say_so(pool: PgPool) {
    let api = TestApi::new(pool.clone());
    let (addr, inbox) = receiver().await;
    inbox.answer(503);
    let (id, _) = subscribe(&api, &format!("http://{addr}/hooks"), json!({})).await;
    emit(&pool, 2).await;
    let policy = RetryPolicy {
        disable_after: Duration::from_secs(1),
        ..retrying_for(Duration::from_secs(60))
    };
    let instance = start(&pool, "api-1", settings(policy)).await;
    eventually(
        "the subscription disabled",
        Duration::from_secs(20),
        async || api.get(&format!("/api/v1/webhooks/{id}")).await.body["actif"] == false,
    )
    .await;
    let webhook = api.get(&format!("/api/v1/webhooks/{id}")).await.body;
    assert!(webhook["desactive_le"].is_string(), "{webhook}");
    assert!(webhook["en_echec_depuis"].is_string());
    let reason = webhook["raison_desactivation"].as_str().unwrap();
    assert!(
        reason.contains("échoué") && reason.contains("1 s"),
        "{reason}"
    );
    let listed = api.get("/api/v1/webhooks").await.body;
    assert_eq!(listed["items"][0]["actif"], false);

    // disabled: nothing is attempted, nor made for new events
    let seen = inbox.received().len();
    emit(&pool, 3).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(inbox.received().len(), seen);
    let deliveries = log(&api, id, "").await;
    assert_eq!(deliveries.len(), 2);
    assert!(
        deliveries
            .iter()
            .all(|d| d["statut"] == "en_attente" && d["prochaine_tentative"].is_null())
    );

    // fixed and re-activated: its failures forgotten, its pending deliveries delivered
    inbox.answer(200);
    let reactivated = api
        .send(
            Method::PATCH,
            &format!("/api/v1/webhooks/{id}"),
            json!({"actif": true}),
        )
        .await;
    assert_eq!(reactivated.status, StatusCode::OK, "{:?}", reactivated.body);
    for field in ["en_echec_depuis", "desactive_le", "raison_desactivation"] {
        assert!(reactivated.body[field].is_null(), "{field}");
    }
    eventually(
        "the two pending deliveries",
        Duration::from_secs(20),
        async || inbox.taken().len() == 2,
    )
    .await;
    instance.stop().await;
}

/// The 1,000 events of the concurrency tests, and the receiver's verdict.
struct Tally {
    distinct: usize,
    duplicates: usize,
}

fn tally(inbox: &Inbox) -> Tally {
    let taken = inbox.taken();
    let distinct = taken.iter().collect::<HashSet<_>>().len();
    Tally {
        distinct,
        duplicates: taken.len() - distinct,
    }
}

/// Who made each successful attempt.
async fn attempts_by_worker(pool: &PgPool) -> HashMap<String, i64> {
    sqlx::query_as::<_, (String, i64)>(
        "SELECT worker, count(*) FROM webhook_attempts GROUP BY worker",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .collect()
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn webhooks_three_instances_deliver_a_thousand_events_exactly_once(pool: PgPool) {
    let api = TestApi::new(pool.clone());
    let (addr, inbox) = receiver().await;
    let (id, secret) = subscribe(&api, &format!("http://{addr}/hooks"), json!({})).await;
    emit(&pool, 1000).await;
    let started = Instant::now();
    let mut instances = Vec::new();
    for name in ["api-1", "api-2", "api-3"] {
        instances.push(start(&pool, name, settings(retrying_for(Duration::from_secs(60)))).await);
    }
    eventually("1,000 deliveries", Duration::from_secs(120), async || {
        tally(&inbox).distinct == 1000
    })
    .await;
    let elapsed = started.elapsed();
    // a late duplicate would show up now
    tokio::time::sleep(Duration::from_millis(500)).await;
    let owners: Vec<String> = instances.iter().map(|i| i.owner.clone()).collect();
    for instance in instances {
        instance.stop().await;
    }
    let Tally {
        distinct,
        duplicates,
    } = tally(&inbox);
    let by_worker = attempts_by_worker(&pool).await;
    println!(
        "1,000 webhook deliveries by 3 workers in {:.2} s: {:.0} deliveries/s; attempts by worker {by_worker:?}; {duplicates} duplicates",
        elapsed.as_secs_f64(),
        1000.0 / elapsed.as_secs_f64()
    );
    assert_eq!(distinct, 1000);
    assert_eq!(
        duplicates, 0,
        "{duplicates} events delivered twice in normal operation"
    );
    assert_eq!(by_worker.values().sum::<i64>(), 1000, "one attempt each");
    for owner in &owners {
        assert!(
            by_worker.contains_key(owner),
            "{owner} delivered none: {by_worker:?}"
        );
    }
    let sample = inbox.received();
    assert!(sample.iter().take(20).all(|r| verifies(&secret, r)));
    let pending: i64 =
        sqlx::query_scalar("SELECT count(*) FROM webhook_deliveries WHERE status <> 'delivered'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(pending, 0);
    assert_eq!(
        log(&api, id, "&statut=livree").await.len(),
        200,
        "a full page"
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn webhooks_of_a_killed_instance_are_delivered_by_the_others_once_its_lease_expires(
    pool: PgPool,
) {
    let api = TestApi::new(pool.clone());
    let (addr, inbox) = receiver().await;
    // slow enough that every worker always has attempts in flight
    inbox.delay_ms.store(20, Ordering::SeqCst);
    subscribe(&api, &format!("http://{addr}/hooks"), json!({})).await;
    emit(&pool, 1000).await;
    let lease = Duration::from_millis(1500);
    let settings = WebhookSettings {
        timeout: Duration::from_millis(1000),
        lease,
        ..settings(retrying_for(Duration::from_secs(60)))
    };
    let mut instances = Vec::new();
    for name in ["api-1", "api-2", "api-3"] {
        instances.push(start(&pool, name, settings.clone()).await);
    }
    eventually("300 deliveries", Duration::from_secs(60), async || {
        inbox.taken().len() >= 300
    })
    .await;
    // kill the second instance: its attempts in flight are dropped, its leases stay
    let killed = instances.remove(1);
    let killed_owner = killed.owner.clone();
    killed.tasks.stopped(Duration::ZERO).await;
    let killed_at = chrono::Utc::now();
    // a statement it had already sent still runs in PostgreSQL, as after a real kill: what it
    // recorded is its; what it leased and never recorded is orphaned
    tokio::time::sleep(Duration::from_millis(300)).await;
    let orphans: Vec<(i64, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
        "SELECT id, leased_until FROM webhook_deliveries
         WHERE status = 'pending' AND leased_by = $1",
    )
    .bind(&killed_owner)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(!orphans.is_empty(), "the killed instance held leases");

    eventually("all 1,000 events", Duration::from_secs(120), async || {
        tally(&inbox).distinct == 1000
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let survivors: Vec<String> = instances.iter().map(|i| i.owner.clone()).collect();
    for instance in instances {
        instance.stop().await;
    }
    let Tally {
        distinct,
        duplicates,
    } = tally(&inbox);
    println!(
        "killed {killed_owner} at {killed_at} with {} leased deliveries; {duplicates} duplicates",
        orphans.len()
    );
    assert_eq!(distinct, 1000, "every event arrived");
    // at least once: only what the killed instance had in flight may arrive twice
    assert!(
        duplicates <= orphans.len(),
        "{duplicates} duplicates, {} orphaned leases",
        orphans.len()
    );
    let undelivered: i64 =
        sqlx::query_scalar("SELECT count(*) FROM webhook_deliveries WHERE status <> 'delivered'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(undelivered, 0);
    // each orphan was delivered by a survivor, after its lease expired
    for (delivery, leased_until) in &orphans {
        let (worker, at): (String, chrono::DateTime<chrono::Utc>) = sqlx::query_as(
            "SELECT worker, attempted_at FROM webhook_attempts
             WHERE delivery_id = $1 AND status_code BETWEEN 200 AND 299
             ORDER BY id LIMIT 1",
        )
        .bind(delivery)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert!(
            survivors.contains(&worker),
            "{delivery} delivered by {worker}"
        );
        assert!(
            at >= *leased_until,
            "{delivery} taken over before its lease ended"
        );
    }
}

/// A 422 whose first problem names `field` (an unknown field is named in its message).
fn assert_names(reply: &Reply, field: &str) {
    assert_problem(reply, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let problem = &reply.body["errors"][0];
    assert!(
        problem["field"] == field
            || problem["message"]
                .as_str()
                .is_some_and(|m| m.contains(&format!("`{field}`"))),
        "{field}: {problem}"
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_webhook_api_checks_its_input_shows_the_secret_once_and_needs_admin(pool: PgPool) {
    let api = TestApi::new(pool.clone());
    let invalid = [
        (json!({"url": "ftp://exemple.ca/x"}), "url"),
        (json!({"url": "pas une url"}), "url"),
        (json!({"types": []}), "url"),
        (
            json!({"url": "https://exemple.ca/x", "types": ["sale.created", "sale.vanished"]}),
            "types[1]",
        ),
        (
            json!({"url": "https://exemple.ca/x", "secret": "court"}),
            "secret",
        ),
        (
            json!({"url": "https://exemple.ca/x", "actif": true}),
            "actif",
        ),
    ];
    for (body, field) in invalid {
        let reply = api
            .send(Method::POST, "/api/v1/webhooks", body.clone())
            .await;
        assert_names(&reply, field);
    }

    let created = api
        .send(
            Method::POST,
            "/api/v1/webhooks",
            json!({"url": "https://boutique.exemple.ca/hooks", "types": ["sale.created"]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/webhooks/{id}").as_str())
    );
    let secret = created.body["secret"].as_str().unwrap().to_owned();
    assert!(secret.len() == 64 && secret.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(created.body["types"], json!(["sale.created"]));
    assert_eq!(created.body["actif"], true);
    for path in [
        format!("/api/v1/webhooks/{id}"),
        "/api/v1/webhooks".to_owned(),
        format!("/api/v1/webhooks/{id}/deliveries"),
    ] {
        let reply = api.get(&path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert!(!reply.text().contains(&secret), "{path} shows the secret");
        assert!(!reply.text().contains("\"secret\""), "{path}");
    }

    // changes: types to all, url; null is refused; deactivating says so
    let patched = api
        .send(
            Method::PATCH,
            &format!("/api/v1/webhooks/{id}"),
            json!({"types": [], "url": "http://boutique.exemple.ca/v2"}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{:?}", patched.body);
    assert_eq!(patched.body["types"], json!([]));
    assert_eq!(patched.body["url"], "http://boutique.exemple.ca/v2");
    for (body, field) in [
        (json!({"actif": null}), "actif"),
        (json!({"url": "mailto:a@b.ca"}), "url"),
        (json!({"types": ["nope"]}), "types[0]"),
        (json!({"secret": "another-secret-here"}), "secret"),
    ] {
        let reply = api
            .send(
                Method::PATCH,
                &format!("/api/v1/webhooks/{id}"),
                body.clone(),
            )
            .await;
        assert_names(&reply, field);
    }
    let off = api
        .send(
            Method::PATCH,
            &format!("/api/v1/webhooks/{id}"),
            json!({"actif": false}),
        )
        .await;
    assert_eq!(off.body["actif"], false);
    assert!(off.body["desactive_le"].is_string());
    assert_eq!(
        off.body["raison_desactivation"],
        "désactivé par un administrateur"
    );

    // the log's parameters
    for (query, field) in [
        ("statut=perdue", "statut"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("after=-1", "after"),
        ("page=2", "page"),
    ] {
        let reply = api
            .get(&format!("/api/v1/webhooks/{id}/deliveries?{query}"))
            .await;
        assert_names(&reply, field);
    }
    assert_problem(
        &api.get("/api/v1/webhooks/999/deliveries").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let replay = async |delivery: i64| {
        api.call(
            Method::POST,
            &format!("/api/v1/webhooks/deliveries/{delivery}/replay"),
            Some(ADMIN),
            None,
        )
        .await
    };
    assert_problem(&replay(999).await, StatusCode::NOT_FOUND, "not_found");
    // a pending delivery is not replayed
    api.send(
        Method::PATCH,
        &format!("/api/v1/webhooks/{id}"),
        json!({"actif": true}),
    )
    .await;
    emit(&pool, 1).await;
    let pending = log(&api, id, "").await[0]["id"].as_i64().unwrap();
    assert_problem(&replay(pending).await, StatusCode::CONFLICT, "conflict");

    // admin only, reads included
    let (_, reader) =
        domain::access::create_client(&pool, "lecteur", &[domain::access::Scope::Read])
            .await
            .unwrap();
    let (_, writer) = domain::access::create_client(
        &pool,
        "ecrivain",
        &[domain::access::Scope::Read, domain::access::Scope::Write],
    )
    .await
    .unwrap();
    let calls = [
        (Method::GET, "/api/v1/webhooks".to_owned(), None),
        (
            Method::POST,
            "/api/v1/webhooks".to_owned(),
            Some(json!({"url": "https://exemple.ca/x"})),
        ),
        (Method::GET, format!("/api/v1/webhooks/{id}"), None),
        (
            Method::PATCH,
            format!("/api/v1/webhooks/{id}"),
            Some(json!({"actif": false})),
        ),
        (
            Method::GET,
            format!("/api/v1/webhooks/{id}/deliveries"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/webhooks/deliveries/{pending}/replay"),
            None,
        ),
        (Method::DELETE, format!("/api/v1/webhooks/{id}"), None),
    ];
    for (method, path, body) in calls {
        for token in [&reader, &writer] {
            let reply = api
                .call(method.clone(), &path, Some(token), body.clone())
                .await;
            assert_problem(&reply, StatusCode::FORBIDDEN, "forbidden");
        }
    }

    // deleted, with its deliveries
    let deleted = api
        .call(
            Method::DELETE,
            &format!("/api/v1/webhooks/{id}"),
            Some(ADMIN),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_problem(
        &api.get(&format!("/api/v1/webhooks/{id}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_problem(&replay(pending).await, StatusCode::NOT_FOUND, "not_found");
    let page = api.get("/api/v1/webhooks").await;
    assert_eq!(page.body["total"], 0);
}

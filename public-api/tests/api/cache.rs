//! The shared cache: hits, invalidation before a write answers, SCAN-based clearing of our
//! namespace only, and correct answers while Redis is down (a private redis-server is stopped
//! and restarted mid-test).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_read_is_cached_and_a_write_invalidates_it_before_answering(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool);
    let path = format!("/api/v1/products/{}", w.bread);
    assert_eq!(api.get(&path).await.header("x-cache"), Some("MISS"));
    let hit = api.get(&path).await;
    assert_eq!(hit.header("x-cache"), Some("HIT"));
    assert_eq!(hit.body["prix"], json!(1.2));
    assert_eq!(
        api.get("/api/v1/products?q=pain").await.header("x-cache"),
        Some("MISS")
    );
    assert_eq!(
        api.get("/api/v1/products?q=pain").await.header("x-cache"),
        Some("HIT")
    );
    assert_eq!(
        api.get("/api/v1/products/by-code/ALI001")
            .await
            .header("x-cache"),
        Some("MISS")
    );
    assert_eq!(
        api.get("/api/v1/reports/kpis").await.header("x-cache"),
        Some("MISS")
    );

    let changed = api.send(Method::PATCH, &path, json!({"prix": 1.35})).await;
    assert_eq!(changed.status, StatusCode::OK);
    // the very next reads see the new price: the item, the code lookup and the list
    let item = api.get(&path).await;
    assert_eq!(
        (item.header("x-cache"), item.body["prix"].clone()),
        (Some("MISS"), json!(1.35))
    );
    let by_code = api.get("/api/v1/products/by-code/ALI001").await;
    assert_eq!(by_code.body["prix"], json!(1.35));
    let list = api.get("/api/v1/products?q=pain").await;
    assert_eq!(
        (
            list.header("x-cache"),
            list.body["items"][0]["prix"].clone()
        ),
        (Some("MISS"), json!(1.35))
    );
    assert_eq!(
        api.get("/api/v1/reports/kpis").await.header("x-cache"),
        Some("MISS"),
        "reports depend on prices"
    );

    // a sale clears the reports but not the catalogue
    assert_eq!(
        api.get("/api/v1/reports/kpis").await.header("x-cache"),
        Some("HIT")
    );
    let sale = api
        .sell(
            w.store,
            "k",
            json!({"lignes": [{"produit_id": w.bread, "quantite": 1}], "mode_paiement": "carte"}),
        )
        .await;
    assert_eq!(sale.status, StatusCode::CREATED);
    let kpis = api.get("/api/v1/reports/kpis").await;
    assert_eq!(
        (kpis.header("x-cache"), kpis.body["nombre_ventes"].clone()),
        (Some("MISS"), json!(1))
    );
    assert_eq!(api.get(&path).await.header("x-cache"), Some("HIT"));

    let stats = api.get("/api/v1/cache/stats").await;
    assert_eq!(stats.body["enabled"], true);
    assert!(stats.body["hits"].as_u64().unwrap() >= 4);
    assert!(stats.body["keys"].as_u64().unwrap() >= 2);
    assert!(stats.body["memory_used_bytes"].as_u64().unwrap() > 0);
}

/// Reads through `api` until one is answered from its memory tier (its subscription to the
/// invalidations is up); returns the memory hits so far.
async fn until_memory_hit(api: &TestApi, path: &str) -> u64 {
    for _ in 0..50 {
        api.get(path).await;
        let hits = api.get("/api/v1/cache/stats").await.body["memory_hits"]
            .as_u64()
            .unwrap();
        if hits > 0 {
            return hits;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{path} is never answered from memory");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_write_through_one_instance_is_never_followed_by_a_stale_read_through_another(
    pool: sqlx::PgPool,
) {
    let w = world(&pool).await;
    let shared = config(&redis_url());
    let one = TestApi::with_config(pool.clone(), shared.clone());
    let mut other_config = shared;
    other_config.instance.id = Some("api-test-2".into());
    let other = TestApi::with_config(pool, other_config);
    let path = format!("/api/v1/products/{}", w.bread);
    let list = "/api/v1/products?q=pain";
    let mut before = until_memory_hit(&other, &path).await;
    until_memory_hit(&one, &path).await;
    for round in 0..20 {
        let price = 2.0 + f64::from(round) / 100.0;
        // both instances hold the product and the list in memory
        other.get(list).await;
        assert_eq!(other.get(list).await.header("x-cache"), Some("HIT"));
        assert_eq!(other.get(&path).await.header("x-cache"), Some("HIT"));
        let changed = one.send(Method::PATCH, &path, json!({"prix": price})).await;
        assert_eq!(changed.status, StatusCode::OK);
        // the very next reads through the other instance see the new price
        assert_eq!(
            other.get(&path).await.body["prix"],
            json!(price),
            "round {round}"
        );
        assert_eq!(
            other.get(list).await.body["items"][0]["prix"],
            json!(price),
            "round {round}"
        );
        assert_eq!(
            one.get(&path).await.body["prix"],
            json!(price),
            "round {round}"
        );
    }
    let after = other.get("/api/v1/cache/stats").await.body["memory_hits"]
        .as_u64()
        .unwrap();
    assert!(
        after >= before + 40,
        "reads were served from memory: {before} -> {after}"
    );

    // a cache clear through one instance empties the other's memory too
    before = after;
    assert_eq!(other.get(&path).await.header("x-cache"), Some("HIT"));
    let cleared = one
        .call(Method::DELETE, "/api/v1/cache/clear", Some(ADMIN), None)
        .await;
    assert_eq!(cleared.status, StatusCode::OK);
    assert_eq!(other.get(&path).await.header("x-cache"), Some("MISS"));
    let stats = other.get("/api/v1/cache/stats").await;
    assert_eq!(stats.body["memory_hits"].as_u64().unwrap(), before + 1);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn clearing_removes_only_this_api_keys(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool);
    api.get(&format!("/api/v1/products/{}", w.bread)).await;
    api.get("/api/v1/stores").await;
    let client = bb8_redis::redis::Client::open(redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let foreign = format!("autre-application:{}", api.namespace);
    let _: () = bb8_redis::redis::cmd("SET")
        .arg(&foreign)
        .arg("garde-moi")
        .query_async(&mut conn)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await; // the cache writes are asynchronous
    let cleared = api
        .call(Method::DELETE, "/api/v1/cache/clear", Some(ADMIN), None)
        .await;
    assert_eq!(cleared.status, StatusCode::OK);
    assert!(cleared.body["supprimees"].as_u64().unwrap() >= 2);
    let kept: Option<String> = bb8_redis::redis::cmd("GET")
        .arg(&foreign)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("garde-moi"));
    let _: () = bb8_redis::redis::cmd("DEL")
        .arg(&foreign)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        api.get(&format!("/api/v1/products/{}", w.bread))
            .await
            .header("x-cache"),
        Some("MISS")
    );
    // POST for older clients
    assert_eq!(
        api.call(Method::POST, "/api/v1/cache/clear", Some(ADMIN), None)
            .await
            .status,
        StatusCode::OK
    );
}

struct PrivateRedis {
    port: u16,
    child: Option<Child>,
}

impl PrivateRedis {
    fn start(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is installed (make test installs it)");
        let redis = PrivateRedis {
            port,
            child: Some(child),
        };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return redis;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("private redis-server did not start on {port}");
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn answers_stay_correct_while_redis_is_down_and_the_cache_comes_back_by_itself(
    pool: sqlx::PgPool,
) {
    let w = world(&pool).await;
    let port = free_port();
    let mut redis = PrivateRedis::start(port);
    let api = TestApi::with_config(pool, config(&format!("redis://127.0.0.1:{port}")));
    let path = format!("/api/v1/products/{}", w.bread);
    api.get(&path).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(api.get(&path).await.header("x-cache"), Some("HIT"));

    redis.stop();
    // the memory tier is dropped with the subscription to the invalidations
    tokio::time::sleep(Duration::from_millis(200)).await;
    let stats = api.get("/api/v1/cache/stats").await;
    assert_eq!(stats.body["memory_entries"], json!(0));
    // while Redis is down: right answers from PostgreSQL, a write goes through
    for _ in 0..3 {
        let reply = api.get(&path).await;
        assert_eq!(
            (reply.status, reply.header("x-cache")),
            (StatusCode::OK, Some("MISS"))
        );
    }
    let changed = api.send(Method::PATCH, &path, json!({"prix": 1.45})).await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_eq!(api.get(&path).await.body["prix"], json!(1.45));
    let health = api.call(Method::GET, "/health", None, None).await;
    assert_eq!(
        (health.status, health.body["redis"].clone()),
        (StatusCode::OK, json!("down"))
    );

    let _redis = PrivateRedis::start(redis.port);
    tokio::time::sleep(Duration::from_millis(1200)).await; // the back-off after a failure
    let mut hit = false;
    for _ in 0..20 {
        let reply = api.get(&path).await;
        assert_eq!(reply.body["prix"], json!(1.45), "never the stale price");
        if reply.header("x-cache") == Some("HIT") {
            hit = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(hit, "the API uses Redis again once it is back");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_api_starts_and_answers_without_redis(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let api = TestApi::with_config(pool, config(&format!("redis://127.0.0.1:{}", free_port())));
    let reply = api.get(&format!("/api/v1/products/{}", w.bread)).await;
    assert_eq!(
        (reply.status, reply.header("x-cache")),
        (StatusCode::OK, Some("MISS"))
    );
    let stats = api.get("/api/v1/cache/stats").await;
    assert_eq!(stats.body["connected"], false);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_redis_slower_than_the_timeout_is_skipped(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    // accepts connections and never answers: every Redis call would hang without the timeout
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let api = TestApi::with_config(pool, config(&format!("redis://127.0.0.1:{port}")));
    let started = std::time::Instant::now();
    for _ in 0..5 {
        let reply = api.get(&format!("/api/v1/products/{}", w.bread)).await;
        assert_eq!(
            (reply.status, reply.header("x-cache")),
            (StatusCode::OK, Some("MISS"))
        );
        assert_eq!(reply.body["code"], "ALI001");
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "answers do not wait for a hung Redis: {:?}",
        started.elapsed()
    );
    hold.abort();
}

#[tokio::test]
async fn a_cache_without_namespace_never_sweeps_the_database() {
    // refused at start (`CACHE_NAMESPACE`); the sweep refuses it too, whoever builds the cache
    let cache = public_api::cache::Cache::new(&redis_url(), "", 2, Duration::from_millis(500), 0);
    let client = bb8_redis::redis::Client::open(redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let foreign = format!(
        "autre-application:{}:{}",
        std::process::id(),
        chrono::Utc::now().timestamp_micros()
    );
    let _: () = bb8_redis::redis::cmd("SET")
        .arg(&foreign)
        .arg("garde-moi")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(cache.clear_namespace().await, None);
    let kept: Option<String> = bb8_redis::redis::cmd("GET")
        .arg(&foreign)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("garde-moi"));
    let _: () = bb8_redis::redis::cmd("DEL")
        .arg(&foreign)
        .arg("reports-generation")
        .query_async(&mut conn)
        .await
        .unwrap();
}

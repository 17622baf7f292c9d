//! What a client may cost the API: wrong tokens are limited per client address before any
//! lookup, across instances through Redis (and per instance while Redis is down); the address
//! comes from `X-Real-IP` only through a trusted proxy; strings that cannot be tokens are never
//! looked up; reports are bounded per caller and by their statement timeout.

use std::time::{Duration, Instant};

use http::{Method, StatusCode};
use public_api::Config;
use sqlx::PgPool;

use crate::helpers::*;

/// A well-shaped client token that no client holds.
fn unknown_token(n: u8) -> String {
    format!("mm_{}", format!("{n:02x}").repeat(32))
}

fn limited(budget: u32) -> Config {
    let mut config = config(&redis_url());
    config.auth_failures_per_minute = budget;
    config
}

async fn get_from(api: &TestApi, peer: &str, token: &str, headers: &[(&str, &str)]) -> Reply {
    api.call_from(
        Some(peer),
        Method::GET,
        "/api/v1/stores",
        Some(token),
        None,
        headers,
    )
    .await
}

fn assert_limited(reply: &Reply) {
    assert_problem(reply, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    let wait: u64 = reply.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn wrong_tokens_are_limited_per_address_across_instances_before_any_lookup(pool: PgPool) {
    let (_, valid) =
        domain::access::create_client(&pool, "boutique", &[domain::access::Scope::Read])
            .await
            .unwrap();
    let config = limited(3);
    let first = TestApi::with_config(pool.clone(), config.clone());
    let second = TestApi::with_config(pool.clone(), config.clone());
    // a third instance whose database is down, sharing the same Redis namespace
    let dead = domain::db::connect_lazy("postgres://postgres@127.0.0.1:1/none", 1, 0).unwrap();
    let blind = TestApi::with_config(dead, config);
    let attacker = "203.0.113.66";

    for n in 0..3 {
        let reply = get_from(&first, attacker, &unknown_token(n), &[]).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "failure {n}");
    }
    // the second instance never saw this address: Redis tells it the budget is spent
    assert_limited(&get_from(&second, attacker, &unknown_token(9), &[]).await);
    // refused before the token is looked up, even a valid one
    assert_limited(&get_from(&second, attacker, &valid, &[]).await);
    // the first instance learns it from its next failure
    assert_limited(&get_from(&first, attacker, &unknown_token(8), &[]).await);
    assert_limited(&get_from(&first, attacker, &valid, &[]).await);

    // the instance without a database learns it from a token it refuses without a lookup...
    assert_limited(&get_from(&blind, attacker, "pas-un-jeton", &[]).await);
    // ...and then refuses a well-shaped token without trying PostgreSQL (which would be 503)
    assert_limited(&get_from(&blind, attacker, &unknown_token(7), &[]).await);

    // another address keeps its budget, and a valid token works from it
    let neighbour = "203.0.113.67";
    assert_eq!(
        get_from(&second, neighbour, &unknown_token(1), &[])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get_from(&second, neighbour, &valid, &[]).await.status,
        StatusCode::OK
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn strings_that_cannot_be_tokens_are_never_looked_up(_pool: PgPool) {
    let dead = domain::db::connect_lazy("postgres://postgres@127.0.0.1:1/none", 1, 0).unwrap();
    let api = TestApi::with_config(dead, limited(0));
    let long = "x".repeat(8 * 1024);
    for token in [
        "pas-un-jeton",
        "mm_abc",
        long.as_str(),
        &unknown_token(1).to_uppercase(),
    ] {
        let reply = api
            .call(Method::GET, "/api/v1/stores", Some(token), None)
            .await;
        assert_problem(&reply, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    // a well-shaped one is looked up: the database is down
    let reply = api
        .call(Method::GET, "/api/v1/stores", Some(&unknown_token(1)), None)
        .await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn without_redis_each_instance_keeps_the_limit_alone(pool: PgPool) {
    let mut config = limited(2);
    config.redis_url = String::new();
    let api = TestApi::with_config(pool, config);
    for n in 0..2 {
        let reply = get_from(&api, "198.51.100.9", &unknown_token(n), &[]).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    assert_limited(&get_from(&api, "198.51.100.9", &unknown_token(3), &[]).await);
    assert_limited(&get_from(&api, "198.51.100.9", ADMIN, &[]).await);
    assert_eq!(
        get_from(&api, "198.51.100.10", ADMIN, &[]).await.status,
        StatusCode::OK
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn x_real_ip_counts_only_through_a_trusted_proxy(pool: PgPool) {
    let mut config = limited(1);
    config.proxies.trusted_proxies = "10.0.0.0/8".parse().unwrap();
    let api = TestApi::with_config(pool, config);
    let proxy = "10.1.2.3";
    let behind = |ip: &'static str| [("x-real-ip", ip)];
    for _ in 0..2 {
        get_from(&api, proxy, &unknown_token(1), &behind("203.0.113.5")).await;
    }
    assert_limited(&get_from(&api, proxy, ADMIN, &behind("203.0.113.5")).await);
    // another client behind the same proxy is another address
    assert_eq!(
        get_from(&api, proxy, ADMIN, &behind("203.0.113.6"))
            .await
            .status,
        StatusCode::OK
    );
    // anyone else's header is ignored: the limited address cannot be borrowed nor blamed
    assert_eq!(
        get_from(&api, "198.51.100.1", ADMIN, &behind("203.0.113.5"))
            .await
            .status,
        StatusCode::OK
    );
    for _ in 0..2 {
        get_from(
            &api,
            "198.51.100.2",
            &unknown_token(2),
            &behind("203.0.113.7"),
        )
        .await;
    }
    assert_eq!(
        get_from(&api, proxy, ADMIN, &behind("203.0.113.7"))
            .await
            .status,
        StatusCode::OK,
        "the failures counted against 198.51.100.2, not the address it claimed"
    );
}

/// A report stuck behind a lock holds its caller's only share: the caller's next report is
/// refused at once (429), another client's is not.
#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn each_caller_computes_a_bounded_number_of_reports_at_once(pool: PgPool) {
    let w = world(&pool).await;
    let mut config = config(&redis_url());
    config.report_concurrency = 1;
    config.redis_url = String::new(); // every report reaches PostgreSQL
    config.report_statement_timeout_ms = 30_000; // the stuck one waits for the lock
    let api = std::sync::Arc::new(TestApi::with_config(pool.clone(), config));
    let (_, other) = domain::access::create_client(&pool, "compta", &[domain::access::Scope::Read])
        .await
        .unwrap();

    let mut locker = pool.begin().await.unwrap();
    sqlx::query("LOCK TABLE daily_sales IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *locker)
        .await
        .unwrap();
    let stuck = {
        let api = api.clone();
        tokio::spawn(async move { api.get("/api/v1/reports/kpis").await })
    };
    let inventory = format!("/api/v1/reports/inventory?magasin_id={}", w.store);
    let mut refused = None;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let reply = api.get(&inventory).await;
        if reply.status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(reply);
            break;
        }
    }
    let refused = refused.expect("the second report of the caller is refused");
    assert_problem(&refused, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    assert_eq!(refused.header("retry-after"), Some("1"));
    let theirs = api.call(Method::GET, &inventory, Some(&other), None).await;
    assert_eq!(theirs.status, StatusCode::OK, "{:?}", theirs.body);

    locker.rollback().await.unwrap();
    assert_eq!(stuck.await.unwrap().status, StatusCode::OK);
    assert_eq!(api.get(&inventory).await.status, StatusCode::OK);
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_report_past_the_report_timeout_is_a_503(pool: PgPool) {
    world(&pool).await;
    let mut config = config(&redis_url());
    config.redis_url = String::new();
    config.report_statement_timeout_ms = 300;
    let api = TestApi::with_config(pool.clone(), config);
    let mut locker = pool.begin().await.unwrap();
    sqlx::query("LOCK TABLE daily_sales IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *locker)
        .await
        .unwrap();
    let started = Instant::now();
    let reply = api.get("/api/v1/reports/kpis").await;
    let elapsed = started.elapsed();
    // back to the default before anything else runs reports in this process
    domain::reporting::set_statement_timeout(Duration::from_millis(
        domain::reporting::DEFAULT_STATEMENT_TIMEOUT_MS,
    ));
    locker.rollback().await.unwrap();
    assert_problem(
        &reply,
        StatusCode::SERVICE_UNAVAILABLE,
        "service_unavailable",
    );
    assert!(reply.header("retry-after").is_some());
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
}

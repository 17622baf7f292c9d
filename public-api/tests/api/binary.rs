//! The real `public-api` binary on a random port: it starts without Redis, serves requests,
//! writes the three log files in their shapes, purges expired idempotency keys by itself, and
//! stops cleanly, background tasks included, on SIGTERM.

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use sqlx::PgPool;
use test_support::{add_category, add_store, database_url, free_port, wait_until_healthy};

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_binary_serves_logs_and_stops_on_sigterm(pool: PgPool) {
    let category = add_category(&pool, "Boissons").await;
    let store = add_store(&pool, "Centre", "", "", 1).await;
    let logs = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_public-api"))
        .env("DATABASE_URL", database_url(&pool))
        .env("API_TOKEN", "bin-token-5f0c3a9e1b7d42c8a6e0f9b3d1c7a5e2")
        .env("API_PORT", port.to_string())
        .env("REDIS_URL", format!("redis://127.0.0.1:{}", free_port())) // nothing there
        .env("LOG_DIR", logs.path())
        .env("INSTANCE_ID", "api-bin")
        .env("LOG_LEVEL", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let up = wait_until_healthy(&http, &base).await;
    assert!(up, "the API starts although Redis is down");

    let created: Value = http
        .post(format!("{base}/api/v1/products"))
        .bearer_auth("bin-token-5f0c3a9e1b7d42c8a6e0f9b3d1c7a5e2")
        .json(&json!({"code": "BOI009", "nom": "Eau", "prix": 0.99, "categorie_id": category, "quantite_stock": 10}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let product = created["id"].as_i64().unwrap();
    let refused = http
        .post(format!("{base}/api/v1/stores/{}/sales", store.id))
        .bearer_auth("bin-token-5f0c3a9e1b7d42c8a6e0f9b3d1c7a5e2")
        .header("idempotency-key", "bin-1")
        .json(
            &json!({"lignes": [{"produit_id": product, "quantite": 1}], "mode_paiement": "carte"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status(),
        409,
        "the store has none of the new product"
    );
    let read = http
        .get(format!("{base}/api/v1/products/{product}"))
        .bearer_auth("bin-token-5f0c3a9e1b7d42c8a6e0f9b3d1c7a5e2")
        .send()
        .await
        .unwrap();
    assert_eq!(read.headers()["x-instance-id"], "api-bin");
    assert!(read.headers().contains_key("x-request-id"));
    let unauthorized = http
        .get(format!("{base}/api/v1/stores"))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), 401);

    // an API client made with the command line: token printed once, scopes enforced, revocable
    let cli = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_public-api"))
            .env("DATABASE_URL", database_url(&pool))
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let printed = cli(&[
        "tokens",
        "create",
        "--name",
        "partenaire",
        "--scopes",
        "read",
    ]);
    let token_of = |printed: &str| {
        printed
            .lines()
            .find_map(|l| l.split(": ").nth(1).filter(|t| t.starts_with("mm_")))
            .unwrap()
            .to_owned()
    };
    let token = token_of(&printed);
    let as_client = http
        .get(format!("{base}/api/v1/stores"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(as_client.status(), 200);
    let write = http
        .post(format!("{base}/api/v1/stores"))
        .bearer_auth(&token)
        .json(&json!({"nom": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(write.status(), 403, "a read token cannot write");
    assert!(cli(&["tokens", "list"]).contains("partenaire"));
    assert!(
        !cli(&["tokens", "list"]).contains(&token),
        "the token is never shown again"
    );
    cli(&["tokens", "revoke", "partenaire"]);
    let revoked = http
        .get(format!("{base}/api/v1/stores"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 401);

    // a partner limited to one store: it lists that store alone
    let stores: Vec<i64> = http
        .get(format!("{base}/api/v1/stores"))
        .bearer_auth(token_of(&cli(&[
            "tokens",
            "create",
            "--name",
            "nord",
            "--stores",
            &store.id.to_string(),
        ])))
        .send()
        .await
        .unwrap()
        .json::<Vec<serde_json::Value>>()
        .await
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(stores, [store.id]);
    assert!(cli(&["tokens", "list"]).contains(&format!("stores {}", store.id)));

    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let mut exited = None;
    for _ in 0..100 {
        if let Some(code) = child.try_wait().unwrap() {
            exited = Some(code);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let code = exited.expect("the API stops on SIGTERM");
    assert!(code.success(), "clean exit: {code:?}");

    let today = chrono::Utc::now().format("%Y-%m-%d");
    let read_log = |kind: &str| {
        std::fs::read_to_string(logs.path().join(format!("{kind}_{today}.log"))).unwrap()
    };
    let requests = read_log("api");
    let line = requests
        .lines()
        .find(|l| l.contains("POST /api/v1/products "))
        .expect("a line per request");
    assert!(
        line.contains("api-bin")
            && line.contains(" 201 ")
            && line.contains("ms")
            && line.contains("api-token"),
        "{line}"
    );
    assert!(
        requests
            .lines()
            .any(|l| l.contains("GET /api/v1/products/{id} 200")),
        "routes by template: {requests}"
    );
    assert!(requests.lines().any(|l| l.contains(" 401 ")));

    let business: Vec<Value> = read_log("business")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let operations: Vec<&str> = business
        .iter()
        .map(|e| e["operation"].as_str().unwrap())
        .collect();
    for op in ["create", "stock_movement", "sale_refused"] {
        assert!(operations.contains(&op), "{op} missing from {operations:?}");
    }
    for event in &business {
        for field in [
            "time",
            "instance",
            "operation",
            "entity_type",
            "entity_id",
            "actor",
            "details",
        ] {
            assert!(event.get(field).is_some(), "{field} missing: {event}");
        }
        assert_eq!(event["instance"], "api-bin");
    }
    let created_event = business
        .iter()
        .find(|e| e["operation"] == "create")
        .unwrap();
    assert_eq!(
        created_event["details"]["code"], "BOI009",
        "details stay structured"
    );

    let errors = read_log("errors");
    assert!(
        errors.contains("Redis"),
        "the Redis outage is in the error log: {errors}"
    );
    assert!(
        errors.contains("request_id") || errors.contains("route"),
        "with its request context: {errors}"
    );
}

#[test]
fn an_empty_cache_namespace_is_refused_at_start() {
    // clearing the cache sweeps the namespace: empty, it would wipe the whole Redis database
    for namespace in ["", "  "] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_public-api"))
            .env("CACHE_NAMESPACE", namespace)
            .env("DATABASE_URL", "postgres://postgres@127.0.0.1:1/none")
            .env("API_PORT", free_port().to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut status = None;
        for _ in 0..100 {
            status = child.try_wait().unwrap();
            if status.is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if status.is_none() {
            child.kill().unwrap();
        }
        let output = child.wait_with_output().unwrap();
        assert!(
            status.is_some_and(|s| !s.success()),
            "it must refuse to start"
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("CACHE_NAMESPACE must not be empty"),
            "{stderr}"
        );
    }
}

/// Sends SIGTERM and returns how long the process took to exit, and how (10 s at most).
async fn terminate(
    child: &mut std::process::Child,
) -> (Duration, Option<std::process::ExitStatus>) {
    let sent = std::time::Instant::now();
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    for _ in 0..200 {
        if let Some(code) = child.try_wait().unwrap() {
            return (sent.elapsed(), Some(code));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    (sent.elapsed(), None)
}

/// The running binary purges expired idempotency keys by itself (here every second), keeps
/// the others, and its background tasks stop with it on SIGTERM.
#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_binary_purges_expired_idempotency_keys_and_stops_its_tasks(pool: PgPool) {
    let logs = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_public-api"))
        .env("DATABASE_URL", database_url(&pool))
        .env("API_PORT", port.to_string())
        .env("REDIS_URL", "")
        .env("LOG_DIR", logs.path())
        .env("PURGE_EVERY_SECS", "1")
        .env("METRICS_UPKEEP_SECS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let up = wait_until_healthy(&http, &base).await;

    // inserted after start: only a purge by the running process removes them
    let keys = |age: &'static str, key: &'static str| {
        sqlx::query(
            "INSERT INTO idempotency_keys (client, key, request_hash, status_code, response_body, created_at)
             VALUES ('bin', $1, repeat('a', 64), 201, '\\x7b7d', now() - $2::interval)",
        )
        .bind(key)
        .bind(age)
        .execute(&pool)
    };
    keys("25 hours", "old-1").await.unwrap();
    keys("3 days", "old-2").await.unwrap();
    keys("1 minute", "recent").await.unwrap();
    let mut left: Vec<String> = Vec::new();
    for _ in 0..100 {
        left = sqlx::query_scalar("SELECT key FROM idempotency_keys ORDER BY key")
            .fetch_all(&pool)
            .await
            .unwrap();
        if left.len() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (took, exit) = terminate(&mut child).await;

    assert!(up, "the API starts");
    assert_eq!(left, ["recent"], "expired keys purged, the others kept");
    let exit = exit.expect("the API stops on SIGTERM");
    assert!(exit.success(), "clean exit: {exit:?}");
    assert!(
        took < Duration::from_secs(5),
        "background tasks stop at once: {took:?}"
    );
}

/// The listener gives the handlers the peer's address: wrong tokens from it are limited by the
/// real binary too (without it, every request would come from no known address, unlimited).
#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_real_listener_limits_wrong_tokens_per_peer(pool: PgPool) {
    let logs = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_public-api"))
        .env("DATABASE_URL", database_url(&pool))
        .env("API_TOKEN", "bin-token-5f0c3a9e1b7d42c8a6e0f9b3d1c7a5e2")
        .env("API_PORT", port.to_string())
        .env("REDIS_URL", "") // each instance counts alone
        .env("AUTH_FAILURES_PER_MINUTE", "2")
        .env("LOG_DIR", logs.path())
        .env("LOG_LEVEL", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    assert!(wait_until_healthy(&http, &base).await, "the API starts");
    let mut statuses = Vec::new();
    for n in 0..3 {
        let reply = http
            .get(format!("{base}/api/v1/stores"))
            .bearer_auth(format!("faux-jeton-{n}"))
            .send()
            .await
            .unwrap();
        statuses.push(reply.status().as_u16());
        if reply.status() == 429 {
            assert!(reply.headers().contains_key("retry-after"));
        }
    }
    let admin = http
        .get(format!("{base}/api/v1/stores"))
        .bearer_auth("bin-token-5f0c3a9e1b7d42c8a6e0f9b3d1c7a5e2")
        .send()
        .await
        .unwrap()
        .status();
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    assert_eq!(statuses, [401, 401, 429]);
    assert_eq!(admin, 429, "refused before the token is even compared");
}

//! The real `public-api` binary on a random port: it starts without Redis, serves requests,
//! writes the three log files in their shapes, and stops cleanly on SIGTERM.

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
        .env("API_TOKEN", "bin-token")
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
        .bearer_auth("bin-token")
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
        .bearer_auth("bin-token")
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
        .bearer_auth("bin-token")
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
    let token = printed
        .lines()
        .find_map(|l| l.split(": ").nth(1).filter(|t| t.starts_with("mm_")))
        .unwrap()
        .to_owned();
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
